"""OpenID4VCI 1.0 client, pre-authorized code flow (standards.md §4.1-§4.6, §10.3-§10.5).

Steps, each a function over an injected ``httpx.Client``:

1. :func:`resolve_offer` — parse the ``openid-credential-offer://`` link (§4.1: ``credential_offer``
   by value or ``credential_offer_uri`` by reference, fetched as ``application/json``), fetch the
   Credential Issuer Metadata (§12.2.2: ``/.well-known/openid-credential-issuer`` inserted before
   the issuer's path; ``credential_issuer`` MUST equal the identifier) and the Authorization
   Server metadata (RFC 8414; §12.2.4 ``authorization_servers`` absent = the issuer itself).
2. :func:`obtain_credentials` — token request with ``pre-authorized_code`` and, iff the offer
   asked for one, ``tx_code`` (§6.1); a fresh ``c_nonce`` from the Nonce Endpoint (§7); one new
   P-256 key and one ``openid4vci-proof+jwt`` per wanted copy (App. F.1; ``aud`` = issuer id,
   ``nonce`` = c_nonce, no ``iss`` for anonymous pre-auth) in ``proofs.jwt`` (§8.2), at most the
   issuer's ``batch_size``; ``credential_identifier`` when the token response gave
   ``authorization_details``, else ``credential_configuration_id``. DPoP (RFC 9449) is used when
   the Authorization Server advertises it (HAIP 1.0 §4.3), including one retry on
   ``use_dpop_nonce``.
3. :func:`notify` — Notification Endpoint (§11) ``credential_accepted`` / ``credential_failure``.

Deferred issuance (§8.3 HTTP 202, §9; :mod:`wallet.deferred`): with ``deferred=`` a configuration
the issuer defers comes back as :class:`DeferredCredentials` (its transaction, the keys proved, the
tokens and DPoP key); :func:`poll_deferred` asks the Deferred Credential Endpoint with the access
token (and a DPoP proof, as at the Credential Endpoint), :func:`refresh_access` renews an expired
access token with the refresh token (RFC 6749 §6; DPoP-bound, RFC 9449 §5; the client attestation
again when the token endpoint takes one), and :func:`send_notification` notifies by the stored token.

Copy renewal (HAIP 1.0 §4; :mod:`wallet.renewal`): :func:`refresh_grant` refreshes a card's grant (as
:func:`refresh_access`, with the ``credential_identifiers`` of the answer) and :func:`obtain_renewed`
asks for new copies of each form under it, with fresh keys, ``c_nonce`` and key attestation.

Verifying what arrived (signature, chain, trust list, vct, cnf) is the caller's next step
(:mod:`wallet.service`); nothing here trusts a credential.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
from cryptography.hazmat.primitives.asymmetric import ec

from credentials import authorization_code, client_attestation
from credentials.errors import CredentialError, MalformedError, ProtocolError
from credentials.jose import PrivateKey, b64url_encode, parse_json, public_jwk, sign_jws
from credentials.mdoc import DOCTYPE_VCT
from wallet.deferred import Answer, credential_answer, deferral, display_name, read_deferred_answer
from wallet.errors import TransportError
from wallet.http import MAX_RESPONSE_SECONDS, LoopbackHttp, check, check_url, link_query, read_json, request, send
from wallet.keys import new_key

__all__ = [
    "CREDENTIAL_SECONDS",
    "LOST_RETRY_SECONDS",
    "MAX_TOKEN_LENGTH",
    "OFFER_SCHEMES",
    "PRE_AUTH_GRANT",
    "DeferredCredentials",
    "DpopSession",
    "IssuedCredentials",
    "MalformedTokenAnswer",
    "OfferedCredential",
    "RefreshedAccess",
    "ResolvedOffer",
    "TxCodeSpec",
    "issuer_signers",
    "notify",
    "obtain_credentials",
    "obtain_renewed",
    "parse_offer_link",
    "poll_deferred",
    "refresh_access",
    "refresh_grant",
    "resolve_offer",
    "revoke_grant",
    "send_notification",
]

OFFER_SCHEMES = ("openid-credential-offer", "haip-vci")
PRE_AUTH_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
AUTH_CODE_GRANT = "authorization_code"
PROOF_TYP = "openid4vci-proof+jwt"
#: Longest access or refresh token the wallet keeps (ours are 43 characters; a JWT access token is
#: a few hundred): the wallet stores it and sends it back in headers.
MAX_TOKEN_LENGTH = 4096
#: RFC 6750 §2.1 ``b64token`` (RFC 9449 §7.1 ``token68`` is the same): what an ``Authorization:
#: Bearer|DPoP`` header can carry, and what the DPoP ``ath`` hashes as ASCII.
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


class MalformedTokenAnswer(MalformedError):
    """A token answer the wallet cannot use. ``rotated``: the refresh token it carried, when that one
    is well-formed, for a caller that must keep it (RFC 6749 §6: the server may already have
    revoked the one used)."""

    def __init__(self, message: str, *, rotated: str | None = None) -> None:
        super().__init__(message)
        self.rotated = rotated


def _token(value: Any) -> str | None:
    """``value`` when it is a usable token (a ``b64token`` of at most :data:`MAX_TOKEN_LENGTH`), else None.

    A token is unverified data of the issuer's that the wallet keeps and sends back: anything else
    (a non-ASCII character, a space, a line break) could not go into a header and would break
    every later question rather than this one."""
    if isinstance(value, str) and len(value) <= MAX_TOKEN_LENGTH and _B64TOKEN.fullmatch(value):
        return value
    return None


class Attester(Protocol):
    """The wallet provider's side (wallet.provider): client and key attestations, and the levels its
    key storage and user authentication reach (OpenID4VCI App. D.2)."""

    @property
    def key_storage(self) -> tuple[str, ...]: ...

    @property
    def user_authentication(self) -> tuple[str, ...]: ...

    @property
    def client_id(self) -> str: ...

    def attest(self, instance_key: ec.EllipticCurvePublicKey, now: datetime) -> str: ...

    def attest_keys(self, keys: Sequence[ec.EllipticCurvePublicKey], now: datetime, nonce: str | None) -> str: ...
SUPPORTED_FORMATS = ("dc+sd-jwt", "mso_mdoc")


#: What a reader puts between the groups of a digit code: spaces (a no-break one from a copied page too), dashes.
_GROUPING = re.compile(r"[\s\u00a0\-\u2010-\u2015]+")


@dataclass(frozen=True, slots=True)
class TxCodeSpec:
    """The offer's ``tx_code`` object (§4.1.1): a code sent to the user over another channel."""

    input_mode: str = "numeric"
    length: int | None = None
    description: str | None = None

    def typed(self, text: str) -> str:
        """The code as the person typed or pasted it, made what the institution compares: a numeric code
        (§4.1.1 ``input_mode``) without the spaces and dashes a reader groups digits by ("647 781",
        "647-781"), which no digit code contains; a text code only without the whitespace around it."""
        text = text.strip()
        return _GROUPING.sub("", text) if self.input_mode == "numeric" else text


