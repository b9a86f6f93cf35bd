"""The labour inspector sees where the A1 says the person works (domain review E, F7).

A posting is to a named state (Regulation (EC) No 883/2004 Art. 12), and the inspector's question
(Directive 2014/67/EU Art. 9) is whether this A1 covers the work done here: the inspection asks for
the places of work (section 5 of the A1: ``work_address`` in the flat v1 shape, ``work_information``
in the rulebook v1.1 shape, domain.md §PDA1), shows them on the verdict, and tells the inspectorate
when the A1 names places of work only in other states than its own. Over real HTTP: registry,
issuer, the Austrian Financial Police's verifier, a German inspectorate's own, reference wallets.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from credentials import dcql, i18n, pda1, trust_list, verification
from credentials.countries import name as country_name
from credentials.demo_persons import DEMO_PERSONS, portrait
from credentials.errors import IssuerTrustError
from credentials.institutions import DEMO_ENTITIES, Entity, Role, demo_entity
from credentials.pki import (
    create_entity_ca,
    issue_access_certificate,
    load_demo_pki,
    write_certificates,
    write_private_key,
)
from esspass.db import make_engine
from esspass.stack import (
    Clerk,
    Inspector,
    Stack,
    inspector_token,
    open_wallet,
    start_in_process,
    unnumbered,
    verifier_replica,
)
from esspass.testing import free_port, serve
from trust_registry.seed import seed, seed_data_dir
from trust_registry.settings import RegistrySettings, admin_token
from trust_registry.store import Registry
from verifier import messages
from verifier.service import profile_query
from verifier.settings import VerifierSettings

ANNA = DEMO_PERSONS[0]  # posted from LV (VSAA); her A1's place of work: Musterstraße 12, 10115 Berlin, DE
HOLDER = {k: ANNA.pid[k] for k in ("family_name", "given_name", "birthdate")}
FINPOL = demo_entity("AT:FINPOL")
#: A German inspectorate of its own (customs' Financial Control of Undeclared Work), registered in the test.
FKS = Entity("DE:FKS", "DE", "Finanzkontrolle Schwarzarbeit", "Financial Control of Undeclared Work",
             frozenset({Role.VERIFIER}), "de-fks", dns_name="fks.verifier.localhost",
             may_request=dict(FINPOL.may_request))
#: Anna's employer as a v1.1 entry (the v1.1 places go with the v1.1 employer list).
_EMPLOYMENT = [{"type": "01", **ANNA.pda1["employer"]}]
#: Anna's A1 in the rulebook v1.1 shape, with two places of work: Berlin and Vienna.
TWO_PLACES = {**{k: v for k, v in ANNA.pda1.items() if k != "work_address"}, "employer": _EMPLOYMENT,
              "work_information": {"work_address": [
                  {"street_address": "Musterstraße", "house_number": "12", "postal_code": "10115",
                   "locality": "Berlin", "country": "DE"},
                  {"company_name": "Baustelle Prater", "locality": "Wien", "postal_code": "1020", "country": "AT"}]}}
#: Anna's A1 naming no fixed place of work, in Germany.
NO_FIXED_PLACE = {**{k: v for k, v in ANNA.pda1.items() if k != "work_address"}, "employer": _EMPLOYMENT,
                  "work_information": {"no_fixed_place_of_work": "DE"}}
#: What an address of hers in any of these A1s holds: never in an inspection record.
ADDRESS_PARTS = ("Musterstraße", "10115", "Berlin", "Wien", "Prater", "1020")


def _text(page: str) -> str:
    """A page's words, as read: tags out, entities decoded, runs of white space as one."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


