"""The wallet for a Polish welder posted to Germany (review R10), the phone in Polish then English.

One test per defect the review found. Everything over real HTTP on loopback (registry, issuer,
verifier, the wallet's page server); nothing of ours is mocked.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials.demo_persons import DEMO_PERSONS
from esspass.stack import Clerk, Stack, start_in_process, wallet_holding
from esspass.testing import free_port, serve

JAN = DEMO_PERSONS[1]  # the Polish worker: PL:PID, ZUS's A1, an EHIC


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with start_in_process(tmp_path_factory.mktemp("posted-worker")) as running:
        yield running


def _wallet_page(stack: Stack, data_dir: Path, **extra: Any) -> Any:
    """The wallet's page server over the wallet in ``data_dir``, with the default settings (as a deployment
    that sets no operator name)."""
    from wallet.app import create_app
    from wallet.settings import WalletSettings

    port = free_port()
    settings = WalletSettings(data_dir=data_dir, pki_dir=stack.data_dir / "pki", registry_url=stack.registry_url,
                              allow_loopback_http=True, scrypt_n=2**10, public_url=f"http://127.0.0.1:{port}",
                              **extra)
    return serve(create_app(settings), port=port)


def _csrf(page: str) -> str:
    return html.unescape(page.split('name="csrf" value="')[1].split('"')[0])


def _text(page: str) -> str:
    """The visible words of a page's <main>, tags and extra spaces dropped."""
    main = page.split("<main", 1)[-1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def _privacy(stack: Stack, tmp_path: Path, lang: str) -> str:
    with _wallet_page(stack, tmp_path / "fresh-phone") as handle, \
            httpx.Client(base_url=handle.url, timeout=30) as page:
        page.get(f"/lang/{lang}")
        shown = page.get("/privacy")
        assert shown.status_code == 200 and f'lang="{lang}"' in shown.text
        return _text(shown.text)


def test_the_privacy_notice_says_what_the_offline_qr_code_carries_and_that_whoever_scans_it_reads_it(
        stack: Stack, tmp_path: Path) -> None:
    """GDPR Art. 13(1)(e) (recipients) and Art. 12(1): the notice says only what the worker approves
    leaves, and only to the verifier named on the request screen. The offline QR code ("Show QR for
    inspection") carries the name, date of birth, A1 number, employer and period, signed, to whoever
    sees or photographs the phone's screen: no request screen, no verifier named or checked. The notice
    never mentions it."""
    notice = _privacy(stack, tmp_path, "en")
    assert re.search(r"\bQR\b", notice), f"the privacy notice says nothing of the offline QR code: {notice[:600]}"
    assert "date of birth" in notice and "employer" in notice and "photographs the screen" in notice, notice
    polish = _privacy(stack, tmp_path, "pl")
    assert "Kod QR offline" in polish and "fotografuje ekran" in polish, polish


def test_the_wallet_tells_the_worker_what_to_do_when_the_phone_is_lost_or_stolen(
        stack: Stack, tmp_path: Path) -> None:
    """A lost phone (README: "a new offer of the case ends its earlier grants (a lost or stolen phone)"):
    the worker must ask each institution for a new offer so that the lost phone gets no new copies. No
    wallet page says so (privacy notice, unlock page, card page): the worker on a building site does not
    know that anything can be done."""
    notice = _privacy(stack, tmp_path, "en")
    assert re.search(r"\b(lose|lost|stolen)\b", notice, re.I), \
        f"nothing says what to do when the phone is lost: {notice[:600]}"
    assert "new offer" in notice and "stay valid until they end" in notice and "passphrase" in notice, notice


@pytest.mark.parametrize("lang", ["pl", "lv", "de", "fr"])
def test_the_privacy_notice_names_its_default_provider_in_the_page_language(
        stack: Stack, tmp_path: Path, lang: str) -> None:
    """WalletSettings.operator_name defaults to the English "the ESSPASS pilot", put as it is into every
    language: "Ten portfel udostępnia the ESSPASS pilot." (pl), "Diese Wallet wird von the ESSPASS pilot
    bereitgestellt." (de). A default the deployment did not set reads in the page's language."""
    notice = _privacy(stack, tmp_path, lang)
    assert "the ESSPASS pilot" not in notice, notice[:300]


def test_the_offer_page_gives_the_one_time_code_hint_in_the_workers_language(stack: Stack, tmp_path: Path) -> None:
    """The wallet's offer page in Polish shows the issuer's ``tx_code.description``, which the issuer writes
    in English whatever the institution (issuer/service.py: "Enter the 6-digit code your institution gave
    you."), under the Polish label "Kod otrzymany osobno": a Polish worker reads an English instruction."""
    from credentials.demo_persons import portrait

    with httpx.Client(timeout=30) as http:
        clerk = Clerk(stack.issuer_url, stack.data_dir, http)
        case_id = clerk.create_case(JAN.pid_provider, "pid", {**JAN.pid, "picture": portrait(JAN)})
        offer = clerk.offer(JAN.pid_provider, case_id)
    with _wallet_page(stack, tmp_path / "phone") as handle, httpx.Client(base_url=handle.url, timeout=30) as page:
        setup = page.get("/setup")
        page.post("/setup", data={"passphrase": "spawacz-2025", "passphrase2": "spawacz-2025",
                                  "csrf": _csrf(setup.text)})
        page.get("/lang/pl")
        form = page.get("/receive")
        shown = page.post("/receive", data={"link": offer["link"], "csrf": _csrf(form.text)},
                          follow_redirects=True)
        assert shown.status_code == 200 and 'id="tx_code"' in shown.text, shown.text[:500]
        words = _text(shown.text)
    assert "Enter the 6-digit code" not in words, words
    assert "6 cyfr: kod, który instytucja przekazała Ci osobno." in words, words


def test_post_redirect_get_a_reload_or_back_after_receiving_shows_what_was_stored(stack: Stack, tmp_path: Path) -> None:
    """Reloading "document added" said "this offer is no longer open here. Start again" though the
    document was stored: the offer's page and what it gave are addresses of their own, the latter kept
    for the session, and Back to the offer's page leads to it."""
    with httpx.Client(timeout=30) as http:
        clerk = Clerk(stack.issuer_url, stack.data_dir, http)
        offer = clerk.offer(JAN.pid_provider, clerk.create_case(JAN.pid_provider, "pid", JAN.pid))
    with _wallet_page(stack, tmp_path / "phone") as handle, httpx.Client(base_url=handle.url, timeout=30) as page:
        setup = page.get("/setup")
        page.post("/setup", data={"passphrase": "spawacz-2025", "passphrase2": "spawacz-2025",
                                  "csrf": _csrf(setup.text)})
        opened = page.post("/receive", data={"link": offer["link"], "csrf": _csrf(page.get("/receive").text)})
        assert opened.status_code == 303
        offer_at = opened.headers["location"]
        form = page.get(offer_at)
        taken = page.post(offer_at, data={"tx_code": offer["tx_code"], "csrf": _csrf(form.text)})
        assert taken.status_code == 303 and taken.headers["location"] == f"{offer_at}/done"
        shown = [page.get(f"{offer_at}/done") for _ in range(2)]  # shown, then reloaded
        assert shown[0].text == shown[1].text and shown[1].status_code == 200
        assert JAN.pid["family_name"] in html.unescape(shown[1].text)
        back = page.get(offer_at)
        assert back.status_code == 303 and back.headers["location"] == f"{offer_at}/done"


def test_copies_not_yet_due_are_said_in_the_workers_language_and_not_as_a_refusal_to_issue(
        stack: Stack, tmp_path: Path) -> None:
    """Once every copy of a card has been shown, the wallet renews by itself as the list is shown; within a
    day of receiving them the issuer answers ``credential_request_denied`` "the copies held are not due for
    renewal ..." (issuer/service.py). The Polish list page then shows a failure: "Nie udało się odnowić
    kopii dokumentu ...: Instytucja odmówiła wydania tego dokumentu. (Collecting the document: the copies
    held are not due for renewal: they end on ...; they are renewed from ... UTC ...) Twoje kopie
    pozostają." The institution refused nothing; the worker reads that it refused to issue the document,
    half of it in English. Pressing "Renew copies" on fresh copies says the same."""
    from wallet.service import renewal_words

    http = httpx.Client(timeout=30)
    wallet = wallet_holding(stack, stack.data_dir, http, JAN)
    try:
        group = next(c.group for c in wallet.cards("pl") if "pda1" in c.vct)
        outcome = wallet.renew(group, lang="pl")
        words = renewal_words(outcome, "pl")
    finally:
        wallet.http.close()
        http.close()
    assert "not due" not in words and "Collecting the document" not in words, words
    assert "odmówiła wydania" not in words, words
    assert outcome.outcome == "not_due" and "nie trzeba jeszcze odnawiać" in words, words
    assert re.search(r"od \d{1,2} (stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|"
                     r"października|listopada|grudnia) \d{4}, \d{2}:\d{2}", words), words


def test_the_polish_confirmation_after_sharing_agrees_with_a_feminine_inspectorate() -> None:
    """"Valsts darba inspekcja (State Labour Inspectorate) otrzymał dane, na których udostępnienie się
    zgodziłeś.": the verifier is most often an inspekcja (feminine) and the worker may be a woman; the
    sentence has the masculine verb for both (elsewhere the wallet writes "urodzony(-a)"). A wording that
    does not depend on either's gender ("Przekazano dane ... do {verifier}")."""
    from wallet import messages

    words = messages.t("shared.text", "pl", verifier="Państwowa Inspekcja Pracy")
    assert "Inspekcja Pracy otrzymał " not in words and "zgodziłeś." not in words, words
    declined = messages.t("declined.text", "pl", verifier="Państwowa Inspekcja Pracy")
    assert "otrzymał " not in declined, declined



def test_the_polish_consent_and_renewal_wording_reads_as_the_review_asked() -> None:
    """Review R10, other Polish wording: "prosi najpierw o to wszystko" read as if more would be asked
    later; "nie pozwala go ukryć" pointed at a list; "Prosi instytucję ..." had no subject; the
    privacy notice kept "kontrolę" where the consent screen keeps "zapis kontroli"."""
    from wallet import messages

    help_text = messages.t("consent.leave_out_help", "pl", verifier="PIP")
    assert "najpierw" not in help_text and "poniższe" in help_text, help_text
    assert "ich ukryć" in messages.t("consent.always", "pl")
    assert messages.t("consent.from_document", "pl", title="Zaświadczenie A1") == "Z dokumentu: Zaświadczenie A1"
    assert messages.t("card.renew_help", "pl").startswith("Portfel poprosi instytucję")
    notice = " ".join(messages.t(k, "pl") for k in ("privacy.leaves_share", "privacy.retention"))
    assert "przechowuje kontrolę" not in notice and "zapis kontroli" in notice, notice


def test_times_on_the_card_and_in_the_history_are_in_the_page_date_format_and_local_time() -> None:
    """Review R10: "sprawdzono 2026-11-30 09:34" on the card and "2026-11-30 09:35 UTC" in the history,
    while every other date reads "30 listopada 2026": a worker in Germany expects the local time."""
    from datetime import UTC, datetime

    from wallet import messages

    at = datetime(2026, 11, 30, 9, 35, tzinfo=UTC)
    local = at.astimezone()
    words = messages.format_when(at.isoformat(), "pl")
    assert words == f"{local.day} listopada 2026, {local:%H:%M}", words
    assert messages.format_when(at.isoformat(), "de").startswith(f"{local.day}. November 2026")


def test_the_employer_type_code_is_shown_in_words_on_the_consent_screen() -> None:
    """Review R10: "Pracodawca 01, PL5250000002, ..." showed the rulebook's employer type code (v1.1
    ``employer[].type``) as it is; it reads as the kind of work, after the employer it names."""
    from credentials import pda1
    from wallet import core

    claims = {"employer": [{"type": "01", "id": "PL5250000002", "name": "Budmax Sp. z o.o.", "country": "PL"}]}
    shown = core.claim_value(claims, ("employer",), "pl")
    assert shown == "Budmax Sp. z o.o., PL5250000002, Polska, zatrudnienie", shown
    assert core.claim_label(pda1.VCT, ("employer",), "pl")


def test_used_up_copies_are_renewed_by_themselves_only_once_the_issuer_would_renew_them() -> None:
    """The issuer renews copies not due by their dates at most once a day after it issued them
    (issuer.service.RENEWAL_PACE); the wallet renewed as soon as every copy had been shown, and was
    refused. Its trigger waits as long (wallet.renewal.USED_UP_AFTER)."""
    from datetime import UTC, datetime, timedelta

    from credentials import pda1
    from issuer.service import RENEWAL_PACE
    from wallet import renewal
    from wallet.model import StoredCredential

    now = datetime.now(UTC)
    today = now.astimezone().date()
    claims = {"document_number": "A1-1", "starting_date": (today - timedelta(days=10)).isoformat(),
              "ending_date": (today + timedelta(days=300)).isoformat()}

    def copies(issued: datetime) -> list[StoredCredential]:
        return [StoredCredential(id=f"c{n}", group="g", format="dc+sd-jwt", vct=pda1.VCT, credential="x",
                                 private_key="k", issuer_url="https://issuer.example/pl-zus", issuer_id="PL:ZUS",
                                 issuer_name="ZUS", configuration_id="pda1", received_at=issued.isoformat(),
                                 claims=claims, iat=int(issued.timestamp()),
                                 exp=int((now + timedelta(days=700)).timestamp()), used=1) for n in range(3)]

    assert renewal.USED_UP_AFTER == RENEWAL_PACE
    notice = timedelta(days=30)
    assert renewal.why_due(copies(now - timedelta(hours=2)), now, today, notice=notice) is None
    assert renewal.why_due(copies(now - RENEWAL_PACE - timedelta(minutes=1)), now, today,
                           notice=notice) == renewal.USED_UP


def test_the_card_list_and_the_card_link_to_what_to_do_when_the_phone_is_lost(
        stack: Stack, tmp_path: Path) -> None:
    """Review R10, 3: the lost-phone advice is found from the documents, not only from the notice."""
    with _wallet_page(stack, tmp_path / "phone") as handle, httpx.Client(base_url=handle.url, timeout=30) as page:
        setup = page.get("/setup")
        page.post("/setup", data={"passphrase": "spawacz-2025", "passphrase2": "spawacz-2025",
                                  "csrf": _csrf(setup.text)})
        page.get("/lang/pl")
        home = page.get("/")
    assert 'href="/privacy#lost"' in home.text and "Zgubiony lub skradziony telefon?" in _text(home.text)


def test_renewing_a_replaced_a1_says_it_was_replaced_and_how_to_get_the_new_one(
        stack: Stack, tmp_path: Path) -> None:
    """Review R10, 6: "Renew copies" on an A1 the institution replaced answered that the wallet has no
    access from the institution; the reason is the replacement, and the card says how to get the new one."""
    from credentials.institutions import demo_entity
    from esspass.stack import open_wallet, unnumbered
    from wallet.errors import NoRenewalError
    from wallet.messages import explain

    person = DEMO_PERSONS[0]  # a replacement without a second clerk's approval
    holder = {k: person.pid[k] for k in ("family_name", "given_name", "birthdate")}
    with httpx.Client(timeout=30) as http:
        clerk = Clerk(stack.issuer_url, stack.data_dir, http)
        wallet = open_wallet(tmp_path / "phone", stack.registry_url, "pw", fast_kdf=True,
                             pki_dir=stack.data_dir / "pki")
        try:
            def receive(case_id: str) -> str:
                offer = clerk.offer(person.pda1_issuer, case_id)
                offer_id, _ = wallet.open_offer(offer["link"])
                return str(wallet.accept_offer(offer_id, offer["tx_code"])[0])

            case_id = clerk.create_case(person.pda1_issuer, "pda1", unnumbered(person.pda1), holder)
            old = receive(case_id)
            replaced = http.post(
                f"{stack.issuer_url}/{demo_entity(person.pda1_issuer).path}/api/cases/{case_id}/replace",
                headers={"Authorization": f"Bearer {clerk.tokens[person.pda1_issuer]}"},
                json={"claims": {**unnumbered(person.pda1), "ending_date": "2028-03-31"}, "holder": holder,
                      "reason": "posting extended"})
            assert replaced.status_code == 201, replaced.text
            receive(str(replaced.json()["id"]))
            assert wallet.card(old, "pl").warning == "replaced"
            with pytest.raises(NoRenewalError) as refused:
                wallet.renew(old, lang="pl")
        finally:
            wallet.http.close()
    said = explain(refused.value.code, refused.value.message, "pl")
    assert said.startswith("Ten dokument został zastąpiony nowszym"), said
