"""Builds an ingest corpus from real DEV articles with wire reprints among them, as JSONL files.

Originals are DEV story-set articles (``newsdesk.enrich.evaluation``: the WikiNews handpicked
set first, then ECB+ Train/Dev when more are asked for); every ``copy_every``-th original gets
reprints made as outlets run them (``syndication.reprint``: new headline, trimmed ending, byline,
credit line, copy edits) plus, for every other one, an exact copy under another outlet. Each
reprint follows its original by a few hours, so an in-order ingest meets the original first.
Used by the Ray and concurrency tests and by bench/scale_out.py; never HOLDOUT data.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

from newsdesk.enrich.evaluation import load_story_set
from newsdesk.enrich.syndication import Source, reprint
from newsdesk.models import CORE_FIELDS, Article

__all__ = ["DEV_SETS", "dev_corpus", "write_jsonl"]

DEV_SETS = ("wikinews-handpicked", "ecbplus-dev", "ecbplus-train")
_START = datetime(2021, 3, 1, 6, tzinfo=timezone.utc)


def _originals(limit: int) -> list[Article]:
    found: list[Article] = []
    for name in DEV_SETS:
        for article in load_story_set(name).articles:
            if len(found) == limit:
                return found
            if len(article.text.split()) >= 40:  # reprints need a body to trim
                found.append(article)
    return found


def dev_corpus(limit: int = 60, copy_every: int = 6, seed: int = 11) -> tuple[list[Article], dict[str, str]]:
    """Returns (articles in publication order, {copy id: its original's id})."""
    rng = random.Random(seed)
    articles: list[Article] = []
    originals: dict[str, str] = {}
    for n, source_article in enumerate(_originals(limit)):
        when = _START + timedelta(hours=3 * n)
        host = urlsplit(source_article.url or "").hostname or "dev.example"
        original = Article(title=source_article.title, text=source_article.text,
                           url=source_article.url or f"https://{host}/{n}",
                           outlet=host.removeprefix("www."), published_at=when.isoformat(),
                           language="en", id=source_article.id)
        articles.append(original)
        if n % copy_every:
            continue
        source = Source(id=original.id or "", event="", title=original.title,
                        paragraphs=original.text.split("\n\n"), outlet=original.outlet,
                        url=original.url)
        for k in range(1, 3):
            copy = reprint(source, k, "AP", when + timedelta(hours=k), rng)
            articles.append(copy)
            originals[copy.id or ""] = original.id or ""
        if n % (2 * copy_every) == 0:
            exact = Article(title=original.title, text=original.text, outlet="Daily Mirror Wire",
                            url=f"https://mirror.example/{n}", published_at=(
                                when + timedelta(hours=2, minutes=30)).isoformat(),
                            language="en", id=f"{original.id}#exact")
            articles.append(exact)
            originals[exact.id or ""] = original.id or ""
    articles.sort(key=lambda a: (datetime.fromisoformat(a.published_at or ""), a.id or ""))
    return articles, originals


def write_jsonl(path: Path, articles: list[Article]) -> Path:
    """Writes articles as a newsdesk JSONL import (their ids are kept on import)."""
    with path.open("w", encoding="utf-8") as fh:
        for article in articles:
            fh.write(json.dumps(article.to_dict(CORE_FIELDS), ensure_ascii=False) + "\n")
    return path