@dataclass(frozen=True, slots=True)
class OfferedCredential:
    configuration_id: str
    format: str
    vct: str
    display: tuple[dict[str, Any], ...]
    #: The issuer's ``key_attestations_required`` (App. D) for this configuration, when it has one.
    key_attestations_required: dict[str, tuple[str, ...]] | None = None
    #: The levels an ``attestation`` proof (App. F.3) must reach, when the issuer takes that proof type.
    attestation_proof_levels: dict[str, tuple[str, ...]] | None = None

    def name(self, lang: str) -> str:
        for entry in self.display:
            if str(entry.get("locale", "")).lower().startswith(lang):
                return str(entry.get("name") or self.vct)
        return str(self.display[0].get("name") or self.vct) if self.display else self.vct


@dataclass(frozen=True, slots=True)
class ResolvedOffer:
    credential_issuer: str
    pre_authorized_code: str | None  # None: the offer has only the authorization code grant
    tx_code: TxCodeSpec | None
    offered: tuple[OfferedCredential, ...]
    credential_endpoint: str
    nonce_endpoint: str | None
    notification_endpoint: str | None
    token_endpoint: str
    batch_size: int
    dpop_algs: tuple[str, ...]
    issuer_display: tuple[dict[str, Any], ...]
    #: The authorization server's issuer identifier (the audience of a client attestation PoP) and
    #: its token endpoint authentication methods (RFC 8414 §2).
    as_issuer: str = ""
    token_auth_methods: tuple[str, ...] = ()
    #: The authorization code flow (§5), when the offer and the authorization server support it:
    #: the offer's issuer_state, the authorization and PAR endpoints.
    issuer_state: str | None = None
    authorization_endpoint: str | None = None
    par_endpoint: str | None = None
    #: Where to get a challenge for client attestation PoPs (attestation-based client auth §8).
    challenge_endpoint: str | None = None
    #: §12.2.4 ``deferred_credential_endpoint``: where to ask again for a document deferred (§9).
    deferred_endpoint: str | None = None
    #: RFC 7009 §2 (RFC 8414 §2 ``revocation_endpoint``): where the wallet ends its grant (the card deleted).
    revocation_endpoint: str | None = None

    def issuer_name(self, lang: str) -> str:
        return display_name(self.issuer_display, lang) or urlsplit(self.credential_issuer).netloc


@dataclass(frozen=True, slots=True)
class IssuedCredentials:
    """What the Credential Endpoint returned for one configuration, with the keys we proved."""

    configuration_id: str
    vct: str
    credentials: tuple[str, ...]
    keys: tuple[PrivateKey, ...]
    notification_id: str | None
    access_token: str
    token_type: str
    dpop: DpopSession | None
    #: The offline compact credential beside each (``compact`` member, issue #7), when the issuer sent one.
    compacts: tuple[str | None, ...] = ()
    format: str = "dc+sd-jwt"  # or "mso_mdoc": then each credential is base64url CBOR IssuerSigned
    #: The refresh token of the token answer (RFC 6749 §5.1), with which the copies are renewed later
    #: (HAIP 1.0 §4; :mod:`wallet.renewal`), when the issuer gave one.
    refresh_token: str | None = None


@dataclass(frozen=True, slots=True)
class DeferredCredentials:
    """A configuration the Credential Endpoint deferred (§8.3 HTTP 202): what asking again needs."""

    configuration_id: str
    vct: str
    format: str
    transaction_id: str
    interval: int
    keys: tuple[PrivateKey, ...]  # the keys proved: the issuer signs for exactly these later
    access_token: str
    token_type: str
    refresh_token: str | None
    dpop: DpopSession | None


# --- step 1: the offer and the metadata ------------------------------------------------------


def parse_offer_link(link: str) -> tuple[dict[str, Any] | None, str | None]:
    """``(offer, None)`` for ``credential_offer`` by value, ``(None, uri)`` for by reference."""
    query = link_query(link, (*OFFER_SCHEMES, "https"), "a credential offer link (openid-credential-offer://)")
    by_value = query.get("credential_offer")
    by_ref = query.get("credential_offer_uri")
    if bool(by_value) == bool(by_ref):
        raise MalformedError("the offer link must carry exactly one of credential_offer or credential_offer_uri")
    if by_value:
        offer = parse_json(by_value[0])
        if not isinstance(offer, dict):
            raise MalformedError("credential_offer is not a JSON object")
        return offer, None
    assert by_ref is not None
    return None, by_ref[0]


def _well_known(identifier: str, suffix: str) -> str:
    """RFC 8414 §3.1 / OpenID4VCI §12.2.2: the well-known segment goes between host and path."""
    parts = urlsplit(identifier)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, f"/.well-known/{suffix}{path}", "", ""))


