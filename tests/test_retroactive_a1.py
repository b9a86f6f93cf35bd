"""An A1, or a provisional replacement certificate, whose period has ended is the proof of that period.

Domain review E, F1: 987/2009 Art. 15(1) and 19(2) have the institution provide the A1 on request,
often after the period it certifies (late applications; a host institution auditing the contributions
of past months), and Art. 5(1) makes it bind the other states' institutions for that period until it
is withdrawn. A PRC is often asked for after the treatment (Decision S2). So the clerk hands such a
document to the worker's wallet and prints it; its copies live for the issuer's proof period, within
the signer chain (``issuer.service.credential_end``); the wallet shows it as covering that period,
ended, and neither renews it nor asks for a new copy; an inspection today finds it "not valid" with
the end of its period as the reason. An EHIC card whose expiry passed, and a withdrawn A1, are still
not handed over. The case is kept while its copies live (``IssuerService.erase_ended``).

Over real HTTP: registry, issuer and verifier in-process, the reference wallet, the clerks' API.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.x509 import Certificate

from credentials import i18n, pda1
from credentials.demo_persons import DEMO_PERSONS, portrait
from credentials.i18n import format_date
from credentials.pki import load_demo_pki
from esspass.stack import Clerk, Inspector, Stack, open_wallet, start_in_process, unnumbered
from esspass.testing import serve
from issuer.service import PROOF_PERIOD, certifies_period, credential_end, document_end, document_expired
from wallet import messages, renewal
from wallet.errors import NoRenewalError
from wallet.service import standing_words, warning_words

ANNA = DEMO_PERSONS[0]
HOLDER = {k: ANNA.pid[k] for k in ("family_name", "given_name", "birthdate")}


def _past_period() -> tuple[date, date]:
    """About seven months that ended on the last day of the previous month (the reviewer's)."""
    end = datetime.now(UTC).date().replace(day=1) - timedelta(days=1)
    return (end - timedelta(days=200)).replace(day=1), end


def _retroactive_a1() -> dict[str, Any]:
    """Anna's A1 (VSAA, posted to Berlin) for a past period, issued today (987/2009 Art. 15(1))."""
    start, end = _past_period()
    return unnumbered({**ANNA.pda1, "starting_date": start.isoformat(), "ending_date": end.isoformat(),
                       "date_of_issuance": datetime.now(UTC).date().isoformat()})


def _past_prc() -> dict[str, Any]:
    """Anna's provisional replacement certificate (NVD) for a treatment in the past (Decision S2)."""
    _start, end = _past_period()
    claims = {k: v for k, v in ANNA.ehic.items() if k != "date_of_expiry"}
    return unnumbered({**claims, "starting_date": (end - timedelta(days=20)).isoformat(),
                       "ending_date": end.isoformat(), "date_of_issuance": datetime.now(UTC).date().isoformat()})


@dataclass
class Pilot:
    stack: Stack
    http: httpx.Client
    clerk: Clerk
    wallets: list[Any]

    def wallet(self, name: str) -> Any:
        """A new reference wallet of Anna's holding her PID (with the portrait)."""
        data = self.stack.data_dir
        wallet = open_wallet(data / f"phone-{name}", self.stack.registry_url, "pw", fast_kdf=True,
                             pki_dir=data / "pki")
        self.wallets.append(wallet)
        self.clerk.hand_over(wallet, ANNA.pid_provider, "pid", {**ANNA.pid, "picture": portrait(ANNA)})
        return wallet

    def receive(self, wallet: Any, entity: str, case_id: str) -> str:
        """The clerk's offer of ``case_id`` taken by ``wallet``: the card's group."""
        offer = self.clerk.offer(entity, case_id)
        groups: list[str] = wallet.accept_offer(wallet.open_offer(offer["link"])[0], offer["tx_code"])
        assert len(set(groups)) == 1, groups
        return groups[0]

    def refused(self, entity: str, case_id: str, what: str) -> httpx.Response:
        """The clerk's offer (``offer``) or paper copy (``paper.pdf``) of the case, as answered."""
        path = {"LV:VSAA": "lv-vsaa", "LV:NVD": "lv-nvd"}[entity]
        method = "POST" if what == "offer" else "GET"
        return self.http.request(method, f"{self.stack.issuer_url}/{path}/api/cases/{case_id}/{what}",
                                 headers={"Authorization": f"Bearer {self.clerk.tokens[entity]}"})


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pilot]:
    data_dir: Path = tmp_path_factory.mktemp("retroactive")
    with start_in_process(data_dir) as stack, httpx.Client(timeout=60) as http:
        pilot = Pilot(stack, http, Clerk(stack.issuer_url, data_dir, http), [])
        try:
            yield pilot
        finally:
            for wallet in pilot.wallets:
                wallet.http.close()


