"""Two `newsdesk ingest` processes on one database at once: no article twice, one original per
group of wire copies, and every copy in its original's story.

Both processes ingest every original and each gets one half of the wire reprints, in many small
JSONL files, so their batches interleave: process B meets its reprints of a story before its
original, while process A is storing that original. The ordered steps run under
``Store.exclusive()``; without it two processes clustering against each other's stale index
would fold a reprint into no group or split a group. Runs on SQLite and on a real PostgreSQL.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from newsdesk.config import load_settings
from newsdesk.pipeline import Pipeline
from newsdesk.store import open_store
from tests.support.corpus import dev_corpus, write_jsonl

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"
pytestmark = pytest.mark.skipif(not DATASETS.is_dir(), reason="../shared/datasets is absent")

ENV = {"NEWSDESK_EMBEDDING_MODEL": "hashing"}  # quick; stories cluster with it anyway
PER_FILE = 1  # one article a batch: a copy and its original never share a batch


def _inputs(folder: Path) -> tuple[list[str], list[str], dict[str, str]]:
    """Returns the INPUTs of process A and of process B, and {copy id: original id}."""
    articles, originals = dev_corpus(30, copy_every=3)
    by_id = {a.id: a for a in articles}
    groups: dict[str, list] = defaultdict(list)
    for copy_id, original_id in originals.items():
        groups[original_id].append(by_id[copy_id])
    sources = [a for a in articles if a.id not in originals]
    share = {side: [c for g in groups.values() for n, c in enumerate(g) if n % 2 == k]
             for k, side in enumerate("ab")}
    # A: each original, then its half of the copies; B: its half, then the original. Both go
    # at one pace, so B meets each group's copies while A is storing their original.
    mine = {side: {o.id: [c for c in share[side] if originals[c.id] == o.id] for o in sources}
            for side in "ab"}
    runs = {"a": [x for o in sources for x in (o, *mine["a"][o.id])],
            "b": [x for o in sources for x in (*mine["b"][o.id], o)]}
    files: dict[str, list[str]] = {}
    for side, run in runs.items():
        chunks = [run[i:i + PER_FILE] for i in range(0, len(run), PER_FILE)]
        files[side] = [str(write_jsonl(folder / f"{side}{n:03}.jsonl", c)) for n, c in enumerate(chunks)]
    return files["a"], files["b"], originals


# An outside step marked ordered: it holds each batch 0.2 s between the copies and stories
# decisions and the write, as a slow store or a big batch would, so that the two processes'
# ordered phases overlap often; only Store.exclusive() keeps them from deciding on stale state.
PAUSE_PLUGIN = """
import time


class Pause:
    name = "pause"
    ordered = True

    def enrich(self, articles, store):
        time.sleep(0.2)
"""


def _pause_plugin(folder: Path) -> Path:
    """Installs ``Pause`` as an outside enricher (a newsdesk.enrichers entry point) in a folder
    for PYTHONPATH."""
    folder.mkdir()
    (folder / "nd_pause.py").write_text(PAUSE_PLUGIN)
    info = folder / "nd_pause-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: nd-pause\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[newsdesk.enrichers]\npause = nd_pause:Pause\n")
    return folder


def _db_url(engine: str, tmp_path: Path, name: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{tmp_path / name}.db"
    from tests.support.pg import fresh_database_url

    return fresh_database_url()


def _created(stderr: str) -> int:
    found = re.search(r"(\d+) new article\(s\)", stderr)
    assert found, stderr[-2000:]
    return int(found.group(1))


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_two_processes_ingesting_overlapping_inputs_agree(tmp_path, engine):
    a_inputs, b_inputs, originals = _inputs(tmp_path)
    url = _db_url(engine, tmp_path, "shared")
    plugin = _pause_plugin(tmp_path / "plugin")
    with open_store(url):
        pass  # migrate once, before the race
    procs = [subprocess.Popen([sys.executable, "-m", "newsdesk", "ingest", "--db", url, *inputs],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                              env={**os.environ, **ENV, "PYTHONPATH": str(plugin)})
             for inputs in (a_inputs, b_inputs)]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in outputs]

    with open_store(url) as store:
        stored = {a.id: a for a in store.iter_articles()}
    wanted = {line_id for f in a_inputs + b_inputs for line_id in _ids(f)}
    assert set(stored) == wanted and len(stored) == len(wanted)  # each article stored once
    assert sum(_created(err) for _, err in outputs) == len(wanted)  # and created by one process
    for copy_id, original_id in originals.items():
        copy, original = stored[copy_id], stored[original_id]
        root = copy.duplicate_of or copy.id
        assert stored[root].duplicate_of is None  # no chains
        assert root == (original.duplicate_of or original.id), copy_id  # one original per group
        assert copy.story_id == original.story_id  # no split story
    found = sum(stored[c].duplicate_of == o for c, o in originals.items())
    assert found >= 0.9 * len(originals)  # the reprints were really folded

    # The same inputs one after the other in one process fold the same groups of copies.
    with open_store(_db_url(engine, tmp_path, "sequential")) as store:
        pipeline = Pipeline(load_settings(environ=ENV), store=store)
        for _ in pipeline.ingest_many(a_inputs + b_inputs):
            pass
        sequential = {a.id: a.duplicate_of or a.id for a in store.iter_articles()}
    assert {a.id: a.duplicate_of or a.id for a in stored.values()} == sequential


def _ids(path: str) -> list[str]:
    import json

    return [json.loads(line)["id"] for line in Path(path).read_text().splitlines() if line.strip()]