def _str_list(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise MalformedError(f"{what} must be a non-empty list of strings")
    return list(value)


def resolve_offer(client: httpx.Client, link: str, *, allow_loopback_http: LoopbackHttp = False) -> ResolvedOffer:
    """Parse the offer, fetch issuer and AS metadata, and check they agree (§4.1, §12.2, RFC 8414)."""
    offer, offer_uri = parse_offer_link(link)
    if offer is None:
        assert offer_uri is not None
        url = check_url(offer_uri, "the offer address", allow_loopback_http=allow_loopback_http)
        # §4.1.3: the response MUST be application/json (never a JWT, never alg none).
        offer = read_json(send(client, "GET", url, "Fetching the offer", headers={"Accept": "application/json"}),
                          "The offer")
    issuer = offer.get("credential_issuer")
    if not isinstance(issuer, str):
        raise MalformedError("the offer names no credential issuer")
    issuer = check_url(issuer, "the credential issuer", allow_loopback_http=allow_loopback_http)
    if urlsplit(issuer).query or urlsplit(issuer).fragment:
        raise MalformedError("the credential issuer identifier has a query or fragment")
    config_ids = _str_list(offer.get("credential_configuration_ids"), "credential_configuration_ids")
    if len(set(config_ids)) != len(config_ids):
        raise MalformedError("credential_configuration_ids has duplicates")
    raw_grants = offer.get("grants")
    grants: dict[str, Any] = raw_grants if isinstance(raw_grants, dict) else {}
    grant: dict[str, Any] = grants[PRE_AUTH_GRANT] if isinstance(grants.get(PRE_AUTH_GRANT), dict) else {}
    code_grant = grants.get(AUTH_CODE_GRANT)
    issuer_state = code_grant.get("issuer_state") if isinstance(code_grant, dict) else None
    if not isinstance(grant.get("pre-authorized_code"), str) and not isinstance(issuer_state, str):
        raise MalformedError("the offer has neither a pre-authorized code nor an issuer_state")
    tx_code: TxCodeSpec | None = None
    if "tx_code" in grant:  # §4.1.1: presence, even {}, means a code is required
        raw = grant["tx_code"] if isinstance(grant["tx_code"], dict) else {}
        length = raw.get("length")
        description = raw.get("description")
        tx_code = TxCodeSpec(
            input_mode="text" if raw.get("input_mode") == "text" else "numeric",
            length=length if isinstance(length, int) and 0 < length <= 64 else None,
            description=description[:300] if isinstance(description, str) else None,
        )

    metadata = read_json(
        send(client, "GET", _well_known(issuer, "openid-credential-issuer"), "Fetching the issuer's metadata",
             headers={"Accept": "application/json"}),
        "The issuer's metadata",
    )
    # §12.2.2: the identifier in the document MUST equal the one used to build the URL.
    if metadata.get("credential_issuer") != issuer:
        raise MalformedError("the issuer's metadata names a different issuer")
    configs = metadata.get("credential_configurations_supported")
    if not isinstance(configs, dict):
        raise MalformedError("the issuer's metadata lists no credential configurations")
    offered: list[OfferedCredential] = []
    for cid in config_ids:
        conf = configs.get(cid)
        if not isinstance(conf, dict):
            raise MalformedError(f"the issuer does not describe the offered credential {cid!r}")
        fmt = conf.get("format")
        # An mdoc is filed under the vct of the same document (its doctype names it). The doctype is
        # looked up only when it is a string: an array or object there is unhashable, and a refusal.
        doctype = conf.get("doctype")
        vct = (DOCTYPE_VCT.get(doctype) if isinstance(doctype, str) else None) if fmt == "mso_mdoc" \
            else conf.get("vct")
        if fmt not in SUPPORTED_FORMATS or (fmt == "mso_mdoc" and vct is None):
            continue  # offered in another form too: this wallet takes the ones it can hold
        if not isinstance(vct, str):
            raise MalformedError(f"the offered credential {cid!r} has no vct")
        cmeta = conf.get("credential_metadata")
        display = cmeta.get("display") if isinstance(cmeta, dict) else conf.get("display")
        offered.append(OfferedCredential(cid, str(fmt), vct, _display(display), _key_attestations_required(conf),
                                         _key_attestations_required(conf, "attestation", default={})))

    def endpoint(name: str, required: bool) -> str | None:
        value = metadata.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str):
            raise MalformedError(f"the issuer's metadata has no {name}")
        return check_url(value, name, allow_loopback_http=allow_loopback_http)

    if not offered:
        raise MalformedError("the offered credentials are in formats this wallet does not hold")
    credential_endpoint = endpoint("credential_endpoint", True)
    assert credential_endpoint is not None
    batch = metadata.get("batch_credential_issuance")
    batch_size = batch.get("batch_size") if isinstance(batch, dict) else 1
    if not isinstance(batch_size, int) or batch_size < 1:
        batch_size = 1

    as_ids = metadata.get("authorization_servers")
    as_id = issuer
    wanted_as = grant.get("authorization_server")
    if isinstance(as_ids, list) and as_ids:
        if isinstance(wanted_as, str):
            if wanted_as not in as_ids:
                raise MalformedError("the offer names an authorization server the issuer does not list")
            as_id = wanted_as
        elif isinstance(as_ids[0], str):
            as_id = as_ids[0]
    as_id = check_url(as_id, "the authorization server", allow_loopback_http=allow_loopback_http)
    as_meta = read_json(
        send(client, "GET", _well_known(as_id, "oauth-authorization-server"), "Fetching the authorization metadata",
             headers={"Accept": "application/json"}),
        "The authorization metadata",
    )
    # RFC 8414 §3.3: "issuer" is REQUIRED and MUST be identical to the identifier the document was
    # fetched for, else the data MUST NOT be used (against mix-up: another AS's endpoints).
    if as_meta.get("issuer") != as_id:
        raise MalformedError("the authorization metadata names a different issuer, or none")
    token_endpoint = as_meta.get("token_endpoint")
    if not isinstance(token_endpoint, str):
        raise MalformedError("the authorization server has no token endpoint")
    dpop = as_meta.get("dpop_signing_alg_values_supported")
    dpop_algs = tuple(a for a in dpop if isinstance(a, str)) if isinstance(dpop, list) else ()
    methods = as_meta.get("token_endpoint_auth_methods_supported")
    auth_methods = tuple(m for m in methods if isinstance(m, str)) if isinstance(methods, list) else ()
    code_flow = {name: as_meta.get(name)
                 for name in ("authorization_endpoint", "pushed_authorization_request_endpoint")}
    # RFC 8414 §2: code_challenge_methods_supported is a JSON array (a string holding "S256" is not one).
    pkce_methods = as_meta.get("code_challenge_methods_supported")
    supports_code_flow = isinstance(issuer_state, str) and all(isinstance(v, str) for v in code_flow.values()) \
        and isinstance(pkce_methods, list) and "S256" in pkce_methods
    if not isinstance(grant.get("pre-authorized_code"), str) and not supports_code_flow:
        raise MalformedError("the offer's authorization server does not run the pushed code flow with PKCE")
    return ResolvedOffer(
        credential_issuer=issuer,
        pre_authorized_code=grant.get("pre-authorized_code") if isinstance(grant.get("pre-authorized_code"), str)
        else None,
        tx_code=tx_code,
        offered=tuple(offered),
        credential_endpoint=credential_endpoint,
        nonce_endpoint=endpoint("nonce_endpoint", False),
        notification_endpoint=endpoint("notification_endpoint", False),
        deferred_endpoint=endpoint("deferred_credential_endpoint", False),
        token_endpoint=check_url(token_endpoint, "token_endpoint", allow_loopback_http=allow_loopback_http),
        batch_size=batch_size,
        dpop_algs=dpop_algs,
        issuer_display=_display(metadata.get("display")),
        as_issuer=as_id,
        token_auth_methods=auth_methods,
        issuer_state=issuer_state if supports_code_flow else None,
        authorization_endpoint=check_url(str(code_flow["authorization_endpoint"]), "authorization_endpoint",
                                         allow_loopback_http=allow_loopback_http) if supports_code_flow else None,
        par_endpoint=check_url(str(code_flow["pushed_authorization_request_endpoint"]), "the PAR endpoint",
                               allow_loopback_http=allow_loopback_http) if supports_code_flow else None,
        challenge_endpoint=check_url(as_meta["challenge_endpoint"], "challenge_endpoint",
                                     allow_loopback_http=allow_loopback_http)
        if isinstance(as_meta.get("challenge_endpoint"), str) else None,
        revocation_endpoint=_optional_url(as_meta.get("revocation_endpoint"), "revocation_endpoint",
                                          allow_loopback_http),
    )


