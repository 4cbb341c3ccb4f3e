"""Moves a whole archive from one database to another (SQLite to PostgreSQL, or back).

Both ends are opened with ``open_store`` (so both stand at the latest migration), the target
must be empty, and every table is copied in foreign-key order with its ids kept, in batches.
Search indexes rebuild themselves on the target (the FTS5 and tsvector triggers fire on each
inserted article; pgvector columns are filled from the stored float32 bytes). Nothing is
counted as done until the target's row counts equal the source's, table by table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..errors import StoreError
from . import open_store, pgsearch
from .pgconn import is_postgres
from .sqlstore import SQLStore

__all__ = ["TABLES", "TransferReport", "copy_database"]

# Every table of migrations 1-5, parents before children; the key orders reads (and keeps
# a comment's parent before its replies).
TABLES: list[tuple[str, str]] = [
    ("outlets", "id"), ("feeds", "id"), ("documents", "id"), ("articles", "rowid"),
    ("feed_entries", "feed_id, guid"), ("article_vectors", "article_id"),
    ("copy_signatures", "article_id"), ("copy_bands", "band, article_id"), ("stories", "id"),
    ("story_terms", "term"), ("counters", "name"), ("entities", "key"),
    ("entity_mentions", "entity_key, article_id"), ("entity_roles", "id"), ("quotes", "id"),
    ("article_hashtags", "tag, article_id"), ("story_summaries", "story_id"), ("users", "id"),
    ("sessions", "token_hash"), ("comments", "id"), ("api_tokens", "id"),
    ("follows", "user_id, kind, target"), ("web_secrets", "name"),
]
_IDENTITY = ["outlets", "feeds", "documents", "articles", "entity_roles", "quotes", "users",
             "comments", "api_tokens"]
_BATCH = 2000


@dataclass
class TransferReport:
    """Rows copied per table."""

    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _columns(conn: Any, table: str) -> list[str]:
    if is_postgres(conn):
        rows = conn.execute("SELECT column_name FROM information_schema.columns "
                            "WHERE table_schema = current_schema() AND table_name = ? "
                            "ORDER BY ordinal_position", (table,))
    else:
        rows = conn.execute("SELECT name FROM pragma_table_info(?)", (table,))
    return [r[0] for r in rows]


def _count(conn: Any, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # table: our list


def copy_database(source_url: str, target_url: str,
                  progress: Callable[[str, int], None] | None = None) -> TransferReport:
    """Copies every row of ``source_url`` into the empty database at ``target_url``."""
    if source_url == target_url:
        raise StoreError("migrate: source and target are the same database")
    with open_store(source_url) as source, open_store(target_url) as target:
        if not isinstance(source, SQLStore) or not isinstance(target, SQLStore):
            raise StoreError("migrate: both databases must be SQL stores")
        if source.schema_version() != target.schema_version():
            raise StoreError(f"migrate: schema versions differ ({source.schema_version()} and "
                             f"{target.schema_version()}); upgrade newsdesk on both")
        reader = source._reader()
        held = _count(target._reader(), "articles")
        if held:
            raise StoreError(f"migrate: the target already holds {held} articles; "
                             "migrate into an empty database")
        rows: dict[str, int] = {}
        with target._write() as conn:
            pg = is_postgres(conn)
            vector_kinds: set[tuple[str, int]] = set()
            for table, key in TABLES:
                wanted = [c for c in _columns(reader, table) if c in set(_columns(conn, table))]
                insert = (f"INSERT INTO {table}({', '.join(wanted)}) "
                          f"VALUES ({', '.join('?' * len(wanted))})")
                copied = 0
                cursor = reader.execute(f"SELECT {', '.join(wanted)} FROM {table} ORDER BY {key}")
                while batch := cursor.fetchmany(_BATCH):
                    conn.executemany(insert, [tuple(r) for r in batch])
                    copied += len(batch)
                    if pg and table == "article_vectors":
                        vector_kinds |= _fill_embeddings(conn, wanted, batch)
                    if progress:
                        progress(table, copied)
                rows[table] = copied
            if pg:
                for table in _IDENTITY:
                    column = "rowid" if table == "articles" else "id"
                    conn.execute_native(
                        f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                        f"coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)")
                for model, dim in sorted(vector_kinds):
                    pgsearch.ensure_vector_index(conn, model, dim)
            for table, _ in TABLES:
                if _count(conn, table) != rows[table]:
                    raise StoreError(f"migrate: {table} holds {_count(conn, table)} rows on the "
                                     f"target after copying {rows[table]}; nothing was kept")
        return TransferReport(rows)


def _fill_embeddings(conn: Any, columns: list[str], batch: list[Any]) -> set[tuple[str, int]]:
    at_id, at_model, at_vector = (columns.index(c) for c in ("article_id", "model", "vector"))
    updates, kinds = [], set()
    for row in batch:
        vector = np.frombuffer(bytes(row[at_vector]), dtype=np.float32)
        if len(vector):
            updates.append((pgsearch.vector_literal(vector), row[at_id]))
            kinds.add((row[at_model], len(vector)))
    conn.executemany("UPDATE article_vectors SET embedding = CAST(? AS vector) "
                     "WHERE article_id = ?", updates)
    return kinds