# --- the clerk hands it over and prints it (review E, F1, adapted) -----------------------------------------


def test_a_retroactive_a1_can_be_handed_to_the_workers_wallet(pilot: Pilot) -> None:
    case_id = pilot.clerk.create_case("LV:VSAA", "pda1", _retroactive_a1(), HOLDER)
    assert pilot.clerk.case("LV:VSAA", case_id).get("offer_refusal") is None
    wallet = pilot.wallet("a1")
    group = pilot.receive(wallet, "LV:VSAA", case_id)
    card = wallet.card(group, "en")
    assert card.vct == pda1.VCT and card.period == "ended" and card.warning == "ended"
    # Its copies are live: the proof of the period, verifiable (exp in the future).
    assert card.exp is not None and card.exp > datetime.now(UTC).timestamp() + 300 * 86400
    copies = [c for c in pilot.clerk.case("LV:VSAA", case_id)["credential_records"]]
    assert copies and all(datetime.fromisoformat(c["expires_at"]) > datetime.now(UTC) for c in copies)


def test_a_retroactive_a1_can_be_printed(pilot: Pilot) -> None:
    case_id = pilot.clerk.create_case("LV:VSAA", "pda1", _retroactive_a1(), HOLDER)
    assert pilot.clerk.paper("LV:VSAA", case_id).startswith(b"%PDF")
    paper = [c for c in pilot.clerk.case("LV:VSAA", case_id)["credential_records"]]
    assert len(paper) == 1 and datetime.fromisoformat(paper[0]["expires_at"]) > datetime.now(UTC)


def test_a_prc_for_treatment_already_given_is_handed_over_and_printed(pilot: Pilot) -> None:
    case_id = pilot.clerk.create_case("LV:NVD", "ehic", _past_prc(), HOLDER)
    assert pilot.clerk.paper("LV:NVD", case_id).startswith(b"%PDF")
    wallet = pilot.wallet("prc")
    group = pilot.receive(wallet, "LV:NVD", case_id)
    card = wallet.card(group, "en")
    _start, end = _past_period()
    assert card.period == "ended" and card.valid_until == end.isoformat()
    assert standing_words(card, "en") == (f"Covers {format_date(end - timedelta(days=20), 'en')} to "
                                          f"{format_date(end, 'en')} (ended)")


# --- the wallet: the period it covers, ended; no renewal, no "ask for a new copy" --------------------------


def test_the_wallet_shows_the_period_covered_as_ended_in_five_languages_and_never_a_copy_to_renew(
        pilot: Pilot) -> None:
    wallet = pilot.wallet("words")
    group = pilot.receive(wallet, "LV:VSAA", pilot.clerk.create_case("LV:VSAA", "pda1", _retroactive_a1(), HOLDER))
    start, end = _past_period()
    said = set()
    for lang in i18n.LANGUAGES:
        card = wallet.card(group, lang)
        words = standing_words(card, lang)
        assert format_date(start, lang) in words and format_date(end, lang) in words, (lang, words)
        assert words == messages.t("state.period_ended", lang, start=format_date(start, lang),
                                   end=format_date(end, lang))
        warning = warning_words(card, lang)
        assert format_date(end, lang) in warning
        said.add(words)
        assert card.copy_expired_on is None and card.copies_end_on is None
    assert len(said) == 5
    en = wallet.card(group, "en")
    assert "new copy" not in standing_words(en, "en") + warning_words(en, "en")
    # No renewal: the issuer gave no refresh token for an ended document, and none is due in any case.
    copies = [c for c in wallet.credentials() if c.group == group]
    assert renewal.why_due(copies, datetime.now(UTC), datetime.now(UTC).date(), notice=timedelta(days=30)) is None
    assert wallet.renew_due(only=group, force=True) == []
    with pytest.raises(NoRenewalError) as refused:
        wallet.renew(group)
    assert "new offer" not in refused.value.message and "new copy" not in refused.value.message


def test_the_wallet_page_offers_no_renewal_and_no_new_copy_for_an_ended_a1(pilot: Pilot) -> None:
    from wallet.app import create_app
    from wallet.settings import WalletSettings

    wallet = pilot.wallet("page")
    group = pilot.receive(wallet, "LV:VSAA", pilot.clerk.create_case("LV:VSAA", "pda1", _retroactive_a1(), HOLDER))
    settings = WalletSettings(data_dir=pilot.stack.data_dir / "phone-page", registry_url=pilot.stack.registry_url,
                              allow_loopback_http=True, pki_dir=pilot.stack.data_dir / "pki", scrypt_n=2**10)
    _start, end = _past_period()
    with serve(create_app(settings)) as handle, httpx.Client(base_url=handle.url, timeout=60) as client:
        token = client.get("/unlock").text.split('name="csrf" value="')[1].split('"')[0]
        assert client.post("/unlock", data={"passphrase": "pw", "csrf": token}).status_code == 303
        for page in (client.get("/"), client.get(f"/cards/{group}")):
            text = html.unescape(page.text)
            assert page.status_code == 200 and f"to {format_date(end, 'en')} (ended)" in text
            assert "new copy" not in text and 'id="renewal-notices"' not in text and 'id="copies-end"' not in text
        assert 'id="renew"' not in client.get(f"/cards/{group}").text