def _optional_url(value: Any, what: str, allow_loopback_http: LoopbackHttp) -> str | None:
    """An endpoint the wallet can do without (RFC 7009 revocation): None when absent or unusable, so
    that an issuer's odd metadata for it does not cost the worker the offer."""
    if not isinstance(value, str):
        return None
    try:
        return check_url(value, what, allow_loopback_http=allow_loopback_http)
    except MalformedError:
        return None


def _key_attestations_required(conf: Mapping[str, Any], proof_type: str = "jwt", *,
                               default: dict[str, Any] | None = None) -> dict[str, tuple[str, ...]] | None:
    """A proof type's ``key_attestations_required`` (§12.2.4); ``default`` when the proof type is
    supported without one, None when it is not supported (or requires nothing, for ``jwt``)."""
    proof_types = conf.get("proof_types_supported")
    entry = proof_types.get(proof_type) if isinstance(proof_types, dict) else None
    if not isinstance(entry, dict):
        return None
    required = entry.get("key_attestations_required", default)
    if not isinstance(required, dict):
        return None
    return {name: tuple(v for v in values if isinstance(v, str))
            for name, values in required.items() if isinstance(name, str) and isinstance(values, list)}


def _display(value: Any) -> tuple[dict[str, Any], ...]:
    if not isinstance(value, list):
        return ()
    return tuple(d for d in value if isinstance(d, dict))


# --- step 2: token, nonce, proofs, credentials ------------------------------------------------


def _dpop_proof(key: PrivateKey, method: str, url: str, now: datetime, *, token: str | None,
                nonce: str | None) -> str:
    """RFC 9449 §4.2: ``typ dpop+jwt``, our public key in the header, htm/htu/iat/jti (+ath, nonce)."""
    parts = urlsplit(url)
    payload: dict[str, Any] = {
        "jti": secrets.token_urlsafe(16),
        "htm": method,
        "htu": urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")),
        "iat": int(now.timestamp()),
    }
    if token is not None:
        payload["ath"] = b64url_encode(hashlib.sha256(token.encode("ascii")).digest())
    if nonce is not None:
        payload["nonce"] = nonce
    return sign_jws({"typ": "dpop+jwt", "jwk": public_jwk(key)}, payload, key)


@dataclass(slots=True)
class DpopSession:
    """The key our tokens are bound to, and the latest ``DPoP-Nonce`` the issuer sent (RFC 9449 §8.2)."""

    key: PrivateKey
    nonce: str | None = None

    def remember(self, response: httpx.Response) -> None:
        value = response.headers.get("DPoP-Nonce")
        if value and len(value) <= 256:
            self.nonce = value


def _post_with_dpop(
    client: httpx.Client, url: str, what: str, now: datetime, dpop: DpopSession | None, *,
    token: str | None = None, token_type: str = "Bearer",  # noqa: S107
    fresh_headers: Callable[[], dict[str, str]] | None = None, raw: bool = False, **kwargs: Any,
) -> httpx.Response:
    """POST with a fresh DPoP proof (and ``fresh_headers()``, proofs with their own jti) per attempt,
    carrying the server's latest nonce; challenged for a newer one (§8, §9), retry once. ``raw``:
    the answer whatever its status (only network trouble raises), for a caller reading errors itself.
    ``seconds``: both attempts together (the retry only when at least :data:`_MIN_ATTEMPT` is left;
    else the challenge is the answer)."""
    headers = dict(kwargs.pop("headers", {}))
    seconds: float | None = kwargs.pop("seconds", None)
    deadline = time.monotonic() + seconds if seconds is not None else None
    if token is not None:
        headers["Authorization"] = f"{token_type} {token}"
    for attempt in range(2):
        if fresh_headers is not None:
            headers.update(fresh_headers())
        sent = dpop.nonce if dpop is not None else None
        if dpop is not None:
            headers["DPoP"] = _dpop_proof(dpop.key, "POST", url, now, token=token, nonce=sent)
        left = None if deadline is None else max(_MIN_ATTEMPT, deadline - time.monotonic())
        response = request(client, "POST", url, what, headers=headers, seconds=left, **kwargs)
        if dpop is None:
            break
        dpop.remember(response)
        challenged = response.status_code in (400, 401) and (
            "use_dpop_nonce" in response.text or "use_dpop_nonce" in response.headers.get("www-authenticate", ""))
        if attempt or not challenged or dpop.nonce in (None, sent):
            break
        if deadline is not None and deadline - time.monotonic() < _MIN_ATTEMPT:
            break  # no time for the retry: the caller's deadline holds
    return response if raw else check(response, what)


#: Fewest seconds one attempt of an exchange with a deadline is given (a deadline just passed still
#: lets the last question be asked, briefly).
_MIN_ATTEMPT = 0.5


def _fetch_nonce(client: httpx.Client, offer: ResolvedOffer, dpop: DpopSession | None, *,
                 seconds: float | None = None) -> str | None:
    """A c_nonce; the DPoP nonce that may come with it is kept for the next proof (§7.2)."""
    if offer.nonce_endpoint is None:
        return None
    response = send(client, "POST", offer.nonce_endpoint, "Getting a nonce from the issuer", seconds=seconds)
    if dpop is not None:
        dpop.remember(response)
    body = read_json(response, "The nonce")
    nonce = body.get("c_nonce")
    if not isinstance(nonce, str) or not nonce:
        raise MalformedError("the issuer's nonce answer has no c_nonce")
    return nonce


def _proof(key: PrivateKey, *, issuer: str, nonce: str | None, now: datetime,
           key_attestation: str | None = None) -> str:
    """OpenID4VCI 1.0 App. F.1 key proof: our public key, the issuer as audience, its c_nonce, and
    the provider's attestation of the batch's keys when we have one (App. D)."""
    payload: dict[str, Any] = {"aud": issuer, "iat": int(now.timestamp())}
    if nonce is not None:
        payload["nonce"] = nonce
    header: dict[str, Any] = {"typ": PROOF_TYP, "jwk": public_jwk(key)}
    if key_attestation is not None:
        header["key_attestation"] = key_attestation
    return sign_jws(header, payload, key)


