"""OpenID for Verifiable Presentations 1.0 messages, both sides, transport-free (standards.md §5).

Verifier: :func:`build_request` / :func:`sign_request` (JAR, RFC 9101, ``typ``
oauth-authz-req+jwt, ``x5c`` without the anchor), :func:`client_id_for` (§5.9.3 ``x509_san_dns``
and ``x509_hash`` prefixes), :func:`request_link` (``openid4vp://`` cross-device QR, §5.7),
:func:`new_encryption_key` and :func:`parse_response` (§8.2 direct_post, §8.3.1
direct_post.jwt: ECDH-ES P-256 JWE, a fresh key per request, HAIP 1.0 §5; the JWE names that
key's ``kid``, §8.3; an empty ``vp_token`` answers optional queries, §8.1).

Verifier, ``request_uri_method=post`` (§5.10): :func:`parse_request_uri_post` reads the wallet's
form and :func:`with_wallet_nonce` re-signs the Request Object with its ``wallet_nonce``.

Wallet: :func:`verify_request_object` (signature, chain to a CA on the verifiers list, client_id
bound to the certificate, ``aud``, response mode, nonce, a usable encryption key for
direct_post.jwt, ``transaction_data`` refused) and :func:`build_response_form`. A request whose
requester is authenticated but that cannot be answered raises :class:`RequestRejected`, whose
§8.5 error (:func:`error_response_form`) the wallet may send to the checked ``response_uri``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeGuard
from urllib.parse import quote, urlsplit

from cryptography import x509 as cx509

from credentials import dcql
from credentials.errors import AlgorithmError, CredentialError, IssuerTrustError, MalformedError, ProtocolError
from credentials.jose import PrivateKey, decode_jws, parse_json, sign_jws, verify_jws
from credentials.x509 import dns_names, load_x5c, validate_chain, x5c_header, x509_hash

__all__ = [
    "REQUEST_TYP",
    "RETENTION",
    "STATIC_AUDIENCE",
    "RequestCheck",
    "RequestRejected",
    "ResponseParams",
    "build_request",
    "build_response_form",
    "client_id_for",
    "encryption_key",
    "error_response_form",
    "new_encryption_key",
    "parse_request_uri_post",
    "parse_response",
    "request_link",
    "response_enc",
    "sign_request",
    "verify_request_object",
    "with_wallet_nonce",
]

REQUEST_TYP = "oauth-authz-req+jwt"
#: §5.8: the ``aud`` of a Request Object for a wallet known by static discovery metadata (ours: it
#: publishes no ``issuer`` of its own, so this is the only audience it answers to).
STATIC_AUDIENCE = "https://self-issued.me/v2"
#: §5.2 ``nonce``, ``state`` (and ``wallet_nonce``): ASCII URL-safe characters only. Always
#: ``fullmatch``: ``$`` would also match before a trailing newline.
SAFE = re.compile(r"[A-Za-z0-9\-._~]{1,512}")
#: RFC 6749 §4.1.2.1: an ``error`` code is printable ASCII without ``"`` and ``\``.
ERROR_CODE = re.compile(r"[\x20-\x21\x23-\x5B\x5D-\x7E]{1,64}")
#: Largest ``wallet_metadata`` a wallet may POST to the request_uri (§5.10.1).
MAX_WALLET_METADATA = 16 * 1024
ENC_VALUES = ("A128GCM", "A256GCM")  # HAIP: verifiers list both
MAX_RESPONSE_BYTES = 512 * 1024


def _at_dns_name(host: str | None, dns_name: str) -> bool:
    """§5.9.3: a ``x509_san_dns`` requester's response_uri is on its own DNS name: "the Wallet MUST
    ... ensure that the FQDN of the redirect_uri/response_uri matches the Client Identifier" (this
    wallet has no other trust in a client_id). Exactly, DNS case and a final dot aside: a name under
    ``localhost`` does not stand for a loopback address (a pilot's certificate names ``localhost``
    itself, :data:`credentials.pki.PILOT_HOST`)."""
    return host is not None and host.lower().rstrip(".") == dns_name.lower().rstrip(".")


def client_id_for(leaf: cx509.Certificate, prefix: str, host: str | None = None) -> str:
    """§5.9.3: ``x509_hash:<b64url sha256 DER>`` (HAIP) or ``x509_san_dns:<dNSName SAN>``.

    ``host``: the host of the requester's response_uri. Under ``x509_san_dns`` the client_id is the
    dNSName equal to it, since a wallet refuses any other (:func:`_at_dns_name`); a ValueError when
    the certificate names no such host (use ``x509_hash``, or a certificate naming the host). Without
    ``host`` (a check of the certificate alone): its first dNSName."""
    if prefix == "x509_hash":
        return f"x509_hash:{x509_hash(leaf)}"
    if prefix == "x509_san_dns":
        names = dns_names(leaf)
        if not names:
            raise ValueError("the access certificate has no dNSName")
        if host is None:
            return f"x509_san_dns:{names[0]}"
        for name in names:
            if _at_dns_name(host, name):
                return f"x509_san_dns:{name}"
        raise ValueError(f"x509_san_dns needs the verifier's host ({host}) among the access certificate's DNS "
                         f"names ({', '.join(names)}): a wallet refuses a response_uri elsewhere (OpenID4VP "
                         "§5.9.3); use x509_hash")
    raise ValueError(f"unsupported client_id prefix {prefix!r}")


def new_encryption_key() -> Any:
    """A fresh ephemeral P-256 key for one request's direct_post.jwt answer (a jwcrypto JWK)."""
    from jwcrypto import jwk

    return jwk.JWK.generate(kty="EC", crv="P-256")


