"""The offline QR carries what an inspector needs (credentials/compact.py fields 16-19), and a
self-employed person's own activity is not printed as an "Employer".

An A1's boxes 2.4 and 2.5 (987/2009 Art. 16(2)-(3): a provisional determination may still change) and a
provisional replacement certificate's fields 8 and 9 of the card it replaces (Decision S2, Annex 2) reach
the inspector who checks without network as they reach one who checks online: the same notice (its key
and words) and the same rows of the verdict page. A code made before these fields (an older issuer's)
still verifies; a code whose new field was changed after signing does not.

Over real HTTP against the registry, issuer and verifier started in process on loopback ports (the
reference wallet in process), as tests/test_ehic_desk.py does; its Desk helper is used.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import cbor2
import httpx
import pytest
from test_ehic_desk import ANNA, HOLDER, Desk, text_of, visible
from test_wallet_card_forms import Institution

from credentials import compact, cose, ehic, i18n, pda1
from credentials.institutions import demo_entity
from credentials.jose import b64url_decode, public_jwk
from credentials.pki import DemoPki, load_demo_pki
from credentials.status_list import StatusReference
from credentials.trust_list import TrustList
from credentials.x509 import spki_kid
from esspass.stack import Clerk, InspectorAuth, start_in_process, unnumbered
from issuer.paper import paper_text
from verifier import messages
from wallet.errors import OfflineFormDiffersError
from wallet.keys import load_key

PROVISIONAL_A1 = {**unnumbered(ANNA.pda1), "determination_provisional": True, "applies_for_duration": True}
#: A PRC replacing Anna's card (the card's number and expiry, fields 8 and 9).
CARD_NUMBER, CARD_EXPIRY = "DEMO-EHIC-LV-0001-REPLACED-CARD", "2029-11-01"


def _prc() -> dict[str, Any]:
    today = datetime.now(UTC).date()
    claims = {k: v for k, v in unnumbered(ANNA.ehic).items() if k != "date_of_expiry"}
    return {
        **claims,
        "date_of_issuance": today.isoformat(),
        "starting_date": today.isoformat(),
        "ending_date": today.replace(year=today.year + 1).isoformat(),
        "card_number": CARD_NUMBER,
        "card_expiry": CARD_EXPIRY,
    }


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    data_dir = tmp_path_factory.mktemp("offline-fields")
    with (
        start_in_process(data_dir) as stack,
        httpx.Client(timeout=30, auth=InspectorAuth(stack.inspector_token)) as http,
    ):
        yield Desk(stack, http, Clerk(stack.issuer_url, data_dir, http), data_dir)


def _holding(desk: Desk, vct: str, claims: dict[str, Any]) -> Any:
    """A fresh wallet (no PID: the offline code stands alone) holding one document of ``claims``."""
    w = desk.wallet(with_pid=False)
    if vct == pda1.VCT:
        desk.clerk.hand_over(w, ANNA.pda1_issuer, "pda1", claims, HOLDER)
    else:
        desk.card(w, claims)
    return w


def _copy(w: Any, vct: str) -> Any:
    """A stored copy of the wallet's document of type ``vct`` (with its offline form and key)."""
    return next(c for c in w.credentials() if c.vct == vct and c.extra.get("compact"))


def _api(desk: Desk, qr: str) -> dict[str, Any]:
    r = desk.http.post(f"{desk.stack.verifier_url}/api/offline/verify", json={"qr": qr})
    assert r.status_code == 200, r.text
    verdict: dict[str, Any] = r.json()
    return verdict


def _page(desk: Desk, qr: str, lang: str) -> str:
    r = desk.http.post(f"{desk.stack.verifier_url}/offline?lang={lang}", data={"qr": qr})
    assert r.status_code == 303, r.text[:300]
    return desk.http.get(f"{desk.stack.verifier_url}{r.headers['location']}").text


def _resigned_without_new_fields(desk: Desk, copy: Any) -> bytes:
    """The copy's offline form as an issuer before fields 16-19 made it: the same claims, time, key
    binding and status entry, signed by the institution's document signer of the demo PKI."""
    parsed = compact.decode_credential(b64url_decode(copy.extra["compact"]))
    kind, fields, status = parsed.ours
    old = {k: v for k, v in fields.items() if k not in (16, 17, 18, 19)}
    key, chain = load_demo_pki(desk.stack.data_dir / "pki").signers[ANNA.pda1_issuer]
    payload = {**parsed.claims, compact.ESSPASS: [kind, old, status]}
    return cose.sign1(
        cbor2.dumps(payload), key, kid=compact.kid_bytes(spki_kid(chain[0])), tagged=False, implicit_alg=True
    )