def _key_attestation(required: dict[str, tuple[str, ...]] | None, attester: Attester | None,
                     keys: Sequence[PrivateKey], now: datetime, nonce: str | None) -> str | None:
    """One attestation for all keys of the batch (HAIP §9.3), refused up front when the issuer
    requires levels our key storage does not reach."""
    if attester is None:
        if required is not None:
            raise ProtocolError("invalid_proof", "This institution requires attested keys, and this wallet has no "
                                "provider to attest them.")
        return None
    if required is not None and not (
            set(required.get("key_storage", attester.key_storage)) & set(attester.key_storage)
            and set(required.get("user_authentication", attester.user_authentication))
            & set(attester.user_authentication)):
        raise ProtocolError("invalid_proof", "This institution requires a more secure key storage than this wallet "
                            "has, so it cannot hold this document.")
    return attester.attest_keys([k.public_key() for k in keys], now, nonce)


@dataclass(frozen=True, slots=True)
class PendingAuthorization:
    """What the wallet keeps while the worker is on the institution's page (never sent there)."""

    verifier: str  # the PKCE code_verifier (RFC 7636)
    state: str
    redirect_uri: str
    authorize_url: str


@dataclass(frozen=True, slots=True)
class AuthorizedCode:
    code: str
    verifier: str
    redirect_uri: str


def push_authorization(client: httpx.Client, offer: ResolvedOffer, *, redirect_uri: str, attester: Attester | None,
                       now: datetime, ui_locales: str | None = None) -> PendingAuthorization:
    """OpenID4VCI §5.1 as HAIP wants it: a pushed request (RFC 9126) with PKCE S256, the offer's
    issuer_state and the offered configurations, authenticated like the token request; returns
    where to send the worker's browser. ``ui_locales`` (OpenID Connect Core §3.1.2.1: the worker's
    language, a BCP 47 tag) goes with the browser to the institution's page, which the pushed request
    does not show."""
    if offer.par_endpoint is None or offer.authorization_endpoint is None or offer.issuer_state is None:
        raise ProtocolError("invalid_request", "This institution does not offer its own page for this document.")
    verifier, state = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    client_id = _client_id(attester)
    form = {
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "state": state,
        "code_challenge": authorization_code.pkce_challenge(verifier), "code_challenge_method": "S256",
        "issuer_state": offer.issuer_state,
        "authorization_details": json.dumps([{"type": "openid_credential",
                                              "credential_configuration_id": o.configuration_id}
                                             for o in offer.offered]),
    }
    headers = _client_attestation(client, offer, attester, now)
    body = read_json(check(request(client, "POST", offer.par_endpoint, "Preparing the institution's page",
                                   data=form, headers=headers() if headers is not None else {}),
                           "Preparing the institution's page"), "The pushed request answer")
    request_uri = body.get("request_uri")
    if not isinstance(request_uri, str) or not request_uri:
        raise MalformedError("the pushed request answer has no request_uri")
    # RFC 6749 §3.1: an endpoint's own query component is kept, and ours added to it.
    endpoint = urlsplit(offer.authorization_endpoint)
    query = urlencode({"client_id": client_id, "request_uri": request_uri,
                       **({"ui_locales": ui_locales} if ui_locales else {})})
    url = urlunsplit(endpoint._replace(query=f"{endpoint.query}&{query}" if endpoint.query else query))
    return PendingAuthorization(verifier, state, redirect_uri, url)


def _client_attestation(client: httpx.Client, offer: ResolvedOffer, attester: Attester | None,
                        now: datetime) -> Callable[[], dict[str, str]] | None:
    """The attestation headers for the token request, when the issuer takes them (HAIP §9.2).

    One fresh instance key per token request; each attempt gets a fresh PoP (its own jti).
    """
    return _attestation_headers(client, offer.token_auth_methods, offer.as_issuer or offer.credential_issuer,
                                offer.challenge_endpoint, attester, now)


def _attestation_headers(client: httpx.Client, methods: Sequence[str], audience: str, challenge_endpoint: str | None,
                         attester: Attester | None, now: datetime, *,
                         seconds: float | None = None) -> Callable[[], dict[str, str]] | None:
    """:func:`_client_attestation` from what a token request needs of the offer (kept for a refresh);
    the challenge fetched within ``seconds``."""
    if client_attestation.AUTH_METHOD not in methods:
        return None
    if attester is None:
        if "none" in methods:
            return None
        raise ProtocolError("invalid_client", "This institution gives documents only to wallets attested by their "
                            "provider, and this wallet has no attestation.")
    instance = new_key()
    attestation = attester.attest(instance.public_key(), now)
    challenge = _attestation_challenge(client, challenge_endpoint, seconds=seconds)

    def headers() -> dict[str, str]:
        pop = client_attestation.proof_of_possession(instance, audience=audience,
                                                     iat=int(now.timestamp()), challenge=challenge)
        return {client_attestation.ATTESTATION_HEADER: attestation, client_attestation.POP_HEADER: pop}

    return headers


def _attestation_challenge(client: httpx.Client, challenge_endpoint: str | None, *,
                          seconds: float | None = None) -> str | None:
    """A challenge for the PoP from the authorization server's challenge endpoint, when it has one (§8)."""
    if challenge_endpoint is None:
        return None
    body = read_json(send(client, "POST", challenge_endpoint, "Asking the issuer for a challenge", seconds=seconds),
                     "The challenge")
    value = body.get("attestation_challenge")
    if not isinstance(value, str) or not 0 < len(value) <= 256:
        raise MalformedError("the challenge answer has no attestation_challenge")
    return value


