"""Follow-ups on the worker's wallet: a past document told from the current one, the renewal date an issuer
sends as data, and the grant of a deleted card ended even when its institution is down at that moment.

1. An institution replaces an A1 (Token Status List REPLACED, 0x03; credentials.status_list) or withdraws
   it, or the document ends: the wallet keeps it, but as a past document (wallet.service.Card.past): said
   in the past tense in place of "... applies to you", after the current document of its kind, named "No
   longer current" (not by colour alone, WCAG 1.4.1), and its page says which document to show instead;
   the same in the terminal, in the five languages. The pages in Chromium: test_wallet_cards_followups_browser.
2. An issuer refusing to renew copies not due yet (OpenID4VCI 1.0 §8.3.1.2 ``credential_request_denied``)
   names when it will in a member of its error response, ``renewal_from`` (a NumericDate; RFC 6749 §5.2
   allows members beside ``error``): the wallet takes that, and reads the English words only from an
   issuer that does not send it.
3. Deleting a card ends its grant at the institution (RFC 7009 §2); when the institution cannot be
   reached, the wallet keeps the revocation (in its encrypted store) and sends it when it next opens or
   goes online, up to its limits (wallet.revocation), telling the worker only when it keeps failing.

Over real HTTP: registry, issuer and verifier in process (esspass.stack), the issuer stopped and started
again on its own address where a test needs it down.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_copy_renewal import World as RenewalWorld
from test_copy_renewal import _refresh, _restart_issuer
from test_wallet_replaced import PERSON
from test_wallet_replaced import World as ReplacedWorld

from credentials import ehic, pda1
from credentials.errors import ProtocolError
from credentials.i18n import LANGUAGES, format_date
from esspass.stack import Clerk, InspectorAuth, Stack, start_in_process
from esspass.testing import serve
from wallet import core, messages, renewal, revocation
from wallet.app import create_app as wallet_app
from wallet.cli import main as wallet_main
from wallet.http import ErrorResponse
from wallet.keys import load_key
from wallet.model import StatusCheck, StoredCredential
from wallet.service import Card, WalletService, past_words, utcnow
from wallet.settings import WalletSettings


@dataclass
class Worlds:
    """One running pilot, seen by the helpers of the replaced-document tests and of the renewal tests."""

    stack: Stack
    http: httpx.Client
    replaced: ReplacedWorld
    renewal: RenewalWorld
    tmp: Path

    def wallet_with_grant(self, home: str) -> tuple[WalletService, str]:
        """A new wallet holding a current A1 with the grant that renews it (its refresh token and DPoP key)."""
        wallet, group, _case_id = self.renewal.wallet(home)
        assert self.grant(wallet, group)["refresh_token"]
        return wallet, group

    @staticmethod
    def grant(wallet: WalletService, group: str) -> dict[str, Any]:
        grant: dict[str, Any] = wallet.store.read()["renewals"][group]
        return grant

    def refused(self, grant: dict[str, Any]) -> bool:
        """Whether the issuer now refuses a renewal by whoever copied ``grant`` (its token and DPoP key)."""
        answer = _refresh(self.renewal, grant["refresh_token"], load_key(grant["dpop_key"]))
        return (answer.status_code, answer.json().get("error")) == (400, "invalid_grant")

    def stop_issuer(self) -> None:
        self.stack.stop("issuer")

    def start_issuer(self) -> None:
        _restart_issuer(self.stack)  # stop (already stopped: nothing) and start on its own address


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worlds]:
    data_dir = tmp_path_factory.mktemp("followups")
    with start_in_process(data_dir) as stack, httpx.Client(timeout=30) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        phones = tmp_path_factory.mktemp("phones")
        replaced = ReplacedWorld(stack, http, phones)
        yield Worlds(stack, http, replaced, RenewalWorld(stack, http, Clerk(stack.issuer_url, data_dir, http)), phones)
        replaced.close()


def _pending(wallet: WalletService) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = wallet.store.read().get("revocations", [])
    return entries


def _wait_until(done: Any, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "not done in time"
        time.sleep(0.1)


# --- 1. a replaced, withdrawn or ended document reads as a past one ---------------------------------------


def test_a_replaced_a1_reads_as_a_past_document_after_the_current_one_in_every_language(worlds: Worlds) -> None:
    """The two A1 cards no longer differ by their status line alone: the replaced one says, in the past
    tense, that it was replaced and on which day (the newer one's date of issue), never "the legislation
    that applies to you is ..."; it comes after the current one, which it names as the one to show."""
    world = worlds.replaced
    wallet = world.wallet()
    old_case = world.a1()
    old = world.receive(wallet, old_case)
    new = world.receive(wallet, world.replace(old_case))
    copies = {c.group: c for c in wallet.credentials() if c.format == "dc+sd-jwt"}
    for lang in LANGUAGES:
        cards = [c for c in wallet.cards(lang) if c.vct == pda1.VCT]
        assert [c.group for c in cards] == [new, old], lang  # the current one first, whatever the stored order
        current, past = cards
        assert (current.past, past.past) == (None, "replaced")
        present = core.describe(pda1.VCT, core.readable_claims(copies[old]), lang)
        assert present not in past.description and past.description == past_words(past, lang)
        said = messages.t("past.replaced", lang, date=format_date(str(current.issued_on), lang))
        assert past.description.startswith(said) and messages.t("past.kept", lang) in past.description, lang
        assert current.description == core.describe(pda1.VCT, core.readable_claims(copies[new]), lang)
        assert (past.current, current.current, current.earlier) == ((new,), (new,), 1)
        assert wallet.card(old, lang) == past  # the card alone says the same as the list


def test_a_withdrawn_document_reads_as_past_and_goes_after_the_current_one_of_its_kind(worlds: Worlds) -> None:
    """Two postings, two A1s; the institution withdraws the first (status INVALID): it is said withdrawn, in
    the past tense, after the other, which its page names as the one to show."""
    world = worlds.replaced
    wallet = world.wallet()
    first_case = world.a1()
    first = world.receive(wallet, first_case)
    second = world.receive(wallet, world.a1())
    world.clerk.set_state(*first_case, "revoke", "issued in error")
    assert wallet.check_status(first).value == "invalid"
    for lang in LANGUAGES:
        cards = [c for c in wallet.cards(lang) if c.vct == pda1.VCT]
        assert [(c.group, c.past) for c in cards] == [(second, None), (first, "invalid")]
        assert cards[1].description.startswith(messages.t("past.withdrawn", lang, institution=cards[1].issuer_name))
        assert cards[1].current == (second,)


def _card(**fields: Any) -> Card:
    base: dict[str, Any] = {"group": "g", "vct": ehic.VCT, "title": "EHIC", "description": "You are covered",
                            "issuer_name": "NVD", "issuer_id": "LV:NVD", "received_at": "2026-01-05T08:00:00+00:00",
                            "exp": None, "copies": 3, "unused": 3, "status": None, "claims": ()}
    return Card(**{**base, **fields})


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_ended_or_withdrawn_document_is_said_in_the_past_tense(lang: str) -> None:
    """The rule itself (wallet.service.past_words), for each way a document becomes past: an expired card
    ended on its last day; an A1 whose period is over still proves that period; withdrawn, with the period
    it was issued for. Suspended (may be lifted) or with only its copies expired, a document is current."""
    valid = StatusCheck("valid", "2026-11-30T08:00:00+00:00")
    expired = _card(valid_until="2026-10-31", period="ended", status=valid)
    assert expired.past == "ended"
    assert past_words(expired, lang) == messages.t("past.ended", lang, date=format_date("2026-10-31", lang))
    a1 = {"vct": pda1.VCT, "valid_from": "2026-01-01", "valid_until": "2026-06-30"}
    ended = _card(**a1, period="ended")
    assert past_words(ended, lang) == messages.t("past.period_ended", lang, start=format_date("2026-01-01", lang),
                                                 end=format_date("2026-06-30", lang))
    withdrawn = _card(**a1, status=StatusCheck("invalid", valid.checked_at))
    assert withdrawn.past == "invalid"
    words = past_words(withdrawn, lang)
    assert words.startswith(messages.t("past.withdrawn", lang, institution="NVD"))
    assert format_date("2026-06-30", lang) in words and words.endswith(messages.t("past.kept", lang))
    for current in (_card(status=StatusCheck("suspended", valid.checked_at)), _card(period="copy_expired"),
                    _card(period="not_yet")):
        assert current.past is None and past_words(current, lang) == ""


def test_the_terminal_list_names_the_past_document_after_the_current_one(
        worlds: Worlds, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    world = worlds.replaced
    wallet = world.wallet()
    old_case = world.a1()
    old = world.receive(wallet, old_case)
    new = world.receive(wallet, world.replace(old_case))
    monkeypatch.setenv("ESSPASS_DATA_DIR", str(wallet.settings.data_dir))
    monkeypatch.setenv("ESSPASS_WALLET_PKI_DIR", str(worlds.stack.data_dir / "pki"))
    monkeypatch.setenv("ESSPASS_REGISTRY_URL", worlds.stack.registry_url)
    monkeypatch.setenv("ESSPASS_WALLET_ALLOW_LOOPBACK_HTTP", "true")
    monkeypatch.setenv("ESSPASS_WALLET_PASSPHRASE", "pw")
    for lang in LANGUAGES:
        assert wallet_main(["--lang", lang, "list"]) == 0
        lines = capsys.readouterr().out.splitlines()
        heads = [n for n, line in enumerate(lines) if line.startswith(("[" + old, "[" + new))]
        assert [lines[n][1:len(new) + 1] for n in heads] == [new, old], lines  # the current one first
        tag = messages.t("card.past_tag", lang)
        assert lines[heads[1]].startswith(f"[{old}] {tag}: ") and tag not in lines[heads[0]]
        assert lines[heads[1] + 1].strip() == wallet.card(old, lang).description
        assert wallet_main(["--lang", lang, "show", old]) == 0
        shown = capsys.readouterr().out
        assert messages.t("card.show_instead", lang) in shown and f"[{new}]" in shown
        assert wallet_main(["--lang", lang, "show", new]) == 0
        assert messages.t("card.show_this", lang) in capsys.readouterr().out


# --- 2. the issuer says when it renews copies not due, as data ---------------------------------------------


def test_the_issuer_sends_when_it_renews_copies_not_due_and_the_wallet_takes_that_member(
        worlds: Worlds, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fresh copies are refused as not due (credential_request_denied); the refusal carries ``renewal_from``
    beside its words, and the wallet's "not due until" is that member to the second, even when it can no
    longer read the words (an issuer rewording them)."""
    wallet, group = worlds.wallet_with_grant("not-due")
    seen: list[ProtocolError] = []
    taken = renewal.not_due_from

    def spy(error: ProtocolError) -> datetime | None:
        seen.append(error)
        return taken(error)

    monkeypatch.setattr(renewal, "not_due_from", spy)
    monkeypatch.setattr(renewal, "renewed_from", lambda _description: None)  # the words say nothing now
    try:
        asked = utcnow()
        outcome = wallet.renew(group)
    finally:
        wallet.http.close()
    assert outcome.outcome == "not_due", outcome
    refusal = seen[-1]
    assert isinstance(refusal, ErrorResponse) and refusal.error == "credential_request_denied"
    sent = refusal.members["renewal_from"]
    assert isinstance(sent, int) and "renewed from" in refusal.message  # the words are still there, for people
    # The issuer's pace: a day after the copies it issued minutes ago (issuer.service RENEWAL_PACE).
    assert asked + timedelta(hours=23) < datetime.fromtimestamp(sent, UTC) <= asked + timedelta(hours=24, minutes=1)
    assert outcome.until == datetime.fromtimestamp(sent, UTC).isoformat()


def test_from_an_issuer_without_the_member_the_wallet_still_reads_the_words() -> None:
    """Older issuers say it only in words: still understood. A member that is no NumericDate (a text, a
    boolean, a fraction, beyond the calendar) is not taken: the words are read instead."""
    words = ("Collecting the document: the copies held are not due for renewal: they end on 2027-01-31; they are "
             "renewed from 2026-12-02 06:49 UTC, within 30 days of their end, or once the institution signs under "
             "a new certificate")
    from_words = datetime(2026, 12, 2, 6, 49, tzinfo=UTC)
    assert renewal.not_due_from(ProtocolError("credential_request_denied", words)) == from_words
    member = datetime(2026, 12, 9, 7, 0, 13, tzinfo=UTC)
    sent = ErrorResponse("credential_request_denied", words, http_status=400,
                         members={"renewal_from": int(member.timestamp())})
    assert renewal.not_due_from(sent) == member  # the member wins over the words
    for unusable in ("2026-12-09T07:00:13Z", True, 1.8e9, 10**15, -5):
        odd = ErrorResponse("credential_request_denied", words, http_status=400, members={"renewal_from": unusable})
        assert renewal.not_due_from(odd) == from_words, unusable
    assert renewal.not_due_from(ErrorResponse("invalid_grant", words, http_status=400,
                                              members={"renewal_from": int(member.timestamp())})) is None
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    grant = renewal.RenewalGrant(
        issuer_url="https://i.example", token_endpoint="https://i.example/token",
        credential_endpoint="https://i.example/credential", nonce_endpoint=None, notification_endpoint=None,
        as_issuer="https://i.example", token_auth_methods=(), challenge_endpoint=None, batch_size=3,
        refresh_token="r", dpop_key="k", forms=(renewal.RenewalForm("pda1", "dc+sd-jwt", pda1.VCT),),
        granted_at=now.isoformat())
    assert grant.not_due_until(now, at=renewal.not_due_from(sent)).next_try == member.isoformat()


# --- 3. a deleted card's grant ended at the institution, even when it is down at that moment -----------------


def test_a_revocation_the_institution_missed_while_down_is_sent_on_the_next_network_action(worlds: Worlds) -> None:
    """The institution is down when the card is deleted: the revocation waits in the store (the token and
    key encrypted with the rest, and the institution's name: no personal data), the worker is told
    nothing; once the institution is back, the wallet's next network action after the wait sends it, and
    whoever copied the grant renews nothing."""
    wallet, group = worlds.wallet_with_grant("down-then-action")
    copied = worlds.grant(wallet, group)
    try:
        worlds.stop_issuer()
        try:
            wallet.delete(group)
            wallet.wait_revocations()
            [entry] = _pending(wallet)
            assert entry["attempts"] == 1 and entry["refresh_token"] == copied["refresh_token"]
            assert set(entry) == set(revocation.PendingRevocation.__dataclass_fields__)
            assert "Baltic" not in str(entry) and PERSON.pid["family_name"] not in str(entry)
            assert wallet.revocation_notices("en") == []  # one failure: nothing to tell
            wallet.renew_due()  # a network action within the wait: not tried again yet
            wallet.wait_revocations()
            assert _pending(wallet)[0]["attempts"] == 1
        finally:
            worlds.start_issuer()
        wallet.clock = lambda: utcnow() + revocation.FIRST_WAIT + timedelta(seconds=5)  # within the DPoP skew
        wallet.fetch_pending()  # the next network action: asking about documents an institution defers
        wallet.wait_revocations()
        assert _pending(wallet) == []
        assert worlds.refused(copied)
    finally:
        wallet.http.close()


def test_a_revocation_the_institution_missed_while_down_is_sent_when_the_wallet_next_opens(
        worlds: Worlds, tmp_path: Path) -> None:
    """The pages unlocked (the wallet opening) try every pending revocation at once, whatever its wait."""
    wallet, group = worlds.wallet_with_grant("down-then-open")
    copied = worlds.grant(wallet, group)
    try:
        worlds.stop_issuer()
        try:
            wallet.delete(group)
            wallet.wait_revocations()
            assert len(_pending(wallet)) == 1
        finally:
            worlds.start_issuer()
        settings = WalletSettings(data_dir=wallet.settings.data_dir, pki_dir=worlds.stack.data_dir / "pki",
                                  registry_url=worlds.stack.registry_url, allow_loopback_http=True, scrypt_n=2**10)
        with serve(wallet_app(settings)) as pages, httpx.Client(base_url=pages.url, timeout=30) as browser:
            unlock = browser.get("/unlock")
            csrf = unlock.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            opened = browser.post("/unlock", data={"passphrase": "pw", "csrf": csrf}, follow_redirects=True)
            assert opened.status_code == 200 and 'id="revocation-notices"' not in opened.text
            _wait_until(lambda: _pending(wallet) == [])
        assert worlds.refused(copied)
    finally:
        wallet.http.close()


def test_a_revocation_that_keeps_failing_is_said_then_given_up_and_one_whose_token_ended_is_dropped(
        worlds: Worlds) -> None:
    """The institution stays down. A day and a few failed tries on, the list says the wallet keeps trying;
    past two weeks it gives up: the token and key are erased, the worker is told once whom to ask and the
    latest day the access ends by itself. A revocation whose token has ended by itself goes unsaid."""
    wallet, group = worlds.wallet_with_grant("down-for-good")
    last_day = wallet.card(group, "en").valid_until  # the grant's token ends with the document
    start = utcnow()
    try:
        worlds.stop_issuer()
        try:
            wallet.delete(group)
            wallet.wait_revocations()
            [entry] = _pending(wallet)
            ends = revocation.grant_end(date.fromisoformat(str(last_day)))
            assert ends is not None and entry["token_end"] == ends.isoformat()
            for hours in (25, 26, 28):  # each try after its wait, a day and more after the deletion
                wallet.clock = _at(start + timedelta(hours=hours))
                wallet.retry_revocations()
                wallet.wait_revocations()
            assert _pending(wallet)[0]["attempts"] == 4
            for lang in LANGUAGES:
                [still] = wallet.revocation_notices(lang)
                deleted = datetime.fromisoformat(entry["deleted_at"])
                until = format_date((deleted + revocation.GIVE_UP_AFTER).date().isoformat(), lang)
                assert still == messages.t("revoke.still_trying", lang, institution=entry["institution"], date=until)
            wallet.clock = _at(start + revocation.GIVE_UP_AFTER + timedelta(minutes=1))
            wallet.retry_revocations()
            wallet.wait_revocations()
            [gone] = _pending(wallet)
            assert gone["gave_up"] and gone["refresh_token"] == "" and gone["dpop_key"] == ""
            [told] = wallet.revocation_notices("de")
            assert told == messages.t("revoke.gave_up", "de", institution=entry["institution"],
                                      date=format_date(entry["token_end"][:10], "de"))
            assert _pending(wallet) == [] and wallet.revocation_notices("de") == []  # told once
        finally:
            worlds.start_issuer()
        # A pending revocation whose token has ended by itself (the document's end): dropped, unsaid.
        with wallet.store.transaction() as doc:
            doc["revocations"] = [{**entry, "attempts": 5, "token_end": (start + timedelta(days=3)).isoformat()}]
        wallet.clock = _at(start + timedelta(days=3, seconds=1))
        assert wallet.revocation_notices("en") == [] and _pending(wallet) == []
    finally:
        wallet.http.close()


def _at(moment: datetime) -> Any:
    """A wallet clock standing at ``moment``."""
    return lambda: moment


def test_the_limits_of_a_pending_revocation() -> None:
    """wallet.revocation: the wait doubles from 30 s to a day; given up after 20 tries or 14 days; told only
    after 3 failures over a day; a damaged entry is dropped, never sent."""
    assert [revocation.backoff(n) for n in (1, 2, 3)] == [timedelta(seconds=s) for s in (30, 60, 120)]
    assert revocation.backoff(40) == timedelta(days=1)
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    entry = revocation.PendingRevocation(id="r", endpoint="https://i.example/revoke", refresh_token="t",
                                         dpop_key="k", token_auth_methods=(), audience="https://i.example",
                                         challenge_endpoint=None, institution="VSAA", deleted_at=now.isoformat())
    assert entry.due(now)
    once = entry.failed(now)
    assert not once.due(now + timedelta(seconds=29)) and once.due(now + timedelta(seconds=30))
    tries = entry
    for n in range(revocation.MAX_ATTEMPTS):
        tries = tries.failed(now + timedelta(hours=n))
    assert tries.gave_up and tries.refresh_token == "" and not tries.due(now + timedelta(days=30))
    assert not replace(entry, attempts=5).keeps_failing(now + timedelta(hours=23))
    assert not replace(entry, attempts=2).keeps_failing(now + timedelta(days=2))
    assert replace(entry, attempts=3).keeps_failing(now + timedelta(days=1))
    stored: list[Any] = [entry.to_dict(), {"id": 5}, "x",
                         replace(entry, id="late", deleted_at=(now - timedelta(days=15)).isoformat()).to_dict()]
    kept = revocation.tidy(stored, now)
    assert [(e.id, e.gave_up) for e in kept] == [("r", False), ("late", True)]


def test_a_current_a1_is_shown_by_default_before_the_next_postings_a1_issued_later() -> None:
    """An institution issues the A1 of the next posting before the current one ends: the newest issue
    must not win while it is not yet valid (the inspector would read "not valid, starts only on ...").
    Current first, then the one still to begin, then one over; each still a choice of the worker's."""
    today = datetime.now(UTC).date()

    def a1(group: str, first: date, last: date, iat: int) -> StoredCredential:
        claims = {"document_number": f"A1-{group}", "starting_date": first.isoformat(),
                  "ending_date": last.isoformat()}
        return StoredCredential(id=group, group=group, format="dc+sd-jwt", vct=pda1.VCT, credential="x",
                                     private_key="k", issuer_url="https://issuer.example/lv-vsaa", issuer_id="LV:VSAA",
                                     issuer_name="VSAA", configuration_id="pda1", received_at="", claims=claims,
                                     iat=iat, exp=None)

    current = a1("current", today - timedelta(days=60), today + timedelta(days=100), iat=1)
    ended = a1("ended", today - timedelta(days=400), today - timedelta(days=61), iat=2)
    upcoming = a1("upcoming", today + timedelta(days=101), today + timedelta(days=400), iat=3)
    ordered = core._in_order_of_preference([ended, upcoming, current], datetime.now(UTC))
    assert [c.group for c in ordered] == ["current", "upcoming", "ended"]
    assert [c.group for c in core._in_order_of_preference([ended, upcoming], datetime.now(UTC))] == [
        "upcoming", "ended"]
