"""The clerk's case page and search, and the institution's search log (helper brief H2).

1. The case page says, beside its buttons and in the clerk's language, which action fits which
   situation, as the service's actions do it: an EHIC's misspelt name is replaced (the corrected card
   in its place, the old one ``replaced``), an insurance that ended early is withdrawn or ended early
   (replaced with the earlier expiry); an A1 of the wrong legislation is withdrawn (void from its
   first day, 987/2009 Art. 5), a typo replaced, a posting that ended early replaced with the shorter
   period.
2. A search's results say whom each case is for (the name and birth date; a child's card names the
   child and says so; an A1's worker), and of the rest only what the words matched.
3. The institution's administrators (``ESSPASS_ISSUER_ADMINS``, named clerks) read the search log
   (who, when, how many; by pages) and purge what is older than ``ESSPASS_ISSUER_SEARCH_LOG_DAYS``,
   as the daily housekeeping does.

Over real HTTP on loopback (the back office's own sign-in, session and CSRF token), and in Chromium.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import insert, select
from test_issuer_office import _csrf

from credentials import i18n
from credentials.demo_persons import DEMO_PERSONS
from esspass.db import make_engine
from esspass.migrate import upgrade
from esspass.stack import unnumbered
from esspass.testing import ServerHandle, clerk_tab, free_port, serve
from issuer.app import MIGRATIONS, create_app
from issuer.db import CaseSearch
from issuer.office import _T, COOKIE
from issuer.settings import IssuerSettings

ANNA, JAN = DEMO_PERSONS[0], DEMO_PERSONS[1]
#: Named clerks (README ``ESSPASS_ISSUER_CLERK_TOKENS``): two of LV:VSAA (A1s), one of LV:NVD (EHICs),
#: and each institution's administrator (``ESSPASS_ISSUER_ADMINS``); then LV:VSAA's shared token.
CLERK, DPO = "clerk-anna-berzina-0123456789abcdef", "clerk-dpo-kalnina-0123456789abcdefg"
NVD_CLERK, NVD_DPO = "clerk-nvd-ilze-0123456789abcdefghij", "clerk-nvd-dpo-0123456789abcdefghijk"
SHARED = "clerk-vsaa-shared-0123456789abcdefgh"
CLERKS = {CLERK: "LV:VSAA/anna.berzina", DPO: "LV:VSAA/dpo.kalnina", NVD_CLERK: "LV:NVD/ilze.liepa",
          NVD_DPO: "LV:NVD/dpo.ozola", SHARED: "LV:VSAA"}
ADMINS = ["LV:VSAA/dpo.kalnina", "LV:NVD/dpo.ozola"]
#: Two insured persons of one name, told apart by their birth dates; a child's card of the first.
NAMESAKE_1 = {"family_name": "Bērziņš", "given_name": "Jānis", "birthdate": "1961-03-14"}
NAMESAKE_2 = {"family_name": "Bērziņš", "given_name": "Jānis", "birthdate": "1990-11-02"}
CHILD = {"forenames": "Līga", "familynames": "Kalniņa", "date_of_birth": "2019-02-01"}
PARENT = {"family_name": "Kalniņš", "given_name": "Roberts", "birthdate": "1984-06-20"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("case-guidance")


@pytest.fixture(scope="module")
def issuer(data_dir: Path) -> Iterator[ServerHandle]:
    port = free_port()
    settings = IssuerSettings(data_dir=data_dir, public_url=f"http://127.0.0.1:{port}", clerk_tokens=CLERKS,
                              admins=ADMINS)
    with serve(create_app(settings), port=port) as handle:
        yield handle


#: Idle connections dropped before the issuer closes them (5 s, esspass/serve.py), so that no request
#: goes out on a connection the server is closing at that moment.
KEEPALIVE = httpx.Limits(keepalive_expiry=1.0)


def _office(issuer: ServerHandle, token: str, path: str = "lv-vsaa", lang: str = "en") -> httpx.Client:
    """A client with the session the back office's sign-in form gives ``token`` at ``path``."""
    signed = httpx.post(f"{issuer.url}/{path}/office/login", data={"token": token})
    assert signed.status_code == 303, signed.text[:300]
    return httpx.Client(base_url=f"{issuer.url}/{path}", cookies={COOKIE: signed.cookies[COOKIE]}, timeout=30,
                        headers={"Accept-Language": lang}, limits=KEEPALIVE)


