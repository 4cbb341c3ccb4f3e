"""Local INPUTs: paths, directories, stdin, URL-looking strings, size caps and gzip bombs."""

from __future__ import annotations

import gzip
import os
from datetime import UTC, datetime

import pytest

from newsdesk.errors import InputError
from newsdesk.ingest.sources import expand_inputs, gunzip_capped, is_url, read_local


@pytest.mark.parametrize("value, expected", [
    ("https://example.com/a", True), ("http://x", True), ("file:///etc/passwd", True),
    ("ftp://x/y", True), ("javascript:alert(1)", True), ("page.html", False), ("-", False),
    ("C:\\news\\page.html", False), ("./file:with:colons", False),
])
def test_is_url_sends_every_scheme_to_the_url_guard(value, expected):
    assert is_url(value) is expected


def test_directories_expand_sorted_without_hidden_files(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.html").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / ".hidden.html").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    got = list(expand_inputs([str(tmp_path)]))
    assert got == [str(tmp_path / "a.txt"), str(tmp_path / "b" / "2.html")]


def test_missing_paths_and_empty_directories_are_named_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    got = list(expand_inputs([str(tmp_path / "nope.html"), str(tmp_path / "empty"), "-"]))
    assert isinstance(got[0], InputError) and "nope.html: no such file" in str(got[0])
    assert isinstance(got[1], InputError) and "holds no files" in str(got[1])
    assert got[2] == "-"


def test_file_over_the_cap_is_refused(tmp_path):
    path = tmp_path / "big.html"
    path.write_bytes(b"x" * 2000)
    with pytest.raises(InputError, match="big.html: over 1000 bytes limit"):
        read_local(str(path), 1000)


def test_gzip_bomb_stops_at_the_cap(tmp_path):
    path = tmp_path / "bomb.html.gz"
    path.write_bytes(gzip.compress(b"\0" * 50_000_000))  # ~50 KB on disk
    assert path.stat().st_size < 100_000
    with pytest.raises(InputError, match="bomb.html.gz: decompressed size over 1000000 bytes"):
        read_local(str(path), 1_000_000)


def test_gzipped_page_is_read_decompressed_with_its_type(tmp_path):
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(b"<html><body><p>hi</p></body></html>"))
    doc = read_local(str(path), 1_000_000)
    assert doc.content.startswith(b"<html>") and doc.content_type == "text/html"


def test_corrupt_gzip_is_a_one_line_error():
    with pytest.raises(InputError, match="corrupt gzip"):
        gunzip_capped(b"\x1f\x8b\x08\x00garbage", 1000, "x.gz")


def test_capture_time_defaults_to_the_file_mtime(tmp_path):
    path = tmp_path / "capture.txt"
    path.write_text("x")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    assert read_local(str(path), 1000).captured_at == datetime.fromtimestamp(1_700_000_000, UTC)
    given = datetime(2026, 11, 28, tzinfo=UTC)
    assert read_local(str(path), 1000, given).captured_at == given


def test_unreadable_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "secret.html"
    path.write_text("x")
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads anything: check a directory instead
        with pytest.raises(InputError, match="Is a directory"):
            read_local(str(tmp_path), 1000)
    else:
        with pytest.raises(InputError, match="secret.html"):
            read_local(str(path), 1000)
