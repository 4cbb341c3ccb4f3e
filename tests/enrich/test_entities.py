"""The entities step: tagging, merging within and across articles, outlets, chrome, storage."""

from __future__ import annotations

import json

import pytest

from newsdesk.cli import main
from newsdesk.enrich import BUILTIN_ENRICHERS, load_enrichers
from newsdesk.enrich.entities import EntitiesEnricher, analyse_texts
from newsdesk.enrich.entitynames import entity_key, is_outlet, person_key, short_forms
from newsdesk.models import Article
from newsdesk.store.sqlite import SQLiteStore

TEXT = """SEOUL, Dec. 1 (Yonhap) -- National Security Adviser Kim Do-yun met U.S. Secretary of State \
Laura Whitfield in Seoul on Monday, The Korea Herald learned.

Kim said the talks had gone well. "We agreed on the hard parts first," Kim told reporters.

Whitfield, who arrived on Sunday, is to fly to Tokyo on Tuesday.

Hashtags
#OPCON #USROKAlliance
Related Articles"""


def _by_name(entities: list[dict]) -> dict[str, dict]:
    return {e["name"]: e for e in entities}


@pytest.fixture(scope="module")
def analysis():
    return analyse_texts([TEXT], [{"The Korea Herald"}])[0]


def test_mentions_of_one_person_merge_within_an_article(analysis):
    people = [e for e in analysis.entities if e["type"] == "person"]
    assert sorted(e["name"] for e in people) == ["Kim Do-yun", "Laura Whitfield"]
    named = _by_name(people)
    assert named["Kim Do-yun"]["mentions"] == 3  # "Kim Do-yun", "Kim said", "Kim told"
    assert named["Laura Whitfield"]["mentions"] == 2
    assert named["Kim Do-yun"]["roles"] == ["National Security Adviser"]
    assert named["Laura Whitfield"]["roles"] == ["Secretary of State"]
    assert named["Laura Whitfield"]["affiliations"] == ["United States"]


def test_outlets_and_wires_are_organisations_never_people(analysis):
    named = _by_name(analysis.entities)
    assert named["Yonhap"]["type"] == "organization"
    assert named["Korea Herald"]["type"] == "organization"


def test_page_chrome_is_never_an_entity(analysis):
    names = " ".join(e["name"] for e in analysis.entities)
    for chrome in ("Hashtags", "Related", "OPCON", "USROKAlliance"):
        assert chrome not in names


def test_quotes_carry_their_speaker(analysis):
    assert analysis.quotes == [{"text": "We agreed on the hard parts first", "speaker": "Kim Do-yun",
                                "speaker_description": None, "anonymous": False}]


@pytest.mark.parametrize("variant", ["Kim Do-yun", "Kim Doyun", "Kim Do Yun", "Do-yun Kim", "KIM Do-yun"])
def test_romanisations_of_one_korean_name_share_a_key(variant):
    assert person_key(variant) == person_key("Kim Do-yun") == "doyun-kim"


def test_name_order_and_honorifics_do_not_change_the_key():
    assert person_key("Nishimura Haruka") == person_key("Haruka Nishimura")
    assert person_key("Rep. Shim Kyung-ah") == person_key("Shim Kyung-ah")
    assert entity_key("the Foreign Ministry", "organization") == "organization-foreign-ministry"
    assert person_key("Laura Whitfield") != person_key("Laura Whitman")


def test_short_forms_follow_the_name_order():
    assert short_forms("Kim Do-yun") == ["Kim"]
    assert short_forms("Wang Yi") == ["Wang"]
    assert short_forms("Laura Whitfield") == ["Whitfield"]
    assert short_forms("Yonhap") == []


def test_wire_services_and_outlet_names_are_outlets():
    assert is_outlet("Yonhap") and is_outlet("Reuters") and is_outlet("The Korea Herald")
    assert is_outlet("Seoul Ledger", {"seoul ledger"})
    assert not is_outlet("Laura Whitfield")


def test_the_step_runs_after_stories_and_is_loaded_by_default():
    names = [step.name for step in load_enrichers(None)]
    assert names.index("entities") == names.index("stories") + 1
    assert any(factory(None).name == "entities" for factory in BUILTIN_ENRICHERS)


def test_articles_in_other_languages_are_left_alone():
    korean = Article(title="회담", text="박지훈 외교부 장관은 23일 부산에서 회담을 열었다.", language="ko")
    english = Article(title="Talks", text=TEXT, language=None)
    EntitiesEnricher().enrich([korean, english], None)
    assert korean.entities == [] and korean.quotes == []
    assert any(e["name"] == "Kim Do-yun" for e in english.entities)


def _article(n: int, date: str, text: str) -> Article:
    return Article(title=f"Story {n}", text=text, outlet="The Seoul Ledger", published_at=date,
                   language="en", url=f"https://ledger.example/{n}")


