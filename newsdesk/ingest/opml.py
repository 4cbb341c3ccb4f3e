"""Reads and writes OPML subscription lists, the format feed readers import and export."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

import lxml.etree

from ..errors import FeedError
from .feeds import markup_text, xml_root_name

__all__ = ["OpmlFeed", "parse_opml", "looks_like_opml", "write_opml", "MAX_OPML_BYTES"]

# The largest OPML exports seen from feed readers hold a few thousand outlines (~1 MB); ten
# times that is a sane ceiling for one import.
MAX_OPML_BYTES = 10 * 1024 * 1024
MAX_OPML_FEEDS = 10_000
_MAX_URL_CHARS = 2_048
_MAX_TITLE_CHARS = 1_000
# XML 1.0 forbids these characters in a document, escaped or not.
_BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class OpmlFeed:
    """One feed listed in an OPML file."""

    url: str
    title: str | None = None
    site_url: str | None = None
    # The titles of the enclosing outlines, outermost first, joined by " / " ("News / Korea").
    category: str | None = None


def looks_like_opml(content: bytes) -> bool:
    """Says whether the bytes are an XML document whose root element is <opml>."""
    name = xml_root_name(content or b"")
    return name is not None and name.rpartition(":")[2].lower() == "opml"


def parse_opml(content: bytes, source: str = "input") -> list[OpmlFeed]:
    """Returns the http(s) feeds an OPML document lists, nested outlines included, each URL
    once; raises FeedError when the document is not OPML or not well-formed."""
    if not content or not content.strip():
        raise FeedError(f"opml: {source}: empty document")
    if len(content) > MAX_OPML_BYTES:
        raise FeedError(f"opml: {source}: over the {MAX_OPML_BYTES >> 20} MiB limit")
    # Entity declarations have no use in a subscription list and are how XML bombs and file
    # reads (XXE) get in: refuse them before libxml2 sees them, as defusedxml does.
    if "<!entity" in markup_text(content).lower():
        raise FeedError(f"opml: {source}: refused: the document declares entities")
    parser = lxml.etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = lxml.etree.fromstring(bytes(content), parser=parser)
    except (lxml.etree.LxmlError, ValueError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise FeedError(f"opml: {source}: not well-formed XML: {reason}") from exc
    if root is None or _local(root.tag) != "opml":
        raise FeedError(f"opml: {source}: not an OPML document")
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    _collect(root, [], feeds, seen)
    return feeds


def _collect(node, path: list[str], feeds: list[OpmlFeed], seen: set[str]) -> None:
    # Iterative: a hostile file can nest outlines deeper than Python's recursion limit.
    stack = [(child, path) for child in reversed(node)]
    while stack and len(feeds) < MAX_OPML_FEEDS:
        element, where = stack.pop()
        if not isinstance(element.tag, str):
            continue
        inner = where
        if _local(element.tag) == "outline":
            attrs = {key.lower(): value for key, value in element.attrib.items()}
            title = _title(attrs)
            url = _feed_url(attrs)
            if url and url not in seen:
                seen.add(url)
                feeds.append(
                    OpmlFeed(
                        url=url,
                        title=title,
                        site_url=_http_url(attrs.get("htmlurl")),
                        category=" / ".join(where) or None,
                    )
                )
            elif not url and title:
                inner = [*where, title]  # an outline without a feed is a category
        stack.extend((child, inner) for child in reversed(element))


def _title(attrs: dict) -> str | None:
    for key in ("text", "title"):
        value = attrs.get(key)
        if value and value.strip():
            return " ".join(value.split())[:_MAX_TITLE_CHARS]
    return None


def _feed_url(attrs: dict) -> str | None:
    url = _http_url(attrs.get("xmlurl"))
    if url is None and attrs.get("type", "").lower() in ("rss", "atom"):
        # Some exporters write the feed address as "url" on an rss-typed outline.
        url = _http_url(attrs.get("url"))
    return url


def _http_url(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    # feed:// and feed:https:// are old browser pseudo-schemes for the same http(s) URL.
    if value.lower().startswith("feed://"):
        value = "http://" + value[7:]
    elif value.lower().startswith("feed:"):
        value = value[5:]
    if len(value) > _MAX_URL_CHARS or any(c.isspace() for c in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    return value if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _local(tag) -> str:
    return tag.rpartition("}")[2].lower() if isinstance(tag, str) else ""


def write_opml(feeds, title: str = "newsdesk feeds") -> str:
    """Returns an OPML 2.0 document listing feeds, given as (url, title, site_url) tuples or
    OpmlFeed objects; parse_opml reads it back unchanged."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{escape(_xml_safe(title))}</title>",
        "  </head>",
        "  <body>",
    ]
    for feed in feeds:
        if isinstance(feed, OpmlFeed):
            url, name, site = feed.url, feed.title, feed.site_url
        else:
            url, name, site = feed
        url, name = _xml_safe(url), _xml_safe(name or "") or _xml_safe(url)
        attrs = f'type="rss" text={quoteattr(name)} title={quoteattr(name)} xmlUrl={quoteattr(url)}'
        if site:
            attrs += f" htmlUrl={quoteattr(_xml_safe(site))}"
        lines.append(f"    <outline {attrs}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _xml_safe(value) -> str:
    return _BAD_XML_CHARS.sub("", str(value or ""))