@dataclass
class Pilot:
    stack: Stack
    http: httpx.Client
    austria: str  # the Financial Police's verifier (AT:FINPOL), keeping the person 10 minutes
    germany: str  # the German inspectorate's verifier (DE:FKS)
    germany_token: str
    wallets: dict[str, Any] = field(default_factory=dict)

    def wallet(self, name: str, a1: dict[str, Any]) -> Any:
        """A reference wallet of Anna's (her PID, with the portrait, and the A1 ``a1``), made once."""
        if name not in self.wallets:
            data = self.stack.data_dir
            wallet = open_wallet(data / f"phone-{name}", self.stack.registry_url, "pw", fast_kdf=True,
                                 pki_dir=data / "pki")
            clerk = Clerk(self.stack.issuer_url, data, self.http)
            clerk.hand_over(wallet, ANNA.pid_provider, "pid", {**ANNA.pid, "picture": portrait(ANNA)})
            # Each phone holds an A1 of Anna's own for today: the clerk says that the A1s overlapping
            # her earlier ones are meant (the issuer's one-legislation-at-a-time rule, 409 pda1.overlap).
            made = self.http.post(f"{self.stack.issuer_url}/{demo_entity(ANNA.pda1_issuer).path}/api/cases",
                                  headers={"Authorization": f"Bearer {clerk.tokens[ANNA.pda1_issuer]}"},
                                  json={"configuration_id": "pda1", "claims": unnumbered(a1), "holder": HOLDER,
                                        "confirm_overlap": True})
            assert made.status_code == 201, made.text
            offer = clerk.offer(ANNA.pda1_issuer, made.json()["id"])
            wallet.accept_offer(wallet.open_offer(offer["link"])[0], offer["tx_code"])
            self.wallets[name] = wallet
        return self.wallets[name]

    def check(self, wallet: Any, verifier: str, token: str, lang: str = "en") -> tuple[dict[str, Any], Any,
                                                                                       dict[str, Any]]:
        """The inspection of ``verifier`` answered by ``wallet``, the worker reading ``lang``: the
        request, the wallet's consent screen and the verdict."""
        inspector = Inspector(verifier, self.http, token)
        request = inspector.request("pda1")
        consent = wallet.open_request(request["link"], lang)
        wallet.share(consent.id)
        return request, consent, inspector.result(request)["verdict"]

    def page(self, verifier: str, token: str, request: dict[str, Any], lang: str) -> str:
        page = self.http.get(f"{verifier}/inspect/{request['transaction_id']}/verdict", params={"lang": lang},
                             headers={"Authorization": f"Bearer {token}"})
        assert page.status_code == 200, page.status_code
        return _text(page.text)


def _access_files(directory: Path, entity: Entity) -> tuple[dict[str, Any], x509.Certificate]:
    """An inspectorate's own access certificate and key, issued by a CA of its own."""
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca_key, ca = create_entity_ca(entity, now=now)
    key, leaf = issue_access_certificate(entity, ca_key, ca, now=now)
    write_private_key(directory / "access.key.pem", key)
    write_certificates(directory / "access.pem", [leaf])
    write_certificates(directory / "ca.pem", [ca])
    return ({"access_key_file": directory / "access.key.pem", "access_chain_file": directory / "access.pem",
             "access_ca_file": directory / "ca.pem"}, ca)


def _register(data: Path, entity: Entity, ca: x509.Certificate) -> None:
    """``entity`` on the pilot's verifiers list, with its CA (as an operator registers an inspectorate)."""
    engine = make_engine(f"sqlite:///{data / 'registry.db'}")
    try:
        Registry(engine).add_entity({
            "id": entity.id, "country": entity.country, "name": entity.name, "name_en": entity.name_en,
            "roles": ["verifier"], "dns_name": entity.dns_name, "path": entity.path,
            "may_request": {k: list(v) for k, v in entity.may_request.items()},
            "certificates": [{"pem": ca.public_bytes(serialization.Encoding.PEM).decode("ascii"), "usage": "ca"}]},
            who="test")
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pilot]:
    with austrian_and_german_inspectorates(tmp_path_factory.mktemp("place-of-work")) as running:
        yield running


@contextmanager
def austrian_and_german_inspectorates(base: Path) -> Iterator[Pilot]:
    """The pilot with an Austrian inspectorate (a replica of its verifier as FINPOL) and a German one (FKS,
    registered with its own access CA), on loopback ports under ``base``."""
    from verifier.app import create_app

    data = base / "pilot"
    files, ca = _access_files(base / "fks-keys", FKS)
    with start_in_process(data) as stack, httpx.Client(timeout=60) as http:
        _register(data, FKS, ca)  # before any wallet fetches the verifiers list
        fks_dir, port = base / "fks", free_port()
        settings = VerifierSettings(data_dir=fks_dir, pki_dir=data / "pki", public_url=f"http://127.0.0.1:{port}",
                                    registry_url=stack.registry_url, entity_id=FKS.id, **files)
        with verifier_replica(stack, entity_id=FINPOL.id, retention_seconds=600) as (_service, austria), \
                serve(create_app(settings), port=port) as germany:
            pilot = Pilot(stack, http, austria, germany.url, inspector_token(fks_dir))
            try:
                yield pilot
            finally:
                for wallet in pilot.wallets.values():
                    wallet.http.close()


