"""Formats the timestamps the store writes: ISO 8601, UTC, seconds, sortable as text."""

from __future__ import annotations

from datetime import datetime, timezone

__all__ = ["now_iso", "utc_iso", "sortable"]


def now_iso() -> str:
    return utc_iso(datetime.now(timezone.utc))


def utc_iso(dt: datetime) -> str:
    """Returns ``dt`` in UTC as 'YYYY-MM-DDTHH:MM:SS+00:00'; naive datetimes are taken as UTC."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def sortable(iso: str | None) -> str | None:
    """Returns an ISO 8601 string converted to UTC for ordering, or None when unparseable."""
    if not iso:
        return None
    try:
        return utc_iso(datetime.fromisoformat(iso.replace("Z", "+00:00")))
    except ValueError:
        return None
