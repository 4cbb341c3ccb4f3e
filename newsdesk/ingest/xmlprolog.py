"""Reads and defuses the prolog of an XML document: decodes enough to see its markup, finds
the root element past a BOM, the declaration, comments, PIs and a DOCTYPE, and drops entity
declarations that could expand without bound or read files, before a parser sees them."""

from __future__ import annotations

import codecs
import re

__all__ = ["SNIFF_BYTES", "defuse", "markup_text", "xml_root_name"]

# The root element of every feed in feedparser's test suite sits within the first 64 KiB.
SNIFF_BYTES = 65_536

_NAME = re.compile(r"<([A-Za-z_][\w.\-]*(?::[\w.\-]+)?)")
_ENTITY_DECL = re.compile(r"<!ENTITY\s+([A-Za-z_][\w.\-]*)\s+([\"'])(.*?)\2\s*>", re.S)
# A declared entity is kept only when it cannot grow: one character reference (how feeds
# declare &nbsp; and friends), or a literal of up to 8 characters, so a reference ("&a;", 3
# bytes) expands at most ~3x. Anything else (nested, SYSTEM, parameter entities) goes.
_SAFE_VALUE = re.compile(r"&#[0-9]{1,7};|&#[xX][0-9a-fA-F]{1,6};|[^&<>%\"']{0,8}")
_LEFTOVER_DECL = re.compile(r"<!(?=(?:DOCTYPE|ENTITY)\b)", re.I)
# Real DOCTYPEs run to a few hundred characters; one over 1 MiB is hostile and is cut there
# (what follows is then malformed, and its declarations are neutralised as text).
_MAX_DOCTYPE_CHARS = 1 << 20


def xml_root_name(content: bytes) -> str | None:
    """Returns the qualified name of the document's root element ("rss", "rdf:RDF"), looking
    past a BOM, the XML declaration, comments, PIs and a DOCTYPE; None when it is not XML."""
    text = markup_text(content[:SNIFF_BYTES])
    pos = _prolog_end(text)
    if pos is None:
        return None
    match = _NAME.match(text, pos)
    return match.group(1) if match else None


def markup_text(head: bytes) -> str:
    """Decodes XML bytes well enough to read their markup (not their text), following the
    encoding detection of XML 1.0 appendix F; never raises."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return _decode(head[len(bom) :], codec)
    if head[:3] == b"\0\0\0":
        return _decode(head, "utf-32-be")
    if head[1:4] == b"\0\0\0":
        return _decode(head, "utf-32-le")
    if head[:1] == b"\0":
        return _decode(head, "utf-16-be")
    if head[1:2] == b"\0":
        return _decode(head, "utf-16-le")
    # Every ASCII-compatible encoding spells markup the same way, and latin-1 never fails.
    return head.decode("latin-1")


def _decode(data: bytes, codec: str) -> str:
    width = 4 if "32" in codec else 2
    return data[: len(data) - len(data) % width].decode(codec, "replace")


def _prolog_end(text: str) -> int | None:
    """Returns where the root element starts, past the prolog; None when no markup starts there."""
    pos, _ = _walk_prolog(text)
    return pos if text.startswith("<", pos) else None


def _walk_prolog(text: str) -> tuple[int, tuple[int, int] | None]:
    """Returns (where the prolog ends, the span of its DOCTYPE or None)."""
    pos, doctype = 0, None
    while True:
        while pos < len(text) and (text[pos].isspace() or text[pos] == "\ufeff"):
            pos += 1
        if text.startswith("<?", pos):
            end = text.find("?>", pos + 2)
            if end < 0:
                return len(text), doctype
            pos = end + 2
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            if end < 0:
                return len(text), doctype
            pos = end + 3
        elif text[pos : pos + 9].upper() == "<!DOCTYPE" and doctype is None:
            end = _doctype_end(text, pos)
            doctype = (pos, end)
            pos = end
        else:
            return pos, doctype


def _doctype_end(text: str, pos: int) -> int:
    """Returns the end of the DOCTYPE at pos, its internal subset included; where it is cut
    off when it never closes."""
    quote, in_subset, i = "", False, pos + 2
    while i < len(text):
        char = text[i]
        if quote:
            if char == quote:
                quote = ""
        elif in_subset and text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            if end < 0:
                return len(text)
            i = end + 2
        elif char in "\"'":
            quote = char
        elif char == "[":
            in_subset = True
        elif char == "]":
            in_subset = False
        elif char == ">" and not in_subset:
            return i + 1
        i += 1
        if i - pos > _MAX_DOCTYPE_CHARS:
            break
    return min(len(text), i)


def defuse(text: str) -> str:
    """Removes the DOCTYPE and every entity declaration except short, flat ones, so neither
    parser can expand entities without bound (billion laughs) or read files (XXE)."""
    _, doctype = _walk_prolog(text)
    if not doctype:
        return _LEFTOVER_DECL.sub("&lt;!", text)
    start, stop = doctype
    safe = [
        (name, value)
        for name, _, value in _ENTITY_DECL.findall(text, start, stop)
        if _SAFE_VALUE.fullmatch(value)
    ][:256]
    declarations = ""
    if safe:
        # One declaration a line: feedparser's own DOCTYPE filter reads them that way.
        lines = "".join(f'\n<!ENTITY {name} "{value}">' for name, value in safe)
        declarations = f"\n<!DOCTYPE feed [{lines}\n]>\n"
    # A declaration left anywhere else (a second DOCTYPE, one inside the body) becomes text.
    head = _LEFTOVER_DECL.sub("&lt;!", text[:start])
    return head + declarations + _LEFTOVER_DECL.sub("&lt;!", text[stop:])
