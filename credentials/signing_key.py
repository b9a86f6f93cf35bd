"""A deployment's own signing key and certificate chain, read from PEM files and checked.

An institution's document signer (issuer), an inspectorate's access certificate (verifier) and
the registry's list signer all come this way in a real deployment, as the operator's CA issued
them; the demo PKI (:mod:`credentials.pki`) is only the default. The checks are those the other
side will make of the leaf (HAIP 1.0 §6.1, §7), so that a mistake stops the service at start
instead of every signature being refused later:

* the key is P-256 (ES256), readable by its owner only (as ssh insists), optionally encrypted; or
  it stays in a hardware security module, named by a PKCS #11 URI (:mod:`credentials.pkcs11_key`),
  and one signature at start proves that the certificate holds it;
* the chain's first certificate holds that key, asserts ``digitalSignature``, is not a CA, is not
  self-signed and is valid now; each certificate is issued by the next;
* a self-signed root at the end of the chain is left out of it (the trust anchor is never sent
  in ``x5c``) and, like a separately given CA certificate, the chain must validate to it.

Failures are :class:`~credentials.errors.DataError` whose ``field`` is one of ``key``, ``chain``,
``password_file`` or ``ca``, for the caller to name after its own setting; a key or password
never appears in a message.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from credentials.errors import CredentialError, DataError, MalformedError, SignerUnavailableError
from credentials.jose import PrivateKey
from credentials.pkcs11_key import Pkcs11PrivateKey, is_pkcs11_uri, open_private_key
from credentials.x509 import load_pem_certificates, validate_chain

__all__ = ["SigningKey", "load_signing_key", "open_key"]


@dataclass(frozen=True)
class SigningKey:
    """The key, the chain to send as ``x5c`` (leaf first, no anchor) and the anchor when known."""

    key: PrivateKey
    chain: list[x509.Certificate]
    anchor: x509.Certificate | None


def load_signing_key(key: Path | str, chain: Path, *, now: datetime, password_file: Path | None = None,
                     ca: Path | None = None, dns_name: str | None = None, base: Path | None = None) -> SigningKey:
    """Read and check a signing key and its chain (module docstring).

    ``key`` is a PEM file, or a PKCS #11 URI (:mod:`credentials.pkcs11_key`) whose ``pin-source``
    is read relative to ``base``; for a token, ``password_file`` holds the PIN. ``dns_name``: the
    leaf must carry it as a DNS subjectAltName (an OpenID4VP ``x509_san_dns`` client identifier).
    """
    certs = _certificates(chain, "chain")
    private = open_key(key, password_file=password_file, base=base)
    if isinstance(private, Pkcs11PrivateKey):
        leaf_key = certs[0].public_key()
        if not isinstance(leaf_key, ec.EllipticCurvePublicKey):
            raise DataError("chain", "its first certificate must hold a P-256 key")
        private.bind(leaf_key)
    anchor = _certificates(ca, "ca")[0] if ca is not None else None
    if len(certs) > 1 and certs[-1].issuer == certs[-1].subject:
        anchor = anchor or certs[-1]
        certs = certs[:-1]
    leaf = certs[0]
    if leaf.public_key() != private.public_key() or not _holds(private, leaf):
        raise DataError("chain", "its first certificate does not hold the key")
    try:
        _check_leaf(leaf, now, dns_name)
        for cert, issuer in pairwise(certs):
            _check_issuer(issuer, now)
            cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature) as exc:  # names that chain, signatures that do not
        raise DataError("chain", "each certificate must be issued by the next one (leaf first), with "
                        "well-formed extensions") from exc
    if anchor is not None:
        try:
            validate_chain(certs, [anchor], now=now)
        except CredentialError as exc:
            raise DataError("chain", f"does not validate to its CA certificate ({exc.message})") from exc
    return SigningKey(private, list(certs), anchor)


def open_key(key: Path | str, *, password_file: Path | None = None, base: Path | None = None) -> PrivateKey:
    """The private key alone, from a PEM file or a PKCS #11 URI (for a certificate request)."""
    if is_pkcs11_uri(key):
        return open_private_key(str(key), base=base, pin_file=password_file)
    return _key(Path(key), password_file)


def _holds(private: PrivateKey, leaf: x509.Certificate) -> bool:
    """For a key in a token, whose public half may only be the certificate's: one signature proves it."""
    if not isinstance(private, Pkcs11PrivateKey):
        return True  # a PEM key's public half is computed from it, so the comparison above is proof
    public = leaf.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    try:
        return private.holds(public)
    except SignerUnavailableError as exc:
        raise DataError("key", f"the token of {private.uri.describe()} does not sign") from exc


def _file(path: Path, field: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError(field, f"{path} cannot be read ({exc.strerror})") from exc


def _key(path: Path, password_file: Path | None) -> ec.EllipticCurvePrivateKey:
    data = _file(path, "key")
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        # A signing key others can read may already be someone else's.
        raise DataError("key", f"{path} must be readable by the service's user only (chmod 600)")
    password = _file(password_file, "password_file").rstrip(b"\r\n") if password_file is not None else None
    try:
        key = serialization.load_pem_private_key(data, password=password)
    except (ValueError, TypeError) as exc:  # the message names neither the key nor the password
        raise DataError("key", "is not a PEM private key (or its password is wrong or missing)") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise DataError("key", "must be a P-256 key: everything is signed with ES256 (HAIP 1.0 §7)")
    return key


def _certificates(path: Path | None, field: str) -> list[x509.Certificate]:
    assert path is not None
    try:
        return load_pem_certificates(_file(path, field))
    except MalformedError as exc:
        raise DataError(field, f"is not a PEM certificate bundle ({exc.message})") from exc


def _check_issuer(cert: x509.Certificate, now: datetime) -> None:
    """An intermediate, also when no anchor is given to validate the whole path to."""
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise DataError("chain", f"the CA certificate {cert.subject.rfc4514_string()} is not valid now")
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise DataError("chain", f"{cert.subject.rfc4514_string()} issues the certificate before it but is not a CA")


def _check_leaf(leaf: x509.Certificate, now: datetime, dns_name: str | None) -> None:
    if leaf.issuer == leaf.subject:
        raise DataError("chain", "the certificate must be issued by a CA, not self-signed")
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        raise DataError("chain", f"the certificate is valid from {leaf.not_valid_before_utc:%Y-%m-%d} to "
                        f"{leaf.not_valid_after_utc:%Y-%m-%d}, not now")
    extensions = leaf.extensions
    try:
        if extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            raise DataError("chain", "the certificate is a CA certificate; a signer is not")
    except x509.ExtensionNotFound:
        pass
    try:
        usage: x509.KeyUsage | None = extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or not usage.digital_signature:
        raise DataError("chain", "the certificate must assert keyUsage digitalSignature")
    if dns_name is not None:
        try:
            names = extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            names = x509.SubjectAlternativeName([])
        if dns_name not in names.get_values_for_type(x509.DNSName):
            raise DataError("chain", f"the certificate must name {dns_name} as a DNS subjectAltName")
