"""Loads the labelled story sets of ../shared/datasets and scores a clustering against them.

Metrics (datasets README): pair-counting P/R/F1 (a true positive is a pair of articles in the
same predicted and the same gold cluster) and BCubed P/R/F1 (per article, the share of its
predicted cluster that shares its gold label, and the share of its gold cluster that was put
with it, averaged over articles).

DEV sets are for tuning; HOLDOUT sets are only loaded with ``holdout=True``, for the final
independent check (bench/stories.py --holdout). Never tune on them. ``SHORT_DEV_SETS`` are
short-input variants of DEV sets (headline alone, headline + first sentence) and
``TOPIC_DEV_SETS`` the topic-level wikiref220 (all DEV); both are built from DEV data only.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..models import Article

__all__ = ["StorySet", "DEV_SETS", "SHORT_DEV_SETS", "TOPIC_DEV_SETS", "HOLDOUT_SETS", "load_story_set",
           "shorten", "first_sentence", "pair_scores", "bcubed", "Scores", "score", "datasets_root"]


def datasets_root() -> Path:
    """Returns ../shared/datasets relative to the repository root."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


@dataclass
class StorySet:
    """Articles (in ingest order: by date where dates exist) with their gold story labels."""

    name: str
    articles: list[Article]
    gold: dict[str, str]  # article id -> gold cluster
    dated: bool


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _neus(split: str) -> StorySet:
    rows = [r for r in _read(datasets_root() / "stories/neus_allsides/neus_clusters_title_lead.jsonl")
            if r["split"] == split]
    articles, gold = [], {}
    for r in rows:
        aid = f"neus-{r['cluster_id']}-{r['pos']}"
        articles.append(Article(id=aid, title=r["title"], text=r["lead"] or r["title"]))
        gold[aid] = r["cluster_id"]
    return StorySet(f"neus-{split}", articles, gold, dated=False)


def _neus_crawl() -> StorySet:
    rows = _read(datasets_root() / "stories/neus_allsides/allsides_roundups_2021crawl.jsonl")
    rows = [r for r in rows if (r.get("title") or "").strip()]
    rows.sort(key=lambda r: (r["story_date"] or "", r["cluster_id"], r["side"] or ""))
    articles, gold = [], {}
    for n, r in enumerate(rows):
        aid = f"allsides-{r['cluster_id']}-{n}"
        articles.append(Article(id=aid, title=r["title"], text=r.get("lead") or r["title"],
                                outlet=r.get("source"), url=r.get("url"),
                                published_at=r.get("story_date")))
        gold[aid] = str(r["cluster_id"])
    return StorySet("neus-2021crawl", articles, gold, dated=True)


def _ecbplus(split: str) -> StorySet:
    rows = [r for r in _read(datasets_root() / "stories/ecbplus_barhom_sentences/documents.jsonl")
            if r["split"] == split]
    articles, gold = [], {}
    for r in rows:
        lines = [ln for ln in r["text"].split("\n") if ln.strip()]
        # Sentence 0 is the title line when it was annotated; else the first sentence leads.
        title = lines[0] if lines else r["doc_id"]
        body = "\n\n".join(lines[1:]) if len(lines) > 1 else title
        aid = f"ecb-{r['doc_id']}"
        articles.append(Article(id=aid, title=title, text=body))
        gold[aid] = r["subtopic"]
    return StorySet(f"ecbplus-{split.lower()}", articles, gold, dated=False)


def _wikinews_handpicked() -> StorySet:
    rows = _read(datasets_root() / "stories/wikinews_galaxy/handpicked_two_level.jsonl")
    rows.sort(key=lambda r: r.get("created_at") or "")
    articles, gold = [], {}
    for n, r in enumerate(rows):
        aid = f"wn-hand-{n}"
        articles.append(Article(id=aid, title=r["title"], text=r["text"], url=r.get("url"),
                                published_at=r.get("created_at")))
        gold[aid] = r["event_id"]
    return StorySet("wikinews-handpicked", articles, gold, dated=True)


DEV_SETS = {
    "neus-train": lambda: _neus("train"),
    "neus-val": lambda: _neus("val"),
    "neus-2021crawl": _neus_crawl,
    "ecbplus-train": lambda: _ecbplus("Train"),
    "ecbplus-dev": lambda: _ecbplus("Dev"),
    "wikinews-handpicked": _wikinews_handpicked,
}

