"""Decides which URLs and addresses the fetcher may reach, and connects only to those.

Two layers keep fetches off private networks (SSRF):

1. ``check_url`` runs before every request and every redirect hop: it refuses schemes other than
   http(s), credentials in the URL, odd host spellings, and any host that is or resolves to a
   loopback, private, link-local, metadata, multicast or otherwise non-global address.
2. ``GuardedTransport`` is an ``httpx`` transport whose httpcore network backend resolves the host
   itself, checks every address, and opens the TCP connection to the exact address it checked.
   A DNS answer that changes between step 1 and the connect (DNS rebinding) is therefore checked
   again and refused, and no second lookup happens behind our back. TLS still verifies the
   certificate against the host name, since httpcore passes the name, not the address, to TLS.

With ``fetch_proxy`` set the proxy makes the outgoing connection and resolves the name, so only
step 1 protects the target; trust the proxy to refuse what you would refuse.

``allow_networks`` (``Settings.allow_networks``) lists networks that are permitted anyway, for
a local test server or an intranet deployment.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
import urllib.parse
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

import httpcore
import httpx

from ..errors import BlockedURLError, ConfigError, FetchError

__all__ = [
    "Resolver",
    "system_resolver",
    "parse_ip",
    "blocked_reason",
    "check_address",
    "check_url",
    "time_limit",
    "GuardedBackend",
    "GuardedTransport",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# A resolver takes (host, port) and returns the host's addresses as strings, like getaddrinfo.
Resolver = Callable[[str, int], Iterable[str]]

_SCHEMES = {"http": 80, "https": 443}
_HOSTNAME = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$")
_IPV4_PART = re.compile(r"^(0[xX][0-9a-fA-F]*|[0-9]+)$")

# Checked in order, so the most specific name wins ("cloud metadata" before "link-local").
_BLOCKED: tuple[tuple[str, tuple[Network, ...]], ...] = tuple(
    (reason, tuple(ipaddress.ip_network(n) for n in nets))
    for reason, nets in (
        # AWS, GCP and Azure share 169.254.169.254; fd00:ec2::254 is AWS over IPv6;
        # 100.100.100.200 is Alibaba Cloud.
        ("a cloud metadata address",
         ("169.254.169.254/32", "fd00:ec2::254/128", "100.100.100.200/32")),
        ("an unspecified address", ("0.0.0.0/8", "::/128")),
        ("a loopback address", ("127.0.0.0/8", "::1/128")),
        ("a private address",
         ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fec0::/10")),
        ("a link-local address", ("169.254.0.0/16", "fe80::/10")),
        ("a carrier-grade NAT address", ("100.64.0.0/10",)),
        ("a multicast address", ("224.0.0.0/4", "ff00::/8")),
        ("a reserved address", ("240.0.0.0/4",)),
    )
)
# IPv6 prefixes whose low 32 bits carry an IPv4 address the packet really goes to.
_NAT64 = tuple(ipaddress.ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48"))
_IPV4_COMPAT = ipaddress.ip_network("::/96")


def system_resolver(host: str, port: int) -> list[str]:
    """Returns the addresses getaddrinfo gives for host, in its order, without duplicates."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Reads host the way inet_aton and browsers do: 127.1, 2130706433, 0x7f.1, 0177.0.0.1.

    Returns None when host is not numeric; raises ValueError for a numeric host that is no
    valid address (1.2.3.4.5, 08.0.0.1), which must not fall through to DNS.
    """
    parts = host.split(".")
    if parts and parts[-1] == "":
        parts.pop()
    if not parts or not _IPV4_PART.match(parts[-1]):
        return None
    if len(parts) > 4 or not all(_IPV4_PART.match(p) for p in parts):
        raise ValueError("invalid IPv4 address")
    values = []
    for part in parts:
        if part[:2].lower() == "0x":
            values.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            values.append(int(part, 8))  # raises ValueError for 08, 09
        else:
            values.append(int(part))
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (5 - len(values)):
        raise ValueError("invalid IPv4 address")
    number = last
    for i, value in enumerate(head):
        number += value << (24 - 8 * i)
    return ipaddress.IPv4Address(number)


def parse_ip(host: str) -> IPAddress | None:
    """Returns host as an address when it is a literal (any IPv4 spelling, IPv6), else None."""
    host = host.strip("[]")
    if ":" in host:
        return ipaddress.IPv6Address(host.split("%", 1)[0])
    return _parse_ipv4(host)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]  # the client; the server half is a public relay
    if any(ip in net for net in _NAT64) or (ip in _IPV4_COMPAT and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def blocked_reason(ip: str | IPAddress, allow_networks: Iterable[Network] = ()) -> str | None:
    """Returns why ip must not be fetched ("a loopback address"), or None when it may be."""
    if isinstance(ip, str):
        ip = ipaddress.ip_address(ip.split("%", 1)[0])
    allow = tuple(allow_networks)
    if any(ip in net for net in allow):
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            # The packet ends at the IPv4 address, so that address decides.
            return blocked_reason(inner, allow)
    for reason, nets in _BLOCKED:
        if any(ip in net for net in nets):
            return reason
    return None if ip.is_global else "a reserved address"


def check_address(ip: str | IPAddress, allow_networks: Iterable[Network] = (), *,
                  url: str | None = None) -> None:
    """Raises BlockedURLError when a resolved address must not be fetched."""
    reason = blocked_reason(ip, allow_networks)
    if reason:
        raise BlockedURLError(f"fetcher: {url or ip} resolves to {reason} ({ip})")


def _host_of(url: str) -> tuple[str, int]:
    """Returns the URL's host (lower-case, no trailing dot) and port; refuses unsendable URLs."""
    try:
        split = urllib.parse.urlsplit(url)
        scheme = split.scheme.lower()
        raw_host = split.hostname or ""
    except ValueError as exc:
        raise BlockedURLError(f"fetcher: {url} is not a valid URL: {exc}") from None
    if scheme not in _SCHEMES:
        raise BlockedURLError(f"fetcher: {url} has scheme {scheme or 'none'!r}; only http and "
                              "https are fetched")
    try:
        # httpx parses the URL it will send, so the host checked is the host contacted.
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        # httpx rejects some spellings (0177.0.0.1) that libc would still read as addresses.
        try:
            literal = _parse_ipv4(raw_host)
        except ValueError:
            literal = None
        reason = blocked_reason(literal) if literal else None
        if reason:
            raise BlockedURLError(f"fetcher: {url} points to {reason} ({literal})") from None
        raise BlockedURLError(f"fetcher: {url} is not a valid URL: {exc}") from None
    if parsed.scheme not in _SCHEMES:  # whatever urlsplit saw, httpx decides what is sent
        raise BlockedURLError(f"fetcher: {url} has scheme {parsed.scheme!r}; only http and "
                              "https are fetched")
    if parsed.userinfo:
        raise BlockedURLError(f"fetcher: {url} holds credentials before the host; refused")
    host = parsed.raw_host.decode("ascii").lower()
    if not host:
        raise BlockedURLError(f"fetcher: {url} has no host")
    return host.rstrip("."), parsed.port or _SCHEMES[scheme]