def _a1(verdict: dict[str, Any]) -> dict[str, Any]:
    docs: list[dict[str, Any]] = [d for d in verdict["person"]["documents"] if d["vct"] == pda1.VCT]
    assert len(docs) == 1, verdict["person"]
    return docs[0]


# --- the query ------------------------------------------------------------------------------------------


def _held(claims: dict[str, Any]) -> dcql.HeldCredential:
    a1 = pda1.validate(claims)
    return dcql.HeldCredential("a1", pda1.VCT, a1, frozenset((name,) for name in a1))


def test_the_inspection_asks_for_the_places_of_work_in_either_shape() -> None:
    """Review E, F7 (adapted): the query names both shapes of section 5, in claim_sets (OpenID4VP §6.4.1)
    that an A1 of either shape, or one naming no place of work at all (a civil servant's, 05), answers:
    each with what it has, the place of work first where it has one."""
    query = profile_query("pda1")
    ours = next(q for q in query["credentials"] if q["id"] == "pda1")
    asked = {c["path"][0] for c in ours["claims"]}
    assert {"work_address", "work_information"} <= asked
    civil_servant = {**{k: v for k, v in ANNA.pda1.items() if k != "work_address"}, "status_confirmation": "05"}
    for claims, shown in ((ANNA.pda1, {"work_address"}), (TWO_PLACES, {"work_information"}),
                          (NO_FIXED_PLACE, {"work_information"}), (civil_servant, set())):
        chosen = dcql.match({"credentials": [ours]}, [_held(claims)])
        assert chosen.satisfiable, claims
        paths = {p[0] for p in chosen.selection["pda1"][1]}
        assert paths & {"work_address", "work_information"} == shown
        assert {"legislation_country", "status_confirmation", "employer"} <= paths
    # The same asked of the A1 as ISO mdoc, and of one in the EUDI reference model (places_of_work).
    twin = next(q for q in query["credentials"] if q["id"] == "pda1_mdoc")
    assert {"work_address", "work_information"} <= {c["path"][1] for c in twin["claims"]}
    eudi = next(q for q in query["credentials"] if q["id"] == "pda1_eudi")
    assert ["places_of_work"] in [c["path"] for c in eudi["claims"]]
    dcql.validate(query)


# --- the verdict ----------------------------------------------------------------------------------------


def test_an_a1_naming_work_in_germany_checked_by_the_austrian_financial_police_is_valid_with_a_notice(
        pilot: Pilot) -> None:
    request, consent, verdict = pilot.check(pilot.wallet("v1", ANNA.pda1), pilot.austria,
                                            pilot.stack.inspector_token, "lv")
    # The worker sees the new claim asked for, in her language (the type metadata's label).
    a1_item = next(i for i in consent.items if i.query_id == "pda1")
    place = next(c for c in a1_item.claims if c.path == ("work_address",))
    assert place.label == "Darba vieta" and "Berlin" in place.value
    assert verdict["verdict"] == "valid", verdict
    assert [(n["key"], n["params"]) for n in verdict["notices"]] == [
        ("pda1.work_elsewhere", {"country": "AT", "places": "DE"})]
    assert "DE" in verdict["notices"][0]["message"] and "AT" in verdict["notices"][0]["message"]
    assert verdict["reason_key"] == "pda1.work_elsewhere"  # valid, and what the inspector must know
    shown = _a1(verdict)["work_address"]
    assert (shown["locality"], shown["postal_code"], shown["country"]) == ("Berlin", "10115", "DE")
    # The inspector's page, in every language: the place of work and the notice, said once.
    for lang in i18n.LANGUAGES:
        said = pilot.page(pilot.austria, pilot.stack.inspector_token, request, lang)
        assert i18n.t("verifier.places_of_work", lang) in said, (lang, said)
        assert "Musterstraße 12, 10115 Berlin" in said, (lang, said)
        notice = messages.notice_text(verdict["notices"][0], lang)
        assert said.count(notice) == 1, (lang, said)
        assert country_name("DE", lang) in notice and country_name("AT", lang) in notice
    assert "Musterstraße 12, 10115 Berlin, Germany" in pilot.page(pilot.austria, pilot.stack.inspector_token,
                                                                  request, "en")


