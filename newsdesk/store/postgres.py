"""Runs the PostgreSQL engine: a shared server that many workers and web processes use at once.

Selected by a ``postgresql://`` URL. The schema comes from the same numbered migrations as
SQLite's (``pgmigrations.py``), applied under an advisory lock so that workers starting
together migrate once. Writes run in transactions on one writer connection per process;
readers get a connection per thread. Workers on other machines are coordinated by the
database alone: constraints make a second insert of an article a no-op, and ``exclusive()``
is an advisory lock held on its own connection, released by the server if the worker dies.
"""

from __future__ import annotations

import logging
import threading
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any, Iterator
from urllib.parse import urlsplit, urlunsplit

from ..errors import StoreError
from ..models import Article
from . import pgsearch
from .base import SaveResult
from .pgconn import PgConnection
from .pgmigrations import PG_MIGRATIONS
from .sqlstore import SQLStore, pending_migrations

if TYPE_CHECKING:
    import numpy as np

    from .copies import StoredCopyIndex
    from .storyindex import StoredStoryIndex

__all__ = ["PostgresStore", "redacted"]

log = logging.getLogger(__name__)

# Advisory lock keys (any two constants this application owns on the server).
_MIGRATE_LOCK = 7_405_912_001
_EXCLUSIVE_LOCK = 7_405_912_002
_STORY_VERSION = "story_version"


