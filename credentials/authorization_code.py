"""The authorization code flow as OpenID4VCI §5 and HAIP §5 use it: pushed, PKCE-protected, issuer-initiated.

* RFC 9126 (PAR): the wallet pushes its authorization request to the issuer first, so nothing the
  request says passes through the browser; :func:`parse_pushed_request` checks it.
* RFC 7636 (PKCE), ``S256`` only (FAPI 2.0 / HAIP): :func:`pkce_challenge`, :func:`verify_pkce`.
* OpenID4VCI §5.1.3 ``issuer_state`` ties the request to a Credential Offer (and so to a case),
  and §5.1.1 ``authorization_details`` (RFC 9396, ``openid_credential``) or ``scope`` names the
  credential configurations asked for.
* RFC 9207: the authorization response carries ``iss`` (:func:`response_url`).

Pure: the issuer keeps the pushed requests and codes; these functions only read and build values.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urlencode, urlsplit

from credentials.errors import MalformedError, ProtocolError
from credentials.jose import b64url_encode, parse_json

__all__ = ["REQUEST_URI_PREFIX", "PushedRequest", "parse_authorization_details", "parse_pushed_request",
           "pkce_challenge", "response_url", "single_valued", "verify_pkce"]

REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"  # RFC 9126 §2.2
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")  # RFC 7636 §4.1
_CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43}$")  # base64url of SHA-256, no padding
_CONFIGURATION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
#: What an error_description may hold (RFC 6749 §5.2; OpenID4VCI §8.3.1.2): printable ASCII but ``"`` and ``\\``.
_DESCRIPTION_CHARS = frozenset(chr(c) for c in range(0x20, 0x7F)) - {'"', "\\"}
#: Longest ``authorization_details`` accepted: eight openid_credential entries fit in a fraction of it.
MAX_DETAILS_CHARS = 8 * 1024


@dataclass(frozen=True, slots=True)
class PushedRequest:
    client_id: str
    redirect_uri: str
    code_challenge: str
    issuer_state: str
    configuration_ids: tuple[str, ...]
    state: str | None
    #: Asked by ``authorization_details`` (§5.1.1), not ``scope``: the token response then lists them,
    #: each with its ``credential_identifiers`` (§6.2), which the credential requests must use (§8.2).
    by_details: bool = False


def _invalid(description: str) -> ProtocolError:
    return ProtocolError("invalid_request", description)


def single_valued(fields: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The parameters of a token, pushed authorization or authorization request, each given once.

    RFC 6749 §3.1 (and §3.2 for the token endpoint): "Request and response parameters MUST NOT be
    included more than once"; RFC 9126 §2.1 applies it to PAR. A repeated parameter is refused as
    invalid_request rather than resolved (first or last wins), so that a request whose meaning is
    ambiguous consumes nothing: not a pre-authorized code, not one of the holder's tx_code tries.
    """
    out: dict[str, str] = {}
    for name, value in fields:
        if name in out:
            # RFC 6749 §5.2: error_description holds %x20-21 / %x23-5B / %x5D-7E only; the name is the
            # client's, so it is quoted only when it keeps to that set.
            shown = name[:64] if name[:64] and all(c in _DESCRIPTION_CHARS for c in name[:64]) else "a parameter"
            raise _invalid(f"{shown} is included more than once (RFC 6749 section 3.1)")
        out[name] = value
    return out


def _redirect_uri(value: str | None) -> str:
    """An absolute https URI, or http on a loopback host (RFC 8252 §7.3); no fragment (RFC 6749 §3.1.2)."""
    if not value or len(value) > 500:
        raise _invalid("redirect_uri is missing or too long")
    try:
        parts = urlsplit(value)
    except ValueError:  # an unbalanced "[" (IPv6 literal) or an invalid one
        raise _invalid("redirect_uri is not a URI") from None
    if parts.fragment or not parts.hostname:
        raise _invalid("redirect_uri must be an absolute URI without a fragment")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise _invalid("redirect_uri has a port that is not a number") from None
    try:
        ip_address(parts.hostname)
    except ValueError:
        # Pages put the host into their CSP: nothing but a host name may be there.
        if not _HOST.fullmatch(parts.hostname):
            raise _invalid("redirect_uri must name a host (letters, digits, dots and hyphens)") from None
    if parts.username is not None or parts.password is not None:
        raise _invalid("redirect_uri must not carry credentials")
    if parts.scheme == "https":
        return value
    if parts.scheme == "http":
        try:
            loopback = parts.hostname == "localhost" or ip_address(parts.hostname).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            return value
    raise _invalid("redirect_uri must use https (or http on a loopback address)")