def test_the_same_a1_checked_in_germany_or_in_the_state_of_its_legislation_has_no_notice(pilot: Pilot) -> None:
    """Checked where it names the work, or by Latvia's labour inspectorate: a Latvian A1 says the person
    is insured in Latvia, wherever it says the work is."""
    for verifier, token in ((pilot.germany, pilot.germany_token), (pilot.stack.verifier_url,
                                                                   pilot.stack.inspector_token)):
        _request, _consent, verdict = pilot.check(pilot.wallet("v1", ANNA.pda1), verifier, token)
        assert verdict["verdict"] == "valid", verdict
        assert verdict["notices"] == [] and verdict["reason_key"] == "", verdict
        assert _a1(verdict)["work_address"]["locality"] == "Berlin"


def test_a_v11_a1_with_two_places_shows_both_and_no_notice_where_one_is_in_the_inspectorates_state(
        pilot: Pilot) -> None:
    request, consent, verdict = pilot.check(pilot.wallet("v11", TWO_PLACES), pilot.austria,
                                            pilot.stack.inspector_token, "de")
    a1_item = next(i for i in consent.items if i.query_id == "pda1")
    place = next(c for c in a1_item.claims if c.path == ("work_information",))
    assert place.label == "Arbeitsorte" and "Berlin" in place.value and "Wien" in place.value
    assert verdict["verdict"] == "valid", verdict
    assert verdict["notices"] == [], verdict
    places = _a1(verdict)["work_information"]["work_address"]
    assert [p["locality"] for p in places] == ["Berlin", "Wien"]
    said = pilot.page(pilot.austria, pilot.stack.inspector_token, request, "de")
    assert "Musterstraße 12, 10115 Berlin, Deutschland" in said and "Baustelle Prater, 1020 Wien, Österreich" in said
    # Checked in Germany, the A1 names a place there too.
    _request, _consent, verdict = pilot.check(pilot.wallet("v11", TWO_PLACES), pilot.germany, pilot.germany_token)
    assert verdict["verdict"] == "valid" and verdict["notices"] == [], verdict


def test_an_a1_naming_no_fixed_place_of_work_in_germany_checked_in_austria_gets_the_notice(pilot: Pilot) -> None:
    """Section 5 of the A1 names the state where the work has no fixed place (rulebook v1.1
    ``no_fixed_place_of_work``, one state's code): work in Austria is no more covered by an A1 naming
    work only in Germany than by one naming an address there (883/2004 Art. 12, 13; 987/2009 Art. 16),
    so the Austrian inspector is told to check, as for an address; the state is still shown."""
    request, _consent, verdict = pilot.check(pilot.wallet("no-fixed", NO_FIXED_PLACE), pilot.austria,
                                             pilot.stack.inspector_token)
    assert verdict["verdict"] == "valid", verdict
    assert [(n["key"], n["params"]) for n in verdict["notices"]] \
        == [(verification.WORK_ELSEWHERE, {"country": "AT", "places": "DE"})], verdict
    assert _a1(verdict)["work_information"] == {"no_fixed_place_of_work": "DE"}
    for lang in i18n.LANGUAGES:
        said = pilot.page(pilot.austria, pilot.stack.inspector_token, request, lang)
        assert i18n.t("verifier.no_fixed_place", lang, country=country_name("DE", lang)) in said, (lang, said)
        assert messages.notice_text(verdict["notices"][0], lang) in said, (lang, said)


def test_an_a1_naming_no_fixed_place_of_work_in_germany_checked_in_germany_has_no_notice(pilot: Pilot) -> None:
    _request, _consent, verdict = pilot.check(pilot.wallet("no-fixed", NO_FIXED_PLACE), pilot.germany,
                                              pilot.germany_token)
    assert verdict["verdict"] == "valid" and verdict["notices"] == [], verdict


