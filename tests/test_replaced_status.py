"""A replaced document is REPLACED (Token Status List 0x03, application-specific, §7.1), not withdrawn.

A withdrawn A1 is void from its first day (987/2009 Art. 5); a replaced one was superseded by a
newer A1 of the same institution (a correction, an early end): the inspector asks for the current
one. The status list level (pure), then the real pilot: issuer, wallet, verifier, back office.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials import status_list as sl
from credentials.demo_persons import DEMO_PERSONS
from credentials.institutions import demo_entity
from esspass.stack import (
    Clerk,
    Inspector,
    InspectorAuth,
    Stack,
    open_wallet,
    start_in_process,
    unnumbered,
    verifier_replica,
)
from issuer.office import COOKIE
from wallet.service import WalletService, standing_words, warning_words

PERSON = DEMO_PERSONS[0]
HOLDER = {k: PERSON.pid[k] for k in ("family_name", "given_name", "birthdate")}
A1_ISSUER = PERSON.pda1_issuer


# --- the status list (pure) --------------------------------------------------------------------------


def test_replaced_is_the_application_specific_value_3_and_survives_the_list_encoding() -> None:
    statuses = sl.StatusList(64, bits=2)
    statuses.set(5, sl.REPLACED)
    statuses.set(6, sl.INVALID)
    decoded = sl.StatusList.from_claim(statuses.to_claim())
    assert sl.REPLACED == 3 and decoded.get(5) == sl.REPLACED and decoded.get(6) == sl.INVALID
    assert sl.is_final(sl.REPLACED) and sl.is_final(sl.INVALID) and not sl.is_final(sl.SUSPENDED)


def test_a_one_bit_list_refuses_replaced_with_a_clear_error() -> None:
    with pytest.raises(ValueError, match="REPLACED"):
        sl.StatusList(64, bits=1).set(0, sl.REPLACED)


def _list(value: int) -> sl.StatusList:
    statuses = sl.StatusList(64, bits=2)
    statuses.set(9, value)
    return statuses


def test_a_list_may_not_turn_a_replaced_entry_back_to_valid_or_suspended() -> None:
    assert sl.undoes_withdrawal(_list(sl.REPLACED), _list(sl.VALID))
    assert sl.undoes_withdrawal(_list(sl.REPLACED), _list(sl.SUSPENDED))
    assert not sl.undoes_withdrawal(_list(sl.REPLACED), _list(sl.REPLACED))


def test_a_replaced_entry_may_be_withdrawn_later_but_a_withdrawn_one_is_never_replaced() -> None:
    assert not sl.undoes_withdrawal(_list(sl.REPLACED), _list(sl.INVALID))
    assert sl.undoes_withdrawal(_list(sl.INVALID), _list(sl.REPLACED))
    assert sl.may_follow(sl.VALID, sl.REPLACED) and sl.may_follow(sl.SUSPENDED, sl.REPLACED)


# --- the real pilot ----------------------------------------------------------------------------------


class Pilot:
    """A running pilot with the A1 institution's clerk and an inspector."""

    def __init__(self, stack: Stack, http: httpx.Client, tmp: Path) -> None:
        self.stack, self.http, self.tmp = stack, http, tmp
        self.clerk = Clerk(stack.issuer_url, stack.data_dir, http)
        self.inspector = Inspector(stack.verifier_url, http)
        self.wallets: list[WalletService] = []
        self.pids: list[tuple[str, str]] = []  # each wallet's PID case
        self.api = f"{stack.issuer_url}/{demo_entity(A1_ISSUER).path}/api"
        self.auth = {"Authorization": f"Bearer {self.clerk.tokens[A1_ISSUER]}"}

    def wallet(self, pid_claims: dict[str, Any] | None = None) -> WalletService:
        """A new phone holding the person's PID (``pid_claims``: another PID of theirs)."""
        wallet: WalletService = open_wallet(self.tmp / f"phone{len(self.wallets)}", self.stack.registry_url, "pw",
                                            fast_kdf=True, pki_dir=self.stack.data_dir / "pki")
        self.wallets.append(wallet)
        self.pids.append((PERSON.pid_provider, self.clerk.create_case(PERSON.pid_provider, "pid",
                                                                      pid_claims or PERSON.pid)))
        self.receive(wallet, self.pids[-1])
        return wallet

    def a1(self) -> tuple[str, str]:
        return A1_ISSUER, self.clerk.create_case(A1_ISSUER, "pda1", unnumbered(PERSON.pda1), HOLDER)

    def receive(self, wallet: WalletService, case: tuple[str, str]) -> str:
        offer = self.clerk.offer(*case)
        offer_id, _ = wallet.open_offer(offer["link"])
        return wallet.accept_offer(offer_id, offer["tx_code"])[0]

    def replace(self, case: tuple[str, str]) -> tuple[str, str]:
        """The clerk ends the A1 early: the replacement has the shorter period."""
        claims = {**unnumbered(PERSON.pda1), "ending_date": PERSON.pda1["starting_date"]}
        response = self.http.post(f"{self.api}/cases/{case[1]}/replace", headers=self.auth,
                                  json={"claims": claims, "holder": HOLDER, "reason": "posting ended early"})
        assert response.status_code == 201, response.text
        return A1_ISSUER, str(response.json()["id"])

    def case(self, case: tuple[str, str]) -> dict[str, Any]:
        return self.clerk.case(*case)


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pilot]:
    with start_in_process(tmp_path_factory.mktemp("replaced_status")) as stack, httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        world = Pilot(stack, http, tmp_path_factory.mktemp("phones"))
        yield world
        for wallet in world.wallets:
            wallet.http.close()


