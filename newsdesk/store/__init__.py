"""Stores newsdesk data behind one interface; ``open_store(url)`` picks the engine."""

from __future__ import annotations

from ..errors import StoreError
from .base import SaveResult, Store

__all__ = ["Store", "SaveResult", "open_store"]


def open_store(url: str) -> Store:
    """Opens (creating and migrating as needed) the database at ``url``."""
    if url.startswith("sqlite:"):
        from .sqlite import SQLiteStore

        return SQLiteStore(url)
    if url.startswith(("postgresql:", "postgres:")):
        from .postgres import PostgresStore

        return PostgresStore(url)
    raise StoreError(f"store: unsupported database URL {url!r}; use sqlite:///path.db or "
                     "postgresql://user@host/db")
