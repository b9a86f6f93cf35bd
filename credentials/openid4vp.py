"""OpenID for Verifiable Presentations 1.0 messages, both sides, transport-free (standards.md §5).

Verifier: :func:`build_request` / :func:`sign_request` (JAR, RFC 9101, ``typ``
oauth-authz-req+jwt, ``x5c`` without the anchor), :func:`client_id_for` (§5.9.3 ``x509_san_dns``
and ``x509_hash`` prefixes), :func:`request_link` (``openid4vp://`` cross-device QR, §5.7),
:func:`new_encryption_key` and :func:`parse_response` (§8.2 direct_post, §8.3.1
direct_post.jwt: ECDH-ES P-256 JWE, a fresh key per request, HAIP 1.0 §5).

Wallet: :func:`verify_request_object` (signature, chain to a CA on the verifiers list, client_id
bound to the certificate, response mode, nonce, ``transaction_data`` refused) and
:func:`build_response_form`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from cryptography import x509 as cx509

from credentials import dcql
from credentials.errors import AlgorithmError, CredentialError, IssuerTrustError, MalformedError, ProtocolError
from credentials.jose import PrivateKey, decode_jws, parse_json, sign_jws, verify_jws
from credentials.x509 import dns_names, load_x5c, validate_chain, x5c_header, x509_hash

__all__ = [
    "REQUEST_TYP",
    "RequestCheck",
    "ResponseParams",
    "build_request",
    "build_response_form",
    "client_id_for",
    "encryption_key",
    "new_encryption_key",
    "parse_response",
    "request_link",
    "sign_request",
    "verify_request_object",
]

REQUEST_TYP = "oauth-authz-req+jwt"
SAFE = re.compile(r"^[A-Za-z0-9\-._~]{1,512}$")
ENC_VALUES = ("A128GCM", "A256GCM")  # HAIP: verifiers list both
MAX_RESPONSE_BYTES = 512 * 1024


def _at_dns_name(host: str | None, dns_name: str) -> bool:
    """§5.9.3: a ``x509_san_dns`` requester's response_uri is on its own DNS name.

    A name under ``localhost`` (RFC 6761 §6.3: always this machine's loopback) may also answer on
    a loopback address, for a pilot on one computer; no other name may point the wallet there."""
    name = dns_name.lower().rstrip(".")
    if host is not None and host.lower().rstrip(".") == name:
        return True
    local = name == "localhost" or name.endswith(".localhost")
    return local and host in ("localhost", "127.0.0.1", "::1")


def client_id_for(leaf: cx509.Certificate, prefix: str) -> str:
    """§5.9.3: ``x509_hash:<b64url sha256 DER>`` (HAIP) or ``x509_san_dns:<first dNSName SAN>``."""
    if prefix == "x509_hash":
        return f"x509_hash:{x509_hash(leaf)}"
    if prefix == "x509_san_dns":
        names = dns_names(leaf)
        if not names:
            raise ValueError("the access certificate has no dNSName")
        return f"x509_san_dns:{names[0]}"
    raise ValueError(f"unsupported client_id prefix {prefix!r}")


def new_encryption_key() -> Any:
    """A fresh ephemeral P-256 key for one request's direct_post.jwt answer (a jwcrypto JWK)."""
    from jwcrypto import jwk

    return jwk.JWK.generate(kty="EC", crv="P-256")


#: §11.1 ``vp_formats_supported`` with the format parameters of App. B.2 (``mso_mdoc``) and B.3
#: (``dc+sd-jwt``): every format a DCQL query of ours may ask for, with the algorithms the verifier
#: checks: ES256 for the SD-JWT and KB-JWT, COSE -7 (ES256) for the mdoc's issuerAuth and
#: deviceSignature (credentials.cose accepts -7 only).
VP_FORMATS_SUPPORTED: dict[str, dict[str, list[Any]]] = {
    "dc+sd-jwt": {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]},
    "mso_mdoc": {"issuerauth_alg_values": [-7], "deviceauth_alg_values": [-7]},
}


def build_request(*, client_id: str, response_uri: str, nonce: str, state: str, dcql_query: Mapping[str, Any],
                  response_mode: str, iat: int, exp: int, encryption_key: Any | None = None,
                  purpose: str | None = None) -> dict[str, Any]:
    """The Request Object claims (§5.1) for a cross-device direct_post(.jwt) request."""
    if response_mode not in ("direct_post", "direct_post.jwt"):
        raise ValueError("response_mode must be direct_post or direct_post.jwt")
    if not SAFE.match(nonce) or not SAFE.match(state):
        raise ValueError("nonce and state must be URL-safe ASCII")
    dcql.validate(dict(dcql_query))
    metadata: dict[str, Any] = {"vp_formats_supported": {fmt: {name: list(values) for name, values in params.items()}
                                                         for fmt, params in VP_FORMATS_SUPPORTED.items()}}
    if response_mode == "direct_post.jwt":
        if encryption_key is None:
            raise ValueError("direct_post.jwt needs an encryption key")
        public = json.loads(encryption_key.export_public())
        public.update({"use": "enc", "alg": "ECDH-ES", "kid": encryption_key.thumbprint()})
        metadata["jwks"] = {"keys": [public]}
        metadata["encrypted_response_enc_values_supported"] = list(ENC_VALUES)
    payload: dict[str, Any] = {
        "iss": client_id, "aud": "https://self-issued.me/v2", "iat": iat, "exp": exp,
        "client_id": client_id, "response_type": "vp_token", "response_mode": response_mode,
        "response_uri": response_uri, "nonce": nonce, "state": state, "dcql_query": dict(dcql_query),
        "client_metadata": metadata,
    }
    if purpose:
        payload["purpose"] = purpose[:300]
    return payload


