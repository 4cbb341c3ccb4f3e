"""Cleans titles and body text: quotes, invisible characters, whitespace and paragraphs."""

from __future__ import annotations

import re

__all__ = ["normalize_title", "normalize_text", "paragraphs", "clean_chars"]

# Characters that take no space on screen but break matching, dedupe and tokenising:
# zero-width space/joiners, word joiner, BOM, soft hyphen.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# Spaces that look like a space but are not one: NBSP, narrow NBSP, figure space, thin spaces.
_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u3000"), " ")
_CHAR_TABLE = {**_INVISIBLE, **_SPACES}

# Titles are matched and deduplicated across outlets that differ only in typography, so their
# quotes are folded to ASCII; guillemets are kept because they are quotes of another kind.
_TITLE_QUOTES = str.maketrans(
    {
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    }
)

_HSPACE = re.compile(r"[^\S\n]+")  # whitespace other than newlines
_ANY_SPACE = re.compile(r"\s+")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
# Control characters other than tab and newline never belong in text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_chars(s: str) -> str:
    """Returns s with Unix line ends, no invisible characters and odd spaces made plain."""
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = _CONTROL.sub("", s.translate(_CHAR_TABLE))
    return s


def normalize_title(s: str) -> str:
    """Returns a title on one line with straight quotes, plain spaces, no invisible characters."""
    s = clean_chars(s or "").translate(_TITLE_QUOTES)
    return _ANY_SPACE.sub(" ", s).strip()


def paragraphs(s: str) -> list[str]:
    """Splits text into clean paragraphs.

    When the text holds a blank line anywhere, blank lines separate paragraphs and single
    newlines inside a block are line wraps (joined with a space). When it holds none, as in
    a plain-text save with one paragraph per line, every non-empty line is a paragraph.
    """
    s = clean_chars(s or "")
    if _BLANK_LINE.search(s):
        blocks = _BLANK_LINE.split(s)
    else:
        blocks = s.split("\n")
    out = []
    for block in blocks:
        para = _ANY_SPACE.sub(" ", block).strip()
        if para:
            out.append(para)
    return out


def normalize_text(s: str) -> str:
    """Returns body text as clean paragraphs separated by exactly one blank line.

    Curly quotes are kept in body text: they are part of what was published.
    """
    return "\n\n".join(paragraphs(s))