_SENTENCE = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")


def first_sentence(text: str) -> str:
    """Returns the first sentence of ``text`` (its first paragraph when no sentence end is found)."""
    para = next((p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()), "")
    return _SENTENCE.split(para, maxsplit=1)[0].strip()


def shorten(story_set: StorySet, mode: str) -> StorySet:
    """Returns a DEV set cut down to short inputs, as headline-only feeds and terse wires send:
    ``titles`` keeps the headline alone (the text is the headline, as a headline-only import
    gives), ``first`` the headline and the text's first sentence."""
    if mode not in ("titles", "first"):
        raise ValueError(f"shorten: mode must be 'titles' or 'first', not {mode!r}")
    articles = []
    for a in story_set.articles:
        title = (a.title or "").strip()
        text = title if mode == "titles" else (first_sentence(a.text or "") or title)
        articles.append(Article(id=a.id, title=title, text=text, url=a.url, outlet=a.outlet,
                                published_at=a.published_at))
    return StorySet(f"{story_set.name}-{mode}", articles, story_set.gold, story_set.dated)


def _wikiref220() -> StorySet:
    # All DEV (datasets README). Gold is the topic (5 topics of 35-39 articles and 11 small
    # "noise" topics), not the story, so it rewards keeping big groups whole: the one DEV set
    # with stories the size of a busy news day's (the rest hold 3-11 articles per story).
    folder = datasets_root() / "stories/wikiref220/app/data_processing/test_data/wikiref/WikiRef220"
    articles, gold = [], {}
    for path in sorted(folder.glob("*.txt")):
        raw = path.read_bytes().decode("utf-8", errors="replace")
        paras = [p.strip() for p in re.split(r"\n\s*\n", raw) if p.strip()]
        if not paras:
            continue
        topic = re.sub(r"[ .(]*\d+\)?$", "", path.stem).lower()
        aid = f"wikiref-{path.stem}"
        articles.append(Article(id=aid, title=paras[0], text="\n\n".join(paras[1:]) or paras[0]))
        gold[aid] = topic
    return StorySet("wikiref220", articles, gold, dated=False)


# Short-input variants of DEV sets only (never of a HOLDOUT set): the scale of similarities
# between a few words differs from that between leads, and these sets tune for it. neus'
# full sets already are headline + one-sentence lead, so their short form is the headline.
SHORT_DEV_SETS = {
    "neus-train-titles": lambda: shorten(_neus("train"), "titles"),
    "neus-val-titles": lambda: shorten(_neus("val"), "titles"),
    "neus-2021crawl-titles": lambda: shorten(_neus_crawl(), "titles"),
    "neus-2021crawl-first": lambda: shorten(_neus_crawl(), "first"),
    "ecbplus-train-titles": lambda: shorten(_ecbplus("Train"), "titles"),
    "ecbplus-dev-titles": lambda: shorten(_ecbplus("Dev"), "titles"),
    "ecbplus-train-first": lambda: shorten(_ecbplus("Train"), "first"),
    "ecbplus-dev-first": lambda: shorten(_ecbplus("Dev"), "first"),
    "wikiref220-titles": lambda: shorten(_wikiref220(), "titles"),
    "wikinews-handpicked-titles": lambda: shorten(_wikinews_handpicked(), "titles"),
    "wikinews-handpicked-first": lambda: shorten(_wikinews_handpicked(), "first"),
}

# Topic-level DEV sets: reported, not gated (a story clusterer rightly splits a topic).
TOPIC_DEV_SETS = {"wikiref220": _wikiref220}


def _wikinews_articles() -> StorySet:
    # created_at is the 2014 crawl time, not publication time (the set's README): undated.
    rows = _read(datasets_root() / "stories/wikinews_galaxy/articles.jsonl")
    articles, gold = [], {}
    for n, r in enumerate(rows):
        aid = f"wn-{n}"
        articles.append(Article(id=aid, title=r["title"], text=r["text"] or r["title"],
                                url=r.get("url")))
        gold[aid] = str(r["cluster_id"])
    return StorySet("wikinews-articles", articles, gold, dated=False)


