"""The inspector's laptop without network (reviewer R5), the rules without services: what a status list
held past its end still says (draft-ietf-oauth-status-list §7.1, §8.3 step 4), what the status client
holds and until when, a list another process fetched, and the offline QR code's clocks
(credentials/compact.py; standards.md §13). The reviewer's own tests, through the services, are
tests/test_offline_laptop_stale_status.py, _readiness.py, _records.py and _clock.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from test_status_client import NOW, REF, TS, URI, Institution, StatusServer

from credentials import compact, i18n, jose, pda1, status_list, trust_list, verification
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import KbFreshnessError

DAY = 24 * 3600


@pytest.fixture(scope="module")
def institution() -> Institution:
    return Institution()


def _token(institution: Institution, value: int, *, iat: int, exp: int) -> str:
    lst = status_list.StatusList(1024, bits=4)
    lst.set(REF.idx, value)
    return status_list.sign_token(lst, uri=URI, key=institution.key, x5c=institution.x5c, iat=iat, exp=exp, ttl=300)


def _issuers(institution: Institution) -> trust_list.TrustList:
    return trust_list.TrustList(kind="issuers", sequence=1, issued_at=NOW, next_update=NOW + timedelta(days=1),
                                entities=(institution.entity,))


# --- a status list held past its end (§8.3 step 4) ----------------------------------------------------

@pytest.mark.parametrize(("value", "said"), [
    (status_list.VALID, None), (status_list.SUSPENDED, None), (status_list.INVALID, status_list.INVALID),
    (status_list.REPLACED, status_list.REPLACED), (status_list.STOPPED, status_list.STOPPED)])
def test_only_a_final_entry_is_said_by_a_list_past_its_end(value: int, said: int | None) -> None:
    assert status_list.said_when_stale(value) == said


def test_a_withdrawal_in_a_list_past_its_exp_is_still_told_with_the_day_of_the_list(institution: Institution) -> None:
    server = StatusServer(_token(institution, status_list.INVALID, iat=TS, exp=TS + 600))
    client = server.client()
    assert client(REF, institution.entity, NOW + timedelta(seconds=60)).value == status_list.INVALID
    server.up = False
    outcome = client(REF, institution.entity, NOW + timedelta(hours=30))
    assert outcome.value == status_list.INVALID and not outcome.forged
    assert dict(outcome.params)["listed_at"] == TS
    assert i18n.format_date(NOW.date(), "en") in outcome.detail


@pytest.mark.parametrize(("value", "key", "words"), [(status_list.VALID, "status.stale", "not withdrawn"),
                                                      (status_list.SUSPENDED, "status.stale_suspended", "suspended")])
def test_a_list_past_its_maximum_age_says_what_it_said_and_when_but_is_never_valid(
        institution: Institution, value: int, key: str, words: str) -> None:
    server = StatusServer(_token(institution, value, iat=TS, exp=TS + 7 * DAY))
    client = server.client(max_age=DAY)
    assert client(REF, institution.entity, NOW + timedelta(seconds=60)).value == value
    server.up = False
    outcome = client(REF, institution.entity, NOW + timedelta(hours=30))
    assert (outcome.value, outcome.key, outcome.forged) == (None, key, False)
    assert words in outcome.detail and "Connect to the network" in outcome.detail
    assert "minutes" not in outcome.message and "30 hours" in outcome.message  # an age as people read it


def test_a_stale_status_is_told_in_the_pages_language_with_the_day_and_the_age() -> None:
    from verifier import messages

    step = verification.Step("status", verification.NOT_RUN, "…", "status.stale",
                             (("listed_at", float(TS)), ("age_seconds", 30 * 3600.0)))
    out = verification.Verdict(verification.UNDETERMINED, "…", [], [verification.CredentialResult(
        "offline", steps=[step])], 0.0, NOW).to_json()
    for lang in i18n.LANGUAGES:
        for text in (messages.reason_text(out, lang),  # the verdict's reason, and the step in the Checks list
                     *([messages.step_text(step.to_json(), lang, checked_at=NOW.isoformat())] if lang != "en" else [])):
            assert messages.duration_words(30 * 3600, lang) in text and i18n.format_date(NOW.date(), lang) in text, \
                text


# --- what is held, until when; a list fetched by another process ---------------------------------------

def test_the_lists_held_say_until_when_they_answer(institution: Institution, tmp_path: Path) -> None:
    """The earlier of the list's exp and its iat + the maximum age (§8.3 step 4, §13.7)."""
    server = StatusServer(_token(institution, status_list.VALID, iat=TS, exp=TS + 2 * DAY))
    client = server.client(tmp_path, max_age=DAY)
    client(REF, institution.entity, NOW)
    held = client.held(_issuers(institution))
    assert [(h.uri, h.institution, h.listed_at, h.until) for h in held] == [(URI, institution.entity.id, TS, TS + DAY)]
    again = server.client(tmp_path, max_age=3 * DAY).held(_issuers(institution))  # a restarted verifier, from disk
    assert [h.until for h in again] == [TS + 2 * DAY]


