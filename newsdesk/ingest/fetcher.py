"""Fetches http(s) URLs politely and safely, returning the body with its caching headers.

Every request goes through ``netguard`` (no private addresses, before DNS and at connect time),
follows redirects by hand so each hop is checked, obeys robots.txt, waits between requests to
the same host, retries 429/5xx/connection errors with backoff, and stops a body that passes the
byte cap (counted after decompression) or the total time limit. All failures are ``FetchError``
with a one-line message that names the URL or host.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterator
from urllib.robotparser import RobotFileParser

import httpx

from ..config import Settings
from ..errors import BlockedURLError, FetchError
from ..models import RawDocument
from . import netguard

__all__ = ["FetchResult", "Fetcher"]

log = logging.getLogger(__name__)

_REDIRECTS = {301, 302, 303, 307, 308}
_LOCATION = "newsdesk.location"  # where _take_location keeps a redirect's Location header
# Only encodings decoded below with a bounded output size; brotli is not installed, so "br"
# is neither asked for nor accepted.
_ACCEPT_ENCODING = "gzip, deflate"
# Largest piece inflated at once: keeps a bomb's memory use near the cap, not 1000x a chunk.
_INFLATE_STEP = 64 * 1024
# RFC 9309 section 2.4: a cached robots.txt should not be used for more than 24 hours.
_ROBOTS_TTL = 24 * 3600.0


@dataclass
class FetchResult:
    """What one fetch returned: the final URL, status, decoded body and caching headers."""

    url: str  # final URL after redirects
    status: int  # 2xx or 304
    content: bytes  # decompressed body (b"" on 304)
    content_type: str | None  # media type without parameters, lower-case
    charset: str | None  # from Content-Type when given, as given
    etag: str | None
    last_modified: str | None
    fetched_at: datetime  # aware UTC

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def to_document(self, input: str, captured_at: datetime | None = None) -> RawDocument:
        """Returns the body as a RawDocument for the extract layer."""
        return RawDocument(input=input, content=self.content, content_type=self.content_type,
                           charset=self.charset, url=self.url, fetched_at=self.fetched_at,
                           captured_at=captured_at)


class Fetcher:
    """Fetches URLs under the fetch_* settings; thread-safe, one instance per process is enough.

    ``transport`` replaces the guarded network transport (tests pass ``httpx.MockTransport``);
    the URL check before each hop still applies and still resolves names, so pass a
    ``resolver(host, port) -> [address, ...]`` with it to keep such tests off real DNS.
    ``sleep`` and ``clock`` drive the politeness delay and backoff, so tests need not wait.
    """

    def __init__(self, settings: Settings, *, transport: httpx.BaseTransport | None = None,
                 resolver: netguard.Resolver | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.settings = settings
        self._allow = tuple(settings.allow_networks)
        self._resolver = resolver or netguard.system_resolver
        self._sleep = sleep
        self._clock = clock
        if transport is None:
            transport = netguard.GuardedTransport(self._allow, resolver=self._resolver,
                                                  proxy=settings.fetch_proxy or None)
        timeout = httpx.Timeout(connect=settings.fetch_connect_timeout,
                                read=settings.fetch_read_timeout,
                                write=settings.fetch_read_timeout,
                                pool=settings.fetch_connect_timeout)
        # trust_env=False: only fetch_proxy may route requests, never HTTP_PROXY from the shell.
        self._client = httpx.Client(transport=transport, timeout=timeout, follow_redirects=False,
                                    trust_env=False, event_hooks={"response": [_take_location]},
                                    headers={"User-Agent": settings.user_agent,
                                             "Accept-Encoding": _ACCEPT_ENCODING})
        self._lock = threading.Lock()
        self._next_turn: dict[str, float] = {}
        self._robots: dict[str, tuple[float, RobotFileParser | None]] = {}

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes pooled connections."""
        self._client.close()

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
              robots: bool = True) -> FetchResult:
        """Fetches url; returns a 2xx or, for a conditional request, a 304 result."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        obey = robots and self.settings.fetch_respect_robots
        result = self._fetch(url, headers, obey)
        if result.not_modified:
            # A 304 may omit the validators; keep the caller's so they are stored again.
            result.etag = result.etag or etag
            result.last_modified = result.last_modified or last_modified
        return result

    # --- redirects, robots -------------------------------------------------------------

    def _fetch(self, url: str, headers: dict[str, str], obey_robots: bool) -> FetchResult:
        current, seen = url, {url}
        for _ in range(self.settings.fetch_max_redirects + 1):
            self._check_hop(url, current)
            if obey_robots:
                self._check_robots(current)
            response, deadline = self._send(current, headers)
            try:
                location = response.extensions.get(_LOCATION)
                if response.status_code not in _REDIRECTS or not location:
                    return self._finish(current, response, deadline)
                try:
                    target = str(httpx.URL(current).join(location.strip()))
                except (httpx.InvalidURL, ValueError):
                    # httpx refuses spellings libc still reads as addresses (0177.0.0.1): a
                    # hop the guard refuses is reported as refused, not merely invalid.
                    self._check_hop(url, location.strip())
                    raise FetchError(f"fetcher: {current} redirects to an invalid URL "
                                     f"{location!r}") from None
            finally:
                response.close()
            if target in seen:
                raise FetchError(f"fetcher: {url} redirect loop at {target}")
            seen.add(target)
            current = target
        raise FetchError(f"fetcher: {url} redirected more than "
                         f"{self.settings.fetch_max_redirects} times")

    def _check_hop(self, url: str, current: str) -> None:
        """Raises BlockedURLError unless the guard allows ``current``, reached from ``url``."""
        try:
            netguard.check_url(current, self._allow, resolver=self._resolver)
        except BlockedURLError as exc:
            if current == url:
                raise
            detail = str(exc).removeprefix("fetcher: ")
            raise BlockedURLError(f"fetcher: {url} redirects to a refused URL: "
                                  f"{detail}") from None

    def _check_robots(self, url: str) -> None:
        parsed = httpx.URL(url)
        origin = f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"
        parser = self._robots_for(origin)
        if parser is not None and not parser.can_fetch(self.settings.user_agent, url):
            raise FetchError(f"fetcher: {url} disallowed by robots.txt")

    def _robots_for(self, origin: str) -> RobotFileParser | None:
        """Returns origin's parsed robots.txt, or None when every path is allowed."""
        now = self._clock()
        with self._lock:
            cached = self._robots.get(origin)
        if cached and now - cached[0] < _ROBOTS_TTL:
            return cached[1]
        parser: RobotFileParser | None = None
        try:
            result = self._fetch(origin + "/robots.txt", {}, obey_robots=False)
        except BlockedURLError:
            raise
        except FetchError as exc:
            # RFC 9309: a 4xx robots.txt means no rules; 429, 5xx and network failures mean
            # "unreachable", which must not be read as permission. Not cached, so retried.
            if exc.status is None or exc.status == 429 or exc.status >= 500:
                reason = str(exc).removeprefix("fetcher: ")
                raise FetchError(f"fetcher: robots.txt of {origin} unavailable: {reason}",
                                 status=exc.status, retry_after=exc.retry_after) from None
        else:
            parser = RobotFileParser(origin + "/robots.txt")
            parser.parse(result.content.decode("utf-8", "replace").splitlines())
        with self._lock:
            self._robots[origin] = (now, parser)
        return parser

    # --- one request, with politeness and retries ---------------------------------------

    def _wait_turn(self, host: str) -> None:
        """Sleeps until host's next free slot; slots are handed out under a lock."""
        delay = self.settings.fetch_host_delay
        if delay <= 0:
            return
        with self._lock:
            now = self._clock()
            start = max(now, self._next_turn.get(host, now))
            self._next_turn[host] = start + delay
            if len(self._next_turn) > 10_000:  # forget hosts whose slot has passed
                self._next_turn = {h: t for h, t in self._next_turn.items() if t > now}
        if start > now:
            self._sleep(start - now)

    def _send(self, url: str, headers: dict[str, str]) -> tuple[httpx.Response, float]:
        """Sends a GET, retrying 429, 5xx and connection errors; returns the streamed response."""
        host = httpx.URL(url).host
        retries = self.settings.fetch_retries
        for attempt in range(retries + 1):
            self._wait_turn(host)
            backoff = self.settings.fetch_backoff * 2 ** attempt
            deadline = time.monotonic() + self.settings.fetch_total_timeout
            request = self._client.build_request("GET", url, headers=headers)
            try:
                with netguard.time_limit(deadline):
                    response = self._client.send(request, stream=True)
            except httpx.HTTPError as exc:
                error = self._describe(url, exc, deadline)
                if attempt == retries or time.monotonic() >= deadline:
                    raise FetchError(error) from None
                log.info("%s; retrying in %.1fs", error, backoff)
                self._sleep(backoff)
                continue
            status = response.status_code
            if status != 429 and not 500 <= status < 600:
                return response, deadline
            response.close()
            wait = _retry_after(response.headers.get("retry-after"))
            if wait is not None and wait > self.settings.fetch_max_retry_after:
                limit = self.settings.fetch_max_retry_after
                raise FetchError(f"fetcher: {url} answered HTTP {status} with Retry-After "
                                 f"{wait:.0f}s, over the {limit:.0f}s limit",
                                 status=status, retry_after=wait)
            if attempt == retries:
                raise FetchError(f"fetcher: {url} answered HTTP {status} after {retries + 1} "
                                 "tries", status=status, retry_after=wait)
            delay = backoff if wait is None else wait
            log.info("fetcher: %s answered HTTP %d; retrying in %.1fs", url, status, delay)
            self._sleep(delay)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _describe(self, url: str, exc: httpx.HTTPError, deadline: float) -> str:
        host = httpx.URL(url).host
        if time.monotonic() >= deadline:
            return (f"fetcher: {url} took longer than {self.settings.fetch_total_timeout:g}s "
                    "in total")
        if isinstance(exc, httpx.ConnectTimeout):
            return f"fetcher: connection to {host} timed out"
        if isinstance(exc, httpx.TimeoutException):
            return f"fetcher: {url} timed out waiting for data"
        if isinstance(exc, httpx.ConnectError):
            return f"fetcher: cannot connect to {host}: {exc or 'connection failed'}"
        return f"fetcher: {url} failed: {type(exc).__name__}: {exc}"

    # --- the response -------------------------------------------------------------------

    def _finish(self, url: str, response: httpx.Response, deadline: float) -> FetchResult:
        status = response.status_code
        if status == 304:
            content = b""
        elif 200 <= status < 300:
            content = self._read_body(url, response, deadline)
        else:
            raise FetchError(f"fetcher: {url} answered HTTP {status}", status=status)
        content_type, charset = _parse_content_type(response.headers.get("content-type"))
        return FetchResult(url=url, status=status, content=content, content_type=content_type,
                           charset=charset, etag=response.headers.get("etag"),
                           last_modified=response.headers.get("last-modified"),
                           fetched_at=datetime.now(timezone.utc))

    def _read_body(self, url: str, response: httpx.Response, deadline: float) -> bytes:
        host = response.url.host
        limit = self.settings.fetch_max_bytes
        too_big = FetchError(f"fetcher: response from {host} over {limit} bytes limit")
        length = response.headers.get("content-length", "").strip()
        if length.isdigit() and int(length) > limit:
            raise too_big
        if response.is_stream_consumed:
            # Built from bytes in memory (httpx.MockTransport): httpx has decoded it already.
            if len(response.content) > limit:
                raise too_big
            return response.content
        decoder = _Decoder(response.headers.get("content-encoding"), url)
        parts, size = [], 0
        try:
            with netguard.time_limit(deadline):
                for raw in response.iter_raw():
                    if not raw:
                        continue
                    for piece in decoder.feed(raw):
                        size += len(piece)
                        if size > limit:
                            raise too_big
                        parts.append(piece)
                    # The guarded transport stops reads at the deadline; this also covers
                    # transports that do not (tests' MockTransport, a proxy).
                    if time.monotonic() >= deadline:
                        raise httpx.ReadTimeout("total time limit reached")
        except httpx.HTTPError as exc:
            raise FetchError(self._describe(url, exc, deadline)) from None
        decoder.finish()
        return b"".join(parts)


