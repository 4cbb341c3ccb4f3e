"""Turns an HTML page into one clean article with trafilatura.

The main text and most metadata come from ``trafilatura.bare_extraction``; this module decides
how the bytes are decoded, which trafilatura options run (tuned on the DEV split of the
extraction benchmark, see ``EXTRACT_OPTIONS``), and how the results map onto ``Article``:
paragraphs separated by one blank line, dates as ISO 8601 with an offset, languages as short
codes. Wire credits, headline quotes and feed hints (``RawDocument.hints``) are left to the
modules that own them (``extractor`` applies the hints to every kind of document).
"""

from __future__ import annotations

import codecs
import logging
import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura
from charset_normalizer import from_bytes
from lxml.html import HtmlElement, HTMLParser
from trafilatura import utils as trafilatura_utils
from trafilatura.settings import set_date_params

from newsdesk.errors import ExtractError
from newsdesk.models import Article, RawDocument

__all__ = ["EXTRACT_OPTIONS", "MAX_HTML_BYTES", "extract_html", "iso_datetime", "language_code"]

logger = logging.getLogger(__name__)

# Options handed to trafilatura, chosen on the 88 DEV pages of extraction-benchmark (ids 0-7)
# with the benchmark's shingle metric (bench/extraction_quality.py prints the table):
#   trafilatura.extract(html) default options       P 0.936  R 0.974  F1 0.955
#   include_comments=False                          P 0.947  R 0.974  F1 0.961
#   include_comments=False, favor_recall=True       P 0.944  R 0.974  F1 0.959
#   include_comments=False, fast=True (no fallback) P 0.948  R 0.976  F1 0.962
#   include_comments=False, include_tables=False    P 0.944  R 0.962  F1 0.953
#   include_comments=False, favor_precision=True    P 0.965  R 0.973  F1 0.969   <- kept
#   ... + fast=True                                 P 0.954  R 0.962  F1 0.958
#   ... + include_tables=False                      P 0.961  R 0.959  F1 0.960
#   ... + deduplicate=True                          P 0.965  R 0.961  F1 0.963
#   ... + include_links=True                        P 0.875  R 0.958  F1 0.915
#   kept options, through extract_document         P 0.968  R 0.973  F1 0.970
# (the last row is extractor._clean_body dropping a first paragraph that repeats the title).
# Comments are never part of the article body; favouring precision drops more boilerplate
# (teasers, captions, newsletter boxes) than it loses body text.
EXTRACT_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "favor_precision": True,
    "include_tables": True,
    "include_links": False,
    "include_images": False,
}

# Input cap: 5 MB is 4.6 times the largest DEV page (1.09 MB). trafilatura took about 0.4 s per
# MB on a synthetic page of repeated paragraphs (2-core AMD EPYC), so the cap bounds one page at
# about 2 s. The tail past the cap (usually footer and scripts) is dropped before parsing.
MAX_HTML_BYTES = 5_000_000

# Where a declared charset must appear: the HTML standard's prescan reads the first 1024 bytes;
# 4096 also catches pages whose <head> opens with long comments or scripts.
_CHARSET_SCAN_BYTES = 4096
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_XML_ENCODING = re.compile(rb"<\?xml[^>]+encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)", re.I)
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

_LANG_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")
_LANG_META_XPATHS = (
    "//meta[@property='og:locale']/@content",
    "//meta[@http-equiv='content-language' or @http-equiv='Content-Language']/@content",
    "//meta[@name='language' or @name='Language' or @itemprop='inLanguage']/@content",
)

_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"

# trafilatura's own parser settings, plus huge_tree (XML_PARSE_HUGE) for deep pages.
_DEEP_PARSER = HTMLParser(
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
    huge_tree=True,
)


