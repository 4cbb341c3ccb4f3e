"""Tests the URL and address guard that keeps fetches off private networks."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from newsdesk.errors import BlockedURLError, FetchError
from newsdesk.ingest import netguard
from newsdesk.ingest.netguard import blocked_reason, check_address, check_url, parse_ip

LOOPBACK = [ipaddress.ip_network("127.0.0.0/8")]

DNS = {
    "localhost": ["127.0.0.1", "::1"],
    "intranet.test": ["10.0.0.5"],
    "metadata.test": ["169.254.169.254"],
    "half-private.test": ["93.184.216.34", "192.168.0.9"],
    "public.test": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
}


def fake_resolver(host: str, port: int) -> list[str]:
    if host not in DNS:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return DNS[host]


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/",
    "http://127.0.0.1:8080/feed.xml",
    "http://localhost/",
    "http://LOCALHOST./",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::127.0.0.1]/",
    "http://[2002:7f00:1::]/",  # 6to4 around 127.0.0.1
    "http://[64:ff9b::a00:1]/",  # NAT64 around 10.0.0.1
    "http://0.0.0.0/",
    "http://[::]/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://172.31.255.255/",
    "http://192.168.1.1/",
    "http://[fd12:3456::1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://192.0.2.1/",  # TEST-NET-1: documentation, not global
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0x7f.0.0.1/",
    "http://0x7f000001/",
    "http://127.1/",
    "http://017700000001/",
    "http://1.2.3.4.5/",
    "http://intranet.test/",
    "http://metadata.test/",
    "http://half-private.test/",
    "http://public.test@127.0.0.1/",
    "http://user:pass@public.test/",
    "http://%31%32%37.0.0.1/",
    "http:///no-host",
    "file:///etc/passwd",
    "ftp://public.test/file",
    "gopher://public.test:70/",
    "data:text/html,<script>alert(1)</script>",
    "javascript:alert(1)",
    "//public.test/no-scheme",
    "feed.xml",
    "http://[::1/",
    " http://127.0.0.1/",
    "http://exa mple.test/",
])
def test_hostile_urls_are_refused(url):
    with pytest.raises(BlockedURLError) as caught:
        check_url(url, resolver=fake_resolver)
    message = str(caught.value)
    assert message.startswith("fetcher: ")
    assert "\n" not in message


def test_refusal_names_url_and_reason():
    with pytest.raises(BlockedURLError, match=r"^fetcher: http://intranet.test/x resolves to "
                                              r"a private address \(10.0.0.5\)$"):
        check_url("http://intranet.test/x", resolver=fake_resolver)
    with pytest.raises(BlockedURLError, match="cloud metadata"):
        check_url("http://169.254.169.254/", resolver=fake_resolver)
    with pytest.raises(BlockedURLError, match="scheme 'file'"):
        check_url("file:///etc/passwd")


def test_public_hosts_and_addresses_are_allowed():
    check_url("https://public.test/feed.xml", resolver=fake_resolver)
    check_url("http://93.184.216.34:8080/")
    check_url("http://[2606:4700:4700::1111]/")
    check_url("http://[2002:808:808::]/")  # 6to4 around the public 8.8.8.8


def test_unresolvable_host_is_a_fetch_error_not_a_refusal():
    with pytest.raises(FetchError, match="cannot resolve nowhere.test") as caught:
        check_url("http://nowhere.test/", resolver=fake_resolver)
    assert not isinstance(caught.value, BlockedURLError)


def test_allow_networks_permits_loopback_only():
    check_url("http://127.0.0.1:9/", LOOPBACK)
    check_url("http://2130706433/", LOOPBACK)
    check_url("http://[::ffff:127.0.0.1]/", LOOPBACK)
    with pytest.raises(BlockedURLError):
        check_url("http://10.0.0.1/", LOOPBACK)
    with pytest.raises(BlockedURLError):  # localhost also resolves to ::1, outside 127.0.0.0/8
        check_url("http://localhost/", LOOPBACK, resolver=fake_resolver)
    with pytest.raises(BlockedURLError):
        check_url("file:///etc/passwd", LOOPBACK)


@pytest.mark.parametrize("spelling", [
    "2130706433", "0177.0.0.1", "0x7f.0.0.1", "0x7f000001", "127.1", "127.0.1", "0x7f.1",
    "017700000001", "127.0.0.1.",
])
def test_odd_ipv4_spellings_read_as_inet_aton_does(spelling):
    assert parse_ip(spelling) == ipaddress.IPv4Address("127.0.0.1")
    assert parse_ip(spelling) == ipaddress.IPv4Address(socket.inet_aton(spelling.rstrip(".")))


def test_hostnames_are_not_addresses_and_bad_numbers_are_errors():
    assert parse_ip("example.com") is None
    assert parse_ip("1.example") is None
    for bad in ("1.2.3.4.5", "256.1.1.1", "08.0.0.1", "4294967296"):
        with pytest.raises(ValueError):
            parse_ip(bad)


@pytest.mark.parametrize("address, reason", [
    ("127.0.0.1", "a loopback address"),
    ("::1", "a loopback address"),
    ("10.0.0.1", "a private address"),
    ("fc00::1", "a private address"),
    ("169.254.169.254", "a cloud metadata address"),
    ("fd00:ec2::254", "a cloud metadata address"),
    ("169.254.1.1", "a link-local address"),
    ("fe80::1%eth0", "a link-local address"),
    ("0.0.0.0", "an unspecified address"),
    ("::", "an unspecified address"),
    ("100.64.0.1", "a carrier-grade NAT address"),
    ("239.255.255.250", "a multicast address"),
    ("::ffff:10.0.0.1", "a private address"),
    ("2001:0:4136:e378:8000:63bf:3f57:fdd2", "a private address"),  # Teredo, 192.168.2.45
    ("198.18.0.1", "a reserved address"),
    ("93.184.216.34", None),
    ("2606:4700::1111", None),
])
def test_blocked_reason_names_the_kind_of_address(address, reason):
    assert blocked_reason(address) == reason


def test_check_address_refuses_with_one_line_message():
    with pytest.raises(BlockedURLError, match=r"^fetcher: http://x.test/ resolves to a loopback "
                                              r"address \(127.0.0.2\)$"):
        check_address("127.0.0.2", url="http://x.test/")
    check_address("127.0.0.2", LOOPBACK)
    check_address(ipaddress.ip_address("8.8.8.8"))


def test_every_public_name_exists():
    for name in netguard.__all__:
        assert hasattr(netguard, name), name
