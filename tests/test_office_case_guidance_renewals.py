"""A clerk ends a document's copy renewals without withdrawing it (helper brief H2, item 4).

The worker's phone was lost: the wallet on it renews the document's copies by itself (HAIP 1.0 §4,
refresh grants). The clerk presses "End copy renewals" on the case page, with a reason: every
wallet's grant of the case ends, the case history says so, the document stays valid, and the wallet's
next renewal is refused with ``invalid_grant``, which the reference wallet already takes as "ask the
institution for a new offer". A new offer then gives the new phone its own grant. Over real HTTP
(registry, issuer and verifier in-process, the reference wallet), and the issuer's service alone for
what the refresh answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_issuer_office import _csrf
from test_office_case_guidance import KEEPALIVE, _office, _section
from test_refresh_grants import CLERK as SERVICE_CLERK
from test_refresh_grants import _world

from credentials import i18n, pda1, status_list
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import ProtocolError
from credentials.jose import generate_key
from esspass.stack import Clerk, Stack, open_wallet, start_in_process, unnumbered
from esspass.testing import ServerHandle
from wallet import messages
from wallet.service import WalletService, renewal_words

VSAA = "LV:VSAA"
ANNA = DEMO_PERSONS[0]
HOLDER = {k: ANNA.pid[k] for k in ("family_name", "given_name", "birthdate")}


@dataclass
class World:
    stack: Stack
    http: httpx.Client
    clerk: Clerk

    def handle(self) -> ServerHandle:
        return self.stack.handles["issuer"]

    def wallet(self, home: str) -> WalletService:
        wallet: WalletService = open_wallet(self.stack.data_dir / home, self.stack.registry_url, "pw",
                                            fast_kdf=True, pki_dir=self.stack.data_dir / "pki")
        return wallet

    def a1_held(self, home: str) -> tuple[WalletService, str, str]:
        """A new wallet holding a new A1 of the worker, handed over by the clerk: (wallet, card, case id)."""
        wallet = self.wallet(home)
        case_id = self.clerk.hand_over(wallet, VSAA, "pda1", unnumbered(ANNA.pda1), HOLDER)
        return wallet, next(c.group for c in wallet.cards("en") if c.vct == pda1.VCT), case_id

    def case(self, case_id: str) -> dict[str, Any]:
        return self.clerk.case(VSAA, case_id)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("end-renewals")
    # Idle connections dropped before the services close them (5 s, esspass/serve.py): a request on a
    # connection the server is closing that very moment would fail for no fault of the issuer.
    with start_in_process(data_dir) as stack, httpx.Client(timeout=30, limits=KEEPALIVE) as http:
        yield World(stack, http, Clerk(stack.issuer_url, data_dir, http))


def test_a_clerk_ends_a_lost_phones_copy_renewals_the_document_stays_valid_and_the_wallet_is_told_to_ask_again(
        world: World) -> None:
    wallet, group, case_id = world.a1_held("lost-phone")
    try:
        held = [c.credential for c in wallet.credentials() if c.group == group]
        assert world.case(case_id)["renewal_grants"] == 1
        with _office(world.handle(), world.clerk.tokens[VSAA]) as office:
            page = office.get(f"/office/cases/{case_id}").text
            assert 'id="end-renewals"' in page
            assert "Wallets renewing this document's copies by themselves: 1." in _section(page, "end-renewals-form")
            assert "The person's phone was lost or stolen" in _section(page, "guide")
            # A reason is required, as for every other action on a case.
            no_reason = office.post(f"/office/cases/{case_id}/end-renewals", data={"csrf": _csrf(page), "reason": ""})
            assert no_reason.status_code == 400 and "Please give a reason." in no_reason.text
            assert 'id="reason-end-renewals" required maxlength="300" aria-required="true" aria-invalid="true"' \
                in no_reason.text
            ended = office.post(f"/office/cases/{case_id}/end-renewals",
                                data={"csrf": _csrf(page), "reason": "phone lost"})
            assert ended.status_code == 303, ended.text[:300]
            after = office.get(f"/office/cases/{case_id}").text
        assert 'id="end-renewals"' not in after  # nothing left to end
        history = after.split('id="events"', 1)[1].split("</table>", 1)[0]
        assert re.search(r"copy renewals ended by the institution \(the document stays valid\).*?phone lost"
                         r".*?clerk:LV:VSAA", history, re.S), history
        case = world.case(case_id)
        assert case["state"] == "active" and case["renewal_grants"] == 0
        assert {c["status"] for c in case["credential_records"]} == {status_list.VALID}  # not withdrawn
        ended_event = [e for e in case["events"] if e["action"] == "renewals_ended"]
        assert len(ended_event) == 1 and ended_event[0]["reason"] == "phone lost"
        # The wallet on the lost phone: its next renewal is refused (invalid_grant), the grant dropped,
        # the copies it holds kept, and the worker told to ask the institution for a new offer.
        out = wallet.renew(group)
        assert out.outcome == "refused", out
        for lang in i18n.LANGUAGES:
            assert renewal_words(out, lang) == messages.t("renew.refused", lang, document=out.title,
                                                          institution=out.issuer_name)
        assert [c.credential for c in wallet.credentials() if c.group == group] == held
        assert "renewed" not in [e["action"] for e in world.case(case_id)["events"]]
    finally:
        wallet.http.close()
    # The new phone: a new offer of the same case gives it a grant of its own.
    new_phone = world.wallet("new-phone")
    try:
        offer = world.clerk.offer(VSAA, case_id)
        new_phone.accept_offer(new_phone.open_offer(offer["link"])[0], offer["tx_code"])
        assert world.case(case_id)["renewal_grants"] == 1
    finally:
        new_phone.http.close()


def test_ending_renewals_where_no_wallet_renews_is_refused_in_the_clerks_language(world: World) -> None:
    """409 ``case.no_renewals`` for a case no wallet took (the page offers no button), and for a withdrawn
    one (its grants ended with it); the API says the same, and asks a reason first."""
    untaken = world.clerk.create_case(VSAA, "pda1", unnumbered(ANNA.pda1), HOLDER)
    with _office(world.handle(), world.clerk.tokens[VSAA], lang="lv") as office:
        page = office.get(f"/office/cases/{untaken}").text
        assert 'id="end-renewals"' not in page and i18n.t("office.guide.renewals.when", "lv") not in page
        refused = office.post(f"/office/cases/{untaken}/end-renewals", data={"csrf": _csrf(page), "reason": "x"})
    assert refused.status_code == 409
    assert i18n.t("rule.case.no_renewals", "lv") in refused.text
    token = {"Authorization": f"Bearer {world.clerk.tokens[VSAA]}"}
    url = f"{world.stack.issuer_url}/lv-vsaa/api/cases/{untaken}/end-renewals"
    assert world.http.post(url, headers=token).status_code == 400  # no reason
    answer = world.http.post(url, headers=token, json={"reason": "phone lost"})
    assert answer.status_code == 409 and answer.json()["rule_key"] == "case.no_renewals"
    wallet, _group, withdrawn = world.a1_held("withdrawn")
    wallet.http.close()
    world.clerk.set_state(VSAA, withdrawn, "revoke", "wrong legislation")
    answer = world.http.post(f"{world.stack.issuer_url}/lv-vsaa/api/cases/{withdrawn}/end-renewals", headers=token,
                             json={"reason": "phone lost"})
    assert answer.status_code == 409 and answer.json()["rule_key"] == "case.no_renewals"


def test_the_api_ends_the_renewals_as_the_case_page_does(world: World) -> None:
    wallet, group, case_id = world.a1_held("api")
    try:
        answer = world.http.post(f"{world.stack.issuer_url}/lv-vsaa/api/cases/{case_id}/end-renewals",
                                 headers={"Authorization": f"Bearer {world.clerk.tokens[VSAA]}"},
                                 json={"reason": "the worker asked"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["renewal_grants"] == 0 and answer.json()["state"] == "active"
        assert wallet.renew(group).outcome == "refused"
    finally:
        wallet.http.close()


def test_the_refresh_after_the_end_is_invalid_grant_saying_why_and_other_cases_grants_go_on(tmp_path: Path) -> None:
    """RFC 6749 §5.2 ``invalid_grant``, its description naming the institution's decision (the wallet
    shows the worker its own words for the refusal); a grant of another case is untouched."""
    world, engine = _world(tmp_path, tmp_path / "pki")
    try:
        key, other_key = generate_key(), generate_key()
        case_id, first = world.first_token(key)
        _other_case, other = world.first_token(other_key)
        world.service.end_renewals(world.inst, case_id, reason="phone lost", actor=SERVICE_CLERK)
        with pytest.raises(ProtocolError) as refused:
            world.refresh(first["refresh_token"], key)
        assert refused.value.error == "invalid_grant"
        assert "ended the renewal of this document's copies" in refused.value.message
        assert world.refresh(other["refresh_token"], other_key)["refresh_token"]
        with pytest.raises(ProtocolError) as again:  # nothing is left to end: said, not recorded twice
            world.service.end_renewals(world.inst, case_id, reason="again", actor=SERVICE_CLERK)
        assert again.value.http_status == 409 and again.value.key == "case.no_renewals"
    finally:
        engine.dispose()