def sign_request(payload: Mapping[str, Any], *, key: PrivateKey, x5c: Sequence[cx509.Certificate]) -> str:
    """JAR: the signed Request Object served at ``request_uri``."""
    return sign_jws({"typ": REQUEST_TYP, "x5c": x5c_header(x5c)}, dict(payload), key)


def request_link(client_id: str, request_uri: str, scheme: str = "openid4vp://") -> str:
    """§5.7 cross-device: only ``client_id`` and ``request_uri`` go in the QR code."""
    return f"{scheme}?client_id={quote(client_id, safe='')}&request_uri={quote(request_uri, safe='')}"


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
        desc = params.get("error_description")
        return ResponseParams(None, state, str(error)[:64], str(desc)[:300] if desc else None, encrypted)
    token = params.get("vp_token")
    if isinstance(token, str):
        try:
            token = parse_json(token, max_bytes=MAX_RESPONSE_BYTES)
        except CredentialError as exc:
            raise ProtocolError("invalid_request", "vp_token is not JSON") from exc
    if not isinstance(token, dict) or not token or not all(
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
        raise ProtocolError("invalid_client", "this wallet only accepts requesters identified by certificate")

    if payload.get("response_type") != "vp_token":
        raise ProtocolError("invalid_request", "response_type must be vp_token")
    if payload.get("response_mode") not in ("direct_post", "direct_post.jwt"):
        raise ProtocolError("invalid_request", "this wallet answers only by direct_post or direct_post.jwt")
    response_uri = payload.get("response_uri")
    if not isinstance(response_uri, str) or "redirect_uri" in payload:
        raise ProtocolError("invalid_request", "the request needs a response_uri and no redirect_uri")
    if prefix == "x509_san_dns" and not _at_dns_name(urlsplit(response_uri).hostname, value):
        raise ProtocolError("invalid_request", "the response_uri is not at the requester's address")
    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or not SAFE.match(nonce):
        raise ProtocolError("invalid_request", "the request has no usable nonce")
    state = payload.get("state")
    if state is not None and (not isinstance(state, str) or not SAFE.match(state)):
        raise ProtocolError("invalid_request", "the request's state is not usable")
    if wallet_nonce is not None and payload.get("wallet_nonce") != wallet_nonce:
        raise ProtocolError("invalid_request", "the request does not echo this wallet's nonce")
    if "transaction_data" in payload:
        raise ProtocolError("invalid_transaction_data", "this wallet does not support transaction data")
    # RFC 9101 §10.2 (JAR freshness): a request says when it stops, and not far ahead, nor was it
    # made in the future; one recorded long ago and replayed to the worker is refused.
    ts = now.timestamp()
    exp, iat = payload.get("exp"), payload.get("iat")
    if not isinstance(exp, int | float) or isinstance(exp, bool) or exp < ts:
        raise ProtocolError("invalid_request", "the request has expired or says nothing of when it expires")
    if exp > ts + _MAX_REQUEST_LIFETIME:
        raise ProtocolError("invalid_request", "the request claims to stay valid for too long")
    if iat is not None and (not isinstance(iat, int | float) or isinstance(iat, bool) or iat > ts + 60):
        raise ProtocolError("invalid_request", "the request was made in the future")
    query = dcql.validate(payload.get("dcql_query"))
    return RequestCheck(payload, list(validated.chain), client_id, dcql.requested_claims(query))


#: Seconds ahead a request object may say it stays valid (ours: minutes).
_MAX_REQUEST_LIFETIME = 3600


def encryption_key(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The verifier's key the answer is encrypted to (§8.3): the first usable P-256 ECDH-ES key of
    ``client_metadata.jwks``. The mdoc transcript names this same key (App. B.2.6.1)."""
    jwks = metadata.get("jwks")
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    for key in keys if isinstance(keys, list) else []:
        if (isinstance(key, dict) and key.get("use", "enc") == "enc" and key.get("kty") == "EC"
                and key.get("crv") == "P-256" and key.get("alg", "ECDH-ES") == "ECDH-ES" and "d" not in key):
            return key
    raise ProtocolError("invalid_request", "the verifier asked for an encrypted answer but gave no usable key")


def build_response_form(payload: Mapping[str, Any], params: dict[str, Any]) -> dict[str, str]:
    """The form body for ``response_uri``: plain (direct_post) or one JWE (direct_post.jwt, A256GCM preferred)."""
    state = payload.get("state")
    body = {**params, **({"state": state} if isinstance(state, str) else {})}
    if payload.get("response_mode") != "direct_post.jwt":
        return {k: json.dumps(v, separators=(",", ":")) if not isinstance(v, str) else v for k, v in body.items()}
    from jwcrypto import jwe, jwk

    metadata = payload.get("client_metadata")
    key = encryption_key(metadata if isinstance(metadata, Mapping) else {})
    offered = (metadata or {}).get("encrypted_response_enc_values_supported") or ["A128GCM"]
    enc = next((e for e in ("A256GCM", "A128GCM") if e in offered), None)
    if enc is None:
        raise ProtocolError("invalid_request", "the verifier offers no encryption this wallet supports")
    header = {"alg": "ECDH-ES", "enc": enc, **({"kid": key["kid"]} if "kid" in key else {})}
    token = jwe.JWE(json.dumps(body, separators=(",", ":")).encode(), protected=json.dumps(header))
    token.add_recipient(jwk.JWK(**{k: key[k] for k in ("kty", "crv", "x", "y")}))
    return {"response": token.serialize(compact=True)}
