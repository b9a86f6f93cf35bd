"""``esspass registry seed``: the demo institutions and inspectorates (domain.md) with the demo PKI."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.x509 import Certificate

from credentials.institutions import DEMO_ENTITIES
from credentials.pki import DemoPki, ensure_demo_pki
from esspass.db import make_engine
from trust_registry.store import Registry

__all__ = ["seed", "seed_data_dir"]


def _pem(cert: Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def seed(registry: Registry, pki: DemoPki) -> int:
    """Add every demo entity not yet registered (CA + document signer, active since the CA's start)."""
    known = {e.id for e in registry.entities()}
    added = 0
    for entity in DEMO_ENTITIES:
        if entity.id in known or entity.id not in pki.cas:
            continue
        ca = pki.cas[entity.id][1]
        certs = [{"pem": _pem(ca), "usage": "ca"}]
        if entity.id in pki.signers:
            certs.append({"pem": _pem(pki.signers[entity.id][1][0]), "usage": "signer"})
        registry.add_entity({"id": entity.id, "country": entity.country, "name": entity.name,
                             "name_en": entity.name_en, "roles": sorted(r.value for r in entity.roles),
                             "dns_name": entity.dns_name, "path": entity.path,
                             "may_request": {k: list(v) for k, v in entity.may_request.items()},
                             "certificates": certs}, who="seed", since=ca.not_valid_before_utc)
        added += 1
    return added


def seed_data_dir(data_dir: Path, *, database_url: str | None = None, now: datetime | None = None) -> DemoPki:
    """Create the demo PKI under ``data_dir/pki`` (once) and seed the registry database."""
    from trust_registry.settings import RegistrySettings

    settings = RegistrySettings(data_dir=data_dir, database_url=database_url)
    pki = ensure_demo_pki(settings.pki_path(), DEMO_ENTITIES, now=now or datetime.now(UTC))
    engine = make_engine(settings.db_url("registry.db"))
    try:
        seed(Registry(engine), pki)
    finally:
        engine.dispose()
    return pki
