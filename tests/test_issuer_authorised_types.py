"""The issuer never issues a credential type the trust list does not authorise the institution for
(issuer/signers.py "The types it may issue").

LV:VSAA is configured here (its institutions file) with the roles pda1_issuer and ehic_issuer, while the
trust registry lists it as pda1_issuer only: every wallet and verifier would refuse an EHIC it signs. Over
real HTTP, with a real registry whose issuers list the issuer fetches and verifies:

* the back office refuses to record, replace or offer an EHIC case (409 ``signer.type_unlisted``, in the
  API and on the clerk's page, before a form is typed), while its A1s go on;
* the credential endpoint refuses a token got before the list changed (``unknown_credential_configuration``,
  OpenID4VCI §8.3.1.2), the token endpoint a code offered before (503, the code unspent);
* its metadata does not advertise the EHIC;
* ``esspass issuer check`` names the type and the registry operator's command;
* once ``esspass registry roles`` adds ehic_issuer and the issuer's list is refreshed, the same code
  gives an EHIC that the trust list authorises.

Without any issuers list, or for an institution the list does not name, the configuration decides
(as the signer rule does without a list).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_issuer_institutions import HOLDER, PERSON, _toml
from test_office_multi_state import signed_in
from test_registry_onboarding import esspass

from credentials import openid4vci, trust_list
from credentials.institutions import Role, demo_entity
from credentials.jose import decode_jws, generate_key, public_jwk, sign_jws
from credentials.pki import load_demo_pki, write_certificates, write_private_key
from credentials.x509 import load_pem_certificates, load_x5c
from esspass.stack import unnumbered
from esspass.testing import ServerHandle, free_port, serve
from issuer.app import build_service, create_app
from issuer.service import IssuerService
from issuer.settings import IssuerSettings
from issuer.signers import TYPE_UNLISTED, SignerChoice, unlisted_role
from trust_registry.client import SETTLED, TrustListClient

ROOT = Path(__file__).resolve().parent.parent
VSAA = "LV:VSAA"
EHIC_VCT = "urn:eudi:ehic:1"
#: An EHIC of VSAA's own (the demo person's card is NVD's): issued by it, for its own state.
EHIC = {**unnumbered(PERSON.ehic), "issuing_authority": PERSON.pda1["issuing_authority"],
        "authentic_source": PERSON.pda1["authentic_source"]}


@dataclass
class Pilot:
    """A registry listing LV:VSAA for the A1 only, and an issuer hosting it for the A1 and the EHIC."""

    data: Path
    registry_url: str
    issuer: ServerHandle
    service: IssuerService
    lists: TrustListClient
    tokens: dict[str, str]
    env: dict[str, str]

    @property
    def token(self) -> str:
        return self.tokens[VSAA]

    @property
    def url(self) -> str:
        return f"{self.issuer.url}/lv-vsaa"

    def relist(self) -> None:
        """The issuer's housekeeping once the registry's max-age has passed: the list fetched anew, and held."""
        self.lists.refresh("issuers", datetime.now(UTC))
        self.service.refresh_signer_list()

    def api(self, method: str, path: str, *, clerk: str = VSAA, **kwargs: Any) -> httpx.Response:
        return httpx.request(method, f"{self.url}/api/{path}", timeout=30,
                             headers={"Authorization": f"Bearer {self.tokens[clerk]}"}, **kwargs)

    def case(self, configuration_id: str, *, clerk: str = VSAA) -> httpx.Response:
        claims = EHIC if configuration_id == "ehic" else unnumbered(PERSON.pda1)
        return self.api("POST", "cases", clerk=clerk, json={"configuration_id": configuration_id, "claims": claims,
                                                            "holder": HOLDER})

    def offer(self, case_id: str) -> dict[str, str]:
        """A new offer of the case: the wallet's token request for it (pre-authorized code, tx_code)."""
        offered = self.api("POST", f"cases/{case_id}/offer")
        assert offered.status_code == 201, offered.text
        offer = httpx.get(offered.json()["credential_offer_uri"], timeout=30).json()
        code = offer["grants"][openid4vci.PRE_AUTH_GRANT]["pre-authorized_code"]
        return {"grant_type": openid4vci.PRE_AUTH_GRANT, "pre-authorized_code": code,
                "tx_code": offered.json()["tx_code"]}

    def credential(self, access_token: str, configuration_id: str) -> httpx.Response:
        """The wallet's credential request with one key proof (no DPoP, no attestation: both off here)."""
        holder = generate_key()
        nonce = httpx.post(f"{self.url}/nonce", timeout=30).json()["c_nonce"]
        proof = sign_jws({"typ": openid4vci.PROOF_TYP, "jwk": public_jwk(holder)},
                         {"aud": self.url, "iat": int(datetime.now(UTC).timestamp()), "nonce": nonce}, holder)
        return httpx.post(f"{self.url}/credential", headers={"Authorization": f"Bearer {access_token}"}, timeout=30,
                          json={"credential_configuration_id": configuration_id, "proofs": {"jwt": [proof]}})

    def configurations(self) -> dict[str, Any]:
        metadata = httpx.get(f"{self.issuer.url}/.well-known/openid-credential-issuer/lv-vsaa", timeout=30)
        assert metadata.status_code == 200, metadata.text
        found: dict[str, Any] = metadata.json()["credential_configurations_supported"]
        return found

    def check(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "esspass.cli", "issuer", "check"], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=120, check=False)


