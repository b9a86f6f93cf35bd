"""The consent screen lists everything the verifier will be able to read (RFC 9901 §4.2.6, §7.2).

An issuer may make a claim's parts selectively disclosable while the claim itself stays in the
issuer-signed payload (an ``address`` object whose ``street_address`` is a Disclosure and whose
``country`` is plain). Such plain parts leave with every presentation, whatever was asked for: the
worker must see them among the claims "shown in every presentation" before agreeing, and the
record of what was shown must name them. The wallet holds the document; the verifier is a listed
one (its trust list entry), whose response endpoint here is a stranger's server on loopback.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from credentials import openid4vp, pid, sd_jwt, sd_jwt_vc
from credentials.institutions import DEMO_ENTITIES
from credentials.jose import public_jwk, sign_jws
from credentials.pki import DemoPki, create_demo_pki
from credentials.x509 import x5c_header, x509_hash
from esspass.testing import ListedVerifier, form_collector
from wallet.http import make_client
from wallet.keys import key_to_pem, new_key
from wallet.model import StoredCredential
from wallet.service import WalletService
from wallet.settings import WalletSettings
from wallet.store import ScryptParams, WalletStore

VERIFIER = "LV:VDI"
ISSUER = "LV:VSAA"  # any listed signer: what is checked here is what leaves, not who signed it
TECHNICAL = {"iss", "iat", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"}
CLAIMS = {"given_name": "Anna", "family_name": "Bērziņa", "birthdate": "1990-01-01",
          "address": {"street_address": "Brīvības iela 1", "locality": "Rīga", "country": "LV"}}
#: ``address`` itself stays in the payload; only its street is a Disclosure.
SD_PATHS = (("given_name",), ("family_name",), ("birthdate",), ("address", "street_address"))


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    return create_demo_pki(tmp_path_factory.mktemp("pki"), DEMO_ENTITIES, now=datetime.now(UTC))


@pytest.fixture(scope="module")
def response_endpoint() -> Iterator[tuple[str, list[dict[str, str]]]]:
    with form_collector() as endpoint:
        yield endpoint


def _wallet(pki: DemoPki, tmp_path: Path, may_request: tuple[str, ...] = ("given_name",), *,
            claims: dict[str, Any] = CLAIMS, sd_paths: tuple[tuple[Any, ...], ...] = SD_PATHS) -> WalletService:
    settings = WalletSettings(data_dir=tmp_path, scrypt_n=16, allow_loopback_http=True, pki_dir=tmp_path / "no-pki")
    store = WalletStore.create(settings.wallet_path(), "pw", params=ScryptParams(n=16))
    holder = new_key()
    key, chain = pki.signers[ISSUER]
    now = int(time.time())
    credential = sd_jwt_vc.issue_vc(vct=pid.VCT, claims=claims, sd_paths=sd_paths, holder_jwk=public_jwk(holder),
                                    issuer_key=key, x5c=chain, iss="https://issuer.example/lv", iat=now, nbf=now,
                                    exp=now + 86400, status=None)
    stored = StoredCredential(id=secrets.token_hex(8), group="pid", format="dc+sd-jwt", vct=pid.VCT,
                              credential=credential, private_key=key_to_pem(holder),
                              issuer_url="https://issuer.example/lv", issuer_id=ISSUER, issuer_name="VSAA",
                              configuration_id="pid", received_at=datetime.now(UTC).isoformat(),
                              claims=sd_jwt.unverified_claims(credential), iat=now, exp=now + 86400)
    with store.transaction() as doc:
        doc["credentials"].append(stored.to_dict())
    return WalletService(settings, store, http=make_client(verify=True, timeout=5),
                         trust=ListedVerifier(pki.cas[VERIFIER][1], VERIFIER, {pid.VCT: may_request}))


def _link(pki: DemoPki, response_uri: str, query: dict[str, Any] | None = None) -> str:
    signer, chain = pki.access[VERIFIER]
    client_id = f"x509_hash:{x509_hash(chain[0])}"
    issued = int(time.time())
    payload = {
        "client_id": client_id, "aud": openid4vp.STATIC_AUDIENCE, "response_type": "vp_token",
        "response_mode": "direct_post", "response_uri": response_uri, "nonce": "n-0S6_WzA2Mj", "state": "st4te",
        "iat": issued, "exp": issued + 300,
        "dcql_query": query or {"credentials": [{"id": "pid", "format": "dc+sd-jwt",
                                                 "meta": {"vct_values": [pid.VCT]},
                                                 "claims": [{"path": ["given_name"]}]}]},
    }
    token = sign_jws({"typ": openid4vp.REQUEST_TYP, "x5c": x5c_header(chain)}, payload, signer)
    return f"openid4vp://?client_id={quote(client_id)}&request={token}"


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict) and value:
        return [leaf for k, v in value.items() for leaf in _leaves(v, (*path, k))]
    return [path]


def _covered(leaf: tuple[Any, ...], listed: list[tuple[Any, ...]]) -> bool:
    return any(leaf[:len(p)] == p for p in listed)


def test_the_plain_parts_of_a_partly_disclosable_claim_are_on_the_consent_screen(
        pki: DemoPki, response_endpoint: tuple[str, list[dict[str, str]]], tmp_path: Path) -> None:
    response_uri, received = response_endpoint
    received.clear()
    wallet = _wallet(pki, tmp_path)
    try:
        consent = wallet.open_request(_link(pki, response_uri), "en")
        assert consent.satisfiable
        listed = [c.path for item in consent.items for c in (*item.claims, *item.always)]
        assert wallet.share(consent.id).outcome == "shared"
        logged = wallet.log()[0].claims
    finally:
        wallet.http.close()
    presentation = json.loads(received[-1]["vp_token"])["pid"][0]
    seen = {k: v for k, v in sd_jwt.unverified_claims(presentation).items() if k not in TECHNICAL}
    leaves = _leaves(seen)
    assert ("address", "country") in leaves and ("address", "street_address") not in leaves  # the premise
    missing = [leaf for leaf in leaves if not _covered(leaf, listed)]
    assert not missing, f"the verifier reads {missing}, which the consent screen did not list ({listed})"
    assert set(logged) == {".".join(map(str, p)) for p in listed}  # the worker's record says the same
    # Nothing listed that does not leave: the street stays back.
    assert not any(p[:2] == ("address", "street_address") for p in listed)


def _with_claim_sets(*options: list[str]) -> dict[str, Any]:
    """A PID query (OpenID4VP §6.4.1) of the given name (``g``), the family name (``f``, a Disclosure),
    the address's plain country (``c``) and the address whole (``a``, its street a Disclosure)."""
    claims = [{"id": "g", "path": ["given_name"]}, {"id": "f", "path": ["family_name"]},
              {"id": "c", "path": ["address", "country"]}, {"id": "a", "path": ["address"]}]
    used = {n for o in options for n in o}
    return {"credentials": [{"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": [pid.VCT]},
                             "claims": [c for c in claims if c["id"] in used], "claim_sets": list(options)}]}


