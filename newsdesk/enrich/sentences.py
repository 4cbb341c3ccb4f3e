"""Splits article text into the numbered sentences that summaries cite.

The sentence list of an article is defined once, here, and every citation points into it:
``split_sentences(article.text)`` returns the sentences of the body text (the title is not
part of it) in reading order, numbered from 0. A paragraph break (a blank line, or a newline in
text without blank lines, as ``extract.text.paragraphs`` reads it) always ends a sentence;
inside a paragraph a sentence ends at ``.``, ``!`` or ``?`` (with any closing quotes or
brackets) followed by a space and a capital letter, digit, Hangul or CJK letter or opening
quote, or at a CJK full stop (``。！？``), unless the word before is a known abbreviation
("Mr.", "Gen.", "U.S.", "Jan.") or a single initial ("J.").
Each sentence carries its character offsets in the text it was split from, so a page can
highlight ``text[start:end]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Sentence", "split_sentences", "sentence_texts"]


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text and its [start, end) offsets in the split text."""

    index: int
    start: int
    end: int
    text: str
    paragraph: int  # index of the paragraph it belongs to, from 0


# Titles and abbreviations that end in a full stop without ending a sentence (lower-cased,
# without the stop). Wire copy uses the AP abbreviations of months, ranks and states.
_ABBREVIATIONS = frozenset("""
mr mrs ms dr prof sr jr st mt ft gen lt col maj capt cmdr adm sgt cpl pvt gov sen rep reps
pres supt insp rev hon amb messrs mme mlle sec dept assn corp inc ltd co bros est vs etc al
no nos vol pp fig approx ca cf e.g i.e jan feb mar apr jun jul aug sep sept oct nov dec
ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont neb
nev okla ore pa tenn tex va vt wash wis wyo u.s u.k u.n e.u u.s.a d.c a.m p.m ph.d
""".split())

# A paragraph: a run of text between blank lines (or between newlines when the text holds no
# blank line at all, the way ``extract.text.paragraphs`` reads plain-text saves).
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
# A candidate end: terminal punctuation, any closing quotes/brackets, then whitespace, then
# something that can start a sentence (capital, digit, opening quote or bracket).
# Hangul and CJK letters may start a sentence too; CJK full stops need no space after them.
_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?"
                  r"[A-Z0-9\u00c0-\u024f\uac00-\ud7a3\u3040-\u30ff\u4e00-\u9fff])"
                  r"|[\u3002\uff01\uff1f]+[\u300d\u300f\u201d\uff09)]*")
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")
_SPACE = re.compile(r"\s+")


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    splitter = _BLANK_LINE if _BLANK_LINE.search(text) else re.compile(r"\n")
    spans, pos = [], 0
    for m in splitter.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    return spans


def _is_abbreviation(chunk: str) -> bool:
    """Says whether the full stop ending ``chunk`` belongs to an abbreviation or initial."""
    m = _WORD_BEFORE.search(chunk)
    if not m:
        return False
    word = m.group(1).lower()
    if word in _ABBREVIATIONS:
        return True
    # A single letter ("J. Smith") or dotted initials ("U.N.", "J.P.") are not sentence ends.
    return len(word) == 1 and word.isalpha() or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))


def split_sentences(text: str) -> list[Sentence]:
    """Returns the sentences of ``text`` with their offsets, numbered from 0 in reading order."""
    out: list[Sentence] = []
    for para_no, (p_start, p_end) in enumerate(
            s for s in _paragraph_spans(text or "") if text[s[0]:s[1]].strip()):
        para = text[p_start:p_end]
        begin = 0
        for m in _END.finditer(para):
            if m.group().startswith(".") and m.group().rstrip("\"'\u201d\u2019)]") == "." \
                    and _is_abbreviation(para[begin:m.start() + 1]):
                continue
            _add(out, text, p_start + begin, p_start + m.end(), para_no)
            begin = m.end()
        _add(out, text, p_start + begin, p_end, para_no)
    return out


def _add(out: list[Sentence], text: str, start: int, end: int, para_no: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(len(out), start, end, _SPACE.sub(" ", text[start:end]), para_no))


def sentence_texts(text: str) -> list[str]:
    """Returns only the texts of ``split_sentences(text)``."""
    return [s.text for s in split_sentences(text)]