def _api(issuer: ServerHandle, token: str, path: str) -> httpx.Client:
    return httpx.Client(base_url=f"{issuer.url}/{path}/api", headers={"Authorization": f"Bearer {token}"},
                        timeout=30, limits=KEEPALIVE)


def _ehic(number: str, *, subject: dict[str, str] | None = None) -> dict[str, Any]:
    claims = {**ANNA.ehic, "document_number": number}
    return {**claims, "subject": subject} if subject else claims


def _record(issuer: ServerHandle, token: str, path: str, config: str, claims: dict[str, Any],
            holder: dict[str, str] | None) -> str:
    with _api(issuer, token, path) as api:
        made = api.post("/cases", json={"configuration_id": config, "claims": claims, "holder": holder})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _text(fragment: str) -> str:
    """What a piece of a page says: tags dropped, entities read, spaces single."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment)))


def _section(page: str, element_id: str) -> str:
    """The text of the element ``element_id`` up to its section's or table's end, tags dropped."""
    part = page.split(f'id="{element_id}"', 1)[1]
    return _text(re.split(r"</section>|</table>|</form>", part, maxsplit=1)[0])


def _word(key: str, lang: str = "en", **params: Any) -> str:
    return i18n.t(f"office.{key}", lang, **params)


def _named(person: dict[str, str], lang: str = "en") -> str:
    """A search result's first line for ``person`` (a holder's, or a card's represented person's keys)."""
    family, given = person.get("family_name") or person["familynames"], person.get("given_name") or person["forenames"]
    born = i18n.format_date(person.get("birthdate") or person["date_of_birth"], lang)
    return f"{family}, {given} · {_word('born', lang, date=born)}"


# --- 1. which action: the case page's guidance ------------------------------------------------------------


def test_the_ehic_case_page_says_a_misspelt_name_is_replaced_and_an_insurance_ended_early_withdrawn_or_ended(
        issuer: ServerHandle) -> None:
    case_id = _record(issuer, NVD_CLERK, "lv-nvd", "ehic", _ehic("DEMO-EHIC-GUIDE-1"), NAMESAKE_1)
    with _office(issuer, NVD_CLERK, "lv-nvd") as office:
        page = office.get(f"/office/cases/{case_id}")
    assert page.status_code == 200, page.text[:300]
    guide = _section(page.text, "guide")
    assert "Which action?" in guide
    assert "A misspelt name or a wrong date of birth" in guide and "Replace (correct)" in guide
    assert "“replaced”" in guide  # the corrected card takes its place; this one is replaced (REPLACED)
    assert "The insurance ended early" in guide and "Withdraw" in guide
    assert "replace it with that day as its expiry date" in guide  # ended early from a later day
    assert "987/2009" not in guide  # an A1's rule, not said of a card
    # Beside the buttons it names: Replace (correct), Withdraw, Suspend.
    assert page.text.index('id="guide"') < page.text.index('id="revoke"')
    assert 'id="replace"' in page.text and 'id="suspend"' in page.text


def test_the_a1_case_page_says_a_wrong_legislation_is_withdrawn_a_typo_replaced_an_early_end_replaced_shorter(
        issuer: ServerHandle) -> None:
    case_id = _record(issuer, CLERK, "lv-vsaa", "pda1", unnumbered(ANNA.pda1), NAMESAKE_1)
    with _office(issuer, CLERK) as office:
        page = office.get(f"/office/cases/{case_id}")
    guide = _section(page.text, "guide")
    assert "The wrong legislation or state (a wrong decision)" in guide
    assert "void from its first day (Art. 5 of Regulation 987/2009)" in guide
    assert "A typo in the worker's or the employer's details" in guide and "Replace (correct)" in guide
    assert "The posting ended early" in guide and "shorter period" in guide
    assert "insurance" not in guide  # the card's words are not an A1's


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_guidance_is_said_in_each_of_the_five_languages(issuer: ServerHandle, lang: str) -> None:
    a1 = _record(issuer, CLERK, "lv-vsaa", "pda1", unnumbered(ANNA.pda1), NAMESAKE_1)
    card = _record(issuer, NVD_CLERK, "lv-nvd", "ehic", _ehic(f"DEMO-EHIC-LANG-{lang}"), NAMESAKE_1)
    for token, path, case_id, kind in ((CLERK, "lv-vsaa", a1, "pda1"), (NVD_CLERK, "lv-nvd", card, "ehic")):
        with _office(issuer, token, path, lang) as office:
            shown = _section(office.get(f"/office/cases/{case_id}").text, "guide")
        situations = ("wrong", "typo", "ended") if kind == "pda1" else ("typo", "ended")
        for situation in situations:
            for part in ("when", "do"):
                assert _word(f"guide.{kind}.{situation}.{part}", lang) in shown, (lang, kind, situation, part)
        assert _word("guide_title", lang) in shown
        assert "guide." not in shown  # no key shown in place of its words


def test_the_guidance_matches_what_the_actions_do_a_replacement_leaves_the_old_case_replaced_not_withdrawn(
        issuer: ServerHandle) -> None:
    """What the guidance says of Replace is what it does: the corrected card is a new case, the old one
    is in state ``replaced`` (Token Status List REPLACED), and its page then offers no guidance (only
    Withdraw is left); a withdrawn case is final."""
    old = _record(issuer, NVD_CLERK, "lv-nvd", "ehic", _ehic("DEMO-EHIC-TYPO-1"), NAMESAKE_1)
    corrected = {**NAMESAKE_1, "given_name": "Jānis Pēteris"}
    with _api(issuer, NVD_CLERK, "lv-nvd") as api:
        new = api.post(f"/cases/{old}/replace", json={"claims": _ehic("DEMO-EHIC-TYPO-2"), "holder": corrected,
                                                       "reason": "given name misspelt"})
        assert new.status_code == 201, new.text
        assert api.get(f"/cases/{old}").json()["state"] == "replaced"
        withdrawn = _record(issuer, NVD_CLERK, "lv-nvd", "ehic", _ehic("DEMO-EHIC-ENDED-1"), NAMESAKE_2)
        assert api.post(f"/cases/{withdrawn}/revoke", json={"reason": "insurance ended"}).json()["state"] == "revoked"
    with _office(issuer, NVD_CLERK, "lv-nvd") as office:
        assert 'id="guide"' not in office.get(f"/office/cases/{old}").text
        page = office.get(f"/office/cases/{withdrawn}").text
    assert 'id="guide"' not in page and 'id="final"' in page


# --- 2. whom a search's results are for -------------------------------------------------------------------


def _search(office: httpx.Client, query: str) -> tuple[str, str]:
    """The posted search's results table (HTML) and the page."""
    csrf = _csrf(office.get("/office/cases").text)
    page = office.post("/office/cases", data={"csrf": csrf, "q": query})
    assert page.status_code == 200, page.text[:300]
    return page.text.split('id="cases"', 1)[1].split("</table>", 1)[0], page.text


