"""The SSRF guard: URL checks before I/O, address checks at connect time, redirects."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from typing import Any

import httpcore
import pytest
from utils.http_server import MediaServer
from utils.media_fixtures import FetchEnv

from draftcut.errors import MediaRefused
from draftcut.media import MediaFile, check_url
from draftcut.media._guard import literal_ip, refusal_reason
from draftcut.media._transport import GuardedNetworkBackend

NONE: frozenset[str] = frozenset()


def get(env: FetchEnv, url: str, **overrides: Any) -> MediaFile:
    async def main() -> MediaFile:
        async with env.fetcher(**overrides) as fetcher:
            return await fetcher.get(url)

    return asyncio.run(main())


REFUSED_URLS = [
    "http://127.0.0.1/x.mp4",
    "http://127.0.0.1:8080/x.mp4",
    "http://127.1/x.mp4",
    "http://2130706433/x.mp4",
    "http://0x7f.0.0.1/x.mp4",
    "http://0177.0.0.1/x.mp4",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/x.mp4",
    "http://[::]/x.mp4",
    "http://0.0.0.0/x.mp4",
    "http://0/x.mp4",
    "http://10.0.0.1/x.mp4",
    "http://172.16.5.4/x.mp4",
    "http://192.168.1.1/x.mp4",
    "http://100.64.0.1/x.mp4",
    "http://224.0.0.1/x.mp4",
    "http://240.0.0.1/x.mp4",
    "http://255.255.255.255/x.mp4",
    "http://[fe80::1]/x.mp4",
    "http://[fc00::1]/x.mp4",
    "http://[fd12:3456::1]/x.mp4",
    "http://[ff02::1]/x.mp4",
    "http://[::ffff:127.0.0.1]/x.mp4",
    "http://[::ffff:169.254.169.254]/x.mp4",
    "http://[::ffff:a00:1]/x.mp4",
    "http://[::127.0.0.1]/x.mp4",
    "http://[2002:7f00:1::]/x.mp4",
    "http://[64:ff9b::a9fe:a9fe]/x.mp4",
    "file:///etc/passwd",
    "ftp://example.com/x.mp4",
    "gopher://example.com/",
    "data:video/mp4;base64,AAAA",
    "//example.com/x.mp4",
    "/x.mp4",
    "",
    "http:///x.mp4",
    "http://user:pass@example.com/x.mp4",
    "https://token@example.com/x.mp4",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_check_url_refuses(url: str) -> None:
    with pytest.raises(MediaRefused) as err:
        check_url(url, NONE)
    assert err.value.url == url
    assert err.value.detail


def test_refusal_detail_names_the_address() -> None:
    with pytest.raises(MediaRefused, match=r"169\.254\.169\.254 is link-local"):
        check_url("http://169.254.169.254/", NONE)
    with pytest.raises(MediaRefused, match=r"127\.1 \(127\.0\.0\.1\) is loopback"):
        check_url("http://127.1/", NONE)
    with pytest.raises(MediaRefused, match="'file'"):
        check_url("file:///etc/passwd", NONE)


@pytest.mark.parametrize("url", [
    "http://example.com/x.mp4",
    "https://cdn.example.com:8443/a/b.mp3?sig=1",
    "http://8.8.8.8/x.png",
    "http://[2606:4700:4700::1111]/x.png",
    "http://[::ffff:8.8.8.8]/x.png",
    "http://localhost/x.mp4",  # a name: judged by what it resolves to, at connect time
])
def test_check_url_accepts(url: str) -> None:
    check_url(url, NONE)


@pytest.mark.parametrize(("url", "allowed"), [
    ("http://127.0.0.1:9/x.mp4", {"127.0.0.1"}),
    ("http://LOCALHOST./x.mp4", {"localhost"}),
    ("http://[::1]/x.mp4", {"::1"}),
    ("http://[::1]/x.mp4", {"[::1]"}),
    ("http://10.0.0.1/x.mp4", {"10.0.0.1", "example.com"}),
])
def test_allow_list_exempts_hosts(url: str, allowed: set[str]) -> None:
    check_url(url, frozenset(allowed))


def test_allow_list_does_not_exempt_schemes_or_credentials() -> None:
    with pytest.raises(MediaRefused):
        check_url("ftp://127.0.0.1/x", frozenset({"127.0.0.1"}))
    with pytest.raises(MediaRefused):
        check_url("http://a:b@127.0.0.1/x", frozenset({"127.0.0.1"}))


@pytest.mark.parametrize(("address", "reason"), [
    ("8.8.8.8", None),
    ("1.1.1.1", None),
    ("2606:4700:4700::1111", None),
    ("127.0.0.53", "loopback"),
    ("::1", "loopback"),
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("169.254.169.254", "link-local"),
    ("fe80::abcd", "link-local"),
    ("10.1.2.3", "private"),
    ("172.31.255.255", "private"),
    ("192.168.0.1", "private"),
    ("fd00::1", "private"),
    ("100.100.100.100", "carrier-grade NAT"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("::ffff:10.0.0.1", "private (IPv4-mapped)"),
    ("::ffff:8.8.8.8", None),
    ("2002:a00:1::", "private (embedded in IPv6)"),
])
def test_refusal_reason(address: str, reason: str | None) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) == reason


def test_literal_ip_spellings() -> None:
    assert str(literal_ip("127.1")) == "127.0.0.1"
    assert str(literal_ip("0x7f000001")) == "127.0.0.1"
    assert str(literal_ip("[::1]")) == "::1"
    assert literal_ip("example.com") is None
    assert literal_ip("cafe.example") is None


# -- through the fetcher -------------------------------------------------------


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/x.mp4",
    "file:///etc/passwd",
    "ftp://example.com/x.mp4",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/x.mp4",
    "http://0.0.0.0/x.mp4",
    "http://10.0.0.1/x.mp4",
])
def test_fetcher_refuses_before_connecting(fetch_env: FetchEnv, url: str) -> None:
    """No allow list: refused at once (10.0.0.1 would otherwise hang until the connect timeout)."""
    started = time.monotonic()
    with pytest.raises(MediaRefused):
        get(fetch_env, url, media_allow_hosts="", media_timeout_s=10)
    assert time.monotonic() - started < 1.0
    assert fetch_env.blob_files() == []


def test_loopback_server_refused_without_allow_list(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    before = sum(media_server.hits.values())
    with pytest.raises(MediaRefused, match="127.0.0.1"):
        get(fetch_env, media_server.url("/image.jpg"), media_allow_hosts="")
    assert sum(media_server.hits.values()) == before


def test_name_resolving_to_loopback_is_refused_at_connect(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    """`localhost` passes the URL check (it is a name); the connection step must refuse it."""
    before = sum(media_server.hits.values())
    with pytest.raises(MediaRefused, match=r"localhost resolves to .* loopback") as err:
        get(fetch_env, media_server.url_as("localhost", "/image.jpg"), media_allow_hosts="127.0.0.1")
    assert err.value.url.startswith("http://localhost:")
    assert sum(media_server.hits.values()) == before


def test_allowed_name_connects(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    media = get(fetch_env, media_server.url_as("localhost", "/image.jpg"), media_allow_hosts="localhost")
    assert media.ext == ".jpg"


def test_redirect_to_refused_host(fetch_env: FetchEnv, media_server: MediaServer) -> None:
    for target in (
        media_server.url_as("localhost", "/image.jpg"),  # resolves to loopback, not allowed by name
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/x.mp4",
        "file:///etc/passwd",
    ):
        before = media_server.hits["/image.jpg"]
        start = media_server.url(f"/redirect?to={target}")
        with pytest.raises(MediaRefused, match="redirects to") as err:
            get(fetch_env, start, media_allow_hosts="127.0.0.1")
        assert err.value.url == start
        assert media_server.hits["/image.jpg"] == before
    assert fetch_env.blob_files() == []


def test_backend_vets_addresses_itself(media_server: MediaServer) -> None:
    """The network backend refuses loopback on its own, and connects when the name is allowed."""

    async def main() -> None:
        guarded = GuardedNetworkBackend(NONE)
        with pytest.raises(MediaRefused, match="loopback"):
            await guarded.connect_tcp("localhost", media_server.port, timeout=2)
        with pytest.raises(MediaRefused, match="loopback"):
            await guarded.connect_tcp("127.0.0.1", media_server.port, timeout=2)
        with pytest.raises(MediaRefused):
            await guarded.connect_unix_socket("/var/run/docker.sock")
        allowed = GuardedNetworkBackend(frozenset({"localhost"}))
        stream = await allowed.connect_tcp("localhost", media_server.port, timeout=2)
        await stream.aclose()
        with pytest.raises((httpcore.ConnectError, httpcore.ConnectTimeout)):  # timeout: DNS unreachable
            await allowed.connect_tcp("no-such-host.invalid", 80, timeout=2)

    asyncio.run(main())
