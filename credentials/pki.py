"""The pilot's demo PKI: every certificate the four services need, all ECDSA P-256 / SHA-256.

Not a production CA. It exists so that a fresh checkout can run the whole pilot with real
X.509 chains that pass :func:`credentials.x509.validate_chain` and the HAIP 1.0 rules
(trust anchor never in ``x5c``, leaf never self-signed).

Hierarchy::

    trust-registry root (self-signed CA, pathLen 0)
    └── list signer            signs the trust lists (x5c = [list signer]); EKU tslSigning
    entity CA, one per institution (self-signed CA, pathLen 0; the anchor the trust list carries)
    ├── document signer        issuing entities: SD-JWT VCs and status lists (x5c = [signer])
    └── access certificate     verifier entities: DNS SAN = entity.dns_name (x5c = [access])
    demo TLS CA (self-signed CA, pathLen 0)
    └── TLS server             SAN DNS:localhost, IP:127.0.0.1, EKU serverAuth

Validity: CAs 10 years, leaves 2 years (never beyond their CA), both starting ``now - 1 day`` so
that a clock slightly behind still accepts them. Leaves carry keyUsage digitalSignature; CAs
keyCertSign + cRLSign; basicConstraints and keyUsage are critical.

Directory layout written by :func:`create_demo_pki` (``*.key`` = PKCS#8 PEM, mode 0600;
``*.pem`` = certificate PEM; directories created 0700)::

    <dir>/root.pem  root.key
    <dir>/list-signer.pem  list-signer.key
    <dir>/tls/ca.pem  tls/ca.key  tls/server.pem  tls/server.key
    <dir>/entities/<entity.path>/ca.pem  ca.key
    <dir>/entities/<entity.path>/signer.pem  signer.key        (issuing entities)
    <dir>/entities/<entity.path>/access.pem  access.key        (verifier entities)
    <dir>/pki.json      {"entities": {"<entity id>": "<entity.path>", ...}}; written last, so its
                        presence means the PKI is complete

Only the functions that take a ``directory`` touch the file system; the certificate builders
(:func:`create_entity_ca`, :func:`issue_document_signer` ...) are pure and are what the trust
registry uses to add or rotate an entity's certificates.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from credentials.files import exclusive_lock
from credentials.institutions import Entity, Role
from credentials.jose import PrivateKey, generate_key

__all__ = [
    "CA_VALIDITY",
    "LEAF_VALIDITY",
    "MANIFEST",
    "PILOT_HOST",
    "DemoPki",
    "create_demo_pki",
    "create_entity_ca",
    "create_registry_root",
    "create_tls",
    "document_signer_request",
    "ensure_demo_pki",
    "issue_access_certificate",
    "issue_document_signer",
    "issue_list_signer",
    "load_demo_pki",
    "read_certificates",
    "read_private_key",
    "write_certificates",
    "write_private_key",
]

Certificate = x509.Certificate

CA_VALIDITY = timedelta(days=3650)
LEAF_VALIDITY = timedelta(days=730)
#: Certificates start one day in the past so that a verifier whose clock lags still accepts them.
BACKDATE = timedelta(days=1)
MANIFEST = "pki.json"

#: Entities that sign: credentials, or (a wallet provider) wallet attestations.
_SIGNING_ROLES = frozenset({Role.PDA1_ISSUER, Role.EHIC_ISSUER, Role.PID_PROVIDER, Role.WALLET_PROVIDER})
_SAFE_PATH = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass
class DemoPki:
    """Keys and certificates of the demo PKI.

    ``signers`` and ``access`` hold ``(key, chain)`` where ``chain`` is ready to be the ``x5c``
    header: the leaf plus intermediates (none in the demo), never the trust anchor (HAIP 1.0;
    ARCHITECTURE.md "x5c never contains the trust anchor"). The anchor to validate it against is
    ``cas[entity_id][1]``. ``tls`` is ``(server key, server cert, TLS CA)``. ``root_key`` and
    ``tls_ca_key`` are only needed to issue new list signers / TLS certificates.
    """

    root: Certificate
    list_signer: tuple[PrivateKey, Certificate]
    cas: dict[str, tuple[PrivateKey, Certificate]]
    signers: dict[str, tuple[PrivateKey, list[Certificate]]]
    access: dict[str, tuple[PrivateKey, list[Certificate]]]
    tls: tuple[PrivateKey, Certificate, Certificate]
    root_key: PrivateKey | None = None
    tls_ca_key: PrivateKey | None = None
    entity_paths: dict[str, str] = field(default_factory=dict)

    def signer_x5c(self, entity_id: str) -> list[Certificate]:
        """``x5c`` for the entity's SD-JWT VCs and status lists (the document signer)."""
        return list(self.signers[entity_id][1])

    def access_x5c(self, entity_id: str) -> list[Certificate]:
        """``x5c`` for the verifier's signed requests (the access certificate)."""
        return list(self.access[entity_id][1])


