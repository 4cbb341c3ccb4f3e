"""Turns ages ("6 hours ago"), printed dates and feed timestamps into datetimes and ISO 8601."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

from .text import clean_chars

__all__ = ["RelativeTime", "parse_age", "parse_datetime", "to_iso"]

_UNIT_SECONDS = {
    "second": 1, "sec": 1, "s": 1,
    "minute": 60, "min": 60, "m": 60,
    "hour": 3600, "hr": 3600, "h": 3600,
    "day": 86400, "d": 86400,
    "week": 7 * 86400, "wk": 7 * 86400, "w": 7 * 86400,
    # Pages round ages coarsely; a month is counted as 30 days and a year as 365.
    "month": 30 * 86400, "mo": 30 * 86400,
    "year": 365 * 86400, "yr": 365 * 86400, "y": 365 * 86400,
}
_NOW_WORDS = {"just now", "now", "moments ago", "a moment ago", "seconds ago",
              "a few seconds ago", "few seconds ago", "today"}
_PREFIX = re.compile(
    r"^(?:(?:last\s+)?(?:updated|published|posted|modified|edited|created)(?:\s+on)?"
    r"\s*:?\s*)"
)
_RELATIVE = re.compile(r"^(?P<n>\d+|an?|one)\s+(?P<unit>[a-z]+)\.?\s+ago$")
# "6h ago", "2d", "30m", "1mo": no space between the number and a short unit.
_COMPACT = re.compile(r"^(?P<n>\d+)(?P<unit>s|m|min|h|hr|d|w|wk|mo|y|yr)s?\.?(?:\s+ago)?$")

# Only the extended ISO form counts as an age line: a line of bare digits is no date.
_ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[t ]|$)")

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?"
_DATES = (
    r"(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})\.?",  # 2026-11-27, 2026.11.27
    _DAY + r"\s+" + _MONTH + r",?\s+(?P<y>\d{4})",  # 27 November 2026
    _MONTH + r"\s+" + _DAY + r",?\s+(?P<y>\d{4})",  # Nov. 27, 2026
    _MONTH + r"\s+" + _DAY,  # Nov. 27
    _DAY + r"\s+" + _MONTH,  # 27 Nov
)
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_WEEKDAY_AFTER = r"(?:\s*\((?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?\))?"
_TIME = (
    r"(?:\s*(?:,|-|\u2013|\u2014|at|\||\u00b7|t)?\s*"
    r"(?P<H>\d{1,2})(?::(?P<M>\d{2})(?::(?P<S>\d{2}))?)?\s*"
    r"(?P<ampm>[ap]\.?\s?m\.?)?)?"
)
_ZONE = (
    r"(?:\s*(?P<tz>z|utc|gmt|kst|jst|est|edt|cst|cdt|mst|mdt|pst|pdt|bst|cet|cest)?"
    r"\s*(?P<off>[+-]\d{1,2}(?::?\d{2})?)?)"
)
_ABSOLUTE = [
    re.compile(r"^" + _WEEKDAY + date + _WEEKDAY_AFTER + _TIME + _ZONE + r"$") for date in _DATES
]
_ZONES = {
    "z": 0, "utc": 0, "gmt": 0, "kst": 9, "jst": 9, "bst": 1, "cet": 1, "cest": 2,
    # US zones as RFC 822 reads them (CST is US Central there, not China).
    "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
}


def to_iso(dt: datetime) -> str:
    """Returns dt as ISO 8601 with its offset, to the second; a naive dt is taken as UTC."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.replace(microsecond=0).isoformat(timespec="seconds")


def _clean(s: str) -> str:
    return " ".join(clean_chars(s).split()).lower()


def _ago(captured_at: datetime, seconds: float) -> datetime:
    # Subtract in UTC so an age across a daylight-saving change is still exact.
    if captured_at.tzinfo is None:
        return captured_at - timedelta(seconds=seconds)
    utc = captured_at.astimezone(timezone.utc) - timedelta(seconds=seconds)
    return utc.astimezone(captured_at.tzinfo)


def _unit_seconds(unit: str) -> int | None:
    if unit in _UNIT_SECONDS:
        return _UNIT_SECONDS[unit]
    if unit.endswith("s") and unit[:-1] in _UNIT_SECONDS:
        return _UNIT_SECONDS[unit[:-1]]
    return None


class RelativeTime(datetime):
    """A time read from an age ("2 days ago", "yesterday"): only as exact as the age's unit,
    so the copies step ranks it below a printed time (``isinstance`` tells them apart)."""


