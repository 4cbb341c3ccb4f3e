"""Tests recognition of wire credits and agency names."""

from __future__ import annotations

import pytest

from newsdesk.extract.credits import (
    KNOWN_AGENCIES,
    canonical_agency,
    find_credit,
    find_credits,
    is_agency,
)


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("The ministry said in a statement. (Yonhap)", "Yonhap"),
        ("The ministry said in a statement. (Yonhap News Agency)", "Yonhap"),
        ("Officials said. (AP)", "AP"),
        ("Officials said. (Associated Press)", "AP"),
        ("Officials said. (Reuters)", "Reuters"),
        ("Officials said. (AFP)", "AFP"),
        ("Officials said. \u2014 AFP", "AFP"),
        ("Officials said. - AFP", "AFP"),
        ("Officials said. -- Reuters", "Reuters"),
        ("Officials said./AFP", "AFP"),
        ("Officials said. /AFP", "AFP"),
        ("Officials said. (Kyodo)", "Kyodo"),
        ("Officials said. (Xinhua)", "Xinhua"),
        ("Officials said. (Bloomberg)", "Bloomberg"),
        ("Officials said. (dpa)", "dpa"),
        ("Officials said. (UPI)", "UPI"),
        ("Officials said. (EFE)", "EFE"),
        ("Officials said. (ANSA)", "ANSA"),
        ("Officials said. (PTI)", "PTI"),
        ("Officials said. (IANS)", "IANS"),
        ("Officials said. (ANI)", "ANI"),
        ("Officials said. (Bernama)", "Bernama"),
        ("Officials said. (Antara)", "Antara"),
        ("Officials said. (CNA)", "CNA"),
        ("Officials said. (TASS)", "TASS"),
        ("Officials said. (KCNA)", "KCNA"),
        ("Officials said. (NHK)", "NHK"),
        ("Officials said. (With AFP)", "AFP"),
        ("Officials said. (Yonhap).", "Yonhap"),
        ("\u201cWe are ready,\u201d he said.\u201d (Yonhap)", "Yonhap"),
        ("Talks will resume next week... (Yonhap)", "Yonhap"),
        ("Officials said.\n\n(Yonhap)", "Yonhap"),
        ("Officials said.\n(Yonhap)\n(END)", "Yonhap"),
        ("Officials said. (Yonhap)\nkdh@example.co.kr", "Yonhap"),
        ("SEOUL, Nov. 28 (Yonhap) -- South Korea said on Friday it would send an envoy.", "Yonhap"),
        ("WASHINGTON (AP) \u2014 The State Department said on Friday it welcomed the talks.", "AP"),
        ("TOKYO, Nov 28 (Reuters) - Japan lodged a protest.", "Reuters"),
        ("Seoul (AFP) - South Korea's president said on Friday.", "AFP"),
        ("SEOUL, South Korea (AP) \u2014 Officials met.", "AP"),
        ("PYONGYANG, Nov. 28 (KCNA) -- The state media said.", "KCNA"),
    ],
)
def test_find_credit_recognises_wire_credits(text, agency):
    assert find_credit(text) == agency


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Officials said the talks would resume.",
        "Soldiers stand guard at the border. (file photo)",
        "Seoul will send observers to the (NATO) summit in July.",
        "The allies held a drill on Friday. (AP Photo/Ahn Young-joon)",
        "The allies held a drill on Friday. (Yonhap photo)",
        "He told the Associated Press (AP).",
        "Officials told (AP) reporters the talks would go on.",
        "Officials said (Yonhap)",
        "Photo: Kim Min-ji/AFP",
        "The report cited sources at the agency - AFP",
        "SEOUL (Seoul Daily Ledger) -- The ministry said.",
        "He met the press. (END)",
        "Officials said. (Korea Herald)",
        "Officials said. (AP Photo)",
        "(AP) was mentioned at the start, then the story went on at length.",
    ],
)
def test_find_credit_ignores_ordinary_parentheses_and_captions(text):
    assert find_credit(text) is None


def test_combined_credit_returns_first_agency_printed():
    assert find_credit("Officials said. (AP/Reuters)") == "AP"
    assert find_credits("Officials said. (AP/Reuters)") == ["AP", "Reuters"]
    assert find_credits("Officials said. (AFP-Yonhap)") == ["AFP", "Yonhap"]
    assert find_credits("Officials said. (Reuters, AFP)") == ["Reuters", "AFP"]


def test_dateline_credit_leads_end_credit():
    text = "SEOUL, Nov. 28 (Yonhap) -- The talks ended. (AFP)"
    assert find_credits(text) == ["Yonhap", "AFP"]
    assert find_credits("SEOUL, Nov. 28 (Yonhap) -- The talks ended. (Yonhap)") == ["Yonhap"]


def test_credit_mid_text_does_not_count():
    text = "Officials said. (Yonhap)\n\nThe talks will resume next week, the ministry added."
    assert find_credit(text) is None


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Yonhap News Agency", "Yonhap"),
        ("yonhap", "Yonhap"),
        ("The Associated Press", "AP"),
        ("Agence France-Presse", "AFP"),
        ("  Reuters. ", "Reuters"),
        ("Kyodo News", "Kyodo"),
        ("Korean Central News Agency", "KCNA"),
    ],
)
def test_canonical_agency_names_agencies(name, canonical):
    assert canonical_agency(name) == canonical
    assert is_agency(name)


@pytest.mark.parametrize(
    "name", ["Seoul Daily Ledger", "Korea Herald", "NATO", "", None, "AP Photo"]
)
def test_is_agency_rejects_outlets_that_are_no_wire(name):
    assert not is_agency(name)


def test_known_agencies_map_lower_case_aliases_to_canonical_names():
    assert KNOWN_AGENCIES["associated press"] == "AP"
    assert KNOWN_AGENCIES["dpa"] == "dpa"
    assert all(alias == alias.lower() for alias in KNOWN_AGENCIES)
    assert all(KNOWN_AGENCIES[name.lower()] == name for name in set(KNOWN_AGENCIES.values()))