def _institutions_file(data: Path, directory: Path, *, approval: bool) -> Path:
    """LV:VSAA with its demo signer, configured for both the A1 and the EHIC."""
    pki = load_demo_pki(data / "pki")
    key, chain = pki.signers[VSAA]
    directory.mkdir()
    write_private_key(directory / "signer.key.pem", key)
    write_certificates(directory / "chain.pem", chain)
    write_certificates(directory / "ca.pem", [pki.cas[VSAA][1]])
    entity = demo_entity(VSAA)
    entry = {"id": VSAA, "country": "LV", "name": entity.name, "name_en": entity.name_en,
             "roles": ["pda1_issuer", "ehic_issuer"], "path": entity.path, "signer_key": "signer.key.pem",
             "signer_chain": "chain.pem", "ca_certificate": "ca.pem", **({"approval": True} if approval else {})}
    path = directory / "institutions.toml"
    path.write_text("[[institution]]\n" + "".join(f"{k} = {'true' if v is True else _toml(v)}\n"
                                                  for k, v in entry.items()), "utf-8")
    return path


@contextmanager
def started(registry_dir: Path, tmp_path: Path, *, approval: bool = False) -> Iterator[Pilot]:
    """The registry (a copy of the seeded one) and the issuer, on loopback ports; ``approval``: VSAA has a
    second, named clerk approve each case (``LV:VSAA/clerk.1`` records, ``LV:VSAA/clerk.2`` approves)."""
    from trust_registry.app import create_app as registry_app
    from trust_registry.settings import RegistrySettings

    data = tmp_path / "pilot"
    data.mkdir()
    (data / "registry.db").write_bytes((registry_dir / "registry.db").read_bytes())
    os.symlink(registry_dir / "pki", data / "pki")
    institutions = _institutions_file(data, tmp_path / "vsaa", approval=approval)
    registry_port, issuer_port = free_port(), free_port()
    registry_url, issuer_url = f"http://127.0.0.1:{registry_port}", f"http://127.0.0.1:{issuer_port}"
    settings = IssuerSettings(data_dir=data, public_url=issuer_url, registry_url=registry_url,
                              institutions_file=institutions, wallet_attestation="off", key_attestation="off",
                              dpop_nonce=False)
    env = {**os.environ, "ESSPASS_DATA_DIR": str(data), "ESSPASS_ISSUER_REGISTRY_ROOT": str(data / "pki" / "root.pem"),
           "ESSPASS_ISSUER_REGISTRY_URL": registry_url, "ESSPASS_ISSUER_INSTITUTIONS_FILE": str(institutions),
           "ESSPASS_ISSUER_PUBLIC_URL": issuer_url}
    env.pop("DATABASE_URL", None)
    root = load_pem_certificates((data / "pki" / "root.pem").read_bytes())[0]
    with serve(registry_app(RegistrySettings(data_dir=data)), port=registry_port), \
            httpx.Client(timeout=30) as http:
        lists = TrustListClient(registry_url, registry_root=root, http=http)
        service = build_service(settings)
        # The list the issuer heeds, as its settings make it, through a client the test can make fetch anew
        # (the registry's max-age is five minutes).
        service.signer_choice = SignerChoice(lists.issuers, partial(lists.revalidate, "issuers"))
        service.refresh_signer_list()
        with serve(create_app(settings, service=service), port=issuer_port) as issuer:
            tokens = json.loads((data / "issuer" / "clerk-tokens.json").read_text())
            yield Pilot(data, registry_url, issuer, service, lists, tokens, env)