# --- the inspection: not valid today, because the period ended -------------------------------------------


def test_the_inspector_finds_it_not_valid_today_because_its_period_ended(pilot: Pilot) -> None:
    wallet = pilot.wallet("inspection")
    pilot.receive(wallet, "LV:VSAA", pilot.clerk.create_case("LV:VSAA", "pda1", _retroactive_a1(), HOLDER))
    inspector = Inspector(pilot.stack.verifier_url, pilot.http, pilot.stack.inspector_token)
    request = inspector.request("pda1")
    consent = wallet.open_request(request["link"], "en")
    item = next(i for i in consent.items if i.warning is not None)
    assert item.warning == "ended" and "covers" in item.notice
    wallet.share(consent.id)
    verdict = inspector.result(request)["verdict"]
    start, end = _past_period()
    assert verdict["verdict"] == "invalid", verdict
    assert verdict["reason_key"] == "coverage_period.ended", verdict
    assert end.isoformat() in verdict["reason"] or format_date(end, "en") in verdict["reason"], verdict["reason"]
    a1 = next(d for d in verdict["person"]["documents"] if d["vct"] == pda1.VCT)
    shown = repr(a1)
    assert start.isoformat() in shown and end.isoformat() in shown, a1


def test_an_a1_shown_as_mdoc_also_says_its_period_ended_not_that_it_expired() -> None:
    """The issuer's mdoc states an A1's period end as its expiry (every mdoc element can be withheld):
    the reason is still the period's end, as for the SD-JWT VC (an A1 has no validity beyond its period)."""
    from credentials import ehic, verification

    start, end = _past_period()
    a1 = {**pda1.validate({**ANNA.pda1, "starting_date": start.isoformat(), "ending_date": end.isoformat()}),
          "date_of_expiry": end.isoformat()}
    failed = [s for s in verification._validity_steps(pda1, a1, datetime.now(UTC).date(),
                                                      every_claim_withholdable=True) if s.result == verification.FAILED]
    assert failed and all(s.reason_key == "coverage_period.ended" for s in failed), failed
    assert failed[0].message == f"The period covered ended on {end}."
    card = {**ehic.validate(ANNA.ehic), "date_of_expiry": end.isoformat()}
    expired = verification._validity_steps(ehic, card, datetime.now(UTC).date())[0]
    assert expired.result == verification.FAILED and expired.message == f"The document expired on {end}."


# --- what stays refused ------------------------------------------------------------------------------------


def test_an_ehic_card_whose_expiry_passed_is_still_neither_handed_over_nor_printed(pilot: Pilot) -> None:
    """A card is for care now: an expired one proves nothing (Decision S2 field 9). Two days ago: a card's
    last day ends last in UTC-12, half a day into the next in UTC (on the 1st of a month, the previous
    month's last day, which _past_period gives, had not ended everywhere yet)."""
    end = datetime.now(UTC).date() - timedelta(days=2)
    card = unnumbered({**ANNA.ehic, "date_of_issuance": (end - timedelta(days=400)).isoformat(),
                       "date_of_expiry": end.isoformat()})
    case_id = pilot.clerk.create_case("LV:NVD", "ehic", card, HOLDER)
    for what in ("offer", "paper.pdf"):
        answer = pilot.refused("LV:NVD", case_id, what)
        assert answer.status_code == 409, answer.text
        body = answer.json()
        assert body["rule_key"] in ("case.ended_offer", "case.ended_paper"), body
        assert "expired on" in body["error_description"] and "extend" not in body["error_description"]


def test_a_withdrawn_retroactive_a1_stays_undeliverable(pilot: Pilot) -> None:
    case_id = pilot.clerk.create_case("LV:VSAA", "pda1", _retroactive_a1(), HOLDER)
    pilot.clerk.set_state("LV:VSAA", case_id, "revoke", "wrong determination (987/2009 Art. 5)")
    for what in ("offer", "paper.pdf"):
        answer = pilot.refused("LV:VSAA", case_id, what)
        assert answer.status_code == 409 and "withdrawn" in answer.json()["error_description"], answer.text


# --- the copies' life, and the case's retention --------------------------------------------------------------


class _FarCertificate:
    """A stand-in for a signer certificate ending far ahead: :func:`credential_end` reads only its end."""

    not_valid_after_utc = datetime(2100, 1, 1, tzinfo=UTC)


