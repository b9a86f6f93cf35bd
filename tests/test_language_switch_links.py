"""A page's language links keep the page: its path and its own query parameters, only ``lang`` changed;
a page answering a form leads to its own page (a GET), never carrying the fields sent. And the shared
script that keeps what was typed (esspass/static/language-switch.js) is served by every service and
allowed by the policy of every page that loads it, with nothing inline. Over real HTTP, all four
services and the wallet's pages on loopback ports (test_pages_browser.wallet_site).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pytest
from test_pages_browser import Site, _offer, clerk_client, inspector_client, wallet_site
from test_wallet_replaced import _csrf, _open_pages

from credentials.demo_persons import DEMO_PERSONS
from credentials.i18n import LANGUAGES
from esspass.stack import unnumbered
from esspass.web import SHARED_STATIC_PATH

PERSON = DEMO_PERSONS[1]
SCRIPT = f"{SHARED_STATIC_PATH}/language-switch.js"
#: A language link as every service writes it: the address first, then the language it leads to.
LINK = re.compile(r'<a href="([^"]*)" hreflang="([a-z]{2})"')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with wallet_site(tmp_path_factory.mktemp("language-links")) as served:
        yield served


@pytest.fixture(scope="module")
def clerk(site: Site) -> Iterator[httpx.Client]:
    with clerk_client(site) as client:
        yield client


@pytest.fixture(scope="module")
def inspector(site: Site) -> Iterator[httpx.Client]:
    with inspector_client(site) as client:
        yield client


@pytest.fixture(scope="module")
def wallet(site: Site) -> Iterator[tuple[httpx.Client, str]]:
    """A browser on the wallet's pages with a new wallet, and the session's form token."""
    with _open_pages(site.wallet_page) as opened:
        yield opened


@pytest.fixture(scope="module")
def anyone(site: Site) -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


def _links(page: httpx.Response) -> dict[str, str]:
    """Each language link of the page, resolved against its address: {"de": "http://.../x?lang=de"}."""
    links = {lang: urljoin(str(page.url), html.unescape(href)) for href, lang in LINK.findall(page.text)}
    assert sorted(links) == sorted(LANGUAGES), page.text[:500]
    return links


def _assert_same_page_each_language(links: dict[str, str], path: str, query: list[tuple[str, str]]) -> None:
    for lang, link in links.items():
        parts = urlsplit(link)
        params = parse_qsl(parts.query, keep_blank_values=True)
        assert parts.path == path, link
        assert [p for p in params if p[0] != "lang"] == [p for p in query if p[0] != "lang"], link
        assert dict(params)["lang"] == lang, link


def _uses_the_script(page: httpx.Response) -> bool:
    return f'<script src="{SCRIPT}" defer></script>' in page.text


def _inline_scripts(text: str) -> list[str]:
    return re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", text)


#: (who asks, the page with a query of its own): every kind of page that has language links.
PAGES = [
    ("anyone", "registry", "/?from=pilot-notes"),
    ("anyone", "issuer", "/?from=pilot-notes"),
    ("anyone", "issuer", "/lv-vsaa/office/login?next=%2Flv-vsaa%2Foffice%2Fimport&lang=en"),
    ("clerk", "issuer", "/lv-vsaa/office/cases?approval=awaiting&page=1&lang=en"),
    ("clerk", "issuer", "/lv-vsaa/office/new/pda1?lang=en"),
    ("clerk", "issuer", "/lv-vsaa/office/import?lang=en"),
    ("anyone", "verifier", "/login?next=%2Frecords&lang=en"),
    ("inspector", "verifier", "/?profile=ehic&lang=en"),
    ("inspector", "verifier", f"/records?date={date.today().isoformat()}&lang=en"),
    ("inspector", "verifier", "/offline?with_challenge=1&profile=ehic&lang=en"),
]


def _get(site: Site, who: str, service: str, target: str, request: pytest.FixtureRequest) -> httpx.Response:
    base = {"registry": site.stack.registry_url, "issuer": site.stack.issuer_url,
            "verifier": site.stack.verifier_url}[service]
    client: httpx.Client = request.getfixturevalue(who)
    page = client.get(base + target, headers={"Accept": "text/html"})
    assert page.status_code == 200, (target, page.text[:300])
    return page


@pytest.mark.parametrize(("who", "service", "target"), PAGES, ids=[f"{s}{t}" for _, s, t in PAGES])
def test_language_links_keep_the_pages_path_and_query(site: Site, who: str, service: str, target: str,
                                                      request: pytest.FixtureRequest) -> None:
    page = _get(site, who, service, target, request)
    parts = urlsplit(target)
    _assert_same_page_each_language(_links(page), parts.path, parse_qsl(parts.query, keep_blank_values=True))


@pytest.mark.parametrize(("who", "service", "target"), PAGES, ids=[f"{s}{t}" for _, s, t in PAGES])
def test_a_page_loading_the_shared_script_allows_it_and_runs_nothing_inline(
        site: Site, who: str, service: str, target: str, request: pytest.FixtureRequest) -> None:
    """Pages with a form load the script (a file of this site, as the policy allows: script-src 'self');
    the issuer's list of institutions and the registry's lists have no form, load none, allow none."""
    page = _get(site, who, service, target, request)
    policy = page.headers["content-security-policy"]
    assert _inline_scripts(page.text) == [] and "unsafe" not in policy
    has_form = "<form" in page.text
    assert _uses_the_script(page) == has_form, target
    assert ("script-src 'self'" in policy) == has_form or service == "verifier", policy


def test_every_service_serves_the_shared_script_without_sign_in(site: Site, anyone: httpx.Client) -> None:
    for base in (site.stack.registry_url, site.stack.issuer_url, site.stack.verifier_url, site.wallet_page.url):
        served = anyone.get(base + SCRIPT, follow_redirects=False)
        assert served.status_code == 200, (base, served.status_code)
        assert "javascript" in served.headers["content-type"] and "sessionStorage" in served.text


def test_office_form_sent_back_links_to_the_form_never_with_the_fields_sent(clerk: httpx.Client) -> None:
    form = clerk.get("/lv-vsaa/office/new/pda1?lang=en")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    typed = "DEMO-120380-33333"
    answered = clerk.post("/lv-vsaa/office/new/pda1?lang=en",
                          data={"csrf": csrf.group(1), "personal_administrative_number": typed})
    assert answered.status_code in (200, 400, 422) and _uses_the_script(answered), answered.status_code
    links = _links(answered)
    _assert_same_page_each_language(links, "/lv-vsaa/office/new/pda1", [])
    assert not any(typed in link for link in links.values())
    assert clerk.get(links["de"]).status_code == 200  # the form again, as a GET


def _next_of(links: dict[str, str]) -> dict[str, str]:
    """The wallet's language links (``/lang/{code}?next=``): where each returns to."""
    out = {}
    for lang, link in links.items():
        parts = urlsplit(link)
        assert parts.path == f"/lang/{lang}", link
        out[lang] = dict(parse_qsl(parts.query))["next"]
    return out