def test_search_results_show_each_holders_name_and_birth_date_to_tell_namesakes_apart(issuer: ServerHandle) -> None:
    _record(issuer, NVD_CLERK, "lv-nvd", "ehic", _ehic("DEMO-EHIC-NAME-1"), NAMESAKE_1)
    _record(issuer, NVD_CLERK, "lv-nvd", "ehic", {**_ehic("DEMO-EHIC-NAME-2"),
                                                  "personal_administrative_number": "DEMO-021190-22222"}, NAMESAKE_2)
    with _office(issuer, NVD_CLERK, "lv-nvd") as office:
        table, _ = _search(office, "berzins janis name")
    rows = table.split("<tr>")[2:]
    assert len(rows) == 2, table
    text = " ".join(_text(r) for r in rows)
    assert _named(NAMESAKE_1) in text and _named(NAMESAKE_2) in text
    # Nothing the words did not match: not the personal numbers, which "name" is in neither of.
    assert "DEMO-021190-22222" not in text and "DEMO-120488-10001" not in text
    assert table.count('class="person"') == 2  # under each document's number


def test_search_results_show_a_field_only_when_the_words_matched_it(issuer: ServerHandle) -> None:
    """A number searched for is shown (the clerk typed it), an employer's name too; nothing else."""
    a1 = {**unnumbered(ANNA.pda1), "personal_administrative_number": "DEMO-140361-33333",
          "employer": {**ANNA.pda1["employer"], "name": "Daugavas Būve SIA (demo)"}}
    _record(issuer, CLERK, "lv-vsaa", "pda1", a1, NAMESAKE_1)
    with _office(issuer, CLERK) as office:
        by_number, _ = _search(office, "140361.33333")
        by_employer, _ = _search(office, "daugavas")
    number_text = _text(by_number)
    assert _named(NAMESAKE_1) in number_text  # an A1's worker
    assert "Personal identification number: DEMO-140361-33333" in number_text
    assert "Daugavas" not in number_text  # the employer was not searched for
    employer_text = _text(by_employer)
    assert "Employer name: Daugavas Būve SIA (demo)" in employer_text
    assert "DEMO-140361-33333" not in employer_text