_FAR: list[Any] = [_FarCertificate()]


def _last_second(day: date) -> datetime:
    """The issuer's end of a document's last day: 23:59:59 anywhere on earth (UTC-12), in UTC."""
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC) + timedelta(hours=12)


@pytest.mark.parametrize("which", ["ended", "current"])
def test_an_a1s_copies_live_the_proof_period_after_its_period_or_signing_within_the_signer_chain(
        pilot: Pilot, which: str) -> None:
    """A current A1's copies outlive its period the same way: the worker keeps the proof of past months."""
    now = datetime.now(UTC)
    period = {k: _retroactive_a1()[k] for k in ("starting_date", "ending_date")} if which == "ended" else {}
    claims = pda1.validate({**ANNA.pda1, **period})
    assert certifies_period(claims)
    expected = max(_last_second(date.fromisoformat(claims["ending_date"])), now) + PROOF_PERIOD
    assert credential_end(claims, _FAR, now) == expected
    chain: list[Certificate] = list(load_demo_pki(pilot.stack.data_dir / "pki").signers["LV:VSAA"][1])
    assert credential_end(claims, chain, now) == min(expected, *(c.not_valid_after_utc for c in chain))


def test_an_ehic_cards_copies_still_end_with_the_card() -> None:
    """An expired card proves nothing: its copies end with it, as before."""
    card = {**ANNA.ehic}
    assert not certifies_period(card)
    assert credential_end(card, _FAR, datetime.now(UTC)) == _last_second(date.fromisoformat(card["date_of_expiry"]))


def test_a_card_is_not_handed_over_once_its_last_day_is_over_where_it_was_issued() -> None:
    """An EHIC that expired on 30 November where its institution is (Warsaw, UTC+1 in winter) is not
    given to a wallet at 00:30 there on 1 December, though its token, were it signed, would run to the
    end of the 30th anywhere on earth; an institution in Lisbon (UTC) still hands it over at 23:30."""
    card = {**ANNA.ehic, "date_of_expiry": "2026-11-30"}
    assert not document_expired(card, datetime(2026, 11, 30, 22, 59, tzinfo=UTC), "PL")
    assert document_expired(card, datetime(2026, 11, 30, 23, 30, tzinfo=UTC), "PL")
    assert document_expired(card, datetime(2026, 11, 30, 22, 0, tzinfo=UTC), "LV")  # Riga, UTC+2
    assert not document_expired(card, datetime(2026, 11, 30, 23, 30, tzinfo=UTC), "PT")
    assert document_expired(card, datetime(2026, 12, 1, 0, 0, tzinfo=UTC), "PT")
    assert document_end(card, datetime(2026, 11, 1, tzinfo=UTC)) == _last_second(date(2026, 11, 30))
    # An A1 certifies its period: handed over whenever it is asked for, its period over or not.
    a1 = {**ANNA.pda1, "ending_date": "2026-11-30"}
    assert not document_expired(a1, datetime(2027, 6, 1, tzinfo=UTC), "PL")

def test_the_case_is_kept_while_its_copies_live_and_erased_after(tmp_path: Path) -> None:
    """Its status list entries and records must outlive its copies (a withdrawal must still show):
    the retention period runs from the copies' expiry, not from the end of the period."""
    from esspass.db import make_engine
    from issuer.institutions import demo_institutions
    from issuer.service import IssuerService
    from issuer.settings import IssuerSettings

    with start_in_process(tmp_path) as stack, httpx.Client(timeout=60) as http:
        clerk = Clerk(stack.issuer_url, tmp_path, http)
        case_id = clerk.create_case("LV:VSAA", "pda1", _retroactive_a1(), HOLDER)
        clerk.paper("LV:VSAA", case_id)
        copy_end = max(datetime.fromisoformat(c["expires_at"])
                       for c in clerk.case("LV:VSAA", case_id)["credential_records"])
        engine = make_engine(IssuerSettings(data_dir=tmp_path).db_url("issuer.db"))
        # 200 days on, the period and 90 days after the case's recording and last use are long gone.
        clock = [datetime.now(UTC) + timedelta(days=200)]
        hosted = demo_institutions(tmp_path / "pki", stack.issuer_url, now=datetime.now(UTC))
        service = IssuerService(engine, hosted, clock=lambda: clock[0])
        try:
            vsaa = service.institution("lv-vsaa")
            assert service.erase_ended(90) == 0 and service.get_case(vsaa, case_id)["erased_at"] is None
            clock[0] = copy_end + timedelta(days=89)
            service.erase_ended(90)
            assert service.get_case(vsaa, case_id)["erased_at"] is None
            clock[0] = copy_end + timedelta(days=91)
            service.erase_ended(90)
            assert service.get_case(vsaa, case_id)["erased_at"] is not None
        finally:
            engine.dispose()