def _addresses(host: str, port: int, resolver: Resolver, url: str) -> list[tuple[str, bool]]:
    """Returns (address, was_literal) pairs for host; raises FetchError when it has none."""
    try:
        literal = parse_ip(host)
    except ValueError:
        raise BlockedURLError(f"fetcher: {url} has an invalid IP address {host!r}") from None
    if literal is not None:
        return [(str(literal), True)]
    if not _HOSTNAME.match(host):
        raise BlockedURLError(f"fetcher: {url} has an invalid host name {host!r}")
    try:
        found = [a.split("%", 1)[0] for a in resolver(host, port)]
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"fetcher: cannot resolve {host}: {exc}") from None
    if not found:
        raise FetchError(f"fetcher: cannot resolve {host}: no addresses")
    return [(a, False) for a in found]


def _checked(host: str, port: int, allow: tuple[Network, ...], resolver: Resolver,
             url: str) -> list[str]:
    """Returns host's addresses after checking each; one bad address refuses them all."""
    pairs = _addresses(host, port, resolver, url)
    for address, literal in pairs:
        try:
            reason = blocked_reason(address, allow)
        except ValueError:
            raise BlockedURLError(f"fetcher: {url} resolves to an invalid address "
                                  f"{address!r}") from None
        if reason:
            verb = "points to" if literal else "resolves to"
            raise BlockedURLError(f"fetcher: {url} {verb} {reason} ({address})")
    return [address for address, _ in pairs]


