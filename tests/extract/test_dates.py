"""Tests reading ages, printed dates and feed timestamps."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from newsdesk.extract.dates import parse_age, parse_datetime, to_iso

KST = timezone(timedelta(hours=9))
CAPTURED_AT = datetime(2026, 11, 28, 15, 0, 30, tzinfo=KST)


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        ("6 hours ago", "2026-11-28T09:00:30+09:00"),
        ("1 hour ago", "2026-11-28T14:00:30+09:00"),
        ("an hour ago", "2026-11-28T14:00:30+09:00"),
        ("30 minutes ago", "2026-11-28T14:30:30+09:00"),
        ("30 mins ago", "2026-11-28T14:30:30+09:00"),
        ("45 secs ago", "2026-11-28T14:59:45+09:00"),
        ("just now", "2026-11-28T15:00:30+09:00"),
        ("a few seconds ago", "2026-11-28T15:00:30+09:00"),
        ("yesterday", "2026-11-27T15:00:30+09:00"),
        ("2 days ago", "2026-11-26T15:00:30+09:00"),
        ("a day ago", "2026-11-27T15:00:30+09:00"),
        ("a week ago", "2026-11-21T15:00:30+09:00"),
        ("3 weeks ago", "2026-11-07T15:00:30+09:00"),
        ("1 month ago", "2026-10-29T15:00:30+09:00"),
        ("2 years ago", "2024-11-28T15:00:30+09:00"),
        ("6h ago", "2026-11-28T09:00:30+09:00"),
        ("6h", "2026-11-28T09:00:30+09:00"),
        ("2d", "2026-11-26T15:00:30+09:00"),
        ("30m", "2026-11-28T14:30:30+09:00"),
        ("1mo", "2026-10-29T15:00:30+09:00"),
        ("  7  HOURS  ago ", "2026-11-28T08:00:30+09:00"),
        ("Updated 6 hours ago", "2026-11-28T09:00:30+09:00"),
    ],
)
def test_parse_age_reads_ages_against_captured_at(age, expected):
    assert to_iso(parse_age(age, CAPTURED_AT)) == expected


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("Nov. 27, 2026", "2026-11-27T00:00:00+09:00"),
        ("November 27, 2026", "2026-11-27T00:00:00+09:00"),
        ("27 November 2026", "2026-11-27T00:00:00+09:00"),
        ("2026-11-27 14:05", "2026-11-27T14:05:00+09:00"),
        ("2026-11-27T14:05:00Z", "2026-11-27T14:05:00+00:00"),
        ("2026.11.27 (Fri) 14:05", "2026-11-27T14:05:00+09:00"),
        ("Published : Nov. 28, 2026 - 10:25", "2026-11-28T10:25:00+09:00"),
        ("Nov. 27, 2026 2:05 p.m.", "2026-11-27T14:05:00+09:00"),
        ("Nov. 27, 2026 12:30 a.m.", "2026-11-27T00:30:00+09:00"),
        ("Friday, Nov. 27, 2026", "2026-11-27T00:00:00+09:00"),
        ("Nov 27, 2026 10:25 EST", "2026-11-27T10:25:00-05:00"),
        ("2026-11-27 10:25 +0100", "2026-11-27T10:25:00+01:00"),
        ("Nov. 27", "2026-11-27T00:00:00+09:00"),
        ("Dec. 30", "2025-12-30T00:00:00+09:00"),
    ],
)
def test_parse_age_reads_printed_dates_in_captured_zone(printed, expected):
    assert to_iso(parse_age(printed, CAPTURED_AT)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "", "Korea Herald", "in 2 hours", "7 hours", "Seoul to host talks on Nov. 27, 2026",
        "20261127", "2026", "Nov. 31, 2026", "Nov. 27, 2026 25:00", "hours ago", "13 p.m.",
    ],
)
def test_parse_age_rejects_what_is_no_age(text):
    assert parse_age(text, CAPTURED_AT) is None


def test_parse_age_keeps_a_naive_captured_at_naive():
    naive = datetime(2026, 11, 28, 15, 0)
    assert parse_age("2 hours ago", naive) == datetime(2026, 11, 28, 13, 0)


def test_parse_age_is_exact_across_a_daylight_saving_change():
    new_york = ZoneInfo("America/New_York")
    captured = datetime(2026, 11, 1, 12, 0, tzinfo=new_york)  # DST ended at 02:00 that day
    assert to_iso(parse_age("12 hours ago", captured)) == "2026-11-01T01:00:00-04:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue, 10 Jun 2003 04:00:00 GMT", "2003-06-10T04:00:00+00:00"),
        ("Tue, 10 Jun 2003 04:00:00 -0000", "2003-06-10T04:00:00+00:00"),
        ("Thu, 27 Nov 2026 10:00:00 +0900", "2026-11-27T10:00:00+09:00"),
        ("Thu, 27 Nov 2026 10:00:00 EST", "2026-11-27T10:00:00-05:00"),
        ("2026-11-27", "2026-11-27T00:00:00+00:00"),
        ("2026-11-27T14:05", "2026-11-27T14:05:00+00:00"),
        ("2026-11-27T14:05:09.123456+09:00", "2026-11-27T14:05:09+09:00"),
        ("2026-11-27T14:05:00Z", "2026-11-27T14:05:00+00:00"),
        ("2026-11-27t14:05:00z", "2026-11-27T14:05:00+00:00"),
        ("Nov. 27, 2026", "2026-11-27T00:00:00+00:00"),
        (" 27 November 2026 14:05 KST ", "2026-11-27T14:05:00+09:00"),
    ],
)
def test_parse_datetime_reads_feed_and_metadata_strings(text, expected):
    assert to_iso(parse_datetime(text)) == expected


@pytest.mark.parametrize(
    "junk", ["", "junk", "0000-00-00", "2026-13-45", "Nov. 27", "7 hours ago", None, 5, "x" * 500]
)
def test_parse_datetime_returns_none_for_junk(junk):
    assert parse_datetime(junk) is None


def test_to_iso_takes_naive_as_utc_and_drops_microseconds():
    assert to_iso(datetime(2026, 11, 27, 14, 5, 9, 999999)) == "2026-11-27T14:05:09+00:00"
    assert to_iso(datetime(2026, 11, 27, 14, 5, tzinfo=KST)) == "2026-11-27T14:05:00+09:00"
