"""Every A1 names its holder: section 1's surname, forenames and date of birth, signed from the case's
holder into every form of the A1 (credentials/pda1.py ``with_holder``; QA finding F1), as the EHIC's
fields 3-5 are. The issuer neither records nor offers nor delivers an A1 without them; the
credential carries them in the clear (SD-JWT VC) and as data elements (mdoc).

Over the real services (uvicorn on loopback): the issuer's API and back office, and the reference
wallet taking the offer.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from credentials import sd_jwt
from credentials.demo_persons import DEMO_PERSONS
from esspass.stack import Clerk, start_in_process, unnumbered, wallet_holding
from issuer.settings import IssuerSettings

ANNA, JAN, LENA = DEMO_PERSONS


def test_an_a1_is_not_recorded_without_its_holder(tmp_path: Path) -> None:
    """Section 1 is on every A1: a case without it could never be offered, and its replacement would
    spend another document number. 400 naming the holder, in the clerk's words."""
    with start_in_process(tmp_path) as stack, httpx.Client(timeout=30) as http:
        clerk = Clerk(stack.issuer_url, tmp_path, http)
        made = http.post(f"{stack.issuer_url}/lv-vsaa/api/cases", headers=clerk._headers("LV:VSAA"),
                         json={"configuration_id": "pda1", "claims": unnumbered(ANNA.pda1)})
        partly = http.post(f"{stack.issuer_url}/lv-vsaa/api/cases", headers=clerk._headers("LV:VSAA"),
                           json={"configuration_id": "pda1", "claims": unnumbered(ANNA.pda1),
                                 "holder": {"family_name": ANNA.holder["family_name"]}})
    assert made.status_code == 400, made.text
    assert (made.json()["field"], made.json()["rule_key"]) == ("holder", "case.a1_holder_required"), made.text
    assert "section 1" in made.json()["error_description"]
    assert partly.status_code == 400 and partly.json()["field"].startswith("holder"), partly.text


def test_the_a1_carries_its_holders_names_in_the_clear_in_both_forms(tmp_path: Path) -> None:
    """The SD-JWT VC signs them as plain claims (never disclosures, so no wallet can leave them out);
    the mdoc as data elements of the A1's namespace. Both are the case's holder, and the wallet's card
    lists them with the type metadata's words."""
    with start_in_process(tmp_path) as stack, httpx.Client(timeout=30) as http:
        wallet = wallet_holding(stack, tmp_path, http, LENA)
        try:
            copies = [c for c in wallet.credentials() if c.configuration_id.startswith("pda1")]
            sd = next(c for c in copies if c.format == "dc+sd-jwt")
            md = next(c for c in copies if c.format == "mso_mdoc")
            rows = list(wallet.card(sd.group, "de").claims)
            shown = dict(rows)
        finally:
            wallet.http.close()
    expected = {"family_name": LENA.holder["family_name"], "given_name": LENA.holder["given_name"],
                "birth_date": LENA.holder["birthdate"]}
    assert not {(name,) for name in expected} & set(sd_jwt.disclosable_paths(sd.credential))
    assert {k: sd.claims[k] for k in expected} == expected
    assert {k: str(md.claims[k]) for k in expected} == expected, md.claims
    assert shown["Name"] == LENA.holder["family_name"] and shown["Vornamen"] == LENA.holder["given_name"], shown
    # First, as the paper A1 prints section 1 (QA of F1: they came after the work situation).
    assert [label for label, _value in rows[:3]] == ["Name", "Vornamen", "Geburtsdatum"], rows


def test_an_a1_recorded_before_the_rule_says_why_it_is_not_offered(tmp_path: Path) -> None:
    """An A1 case recorded before section 1 was required (its holder empty in the database): its API
    answer and its page in the back office say why it is not handed over, instead of a button that
    answers 409; an offer asked for all the same is 409 ``case.a1_no_holder_offer``."""
    from test_ehic_clerk_review import recorded_before_the_rule

    with start_in_process(tmp_path) as stack, httpx.Client(timeout=30) as http:
        clerk = Clerk(stack.issuer_url, tmp_path, http)
        case = clerk.create_case("LV:VSAA", "pda1", unnumbered(ANNA.pda1), ANNA.holder)
        recorded_before_the_rule(IssuerSettings(data_dir=tmp_path, database_url=None), case)
        shown = clerk.case("LV:VSAA", case)
        offered = http.post(f"{stack.issuer_url}/lv-vsaa/api/cases/{case}/offer", headers=clerk._headers("LV:VSAA"))
        login = http.post(f"{stack.issuer_url}/lv-vsaa/office/login", data={"token": clerk.tokens["LV:VSAA"]})
        assert login.status_code in (200, 303), login.text[:300]
        page = http.get(f"{stack.issuer_url}/lv-vsaa/office/cases/{case}?lang=lv").text  # the client keeps the cookie
    assert shown["offer_refusal"]["rule_key"] == "case.a1_no_holder_offer", shown
    assert offered.status_code == 409 and offered.json()["rule_key"] == "case.a1_no_holder_offer", offered.text
    assert 'id="offer-refused"' in page and 'id="make-offer"' not in page
    assert "1. iedaļa" in re.sub(r"\s+", " ", page)


def test_the_import_page_says_an_a1_needs_the_holders_columns(tmp_path: Path) -> None:
    """A clerk importing A1s learns before the report that each row needs section 1's columns (QA of F1)."""
    with start_in_process(tmp_path) as stack, httpx.Client(timeout=30) as http:
        clerk = Clerk(stack.issuer_url, tmp_path, http)
        login = http.post(f"{stack.issuer_url}/de-drv/office/login", data={"token": clerk.tokens["DE:DRV"]})
        assert login.status_code in (200, 303), login.text[:300]
        page = http.get(f"{stack.issuer_url}/de-drv/office/import?lang=de").text
    assert "Eine A1 und eine eigene Karte brauchen die Spalten der Inhaberin/des Inhabers" in page
    assert "holder.family_name, holder.given_name, holder.birthdate" in page
