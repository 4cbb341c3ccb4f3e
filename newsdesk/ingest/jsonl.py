"""Reads `.jsonl` imports: one article JSON object per line (title and text required)."""

from __future__ import annotations

import json
from typing import Iterator

from ..errors import InputError
from ..models import CORE_FIELDS, ENRICH_FIELDS, Article

__all__ = ["read_jsonl", "looks_like_jsonl"]

_STR_FIELDS = ("id", "url", "outlet", "credit", "byline", "published_at", "language")
# Keep a runaway line (a whole database dumped on one line) from taking all memory.
MAX_LINE_BYTES = 5_000_000


def looks_like_jsonl(name: str, content: bytes) -> bool:
    """Returns True for a `.jsonl`/`.ndjson` file, or text whose first line is a JSON object
    with a title."""
    if name.lower().endswith((".jsonl", ".ndjson", ".jsonl.gz")):
        return True
    first = content.lstrip()[:MAX_LINE_BYTES].split(b"\n", 1)[0].strip()
    if not first.startswith(b"{"):
        return False
    try:
        obj = json.loads(first)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    return isinstance(obj, dict) and "title" in obj and "text" in obj


def _article(obj: object, where: str) -> Article:
    if not isinstance(obj, dict):
        raise InputError(f"jsonl: {where}: not a JSON object")
    for key in ("title", "text"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise InputError(f"jsonl: {where}: {key!r} missing or not a non-empty string")
    fields = {}
    for key in _STR_FIELDS:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            raise InputError(f"jsonl: {where}: {key!r} must be a string or null")
        fields[key] = value or None
    for key in ENRICH_FIELDS:
        if isinstance(obj.get(key), list):
            fields[key] = obj[key]
    assert set(_STR_FIELDS) <= set(CORE_FIELDS)
    return Article(title=obj["title"], text=obj["text"], **fields)


def read_jsonl(content: bytes, source: str) -> Iterator[Article | InputError]:
    """Yields an Article per good line and an InputError (naming ``source:line``) per bad one,
    so one bad line never stops the rest."""
    for number, line in enumerate(content.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        if len(line) > MAX_LINE_BYTES:
            yield InputError(f"jsonl: {where}: line over {MAX_LINE_BYTES} bytes")
            continue
        try:
            obj = json.loads(line)
        except UnicodeDecodeError:
            yield InputError(f"jsonl: {where}: not UTF-8")
            continue
        except ValueError as exc:
            yield InputError(f"jsonl: {where}: invalid JSON ({exc.args[0].split(':')[0]})")
            continue
        except RecursionError:  # json's C scanner recurses once per nested array or object
            yield InputError(f"jsonl: {where}: invalid JSON (nested too deep)")
            continue
        try:
            yield _article(obj, where)
        except InputError as exc:
            yield exc