class _Decoder:
    """Undoes gzip/deflate Content-Encoding piece by piece, never inflating much at once."""

    def __init__(self, header: str | None, url: str):
        codings = [c.strip().lower() for c in (header or "").split(",") if c.strip()]
        self._url = url
        self._codings = [c for c in codings if c not in ("identity", "none")]
        for coding in self._codings:
            if coding not in ("gzip", "x-gzip", "deflate"):
                raise FetchError(f"fetcher: {url} uses unsupported content-encoding {coding}")
        # Codings are listed in the order applied, so they are undone last first.
        self._steps = [_Inflater(c) for c in reversed(self._codings)]

    def feed(self, data: bytes) -> Iterator[bytes]:
        pieces: Iterator[bytes] = iter((data,))
        for step in self._steps:
            pieces = step.feed_all(pieces)
        try:
            yield from (p for p in pieces if p)
        except zlib.error as exc:
            raise FetchError(f"fetcher: {self._url} has a corrupt "
                             f"{'/'.join(self._codings)} body: {exc}") from None

    def finish(self) -> None:
        """Raises when a compressed stream stopped before its end: a connection that closes
        mid-body (no Content-Length) would otherwise pass a cut feed or page off as whole."""
        if any(not step.complete for step in self._steps):
            raise FetchError(f"fetcher: {self._url} has a truncated "
                             f"{'/'.join(self._codings)} body (the stream ends early)")


