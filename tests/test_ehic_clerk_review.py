"""Review R8 (an EHIC clerk at Austria's ÖGK issuing cards and PRCs through the back office, its API
and its CSV import): the card's Decision S2 fields 3-5 (surname, given names, date of birth) come
from the case's holder, or, on a represented person's card, its ``subject``. The reviewer's tests,
one per defect (each failed on 3f38049 for it), and the fixes' own.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from test_issuer_protocol import Issuer

from credentials import ehic
from credentials.i18n import format_date
from credentials.institutions import demo_entity
from credentials.jose import generate_key
from esspass.db import make_engine
from esspass.testing import ServerHandle, free_port, serve
from issuer.app import create_app
from issuer.office import COOKIE
from issuer.paper import paper_text
from issuer.settings import IssuerSettings
from trust_registry.app import create_app as registry_app
from trust_registry.settings import RegistrySettings

MARIA = "clerk-oegk-review-0123456789abcdef"
OEGK = {"id": "AT:OEGK", "name": "Österreichische Gesundheitskasse", "country": "AT"}
PARENT = {"family_name": "Müller-Lüdenscheidt", "given_name": "Hans Peter", "birthdate": "1980-02-29"}
CHILD = {"forenames": "Zoë Anna", "familynames": "Müller-Lüdenscheidt", "date_of_birth": "2015-01-01"}


def _card(**changes: Any) -> dict[str, Any]:
    claims = {"personal_administrative_number": "DEMO-AT-1234567890", "issuing_authority": OEGK,
              "issuing_country": "AT", "authentic_source": {"id": OEGK["id"], "name": OEGK["name"]},
              "date_of_issuance": "2026-11-30", "date_of_expiry": "2031-11-30"}
    claims.update(changes)
    return claims


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> IssuerSettings:
    port = free_port()
    return IssuerSettings(data_dir=tmp_path_factory.mktemp("ehic-clerk"), public_url=f"http://127.0.0.1:{port}",
                          clerk_tokens={MARIA: "AT:OEGK/maria.huber"})


@pytest.fixture(scope="module")
def issuer(settings: IssuerSettings) -> Iterator[ServerHandle]:
    assert settings.public_url is not None
    with serve(create_app(settings), port=int(settings.public_url.rsplit(":", 1)[1])) as handle:
        yield handle


def recorded_before_the_rule(settings: IssuerSettings, case_id: str) -> None:
    """The case as one recorded before a card of the holder's own had to name its holder stands in
    the database (no new case can be recorded so)."""
    engine = make_engine(settings.db_url("issuer.db"))
    with engine.begin() as db:
        db.execute(text("UPDATE issuer_cases SET holder = NULL WHERE id = :id"), {"id": case_id})
    engine.dispose()


def _api(issuer: ServerHandle) -> httpx.Client:
    return httpx.Client(base_url=f"{issuer.url}/at-oegk/api", headers={"Authorization": f"Bearer {MARIA}"},
                        timeout=30)


def _office(issuer: ServerHandle) -> httpx.Client:
    signed = httpx.post(f"{issuer.url}/at-oegk/office/login", data={"token": MARIA})
    assert signed.status_code == 303, signed.text
    return httpx.Client(base_url=f"{issuer.url}/at-oegk", cookies={COOKIE: signed.cookies[COOKIE]}, timeout=30)


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


# 1. A card of the holder's own, signed from the cutover without fields 3-5 ---------------------------

def test_a_holders_own_ehic_is_not_issued_without_the_surname_given_names_and_birth_date(
        issuer: ServerHandle) -> None:
    """Decision S2 fields 3-5 are on every card; from ehic.HOLDER_SIGNED_FROM the issuer signs them in,
    and a verifier takes an mdoc card of that date shown without them as names withheld (undetermined,
    holder_link.NAMES_WITHHELD). A case of the holder's own with no holder must therefore not become a
    card: refused when recorded, or its offer refused, naming the holder, as the paper copy already is."""
    with _api(issuer) as api:
        made = api.post("/cases", json={"configuration_id": "ehic", "claims": _card()})
        if made.status_code == 400:
            assert "holder" in made.json().get("field", ""), made.text
            return
        assert made.status_code == 201, made.text
        offer = api.post(f"/cases/{made.json()['id']}/offer")
    assert offer.status_code == 409, f"an EHIC without fields 3-5 was offered: {offer.status_code} {offer.text[:200]}"


# 2. The CSV import cannot give the card's names ----------------------------------------------------

def test_the_csv_import_records_an_ehic_with_the_holders_surname_given_names_and_birth_date(
        issuer: ServerHandle) -> None:
    """Cards are issued in bulk from the insurance register: the import must take the holder's fields
    3-5 as the form and the API do (``holder.family_name``, ``holder.given_name``, ``holder.birthdate``);
    today every imported EHIC row with them is refused ("holder: is not a field of this document"), and
    without them the card carries no names and has no paper copy."""
    header = ("configuration_id,personal_administrative_number,issuing_authority.id,issuing_authority.name,"
              "issuing_authority.country,issuing_country,authentic_source.id,authentic_source.name,date_of_issuance,"
              "date_of_expiry,holder.family_name,holder.given_name,holder.birthdate\n")
    row = ("ehic,DEMO-AT-3333010180,AT:OEGK,Österreichische Gesundheitskasse,AT,AT,AT:OEGK,"
           "Österreichische Gesundheitskasse,2026-11-30,2031-11-30,Wagner,Eva Maria,1980-01-01\n")
    with _api(issuer) as api:
        answer = api.post("/import", files={"file": ("cards.csv", io.BytesIO((header + row).encode()), "text/csv")})
        assert answer.status_code == 200, answer.text
        report = answer.json()
        assert report["imported"] == 1, report["rows"]
        case = api.get(f"/cases/{report['rows'][0]['case_id']}").json()
    assert case["holder"] == {"family_name": "Wagner", "given_name": "Eva Maria", "birthdate": "1980-01-01"}, case


# 3. The paper card of a child names the parent -----------------------------------------------------

def test_a_childs_paper_card_names_the_child_as_its_qr_code_and_wallet_card_do() -> None:
    """A card for a represented person (``subject``) is that person's: the wallet shows the child, the
    paper's QR code names the child (compact._ehic_fields), but the printed lines name the case's holder,
    the parent (issuer.paper.paper_text prints ``holder`` whatever the card's subject), so the desk reads
    a card of "Hans Peter Müller-Lüdenscheidt, 1980-02-29" for the child's personal number."""
    claims = ehic.validate(_card(personal_administrative_number="DEMO-AT-2015010199", subject=CHILD,
                                document_number="AT-OEGK-2026-CHILD001"))
    for lang in ("en", "de"):
        _, lines = paper_text(ehic, claims, PARENT, demo_entity("AT:OEGK"), lang)
        printed = "\n".join(lines)
        assert "Zoë Anna" in printed and "2015" in printed, printed
        assert "Hans Peter" not in printed and "1980" not in printed, printed


# 4. The paper card does not print fields 3-6 as the card does --------------------------------------

def test_the_paper_ehic_prints_fields_3_to_6_as_the_wallet_card_labels_them() -> None:
    """Decision S2: surname (3), given names (4), date of birth (5), personal identification number (6).
    The wallet card shows them labelled ("Name: ...", "Vornamen: ...", "Geburtsdatum: 29. Februar 1980",
    "Persönliche Kennnummer: ..."); the paper prints "Hans Peter Müller-Lüdenscheidt, 1980-02-29" (given
    names first, an ISO date in a German text) and no personal identification number at all, which the
    hospital copies onto its claim (E125 / SED S080)."""
    claims = ehic.validate(_card(document_number="AT-OEGK-2026-CARD0001"))
    for lang in ("en", "de"):
        _, lines = paper_text(ehic, claims, PARENT, demo_entity("AT:OEGK"), lang)
        for claim, value in (("family_name", PARENT["family_name"]), ("given_name", PARENT["given_name"]),
                             ("birth_date", format_date(PARENT["birthdate"], lang)),
                             ("personal_administrative_number", claims["personal_administrative_number"])):
            assert f"{ehic.label(claim, lang)}: {value}" in lines, (lang, lines)


# 5. The case page hides the names the card carries -------------------------------------------------

def test_the_case_page_shows_the_surname_given_names_and_birth_date_the_card_carries(issuer: ServerHandle) -> None:
    """Since this release fields 3-5 of the card are the case's holder, signed into it. The clerk who
    checks a card, or opens it to correct a misspelt name, must see them on the case page; it lists the
    claims only ("All fields"), never the holder."""
    with _api(issuer) as api:
        made = api.post("/cases", json={"configuration_id": "ehic", "claims": _card(),
                                        "holder": {"family_name": "Öztürk Yılmaz", "given_name": "Ayşe Gül",
                                                   "birthdate": "1990-05-17"}})
    assert made.status_code == 201, made.text
    with _office(issuer) as office:
        page = _text(office.get(f"/office/cases/{made.json()['id']}?lang=de").text)
    assert "Öztürk Yılmaz" in page and "Ayşe Gül" in page and ("1990-05-17" in page or "17. Mai 1990" in page), page


# 6. The form tells the clerk the names are only for the offline QR code ----------------------------

@pytest.mark.parametrize(("lang", "stale"), [("en", "offline QR"), ("de", "Offline-QR")])
def test_the_ehic_form_does_not_say_the_holder_is_only_printed_in_the_offline_qr_code(
        issuer: ServerHandle, lang: str, stale: str) -> None:
    """The EHIC form's holder group is titled "Holder (printed in the offline QR code)" /
    "Inhaber/in (im Offline-QR-Code)", its fields "(optional)": a clerk leaves them empty and the card
    goes out without fields 3-5. They are the card's own fields now."""
    with _office(issuer) as office:
        page = office.get(f"/office/new/ehic?lang={lang}").text
    legends = [_text(x) for x in re.findall(r"<legend[^>]*>(.*?)</legend>", page, re.S)]
    assert not [x for x in legends if stale in x], legends


# 7. A holder born after the card was issued --------------------------------------------------------

def test_a_holders_birth_date_after_the_cards_date_of_issue_is_refused(issuer: ServerHandle) -> None:
    """Field 5 of the holder's own card: a birth date after the date of issue (2031 for 1981) is a
    typing mistake, refused for a child's card (subject.date_of_birth, date.not_after) but signed into
    the holder's own card."""
    with _api(issuer) as api:
        made = api.post("/cases", json={"configuration_id": "ehic", "claims": _card(),
                                        "holder": {**PARENT, "birthdate": "2031-02-28"}})
    assert made.status_code == 400 and made.json().get("field") == "holder.birthdate", made.text


# A represented person's card needs its subject only ----------------------------------------------

def test_a_childs_card_is_offered_and_printed_with_its_subject_and_no_holder(issuer: ServerHandle) -> None:
    """The child's card names the child (``subject``: its fields 3-5), never the parent: recorded
    without a holder, it is handed over and printed all the same."""
    with _api(issuer) as api:
        made = api.post("/cases", json={"configuration_id": "ehic",
                                        "claims": _card(personal_administrative_number="DEMO-AT-2015010177",
                                                        subject=CHILD)})
        assert made.status_code == 201, made.text
        assert (made.json()["offer_refusal"], made.json()["paper_refusal"]) == (None, None), made.text
        assert api.post(f"/cases/{made.json()['id']}/offer").status_code == 201
        paper = api.get(f"/cases/{made.json()['id']}/paper.pdf")
    assert paper.status_code == 200 and paper.content.startswith(b"%PDF"), paper.text[:200]


def test_a_holders_own_ehic_is_not_recorded_without_its_holder(issuer: ServerHandle) -> None:
    """A new case of a card of the holder's own without fields 3-5 is a 400 naming the holder (it
    could never be offered, and its replacement would spend another document number)."""
    with _api(issuer) as api:
        made = api.post("/cases", json={"configuration_id": "ehic", "claims": _card()})
    assert made.status_code == 400, made.text
    assert (made.json()["field"], made.json()["rule_key"]) == ("holder", "case.holder_required")


def test_a_holders_own_ehic_without_names_says_why_it_is_not_offered_on_its_page(
        issuer: ServerHandle, settings: IssuerSettings) -> None:
    """The case page of a card recorded before the rule says it (in the clerk's language) instead of
    a button that answers 409."""
    with _api(issuer) as api:
        made = api.post("/cases", json={"configuration_id": "ehic", "claims": _card(), "holder": PARENT}).json()
        recorded_before_the_rule(settings, made["id"])
        made = api.get(f"/cases/{made['id']}").json()
    assert made["offer_refusal"]["rule_key"] == "case.no_holder_offer", made
    with _office(issuer) as office:
        page = office.get(f"/office/cases/{made['id']}?lang=de").text
    assert 'id="offer-refused"' in page and 'id="make-offer"' not in page
    assert "Keine Übergabe an eine Wallet" in _text(page)


def test_the_csv_import_takes_the_cards_name_for_the_birth_date_too() -> None:
    """``holder.birth_date`` (field 5 as the card names it) is the API's ``holder.birthdate``; both
    in one row conflict."""
    from credentials.errors import DataError
    from issuer.service import _import_holder

    assert _import_holder({"family_name": "Wagner", "given_name": "Eva", "birth_date": "1980-01-01"}) == {
        "family_name": "Wagner", "given_name": "Eva", "birthdate": "1980-01-01"}
    with pytest.raises(DataError) as refused:
        _import_holder({"birth_date": "1980-01-01", "birthdate": "1980-01-01"})
    assert refused.value.field == "holder.birth_date"


def test_a_card_whose_case_has_no_holder_is_not_delivered_on_an_offer_made_before(registry_dir: Path) -> None:
    """An offer taken, or a grant renewing copies, for a case that names no holder (recorded before
    the rule; its offer made then): the credential endpoint refuses it too, never signing a card
    without fields 3-5 that a verifier would take for one whose names were withheld."""
    port = free_port()
    with serve(registry_app(RegistrySettings(data_dir=registry_dir))) as registry:
        settings = IssuerSettings(data_dir=registry_dir, public_url=f"http://127.0.0.1:{port}",
                                  registry_url=registry.url)
        with serve(create_app(settings), port=port) as handle:
            client = Issuer(handle, registry_dir, registry.url)
            try:
                case_id, offer, tx = client.offer(path="lv-nvd", entity="LV:NVD", config="ehic")
                recorded_before_the_rule(settings, case_id)
                token = client.token(offer, tx, path="lv-nvd").json()["access_token"]
                proof = client.proof(generate_key(), nonce=client.nonce("lv-nvd"), aud=f"{client.url}/lv-nvd")
                answer = client.credential(token, [proof], config="ehic", path="lv-nvd")
            finally:
                client.http.close()
    assert (answer.status_code, answer.json()["error"]) == (400, "credential_request_denied"), answer.text
    assert "fields 3-5" in answer.json()["error_description"]


def test_an_ehic_card_is_not_replaced_by_a_card_whose_expiry_has_passed(issuer: ServerHandle) -> None:
    """A card past its expiry proves nothing and is never handed over; recorded as a replacement it would
    end the card it replaces, still valid, and leave the insured person with no card at all. Refused at the
    expiry date, nothing changed; the same replacement with a future expiry goes through."""
    with _api(issuer) as api:
        created = api.post("/cases", json={"configuration_id": "ehic", "holder": PARENT,
                                           "claims": _card(document_number="DEMO-EHIC-AT-8801")})
        assert created.status_code == 201, created.text
        old = created.json()
        expired = _card(document_number="DEMO-EHIC-AT-8802", date_of_issuance="2020-01-10",
                        date_of_expiry="2025-01-10")
        refused = api.post(f"/cases/{old['id']}/replace", json={"claims": expired, "reason": "card lost"})
        assert refused.status_code == 400, refused.text
        assert (refused.json()["field"], refused.json()["rule_key"]) == ("date_of_expiry", "ehic.replacement_expired")
        assert api.get(f"/cases/{old['id']}").json()["state"] == "active"
        assert not api.get("/cases", params={"q": "8802"}).json()
        renewed = api.post(f"/cases/{old['id']}/replace",
                           json={"claims": _card(document_number="DEMO-EHIC-AT-8803"), "reason": "card lost"})
        assert renewed.status_code == 201, renewed.text
        assert api.get(f"/cases/{old['id']}").json()["state"] == "replaced"