def _relative_time(dt: datetime) -> RelativeTime:
    return RelativeTime(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second,
                        dt.microsecond, dt.tzinfo, fold=dt.fold)


def _relative(s: str, captured_at: datetime) -> datetime | None:
    if s in _NOW_WORDS:
        return _relative_time(captured_at)
    if s == "yesterday":
        return _relative_time(_ago(captured_at, 86400))
    match = _RELATIVE.match(s) or _COMPACT.match(s)
    if not match:
        return None
    seconds = _unit_seconds(match["unit"])
    if seconds is None:
        return None
    n = int(match["n"]) if match["n"].isdigit() else 1
    return _relative_time(_ago(captured_at, n * seconds))


def _zone(match: re.Match, default: tzinfo | None) -> tzinfo | None:
    tz = default
    if match["tz"]:
        tz = timezone(timedelta(hours=_ZONES[match["tz"]]))
    if match["off"]:
        sign = -1 if match["off"][0] == "-" else 1
        digits = match["off"][1:].replace(":", "")
        hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "0")
        base = tz.utcoffset(None) if isinstance(tz, timezone) and match["tz"] else timedelta(0)
        tz = timezone(base + sign * timedelta(hours=int(hours), minutes=int(minutes)))
    return tz


def _absolute(s: str, default_tz: tzinfo | None, reference: datetime | None) -> datetime | None:
    """Parses a printed date such as "Nov. 27, 2026 2:05 p.m."; the whole string must be a date."""
    for pattern in _ABSOLUTE:
        match = pattern.match(s)
        if match:
            break
    else:
        return None
    groups = match.groupdict()
    month = int(groups["m"]) if groups.get("m") else _MONTHS[groups["mon"][:3]]
    if groups.get("y"):
        year = int(groups["y"])
    elif reference is not None:
        year = reference.year
    else:
        return None
    hour, minute, second = int(match["H"] or 0), int(match["M"] or 0), int(match["S"] or 0)
    if match["H"] and not match["M"] and not match["ampm"]:
        return None  # "Nov. 27 5" is no time we know
    if match["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["ampm"].startswith("p") else 0)
    try:
        result = datetime(year, month, int(match["d"]), hour, minute, second,
                          tzinfo=_zone(match, default_tz))
    except (ValueError, OverflowError):
        return None
    if not groups.get("y") and reference is not None and result > _ago(reference, -86400):
        # A date printed without its year lies in the past: "Dec. 30" read on Jan. 2.
        try:
            result = result.replace(year=year - 1)
        except ValueError:
            return None
    return result


def parse_age(s: str, captured_at: datetime) -> datetime | None:
    """Returns the time an age or printed date stands for, read at captured_at, or None.

    Ages: "6 hours ago", "an hour ago", "30 mins ago", "6h ago", "2d", "just now", "yesterday",
    "3 weeks ago", "1 month ago" (30 days). Dates: "Nov. 27, 2026", "27 November 2026",
    "2026-11-27 14:05", ISO 8601; a date without zone is in captured_at's zone, and one without
    a year is the last such day up to captured_at. The whole string must be an age or a date,
    so a headline that mentions one is not mistaken for it.
    """
    if not isinstance(s, str) or captured_at is None:
        return None
    text = _PREFIX.sub("", _clean(s))
    if not text:
        return None
    found = _relative(text, captured_at)
    if found is not None:
        return found
    if _ISO_START.match(text):
        try:
            iso = datetime.fromisoformat(text.upper())
        except ValueError:
            pass
        else:
            return iso if iso.tzinfo is not None else iso.replace(tzinfo=captured_at.tzinfo)
    return _absolute(text, captured_at.tzinfo, captured_at)


def parse_datetime(s: str) -> datetime | None:
    """Returns the aware datetime a feed or metadata string stands for, or None; never raises.

    Reads ISO 8601 with or without time and offset, RFC 822 ("Tue, 10 Jun 2003 04:00:00 GMT")
    and printed dates ("Nov. 27, 2026"). A missing offset is UTC; a date alone is midnight UTC.
    """
    if not isinstance(s, str):
        return None
    text = " ".join(clean_chars(s).split())
    if not text or len(text) > 100:
        return None
    result: datetime | None = None
    try:
        result = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        # Our own reader first: email.utils drops zone names it does not know ("KST").
        result = _absolute(_PREFIX.sub("", text.lower()), timezone.utc, None)
    if result is None:
        try:
            result = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if result is None:
        return None
    if result.tzinfo is None:
        result = result.replace(tzinfo=timezone.utc)
    return result