def parse_authorization_details(details: str) -> tuple[str, ...]:
    """OpenID4VCI §5.1.1 (RFC 9396) ``authorization_details`` of type ``openid_credential``: the
    ``credential_configuration_id`` of each entry. The same value in an authorization request
    (§5.1.1) or a token request (§6.1, both grants); a malformed value is ``invalid_request``, an
    entry of another type or without its id ``invalid_authorization_details`` (RFC 9396 §5)."""
    try:
        # Size and depth limits first: 50,000 "[" would otherwise exhaust the recursion limit.
        parsed = parse_json(details, max_bytes=MAX_DETAILS_CHARS)
    except MalformedError as exc:
        raise _invalid(f"authorization_details is not usable JSON: {exc.message}") from exc
    if not isinstance(parsed, list) or not 0 < len(parsed) <= 8:
        raise _invalid("authorization_details must be a non-empty array")
    ids = []
    for entry in parsed:
        if not isinstance(entry, dict) or entry.get("type") != "openid_credential":
            raise ProtocolError("invalid_authorization_details", "only openid_credential details are understood")
        cid = entry.get("credential_configuration_id")
        if not isinstance(cid, str) or not _CONFIGURATION_ID.match(cid):
            raise ProtocolError("invalid_authorization_details", "credential_configuration_id is missing")
        ids.append(cid)
    return tuple(ids)


def _configurations(form: Mapping[str, str]) -> tuple[str, ...]:
    """§5.1.1 ``authorization_details`` of type openid_credential, else §5.1.2 ``scope``."""
    details = form.get("authorization_details")
    if details:
        return parse_authorization_details(details)
    scope = form.get("scope", "")
    ids = [s for s in scope.split(" ") if s]
    if not ids or len(ids) > 8 or not all(_CONFIGURATION_ID.match(s) for s in ids):
        raise _invalid("name the credentials wanted in authorization_details or scope")
    return tuple(ids)


def parse_pushed_request(form: Mapping[str, str]) -> PushedRequest:
    """RFC 9126 §2.1 with the HAIP rules: response_type code, PKCE S256, and an issuer_state."""
    if form.get("request_uri") or form.get("request"):
        raise _invalid("a pushed request must carry its parameters itself")
    if form.get("response_type") != "code":
        raise ProtocolError("unsupported_response_type", "response_type must be code")
    client_id = form.get("client_id")
    if not client_id or len(client_id) > 200:
        raise _invalid("client_id is missing or too long")
    if form.get("code_challenge_method") != "S256":
        raise _invalid("PKCE with code_challenge_method S256 is required")
    challenge = form.get("code_challenge") or ""
    if not _CHALLENGE.match(challenge):
        raise _invalid("code_challenge must be a base64url SHA-256 value")
    issuer_state = form.get("issuer_state")
    if not issuer_state or len(issuer_state) > 200:
        raise _invalid("this issuer starts every issuance from a credential offer: issuer_state is required")
    if not (issuer_state.isascii() and issuer_state.isprintable()):
        raise _invalid("issuer_state is not one this issuer gave: use the one in the credential offer")
    state = form.get("state")
    if state is not None and len(state) > 500:
        raise _invalid("state is too long")
    return PushedRequest(client_id, _redirect_uri(form.get("redirect_uri")), challenge, issuer_state,
                         _configurations(form), state or None, by_details=bool(form.get("authorization_details")))


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 §4.2 S256: base64url(SHA-256(ASCII(code_verifier)))."""
    return b64url_encode(hashlib.sha256(verifier.encode("ascii")).digest())


def verify_pkce(verifier: str | None, challenge: str) -> None:
    """RFC 7636 §4.6; a missing verifier is invalid_request, a wrong one invalid_grant."""
    if not verifier:
        raise _invalid("code_verifier is required (PKCE)")
    if not _VERIFIER.match(verifier):
        raise _invalid("code_verifier must be 43 to 128 unreserved characters")
    if not hmac.compare_digest(pkce_challenge(verifier), challenge):
        raise ProtocolError("invalid_grant", "the code_verifier does not match the code_challenge")


def response_url(redirect_uri: str, params: Mapping[str, str | None]) -> str:
    """The authorization response (RFC 6749 §4.1.2, §4.1.2.1) as a redirect: ``params`` (code or
    error, state, iss per RFC 9207) added to the query of ``redirect_uri``, keeping what it has."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{redirect_uri}{'&' if urlsplit(redirect_uri).query else '?'}{query}"
