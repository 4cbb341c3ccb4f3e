"""Starts a real `newsdesk serve` process and Debian's Chromium for the browser suites."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(db: str, folder: Path) -> Iterator[str]:
    """Serves the database from a uvicorn process on a free port (an empty config file in
    ``folder`` keeps the user's own settings out); yields its base URL."""
    config = folder / "none.toml"
    config.write_text("")
    port = free_port()
    env = {**os.environ, "NEWSDESK_CONFIG": str(config)}
    proc = subprocess.Popen([sys.executable, "-m", "newsdesk", "serve", "--db", db,
                             "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(proc.stderr.read().decode()) from None
            time.sleep(0.2)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stderr.close()


def launch_chromium(playwright):
    """Returns Debian's Chromium, headless, launched through Playwright (no browser download)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=_ARGS)
