"""The back office search keeps personal numbers and names out of every URL (privacy review, finding 3).

A clerk finds a case by the person's personal number, name or the document's number. A URL is kept
in the browser's history (shared office computers), in every reverse proxy's and load balancer's
access log, in bookmarks: so the search is posted with the session's CSRF token and its results are
the POST's answer; paging through them is posted too, and no link of the results page (pagination,
languages, "show all") carries the query. A GET with ``?q=`` no longer searches. As the verifier's
"Was this document checked?" (``POST /records/lookup``). Against the real issuer over loopback HTTP,
and in headless Chromium.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urljoin, urlsplit

import httpx
import pytest

from credentials.demo_persons import DEMO_PERSONS
from esspass.testing import ServerHandle, clerk_tab, free_port, serve
from issuer.app import create_app
from issuer.office import COOKIE, PAGE_SIZE
from issuer.settings import IssuerSettings

PERSON = DEMO_PERSONS[0]
#: The person looked up: what a worker or employer on the phone gives the clerk.
PAN = "DEMO-300190-99999"
FAMILY, GIVEN = "Kalniņa", "Ilze"
NUMBER = "DEMO-A1-LV-8801"
#: Cases enough for two pages of results, all of one employer (the word found on every one).
CROWD = PAGE_SIZE + 5
CROWD_EMPLOYER = "Crowdbuild SIA (demo)"
QUERIES = (PAN, f"{FAMILY} {GIVEN}", NUMBER)

Office = tuple[ServerHandle, str]


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    """The issuer with LV:VSAA's cases: :data:`CROWD` of one employer, and the person looked up."""
    data_dir = tmp_path_factory.mktemp("office-search")
    port = free_port()
    with serve(create_app(IssuerSettings(data_dir=data_dir, public_url=f"http://127.0.0.1:{port}")),
               port=port) as handle:
        token: str = json.loads((data_dir / "issuer" / "clerk-tokens.json").read_text())["LV:VSAA"]
        with httpx.Client(base_url=f"{handle.url}/lv-vsaa/api", headers={"Authorization": f"Bearer {token}"},
                          timeout=30) as api:
            def made(number: str, pan: str, employer: str, family: str, given: str) -> None:
                claims = {**PERSON.pda1, "document_number": number, "personal_administrative_number": pan,
                          "employer": {**PERSON.pda1["employer"], "name": employer}}
                holder = {"family_name": family, "given_name": given, "birthdate": "1990-01-30"}
                created = api.post("/cases", json={"configuration_id": "pda1", "claims": claims, "holder": holder})
                assert created.status_code == 201, created.text

            made(NUMBER, PAN, PERSON.pda1["employer"]["name"], FAMILY, GIVEN)
            for i in range(CROWD):
                made(f"DEMO-A1-LV-81{i:02d}", f"DEMO-300190-4{i:04d}", CROWD_EMPLOYER, "Ozols", "Pēteris")
        yield handle, token


@pytest.fixture
def clerk(office: Office) -> Iterator[httpx.Client]:
    """A browser-like client signed in to LV:VSAA's back office through the sign-in form (no redirects
    followed: each answer's Location is looked at)."""
    handle, token = office
    signed = httpx.post(f"{handle.url}/lv-vsaa/office/login", data={"token": token})
    assert signed.status_code == 303, signed.text
    with httpx.Client(base_url=handle.url, cookies={COOKIE: signed.cookies[COOKIE]}, timeout=30,
                      headers={"Accept-Language": "en"}) as client:
        yield client


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


def _search_form(page: str) -> str:
    found = re.search(r'<form[^>]*role="search"[^>]*>.*?</form>', page, re.S)
    assert found is not None, "no search form"
    return found.group(0)


