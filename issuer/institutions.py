"""Which institutions this issuer hosts, with the key and certificates each signs with.

Two sources:

* **An institutions file** (``ESSPASS_ISSUER_INSTITUTIONS_FILE``, TOML), for a real deployment:
  each institution brings its own document-signer key and certificate chain, as its CA issued
  them. Only these institutions are hosted; no demo key is made.
* Otherwise **the demo institutions** (shared/domain.md) with the demo PKI, made once in the data
  directory.

Every institution of a file is checked when the issuer starts, before it signs anything: a
mistake is a :class:`~credentials.errors.DataError` naming the institution, the setting and the
rule, never a credential that verifiers will refuse later. The checks are those a verifier
makes of the leaf (HAIP 1.0 §6.1, §7): a P-256 key (ES256), held by the first certificate of the
chain, which asserts ``digitalSignature``, is not a CA, is valid now and is not self-signed;
each certificate signed by the next; with ``ca_certificate``, the whole path validated to it.
Whether the registry lists the institution with that certificate is asked by
``esspass issuer check``, which needs the network.

One institution in the file::

    [[institution]]
    id = "EE:SKA"                      # as registered on the trust list
    country = "EE"
    name = "Sotsiaalkindlustusamet"
    name_en = "Social Insurance Board"
    roles = ["pda1_issuer"]            # pda1_issuer, ehic_issuer, pid_provider
    path = "ee-ska"                    # its Credential Issuer Identifier is <public URL>/ee-ska
    signer_key = "ee-ska/signer.key.pem"       # PKCS#8 or SEC 1 PEM, mode 0600
    signer_chain = "ee-ska/signer-chain.pem"   # leaf first; a self-signed root is left out
    ca_certificate = "ee-ska/ca.pem"           # optional: the CA the registry lists
    signer_key_password_file = "ee-ska/key.pass"   # optional: for an encrypted key

Relative paths are read from the file's directory.
"""

from __future__ import annotations

import re
import stat
import tomllib
from collections.abc import Mapping
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from credentials.countries import COUNTRIES, normalise
from credentials.errors import CredentialError, DataError, MalformedError
from credentials.institutions import DEMO_ENTITIES, Entity, Role
from credentials.pki import ensure_demo_pki
from credentials.x509 import load_pem_certificates, validate_chain
from issuer.service import Institution

__all__ = ["ISSUING_ROLES", "demo_institutions", "load_institutions_file"]

ISSUING_ROLES = frozenset({Role.PDA1_ISSUER, Role.EHIC_ISSUER, Role.PID_PROVIDER})
_ID = re.compile(r"^[A-Z]{2}:[A-Za-z0-9._-]{1,17}$")
_PATH = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_MAX_FILE = 64 * 1024
_KNOWN = frozenset({"id", "country", "name", "name_en", "roles", "path", "signer_key", "signer_chain",
                    "ca_certificate", "signer_key_password_file"})


def demo_institutions(pki_dir: Path, base_url: str, *, now: datetime) -> dict[str, Institution]:
    """The demo institutions that issue, with the demo PKI's signers (made under ``pki_dir`` once)."""
    pki = ensure_demo_pki(pki_dir, DEMO_ENTITIES, now=now)
    hosted = {}
    for entity in DEMO_ENTITIES:
        if entity.roles & ISSUING_ROLES and entity.id in pki.signers:
            key, chain = pki.signers[entity.id]
            hosted[entity.path] = Institution(entity, key, list(chain), f"{base_url}/{entity.path}")
    return hosted