def redacted(url: str) -> str:
    """Returns the URL without its password, for messages."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def _psycopg():
    try:
        import psycopg
    except ImportError:
        raise StoreError("store: the PostgreSQL engine needs psycopg; install newsdesk[postgres]") from None
    return psycopg


class _Entered:
    """Closes a context manager that was already entered, when its ``with`` block ends."""

    def __init__(self, manager: Any):
        self._manager = manager

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> Any:
        return self._manager.__exit__(*exc)


class PostgresStore(SQLStore):
    """A newsdesk database on a PostgreSQL server (16 or newer, with pgvector)."""

    def __init__(self, url: str):
        self.url = url.replace("postgres://", "postgresql://", 1)
        self._psycopg = _psycopg()
        self._write_lock = threading.RLock()
        self._exclusive_lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[PgConnection] = []
        self._readers_lock = threading.Lock()
        self._lock_conn: PgConnection | None = None
        self._own_story_writes = 0  # story-version bumps this process committed
        self._vector_indexes: set[tuple[str, int]] = set()
        self._story_index: StoredStoryIndex | None = None
        self._copy_index: StoredCopyIndex | None = None
        self._writer = self._connect()
        try:
            self._migrate()
        except BaseException:
            self._writer.close()
            raise

    # -- connections -----------------------------------------------------------------------
    def _connect_raw(self) -> Any:
        try:
            return self._psycopg.connect(self.url, autocommit=True, connect_timeout=30)
        except self._psycopg.Error as exc:
            reason = " ".join(str(exc).split())
            raise StoreError(f"store: cannot connect to {redacted(self.url)}: {reason}") from None

    def _connect(self, reader: bool = False) -> PgConnection:
        return PgConnection(self._connect_raw(), self._connect_raw if reader else None)

    @staticmethod
    def _usable(conn: PgConnection | None) -> bool:
        # A connection the server dropped (a restart, a failover) is replaced on next use.
        return conn is not None and not conn.raw.closed and not conn.raw.broken

    def _reader(self) -> PgConnection:
        conn = getattr(self._local, "conn", None)
        if not self._usable(conn):
            conn = self._connect(reader=True)
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[PgConnection]:
        """Runs a block as one write transaction on the writer connection."""
        with self._write_lock, ExitStack() as stack:
            try:
                stack.enter_context(self._begin())
                yield self._writer
            except self._psycopg.Error as exc:
                raise StoreError(f"store: write to {redacted(self.url)} failed: "
                                 f"{' '.join(str(exc).split())}") from None

    def _begin(self) -> Any:
        """Opens a transaction on the writer; a connection the server dropped since the last
        one shows at BEGIN, before anything was written, so it is replaced and BEGIN retried."""
        if not self._usable(self._writer):
            self._writer = self._connect()
        transaction = self._writer.raw.transaction()
        try:
            transaction.__enter__()
        except self._psycopg.OperationalError:
            if not self._writer.raw.broken:
                raise
            self._writer = self._connect()
            transaction = self._writer.raw.transaction()
            transaction.__enter__()
        return _Entered(transaction)

    def close(self) -> None:
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        if self._lock_conn is not None:
            self._lock_conn.close()
        self._writer.close()

    # -- migrations --------------------------------------------------------------------------
    def _migrate(self) -> None:
        conn = self._writer
        try:
            with conn.raw.transaction():
                conn.execute_native("SELECT pg_advisory_xact_lock(%s)", (_MIGRATE_LOCK,))
                conn.execute_native(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                    "description TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT now()::text)")
                applied = {r[0] for r in conn.execute_native("SELECT version FROM schema_migrations")}
                for version, description, sql in pending_migrations(PG_MIGRATIONS, applied,
                                                                    redacted(self.url)):
                    conn.raw.execute(sql)  # no parameters: several statements in one call
                    conn.execute_native("INSERT INTO schema_migrations(version, description) "
                                        "VALUES (%s, %s)", (version, description))
        except self._psycopg.Error as exc:
            raise StoreError(f"store: cannot migrate {redacted(self.url)}: "
                             f"{' '.join(str(exc).split())}") from None

    def schema_version(self) -> int:
        row = self._reader().execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    # -- coordination between workers ---------------------------------------------------------
    @contextmanager
    def exclusive(self) -> Iterator[None]:
        # A session advisory lock on a connection of its own: a transaction elsewhere never
        # releases it early, and the server drops it if this worker dies.
        with self._exclusive_lock:
            if not self._usable(self._lock_conn):
                self._lock_conn = self._connect()
            self._lock_conn.execute_native("SELECT pg_advisory_lock(%s)", (_EXCLUSIVE_LOCK,))
            try:
                yield
            finally:
                self._lock_conn.execute_native("SELECT pg_advisory_unlock(%s)", (_EXCLUSIVE_LOCK,))

    def _data_version(self) -> int:
        # Every batch with story writes bumps the counter in its transaction; this process's
        # own bumps are taken off, so the number moves only when another worker committed.
        row = self._reader().execute("SELECT value FROM counters WHERE name = ?",
                                     (_STORY_VERSION,)).fetchone()
        return (int(row[0]) if row else 0) - self._own_story_writes

    def _saved(self, conn: Any, batch: list[Article], results: list[SaveResult],
               story_writes: bool) -> None:
        if story_writes:
            conn.execute("INSERT INTO counters(name, value) VALUES (?, 1) "
                         "ON CONFLICT(name) DO UPDATE SET value = counters.value + 1",
                         (_STORY_VERSION,))
        rows = [(pgsearch.vector_literal(a.vector), r.id) for a, r in zip(batch, results, strict=True)
                if r.created and a.vector is not None and len(a.vector)]
        if not rows:
            return
        conn.executemany("UPDATE article_vectors SET embedding = CAST(? AS vector) "
                         "WHERE article_id = ?", rows)
        for article in batch:
            key = (article.vector_model or "", len(article.vector) if article.vector is not None else 0)
            if key[1] and key not in self._vector_indexes:
                pgsearch.ensure_vector_index(conn, *key)
                self._vector_indexes.add(key)

    def _committed(self, story_writes: bool) -> None:
        if story_writes:
            self._own_story_writes += 1

    # -- search ------------------------------------------------------------------------------
    def vector_index_path(self) -> None:
        return None  # vectors are searched in the database (pgvector HNSW)

    def nearest_vectors(self, vector: "np.ndarray", model: str, k: int) -> list[tuple[int, float]]:
        """Returns up to ``k`` (rowid, cosine) of the model's vectors nearest to ``vector``."""
        return pgsearch.nearest(self._reader(), vector, model, k)
