"""Saves a batch of articles with the index state staged by the steps that enriched them."""

from __future__ import annotations

import sqlite3
from typing import Protocol

from ..models import Article
from . import articles, outlets
from .base import SaveResult

__all__ = ["Staged", "save_batch"]


class Staged(Protocol):
    """An index whose writes wait in memory for the batch's transaction."""

    def flush(self, conn: sqlite3.Connection) -> None: ...


def save_batch(conn: sqlite3.Connection, batch: list[Article], document_id: int | None,
               staged: list[Staged]) -> list[SaveResult]:
    """Writes the staged index state, then the articles, with ``conn`` (one transaction)."""
    for index in staged:
        index.flush(conn)
    results = []
    for article in batch:
        outlet_id = outlets.ensure(conn, article.outlet, article.url)
        results.append(articles.save(conn, article, outlet_id, document_id))
    return results
