"""Writes extractive summaries that cite their sentences: per article and per story.

An article summary is a few of the article's own sentences, each given with its index in
``sentences.split_sentences(article.text)`` (DESIGN.md ``summary: [{"text", "source_sentence"}]``),
in reading order. A sentence scores by its place (news puts the point first: a weight decaying
with the sentence number) plus how central it is (cosine of its words with the rest of the
article's), less a little when it opens or sits inside a quotation; sentences too short to say anything
or too long to be one sentence (glued image captions) are skipped, and a sentence that repeats
one already picked is passed over.

A story summary draws on several outlets: sentences of the story's original articles (copies of
wire stories say nothing new), scored the same way against the words of the whole story, with at
most one sentence per outlet until every outlet has had its turn. Each sentence cites its article
id, outlet and sentence index.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import TYPE_CHECKING

from ..models import Article
from .keywords import STOPWORDS, _fold
from .sentences import split_sentences

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["article_summary", "story_summary", "cites_correctly", "SummariesEnricher",
           "ARTICLE_SENTENCES", "STORY_SENTENCES"]

ARTICLE_SENTENCES = 3  # CNN/DM references hold ~3-4 highlights (54 words on DEV)
STORY_SENTENCES = 4
# Tuned on the 120 DEV articles of the CNN/DM part of summaries/frank_docs.jsonl: first a grid
# over centrality weight 0-1, position decay 1-8 sentences, redundancy cosine 0.4-0.8, minimum
# words 5/8, maximum 60/200, best by ROUGE-1+2+Lsum; then quote penalty 0-0.4, minimum words
# 5-10, maximum 45-200, kept only where both halves of DEV (odd and even items) gained over
# Lead-3. bench/enrich_text.py --quality prints the result beside Lead-3's.
CENTRALITY_WEIGHT = 0.6
POSITION_DECAY = 4.0  # sentences: the lead weighs e^0, the fifth sentence e^-1
REDUNDANT = 0.4  # cosine of two sentences' words above which the second adds nothing
MIN_WORDS = 10
MAX_WORDS = 80  # longer "sentences" are mostly image captions glued to a sentence
QUOTE_PENALTY = 0.2  # a sentence opening with a quote is a voice, rarely the gist

_OPENING_QUOTE = re.compile(r"^[\"'\u201c\u2018]")


def _quoted(sentence: str) -> bool:
    """Tells whether a sentence opens with a quotation or holds part of one (a quote running
    over several sentences leaves its marks unbalanced)."""
    return bool(_OPENING_QUOTE.match(sentence)) or sentence.count('"') % 2 == 1 \
        or sentence.count("\u201c") != sentence.count("\u201d")

_TERM = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)?")


def _terms(sentence: str) -> Counter[str]:
    return Counter(_fold(w) for w in _TERM.findall(sentence.lower())
                   if w not in STOPWORDS and len(w) > 1)


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def _fits(text: str) -> bool:
    words = len(text.split())
    return MIN_WORDS <= words <= MAX_WORDS


def _pick(scored: list[tuple[float, int]], vectors: list[Counter[str]], k: int,
          allowed=lambda i, chosen: True) -> list[int]:
    """Returns up to k candidates, best score first, skipping redundant ones."""
    chosen: list[int] = []
    for _, i in sorted(scored, key=lambda si: (-si[0], si[1])):
        if any(_cosine(vectors[i], vectors[j]) > REDUNDANT for j in chosen):
            continue
        if not allowed(i, chosen):
            continue
        chosen.append(i)
        if len(chosen) == k:
            break
    return chosen


def article_summary(text: str, k: int = ARTICLE_SENTENCES) -> list[dict]:
    """Returns up to k of the text's sentences as ``{"text", "source_sentence"}``, in order."""
    sentences = split_sentences(text)
    vectors = [_terms(s.text) for s in sentences]
    whole: Counter[str] = Counter()
    for v in vectors:
        whole.update(v)
    scored = []
    for s, v in zip(sentences, vectors, strict=True):
        if _fits(s.text):
            centrality = _cosine(v, whole - v)
            scored.append((math.exp(-s.index / POSITION_DECAY) + CENTRALITY_WEIGHT * centrality
                           - QUOTE_PENALTY * _quoted(s.text), s.index))
    if not scored:  # a very short article: its first sentences are all there is
        scored = [(-s.index, s.index) for s in sentences]
    chosen = _pick(scored, vectors, k)
    return [{"text": sentences[i].text, "source_sentence": i} for i in sorted(chosen)]


def story_summary(articles: list[Article], k: int = STORY_SENTENCES) -> list[dict]:
    """Returns up to k sentences from the story's articles, one per outlet while outlets
    remain, as ``{"text", "article_id", "source_sentence", "outlet"}``, best first."""
    originals = [a for a in articles if not a.duplicate_of] or list(articles)
    entries: list[tuple[Article, int, str]] = []  # (article, sentence index, text)
    vectors: list[Counter[str]] = []
    centroid: Counter[str] = Counter()
    for article in originals:
        own: Counter[str] = Counter()
        for s in split_sentences(article.text or ""):
            entries.append((article, s.index, s.text))
            vector = _terms(s.text)
            vectors.append(vector)
            own.update(vector)
        norm = math.sqrt(sum(v * v for v in own.values())) or 1.0
        for term, v in own.items():  # each article counts once, however long it is
            centroid[term] += v / norm
    scored = []
    for n, (_, index, text) in enumerate(entries):
        if _fits(text):
            scored.append((math.exp(-index / POSITION_DECAY)
                           + CENTRALITY_WEIGHT * _cosine(vectors[n], centroid)
                           - QUOTE_PENALTY * _quoted(text), n))
    outlets = {a.outlet or a.id for a in originals}

    def one_per_outlet(i: int, chosen: list[int]) -> bool:
        taken = {entries[j][0].outlet or entries[j][0].id for j in chosen}
        mine = entries[i][0].outlet or entries[i][0].id
        return mine not in taken or taken >= outlets

    chosen = _pick(scored, vectors, k, one_per_outlet)
    if len(chosen) < k:  # fewer outlets than sentences wanted: fill from any outlet
        chosen += [i for i in _pick(scored, vectors, k) if i not in chosen][:k - len(chosen)]
    return [{"text": entries[i][2], "article_id": entries[i][0].ensure_id(),
             "source_sentence": entries[i][1], "outlet": entries[i][0].outlet} for i in chosen]


def cites_correctly(summary: object, text: str) -> bool:
    """Tells whether a summary is a list of ``{"text", "source_sentence"}`` whose every text is
    the sentence of ``text`` it cites."""
    if not isinstance(summary, list) or not summary:
        return False
    sentences = [s.text for s in split_sentences(text)]
    for item in summary:
        if not isinstance(item, dict):
            return False
        index = item.get("source_sentence")
        if not isinstance(index, int) or not 0 <= index < len(sentences) \
                or sentences[index] != item.get("text"):
            return False
    return True


class SummariesEnricher:
    """Fills ``article.summary`` with an extractive summary citing sentence indexes; a summary
    an import already carries is kept when each of its items is the sentence it cites."""

    name = "summaries"

    def enrich(self, articles: list[Article], store: "Store | None") -> None:
        for article in articles:
            if not cites_correctly(article.summary, article.text or ""):
                article.summary = article_summary(article.text or "")