def test_the_verifier_says_status_replaced_for_a_replaced_a1_and_never_valid(pilot: Pilot) -> None:
    """Only the old A1 in the wallet: it is shown, and the inspector is told to ask for the current one."""
    wallet = pilot.wallet()
    old_case = pilot.a1()
    pilot.receive(wallet, old_case)
    pilot.replace(old_case)
    request = pilot.inspector.request("pda1")
    consent = wallet.open_request(request["link"], "en")
    assert consent.satisfiable
    assert wallet.share(consent.id).outcome == "shared"
    verdict: dict[str, Any] = pilot.inspector.result(request)["verdict"]
    assert verdict["verdict"] == "invalid" and verdict["reason_key"] == "status.replaced", verdict
    assert "current A1" in verdict["reason"] or "current" in verdict["reason"], verdict


def test_a_suspended_pid_is_told_as_the_identity_documents_not_as_the_a1s(pilot: Pilot) -> None:
    """The inspection asks the A1 and the PID: a PID its provider suspended leaves the verdict
    "cannot be confirmed" (never valid; the A1 itself is in force, and an identity card answers who
    holds it), and the reason names the identity document (the inspector read "this document is
    suspended" beside the A1's number and its institution, as if the A1 were)."""
    from verifier import messages

    wallet = pilot.wallet()
    pilot.receive(wallet, pilot.a1())
    pilot.clerk.set_state(*pilot.pids[-1], "suspend", "identity under review")
    request = pilot.inspector.request("pda1")
    consent = wallet.open_request(request["link"], "en")
    assert wallet.share(consent.id).outcome == "shared"
    verdict: dict[str, Any] = pilot.inspector.result(request)["verdict"]
    assert verdict["verdict"] == "undetermined" and verdict["reason_key"] == "status.suspended", verdict
    assert "identity document (PID)" in verdict["reason"], verdict["reason"]
    for lang in ("en", "lv", "de", "fr", "pl"):
        text = messages.reason_text(verdict, lang)
        assert "PID" in text and text != messages.reason_text({"reason_key": "status.suspended"}, lang), lang