def test_a_childs_card_in_the_results_names_the_child_and_says_it_is_a_represented_persons_card(
        issuer: ServerHandle) -> None:
    _record(issuer, NVD_CLERK, "lv-nvd", "ehic", _ehic("DEMO-EHIC-CHILD-1", subject=CHILD), PARENT)
    with _office(issuer, NVD_CLERK, "lv-nvd") as office:
        by_child, _ = _search(office, "liga kalnina")
        by_parent, _ = _search(office, "roberts")
    child_text = _text(by_child)
    assert _named(CHILD) in child_text
    assert "a represented person's card (a child's): it names the child, not the insured holder" in child_text
    assert "Roberts" not in child_text and "1984" not in child_text  # the parent: not searched for, not shown
    parent_text = _text(by_parent)
    assert _named(CHILD) in parent_text and "insured holder: Roberts Kalniņš" in parent_text
    assert "1984" not in parent_text  # the parent's birth date is not the card's


def test_a_listing_and_the_api_name_no_one_only_a_search_does(issuer: ServerHandle) -> None:
    """No more personal data than a search needs: the plain list of cases shows no person column, and the
    API's search answers as before (integrators asked for no names)."""
    _record(issuer, NVD_CLERK, "lv-nvd", "ehic", _ehic("DEMO-EHIC-LIST-1"), NAMESAKE_1)
    with _office(issuer, NVD_CLERK, "lv-nvd") as office:
        listing = office.get("/office/cases").text
    assert 'class="person"' not in listing
    # The birth date nowhere, nor its year in what the page says (a case id in a link, random hex, may hold "1961").
    assert "1961-03-14" not in listing and "1961" not in _text(listing)
    with _api(issuer, NVD_CLERK, "lv-nvd") as api:
        found = api.post("/cases/search", json={"q": "berzins"}).json()
    assert found and all("person" not in c for c in found)


# --- 3. the search log: the administrators' page, and its purge -------------------------------------------


def test_an_administrator_reads_the_search_log_who_when_how_many_never_the_words(issuer: ServerHandle) -> None:
    with _office(issuer, CLERK) as clerk:
        _search(clerk, "ozolina-secret-word")
    with _office(issuer, DPO) as dpo:
        cases_page = dpo.get("/office/cases").text
        assert 'id="nav-searches"' in cases_page
        page = dpo.get("/office/searches")
    assert page.status_code == 200, page.text[:300]
    assert "ozolina-secret-word" not in page.text
    log = page.text.split('id="searches"', 1)[1].split("</table>", 1)[0]
    rows = [_text(r).strip() for r in log.split("<tr>")[2:]]
    assert any("clerk:LV:VSAA/anna.berzina" in r and " searched " in f" {r} " for r in rows), rows
    assert any("clerk:LV:VSAA/dpo.kalnina listed" in r for r in rows), rows  # the admin's own listing too
    assert all("LV:NVD" not in r for r in rows)  # only the own institution's
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows[0])
    assert "Entries are kept 730 days, then deleted every day." in page.text


def test_the_search_log_is_paged_fifty_entries_at_a_time(tmp_path: Path) -> None:
    port = free_port()
    settings = IssuerSettings(data_dir=tmp_path, public_url=f"http://127.0.0.1:{port}", clerk_tokens=CLERKS,
                              admins=ADMINS)
    with serve(create_app(settings), port=port) as handle, _office(handle, DPO) as dpo:
        for _ in range(54):  # each listing of the cases is an entry
            assert dpo.get("/office/cases").status_code == 200
        first = dpo.get("/office/searches").text
        second = dpo.get("/office/searches", params={"page": "2"}).text
    count = len(first.split('id="searches"', 1)[1].split("</table>")[0].split("<tr>")) - 2
    assert count == 50 and 'id="next-page"' in first and 'id="prev-page"' not in first
    second_count = len(second.split('id="searches"', 1)[1].split("</table>")[0].split("<tr>")) - 2
    assert second_count == 4 and 'id="prev-page"' in second  # reading the log is no search of the cases


