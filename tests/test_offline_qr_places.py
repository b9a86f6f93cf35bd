"""The offline QR names the A1's places of work (credentials/compact.py field 20).

A labour inspector on a building site who checks an A1 by its QR code, without network, sees where the A1
says the work is and is told, as online, when it names places only in other states than the inspectorate's
(credentials.verification.WORK_ELSEWHERE; Regulation (EC) No 883/2004 Art. 12, Directive 2014/67/EU Art. 9):
the same place rows and the same notice, by the same functions. A code made before field 20 (an older
issuer's) still verifies, says the places are not in the code and gives no notice; a code whose places were
changed after signing is refused; the wallet refuses an offline form that hides a place of its card.

Over real HTTP: registry, issuer, the Austrian Financial Police's verifier and a German inspectorate's own
(tests/test_inspection_place_of_work.py's), reference wallets holding Anna's A1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import cbor2
import pytest
from test_inspection_place_of_work import (
    ANNA,
    FKS,
    HOLDER,
    Pilot,
    _text,
    austrian_and_german_inspectorates,
)
from test_offline_qr_fields import _tampered
from test_wallet_card_forms import Institution

from credentials import compact, cose, i18n, pda1, verification
from credentials.countries import name as country_name
from credentials.errors import MalformedError
from credentials.jose import b64url_decode
from credentials.pki import DemoPki, load_demo_pki
from credentials.trust_list import TrustList
from credentials.x509 import spki_kid
from esspass.stack import unnumbered
from verifier import messages
from verifier.settings import VerifierSettings
from wallet.errors import OfflineFormDiffersError
from wallet.keys import load_key

_V11 = {k: v for k, v in unnumbered(ANNA.pda1).items() if k != "work_address"}
_EMPLOYMENT = [{"type": "01", **ANNA.pda1["employer"]}]
#: Anna posted from Latvia to a building site in Vienna (the flat v1 shape of section 5).
IN_AUSTRIA = {
    **unnumbered(ANNA.pda1),
    "work_address": {"company_name": "Baustelle Prater", "postal_code": "1020", "locality": "Wien", "country": "AT"},
}
#: Three places of work in two states (the v1.1 shape): Berlin, Vienna and Graz.
THREE_PLACES = {
    **_V11,
    "employer": _EMPLOYMENT,
    "work_information": {
        "work_address": [
            {
                "street_address": "Musterstraße",
                "house_number": "12",
                "postal_code": "10115",
                "locality": "Berlin",
                "country": "DE",
            },
            {"company_name": "Baustelle Prater", "postal_code": "1020", "locality": "Wien", "country": "AT"},
            {
                "street_address": "Annenstraße",
                "house_number": "3",
                "postal_code": "8020",
                "locality": "Graz",
                "country": "AT",
            },
        ]
    },
}
#: Seven places: six Austrian sites, then one in Germany, more than the code carries (compact.MAX_PLACES).
SEVEN_PLACES = {
    **_V11,
    "employer": _EMPLOYMENT,
    "work_information": {
        "work_address": [
            *(
                {"locality": town, "country": "AT"}
                for town in ("Wien", "Graz", "Linz", "Salzburg", "Innsbruck", "Klagenfurt am Wörthersee")
            ),
            {"locality": "Passau", "country": "DE"},
        ]
    },
}


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pilot]:
    """The pilot of tests/test_inspection_place_of_work.py: an Austrian and a German inspectorate."""
    with austrian_and_german_inspectorates(tmp_path_factory.mktemp("offline-places")) as running:
        yield running


def _a1_copy(wallet: Any) -> Any:
    """The wallet's stored A1 copy with its offline form (and its key)."""
    return next(c for c in wallet.credentials() if c.vct == pda1.VCT and c.extra.get("compact"))


def _qr(pilot: Pilot, name: str, a1: dict[str, Any]) -> str:
    wallet = pilot.wallet(name, a1)
    return str(wallet.offline_qr(next(c.group for c in wallet.cards("en") if c.vct == pda1.VCT)))


def _where(pilot: Pilot, state: str) -> tuple[str, str]:
    """The verifier URL and inspector token of the inspectorate of ``state`` (DE or AT)."""
    return (pilot.germany, pilot.germany_token) if state == "DE" else (pilot.austria, pilot.stack.inspector_token)