def test_an_expired_pid_is_told_as_the_identity_documents_not_as_the_a1s(pilot: Pilot) -> None:
    """A PID past its date_of_expiry beside a valid A1: the verdict cannot be confirmed (an identity card
    answers who holds the A1), and once its reason read
    "The document expired on ..." on the verdict page and "The document has expired." on the records
    page, beside the A1's number and period, so the inspector took the A1 for expired. The reason names
    the identity document and what to do, as for a PID's status, in every language, on both pages.

    The PID ends today where its provider is (Riga), the last day it still hands it over
    (issuer.service.document_expired); an inspectorate at UTC+14 (a replica of the verifier) is already
    a day later from noon in Riga, so the PID has expired there. Before noon no PID can be both handed
    over and expired at a verifier anywhere: the test waits for the afternoon."""
    from zoneinfo import ZoneInfo

    from credentials import i18n
    from verifier import messages

    riga, kiritimati = (datetime.now(ZoneInfo(zone)).date() for zone in ("Europe/Riga", "Pacific/Kiritimati"))
    if kiritimati <= riga:
        pytest.skip("no PID is both handed over in Riga and expired at UTC+14 before noon in Riga")
    expired = riga.isoformat()
    wallet = pilot.wallet({**PERSON.pid, "date_of_expiry": expired})
    pilot.receive(wallet, pilot.a1())
    with verifier_replica(pilot.stack, time_zone="Pacific/Kiritimati") as (_service, url):
        inspector = Inspector(url, pilot.http)
        request = inspector.request("pda1")
        consent = wallet.open_request(request["link"], "en")
        assert wallet.share(consent.id).outcome == "shared"
        verdict: dict[str, Any] = inspector.result(request)["verdict"]
        assert verdict["verdict"] == "undetermined" and verdict["reason_key"] == "document_validity.expired", verdict
        assert "identity document (PID)" in verdict["reason"], verdict["reason"]
        generic = {"reason_key": "document_validity.expired"}
        for lang in i18n.LANGUAGES:
            text = messages.reason_text(verdict, lang)
            assert "PID" in text, (lang, text)
            assert text != messages.reason_text(generic, lang), lang
            records = pilot.http.get(f"{url}/records", params={"lang": lang})
            assert records.status_code == 200
            said = html.unescape(re.sub(r"<[^>]+>", " ", records.text))
            assert i18n.t("verifier.reason.document_validity.expired.pid", lang) in said, (lang, said)


@pytest.mark.parametrize("situation", ["ended", "not_started", "withdrawn", "suspended"])
def test_an_a1_that_does_not_cover_today_tells_the_inspector_what_to_ask_for(pilot: Pilot, situation: str) -> None:
    """Rulebook PDA1 §4.1, domain.md "Inspection": a negative outcome says why, and the worker may fetch the
    current A1 and present again. An A1 whose period ended or has not started, or that its institution
    withdrew or suspended, read "NOT VALID - The period covered by the document ended on ..." (or "The
    institution has withdrawn this document.") and nothing more: the page now says, for the A1, which A1 to
    ask the worker for or whom to ask, in every language, on the verdict and in the day's records."""
    from credentials import i18n
    from verifier import messages

    today = datetime.now(timezone(timedelta(hours=-12))).date()  # a day that is past or today everywhere
    claims = {**unnumbered(PERSON.pda1), "status_confirmation": "12", "work_address": {"locality": "Rīga",
                                                                                       "country": "LV"},
              "employer": {"id": f"LV4000000{len(situation):04d}", "name": f"{situation} SIA", "country": "LV"}}
    if situation == "ended":
        claims.update(starting_date=(today - timedelta(days=200)).isoformat(),
                      ending_date=(today - timedelta(days=10)).isoformat(),
                      date_of_issuance=(today - timedelta(days=200)).isoformat())
    elif situation == "not_started":
        claims.update(starting_date=(today + timedelta(days=10)).isoformat(),
                      ending_date=(today + timedelta(days=100)).isoformat(),
                      date_of_issuance=(today - timedelta(days=1)).isoformat())
    made = pilot.http.post(f"{pilot.api}/cases", headers=pilot.auth, json={
        "configuration_id": "pda1", "claims": claims, "holder": HOLDER, "confirm_overlap": True})
    assert made.status_code == 201, made.text
    wallet = pilot.wallet()
    pilot.receive(wallet, (A1_ISSUER, made.json()["id"]))
    if situation in ("withdrawn", "suspended"):
        pilot.clerk.set_state(A1_ISSUER, made.json()["id"], "revoke" if situation == "withdrawn" else "suspend",
                              "checked by the inspection round")
    key = {"ended": "coverage_period.ended", "not_started": "coverage_period.not_started",
           "withdrawn": "status.withdrawn", "suspended": "status.suspended"}[situation]
    request = pilot.inspector.request("pda1")
    assert wallet.share(wallet.open_request(request["link"], "en").id).outcome == "shared"
    verdict: dict[str, Any] = pilot.inspector.result(request)["verdict"]
    assert verdict["verdict"] == "invalid" and verdict["reason_key"] == key, verdict
    records = html.unescape(pilot.http.get(f"{pilot.stack.verifier_url}/records", params={"lang": "en"}).text)
    for lang in i18n.LANGUAGES:
        text = messages.reason_text(verdict, lang)
        ask = i18n.t(f"verifier.reason.{key}.pda1", lang).split(": ", 1)[-1].split(" : ", 1)[-1]
        assert ask and ask.rstrip(".") in text, (lang, text)  # the next step, with the A1's own words
        assert text != messages.reason_text({"reason_key": key}, lang), (lang, text)
    assert i18n.t(f"verifier.reason.{key}.pda1", "en") in records  # the record's one failed document is the A1