# --- certificate builders (pure) -------------------------------------------------------------


def _start(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.replace(microsecond=0) - BACKDATE


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _entity_name(entity: Entity, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, entity.country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, entity.name),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, entity.id),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _demo_name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ESSPASS demo"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _self_signed_ca(name: x509.Name, *, now: datetime) -> tuple[PrivateKey, Certificate]:
    key = generate_key()
    start = _start(now)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _leaf(
    name: x509.Name,
    ca_key: PrivateKey,
    ca_cert: Certificate,
    *,
    now: datetime,
    key: PrivateKey | None = None,
    extensions: Sequence[x509.ExtensionType] = (),
) -> tuple[PrivateKey, Certificate]:
    key = key or generate_key()
    start = _start(now)
    # A leaf never outlives its CA (RFC 5280 path validation would reject it after that anyway).
    end = min(start + LEAF_VALIDITY, ca_cert.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    for ext in extensions:
        builder = builder.add_extension(ext, critical=False)
    return key, builder.sign(ca_key, hashes.SHA256())


def create_registry_root(*, now: datetime) -> tuple[PrivateKey, Certificate]:
    """The trust-registry root: the anchor wallets and verifiers use to check trust lists."""
    return _self_signed_ca(_demo_name("ESSPASS Demo Trust Registry Root"), now=now)


def issue_list_signer(root_key: PrivateKey, root: Certificate, *, now: datetime) -> tuple[PrivateKey, Certificate]:
    """A trust-list signing certificate under the registry root (new key each call), with the
    extended key usage that alone lets a certificate under the root sign lists
    (:data:`credentials.trust_list.LIST_SIGNING_EKU`, ETSI TS 119 612 tslSigning)."""
    from credentials.trust_list import LIST_SIGNING_EKU

    return _leaf(_demo_name("ESSPASS Demo Trust List Signer"), root_key, root, now=now,
                 extensions=[x509.ExtendedKeyUsage([LIST_SIGNING_EKU])])


def create_entity_ca(entity: Entity, *, now: datetime) -> tuple[PrivateKey, Certificate]:
    """A new self-signed CA for ``entity`` (pathLen 0); its certificate is what the trust list lists."""
    return _self_signed_ca(_entity_name(entity, f"{entity.name_en} CA"), now=now)


def issue_document_signer(
    entity: Entity, ca_key: PrivateKey, ca_cert: Certificate, *, now: datetime, key: PrivateKey | None = None
) -> tuple[PrivateKey, Certificate]:
    """A document-signer leaf (keyUsage digitalSignature) under the entity's CA; also for rotation.

    ``key`` re-certifies an existing key; by default a fresh key is generated.
    """
    return _leaf(_entity_name(entity, f"{entity.name_en} document signer"), ca_key, ca_cert, now=now, key=key)


def document_signer_request(entity: Entity, key: PrivateKey) -> x509.CertificateSigningRequest:
    """A PKCS #10 request (RFC 2986) for a document signer of ``entity`` holding ``key``.

    For a key the institution's own CA certifies, typically one that never leaves an HSM: the
    subject is the one :func:`issue_document_signer` gives, and the requested extensions are
    those a verifier checks of a signer (keyUsage digitalSignature, not a CA)."""
    return (x509.CertificateSigningRequestBuilder()
            .subject_name(_entity_name(entity, f"{entity.name_en} document signer"))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(ca=False), critical=True)
            .sign(key, hashes.SHA256()))


