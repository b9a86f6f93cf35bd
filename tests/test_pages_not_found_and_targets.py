"""QA's page defects: an unknown address opened in a browser gets the service's own page, error pages have
one h1 saying what happened, and the phone pages' navigation is a thumb's size.

* A person's browser (``Accept: text/html``) at an address the wallet, the verifier or the issuer has not
  gets a 404 HTML page in the asked language, with an h1 and a link home; an API client
  (``Accept: application/json``, or no Accept) keeps the JSON 404 body (esspass.web.wants_page).
* The back office's error page and the authorize page's message have exactly one h1 (axe
  ``page-has-heading-one``).
* A form POST that no page sends (more fields or files than Starlette reads, a multipart body that is none,
  a field missing or too long) to any form of the wallet's or the inspector's pages gets that service's
  error page, a 400 in the asked language, never FastAPI's or Starlette's English JSON (esspass.web.form_pages,
  read_form); so does the institution's authorize page, with its own message.
* At 390 x 844 in Chromium, the wallet's language links and tabs and the verifier's language links are
  at least 44 px high (WCAG 2.5.8 asks 24; 44 is a thumb's size), the wallet's footer link sits off the
  screen's edge, and the verifier's second button, stacked under the first, is not indented.

Over real HTTP, all services on loopback ports (test_pages_browser.wallet_site).
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from test_pages_browser import Site, _sign_in, clerk_client, inspector_client, phone_tab, wallet_site

from credentials import i18n
from esspass.web import wants_page

#: What Chromium sends when a person opens an address.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
#: The JSON 404 of an unknown address, as every service answered before (esspass.web.install).
NOT_FOUND_JSON = {"error": "not_found", "error_description": "Not Found"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with wallet_site(tmp_path_factory.mktemp("not-found")) as served:
        yield served


@pytest.fixture(scope="module")
def anyone() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def inspector(site: Site) -> Iterator[httpx.Client]:
    with inspector_client(site) as client:
        yield client


@pytest.fixture(scope="module")
def clerk(site: Site) -> Iterator[httpx.Client]:
    with clerk_client(site) as client:
        yield client


def _request(accept: str | None) -> Request:
    headers = [] if accept is None else [(b"accept", accept.encode())]
    return Request({"type": "http", "method": "GET", "path": "/nope", "headers": headers, "query_string": b""})


@pytest.mark.parametrize(("accept", "page"), [
    (BROWSER_ACCEPT, True),
    ("text/html", True),
    ("TEXT/HTML; charset=utf-8", True),
    ("application/xhtml+xml", True),
    ("application/json, text/html;q=0.9", False),
    ("text/html;q=0.5, application/json", False),
    ("text/html, application/json", False),  # a tie: JSON, the services' contract
    ("text/html;q=0.4, */*;q=0.5", False),
    ("text/html;q=0", False),
    ("application/json", False),
    ("*/*", False),
    ("text/*", False),
    ("", False),
    (None, False),
    ("application/statuslist+cwt;;;q=x, */*;q=abc", False),
    ("text/html;q=abc", False),
    ("text/html;q=nan", False),
])
def test_only_a_request_that_prefers_html_by_name_wants_a_page(accept: str | None, page: bool) -> None:
    assert wants_page(_request(accept)) is page


def _one_h1(text: str) -> str:
    headings = re.findall(r"<h1\b[^>]*>(.*?)</h1>", text, re.S)
    assert len(headings) == 1, headings
    return re.sub(r"<[^>]+>", "", headings[0]).strip()


#: (service, who asks, unknown address, how the language is asked, the page's language, its h1, a link home)
PAGES = [
    ("wallet", "anyone", "/nope", {"Accept-Language": "de-DE,de;q=0.9"}, "de", "Das hat nicht geklappt", 'href="/"'),
    ("wallet", "anyone", "/cards/bogus/nope", {"Accept-Language": "pl"}, "pl", "Nie udało się", 'href="/"'),
    ("verifier", "inspector", "/nope?lang=fr", {}, "fr", "Page introuvable", 'href="/?lang=fr"'),
    ("verifier", "inspector", "/nope", {"Accept-Language": "lv"}, "lv", "Lapa nav atrasta", 'href="/?lang=lv"'),
    ("issuer", "anyone", "/lv-vsaa/office/nope?lang=lv", {}, "lv", "Lapa nav atrasta",
     'href="/lv-vsaa/office/login?lang=lv"'),
    ("issuer", "clerk", "/lv-vsaa/office/nope", {"Accept-Language": "de"}, "de", "Seite nicht gefunden",
     'href="/lv-vsaa/office/login?lang=de"'),
    ("issuer", "anyone", "/nope/office/nope?lang=pl", {}, "pl", "Nie znaleziono strony", 'href="/?lang=pl"'),
]


def _client(who: str, request: pytest.FixtureRequest) -> httpx.Client:
    client: httpx.Client = request.getfixturevalue(who)
    return client


def _base(site: Site, service: str) -> str:
    return {"wallet": site.wallet_page.url, "verifier": site.stack.verifier_url,
            "issuer": site.stack.issuer_url}[service]


@pytest.mark.parametrize(("service", "who", "target", "headers", "lang", "h1", "home"), PAGES,
                         ids=[f"{p[0]}{p[2]}" for p in PAGES])
def test_an_unknown_address_opened_in_a_browser_gets_the_services_page_in_its_language(
        site: Site, request: pytest.FixtureRequest, service: str, who: str, target: str, headers: dict[str, str],
        lang: str, h1: str, home: str) -> None:
    client = _client(who, request)
    client.cookies.delete("lang")  # the language an earlier page chose: here the request asks its own
    page = client.get(_base(site, service) + target, headers={"Accept": BROWSER_ACCEPT, **headers})
    assert page.status_code == 404, page.text[:300]
    assert page.headers["content-type"].startswith("text/html"), page.headers
    assert f'<html lang="{lang}">' in page.text, page.text[:300]
    assert _one_h1(page.text).startswith(h1)
    assert home in page.text, page.text
    assert "Accept" in page.headers.get("vary", "")
    # The page's own language links, each to the same address in its language.
    assert page.text.count('hreflang="') == 5


@pytest.mark.parametrize(("service", "who", "target"), [(p[0], p[1], p[2]) for p in PAGES],
                         ids=[f"{p[0]}{p[2]}" for p in PAGES])
@pytest.mark.parametrize("accept", ["application/json", None, "*/*"])
def test_an_api_client_at_an_unknown_address_keeps_the_json_404(site: Site, request: pytest.FixtureRequest,
                                                                  service: str, who: str, target: str,
                                                                  accept: str | None) -> None:
    client = _client(who, request)
    headers = {"Accept-Language": "de"} | ({"Accept": accept} if accept is not None else {})
    sent = client.build_request("GET", _base(site, service) + target, headers=headers)
    if accept is None:  # httpx sends */* unless told otherwise: no Accept header at all
        del sent.headers["accept"]
    answer = client.send(sent)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == NOT_FOUND_JSON


def test_the_back_office_error_page_has_exactly_one_h1_saying_what_happened(clerk: httpx.Client) -> None:
    missing = clerk.get("/lv-vsaa/office/cases/bogus", params={"lang": "en"})
    assert missing.status_code == 404
    assert _one_h1(missing.text) == "Page not found"
    assert re.search(r"<title>Page not found · ", missing.text), missing.text[:400]
    assert 'id="error"' in missing.text and "This page does not exist." in missing.text
    french = clerk.get("/lv-vsaa/office/cases/bogus", params={"lang": "fr"})
    assert _one_h1(french.text) == "Page introuvable"


def test_the_authorize_pages_message_is_its_one_h1(site: Site) -> None:
    page = httpx.get(f"{site.stack.issuer_url}/lv-vsaa/authorize",
                     params={"client_id": "x", "request_uri": "urn:nothing", "lang": "en"})
    assert page.status_code == 400
    assert _one_h1(page.text) == "This request cannot be completed here. Start again from your wallet."


#: Every form POST of the wallet's pages and of the inspector's, by service: (who posts, path).
FORMS = {
    "wallet": ("anyone", ["/setup", "/unlock", "/start-over", "/lock", "/pending/x/check", "/pending/x/cancel",
                          "/cards/x/renew", "/cards/x/qr", "/cards/x/delete", "/cards/x/status", "/passphrase",
                          "/receive", "/receive/x/authorize", "/receive/callback", "/receive/x", "/present",
                          "/present/x/share", "/present/x/choose", "/present/x/decline"]),
    "verifier": ("inspector", ["/login", "/inspect", "/records/lookup", "/offline", "/offline/prepare"]),
}
#: The wallet's and the inspector's error page for such a form, in German: a phrase of it.
UNREADABLE = "Das Formular konnte nicht gelesen werden"
#: What no page of ours sends: more fields (1001) or files than Starlette reads, a multipart body that is none.
UNREADABLE_BODIES: dict[str, dict[str, Any]] = {
    "fields": {"data": {f"f{i}": "x" for i in range(1001)}},
    "files": {"files": {f"f{i}": ("a.txt", b"x") for i in range(1001)}},
    "broken multipart": {"content": b"no parts here", "headers": {"Content-Type": "multipart/form-data; boundary=zz"}},
}


@pytest.mark.parametrize("service", sorted(FORMS))
@pytest.mark.parametrize("body", sorted(UNREADABLE_BODIES))
def test_a_form_no_page_sends_gets_the_services_error_page_in_its_language(
        site: Site, request: pytest.FixtureRequest, service: str, body: str) -> None:
    """Starlette refuses it before any route runs, with an English JSON error ("Too many fields. Maximum
    number of fields is 1000.") that the person's browser showed as it is; now the service's own page."""
    who, paths = FORMS[service]
    client = _client(who, request)
    client.cookies.delete("lang")
    sent: dict[str, Any] = copy.deepcopy(UNREADABLE_BODIES[body])
    sent["headers"] = {"Accept": BROWSER_ACCEPT, "Accept-Language": "de", **sent.get("headers", {})}
    for path in paths:
        answer = client.post(_base(site, service) + path, **sent)
        assert answer.status_code == 400 and answer.headers["content-type"].startswith("text/html"), \
            (path, answer.status_code, answer.text[:200])
        assert '<html lang="de">' in answer.text and UNREADABLE in html.unescape(answer.text), \
            (path, answer.text[:600])
        _one_h1(answer.text)


@pytest.mark.parametrize(("service", "path", "fields"), [
    ("wallet", "/unlock", {"csrf": "x"}),  # no passphrase
    ("wallet", "/receive", {"link": "", "qr": "not a file", "csrf": "x"}),
    ("verifier", "/inspect", {"flow": "cross_device"}),  # no profile
    ("verifier", "/login", {"token": "t" * 201}),  # over its max_length
])
def test_a_form_that_does_not_fit_its_page_gets_the_services_error_page(
        site: Site, request: pytest.FixtureRequest, service: str, path: str, fields: dict[str, str]) -> None:
    """FastAPI checks a form against the route's fields before the route runs, and answered its JSON 400."""
    client = _client(FORMS[service][0], request)
    client.cookies.delete("lang")
    answer = client.post(_base(site, service) + path, data=fields,
                         headers={"Accept": BROWSER_ACCEPT, "Accept-Language": "de"})
    assert answer.status_code == 400 and answer.headers["content-type"].startswith("text/html"), answer.text[:200]
    assert UNREADABLE in html.unescape(answer.text), answer.text[:600]


@pytest.mark.parametrize("body", sorted(UNREADABLE_BODIES))
def test_a_form_the_authorize_page_never_sends_gets_its_message_in_the_persons_language(
        site: Site, body: str) -> None:
    """The institution's authorize page (the worker's browser, OpenID4VCI) read its form unguarded too:
    Starlette's English JSON; now the page's own message, as for a form repeating a field."""
    sent: dict[str, Any] = copy.deepcopy(UNREADABLE_BODIES[body])
    sent["headers"] = {"Accept": BROWSER_ACCEPT, **sent.get("headers", {})}
    answer = httpx.post(f"{site.stack.issuer_url}/lv-vsaa/authorize?lang=de", **sent)
    assert answer.status_code == 400 and answer.headers["content-type"].startswith("text/html"), answer.text[:200]
    assert _one_h1(answer.text) == i18n.t("authorize.invalid", "de")


#: The height and left edge of each element a selector matches, as painted.
BOXES = """sel => [...document.querySelectorAll(sel)].map(e => { const r = e.getBoundingClientRect();
  return {text: e.textContent.trim(), height: r.height, width: r.width, left: r.left, top: r.top,
          bottom: r.bottom}; })"""


@pytest.mark.browser
def test_phone_navigation_targets_are_at_least_44_px_high_at_390_px(site: Site, browser: Any) -> None:
    with phone_tab(site, browser) as phone:
        phone.goto(site.wallet_page.url + "/")
        langs = phone.evaluate(BOXES, ".bar .langs a")
        tabs = phone.evaluate(BOXES, ".tabs a, .tabs button.link")
        texts = phone.evaluate(BOXES, "#passphrase-link, #lost-link, #nav-privacy")
        screen = phone.evaluate(BOXES, "main.screen")[0]
        footer = phone.evaluate(BOXES, "#nav-privacy")[0]
        width = phone.evaluate("document.documentElement.scrollWidth")
    assert len(langs) == 5 and len(tabs) == 5 and len(texts) == 3
    short = [box for box in langs + tabs + texts if box["height"] < 44]
    assert short == [], short
    assert all(box["width"] >= 24 for box in langs), langs
    assert width <= 390  # still no sideways scrolling
    # The privacy notice has the screen's side padding, not the screen's edge.
    assert footer["left"] - screen["left"] >= 16, (footer, screen)

    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        tab = context.new_page()
        _sign_in(site, tab)
        tab.goto(site.stack.verifier_url + "/?lang=en")
        langs = tab.evaluate(BOXES, "header .langs a")
        header = tab.evaluate(BOXES, "header a, header button")
        links = tab.evaluate(BOXES, "#offline-link, #records-link")
        first, second = tab.evaluate(BOXES, "#start, #start-same-device")
        width = tab.evaluate("document.documentElement.scrollWidth")
    finally:
        context.close()
    assert len(langs) == 5 and len(links) == 2
    short = [box for box in langs + header + links if box["height"] < 44 and box["text"]]
    assert short == [], short
    assert width <= 390
    # Side by side, a gap between the two buttons; stacked, the second starts where the first does.
    if second["top"] >= first["bottom"]:
        assert second["left"] == first["left"], (first, second)
    else:
        assert second["left"] - (first["left"] + first["width"]) >= 8, (first, second)


@pytest.mark.browser
def test_the_verifiers_desktop_header_keeps_its_compact_look(site: Site, browser: Any) -> None:
    """The 44 px targets are the phone's: at 1280 px the header stays one compact row."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        tab = context.new_page()
        _sign_in(site, tab)
        tab.goto(site.stack.verifier_url + "/?lang=en")
        header = tab.evaluate(BOXES, "header")[0]
        langs = tab.evaluate(BOXES, "header .langs a")
    finally:
        context.close()
    assert header["height"] < 70, header
    assert len({round(box["top"]) for box in langs}) == 1, langs
