"""The wallet's HTTP: one httpx client, TLS verified, no redirects followed, answers size-limited.

Every failure to reach a server or to get a usable answer becomes :class:`TransportError` with
plain words; an OAuth-shaped error body (RFC 6749 §5.2) becomes :class:`ProtocolError` with the
server's code, so the user is told e.g. that the code was wrong rather than "HTTP 400".
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from credentials.errors import MalformedError, ProtocolError
from credentials.jose import MAX_TOKEN_BYTES, parse_json
from esspass import fetch
from wallet.errors import TransportError

__all__ = ["MAX_RESPONSE_BYTES", "ErrorResponse", "LoopbackHttp", "check", "check_url", "link_query", "make_client",
           "read_json", "request", "send"]

#: Largest answer the wallet reads from any server (credentials, request objects, lists).
MAX_RESPONSE_BYTES = 2 * MAX_TOKEN_BYTES
#: Longest the wallet waits for one whole exchange, connecting to the last byte: a server sending a
#: byte now and then (each within the client's per-read timeout), in its headers or its body, holds
#: it no longer than this.
MAX_RESPONSE_SECONDS = 30.0


#: The members of an error response (RFC 6749 §5.2) beside ``error`` and ``error_description`` that the wallet
#: reads (:class:`ErrorResponse`): ``renewal_from``, when an issuer renews copies it refused as not due
#: (issuer.service.RenewalNotDue). Any other is ignored, as §5.2's extensibility asks of a client.
_READ_MEMBERS = frozenset({"renewal_from"})


class ErrorResponse(ProtocolError):
    """A server's error response (RFC 6749 §5.2 shape), with the members beside ``error`` and
    ``error_description`` the wallet reads (:data:`_READ_MEMBERS`): ``members``, each a JSON string or
    number as the server sent it, unchecked (its reader checks what it reads)."""

    def __init__(self, error: str, description: str, *, http_status: int,
                 headers: dict[str, str] | None = None, members: dict[str, str | int | float] | None = None) -> None:
        super().__init__(error, description, http_status=http_status, headers=headers)
        self.members: dict[str, str | int | float] = dict(members or {})


def make_client(*, verify: str | bool, timeout: float) -> httpx.Client:
    """The wallet's client: TLS verification on (a CA bundle path or the system store), each
    :func:`request` held to its deadline over the whole exchange (:func:`esspass.fetch.client`)."""
    # Uncompressed answers only: a small compressed body can unpack to gigabytes.
    headers = {"User-Agent": "esspass-wallet", "Accept-Encoding": "identity"}
    from esspass.config import tls_verify

    return fetch.client(verify=tls_verify(verify), timeout=timeout, follow_redirects=False, headers=headers)


#: The settings' ``allow_loopback_http``: plain http to any loopback host (True), to none (False), or
#: only to these origins (``http://localhost:8102``: the addresses of a pilot run with ``--http``).
LoopbackHttp = bool | Collection[str]


def check_url(url: str, what: str, *, allow_loopback_http: LoopbackHttp = False) -> str:
    """An absolute https URL (plain http only on a loopback host and only when the settings allow
    it, for a local pilot without TLS: any loopback origin, or only those listed); anything else is
    refused (MalformedError).

    The URL comes from a QR code or a server's answer: urlsplit refuses some of them itself (an
    unclosed ``[`` of an IPv6 literal), and a port that is not a number only fails when read, so
    both are read here, where they are a refusal and not a crash of the page that asked."""
    if not isinstance(url, str):
        raise MalformedError(f"{what} is not a usable https address")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number or out of range
    except ValueError:
        raise MalformedError(f"{what} is not a usable https address") from None
    loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if isinstance(allow_loopback_http, bool):
        plain_http = allow_loopback_http
    else:
        plain_http = f"http://{parts.netloc.lower()}" in {o.rstrip("/").lower() for o in allow_loopback_http}
    if parts.scheme == "https" or (parts.scheme == "http" and loopback and plain_http):
        if parts.hostname and not parts.username and not parts.password:
            return url
    raise MalformedError(f"{what} is not a usable https address")


def link_query(link: str, schemes: Collection[str], what: str) -> dict[str, list[str]]:
    """The query parameters of a scanned link whose scheme is one of ``schemes``; MalformedError for
    anything else: a link urlsplit cannot read (``openid4vp://[``), another scheme, or more than
    20 parameters (a link of ours has at most four)."""
    try:
        parts = urlsplit(link.strip())
        if parts.scheme in schemes:
            return parse_qs(parts.query, keep_blank_values=False, max_num_fields=20)
    except ValueError:
        pass
    raise MalformedError(f"this is not {what}")


def send(client: httpx.Client, method: str, url: str, what: str, *, seconds: float | None = None,
         **kwargs: Any) -> httpx.Response:
    """One request; network trouble and 3xx become TransportError, error bodies ProtocolError."""
    return check(request(client, method, url, what, seconds=seconds, **kwargs), what)


def request(client: httpx.Client, method: str, url: str, what: str, *, seconds: float | None = None,
            **kwargs: Any) -> httpx.Response:
    """One request, any status; only network trouble raises (TransportError).

    The answer is read as it arrives and given up on past :data:`MAX_RESPONSE_BYTES`, or when it
    comes compressed; the whole exchange, connecting to the last byte, past ``seconds``
    (:data:`MAX_RESPONSE_SECONDS` unless the caller is in more of a hurry; :mod:`esspass.fetch`):
    whoever made the QR code the worker scanned chooses the server, so nothing it sends may hold the
    wallet's memory or time."""
    try:
        with fetch.stream(client, method, url, seconds=MAX_RESPONSE_SECONDS if seconds is None else seconds,
                          **kwargs) as response:
            if response.headers.get("content-encoding", "identity").strip().lower() != "identity":
                raise TransportError(f"{what}: the answer is compressed, which the wallet did not ask for")
            body = fetch.read(response, limit=MAX_RESPONSE_BYTES, raw=True)
    except fetch.TooLarge as exc:
        raise TransportError(f"{what}: the answer is too large") from exc
    except fetch.DeadlineExceeded as exc:
        raise TransportError(f"{what}: the server is too slow to answer") from exc
    except httpx.HTTPError as exc:
        raise TransportError(f"{what}: the server could not be reached ({type(exc).__name__})") from exc
    headers = [(k, v) for k, v in response.headers.multi_items()
               if k.lower() not in ("content-length", "transfer-encoding", "content-encoding")]
    return httpx.Response(response.status_code, headers=headers, content=bytes(body), request=response.request)


def check(response: httpx.Response, what: str) -> httpx.Response:
    """``response`` if it is a usable 2xx answer; otherwise the matching error."""
    if len(response.content) > MAX_RESPONSE_BYTES:
        raise TransportError(f"{what}: the answer is too large")
    if 300 <= response.status_code < 400:
        raise TransportError(f"{what}: the server tried to redirect the wallet elsewhere")
    if response.status_code >= 400:
        error, description, members = _oauth_error(response)
        if error:
            # Retry-After (RFC 9110 §10.2.3) goes with the error, for a caller that waits and asks again.
            after = response.headers.get("retry-after")
            raise ErrorResponse(error, f"{what}: {description or error}", http_status=response.status_code,
                                headers={"Retry-After": after} if after else None, members=members)
        raise TransportError(f"{what}: the server answered HTTP {response.status_code}")
    return response


def read_json(response: httpx.Response, what: str) -> dict[str, Any]:
    """The JSON object body of ``response`` (application/json), within our limits."""
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise TransportError(f"{what}: the answer is not JSON")
    try:
        body = parse_json(response.content)
    except MalformedError as exc:
        raise TransportError(f"{what}: the answer is not valid JSON") from exc
    if not isinstance(body, dict):
        raise TransportError(f"{what}: the answer is not a JSON object")
    return body


def _oauth_error(response: httpx.Response) -> tuple[str, str, dict[str, str | int | float]]:
    """``error``, ``error_description`` and the further members the wallet reads (:data:`_READ_MEMBERS`:
    a string of at most 64 characters or a number, else left out) of an error body; ``""`` for none."""
    try:
        body = parse_json(response.content)
    except MalformedError:
        return "", "", {}
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        desc = body.get("error_description")
        members = {name: value for name, value in body.items() if name in _READ_MEMBERS
                   and not isinstance(value, bool) and (isinstance(value, int | float)
                                                        or (isinstance(value, str) and len(value) <= 64))}
        return body["error"][:64], (desc if isinstance(desc, str) else "")[:300], members
    return "", "", {}