def extract_html(doc: RawDocument) -> Article:
    """Extracts the main article of an HTML page: text, title, byline, date, outlet, URL, language.

    Raises ExtractError when the page holds no article text or cannot be parsed at all.
    """
    try:
        markup = _markup(doc)
        tree, result = _extract(trafilatura.load_html(markup), doc.url)
        if result is None and tree is not None:
            # libxml2 drops whatever lies over 256 elements deep (unclosed <font> or <div> tags
            # pile up that fast); a parse with its huge-tree option keeps up to ~2,000 levels.
            tree, result = _extract(_deep_tree(markup), doc.url)
    except Exception as err:  # lxml, trafilatura, htmldate and RecursionError alike
        logger.debug("trafilatura failed on %s", doc.input, exc_info=True)
        raise ExtractError(f"extract: {doc.input}: HTML cannot be parsed ({err!r})") from err
    if result is None or tree is None:
        raise ExtractError(f"extract: {doc.input}: no article text found")
    title = _one_line(result.title) or ""
    return Article(
        title=title,
        text=_paragraphs(result.text),
        url=_canonical_url(tree, result.url, doc.url),
        outlet=_one_line(result.sitename),
        byline=_one_line(result.author),
        published_at=iso_datetime(result.date),
        language=_language(tree, result.text),
        input=doc.input,
    )


def _extract(tree: HtmlElement | None, url: str | None) -> tuple[HtmlElement | None, Any]:
    """Runs trafilatura on a parsed page; the result is None when it found no text."""
    if tree is None:
        return None, None
    result = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        date_extraction_params=_date_params(),
        **EXTRACT_OPTIONS,
    )
    if result is None or not _paragraphs(result.text):
        return tree, None
    return tree, result


# Decoding


def _markup(doc: RawDocument) -> bytes | str:
    """Returns the page as trafilatura should see it: capped bytes when they are UTF-8 (which
    trafilatura decodes itself), else text decoded with the first charset that fits.

    Order: a UTF-16/32 label (such bytes can pass for UTF-8), valid UTF-8 (it beats a legacy
    label: servers and templates often say latin-1 for UTF-8 pages, while legacy text is almost
    never valid UTF-8), the page's own <meta> charset, the HTTP charset, then detection.
    """
    data = _capped(doc.content)
    head = data[:_CHARSET_SCAN_BYTES]
    if head.startswith(_BOMS):
        return data
    declared = [_codec(label) for label in (_meta_charset(head), doc.charset)]
    labels = [name for name in dict.fromkeys(declared) if name]
    for name in labels:
        if name.startswith(("utf_16", "utf_32")):
            text = _decode(data, name)
            if text is not None and "<" in text[:1024]:  # 8-bit bytes read as UTF-16 hold no "<"
                return text
    if _decode(data, "utf_8") is not None:
        return data
    for name in labels:
        text = _decode(data, name)
        if text is not None:
            return text
    logger.debug("%s: bytes fit none of %s, detecting the charset", doc.input, labels or "no label")
    return _decode(data, _detected_charset(data)) or data  # else trafilatura's own fallback


def _deep_tree(markup: bytes | str) -> HtmlElement | None:
    """Parses the page again with libxml2's huge-tree option, for pages nested too deep."""
    text = markup if isinstance(markup, str) else trafilatura_utils.decode_file(markup)
    return lxml.html.fromstring(text.encode("utf-8", "surrogatepass"), parser=_DEEP_PARSER)


def _capped(data: bytes) -> bytes:
    """Cuts the page at MAX_HTML_BYTES, backing off so as not to split a UTF-8 character."""
    if len(data) <= MAX_HTML_BYTES:
        return data
    cut = MAX_HTML_BYTES
    for back in range(4):  # a UTF-8 sequence is at most 4 bytes long
        if data[cut - back] & 0xC0 != 0x80:  # not a continuation byte
            return data[: cut - back]
    return data[:cut]


def _codec(label: str | None) -> str | None:
    """Returns Python's name for a charset label ("windows-1252" -> "cp1252"), None if unknown."""
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().strip("\"'")).name.replace("-", "_")
    except LookupError:
        return None


def _meta_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return match[1].decode("ascii") if match else None


