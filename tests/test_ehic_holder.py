"""An EHIC names its holder: Decision S2 card fields 3-5 (surname, given names, date of birth) in the
credential itself, in the clear (credentials/ehic.py), so that a hospital shown the card
alone can bill the competent institution (E125 / SED S080) under the card's name, and a card shown
beside another person's PID is not "valid" under that PID's name (credentials/holder_link.py).

Hospital review R1 (defects 1 and 2): the two end-to-end tests first, over the real services, then
the pure rules one requirement each.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from test_ehic_desk import ANNA, CHILD, HOLDER, JAN, Desk, visible

from credentials import ehic, holder_link, i18n, sd_jwt
from credentials import verification as v
from esspass.stack import Clerk, InspectorAuth, start_in_process, unnumbered
from verifier import messages
from verifier.service import profile_query

JAN_HOLDER = {k: JAN.pid[k] for k in ("family_name", "given_name", "birthdate")}
#: The card's own fields 3-5 as the credential carries them (PID Rulebook names; credentials/ehic.py).
ANNA_CARD = {"family_name": ANNA.pid["family_name"], "given_name": ANNA.pid["given_name"],
             "birth_date": ANNA.pid["birthdate"]}
ANNA_PID = {"family_name": ANNA.pid["family_name"], "given_name": ANNA.pid["given_name"],
            "birthdate": ANNA.pid["birthdate"], "issuing_country": "LV"}
AT_CARD = {"issuing_country": "AT", "personal_administrative_number": "1234 300579", "document_number": "80040"}


@pytest.fixture(scope="module")
def hospital(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    data_dir = tmp_path_factory.mktemp("hospital-holder")
    with start_in_process(data_dir) as stack, \
            httpx.Client(timeout=30, auth=InspectorAuth(stack.inspector_token)) as http:
        yield Desk(stack, http, Clerk(stack.issuer_url, data_dir, http), data_dir)


# Over the services ------------------------------------------------------------------------------------

def test_an_ehic_shown_without_a_pid_gives_the_desk_the_holders_name_and_birth_date(hospital: Desk) -> None:
    """The EHIC check lets a patient show the card alone (no PID: a UK or Swiss resident, a state whose
    PID provider is not live) and calls it "valid". The bill to the competent institution needs the
    card's fields 3-5, on the verdict page and on its printout (the same page, print style)."""
    w = hospital.wallet(with_pid=False)
    hospital.card(w, unnumbered(ANNA.ehic))
    _, page = hospital.page_check(w)
    assert 'data-verdict="valid"' in page
    shown = visible(page)
    assert ANNA.pid["family_name"] in shown and ANNA.pid["given_name"] in shown, shown
    assert i18n.format_date(datetime.fromisoformat(ANNA.pid["birthdate"]).date(), "en") in shown, shown
    card_block = page.split('<div class="document">', 1)[1].split("</div>", 1)[0]
    # On screen and on the printout alike (print.css hides only .no-print).
    assert card_block.count('<dd class="card-holder">') == 3 and "no-print" not in card_block, card_block


def test_an_ehic_shown_with_another_persons_pid_is_not_valid(hospital: Desk) -> None:
    """Jan's Polish card (issued to Jan Kowalski, born 1979-11-30) in Anna's wallet beside Anna's
    Latvian PID: no personal number to compare (an AT number, an LV PID), but the card's names and
    birth date are not the PID's: a card of another person, never "valid" under Anna's name."""
    w = hospital.wallet(person=ANNA)
    hospital.card(w, unnumbered(JAN.ehic), entity=JAN.ehic_issuer, holder=JAN_HOLDER)
    verdict = hospital.api_check(w)
    assert verdict["verdict"] == "invalid", (verdict["verdict"], verdict["reason"], verdict["person"])
    assert verdict["reason_key"] == "holder_link.name_mismatch", verdict["reason_key"]


def test_the_cards_own_pid_beside_it_is_valid_and_the_card_shows_its_names(hospital: Desk) -> None:
    """Jan's card beside Jan's own PID: the names and birth date agree, so the card is his (valid), and
    the card's block shows the names as the card prints them, for the bill."""
    w = hospital.wallet(person=JAN)
    hospital.card(w, unnumbered(JAN.ehic), entity=JAN.ehic_issuer, holder=JAN_HOLDER)
    verdict = hospital.api_check(w)
    assert verdict["verdict"] == "valid", (verdict["verdict"], verdict["reason"])
    card = next(d for d in verdict["person"]["documents"] if d["vct"] == ehic.VCT)
    assert (card["family_name"], card["given_name"], card["birth_date"]) == \
        (JAN.pid["family_name"], JAN.pid["given_name"], JAN.pid["birthdate"])


def test_the_ehic_credential_carries_the_cards_names(hospital: Desk) -> None:
    """Both forms the institution signs carry fields 3-5: the SD-JWT VC in the clear (never left out,
    test_ehic_names_attacks.py), the mdoc as data elements of the EHIC namespace."""
    w = hospital.wallet(with_pid=False)
    hospital.card(w, unnumbered(ANNA.ehic))
    copies = [c for c in w.credentials() if c.vct == ehic.VCT or c.configuration_id.startswith("ehic")]
    sd = next(c for c in copies if c.format == "dc+sd-jwt")
    assert not {("family_name",), ("given_name",), ("birth_date",)} & set(sd_jwt.disclosable_paths(sd.credential))
    assert {k: sd.claims[k] for k in ANNA_CARD} == ANNA_CARD
    md = next(c for c in copies if c.format == "mso_mdoc")
    assert {k: str(md.claims[k]) for k in ANNA_CARD} == ANNA_CARD, md.claims
    # The wallet's card lists them with the type metadata's words, the date written out.
    shown = dict(w.card(sd.group, "lv").claims)
    assert shown["Uzvārds"] == ANNA.pid["family_name"] and shown["Vārdi"] == ANNA.pid["given_name"], shown
    assert shown["Dzimšanas datums"] == i18n.format_date(ANNA.pid["birthdate"], "lv"), shown


