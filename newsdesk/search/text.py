"""Splits article text into sentences and cuts snippets around the words of a query."""

from __future__ import annotations

import re

__all__ = ["sentences", "snippet", "content_words", "SNIPPET_WORDS"]

_WORD = re.compile(r"\w+")
# A sentence ends at . ! ? (or their CJK forms) followed by space and an upper-case letter,
# digit, quote or opening bracket, or at a paragraph break. Lower-case after a period ("U.S.
# officials", "No. 2") does not end one, which keeps most abbreviations whole.
_BOUNDARY = re.compile(r"(?<=[.!?。！？])[\"'”’)]?\s+(?=[\"'“‘(\[]?[A-Z0-9\u0080-\uffff])")
_ABBREV = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|St|Jr|Sr|Inc|Corp|Co|No|"
                     r"Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|U\.S|U\.K|[A-Z])\.$")
# Snippets are about two lines of a results page.
SNIPPET_WORDS = 32
_SCAN = 1500
_PUNCT = "\"'“”‘’()[]{}.,;:!?…-–—*#@/\\"


def sentences(text: str) -> list[str]:
    """Returns the sentences of a text, paragraph by paragraph, whitespace squeezed."""
    found: list[str] = []
    for para in re.split(r"\n\s*\n|\n", text or ""):
        para = " ".join(para.split())
        if not para:
            continue
        pending = ""
        for piece in _BOUNDARY.split(para):
            pending = f"{pending} {piece}" if pending else piece
            if _ABBREV.search(pending):
                continue  # "Mr. Kim" or "U.S. Army": the period was not an ending
            found.append(pending)
            pending = ""
        if pending:
            found.append(pending)
    return found


def _stem(word: str) -> str:
    """Returns a crude stem: lower case, a plural or possessive "s" dropped."""
    word = word.lower()
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _norm(token: str) -> str:
    word = token.strip(_PUNCT)
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    return _stem(word)


def content_words(text: str, stopwords: frozenset[str]) -> set[str]:
    """Returns the stems of the words of a text that are not stopwords."""
    return {_stem(w) for w in _WORD.findall(text or "") if w.lower() not in stopwords}


def snippet(text: str, words: list[str], size: int = SNIPPET_WORDS) -> str:
    """Returns the window of ``size`` words of ``text`` holding the most distinct query words,
    with an ellipsis where it was cut; the lead when no query word occurs."""
    tokens = (text or "").split()
    if len(tokens) <= size:
        return " ".join(tokens)
    wanted = {_stem(w) for w in words}
    # Only the first _SCAN words are looked through: a long article's best window is nearly
    # always in its first pages, and this keeps a results page cheap.
    stems = [{_norm(t)} & wanted for t in tokens[:_SCAN]]
    best, best_start = 0, 0
    if wanted:
        for start in (i for i, found in enumerate(stems) if found):
            covered = set().union(*stems[start:start + size])
            if len(covered) > best:
                best, best_start = len(covered), start
                if best == len(wanted):
                    break
    # Start a little before the first hit so that it has some context.
    best_start = min(max(0, best_start - 4), len(tokens) - size)
    window = " ".join(tokens[best_start:best_start + size])
    return ("… " if best_start else "") + window + (" …" if best_start + size < len(tokens) else "")