def _published_kid(key: Any) -> str:
    """The ``kid`` the request publishes for its encryption key (its RFC 7638 thumbprint), which
    the answer's JWE header must carry (§8.3)."""
    return str(key.thumbprint())


#: §11.1 ``vp_formats_supported`` with the format parameters of App. B.2 (``mso_mdoc``) and B.3
#: (``dc+sd-jwt``): every format a DCQL query of ours may ask for, with the algorithms the verifier
#: checks: ES256 for the SD-JWT and KB-JWT, COSE -7 (ES256) for the mdoc's issuerAuth and
#: deviceSignature (credentials.cose accepts -7 only).
VP_FORMATS_SUPPORTED: dict[str, dict[str, list[Any]]] = {
    "dc+sd-jwt": {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]},
    "mso_mdoc": {"issuerauth_alg_values": [-7], "deviceauth_alg_values": [-7]},
}


#: A language tag of a ``purpose#<tag>`` claim (BCP 47's common shapes: ``lv``, ``pt-BR``).
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
#: Longest purpose sent (the wallet shows at most as much).
MAX_PURPOSE = 300
#: The ``client_metadata`` member saying how long the verifier keeps a check (GDPR Art. 13(2)(a), for
#: the consent screen): ``{"records_days": int (0: no end), "personal_data_seconds": int (after the
#: result is shown; 0: erased then)}``. No registered metadata name says it (RFC 7591 §2 has
#: ``policy_uri``, a page, not a value a wallet can put into the worker's words), and a wallet ignores
#: client metadata it does not know (RFC 7591 §2, OpenID4VP 1.0 §5.1), so other wallets are unaffected.
RETENTION = "retention"