def _basil() -> StorySet:
    rows = _read(datasets_root() / "stories/basil_triplets/articles.jsonl")
    rows.sort(key=lambda r: (r.get("date") or "", r["cluster_id"], r.get("source") or ""))
    articles, gold = [], {}
    for n, r in enumerate(rows):
        aid = f"basil-{n}"
        articles.append(Article(id=aid, title=r["title"], text=r["text"] or r["title"],
                                outlet=r.get("source"), url=r.get("url"),
                                published_at=r.get("date") or None))
        gold[aid] = str(r["cluster_id"])
    return StorySet("basil", articles, gold, dated=True)


def _uci() -> StorySet:
    import csv
    from datetime import datetime, timezone

    path = datasets_root() / "stories/uci_news_aggregator_prefix/newsCorpora_first_rows.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows.sort(key=lambda r: (int(r["TIMESTAMP"]), int(r["ID"])))
    articles, gold = [], {}
    for r in rows:
        aid = f"uci-{r['ID']}"
        when = datetime.fromtimestamp(int(r["TIMESTAMP"]) / 1000, tz=timezone.utc)
        # Headlines only: the headline is the text too.
        articles.append(Article(id=aid, title=r["TITLE"], text=r["TITLE"], url=r.get("URL"),
                                outlet=r.get("PUBLISHER"), published_at=when.isoformat()))
        gold[aid] = r["STORY"]
    return StorySet("uci", articles, gold, dated=True)


HOLDOUT_SETS = {
    "neus-test": lambda: _neus("test"),
    "ecbplus-test": lambda: _ecbplus("Test"),
    "wikinews-articles": _wikinews_articles,
    "basil": _basil,
    "uci": _uci,
}


def load_story_set(name: str, *, holdout: bool = False) -> StorySet:
    """Returns a DEV story set (or a short DEV variant) by name; HOLDOUT sets need ``holdout=True``."""
    if name in DEV_SETS:
        return DEV_SETS[name]()
    if name in SHORT_DEV_SETS:
        return SHORT_DEV_SETS[name]()
    if name in TOPIC_DEV_SETS:
        return TOPIC_DEV_SETS[name]()
    if name in HOLDOUT_SETS and holdout:
        return HOLDOUT_SETS[name]()
    raise KeyError(f"unknown story set {name!r} (holdout sets need holdout=True)")


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pair_scores(pred: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    """Returns pair-counting precision, recall and F1 over the articles of ``gold``."""
    cells = Counter((pred[a], gold[a]) for a in gold)
    tp = sum(_pairs(n) for n in cells.values())
    pred_pairs = sum(_pairs(n) for n in Counter(pred[a] for a in gold).values())
    gold_pairs = sum(_pairs(n) for n in Counter(gold.values()).values())
    p = tp / pred_pairs if pred_pairs else 1.0
    r = tp / gold_pairs if gold_pairs else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def bcubed(pred: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    """Returns BCubed precision, recall and F1 over the articles of ``gold``."""
    cells = Counter((pred[a], gold[a]) for a in gold)
    pred_size = Counter(pred[a] for a in gold)
    gold_size = Counter(gold.values())
    p = sum(cells[(pred[a], gold[a])] / pred_size[pred[a]] for a in gold) / len(gold)
    r = sum(cells[(pred[a], gold[a])] / gold_size[gold[a]] for a in gold) / len(gold)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Scores:
    pair: tuple[float, float, float]
    bcubed: tuple[float, float, float]
    clusters: int
    gold_clusters: int

    def row(self) -> str:
        return (f"pair P/R/F1 {self.pair[0]:.3f}/{self.pair[1]:.3f}/{self.pair[2]:.3f}  "
                f"BCubed P/R/F1 {self.bcubed[0]:.3f}/{self.bcubed[1]:.3f}/{self.bcubed[2]:.3f}  "
                f"clusters {self.clusters} (gold {self.gold_clusters})")


def score(pred: dict[str, str], gold: dict[str, str]) -> Scores:
    """Returns both metrics and the cluster counts."""
    groups: dict[str, int] = defaultdict(int)
    for a in gold:
        groups[pred[a]] += 1
    return Scores(pair_scores(pred, gold), bcubed(pred, gold), len(groups), len(set(gold.values())))