def test_a_list_another_process_fetched_is_taken_up_by_the_running_verifier(
        institution: Institution, tmp_path: Path) -> None:
    """`esspass verifier prefetch` writes the lists where the running verifier keeps them: its next
    check without network answers from the newer one, not from the one it held in memory."""
    old = StatusServer(_token(institution, status_list.VALID, iat=TS, exp=TS + DAY))
    running = old.client(tmp_path)
    assert running(REF, institution.entity, NOW).value == status_list.VALID
    newer = StatusServer(_token(institution, status_list.INVALID, iat=TS + 600, exp=TS + 600 + DAY))
    newer.client(tmp_path)(REF, institution.entity, NOW + timedelta(seconds=700))  # another process, same data
    old.up = False
    assert running(REF, institution.entity, NOW + timedelta(seconds=900)).value == status_list.INVALID
    assert running.known(REF, institution.entity) == status_list.INVALID


# --- the offline QR code's clocks (credentials/compact.py) ---------------------------------------------

ISSUER_KEY, HOLDER_KEY = jose.generate_key(), jose.generate_key()


def _qr(*, iat: int, at: datetime, challenge: bytes | None = None) -> compact.UnverifiedCompact:
    person = DEMO_PERSONS[0]
    raw = compact.issue_compact(vct=pda1.VCT, claims=pda1.validate(person.pda1), holder=person.pid,
                                holder_jwk=jose.public_jwk(HOLDER_KEY), issuer_key=ISSUER_KEY,
                                kid=jose.b64url_encode(b"12345678"), iat=iat, exp=iat + 365 * DAY, status=None)
    return compact.parse_qr(compact.present_compact(raw, HOLDER_KEY, now=at, challenge=challenge))


def _verify(qr: compact.UnverifiedCompact, *, now: datetime, challenge: bytes | None = None) -> object:
    return compact.verify_compact(qr, resolve_key=lambda _kid, _vct, _at: ISSUER_KEY.public_key(), now=now,
                                  challenge=challenge)


def test_over_the_inspectors_code_a_clock_a_few_minutes_off_either_way_is_allowed() -> None:
    for off in (-280, 280):
        _verify(_qr(iat=TS - DAY, at=NOW + timedelta(seconds=off), challenge=b"ABCDEFGH"), now=NOW,
                challenge=b"ABCDEFGH")


@pytest.mark.parametrize(("off", "key"), [(-600, "key_binding.clock_behind"), (600, "key_binding.clock_ahead")])
def test_over_the_inspectors_code_a_clock_far_off_says_which_clock_to_check(off: int, key: str) -> None:
    with pytest.raises(compact.HolderClockError) as caught:
        _verify(_qr(iat=TS - DAY, at=NOW + timedelta(seconds=off), challenge=b"ABCDEFGH"), now=NOW,
                challenge=b"ABCDEFGH")
    assert (caught.value.key, abs(caught.value.offset)) == (key, 600)
    assert "clock" in caught.value.message and "too old" not in caught.value.message


def test_without_the_inspectors_code_an_old_code_is_still_refused_as_too_old() -> None:
    """Replay protection: a screenshot shown again is refused, whatever the clocks."""
    with pytest.raises(KbFreshnessError) as caught:
        _verify(_qr(iat=TS - DAY, at=NOW - timedelta(seconds=90)), now=NOW)
    assert not isinstance(caught.value, compact.HolderClockError) and "too old" in caught.value.message


def test_a_code_from_the_phones_future_is_refused_and_said_to_be_a_clock_not_an_old_code() -> None:
    with pytest.raises(compact.HolderClockError) as caught:
        _verify(_qr(iat=TS - DAY, at=NOW + timedelta(minutes=3)), now=NOW)
    assert caught.value.key == "key_binding.clock_ahead" and "3 minutes ahead" in caught.value.message


def test_a_copy_renewed_minutes_ago_on_a_slow_laptop_is_not_issued_in_the_future() -> None:
    _verify(_qr(iat=TS + 120, at=NOW), now=NOW)  # the laptop two minutes slow
    with pytest.raises(compact.IssuedAheadError) as caught:
        _verify(_qr(iat=TS + 3600, at=NOW), now=NOW)
    assert caught.value.key == "token_validity.clock_behind" and "clock is behind" in caught.value.message


@pytest.mark.parametrize("key", ["key_binding.clock_ahead", "key_binding.clock_behind", "token_validity.clock_behind"])
def test_a_clock_off_is_told_with_how_far_in_every_language(key: str) -> None:
    from verifier import messages

    out = verification.Verdict(verification.UNDETERMINED, "", [], [verification.CredentialResult(
        "offline", steps=[verification.Step("key_binding", verification.NOT_RUN, "x", key,
                                            (("offset_seconds", 180.0),))])], 0.0, NOW).to_json()
    for lang in i18n.LANGUAGES:
        assert messages.duration_words(180, lang) in messages.reason_text(out, lang), lang


def test_ages_on_the_verdict_screen_are_minutes_then_hours_and_days() -> None:
    from verifier import messages

    assert messages.age_words(12 * 60, "en") == "12 min"
    assert messages.age_words(30 * 3600, "en") == "30 hours"
    assert messages.age_words(8 * DAY, "de") == "8 Tage"
    assert messages.age_words(30 * 3600, "lv") == "30 stundas"

