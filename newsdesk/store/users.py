"""Reads and writes web accounts, their server-side sessions and the app's signing secret."""

from __future__ import annotations

import sqlite3

from ..models import User
from .timestamps import now_iso

__all__ = ["add", "get", "by_name", "password_hash", "list_all", "set_role", "set_disabled",
           "set_password", "login_failed", "login_ok", "add_session", "session_user",
           "delete_session", "delete_sessions", "secret"]


def _user(row: sqlite3.Row) -> User:
    return User(id=int(row["id"]), username=row["username"], role=row["role"],
                created_at=row["created_at"], failed_logins=int(row["failed_logins"]),
                locked_until=row["locked_until"], disabled=bool(row["disabled"]))


def add(conn: sqlite3.Connection, username: str, password_hash: str, role: str) -> int | None:
    """Adds a user and returns its id, or None when the name is taken (any case)."""
    row = conn.execute("INSERT OR IGNORE INTO users(username, password_hash, role, created_at) "
                       "VALUES (?, ?, ?, ?) RETURNING id",
                       (username, password_hash, role, now_iso())).fetchone()
    return int(row[0]) if row else None


def get(conn: sqlite3.Connection, user_id: int) -> User | None:
    row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    return _user(row) if row else None


def by_name(conn: sqlite3.Connection, username: str) -> User | None:
    row = conn.execute("SELECT * FROM users WHERE username = ? COLLATE NOCASE", (username,)).fetchone()
    return _user(row) if row else None


def password_hash(conn: sqlite3.Connection, user_id: int) -> str | None:
    row = conn.execute("SELECT password_hash FROM users WHERE id = ?", (user_id,)).fetchone()
    return row["password_hash"] if row else None


def list_all(conn: sqlite3.Connection) -> list[User]:
    return [_user(r) for r in conn.execute("SELECT * FROM users ORDER BY username COLLATE NOCASE")]


def set_role(conn: sqlite3.Connection, user_id: int, role: str) -> bool:
    return conn.execute("UPDATE users SET role = ? WHERE id = ?", (role, user_id)).rowcount > 0


def set_disabled(conn: sqlite3.Connection, user_id: int, disabled: bool) -> bool:
    changed = conn.execute("UPDATE users SET disabled = ? WHERE id = ?",
                           (int(disabled), user_id)).rowcount > 0
    if disabled:
        delete_sessions(conn, user_id)
    return changed


def set_password(conn: sqlite3.Connection, user_id: int, password_hash: str) -> None:
    conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))


def login_failed(conn: sqlite3.Connection, user_id: int, max_failures: int,
                 lock_until: str) -> None:
    """Counts a failed login; the ``max_failures``-th in a row locks the account until then."""
    conn.execute("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?", (user_id,))
    conn.execute("UPDATE users SET locked_until = ?, failed_logins = 0 "
                 "WHERE id = ? AND failed_logins >= ?", (lock_until, user_id, max_failures))


def login_ok(conn: sqlite3.Connection, user_id: int) -> None:
    conn.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?",
                 (user_id,))


def add_session(conn: sqlite3.Connection, token_hash: str, user_id: int, expires_at: str) -> None:
    conn.execute("INSERT INTO sessions(token_hash, user_id, created_at, expires_at) "
                 "VALUES (?, ?, ?, ?)", (token_hash, user_id, now_iso(), expires_at))
    # Expired sessions of everyone are swept here, so the table never grows without bound.
    conn.execute("DELETE FROM sessions WHERE expires_at < ?", (now_iso(),))


def session_user(conn: sqlite3.Connection, token_hash: str) -> User | None:
    """Returns the enabled user of an unexpired session, or None."""
    row = conn.execute(
        "SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0",
        (token_hash, now_iso())).fetchone()
    return _user(row) if row else None


def delete_session(conn: sqlite3.Connection, token_hash: str) -> None:
    conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))


def delete_sessions(conn: sqlite3.Connection, user_id: int) -> None:
    conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))


def secret(conn: sqlite3.Connection, name: str, new_value: str) -> str:
    """Returns the stored secret called ``name``, storing ``new_value`` first if there is none."""
    conn.execute("INSERT OR IGNORE INTO web_secrets(name, value) VALUES (?, ?)", (name, new_value))
    return conn.execute("SELECT value FROM web_secrets WHERE name = ?", (name,)).fetchone()["value"]
