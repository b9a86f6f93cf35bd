"""OpenID4VP 1.0 transport for the holder: the request link, the Request Object, the response POST.

* :func:`parse_request_link` — ``openid4vp://`` (or ``haip-vp://``) with ``client_id`` and either
  ``request_uri`` (+ ``request_uri_method``) or ``request`` by value (§5.7, §5.10; standards.md §5.6).
* :func:`fetch_request_object` — ``GET request_uri``, or with ``request_uri_method=post`` a form
  ``POST`` with ``wallet_metadata`` and ``wallet_nonce`` (§5.10.1); ``Accept`` and the answer's
  content type are ``application/oauth-authz-req+jwt``; redirects are not followed; any HTTP
  error aborts.
* :func:`post_response` — ``direct_post`` / ``direct_post.jwt`` form POST to ``response_uri``
  (§8.2, §8.3.1); the answer may carry a ``redirect_uri`` (§8.2), which is returned, not followed.

Verifying the Request Object, matching DCQL and building the VP Token are the caller's job
(credentials.openid4vp, credentials.dcql); nothing here trusts the request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from credentials.errors import MalformedError
from credentials.jose import MAX_TOKEN_BYTES, parse_json
from wallet.errors import TransportError
from wallet.http import LoopbackHttp, check_url, link_query, send

__all__ = [
    "REQUEST_JWT_TYPE",
    "VP_SCHEMES",
    "WALLET_METADATA",
    "RequestLink",
    "fetch_request_object",
    "parse_request_link",
    "post_response",
]

VP_SCHEMES = ("openid4vp", "haip-vp")
REQUEST_JWT_TYPE = "application/oauth-authz-req+jwt"

#: What this wallet supports (§10 wallet metadata; HAIP 1.0 §5).
WALLET_METADATA: dict[str, Any] = {
    "authorization_endpoint": "openid4vp:",
    "response_types_supported": ["vp_token"],
    "response_modes_supported": ["direct_post", "direct_post.jwt"],
    # OpenID4VP 1.0 §10 / App. B: the wallet presents SD-JWT VCs and ISO mdocs (ES256 = COSE -7).
    "vp_formats_supported": {"dc+sd-jwt": {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]},
                             "mso_mdoc": {"issuerauth_alg_values": [-7], "deviceauth_alg_values": [-7]}},
    "client_id_prefixes_supported": ["x509_hash", "x509_san_dns"],
    "request_object_signing_alg_values_supported": ["ES256"],
}


@dataclass(frozen=True, slots=True)
class RequestLink:
    client_id: str
    request_uri: str | None
    request_uri_method: str
    request: str | None  # Request Object by value


def parse_request_link(link: str) -> RequestLink:
    """The parameters of an ``openid4vp://`` link; only signed requests (JAR) are accepted (HAIP)."""
    query = link_query(link, VP_SCHEMES, "a presentation request link (openid4vp://)")

    def one(name: str) -> str | None:
        values = query.get(name)
        if values and len(values) > 1:
            raise MalformedError(f"the request link repeats {name}")
        return values[0] if values else None

    client_id = one("client_id")
    if not client_id:
        raise MalformedError("the request link has no client_id")
    request_uri = one("request_uri")
    request = one("request")
    method = one("request_uri_method")
    if bool(request_uri) == bool(request):
        # Unsigned requests (plain query parameters) would carry no verifiable requester: refused.
        raise MalformedError("the request link must carry a signed request (request_uri or request)")
    if method is not None and (request_uri is None or method not in ("get", "post")):
        # §5.10: case-sensitive, only with request_uri; anything else is invalid_request_uri_method.
        raise MalformedError("request_uri_method must be get or post, and only with request_uri")
    return RequestLink(client_id, request_uri, method or "get", request)


def fetch_request_object(
    client: httpx.Client, link: RequestLink, *, wallet_nonce: str | None, allow_loopback_http: LoopbackHttp = False
) -> str:
    """The signed Request Object (compact JWS) the link points to."""
    if link.request is not None:
        return link.request
    assert link.request_uri is not None
    url = check_url(link.request_uri, "the request address", allow_loopback_http=allow_loopback_http)
    headers = {"Accept": REQUEST_JWT_TYPE}
    if link.request_uri_method == "post":
        form = {"wallet_metadata": json.dumps(WALLET_METADATA, separators=(",", ":"))}
        if wallet_nonce is not None:
            form["wallet_nonce"] = wallet_nonce
        response = send(client, "POST", url, "Fetching the request", headers=headers, data=form)
    else:
        response = send(client, "GET", url, "Fetching the request", headers=headers)
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != REQUEST_JWT_TYPE:
        raise TransportError("Fetching the request: the answer is not a signed request object")
    text = response.text.strip()
    if len(text) > MAX_TOKEN_BYTES:
        raise TransportError("Fetching the request: the request object is too large")
    return text


def post_response(
    client: httpx.Client, response_uri: str, form: dict[str, str], *, allow_loopback_http: LoopbackHttp = False
) -> str | None:
    """POST the authorization response (or error) form; returns the verifier's ``redirect_uri``."""
    url = check_url(response_uri, "the response address", allow_loopback_http=allow_loopback_http)
    response = send(client, "POST", url, "Sending the answer", data=form, headers={"Accept": "application/json"})
    if not response.content:
        return None
    try:
        body = parse_json(response.content)
    except MalformedError:
        return None
    redirect = body.get("redirect_uri") if isinstance(body, dict) else None
    if not isinstance(redirect, str):
        return None
    try:
        # The browser is sent there: plain http would let anyone on the network rewrite where the
        # worker lands (and read the response_code it carries, §8.2), so https as everywhere else.
        return check_url(redirect, "the verifier's return address", allow_loopback_http=allow_loopback_http)
    except MalformedError:
        return None
