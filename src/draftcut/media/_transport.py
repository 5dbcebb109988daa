"""An httpx transport whose connections can only reach addresses the guard accepts.

The address check has to sit in the connection step itself: checking a name
and then letting the socket layer resolve it again leaves a window in which
the name can point elsewhere (DNS rebinding). So the network backend below
resolves the name itself, refuses the connection if *any* resolved address is
off limits, and connects to the validated IP. TLS still verifies and sends
SNI for the host name, since httpcore passes that to `start_tls` separately.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable

import httpcore
import httpx

from draftcut.errors import MediaRefused
from draftcut.media._guard import IPAddress, host_is_allowed, literal_ip, refusal_reason

__all__ = ["DEFAULT_LIMITS", "GuardedNetworkBackend", "GuardedTransport"]

DEFAULT_LIMITS = httpx.Limits(max_connections=32, max_keepalive_connections=8)


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that resolves and vets addresses before connecting."""

    def __init__(self, allowed_hosts: frozenset[str],
                 inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._allowed_hosts = allowed_hosts
        self._inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def _resolve(self, host: str, port: int, timeout: float | None) -> list[tuple[str, IPAddress]]:
        """(connectable address string, parsed address) pairs, in resolver order, deduplicated."""
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP),
                timeout,
            )
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        seen: set[str] = set()
        out: list[tuple[str, IPAddress]] = []
        for _family, _type, _proto, _canon, sockaddr in infos:
            text = str(sockaddr[0])
            parsed = literal_ip(text)
            if parsed is None or text in seen:
                continue
            seen.add(text)
            out.append((text, parsed))
        if not out:
            raise httpcore.ConnectError(f"cannot resolve {host}: no addresses")
        return out

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port, timeout)
        if not host_is_allowed(host, self._allowed_hosts):
            for _text, addr in addresses:
                reason = refusal_reason(addr)
                if reason is not None:
                    shown = host if str(addr) == host else f"{host} resolves to {addr}, which"
                    raise MediaRefused(f"{shown} is a {reason} address, not allowed")
        last_error: Exception | None = None
        for text, _addr in addresses:
            try:
                return await self._inner.connect_tcp(
                    text, port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise MediaRefused("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """`httpx.AsyncHTTPTransport` whose pool connects through `GuardedNetworkBackend`.

    httpx offers no public way to pass a network backend, so we replace the
    pool it builds with an identical one that has ours. The media tests check
    that a name resolving to loopback is refused, which fails loudly should a
    future httpx stop using `_pool`.
    """

    def __init__(self, allowed_hosts: frozenset[str], *, limits: httpx.Limits | None = None) -> None:
        limits = limits if limits is not None else DEFAULT_LIMITS
        # Loading the CA bundle costs tens of milliseconds: build the context once, for both pools.
        ssl_context = httpx.create_ssl_context(trust_env=False)
        super().__init__(verify=ssl_context, trust_env=False, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=GuardedNetworkBackend(allowed_hosts),
        )
