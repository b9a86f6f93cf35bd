"""QA pass over the A1 naming its holder (section 1, QA finding F1) as its users meet it: the clerk
recording an A1 in the back office or by CSV, and the inspector reading the verdict.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_ehic_desk import visible
from test_holder_link import holding_another_workers_a1

from credentials import i18n, pda1
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import DataError
from esspass.stack import InspectorAuth, start_in_process, unnumbered
from issuer.office import FIELDS, _label, form_errors

LENA = DEMO_PERSONS[2]
#: A colleague of Lena's at the same German employer, whose A1 Deutsche Rentenversicherung records.
COLLEAGUE = {"family_name": "Krause", "given_name": "Tobias", "birthdate": "1989-01-01"}


def test_an_a1_refused_without_its_holder_names_the_holder_in_the_clerks_words() -> None:
    """An A1 without any of section 1's fields is refused for the holder as a whole
    (``case.a1_holder_required`` on the field ``holder``): the form's error summary and the CSV import
    report name it in the clerk's language, never as the bare key "holder (holder)"."""
    refused = DataError("holder", "an A1 carries the holder's surname ...", key="case.a1_holder_required")
    for lang, word in (("en", "Holder"), ("de", "Inhaber/in"), ("lv", "Turētājs")):
        shown = form_errors(lang, [refused], FIELDS["pda1"], {})
        assert [(e.label, e.target) for e in shown] == [(word, "f-holder-family_name")], shown
        assert _label(lang, "holder") == word  # the import report's label for the row's field


def test_the_not_valid_page_of_another_workers_a1_shows_whom_the_a1_names(tmp_path: Path) -> None:
    """Lena's German PID beside a colleague's A1 (an offer code passed on): NOT VALID, "the A1 names
    another person". The inspector is told to compare names, so the page shows section 1 as the A1
    carries it (surname, given names, date of birth, with the A1's labels) in the A1's block, beside
    the PID's name above it: whom the A1 is of, a typing slip or another worker."""
    with start_in_process(tmp_path) as stack, httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        wallet = holding_another_workers_a1(stack, tmp_path, http, COLLEAGUE)
        try:
            started = http.post(f"{stack.verifier_url}/inspect?lang=en", data={"profile": "pda1"})
            assert started.status_code == 303, started.text[:300]
            view = started.headers["location"].split("/inspect/")[1].split("?")[0]
            waiting = http.get(f"{stack.verifier_url}/inspect/{view}").text
            link = html.unescape(re.search(r'(openid4vp://[^"<\s]+)', waiting).group(1))  # type: ignore[union-attr]
            wallet.share(wallet.open_request(link, "en").id)
            page = http.get(f"{stack.verifier_url}/inspect/{view}/verdict?lang=en").text
        finally:
            wallet.http.close()
    assert 'data-verdict="invalid"' in page
    a1_block = visible(page.split('<div class="document">', 1)[1].split("</div>", 1)[0])
    born = i18n.format_date(COLLEAGUE["birthdate"], "en")
    assert f"{pda1.label('family_name', 'en')} {COLLEAGUE['family_name']}" in a1_block, a1_block
    assert f"{pda1.label('given_name', 'en')} {COLLEAGUE['given_name']}" in a1_block, a1_block
    assert f"{pda1.label('birth_date', 'en')} {born}" in a1_block, a1_block
    # What to do next: the worker's own A1 and an identity document (verdict.html next-step-own-a1).
    assert 'id="next-step-own-a1"' in page
    assert "Ask the worker for their own A1" in page


def receive_a_colleagues_a1(site: Any, phone: Any) -> None:
    """The phone's wallet receives Lena's PID, then the A1 Deutsche Rentenversicherung's clerk recorded
    for :data:`COLLEAGUE` (an offer code passed on), and is on its list of documents."""
    from test_pages_browser import _paste_offer

    clerk = site.clerk
    for entity, config, claims, holder in ((LENA.pid_provider, "pid", dict(LENA.pid), None),
                                           (LENA.pda1_issuer, "pda1", unnumbered(LENA.pda1), COLLEAGUE)):
        _paste_offer(site, phone, clerk.offer(entity, clerk.create_case(entity, config, claims, holder)))


@pytest.mark.browser
def test_the_wallet_says_whom_another_workers_a1_names(tmp_path: Path, browser: Any) -> None:
    """Lena's wallet holding a colleague's A1 beside her PID: the list and the A1's page say "Not yours"
    and whom the A1 names, so that she knows whose it is (QA of F1: they said neither)."""
    from test_pages_browser import phone_tab, wallet_site

    with wallet_site(tmp_path) as site, phone_tab(site, browser) as phone:
        receive_a_colleagues_a1(site, phone)
        listed = phone.inner_text(".other-named")
        phone.click(f"a.card[data-vct='{pda1.VCT}']")
        shown = phone.inner_text("#other-named")
    assert listed == shown == "This document names Tobias Krause", (listed, shown)