def obtain_credentials(
    client: httpx.Client,
    offer: ResolvedOffer,
    *,
    tx_code: str | None,
    copies: int,
    now: datetime,
    attester: Attester | None = None,
    authorized: AuthorizedCode | None = None,
    failures: list[CredentialError] | None = None,
    deferred: list[DeferredCredentials] | None = None,
) -> list[IssuedCredentials]:
    """Run token → nonce → credential for every offered configuration; one fresh key per copy.

    With ``failures``, a configuration whose request fails is added there and the others are still
    collected (the error is raised only when none came); without it, the first failure is raised.
    With ``deferred``, a configuration the issuer defers (§8.3 HTTP 202) is added there; without it,
    a deferral is the failure ``issuance_pending``.

    ``attester`` (the wallet provider) attests an instance key when the issuer authenticates wallets,
    and each batch's keys (App. D). ``authorized`` is the code the authorization code flow brought
    back (see :func:`push_authorization`); without it the pre-authorized code grant is used.
    """
    dpop = DpopSession(new_key()) if "ES256" in offer.dpop_algs else None
    if authorized is not None:  # RFC 6749 §4.1.3 with the PKCE verifier (RFC 7636 §4.5)
        form = {"grant_type": AUTH_CODE_GRANT, "code": authorized.code, "redirect_uri": authorized.redirect_uri,
                "code_verifier": authorized.verifier, "client_id": _client_id(attester)}
    else:
        if offer.pre_authorized_code is None:
            raise ProtocolError("invalid_request", "This offer is collected through the institution's page.")
        if offer.tx_code is not None and not tx_code:
            raise ProtocolError("invalid_request", "The issuer asks for the code you received separately.")
        form = {"grant_type": PRE_AUTH_GRANT, "pre-authorized_code": offer.pre_authorized_code}
        if offer.tx_code is not None and tx_code:  # §6.1: only when the offer asked for it
            form["tx_code"] = offer.tx_code.typed(tx_code)
    token_body = read_json(
        _post_with_dpop(client, offer.token_endpoint, "Asking the issuer for access", now, dpop, data=form,
                        fresh_headers=_client_attestation(client, offer, attester, now)),
        "The token answer",
    )
    access_token = _token(token_body.get("access_token"))
    token_type = str(token_body.get("token_type", "Bearer"))
    if access_token is None:
        raise MalformedError("the token answer has no usable access token")
    if token_type.lower() == "dpop" and dpop is None:
        raise MalformedError("the issuer wants DPoP with an algorithm this wallet does not use")
    token_type = "DPoP" if token_type.lower() == "dpop" else "Bearer"
    identifiers = _credential_identifiers(token_body.get("authorization_details"))
    # RFC 6749 §5.1: given when the document may be deferred; kept to be sent back, so held to the
    # same syntax as the access token (a refresh token the wallet could not use is no answer).
    refresh = token_body.get("refresh_token")
    refresh_token = _token(refresh)
    if refresh is not None and refresh_token is None:
        raise MalformedError("the token answer has an unusable refresh token")

    results: list[IssuedCredentials] = []
    wanted = max(1, min(copies, offer.batch_size))
    for offered in offer.offered:
        try:
            got = _obtain_one(client, offer, offered, identifiers, wanted=wanted, new_key=new_key, now=now,
                              attester=attester, dpop=dpop, access_token=access_token, token_type=token_type,
                              refresh_token=refresh_token)
            if isinstance(got, IssuedCredentials):
                results.append(got)
            elif deferred is not None:
                deferred.append(got)
            else:
                raise ProtocolError("issuance_pending",
                                    "The institution has not finished preparing this document; try again later.")
        except CredentialError as exc:
            if failures is None:
                raise
            failures.append(exc)  # the other configurations may still come (one token gives each once)
    if not results and not deferred and failures:
        raise failures[0]
    return results


def _obtain_one(client: httpx.Client, offer: ResolvedOffer, offered: Any, identifiers: dict[str, list[str]], *,
                wanted: int, new_key: Any, now: datetime, attester: Any, dpop: Any, access_token: str,
                token_type: str, refresh_token: str | None = None,
                seconds: Callable[[], float | None] | None = None) -> IssuedCredentials | DeferredCredentials:
    """One configuration's Credential Request (§8) with ``wanted`` fresh keys, and its answer:
    the credentials, or the issuer's deferral (§8.3 HTTP 202) with what asking again needs.

    §8.3.1.2: answered ``invalid_nonce`` (the c_nonce expired, or was spent by another request),
    the wallet fetches a fresh c_nonce from the Nonce Endpoint and sends the request again with new
    proofs (and a new key attestation) over the same keys, once; a second refusal is the answer.
    So too, once, when the answer is lost on its way (a timeout, a dropped connection: the request
    may have been signed for and recorded): the issuer gives the same credentials again to fresh
    proofs of the same keys with the same token (issuer.service.IssuerService._delivered; a lost 202,
    the same transaction_id: ``_deferred_again``), where the offer's one-time code, spent, could not
    get them again.
    All of it, retries included, within :data:`CREDENTIAL_SECONDS`, the retry after a lost answer
    within :data:`LOST_RETRY_SECONDS`, each exchange within :data:`wallet.http.MAX_RESPONSE_SECONDS`;
    ``seconds``: what the next exchange may take by a caller's deadline, asked before each.
    """
    ends = time.monotonic() + CREDENTIAL_SECONDS

    def left() -> float:
        given = seconds() if seconds is not None else None
        mine = ends - time.monotonic()
        return mine if given is None else min(mine, given)

    def exchange() -> float:  # a deadline just passed still lets the question be asked, briefly
        return max(_MIN_ATTEMPT, min(left(), MAX_RESPONSE_SECONDS))

    keys = tuple(new_key() for _ in range(wanted))
    ids = identifiers.get(offered.configuration_id)
    retried: set[str] = set()
    while True:
        nonce = _fetch_nonce(client, offer, dpop, seconds=exchange())
        request = _credential_request(offer, offered, keys, nonce, now=now, attester=attester)
        if ids:
            request["credential_identifier"] = ids[0]
        else:
            request["credential_configuration_id"] = offered.configuration_id
        try:
            response = _post_with_dpop(
                client, offer.credential_endpoint, "Collecting the document", now, dpop,
                token=access_token, token_type=token_type, json=request, seconds=exchange(),
            )
        except ProtocolError as exc:
            # Each cause is worth one more try. Without a Nonce Endpoint a new nonce cannot be had;
            # an issuer whose signing key does not answer (503) says when to ask again.
            if exc.error in retried or exc.error not in _RETRIED or (
                    exc.error == "invalid_nonce" and offer.nonce_endpoint is None):
                raise
            retried.add(exc.error)
            if exc.error == "temporarily_unavailable":
                wait = _retry_after(exc.headers.get("Retry-After"))
                if left() < wait + _MIN_ATTEMPT:
                    raise  # no time to wait for it: the deadline holds
                time.sleep(wait)
            continue
        except TransportError as exc:
            # The answer lost, not a bad one (too large, not JSON: asking again would not mend it).
            if "lost" in retried or not isinstance(exc.__cause__, httpx.TransportError) or left() < _MIN_ATTEMPT:
                raise
            retried.add("lost")
            ends = min(ends, time.monotonic() + LOST_RETRY_SECONDS)
            continue
        break
    if response.status_code == 202:
        transaction_id, interval = deferral(read_json(response, "The deferral"))
        return DeferredCredentials(configuration_id=offered.configuration_id, vct=offered.vct, format=offered.format,
                                   transaction_id=transaction_id, interval=interval, keys=keys,
                                   access_token=access_token, token_type=token_type, refresh_token=refresh_token,
                                   dpop=dpop)
    issued = credential_answer(read_json(response, "The credential answer"), most=len(keys))
    return IssuedCredentials(
        configuration_id=offered.configuration_id,
        vct=offered.vct,
        credentials=issued.credentials,
        keys=keys,
        compacts=issued.compacts,
        notification_id=issued.notification_id,
        access_token=access_token,
        token_type=token_type,
        dpop=dpop,
        format=offered.format,
        refresh_token=refresh_token,
    )