def _verify(pilot: Pilot, state: str, qr: str) -> dict[str, Any]:
    url, token = _where(pilot, state)
    r = pilot.http.post(f"{url}/api/offline/verify", json={"qr": qr}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    verdict: dict[str, Any] = r.json()
    return verdict


def _page(pilot: Pilot, state: str, qr: str, lang: str) -> str:
    url, token = _where(pilot, state)
    auth = {"Authorization": f"Bearer {token}"}
    r = pilot.http.post(f"{url}/offline?lang={lang}", data={"qr": qr}, headers=auth)
    assert r.status_code == 303, r.text[:300]
    return _text(pilot.http.get(f"{url}{r.headers['location']}", headers=auth).text)


def _doc(verdict: dict[str, Any]) -> dict[str, Any]:
    docs: list[dict[str, Any]] = [d for d in verdict["person"]["documents"] if d["vct"] == pda1.VCT]
    assert len(docs) == 1, verdict["person"]
    return docs[0]


def _without_places(pilot: Pilot, copy: Any) -> bytes:
    """The copy's offline form as an issuer before field 20 made it: the same fields, time, key binding and
    status entry, signed by the institution's document signer of the demo PKI."""
    parsed = compact.decode_credential(b64url_decode(copy.extra["compact"]))
    kind, fields, status = parsed.ours
    key, chain = load_demo_pki(pilot.stack.data_dir / "pki").signers[ANNA.pda1_issuer]
    payload = {**parsed.claims, compact.ESSPASS: [kind, {k: v for k, v in fields.items() if k != 20}, status]}
    return cose.sign1(
        cbor2.dumps(payload), key, kid=compact.kid_bytes(spki_kid(chain[0])), tagged=False, implicit_alg=True
    )


def _notices(verdict: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(n["key"], n["params"]) for n in verdict["notices"]]


# --- the notice and the place rows offline as online ------------------------------------------------------------


def test_an_a1_naming_work_in_austria_shown_offline_in_germany_gets_the_work_elsewhere_notice(pilot: Pilot) -> None:
    """The German inspectorate checks offline an A1 posting Anna to Vienna: valid, with the online notice (its
    key, states and words), and the page shows Austria's place in every language."""
    qr = _qr(pilot, "austria", IN_AUSTRIA)
    assert "work_information" in compact.parse_qr(qr).field_names
    verdict = _verify(pilot, "DE", qr)
    assert verdict["verdict"] == "valid", verdict
    assert _notices(verdict) == [(verification.WORK_ELSEWHERE, {"country": "DE", "places": "AT"})], verdict
    # The verdict's reason stays the offline code's own (check an identity document); the notice is told beside.
    assert verdict["reason_key"] == "holder_link.check_identity", verdict
    assert _doc(verdict)["work_information"] == {"work_address": [{"country": "AT", "locality": "Wien"}]}
    for lang in i18n.LANGUAGES:
        said = _page(pilot, "DE", _qr(pilot, "austria", IN_AUSTRIA), lang)
        assert f"{i18n.t('verifier.places_of_work', lang)} Wien, {country_name('AT', lang)}" in said, (lang, said)
        assert said.count(messages.notice_text(verdict["notices"][0], lang)) == 1, (lang, said)
        assert i18n.t("verifier.places_not_in_code", lang) not in said, (lang, said)


def test_the_same_a1_shown_offline_in_austria_has_no_notice(pilot: Pilot) -> None:
    verdict = _verify(pilot, "AT", _qr(pilot, "austria", IN_AUSTRIA))
    assert verdict["verdict"] == "valid", verdict
    assert verdict["notices"] == [], verdict
    assert _doc(verdict)["work_information"]["work_address"] == [{"country": "AT", "locality": "Wien"}]


def test_an_a1_naming_a_place_in_germany_among_three_shown_offline_in_germany_has_no_notice(pilot: Pilot) -> None:
    """The v1.1 shape, three places in two states: each shown in the A1's order; Germany is among them."""
    qr = _qr(pilot, "three", THREE_PLACES)
    verdict = _verify(pilot, "DE", qr)
    assert verdict["verdict"] == "valid", verdict
    assert verdict["notices"] == [], verdict
    assert [(p["country"], p["locality"]) for p in _doc(verdict)["work_information"]["work_address"]] == [
        ("DE", "Berlin"),
        ("AT", "Wien"),
        ("AT", "Graz"),
    ]
    said = _page(pilot, "DE", _qr(pilot, "three", THREE_PLACES), "de")
    assert "Berlin, Deutschland Wien, Österreich Graz, Österreich" in said, said


def test_the_offline_notice_is_the_online_one_for_the_same_a1_in_every_state() -> None:
    """The offline verdict judges the places it reads back with the online functions: for each A1 and each
    inspectorate's state, the notices (key, states) are those of the A1's full claims, seven places included
    (the code carries five, every state named among them)."""
    for claims in (IN_AUSTRIA, THREE_PLACES, SEVEN_PLACES):
        a1 = pda1.validate({**claims, "document_number": "DEMO-A1-H4-0001"})
        shown = compact.fields_of(pda1.VCT, a1, HOLDER)
        for home in ("LV", "DE", "AT", "FR"):
            online, offline = (
                verification.notices(
                    [
                        verification.CredentialResult(
                            "pda1", vct=pda1.VCT, claims=c, issuer_id="LV:VSAA", issuer_country="LV"
                        )
                    ],
                    home,
                )
                for c in (a1, shown)
            )
            assert offline == online, (claims, home, offline, online)


def test_the_records_of_an_offline_check_hold_no_place(pilot: Pilot) -> None:
    """Data minimisation (verifier/records.py): the places are shown, never kept."""
    _verify(pilot, "DE", _qr(pilot, "austria", IN_AUSTRIA))
    day = datetime.now(VerifierSettings(data_dir=pilot.stack.data_dir, entity_id=FKS.id).zone()).date()
    r = pilot.http.get(
        f"{pilot.germany}/api/records",
        params={"from": day.isoformat(), "to": day.isoformat()},
        headers={"Authorization": f"Bearer {pilot.germany_token}"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["records"], r.text
    # The postal code as a number of its own: "1020" inside a time or an id (1796041020.5) is no place.
    assert not [part for part in ("Wien", "Prater") if part in r.text]
    assert not re.search(r"(?<![\w.])1020(?![\w.])", r.text), r.text


# --- at most five places, every state named -------------------------------------------------------------------


def test_an_a1_naming_seven_places_carries_five_and_every_state_and_the_page_says_how_many_more() -> None:
    """The issuer's rule (compact.MAX_PLACES): the first place of each state, then the A1's order; a long
    locality cut to compact.MAX_LOCALITY characters; the page says "and 2 more" in every language."""
    a1 = pda1.validate({**SEVEN_PLACES, "document_number": "DEMO-A1-H4-0002"})
    places = compact.fields_of(pda1.VCT, a1, HOLDER)["work_information"]
    assert [(p["country"], p["locality"]) for p in places["work_address"]] == [
        ("AT", "Wien"),
        ("AT", "Graz"),
        ("AT", "Linz"),
        ("AT", "Salzburg"),
        ("DE", "Passau"),
    ]
    assert places["more"] == 2
    for lang in i18n.LANGUAGES:
        lines = messages.places_of_work({"vct": pda1.VCT, "work_information": places}, lang) or []
        assert len(lines) == 6 and lines[-1] == i18n.t("verifier.places_more", lang, count=2), (lang, lines)
        assert "2" in lines[-1]
    long = {
        **THREE_PLACES,
        "work_information": {
            "work_address": [{"locality": "Sankt Pölten-Wagram   Industriegebiet Nord", "country": "AT"}]
        },
    }
    shown = compact.fields_of(pda1.VCT, pda1.validate({**long, "document_number": "DEMO-A1-H4-0003"}), HOLDER)
    locality = shown["work_information"]["work_address"][0]["locality"]
    assert locality == "Sankt Pölten-Wagram Industriege…" and len(locality) == compact.MAX_LOCALITY


def test_an_a1_naming_no_fixed_place_of_work_says_so_offline() -> None:
    """v1.1 ``no_fixed_place_of_work``: read back as online, so the page says "No fixed place of work" and
    the state counts for the work-elsewhere notice as online (a state of work the A1 names)."""
    a1 = pda1.validate(
        {
            **_V11,
            "employer": _EMPLOYMENT,
            "document_number": "DEMO-A1-H4-0004",
            "work_information": {"no_fixed_place_of_work": "DE"},
        }
    )
    shown = compact.fields_of(pda1.VCT, a1, HOLDER)
    assert shown["work_information"] == {"no_fixed_place_of_work": "DE"}
    assert messages.places_of_work({"vct": pda1.VCT, **shown}, "en") == ["No fixed place of work: Germany"]


# --- an older issuer's code, and a changed one -------------------------------------------------------------------


def test_an_old_format_qr_without_places_verifies_and_gives_no_notice(pilot: Pilot) -> None:
    """A code made before field 20: valid, no work-elsewhere notice (not carried is not "elsewhere"), and the
    page says the places are not in the code, never that the A1 names none."""
    wallet = pilot.wallet("austria", IN_AUSTRIA)
    copy = _a1_copy(wallet)
    old = _without_places(pilot, copy)
    assert 20 not in compact.decode_credential(old).ours[1]
    qr = compact.present_compact(old, load_key(copy.private_key), now=datetime.now(UTC))
    verdict = _verify(pilot, "DE", qr)
    assert verdict["verdict"] == "valid", verdict
    assert verdict["notices"] == [], verdict
    assert "work_information" not in _doc(verdict)
    for lang in ("en", "de"):
        qr = compact.present_compact(old, load_key(copy.private_key), now=datetime.now(UTC))
        said = _page(pilot, "DE", qr, lang)
        assert f"{i18n.t('verifier.places_of_work', lang)} {i18n.t('verifier.places_not_in_code', lang)}" in said, (
            lang,
            said,
        )


@pytest.mark.parametrize(
    "change",
    [
        lambda f: {**f, 20: [0, "DE Berlin"]},  # a German place: the notice would be kept from the inspector
        lambda f: {**f, 20: [0, "AT Graz"]},  # another place in the same state
        lambda f: {k: v for k, v in f.items() if k != 20},  # the places taken out
    ],
    ids=["state-changed", "locality-changed", "removed"],
)
def test_tampering_the_places_breaks_the_issuers_signature(pilot: Pilot, change: Any) -> None:
    wallet = pilot.wallet("austria", IN_AUSTRIA)
    copy = _a1_copy(wallet)
    raw = _tampered(b64url_decode(copy.extra["compact"]), change)
    verdict = _verify(pilot, "DE", compact.present_compact(raw, load_key(copy.private_key), now=datetime.now(UTC)))
    assert verdict["verdict"] == "invalid", verdict
    failed = [s for c in verdict["credentials"] for s in c["steps"] if s["result"] == "failed"]
    assert [s["code"] for s in failed] == ["issuer_signature"], failed
    assert verification.WORK_ELSEWHERE not in [n["key"] for n in verdict.get("notices", [])]


@pytest.mark.parametrize(
    "value",
    [
        [0],
        [-1, "AT Wien"],
        [True, "AT Wien"],
        [0, " AT"],
        [0, ["AT", "Wien"]],
        [0, 7],
        {"AT": "Wien"},
        "AT Wien",
        [0, "AT " + "x" * compact.MAX_FIELD_CHARS],
    ],
    ids=["no-place", "negative", "bool-count", "no-code", "pair", "number", "map", "text", "too-long"],
)
def test_a_malformed_places_field_is_refused_as_malformed(value: Any) -> None:
    """Anything but ``[k, place, ...]`` is a forgery, not a value (credentials.compact._named)."""
    with pytest.raises(MalformedError):
        compact._named({20: value}, pda1.VCT)


# --- the QR code's size ---------------------------------------------------------------------------------------


def test_a_posted_workers_qr_with_one_or_three_places_is_at_most_version_16(pilot: Pilot) -> None:
    """Measured on the codes the wallet shows (error correction M, compact.qr_version): Anna's A1 with its one
    place (Berlin), and with three (Berlin, Vienna, Graz), every place read back as issued."""
    for name, a1, count in (("one", unnumbered(ANNA.pda1), 1), ("three", THREE_PLACES, 3)):
        qr = _qr(pilot, name, a1)
        version = compact.qr_version(qr)
        assert version <= 16, (name, version, len(qr))
        places = compact.verify_compact(compact.parse_qr(qr), resolve_key=_any_key(pilot), now=datetime.now(UTC))
        assert len(places.fields["work_information"]["work_address"]) == count


def _any_key(pilot: Pilot) -> Any:
    """The demo document signer of Anna's A1 institution, as a verifier would find it by kid."""
    _key, chain = load_demo_pki(pilot.stack.data_dir / "pki").signers[ANNA.pda1_issuer]

    def resolve(_kid: str, _vct: str, _at: datetime) -> Any:
        return chain[0].public_key()

    return resolve


# --- the wallet refuses a form hiding a place ----------------------------------------------------------------


def test_the_wallet_refuses_an_offline_form_that_hides_or_changes_a_place(
    registry_pki: DemoPki, registry_issuers: TrustList
) -> None:
    """Field 20 carried must be the card's places (wallet.core.check_compact), as box 2.5 must: a form leaving
    out the Berlin place (which would give a work-elsewhere notice in Germany) or moving a place is refused,
    naming the field. A form made before field 20 (an older issuer's, which reads "not in this QR code") is
    kept (credentials.compact.LATER_FIELDS), and so is the one the issuer makes now."""
    institution = Institution(registry_pki, registry_issuers)
    a1 = institution.card(pda1.VCT, {**THREE_PLACES, "document_number": "DEMO-A1-H4-0005"})
    places = a1.checked.claims["work_information"]["work_address"]
    hidden = {**a1.checked.claims, "work_information": {"work_address": places[1:]}}
    moved = {**a1.checked.claims, "work_information": {"work_address": [{**places[0], "country": "AT"}, *places[1:]]}}
    for claims in (hidden, moved):
        with pytest.raises(OfflineFormDiffersError) as refused:
            institution.check(a1, institution.offline(a1, claims=claims))
        assert "work_information" in refused.value.message
    older = {k: v for k, v in a1.checked.claims.items() if k != "work_information"}
    assert institution.check(a1, institution.offline(a1, claims=older))
    assert institution.check(a1, institution.offline(a1))
