"""Hostile sizes and depths: HTML nested 100,000 deep, a page at the fetch byte cap, a feed with
100,000 entries, a capture of 100,000 lines, a JSONL line of 10 MB. Each parser returns a bounded
result or refuses in one line naming the input; none crashes (RecursionError, MemoryError, lxml
assertions) or returns more than its cap.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from newsdesk.errors import ExtractError, NewsdeskError
from newsdesk.extract import extract_document
from newsdesk.extract.capture import split_capture
from newsdesk.extract.html import MAX_HTML_BYTES
from newsdesk.ingest import feeds
from newsdesk.ingest.htmltext import MAX_HTML_CHARS, html_to_text
from newsdesk.ingest.jsonl import MAX_LINE_BYTES, looks_like_jsonl, read_jsonl
from newsdesk.models import RawDocument

CAPTURED = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
FETCH_CAP = 10_000_000  # the default fetch_max_bytes: the largest page a fetch can hand over
PARAS = "".join(f"<p>The delegations met for three hours at the ministry on Tuesday and agreed to "
                f"meet again before the end of the year, officials said ({n}).</p>" for n in range(6))


def _html(content: bytes, name: str = "page.html") -> list:
    return extract_document(RawDocument(name, content, content_type="text/html",
                                        captured_at=CAPTURED))


def _bounded_or_one_line(call, name: str):
    """Returns call()'s result, or None when it refused with a one-line error naming ``name``."""
    try:
        return call()
    except NewsdeskError as exc:
        assert "\n" not in str(exc) and name in str(exc), str(exc)
        return None


@pytest.mark.parametrize("opening, closing", [("<div>", "</div>"), ("<div>", ""),
                                              ("<b><i>", ""), ("<table><tr><td>", "")])
def test_html_nested_100k_deep_is_bounded_or_refused(opening, closing):
    page = ("<html><body>" + opening * 100_000 + PARAS + closing * 100_000
            + "</body></html>").encode()
    articles = _bounded_or_one_line(lambda: _html(page, "deep.html"), "deep.html")
    if articles is not None:
        assert len(articles) == 1 and len(articles[0].text) < 10_000


def test_html_nested_1000_deep_keeps_its_text():
    page = ("<html><body>" + "<div>" * 1000 + PARAS + "</div>" * 1000 + "</body></html>").encode()
    [article] = _html(page)
    assert "officials said (5)." in article.text


def test_html_to_text_of_100k_nested_elements_keeps_the_words():
    text = html_to_text("<div>" * 100_000 + "deep words" + "</div>" * 100_000)
    assert text.strip() == "deep words"
    assert len(html_to_text("<p>" + "x" * (MAX_HTML_CHARS + 1000))) <= MAX_HTML_CHARS


def test_a_page_at_the_fetch_byte_cap_gives_one_bounded_article():
    head = b"<html><head><title>Big page</title></head><body><article><h1>Big page</h1>"
    paragraphs = "".join(f"<p>Paragraph {n} of the very long report, with the figures of the "
                         f"year and what the officials said about them.</p>" for n in range(90_000))
    page = (head + paragraphs.encode())[:FETCH_CAP]
    assert len(page) == FETCH_CAP
    [article] = _html(page, "big.html")
    assert article.title == "Big page"
    assert "Paragraph 0 of the very long report" in article.text
    assert len(article.text.encode()) <= MAX_HTML_BYTES  # the tail past the parse cap is dropped


def test_a_feed_with_100k_entries_keeps_the_first_thousand():
    items = "".join(f"<item><title>Story {n}</title><link>https://news.example/s/{n}</link>"
                    f"<description>Summary {n}.</description></item>" for n in range(100_000))
    body = (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Big Feed</title>{items}"
            "</channel></rss>").encode()
    parsed = feeds.parse_feed(body, "https://news.example/feed", "application/rss+xml", None)
    assert parsed.title == "Big Feed"
    assert len(parsed.entries) == feeds.MAX_ENTRIES
    assert [e.title for e in parsed.entries[:2]] == ["Story 0", "Story 1"]
    assert parsed.entries[-1].title == f"Story {feeds.MAX_ENTRIES - 1}"
    assert "\n" not in parsed.warning and "first 1000" in parsed.warning


def test_an_atom_feed_with_100k_repeated_entries_is_bounded():
    entry = ("<entry><id>urn:same</id><title>Same</title><updated>2026-11-24T10:00:00Z</updated>"
             "<summary>Same again.</summary></entry>")
    body = ("<feed xmlns='http://www.w3.org/2005/Atom'><title>Echo</title>" + entry * 100_000
            + "</feed>").encode()
    parsed = feeds.parse_feed(body, "https://news.example/atom", None, None)
    assert [e.title for e in parsed.entries] == ["Same"]


def test_a_feed_over_the_byte_cap_is_refused_in_one_line():
    body = b"<rss><channel>" + b" " * feeds.MAX_FEED_BYTES + b"</channel></rss>"
    with pytest.raises(NewsdeskError, match=r"^feeds: huge.xml: not a feed: over the \d+ MiB"):
        feeds.parse_feed(body, source="huge.xml")


def test_a_capture_of_100k_lines_is_split_without_a_crash():
    lines = ["Headline of the long capture", ""]
    lines += [f"Line {n} of the capture, with a few words of text in it." for n in range(100_000)]
    text = "\n".join(lines)
    articles = split_capture(text, CAPTURED, "long.txt")
    assert articles[0].title == "Headline of the long capture"
    assert "Line 99999 of the capture" in articles[0].text
    assert sum(len(a.text) for a in articles) <= 2 * len(text)  # lines become paragraphs


def test_a_capture_of_100k_blank_or_marker_lines_is_refused_or_bounded():
    text = "\n".join(["Related Articles", "", "7 hours ago", "·"] * 25_000)
    articles = _bounded_or_one_line(lambda: split_capture(text, CAPTURED, "chrome.txt"),
                                    "chrome.txt")
    assert articles is None or sum(len(a.text) for a in articles) <= 2 * len(text)


def test_a_jsonl_line_of_10_mb_is_refused_and_the_next_line_still_reads():
    huge = json.dumps({"title": "Huge", "text": "word " * 2_000_000}).encode()
    assert len(huge) > 10_000_000 > MAX_LINE_BYTES
    good = json.dumps({"title": "Fine", "text": "A normal line."}).encode()
    results = list(read_jsonl(huge + b"\n" + good + b"\n", "dump.jsonl"))
    assert isinstance(results[0], NewsdeskError)
    assert str(results[0]) == f"jsonl: dump.jsonl:1: line over {MAX_LINE_BYTES} bytes"
    assert results[1].title == "Fine"


def test_a_jsonl_document_nested_100k_deep_is_one_line_error():
    # Finding: json's scanner raised RecursionError, which crashed the whole import.
    deep = b'{"title": "x", "text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    good = json.dumps({"title": "Fine", "text": "A normal line."}).encode()
    first, second = read_jsonl(deep + b"\n" + good, "deep.jsonl")
    assert str(first) == "jsonl: deep.jsonl:1: invalid JSON (nested too deep)"
    assert second.title == "Fine"
    assert not looks_like_jsonl("deep.txt", deep)


def test_an_html_page_of_100k_empty_paragraphs_is_refused_in_one_line():
    page = b"<html><body>" + b"<p></p>" * 100_000 + b"</body></html>"
    with pytest.raises(ExtractError, match=r"^extract: empty.html: no article text found$"):
        _html(page, "empty.html")