@pytest.fixture
def pilot(registry_dir: Path, tmp_path: Path) -> Iterator[Pilot]:
    with started(registry_dir, tmp_path) as running:
        yield running


def _unlisted(answer: httpx.Response, status: int = 409) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    assert body["rule_key"] == TYPE_UNLISTED, body
    assert body["rule_params"]["type"] == f"EHIC ({EHIC_VCT})" and body["rule_params"]["institution"] == VSAA, body
    return body


def _roles(pilot: Pilot, *roles: str) -> None:
    """The registry's operator gives LV:VSAA ``roles`` (``esspass registry roles``)."""
    changed = esspass("registry", "roles", VSAA, *roles, data=pilot.data)
    assert changed.returncode == 0, changed


def test_the_office_refuses_an_ehic_case_for_an_institution_the_trust_list_does_not_list_for_ehic(
        pilot: Pilot) -> None:
    refused = _unlisted(pilot.case("ehic"))
    assert "does not list LV:VSAA as competent to issue EHIC" in refused["error_description"]
    assert pilot.case("pda1").status_code == 201  # what the list does authorise: nothing changes
    with signed_in((pilot.issuer, pilot.token)) as office:
        page = office.get("/office/new/ehic")  # said before the clerk types a whole form
        assert page.status_code == 409
        assert "does not list LV:VSAA as competent to issue EHIC (urn:eudi:ehic:1)" in page.text
        assert office.get("/office/new/pda1").status_code == 200


def test_a_case_recorded_before_the_list_dropped_the_type_is_neither_offered_replaced_nor_signed(
        pilot: Pilot) -> None:
    _roles(pilot, "pda1_issuer", "ehic_issuer")
    pilot.relist()
    created = pilot.case("ehic")
    assert created.status_code == 201, created.text
    case_id = created.json()["id"]
    form = pilot.offer(case_id)
    token = httpx.post(f"{pilot.url}/token", data=form, timeout=30)
    assert token.status_code == 200, token.text
    second = pilot.case("ehic")
    assert second.status_code == 201, second.text
    pending = pilot.offer(second.json()["id"])  # offered, its code not typed yet

    _roles(pilot, "pda1_issuer")  # the registry corrects its record: VSAA issues no EHIC
    pilot.relist()
    answer = pilot.credential(token.json()["access_token"], "ehic")
    assert answer.status_code == 400 and answer.json()["error"] == "unknown_credential_configuration", answer.text
    _unlisted(httpx.post(f"{pilot.url}/token", data=pending, timeout=30), 503)  # the code stays unspent
    _unlisted(pilot.api("POST", f"cases/{case_id}/offer"))
    _unlisted(pilot.api("POST", f"cases/{case_id}/replace", json={"claims": EHIC, "holder": HOLDER,
                                                                   "reason": "address changed"}))
    shown = pilot.api("GET", f"cases/{case_id}").json()
    assert shown["offer_refusal"]["rule_key"] == TYPE_UNLISTED  # the clerk sees why, before trying

    _roles(pilot, "pda1_issuer", "ehic_issuer")  # listed again: the code refused meanwhile works
    pilot.relist()
    assert httpx.post(f"{pilot.url}/token", data=pending, timeout=30).status_code == 200


def test_a_case_awaiting_approval_is_not_approved_once_the_list_dropped_its_type(registry_dir: Path,
                                                                                 tmp_path: Path) -> None:
    """Approved, it would be signed at once for the wallet told to wait (OpenID4VCI §9)."""
    with started(registry_dir, tmp_path, approval=True) as pilot:
        _roles(pilot, "pda1_issuer", "ehic_issuer")
        pilot.relist()
        created = pilot.case("ehic", clerk=f"{VSAA}/clerk.1")
        assert created.status_code == 201, created.text
        _roles(pilot, "pda1_issuer")
        pilot.relist()
        case_id = created.json()["id"]
        _unlisted(pilot.api("POST", f"cases/{case_id}/approve", clerk=f"{VSAA}/clerk.2"))
        assert pilot.api("GET", f"cases/{case_id}").json()["approval"] == "awaiting"