@pytest.mark.parametrize(("options", "optional", "held_back"), [
    # The family name can be held back; the address's country is in plain view: it leaves anyway.
    ((["g", "f", "c"], ["g"]), {("family_name",)}, ("family_name",)),
    # The address whole is optional all the same: left out, its street's Disclosure stays back.
    ((["g", "a"], ["g"]), {("address",)}, ("address", "street_address")),
])
def test_only_what_can_be_held_back_is_offered_to_be_left_out(
        pki: DemoPki, response_endpoint: tuple[str, list[dict[str, str]]], tmp_path: Path,
        options: tuple[list[str], ...], optional: set[tuple[Any, ...]], held_back: tuple[Any, ...]) -> None:
    """A claim not in every claim set (OpenID4VP §6.4.1) is optional only when leaving it out holds
    something back (RFC 9901 §7.2): one the issuer put in plain view is in every presentation, so the
    consent lists it as leaving, never as one the worker may untick (nor does ``--only-required``
    drop it from the list). The worker leaving out everything offered, what leaves is what was listed."""
    response_uri, received = response_endpoint
    received.clear()
    wallet = _wallet(pki, tmp_path, may_request=("given_name", "family_name", "address"))
    try:
        consent = wallet.open_request(_link(pki, response_uri, _with_claim_sets(*options)), "en")
        [item] = consent.items
        assert {c.path for c in item.claims if c.optional} == optional
        assert all(c.path in optional or not c.optional for c in item.claims)
        withhold = [(item.query_id, c.path) for c in item.claims if c.optional]
        assert wallet.share(consent.id, withhold).outcome == "shared"
        logged = wallet.log()[0].claims
    finally:
        wallet.http.close()
    presentation = json.loads(received[-1]["vp_token"])["pid"][0]
    seen = {k: v for k, v in sd_jwt.unverified_claims(presentation).items() if k not in TECHNICAL}
    leaves = _leaves(seen)
    assert held_back not in leaves and ("address", "country") in leaves
    assert set(logged) == {".".join(map(str, leaf)) for leaf in leaves}  # the record says what left, no more


# --- what leaves after the worker unticks never exceeds what the screen listed -----------------------


def _pid_query(claims: dict[str, list[Any]], *options: list[str]) -> dict[str, Any]:
    """A PID query of ``claims`` (id: path) with the claim sets ``options`` (OpenID4VP §6.4.1)."""
    return {"credentials": [{"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": [pid.VCT]},
                             "claims": [{"id": i, "path": p} for i, p in claims.items()],
                             "claim_sets": list(options)}]}


def _sent(received: list[dict[str, str]]) -> list[tuple[Any, ...]]:
    presentation = json.loads(received[-1]["vp_token"])["pid"][0]
    return _leaves({k: v for k, v in sd_jwt.unverified_claims(presentation).items() if k not in TECHNICAL})


ADDRESS = {"g": ["given_name"], "a": ["address"], "s": ["address", "street_address"]}


