"""Gives tests a real PostgreSQL server with pgvector: ``NEWSDESK_TEST_PG`` when set, else one
started from the ``pgserver`` package (PostgreSQL 16 + pgvector) once per test process.

Each caller gets its own fresh database on that server (``fresh_database_url()``), so tests
never see each other's rows and need no cleanup.
"""

from __future__ import annotations

import atexit
import os
import tempfile
import threading
import uuid
import warnings
from urllib.parse import urlsplit, urlunsplit

__all__ = ["server_url", "fresh_database_url", "stop_server"]

_lock = threading.Lock()
_server_url: str | None = None
_server = None  # the pgserver handle, when this process started one


def server_url() -> str:
    """Returns a URL of the test server's maintenance database, starting the server once."""
    global _server_url
    with _lock:
        if _server_url is None:
            given = os.environ.get("NEWSDESK_TEST_PG")
            _server_url = given or _start_pgserver()
        return _server_url


def _start_pgserver() -> str:
    global _server
    folder = tempfile.mkdtemp(prefix="newsdesk-pg-")
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI containers); it falls back fine.
        warnings.simplefilter("ignore")
        import pgserver

        _server = pgserver.get_server(folder, cleanup_mode="delete")
    atexit.register(stop_server)
    return _server.get_uri()


def stop_server() -> None:
    """Stops the server this process started and deletes its folder. pytest calls it at the end
    of the session (tests/conftest.py): xdist workers leave without running atexit handlers."""
    global _server, _server_url
    with _lock:
        server, _server = _server, None
        if server is not None:
            _server_url = None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                server.cleanup()


def fresh_database_url(template: str | None = None) -> str:
    """Creates an empty database on the test server (or a copy of the database at URL
    ``template``, which must have no open connections) and returns its URL."""
    import psycopg

    base = server_url()
    name = "nd_" + uuid.uuid4().hex[:16]
    source = f' TEMPLATE "{urlsplit(template).path.lstrip("/")}"' if template else ""
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{source}')  # names are ours: hex digits only
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/" + name))
