"""Ingest survives SIGKILL at any moment: after restarts every article is stored once, the
database and its indexes are sound, the result equals an ingest that was never interrupted, and
the vector index file (written by searches run between kills, some killed too) is brought up to
date from the database.

The corpus is real: DEV stories of neus_allsides (title and lead of three outlets per event), fed
as one JSONL file in date order. Each trial starts ``newsdesk ingest`` as a separate process,
lets it run for a random time after it has started writing, kills it with SIGKILL and starts it
again; when a run finishes, the database is checked against a run that was never killed and a
new round begins on an empty database. ``NEWSDESK_CRASH_TRIALS`` sets the number of kills
(default 50).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsdesk.enrich.evaluation import datasets_root, load_story_set

TRIALS = int(os.environ.get("NEWSDESK_CRASH_TRIALS", "50"))
ARTICLES = 150

pytestmark = pytest.mark.skipif(not (datasets_root() / "stories").is_dir(),
                                reason="../shared/datasets is not there")


def _corpus(folder: Path) -> list[Path]:
    """Writes the corpus as ten JSONL files, so an ingest stores it in ten batches."""
    folder.mkdir()
    articles = load_story_set("neus-val").articles[:ARTICLES]
    paths = []
    for part in range(10):
        path = folder / f"part{part:02d}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for article in articles[part::10]:
                out.write(json.dumps(article.to_dict(("id", "title", "text", "url", "outlet",
                                                      "published_at"))) + "\n")
        paths.append(path)
    return paths


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    config = tmp_path / "newsdesk.toml"
    config.write_text("")  # the user's own config file must not change the run
    env["NEWSDESK_CONFIG"] = str(config)
    env["PYTHONHASHSEED"] = "0"
    return env


def _ingest(db: Path, corpus: list[Path], env: dict) -> subprocess.Popen:
    log = db.with_suffix(".log").open("a")
    try:
        return subprocess.Popen([sys.executable, "-m", "newsdesk", "ingest", "--db",
                                 f"sqlite:///{db}", *map(str, corpus)], env=env,
                                stdout=subprocess.DEVNULL, stderr=log)
    finally:
        log.close()  # the child keeps its own descriptor


def _finish(proc: subprocess.Popen, db: Path) -> None:
    assert proc.wait(timeout=600) == 0, db.with_suffix(".log").read_text()[-2000:]


def _search(db: Path, env: dict, rng: random.Random) -> None:
    """Runs a search, so the vector index file beside the database is written (and goes stale
    when the next ingest adds articles); now and then it is killed while it does so."""
    proc = subprocess.Popen([sys.executable, "-m", "newsdesk", "search", "--db", f"sqlite:///{db}",
                             "defense talks"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=rng.uniform(0.5, 8.0) if rng.random() < 0.5 else 120)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)


def _index_matches_database(db: Path) -> None:
    """Checks the vector index, stale or half-written by killed runs, is brought up to date."""
    from newsdesk.search.vectorindex import vector_index
    from newsdesk.store import open_store

    with open_store(f"sqlite:///{db}") as store:
        index = vector_index(store)
        conn = sqlite3.connect(db)
        try:
            vectors = conn.execute("SELECT count(*) FROM article_vectors").fetchone()[0]
        finally:
            conn.close()
        assert index._index is not None and len(index._index) == vectors, index.last


def _state(db: Path) -> dict:
    """Returns what must not differ between a killed-and-restarted ingest and a clean one."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        rows = conn.execute("SELECT id, story_id, duplicate_of FROM articles ORDER BY id").fetchall()
        ids = [r[0] for r in rows]
        assert len(ids) == len(set(ids))
        stories: dict[str, set[str]] = {}
        for article_id, story_id, _ in rows:
            assert story_id is not None, f"{article_id} has no story"
            stories.setdefault(story_id, set()).add(article_id)
        sizes = dict(conn.execute("SELECT id, size FROM stories").fetchall())
        for story_id, members in stories.items():
            assert sizes.get(story_id) == len(members), f"story {story_id} miscounts its articles"
        # Stories are compared as groupings: their ids may be minted in another order.
        grouping = sorted(sorted(m) for m in stories.values())
        copies = sorted((r[0], r[2]) for r in rows if r[2])
        return {"ids": ids, "stories": grouping, "copies": copies}
    finally:
        conn.close()


def test_ingest_killed_at_random_points_loses_nothing_and_matches_a_clean_run(tmp_path):
    corpus = _corpus(tmp_path / "corpus")
    env = _env(tmp_path)
    reference_db = tmp_path / "reference.db"
    start = time.monotonic()
    _finish(_ingest(reference_db, corpus, env), reference_db)
    clean_seconds = time.monotonic() - start
    reference = _state(reference_db)
    assert len(reference["ids"]) == ARTICLES

    # Each kill lands at a random moment of a run's life (start-up, migrations, extraction,
    # enrichment, the batch transaction); a killed run is restarted on the same database until
    # one finishes, and then its result must equal the clean run's.
    rng = random.Random(20261128)
    kills, rounds, round_db = 0, 0, None
    while kills < TRIALS or round_db is not None:
        assert rounds <= 4 * TRIALS, f"only {kills} kills landed in {rounds} rounds"
        if round_db is None:
            rounds += 1
            round_db = tmp_path / f"round{rounds}.db"
        proc = _ingest(round_db, corpus, env)
        started = time.monotonic()
        if kills < TRIALS:
            try:
                proc.wait(timeout=rng.uniform(0.2, clean_seconds))
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=60)
                kills += 1
                if kills % 5 == 0:
                    _search(round_db, env, rng)
                continue
            # It finished first: the machine is quicker now than during the clean run, so the
            # next kills are drawn within this run's time, or rounds would rarely see a kill.
            # A run that only finished the last batches is short: shrink gently, not to it.
            clean_seconds = max(0.5, time.monotonic() - started, clean_seconds / 2)
        _finish(proc, round_db)
        assert _state(round_db) == reference, f"round {rounds} differs from the clean run"
        _index_matches_database(round_db)
        round_db = None
    print(f"crash safety: {kills} SIGKILLs over {rounds} rounds, clean ingest {clean_seconds:.1f} s")