def test_the_inspection_records_and_their_csv_hold_no_address(pilot: Pilot) -> None:
    """Data minimisation (verifier/records.py): the places of work are shown, never kept; the record
    keeps the notice as its reason's key."""
    for name, a1 in (("v1", ANNA.pda1), ("v11", TWO_PLACES)):
        pilot.check(pilot.wallet(name, a1), pilot.austria, pilot.stack.inspector_token)
    day = datetime.now(VerifierSettings(data_dir=pilot.stack.data_dir, entity_id=FINPOL.id).zone()).date()
    headers = {"Authorization": f"Bearer {pilot.stack.inspector_token}"}
    listed = pilot.http.get(f"{pilot.austria}/api/records", params={"from": day.isoformat(), "to": day.isoformat()},
                            headers=headers)
    assert listed.status_code == 200, listed.text
    as_csv = pilot.http.get(f"{pilot.austria}/api/records.csv", params={"from": day.isoformat(),
                                                                         "to": day.isoformat()}, headers=headers)
    assert as_csv.status_code == 200, as_csv.text
    records = listed.json()["records"]
    assert "pda1.work_elsewhere" in {r["reason_key"] for r in records}
    assert "pda1.work_elsewhere" in {r["reason_key"] for r in csv.DictReader(io.StringIO(as_csv.text))}
    for text in (listed.text, as_csv.text):
        assert not [part for part in ADDRESS_PARTS if part in text]


# --- the trust registry ---------------------------------------------------------------------------------


def test_seeding_a_registry_of_an_older_release_adds_the_places_of_work_to_the_demo_inspectorates(
        pilot: Pilot, tmp_path: Path) -> None:
    """A pilot whose demo inspectorates were registered without section 5: seeding again widens them to
    the places of work the inspection asks for (trust_registry/seed.py), so that wallets do not refuse it."""
    places = ("work_address", "work_information")
    older = tuple(replace(e, may_request={vct: tuple(c for c in claims if vct != pda1.VCT or c not in places)
                                          for vct, claims in e.may_request.items()}) for e in DEMO_ENTITIES)
    pki = load_demo_pki(pilot.stack.data_dir / "pki")
    now = datetime.now(UTC)
    requested = dcql.requested_claims(profile_query("pda1"))
    engine = make_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    try:
        registry = Registry(engine)
        seed(registry, pki, older)
        chain = pki.access["AT:FINPOL"][1]
        with pytest.raises(IssuerTrustError, match="work_address"):
            trust_list.authorised_verifier(registry.build_list("verifiers", now), chain, requested, at=now)
        seed(registry, pki)
        verifiers = registry.build_list("verifiers", now)
        for entity_id in ("LV:VDI", "AT:FINPOL"):
            listed = verifiers.entity(entity_id)
            assert listed is not None and set(places) <= set(listed.may_request[pda1.VCT])
            assert trust_list.authorised_verifier(verifiers, pki.access[entity_id][1], requested,
                                                  at=now).id == entity_id
    finally:
        engine.dispose()


def test_a_wallet_refuses_the_inspection_of_an_inspectorate_an_operator_did_not_allow_places_of_work(
        pilot: Pilot) -> None:
    """As for any claim beyond ``may_request``: the operator's choice stands, a later seed does not undo it."""
    stack = pilot.stack
    vdi = demo_entity("LV:VDI")
    narrowed = {vct: [c for c in claims if vct != pda1.VCT or c not in ("work_address", "work_information")]
                for vct, claims in vdi.may_request.items()}
    admin = {"Authorization": f"Bearer {admin_token(RegistrySettings(data_dir=stack.data_dir))}"}
    put = pilot.http.put(f"{stack.registry_url}/admin/entities/LV:VDI/may-request", json={"may_request": narrowed},
                         headers=admin)
    assert put.status_code == 200, put.text
    seed_data_dir(stack.data_dir, issuer_url=stack.issuer_url)  # a restart of the pilot seeds again
    wallet = open_wallet(stack.data_dir / "phone-fresh", stack.registry_url, "pw", fast_kdf=True,
                         pki_dir=stack.data_dir / "pki")
    try:
        request = Inspector(stack.verifier_url, pilot.http, stack.inspector_token).request("pda1")
        with pytest.raises(IssuerTrustError, match=r"not registered to request: .*work_address"):
            wallet.open_request(request["link"], "en")
    finally:
        wallet.http.close()


# --- which A1s the notice is for (review K, K5) ---------------------------------------------------------


def _vouched_a1(status: str, place: dict[str, Any], legislation: str = "DE") -> verification.CredentialResult:
    """A German A1 of ``status`` naming ``place``, its institution vouched for (as the verifier's checks
    leave it)."""
    claims = {"legislation_country": legislation, "issuing_country": legislation, "status_confirmation": status,
              "starting_date": "2026-11-01", "ending_date": "2027-10-31",
              "employer": {"id": "HRB1", "name": "Carrier GmbH", "country": legislation}, "work_address": place}
    return verification.CredentialResult("pda1", vct=pda1.VCT, claims=claims, issuer_id=f"{legislation}:DRV",
                                         issuer_country=legislation)


