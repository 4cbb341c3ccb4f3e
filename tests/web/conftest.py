"""Fixtures of the web tests: the demo corpus ingested once per run, a fresh copy per test,
an in-process client, and helpers to register, log in and post forms with their CSRF token."""

from __future__ import annotations

import re
import shutil

import pytest
from starlette.testclient import TestClient

from newsdesk.cli import main
from newsdesk.config import load_settings
from newsdesk.demo import CAPTURED_AT, demo_inputs
from newsdesk.store import open_store
from newsdesk.web.app import create_app

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory):
    """A database file holding the ingested demo corpus (stories and copies included)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert main(["ingest", "--db", f"sqlite:///{path}", "--captured-at", CAPTURED_AT,
                 *[str(p) for p in demo_inputs()]]) == 0
    return path


@pytest.fixture()
def web_settings(tmp_path):
    config = tmp_path / "newsdesk.toml"
    config.write_text("", encoding="utf-8")
    return load_settings({"NEWSDESK_CONFIG": str(config)})


@pytest.fixture(scope="session")
def demo_pg(demo_db):
    """The demo database moved to PostgreSQL with ``newsdesk migrate``, as a template."""
    from tests.support.pg import fresh_database_url

    url = fresh_database_url()
    assert main(["migrate", "--from", f"sqlite:///{demo_db}", "--to", url]) == 0
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_store(request, demo_db, tmp_path):
    """A fresh copy of the demo database on each engine."""
    if request.param == "sqlite":
        path = tmp_path / "copy.db"
        shutil.copyfile(demo_db, path)
        url = f"sqlite:///{path}"
    else:
        from tests.support.pg import fresh_database_url

        url = fresh_database_url(template=request.getfixturevalue("demo_pg"))
    store = open_store(url)
    yield store
    store.close()


@pytest.fixture()
def app(demo_store, web_settings):
    return create_app(demo_store, web_settings)


@pytest.fixture()
def web(app):
    with TestClient(app) as client:
        yield client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "page has no CSRF token"
    return found.group(1)


def post_form(client: TestClient, page: str, action: str, data: dict, **kw):
    """Opens ``page`` for its CSRF token, then posts ``data`` to ``action`` (no redirects)."""
    token = csrf_of(client.get(page).text)
    return client.post(action, data={"csrf": token, **data}, follow_redirects=False, **kw)


def register(client: TestClient, username: str, password: str = PASSWORD):
    response = post_form(client, "/register", "/register",
                         {"username": username, "password": password, "confirm": password})
    assert response.status_code == 303, response.text[-500:]
    return response


def make_user(store, username: str, role: str = "reader", password: str = PASSWORD):
    from newsdesk.web.auth import create_account

    return create_account(store, username, password, role)


def login(client: TestClient, username: str, password: str = PASSWORD):
    return post_form(client, "/login", "/login", {"username": username, "password": password})


def first_article(store) -> str:
    return store.latest_articles(1)[0].id


def first_story(store) -> str:
    return store.list_stories(1)[0].id
