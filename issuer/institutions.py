"""Which institutions this issuer hosts, with the key and certificates each signs with.

Two sources:

* **An institutions file** (``ESSPASS_ISSUER_INSTITUTIONS_FILE``, TOML), for a real deployment:
  each institution brings its own document-signer key and certificate chain, as its CA issued
  them. Only these institutions are hosted; no demo key is made.
* Otherwise **the demo institutions** (shared/domain.md) with the demo PKI, made once in the data
  directory.

Every institution of a file is checked when the issuer starts, before it signs anything
(:mod:`credentials.signing_key`): a mistake is a :class:`~credentials.errors.DataError` naming
the institution, the setting and the rule, never a credential that verifiers will refuse later.
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
    approval = true                    # optional: a second, named clerk approves each new case
    next_signer_key = "ee-ska/signer-2026.key.pem"        # optional: the next document signer, beside
    next_signer_chain = "ee-ska/signer-2026-chain.pem"    #   the current one (both or neither)
    next_signer_key_password_file = "ee-ska/key-2026.pass"  # optional, as signer_key_password_file
    next_ca_certificate = "ee-ska/ca-2026.pem"            # optional: its CA, if not ca_certificate

**Rotating the signer.** The next signer is configured beside the current one ahead of time (a
restart reads it), its certificate registered with the trust registry, and the issuer takes it over
by itself (:mod:`issuer.signers`: from its ``notBefore``, and, when the issuer holds the issuers
list, five minutes after the registry lists it), publishing both meanwhile
(``/.well-known/jwt-vc-issuer/<path>``). It is checked at start as the current one is, as of when
its certificate begins if that is later than now (a next certificate may not be valid yet). Once the
current one has ended, move the next one's settings to ``signer_key``/``signer_chain`` (and the
others) at a convenient restart: until then an ended current signer is left out at start, with a
warning, rather than keeping the issuer from starting (without a next one it is refused, as before).

Relative paths are read from the file's directory. A key kept in a hardware security module is
named by a PKCS #11 URI (RFC 7512, :mod:`credentials.pkcs11_key`; install ``esspass[hsm]``)::

    signer_key = "pkcs11:token=ee-ska;object=signer?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=hsm.pin"
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.x509 import Certificate

from credentials.countries import COUNTRIES, normalise
from credentials.errors import CredentialError, DataError, SettingError
from credentials.institutions import DEMO_ENTITIES, Entity, Role
from credentials.pkcs11_key import is_pkcs11_uri
from credentials.pki import ensure_demo_pki
from credentials.signing_key import SigningKey, load_signing_key
from credentials.x509 import load_pem_certificates
from issuer.service import Institution
from issuer.signers import Signer, chain_start, signer_end

__all__ = ["ISSUING_ROLES", "demo_institutions", "load_institutions_file", "require_approval"]

ISSUING_ROLES = frozenset({Role.PDA1_ISSUER, Role.EHIC_ISSUER, Role.PID_PROVIDER})
_ID = re.compile(r"^[A-Z]{2}:[A-Za-z0-9._-]{1,17}$")
_PATH = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_MAX_FILE = 64 * 1024
_KNOWN = frozenset({"id", "country", "name", "name_en", "roles", "path", "signer_key", "signer_chain",
                    "ca_certificate", "signer_key_password_file", "approval", "next_signer_key",
                    "next_signer_chain", "next_signer_key_password_file", "next_ca_certificate"})
_log = logging.getLogger("esspass.issuer")


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
        raise DataError("ESSPASS_ISSUER_INSTITUTIONS_FILE", f"cannot be read ({exc.strerror})") from exc
    if len(raw) > _MAX_FILE:
        raise DataError("ESSPASS_ISSUER_INSTITUTIONS_FILE", f"is larger than {_MAX_FILE} bytes")
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataError("ESSPASS_ISSUER_INSTITUTIONS_FILE", f"is not valid TOML ({exc})") from exc
    entries = document.get("institution")
    if not isinstance(entries, list) or not entries:
        raise DataError("ESSPASS_ISSUER_INSTITUTIONS_FILE", "must list at least one [[institution]]")
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
    approval = entry.get("approval", False)
    if not isinstance(approval, bool):
        raise DataError(f"{where}.approval", "must be true or false")
    signers = _signers(entry, where, base, now)
    entity = Entity(entity_id, country, name[:200], name_en[:200], frozenset(Role(r) for r in roles), url_path)
    first, *more = signers
    return Institution(entity, first.key, list(first.chain), f"{base_url}/{url_path}", approval_required=approval,
                       next_signers=tuple(more))


def require_approval(hosted: Mapping[str, Institution], ids: Sequence[str]) -> dict[str, Institution]:
    """``hosted`` with four-eyes approval asked of the institutions ``ids`` names (the ``approval``
    setting: ids, or ``*`` for all), besides those whose entry in the file asks for it already.

    An id of no hosted institution is a DataError naming the setting: a typo would otherwise leave
    an institution issuing without the second clerk it meant to have.
    """
    known = {inst.entity.id for inst in hosted.values()}
    unknown = sorted(set(ids) - known - {"*"})
    if unknown:
        raise SettingError("ESSPASS_ISSUER_APPROVAL", f"names {', '.join(unknown)}, which this issuer does not host "
                        f"(hosted: {', '.join(sorted(known))}; " '["*"] names them all)')
    every = "*" in ids
    return {path: replace(inst, approval_required=True) if every or inst.entity.id in ids else inst
            for path, inst in hosted.items()}


def _text(entry: Mapping[str, Any], name: str, where: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise DataError(f"{where}.{name}", "is required (text, at most 200 characters)")
    return value.strip()


#: load_signing_key's fields -> the settings of an institution that name those files.
_SETTINGS = {"key": "signer_key", "chain": "signer_chain", "password_file": "signer_key_password_file",
             "ca": "ca_certificate"}
#: The same for the next signer (module docstring); its CA is ``ca_certificate`` unless it names its own.
_NEXT_SETTINGS = {"key": "next_signer_key", "chain": "next_signer_chain",
                  "password_file": "next_signer_key_password_file", "ca": "next_ca_certificate"}


def _signers(entry: Mapping[str, Any], where: str, base: Path, now: datetime) -> list[Signer]:
    """The institution's signers, each checked (:func:`_signer`): the current one, then the next one
    when ``next_signer_key``/``next_signer_chain`` name it (module docstring)."""
    if entry.get("next_signer_key") is None and entry.get("next_signer_chain") is None:
        if any(entry.get(s) is not None for s in ("next_signer_key_password_file", "next_ca_certificate")):
            raise DataError(f"{where}.next_signer_key", "is required with next_signer_key_password_file or "
                            "next_ca_certificate (a PEM file, or a PKCS #11 URI)")
        only = _signer(entry, where, base, now, _SETTINGS)
        return [Signer(only.key, tuple(only.chain))]
    settings = {**_NEXT_SETTINGS, "ca": "next_ca_certificate" if entry.get("next_ca_certificate") is not None
                else "ca_certificate"}
    ended = _ended(entry, base, now)
    current = None if ended is not None else _signer(entry, where, base, now, _SETTINGS)
    following = _signer(entry, where, base, now, settings, checked_at=_begins(entry, settings, base, now))
    if current is not None and current.chain[0] == following.chain[0]:
        raise DataError(f"{where}.next_signer_chain", "is the certificate of signer_chain: the next signer needs a "
                        "certificate of its own")
    if current is None:
        _log.warning("%s: the certificate of signer_chain ended %s; signing with next_signer_chain. Move the "
                     "next_signer_* settings to signer_* in the institutions file", where.removeprefix("institution "),
                     f"{ended:%Y-%m-%d %H:%M:%S} UTC", extra={"service": "issuer", "event": "signer_ended"})
        return [Signer(following.key, tuple(following.chain))]
    return [Signer(current.key, tuple(current.chain)), Signer(following.key, tuple(following.chain))]


def _peek_chain(entry: Mapping[str, Any], setting: str, base: Path) -> list[Certificate] | None:
    """The certificates ``setting`` names, read without any check (for their dates), or None when they
    cannot be read: :func:`load_signing_key` then says why, naming the setting."""
    value = entry.get(setting)
    if not isinstance(value, str) or not value or len(value) > 300:
        return None
    try:
        return load_pem_certificates((base / value).read_bytes()) or None
    except (OSError, CredentialError):
        return None


def _ended(entry: Mapping[str, Any], base: Path, now: datetime) -> datetime | None:
    """When the current signer's chain (``signer_chain``, its self-signed root left out) ended, if it
    has: with a next signer configured, it is left out rather than refused (module docstring)."""
    chain = _peek_chain(entry, "signer_chain", base)
    if chain is None:
        return None
    issued = [c for c in chain if c.issuer != c.subject] or chain
    end = signer_end(issued)
    return end if end <= now else None


def _begins(entry: Mapping[str, Any], settings: Mapping[str, str], base: Path, now: datetime) -> datetime:
    """When the next signer is checked: now, or when its chain begins if that is later."""
    chain = _peek_chain(entry, settings["chain"], base)
    return now if chain is None else max(now, chain_start(chain))


def _signer(entry: Mapping[str, Any], where: str, base: Path, now: datetime, names: Mapping[str, str],
            *, checked_at: datetime | None = None) -> SigningKey:
    """The signer whose files the settings ``names`` name (:data:`_SETTINGS`, :data:`_NEXT_SETTINGS`),
    checked by :func:`load_signing_key` as of ``checked_at`` (default ``now``); a DataError names the
    institution and the setting."""
    paths: dict[str, Path | None] = {}
    token_key = entry.get(names["key"])
    for field, setting in names.items():
        value = entry.get(setting)
        if value is None or value == "" or (field == "key" and isinstance(value, str) and is_pkcs11_uri(value)):
            paths[field] = None
        elif not isinstance(value, str) or len(value) > 300:
            raise DataError(f"{where}.{setting}", "must be a file path")
        else:
            paths[field] = base / value
    key: Path | str | None = paths["key"]
    if isinstance(token_key, str) and is_pkcs11_uri(token_key):
        if len(token_key) > 1000:
            raise DataError(f"{where}.{names['key']}", "must be a PKCS #11 URI of at most 1000 characters")
        key = token_key  # a key in a hardware security module (its pin-source is read relative to the file)
    chain = paths["chain"]
    if key is None or chain is None:
        raise DataError(f"{where}.{names['key' if key is None else 'chain']}",
                        "is required (a PEM file, or for the key a PKCS #11 URI)")
    try:
        return load_signing_key(key, chain, now=checked_at or now, password_file=paths["password_file"],
                                ca=paths["ca"], base=base)
    except DataError as exc:
        raise DataError(f"{where}.{names[exc.field]}", exc.rule) from exc
