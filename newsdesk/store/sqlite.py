"""Runs the SQLite engine: one file, WAL, one writer connection, a reader connection per thread."""

from __future__ import annotations

import logging
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator
from urllib.parse import unquote, urlsplit

from ..errors import StoreError
from .migrations import SQLITE_MIGRATIONS
from .sqlstore import SQLStore, pending_migrations

if TYPE_CHECKING:
    from .copies import StoredCopyIndex
    from .storyindex import StoredStoryIndex

__all__ = ["SQLiteStore", "sqlite_path"]

log = logging.getLogger(__name__)


def sqlite_path(url: str) -> Path:
    """Returns the file path of a ``sqlite:///path.db`` URL (``sqlite:////abs`` is absolute)."""
    parts = urlsplit(url)
    if parts.scheme != "sqlite" or parts.netloc not in ("", "localhost"):
        raise StoreError(f"store: {url!r} is not a sqlite:///path URL")
    path = unquote(parts.path)
    if path.startswith("/") and not url.startswith("sqlite:////"):
        path = path[1:]  # sqlite:///rel.db is relative, as in SQLAlchemy
    if not path or path == ":memory:":
        raise StoreError(f"store: {url!r} names no database file")
    return Path(path)


class SQLiteStore(SQLStore):
    """A newsdesk database in one SQLite file.

    Writes are serialised through one connection and a lock (SQLite allows one writer; doing it
    here gives clean errors instead of "database is locked"). Readers get a connection per
    thread, so the web app reads while ingest writes (WAL).
    """

    def __init__(self, url: str):
        self.url = url
        self.path = sqlite_path(url)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"store: cannot create folder for {self.path}: {exc.strerror}") from None
        self._write_lock = threading.RLock()
        self._exclusive_lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._writer = self._connect()
        self._story_index: StoredStoryIndex | None = None
        self._copy_index: StoredCopyIndex | None = None
        self._migrate()

    # -- connections -----------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=30)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"store: cannot open {self.path}: {exc}") from None
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """Runs a block as one write transaction on the writer connection."""
        with self._write_lock:
            conn = self._writer
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        self._writer.close()

    # -- migrations --------------------------------------------------------------------------
    def _migrate(self) -> None:
        conn = self._writer
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                         "version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
                         "applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)")
            applied = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"store: {self.path} is not a newsdesk database: {exc}") from None
        for version, description, sql in pending_migrations(SQLITE_MIGRATIONS, applied, self.path):
            try:
                # executescript runs statements as given: BEGIN/COMMIT make it one transaction.
                conn.executescript(
                    f"BEGIN IMMEDIATE;\n{sql}\n"
                    f"INSERT INTO schema_migrations(version, description) "
                    f"VALUES ({int(version)}, '{description.replace(chr(39), '')}');\nCOMMIT;")
            except sqlite3.DatabaseError as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise StoreError(f"store: migration {version} failed on {self.path}: {exc}") from None

    def schema_version(self) -> int:
        row = self._reader().execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    def _data_version(self) -> int:
        # The writer's data_version: it changes when another connection (another worker
        # process) commits, never for this store's own writes.
        with self._write_lock:
            return int(self._writer.execute("PRAGMA data_version").fetchone()[0])

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        # flock on a file beside the database: held by this process until released or it dies,
        # so a killed worker never leaves the lock behind. The thread lock orders threads.
        import fcntl

        with self._exclusive_lock, open(f"{self.path}.lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def vector_index_path(self) -> Path:
        return self.path.with_name(self.path.name + ".vectors.usearch")