def test_the_issuer_metadata_does_not_advertise_a_type_the_trust_list_does_not_list_it_for(pilot: Pilot) -> None:
    vcts = {c.get("vct") or c.get("doctype") for c in pilot.configurations().values()}
    assert not any("ehic" in str(v) for v in vcts), vcts
    assert "pda1" in pilot.configurations()


def test_the_issuers_home_lists_for_the_institution_only_the_types_it_issues(pilot: Pilot) -> None:
    home = httpx.get(f"{pilot.issuer.url}/", headers={"Accept": "application/json"}, timeout=30)
    assert home.status_code == 200, home.text
    vsaa = next(i for i in home.json()["institutions"] if i["id"] == "LV:VSAA")
    assert "pda1" in vsaa["credential_configurations"]
    assert not any("ehic" in c for c in vsaa["credential_configurations"]), vsaa


def test_issuer_check_names_the_type_the_trust_list_does_not_list_and_the_operators_command(pilot: Pilot) -> None:
    checked = pilot.check()
    assert checked.returncode == 1, checked
    lines = [line for line in checked.stdout.splitlines() if line.startswith(VSAA)]
    refused = [line for line in lines if line.split()[1] == "REFUSED"]
    assert len(refused) == 1, checked.stdout
    assert "does not list LV:VSAA as competent to issue EHIC (urn:eudi:ehic:1)" in refused[0]
    assert refused[0].endswith("esspass registry roles LV:VSAA pda1_issuer ehic_issuer)"), refused[0]
    ok = [line for line in lines if line.split()[1] == "ok"]
    assert len(ok) == 1 and "urn:eudi:pda1:1" in ok[0] and EHIC_VCT not in ok[0], checked.stdout


def test_once_the_registry_lists_the_role_and_the_issuers_list_refreshes_the_ehic_is_issued(pilot: Pilot) -> None:
    _roles(pilot, "pda1_issuer", "ehic_issuer")
    _unlisted(pilot.case("ehic"))  # the issuer judges by the list it holds: until it refreshes, as before
    pilot.relist()
    assert "ehic" in pilot.configurations()
    created = pilot.case("ehic")
    assert created.status_code == 201, created.text
    token = httpx.post(f"{pilot.url}/token", data=pilot.offer(created.json()["id"]), timeout=30)
    assert token.status_code == 200, token.text
    answer = pilot.credential(token.json()["access_token"], "ehic")
    assert answer.status_code == 200, answer.text
    signed = decode_jws(answer.json()["credentials"][0]["credential"].split("~")[0])
    now = datetime.now(UTC)
    issuers = pilot.lists.refresh("issuers", now)
    assert trust_list.authorised_issuer(issuers, load_x5c(signed.header["x5c"]), EHIC_VCT, at=now,
                                        now=now).entity.id == VSAA  # as every verifier judges it
    checked = pilot.check()
    assert checked.returncode == 0, checked
    assert "REFUSED" not in checked.stdout


def test_a_role_granted_is_taken_at_the_next_housekeeping_round_not_at_the_lists_max_age(pilot: Pilot) -> None:
    """The list held refuses the EHIC: the housekeeping fetches it anew (at most every half minute) rather
    than holding it for the registry's max-age (five minutes) while the clerk is refused."""
    _roles(pilot, "pda1_issuer", "ehic_issuer")
    _unlisted(pilot.case("ehic"))  # the list held, fetched moments ago, still decides
    later = datetime.now(UTC) + timedelta(seconds=SETTLED + 5)  # one round later: older than SETTLED, not due
    pilot.service.clock = lambda: later
    pilot.service.refresh_signer_list()
    assert "ehic" in pilot.configurations()
    assert pilot.case("ehic").status_code == 201


def test_without_an_issuers_list_or_for_an_institution_it_does_not_name_the_configuration_decides(
        registry_issuers: trust_list.TrustList) -> None:
    vsaa = demo_entity(VSAA)
    assert unlisted_role(registry_issuers, vsaa, EHIC_VCT) == str(Role.EHIC_ISSUER)
    assert unlisted_role(registry_issuers, vsaa, "urn:eudi:pda1:1") is None
    assert unlisted_role(None, vsaa, EHIC_VCT) is None  # none to be had: as the signer rule, the dates decide
    assert unlisted_role(registry_issuers, replace(vsaa, id="LV:NEW"), EHIC_VCT) is None  # not registered yet
    assert SignerChoice(None).unlisted(vsaa, EHIC_VCT) is None
