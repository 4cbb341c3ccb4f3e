"""Quotes and their speakers: named, pronouns, anonymous sources, statements, long quotes."""

from __future__ import annotations

from newsdesk.enrich.entities import analyse_texts


def _quotes(text: str) -> list[dict]:
    return analyse_texts([text])[0].quotes


def test_a_named_speaker_after_or_before_the_quote():
    text = ('Foreign Minister Park Ji-hoon met reporters on Monday. "We will meet again in January," '
            'Park said.\n\nLaura Whitfield said: "Our alliance has never been stronger than today."')
    assert [(q["text"], q["speaker"]) for q in _quotes(text)] == [
        ("We will meet again in January", "Park Ji-hoon"),
        ("Our alliance has never been stronger than today.", "Laura Whitfield")]


def test_a_pronoun_speaks_for_the_last_person_named():
    text = ('Ahn Sol-mi, a senior researcher at the Korea Institute for Defense Analyses, spoke '
            'after the hearing. "The argument is about the pace," she said.')
    assert _quotes(text)[0]["speaker"] == "Ahn Sol-mi"


def test_an_anonymous_source_is_kept_as_its_description():
    text = ('A Foreign Ministry official, speaking on condition of anonymity, said the talks went well. '
            '"Nothing is fixed, but the mood was better," the official said.\n\n'
            '"When Treasury flies in, names usually follow," a senior diplomat in Seoul said on '
            'condition of anonymity.')
    assert _quotes(text) == [
        {"text": "Nothing is fixed, but the mood was better", "speaker": None,
         "speaker_description": "A Foreign Ministry official", "anonymous": True},
        {"text": "When Treasury flies in, names usually follow", "speaker": None,
         "speaker_description": "a senior diplomat in Seoul", "anonymous": True}]


def test_a_statement_speaks_but_is_not_anonymous():
    text = ('"Both sides agreed that misunderstandings at sea must never become incidents," an '
            'English-language joint press release read.')
    assert _quotes(text) == [{"text": "Both sides agreed that misunderstandings at sea must never become "
                                      "incidents", "speaker": None,
                              "speaker_description": "an English-language joint press release",
                              "anonymous": False}]


def test_a_quote_over_several_paragraphs_is_one_quote():
    text = ('Yang Uk, a research fellow at the Asan Institute, said the choice was deliberate.\n\n'
            '"Cruise missiles sit below the threshold of a council meeting. Pyongyang knows where that '
            'line is,\n\n"and it wants us to know that it knows," Yang said.\n\n'
            'The launch came at dawn.')
    quotes = _quotes(text)
    assert len(quotes) == 1 and quotes[0]["speaker"] == "Yang Uk"
    assert quotes[0]["text"].startswith("Cruise missiles sit below")
    assert quotes[0]["text"].endswith("and it wants us to know that it knows")
    assert "\n\n" in quotes[0]["text"]


def test_a_bare_quote_paragraph_goes_on_with_the_last_speaker():
    text = ('"We are looking at the ships and the banks," Marcus Bell said.\n\n'
            '"And we are not going to do it alone."\n\nOfficials declined to comment further.')
    quotes = _quotes(text)
    assert len(quotes) == 1 and quotes[0]["speaker"] == "Marcus Bell"
    assert quotes[0]["text"].endswith("And we are not going to do it alone.")


def test_scare_quotes_and_unattributed_phrases_are_not_quotes():
    text = ('North Korea warned of "corresponding measures" on Friday.\n\n'
            '"A line nobody can attribute to anyone here."')
    assert _quotes(text) == []


def test_the_next_sentence_does_not_attribute_a_quote_that_ended_its_own():
    text = ('The Chinese Embassy in Seoul said it had asked the Korean side to "handle the case fairly '
            'and protect the crew." An embassy spokesperson, Wu Haitao, said talks went on.')
    assert _quotes(text) == [{"text": "handle the case fairly and protect the crew.", "speaker": None,
                              "speaker_description": "The Chinese Embassy in Seoul", "anonymous": False}]


def test_the_subject_not_a_person_named_inside_the_attribution_speaks():
    text = ('Ousted former President Nam Chang-woo, Bae Jung-ho\'s long-time patron, called the '
            'indictment "political revenge dressed up as law."')
    assert _quotes(text)[0]["speaker"] == "Nam Chang-woo"