#: The host the pilot's services answer on (esspass.pilot: ``https://localhost:<port>``): a demo access
#: certificate names it beside the inspectorate's own name, so that a pilot verifier may identify
#: itself by ``x509_san_dns:localhost``, whose response_uri host is then that name (OpenID4VP §5.9.3).
PILOT_HOST = "localhost"


def issue_access_certificate(
    entity: Entity, ca_key: PrivateKey, ca_cert: Certificate, *, now: datetime, key: PrivateKey | None = None,
    hosts: Sequence[str] = (),
) -> tuple[PrivateKey, Certificate]:
    """A verifier access certificate with DNS SAN ``entity.dns_name`` (OpenID4VP ``x509_san_dns``),
    then ``hosts``: the other names the verifier answers on (§5.9.3: its response_uri's host must be
    the dNSName its client_id names)."""
    if not entity.dns_name:
        raise ValueError(f"entity {entity.id} has no dns_name")
    names = dict.fromkeys([entity.dns_name, *hosts])  # in order, once each
    san = x509.SubjectAlternativeName([x509.DNSName(name) for name in names])
    return _leaf(_entity_name(entity, entity.dns_name), ca_key, ca_cert, now=now, key=key, extensions=[san])


def create_tls(
    *, now: datetime, dns: Sequence[str] = ("localhost", "registry", "issuer", "verifier", "wallet",
                                             "registry.localhost", "issuer.localhost", "verifier.localhost",
                                             "wallet.localhost"),
    ips: Sequence[str] = ("127.0.0.1",),
) -> tuple[PrivateKey, Certificate, Certificate, PrivateKey]:
    """A demo TLS CA and a server certificate for ``dns``/``ips``: ``(key, cert, ca, ca_key)``.

    The ``*.localhost`` names are the public URLs of the Docker Compose deployment: browsers on the
    host resolve them to the loopback address (RFC 6761), containers to the service (its alias).
    """
    ca_key, ca = _self_signed_ca(_demo_name("ESSPASS Demo TLS CA"), now=now)
    names: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    key, cert = _leaf(
        _demo_name(dns[0] if dns else ips[0]),
        ca_key,
        ca,
        now=now,
        extensions=[x509.SubjectAlternativeName(names), x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH])],
    )
    return key, cert, ca, ca_key


# --- files -----------------------------------------------------------------------------------


def write_private_key(path: Path, key: PrivateKey) -> None:
    """Write ``key`` as unencrypted PKCS#8 PEM, creating the file with mode 0600.

    The file is opened with ``os.open(..., 0o600)`` so the key is never readable by others,
    not even briefly; an existing file is re-moded before it is written.
    """
    data = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fh.fileno(), 0o600)  # O_CREAT leaves an existing file's mode alone
        fh.write(data)


def write_certificates(path: Path, certs: Sequence[Certificate]) -> None:
    """Write certificates as a PEM bundle (public data, default file mode)."""
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs))


