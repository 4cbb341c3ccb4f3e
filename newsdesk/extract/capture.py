"""Splits a plain-text capture of an aggregator article page into its articles.

A capture (DESIGN.md, "Text captures of such pages") holds, one item a line:

    headline, maybe a byline or date line, body paragraphs      -> the main article
    Hashtags, #Tag lines, Try Our AI Features, Explore what X can do for you:, feature bullets,
    Comments, No comments yet... or comment lines, Related Articles        -> page chrome
    outlet line, age line ("7 hours ago"), "- Outlet", headline, body     -> one related block each

Every non-empty line is one unit, so captures with blank lines between items, with single
newlines, or with blank lines between every line all read the same. Chrome is dropped; a related
block is found by its header (an outlet line followed by an age line or by "- Outlet", or an age
line alone), not by its position, so a block missing a line still splits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..errors import ExtractError
from ..models import Article
from .credits import find_credit
from .dates import RelativeTime, parse_age, to_iso
from .text import clean_chars, normalize_text, normalize_title

__all__ = ["is_capture", "split_capture"]

# Chrome lines, matched on the line lower-cased, with spaces collapsed and end punctuation cut.
_MARKERS = {
    "hashtags": re.compile(r"^#?hashtags?$"),
    "ai": re.compile(r"^try our ai features?$"),
    "explore": re.compile(r"^explore what .{1,60} can do for you$"),
    "comments": re.compile(r"^(?:\d+ )?comments?(?: ?\(?\d+\)?)?$"),
    "no_comments": re.compile(r"^no comments yet\b"),
    "related": re.compile(r"^related (?:articles?|news|stories)(?: ?\(?\d+\)?)?$"),
}
# Lines that end a page's list of articles; chrome too, though no evidence of a capture.
_FOOTER = re.compile(r"^(?:(?:load|see|show|view) (?:more|all)\b|back to top$|more from\b)")
_HASHTAG_LINE = re.compile(r"^(?:#[^\s#]+\s*)+$")
# Three of the six markers tell a capture from an article that happens to have a "Comments"
# line; two do when one is "Related Articles" and a related block follows it.
_MIN_MARKERS = 3

_DASH_OUTLET = re.compile(r"^[-\u2013\u2014\u2022]\s*(\S.*)$")
_META_SEPARATOR = re.compile(r"\s+[|\u00b7\u2022\u2013\u2014-]\s+")
_BYLINE = re.compile(
    r"^by\s+(?P<names>[^,|()]+?)(?:\s*\([^()]*\))?(?:\s*[,|]\s*(?P<outlet>.+))?$", re.I
)
_NAME_WORD = re.compile(r"^(?:[A-Z][\w.'\u2019-]*|and|&|de|van|von|der|al)$")
_ROLE_WORDS = re.compile(r"\b(?:reporter|correspondent|writer|editor|staff|contributor)s?\b", re.I)


def _key(line: str) -> str:
    return " ".join(line.lower().split()).rstrip(" .:\u2026!")


def _marker(line: str) -> str | None:
    key = _key(line)
    for name, pattern in _MARKERS.items():
        if pattern.search(key):
            return name
    return None


def _is_chrome(line: str) -> bool:
    return _marker(line) is not None or bool(_FOOTER.search(_key(line)))


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in clean_chars(text or "").split("\n") if line.strip()]


def _is_outletish(line: str) -> bool:
    """Tells whether a line can be an outlet name: short, no sentence, no credit, no chrome."""
    if not 1 < len(line) <= 60 or len(line.split()) > 6:
        return False
    if line[0] in "(#-\u2013\u2014\u2022" or line[-1] in ".!?:;,)\"'\u201d":
        return False
    return any(c.isalpha() for c in line) and not _is_chrome(line)


def _dash_outlet(line: str) -> str | None:
    match = _DASH_OUTLET.match(line)
    return match[1] if match and _is_outletish(match[1]) else None


def _same_outlet(a: str, b: str) -> bool:
    norm = lambda s: re.sub(r"^the\s+", "", s.lower())  # noqa: E731
    return norm(a) == norm(b)


@dataclass
class _Block:
    outlet: str | None = None
    published: datetime | None = None
    dashed: bool = False  # the header had its "- Outlet" line
    title: str | None = None
    body: list[str] = field(default_factory=list)


# Any fixed time serves to tell whether a line is an age at all.
_ANY_TIME = datetime(2000, 1, 1, tzinfo=timezone.utc)


def _is_age(line: str) -> bool:
    return parse_age(line, _ANY_TIME) is not None


def _header_at(lines: list[str], i: int, captured_at: datetime) -> tuple[_Block, int] | None:
    """Reads a related block's header at lines[i]; returns the block and the index after it.

    Headers: outlet + age, "Outlet · age" on one line, outlet + "- Outlet", or an age alone;
    each but the third may be followed by its "- Outlet" line.
    """
    line = lines[i]
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    outletish = _is_outletish(line) and not _is_age(line)
    block = _Block()
    combined = _outlet_and_age(line, captured_at)
    if outletish and parse_age(nxt, captured_at) is not None:
        block.outlet, block.published, i = line, parse_age(nxt, captured_at), i + 2
    elif combined is not None:
        (block.outlet, block.published), i = combined, i + 1
    elif outletish and _same_outlet(_dash_outlet(nxt) or "", line):
        block.outlet, block.dashed = line, True
        return block, i + 2
    elif _is_age(line):
        block.published, i = parse_age(line, captured_at), i + 1
    else:
        return None
    dashed = _dash_outlet(lines[i]) if i < len(lines) else None
    if dashed is not None:
        block.outlet, block.dashed = block.outlet or dashed, True
        i += 1
    return block, i


def _outlet_and_age(line: str, captured_at: datetime) -> tuple[str, datetime] | None:
    """Reads "Outlet · 7 hours ago" or "Outlet | Nov. 28, 2026" on one line."""
    parts = _META_SEPARATOR.split(line, maxsplit=1)
    if len(parts) == 2 and _is_outletish(parts[0]):
        when = parse_age(parts[1], captured_at)
        if when is not None:
            return parts[0], when
    return None


def _split_blocks(lines: list[str], captured_at: datetime, skipping: bool) -> list[_Block]:
    """Splits the lines after the chrome into related blocks.

    While ``skipping`` (before "Related Articles", or after another chrome line) lines outside
    a block are dropped, and a header only opens a block when a headline and a body follow,
    since comments ("user", "2 hours ago", "text") look like a header and a headline.
    """
    blocks: list[_Block] = []
    current: _Block | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        marker = _marker(line)
        if marker or _FOOTER.search(_key(line)):
            current, skipping = None, marker != "related"
            i += 1
            continue
        found = _header_at(lines, i, captured_at)
        if found is not None:
            block, after = found
            body_at = after + 1
            has_title = after < len(lines) and not _is_chrome(lines[after])
            has_body = body_at < len(lines) and _header_at(lines, body_at, captured_at) is None
            has_body = has_body and not _is_chrome(lines[body_at])
            if has_title and (has_body or not skipping):
                block.title = lines[after]
                blocks.append(block)
                current = block
                i = body_at
                continue
            if not has_title:
                i = after  # a header cut off at the end of the page: no block, no body text
                continue
        if current is not None and not _HASHTAG_LINE.match(line):
            current.body.append(line)
        i += 1
    return blocks


def _byline(line: str) -> tuple[str, str | None] | None:
    """Reads "By Kim Min-ji, Seoul Daily Ledger" as (byline, outlet or None)."""
    match = _BYLINE.match(line)
    if not match or len(line) > 120 or line[-1] in ".!?":
        return None
    names = match["names"].strip()
    if not all(_NAME_WORD.match(word) for word in names.split()):
        return None
    outlet = (match["outlet"] or "").strip() or None
    if outlet is not None and (_ROLE_WORDS.search(outlet) or not _is_outletish(outlet)):
        outlet = None
    return names, outlet


def _meta(line: str, captured_at: datetime) -> dict | None:
    """Reads a byline or date line near the top of the main article; None for anything else."""
    when = parse_age(line, captured_at)
    if when is not None:
        return {"published": when}
    meta: dict = {}
    for part in _META_SEPARATOR.split(line):
        when = parse_age(part, captured_at)
        byline = _byline(part)
        if when is not None:
            meta.setdefault("published", when)
        elif byline is not None:
            meta.setdefault("byline", byline[0])
            if byline[1]:
                meta.setdefault("outlet", byline[1])
        elif _is_outletish(part) and "outlet" not in meta:
            meta["outlet"] = part
        else:
            return None
    return meta if meta.keys() - {"outlet"} else None


# Byline and date lines are looked for this many lines around the headline: captures put
# them right above or below it, and deeper in a body such a line is part of the story.
_META_WINDOW = 4


def _main_article(lines: list[str], captured_at: datetime, input: str | None) -> Article:
    meta: dict = {}
    start = 0
    while start < min(len(lines), _META_WINDOW):
        found = _meta(lines[start], captured_at)
        header = _header_at(lines, start, captured_at) if found is None else None
        if found is not None:
            meta = {**found, **meta}
            start += 1
        elif header is not None and header[0].dashed and header[1] < len(lines):
            # Only a full "Outlet / age / - Outlet" header: "Headline / 7 hours ago" is not one.
            block, start = header
            meta = {"outlet": block.outlet, "published": block.published, **meta}
        else:
            break
    if start >= len(lines):
        raise ExtractError(f"capture: {input or 'text'} holds no headline")
    title = lines[start]
    body = []
    for offset, line in enumerate(lines[start + 1:]):
        found = _meta(line, captured_at) if offset < _META_WINDOW else None
        if found is not None:
            meta = {**found, **meta}
        elif not _HASHTAG_LINE.match(line):
            body.append(line)
    return _article(title, body, meta.get("outlet"), meta.get("published"), input,
                    byline=meta.get("byline"))


def _article(title: str, body: list[str], outlet: str | None, published: datetime | None,
             input: str | None, byline: str | None = None) -> Article:
    text = normalize_text("\n".join(body))
    credit = find_credit(text)
    if outlet is None and credit is not None:
        outlet = credit  # a wire story with no outlet line is the agency's own
    return Article(
        title=normalize_title(title),
        text=text,
        outlet=outlet,
        credit=credit,
        byline=byline,
        published_at=to_iso(published) if published is not None else None,
        published_approximate=isinstance(published, RelativeTime),
        input=input,
    )


def is_capture(text: str) -> bool:
    """Tells whether text is a capture of an aggregator page, by its chrome lines."""
    lines = _lines(text)
    found = {}
    for i, line in enumerate(lines):
        name = _marker(line)
        if name is not None:
            found.setdefault(name, i)
        elif _HASHTAG_LINE.match(line):
            found.setdefault("hashtags", i)
    if len(found) >= _MIN_MARKERS:
        return True
    if len(found) == 2 and "related" in found:
        rest = lines[found["related"] + 1:]
        return bool(_split_blocks(rest, datetime.now().astimezone(), skipping=False))
    return False


def split_capture(text: str, captured_at: datetime, input: str | None = None) -> list[Article]:
    """Splits a page capture into its main article, then one article per related block.

    Ages ("7 hours ago") are read against captured_at. Raises ExtractError when the capture
    holds no headline.
    """
    lines = _lines(text)
    chrome = next((i for i, line in enumerate(lines) if _marker(line)), len(lines))
    main = _main_article(lines[:chrome], captured_at, input)
    rest = lines[chrome:]
    articles = [main]
    for block in _split_blocks(rest, captured_at, skipping=True):
        articles.append(_article(block.title or "", block.body, block.outlet, block.published,
                                 input))
    return articles
