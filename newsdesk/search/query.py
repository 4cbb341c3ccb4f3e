"""Parses a user's search string into terms and compiles it to safe FTS5 MATCH expressions.

Grammar, as users know it from web search engines:

- ``word`` a term; ``word*`` a prefix term;
- ``"exact phrase"`` words that must appear together, in this order (an unclosed quote runs to
  the end of the query);
- ``-word`` or ``-"a phrase"`` excludes articles holding it;
- ``a OR b`` (upper-case OR) either term; OR binds tighter than the implicit AND, so
  ``seoul tokyo OR beijing summit`` means seoul AND (tokyo OR beijing) AND summit.

Every other character is plain text: FTS5 syntax never reaches the engine unquoted, because
each word is emitted as a double-quoted string (inner quotes doubled), so parentheses, colons,
``NEAR``, ``^`` or ``AND`` in a query are words or separators, never operators. Nothing here raises
on any input string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["ParsedQuery", "parse_query", "STOPWORDS", "MAX_QUERY_CHARS", "MAX_TERMS"]

# A query longer than this is cut: 1,000 characters is ten times a long real query and keeps
# the MATCH expression (and the query embedding) small.
MAX_QUERY_CHARS = 1000
# At most this many terms (words, phrases, exclusions) are kept; later ones are dropped.
MAX_TERMS = 32

_WORD = re.compile(r"\w+")
# Tokens: an optionally negated quoted phrase (closing quote optional), or a run of non-space.
_TOKEN = re.compile(r'(-?)"([^"]*)(?:"|$)|(\S+)')

# Words too common to rank by: dropped from the relaxed (any-word) query so that it does not
# match nearly every article; kept in strict and phrase queries. Question words are here
# because `ask` sends questions.
STOPWORDS = frozenset("""
a about after again against all also am an and any are as at be because been before being
between both but by can could did do does doing down during each few for from further had has
have having he her here hers him his how i if in into is it its itself just me more most my no
nor not now of off on once only or other our ours out over own same she should so some such
than that the their theirs them then there these they this those through to too under until up
very was we were what when where which while who whom why will with would you your yours
said says say tell told
""".split())


@dataclass
class Term:
    """A word (``words`` of length 1) or a phrase; ``prefix`` for ``word*``; ``quoted`` when the
    user typed the quotes (a bare ``u.s.`` is a phrase too, but not a hard constraint)."""

    words: list[str]
    prefix: bool = False
    quoted: bool = False

    def fts(self) -> str:
        quoted = '"' + " ".join(self.words).replace('"', '""') + '"'
        return quoted + " *" if self.prefix else quoted


@dataclass
class ParsedQuery:
    """A parsed query: required groups (each an OR of terms), exclusions, and the text to embed."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def phrases(self) -> list[Term]:
        """Quoted terms that stand alone in their group: required as exact phrases."""
        return [g[0] for g in self.groups if len(g) == 1 and g[0].quoted]

    def text(self) -> str:
        """Returns the positive words in order, for embedding and for snippets."""
        return " ".join(" ".join(t.words) for g in self.groups for t in g)

    def words(self) -> list[str]:
        """Returns the positive words, lower-cased, without repeats."""
        seen: dict[str, None] = {}
        for group in self.groups:
            for term in group:
                for w in term.words:
                    seen.setdefault(w.lower(), None)
        return list(seen)

    def strict_match(self) -> str | None:
        """Returns a MATCH expression requiring every group (AND), or None when empty."""
        if not self.groups:
            return None
        parts = [_group(g) for g in self.groups]
        return self._with_exclusions(" AND ".join(parts))

    def relaxed_match(self) -> str | None:
        """Returns a MATCH expression requiring the phrases and any one content word.

        Used when the strict query finds too little (a headline or a question rarely has all its
        words in one article); BM25 still ranks articles holding more of the words first.
        """
        phrases = self.phrases
        loose: list[Term] = []
        for group in self.groups:
            for term in group:
                if term.quoted:
                    if len(group) > 1:  # a quoted phrase inside an OR stays one term
                        loose.append(term)
                    continue
                last = len(term.words) - 1
                loose.extend(Term([w], term.prefix and i == last) for i, w in enumerate(term.words))
        content = [t for t in loose if len(t.words) > 1 or t.words[0].lower() not in STOPWORDS]
        content = content or loose
        parts = [p.fts() for p in phrases]
        if content:
            parts.append("(" + " OR ".join(t.fts() for t in content) + ")")
        if not parts:
            return None
        return self._with_exclusions(" AND ".join(parts))

    def constraint_match(self) -> str | None:
        """Returns the MATCH expression of the hard constraints only (phrases), or None."""
        phrases = self.phrases
        if not phrases:
            return None
        return " AND ".join(p.fts() for p in phrases)

    def exclusion_match(self) -> str | None:
        """Returns a MATCH expression matching any excluded term, or None."""
        if not self.excluded:
            return None
        return " OR ".join(t.fts() for t in self.excluded)

    def _with_exclusions(self, positive: str) -> str:
        if not self.excluded:
            return positive
        return f"({positive}) NOT ({self.exclusion_match()})"


def _group(terms: list[Term]) -> str:
    if len(terms) == 1:
        return terms[0].fts()
    return "(" + " OR ".join(t.fts() for t in terms) + ")"


def _terms(raw: str, quoted: bool) -> list[Term]:
    """Returns the terms of one token: a quoted phrase is one term, a bare token one per word
    (``don't`` gives two words; ``u.s.`` gives a phrase so that its parts stay together)."""
    words = _WORD.findall(raw)
    if not words:
        return []
    if quoted or len(words) > 1:
        return [Term(words, quoted=quoted)]
    return [Term(words, prefix=raw.rstrip().endswith("*") and len(words[0]) >= 2)]


def parse_query(query: str | None) -> ParsedQuery:
    """Returns the parsed form of any string; never raises."""
    parsed = ParsedQuery()
    text = (query or "")[:MAX_QUERY_CHARS]
    pending_or = False
    count = 0
    for match in _TOKEN.finditer(text):
        if count >= MAX_TERMS:
            break
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare == "OR":
                pending_or = bool(parsed.groups)
                continue
            if bare.startswith("-") and len(bare) > 1:
                negated, bare = "-", bare[1:]
            terms = _terms(bare, quoted=False)
        else:
            terms = _terms(phrase, quoted=True)
        if not terms:
            continue
        count += len(terms)
        if negated:
            parsed.excluded.extend(terms)
            pending_or = False
            continue
        if pending_or:
            parsed.groups[-1].append(terms[0])
            parsed.groups.extend([t] for t in terms[1:])
        else:
            parsed.groups.extend([t] for t in terms)
        pending_or = False
    return parsed