def _urls(response: httpx.Response, *, own: bool = True) -> list[str]:
    """Every address the answer gives: its own (unless not ``own``: the one asked for), its Location,
    and each link, form action and source of its page, resolved as the browser resolves them."""
    base = str(response.url)
    found = [base] if own else []
    if "location" in response.headers:
        found.append(urljoin(base, response.headers["location"]))
    found += [urljoin(base, html.unescape(u)) for u in
              re.findall(r'\b(?:href|action|src|formaction)="([^"]*)"', response.text)]
    return found


def _assert_no_query_in_urls(response: httpx.Response, query: str, *, own: bool = True) -> None:
    words = [w.casefold() for w in query.split()]
    for url in _urls(response, own=own):
        said = unquote_plus(url).casefold()
        assert not any(w in said for w in words), f"{query!r} in the URL {url}"
        assert "q" not in parse_qs(urlsplit(url).query, keep_blank_values=True), f"a q= in the URL {url}"


def _labels(page: str) -> list[str]:
    body = re.search(r'<table id="cases">.*?</table>', page, re.S)
    assert body is not None, "no table of cases"
    return re.findall(r'<a href="/lv-vsaa/office/cases/[^"?]+\?lang=\w+">([^<]+)</a>', body.group(0))


def _page_form(page: str, rel: str) -> str | None:
    """The pagination form whose button is ``#prev-page`` or ``#next-page``, or None."""
    for form in re.findall(r"<form\b.*?</form>", page, re.S):
        if f'id="{rel}-page"' in form:
            return str(form)
    return None


def _fields(form: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}


def _find(clerk: httpx.Client, query: str, **more: str) -> httpx.Response:
    csrf = _csrf(clerk.get("/lv-vsaa/office/cases?lang=en").text)
    return clerk.post("/lv-vsaa/office/cases?lang=en", data={"csrf": csrf, "q": query, **more})


def test_office_search_form_is_a_post_carrying_the_sessions_csrf_token(clerk: httpx.Client) -> None:
    page = clerk.get("/lv-vsaa/office/cases?lang=en")
    assert page.status_code == 200
    form = _search_form(page.text)
    opening = form.split(">", 1)[0]
    assert 'method="post"' in opening and 'action="/lv-vsaa/office/cases?lang=en"' in opening, opening
    assert f'name="csrf" value="{_csrf(page.text)}"' in form
    assert 'name="q"' in form and 'autocomplete="off"' in form  # nor kept in the browser's form history


@pytest.mark.parametrize("query", QUERIES, ids=["personal-number", "name", "document-number"])
def test_office_search_posted_finds_the_case_by_personal_number_name_and_document_number(
        clerk: httpx.Client, query: str) -> None:
    found = _find(clerk, query)
    assert found.status_code == 200, found.text
    assert _labels(found.text) == [NUMBER]
    assert found.headers["cache-control"] == "no-store"
    assert "location" not in found.headers  # the answer itself, no redirect carrying the query
    assert f'value="{html.escape(query)}"' in _search_form(found.text)  # the box keeps what was typed
    _assert_no_query_in_urls(found, query)


def test_office_search_results_page_has_no_url_with_the_query_not_even_the_language_links(
        clerk: httpx.Client) -> None:
    found = _find(clerk, PAN)
    links = re.findall(r'<a href="([^"]*)"[^>]*id="lang-(\w+)"', found.text)
    assert {lang for _, lang in links} == {"en", "lv", "de", "fr", "pl"}
    for href, lang in links:  # each to the plain list in that language
        assert urlsplit(urljoin(str(found.url), html.unescape(href))).query == f"lang={lang}", href
    assert 'id="show-all"' in found.text
    _assert_no_query_in_urls(found, PAN)
    nothing = _find(clerk, "Nosuchperson 010203-12345")
    assert "No case matches" in nothing.text and _labels(nothing.text) == []
    _assert_no_query_in_urls(nothing, "Nosuchperson 010203-12345")


@pytest.mark.parametrize("csrf", [None, "", "0" * 64])
def test_office_search_without_the_sessions_csrf_token_is_refused(clerk: httpx.Client, csrf: str | None) -> None:
    data = {"q": PAN} | ({"csrf": csrf} if csrf is not None else {})
    refused = clerk.post("/lv-vsaa/office/cases?lang=en", data=data)
    assert refused.status_code == 403, refused.text
    assert "The form expired" in refused.text and NUMBER not in refused.text
    assert refused.headers["cache-control"] == "no-store"