def _tampered(raw: bytes, change: Any) -> bytes:
    """``raw`` (an untagged COSE_Sign1) with its payload's inspection fields changed by ``change`` and
    the issuer's signature kept: what someone who edits a genuine code would show."""
    protected, unprotected, payload, signature = cbor2.loads(raw)
    claims = cbor2.loads(payload)
    kind, fields, status = claims[compact.ESSPASS]
    claims[compact.ESSPASS] = [kind, change(dict(fields)), status]
    return bytes(cbor2.dumps([protected, unprotected, cbor2.dumps(claims), signature]))


# --- 1. box 2.5 offline as online -------------------------------------------------------------------------


def test_a_provisional_a1_shown_by_offline_qr_gives_the_provisional_notice(desk: Desk) -> None:
    """The verifier's offline verdict carries the online verdict's ``pda1.provisional`` notice (its key and
    words), the document both boxes, and the page says it in the inspector's language as the online page
    does (the same notice text and box rows): the A1 stays valid (Art. 5(1))."""
    w = _holding(desk, pda1.VCT, PROVISIONAL_A1)
    group = next(c.group for c in w.cards("en") if c.vct == pda1.VCT)
    qr = w.offline_qr(group)
    assert {"determination_provisional", "applies_for_duration"} <= set(compact.parse_qr(qr).field_names)
    verdict = _api(desk, qr)
    assert verdict["verdict"] == "valid", verdict
    assert [n["key"] for n in verdict["notices"]] == ["pda1.provisional"], verdict["notices"]
    doc = verdict["person"]["documents"][0]
    assert doc["determination_provisional"] is True and doc["applies_for_duration"] is True
    page = text_of(_page(desk, w.offline_qr(group), "fr"))
    assert messages.notice_text({"key": "pda1.provisional", "params": {}}, "fr") in page, page
    assert f"{pda1.label('determination_provisional', 'fr')} Oui" in page, page
    assert f"{pda1.label('applies_for_duration', 'fr')} Oui" in page, page


def test_a_definitive_a1_offline_has_no_provisional_notice(desk: Desk) -> None:
    w = _holding(desk, pda1.VCT, unnumbered(ANNA.pda1))
    qr = w.offline_qr(next(c.group for c in w.cards("en") if c.vct == pda1.VCT))
    assert not {"determination_provisional", "applies_for_duration"} & set(compact.parse_qr(qr).field_names)
    verdict = _api(desk, qr)
    assert verdict["verdict"] == "valid", verdict
    assert "pda1.provisional" not in [n["key"] for n in verdict["notices"]]


# --- 2. a PRC's card fields offline as online ---------------------------------------------------------------


def test_a_prcs_card_number_and_expiry_appear_in_the_offline_verdict(desk: Desk) -> None:
    """Decision S2, Annex 2: fields 8 and 9 of the card the PRC replaces, in the offline verdict's document
    and on its page, labelled as the online page labels them."""
    w = _holding(desk, ehic.VCT, _prc())
    fields = compact.parse_qr(desk.qr(w)).field_names
    assert {"card_number", "card_expiry"} <= set(fields), fields
    verdict = desk.offline_api(w)
    assert verdict["verdict"] == "valid", verdict
    doc = verdict["person"]["documents"][0]
    assert (doc["card_number"], doc["card_expiry"]) == (CARD_NUMBER, CARD_EXPIRY), doc
    shown = visible(desk.offline_page(w))
    assert f"{ehic.label('card_number', 'en')} {CARD_NUMBER}" in shown, shown
    assert f"{ehic.label('card_expiry', 'en')} {i18n.format_date(CARD_EXPIRY, 'en')}" in shown, shown


# --- 3. backward compatibility and the signature -------------------------------------------------------------


