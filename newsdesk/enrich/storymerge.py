"""Merges stories after a batch: pieces of one story that single pass split are folded together.

Single pass decides each article once, in arrival order, so a story whose first articles
arrived before the words that tie them together is split into pieces, and each later article
joins one of them. After a batch, ``merge_stories`` scores every story born in the batch
against its candidate stories with ``story_score`` (average link over both member sets) and
merges mutual best pairs whose score plus a lead over the next-best partner is high. Only a
story born in the batch is ever merged away (it lives in the ``BatchStoryIndex`` overlay until
the batch is committed), so no stored or exported ``story_id`` changes. docs/stories.md has
the DEV sweep ("Merges after a batch").
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .storyindex import BatchStoryIndex, StoryState, to_days

if TYPE_CHECKING:
    from .stories import StoryClusterer, StoryConfig

__all__ = ["merge_stories", "story_score"]


def story_score(clusterer: "StoryClusterer", a: StoryState, b: StoryState) -> float | None:
    """Returns the score of two stories as one: each signal an average link over both
    member sets (the mean similarity of a member of one to a member of the other), less
    the time penalty of the gap between their spans; None when they are ``cold_days``
    or more apart."""
    cfg = clusterer.config
    na, nb = max(a.size, 1), max(b.size, 1)
    total = 0.0
    if cfg.w_dense and a.centroid.size and a.centroid.shape == b.centroid.shape:
        total += cfg.w_dense * max(0.0, float(a.centroid @ b.centroid))
    total += cfg.w_terms * clusterer._dot(a.terms, b.terms) / (na * nb)
    if a.names_norm and b.names_norm:
        total += cfg.w_names * clusterer._dot(a.names, b.names) / (max(a.named, 1) * max(b.named, 1))
    else:
        total += cfg.w_names * cfg.names_unknown
    first_a, last_a = to_days(a.first_seen), to_days(a.last_seen)
    first_b, last_b = to_days(b.first_seen), to_days(b.last_seen)
    if None not in (first_a, last_a, first_b, last_b):
        gap = max(0.0, first_b - last_a, first_a - last_b)  # type: ignore[operator]
        if gap > cfg.cold_days:
            return None
        total -= cfg.time_penalty * min(1.0, gap / cfg.cold_days)
    return total


def _best_partner(clusterer: "StoryClusterer", batch: BatchStoryIndex,
                  story: StoryState) -> tuple[StoryState | None, float]:
    """Returns a story's best-scoring other story and that score plus merge_lead x its
    lead over the next-best (lead_floor when there is none)."""
    cfg = clusterer.config
    best, best_score, second = None, -math.inf, cfg.lead_floor
    for other in batch.candidates(story.centroid, story.last_seen, cfg.limit, cfg.cold_days):
        if other.id == story.id or other.size <= 0:
            continue
        s = clusterer.story_score(story, other)
        if s is None:
            continue
        if s > best_score:
            best, best_score, second = other, s, max(best_score, second)
        elif s > second:
            second = s
    if best is None:
        return None, -math.inf
    return best, best_score + cfg.merge_lead * (best_score - second)


def merge_stories(clusterer: "StoryClusterer", batch: BatchStoryIndex) -> dict[str, str]:
    """Merges the batch's stories with each other and with stored stories; returns
    {merged-away id: id it went into}.

    Single pass splits a story whose first articles arrived before the words that tie
    them together; its pieces then score higher with each other than with anything
    else. Each round scores every story born in the batch against its candidates and
    merges mutual best pairs whose score with lead reaches ``merge_threshold``, the
    highest first, each story at most once a round. A stored story keeps its id and
    absorbs a story born in the batch; two of the batch's stories merge into the larger
    (the earlier born on a tie). Cost: one candidate search and up to ``limit`` story
    scores per story born in the batch and round."""
    cfg = clusterer.config
    alias: dict[str, str] = {}
    if not cfg.merge_threshold:
        return alias
    born = {story_id: n for n, story_id in enumerate(batch.fresh.states)}
    for _ in range(cfg.merge_rounds):
        partners = {s.id: _best_partner(clusterer, batch, s) for s in list(batch.fresh.states.values())}
        done: set[str] = set()
        merged = 0
        for story_id, (other, score) in sorted(partners.items(), key=lambda kv: -kv[1][1]):
            if other is None or story_id in done or other.id in done:
                continue
            story = batch.get(story_id)
            assert story is not None
            bar = clusterer.merge_bar(story, other)
            if score < bar:
                continue
            if other.id not in partners:  # a stored story: its own best must be this one
                partners[other.id] = _best_partner(clusterer, batch, other)
            back, back_score = partners[other.id]
            if back is None or back.id != story_id or back_score < bar:
                continue
            keep, gone = _survivor(batch, born, story, other)
            _absorb(cfg, keep, gone)
            batch.drop(gone.id)
            batch.save(keep)
            alias[gone.id] = keep.id
            done.update((story_id, other.id))
            merged += 1
        if not merged:
            break
    return alias


def _survivor(batch: BatchStoryIndex, born: dict[str, int], a: StoryState,
              b: StoryState) -> tuple[StoryState, StoryState]:
    """Returns (the story that keeps its id, the one merged into it)."""
    if not batch.is_fresh(a.id):
        return a, b
    if not batch.is_fresh(b.id):
        return b, a
    if (b.size, -born.get(b.id, 0)) > (a.size, -born.get(a.id, 0)):
        return b, a
    return a, b


def _absorb(cfg: "StoryConfig", keep: StoryState, gone: StoryState) -> None:
    """Adds ``gone``'s members to ``keep``: sizes, sums, span and title."""
    n, m = keep.size, gone.size
    if keep.centroid.shape == gone.centroid.shape and n + m:
        keep.centroid = ((keep.centroid * n + gone.centroid * m) / (n + m)).astype(np.float32)
    keep.size = n + m
    keep.add_weights(gone.terms, gone.names, cfg.max_terms, cfg.max_names)
    keep.named += gone.named
    firsts = [w for w in (keep.first_seen, gone.first_seen) if to_days(w) is not None]
    lasts = [w for w in (keep.last_seen, gone.last_seen) if to_days(w) is not None]
    keep.first_seen = min(firsts, key=to_days) if firsts else keep.first_seen  # type: ignore[arg-type]
    keep.last_seen = max(lasts, key=to_days) if lasts else keep.last_seen  # type: ignore[arg-type]

    def closeness(v: np.ndarray | None) -> float:
        if v is None or v.shape != keep.centroid.shape or not v.size:
            return -1.0
        return float(v @ keep.centroid)
    if gone.title and closeness(gone.title_vector) > closeness(keep.title_vector):
        keep.title, keep.title_article_id = gone.title, gone.title_article_id
        keep.title_vector = gone.title_vector
