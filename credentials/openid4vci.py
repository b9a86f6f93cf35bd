"""OpenID for Verifiable Credential Issuance 1.0, issuer side, transport-free (standards.md §4).

Builders for the messages an issuer publishes (credential offer §4.1, issuer metadata §12.2,
authorization server metadata §12.3 / RFC 8414) and parsers/validators for what a wallet sends
(token request §6.1 and its refresh, RFC 6749 §6; credential request §8.2, ``jwt`` key proofs App.
F.1/F.4, deferred credential request §9.1, notification §11.1), and the deferred answer (§8.3).
Every rejection is a :class:`ProtocolError` carrying the spec's error code, so a route only has to
turn it into a JSON body.

State (codes, nonces, tokens) lives in the issuer's database; callers pass in what they looked up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from credentials.authorization_code import parse_authorization_details
from credentials.client_attestation import AUTH_METHOD
from credentials.errors import CredentialError, ProtocolError
from credentials.jose import decode_jws, jwk_thumbprint, public_key_from_jwk, verify_jws

__all__ = [
    "AUTH_CODE_GRANT",
    "OFFER_SCHEME",
    "PRE_AUTH_GRANT",
    "PROOF_TYP",
    "REFRESH_GRANT",
    "Configuration",
    "CredentialRequest",
    "DeferredRequest",
    "Notification",
    "TokenRequest",
    "TxCode",
    "as_metadata",
    "credential_offer",
    "deferred_response",
    "issuer_metadata",
    "offer_link",
    "parse_credential_request",
    "parse_deferred_request",
    "parse_notification",
    "parse_token_request",
    "verify_proof",
    "well_known_url",
]

PRE_AUTH_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
AUTH_CODE_GRANT = "authorization_code"
#: RFC 6749 §6 (OpenID4VCI §6.2 allows a ``refresh_token`` in the token response).
REFRESH_GRANT = "refresh_token"
PROOF_TYP = "openid4vci-proof+jwt"
OFFER_SCHEME = "openid-credential-offer://"
NOTIFICATION_EVENTS = ("credential_accepted", "credential_failure", "credential_deleted")
MAX_PROOF_BYTES = 16 * 1024  # a proof may carry a key attestation over a whole batch (App. D)


@dataclass(frozen=True, slots=True)
class TxCode:
    """§4.1.1 ``tx_code``: the wallet asks the user for a code sent over another channel."""

    length: int
    input_mode: str = "numeric"
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"input_mode": self.input_mode, "length": self.length}
        if self.description:
            out["description"] = self.description[:300]
        return out


@dataclass(frozen=True, slots=True)
class Configuration:
    """One entry of ``credential_configurations_supported``: ``dc+sd-jwt`` (App. A.3), or
    ``mso_mdoc`` (App. A.2) when ``doctype`` is set (claim paths then start with the namespace)."""

    id: str
    vct: str
    display: Sequence[Mapping[str, Any]]
    claims: Sequence[Mapping[str, Any]] = ()
    doctype: str | None = None
    #: App. D / §12.2.4: present when the issuer requires key attestations in the jwt proofs.
    key_attestations_required: Mapping[str, Sequence[str]] | None = None
    #: App. F.3: the levels a key attestation sent as an ``attestation`` proof must reach; None when
    #: the issuer takes no ``attestation`` proofs.
    attestation_proof_levels: Mapping[str, Sequence[str]] | None = None

    def to_json(self) -> dict[str, Any]:
        if self.doctype is None:
            kind: dict[str, Any] = {"format": "dc+sd-jwt", "vct": self.vct,
                                    "credential_signing_alg_values_supported": ["ES256"],
                                    "cryptographic_binding_methods_supported": ["jwk"]}
            claims = [dict(c) for c in self.claims]
        else:
            kind = {"format": "mso_mdoc", "doctype": self.doctype, "credential_signing_alg_values_supported": [-7],
                    "cryptographic_binding_methods_supported": ["cose_key"]}
            claims = [{**c, "path": [self.doctype, *c.get("path", [])]} for c in self.claims]
        jwt_proof: dict[str, Any] = {"proof_signing_alg_values_supported": ["ES256"]}
        if self.key_attestations_required is not None:
            jwt_proof["key_attestations_required"] = {k: list(v) for k, v in self.key_attestations_required.items()}
        proof_types: dict[str, Any] = {"jwt": jwt_proof}
        if self.attestation_proof_levels is not None:
            proof_types["attestation"] = {
                "proof_signing_alg_values_supported": ["ES256"],
                "key_attestations_required": {k: list(v) for k, v in self.attestation_proof_levels.items()}}
        return {
            **kind,
            "scope": self.id,
            "proof_types_supported": proof_types,
            "credential_metadata": {"display": [dict(d) for d in self.display], "claims": claims},
        }


def well_known_url(identifier: str, suffix: str) -> str:
    """§12.2.2 / RFC 8414 §3.1: ``/.well-known/<suffix>`` goes between the host and the path."""
    parts = urlsplit(identifier)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, f"/.well-known/{suffix}{path}", "", ""))


def credential_offer(issuer: str, configuration_ids: Sequence[str], pre_authorized_code: str,
                     tx_code: TxCode | None, *, issuer_state: str | None = None) -> dict[str, Any]:
    """§4.1.1 Credential Offer with the pre-authorized code grant and, given ``issuer_state``, the
    authorization code grant too (the wallet chooses, §4.1.1 ``grants``)."""
    grant: dict[str, Any] = {"pre-authorized_code": pre_authorized_code}
    if tx_code is not None:
        grant["tx_code"] = tx_code.to_json()
    grants: dict[str, Any] = {PRE_AUTH_GRANT: grant}
    if issuer_state is not None:
        grants[AUTH_CODE_GRANT] = {"issuer_state": issuer_state}
    return {
        "credential_issuer": issuer,
        "credential_configuration_ids": list(configuration_ids),
        "grants": grants,
    }


def offer_link(*, offer_uri: str | None = None, offer: Mapping[str, Any] | None = None) -> str:
    """§4.1: ``openid-credential-offer://?credential_offer_uri=...`` (by reference, what QR codes carry)."""
    if offer_uri is not None:
        return f"{OFFER_SCHEME}?credential_offer_uri={quote(offer_uri, safe='')}"
    if offer is None:
        raise ValueError("offer_uri or offer required")
    return f"{OFFER_SCHEME}?credential_offer={quote(json.dumps(offer, separators=(',', ':')), safe='')}"


