"""An EHIC's names cannot be withheld, and the holder link needs the birth date (pentest R5 findings 1
and 2, operator review R6 finding 1).

* The SD-JWT VC card's fields 3-5 are plain claims (credentials/ehic.py): a wallet cannot leave them
  out, so a card of another person is NAME_MISMATCH beside the PID, whatever the consent screen ticks.
* An mdoc card's every element is withholdable: one dated from the cutover shown without its names
  beside a PID leaves the link undetermined (credentials/holder_link.py NAMES_WITHHELD).
* SAME_NAME only when the surname and the birth date were compared and agree.
* The verifier never asks for an optional claim its registration does not allow (an inspectorate
  registered before the names existed keeps getting answers), and `esspass verifier check` says so.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_ehic_desk import ANNA, JAN, Desk
from test_ehic_holder import ANNA_CARD, ANNA_PID, AT_CARD, JAN_HOLDER

from credentials import dcql, ehic, holder_link, i18n, sd_jwt
from credentials import verification as v
from credentials.demo_persons import DEMO_PERSONS
from credentials.institutions import demo_entity
from esspass.stack import Clerk, Inspector, InspectorAuth, open_wallet, start_in_process, unnumbered
from trust_registry.settings import RegistrySettings, admin_token
from verifier import messages
from verifier.service import profile_query

ROOT = Path(__file__).resolve().parent.parent
#: The EHIC claims an inspectorate was registered for before this release: without Decision S2 fields 3-5.
_PRE_RELEASE_EHIC = [c for c in demo_entity("LV:VDI").may_request[ehic.VCT] if c not in ehic.HOLDER_CLAIMS]


@pytest.fixture(scope="module")
def hospital(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    data_dir = tmp_path_factory.mktemp("pentest-holder")
    with start_in_process(data_dir) as stack, \
            httpx.Client(timeout=30, auth=InspectorAuth(stack.inspector_token)) as http:
        yield Desk(stack, http, Clerk(stack.issuer_url, data_dir, http), data_dir)


def _ehic_request(desk: Desk, **request: Any) -> dict[str, str]:
    r = desk.http.post(f"{desk.stack.verifier_url}/api/requests", json={"profile": "ehic", **request})
    assert r.status_code in (200, 201), r.text
    out: dict[str, str] = r.json()
    return out


def _verdict(desk: Desk, req: dict[str, str]) -> dict[str, Any]:
    answer = desk.http.get(f"{desk.stack.verifier_url}{req['result_url']}").json()
    verdict: dict[str, Any] = answer["verdict"]
    return verdict


# Pentest R5, finding 1: another person's card ------------------------------------------------------

def test_attack_another_persons_ehic_is_valid_when_the_wallet_shares_as_its_consent_screen_stands(
        hospital: Desk) -> None:
    """Anna's wallet holds Jan's Polish card (an offer code passed on) and her own PID. Sharing with
    every optional claim withheld (the consent page's default) must not leave out the card's names."""
    w = hospital.wallet(person=ANNA)
    hospital.card(w, unnumbered(JAN.ehic), entity=JAN.ehic_issuer, holder=JAN_HOLDER)
    req = _ehic_request(hospital)
    consent = w.open_request(req["link"], "en")
    assert consent.satisfiable
    w.share(consent.id, consent.optional_claims)
    verdict = _verdict(hospital, req)
    assert verdict["verdict"] != "valid", (verdict["verdict"], verdict["reason_key"], verdict["reason"])
    assert verdict["reason_key"] == "holder_link.name_mismatch", verdict["reason_key"]


def test_attack_another_persons_ehic_is_valid_through_the_wallets_consent_page(hospital: Desk) -> None:
    """The same attack through the wallet's own pages: Share as the screen stands."""
    from test_wallet_privacy import _csrf, _unlocked, _wallet_page

    w = hospital.wallet(person=ANNA)
    hospital.card(w, unnumbered(JAN.ehic), entity=JAN.ehic_issuer, holder=JAN_HOLDER)
    wallet_dir = hospital.tmp / f"phone{hospital.n}"
    req = _ehic_request(hospital)
    with _wallet_page(hospital.stack, wallet_dir) as server, httpx.Client(base_url=server.url, timeout=30) as page:
        _unlocked(page)
        present = page.get("/present")
        consent = page.post("/present", data={"link": req["link"], "csrf": _csrf(present.text)},
                             follow_redirects=True)
        assert consent.status_code == 200 and 'id="consent"' in consent.text, consent.text[:500]
        share = re.search(r'action="(/present/[^"]+/share)"', consent.text)
        assert share is not None
        done = page.post(share.group(1), data={"csrf": _csrf(consent.text), "choosing": "1"}, follow_redirects=True)
        assert 'id="shared"' in done.text, done.text[:500]
    verdict = _verdict(hospital, req)
    assert verdict["verdict"] != "valid", (verdict["verdict"], verdict["reason_key"], verdict["reason"])


def test_the_sd_jwt_ehic_names_are_not_selectively_disclosable(hospital: Desk) -> None:
    """The card's fields 3-5 are signed in the clear (its type metadata says ``sd: never``), so every
    presentation shows them; the SD-JWT VC query therefore does not ask for them."""
    assert not {(n,) for n in ehic.HOLDER_CLAIMS} & set(ehic.SD_PATHS)
    meta = {tuple(c["path"]): c.get("sd") for c in ehic.type_metadata_document()["claims"]}
    assert all(meta[(n,)] == "never" for n in ehic.HOLDER_CLAIMS), meta
    w = hospital.wallet(with_pid=False)
    hospital.card(w, unnumbered(ANNA.ehic))
    sd = next(c for c in w.credentials() if c.vct == ehic.VCT and c.format == "dc+sd-jwt")
    assert not {(n,) for n in ehic.HOLDER_CLAIMS} & set(sd_jwt.disclosable_paths(sd.credential))
    doc = next(q for q in profile_query("ehic")["credentials"] if q["id"] == "ehic")
    assert not {c["path"][0] for c in doc["claims"]} & set(ehic.HOLDER_CLAIMS)


# Pentest R5, finding 2: names without a birth date -------------------------------------------------

def test_attack_withholding_only_the_birth_date_lets_a_namesakes_ehic_pass_as_same_name(hospital: Desk) -> None:
    """Father and son share a name (Jan Kowalski, born 1979 and 2005). The son's modified wallet shows
    his father's card beside his own PID without the card's birth date: it cannot, the birth date is
    in the clear, and the dates differ (the son's PID carries his own PESEL, as Jan's card carries his father's)."""
    w = hospital.wallet(person=JAN, pid_claims={"birthdate": "2005-06-15",
                                                "personal_administrative_number": "DEMO-05261500001"})
    hospital.card(w, unnumbered(JAN.ehic), entity=JAN.ehic_issuer, holder=JAN_HOLDER)
    req = _ehic_request(hospital)
    consent = w.open_request(req["link"], "en")
    cred, paths = consent.selection["ehic"]
    crafted = {**consent.selection, "ehic": (cred, tuple(p for p in paths if p != ("birth_date",)))}
    w._requests[consent.id] = replace(consent, selection=crafted)  # a modified wallet's answer
    w.share(consent.id)
    verdict = _verdict(hospital, req)
    assert verdict["verdict"] != "valid", (verdict["verdict"], verdict["reason_key"], verdict["reason"])


def test_attack_names_without_a_birth_date_are_not_a_same_name_link() -> None:
    """A card showing only names that the PID's person shares (a namesake, a parent) is no proof it is
    theirs: not SAME_NAME."""
    card = {**AT_CARD, "family_name": "Kowalski", "given_name": "Jan"}
    son = {"family_name": "Kowalski", "given_name": "Jan", "birthdate": "2005-06-15", "issuing_country": "PL"}
    found = holder_link.link(ehic.VCT, card, son)
    assert found.outcome != holder_link.SAME_NAME, found


def test_attack_a_subset_of_given_names_and_a_surname_part_match_another_person_without_birth_date() -> None:
    """"Anna Ozola" and "Anna Marija Bērziņa-Ozola" agree by subset on both fields: without the birth
    date that is not the same person; with a differing one it is a mismatch."""
    card = {"family_name": "Ozola", "given_name": "Anna"}
    other = {"family_name": "Bērziņa-Ozola", "given_name": "Anna Marija", "birthdate": "1990-01-01"}
    assert holder_link.same_names(card, other) is not True
    assert holder_link.same_names({**card, "birthdate": "1961-03-02"}, other) is False


def test_same_name_needs_the_surname_and_the_birth_date_and_says_what_was_compared() -> None:
    """SAME_NAME: the surname and the birth date agree; the sentence names what was compared."""
    assert holder_link.same_names({"birthdate": ANNA.pid["birthdate"]}, ANNA_PID) is None  # a birth date alone
    full = holder_link.link(ehic.VCT, {**AT_CARD, **ANNA_CARD}, ANNA_PID)
    assert full.outcome == holder_link.SAME_NAME and "given names and date of birth" in full.message, full
    no_given = {k: x for k, x in ANNA_CARD.items() if k != "given_name"}
    part = holder_link.link(ehic.VCT, {**AT_CARD, **no_given}, ANNA_PID)
    assert part.outcome == holder_link.SAME_NAME and "given names not compared" in part.message, part
    other_given = holder_link.link(ehic.VCT, {**AT_CARD, **ANNA_CARD, "given_name": "Līga"}, ANNA_PID)
    assert other_given.outcome == holder_link.NAME_MISMATCH, other_given


# The mdoc card: every element withholdable -----------------------------------------------------------

@pytest.mark.parametrize("left_out", [tuple(ehic.HOLDER_CLAIMS), ("birth_date",)])
def test_an_mdoc_ehic_from_the_cutover_shown_without_its_names_beside_a_pid_is_undetermined(
        left_out: tuple[str, ...]) -> None:
    """An mdoc card issued from :data:`ehic.HOLDER_SIGNED_FROM` carries fields 3-5; shown without them
    (all, or only the birth date) beside a PID, it cannot be tied to the person: NOT_RUN, never valid.
    The same card as SD-JWT VC cannot come without them, so no such rule applies to it."""
    shown = {**AT_CARD, **{k: x for k, x in ANNA_CARD.items() if k not in left_out},
             "date_of_issuance": ehic.HOLDER_SIGNED_FROM.isoformat()}
    found = holder_link.link(ehic.VCT, shown, ANNA_PID, withholdable=True)
    assert found.outcome == holder_link.NAMES_WITHHELD and found.holds, found
    document = v.CredentialResult("ehic_mdoc", vct=ehic.VCT, doc_type="eu.europa.ec.eudi.ehic.1", claims=shown)
    person = v.CredentialResult("pid", vct="urn:eudi:pid:1", claims=ANNA_PID)
    for r in (document, person):
        r.steps.append(v.Step("key_binding", v.PASSED, "ok"))
    steps = v._holder_link_steps([document, person])
    assert [(s.result, s.key) for s in steps] == [(v.NOT_RUN, "holder_link.names_withheld")], steps
    # A card naming another person is still a mismatch, whatever else it left out.
    wrong = {**shown, "family_name": "Kowalski", "given_name": "Jan"}
    assert holder_link.link(ehic.VCT, wrong, ANNA_PID, withholdable=True).outcome in (
        holder_link.NAME_MISMATCH, holder_link.NAMES_WITHHELD)


def test_an_mdoc_ehic_issued_before_the_cutover_without_names_is_linked_as_before() -> None:
    """A card issued before fields 3-5 were signed into it has none to show: tied by the wallet."""
    old = {**AT_CARD, "date_of_issuance": "2026-01-15"}
    signed = datetime(2026, 1, 15, 10, tzinfo=UTC)  # the MSO's validityInfo.signed decides, not the date shown
    assert holder_link.link(ehic.VCT, old, ANNA_PID, withholdable=True,
                            signed_at=signed).outcome == holder_link.SAME_WALLET
    # Its SD-JWT VC form (no names: issued before) likewise; names shown and agreeing: SAME_NAME.
    assert holder_link.link(ehic.VCT, AT_CARD, ANNA_PID).outcome == holder_link.SAME_WALLET
    named = {**AT_CARD, **ANNA_CARD, "date_of_issuance": ehic.HOLDER_SIGNED_FROM.isoformat()}
    assert holder_link.link(ehic.VCT, named, ANNA_PID, withholdable=True).outcome == holder_link.SAME_NAME


def test_the_mdoc_ehic_is_asked_for_its_names_with_an_option_for_older_cards() -> None:
    """The mdoc query asks fields 3-5 in the option tried first for a holder's own card, and keeps one
    without them (a card issued before the cutover has none)."""
    twin = next(q for q in profile_query("ehic")["credentials"] if q["id"] == "ehic_mdoc")
    ids = {c["path"][1]: c["id"] for c in twin["claims"]}
    names = {ids[n] for n in ehic.HOLDER_CLAIMS}
    own = [o for o in twin["claim_sets"] if ids["subject"] not in o]
    assert names <= set(own[0]) and any(not names & set(o) for o in own), twin["claim_sets"]


def test_the_names_withheld_reason_is_said_in_every_verifier_language() -> None:
    texts = {lang: messages.reason_text({"reason_key": "holder_link.names_withheld", "reason": "x"}, lang)
             for lang in i18n.LANGUAGES}
    assert "x" not in texts.values() and len(set(texts.values())) == len(texts), texts


# Operator review R6, finding 1: the verifier asks only what its registration allows ------------------

def test_optional_claims_the_registration_does_not_allow_are_trimmed_and_required_ones_are_not() -> None:
    """:func:`dcql.within_registration`: every claim_sets option naming a claim not allowed is dropped,
    the others keep their order; a claim every option needs is left for the wallet to refuse."""
    query = profile_query("ehic")
    registered = {ehic.VCT: tuple(_PRE_RELEASE_EHIC)}
    trimmed, left_out = dcql.within_registration(query, registered.get)
    assert sorted(name for _q, name in left_out) == sorted(ehic.HOLDER_CLAIMS), left_out
    assert not set(dcql.requested_claims(trimmed)[ehic.VCT]) - set(_PRE_RELEASE_EHIC)
    twin = next(q for q in trimmed["credentials"] if q["id"] == "ehic_mdoc")
    assert twin["claim_sets"] and all(len(o) > 3 for o in twin["claim_sets"])
    assert dcql.validate(trimmed) == trimmed
    # Everything allowed: nothing changes.
    assert dcql.within_registration(query, lambda _vct: None) == (query, ())
    # A required claim not allowed stays asked (the wallet refuses, `verifier check` says REFUSED).
    narrow = {ehic.VCT: ("document_number",)}
    kept, _ = dcql.within_registration(query, narrow.get)
    doc = next(q for q in kept["credentials"] if q["id"] == "ehic")
    assert any(c["path"] == ["personal_administrative_number"] for c in doc["claims"])


def test_an_ehic_check_still_gets_a_verdict_after_the_upgrade_for_an_inspectorate_registered_before_it(
        tmp_path: Path) -> None:
    """An inspectorate registered for the EHIC claims the verifier asked before this release: its
    requests leave out the claims it may not ask (the mdoc's names), the wallet answers, the SD-JWT VC
    card's names come in the clear, and `esspass verifier check` says what was not asked."""
    data = tmp_path / "pilot"
    with start_in_process(data) as stack, httpx.Client(timeout=60) as http:
        vdi = demo_entity("LV:VDI")
        may = {vct: list(claims) for vct, claims in vdi.may_request.items()}
        may[ehic.VCT] = _PRE_RELEASE_EHIC
        admin = {"Authorization": f"Bearer {admin_token(RegistrySettings(data_dir=stack.data_dir))}"}
        put = http.put(f"{stack.registry_url}/admin/entities/LV:VDI/may-request", json={"may_request": may},
                       headers=admin)
        assert put.status_code == 200, put.text
        wallet = open_wallet(data / "phone", stack.registry_url, "pw", fast_kdf=True, pki_dir=data / "pki")
        try:
            person = DEMO_PERSONS[0]
            holder = {k: person.pid[k] for k in ("family_name", "given_name", "birthdate")}
            Clerk(stack.issuer_url, data, http).hand_over(wallet, person.ehic_issuer, "ehic",
                                                          unnumbered(person.ehic), holder)
            inspector = Inspector(stack.verifier_url, http, stack.inspector_token)
            request = inspector.request("ehic")
            consent = wallet.open_request(request["link"], "en")
            wallet.share(consent.id)
            verdict = inspector.result(request)["verdict"]
            assert verdict["verdict"] == "valid", verdict
            # The card's names came unasked, in the clear: the desk is told to check the holder it names.
            assert verdict["reason_key"] == "holder_link.no_pid", verdict
        finally:
            wallet.http.close()
        env = {k: x for k, x in os.environ.items() if not k.startswith("ESSPASS_") and k != "DATABASE_URL"}
        checked = subprocess.run([sys.executable, "-m", "esspass.cli", "verifier", "check"], cwd=ROOT,
                                 env={**env, "ESSPASS_DATA_DIR": str(data),
                                      "ESSPASS_VERIFIER_REGISTRY_URL": stack.registry_url},
                                 capture_output=True, text=True, timeout=60)
        assert checked.returncode == 0, (checked.stdout, checked.stderr)
        ehic_lines = [line for line in checked.stdout.splitlines() if "trimmed" in line]
        assert len(ehic_lines) == 1 and all(n in ehic_lines[0] for n in ehic.HOLDER_CLAIMS), checked.stdout