def test_the_search_log_is_refused_to_a_clerk_who_is_not_an_administrator_and_to_another_institution(
        issuer: ServerHandle) -> None:
    for token in (CLERK, SHARED):  # a named clerk; the institution's shared token (whoever holds it)
        with _office(issuer, token) as office:
            assert 'id="nav-searches"' not in office.get("/office/cases").text
            page = office.get("/office/searches")
            assert page.status_code == 403 and "administrators" in page.text
            csrf = _csrf(office.get("/office/cases").text)
            assert office.post("/office/searches", data={"csrf": csrf}).status_code == 403
    with _office(issuer, NVD_DPO, "lv-nvd") as nvd:  # LV:NVD's administrator on LV:VSAA's log
        other = httpx.get(f"{issuer.url}/lv-vsaa/office/searches", cookies=nvd.cookies)
    assert other.status_code == 403 and "another institution" in other.text
    signed_out = httpx.get(f"{issuer.url}/lv-vsaa/office/searches")
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/lv-vsaa/office/login")


def _old_entries(settings: IssuerSettings, entity_id: str, days: int, count: int) -> None:
    engine = make_engine(settings.db_url("issuer.db"))
    try:
        upgrade(engine, MIGRATIONS)
        with engine.begin() as conn:
            conn.execute(insert(CaseSearch), [
                {"entity_id": entity_id, "at": datetime.now(UTC) - timedelta(days=days), "actor": "clerk:old",
                 "action": "searched", "found": n} for n in range(count)])
    finally:
        engine.dispose()


def _entries(settings: IssuerSettings) -> dict[str, int]:
    engine = make_engine(settings.db_url("issuer.db"))
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(CaseSearch.entity_id, CaseSearch.actor)).all()
    finally:
        engine.dispose()
    counts: dict[str, int] = {}
    for row in rows:
        key = f"{row.entity_id} {'old' if row.actor == 'clerk:old' else 'new'}"
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_an_administrator_purges_the_entries_older_than_the_retention_period(tmp_path: Path) -> None:
    port = free_port()
    settings = IssuerSettings(data_dir=tmp_path, public_url=f"http://127.0.0.1:{port}", clerk_tokens=CLERKS,
                              admins=ADMINS, search_log_days=30)
    with serve(create_app(settings), port=port) as handle, _office(handle, DPO) as dpo:
        assert dpo.get("/office/cases").status_code == 200  # a listing of today's
        _old_entries(settings, "LV:VSAA", 31, 3)
        _old_entries(settings, "LV:VSAA", 29, 1)  # within the period: kept
        _old_entries(settings, "LV:NVD", 31, 2)  # another institution's: its own administrator's
        page = dpo.get("/office/searches").text
        assert "Entries are kept 30 days" in page and 'id="purge"' in page
        assert dpo.post("/office/searches", data={"csrf": "0" * 64}).status_code == 403  # CSRF
        purged = dpo.post("/office/searches", data={"csrf": _csrf(page)})
        assert purged.status_code == 200, purged.text[:300]
        assert "Entries older than 30 days deleted: 3." in purged.text
        left = _entries(settings)
    assert left["LV:VSAA old"] == 1 and left["LV:NVD old"] == 2 and left["LV:VSAA new"] >= 1


