"""Extracts the cheap text features of story clustering: proper names and numbers, and words.

Different events of one topic (two rehab check-ins, two earthquakes) share their topic words and
differ in who, where and when; those show up in running text as capitalised words that do not
open a sentence ("Tara Reid", "Promises Treatment Center", "Malibu") and as numbers ("6.1",
"2008", "33-year-old"). This module finds them with a few rules and no model:

- a name is a run of capitalised words (or all-capital acronyms such as "NATO", "U.S."),
  joined by a few lower-case particles inside it ("Bank of England", "Osama bin Laden");
- a single capitalised word opening a sentence is skipped unless it is an acronym: it is as
  likely to be "Police" or "Yesterday" as a name; a run of two or more there is kept, without
  a leading function word ("The White House" -> "white house");
- weekday and month names and a few honorifics ("Mr", "President") are dropped: they recur
  across unrelated events;
- a headline in Title Case ("Tara Reid Finally Checks Into Rehab") gives no names of its own:
  its capitals say nothing; its words still count as text;
- each name is returned lower-cased, whole and also word by word ("tara reid", "reid"), so a
  later "Reid" still matches; numbers come back as "#6.1" so they never collide with words.

The result is a set of keys; how much a key counts is left to the caller (stories.py weighs
keys by inverse document frequency, so "u.s." or "trump" count for little).

``article_terms`` gives an article's words (function words dropped, headline words counted
twice) with sublinear tf weights.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from ..models import Article

__all__ = ["extract_names", "is_title_case", "article_terms", "lead"]

# A token: a word with inner apostrophes, hyphens or dots ("O'Neill", "al-Assad", "U.S."), a
# number ("6.1", "2,000", "33-year-old" starts with one), or one punctuation mark.
_TOKEN = re.compile(r"\d[\d.,:/-]*\w*|\w+(?:['’.-]\w+)*\.?|[^\w\s]")
_SENTENCE_END = {".", "!", "?", ":", ";", "\"", "“", "”", "``", "''", "(", ")", "—", "–", "-"}
# Lower-case words allowed inside a name ("Bank of England", "Charles de Gaulle").
_PARTICLES = {"of", "de", "del", "della", "der", "van", "von", "bin", "al", "la", "le", "du", "da",
              "dos", "y", "and", "for", "the"}
_LEADING = {"the", "a", "an", "in", "on", "at", "for", "by", "from", "to", "and", "but", "as",
            "with", "after", "before", "when", "while", "if", "of", "this", "that", "his", "her",
            "their", "its", "our", "my", "it", "he", "she", "they", "we", "i", "you", "there"}
_DROP = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
         "january", "february", "march", "april", "may", "june", "july", "august", "september",
         "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
         "sep", "sept", "oct", "nov", "dec", "mr", "mrs", "ms", "dr", "sir", "president",
         "minister", "prime", "senator", "sen", "rep", "gov", "governor", "secretary", "chief",
         "officials", "official", "police", "today", "yesterday", "tonight", "news", "breaking",
         "update", "updated", "watch", "video", "photos", "exclusive", "opinion", "analysis",
         "i", "we", "it", "he", "she", "they", "you", "but", "and", "the", "a", "an", "in", "on",
         "at", "this", "that", "his", "her", "their", "its", "our", "my", "there", "as", "so"}
_NUMBER_UNITS = re.compile(r"^(\d[\d.,]*)")
_WORD = re.compile(r"\w+")
_POSSESSIVE = re.compile(r"['’]s?$")


def _is_cap(token: str) -> bool:
    return token[:1].isupper()


def _acronym(token: str) -> bool:
    """Tells "NATO" or "U.S." from "A" or "Police"."""
    return token.isupper() and len(token.replace(".", "")) >= 2


def is_title_case(line: str) -> bool:
    """Tells whether a line capitalises most of its longer words, as Title Case and ALL CAPS
    headlines do."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", line) if len(w) > 3]
    if len(words) < 3:
        return False
    return sum(1 for w in words if w[0].isupper()) >= 0.75 * len(words)


def _add_name(words: list[str], out: set[str]) -> None:
    parts = []
    for w in words:
        w = _POSSESSIVE.sub("", w)
        parts.append(w.lower() if _acronym(w) else w.lower().rstrip("."))
    # Titles and weekdays split a run: "Secretary of State John Kerry" -> "state john kerry".
    chunk: list[str] = []
    for part in [*parts, ""]:
        if part and part not in _DROP:
            chunk.append(part)
            continue
        while chunk and (chunk[0] in _PARTICLES or chunk[0] in _LEADING):
            chunk.pop(0)
        while chunk and chunk[-1] in _PARTICLES:
            chunk.pop()
        if len(chunk) > 1:
            out.add(" ".join(chunk))
        out.update(p for p in chunk if len(p) > 1 and p not in _PARTICLES)
        chunk = []


