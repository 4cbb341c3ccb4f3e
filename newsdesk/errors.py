"""Exceptions raised by newsdesk.

Every error a user can cause is a ``NewsdeskError``; its message is one line that names the
stage and the thing ("fetcher: http://10.0.0.1/ resolves to a private address").

    NewsdeskError
    ├── ConfigError            a setting has a bad value
    ├── InputError             an INPUT cannot be read or understood
    │   ├── FetchError         an http(s) fetch failed (status, timeout, size, redirects)
    │   │   └── BlockedURLError  the URL, or a redirect, points where we must not go
    │   ├── FeedError          a feed or OPML document cannot be parsed
    │   └── ExtractError       a document holds no article we can extract
    └── StoreError             the database cannot be opened, migrated or written
"""

from __future__ import annotations

__all__ = [
    "NewsdeskError",
    "ConfigError",
    "InputError",
    "FetchError",
    "BlockedURLError",
    "FeedError",
    "ExtractError",
    "StoreError",
]


class NewsdeskError(Exception):
    """Base class of every error newsdesk raises on purpose."""

    def __str__(self) -> str:
        # Messages are printed as one line on stderr and stored on feed rows: keep them so.
        return " ".join(super().__str__().split())


class ConfigError(NewsdeskError):
    """A setting has a value that cannot be used."""


class InputError(NewsdeskError):
    """An INPUT (path, URL, feed, stdin) cannot be read or understood."""


class FetchError(InputError):
    """An http(s) fetch failed: status, timeout, size cap, redirect cap, robots.txt."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class BlockedURLError(FetchError):
    """The URL, its address or a redirect target is not allowed (scheme, private address)."""


class FeedError(InputError):
    """A feed or OPML document cannot be parsed into entries."""


class ExtractError(InputError):
    """A document holds no article text that can be extracted."""


class StoreError(NewsdeskError):
    """The database cannot be opened, migrated or written."""