def issuer_metadata(issuer: str, configurations: Sequence[Configuration], *, display: Sequence[Mapping[str, Any]],
                    batch_size: int) -> dict[str, Any]:
    """§12.2.4 Credential Issuer Metadata; the issuer is its own authorization server.

    ``batch_credential_issuance`` only with a ``batch_size`` of 2 or more (§12.2.4: it "MUST be 2 or
    greater"; an issuer taking one proof per request says nothing). ``display`` keeps one object
    per locale (§12.2.4: "There MUST be only one object for each language identifier"), the first.
    """
    seen: set[str | None] = set()
    displays = []
    for entry in display:
        locale = entry.get("locale")
        if locale not in seen:
            seen.add(locale)
            displays.append(dict(entry))
    metadata: dict[str, Any] = {
        "credential_issuer": issuer,
        "credential_endpoint": f"{issuer}/credential",
        "nonce_endpoint": f"{issuer}/nonce",
        "deferred_credential_endpoint": f"{issuer}/deferred_credential",  # §9, for documents awaiting approval
        "notification_endpoint": f"{issuer}/notification",
    }
    if batch_size >= 2:
        metadata["batch_credential_issuance"] = {"batch_size": batch_size}
    metadata["display"] = displays
    metadata["credential_configurations_supported"] = {c.id: c.to_json() for c in configurations}
    return metadata


