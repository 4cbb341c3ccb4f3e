"""Query parsing: any string is safe, and the operators users know work as they expect."""

from __future__ import annotations

import pytest

from newsdesk.search import parse_query, search
from newsdesk.search.query import MAX_TERMS

HOSTILE = ['"', '"""', "(", "((((", ")", "a) OR (b", 'defense" spending', "NEAR(seoul busan)",
           "title:seoul", "^seoul", "seoul AND", "OR", "OR OR OR", "NOT", "- -", "-", "*", "**",
           "seoul*", "'", "a'b", "\\", "%_", "x" * 5000, "seoul " * 500, "\x00", "🙂", "",
           "   ", '-"unclosed phrase', "col:umn:", "{a b}", "a + b", "AND OR NOT"]


@pytest.mark.parametrize("query", HOSTILE)
def test_any_string_is_a_safe_query(archive, query):
    # Runs each compiled expression against the real FTS5 index: a syntax error would raise.
    hits = search(archive, query, limit=5)
    assert isinstance(hits, list)
    for mode in ("bm25", "vector"):
        search(archive, query, limit=5, mode=mode)


def test_quotes_make_a_phrase_and_minus_excludes():
    parsed = parse_query('seoul "defense spending" -japan -"youth exchanges"')
    assert [t.words for g in parsed.groups for t in g] == [["seoul"], ["defense", "spending"]]
    assert [t.words for t in parsed.excluded] == [["japan"], ["youth", "exchanges"]]
    assert parsed.strict_match() == ('("seoul" AND "defense spending") NOT '
                                     '("japan" OR "youth exchanges")')


def test_or_binds_two_neighbours_and_lower_case_or_is_a_word():
    parsed = parse_query("busan tokyo OR osaka talks")
    assert [[t.words[0] for t in g] for g in parsed.groups] == [["busan"], ["tokyo", "osaka"],
                                                                 ["talks"]]
    assert len(parse_query("tokyo or osaka").groups) == 3


def test_fts_syntax_in_a_query_is_plain_text():
    parsed = parse_query('NEAR(a b) title:x "q""uote')
    match = parsed.strict_match()
    assert "NEAR(" not in match and "title:" not in match
    # A doubled quote closes one phrase and opens the next, which runs to the end.
    assert [t.words for t in parsed.phrases] == [["q"], ["uote"]]


def test_very_long_queries_are_cut_to_a_bounded_number_of_terms():
    parsed = parse_query("word " * 10_000)
    assert sum(len(g) for g in parsed.groups) <= MAX_TERMS


def test_relaxed_match_drops_stopwords_but_keeps_phrases():
    parsed = parse_query('what did "Bank of Korea" say about the rate')
    relaxed = parsed.relaxed_match()
    assert relaxed == '"Bank of Korea" AND ("rate")'


def test_exact_phrase_is_required_and_exclusions_hold_for_every_retriever(archive):
    for mode in ("hybrid", "bm25", "vector"):
        ids = [h["id"] for h in search(archive, '"youth exchanges"', mode=mode)]
        assert ids == ["talks"], mode
        ids = [h["id"] for h in search(archive, "defense spending -japan", mode=mode)]
        assert "talks" not in ids and "budget" in ids, mode


def test_or_finds_either_word(archive):
    ids = {h["id"] for h in search(archive, "destroyers OR overhaul", mode="bm25")}
    assert {"budget", "ships"} <= ids
    assert not {h["id"] for h in search(archive, "destroyers overhaul", mode="bm25")} & {"rates"}


def test_prefix_search(archive):
    ids = [h["id"] for h in search(archive, "shipbuild*", mode="bm25")]
    assert ids[0] == "ships"
