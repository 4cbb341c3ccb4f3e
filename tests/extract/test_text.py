"""Tests title and body-text normalisation."""

from __future__ import annotations

import pytest

from newsdesk.extract.text import clean_chars, normalize_text, normalize_title, paragraphs


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\u201cIronclad\u201d alliance", '"Ironclad" alliance'),
        ("\u201eQuoted\u201f and \u2033inches\u2033", '"Quoted" and "inches"'),
        ("Seoul\u2019s \u2018red line\u2019", "Seoul's 'red line'"),
        ("\u201aLow\u201b and \u2032prime\u2032", "'Low' and 'prime'"),
        ("\u00abGuillemets\u00bb stay", "\u00abGuillemets\u00bb stay"),
        ("  Two\u00a0 spaces\tand\nlines  ", "Two spaces and lines"),
        ("Zero\u200bwidth\u200d join\ufeff\u00ad", "Zerowidth join"),
        ("", ""),
    ],
)
def test_normalize_title_folds_quotes_and_whitespace(raw, expected):
    assert normalize_title(raw) == expected


def test_normalize_title_accepts_none():
    assert normalize_title(None) == ""


def test_normalize_text_separates_paragraphs_by_one_blank_line():
    raw = "First  para\u00a0here.\r\n\r\n\r\n  Second\u200b para.  \n \n\nThird."
    assert normalize_text(raw) == "First para here.\n\nSecond para.\n\nThird."


def test_normalize_text_keeps_curly_quotes():
    assert normalize_text("He said \u201cyes\u201d.") == "He said \u201cyes\u201d."


def test_single_newlines_are_paragraphs_when_text_has_no_blank_line():
    assert paragraphs("One.\nTwo.\r\nThree.") == ["One.", "Two.", "Three."]


def test_single_newlines_are_line_wraps_when_text_has_blank_lines():
    assert paragraphs("One line\nwrapped.\n\nTwo.") == ["One line wrapped.", "Two."]


def test_paragraphs_of_empty_text_is_empty():
    assert paragraphs("") == []
    assert paragraphs(" \n\t\n") == []
    assert normalize_text("") == ""


def test_clean_chars_removes_control_characters_and_unifies_line_ends():
    assert clean_chars("a\x00b\rc\r\nd\x1fe\tf") == "ab\nc\nde\tf"