def as_metadata(issuer: str, *, client_attestation: str = "off") -> dict[str, Any]:
    """RFC 8414 metadata with the §12.3 pre-authorized code extras.

    ``client_attestation`` is the wallet attestation policy (``required``, ``optional``, ``off``):
    with ``required`` anonymous access is refused and ``attest_jwt_client_auth`` (attestation-based
    client authentication draft-10 §13, HAIP §9.2) is the only method.
    """
    methods = {"required": [AUTH_METHOD], "optional": [AUTH_METHOD, "none"]}.get(client_attestation, ["none"])
    metadata: dict[str, Any] = {
        "issuer": issuer,
        "token_endpoint": f"{issuer}/token",
        # RFC 7009 §2 (RFC 8414 §2 ``revocation_endpoint``): the wallet ends its grant when the card is deleted.
        "revocation_endpoint": f"{issuer}/revoke",
        "revocation_endpoint_auth_methods_supported": methods,
        # HAIP §5: the authorization code flow, pushed (RFC 9126) and with PKCE S256 (RFC 7636).
        "authorization_endpoint": f"{issuer}/authorize",
        "pushed_authorization_request_endpoint": f"{issuer}/par",
        "require_pushed_authorization_requests": True,
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": True,  # RFC 9207
        "authorization_details_types_supported": ["openid_credential"],
        "grant_types_supported": [AUTH_CODE_GRANT, PRE_AUTH_GRANT, REFRESH_GRANT],
        "pre-authorized_grant_anonymous_access_supported": client_attestation != "required",
        "token_endpoint_auth_methods_supported": methods,
        "dpop_signing_alg_values_supported": ["ES256"],  # RFC 9449 §5.1; HAIP 1.0 requires DPoP support
        "response_types_supported": ["code"],
    }
    if AUTH_METHOD in methods:
        metadata["client_attestation_signing_alg_values_supported"] = ["ES256"]
        metadata["client_attestation_pop_signing_alg_values_supported"] = ["ES256"]
        metadata["challenge_endpoint"] = f"{issuer}/challenge"  # draft-10 §8
    return metadata


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """A token request of any grant: ``code`` is the pre-authorized code, the authorization code or
    the refresh token (RFC 6749 §6)."""

    grant_type: str
    code: str
    tx_code: str | None = None
    redirect_uri: str | None = None
    code_verifier: str | None = None
    #: RFC 6749 §4.1.3: REQUIRED when the client does not authenticate (no wallet attestation).
    client_id: str | None = None
    #: §6.1: the ``credential_configuration_id`` of each ``authorization_details`` entry, when the
    #: wallet sent them; the token response then MUST list them with ``credential_identifiers`` (§6.2).
    configuration_ids: tuple[str, ...] | None = None


def _client_id(form: Mapping[str, str]) -> str | None:
    """RFC 6749 §3.2.1: the ``client_id`` a client that does not authenticate names itself by."""
    client_id = form.get("client_id")
    if client_id is not None and len(client_id) > 200:
        raise ProtocolError("invalid_request", "client_id is too long")
    return client_id


def parse_token_request(form: Mapping[str, str]) -> TokenRequest:
    """§6.1 token request: the pre-authorized code grant, or the authorization code grant (RFC 6749
    §4.1.3 with the RFC 7636 code_verifier), or a refresh (RFC 6749 §6); RFC 6749 §5.2 error codes.
    The first two may carry ``authorization_details`` (§6.1, RFC 9396 §6.1) naming the
    configurations wanted; a refresh covers what its grant covered, so ``scope`` and
    ``authorization_details`` are not read there (a narrower token has no use here)."""
    grant_type = form.get("grant_type")
    if not grant_type:
        raise ProtocolError("invalid_request", "grant_type is missing")
    if grant_type == REFRESH_GRANT:
        refresh_token = form.get("refresh_token")
        if not refresh_token or len(refresh_token) > 256:
            raise ProtocolError("invalid_request", "refresh_token is missing")
        return TokenRequest(grant_type, refresh_token, client_id=_client_id(form))
    details = form.get("authorization_details")
    configuration_ids = parse_authorization_details(details) if details else None
    if grant_type == AUTH_CODE_GRANT:
        code = form.get("code")
        if not code or len(code) > 256:
            raise ProtocolError("invalid_request", "code is missing")
        redirect_uri, verifier = form.get("redirect_uri"), form.get("code_verifier")
        if not redirect_uri or len(redirect_uri) > 500:
            raise ProtocolError("invalid_request", "redirect_uri is missing")
        if verifier is not None and len(verifier) > 128:
            raise ProtocolError("invalid_request", "code_verifier is too long")
        return TokenRequest(grant_type, code, redirect_uri=redirect_uri, code_verifier=verifier,
                            client_id=_client_id(form), configuration_ids=configuration_ids)
    if grant_type != PRE_AUTH_GRANT:
        raise ProtocolError("unsupported_grant_type",
                            "the grants are authorization_code, pre-authorized_code and refresh_token")
    code = form.get("pre-authorized_code")
    if not code or len(code) > 256:
        raise ProtocolError("invalid_request", "pre-authorized_code is missing")
    tx_code = form.get("tx_code")
    if tx_code is not None and len(tx_code) > 64:
        raise ProtocolError("invalid_request", "tx_code is too long")
    return TokenRequest(grant_type, code, tx_code=tx_code, client_id=_client_id(form),
                        configuration_ids=configuration_ids)