def _line_names(line: str, out: set[str], lower: set[str]) -> None:
    tokens = _TOKEN.findall(line)
    start = True  # at a sentence start
    run: list[str] = []
    run_at_start = False

    def flush() -> None:
        nonlocal run
        if run and run_at_start and not _acronym(run[0]) and run[0].lower() in lower:
            # A sentence opener that the article also writes in lower case is an ordinary word.
            run = run[1:]
        if run and not (run_at_start and len(run) == 1 and not _acronym(run[0])):
            # A lone capitalised word opening a sentence is as likely an ordinary word as a name.
            _add_name(run, out)
        run = []

    for i, tok in enumerate(tokens):
        if tok[0].isdigit():
            flush()
            m = _NUMBER_UNITS.match(tok)
            if m:
                number = m.group(1).rstrip(".,").replace(",", "")
                if number:
                    out.add("#" + number)
            start = False
            continue
        if not tok[0].isalpha() and tok[0] != "_":
            flush()
            if tok in _SENTENCE_END:
                start = tok in {".", "!", "?", "\"", "“", "``", ":"} or start
            continue
        ends = tok.endswith(".") and "." not in tok[:-1] and len(tok) > 4
        if _is_cap(tok):
            if not run:
                run_at_start = start
            run.append(tok)
        elif run and tok in _PARTICLES and i + 1 < len(tokens) and _is_cap(tokens[i + 1]):
            run.append(tok)
        else:
            flush()
        start = False
        if ends:
            # "Malibu." or "rise." closes a sentence: the dot was glued to the word.
            flush()
            start = True
    flush()


def extract_names(title: str, text: str) -> set[str]:
    """Returns the lower-cased proper names (whole and word by word) and "#numbers" of an article."""
    out: set[str] = set()
    lower = {w for w in _WORD.findall(f"{title}\n{text}") if w[0].islower()}
    if title and not is_title_case(title):
        _line_names(title, out, lower)
    elif title:
        # Title Case: keep only its numbers and acronyms.
        for tok in _TOKEN.findall(title):
            if tok[0].isdigit():
                m = _NUMBER_UNITS.match(tok)
                if m and m.group(1).rstrip(".,"):
                    out.add("#" + m.group(1).rstrip(".,").replace(",", ""))
            elif len(tok) > 1 and tok.isupper() and tok.isalpha():
                out.add(tok.lower())
    if (text or "").strip() == (title or "").strip():
        return out
    for line in (text or "").split("\n"):
        if line.strip():
            _line_names(line, out, lower)
    return out


# ------------------------------------------------------------------------------- words

_TERM = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
# Function words carry no story; English only, since other languages' words are rarer and
# their IDF takes care of them.
_STOP = frozenset("""
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it
its itself just me more most my myself no nor not now of off on once only or other our ours
out over own same she should so some such than that the their theirs them then there these
they this those through to too under until up very was we were what when where which while
who whom why will with would you your yours said says say told new one two also like get
got just may might must many much us s t re ve ll d m year years last first week day time
""".split())


def lead(text: str, chars: int) -> str:
    """Returns the whole leading paragraphs of ``text`` that fit in ``chars`` (at least one)."""
    out: list[str] = []
    used = 0
    for para in re.split(r"\n\s*\n", text):
        if out and used + len(para) > chars:
            break
        out.append(para[:chars] if not out else para)
        used += len(para)
    return "\n\n".join(out)


def article_terms(article: Article, title_weight: float = 2.0,
                  text_chars: int | None = None) -> dict[str, float]:
    """Returns an article's words with sublinear tf weights scaled to unit L2 norm (so a long
    article weighs no more in its story's sums than a short one); title words count
    ``title_weight`` times."""
    counts: Counter[str] = Counter()
    title = article.title or ""
    text = article.text or ""
    if text_chars is not None and len(text) > text_chars:
        text = lead(text, text_chars)
    for word in _TERM.findall(title.lower()):
        if word not in _STOP and len(word) > 1:
            counts[word] += title_weight
    if text.strip() != title.strip():
        for word in _TERM.findall(text.lower()):
            if word not in _STOP and len(word) > 1:
                counts[word] += 1.0
    weights = {w: 1.0 + math.log(c) for w, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
    return {w: v / norm for w, v in weights.items()}
