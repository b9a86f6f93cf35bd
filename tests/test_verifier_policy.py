"""A verifier's privacy notice on the verifiers list (GDPR Art. 13), from its registration to the wallet.

The registry takes the address with a verifier's registration (``policy_uri``: https, or http to this
machine only, at most 500 characters), publishes it in the signed verifiers list, and the wallet's
consent screen links it, from the list only: a ``policy_uri`` a request puts in its own
``client_metadata`` (RFC 7591 §2) sends the worker nowhere. Lists from before the member still work.
The registry runs for real on loopback (``esspass.testing.serve``), the CLI as a process.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from test_registry_cli import _esspass
from test_trust_registry import ADMIN, READER, _auth, _sequence
from test_wallet_review_consent import VERIFIER, _wallet

from credentials import openid4vp, pid, trust_list
from credentials.errors import MalformedError
from credentials.institutions import Entity, Role
from credentials.jose import decode_jws, sign_jws
from credentials.pki import DemoPki, create_entity_ca
from credentials.x509 import x5c_header, x509_hash
from esspass.db import make_engine
from esspass.testing import ServerHandle, form_collector, serve
from trust_registry.app import create_app
from trust_registry.seed import seed_data_dir
from trust_registry.settings import READ, WRITE, RegistrySettings
from trust_registry.store import Registry

POLICY = "https://vdi.example.lv/privatums"


@pytest.fixture(scope="module")
def server(registry_dir: Path) -> Iterator[ServerHandle]:
    settings = RegistrySettings(data_dir=registry_dir, admin_tokens={ADMIN: [READ, WRITE, "name:ops-team"],
                                                                     READER: [READ]})
    with serve(create_app(settings)) as handle:
        yield handle


@pytest.fixture
def http(server: ServerHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


def _verifier_body(entity_id: str, **extra: Any) -> dict[str, Any]:
    from cryptography.hazmat.primitives import serialization

    entity = Entity(entity_id, entity_id[:2], "Testa inspekcija", "Test inspectorate", frozenset({Role.VERIFIER}),
                    entity_id.lower().replace(":", "-"))
    _key, ca = create_entity_ca(entity, now=datetime.now(UTC))
    return {"id": entity_id, "country": entity_id[:2], "name": entity.name, "name_en": entity.name_en,
            "roles": ["verifier"], "certificates": [{"pem": ca.public_bytes(serialization.Encoding.PEM).decode(),
                                                     "usage": "ca"}], **extra}


def _verifiers(http: httpx.Client, pki: DemoPki) -> trust_list.TrustList:
    return trust_list.verify_trust_list(http.get("/lists/verifiers").text, registry_root=pki.root,
                                        now=datetime.now(UTC), kind="verifiers")


def test_a_verifiers_privacy_notice_is_registered_and_carried_in_the_signed_verifiers_list(
        http: httpx.Client, registry_pki: DemoPki) -> None:
    """Set on registration, changed and cleared over the admin API, each change recorded once, and
    published in the signed list (and the ETSI LoTE export) as the registration says it."""
    added = http.post("/admin/entities", json=_verifier_body("EE:TOOINSP", policy_uri=POLICY), headers=_auth(ADMIN))
    assert added.status_code == 201 and added.json()["policy_uri"] == POLICY, added.text
    listed = _verifiers(http, registry_pki).entity("EE:TOOINSP")
    assert listed is not None and listed.policy_uri == POLICY
    lote = http.get("/lists/verifiers.lote.json").json()["LoTE"]["TrustedEntitiesList"]
    info = next(e["TrustedEntityInformation"] for e in lote
                if e["TrustedEntityInformation"]["TETradeName"][0]["value"] == "EE:TOOINSP")
    assert info["TEInformationURI"] == [{"lang": "en", "uriValue": POLICY}]

    start = _sequence(http)
    moved = "http://127.0.0.1:8103/privacy"  # a pilot on one machine: http to loopback only
    for _ in range(2):  # the second time it is unchanged: nothing recorded
        response = http.put("/admin/entities/EE:TOOINSP/policy-uri", json={"policy_uri": moved}, headers=_auth(ADMIN))
        assert response.status_code == 200 and response.json()["policy_uri"] == moved, response.text
    assert _sequence(http) == start + 1
    audit = http.get("/admin/entities/EE:TOOINSP/history", headers=_auth(READER)).json()["audit"][-1]
    assert (audit["action"], audit["who"], audit["detail"]) == ("set_policy_uri", "api:ops-team", {"policy_uri": moved})
    assert http.put("/admin/entities/EE:TOOINSP/policy-uri", json={"policy_uri": POLICY},
                    headers=_auth(READER)).status_code == 403
    cleared = http.put("/admin/entities/EE:TOOINSP/policy-uri", json={"policy_uri": None}, headers=_auth(ADMIN))
    assert cleared.status_code == 200 and "policy_uri" not in cleared.json()
    listed = _verifiers(http, registry_pki).entity("EE:TOOINSP")
    assert listed is not None and listed.policy_uri is None


@pytest.mark.parametrize("uri", [
    "http://vdi.example.lv/privacy",  # plain http to another machine
    "ftp://vdi.example.lv/privacy", "javascript:alert(1)", "/privacy", "https:///privacy", "not a url",
    "https://vdi.example.lv/" + "a" * 500,  # longer than 500 characters
    "https://vdi.example.lv/a b", "https://vdi.example.lv/\u202eyca", "https://vdi.example.lv:0/privacy",
    "https://user:secret@vdi.example.lv/privacy", "https://vdi.example.lv:99999/privacy"])
def test_a_privacy_notice_that_is_not_an_https_address_is_refused_and_nothing_changes(
        http: httpx.Client, uri: str) -> None:
    start = _sequence(http)
    response = http.put("/admin/entities/LV:VDI/policy-uri", json={"policy_uri": uri}, headers=_auth(ADMIN))
    assert response.status_code in (400, 422), response.text
    assert response.json()["error"] == "invalid_request"
    registered = http.post("/admin/entities", json=_verifier_body("EE:BADPOL", policy_uri=uri), headers=_auth(ADMIN))
    assert registered.status_code in (400, 422) and registered.json()["error"] == "invalid_request"
    assert _sequence(http) == start
    assert http.get("/admin/entities/EE:BADPOL", headers=_auth(READER)).status_code == 404


def test_only_verifiers_publish_a_privacy_notice_on_the_verifiers_list(http: httpx.Client) -> None:
    response = http.put("/admin/entities/LV:VSAA/policy-uri", json={"policy_uri": POLICY}, headers=_auth(ADMIN))
    assert response.status_code == 400 and "policy_uri" in response.json()["error_description"]
    missing = http.put("/admin/entities/EE:NOBODY/policy-uri", json={"policy_uri": None}, headers=_auth(ADMIN))
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_a_list_from_before_the_privacy_notice_still_works_and_a_malformed_one_is_not_shown(
        http: httpx.Client, registry_pki: DemoPki) -> None:
    """The demo registry seeded without the verifier's address publishes lists as earlier releases did
    (no ``policy_uri``): they verify, and the verifiers in them are authorised as before. A list whose
    address is not one the registry would take (a ``javascript:`` URL) keeps its entities; the address
    is dropped, never shown."""
    token = http.get("/lists/verifiers").text
    payload = decode_jws(token).payload
    assert all("policy_uri" not in e for e in payload["entities"] if e["id"] == "AT:FINPOL")
    tl = _verifiers(http, registry_pki)
    finpol = tl.entity("AT:FINPOL")
    assert finpol is not None and finpol.policy_uri is None and finpol.may_request
    hostile = {**payload, "entities": [{**e, "policy_uri": "javascript:alert(1)"} for e in payload["entities"]]}
    parsed = trust_list.TrustList.from_payload(hostile)
    assert [e.id for e in parsed.entities] == [e.id for e in tl.entities]
    assert all(e.policy_uri is None for e in parsed.entities)
    with pytest.raises(MalformedError):
        trust_list.check_policy_uri("javascript:alert(1)")


def test_the_demo_seed_gives_the_demo_verifier_its_privacy_page_and_follows_the_pilots_address(
        tmp_path: Path) -> None:
    """``LV:VDI`` (the inspectorate the demo verifier acts for) gets ``<verifier URL>/privacy``; a second
    seed on other ports moves it; an operator's own address is never undone by the seed; a public http
    address (which the registry refuses) is not published."""
    def shown(entity_id: str) -> Any:
        engine = make_engine(f"sqlite:///{tmp_path / 'registry.db'}")
        try:
            return Registry(engine).show(entity_id).get("policy_uri")
        finally:
            engine.dispose()

    seed_data_dir(tmp_path, verifier_url="http://verifier.example.lv")
    assert shown("LV:VDI") is None
    seed_data_dir(tmp_path, verifier_url="http://127.0.0.1:8103/")
    assert shown("LV:VDI") == "http://127.0.0.1:8103/privacy" and shown("AT:FINPOL") is None
    seed_data_dir(tmp_path, verifier_url="https://localhost:9103")
    assert shown("LV:VDI") == "https://localhost:9103/privacy"
    engine = make_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    try:
        Registry(engine).set_policy_uri("LV:VDI", POLICY, who="cli:operator")
    finally:
        engine.dispose()
    seed_data_dir(tmp_path, verifier_url="https://localhost:9203")
    assert shown("LV:VDI") == POLICY


def test_an_operator_publishes_a_privacy_notice_from_the_command_line(tmp_path: Path) -> None:
    """``esspass registry seed --verifier-url``, ``policy-uri ID URI | --clear``: refusals are one line
    (exit 1), never a trace."""
    assert _esspass(tmp_path, "seed", "--verifier-url", "http://localhost:8103").returncode == 0
    assert json.loads(_esspass(tmp_path, "show", "LV:VDI").stdout)["policy_uri"] == "http://localhost:8103/privacy"
    done = _esspass(tmp_path, "policy-uri", "LV:VDI", POLICY)
    assert done.returncode == 0 and f"privacy notice published at {POLICY}" in done.stdout, done.stderr
    for refused in (("policy-uri", "LV:VDI", "http://vdi.example.lv/privacy"), ("policy-uri", "LV:VSAA", POLICY)):
        result = _esspass(tmp_path, *refused)
        assert result.returncode == 1 and "policy_uri" in result.stderr and "Traceback" not in result.stderr
    assert json.loads(_esspass(tmp_path, "show", "LV:VDI").stdout)["policy_uri"] == POLICY
    assert _esspass(tmp_path, "policy-uri", "LV:VDI", "--clear").returncode == 0
    assert "policy_uri" not in json.loads(_esspass(tmp_path, "show", "LV:VDI").stdout)


# --- the wallet -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Registered:
    """A wallet's trust source whose verifiers list registers ``policy_uri`` for every verifier it names."""

    inner: Any
    policy_uri: str | None

    def issuers(self, now: datetime) -> Any:
        return self.inner.issuers(now)

    def verifiers(self, now: datetime) -> trust_list.TrustList:
        tl: trust_list.TrustList = self.inner.verifiers(now)
        return dataclasses.replace(tl, entities=tuple(dataclasses.replace(e, policy_uri=self.policy_uri)
                                                      for e in tl.entities))


