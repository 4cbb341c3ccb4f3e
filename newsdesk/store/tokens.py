"""Reads and writes API and personal-feed tokens, kept as SHA-256 hashes only."""

from __future__ import annotations

import sqlite3

from ..models import ApiToken, User
from .timestamps import now_iso
from .users import _user

__all__ = ["add", "list_for", "revoke", "user_for", "touch"]


def _token(row: sqlite3.Row) -> ApiToken:
    return ApiToken(id=int(row["id"]), user_id=int(row["user_id"]), name=row["name"],
                    scope=row["scope"], created_at=row["created_at"],
                    last_used_at=row["last_used_at"], revoked_at=row["revoked_at"])


def add(conn: sqlite3.Connection, user_id: int, name: str, token_hash: str, scope: str) -> int:
    if scope == "feed":  # one personal feed token per user: a new one replaces the old
        conn.execute("UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND scope = 'feed' "
                     "AND revoked_at IS NULL", (now_iso(), user_id))
    cur = conn.execute("INSERT INTO api_tokens(user_id, name, token_hash, scope, created_at) "
                       "VALUES (?, ?, ?, ?, ?) RETURNING id", (user_id, name, token_hash, scope, now_iso()))
    return int(cur.fetchone()[0])


def list_for(conn: sqlite3.Connection, user_id: int) -> list[ApiToken]:
    rows = conn.execute("SELECT * FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL "
                        "ORDER BY id", (user_id,))
    return [_token(r) for r in rows]


def revoke(conn: sqlite3.Connection, user_id: int, token_id: int) -> bool:
    return conn.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? "
                        "AND revoked_at IS NULL", (now_iso(), token_id, user_id)).rowcount > 0


def user_for(conn: sqlite3.Connection, token_hash: str) -> tuple[User, ApiToken] | None:
    """Returns the enabled user and the live token with this hash, or None."""
    row = conn.execute("SELECT * FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL",
                       (token_hash,)).fetchone()
    if row is None:
        return None
    user = conn.execute("SELECT * FROM users WHERE id = ? AND disabled = 0",
                        (row["user_id"],)).fetchone()
    return (_user(user), _token(row)) if user else None


def touch(conn: sqlite3.Connection, token_id: int) -> None:
    conn.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (now_iso(), token_id))