def test_a_replacement_sets_the_old_case_replaced_and_its_credentials_replaced(pilot: Pilot) -> None:
    wallet = pilot.wallet()
    old_case = pilot.a1()
    pilot.receive(wallet, old_case)
    new_case = pilot.replace(old_case)
    old = pilot.case(old_case)
    assert old["state"] == "replaced" and old["replaced_by"] == new_case[1]
    assert old["credential_records"] and {r["status"] for r in old["credential_records"]} == {sl.REPLACED}
    assert old["events"][-1]["action"] == "replaced"
    assert pilot.case(new_case)["state"] == "active"


def test_a_withdrawal_is_still_invalid(pilot: Pilot) -> None:
    wallet = pilot.wallet()
    case = pilot.a1()
    pilot.receive(wallet, case)
    withdrawn = pilot.clerk.set_state(*case, "revoke", "wrong determination")
    assert withdrawn["state"] == "revoked"
    assert {r["status"] for r in withdrawn["credential_records"]} == {sl.INVALID}


def test_withdrawing_a_replaced_case_makes_it_invalid(pilot: Pilot) -> None:
    wallet = pilot.wallet()
    old_case = pilot.a1()
    pilot.receive(wallet, old_case)
    pilot.replace(old_case)
    withdrawn = pilot.clerk.set_state(*old_case, "revoke", "the determination was wrong from the start")
    assert withdrawn["state"] == "revoked"
    assert {r["status"] for r in withdrawn["credential_records"]} == {sl.INVALID}


def test_a_replaced_case_is_never_reinstated_suspended_offered_or_replaced_again(pilot: Pilot) -> None:
    old_case = pilot.a1()
    pilot.replace(old_case)
    for action in ("reinstate", "suspend"):
        refused = pilot.http.post(f"{pilot.api}/cases/{old_case[1]}/{action}", headers=pilot.auth,
                                  json={"reason": "try"})
        assert refused.status_code == 409 and refused.json()["rule_key"] == "case.replaced_final", refused.text
    offered = pilot.http.post(f"{pilot.api}/cases/{old_case[1]}/offer", headers=pilot.auth)
    assert offered.status_code == 409 and offered.json()["rule_key"] == "case.replaced", offered.text
    again = pilot.http.post(f"{pilot.api}/cases/{old_case[1]}/replace", headers=pilot.auth,
                            json={"claims": unnumbered(PERSON.pda1), "reason": "twice"})
    assert again.status_code == 409 and again.json()["rule_key"] == "case.replaced", again.text


def test_the_wallet_shows_a_replaced_document_as_replaced_by_a_newer_one(pilot: Pilot) -> None:
    wallet = pilot.wallet()
    old_case = pilot.a1()
    old = pilot.receive(wallet, old_case)
    pilot.receive(wallet, pilot.replace(old_case))
    card = wallet.card(old, "en")
    assert card.status is not None and card.status.value == "replaced"
    assert standing_words(card, "en") == "Replaced by a newer document."
    assert "replaced this document with a newer one" in warning_words(card, "en")


def test_the_back_office_shows_replaced_and_links_the_case_that_replaced_it(pilot: Pilot) -> None:
    old_case = pilot.a1()
    new_case = pilot.replace(old_case)
    base = f"{pilot.stack.issuer_url}/{demo_entity(A1_ISSUER).path}/office"
    session = httpx.post(f"{base}/login", data={"token": pilot.clerk.tokens[A1_ISSUER]}).cookies[COOKIE]
    with httpx.Client(cookies={COOKIE: session}) as office:
        page = office.get(f"{base}/cases/{old_case[1]}?lang=en").text
        state = re.search(r'<span class="state state-replaced" id="state">([^<]*)</span>', page)
        assert state is not None and state.group(1) == "replaced", page[:2000]
        link = re.search(r'id="replaced-by-link">([^<]*)</a>', page)
        assert link is not None and link.group(1) == f"Replaced by case {new_case[1]}"
        assert 'id="revoke"' in page and 'id="reinstate"' not in page and 'id="suspend"' not in page
        lv = office.get(f"{base}/cases/{old_case[1]}?lang=lv").text
        assert 'id="state">aizstāts<' in lv
