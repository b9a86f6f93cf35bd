"""One exception tree for every credential, protocol and trust failure.

Each class carries a stable machine ``code``: the code a verifier reports for a failed check
(``issuer_signature``, ``sd_hash``, ``status`` ...) or, for :class:`ProtocolError`, the
OAuth / OpenID4VC error code that goes on the wire (``invalid_proof``, ``invalid_grant`` ...).
Services translate these errors to HTTP in one place; nothing else decides an error code.

Tree::

    CredentialError                      code
    ├── MalformedError                   malformed            (parse, size and depth limits)
    ├── AlgorithmError                   algorithm            (alg not allowed by policy)
    ├── IssuerSignatureError             issuer_signature
    ├── IssuerKeyError                   issuer_key           (x5c chain, anchor, key usage)
    ├── IssuerTrustError                 issuer_trust         (not authorised on the trust list)
    ├── DisclosureError                  disclosure           (RFC 9901 §7.1 step 3-5)
    ├── ClaimError                       claim                (forbidden or missing claims)
    ├── KeyBindingError                  key_binding          (KB-JWT missing or malformed)
    │   ├── SdHashError                  sd_hash
    │   ├── KbSignatureError             kb_signature
    │   ├── NonceError                   nonce
    │   ├── AudienceError                audience
    │   └── KbFreshnessError             kb_freshness
    ├── ValidityError                    credential_validity  (iat/nbf/exp, document and coverage dates)
    ├── VctError                         vct
    ├── StatusError                      status               (revoked, suspended, list unusable)
    ├── DataError                        invalid_data         (PDA1/EHIC/PID model rules)
    └── ProtocolError                    <OAuth error code>   (carries http_status; key, params)
        └── SignerUnavailableError       temporarily_unavailable, 503 (an HSM that does not answer)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

__all__ = [
    "AlgorithmError",
    "AudienceError",
    "ClaimError",
    "CredentialError",
    "DataError",
    "DisclosureError",
    "IssuerKeyError",
    "IssuerSignatureError",
    "IssuerTrustError",
    "KbFreshnessError",
    "KbSignatureError",
    "KeyBindingError",
    "MalformedError",
    "NonceError",
    "ProtocolError",
    "SdHashError",
    "SettingError",
    "SignerUnavailableError",
    "StatusError",
    "ValidityError",
    "VctError",
]


class CredentialError(Exception):
    """Base of every failure; ``code`` is stable and safe to show to a client."""

    code: ClassVar[str] = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class MalformedError(CredentialError):
    code = "malformed"


class AlgorithmError(CredentialError):
    code = "algorithm"


class IssuerSignatureError(CredentialError):
    code = "issuer_signature"


class IssuerKeyError(CredentialError):
    code = "issuer_key"


class IssuerTrustError(CredentialError):
    """The trust list does not let the issuer issue this; ``reason`` names which of its rules refused
    (``key_revoked``, ``suspended``, ...: :func:`credentials.trust_list.authorised_issuer`), "" for none
    in particular, so that an inspector is told why, not only that."""

    code = "issuer_trust"

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class DisclosureError(CredentialError):
    code = "disclosure"


class ClaimError(CredentialError):
    code = "claim"


class KeyBindingError(CredentialError):
    code = "key_binding"


class SdHashError(KeyBindingError):
    code = "sd_hash"


class KbSignatureError(KeyBindingError):
    code = "kb_signature"


class NonceError(KeyBindingError):
    code = "nonce"


class AudienceError(KeyBindingError):
    code = "audience"


class KbFreshnessError(KeyBindingError):
    code = "kb_freshness"


class ValidityError(CredentialError):
    code = "credential_validity"


class VctError(CredentialError):
    code = "vct"


class StatusError(CredentialError):
    code = "status"


class DataError(CredentialError):
    """A PDA1/EHIC/PID field breaks a rule; ``field`` is the dotted claim path, ``rule`` the rule in
    English. ``key`` (with ``params``) names the rule for a page that says it in the reader's
    language (``credentials.claims.RULE_TEXTS``, registered as ``rule.<key>`` in ``credentials.i18n``);
    None for a rule that has no translation.

    A model that checks every rule in one pass (``credentials.claims.Problems``) raises the first
    problem it found with the ``others`` after it, so that a form or an import row says every mistake
    at once (WCAG 2.2 SC 3.3.1; a clerk who made three mistakes submits once, not three times), while a
    caller that reads ``field`` and ``rule`` alone still gets the first, as before."""

    code = "invalid_data"

    def __init__(self, field: str, rule: str, *, key: str | None = None,
                 params: Mapping[str, str | int] | None = None) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule
        self.key = key
        self.params: dict[str, str | int] = dict(params or {})
        #: The further problems found in the same pass, in the order their rules are checked.
        self.others: tuple[DataError, ...] = ()

    @property
    def problems(self) -> tuple[DataError, ...]:
        """This problem, then the others found with it."""
        return (self, *self.others)

    def problem(self) -> dict[str, Any]:
        """This problem alone as a list of problems gives it: ``field``, ``rule``, and ``rule_key`` and
        ``rule_params`` for a keyed rule."""
        out: dict[str, Any] = {"field": self.field, "rule": self.rule}
        if self.key is not None:
            out.update(rule_key=self.key, rule_params=self.params)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The first problem's ``field``, ``rule`` and ``message`` (with its key), and ``problems``: each
        problem found (:meth:`problem`), the first included."""
        out: dict[str, Any] = {"code": self.code, **self.problem(), "message": self.message}
        out["problems"] = [p.problem() for p in self.problems]
        return out


class SettingError(DataError):
    """A deployment setting (``field``: its environment variable) whose value breaks its rule in a
    way seen only against what the deployment holds: an institution id it does not host, a time zone
    this machine cannot load. The command line exits 2 for it, as for a setting its parser refused;
    a file a setting names that cannot be used stays a :class:`DataError` (exit 1)."""

    code = "invalid_setting"


class ProtocolError(CredentialError):
    """An OAuth 2.0 / OpenID4VCI / OpenID4VP error response (RFC 6749 §5.2 shape).

    ``error`` is the wire code (``invalid_request``, ``invalid_grant``, ``invalid_proof`` ...).
    ``key`` (with ``params``) names a refusal a page says in its reader's language, as
    :class:`DataError`'s does (a back office's 409 "the case is suspended"; registered as
    ``rule.<key>`` in ``credentials.i18n``); None for an error only a program reads.
    """

    code = "protocol"

    def __init__(self, error: str, description: str, *, http_status: int = 400,
                 headers: Mapping[str, str] | None = None, key: str | None = None,
                 params: Mapping[str, str | int] | None = None) -> None:
        super().__init__(description)
        self.error = error
        self.http_status = http_status
        #: Response headers the error needs (a ``DPoP-Nonce`` challenge, RFC 9449 §8, §9).
        self.headers = dict(headers or {})
        self.key = key
        self.params: dict[str, str | int] = dict(params or {})

    def to_dict(self) -> dict[str, Any]:
        """``{"error", "error_description"}``, and ``rule_key`` and ``rule_params`` for a keyed refusal."""
        out: dict[str, Any] = {"error": self.error, "error_description": self.message}
        if self.key is not None:
            out.update(rule_key=self.key, rule_params=self.params)
        return out


class SignerUnavailableError(ProtocolError):
    """The signing key cannot be used now (its token does not answer): 503, try again later.

    The message is the same for every cause, since it reaches the client; the cause is logged."""

    def __init__(self) -> None:
        super().__init__("temporarily_unavailable", "the signing service is temporarily unavailable; try again",
                         http_status=503, headers={"Retry-After": "2"})