def test_the_daily_housekeeping_purges_the_search_log_too(tmp_path: Path) -> None:
    """Where the issuer erases ended cases and deletes spent tokens (at start, then daily), it deletes
    the search log's entries older than ESSPASS_ISSUER_SEARCH_LOG_DAYS; 0 keeps them."""
    port = free_port()
    settings = IssuerSettings(data_dir=tmp_path, public_url=f"http://127.0.0.1:{port}", clerk_tokens=CLERKS,
                              admins=ADMINS, search_log_days=30)
    _old_entries(settings, "LV:VSAA", 31, 2)
    _old_entries(settings, "LV:NVD", 5, 1)
    with serve(create_app(settings), port=port) as handle:
        deadline = datetime.now(UTC) + timedelta(seconds=10)
        while _entries(settings).get("LV:VSAA old") and datetime.now(UTC) < deadline:
            httpx.get(f"{handle.url}/healthz")
        assert _entries(settings) == {"LV:NVD old": 1}
    port = free_port()
    keep = IssuerSettings(data_dir=tmp_path, public_url=f"http://127.0.0.1:{port}", clerk_tokens=CLERKS,
                          admins=ADMINS, search_log_days=0)
    _old_entries(keep, "LV:VSAA", 4000, 1)
    with serve(create_app(keep), port=port) as handle, _office(handle, DPO) as dpo:
        page = dpo.get("/office/searches").text
        assert "kept until the operator deletes them" in page and 'id="purge"' not in page
    assert _entries(keep)["LV:VSAA old"] == 1


def test_an_administrator_is_a_named_clerk_and_the_log_is_kept_two_years_by_default(tmp_path: Path) -> None:
    defaults = IssuerSettings(data_dir=tmp_path)
    assert defaults.search_log_days == 730 and defaults.admins == []
    for refused in (["LV:VSAA"], ["LV:VSAA/"], ["/anna"], ["LV:VSAA/Anna Bērziņa"]):
        with pytest.raises(ValidationError) as error:
            IssuerSettings(data_dir=tmp_path, admins=refused)
        assert "ESSPASS_ISSUER_ADMINS" in str(error.value) and "input_value" not in str(error.value)
    assert IssuerSettings(data_dir=tmp_path, admins=[" LV:VSAA/dpo.kalnina "]).admins == ["LV:VSAA/dpo.kalnina"]
    with pytest.raises(ValidationError):
        IssuerSettings(data_dir=tmp_path, search_log_days=-1)


def test_every_word_of_the_new_pages_is_in_all_five_languages() -> None:
    for key in ("guide_title", "guide.ehic.typo.do", "guide.pda1.wrong.do", "end_renewals", "searches_nav",
                "purge", "admins_only", "represented_card", "born", "event.renewals_ended"):
        texts = _T[key]
        assert len(texts) == len(i18n.LANGUAGES) and all(t.strip() for t in texts), key
        assert texts[1] != texts[0], key  # Latvian is not English


# --- in Chromium --------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_in_chromium_the_clerk_reads_the_guidance_beside_the_buttons_and_picks_a_namesake_by_birth_date(
        issuer: ServerHandle, browser: Any) -> None:
    _record(issuer, NVD_CLERK, "lv-nvd", "ehic", _ehic("DEMO-EHIC-TAB-1"), NAMESAKE_1)
    wanted = _record(issuer, NVD_CLERK, "lv-nvd", "ehic", _ehic("DEMO-EHIC-TAB-2"), NAMESAKE_2)
    tab = clerk_tab(browser, issuer.url, "lv-nvd", NVD_CLERK, lang="lv", locale="lv-LV")
    try:
        tab.fill("#q", "berzins tab")
        tab.click("#find")
        tab.wait_for_selector("#show-all")
        rows = tab.locator("#cases tbody tr")
        assert rows.count() == 2
        row = tab.locator("#cases tbody tr", has_text=_named(NAMESAKE_2, "lv"))
        assert row.count() == 1
        assert row.locator(".person").is_visible()
        row.locator("a").click()
        tab.wait_for_selector("#guide")
        assert wanted in tab.url
        guide = tab.locator("#guide")
        assert guide.is_visible()
        text = guide.inner_text()
        assert _word("guide.ehic.typo.when", "lv") in text and _word("guide.ehic.ended.when", "lv") in text
        assert "Aizstāt (labot)" in text and "Atsaukt" in text
        # Beside the buttons: the guidance sits between the Replace button and the Withdraw form.
        replace_box = tab.locator("#replace").bounding_box()
        guide_box = guide.bounding_box()
        revoke_box = tab.locator("#revoke").bounding_box()
        assert replace_box and guide_box and revoke_box
        assert replace_box["y"] < guide_box["y"] < revoke_box["y"]
        tab.set_viewport_size({"width": 320, "height": 800})  # WCAG 1.4.10: no sideways scrolling
        assert tab.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        tab.context.close()