def read_private_key(path: Path) -> PrivateKey:
    """Load a PEM P-256 private key written by :func:`write_private_key`."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError(f"{path.name} is not a P-256 private key")
    return key


def read_certificates(path: Path) -> list[Certificate]:
    """Load a PEM certificate bundle."""
    return x509.load_pem_x509_certificates(path.read_bytes())


def _mkdir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def _write_pair(directory: Path, stem: str, key: PrivateKey, cert: Certificate) -> None:
    write_private_key(directory / f"{stem}.key", key)
    write_certificates(directory / f"{stem}.pem", [cert])


def _read_pair(directory: Path, stem: str) -> tuple[PrivateKey, Certificate]:
    key = read_private_key(directory / f"{stem}.key")
    cert = read_certificates(directory / f"{stem}.pem")[0]
    if key.public_key() != cert.public_key():
        raise ValueError(f"{directory.name}/{stem}.key does not match {stem}.pem")
    return key, cert


def create_demo_pki(directory: Path, entities: Sequence[Entity], *, now: datetime) -> DemoPki:
    """Create the whole demo PKI for ``entities`` and write it to ``directory`` (layout above).

    Existing files are overwritten. Issuing entities get a document signer, verifier entities
    with a ``dns_name`` an access certificate.
    """
    paths: dict[str, str] = {}
    for entity in entities:
        if not _SAFE_PATH.match(entity.path):
            raise ValueError(f"entity path {entity.path!r} is not a safe directory name")
        if entity.id in paths or entity.path in paths.values():
            raise ValueError(f"duplicate entity {entity.id} / {entity.path}")
        paths[entity.id] = entity.path

    root_key, root = create_registry_root(now=now)
    list_signer = issue_list_signer(root_key, root, now=now)
    tls_key, tls_cert, tls_ca, tls_ca_key = create_tls(now=now)
    _mkdir(directory)
    _write_pair(directory, "root", root_key, root)
    _write_pair(directory, "list-signer", *list_signer)
    _mkdir(directory / "tls")
    _write_pair(directory / "tls", "ca", tls_ca_key, tls_ca)
    _write_pair(directory / "tls", "server", tls_key, tls_cert)
    cas, signers, access = _create_entities(directory, entities, now=now)
    # Manifest last, atomically: its presence marks a complete PKI (see ensure_demo_pki).
    _write_manifest(directory, paths)
    return DemoPki(
        root=root,
        list_signer=list_signer,
        cas=cas,
        signers=signers,
        access=access,
        tls=(tls_key, tls_cert, tls_ca),
        root_key=root_key,
        tls_ca_key=tls_ca_key,
        entity_paths=paths,
    )


def _create_entities(directory: Path, entities: Sequence[Entity], *, now: datetime) -> tuple[
        dict[str, tuple[PrivateKey, Certificate]], dict[str, tuple[PrivateKey, list[Certificate]]],
        dict[str, tuple[PrivateKey, list[Certificate]]]]:
    """Each entity's own CA and, by its roles, its signer or access certificate, written under
    ``entities/<path>``: (cas, signers, access)."""
    cas: dict[str, tuple[PrivateKey, Certificate]] = {}
    signers: dict[str, tuple[PrivateKey, list[Certificate]]] = {}
    access: dict[str, tuple[PrivateKey, list[Certificate]]] = {}
    _mkdir(directory / "entities")
    for entity in entities:
        ca_key, ca = cas[entity.id] = create_entity_ca(entity, now=now)
        entity_dir = directory / "entities" / entity.path
        _mkdir(entity_dir)
        _write_pair(entity_dir, "ca", ca_key, ca)
        if entity.roles & _SIGNING_ROLES:
            key, cert = issue_document_signer(entity, ca_key, ca, now=now)
            signers[entity.id] = (key, [cert])
            _write_pair(entity_dir, "signer", key, cert)
        if Role.VERIFIER in entity.roles and entity.dns_name:
            key, cert = issue_access_certificate(entity, ca_key, ca, now=now, hosts=(PILOT_HOST,))
            access[entity.id] = (key, [cert])
            _write_pair(entity_dir, "access", key, cert)
    return cas, signers, access


def _write_manifest(directory: Path, paths: Mapping[str, str]) -> None:
    tmp = directory / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps({"entities": dict(paths)}, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, directory / MANIFEST)


def load_demo_pki(directory: Path) -> DemoPki:
    """Load a demo PKI written by :func:`create_demo_pki`.

    The root certificate, list signer and TLS files are required (FileNotFoundError otherwise);
    entity CAs, signers and access certificates are loaded for the entities named in
    ``pki.json`` whose files exist. A key that does not match its certificate is ValueError.
    """
    root = read_certificates(directory / "root.pem")[0]
    root_key = read_private_key(directory / "root.key") if (directory / "root.key").exists() else None
    list_signer = _read_pair(directory, "list-signer")
    tls_key, tls_cert = _read_pair(directory / "tls", "server")
    tls_ca = read_certificates(directory / "tls" / "ca.pem")[0]
    tls_ca_key = read_private_key(directory / "tls" / "ca.key") if (directory / "tls" / "ca.key").exists() else None
    paths: dict[str, str] = {}
    manifest = directory / MANIFEST
    if manifest.exists():
        raw = json.loads(manifest.read_text(encoding="utf-8")).get("entities", {})
        paths = {str(k): str(v) for k, v in raw.items() if _SAFE_PATH.match(str(v))}
    cas: dict[str, tuple[PrivateKey, Certificate]] = {}
    signers: dict[str, tuple[PrivateKey, list[Certificate]]] = {}
    access: dict[str, tuple[PrivateKey, list[Certificate]]] = {}
    for entity_id, path in paths.items():
        entity_dir = directory / "entities" / path
        if not (entity_dir / "ca.key").exists():
            continue
        cas[entity_id] = _read_pair(entity_dir, "ca")
        if (entity_dir / "signer.key").exists():
            key, cert = _read_pair(entity_dir, "signer")
            signers[entity_id] = (key, [cert])
        if (entity_dir / "access.key").exists():
            key, cert = _read_pair(entity_dir, "access")
            access[entity_id] = (key, [cert])
    return DemoPki(
        root=root,
        list_signer=list_signer,
        cas=cas,
        signers=signers,
        access=access,
        tls=(tls_key, tls_cert, tls_ca),
        root_key=root_key,
        tls_ca_key=tls_ca_key,
        entity_paths=paths,
    )


def _signs_lists(cert: Certificate) -> bool:
    from credentials.errors import IssuerKeyError
    from credentials.trust_list import check_list_signer_certificate

    try:
        check_list_signer_certificate(cert)
    except IssuerKeyError:
        return False
    return True


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    _mkdir(directory)
    with exclusive_lock(directory / ".lock"):
        yield


def _add_pilot_host(directory: Path, pki: DemoPki, entities: Sequence[Entity], *, now: datetime) -> bool:
    """Re-issue, under the same entity CA and with the same key, each demo access certificate made
    before they named :data:`PILOT_HOST` (a data directory of an earlier release): the pilot's
    verifier could not identify itself by ``x509_san_dns:localhost`` (OpenID4VP §5.9.3). The entity
    CA, which the trust list carries, is not touched, so nothing pinned changes. Only this demo PKI's
    files: a deployment's own access certificate (``ESSPASS_VERIFIER_ACCESS_*``) is never rewritten.
    True when one was re-issued."""
    by_id = {entity.id: entity for entity in entities}
    renewed = False
    for entity_id, (key, chain) in pki.access.items():
        entity = by_id.get(entity_id)
        if entity is None or not entity.dns_name or entity_id not in pki.cas:
            continue
        try:
            san = chain[0].extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            names = san.get_values_for_type(x509.DNSName)
        except x509.ExtensionNotFound:
            names = []
        if PILOT_HOST in names:
            continue
        ca_key, ca = pki.cas[entity_id]
        _key, cert = issue_access_certificate(entity, ca_key, ca, now=now, key=key, hosts=(PILOT_HOST,))
        target = directory / "entities" / pki.entity_paths[entity_id] / "access.pem"
        write_certificates(target.with_name(".access.pem.tmp"), [cert])
        os.replace(target.with_name(".access.pem.tmp"), target)  # a reader never sees half a file
        renewed = True
    return renewed


def ensure_demo_pki(directory: Path, entities: Sequence[Entity], *, now: datetime) -> DemoPki:
    """Load the demo PKI from ``directory``, creating it first if it is not complete there, and
    adding the entities of ``entities`` it does not have yet.

    Takes an exclusive lock on ``<dir>/.lock`` so that services started together (``esspass up``)
    do not create two PKIs over each other.
    """
    with _locked(directory):
        if not (directory / MANIFEST).exists():
            return create_demo_pki(directory, entities, now=now)
        pki = load_demo_pki(directory)
        if pki.root_key is not None and not _signs_lists(pki.list_signer[1]):
            # A list signer made before lists required the tslSigning EKU: every client would refuse
            # what it signs. Re-issued under the same root, so nothing pinned changes.
            _write_pair(directory, "list-signer", *issue_list_signer(pki.root_key, pki.root, now=now))
            pki = load_demo_pki(directory)
        if _add_pilot_host(directory, pki, entities, now=now):
            pki = load_demo_pki(directory)
        # A PKI made by an earlier version lacks entities added since (the wallet provider):
        # they get their own CA and certificates; nothing existing is touched.
        taken = set(pki.entity_paths.values())
        missing = [e for e in entities if e.id not in pki.entity_paths and e.path not in taken
                   and _SAFE_PATH.match(e.path)]
        if not missing:
            return pki
        _create_entities(directory, missing, now=now)
        _write_manifest(directory, {**pki.entity_paths, **{e.id: e.path for e in missing}})
        return load_demo_pki(directory)
