"""HTML fragments from feeds turn into text without ever raising, whatever the markup."""

from __future__ import annotations

from newsdesk.ingest.htmltext import html_to_text


def test_stray_title_that_leaves_lxml_no_body_falls_back_to_stripped_text():
    # Found by bench/fuzz.py: lxml asserts "too many bodies: []" on this shape.
    assert html_to_text("<html><head><title>x</p><p>Body text</p>") == "x Body text"


def test_deeply_nested_fragment_keeps_its_text():
    deep = "<div>" * 50_000 + "inside" + "</div>" * 50_000
    assert "inside" in html_to_text(deep)


def test_paragraphs_are_split_by_one_blank_line():
    assert html_to_text("<p>One</p><p>Two</p>") == "One\n\nTwo"
