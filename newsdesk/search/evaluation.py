"""Measures retrieval and answering on the labelled DEV story sets of ../shared/datasets.

Retrieval: every article of a story set goes into a fresh database (with its vector); the
headline of each article that has story mates is the query, and the other articles of its
story are what it should find. Recall@10 (share of the mates in the top 10, the query article
itself left out) and MRR (1 / rank of the first mate) are averaged over queries.

Answering ("ask set"): stories are split in two; the archive holds the first two articles of
each story of the first half; the headline of each story's third article is the question. A
question of the first half has an answer in the archive, one of the second half has none.
``ask_scores`` returns the best sentence score of each question, for choosing ``ANSWER_MIN``.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..enrich.embeddings import article_text, get_embedder
from ..models import Article
from ..store import Store, open_store
from .ask import ASK_ARTICLES, score_sentences
from .hybrid import search

__all__ = ["RetrievalScores", "load_archive", "retrieval_scores", "ask_scores"]


@dataclass
class RetrievalScores:
    mode: str
    queries: int
    recall_at_10: float
    mrr: float


def load_archive(path: Path, articles: Iterable[Article], model: str) -> Store:
    """Returns a new store at ``path`` holding the articles, embedded with ``model``."""
    store = open_store(f"sqlite:///{path}")
    embedder = get_embedder(model)
    batch: list[Article] = []

    def flush() -> None:
        vectors = embedder.embed([article_text(a) for a in batch])
        for article, vector in zip(batch, vectors, strict=False):
            article.vector, article.vector_model = vector, embedder.name
            store.save_article(article)
        batch.clear()

    for article in articles:
        batch.append(Article(id=article.id, title=article.title, text=article.text,
                             url=article.url, outlet=article.outlet,
                             published_at=article.published_at))
        if len(batch) == 64:
            flush()
    if batch:
        flush()
    return store


def retrieval_scores(store: Store, gold: dict[str, str], titles: dict[str, str],
                     modes: Iterable[str] = ("bm25", "vector", "hybrid")) -> list[RetrievalScores]:
    """Returns recall@10 and MRR of headline queries for each retrieval mode."""
    members: dict[str, set[str]] = defaultdict(set)
    for aid, story in gold.items():
        members[story].add(aid)
    queries = [aid for aid in gold if len(members[gold[aid]]) > 1]
    results = []
    for mode in modes:
        recall = mrr = 0.0
        for aid in queries:
            mates = members[gold[aid]] - {aid}
            hits = [h["id"] for h in search(store, titles[aid], limit=11, mode=mode)]
            # Copies folded into a hit count as found too.
            ranked = [h for h in hits if h != aid][:10]
            recall += len(mates & set(ranked)) / len(mates)
            mrr += next((1.0 / (i + 1) for i, h in enumerate(ranked) if h in mates), 0.0)
        n = max(1, len(queries))
        results.append(RetrievalScores(mode, len(queries), recall / n, mrr / n))
    return results


def ask_scores(articles: list[Article], gold: dict[str, str], model: str, stories: int
               ) -> list[tuple[bool, float]]:
    """Returns (answerable, best sentence score) for the questions of an ask set built from
    ``stories`` stories of a story set (half answerable, half not)."""
    by_story: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        by_story[gold[article.id]].append(article)
    usable = [s for s, group in by_story.items() if len(group) >= 3][:stories]
    half = len(usable) // 2
    archive = [a for s in usable[:half] for a in by_story[s][:2]]
    questions = [(i < half, by_story[s][2].title) for i, s in enumerate(usable)]
    found: list[tuple[bool, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = load_archive(Path(tmp) / "ask.db", archive, model)
        try:
            for answerable, question in questions:
                hits = search(store, question, limit=ASK_ARTICLES)
                scored = score_sentences(store, question, hits)
                found.append((answerable, scored[0].score if scored else 0.0))
        finally:
            store.close()
    return found
