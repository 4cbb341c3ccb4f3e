"""Extracts the keyphrases of an article: candidate phrases scored by a small linear model.

Candidates are runs of one to three words inside a sentence, with no punctuation between them,
that neither start nor end with a stopword ("Bank of Korea" keeps its inner "of"). Each
candidate gets a few features of how it is used in the article (how often, how early, in the
title or the lead, capitalised mid-sentence, an acronym, how long, how rare its words are in
English according to wordfreq's frequency lists, how its words recur elsewhere or inside longer
candidates) and the weights below turn them into a score. The weights were fitted by logistic
regression on the DEV files of 500N-KPCrowd (``bench/keyphrases_fit.py``, which also prints
the cross-validated F1@10); nothing is fitted at run time.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from .sentences import split_sentences

__all__ = ["Candidate", "candidates", "keyphrases", "scored", "FEATURES", "WEIGHTS", "STOPWORDS",
           "phrase_key", "KeywordsEnricher"]

STOPWORDS = frozenset("""
a about above across after afterwards again against all almost alone along already also
although always am among amongst an and another any anyhow anyone anything anyway anywhere are
around as at back be became because become becomes been before beforehand behind being below
beside besides between beyond both but by can cannot could did do does doing done down during
each either else elsewhere enough even ever every everyone everything everywhere except few
for former formerly from further had has have having he hence her here hereafter hereby herein
hers herself him himself his how however i if in indeed into is it its itself just last latter
least less many may me meanwhile might mine more moreover most mostly much must my myself
namely neither never nevertheless next no nobody none noone nor not nothing now nowhere of off
often on once one only onto or other others otherwise our ours ourselves out over own per
perhaps please quite rather re really same say says said seem seemed seeming seems several she
should since so some somehow someone something sometime sometimes somewhere still such than
that the their theirs them themselves then thence there thereafter thereby therefore therein
thereupon these they this those though through throughout thru thus to together too toward
towards under until up upon us very via was we well were what whatever when whence whenever
where whereafter whereas whereby wherein whereupon wherever whether which while whither who
whoever whole whom whose why will with within without would yet you your yours yourself
yourselves also told according mr mrs ms dr s t ll ve d m re don didn doesn isn wasn aren
weren won wouldn couldn shouldn can't it's he's she's that's there's i'm we're they're
""".split())

# A word: letters or digits, with inner hyphens, apostrophes, ampersands or dots ("Jong-un",
# "O'Brien", "AT&T", "U.S."). Anything else (punctuation, quotes, dashes) ends a phrase.
_WORD = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W_]+(?:[-'\u2019&.][^\W_]+)*")
_BREAK = re.compile(r"[,;:!?()\[\]{}\"\u201c\u201d\u2014\u2013|/]|(?<!\w)['\u2018\u2019]|"
                    r"['\u2018\u2019](?!\w)|\s[-\u2012]\s|\.(?=\s|$)")
_POSSESSIVE = re.compile(r"['\u2019]s$", re.I)
MAX_WORDS = 3

FEATURES = ("bias", "log_tf", "first_pos", "in_title", "one_word", "two_words", "three_words",
            "capitalised", "acronym", "rarity", "min_rarity", "has_digit", "spread",
            "word_tf", "initial_only", "inner_stop", "sentences", "in_lead", "chars", "subsumed")
# Fitted by bench/keyphrases_fit.py: L2-regularised logistic regression over the candidates of
# the 247 DEV files of 500N-KPCrowd (even-numbered), label = Porter-stemmed exact match with a
# gold key; L2 strength 1.0, whose 5-fold cross-validated F1@10 on DEV is flat over 0.1/1/10
# (0.1954 / 0.1954 / 0.1940), so the fit is not fragile. YAKE 0.7.3 scores 0.0759 there.
WEIGHTS = {
    "bias": -6.574, "log_tf": 1.278, "first_pos": 0.002, "in_title": 0.649, "one_word": 1.928,
    "two_words": -0.132, "three_words": -1.796, "capitalised": -0.141, "acronym": 0.108,
    "rarity": -1.012, "min_rarity": 1.484, "has_digit": -0.881, "spread": 0.389, "word_tf": -0.490,
    "initial_only": -0.106, "inner_stop": -2.030, "sentences": -0.249, "in_lead": 0.536,
    "chars": 1.575, "subsumed": -0.537,
}


@dataclass
class Candidate:
    """A candidate phrase of one article, with the counts its features come from."""

    key: str  # lower-cased, plural-folded words joined by spaces
    forms: dict[str, int] = field(default_factory=dict)  # surface form -> count
    count: int = 0
    first: int = 0  # token offset of the first occurrence
    last: int = 0
    in_title: bool = False
    capitalised: int = 0  # occurrences capitalised where a sentence does not start
    initial: int = 0  # occurrences at the start of a sentence
    sentences: set = field(default_factory=set)
    in_lead: bool = False  # said in the first sentence of the body
    subsumed: float = 0.0  # share of its uses inside the most used longer candidate
    words: tuple[str, ...] = ()
    inner_stop: bool = False

    @property
    def surface(self) -> str:
        """Returns the most used surface form (ties: the capitalised one)."""
        return max(self.forms.items(), key=lambda kv: (kv[1], kv[0] != kv[0].lower()))[0]


def _fold(word: str) -> str:
    """Returns the lower-cased word with possessive and a regular plural folded away."""
    w = _POSSESSIVE.sub("", word.lower())
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "'s")):
        return w[:-1]
    return w


def phrase_key(phrase: str) -> str:
    """Returns the key two spellings of the same phrase share ("Nuclear talks" ~ "nuclear talk")."""
    return " ".join(_fold(w) for w in _WORD.findall(phrase))


@lru_cache(maxsize=200_000)
def _rarity(word: str) -> float:
    """Returns how rare a word is in English, 0 (very common) to 1 (unknown), from wordfreq."""
    from wordfreq import zipf_frequency

    return max(0.0, min(1.0, (7.0 - zipf_frequency(word, "en")) / 7.0))


def _chunks(sentence: str) -> list[list[str]]:
    """Returns the runs of words of a sentence that no punctuation separates."""
    return [words for part in _BREAK.split(sentence) if (words := _WORD.findall(part))]


def candidates(title: str, text: str) -> dict[str, Candidate]:
    """Returns the candidate phrases of an article by key."""
    found: dict[str, Candidate] = {}
    title_keys = set()
    for chunk in _chunks(title or ""):
        for n in range(1, MAX_WORDS + 1):
            for i in range(len(chunk) - n + 1):
                title_keys.add(" ".join(_fold(w) for w in chunk[i:i + n]))
    pos = 0
    sentences = [title] if title else []
    sentences += [s.text for s in split_sentences(text)]
    for s_no, sentence in enumerate(sentences):
        for c_no, chunk in enumerate(_chunks(sentence)):
            lowered = [w.lower() for w in chunk]
            for i in range(len(chunk)):
                for n in range(1, MAX_WORDS + 1):
                    j = i + n
                    if j > len(chunk):
                        break
                    if lowered[i] in STOPWORDS or lowered[j - 1] in STOPWORDS:
                        continue
                    if n == 1 and (len(chunk[i]) < 2 or chunk[i].isdigit()):
                        continue
                    if any(_POSSESSIVE.search(w) for w in chunk[i:j - 1]):
                        continue  # "Korea's president" is two phrases, not one
                    words = tuple(_fold(w) for w in chunk[i:j])
                    key = " ".join(words)
                    cand = found.get(key)
                    if cand is None:
                        cand = found[key] = Candidate(key, first=pos + i, words=words,
                                                      in_title=key in title_keys)
                        cand.inner_stop = any(w in STOPWORDS for w in lowered[i + 1:j - 1])
                    surface = " ".join(chunk[i:j])
                    surface = _POSSESSIVE.sub("", surface)
                    cand.forms[surface] = cand.forms.get(surface, 0) + 1
                    cand.count += 1
                    cand.last = pos + i
                    cand.sentences.add(s_no)
                    if s_no == (1 if title else 0):
                        cand.in_lead = True
                    if i == 0 and c_no == 0:
                        cand.initial += 1
                    elif all(w[0].isupper() or w[0].isdigit() or w.lower() in STOPWORDS
                             for w in chunk[i:j]):
                        cand.capitalised += 1
            pos += len(chunk)
    for cand in found.values():
        if len(cand.words) > 1:
            for n in range(1, len(cand.words)):
                for i in range(len(cand.words) - n + 1):
                    part = found.get(" ".join(cand.words[i:i + n]))
                    if part is not None:
                        part.subsumed = max(part.subsumed, cand.count / part.count)
    return found


def _features(cand: Candidate, total: int, word_counts: dict[str, int]) -> dict[str, float]:
    content = [w for w in cand.words if w not in STOPWORDS]
    rarities = [_rarity(w) for w in content] or [0.0]
    surface = cand.surface
    n = len(cand.words)
    return {
        "bias": 1.0,
        "log_tf": math.log1p(cand.count),
        "first_pos": cand.first / max(total, 1),
        "in_title": float(cand.in_title),
        "one_word": float(n == 1),
        "two_words": float(n == 2),
        "three_words": float(n == 3),
        "capitalised": cand.capitalised / cand.count,
        "acronym": float(n == 1 and surface.isupper() and len(surface) > 1),
        "rarity": sum(rarities) / len(rarities),
        "min_rarity": min(rarities),
        "has_digit": float(any(ch.isdigit() for ch in cand.key)),
        "spread": (cand.last - cand.first) / max(total, 1),
        "word_tf": math.log1p(sum(word_counts.get(w, 0) for w in content) / max(len(content), 1)),
        "initial_only": float(cand.initial == cand.count),
        "inner_stop": float(cand.inner_stop),
        "sentences": math.log1p(len(cand.sentences)),
        "in_lead": float(cand.in_lead),
        "chars": math.log(len(cand.key) + 1),
        "subsumed": cand.subsumed,
    }


def scored(title: str, text: str,
           weights: dict[str, float] | None = None) -> list[tuple[Candidate, float]]:
    """Returns every candidate with its score, best first."""
    weights = weights or WEIGHTS
    found = candidates(title, text)
    total = sum(len(chunk) for s in split_sentences(text) for chunk in _chunks(s.text)) or 1
    word_counts: dict[str, int] = defaultdict(int)
    for cand in found.values():
        if len(cand.words) == 1:
            word_counts[cand.key] = cand.count
    out = []
    for cand in found.values():
        feats = _features(cand, total, word_counts)
        out.append((cand, sum(weights.get(name, 0.0) * value for name, value in feats.items())))
    out.sort(key=lambda cs: (-cs[1], cs[0].first))
    return out


def feature_rows(title: str, text: str) -> list[tuple[Candidate, list[float]]]:
    """Returns each candidate with its feature vector in ``FEATURES`` order (for fitting)."""
    found = candidates(title, text)
    total = sum(len(chunk) for s in split_sentences(text) for chunk in _chunks(s.text)) or 1
    word_counts = {c.key: c.count for c in found.values() if len(c.words) == 1}
    return [(c, [_features(c, total, word_counts)[name] for name in FEATURES])
            for c in found.values()]


def keyphrases(title: str, text: str, top: int = 10) -> list[str]:
    """Returns the article's ``top`` keyphrases, best first, in their most used spelling."""
    out: list[str] = []
    for cand, _ in scored(title, text):
        out.append(cand.surface)
        if len(out) == top:
            break
    return out


class KeywordsEnricher:
    """Fills ``article.keywords`` (top ten keyphrases) and ``article.hashtags``; values an
    import already carries are kept (hashtags without their "#")."""

    name = "keywords"

    def enrich(self, articles: list, store: object | None) -> None:
        from .hashtags import article_hashtags

        for article in articles:
            if not isinstance(article.keywords, list):
                article.keywords = []
            if not isinstance(article.hashtags, list):
                article.hashtags = []
            if article.hashtags:
                article.hashtags = [t for t in (str(t).strip().lstrip("#") for t in article.hashtags) if t]
            if article.keywords and article.hashtags:
                continue
            ranked = scored(article.title or "", article.text or "")
            article.keywords = article.keywords or [cand.surface for cand, _ in ranked[:10]]
            article.hashtags = article.hashtags or article_hashtags(article, ranked=ranked)
