"""One wall-clock deadline over a whole HTTP request, for fetches from servers an attacker may choose.

httpx's ``timeout`` bounds each network operation only (httpx docs, "Timeouts": connect, read,
write, pool), so a server that sends one byte just before each read would time out holds the
caller for as long as it likes: during the TLS handshake, the status line, the headers or the
body. The verifier fetches Token Status Lists and aggregations from institutions' servers
(esspass.status_client), verifiers and wallets fetch the registry's trust lists
(trust_registry.client), and the wallet talks to whatever server a scanned QR code names
(wallet.http): each such fetch goes through :func:`stream` with its deadline in seconds.

How: :func:`transport` is httpx's own transport over an httpcore network backend (httpcore docs,
"Network Backends") whose streams cap the timeout of every connect, TLS handshake, read and write
by the time left to the deadline of the request in progress (a context variable that
:func:`stream` sets for as long as the response is open), and give up once none is left; name
resolution runs within the time left too. Only requests made through :func:`stream` carry a
deadline; the client's other requests behave as with httpx's default transport. A fetch past its
deadline raises :class:`DeadlineExceeded`, an ``httpx.TimeoutException``, so every caller's path for
an unreachable server (a held copy, else no answer: fail closed) takes it unchanged.

A client built without :func:`transport` (a test's ``MockTransport``, an ASGI app) is still held to
the deadline between body chunks by :func:`read`, as the callers were before, but not while the
headers come: build every client that talks to such servers with :func:`client`, which also goes
through the proxies the environment names, as a plain ``httpx.Client`` would (httpx reads none for
a client given its own transport).
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

# httpx's own reading of HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY (what httpx.Client does with
# them when it builds its transports itself): no public name in httpx 0.28.
from httpx._utils import get_environment_proxies

__all__ = ["DeadlineExceeded", "TooLarge", "client", "read", "stream", "transport"]

#: When the request in progress in this thread must be over (``time.monotonic()``), or None.
_deadline: ContextVar[float | None] = ContextVar("esspass_fetch_deadline", default=None)


class DeadlineExceeded(httpx.TimeoutException):
    """The whole request took longer than its deadline (an ``httpx.HTTPError``: a failed fetch)."""


class TooLarge(Exception):
    """The answer is larger than the caller reads."""


def transport(*, verify: ssl.SSLContext | bool = True, proxy: httpx.Proxy | None = None) -> httpx.HTTPTransport:
    """httpx's transport (``verify`` and ``proxy`` as for ``httpx.HTTPTransport``), holding each request
    made through :func:`stream` to its deadline in every network operation (through an HTTP(S)
    proxy too; a SOCKS proxy's only between body chunks, :func:`read`)."""
    return _Transport(verify, proxy)


def client(*, verify: ssl.SSLContext | bool = True, **kwargs: Any) -> httpx.Client:
    """An ``httpx.Client`` (``kwargs`` as for it) on :func:`transport`, reaching servers through the
    proxies the environment names, with the deadline, as a client httpx builds itself would reach them;
    and straight to an address within a network ``NO_PROXY`` names (``10.0.0.0/8``), as curl does."""
    mounts: dict[str, httpx.BaseTransport | None] = {}
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for pattern, url in get_environment_proxies().items():
        network = _network(pattern) if url is None else None
        if network is not None:
            # httpx would mount the range as a host name, which no address matches (and an IPv6
            # range, "all://[::1/128]", is no URL pattern at all: every client would fail to build).
            networks.append(network)
        else:  # None: NO_PROXY, straight to the server
            mounts[pattern] = None if url is None else transport(verify=verify, proxy=httpx.Proxy(url))
    if networks:
        mounts = {pattern: mounted if mounted is None else _Bypass(mounted, transport(verify=verify), networks)
                  for pattern, mounted in mounts.items()}
    return httpx.Client(transport=transport(verify=verify), mounts=mounts, verify=verify, **kwargs)


def _network(pattern: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The network of a NO_PROXY mount httpx made of a range (``all://10.0.0.0/8``, ``all://[fd00::/8]``)."""
    host = pattern.removeprefix("all://").removeprefix("[").removesuffix("]")
    if "/" not in host:
        return None
    try:
        return ipaddress.ip_network(host, strict=False)
    except ValueError:
        return None


class _Bypass(httpx.BaseTransport):
    """A proxy's transport that sends a request for an address within ``networks`` straight to it."""

    def __init__(self, proxied: httpx.BaseTransport, direct: httpx.BaseTransport,
                 networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> None:
        self._proxied, self._direct, self._networks = proxied, direct, networks

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            address = ipaddress.ip_address(request.url.host)
        except ValueError:  # a host name: curl too compares only addresses written as such with a range
            return self._proxied.handle_request(request)
        inside = any(address.version == net.version and address in net for net in self._networks)
        return (self._direct if inside else self._proxied).handle_request(request)

    def close(self) -> None:
        self._proxied.close()
        self._direct.close()


@contextlib.contextmanager
def stream(client: httpx.Client, method: str, url: str, *, seconds: float,
           **kwargs: Any) -> Iterator[httpx.Response]:
    """``client.stream(method, url, **kwargs)``, all of it within ``seconds`` from now: connecting,
    TLS, the status line, the headers and the body (read with :func:`read` inside the block); past
    that, :class:`DeadlineExceeded`."""
    deadline = time.monotonic() + seconds
    token = _deadline.set(deadline)
    try:
        with client.stream(method, url, **kwargs) as response:
            yield response
    except httpx.TimeoutException as exc:
        if isinstance(exc, DeadlineExceeded) or time.monotonic() < deadline:
            raise  # a per-operation timeout of the client's, well inside the deadline
        raise DeadlineExceeded(f"no whole answer within {seconds:g} s") from exc
    finally:
        _deadline.reset(token)


def read(response: httpx.Response, *, limit: int, raw: bool = False) -> bytes:
    """The body of ``response`` (opened by :func:`stream`) as it arrives, decoded unless ``raw``;
    :class:`TooLarge` past ``limit`` bytes (or when ``Content-Length`` says so, unread), so no server
    fills our memory. The deadline is checked between chunks too, for clients not built with
    :func:`transport`."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"the answer is larger than {limit} bytes")
    chunks: Iterable[bytes]
    if response.is_stream_consumed:  # an answer already in memory (a test double's, read in full) is only measured
        chunks = [response.content]
    else:
        chunks = response.iter_raw() if raw else response.iter_bytes()
    body = bytearray()
    deadline = _deadline.get()
    for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise TooLarge(f"the answer is larger than {limit} bytes")
        if deadline is not None and time.monotonic() > deadline:
            raise DeadlineExceeded("the answer is still coming at the deadline")
    return bytes(body)


# --- the transport ---------------------------------------------------------------------------------


class _Transport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` with its connection pool on :class:`_Backend`.

    httpx 0.28 takes no network backend (encode/httpx#3749 would add ``network_backend=``), so the
    pool it builds is replaced by one built the same way (httpx's default limits) over ours: a
    direct one, or one through an HTTP(S) proxy. A SOCKS proxy's pool is left as httpx builds it."""

    def __init__(self, verify: ssl.SSLContext | bool, proxy: httpx.Proxy | None) -> None:
        context = httpx.create_ssl_context(verify=verify)
        super().__init__(verify=context, proxy=proxy)
        limits: dict[str, Any] = {"max_connections": 100, "max_keepalive_connections": 20, "keepalive_expiry": 5.0}
        if proxy is None:
            self._pool = httpcore.ConnectionPool(ssl_context=context, network_backend=_Backend(), **limits)
        elif proxy.url.scheme in ("http", "https"):
            url = proxy.url
            self._pool = httpcore.HTTPProxy(
                proxy_url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
                proxy_auth=proxy.raw_auth, proxy_headers=proxy.headers.raw, ssl_context=context,
                proxy_ssl_context=proxy.ssl_context, network_backend=_Backend(), **limits)


def _left(timeout: float | None, expired: type[httpcore.TimeoutException]) -> float | None:
    """``timeout`` capped by the time left to the current request's deadline; ``expired`` when none
    is left (a timeout of 0 would make the socket non-blocking, not fail)."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the request's deadline has passed")
    return left if timeout is None else min(timeout, left)


#: Bytes written under one socket timeout (:meth:`_Stream.write`): httpcore gives every partial
#: ``send`` of a piece the whole timeout again, so a piece is small enough for one ``send`` to take.
_WRITE_PIECE = 4 * 1024


class _Stream(httpcore.NetworkStream):
    """A socket stream whose every operation ends by the deadline of the request using it, whichever
    request that is (a kept-alive connection serves several). One read is one ``recv`` (httpcore's
    sync stream) and a TLS handshake is bounded as a whole by the socket timeout (CPython's ``_ssl``
    keeps one deadline across its reads), so capping each by the time left caps their sum. A write
    goes a piece at a time, each given the time then left."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        # A piece at a time, each within the time then left: the inner stream sends the whole buffer
        # under one socket timeout, so a server taking a large body slowly would outlast the deadline.
        for start in range(0, len(buffer), _WRITE_PIECE):
            self._inner.write(buffer[start:start + _WRITE_PIECE], _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    """httpcore's sync backend, connecting within the time left: the name is resolved in a helper
    thread (``getaddrinfo`` takes no timeout, and whoever runs the name's DNS may answer slowly),
    then each address is tried with what remains, not each with the whole connect timeout."""

    def __init__(self) -> None:
        self._sync = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        if _deadline.get() is None:
            return _Stream(self._sync.connect_tcp(host, port, timeout, local_address, socket_options))
        options = list(socket_options or ())
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in _resolve(host, port, _left(timeout, httpcore.ConnectTimeout)):
            left = _left(timeout, httpcore.ConnectTimeout)  # none left: no other address is tried
            try:
                return _Stream(self._sync.connect_tcp(address, port, left, local_address, options))
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # the next address, as socket.create_connection does
        raise failure or httpcore.ConnectError(f"{host} has no address")

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        return _Stream(self._sync.connect_unix_socket(path, _left(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._sync.sleep(seconds)


def _resolve(host: str, port: int, timeout: float | None) -> list[str]:
    """The addresses of ``host``, in ``getaddrinfo``'s order, within ``timeout`` seconds. The helper
    thread is a daemon: given up on, it ends when the system's resolver gives up. An address needs
    no resolving, and no thread."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass  # a name
    found: Future[list[str]] = Future()

    def ask() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            found.set_result(list(dict.fromkeys(str(info[4][0]) for info in infos)))
        except (OSError, UnicodeError) as exc:  # UnicodeError: a name IDNA refuses, raised as httpx would
            found.set_exception(exc)

    threading.Thread(target=ask, name=f"resolve {host}", daemon=True).start()
    try:
        return found.result(timeout)
    except TimeoutError:
        raise httpcore.ConnectTimeout(f"{host} was not resolved in time") from None
    except OSError as exc:
        raise httpcore.ConnectError(str(exc)) from exc