def test_an_old_format_qr_without_the_new_fields_still_verifies(desk: Desk) -> None:
    """A code made by an issuer before fields 16-19 (the same A1, without them) is read as before: valid,
    read as a definitive determination (as an A1 without box 2.5 is online), nothing refused."""
    w = _holding(desk, pda1.VCT, PROVISIONAL_A1)
    copy = _copy(w, pda1.VCT)
    old = _resigned_without_new_fields(desk, copy)
    assert not {16, 17, 18, 19} & set(compact.decode_credential(old).ours[1])
    verdict = _api(desk, compact.present_compact(old, load_key(copy.private_key), now=datetime.now(UTC)))
    assert verdict["verdict"] == "valid", verdict
    assert "pda1.provisional" not in [n["key"] for n in verdict["notices"]]


@pytest.mark.parametrize(
    ("vct", "change"),
    [
        (pda1.VCT, lambda f: {k: v for k, v in f.items() if k != 17}),  # hides the provisional determination
        (pda1.VCT, lambda f: {**f, 17: False}),
        (ehic.VCT, lambda f: {**f, 18: "DEMO-EHIC-LV-9999"}),  # another card's number
        (ehic.VCT, lambda f: {**f, 19: f[19] + 365}),  # a later expiry of the replaced card
    ],
    ids=["box-2.5-removed", "box-2.5-false", "card-number", "card-expiry"],
)
def test_tampering_a_new_field_breaks_the_issuers_signature(desk: Desk, vct: str, change: Any) -> None:
    """Fields 16-19 are in the payload the institution signs: a code whose field was changed, shown by the
    phone holding the document's key (its own holder signature over the changed code), is invalid."""
    w = _holding(desk, vct, PROVISIONAL_A1 if vct == pda1.VCT else _prc())
    copy = _copy(w, vct)
    raw = _tampered(b64url_decode(copy.extra["compact"]), change)
    verdict = _api(desk, compact.present_compact(raw, load_key(copy.private_key), now=datetime.now(UTC)))
    assert verdict["verdict"] == "invalid", verdict
    failed = [s for c in verdict["credentials"] for s in c["steps"] if s["result"] == "failed"]
    assert [s["code"] for s in failed] == ["issuer_signature"], failed
    assert "pda1.provisional" not in [n["key"] for n in verdict.get("notices", [])]


def test_the_new_fields_keep_the_qr_within_its_size_limits(desk: Desk) -> None:
    """The A1's code with both boxes and its place of work stays at QR version 16 or below (error correction M,
    the module's target for an A1, credentials/compact.py). A PRC's code names the replaced card: with a card number of
    Decision S2's 20 digits it is at most version 16 (a card's is 15), and with the model's longest (50
    characters zlib cannot shorten) it stays within the module's maximum (MAX_QR_CHARS), every field read
    back as issued."""
    w = _holding(desk, pda1.VCT, PROVISIONAL_A1)
    qr = w.offline_qr(next(c.group for c in w.cards("en") if c.vct == pda1.VCT))
    assert compact.qr_version(qr) <= 16  # 16 with its place of work (field 20, tests/test_offline_qr_places.py)
    key, chain = load_demo_pki(desk.stack.data_dir / "pki").signers[ANNA.ehic_issuer]
    holder = load_key(_copy(w, pda1.VCT).private_key)
    digits = "".join(secrets.choice("0123456789") for _ in range(20))
    for number, version in ((digits, 16), (secrets.token_hex(25), 40)):
        claims = ehic.validate({**_prc(), "document_number": "DEMO-PRC-SIZE-1", "card_number": number})
        raw = compact.issue_compact(
            vct=ehic.VCT,
            claims=claims,
            holder=HOLDER,
            holder_jwk=public_jwk(holder),
            issuer_key=key,
            kid=spki_kid(chain[0]),
            iat=1_800_000_000,
            exp=1_900_000_000,
            status=StatusReference(123456, f"{desk.stack.issuer_url}/lv-nvd/status/1"),
        )
        text = compact.present_compact(raw, holder, now=datetime.now(UTC))
        assert len(text) <= compact.MAX_QR_CHARS and compact.qr_version(text) <= version, (number, len(text))
        assert compact.parse_qr(text).field_names == sorted(compact.fields_of(ehic.VCT, claims, HOLDER))


# --- 4. the wallet refuses a form that hides box 2.5 ---------------------------------------------------------


