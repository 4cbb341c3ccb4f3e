"""Tests the automatic moderation rules on their own."""

from __future__ import annotations

from datetime import timedelta

import pytest

from newsdesk.errors import ConfigError
from newsdesk.web.moderation import fingerprint, judge, load_banned_words

OLD = timedelta(days=30)


def _judge(body, age=OLD, duplicate=None, extra=""):
    return judge(body, account_age=age, banned=load_banned_words(extra), duplicate=duplicate)


def test_ordinary_comments_pass():
    for body in ("I think the central bank was right to wait.",
                 "Their source is https://example.com/report, worth reading.",
                 "Korea's KOSPI fell 2% on the news."):
        verdict = _judge(body)
        assert verdict.status == "visible" and verdict.reason is None, body


@pytest.mark.parametrize("body,reason", [
    ("see http://a.example http://b.example www.c.example", "3 links (more than 2)"),
    ("visit cheap-pills.xyz and pills.top and http://b.example", "3 links (more than 2)"),
    ("nooooooooooo way", "a character repeated 10 or more times"),
    ("THIS IS AN OUTRAGE AND EVERYONE SHOULD KNOW IT", "mostly capital letters"),
    ("k1ll y0urself", "abuse phrase: \u201ckill yourself\u201d"),
    ("Click   HERE for more", "spam phrase: \u201cclick here\u201d"),
])
def test_rules_hold_with_reasons(body, reason):
    verdict = _judge(body)
    assert verdict.status == "pending"
    assert reason in verdict.reason


def test_new_accounts_cannot_post_links_at_once():
    assert _judge("see https://example.com", age=timedelta(hours=2)).reason == \
        "link from an account less than a day old"
    assert _judge("see https://example.com", age=timedelta(days=2)).status == "visible"


def test_duplicates_say_whose():
    assert _judge("hi", duplicate=(7, True)).reason == "same text as comment #7 (posted twice)"
    assert _judge("hi", duplicate=(7, False)).reason == "same text as comment #7 by another account"


def test_fingerprint_folds_case_space_and_punctuation():
    assert fingerprint("Hello,   WORLD!") == fingerprint("hello world")
    assert fingerprint("hello world") != fingerprint("hello there")


def test_words_match_whole_words_only():
    assert _judge("The classic casino bonusing scheme").status == "visible"
    assert _judge("a casino bonus awaits").status == "pending"


def test_admin_word_file_adds_words(tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("# ours\nspam: cheap watches\nfrobnicate\n", encoding="utf-8")
    assert _judge("Cheap   watches here", extra=str(words)).reason == \
        "spam phrase: \u201ccheap watches\u201d"
    assert _judge("you frobnicate", extra=str(words)).reason == "abuse phrase: \u201cfrobnicate\u201d"
    with pytest.raises(ConfigError, match="cannot|No such"):
        load_banned_words(str(tmp_path / "missing.txt"))
    bad = tmp_path / "bad.txt"
    bad.write_text("spam: !!!\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 1"):
        load_banned_words(str(bad))