#: Longest one form's credential request takes (:func:`_obtain_one`), its c_nonces and retries included:
#: the worker is looking at the screen. The first answer is waited for as any other (up to
#: MAX_RESPONSE_SECONDS, for an issuer slow to sign), a lost one asked again within LOST_RETRY_SECONDS.
CREDENTIAL_SECONDS = 45.0
#: Longest the one retry after a lost answer takes, its c_nonce and request together: the issuer
#: answered the first (only the answer was lost) and gives it again at once (a dropped connection);
#: one that did not answer within the first exchange's time is not waited for as long again.
LOST_RETRY_SECONDS = 15.0
#: Credential errors a wallet asks again after (§8.3.1.2 invalid_nonce; a 503 from the issuer).
_RETRIED = frozenset({"invalid_nonce", "temporarily_unavailable"})
#: Longest wait for an issuer's Retry-After within one receipt: the worker is looking at the screen.
_MAX_RETRY_AFTER = 10.0


def _retry_after(value: str | None) -> float:
    """Seconds to wait (RFC 9110 §10.2.3 delay-seconds; an HTTP date or nonsense: one second)."""
    try:
        return min(max(float(int(value or "1")), 0.0), _MAX_RETRY_AFTER)
    except ValueError:
        return 1.0


def _credential_request(offer: ResolvedOffer, offered: OfferedCredential, keys: Sequence[PrivateKey],
                        nonce: str | None, *, now: datetime, attester: Attester | None) -> dict[str, Any]:
    """The ``proofs`` of a Credential Request (§8.2) for ``keys``, each proof carrying ``nonce``."""
    if attester is not None and offered.attestation_proof_levels is not None:
        # App. F.3: the provider's attestation of the whole batch is the proof (one signature,
        # not one per key), with the issuer's c_nonce inside it.
        return {"proofs": {"attestation": [
            _key_attestation(offered.attestation_proof_levels, attester, keys, now, nonce)]}}
    attestation = _key_attestation(offered.key_attestations_required, attester, keys, now, nonce)
    return {"proofs": {"jwt": [
        _proof(k, issuer=offer.credential_issuer, nonce=nonce, now=now, key_attestation=attestation)
        for k in keys]}}


def _client_id(attester: Attester | None) -> str:
    """The wallet's OAuth client_id: the attested one, else the reference wallet's public client id."""
    return attester.client_id if attester is not None else "esspass-reference-wallet"


