"""Which URLs and addresses we may fetch media from (the SSRF guard's rules).

Callers hand us arbitrary URLs and we fetch them from inside the operator's
network, so a URL must not become a way to reach loopback services, the cloud
metadata endpoint or private hosts. Two layers use these rules:

* `check_url` runs before any I/O: scheme, host, credentials, and literal IP
  addresses (including the odd IPv4 spellings like `127.1` or `0x7f000001`).
  It fails fast on the obvious cases.
* `_transport.GuardedNetworkBackend` applies `refusal_reason` to every address
  a host name resolves to, at connection time. That is the real defence: a
  name can resolve differently between a check and the connect (DNS rebinding).

Hosts in the allow list (operator configuration, e.g. `127.0.0.1` for local
testing) bypass the address rules, by the name or literal written in the URL.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket

import httpx

from draftcut.errors import MediaRefused

__all__ = [
    "IPAddress",
    "check_url",
    "host_is_allowed",
    "literal_ip",
    "normalize_host",
    "refusal_reason",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPAT = ipaddress.IPv6Network("::/96")
# Characters of a legacy numeric IPv4 spelling that inet_aton accepts (octal, hex, short forms).
_NUMERIC_HOST = re.compile(r"^[0-9a-fx.]+$", re.IGNORECASE)


def normalize_host(host: str) -> str:
    """Lower-case, without IPv6 brackets or a trailing root dot: the form allow lists compare."""
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host.rstrip(".")


def literal_ip(host: str) -> IPAddress | None:
    """The address a host string denotes by itself, without DNS, or None for a name.

    Besides the canonical forms this accepts what `inet_aton` (and so the C
    resolver) accepts, e.g. `127.1`, `0177.0.0.1`, `2130706433`: those never
    reach DNS and would otherwise slip past a literal-only check.
    """
    host = normalize_host(host).split("%", 1)[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host) and any(c.isdigit() for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _embedded_ipv4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (compatible, 6to4, NAT64), if any."""
    if addr.sixtofour is not None:
        return addr.sixtofour
    if addr in _NAT64 or (addr in _IPV4_COMPAT and int(addr) > 1):
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


def refusal_reason(addr: IPAddress) -> str | None:
    """Why we will not connect to `addr` ("loopback", "private"...), or None if it is public."""
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            # ::ffff:a.b.c.d *is* the IPv4 host on a dual-stack socket: judge it as such.
            reason = refusal_reason(addr.ipv4_mapped)
            return None if reason is None else f"{reason} (IPv4-mapped)"
        inner = _embedded_ipv4(addr)
        if inner is not None:
            reason = refusal_reason(inner)
            if reason is not None:
                return f"{reason} (embedded in IPv6)"
    if addr.is_unspecified:
        return "unspecified"
    if addr.is_loopback:
        return "loopback"
    if addr.is_link_local:
        return "link-local"
    if addr.is_multicast:
        return "multicast"
    if isinstance(addr, ipaddress.IPv4Address) and addr in _CGNAT:
        return "carrier-grade NAT"
    if isinstance(addr, ipaddress.IPv6Address) and addr.is_site_local:
        return "site-local"
    if addr.is_private:
        return "private"
    if addr.is_reserved:
        return "reserved"
    if not addr.is_global:
        return "non-public"
    return None


@functools.lru_cache(maxsize=16)
def _allowed_forms(allowed_hosts: frozenset[str]) -> frozenset[str]:
    forms: set[str] = set()
    for entry in allowed_hosts:
        host = normalize_host(entry)
        forms.add(host)
        ip = literal_ip(host)
        if ip is not None:
            forms.add(str(ip))
    return frozenset(forms)


def host_is_allowed(host: str, allowed_hosts: frozenset[str]) -> bool:
    """Whether the operator exempted this host (name or literal, as written in the URL)."""
    if not allowed_hosts:
        return False
    forms = _allowed_forms(allowed_hosts)
    host = normalize_host(host)
    if host in forms:
        return True
    ip = literal_ip(host)
    return ip is not None and str(ip) in forms


def check_url(url: str, allowed_hosts: frozenset[str]) -> None:
    """Refuse, before any I/O, URLs we would never fetch.

    Parsed with httpx's own parser so the host checked here is the host httpx
    connects to (no parser differential). Names are only judged later, at
    connection time, by the addresses they resolve to.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise MediaRefused(f"not a valid URL: {exc}", url=url) from exc
    if parsed.scheme not in ("http", "https"):
        shown = parsed.scheme or "(none)"
        raise MediaRefused(f"scheme {shown!r} is not allowed, only http and https", url=url)
    if not parsed.host:
        raise MediaRefused("URL has no host", url=url)
    if parsed.userinfo:
        raise MediaRefused("URLs with user:password@ credentials are not allowed", url=url)
    if host_is_allowed(parsed.host, allowed_hosts):
        return
    ip = literal_ip(parsed.host)
    if ip is not None:
        reason = refusal_reason(ip)
        if reason is not None:
            shown = parsed.host if str(ip) == parsed.host else f"{parsed.host} ({ip})"
            raise MediaRefused(f"address {shown} is {reason}, not allowed", url=url)