SHIP = {"company_name": "MS Elbe", "company_id": "IMO9876543", "locality": "Hamburg", "country": "DE",
        "flag_base_home": "DE"}
CREW_BASE = {"locality": "Frankfurt am Main", "country": "DE", "flag_base_home": "FRA"}
BERLIN = {"street_address": "Wilhelmstraße", "house_number": "97", "postal_code": "10117", "locality": "Berlin",
          "country": "DE"}


@pytest.mark.parametrize("status, place", [
    ("05", BERLIN),     # Art. 11(3)(b): the legislation of the administration's state, wherever the work is
    ("06", BERLIN),     # Art. 15: the legislation the EU's contract staff opted for, for that employment
    ("07", SHIP),       # Art. 11(4): work on board is deemed pursued in the flag state
    ("09", BERLIN),     # Art. 13(4): the administration's state, whichever states the other activity is in
    ("10", CREW_BASE),  # Art. 11(5): a crew member's activity is deemed pursued in the home base's state
], ids=["civil-servant", "contract-staff", "mariner", "civil-servant-and-other-activity", "flight-crew"])
def test_no_work_elsewhere_notice_where_the_a1_covers_the_work_wherever_it_is_done(
        status: str, place: dict[str, Any]) -> None:
    """Review K, K5: a German mariner aboard in Rīga port, or a German crew member at Rīga airport, is
    doing work the A1 covers: "the work checked here is in Latvia: check whether the A1 covers it" would
    be false, and invite a dispute."""
    for inspectorate in ("LV", "AT"):
        keys = [n.key for n in verification.notices([_vouched_a1(status, place)], inspectorate)]
        assert verification.WORK_ELSEWHERE not in keys, (status, inspectorate, keys)


@pytest.mark.parametrize("status", ["01", "02", "03", "04", "08", "11", "12"])
def test_the_work_elsewhere_notice_stays_where_the_legislation_follows_the_places_named(status: str) -> None:
    """A posting (Art. 12), work in two or more states (Art. 13(1) to (3)), an Art. 16 agreement and lex
    loci laboris (Art. 11(3)(a)) are decided on where the work is: an A1 naming only German places,
    checked in Latvia, gets the notice; an A1 whose status cannot be read too (the inspector checks)."""
    told = verification.notices([_vouched_a1(status, BERLIN)], "LV")
    assert [(n.key, n.params) for n in told] == [(verification.WORK_ELSEWHERE, (("country", "LV"),
                                                                                ("places", "DE")))]
    unread = _vouched_a1(status, BERLIN)
    unread.claims.pop("status_confirmation")
    assert [n.key for n in verification.notices([unread], "LV")] == [verification.WORK_ELSEWHERE]


@pytest.mark.parametrize("unfixed", ["DE", ["DE"], ["DE", "PL"]])
def test_a_state_with_no_fixed_place_of_work_counts_as_a_state_of_work_for_the_notice(unfixed: Any) -> None:
    """Rulebook v1.1 ``no_fixed_place_of_work`` is a state's code (the EUDI model's and the offline
    code's, a list): an A1 naming work only there gets the notice elsewhere, beside an address or alone,
    and none in a state it names."""
    a1 = _vouched_a1("02", BERLIN, legislation="AT")
    a1.claims.pop("work_address")
    a1.claims["work_information"] = {"no_fixed_place_of_work": unfixed}
    states = ",".join(dict.fromkeys(["DE", *([unfixed] if isinstance(unfixed, str) else unfixed)]))
    assert [(n.key, n.params) for n in verification.notices([a1], "LV")] \
        == [(verification.WORK_ELSEWHERE, (("country", "LV"), ("places", states)))]
    assert verification.notices([a1], "DE") == []
    a1.claims["work_information"] = {"no_fixed_place_of_work": unfixed, "work_address": [{"country": "LV"}]}
    assert verification.notices([a1], "LV") == []
    a1.claims["work_information"] = {"no_fixed_place_of_work": "XX"}  # no coordination state: never on a guess
    assert verification.notices([a1], "LV") == []


# --- the words of the notice (review K, K6) -------------------------------------------------------------