def _decode(data: bytes, codec: str | None) -> str | None:
    if not codec:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detected_charset(data: bytes) -> str | None:
    """Returns charset_normalizer's best guess; among guesses that tie with it, windows-1252
    wins, as the most common legacy charset on the web (the WHATWG default for most locales)."""
    sample = data if len(data) <= 10_000 else data[:5000] + data[-5000:]  # as trafilatura does
    results = list(from_bytes(sample))
    if not results:
        return None
    best = results[0]
    for result in results:
        tied = (result.chaos, result.coherence) == (best.chaos, best.coherence)
        if tied and _codec(result.encoding) == "cp1252":
            return "cp1252"
    return best.encoding


# Fields


def _paragraphs(text: str | None) -> str:
    """Returns trafilatura's one-paragraph-a-line text with paragraphs split by a blank line."""
    if not text:
        return ""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)


def _one_line(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _canonical_url(tree: HtmlElement, found: str | None, fetched: str | None) -> str | None:
    """Returns the page's canonical link (made absolute against the fetched URL), else the URL
    trafilatura found (og:url, JSON-LD), else the fetched URL."""
    for candidate in [*tree.xpath("//link[@rel='canonical']/@href"), found]:
        if isinstance(candidate, str) and candidate.strip():
            url = urljoin(fetched or "", candidate.strip())
            if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc:
                return url
    return fetched


def _date_params() -> dict[str, Any]:
    """Returns htmldate's settings: trafilatura's defaults, with time and zone kept, and a date
    in the URL used only when the page states no full date-time.

    Deferring the URL date, on the 88 DEV pages: the day agrees with URL-first on 84 pages; on
    the other 4 the URL holds the local day while the page's datePublished (which deferring
    returns) is the next day in UTC; 15 more pages get a time of day instead of midnight.
    """
    return {**set_date_params(), "outputformat": _DATE_FORMAT, "deferred_url_extractor": True}


def iso_datetime(value: object) -> str | None:
    """Returns a date or date-time string as ISO 8601 with an offset, or None if it is not one.

    A date alone, and a time without a zone, are taken as UTC: "2024-03-05" gives
    "2024-03-05T00:00:00+00:00".
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            moment = datetime.strptime(text, _DATE_FORMAT)
        except ValueError:
            try:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.isoformat()


def _language(tree: HtmlElement, text: str) -> str | None:
    """Returns the article's language as a short code: detected when trafilatura can, else as the
    page declares it, else guessed from the script for Korean and Japanese."""
    detected = _detected_language(text)
    if detected:
        return detected
    declared = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for xpath in _LANG_META_XPATHS:
        declared.extend(tree.xpath(xpath))
    for value in declared:
        code = language_code(value)
        if code:
            return code
    return _script_language(text)


def _detected_language(text: str) -> str | None:
    """Returns the language trafilatura detects (only when py3langid is installed), else None."""
    if not getattr(trafilatura_utils, "LANGID_FLAG", False):
        return None
    try:
        return language_code(trafilatura_utils.language_classifier(text, ""))
    except Exception:  # a detector failure only costs the language field
        logger.debug("language detection failed", exc_info=True)
        return None


def language_code(value: object) -> str | None:
    """Returns the primary subtag of a language tag or locale, lower-cased ("en_US" -> "en")."""
    if not isinstance(value, str):
        return None
    match = _LANG_TAG.match(value.strip().split(",")[0].strip())
    return match[1].lower() if match else None


# Script shares, set by reasoning rather than tuned (no DEV data for them): Korean prose is
# mostly Hangul, Hanja and Latin words being a minority; Japanese news mixes kanji and kana, kana
# being about half of the letters; Chinese uses no kana. Used only when the page declares nothing.
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_LETTER = re.compile(r"[^\W\d_]")


def _script_language(text: str) -> str | None:
    """Guesses Korean (Hangul a third of the letters or more) or Japanese (kana a fifth or more)."""
    sample = text[:5000]
    letters = len(_LETTER.findall(sample))
    if not letters:
        return None
    if len(_HANGUL.findall(sample)) * 3 >= letters:
        return "ko"
    if len(_KANA.findall(sample)) * 5 >= letters:
        return "ja"
    return None