def _link(pki: DemoPki, response_uri: str, client_metadata: dict[str, Any]) -> str:
    """A request of the listed verifier, signed with its access certificate, whose ``client_metadata``
    says what the verifier likes."""
    signer, chain = pki.access[VERIFIER]
    client_id = f"x509_hash:{x509_hash(chain[0])}"
    issued = int(time.time())
    payload = {"client_id": client_id, "aud": openid4vp.STATIC_AUDIENCE, "response_type": "vp_token",
               "response_mode": "direct_post", "response_uri": response_uri, "nonce": "n-0S6_WzA2Mj",
               "state": "st4te", "iat": issued, "exp": issued + 300, "client_metadata": client_metadata,
               "dcql_query": {"credentials": [{"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": [pid.VCT]},
                                               "claims": [{"path": ["given_name"]}]}]}}
    token = sign_jws({"typ": openid4vp.REQUEST_TYP, "x5c": x5c_header(chain)}, payload, signer)
    return f"openid4vp://?client_id={quote(client_id)}&request={token}"


@pytest.mark.parametrize("registered", [None, POLICY])
def test_a_policy_uri_the_request_supplies_itself_is_ignored_only_the_registered_one_is_shown(
        registry_pki: DemoPki, tmp_path: Path, registered: str | None) -> None:
    """A listed verifier's request carries ``client_metadata.policy_uri`` (RFC 7591 §2) pointing
    elsewhere: the consent screen links the registration's address, or none when the list has none."""
    wallet = _wallet(registry_pki, tmp_path)
    wallet.trust = _Registered(wallet.trust, registered)
    with form_collector() as (response_uri, received):
        consent = wallet.open_request(_link(registry_pki, response_uri, {
            "policy_uri": "https://phishing.example/privacy", "client_name": "Not the inspectorate"}), "en")
        assert consent.verifier_id == VERIFIER and consent.satisfiable
        assert consent.policy_uri == registered
        assert received == []  # nothing was sent