def test_wallet_offer_page_links_return_to_the_offer_with_its_code_field(
        site: Site, wallet: tuple[httpx.Client, str]) -> None:
    """The offer (the answer to the link's form, and again after a wrong code) is reopened by its own
    address, in the language chosen, with its code field: not the home page."""
    browser, csrf = wallet
    offer = _offer(site, PERSON.ehic_issuer, "ehic", unnumbered(PERSON.ehic))
    opened = browser.post("/receive", data={"link": offer["link"], "csrf": csrf})
    action = re.search(r'action="(/receive/[A-Za-z0-9_-]+)"', opened.text)
    assert opened.status_code == 200 and action is not None, opened.text[:300]
    assert set(_next_of(_links(opened)).values()) == {action.group(1)}
    wrong = browser.post(action.group(1), data={"tx_code": "0000000", "csrf": csrf})
    assert wrong.status_code == 400 and set(_next_of(_links(wrong)).values()) == {action.group(1)}
    german = browser.get(_links(wrong)["de"])
    assert german.status_code == 200 and 'lang="de"' in german.text and 'name="tx_code"' in german.text
    assert _uses_the_script(german)
    browser.get(_links(german)["en"])


def test_wallet_consent_page_links_return_to_the_request(site: Site, wallet: tuple[httpx.Client, str]) -> None:
    browser, csrf = wallet
    request = site.inspector.request("pda1")
    consent = browser.post("/present", data={"link": request["link"], "csrf": csrf})
    assert consent.status_code == 200 and 'id="consent"' in consent.text, consent.text[:300]
    back = set(_next_of(_links(consent)).values())
    assert len(back) == 1 and next(iter(back)).startswith("/present/")
    polish = browser.get(_links(consent)["pl"])
    assert polish.status_code == 200 and 'id="consent"' in polish.text and 'lang="pl"' in polish.text
    assert _csrf(polish) == csrf
    browser.get(_links(polish)["en"])