class _Inflater:
    """One zlib stream (gzip or deflate) with output capped at _INFLATE_STEP per call."""

    def __init__(self, coding: str):
        self._gzip = coding != "deflate"
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)
        self._started = False

    @property
    def complete(self) -> bool:
        """True when the stream reached its end, or no compressed byte came at all (an empty
        body sent with a Content-Encoding header)."""
        return self._zlib.eof or not self._started

    def feed_all(self, pieces: Iterator[bytes]) -> Iterator[bytes]:
        for piece in pieces:
            yield from self.feed(piece)

    def feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            try:
                out = self._zlib.decompress(data, _INFLATE_STEP)
            except zlib.error:
                # Many servers send raw deflate without the zlib header (httpx allows it too).
                if self._gzip or self._started:
                    raise
                self._started = True
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._started = True
            yield out
            if self._zlib.eof:
                data = self._zlib.unused_data
                if not (self._gzip and data.startswith(b"\x1f\x8b")):
                    return  # bytes after the stream are ignored, as browsers do
                self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)  # the next gzip member
            elif self._zlib.unconsumed_tail or len(out) == _INFLATE_STEP:
                # A full step may leave output pending inside zlib even with no input left.
                data = self._zlib.unconsumed_tail
            else:
                return


def _take_location(response: httpx.Response) -> None:
    """Moves a response's Location header out of httpx's sight (an event hook). httpx parses it
    to build ``next_request`` even with redirects off, and raises on one it cannot read
    (``javascript:x`` escaped as a bare httpx.InvalidURL); the fetcher checks each hop itself."""
    location = response.headers.get("location")
    if location is not None:
        response.extensions[_LOCATION] = location
        del response.headers["location"]


def _parse_content_type(header: str | None) -> tuple[str | None, str | None]:
    """Returns (media type lower-case, charset as given) from a Content-Type header."""
    if not header:
        return None, None
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"\''):
            charset = value.strip().strip('"\'')
    return (media.strip().lower() or None), charset


def _retry_after(value: str | None) -> float | None:
    """Returns Retry-After in seconds from delta-seconds or an HTTP-date; None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