@dataclass(frozen=True, slots=True)
class CredentialRequest:
    configuration_id: str | None
    identifier: str | None
    proofs: tuple[str, ...]
    #: ``jwt`` (App. F.1: one proof per key) or ``attestation`` (App. F.3: one key attestation
    #: whose ``attested_keys`` are the keys)
    proof_type: str = "jwt"


def _unencrypted_object(body: Any) -> None:
    """A credential or deferred credential request (§8.2, §9.1) is a JSON object, and asks for no
    encrypted response: this issuer publishes no ``credential_response_encryption`` (§12.2.4)."""
    if not isinstance(body, dict):
        raise ProtocolError("invalid_credential_request", "the request body must be a JSON object")
    if "credential_response_encryption" in body:
        raise ProtocolError("invalid_encryption_parameters",
                            "this issuer does not encrypt credential responses (see its metadata)")


def parse_credential_request(body: Any, *, batch_size: int) -> CredentialRequest:
    """§8.2 credential request: exactly one of the two ids, and ``proofs`` with one proof type:
    ``jwt`` with 1..batch_size proofs, or ``attestation`` with exactly one key attestation (App. F.3).

    This issuer publishes neither ``credential_request_encryption`` nor
    ``credential_response_encryption`` (§12.2.4): a request asking for an encrypted response is
    refused with ``invalid_encryption_parameters`` (§8.3.1.2) rather than answered in the clear,
    since §8.3 says such a response MUST be encrypted and §8.2 that such a request MUST itself be.
    """
    _unencrypted_object(body)
    config_id = body.get("credential_configuration_id")
    identifier = body.get("credential_identifier")
    if (config_id is None) == (identifier is None):
        raise ProtocolError("invalid_credential_request",
                            "exactly one of credential_configuration_id and credential_identifier is required")
    if not isinstance(config_id or identifier, str):
        raise ProtocolError("invalid_credential_request", "the credential id must be a string")
    if "proof" in body:
        raise ProtocolError("invalid_credential_request", "use proofs (OpenID4VCI 1.0), not proof")
    proofs = body.get("proofs")
    if not isinstance(proofs, dict) or len(proofs) != 1:
        raise ProtocolError("invalid_proof", "proofs must be an object with exactly one proof type")
    if "attestation" in proofs:
        attestations = proofs["attestation"]
        if not isinstance(attestations, list) or len(attestations) != 1 or not isinstance(attestations[0], str):
            raise ProtocolError("invalid_proof", "proofs.attestation must be an array of exactly one key attestation")
        return CredentialRequest(config_id, identifier, (attestations[0],), proof_type="attestation")
    if "jwt" not in proofs:
        raise ProtocolError("invalid_proof", "the proof type must be jwt or attestation")
    jwts = proofs.get("jwt")
    if not isinstance(jwts, list) or not jwts or not all(isinstance(p, str) for p in jwts):
        raise ProtocolError("invalid_proof", "proofs.jwt must be a non-empty array of JWTs")
    if len(jwts) > batch_size:
        # §8.3.1.2: the proofs are not invalid, there are more than batch_size (§12.2.4) of them: a
        # parameter value not supported, invalid_credential_request.
        raise ProtocolError("invalid_credential_request", f"at most {batch_size} proofs per request (batch_size)")
    return CredentialRequest(config_id, identifier, tuple(jwts))