def test_office_search_without_a_session_goes_to_sign_in_without_the_query(office: Office) -> None:
    handle, _token = office
    answer = httpx.post(f"{handle.url}/lv-vsaa/office/cases?lang=en", data={"q": PAN, "csrf": "0" * 64})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/lv-vsaa/office/login")
    _assert_no_query_in_urls(answer, PAN)


def test_office_search_pages_through_the_results_by_post(clerk: httpx.Client) -> None:
    first = _find(clerk, "crowdbuild")
    assert first.status_code == 200 and len(_labels(first.text)) == PAGE_SIZE
    assert _page_form(first.text, "prev") is None
    following = _page_form(first.text, "next")
    assert following is not None and 'method="post"' in following and 'action="/lv-vsaa/office/cases?lang=en"' in \
        following
    fields = _fields(following)
    assert fields["q"] == "crowdbuild" and fields["page"] == "2" and fields["csrf"] == _csrf(first.text)
    _assert_no_query_in_urls(first, "crowdbuild")

    second = clerk.post("/lv-vsaa/office/cases?lang=en", data=fields)
    assert second.status_code == 200 and second.headers["cache-control"] == "no-store"
    assert len(_labels(second.text)) == CROWD - PAGE_SIZE
    assert not set(_labels(second.text)) & set(_labels(first.text))
    assert set(_labels(first.text)) | set(_labels(second.text)) == {f"DEMO-A1-LV-81{i:02d}" for i in range(CROWD)}
    assert _page_form(second.text, "next") is None
    previous = _page_form(second.text, "prev")
    assert previous is not None and _fields(previous)["page"] == "1" and _fields(previous)["q"] == "crowdbuild"
    _assert_no_query_in_urls(second, "crowdbuild")
    back = clerk.post("/lv-vsaa/office/cases?lang=en", data=_fields(previous))
    assert _labels(back.text) == _labels(first.text)
    # A page's form without the token is refused like the search itself.
    assert clerk.post("/lv-vsaa/office/cases?lang=en", data={**fields, "csrf": ""}).status_code == 403


def test_office_cases_list_without_a_query_pages_by_plain_links_as_before(clerk: httpx.Client) -> None:
    first = clerk.get("/lv-vsaa/office/cases?lang=en")
    assert first.status_code == 200 and len(_labels(first.text)) == PAGE_SIZE
    assert 'href="?page=2&amp;lang=en" rel="next"' in first.text
    second = clerk.get("/lv-vsaa/office/cases?page=2&lang=en")
    assert len(_labels(second.text)) == CROWD + 1 - PAGE_SIZE
    assert 'href="?page=1&amp;lang=en" rel="prev"' in second.text
    for response in (first, second):
        assert all("q" not in parse_qs(urlsplit(u).query, keep_blank_values=True) for u in _urls(response))
    assert clerk.get("/lv-vsaa/office?lang=en").status_code == 200


@pytest.mark.parametrize("where", ["/lv-vsaa/office/cases", "/lv-vsaa/office"])
def test_office_a_get_with_q_no_longer_searches(clerk: httpx.Client, where: str) -> None:
    """An old bookmark or a hand-typed ``?q=``: sent to the plain list, the query in no Location."""
    asked = clerk.get(where, params={"q": PAN, "page": "2", "lang": "lv"})
    assert asked.status_code == 303
    assert asked.headers["location"] == "/lv-vsaa/office/cases?lang=lv"
    _assert_no_query_in_urls(asked, PAN, own=False)  # the address asked for has it: nothing after it
    listed = clerk.get(asked.headers["location"])
    assert listed.status_code == 200 and len(_labels(listed.text)) == PAGE_SIZE  # every case, page 1
    assert f'value="{PAN}"' not in listed.text
    awaiting = clerk.get(where, params={"q": PAN, "approval": "awaiting", "lang": "en"})
    assert awaiting.headers["location"] == "/lv-vsaa/office/cases?approval=awaiting&lang=en"
    # An empty q (the list's old page links) is no search: the list as asked.
    assert clerk.get(where, params={"q": "", "page": "2", "lang": "en"}).status_code == 200