def build_request(*, client_id: str, response_uri: str, nonce: str, state: str, dcql_query: Mapping[str, Any],
                  response_mode: str, iat: int, exp: int, encryption_key: Any | None = None,
                  purpose: str | None = None, purpose_translations: Mapping[str, str] | None = None,
                  retention: Mapping[str, int] | None = None) -> dict[str, Any]:
    """The Request Object claims (§5.1) for a cross-device direct_post(.jwt) request.

    ``purpose`` (why the verifier asks, for the wallet's consent screen) is no parameter of
    OpenID4VP 1.0, which lets a deployment define its own (§5: a wallet ignores those it does not
    know). ``purpose_translations`` (language tag -> text) adds ``purpose#<tag>`` for each, the way
    human-readable metadata carries its languages (RFC 7591 §2.2, OpenID Connect Core §5.2), so a
    wallet can show the worker's language; ``purpose`` itself is the text for any other language.
    ``retention``: how long the verifier keeps the check, sent as ``client_metadata`` :data:`RETENTION`."""
    if response_mode not in ("direct_post", "direct_post.jwt"):
        raise ValueError("response_mode must be direct_post or direct_post.jwt")
    if not SAFE.fullmatch(nonce) or not SAFE.fullmatch(state):
        raise ValueError("nonce and state must be URL-safe ASCII")
    # Only what this verifier can check: the formats it lists in vp_formats_supported, key-bound.
    dcql.check_verifiable(dcql.validate(dict(dcql_query)), formats=tuple(VP_FORMATS_SUPPORTED))
    metadata: dict[str, Any] = {"vp_formats_supported": {fmt: {name: list(values) for name, values in params.items()}
                                                         for fmt, params in VP_FORMATS_SUPPORTED.items()}}
    if response_mode == "direct_post.jwt":
        if encryption_key is None:
            raise ValueError("direct_post.jwt needs an encryption key")
        public = json.loads(encryption_key.export_public())
        public.update({"use": "enc", "alg": "ECDH-ES", "kid": _published_kid(encryption_key)})
        metadata["jwks"] = {"keys": [public]}
        metadata["encrypted_response_enc_values_supported"] = list(ENC_VALUES)
    if retention is not None:
        metadata[RETENTION] = dict(retention)
    payload: dict[str, Any] = {
        "iss": client_id, "aud": STATIC_AUDIENCE, "iat": iat, "exp": exp,
        "client_id": client_id, "response_type": "vp_token", "response_mode": response_mode,
        "response_uri": response_uri, "nonce": nonce, "state": state, "dcql_query": dict(dcql_query),
        "client_metadata": metadata,
    }
    if purpose:
        payload["purpose"] = purpose[:MAX_PURPOSE]
        for tag, text in (purpose_translations or {}).items():
            if not LANGUAGE_TAG.fullmatch(tag):
                raise ValueError(f"{tag!r} is not a language tag")
            if text:
                payload[f"purpose#{tag}"] = text[:MAX_PURPOSE]
    return payload


def sign_request(payload: Mapping[str, Any], *, key: PrivateKey, x5c: Sequence[cx509.Certificate]) -> str:
    """JAR: the signed Request Object served at ``request_uri``."""
    return sign_jws({"typ": REQUEST_TYP, "x5c": x5c_header(x5c)}, dict(payload), key)


def request_link(client_id: str, request_uri: str, scheme: str = "openid4vp://",
                 request_uri_method: str = "get") -> str:
    """§5.7 cross-device: only ``client_id`` and ``request_uri`` go in the QR code, and
    ``request_uri_method=post`` (§5.1) when the verifier takes the wallet's POST (§5.10)."""
    if request_uri_method not in ("get", "post"):
        raise ValueError("request_uri_method must be get or post")
    link = f"{scheme}?client_id={quote(client_id, safe='')}&request_uri={quote(request_uri, safe='')}"
    return link + "&request_uri_method=post" if request_uri_method == "post" else link


def parse_request_uri_post(form: Mapping[str, str]) -> str | None:
    """§5.10.1: the wallet's form POSTed to the request_uri; returns its ``wallet_nonce`` (or None).

    ``wallet_metadata``, when sent, must be a JSON object (§10); this verifier asks for nothing it
    could adapt to it, and ignores its content and any other parameter."""
    metadata = form.get("wallet_metadata")
    if metadata is not None:
        try:
            parsed = parse_json(metadata.encode(), max_bytes=MAX_WALLET_METADATA)
        except CredentialError as exc:
            raise ProtocolError("invalid_request", "wallet_metadata is not JSON") from exc
        if not isinstance(parsed, dict):
            raise ProtocolError("invalid_request", "wallet_metadata must be a JSON object")
    nonce = form.get("wallet_nonce")
    if nonce is not None and not SAFE.fullmatch(nonce):
        raise ProtocolError("invalid_request", "wallet_nonce must be URL-safe ASCII, at most 512 characters")
    return nonce


