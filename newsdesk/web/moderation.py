"""Holds back comments that look like spam or abuse, offline, by rules; says why for moderators.

Rules (each held comment lists every rule it broke):
  - more than ``MAX_LINKS`` links; any link from an account younger than ``NEW_ACCOUNT``;
  - a character repeated ``REPEAT_RUN`` or more times in a row; mostly capital letters;
  - a banned word or phrase (built-in list plus the admin's file);
  - the same text posted again within ``DUPLICATE_WINDOW`` (by anyone).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from ..errors import ConfigError

__all__ = ["BannedWords", "Verdict", "fingerprint", "judge", "load_banned_words",
           "URL_PATTERN", "DUPLICATE_WINDOW"]

# Judgement calls, not tuned on data: two links cover a source and a follow-up; spam runs to
# many. A day is long enough that a spammer's fresh account cannot post links at once.
MAX_LINKS = 2
NEW_ACCOUNT = timedelta(days=1)
REPEAT_RUN = 10
CAPS_MIN_LETTERS, CAPS_SHARE = 20, 0.7
DUPLICATE_WINDOW = timedelta(days=1)

URL_PATTERN = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.I)
_BARE_DOMAIN = re.compile(r"\b[a-z0-9-]{2,}\.(?:com|net|org|info|biz|io|xyz|top|ru|cn)\b", re.I)
_REPEAT = re.compile(r"(\S)\1{%d,}" % (REPEAT_RUN - 1))
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "@": "a", "$": "s",
                       "7": "t"})
_WORDS = re.compile(r"[^\W_]+", re.U)
_WORDS_FILE = Path(__file__).parent / "moderation_words.txt"


@dataclass(frozen=True)
class BannedWords:
    """Banned phrases, each as a tuple of normalised words, with its kind (abuse or spam)."""

    phrases: tuple[tuple[tuple[str, ...], str], ...]


@dataclass
class Verdict:
    status: str  # "visible" or "pending"
    reasons: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str | None:
        return "; ".join(self.reasons) or None


def _norm_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold().translate(_LEET)
    return _WORDS.findall(text)


def _parse(lines: list[str], origin: str) -> list[tuple[tuple[str, ...], str]]:
    out = []
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kind, sep, phrase = line.partition(":")
        if not sep or kind.strip() not in ("abuse", "spam"):
            kind, phrase = "abuse", line
        words = tuple(_norm_words(phrase))
        if not words:
            raise ConfigError(f"moderation: {origin} line {number}: no word in {line!r}")
        out.append((words, kind.strip()))
    return out


@lru_cache(maxsize=8)
def load_banned_words(extra_file: str = "") -> BannedWords:
    """Returns the built-in list plus the admin's file (one word or phrase a line)."""
    phrases = _parse(_WORDS_FILE.read_text(encoding="utf-8").splitlines(), _WORDS_FILE.name)
    if extra_file:
        try:
            lines = Path(extra_file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config: web_banned_words_file {extra_file}: {exc}") from None
        phrases += _parse(lines, extra_file)
    return BannedWords(tuple(phrases))


def fingerprint(body: str) -> str:
    """Returns a hash of the text with case, spacing and punctuation folded (finds re-posts)."""
    return hashlib.sha256(" ".join(_norm_words(body)).encode("utf-8")).hexdigest()[:32]


def _banned(body: str, banned: BannedWords) -> list[str]:
    words = _norm_words(body)
    joined = " " + " ".join(words) + " "
    found = []
    for phrase, kind in banned.phrases:
        if " " + " ".join(phrase) + " " in joined:
            found.append(f"{kind} phrase: \u201c{' '.join(phrase)}\u201d")
    return found


def judge(body: str, *, account_age: timedelta, banned: BannedWords,
          duplicate: tuple[int, bool] | None = None) -> Verdict:
    """Returns whether a comment shows at once or waits for a moderator, and why.

    ``duplicate`` is (id of the earlier comment with the same text, whether it is the same
    author's) or None.
    """
    reasons: list[str] = []
    links = len(URL_PATTERN.findall(body)) + len(_BARE_DOMAIN.findall(URL_PATTERN.sub(" ", body)))
    if links > MAX_LINKS:
        reasons.append(f"{links} links (more than {MAX_LINKS})")
    elif links and account_age < NEW_ACCOUNT:
        reasons.append("link from an account less than a day old")
    if _REPEAT.search(body):
        reasons.append(f"a character repeated {REPEAT_RUN} or more times")
    letters = [ch for ch in body if ch.isalpha()]
    if len(letters) >= CAPS_MIN_LETTERS and sum(ch.isupper() for ch in letters) > CAPS_SHARE * len(letters):
        reasons.append("mostly capital letters")
    reasons += _banned(body, banned)
    if duplicate is not None:
        earlier, same_author = duplicate
        reasons.append(f"same text as comment #{earlier}" +
                       (" (posted twice)" if same_author else " by another account"))
    return Verdict("pending" if reasons else "visible", reasons)
