"""`newsdesk search` and `newsdesk ask` end to end on a real database, text and JSON."""

from __future__ import annotations

import json

from newsdesk.cli import main
from tests.search.conftest import make_store


def _db(tmp_path) -> str:
    make_store(tmp_path / "cli.db", "hashing").close()
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_search_prints_json_hits_with_filters(tmp_path, capsys):
    db = _db(tmp_path)
    assert main(["search", "--db", db, "defense spending", "--format", "json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["id"] == "budget" and hits[0]["copies"] == ["budget-copy"]
    assert main(["search", "--db", db, "defense OR rate", "--outlet", "Han River Times",
                 "--since", "2026-11-25", "--format", "json"]) == 0
    assert [h["id"] for h in json.loads(capsys.readouterr().out)] == ["rates"]


def test_search_prints_text_and_says_when_nothing_matches(tmp_path, capsys):
    db = _db(tmp_path)
    assert main(["search", "--db", db, '"youth exchanges"']) == 0
    out = capsys.readouterr().out
    assert "Japan and South Korea agree" in out and "Kanto Herald" in out
    assert main(["search", "--db", db, '"no such phrase anywhere"']) == 0
    assert "no articles match" in capsys.readouterr().err


def test_search_rejects_a_bad_limit_and_a_bad_date(tmp_path, capsys):
    db = _db(tmp_path)
    assert main(["search", "--db", db, "x", "--limit", "0"]) == 2
    assert "--limit 0" in capsys.readouterr().err


def test_ask_prints_json_and_text(tmp_path, capsys):
    db = _db(tmp_path)
    assert main(["ask", "--db", db, "What is the recipe for sourdough bread?", "--format",
                 "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"answer": None, "citations": []}
    assert main(["ask", "--db", db, "What is the recipe for sourdough bread?"]) == 0
    assert "no answer" in capsys.readouterr().out