def with_wallet_nonce(payload: Mapping[str, Any], wallet_nonce: str | None) -> dict[str, Any]:
    """§5.10.1: "the Verifier MUST use it as the wallet_nonce value in the signed authorization
    request object"; the other claims stay those of the transaction."""
    out = dict(payload)
    if wallet_nonce is not None:
        out["wallet_nonce"] = wallet_nonce
    return out


@dataclass(frozen=True, slots=True)
class ResponseParams:
    vp_token: dict[str, list[str]] | None
    state: str | None
    error: str | None
    error_description: str | None
    encrypted: bool


def parse_response(form: Mapping[str, str], *, response_mode: str, decryption_key: Any | None) -> ResponseParams:
    """§8.2 / §8.3.1: the form posted to ``response_uri``; the JWE is decrypted with this request's key.

    With direct_post.jwt only an encrypted ``response`` is accepted, except an unencrypted error
    (a wallet that cannot encrypt MAY send one, §8.3.1).
    """
    if "response" in form:
        if response_mode != "direct_post.jwt" or decryption_key is None:
            raise ProtocolError("invalid_request", "an encrypted response was not asked for")
        params = _decrypt(form["response"], decryption_key)
        encrypted = True
    else:
        params = dict(form)
        encrypted = False
        if response_mode == "direct_post.jwt" and "error" not in params:
            raise ProtocolError("invalid_request", "this request requires an encrypted response")
    state = params.get("state")
    if state is not None and not isinstance(state, str):
        raise ProtocolError("invalid_request", "state must be a string")
    error = params.get("error")
    if error is not None:
        # RFC 6749 §4.1.2.1 (the shape §8.5 follows): a code of printable ASCII; anything else is
        # not an error response but a malformed one, and is not recorded as the wallet's answer.
        if not isinstance(error, str) or not ERROR_CODE.fullmatch(error):
            raise ProtocolError("invalid_request", "error must be an RFC 6749 error code")
        desc = params.get("error_description")
        return ResponseParams(None, state, error, str(desc)[:300] if desc else None, encrypted)
    token = params.get("vp_token")
    if isinstance(token, str):
        try:
            token = parse_json(token, max_bytes=MAX_RESPONSE_BYTES)
        except CredentialError as exc:
            raise ProtocolError("invalid_request", "vp_token is not JSON") from exc
    # §8.1: one entry per answered query, "an array of one or more Presentations"; none at all for
    # optional queries without a match, so {} is a complete answer to a request of optional
    # credential sets (DCQL §6.4.2); whether it satisfies this request is the verification's question.
    if not isinstance(token, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and v and all(isinstance(p, str) for p in v)
            for k, v in token.items()):
        raise ProtocolError("invalid_request", "vp_token must map query ids to arrays of presentations")
    return ResponseParams(token, state, None, None, encrypted)


def _decrypt(token: str, key: Any) -> dict[str, Any]:
    from jwcrypto import jwe
    from jwcrypto.common import JWException

    if not isinstance(token, str) or len(token) > MAX_RESPONSE_BYTES:
        raise ProtocolError("invalid_request", "the encrypted response is too large")
    try:
        header = parse_json(__import__("base64").urlsafe_b64decode(token.split(".")[0] + "=="))
    except (CredentialError, ValueError) as exc:
        raise ProtocolError("invalid_request", "the encrypted response is malformed") from exc
    if not isinstance(header, dict) or header.get("alg") != "ECDH-ES" or header.get("enc") not in ENC_VALUES:
        raise ProtocolError("invalid_request", "the response must be encrypted with ECDH-ES and A128GCM/A256GCM")
    # §8.3: "If the selected public key contains a kid parameter, the JWE MUST include the same value
    # in the kid JWE Header Parameter". The key this request published always has one, so an answer
    # naming another key, or none, was not made for this request's key as the spec requires.
    if header.get("kid") != _published_kid(key):
        raise ProtocolError("invalid_request", "the encrypted response does not name this request's key (kid)")
    try:
        obj = jwe.JWE()
        obj.deserialize(token, key=key)
        payload = parse_json(obj.payload, max_bytes=MAX_RESPONSE_BYTES)
    except (JWException, ValueError, CredentialError) as exc:
        raise ProtocolError("invalid_request", "the encrypted response cannot be decrypted with this request's key") \
            from exc
    if not isinstance(payload, dict):
        raise ProtocolError("invalid_request", "the encrypted response must hold a JSON object")
    return payload


