"""Lets the store's SQL modules run on PostgreSQL: a psycopg connection that speaks their dialect.

The store modules are written once, in the SQL both engines share, with SQLite's ``?``
placeholders. This wrapper rewrites the few SQLite spellings that PostgreSQL lacks, once per
statement text (cached): ``?`` to ``%s``, ``INSERT OR IGNORE`` to ``ON CONFLICT DO NOTHING``,
``x = ? COLLATE NOCASE`` and ``x COLLATE NOCASE`` to ``lower()`` (the server may lack ICU),
``LIKE`` to ``ILIKE`` (SQLite's LIKE ignores case) and ``julianday()`` to epoch days. Rows come
back as ``Row``: by position, by name and as ``dict(row)``, like ``sqlite3.Row``. What cannot be
rewritten safely (full-text search, JSON) lives in engine-specific functions instead
(``store/pgsearch.py``), chosen with ``is_postgres(conn)``.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any, Callable, Iterable, Sequence

__all__ = ["PgConnection", "Row", "translate", "is_postgres"]

_LITERAL = re.compile(r"('(?:[^']|'')*')")
_IDENT = r"([A-Za-z_][\w.]*)"
_NOCASE_EQ = re.compile(_IDENT + r"\s*=\s*\?\s+COLLATE\s+NOCASE", re.I)
_NOCASE = re.compile(_IDENT + r"\s+COLLATE\s+NOCASE", re.I)
_JULIANDAY = re.compile(r"julianday\(\s*([\w.?]+)\s*\)", re.I)
_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.I)
_RETURNING = re.compile(r"\sRETURNING\s", re.I)


def is_postgres(conn: object) -> bool:
    """Returns whether a store connection talks to PostgreSQL (else it is SQLite's)."""
    return isinstance(conn, PgConnection)


def _rewrite(part: str) -> str:
    part = part.replace("%", "%%")
    part = _NOCASE_EQ.sub(r"lower(\1) = lower(?)", part)
    part = _NOCASE.sub(r"lower(\1)", part)
    part = re.sub(r"\bLIKE\b", "ILIKE", part)
    part = _JULIANDAY.sub(r"(extract(epoch from CAST(\1 AS timestamptz)) / 86400.0)", part)
    return part.replace("?", "%s")


@lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """Returns the PostgreSQL spelling of one statement written in the shared dialect."""
    ignore = bool(_OR_IGNORE.match(sql))
    if ignore:
        sql = _OR_IGNORE.sub("INSERT INTO", sql, count=1)
    parts = _LITERAL.split(sql)
    # Odd parts are quoted literals: only '%' needs escaping there, for psycopg's formatting.
    out = "".join(p.replace("%", "%%") if i % 2 else _rewrite(p) for i, p in enumerate(parts))
    if ignore:
        found = _RETURNING.search(out)
        if found:
            out = out[:found.start()] + " ON CONFLICT DO NOTHING" + out[found.start():]
        else:
            out += " ON CONFLICT DO NOTHING"
    return out


def _param(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)  # flags are INTEGER 0/1 columns, as in SQLite
    if isinstance(value, datetime):
        return value.isoformat(" ")  # sqlite3's default adapter
    return value


def _params(params: Sequence[Any] | None) -> tuple:
    return tuple(_param(v) for v in params) if params else ()


class Row:
    """One result row, read by position, by (case-insensitive) name, or as ``dict(row)``."""

    __slots__ = ("_values", "_names")

    def __init__(self, values: Sequence[Any], names: dict[str, int]):
        self._values = values
        self._names = names

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, str):
            index = self._names.get(key)
            if index is None:
                index = self._names[key.lower()]
            return self._values[index]
        return self._values[key]

    def keys(self) -> list[str]:
        return list(self._names)

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._names, self._values, strict=False))!r})"


def _row_factory(cursor: Any):
    description = cursor.description
    if description is None:
        return tuple
    names: dict[str, int] = {}
    for i, column in enumerate(description):
        names.setdefault(column.name, i)

    def make(values: Sequence[Any]) -> Row:
        return Row(values, names)

    return make


class PgConnection:
    """A psycopg connection with ``sqlite3.Connection``'s ``execute``/``executemany``."""

    def __init__(self, conn: Any, reconnect: Callable[[], Any] | None = None):
        self.raw = conn
        self._reconnect = reconnect  # readers only: a read outside a transaction may be retried
        conn.row_factory = _row_factory

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        query, values = translate(sql), _params(params)
        try:
            return self.raw.execute(query, values)
        except Exception as exc:
            import psycopg  # here, not above: SQLite-only runs never load it

            if self._reconnect is None or not self.raw.broken or \
                    not isinstance(exc, psycopg.OperationalError):
                raise
        # The server dropped the connection (a restart, a failover): connect again, retry once.
        self.raw = self._reconnect()
        self.raw.row_factory = _row_factory
        return self.raw.execute(query, values)

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> Any:
        rows = [_params(p) for p in seq]
        cur = self.raw.cursor()
        if rows:
            cur.executemany(translate(sql), rows)
        return cur

    def execute_native(self, sql: Any, params: Sequence[Any] | None = None, *,
                       prepare: bool | None = None) -> Any:
        """Runs PostgreSQL's own SQL (``%s`` placeholders, or a ``psycopg.sql`` composition),
        untranslated."""
        return self.raw.execute(sql, _params(params) if params else None, prepare=prepare)

    def close(self) -> None:
        self.raw.close()