def test_the_wallet_refuses_an_offline_form_that_hides_a_provisional_determination(
    registry_pki: DemoPki, registry_issuers: TrustList
) -> None:
    """An A1 whose box 2.5 is ticked, with an offline form that leaves it out, would be shown offline as a
    definitive determination: the wallet refuses that form (wallet.core.check_compact), naming the box. A
    form made before fields 16, 18 and 19 (an older issuer's: without box 2.4 or a PRC's card fields, which
    change no verdict) is kept (credentials.compact.LATER_FIELDS), and so is the form the issuer makes now."""
    institution = Institution(registry_pki, registry_issuers)
    a1 = institution.card(pda1.VCT, {**PROVISIONAL_A1, "document_number": "DEMO-A1-H3-0001"})
    hidden = {k: v for k, v in a1.checked.claims.items() if k != "determination_provisional"}
    with pytest.raises(OfflineFormDiffersError) as refused:
        institution.check(a1, institution.offline(a1, claims=hidden))
    assert "determination_provisional" in refused.value.message
    without_2_4 = {k: v for k, v in a1.checked.claims.items() if k != "applies_for_duration"}
    assert institution.check(a1, institution.offline(a1, claims=without_2_4))
    assert institution.check(a1, institution.offline(a1))
    prc = institution.card(ehic.VCT, {**_prc(), "document_number": "DEMO-PRC-H3-0001"})
    older = {k: v for k, v in prc.checked.claims.items() if k not in ehic.PRC_CARD_CLAIMS}
    assert institution.check(prc, institution.offline(prc, claims=older))
    with pytest.raises(OfflineFormDiffersError):  # another card's number is no older form
        institution.check(prc, institution.offline(prc, claims={**prc.checked.claims, "card_number": "DEMO-OTHER"}))


# --- 5. a self-employed person's own activity is no "Employer" -----------------------------------------------

SELF_EMPLOYED = {
    **unnumbered(ANNA.pda1),
    "status_confirmation": "03",
    "employer": {"id": "LV-SELF-0042", "name": "Anna Bērziņa Būvdarbi", "country": "LV"},
}


def test_the_paper_a1_of_a_self_employed_person_does_not_say_employer() -> None:
    """Status 03 (posted self-employed, 883/2004 Art. 12(2)): section 4 names the person's own activity,
    labelled as pda1.employer_text labels it for that status, in every language."""
    claims = pda1.validate({**SELF_EMPLOYED, "document_number": "DEMO-A1-H3-SELF"})
    for lang in ("en", "lv", "de", "fr", "pl"):
        _, lines = paper_text(pda1, claims, HOLDER, demo_entity("LV:VSAA"), lang)
        entry = pda1.employer_text(claims["employer"], lang, "03")
        assert entry in lines, (lang, lines)
        employer = pda1.employer_text(claims["employer"], lang, "01").partition(":")[0]
        assert not any(line.startswith(f"{employer}:") for line in lines), (lang, lines)
    _, lines = paper_text(pda1, claims, HOLDER, demo_entity("LV:VSAA"), "en")
    assert not any("Employer" in line for line in lines), lines


def test_the_wallet_card_of_a_self_employed_person_does_not_say_employer(desk: Desk) -> None:
    w = _holding(desk, pda1.VCT, SELF_EMPLOYED)
    group = next(c.group for c in w.cards("en") if c.vct == pda1.VCT)
    rows = dict(w.card(group, "en").claims)
    assert rows.get("Self-employed activity") == "Anna Bērziņa Būvdarbi, LV-SELF-0042, Latvia", rows
    assert "Employer" not in rows, rows
    employed = _holding(desk, pda1.VCT, unnumbered(ANNA.pda1))
    group = next(c.group for c in employed.cards("de") if c.vct == pda1.VCT)
    rows = dict(employed.card(group, "de").claims)
    assert rows.get("Arbeitgeber") == "Baltic Build SIA (demo), LV40000000001, Lettland", rows


def test_an_a1_naming_its_holder_names_the_same_person_in_its_offline_form() -> None:
    """An A1 signs section 1 (credentials/pda1.py with_holder): its offline form names that person,
    whatever holder is passed beside it, as a card's does, so a wallet comparing the form with the A1
    finds them one person's."""
    a1 = pda1.with_holder(pda1.validate(ANNA.pda1), ANNA.holder)
    other = {"family_name": "Kalniņa", "given_name": "Ieva", "birthdate": "1970-01-01"}
    fields = compact.fields_of(pda1.VCT, a1, other)
    assert {k: fields[k] for k in ("family_name", "given_name", "birthdate")} == ANNA.holder
