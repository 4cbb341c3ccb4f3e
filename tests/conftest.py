"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.httpserver import LocalHTTPServer


def pytest_sessionfinish(session, exitstatus):
    """Stops the PostgreSQL test server of this process, if one was started."""
    from tests.support.pg import stop_server

    stop_server()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """Yields the URL of a fresh, empty database of each engine in turn: a SQLite file, and a
    database on a real PostgreSQL server with pgvector (tests/support/pg.py)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'news.db'}"
    from tests.support.pg import fresh_database_url

    return fresh_database_url()


@pytest.fixture
def http_server() -> Iterator[LocalHTTPServer]:
    """Yields a started LocalHTTPServer on 127.0.0.1 (see tests/support/httpserver.py)."""
    with LocalHTTPServer() as server:
        yield server
