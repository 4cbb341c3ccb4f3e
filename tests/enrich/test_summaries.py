"""Sentence numbering, article summaries citing sentences, story summaries across outlets."""

from __future__ import annotations

from newsdesk.enrich.sentences import sentence_texts, split_sentences
from newsdesk.enrich.summaries import SummariesEnricher, article_summary, story_summary
from newsdesk.models import Article


def test_sentences_keep_abbreviations_initials_and_offsets():
    text = ('Gen. Kim met Mr. Lee in Seoul on Jan. 5. "We agreed," he said. The U.S. envoy J. '
            "Smith left at 3 p.m. Friday.\n\nAnother paragraph? Yes! It costs $3.5 billion.")
    found = split_sentences(text)
    assert [s.text for s in found] == [
        "Gen. Kim met Mr. Lee in Seoul on Jan. 5.", '"We agreed," he said.',
        "The U.S. envoy J. Smith left at 3 p.m. Friday.", "Another paragraph?", "Yes!",
        "It costs $3.5 billion."]
    assert [s.index for s in found] == list(range(6))
    assert [s.paragraph for s in found] == [0, 0, 0, 1, 1, 1]
    assert all(text[s.start:s.end] == s.text for s in found)


def test_paragraph_breaks_end_sentences_and_lines_work_without_blank_lines():
    assert sentence_texts("First line without stop\nSecond line.") == [
        "First line without stop", "Second line."]
    assert sentence_texts("One para\nwrapped line.\n\nNext.") == ["One para\nwrapped line.".replace(
        "\n", " "), "Next."]
    assert sentence_texts("") == [] and sentence_texts(" \n\n ") == []


TEXT = ("South Korea and the United States agreed on Wednesday on a roadmap to verify full "
        "operational capability by 2028, defense officials said in Seoul.\n\n"
        "The roadmap sets out three stages of verification for the combined forces command "
        "ahead of the wartime operational control transfer.\n\n"
        "Officials said the verification would begin next year with a joint exercise.\n\n"
        "Weather was fine.\n\n"
        "Defense Minister Kang Min-seok said the roadmap kept the transfer conditions-based and "
        "not tied to a calendar date.\n\n"
        "Separately, the ministry announced new uniforms for honor guard units in the capital.")


def test_article_summary_cites_sentences_in_reading_order():
    summary = article_summary(TEXT)
    sentences = sentence_texts(TEXT)
    assert 1 <= len(summary) <= 3
    indexes = [item["source_sentence"] for item in summary]
    assert indexes == sorted(indexes) and indexes[0] == 0
    for item in summary:
        assert set(item) == {"text", "source_sentence"}
        assert sentences[item["source_sentence"]] == item["text"]
    assert "Weather was fine." not in [i["text"] for i in summary]  # too short to say anything


def test_short_articles_still_get_a_summary():
    assert article_summary("Talks end.") == [{"text": "Talks end.", "source_sentence": 0}]
    assert article_summary("") == []


def _a(id: str, outlet: str, text: str, duplicate_of: str | None = None) -> Article:
    return Article(id=id, title="t", text=text, outlet=outlet, duplicate_of=duplicate_of)


def test_story_summary_draws_on_several_outlets_and_skips_copies():
    articles = [
        _a("a1", "Seoul Ledger", TEXT),
        _a("a2", "Seoul Ledger Copy", TEXT, duplicate_of="a1"),
        _a("b1", "Capital Daily", "The allies adopted a roadmap on Wednesday to verify the "
           "combined forces command before the wartime operational control transfer.\n\n"
           "North Korea did not react to the roadmap by evening, officials in Seoul said."),
        _a("c1", "Pacific Courier", "Washington and Seoul set 2028 as the target year to verify "
           "full operational capability under the new roadmap, officials said."),
    ]
    summary = story_summary(articles, k=3)
    assert len(summary) == 3
    assert {item["outlet"] for item in summary} == {"Seoul Ledger", "Capital Daily",
                                                   "Pacific Courier"}
    for item in summary:
        source = next(a for a in articles if a.id == item["article_id"])
        assert sentence_texts(source.text)[item["source_sentence"]] == item["text"]
        assert item["article_id"] != "a2"


def test_story_summary_fills_from_one_outlet_when_only_one_covers_it():
    summary = story_summary([_a("a1", "Seoul Ledger", TEXT)], k=3)
    assert len(summary) == 3 and {i["article_id"] for i in summary} == {"a1"}
    assert story_summary([]) == []


def test_enricher_fills_summary():
    article = Article(title="Roadmap", text=TEXT)
    SummariesEnricher().enrich([article], None)
    assert article.summary == article_summary(TEXT)


def test_korean_and_cjk_sentences_are_split():
    assert sentence_texts("북한이 오전 탄도미사일을 발사했다. 합동참모본부가 밝혔다.") == [
        "북한이 오전 탄도미사일을 발사했다.", "합동참모본부가 밝혔다."]
    assert sentence_texts("会談は終わった。声明はない！") == ["会談は終わった。", "声明はない！"]


def test_an_imported_summary_is_kept_only_when_it_cites_correctly():
    good = [{"text": sentence_texts(TEXT)[2], "source_sentence": 2}]
    kept = Article(title="t", text=TEXT, summary=list(good))
    wrong = Article(title="t", text=TEXT, summary=[{"text": "Made up.", "source_sentence": 0}])
    junk = Article(title="t", text=TEXT, summary=["not a dict"])
    SummariesEnricher().enrich([kept, wrong, junk], None)
    assert kept.summary == good
    assert wrong.summary == junk.summary == article_summary(TEXT)