def test_a_claim_that_a_required_claim_sends_is_listed_as_shared_not_optional(
        pki: DemoPki, response_endpoint: tuple[str, list[dict[str, str]]], tmp_path: Path) -> None:
    """Options [g, a, s] and [g, a]: the street is not in every option, but the required ``address``
    (plain, its street a Disclosure) sends every Disclosure under it (RFC 9901 §4.2.6). Leaving the
    street out would hold nothing back, so it is listed as leaving, not offered; asked to withhold
    it anyway, the wallet sends what it listed."""
    response_uri, received = response_endpoint
    received.clear()
    wallet = _wallet(pki, tmp_path, may_request=("given_name", "address"))
    try:
        consent = wallet.open_request(_link(pki, response_uri, _pid_query(ADDRESS, ["g", "a", "s"], ["g", "a"])), "en")
        [item] = consent.items
        assert not [c.path for c in item.claims if c.optional]
        assert ("address", "street_address") in [c.path for c in item.claims]
        listed = [c.path for c in (*item.claims, *item.always)]
        assert wallet.share(consent.id, [(item.query_id, ("address", "street_address"))]).outcome == "shared"
    finally:
        wallet.http.close()
    leaves = _sent(received)
    assert ("address", "street_address") in leaves
    assert all(_covered(leaf, listed) for leaf in leaves)


def test_unticking_a_claim_leaves_out_a_kept_claim_that_would_send_it(
        pki: DemoPki, response_endpoint: tuple[str, list[dict[str, str]]], tmp_path: Path) -> None:
    """Options [g, a, s], [g, a], [g]: address and street are optional. The worker unticks the
    street only; the option [g, a] would send it with the address, so the wallet answers [g], and
    the address's plain parts, which leave anyway, were listed as always leaving."""
    response_uri, received = response_endpoint
    received.clear()
    wallet = _wallet(pki, tmp_path, may_request=("given_name", "address"))
    try:
        consent = wallet.open_request(
            _link(pki, response_uri, _pid_query(ADDRESS, ["g", "a", "s"], ["g", "a"], ["g"])), "en")
        [item] = consent.items
        assert {c.path for c in item.claims if c.optional} == {("address",), ("address", "street_address")}
        listed = [c.path for c in item.claims if not c.optional] + [c.path for c in item.always]
        assert wallet.share(consent.id, [(item.query_id, ("address", "street_address"))]).outcome == "shared"
        logged = wallet.log()[0].claims
    finally:
        wallet.http.close()
    leaves = _sent(received)
    assert ("address", "street_address") not in leaves and ("address", "locality") in leaves
    assert all(_covered(leaf, listed) for leaf in leaves), (leaves, listed)
    assert set(logged) == {".".join(map(str, leaf)) for leaf in leaves}


#: A PID whose ``nationalities`` array stays in the payload with its second element a Disclosure.
NATIONS = {**CLAIMS, "nationalities": ["LV", "EE"]}


@pytest.mark.parametrize(("claims", "sd_paths", "query", "kept"), [
    # address optional: unticked, its street stays back; its plain locality and country leave.
    (CLAIMS, SD_PATHS, {"g": ["given_name"], "a": ["address"]}, ("address", "locality")),
    # nationalities optional: unticked, "EE" stays back; the plain "LV" leaves.
    (NATIONS, (*SD_PATHS, ("nationalities", 1)), {"g": ["given_name"], "n": ["nationalities"]}, ("nationalities",)),
])
def test_the_plain_parts_of_an_optional_claim_are_listed_as_always_leaving(
        pki: DemoPki, response_endpoint: tuple[str, list[dict[str, str]]], tmp_path: Path, claims: dict[str, Any],
        sd_paths: tuple[tuple[Any, ...], ...], query: dict[str, list[Any]], kept: tuple[Any, ...]) -> None:
    """Unticking a partly disclosable claim holds back its Disclosures only: its plain parts are in
    the issuer-signed payload (RFC 9901 §7.2) and leave whatever is chosen. So the screen lists them
    among what is always included (a plain array with Disclosures: whole), and after the worker
    unticks the claim, nothing leaves that the screen did not list as leaving."""
    response_uri, received = response_endpoint
    received.clear()
    wallet = _wallet(pki, tmp_path, may_request=("given_name", "address", "nationalities"), claims=claims,
                     sd_paths=sd_paths)
    try:
        consent = wallet.open_request(_link(pki, response_uri, _pid_query(query, list(query), ["g"])), "en")
        [item] = consent.items
        optional = [c.path for c in item.claims if c.optional]
        assert optional == [tuple(query[next(i for i in query if i != "g")])]
        listed = [c.path for c in item.claims if not c.optional] + [c.path for c in item.always]
        assert kept in listed
        assert wallet.share(consent.id, [(item.query_id, p) for p in optional]).outcome == "shared"
        logged = wallet.log()[0].claims
    finally:
        wallet.http.close()
    leaves = _sent(received)
    assert all(_covered(leaf, listed) for leaf in leaves), (leaves, listed)
    assert any(leaf[:len(kept)] == kept for leaf in leaves)  # the premise: a plain part left
    assert not any(leaf[:1] == ("address",) and "street_address" in leaf for leaf in leaves)
    assert "EE" not in json.dumps(dict(enumerate(leaves)))
    assert set(logged) <= {".".join(map(str, p)) for p in listed}