def _credential_identifiers(details: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if not isinstance(details, list):
        return out
    for entry in details:
        if isinstance(entry, Mapping) and entry.get("type") == "openid_credential":
            cid = entry.get("credential_configuration_id")
            ids = entry.get("credential_identifiers")
            if isinstance(cid, str) and isinstance(ids, list) and all(isinstance(i, str) for i in ids):
                out[cid] = list(ids)
    return out


# --- step 3: tell the issuer ---------------------------------------------------------------------


def notify(
    client: httpx.Client, offer: ResolvedOffer, issued: IssuedCredentials, event: str, *, now: datetime,
    description: str | None = None,
) -> None:
    """§11: ``credential_accepted`` | ``credential_failure`` | ``credential_deleted``; best effort."""
    send_notification(client, offer.notification_endpoint, issued, event, now=now, description=description)


def send_notification(
    client: httpx.Client, endpoint: str | None, issued: IssuedCredentials, event: str, *, now: datetime,
    description: str | None = None, seconds: float | None = None,
) -> None:
    """:func:`notify` at ``endpoint`` (a deferred document's, kept since the offer), with the token
    ``issued`` carries, within ``seconds`` (both DPoP attempts together)."""
    if endpoint is None or issued.notification_id is None:
        return
    body: dict[str, Any] = {"notification_id": issued.notification_id, "event": event}
    # §11.1: event_description is ASCII without '"' and '\\' (%x20-21 / %x23-5B / %x5D-7E).
    text = "".join(c if " " <= c <= "~" and c not in '"\\' else "?" for c in (description or ""))[:200]
    if text.strip():
        body["event_description"] = text
    _post_with_dpop(
        client, endpoint, "Notifying the issuer", now, issued.dpop,
        token=issued.access_token, token_type=issued.token_type, json=body, seconds=seconds,
    )


# --- deferred issuance (§9) ----------------------------------------------------------------------


def poll_deferred(client: httpx.Client, endpoint: str, transaction_id: str, *, most: int, token: str,
                  token_type: str, dpop: DpopSession | None, now: datetime, seconds: float | None = None) -> Answer:
    """§9.1: ``POST {"transaction_id"}`` with the access token (a fresh DPoP proof when it is bound,
    as at the Credential Endpoint), read with :func:`wallet.deferred.read_deferred_answer`. Only
    network trouble raises (TransportError): the caller asks again later."""
    response = _post_with_dpop(client, endpoint, "Asking the institution for the document", now, dpop,
                               token=token, token_type=token_type, json={"transaction_id": transaction_id},
                               raw=True, seconds=seconds)
    if 300 <= response.status_code < 400:
        return Answer("malformed", detail="the issuer tried to redirect the wallet elsewhere")
    try:
        body: Any = read_json(response, "The deferred answer")
    except CredentialError:
        body = None
    return read_deferred_answer(response.status_code, body, transaction_id=transaction_id, most=most,
                                www_authenticate=response.headers.get("www-authenticate", "")[:1024])


def refresh_access(client: httpx.Client, *, token_endpoint: str, refresh_token: str, dpop: DpopSession | None,
                   token_auth_methods: Sequence[str], audience: str, challenge_endpoint: str | None,
                   attester: Attester | None, now: datetime,
                   seconds: float | None = None) -> tuple[str, str, str]:
    """RFC 6749 §6: ``grant_type=refresh_token``, authenticated as the first token request was (the
    client attestation, HAIP §9.2) and with a DPoP proof by the same key (RFC 9449 §5: a refresh
    token issued to a public client is bound to it). Returns ``(access_token, token_type,
    refresh_token)``: the new refresh token when the server rotated it (the old one MUST then be
    discarded, §6), else the one used. A refusal is a ProtocolError (``invalid_grant`` ...); an
    answer the wallet cannot use a :class:`MalformedTokenAnswer`, carrying the rotated refresh
    token when that one is usable. ``seconds``: the challenge and the token request together."""
    access = refresh_grant(client, token_endpoint=token_endpoint, refresh_token=refresh_token, dpop=dpop,
                           token_auth_methods=token_auth_methods, audience=audience,
                           challenge_endpoint=challenge_endpoint, attester=attester, now=now, seconds=seconds)
    return access.access_token, access.token_type, access.refresh_token


@dataclass(frozen=True, slots=True)
class RefreshedAccess:
    """A refresh's answer (RFC 6749 §5.1): the new access token, its type, the refresh token to keep
    (rotated, or the one used) and the ``credential_identifiers`` it names (§6.2), by configuration."""

    access_token: str
    token_type: str
    refresh_token: str
    identifiers: dict[str, list[str]]


def refresh_grant(client: httpx.Client, *, token_endpoint: str, refresh_token: str, dpop: DpopSession | None,
                  token_auth_methods: Sequence[str], audience: str, challenge_endpoint: str | None,
                  attester: Attester | None, now: datetime, seconds: float | None = None) -> RefreshedAccess:
    """:func:`refresh_access`, with the ``authorization_details`` of the answer: a grant that asked
    by ``credential_identifier`` (the authorization code flow, §6.2) keeps asking so (§8.2)."""
    deadline = time.monotonic() + seconds if seconds is not None else None
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    fresh = _attestation_headers(client, token_auth_methods, audience, challenge_endpoint, attester, now,
                                 seconds=seconds)
    left = None if deadline is None else max(_MIN_ATTEMPT, deadline - time.monotonic())
    response = _post_with_dpop(client, token_endpoint, "Renewing access at the institution", now, dpop, data=form,
                               fresh_headers=fresh, seconds=left)
    body = read_json(response, "The token answer")
    raw_rotated = body.get("refresh_token")
    rotated = _token(raw_rotated)
    # A rotated refresh token is kept even when the rest of the answer is unusable (the one sent may
    # be revoked already); one the wallet could not send back cannot be kept, and the entry stays
    # with the one it sent (which the server may refuse next time: then the entry ends, told).
    if raw_rotated is not None and rotated is None:
        raise MalformedTokenAnswer("the token answer has an unusable refresh token")
    access_token = _token(body.get("access_token"))
    if access_token is None:
        raise MalformedTokenAnswer("the token answer has no usable access token", rotated=rotated)
    bound = str(body.get("token_type", "Bearer")).lower() == "dpop"
    if bound and dpop is None:
        raise MalformedTokenAnswer("the issuer wants DPoP with an algorithm this wallet does not use",
                                   rotated=rotated)
    token_type = "DPoP" if bound else "Bearer"
    return RefreshedAccess(access_token, token_type, rotated or refresh_token,
                           _credential_identifiers(body.get("authorization_details")))


def revoke_grant(client: httpx.Client, *, revocation_endpoint: str, refresh_token: str, dpop: DpopSession,
                 token_auth_methods: Sequence[str], audience: str, challenge_endpoint: str | None,
                 attester: Attester | None, now: datetime, seconds: float | None = None) -> None:
    """RFC 7009 §2.1: end the grant of ``refresh_token`` (``token_type_hint=refresh_token``) at the
    issuer, authenticated as at its token endpoint (the grant's DPoP key, RFC 9449 §5; the client
    attestation). The issuer answers 200 also for a token it no longer knows (§2.2); any other answer
    raises, as any exchange does (the caller decides what a failure means)."""
    deadline = time.monotonic() + seconds if seconds is not None else None
    fresh = _attestation_headers(client, token_auth_methods, audience, challenge_endpoint, attester, now,
                                 seconds=seconds)
    left = None if deadline is None else max(_MIN_ATTEMPT, deadline - time.monotonic())
    _post_with_dpop(client, revocation_endpoint, "Ending the renewal at the institution", now, dpop,
                    data={"token": refresh_token, "token_type_hint": "refresh_token"}, fresh_headers=fresh,
                    seconds=left)


def issuer_signers(client: httpx.Client, issuer_url: str, *, seconds: float | None = None) -> tuple[str, ...]:
    """The signer keys the issuer publishes now (SD-JWT VC §5: ``/.well-known/jwt-vc-issuer`` inserted
    before the issuer identifier's path), as :func:`wallet.renewal.published_signers` names them."""
    from wallet.renewal import published_signers

    metadata = read_json(send(client, "GET", _well_known(issuer_url, "jwt-vc-issuer"), "Fetching the issuer's keys",
                              headers={"Accept": "application/json"}, seconds=seconds), "The issuer's keys")
    return published_signers(metadata)


def obtain_renewed(client: httpx.Client, offer: ResolvedOffer, access: RefreshedAccess, *, dpop: DpopSession,
                   copies: int, now: datetime, attester: Attester | None, failures: list[CredentialError],
                   seconds: Callable[[], float | None] | None = None) -> list[IssuedCredentials]:
    """New copies of a document held (HAIP 1.0 §4 credential refresh) under a refreshed ``access``
    token: for each form ``offer`` lists (the forms the card holds, as the grant's issuer described
    them), a Credential Request (§8) with fresh keys, a fresh ``c_nonce`` and key attestation, as on
    first issuance (:func:`_obtain_one`). A form refused, or deferred (§8.3: no copy now, which a
    renewal does not wait for), goes to ``failures`` and the others are still asked."""
    results: list[IssuedCredentials] = []
    wanted = max(1, min(copies, offer.batch_size))
    for offered in offer.offered:
        try:
            got = _obtain_one(client, offer, offered, access.identifiers, wanted=wanted, new_key=new_key, now=now,
                              attester=attester, dpop=dpop, access_token=access.access_token,
                              token_type=access.token_type, seconds=seconds)
        except CredentialError as exc:
            failures.append(exc)
            continue
        if isinstance(got, IssuedCredentials):
            results.append(got)
        else:
            failures.append(ProtocolError("issuance_pending", "The institution did not hand over the new copies "
                                          "at once; try again later."))
    return results