def test_a_represented_persons_card_is_not_given_the_holders_names() -> None:
    """A child's card names the child (``subject``, always disclosed): the case's holder, the parent, is
    not signed into it as the card's holder."""
    claims = {**unnumbered(ANNA.ehic), "subject": CHILD}
    assert ehic.with_holder(claims, HOLDER) == claims
    assert ehic.with_holder(unnumbered(ANNA.ehic), HOLDER) == {**unnumbered(ANNA.ehic), **ANNA_CARD}
    assert ehic.with_holder(unnumbered(ANNA.ehic), {}) == unnumbered(ANNA.ehic)


# The verifier's request -------------------------------------------------------------------------------

def test_the_ehic_check_asks_for_the_cards_names() -> None:
    """The EHIC check asks the mdoc card for its fields 3-5 in the option tried first for a card of the
    holder's own (with or without a PID: the desk bills under them, and compares them with the PID's),
    and still accepts a card issued before they were signed into it. The SD-JWT VC shows them in the
    clear, unasked."""
    query = profile_query("ehic")
    doc = next(q for q in query["credentials"] if q["id"] == "ehic")
    assert not {c["path"][0] for c in doc["claims"]} & {"family_name", "given_name", "birth_date"}
    twin = next(q for q in query["credentials"] if q["id"] == "ehic_mdoc")
    ids = {c["path"][1]: c["id"] for c in twin["claims"]}
    names = {ids["family_name"], ids["given_name"], ids["birth_date"]}
    first_with_expiry = next(o for o in twin["claim_sets"] if ids["date_of_expiry"] in o and ids["subject"] not in o)
    assert names <= set(first_with_expiry)
    assert any(not names & set(o) for o in twin["claim_sets"])  # an older card still answers
    assert {"family_name", "given_name", "birth_date"} <= {c["path"][1] for c in twin["claims"]}


# The holder link, pure --------------------------------------------------------------------------------

def test_names_that_differ_only_in_case_diacritics_or_further_given_names_match() -> None:
    card = {**AT_CARD, "family_name": "BERZINA", "given_name": "Anna", "birth_date": ANNA.pid["birthdate"]}
    person = {**ANNA_PID, "given_name": "Anna Marija"}
    found = holder_link.link(ehic.VCT, card, person)
    assert found.holds and found.outcome == holder_link.SAME_NAME, found


@pytest.mark.parametrize("field,value", [("birth_date", "1988-04-13"), ("family_name", "Kowalska"),
                                         ("given_name", "Jan")])
def test_a_card_naming_another_person_than_the_pid_is_a_name_mismatch(field: str, value: str) -> None:
    card = {**AT_CARD, **ANNA_CARD, field: value}
    found = holder_link.link(ehic.VCT, card, ANNA_PID)
    assert not found.holds and found.outcome == holder_link.NAME_MISMATCH, found
    assert ANNA.pid["family_name"] not in found.message and value not in found.message  # no personal data


def test_the_same_personal_number_ties_a_card_whose_name_has_changed() -> None:
    """A card issued before a marriage carries the former surname: the same personal number of the
    PID's own state says the card is the person's, names aside."""
    number = ANNA.ehic["personal_administrative_number"]
    card = {"issuing_country": "LV", "personal_administrative_number": number, **ANNA_CARD, "family_name": "Ozola"}
    found = holder_link.link(ehic.VCT, card, {**ANNA_PID, "personal_administrative_number": number})
    assert found.outcome == holder_link.SAME_NUMBER, found


def test_a_card_issued_without_names_is_linked_as_before() -> None:
    """An older copy (no fields 3-5), or one whose names the patient left out: as before, tied by the
    wallet only beside a PID, and shown alone not tied to anyone when its number is on no identity
    document."""
    assert holder_link.link(ehic.VCT, AT_CARD, ANNA_PID).outcome == holder_link.SAME_WALLET
    assert v._ehic_without_pid(AT_CARD, ("LV",)).key == "holder_link.no_pid_unnamed"
    named = v._ehic_without_pid({**AT_CARD, **ANNA_CARD}, ("LV",))
    assert (named.result, named.key) == (v.PASSED, "holder_link.no_pid")


def test_the_name_mismatch_reason_is_said_in_every_verifier_language() -> None:
    texts = {lang: messages.reason_text({"reason_key": "holder_link.name_mismatch", "reason": "x"}, lang)
             for lang in i18n.LANGUAGES}
    assert "x" not in texts.values() and len(set(texts.values())) == len(texts), texts
    assert all(messages.reason_text({"reason_key": "holder_link.same_name", "reason": "x"}, lang) != "x"
               for lang in i18n.LANGUAGES)


def test_the_type_metadata_labels_the_cards_names_in_every_language() -> None:
    doc: dict[str, Any] = ehic.type_metadata_document()
    for name in ("family_name", "given_name", "birth_date"):
        claim = next(c for c in doc["claims"] if c["path"] == [name])
        assert {d["locale"] for d in claim["display"]} == set(i18n.LANGUAGES), claim
        assert claim["sd"] == "never"  # the holder link must not be skippable (test_ehic_names_attacks.py)
        assert ehic.label(name, "lv") and ehic.label(name, "lv") != ehic.label(name, "en")
