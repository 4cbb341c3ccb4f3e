"""Reads local INPUTs (files, directories, stdin) into raw documents, with size caps."""

from __future__ import annotations

import mimetypes
import os
import re
import sys
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Iterator

from ..errors import InputError
from ..models import RawDocument

__all__ = ["is_url", "expand_inputs", "read_local", "gunzip_capped"]

# Anything that starts like "scheme:" is treated as a URL, so "file:///etc/passwd" or
# "gopher://x" reach the URL guard and get refused instead of being read as a path.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def is_url(value: str) -> bool:
    """Returns True when an INPUT names a URL (of any scheme) rather than a local path."""
    if re.match(r"^[A-Za-z]:[\\/]", value):  # a Windows drive letter, not a scheme
        return False
    return bool(_SCHEME.match(value)) and not os.path.exists(value)


def expand_inputs(inputs: list[str]) -> Iterator[str | InputError]:
    """Yields each INPUT, with directories replaced by their files (sorted, recursively,
    hidden files skipped); a missing path yields an InputError naming it."""
    for value in inputs:
        if value == "-" or is_url(value):
            yield value
            continue
        path = Path(value)
        if path.is_dir():
            found = False
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if child.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in rel):
                    found = True
                    yield str(child)
            if not found:
                yield InputError(f"ingest: {value}: directory holds no files")
        elif path.is_file():
            yield value
        elif path.exists():
            yield InputError(f"ingest: {value}: not a regular file")
        else:
            yield InputError(f"ingest: {value}: no such file or directory")


def gunzip_capped(data: bytes, max_bytes: int, name: str) -> bytes:
    """Decompresses gzip data, refusing output over ``max_bytes`` (a gzip bomb stops early)."""
    decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decomp.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise InputError(f"ingest: {name}: corrupt gzip data ({exc})") from None
    if len(out) > max_bytes or decomp.unconsumed_tail:
        raise InputError(f"ingest: {name}: decompressed size over {max_bytes} bytes limit")
    if not decomp.eof:
        raise InputError(f"ingest: {name}: corrupt gzip data (truncated stream)")
    return out


def _read_capped(stream: BinaryIO, max_bytes: int, name: str) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(f"ingest: {name}: over {max_bytes} bytes limit")
    return data


def read_local(value: str, max_bytes: int, captured_at: datetime | None = None) -> RawDocument:
    """Reads a file or stdin ("-") into a raw document. The capture time defaults to the
    file's modification time (now for stdin), as DESIGN.md says for page captures."""
    now = datetime.now(timezone.utc)
    try:
        if value == "-":
            data = _read_capped(sys.stdin.buffer, max_bytes, "stdin")
            mtime = now
        else:
            with open(value, "rb") as fh:
                data = _read_capped(fh, max_bytes, value)
                mtime = datetime.fromtimestamp(os.fstat(fh.fileno()).st_mtime, timezone.utc)
    except OSError as exc:
        raise InputError(f"ingest: {value}: {exc.strerror or exc}") from None
    name = value[:-3] if value.lower().endswith(".gz") else value
    if data[:2] == b"\x1f\x8b":
        data = gunzip_capped(data, max_bytes, value)
    content_type = mimetypes.guess_type(name)[0] if value != "-" else None
    return RawDocument(input=value, content=data, content_type=content_type,
                       fetched_at=now, captured_at=captured_at or mtime)