# --- wallet side ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RequestCheck:
    payload: dict[str, Any]
    chain: list[cx509.Certificate]
    client_id: str
    requested: dict[str, tuple[str, ...]]  # vct -> top-level claim names asked for


class RequestRejected(ProtocolError):
    """A Request Object this wallet cannot answer, from a requester it has authenticated (signature,
    chain to the verifiers list, client_id bound to the certificate) and whose ``response_uri`` it
    has checked: the §8.5 error may be sent there (:func:`error_response_form` of ``payload``), so
    that the verifier learns why no answer comes instead of waiting for its request to expire.

    Errors before that point (an unauthenticated requester, a replayed or stale request object,
    an unusable response mode or response_uri) are plain errors: nothing may be sent anywhere.
    ``chain`` is the requester's validated certificate chain: the caller must still find it an
    active verifier on its trust list before sending anything (a suspended or withdrawn one's
    certificate still chains to its CA, and its ``response_uri`` could be anyone's)."""

    def __init__(self, error: str, description: str, *, payload: Mapping[str, Any],
                 chain: Sequence[cx509.Certificate] = ()) -> None:
        super().__init__(error, description)
        self.payload = dict(payload)
        self.chain = list(chain)


def verify_request_object(token: str, *, link_client_id: str, wallet_nonce: str | None,
                          anchors: Sequence[cx509.Certificate], now: datetime) -> RequestCheck:
    """The holder's checks on a signed Request Object (§5, JAR; HAIP): see the module docstring.

    ``anchors`` are the CA certificates of the verifiers trusted list; whether that verifier may
    ask for these claims is the caller's next question (``trust_list.authorised_verifier``).
    """
    unverified = decode_jws(token)
    header = unverified.header
    if header.get("typ") != REQUEST_TYP:
        raise MalformedError("the request is not a signed authorization request (typ)")
    if header.get("alg") != "ES256":
        raise AlgorithmError("the request is signed with an algorithm this wallet does not accept")
    x5c = header.get("x5c")
    if not isinstance(x5c, list) or not x5c:
        raise IssuerTrustError("the request carries no certificate of the requester")
    validated = validate_chain(load_x5c(x5c), anchors, now=now)
    verify_jws(unverified, validated.leaf.public_key(), algorithms=("ES256",), typ=REQUEST_TYP)  # type: ignore[arg-type]
    payload = unverified.payload

    # §5.10.2: the client_id of the link and of the Request Object are identical, prefix included.
    client_id = payload.get("client_id")
    if not isinstance(client_id, str) or client_id != link_client_id:
        raise ProtocolError("invalid_request", "the request's client_id differs from the link's")
    prefix, _, value = client_id.partition(":")
    if prefix == "x509_hash":
        if value != x509_hash(validated.leaf):
            raise IssuerTrustError("the requester's certificate does not match its client_id")
    elif prefix == "x509_san_dns":
        if value not in dns_names(validated.leaf):
            raise IssuerTrustError("the requester's certificate does not name its client_id")
    else:
        # §8.5: "The Wallet does not support the Client Identifier Prefix" is invalid_request
        # (``origin:`` is reserved for the DC API and never accepted in a request, §5.9.3).
        raise ProtocolError("invalid_request", "this wallet only accepts requesters identified by certificate "
                            "(x509_hash or x509_san_dns)")
    _check_jwt_claims(payload, wallet_nonce=wallet_nonce, now=now)

    # Where an answer (or an error) could go: only then can the requester be told what is wrong.
    if payload.get("response_mode") not in ("direct_post", "direct_post.jwt"):
        raise ProtocolError("invalid_request", "this wallet answers only by direct_post or direct_post.jwt")
    response_uri = payload.get("response_uri")
    if not isinstance(response_uri, str):
        raise ProtocolError("invalid_request", "the request needs a response_uri")
    if prefix == "x509_san_dns" and not _at_dns_name(urlsplit(response_uri).hostname, value):
        raise ProtocolError("invalid_request", "the response_uri is not at the requester's address")
    state = payload.get("state")
    if state is not None and (not isinstance(state, str) or not SAFE.fullmatch(state)):
        raise ProtocolError("invalid_request", "the request's state is not usable")

    def rejected(error: str, description: str) -> RequestRejected:
        return RequestRejected(error, description, payload=payload, chain=validated.chain)

    if payload.get("response_type") != "vp_token":
        raise rejected("invalid_request", "response_type must be vp_token")
    if "redirect_uri" in payload:  # §8.2: "the Wallet MUST return an invalid_request ... error"
        raise rejected("invalid_request", "a request with a response_uri must not carry a redirect_uri")
    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or not SAFE.fullmatch(nonce):
        raise rejected("invalid_request", "the request has no usable nonce")
    if "transaction_data" in payload:
        raise rejected("invalid_transaction_data", "this wallet does not support transaction data")
    metadata = payload.get("client_metadata", {})
    if not isinstance(metadata, Mapping):
        raise rejected("invalid_request", "client_metadata must be a JSON object")
    if payload["response_mode"] == "direct_post.jwt":
        try:  # §8.3: the answer must be encryptable before the worker is asked to consent to it
            encryption_key(metadata)
            response_enc(metadata)
        except ProtocolError as exc:
            raise rejected(exc.error, exc.message) from exc
    try:
        query = dcql.validate(payload.get("dcql_query"))
    except ProtocolError as exc:
        raise rejected(exc.error, exc.message) from exc
    return RequestCheck(payload, list(validated.chain), client_id, dcql.requested_claims(query))