def load_institutions_file(path: Path, base_url: str, *, now: datetime) -> dict[str, Institution]:
    """The institutions of a TOML file (module docstring), each checked; keyed by URL path."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError("institutions_file", f"cannot be read ({exc.strerror})") from exc
    if len(raw) > _MAX_FILE:
        raise DataError("institutions_file", f"is larger than {_MAX_FILE} bytes")
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataError("institutions_file", f"is not valid TOML ({exc})") from exc
    entries = document.get("institution")
    if not isinstance(entries, list) or not entries:
        raise DataError("institutions_file", "must list at least one [[institution]]")
    hosted: dict[str, Institution] = {}
    ids: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        inst = _institution(entry, number, path.parent, base_url, now)
        if inst.entity.path in hosted:
            raise DataError(f"institution {number}.path", f"{inst.entity.path!r} is used by another institution")
        if inst.entity.id in ids:
            raise DataError(f"institution {number}.id", f"{inst.entity.id} is listed twice")
        hosted[inst.entity.path] = inst
        ids.add(inst.entity.id)
    return hosted


def _institution(entry: Any, number: int, base: Path, base_url: str, now: datetime) -> Institution:
    where = f"institution {number}"
    if not isinstance(entry, Mapping):
        raise DataError(where, "must be a table")
    unknown = sorted(set(entry) - _KNOWN)
    if unknown:
        raise DataError(f"{where}.{unknown[0]}", "is not a setting of an institution")
    entity_id = _text(entry, "id", where)
    if not _ID.match(entity_id):
        raise DataError(f"{where}.id", "must look like CC:NAME (country code, colon, at most 17 letters or digits)")
    where = f"institution {entity_id}"
    country = normalise(_text(entry, "country", where).upper())
    if country not in COUNTRIES:
        raise DataError(f"{where}.country", "is not one of the ESSPASS countries (ISO 3166-1 alpha-2)")
    if normalise(entity_id[:2]) != country:
        raise DataError(f"{where}.id", f"must start with its country code {country}")
    name = _text(entry, "name", where)
    name_en = str(entry.get("name_en") or name).strip()
    roles = entry.get("roles")
    if not isinstance(roles, list) or not roles or not all(r in {x.value for x in ISSUING_ROLES} for r in roles):
        raise DataError(f"{where}.roles", "must list pda1_issuer, ehic_issuer or pid_provider")
    url_path = _text(entry, "path", where)
    if not _PATH.match(url_path):
        raise DataError(f"{where}.path", "must be a lower-case URL path segment (letters, digits, hyphens)")
    key = _signer_key(entry, where, base)
    chain = _signer_chain(entry, where, base, key, now)
    entity = Entity(entity_id, country, name[:200], name_en[:200], frozenset(Role(r) for r in roles), url_path)
    return Institution(entity, key, chain, f"{base_url}/{url_path}")


def _text(entry: Mapping[str, Any], name: str, where: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise DataError(f"{where}.{name}", "is required (text, at most 200 characters)")
    return value.strip()


def _file(entry: Mapping[str, Any], name: str, where: str, base: Path) -> Path:
    path = base / _text(entry, name, where)
    if not path.is_file():
        raise DataError(f"{where}.{name}", f"{path} is not a file")
    return path


def _signer_key(entry: Mapping[str, Any], where: str, base: Path) -> ec.EllipticCurvePrivateKey:
    path = _file(entry, "signer_key", where, base)
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        # As ssh does: a signing key others can read may already be someone else's.
        raise DataError(f"{where}.signer_key", f"{path} must be readable by the issuer's user only (chmod 600)")
    password = None
    if entry.get("signer_key_password_file"):
        password = _file(entry, "signer_key_password_file", where, base).read_bytes().rstrip(b"\r\n")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=password)
    except (ValueError, TypeError) as exc:  # the message names neither the key nor the password
        raise DataError(f"{where}.signer_key", "is not a PEM private key (or its password is wrong or missing)") \
            from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise DataError(f"{where}.signer_key", "must be a P-256 key: credentials are signed with ES256 (HAIP 1.0 §7)")
    return key


def _signer_chain(entry: Mapping[str, Any], where: str, base: Path, key: ec.EllipticCurvePrivateKey,
                  now: datetime) -> list[x509.Certificate]:
    try:
        chain = load_pem_certificates(_file(entry, "signer_chain", where, base).read_bytes())
    except MalformedError as exc:
        raise DataError(f"{where}.signer_chain", f"is not a PEM certificate bundle ({exc.message})") from exc
    anchors: list[x509.Certificate] = []
    if entry.get("ca_certificate"):
        try:
            anchors = load_pem_certificates(_file(entry, "ca_certificate", where, base).read_bytes())[:1]
        except MalformedError as exc:
            raise DataError(f"{where}.ca_certificate", f"is not a PEM certificate ({exc.message})") from exc
    if len(chain) > 1 and chain[-1].issuer == chain[-1].subject:
        # HAIP: the trust anchor is never sent in x5c; the registry lists it.
        anchors = anchors or [chain[-1]]
        chain = chain[:-1]
    leaf = chain[0]
    if leaf.public_key() != key.public_key():
        raise DataError(f"{where}.signer_chain", "its first certificate does not hold the signer key")
    _check_leaf(leaf, where, now)
    for cert, issuer in pairwise(chain):
        try:
            cert.verify_directly_issued_by(issuer)
        except (ValueError, TypeError) as exc:
            raise DataError(f"{where}.signer_chain", "each certificate must be issued by the next one (leaf "
                            "first)") from exc
    if anchors:
        try:
            validate_chain(chain, anchors, now=now)
        except CredentialError as exc:
            raise DataError(f"{where}.signer_chain", f"does not validate to its CA certificate ({exc.message})") \
                from exc
    return list(chain)


def _check_leaf(leaf: x509.Certificate, where: str, now: datetime) -> None:
    field = f"{where}.signer_chain"
    if leaf.issuer == leaf.subject:
        raise DataError(field, "the signer certificate must be issued by the institution's CA, not self-signed")
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        raise DataError(field, f"the signer certificate is valid from {leaf.not_valid_before_utc:%Y-%m-%d} to "
                        f"{leaf.not_valid_after_utc:%Y-%m-%d}, not now")
    try:
        if leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            raise DataError(field, "the signer certificate is a CA certificate; a document signer is not")
    except x509.ExtensionNotFound:
        pass
    try:
        usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or not usage.digital_signature:
        raise DataError(field, "the signer certificate must assert keyUsage digitalSignature")

