"""Holds the bundled demo corpus: fictional news pages, feeds, an archive and a page capture.

Every person, outlet and event in this package is invented; see README.md beside this file.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["CAPTURED_AT", "DEMO_DIR", "demo_inputs"]

DEMO_DIR = Path(__file__).parent

# When capture.txt was "saved": its ages ("7 hours ago", "yesterday") count back from here.
# Pass it as --captured-at; the file's mtime changes with every checkout and install.
CAPTURED_AT = "2026-11-28T09:00:00+09:00"


def demo_inputs() -> list[Path]:
    """Returns the demo input files in ingest order: pages, RSS, JSON Feed, archive, capture."""
    pages = sorted((DEMO_DIR / "pages").glob("*.html"))
    rest = [DEMO_DIR / name for name in ("feed.xml", "feed.json", "archive.jsonl", "capture.txt")]
    return pages + rest