#: Seconds ahead a request object may say it stays valid (ours: minutes).
_MAX_REQUEST_LIFETIME = 3600
#: Clock skew allowed for ``iat`` and ``nbf``.
_SKEW = 60


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_jwt_claims(payload: Mapping[str, Any], *, wallet_nonce: str | None, now: datetime) -> None:
    """The Request Object as a JWT meant for this wallet, now: its audience, its wallet_nonce and its time.

    * §5.8 and RFC 7519 §4.1.3: a JWT whose ``aud`` does not name its recipient MUST be rejected;
      this wallet has no issuer identifier of its own (static discovery, §12.1), so it answers
      only to :data:`STATIC_AUDIENCE` (a request without ``aud`` is taken, as JAR allows).
    * §5.10.2: a request fetched with a ``wallet_nonce`` must carry it, else processing stops.
    * RFC 9101 §10.2 (JAR freshness): a request says when it stops, and not far ahead, nor was it
      made (or valid from) in the future; one recorded long ago and replayed to the worker is refused.
    """
    aud = payload.get("aud")
    if aud is not None and not (aud == STATIC_AUDIENCE or (isinstance(aud, list) and STATIC_AUDIENCE in aud)):
        raise ProtocolError("invalid_request", "the request is addressed to another wallet (aud)")
    if wallet_nonce is not None and payload.get("wallet_nonce") != wallet_nonce:
        raise ProtocolError("invalid_request", "the request does not echo this wallet's nonce")
    ts = now.timestamp()
    exp, iat, nbf = payload.get("exp"), payload.get("iat"), payload.get("nbf")
    if not _number(exp) or exp < ts:
        raise ProtocolError("invalid_request", "the request has expired or says nothing of when it expires")
    if exp > ts + _MAX_REQUEST_LIFETIME:
        raise ProtocolError("invalid_request", "the request claims to stay valid for too long")
    if iat is not None and (not _number(iat) or iat > ts + _SKEW):
        raise ProtocolError("invalid_request", "the request was made in the future")
    if nbf is not None and (not _number(nbf) or nbf > ts + _SKEW):
        raise ProtocolError("invalid_request", "the request is not valid yet (nbf)")


