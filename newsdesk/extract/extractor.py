"""Turns one raw document into clean articles: picks the extractor, then normalises every field.

The order of steps lives here and only here (trafilatura's ``core.extract`` habit):
sniff the kind -> HTML (trafilatura) | page capture (splitter) | plain text -> normalise title
and text -> wire credit -> dates to ISO 8601 -> id.
"""

from __future__ import annotations

import codecs
import re
from datetime import datetime, timezone

import charset_normalizer

from ..errors import ExtractError
from ..models import Article, RawDocument
from . import capture, credits, dates, html, text

__all__ = ["extract_document", "finish_article", "decode_text", "sniff_kind"]

_HTML_SNIFF = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<article[\s>]|<p[\s>]",
                         re.IGNORECASE)
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")
# Plain text is decoded whole; a 5 MB article is already far beyond any real one.
MAX_TEXT_BYTES = 5_000_000


def sniff_kind(doc: RawDocument) -> str:
    """Returns "html", "capture" or "text" for a document that is not a feed."""
    head = doc.content[:4096]
    if doc.content_type in _HTML_TYPES or doc.input.lower().endswith(_HTML_SUFFIXES):
        return "html"
    if doc.content_type in (None, "text/plain", "application/octet-stream") and _HTML_SNIFF.search(head):
        return "html"
    if capture.is_capture(decode_text(doc)):
        return "capture"
    return "text"


def decode_text(doc: RawDocument) -> str:
    """Decodes a text document: BOM, then the declared charset, then UTF-8, then detection."""
    raw = doc.content[:MAX_TEXT_BYTES]
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(encoding, errors="replace")
    candidates = [doc.charset] if doc.charset else []
    for encoding in [*candidates, "utf-8"]:
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    best = charset_normalizer.from_bytes(raw).best()
    return str(best) if best is not None else raw.decode("utf-8", errors="replace")


def _plain_text(doc: RawDocument) -> list[Article]:
    body = text.normalize_text(decode_text(doc))
    paras = text.paragraphs(body)
    if not paras:
        raise ExtractError(f"extract: {doc.input}: no article text found")
    lines = paras[0].split("\n")
    title, first = lines[0], "\n".join(lines[1:]).strip()
    rest = ([first] if first else []) + paras[1:]
    if not rest:
        raise ExtractError(f"extract: {doc.input}: only a title, no article text")
    return [Article(title=title, text="\n\n".join(rest), url=doc.url)]


# Wire end marks ("(END)" closes every Yonhap story; "-30-" and "###" in US copy) carry no text.
_END_MARK = re.compile(r"^(?:\(\s*END\s*\)|ENDS?|-30-|###)$")


def _clean_body(title: str, body: str) -> str:
    """Drops a repeat of the headline at the top of the body and a wire end mark at its end."""
    paras = text.paragraphs(body)
    if paras and text.normalize_title(paras[0]).casefold() == title.casefold():
        paras = paras[1:]
    if paras and _END_MARK.match(paras[-1].strip()):
        paras = paras[:-1]
    return "\n\n".join(paras)


def _lead(body: str, limit: int = 120) -> str:
    """Returns the first sentence of a body, cut at a word under ``limit`` characters: the
    title of an article whose page has none."""
    first = text.paragraphs(body)[0] if body else ""
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0] + "..."


def finish_article(article: Article, doc: RawDocument) -> Article:
    """Normalises the fields every source of articles shares (extractors, feed entries, JSONL
    lines), so each source only has to find them."""
    article.title = text.normalize_title(article.title or "")
    article.text = _clean_body(article.title, text.normalize_text(article.text or ""))
    article.byline = " ".join(article.byline.split()) if article.byline else None
    article.outlet = " ".join(article.outlet.split()) if article.outlet else None
    if not article.credit:
        # The printed credit first; else a byline or outlet that is itself a wire service
        # ("By Associated Press", a Yonhap page).
        article.credit = credits.find_credit(article.text) or next(
            (credits.canonical_agency(name) for name in (article.byline, article.outlet)
             if name and credits.is_agency(name)), None)
    if article.published_at:
        parsed = dates.parse_datetime(article.published_at)
        article.published_at = dates.to_iso(parsed) if parsed else None
    for key in ("url", "outlet", "byline", "published_at", "language"):
        if not getattr(article, key) and doc.hints.get(key):
            setattr(article, key, doc.hints[key])
    if not article.title:
        article.title = text.normalize_title(doc.hints.get("title") or "") or _lead(article.text)
    article.input = article.input or doc.input
    article.ensure_id()
    return article


def extract_document(doc: RawDocument) -> list[Article]:
    """Returns the articles in ``doc`` (one for a page, several for a capture); raises
    ExtractError with a one-line reason when it holds none."""
    if not doc.content.strip():
        raise ExtractError(f"extract: {doc.input}: empty document")
    kind = sniff_kind(doc)
    if kind == "html":
        found = [html.extract_html(doc)]
    elif kind == "capture":
        captured_at = doc.captured_at or doc.fetched_at or datetime.now(timezone.utc)
        found = capture.split_capture(decode_text(doc), captured_at, input=doc.input)
    else:
        found = _plain_text(doc)
    articles = [finish_article(a, doc) for a in found]
    articles = [a for a in articles if a.title and a.text]
    if not articles:
        raise ExtractError(f"extract: {doc.input}: no article with both a title and text")
    return articles