def check_url(url: str, allow_networks: Iterable[Network] = (), *,
              resolver: Resolver | None = None) -> None:
    """Raises BlockedURLError unless url is http(s) to a host whose every address is allowed."""
    host, port = _host_of(url)
    _checked(host, port, tuple(allow_networks), resolver or system_resolver, url)


# --- the transport ------------------------------------------------------------------------

_local = threading.local()


@contextmanager
def time_limit(deadline: float | None) -> Iterator[None]:
    """Makes connects and reads on guarded connections in this thread end at deadline.

    deadline is a ``time.monotonic()`` value. Per-read timeouts alone let a server trickle one
    byte per read for ever; this caps the whole exchange.
    """
    previous = getattr(_local, "deadline", None)
    _local.deadline = deadline
    try:
        yield
    finally:
        _local.deadline = previous


def _remaining(timeout: float | None, error: type[Exception]) -> float | None:
    deadline = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("total time limit reached")
    return left if timeout is None else min(timeout, left)


class _LimitedStream(httpcore.NetworkStream):
    """Wraps a stream so every read and write also respects the thread's time_limit."""

    def __init__(self, stream: httpcore.NetworkStream):
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _remaining(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _remaining(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):  # noqa: ANN001
        timeout = _remaining(timeout, httpcore.ConnectTimeout)
        return _LimitedStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str):  # noqa: ANN201
        return self._stream.get_extra_info(info)


class GuardedBackend(httpcore.SyncBackend):
    """Connects only to addresses that pass check_address, to the exact address checked."""

    def __init__(self, allow_networks: Iterable[Network] = (), *,
                 resolver: Resolver | None = None, guard: bool = True):
        self._allow = tuple(allow_networks)
        self._resolver = resolver or system_resolver
        self._guard = guard  # False only for the configured proxy, which the user chose

    def connect_tcp(self, host, port, timeout=None, local_address=None,  # noqa: ANN001
                    socket_options=None):
        targets = [host]
        if self._guard:
            name = f"[{host}]" if ":" in host else host
            targets = _checked(host.lower().rstrip("."), port, self._allow, self._resolver,
                               f"{name}:{port}")
        error: Exception | None = None
        for address in targets:  # like create_connection: first address that answers wins
            try:
                stream = super().connect_tcp(address, port,
                                             _remaining(timeout, httpcore.ConnectTimeout),
                                             local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            return _LimitedStream(stream)
        assert error is not None
        raise error

    def connect_unix_socket(self, path, timeout=None, socket_options=None):  # noqa: ANN001
        raise BlockedURLError(f"fetcher: unix socket {path} is never fetched")


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport whose every connection goes through a GuardedBackend."""

    def __init__(self, allow_networks: Iterable[Network] = (), *,
                 resolver: Resolver | None = None, proxy: str | None = None,
                 verify: bool = True):
        # HTTPTransport.__init__ offers no network_backend hook, so this builds the same
        # httpcore pool itself; the inherited handle_request, close, __enter__ and __exit__
        # only use self._pool (httpx 0.28.1, pinned in pyproject.toml).
        ssl_context = httpx.create_ssl_context(verify=verify, trust_env=False)
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20,
                              keepalive_expiry=5.0)  # httpx's own defaults
        common = dict(ssl_context=ssl_context, max_connections=limits.max_connections,
                      max_keepalive_connections=limits.max_keepalive_connections,
                      keepalive_expiry=limits.keepalive_expiry)
        if not proxy:
            backend = GuardedBackend(allow_networks, resolver=resolver)
            self._pool = httpcore.ConnectionPool(network_backend=backend, **common)
            return
        try:
            spec = httpx.Proxy(url=proxy)
        except (ValueError, httpx.InvalidURL) as exc:
            raise ConfigError(f"config: fetch_proxy is not a usable proxy URL: {exc}") from None
        if spec.url.scheme not in ("http", "https"):
            raise ConfigError("config: fetch_proxy must be an http:// or https:// URL")
        self._pool = httpcore.HTTPProxy(
            proxy_url=httpcore.URL(scheme=spec.url.raw_scheme, host=spec.url.raw_host,
                                   port=spec.url.port, target=spec.url.raw_path),
            proxy_auth=spec.raw_auth, proxy_headers=spec.headers.raw,
            network_backend=GuardedBackend(guard=False), **common)
