"""House rules the code must keep: layers import one way, SQL stays in store/, lint is clean."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "newsdesk"
# Data flows ingest -> extract -> enrich -> store -> search -> web; a layer never imports a later one.
ORDER = ["ingest", "extract", "enrich", "store", "search", "web"]
_IMPORT = re.compile(r"^\s*from\s+(\.+)(\w*)", re.M)


def _imported_layers(path: Path) -> set[str]:
    text = path.read_text()
    # Imports only needed for type annotations do not make a runtime dependency.
    text = re.sub(r"if TYPE_CHECKING:\n(\s+.*\n)+", "", text)
    found = set()
    for dots, name in _IMPORT.findall(text):
        if len(dots) == 2 and name in ORDER:
            found.add(name)
    return found


@pytest.mark.parametrize("layer", ORDER)
def test_no_layer_imports_a_later_one(layer):
    later = set(ORDER[ORDER.index(layer) + 1:])
    for path in (PACKAGE / layer).rglob("*.py"):
        wrong = _imported_layers(path) & later
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_sql_lives_only_in_store():
    pattern = re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE TABLE)\b")
    for path in PACKAGE.rglob("*.py"):
        if "store" in path.relative_to(PACKAGE).parts:
            continue
        assert not pattern.search(path.read_text()), path.relative_to(ROOT)


@pytest.mark.skipif(shutil.which("ruff", path=str(ROOT / ".venv" / "bin")) is None
                    and shutil.which("ruff") is None, reason="ruff not installed")
def test_ruff_is_clean():
    ruff = shutil.which("ruff", path=str(ROOT / ".venv" / "bin")) or shutil.which("ruff")
    proc = subprocess.run([ruff, "check", "--no-cache", str(ROOT)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:]