def verify_proof(proof: str, *, audience: str, nonce_valid: Callable[[str], bool], now: datetime,
                 max_age: int = 300, skew: int = 60, algorithms: Collection[str] = ("ES256",)) -> dict[str, Any]:
    """App. F.1/F.4: a ``jwt`` key proof; returns the holder's public JWK (for ``cnf``).

    The key comes from the ``jwk`` header (the only method we support), never a private key;
    ``aud`` must be this issuer, ``iat`` recent, ``nonce`` a live ``c_nonce`` (``invalid_nonce``
    otherwise, so the wallet fetches a new one and retries).
    """
    if not isinstance(proof, str):
        raise ProtocolError("invalid_proof", "proof is not a JWT")
    if len(proof) > MAX_PROOF_BYTES:
        raise ProtocolError("invalid_proof", "proof too large")
    try:
        parsed = decode_jws(proof)
    except CredentialError as exc:
        raise ProtocolError("invalid_proof", f"proof is not a JWT: {exc.message}") from exc
    header, payload = parsed.header, parsed.payload
    if header.get("typ") != PROOF_TYP:
        raise ProtocolError("invalid_proof", f"proof typ must be {PROOF_TYP}")
    if header.get("alg") not in algorithms:
        raise ProtocolError("invalid_proof", "proof algorithm not allowed")
    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or "kid" in header or "x5c" in header:
        raise ProtocolError("invalid_proof", "the proof must carry exactly one key, as jwk")
    if "d" in jwk:
        raise ProtocolError("invalid_proof", "the proof header contains a private key")
    try:
        key = public_key_from_jwk(jwk)
        verify_jws(parsed, key, algorithms=algorithms)
        jwk_thumbprint(jwk)
    except CredentialError as exc:
        raise ProtocolError("invalid_proof", f"proof signature invalid: {exc.message}") from exc
    if payload.get("aud") != audience:
        raise ProtocolError("invalid_proof", "proof aud is not this credential issuer")
    iat = payload.get("iat")
    ts = now.timestamp()
    if not isinstance(iat, int | float) or isinstance(iat, bool) or iat > ts + skew or iat < ts - max_age - skew:
        raise ProtocolError("invalid_proof", "proof iat missing or outside the accepted window")
    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        # §8.3.1.2 invalid_proof (3): a proof without a c_nonce; a fresh nonce would not mend it.
        raise ProtocolError("invalid_proof", "the proof has no nonce (the c_nonce from the nonce endpoint)")
    if not nonce_valid(nonce):
        # §8.3.1.2 invalid_nonce: the wallet fetches a new c_nonce and sends new proofs.
        raise ProtocolError("invalid_nonce", "proof nonce is not a current c_nonce")
    return {k: jwk[k] for k in ("kty", "crv", "x", "y") if k in jwk}


def proof_key_attestation(proof: str) -> str | None:
    """The ``key_attestation`` header of a ``jwt`` proof (App. F.1), NOT verified; None when the
    proof has none or cannot be read (verify_proof then refuses it)."""
    try:
        value = decode_jws(proof, max_bytes=MAX_PROOF_BYTES).header.get("key_attestation")
    except CredentialError:
        return None
    return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class DeferredRequest:
    """§9.1 deferred credential request: the ``transaction_id`` of an earlier 202 answer."""

    transaction_id: str


def parse_deferred_request(body: Any) -> DeferredRequest:
    """§9.1: a JSON object with ``transaction_id`` (unknown members ignored, §9.1 by §8.2).

    As at the credential endpoint, a request asking for an encrypted response is refused with
    ``invalid_encryption_parameters``: this issuer publishes no ``credential_response_encryption``.
    """
    _unencrypted_object(body)
    transaction_id = body.get("transaction_id")
    if not isinstance(transaction_id, str) or not transaction_id:
        raise ProtocolError("invalid_credential_request", "transaction_id is missing")
    if len(transaction_id) > 256:
        # Longer than any id this issuer gives: not one of ours (§9.3).
        raise ProtocolError("invalid_transaction_id", "unknown transaction_id")
    return DeferredRequest(transaction_id)


def deferred_response(transaction_id: str, interval: int) -> dict[str, Any]:
    """§8.3 (and §9.2, where the same ``transaction_id`` comes back): the credentials are not ready;
    ask the deferred credential endpoint again, not sooner than ``interval`` seconds (REQUIRED).
    Sent with HTTP 202."""
    if interval < 1:
        raise ValueError("interval must be a positive number of seconds")
    return {"transaction_id": transaction_id, "interval": interval}


@dataclass(frozen=True, slots=True)
class Notification:
    notification_id: str
    event: str
    description: str


def parse_notification(body: Any) -> Notification:
    """§11.1 notification request."""
    if not isinstance(body, dict):
        raise ProtocolError("invalid_notification_request", "the request body must be a JSON object")
    nid, event = body.get("notification_id"), body.get("event")
    if not isinstance(nid, str) or not nid:
        raise ProtocolError("invalid_notification_request", "notification_id is missing")
    if event not in NOTIFICATION_EVENTS:
        raise ProtocolError("invalid_notification_request", "unknown event")
    desc = body.get("event_description", "")
    if not isinstance(desc, str) or not _DESCRIPTION.fullmatch(desc):
        raise ProtocolError("invalid_notification_request",
                            "event_description must be printable ASCII text without '\"' or '\\'")
    return Notification(nid, str(event), desc[:300])


#: §11.1 event_description: characters %x20-21 / %x23-5B / %x5D-7E only.
_DESCRIPTION = re.compile(r"[\x20\x21\x23-\x5b\x5d-\x7e]*")