def test_the_store_indexes_entities_roles_and_quotes_for_entity_pages(tmp_path):
    first = _article(1, "2026-11-20T10:00:00+09:00",
                     "First Deputy National Security Adviser Kim Do-yun met Defense Minister "
                     "Kang Min-seok on Friday.\n\n\"We will be ready,\" Kim said.")
    second = _article(2, "2026-11-27T10:00:00+09:00",
                      "National Security Adviser Kim Doyun spoke with Kang Min-seok again.\n\n"
                      "\"The roadmap is on track,\" Kim said.")
    third = _article(3, "2026-11-28T10:00:00+09:00",
                     "Kim said little.\n\n\"Nothing to add today,\" Kim said.")
    EntitiesEnricher().enrich([first, second, third], None)
    store = SQLiteStore(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        store.save_articles([second, first])
        store.save_article(third)
        key = "person-doyun-kim"
        entity = store.get_entity(key)
        assert entity is not None and entity.type == "person" and entity.articles == 3
        roles = [(r.role, r.article_id) for r in store.entity_roles(key) if r.role]
        assert roles == [("First Deputy National Security Adviser", first.id),
                         ("National Security Adviser", second.id)]
        assert [a.id for a in store.entity_articles(key)] == [third.id, second.id, first.id]
        quotes = store.entity_quotes(key)
        assert [q.text for q in quotes] == ["Nothing to add today", "The roadmap is on track",
                                           "We will be ready"]
        # a bare "Kim" in a later article joins the one stored person it can mean
        assert [q.speaker for q in quotes] == ["Kim", "Kim Doyun", "Kim Do-yun"]
        assert store.find_entity("Kim", "person").key == key
        assert store.find_entity("Kim Do Yun", "person").key == key
        assert store.find_entity("Nobody Here", "person") is None
        shared = {e.key: n for e, n in store.co_mentioned(key)}
        assert shared["person-kang-minseok"] == 2
        people = [e.key for e in store.list_entities("person")]
        assert people[0] == key and "person-kang-minseok" in people
        assert store.list_entities("person", limit=1, offset=1)[0].key == "person-kang-minseok"
        with pytest.raises(ValueError, match="unknown type 'people'"):
            store.list_entities("people")
        # saving an article again indexes nothing twice
        store.save_articles([first])
        assert store.get_entity(key).articles == 3
    finally:
        store.close()


def test_export_carries_entities_and_quotes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NEWSDESK_DB", f"sqlite:///{tmp_path / 'news.db'}")
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a1", "title": "Talks", "text": TEXT, "language": "en"}) + "\n")
    assert main(["ingest", str(src)]) == 0
    capsys.readouterr()
    assert main(["export"]) == 0
    row = json.loads(capsys.readouterr().out.splitlines()[0])
    assert {"Kim Do-yun", "Laura Whitfield"} <= {e["name"] for e in row["entities"]}
    assert row["quotes"][0]["speaker"] == "Kim Do-yun"


def test_extract_enrich_prints_entities_and_quotes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a1", "title": "Talks", "text": TEXT, "language": "en"}) + "\n")
    assert main(["extract", "--enrich", str(src)]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    people = {e["name"]: e for e in row["entities"] if e["type"] == "person"}
    assert people["Kim Do-yun"]["roles"] == ["National Security Adviser"]
    assert row["quotes"][0]["speaker"] == "Kim Do-yun"


def test_datelines_name_places_and_file_names_are_no_entities():
    text = ("SEOUL, Nov. 28 (Yonhap) -- The plan was discussed in Seoul on Friday.\n\n"
            "TOKYO (AP) — Japan agreed. The notes are in DESIGN.md and CAPTURED_AT.")
    named = {e["name"]: e for e in analyse_texts([text])[0].entities}
    assert named["Seoul"]["type"] == "place" and named["Seoul"]["mentions"] == 2
    assert named["TOKYO"]["type"] == "place"  # a dateline alone keeps its spelling
    assert not {"SEOUL", "DESIGN.md", "CAPTURED_AT"} & named.keys()


# -- speed work (docs/entities.md, Speed) ----------------------------------------------------
@pytest.mark.parametrize("text,name", [
    ("Kim said. Kim-Lee said; Kim's aide and Kimberly met Kim", "Kim"),
    ("Kim Do-yun met Kim Do-yunn and Kim Do-yun.", "Kim Do-yun"),
    ("A A A A", "A A"),  # overlapping occurrences: left to right, never overlapping
    ("in the U.S. and U.S.-made arms, U.S.", "U.S."),
    ("the 'Hawk' and 'Hawk's' men", "'Hawk'"),  # a name opening with punctuation
    ("Ōno and Ōnok met Ōno", "Ōno"),
    ("lawmakers and Lawmakers", "lawmakers"),
])
def test_the_word_index_finds_what_a_whole_word_pattern_finds(text, name):
    import re

    from newsdesk.enrich.entities import _Words

    expected = [m.span() for m in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", text)]
    assert list(_Words(text).find(name)) == expected


def test_the_stock_pipeline_runs_only_what_the_step_reads():
    from newsdesk.enrich.nlp import stock_model

    # sentences and names; its shared tok2vec feeds only the tagger and parser, left out
    assert stock_model().pipe_names == ["senter", "ner"]