def encryption_key(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The verifier's key the answer is encrypted to (§8.3): the first usable P-256 ECDH-ES key of
    ``client_metadata.jwks`` ("The alg parameter MUST be present in the JWKs"; ``use`` absent or
    ``enc``). The mdoc transcript names this same key (App. B.2.6.1). A key whose coordinates are
    not a point of P-256 cannot encrypt anything: it is refused here, before the worker is asked."""
    from credentials.jose import public_key_from_jwk

    jwks = metadata.get("jwks")
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    for key in keys if isinstance(keys, list) else []:
        if (isinstance(key, dict) and key.get("use", "enc") == "enc" and key.get("kty") == "EC"
                and key.get("crv") == "P-256" and key.get("alg") == "ECDH-ES" and "d" not in key
                and all(isinstance(key.get(c), str) for c in ("x", "y"))):
            try:
                public_key_from_jwk(key)
            except CredentialError as exc:
                raise ProtocolError("invalid_request", "the verifier's key for encrypting the answer is not a "
                                    "usable P-256 public key") from exc
            return key
    raise ProtocolError("invalid_request", "the verifier asked for an encrypted answer but gave no usable key "
                        "(an EC P-256 JWK with alg ECDH-ES)")


def response_enc(metadata: Mapping[str, Any]) -> str:
    """The JWE ``enc`` for the answer (§8.3; HAIP: A256GCM when the verifier takes it): from
    ``encrypted_response_enc_values_supported``, a non-empty array defaulting to ``["A128GCM"]``."""
    offered = metadata.get("encrypted_response_enc_values_supported", ["A128GCM"])
    if not isinstance(offered, list) or not offered or not all(isinstance(e, str) for e in offered):
        raise ProtocolError("invalid_request", "encrypted_response_enc_values_supported must be a non-empty array")
    enc = next((e for e in ("A256GCM", "A128GCM") if e in offered), None)
    if enc is None:
        raise ProtocolError("invalid_request", "the verifier offers no encryption this wallet supports")
    return enc


def build_response_form(payload: Mapping[str, Any], params: dict[str, Any]) -> dict[str, str]:
    """The form body for ``response_uri``: plain (direct_post) or one JWE (direct_post.jwt, A256GCM preferred)."""
    state = payload.get("state")
    body = {**params, **({"state": state} if isinstance(state, str) else {})}
    if payload.get("response_mode") != "direct_post.jwt":
        return {k: json.dumps(v, separators=(",", ":")) if not isinstance(v, str) else v for k, v in body.items()}
    from jwcrypto import jwe, jwk

    metadata = payload.get("client_metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    key = encryption_key(metadata)
    header = {"alg": "ECDH-ES", "enc": response_enc(metadata), **({"kid": key["kid"]} if "kid" in key else {})}
    token = jwe.JWE(json.dumps(body, separators=(",", ":")).encode(), protected=json.dumps(header))
    token.add_recipient(jwk.JWK(**{k: key[k] for k in ("kty", "crv", "x", "y")}))
    return {"response": token.serialize(compact=True)}


def error_response_form(payload: Mapping[str, Any], error: str, description: str) -> dict[str, str]:
    """§8.5 error response for ``response_uri``: encrypted when the request asked for it and can be
    encrypted to, else plain ("If a Wallet is unable to generate an encrypted response, it MAY send
    an error response without encryption", §8.3.1)."""
    params = {"error": error, "error_description": description[:300]}
    try:
        return build_response_form(payload, params)
    except ProtocolError:
        return build_response_form({**payload, "response_mode": "direct_post"}, params)
