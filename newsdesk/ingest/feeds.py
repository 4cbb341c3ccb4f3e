"""Parses RSS 0.9x/1.0/2.0, Atom and JSON Feed documents into entries, offline and defused.

XML goes through feedparser, but never as a URL or a string it could take for a path: it gets
bytes in a stream, after `xmlprolog.defuse` has dropped every entity declaration that could expand
without bound or read a file. JSON Feed 1.0/1.1 is read here.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

import feedparser
from feedparser.datetimes import _parse_date
from feedparser.encodings import convert_to_utf8
from feedparser.sanitizer import _sanitize_html
from feedparser.urls import resolve_relative_uris

from ..errors import FeedError
from ..models import Article, FeedEntry
from .htmltext import html_to_text
from .xmlprolog import SNIFF_BYTES, defuse, markup_text, xml_root_name

__all__ = ["ParsedFeed", "parse_feed", "looks_like_feed", "entry_to_article", "xml_root_name"]
__all__ += ["markup_text", "MAX_FEED_BYTES", "MAX_ENTRIES"]

# Caps that keep one hostile or broken feed from filling memory or the store. Real news feeds
# carry 10-100 entries and podcast archives a few thousand; the first 1,000 entries (feeds list
# newest first) cover every feed we poll. The byte cap sits above fetch_max_bytes (10 MB).
MAX_FEED_BYTES = 32 * 1024 * 1024
MAX_ENTRIES = 1_000
MAX_TITLE_CHARS = 1_000
MAX_AUTHOR_CHARS = 300
MAX_URL_CHARS = 2_048
MAX_SUMMARY_CHARS = 100_000
MAX_CONTENT_CHARS = 1_000_000
MAX_WARNING_CHARS = 300

# feedparser reads every entry before the first MAX_ENTRIES are kept: a 100,000-entry feed took
# 20 s and 350 MB. Entries past twice the cap (room for repeated guids) are cut out before parsing.
_ENTRY_END = re.compile(rb"</(?:[A-Za-z_][\w.\-]*:)?(?:item|entry)\s*>", re.I)
_FEED_ROOTS = frozenset(("rss", "rdf", "feed"))
_FEED_ROOT = re.compile(r"<(?:rss|feed|[A-Za-z_][\w.\-]*:RDF)[\s>]")
_FEED_TYPES = frozenset(("application/rss+xml", "application/atom+xml", "application/rdf+xml"))
_JSONFEED_PREFIX = "https://jsonfeed.org/version/"
_HTML_TYPES = frozenset(("text/html", "application/xhtml+xml"))
_SPACES = re.compile(r"\s+")


@dataclass
class ParsedFeed:
    """A feed document's title, site and entries, with the parser's complaint if it had one."""

    title: str | None
    site_url: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    warning: str | None = None  # one line: why the document is not well-formed, or what was cut


def looks_like_feed(content: bytes, content_type: str | None = None) -> bool:
    """Says whether the bytes are an RSS, RDF, Atom or JSON Feed document.

    The bytes decide: servers label feeds text/html and pages text/xml. A feed media type only
    lets a feed root found past leading junk (a PHP notice, stray text) count.
    """
    if not content:
        return False
    if _looks_like_json(content):
        return _json_feed_object(content) is not None
    name = xml_root_name(content)
    if name is not None:
        return name.rpartition(":")[2].lower() in _FEED_ROOTS
    media = (content_type or "").split(";")[0].strip().lower()
    return media in _FEED_TYPES and bool(_FEED_ROOT.search(markup_text(content[:SNIFF_BYTES])))


def parse_feed(
    content: bytes,
    url: str | None = None,
    content_type: str | None = None,
    charset: str | None = None,
    source: str | None = None,
) -> ParsedFeed:
    """Parses a feed document into a ParsedFeed; raises FeedError when it holds no feed.

    ``url`` is the base for relative links; ``source`` names the INPUT in errors (default: url).
    """
    where = source or url or "input"
    if not isinstance(content, (bytes, bytearray)) or not content.strip():
        raise FeedError(f"feeds: {where}: not a feed: empty document")
    if len(content) > MAX_FEED_BYTES:
        raise FeedError(f"feeds: {where}: not a feed: over the {MAX_FEED_BYTES >> 20} MiB limit")
    content = bytes(content)
    try:
        if _looks_like_json(content):
            parsed = _parse_json_feed(content, url, where)
        else:
            parsed = _parse_xml_feed(content, url, _headers(content_type, charset), where)
    except FeedError:
        raise
    except Exception as exc:  # noqa: BLE001 - third-party parsers on hostile bytes
        raise FeedError(f"feeds: {where}: not a feed: {_one_line(exc)}") from exc
    return _finish(parsed)


def entry_to_article(entry: FeedEntry, feed: ParsedFeed) -> Article | None:
    """Makes an article from the entry's own content (full content, else summary), or None
    when the entry has neither a title nor any text."""
    text = html_to_text(entry.content_html or "") or html_to_text(entry.summary or "")
    title = (entry.title or "").strip()
    if not title and not text:
        return None
    return Article(
        title=title or _title_from_text(text),
        text=text,
        url=entry.url,
        outlet=feed.title,
        byline=entry.author,
        published_at=entry.published_at,
    )


# --- sniffing -------------------------------------------------------------------------------


def _looks_like_json(content: bytes) -> bool:
    head = content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


def _json_feed_object(content: bytes) -> dict | None:
    try:
        obj = json.loads(content)
    except (ValueError, RecursionError):
        return None
    version = obj.get("version") if isinstance(obj, dict) else None
    if isinstance(version, str) and version.startswith(_JSONFEED_PREFIX):
        return obj
    return None


# --- XML feeds ------------------------------------------------------------------------------


def _headers(content_type: str | None, charset: str | None) -> dict[str, str]:
    # No header at all means "local file": feedparser then trusts the XML declaration.
    if not content_type and not charset:
        return {}
    media = content_type or "application/xml"
    if charset:
        media = f"{media.split(';')[0].strip()}; charset={charset}"
    return {"content-type": media}


def _parse_xml_feed(content: bytes, url: str | None, headers: dict, where: str) -> ParsedFeed:
    # Decode first (feedparser's own rules: HTTP charset, BOM, XML declaration), so that the
    # DOCTYPE can be defused in any encoding; then parse the defused UTF-8.
    conversion: dict = {}
    with warnings.catch_warnings():
        # feedparser warns about its own deprecated key mappings; they are not ours to fix.
        warnings.simplefilter("ignore")
        data = convert_to_utf8(headers, content, conversion)
        data = defuse(data.decode("utf-8", "replace")).encode("utf-8")
        data, skipped = _cut_entries(data)
        parse_headers = {"content-type": "application/xml; charset=utf-8"}
        if url:
            parse_headers["content-location"] = url
        result = feedparser.parse(
            io.BytesIO(data),  # a stream: feedparser opens a str or bytes as a path or URL
            response_headers=parse_headers,
            sanitize_html=True,
            resolve_relative_uris=True,
        )
        parsed = _from_feedparser(result, url)
    bozo = conversion.get("bozo_exception") or (
        _get(result, "bozo") and _get(result, "bozo_exception")
    )
    if bozo:
        parsed.warning = _one_line(bozo)
    if skipped:
        note = f"skipped the entries after the first {2 * MAX_ENTRIES}"
        parsed.warning = f"{parsed.warning}; {note}" if parsed.warning else note
    if not parsed.entries and (not parsed.title or not _get(result, "version")):
        reason = parsed.warning or "no title and no entries"
        raise FeedError(f"feeds: {where}: not a feed: {reason}")
    return parsed


def _cut_entries(data: bytes) -> tuple[bytes, bool]:
    """Returns the UTF-8 feed without the entries after the first 2 * MAX_ENTRIES, keeping what
    follows its last entry (the closing tags) so a well-formed feed stays well-formed."""
    ends = _ENTRY_END.finditer(data)
    cut = next((m.end() for n, m in enumerate(ends, 1) if n == 2 * MAX_ENTRIES), None)
    if cut is None:
        return data, False
    last = cut
    for match in _ENTRY_END.finditer(data, cut):
        last = match.end()
    return data[:cut] + data[last:], last > cut


def _from_feedparser(result, url: str | None) -> ParsedFeed:
    feed = _get(result, "feed") or {}
    entries = [_entry_from_feedparser(raw, url) for raw in _get(result, "entries") or []]
    title = _text_field(feed, "title", MAX_TITLE_CHARS)
    return ParsedFeed(title, _clean_url(_get(feed, "link"), url), [e for e in entries if e])


def _entry_from_feedparser(raw, base: str | None) -> FeedEntry | None:
    title = _text_field(raw, "title", MAX_TITLE_CHARS)
    link = _clean_url(_get(raw, "link"), base)
    summary = _str(_get(raw, "summary"), MAX_SUMMARY_CHARS)
    content_html = None
    for part in _get(raw, "content") or []:
        value = _str(_get(part, "value"), MAX_CONTENT_CHARS)
        if value:
            kind = _get(part, "type") or "text/html"
            content_html = value if kind in _HTML_TYPES else _text_to_html(value)
            break
    author = _get(_get(raw, "author_detail"), "name") or _get(raw, "author")
    published = _get(raw, "published_parsed") or _get(raw, "updated_parsed")
    return _make_entry(
        _get(raw, "id"), link, title, summary, content_html, author, _iso_from_struct(published)
    )


def _text_field(mapping, key: str, limit: int) -> str | None:
    value = _get(mapping, key)
    if not isinstance(value, str):
        return None
    detail = _get(mapping, f"{key}_detail") or {}
    if _get(detail, "type") in _HTML_TYPES:
        value = html_to_text(value)
    return _line(value, limit)


# --- JSON Feed ------------------------------------------------------------------------------


def _parse_json_feed(content: bytes, url: str | None, where: str) -> ParsedFeed:
    obj = _json_feed_object(content)
    if obj is None:
        raise FeedError(f"feeds: {where}: not a feed: JSON without a JSON Feed version")
    base = url or _clean_url(obj.get("feed_url"), None)
    feed_author = _json_author(obj)
    items = obj.get("items")
    warning = None
    if not isinstance(items, list):
        warning = "jsonfeed: items is not a list"
        items = []
    if not all(isinstance(item, dict) for item in items):
        warning = "jsonfeed: an item is not an object"
    entries = [_entry_from_json(i, base, feed_author) for i in items if isinstance(i, dict)]
    parsed = ParsedFeed(
        _line(obj.get("title"), MAX_TITLE_CHARS),
        _clean_url(obj.get("home_page_url"), base),
        [e for e in entries if e],
        warning,
    )
    if not parsed.entries and not parsed.title:
        raise FeedError(f"feeds: {where}: not a feed: JSON Feed without title or items")
    return parsed


def _entry_from_json(item: dict, base: str | None, feed_author: str | None) -> FeedEntry | None:
    guid = item.get("id")
    if isinstance(guid, (int, float)) and not isinstance(guid, bool):
        guid = str(guid)  # JSON Feed 1.0 publishers sent numbers; 1.1 says coerce them
    link = _clean_url(item.get("url"), base) or _clean_url(item.get("external_url"), base)
    title = _line(item.get("title"), MAX_TITLE_CHARS)
    content_html = _str(item.get("content_html"), MAX_CONTENT_CHARS)
    if content_html:
        # XML content comes sanitized and absolute from feedparser; give JSON the same.
        content_html = _sanitize_html(content_html, "utf-8", "text/html")
        if base:
            content_html = resolve_relative_uris(content_html, base, "utf-8", "text/html")
    else:
        text = _str(item.get("content_text"), MAX_CONTENT_CHARS)
        content_html = _text_to_html(text) if text else None
    summary = _str(item.get("summary"), MAX_SUMMARY_CHARS)
    published = _iso_from_text(item.get("date_published")) or _iso_from_text(
        item.get("date_modified")
    )
    author = _json_author(item) or feed_author
    return _make_entry(guid, link, title, summary, content_html, author, published)


def _json_author(obj: dict) -> str | None:
    """Returns the names of a JSON Feed "authors" list (1.1), else of its "author" (1.0)."""
    authors = obj.get("authors")
    if not isinstance(authors, list):
        authors = [obj.get("author")]
    names = [a.get("name") for a in authors[:20] if isinstance(a, dict)]
    joined = ", ".join(n.strip() for n in names if isinstance(n, str) and n.strip())
    return _str(joined, MAX_AUTHOR_CHARS)


def _iso_from_text(value) -> str | None:
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _iso_from_struct(_parse_date(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)  # RFC 3339 requires an offset; assume UTC
    return moment.astimezone(timezone.utc).isoformat()


# --- shared ---------------------------------------------------------------------------------


def _make_entry(guid, link, title, summary, content_html, author, published) -> FeedEntry | None:
    guid, author = _str(guid, None), _line(author, MAX_AUTHOR_CHARS)
    if not any((guid, link, title, summary, content_html)):
        return None
    if not guid:
        guid = link or _digest(f"{title or ''}\n{summary or content_html or ''}")
    elif len(guid) > MAX_URL_CHARS:
        guid = _digest(guid)
    return FeedEntry(guid, link, title, summary, content_html, author, published)


def _finish(parsed: ParsedFeed) -> ParsedFeed:
    """Drops repeated guids (the first wins) and cuts the list at MAX_ENTRIES."""
    seen: set[str] = set()
    unique = []
    for entry in parsed.entries:
        if entry.guid not in seen:
            seen.add(entry.guid)
            unique.append(entry)
    if len(unique) > MAX_ENTRIES:
        note = f"kept the first {MAX_ENTRIES} of {len(unique)} entries"
        parsed.warning = f"{parsed.warning}; {note}" if parsed.warning else note
        unique = unique[:MAX_ENTRIES]
    parsed.entries = unique
    return parsed


def _get(mapping, key: str):
    # dict.get, not FeedParserDict's: its fallbacks for old key names warn on every miss.
    return dict.get(mapping, key) if isinstance(mapping, dict) else None


def _str(value, limit: int | None) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()[:limit].strip() if limit else value.strip()
    return value or None


def _line(value, limit: int) -> str | None:
    """Returns a string field as one line of at most limit characters, or None."""
    return _str(_SPACES.sub(" ", value), limit) if isinstance(value, str) else None


def _clean_url(value, base: str | None) -> str | None:
    """Returns the http(s) URL, made absolute against base; None for anything else."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_URL_CHARS:
        return None
    value = value.strip()
    try:
        absolute = urljoin(base, value) if base else value
        scheme = urlsplit(absolute).scheme.lower()
    except ValueError:
        return None
    return absolute if scheme in ("http", "https") else None


def _iso_from_struct(value) -> str | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        # feedparser gives every date as a UTC struct_time.
        return datetime(*value[:6], tzinfo=timezone.utc).isoformat()
    except (ValueError, OverflowError):
        return None


def _text_to_html(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()


def _one_line(exc: object) -> str:
    text = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
    return " ".join(str(text).split())[:MAX_WARNING_CHARS]


def _title_from_text(text: str) -> str:
    """Returns a title for an entry that has none: its first line, cut at a word near 100
    characters (feeds of short posts, such as microblogs, send no titles)."""
    first = text.split("\n", 1)[0]
    if len(first) <= 100:
        return first
    return first[:100].rsplit(" ", 1)[0] + "…"
