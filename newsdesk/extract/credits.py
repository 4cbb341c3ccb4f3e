"""Finds the wire-service credit of a story, as news prints it, and names the agency.

A credit is looked for in two places only, where wire copy puts it:

- at the very end of the text: "... he said. (Yonhap)", "(AP/Reuters)", "— AFP", "- AFP",
  "/AFP", "(With AFP)"; a trailing "(END)" or reporter e-mail line is skipped;
- in a dateline at the start: "SEOUL, Nov. 28 (Yonhap) --", "WASHINGTON (AP) —".

The credit must follow the end of a sentence or start a line, and its parentheses must hold
nothing but agency names, so "(file photo)", "(AP Photo/Ahn Young-joon)", an acronym such as
"(NATO)" in a sentence, or "the Associated Press (AP)." at the end of a sentence do not count.

When several agencies are credited, "(AP/Reuters)", the first one printed is returned (a dateline
credit before an end credit): it is the one the copy came from first, and one canonical name
keeps grouping by credit simple. ``find_credits`` returns all of them.
"""

from __future__ import annotations

import re

from .text import clean_chars

__all__ = ["KNOWN_AGENCIES", "canonical_agency", "find_credit", "find_credits", "is_agency"]

# Canonical short name -> the other ways outlets print it (case is ignored when matching).
_AGENCIES: dict[str, tuple[str, ...]] = {
    "Yonhap": ("Yonhap News Agency", "Yonhap News", "Yonhapnews"),
    "AP": ("Associated Press", "The Associated Press"),
    "Reuters": ("Thomson Reuters",),
    "AFP": ("Agence France-Presse", "Agence France Presse", "AFP News Agency"),
    "Kyodo": ("Kyodo News", "Kyodo News Agency"),
    "Jiji": ("Jiji Press",),
    "Xinhua": ("Xinhua News Agency", "Xinhuanet"),
    "Bloomberg": ("Bloomberg News",),
    "dpa": ("Deutsche Presse-Agentur",),
    "UPI": ("United Press International",),
    "EFE": ("Agencia EFE",),
    "ANSA": (),
    "PTI": ("Press Trust of India",),
    "IANS": ("Indo-Asian News Service",),
    "ANI": ("Asian News International",),
    "Bernama": (),
    "Antara": ("Antara News",),
    "CNA": ("Central News Agency", "Channel NewsAsia"),
    "TASS": ("ITAR-TASS",),
    "KCNA": ("Korean Central News Agency",),
    "NHK": ("NHK World",),
    "Newsis": (),
    "News1": (),
    "AAP": ("Australian Associated Press",),
    "Anadolu": ("Anadolu Agency",),
    "Interfax": (),
}

# Lower-case alias -> canonical name; the canonical names are aliases of themselves.
KNOWN_AGENCIES: dict[str, str] = {
    alias.lower(): name for name, aliases in _AGENCIES.items() for alias in (name, *aliases)
}

_SPACE = re.compile(r"\s+")
# Agencies joined in one credit: "AP/Reuters", "AFP-Yonhap", "Reuters, AFP", "AP and Reuters".
_JOINERS = re.compile(r"\s*(?:/|,|&|;|\band\b|\s-\s|-(?=[A-Z]))\s*")
_WITH = re.compile(r"^(?:with|from|via)\s+", re.I)

# What may precede an end credit: the start of the text, a line break, or a sentence end
# (period, ellipsis, question or exclamation mark, possibly inside closing quotes/brackets).
_SENTENCE_END = r"(?:^|\n|[.!?\u2026][\"'\u201d\u2019)\]]*)[^\S\n]*"
_END_PAREN = re.compile(_SENTENCE_END + r"\(([^()\n]{1,60})\)\.?$")
_END_DASH = re.compile(_SENTENCE_END + r"(?:--|[-\u2013\u2014])[^\S\n]*([^()\n/]{1,40}?)\.?$")
_END_SLASH = re.compile(_SENTENCE_END + r"/[^\S\n]*([^()\n/]{1,40}?)\.?$")
# Lines wire copy puts after the credit that say nothing about the story.
_TRAILER = re.compile(r"(?:\n|^|\s)(?:\((?:END|end)\)|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)\s*$")

# "SEOUL, Nov. 28 (Yonhap) --", "WASHINGTON (AP) —", "TOKYO, Nov 28 (Reuters) -". The place is
# capitalised and short; it holds no sentence end, so a credit cannot come from mid-paragraph.
_DATELINE = re.compile(
    r"^[^\S\n]*(?:[A-Z][\w'.\u2019-]*(?:[ ,]+[\w'.\u2019-]+){0,6}[^\S\n]*)?"
    r"\(([^()\n]{1,60})\)[^\S\n]*(?:--|[-\u2013\u2014:])"
)


def canonical_agency(name: str | None) -> str | None:
    """Returns the canonical short name of a wire agency ("Associated Press" -> "AP"), or None."""
    if not name:
        return None
    key = _SPACE.sub(" ", clean_chars(name)).strip().strip(".:").strip()
    return KNOWN_AGENCIES.get(key.lower())


def is_agency(name: str | None) -> bool:
    """Tells whether a name, such as an outlet line, is itself a wire service."""
    return canonical_agency(name) is not None


def _agency_list(inside: str) -> list[str]:
    """Returns the agencies named in a credit's text, or [] unless it names agencies only."""
    inside = _WITH.sub("", inside.strip())
    whole = canonical_agency(inside)
    if whole:
        return [whole]
    names = []
    for part in _JOINERS.split(inside):
        name = canonical_agency(part)
        if name is None:
            return []
        if name not in names:
            names.append(name)
    return names


def _strip_trailers(text: str) -> str:
    while True:
        stripped = _TRAILER.sub("", text).rstrip()
        if stripped == text:
            return text
        text = stripped


def _end_credits(text: str) -> list[str]:
    tail = _strip_trailers(text[-400:].rstrip())
    for pattern in (_END_PAREN, _END_DASH, _END_SLASH):
        match = pattern.search(tail)
        if match:
            names = _agency_list(match.group(1))
            if names:
                return names
    return []


def _dateline_credits(text: str) -> list[str]:
    match = _DATELINE.match(text[:160])
    return _agency_list(match.group(1)) if match else []


def find_credits(text: str) -> list[str]:
    """Returns every agency credited in the dateline or at the end of the text, in that order."""
    if not text:
        return []
    text = clean_chars(text).strip()
    # The dateline names where the copy came from, so it leads; the end credit follows.
    names = _dateline_credits(text)
    for name in _end_credits(text):
        if name not in names:
            names.append(name)
    return names


def find_credit(text: str) -> str | None:
    """Returns the canonical short name of the wire agency credited in the text, or None."""
    names = find_credits(text)
    return names[0] if names else None
