"""Ask: cited extractive answers from the archive, and a plain "no answer" when it holds none."""

from __future__ import annotations

from newsdesk.search import ask
from newsdesk.search.llm import Passage, supported

CITATION_KEYS = {"id", "title", "outlet", "published_at", "sentence"}


def test_a_question_the_archive_answers_gets_cited_sentences(use_archive):
    result = ask(use_archive, "How much will South Korea raise defense spending next year?")
    assert result["answer"] and "7 percent" in result["answer"]
    assert result["citations"]
    for cite in result["citations"]:
        assert set(cite) == CITATION_KEYS
        article = use_archive.get_article(cite["id"])
        assert cite["sentence"] in " ".join(article.text.split())
        assert cite["sentence"] in result["answer"]
        assert cite["title"] == article.title and cite["outlet"] == article.outlet


def test_who_was_named_finds_the_sentence_that_names_him(use_archive):
    result = ask(use_archive, "Who was named head of the National Security Office?")
    assert result["answer"] and "Kim Do-yun" in result["answer"]
    assert result["citations"][0]["id"] == "adviser"


def test_a_question_the_archive_cannot_answer_says_so(use_archive):
    for question in ("What is the recipe for sourdough bread?",
                     "Who won the football World Cup final in Qatar?", "", '"(('):
        assert ask(use_archive, question) == {"answer": None, "citations": []}, question


def test_support_is_the_share_of_content_words_found_in_the_passage():
    passage = Passage("The Bank of Korea kept its base rate at 2.50 percent on Thursday.", {})
    assert supported("The Bank of Korea held its rate at 2.50 percent.", passage.text) > 0.8
    assert supported("The Fed cut rates sharply in Washington.", passage.text) < 0.4
