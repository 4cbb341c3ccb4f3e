"""Unit tests of the template filters: ages, dates, excerpts, paragraphs, links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsdesk.web.filters import (
    absolute_time,
    age,
    age_text,
    article_path,
    credit,
    excerpt,
    outlet_path,
    paragraphs,
    parse_time,
    web_url,
)

NOW = datetime(2025, 11, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(seconds=20), "just now"),
        (timedelta(minutes=-2), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=45, seconds=30), "45 minutes ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(hours=6, minutes=59), "6 hours ago"),
        (timedelta(hours=23, minutes=59), "23 hours ago"),
        (timedelta(hours=24), "yesterday"),
        (timedelta(hours=47), "yesterday"),
        (timedelta(days=2), "2 days ago"),
        (timedelta(days=6, hours=23), "6 days ago"),
        (timedelta(days=7), "21 Nov 2025"),
        (timedelta(days=400), "24 Oct 2024"),
        (timedelta(days=-3), "1 Dec 2025"),
    ],
)
def test_age_text_wording(delta, expected):
    assert age_text(NOW - delta, now=NOW) == expected


def test_age_text_reads_iso_strings_with_offsets():
    # 20:00 in Seoul is 11:00 UTC: one hour before NOW.
    assert age_text("2025-11-28T20:00:00+09:00", now=NOW) == "1 hour ago"
    assert age_text("2025-11-28T06:00:00Z", now=NOW) == "6 hours ago"
    # A naive time is taken as UTC.
    assert age_text("2025-11-28T09:00:00", now=NOW) == "3 hours ago"


def test_age_text_of_missing_or_bad_times_is_empty():
    assert age_text(None, now=NOW) == ""
    assert age_text("", now=NOW) == ""
    assert age_text("last Tuesday", now=NOW) == ""
    assert parse_time("not a date") is None


def test_age_is_a_time_element_with_the_absolute_time_as_title():
    html = str(age("2025-11-28T15:00:00+09:00", now=NOW))
    assert html == ('<time datetime="2025-11-28T15:00:00+09:00" '
                    'title="28 Nov 2025, 15:00 +09:00">6 hours ago</time>')
    assert str(age(None, now=NOW)) == ""


def test_absolute_time():
    assert absolute_time("2025-03-05T07:52:00+00:00") == "5 Mar 2025, 07:52 UTC"
    assert absolute_time("2025-03-05T07:52:00-05:30") == "5 Mar 2025, 07:52 -05:30"
    assert absolute_time(None) == ""


def test_excerpt_cuts_at_a_word_near_200_chars():
    text = ("word " * 100).strip()
    out = excerpt(text)
    assert out.endswith("…")
    assert len(out) <= 201
    assert not out[:-1].endswith(" ")
    assert excerpt("short\n\ntext") == "short text"
    assert excerpt(None) == ""
    assert excerpt("x" * 300).startswith("x" * 200)


def test_paragraphs_split_on_blank_lines():
    text = "First line\nstill first.\n\n\nSecond.\r\n\r\nThird.\n   \n"
    assert paragraphs(text) == ["First line still first.", "Second.", "Third."]
    assert paragraphs("") == []
    assert paragraphs(None) == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a?b=1", "https://example.com/a?b=1"),
        ("HTTP://example.com/", "HTTP://example.com/"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("//example.com/a", None),
        ("/relative", None),
        ("http:///nohost", None),
        ("https://exa mple.com/", None),
        ("http://[::1", None),
        (None, None),
        ("", None),
    ],
)
def test_web_url_accepts_only_http_links(url, expected):
    assert web_url(url) == expected


def test_credit_paths():
    assert credit("Yonhap") == "(Yonhap)"
    assert credit("(Yonhap)") == "(Yonhap)"
    assert credit("  ") == ""
    assert article_path("a/b?c") == "/articles/a%2Fb%3Fc"
    assert outlet_path("Korea Herald & Co") == "/?outlet=Korea+Herald+%26+Co"
