"""A card whose expiry date has passed, at the hospital desk (QA review of the EHIC end to end): the
verdict says that the card expired and on which day, in the page's language, as an ended period does
(rulebook PDA1/EHIC §4.1: a negative outcome says why in plain words; Decision S2 field 9), and the page
offers the check for an earlier date of care. Before, the key was the generic
``document_validity.failed`` and every page said only "The document is outside its validity dates".

The core runs the verification pipeline on a registry seeded with the demo PKI (tests/test_verification.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from test_verification import ANNA, NOW, World, _world_in

from credentials import ehic, i18n, verification
from credentials.sd_jwt import present, unverified_claims
from verifier import messages
from verifier.service import profile_query

EXPIRED_ON = NOW.date() - timedelta(days=3)
EXPECTED = {
    "en": "The document expired on {}.",
    "lv": "Dokumenta derīguma termiņš beidzās {}",
    "de": "Das Dokument ist am {} abgelaufen.",
    "fr": "Le document a expiré le {}.",
    "pl": "Dokument stracił ważność {}.",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with _world_in(tmp_path_factory.mktemp("ehic-expired")) as shared:
        yield shared


def _card_checked(world: World, expiry: date) -> verification.Verdict:
    """Anna's LV:NVD card expiring on ``expiry``, shown alone to the EHIC check, today."""
    card = ehic.validate({**ANNA.ehic, "date_of_issuance": (expiry - timedelta(days=3 * 365)).isoformat(),
                          "date_of_expiry": expiry.isoformat()})
    # Signed as the issuer signs a holder's own card: with fields 3-5 (credentials.ehic.with_holder).
    credential, key = world.issue(ehic, ehic.with_holder(card, ANNA.pid), "LV:NVD", validate=False)
    query = profile_query("ehic")
    asked = {q["id"]: [tuple(c["path"]) for c in q["claims"]] for q in query["credentials"]}
    nonce, aud = secrets.token_urlsafe(16), "x509_hash:inspectorate"
    held = unverified_claims(credential)
    vp_token = {"ehic": [present(credential, select=[p for p in asked["ehic"] if p[0] in held], holder_key=key,
                                 nonce=nonce, aud=aud, iat=int(NOW.timestamp()))]}
    return verification.verify_response(vp_token, query=query, nonce=nonce, audience=aud, issuers=world.issuers(),
                                        trust_list_age=0, now=NOW, status_lookup=world.lookup)


def test_an_expired_card_is_not_valid_and_the_reason_says_it_expired_and_when(world: World) -> None:
    verdict = _card_checked(world, EXPIRED_ON)
    assert verdict.verdict == verification.INVALID
    assert verdict.reason_key == "document_validity.expired"
    assert verdict.reason == f"The document expired on {EXPIRED_ON}."
    shown = verdict.to_json()
    for lang, words in EXPECTED.items():
        assert messages.reason_text(shown, lang) == words.format(i18n.format_date(EXPIRED_ON, lang)), lang


def test_the_checks_list_says_the_day_the_card_expired_in_every_language(world: World) -> None:
    """In English the list keeps the pipeline's own sentence (its ISO date); the others translate it."""
    shown = _card_checked(world, EXPIRED_ON).to_json()
    step = next(s for c in shown["credentials"] for s in c["steps"] if s["code"] == "document_validity")
    assert step["result"] == "failed" and step["key"] == "document_validity.expired"
    assert messages.step_text(step, "en") == f"The document expired on {EXPIRED_ON}."
    for lang, words in EXPECTED.items():
        if lang != "en":
            assert messages.step_text(step, lang, checked_at=shown["checked_at"]) == \
                words.format(i18n.format_date(EXPIRED_ON, lang)), lang


def test_a_card_on_its_last_day_is_still_valid(world: World) -> None:
    verdict = _card_checked(world, NOW.date())
    assert verdict.verdict == verification.VALID, verdict.reason


def test_an_expired_cards_reason_is_a_reason_the_records_keep() -> None:
    from verifier.records import safe_reason_key

    assert safe_reason_key("document_validity.expired") == "document_validity.expired"
