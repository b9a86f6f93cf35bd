"""``esspass registry seed``: the demo institutions and inspectorates (domain.md) with the demo PKI.

Idempotent: an entity already registered is left as it is, so running the seed again (or two
services seeding the same database at once) adds nothing new and bumps no sequence number. Three
exceptions: where the demo issuer lists each institution's status lists (``issuer_url``), and where
the demo verifier's privacy notice is (``verifier_url``), since the demo pilot may move to other
ports, so that those entries follow it; and a demo inspectorate's
``may_request``, which is widened to the claims this release's inspections ask for that it lacks
(never narrowed: claims an operator added stay), so that a pilot data directory from an older
release keeps working once its verifier asks for more. None is touched again once an operator has
set it (``esspass registry status-lists`` / ``policy-uri`` / ``may-request``, or the admin API):
the history tells the operator's changes from the seed's by who made them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.x509 import Certificate

from credentials import trust_list
from credentials.errors import MalformedError, ProtocolError
from credentials.institutions import DEMO_ENTITIES, Entity, Role
from credentials.pki import DemoPki, ensure_demo_pki
from credentials.trust_list import ListedEntity
from esspass.db import make_engine
from trust_registry.store import ISSUING_ROLES, Registry

__all__ = ["seed", "seed_data_dir"]

SEED_WHO = "seed"
#: The inspectorate the demo verifier acts for (``verifier.settings.VerifierSettings.entity_id``'s
#: default): the one whose privacy notice is the demo verifier's own ``/privacy`` page.
DEMO_VERIFIER = "LV:VDI"


def _pem(cert: Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _status_lists(entity: Entity, issuer_url: str | None) -> str | None:
    """The demo issuer serves every issuing institution under its path, with its aggregation there."""
    if issuer_url is None or not {r.value for r in entity.roles} & ISSUING_ROLES:
        return None
    return f"{issuer_url.rstrip('/')}/{entity.path}/status-lists"


def _policy_uri(entity: Entity, verifier_url: str | None) -> str | None:
    """The demo verifier serves its privacy notice at ``/privacy``; none where that address could not be
    published (http to another host than this machine: :func:`credentials.trust_list.check_policy_uri`)."""
    if verifier_url is None or entity.id != DEMO_VERIFIER:
        return None
    try:
        return trust_list.check_policy_uri(f"{verifier_url.rstrip('/')}/privacy")
    except MalformedError:
        return None


def _record(entity: Entity, pki: DemoPki, issuer_url: str | None, verifier_url: str | None) -> dict[str, object]:
    ca = pki.cas[entity.id][1]
    certs = [{"pem": _pem(ca), "usage": "ca"}]
    if entity.id in pki.signers and {r.value for r in entity.roles} & ISSUING_ROLES:
        certs.append({"pem": _pem(pki.signers[entity.id][1][0]), "usage": "signer"})
    return {"id": entity.id, "country": entity.country, "name": entity.name, "name_en": entity.name_en,
            "roles": sorted(r.value for r in entity.roles), "dns_name": entity.dns_name, "path": entity.path,
            "status_lists": _status_lists(entity, issuer_url), "policy_uri": _policy_uri(entity, verifier_url),
            "may_request": {k: list(v) for k, v in entity.may_request.items()}, "certificates": certs}


def _lacks(entity: Entity, listed: ListedEntity) -> bool:
    """Whether the registered verifier lacks a type or claim its demo definition lists."""
    return Role.VERIFIER in entity.roles and Role.VERIFIER.value in listed.roles and any(
        claim not in listed.may_request.get(vct, ()) for vct, claims in entity.may_request.items() for claim in claims)


def _changed_by_operator(registry: Registry, entity_id: str, action: str = "set_may_request") -> bool:
    """Whether anyone but the seed ever made the change ``action`` to the entity (``set_may_request``,
    ``set_status_lists``, ``set_policy_uri``): that value is then the operator's (a claim they removed
    stays removed, an address they published stays published), and the seed never changes it again."""
    return any(a["action"] == action and a["who"] != SEED_WHO for a in registry.history(entity_id)["audit"])


def seed(registry: Registry, pki: DemoPki, entities: tuple[Entity, ...] = DEMO_ENTITIES, *,
         issuer_url: str | None = None, verifier_url: str | None = None) -> int:
    """Register every entity not yet known: its CA (``ca``), for issuers its document signer
    (``signer``), active since the CA's ``notBefore``. With ``issuer_url`` (the demo issuer's public
    URL), each institution's status lists are published as listed there, unless an operator has set
    them (:func:`_changed_by_operator`); with ``verifier_url`` (the demo verifier's), the demo
    verifier's privacy notice likewise (:data:`DEMO_VERIFIER`, its ``/privacy`` page). A demo
    inspectorate already registered gets the claims its definition lists and it lacks (added, never
    removed), unless an operator has set its claims.
    Returns how many were added."""
    known = {e.id: e for e in registry.list_entities()}
    added = 0
    for entity in entities:
        if entity.id not in pki.cas:
            continue
        if entity.id in known:
            where = _status_lists(entity, issuer_url)
            if where is not None and known[entity.id].status_lists != where \
                    and not _changed_by_operator(registry, entity.id, "set_status_lists"):
                registry.set_status_lists(entity.id, where, who=SEED_WHO)
            policy = _policy_uri(entity, verifier_url)
            if policy is not None and known[entity.id].policy_uri != policy \
                    and not _changed_by_operator(registry, entity.id, "set_policy_uri"):
                registry.set_policy_uri(entity.id, policy, who=SEED_WHO)
            if _lacks(entity, known[entity.id]) and not _changed_by_operator(registry, entity.id):
                registry.widen_may_request(entity.id, {k: list(v) for k, v in entity.may_request.items()},
                                           who=SEED_WHO)
            continue
        try:
            registry.add_entity(_record(entity, pki, issuer_url, verifier_url), who=SEED_WHO,
                                since=pki.cas[entity.id][1].not_valid_before_utc)
        except ProtocolError as exc:
            if exc.error != "conflict":
                raise
            continue  # seeded concurrently by another process
        added += 1
    return added


def seed_data_dir(data_dir: Path, *, now: datetime | None = None, database_url: str | None = None,
                  issuer_url: str | None = None, verifier_url: str | None = None) -> DemoPki:
    """Create the demo PKI under ``data_dir/pki`` (once) and seed the registry database (idempotent).

    ``database_url`` defaults like the service's (``ESSPASS_REGISTRY_DATABASE_URL``, ``DATABASE_URL``,
    then ``data_dir/registry.db``); ``issuer_url`` and ``verifier_url`` are the demo issuer's and
    verifier's public URLs, see :func:`seed`.
    """
    from trust_registry.settings import RegistrySettings

    settings = RegistrySettings(data_dir=data_dir)
    at = now or datetime.now(UTC)
    pki = ensure_demo_pki(settings.pki_dir, DEMO_ENTITIES, now=at)
    engine = make_engine(database_url or settings.db_url("registry.db"))
    try:
        seed(Registry(engine, clock=(lambda: at) if now is not None else None), pki, issuer_url=issuer_url,
             verifier_url=verifier_url)
    finally:
        engine.dispose()
    return pki