def test_the_latvian_notice_says_the_places_are_only_in_the_states_named() -> None:
    """"tikai šeit: Austrija" read "only here: Austria", the opposite of what is meant."""
    notice = {"key": verification.WORK_ELSEWHERE, "params": {"country": "LV", "places": "AT"}}
    text = messages.notice_text(notice, "lv")
    assert "tikai šeit" not in text and "tikai šādās valstīs: Austrija" in text, text


def test_the_french_words_elide_before_a1() -> None:
    """"A1" is read "a-un": "cet A1", "l'A1", never "ce A1" or "le A1"."""
    notice = {"key": verification.WORK_ELSEWHERE, "params": {"country": "AT", "places": "DE"}}
    for text in (messages.notice_text(notice, "fr"), i18n.t("verifier.reason.pda1.work_elsewhere", "fr")):
        assert not re.search(r"\b(ce|le|du|au|de) A1\b", text, re.IGNORECASE), text
    assert messages.notice_text(notice, "fr").startswith("Cet A1 ")
    assert i18n.t("verifier.reason.pda1.work_elsewhere", "fr").startswith("L'A1 ")


# --- a ship or a crew base on the verdict (review K, K7) ------------------------------------------------


def _a1_doc(status: str | None, place: dict[str, Any]) -> dict[str, Any]:
    return {"vct": pda1.VCT, "work_address": place, **({"status_confirmation": status} if status else {})}


def test_the_verdict_names_the_ship_with_its_imo_number_and_says_the_code_is_its_flag_state() -> None:
    """Section 5 of a mariner's A1 names the ship and its flag state (Art. 11(4)): the line keeps the
    IMO number and labels the flag, in every language, and names the flag state as a state."""
    flag = {"en": "flag state: Germany", "lv": "karoga valsts: Vācija", "de": "Flaggenstaat: Deutschland",
            "fr": "État du pavillon : Allemagne", "pl": "państwo bandery: Niemcy"}
    for lang in i18n.LANGUAGES:
        line = (messages.places_of_work(_a1_doc("07", SHIP), lang) or [""])[0]
        assert line.startswith("MS Elbe (IMO9876543), Hamburg, ") and line.endswith(flag[lang]), (lang, line)
        assert line.count(country_name("DE", lang)) == 2, (lang, line)  # the place's state, and the flag's
    # Its status not shown, the line says what the code may be, as the paper copy does.
    line = (messages.places_of_work(_a1_doc(None, SHIP), "en") or [""])[0]
    assert "IMO9876543" in line and line.endswith("flag state or home base: Germany"), line


def test_the_verdict_labels_a_crew_members_home_base() -> None:
    """Art. 11(5): a crew member's activity is deemed pursued where the home base (Annex III to Reg.
    3922/91) is; the base is an airport's code, written as it stands."""
    base = {"en": "home base: FRA", "lv": "mājas bāze: FRA", "de": "Heimatbasis: FRA",
            "fr": "base d'affectation : FRA", "pl": "baza macierzysta: FRA"}
    for lang in i18n.LANGUAGES:
        line = (messages.places_of_work(_a1_doc("10", CREW_BASE), lang) or [""])[0]
        assert line == f"Frankfurt am Main, {country_name('DE', lang)}, {base[lang]}", (lang, line)


def test_a_crew_members_a1_checked_at_another_states_airport_is_valid_without_a_notice_and_shows_the_base(
        pilot: Pilot) -> None:
    """End to end (review K, K5 and K7): Anna as cabin crew of a Latvian airline (status 10, LV
    legislation, home base RIX), checked by the Austrian Financial Police at Vienna airport."""
    crew = {**{k: v for k, v in ANNA.pda1.items() if k != "work_address"}, "status_confirmation": "10",
            "work_address": {"company_name": "airBaltic", "locality": "Rīga airport", "country": "LV",
                             "flag_base_home": "RIX"}}
    request, _consent, verdict = pilot.check(pilot.wallet("crew", crew), pilot.austria, pilot.stack.inspector_token)
    assert verdict["verdict"] == "valid", verdict
    assert verdict["notices"] == [] and verdict["reason_key"] == "", verdict
    for lang in i18n.LANGUAGES:
        said = pilot.page(pilot.austria, pilot.stack.inspector_token, request, lang)
        assert i18n.t("verifier.home_base", lang, value="RIX") in said, (lang, said)
