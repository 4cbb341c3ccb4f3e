"""Roles and affiliations from the patterns news copy uses."""

from __future__ import annotations

import pytest

from newsdesk.enrich.entities import analyse_texts
from newsdesk.enrich.roles import Role, apposition_after, split_role, title_before


def _before(text: str, name: str) -> Role | None:
    return title_before(text, 0, text.index(name))


def _after(text: str, name: str) -> Role | None:
    return apposition_after(text, text.index(name) + len(name))


@pytest.mark.parametrize("text, name, role, affiliation", [
    ("National Security Adviser Kim Do-yun said", "Kim Do-yun", "National Security Adviser", None),
    ("talks with First Vice Foreign Minister Yoon Seo-jin on", "Yoon Seo-jin",
     "First Vice Foreign Minister", None),
    ("U.S. Secretary of State Laura Whitfield said", "Laura Whitfield", "Secretary of State",
     "United States"),
    ("Japan's Vice Minister for Foreign Affairs Takuya Hoshino", "Takuya Hoshino",
     "Vice Minister for Foreign Affairs", "Japan"),
    ("Defense minister nominee Choi Jae-hyuk told lawmakers", "Choi Jae-hyuk", "Defense minister nominee",
     None),
    ("Ousted former President Nam Chang-woo called it", "Nam Chang-woo", "Ousted former President", None),
    ("the acting Foreign Minister Lee Dong-ha", "Lee Dong-ha", "acting Foreign Minister", None),
    # an unnamed possessor stays in the role: there is no organisation to name
    ("the main opposition party's spokesperson Rep. Shim Kyung-ah said", "Shim Kyung-ah",
     "main opposition party's spokesperson", None),
    # a named organisation is the affiliation; the more specific one wins over a nationality
    ("Chinese Foreign Ministry spokesperson Mao Lirong told", "Mao Lirong", "spokesperson",
     "Foreign Ministry"),
    ("former National Intelligence Service Director Bae Jung-ho", "Bae Jung-ho", "former Director",
     "National Intelligence Service"),
    ("Chief Cabinet Secretary Emi Kurosawa said", "Emi Kurosawa", "Chief Cabinet Secretary", None),
    ("his lawyer, Kim Hyo-jin, said", "Kim Hyo-jin", "lawyer", None),
])
def test_a_title_before_the_name(text, name, role, affiliation):
    assert _before(text, name) == Role(role, affiliation)


@pytest.mark.parametrize("text, name", [
    ("He met Kim Do-yun on Friday", "Kim Do-yun"),
    ("Kang Min-seok and Daniel Harrow agreed", "Daniel Harrow"),
    ("two days after Defense Minister Kang Min-seok and Laura Whitfield met", "Laura Whitfield"),
])
def test_no_title_is_read_from_ordinary_words(text, name):
    assert _before(text, name) is None


@pytest.mark.parametrize("text, name, role, affiliation", [
    ("Marcus Bell, deputy assistant secretary for Japan and Korea at the US State Department, said",
     "Marcus Bell", "deputy assistant secretary for Japan and Korea", "US State Department"),
    ("Lee Hae-won, deputy minister for defense policy, and Rachel Danforth", "Lee Hae-won",
     "deputy minister for defense policy", None),
    ("Hiroshi Kanzaki, Prime Minister Akira Tsutsumi's top security adviser, said", "Hiroshi Kanzaki",
     "top security adviser", "Prime Minister Akira Tsutsumi"),
    ("Gen. Patrick Oduya, commander of United States Forces Korea, said", "Patrick Oduya", "commander",
     "United States Forces Korea"),
    ("Teodoro Ramos, a former navy chief who now heads an institute, said", "Teodoro Ramos",
     "former navy chief", None),
    ("Oh Jae-sung, his predecessor and now ambassador-designate to the United States, would",
     "Oh Jae-sung", "ambassador-designate to the United States", None),
    ("Rep. Seo Ha-neul of the ruling Democratic Renewal Party said", "Seo Ha-neul", "",
     "Democratic Renewal Party"),
])
def test_an_apposition_after_the_name(text, name, role, affiliation):
    assert _after(text, name) == Role(role, affiliation)


@pytest.mark.parametrize("text, name", [
    ("Park, Whitfield agree to launch a working group led by Foreign Minister Kim", "Park"),
    ("Park Geum-ja, 91, who fled her hometown, said", "Park Geum-ja"),
    ("Kim, who took office last Sunday after serving as deputy adviser, said", "Kim"),
])
def test_lists_ages_and_relative_clauses_are_not_roles(text, name):
    assert _after(text, name) is None


def test_split_role_needs_a_role_word():
    assert split_role("the capital's biggest bakery") is None
    assert split_role("South Korean Ambassador") == Role("Ambassador", "South Korea")


def test_a_role_given_in_a_later_sentence_goes_to_the_person_named_before():
    text = ("Song Hyun-woo met Jin Seung-ah on Monday. The lawmaker, who chairs the unification "
            "committee, promised to fast-track the budget.")
    people = {e["name"]: e for e in analyse_texts([text])[0].entities if e["type"] == "person"}
    assert people["Jin Seung-ah"]["roles"] == ["lawmaker"]
    assert people["Song Hyun-woo"]["roles"] == []


@pytest.mark.parametrize("text, name, role, affiliation", [
    ("Hong Jae-won will serve as the president's special envoy to Southeast Asia, the office said",
     "Hong Jae-won", "special envoy to Southeast Asia", None),
    ("An embassy spokesperson, Wu Haitao, said", "Wu Haitao", "embassy spokesperson", None),
    ("Japan Coast Guard Commandant Shigeru Oda said", "Shigeru Oda", "Commandant", "Japan Coast Guard"),
    ("Indonesian Foreign Minister Ratna Wijaya welcomed it", "Ratna Wijaya", "Foreign Minister", "Indonesia"),
])
def test_more_ways_news_names_a_role(text, name, role, affiliation):
    found = _before(text, name) or _after(text, name)
    assert found == Role(role, affiliation)


def test_an_organisation_named_by_its_first_word_is_the_affiliation():
    text = ("Manila signed a deal with Hanseong Heavy Industries on Monday. Hanseong chief executive "
            "Baek Ji-won attended the ceremony.")
    entities = analyse_texts([text])[0].entities
    people = {e["name"]: e for e in entities if e["type"] == "person"}
    assert [(e["name"], e["mentions"]) for e in entities if e["type"] == "organization"] == [
        ("Hanseong Heavy Industries", 2)]
    assert people["Baek Ji-won"]["roles"] == ["chief executive"]
    assert people["Baek Ji-won"]["affiliations"] == ["Hanseong Heavy Industries"]


def test_a_synonym_of_a_known_role_adds_nothing():
    text = ("Former Prime Minister Hong Jae-won arrived on Monday. Officials said the former premier "
            "would stay for a week.")
    people = {e["name"]: e for e in analyse_texts([text])[0].entities if e["type"] == "person"}
    assert people["Hong Jae-won"]["roles"] == ["Former Prime Minister"]
