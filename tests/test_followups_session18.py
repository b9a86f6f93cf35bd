"""Follow-ups: ``esspass issuer check`` counts the EHIC and A1 cases that name no holder, the verifier's
printed EHIC verdict names the checking body and the staff member, and the back office labels an
EHIC's document number as the card's identification number (field 8)."""

from __future__ import annotations

import html
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from test_ehic_clerk_review import PARENT, _card, recorded_before_the_rule
from test_ehic_desk import ANNA, Desk, text_of

from credentials import ehic, i18n
from credentials.i18n import LANGUAGES
from credentials.institutions import demo_entity
from esspass.stack import Clerk, InspectorAuth, start_in_process, unnumbered
from esspass.testing import free_port, serve
from issuer.app import create_app
from issuer.cli import _unnamed_cards
from issuer.office import COOKIE
from issuer.settings import IssuerSettings
from verifier import messages

ROOT = Path(__file__).resolve().parents[1]
UNNAMED = ("EHIC cases name no holder: they are neither offered nor renewed until replaced with the holder's "
           "surname, given names and birth date")


def test_issuer_check_counts_each_institutions_ehic_cases_that_name_no_holder(tmp_path: Path) -> None:
    """Cards recorded before the rule (no fields 3-5) are neither offered nor renewed: the check says how
    many each institution holds, leaving out named, represented, withdrawn and replaced cases."""
    data = tmp_path / "pilot"
    with start_in_process(data) as stack, httpx.Client(timeout=30) as http:
        clerk = Clerk(stack.issuer_url, data, http)
        settings = IssuerSettings(data_dir=data, database_url=None)
        for number in ("1111111111", "2222222222", "3333333333"):
            case = clerk.create_case("AT:OEGK", "ehic", _card(personal_administrative_number=f"DEMO-AT-{number}"),
                                     PARENT)
            recorded_before_the_rule(settings, case)
        clerk.set_state("AT:OEGK", case, "revoke", "recorded twice")
        clerk.create_case("AT:OEGK", "ehic", _card(personal_administrative_number="DEMO-AT-4444444444"), PARENT)
        # An A1 recorded before every A1 named its holder (section 1): counted apart, for its institution.
        a1 = clerk.create_case("LV:VSAA", "pda1", unnumbered(ANNA.pda1), ANNA.holder)
        recorded_before_the_rule(settings, a1)
        offered = http.post(f"{stack.issuer_url}/lv-vsaa/api/cases/{a1}/offer", headers=clerk._headers("LV:VSAA"))
        assert (offered.status_code, offered.json()["error"]) == (409, "invalid_request"), offered.text
        assert "section 1" in offered.json()["error_description"], offered.text
        env = {**os.environ, "ESSPASS_DATA_DIR": str(data), "ESSPASS_ISSUER_REGISTRY_URL": stack.registry_url,
               "ESSPASS_ISSUER_PUBLIC_URL": stack.issuer_url}
        env.pop("DATABASE_URL", None)
        checked = subprocess.run([sys.executable, "-m", "esspass.cli", "issuer", "check"], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked  # a note: the chain is what the exit status says
    lines = [line for line in checked.stdout.splitlines() if " no holder: " in line]
    assert len(lines) == 2 and lines[0].startswith("AT:OEGK") and f"2 {UNNAMED}" in lines[0], checked.stdout
    assert lines[1].startswith("LV:VSAA") and "1 A1 case names no holder: it is neither" in lines[1], checked.stdout


def test_issuer_check_says_nothing_of_unnamed_cards_before_the_issuer_database_exists(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before the issuer's first start there is no database to count in, and the check makes none."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert _unnamed_cards(IssuerSettings(data_dir=tmp_path, database_url=None)) == {}
    assert not (tmp_path / "issuer.db").exists()


def test_the_printed_ehic_verdict_names_the_checking_body_and_the_staff_member(tmp_path: Path) -> None:
    """The billing file's copy says who checked: this verifier's body as its registration names it
    (in the page's language) and the signed-in staff member, as the records page's "Checked by" does."""
    data = tmp_path / "desk"
    with start_in_process(data) as stack, httpx.Client(timeout=30, auth=InspectorAuth(stack.inspector_token)) as http:
        desk = Desk(stack, http, Clerk(stack.issuer_url, data, http), data)
        w = desk.wallet()
        desk.card(w, unnumbered(ANNA.ehic))
        page = desk.page_check(w, "de")[1]
    printed = text_of(page.split('<dl class="print-only record">', 1)[1].split("</dl>", 1)[0])
    vdi = demo_entity("LV:VDI")
    body = messages.institution_name(vdi.name, vdi.name_en, vdi.country, "de")
    assert f"Prüfende Stelle {body}" in printed and "Geprüft von inspector" in printed, printed
    for lang in LANGUAGES:  # the two labels in each language of the pages
        t = messages.translator(lang)
        assert t("checking_body") != "checking_body" and t("records.col.inspector") != "records.col.inspector"
    assert len({messages.translator(lang)("checking_body") for lang in LANGUAGES}) == len(LANGUAGES)


def test_the_ehic_form_labels_the_document_number_as_the_cards_identification_number(tmp_path: Path) -> None:
    """Card field 8 is the card's identification number, as the card and the verifier's pages say it;
    an A1's form still says "document number"."""
    port = free_port()
    ehic_clerk, a1_clerk = "clerk-oegk-followup-0123456789ab", "clerk-vsaa-followup-0123456789ab"
    settings = IssuerSettings(data_dir=tmp_path, public_url=f"http://127.0.0.1:{port}",
                              clerk_tokens={ehic_clerk: "AT:OEGK/maria.huber", a1_clerk: "LV:VSAA/janis.berzins"})
    expected = {"en": "Card identification number", "de": "Kennnummer der Karte"}
    with serve(create_app(settings), port=port) as issuer:
        for path, token, config in (("at-oegk", ehic_clerk, "ehic"), ("lv-vsaa", a1_clerk, "pda1")):
            signed = httpx.post(f"{issuer.url}/{path}/office/login", data={"token": token})
            assert signed.status_code == 303, signed.text
            with httpx.Client(base_url=f"{issuer.url}/{path}", cookies={COOKIE: signed.cookies[COOKIE]},
                              timeout=30) as office:
                for lang in LANGUAGES:
                    page = office.get(f"/office/new/{config}?lang={lang}").text
                    label = html.unescape(page.split('for="f-document_number">', 1)[1].split("<", 1)[0].strip())
                    if config == "ehic":
                        assert label == ehic.label("document_number", lang) == expected.get(lang, label), page
                    else:
                        assert label == i18n.t("office.field.document_number", lang), (lang, label)


@pytest.mark.parametrize(("typed", "read"), [("k7 q2-mzoa", "K7Q2MZOA"), ("10Q8abcd", "IOQBABCD"), ("", "")])
def test_the_inspectors_code_typed_with_look_alike_digits_or_spaces_is_read_as_the_verifier_wrote_it(
        typed: str, read: str) -> None:
    """The offline challenge is base32 (A-Z, 2-7): a 0, 1 or 8 can only be the O, I or B it looks like,
    and spaces or hyphens a worker adds to read it out are not part of it (posted worker review)."""
    from wallet.core import inspector_code

    assert inspector_code(typed) == read