@pytest.mark.browser
def test_office_search_in_chromium_types_finds_and_pages_with_no_query_in_the_address(
        office: Office, browser: Any) -> None:
    handle, token = office
    tab = clerk_tab(browser, handle.url, "lv-vsaa", token)
    try:
        plain = tab.url
        tab.fill("#q", PAN)
        tab.click("#find")
        tab.wait_for_selector("#show-all")
        rows = tab.locator("#cases tbody tr")
        assert rows.count() == 1 and NUMBER in rows.inner_text()
        assert tab.input_value("#q") == PAN
        assert PAN not in tab.url and "q=" not in tab.url

        tab.fill("#q", "crowdbuild")
        tab.click("#find")
        tab.wait_for_selector("#next-page")
        assert tab.locator("#cases tbody tr").count() == PAGE_SIZE
        assert tab.locator("#prev-page").count() == 0
        assert tab.inner_text("#next-page") == "Next"
        tab.click("#next-page")
        tab.wait_for_selector("#prev-page")
        assert tab.locator("#cases tbody tr").count() == CROWD - PAGE_SIZE
        assert tab.locator("#next-page").count() == 0
        assert "crowdbuild" not in tab.url and "q=" not in tab.url
        assert tab.input_value("#q") == "crowdbuild"
        tab.click("#prev-page")
        tab.wait_for_selector("#next-page")
        assert tab.locator("#cases tbody tr").count() == PAGE_SIZE

        tab.click("#lang-lv")  # the language link: the plain list, in Latvian, no query in the address
        tab.wait_for_selector("html[lang=lv]")
        assert "crowdbuild" not in tab.url and "q=" not in tab.url
        assert tab.input_value("#q") == "" and tab.locator("#cases tbody tr").count() == PAGE_SIZE
        assert urlsplit(tab.url).path == "/lv-vsaa/office/cases" and urlsplit(plain).path == "/lv-vsaa/office"
    finally:
        tab.context.close()


def test_office_a_page_number_in_other_digits_is_the_first_page_not_a_server_error(clerk: httpx.Client) -> None:
    """``"²".isdigit()`` is true but ``int("²")`` fails: a page asked as ² (or ٣) is the first page."""
    for raw in ("²", "٣", "-1", "x", "9" * 12):
        listed = clerk.get("/lv-vsaa/office/cases", params={"page": raw, "lang": "en"})
        assert listed.status_code == 200 and len(_labels(listed.text)) == PAGE_SIZE, raw
        found = _find(clerk, "crowdbuild", page=raw)
        assert found.status_code == 200 and len(_labels(found.text)) == PAGE_SIZE, raw


def test_office_search_odd_forms_are_answered_never_with_a_server_error(clerk: httpx.Client) -> None:
    csrf = _csrf(clerk.get("/lv-vsaa/office/cases?lang=en").text)
    where = "/lv-vsaa/office/cases?lang=en"
    assert _labels(clerk.post(where, data={"csrf": csrf, "q": f"{PAN}\x00"}).text) == [NUMBER]  # a NUL pasted in
    long = clerk.post(where, data={"csrf": csrf, "q": "x" * 5000})
    assert long.status_code == 200 and "x" * 300 in long.text and "x" * 301 not in long.text
    as_file = clerk.post(where, data={"csrf": csrf}, files={"q": ("q.txt", PAN.encode())})
    assert as_file.status_code == 400, as_file.text
    crowded = clerk.post(where, data={"csrf": csrf, **{f"f{i}": "x" for i in range(20)}})
    assert crowded.status_code == 400, crowded.text
