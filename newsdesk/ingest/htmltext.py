"""Turns the HTML fragments that feeds carry into plain text, paragraphs split by a blank line."""

from __future__ import annotations

import html
import re

import lxml.etree
import lxml.html

__all__ = ["html_to_text", "MAX_HTML_CHARS"]

# A feed entry's HTML above 2 million characters is a dump, not an article (the longest
# article page of the extraction benchmark holds ~200,000 characters of HTML): cut it there so
# one entry cannot stall the parser.
MAX_HTML_CHARS = 2_000_000

# Elements whose text is never prose a reader wants.
_DROP = frozenset(
    "script style noscript template head title iframe object embed svg math form select "
    "option button textarea canvas audio video map".split()
)
# Elements that begin and end a paragraph.
_BLOCK = frozenset(
    "p div section article header footer aside nav main blockquote pre ul ol dl li dt dd "
    "table thead tbody tfoot tr caption figure figcaption h1 h2 h3 h4 h5 h6 hr address "
    "details summary center fieldset legend".split()
)
_CELL = frozenset(("td", "th"))

# XML 1.0 forbids these characters; lxml refuses a str that holds one.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# Invisible characters that only break words apart for search.
_INVISIBLE = str.maketrans({"\u00ad": None, "\u200b": None, "\ufeff": None, "\u00a0": " "})
_MARKUP = re.compile(r"<[A-Za-z!/?]")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Tags that, once entities are decoded, show the text was HTML escaped twice.
_ESCAPED_TAG = re.compile(
    r"</?(?:p|br|div|a|b|i|em|strong|span|img|ul|ol|li|h[1-6]|blockquote)\b[^<>]*>", re.I
)
_TAG = re.compile(r"<[^>]*>")
_DROP_BLOCK = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BREAKS = re.compile(r"\n\s*\n+")


def html_to_text(fragment: str) -> str:
    """Returns the readable text of an HTML fragment (or of plain text), paragraphs split by
    one blank line; never raises on bad input."""
    if not isinstance(fragment, str) or not fragment:
        return ""
    text = _BAD_CHARS.sub("", fragment[:MAX_HTML_CHARS])
    text = _to_text(text)
    # Feeds often escape their HTML twice ("&lt;p&gt;" or "&amp;eacute;"): a second pass
    # turns what is left into text instead of showing markup to the reader.
    if _ESCAPED_TAG.search(text):
        text = _to_text(text)
    elif "&" in text:
        text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    return _tidy(text)


def _to_text(text: str) -> str:
    if not _MARKUP.search(text):
        # Plain text: entities are all there is to decode; its line breaks are kept.
        return html.unescape(text) if "&" in text else text
    parser = _parser()
    try:
        root = lxml.html.fragment_fromstring(text, create_parent="div", parser=parser)
    except (lxml.etree.LxmlError, ValueError, AssertionError):
        # libxml2 gives up on some inputs, and lxml asserts when a stray <title> leaves it no
        # <body> (found by bench/fuzz.py); the tag-stripped text still beats nothing.
        return _strip_tags(text)
    parts: list[str] = []
    _walk(root, parts, in_pre=False)
    result = "".join(parts)
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        # libxml2 drops what lies below 256 levels of nesting; keep that text all the same.
        return _strip_tags(text)
    return result


def _strip_tags(text: str) -> str:
    text = _DROP_BLOCK.sub(" ", text)
    return html.unescape(_TAG.sub(" ", text))


def _parser() -> lxml.html.HTMLParser:
    return lxml.html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, recover=True, default_doctype=False
    )


def _walk(node, parts: list[str], in_pre: bool) -> None:
    """Appends the text under node to parts: blocks as "\n\n", <br> as "\n"."""
    # An explicit stack, not recursion: hostile HTML nests tens of thousands of levels deep.
    stack: list[tuple[object, bool, bool]] = [(node, in_pre, False)]
    while stack:
        item, pre, closing = stack.pop()
        if isinstance(item, str):
            parts.append(item if pre else _SPACES.sub(" ", item.replace("\n", " ")))
            continue
        tag = item.tag.lower() if isinstance(item.tag, str) else ""
        if closing:
            if tag in _BLOCK:
                parts.append("\n\n")
            elif tag in _CELL:
                parts.append(" ")
            continue
        if tag in _DROP or not isinstance(item.tag, str):
            if item.tail:
                stack.append((item.tail, pre, False))
            continue
        if tag == "br":
            parts.append("\n")
        elif tag in _BLOCK:
            parts.append("\n\n")
        child_pre = pre or tag == "pre"
        # Pushed in reverse: tail last, then the closing marker, children, and the text first.
        if item.tail:
            stack.append((item.tail, pre, False))
        stack.append((item, pre, True))
        for child in reversed(item):
            stack.append((child, child_pre, False))
        if item.text:
            stack.append((item.text, child_pre, False))


def _tidy(text: str) -> str:
    text = text.translate(_INVISIBLE).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    paragraphs = [p.strip() for p in _BREAKS.split(text)]
    return "\n\n".join(p for p in paragraphs if p)
