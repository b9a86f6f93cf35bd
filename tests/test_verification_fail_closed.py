"""Verification fails closed where a holder can leave something out (security review R9).

* Finding 1: the NAMES_WITHHELD cutover is the issuer's signing time (an mdoc's MSO
  ``validityInfo.signed``, an SD-JWT VC's ``iat``), never the clerk-typed ``date_of_issuance``.
* Finding 2: a Provisional Replacement Certificate shown by one end of its period only is not judged
  within it (coverage not run), for today and for a day of care, in either form.
* Finding 3: an SD-JWT VC card signed from the cutover showing no names beside a PID is undetermined
  too (another issuer may have made them selectively disclosable).
* Finding 4: "More time" extends one code a bounded number of times (WCAG 2.2.1 asks for at least
  ten), then gives a new code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from test_ehic_desk import ANNA, JAN, Desk

from credentials import dcql, ehic, holder_link, mdoc
from credentials import verification as v
from esspass.stack import Clerk, InspectorAuth, start_in_process, unnumbered, verifier_replica
from verifier.service import RENEWALS, profile_query

JAN_HOLDER = {k: JAN.pid[k] for k in ("family_name", "given_name", "birthdate")}
ANNA_PID = {"family_name": ANNA.pid["family_name"], "given_name": ANNA.pid["given_name"],
            "birthdate": ANNA.pid["birthdate"], "issuing_country": "LV"}
AT_CARD = {"issuing_country": "AT", "personal_administrative_number": "1234 300579", "document_number": "80040"}
CUTOVER = datetime(ehic.HOLDER_SIGNED_FROM.year, ehic.HOLDER_SIGNED_FROM.month, ehic.HOLDER_SIGNED_FROM.day,
                   tzinfo=UTC)


@pytest.fixture(scope="module")
def hospital(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    data_dir = tmp_path_factory.mktemp("fail-closed")
    with start_in_process(data_dir) as stack, \
            httpx.Client(timeout=30, auth=InspectorAuth(stack.inspector_token)) as http:
        yield Desk(stack, http, Clerk(stack.issuer_url, data_dir, http), data_dir)


# Finding 1 ----------------------------------------------------------------------------------------

def test_attack_mdoc_ehic_signed_after_the_cutover_with_an_earlier_date_of_issuance_hides_its_names(
        hospital: Desk) -> None:
    """Jan's card is recorded with the date the card was issued (before HOLDER_SIGNED_FROM), so its mdoc
    is signed today WITH fields 3-5. Anna's modified wallet shows it beside her own PID, leaving the
    names out. Judged by the signing time, the names it carries were withheld: never "valid"."""
    w = hospital.wallet(person=ANNA)
    hospital.card(w, {**unnumbered(JAN.ehic), "date_of_issuance": "2026-01-15"}, entity=JAN.ehic_issuer,
                  holder=JAN_HOLDER)
    query = profile_query("ehic")
    query["credentials"] = [q for q in query["credentials"] if q["id"] in ("ehic_mdoc", "pid")]
    query["credential_sets"] = [{"options": [["ehic_mdoc"]]}, {"options": [["pid"]]}]
    req = hospital.http.post(f"{hospital.stack.verifier_url}/api/requests", json={"dcql_query": query}).json()
    consent = w.open_request(req["link"], "en")
    assert consent.satisfiable
    cred, paths = consent.selection["ehic_mdoc"]
    assert cred.format == "mso_mdoc"
    names = set(ehic.HOLDER_CLAIMS)
    assert names <= {p[-1] for p in paths}, paths  # the mdoc does carry the names (signed today)
    crafted = {**consent.selection, "ehic_mdoc": (cred, tuple(p for p in paths if p[-1] not in names))}
    w._requests[consent.id] = replace(consent, selection=crafted)  # a modified wallet's answer
    w.share(consent.id)
    verdict: dict[str, Any] = hospital.http.get(f"{hospital.stack.verifier_url}{req['result_url']}").json()["verdict"]
    assert verdict["verdict"] != "valid", (verdict["verdict"], verdict["reason_key"], verdict["reason"])
    assert verdict["reason_key"] == "holder_link.names_withheld", verdict["reason_key"]


def test_the_names_cutover_is_the_signing_time_not_the_date_of_issuance() -> None:
    """A card dated before the cutover but signed from it: NAMES_WITHHELD without its names; a card
    signed before it (whatever date it shows) had none: linked as before; a signing time not known
    may be from it: NAMES_WITHHELD."""
    old_date = {**AT_CARD, "date_of_issuance": "2026-01-15"}
    signed_now = holder_link.link(ehic.VCT, old_date, ANNA_PID, withholdable=True, signed_at=CUTOVER)
    assert signed_now.outcome == holder_link.NAMES_WITHHELD, signed_now
    signed_before = holder_link.link(ehic.VCT, {**AT_CARD, "date_of_issuance": ehic.HOLDER_SIGNED_FROM.isoformat()},
                                     ANNA_PID, withholdable=True, signed_at=CUTOVER - timedelta(seconds=1))
    assert signed_before.outcome == holder_link.SAME_WALLET, signed_before
    assert holder_link.link(ehic.VCT, old_date, ANNA_PID, withholdable=True).outcome == holder_link.NAMES_WITHHELD


# Finding 2 ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("withholdable", [True, False], ids=["mdoc", "sd_jwt"])
def test_attack_prc_withholding_its_starting_date_passes_for_a_care_date_before_its_period(
        withholdable: bool) -> None:
    """A PRC covering 2026-06-01..06-30, with an expiry date, shown without ``starting_date``, checked
    for care on 2026-05-01: coverage must not pass on half a period (the SD-JWT VC form too, should an
    issuer make the dates selectively disclosable)."""
    prc = {"date_of_issuance": "2026-06-10", "date_of_expiry": "2026-12-31", "ending_date": "2026-06-30"}
    steps = v._validity_steps(ehic, prc, date(2026, 11, 30), every_claim_withholdable=withholdable,
                              care_date=date(2026, 5, 1))
    coverage = [s for s in steps if s.code == "coverage_period"]
    assert [(s.result, s.key) for s in coverage] == [(v.NOT_RUN, "coverage_period.partly_shown")], coverage


@pytest.mark.parametrize("shown", [{"ending_date": "2027-01-31"}, {"starting_date": "2026-06-01"}],
                         ids=["end_only", "start_only"])
def test_attack_prc_withholding_one_end_passes_today_outside_its_period(shown: dict[str, str]) -> None:
    """Without a care date: a PRC whose period starts next month shown without its start, or one whose
    period ended in June shown without its end, is not "within the period covered (None to ...)"."""
    prc = {"date_of_issuance": "2026-06-01", "date_of_expiry": "2027-01-31", **shown}
    steps = v._validity_steps(ehic, prc, date(2026, 11, 30), every_claim_withholdable=True)
    coverage = [s for s in steps if s.code == "coverage_period"]
    assert [s.result for s in coverage] == [v.NOT_RUN], coverage
    assert v._combine(steps) != v.VALID


def test_one_end_shown_that_rules_the_day_out_still_fails() -> None:
    """The end shown decides where it can: a start after the day is "not started", an end before it
    "ended" (failed, not merely not run)."""
    later = v._validity_steps(ehic, {"date_of_issuance": "2026-11-29", "starting_date": "2026-12-01"},
                              date(2026, 11, 30), every_claim_withholdable=True)
    ended = v._validity_steps(ehic, {"date_of_issuance": "2026-06-01", "ending_date": "2026-06-30"},
                              date(2026, 11, 30), every_claim_withholdable=True)
    assert [(s.result, s.key) for s in later if s.code == "coverage_period"] == [
        (v.FAILED, "coverage_period.not_started")]
    assert [(s.result, s.key) for s in ended if s.code == "coverage_period"] == [(v.FAILED, "coverage_period.ended")]


def test_a_prc_showing_its_whole_period_is_still_judged_within_it() -> None:
    prc = {"date_of_issuance": "2026-06-10", "starting_date": "2026-06-01", "ending_date": "2026-06-30"}
    on_day = v._validity_steps(ehic, prc, date(2026, 11, 30), every_claim_withholdable=True,
                               care_date=date(2026, 6, 15))
    before = v._validity_steps(ehic, prc, date(2026, 11, 30), every_claim_withholdable=True,
                               care_date=date(2026, 5, 1))
    assert [s.result for s in on_day if s.code == "coverage_period"] == [v.PASSED]
    assert [s.result for s in before if s.code == "coverage_period"] == [v.FAILED]


def test_mdoc_prc_shown_without_start_answers_the_ehic_query() -> None:
    """Reachability of the attacks above: such a presentation satisfies the EHIC mdoc query (the
    option with date_of_expiry) and discloses nothing outside it."""
    query = profile_query("ehic")
    twin = next(q for q in query["credentials"] if q["id"] == "ehic_mdoc")
    ns = mdoc.DOCTYPES["ehic"]
    shown_names = ("personal_administrative_number", "document_number", "issuing_country", "authentic_source",
                   "issuing_authority", "date_of_issuance",
                   "date_of_expiry", "ending_date", *ehic.HOLDER_CLAIMS)
    claims = {ns: {n: "x" for n in shown_names}}
    disclosed = [(ns, n) for n in shown_names]
    dcql.check_response({"credentials": [twin]}, {"ehic_mdoc": [(ns, claims, disclosed)]})  # no ClaimError


# Finding 3 ----------------------------------------------------------------------------------------

def _linked(signed_at: datetime, *, doc_type: str | None) -> list[tuple[str, str | None]]:
    document = v.CredentialResult("ehic", vct=ehic.VCT, doc_type=doc_type, claims=dict(AT_CARD),
                                  iat=int(signed_at.timestamp()))
    person = v.CredentialResult("pid", vct="urn:eudi:pid:1", claims=ANNA_PID)
    for r in (document, person):
        r.steps.append(v.Step("key_binding", v.PASSED, "ok"))
    return [(s.result, s.key) for s in v._holder_link_steps([document, person])]


def test_an_sd_jwt_ehic_signed_from_the_cutover_without_names_beside_a_pid_is_undetermined() -> None:
    """Another state's issuer may make fields 3-5 selectively disclosable (type metadata is advice) and
    decoy digests hide that they were withheld: a card signed from the cutover showing none is
    NAMES_WITHHELD, not "presented by the same wallet"; one signed before is linked as before."""
    assert _linked(CUTOVER + timedelta(hours=9), doc_type=None) == [(v.NOT_RUN, "holder_link.names_withheld")]
    assert _linked(CUTOVER - timedelta(days=300), doc_type=None) == [(v.PASSED, "holder_link.same_wallet")]
    # The mdoc form by its MSO's signing time alike.
    assert _linked(CUTOVER + timedelta(hours=9), doc_type=mdoc.DOCTYPES["ehic"]) == [
        (v.NOT_RUN, "holder_link.names_withheld")]


# Finding 4 ----------------------------------------------------------------------------------------

def test_more_time_extends_one_code_at_least_ten_times_and_then_gives_a_new_code(hospital: Desk) -> None:
    """WCAG 2.2.1: at least ten extensions, each just before the code ends; after that the code is not
    extended again (its relay window bounded) but replaced by a new one for the same check, and the
    old code is closed."""
    assert RENEWALS >= 10
    with verifier_replica(hospital.stack) as (service, _url):
        start = datetime.now(UTC)
        clock = [start]
        service.clock = lambda: clock[0]
        tx = service.create_request(profile="ehic")
        view, first = tx.view, tx
        for _ in range(RENEWALS):
            clock[0] = datetime.fromtimestamp(tx.expires - 1, UTC)
            tx = service.renew(view)
            assert tx.id == first.id and tx.status == "pending"
            assert tx.expires == clock[0].timestamp() + service.request_ttl
        clock[0] = datetime.fromtimestamp(tx.expires - 1, UTC)
        fresh = service.renew(view)
        assert fresh.id != first.id and fresh.nonce != first.nonce and fresh.status == "pending"
        assert fresh.query == first.query
        old = service.store.get(first.id)
        assert old is not None and old.status == "expired"
