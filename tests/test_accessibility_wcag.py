"""Accessibility (WCAG 2.2 AA, as EN 301 549 clause 9 requires it of public-sector pages under
Directive (EU) 2016/2102) of the worker's wallet, the inspector's pages and the clerks' back office:
one test per success criterion that an accessibility review found failed, each named after it.

The services run for real on loopback ports (esspass.stack.start_in_process and the wallet page
server, as in test_pages_browser) and Debian's Chromium renders the pages; every check is computed from
what the browser lays out and paints (no axe-core: it is not on disk).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_pages_browser import Site, _inspector_page, _offer, _paste_offer, phone_tab, wallet_site

pytestmark = pytest.mark.browser
LANGUAGES = ("en", "lv", "de", "fr", "pl")

#: WCAG 1.4.11: contrast of a text field's boundary against what surrounds it (the border as painted
#: over the parent's background), the field's only visual sign that it is there.
BOUNDARY = """el => {
  const parse = c => { const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  let bg = [255, 255, 255, 1]; const layers = [];
  for (let n = el.parentElement; n; n = n.parentElement) {
    const c = parse(getComputedStyle(n).backgroundColor); if (c[3] > 0) { layers.push(c); } }
  for (const c of layers.reverse()) { bg = over(c, bg); }
  const s = getComputedStyle(el);
  const lum = c => c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05); };
  const border = parseFloat(s.borderTopWidth) > 0 ? ratio(over(parse(s.borderTopColor), bg), bg) : 1;
  return Math.max(border, ratio(over(parse(s.backgroundColor), bg), bg)); }"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with wallet_site(tmp_path_factory.mktemp("a11y")) as served:
        yield served


@pytest.fixture(scope="module")
def phone(site: Site, browser: Any) -> Iterator[Any]:
    """The worker's wallet, set up and holding a PDA1, on a phone-sized screen."""
    from credentials.demo_persons import DEMO_PERSONS
    from esspass.stack import unnumbered

    with phone_tab(site, browser) as tab:
        _paste_offer(site, tab, _offer(site, "LV:VSAA", "pda1", unnumbered(DEMO_PERSONS[0].pda1)))
        yield tab


def _clerk_tab(site: Site, browser: Any) -> Any:
    tab = browser.new_context().new_page()
    tab.goto(f"{site.stack.issuer_url}/lv-vsaa/office/login?lang=en")
    tab.fill("#token", site.clerk.tokens["LV:VSAA"])
    tab.click("#signin")
    tab.wait_for_selector("#nav-cases")
    return tab


def _tab_stops_before_main(tab: Any, limit: int = 40) -> list[str]:
    """What a keyboard user passes, pressing Tab from the top, before reaching the page's content
    (a skip link that is followed counts as reaching it)."""
    tab.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    passed: list[str] = []
    for _ in range(limit):
        tab.keyboard.press("Tab")
        where = tab.evaluate("""() => { const e = document.activeElement; const main = document.querySelector('main');
          const skip = e.tagName === 'A' && /^#/.test(e.getAttribute('href') || '')
            && main && main.id && e.getAttribute('href') === '#' + main.id;
          return {inMain: !!(main && main.contains(e)), skip, name: (e.innerText || e.id || e.tagName).trim()}; }""")
        if where["inMain"] or where["skip"]:
            return passed
        passed.append(where["name"])
    return passed


def test_1_4_10_reflow_wallet_navigation_at_320_px_in_every_language(site: Site, phone: Any) -> None:
    """WCAG 1.4.10 Reflow: at 320 CSS px the wallet's pages do not scroll sideways in any of the five
    languages. In LV, DE, FR and PL the section tabs (My documents, Add, Show, History, Lock) do not wrap
    and push "History" and "Lock" off the screen (DE and FR even at a 390 px phone): the worker cannot
    see the Lock button without scrolling sideways (wallet/static/wallet.css .tabs)."""
    overflowing = {}
    phone.set_viewport_size({"width": 320, "height": 640})
    try:
        for lang in LANGUAGES:
            phone.goto(f"{site.wallet_page.url}/lang/{lang}")
            for path in ("/", "/receive", "/log"):
                phone.goto(site.wallet_page.url + path)
                width = phone.evaluate("document.documentElement.scrollWidth")
                if width > 320:
                    overflowing[f"{lang}{path}"] = width
    finally:
        phone.goto(f"{site.wallet_page.url}/lang/en")
        phone.set_viewport_size({"width": 390, "height": 844})
    assert not overflowing, f"pages wider than 320 px (scrollWidth): {overflowing}"


def test_1_4_11_wallet_text_fields_have_a_visible_boundary(site: Site, phone: Any) -> None:
    """WCAG 1.4.11 Non-text Contrast: a text field's boundary, its only visual sign on the white card,
    has at least 3:1 against the card. The wallet's fields (the offer link, the one-time code, the
    passphrases, the inspector's code) are drawn with a #ccd border on white: 1.6:1, next to invisible
    in sunlight on a building site (wallet/static/wallet.css, input and textarea)."""
    faint = {}
    for path, selector in (("/receive", "#link"), ("/present", "#link"), ("/passphrase", "#current")):
        phone.goto(site.wallet_page.url + path)
        ratio = phone.locator(selector).evaluate(BOUNDARY)
        if ratio < 3:
            faint[f"{path} {selector}"] = round(ratio, 2)
    assert not faint, f"text field boundaries under 3:1: {faint}"


def test_1_4_11_office_search_field_has_a_visible_boundary(site: Site, browser: Any) -> None:
    """WCAG 1.4.11: the back office's case search field (white on the page's #f4f5f8) is drawn with a
    border of 2.97:1, just under the 3:1 its boundary needs (issuer/static/office.css)."""
    tab = _clerk_tab(site, browser)
    try:
        tab.goto(f"{site.stack.issuer_url}/lv-vsaa/office?lang=en")
        assert tab.locator("#q").evaluate(BOUNDARY) >= 3
    finally:
        tab.context.close()


def test_2_4_1_wallet_and_inspector_pages_let_the_keyboard_skip_the_header(site: Site, phone: Any,
                                                                            browser: Any) -> None:
    """WCAG 2.4.1 Bypass Blocks (and 2.1.1 for keyboard users without a screen reader's landmark
    keys): the back office has a "Skip to main content" link, the wallet and the inspector's pages do
    not. On every wallet page a keyboard user passes 11 stops (brand, five languages, four tabs,
    Lock) before the content; on the inspector's pages 7 (wallet/templates/base.html,
    verifier/templates/base.html)."""
    inspector = _inspector_page(site, browser)
    try:
        stops = {}
        phone.goto(site.wallet_page.url + "/receive")
        stops["wallet /receive"] = _tab_stops_before_main(phone)
        inspector.goto(site.stack.verifier_url + "/records?lang=en")
        stops["inspector /records"] = _tab_stops_before_main(inspector)
        assert all(not passed for passed in stops.values()), stops
    finally:
        inspector.context.close()


def test_2_4_1_registry_issuer_home_and_authorize_pages_let_the_keyboard_skip_the_header(site: Site,
                                                                                        browser: Any) -> None:
    """WCAG 2.4.1 Bypass Blocks: the trust registry, the issuer's front door and the institution's
    authorize page (where the worker types the one-time code) open, like the back office, with a
    "Skip to main content" link, in the page's language: the first Tab stop skips the brand and the
    five languages."""
    tab = browser.new_context().new_page()
    try:
        stops = {}
        for name, url in (("registry", f"{site.stack.registry_url}/?lang=de"),
                          ("issuer home", f"{site.stack.issuer_url}/?lang=de"),
                          ("authorize", f"{site.stack.issuer_url}/lv-vsaa/authorize?lang=de")):
            tab.goto(url)
            stops[name] = _tab_stops_before_main(tab)
            assert tab.inner_text("a.skip") == "Zum Hauptinhalt springen", name
        assert all(not passed for passed in stops.values()), stops
    finally:
        tab.context.close()


def test_1_3_1_wallet_error_heading_comes_after_the_page_heading(site: Site, phone: Any) -> None:
    """WCAG 1.3.1 Info and Relationships (2.4.6): on a wallet page that reports an error (here a wrong
    one-time code) the outline starts with the error box's h2 "That did not work", above the page's own
    h1, so a screen reader's heading list reads a sub-heading of nothing first
    (wallet/templates/base.html, block error)."""
    from credentials.demo_persons import DEMO_PERSONS
    from esspass.stack import unnumbered

    offer = _offer(site, "LV:VSAA", "pda1", unnumbered(DEMO_PERSONS[0].pda1))
    phone.goto(site.wallet_page.url + "/receive")
    phone.fill("#link", offer["link"])
    phone.click("#continue")
    phone.fill("#tx_code", "000000" if offer["tx_code"] != "000000" else "111111")
    phone.click("#accept")
    phone.wait_for_selector("#error")
    levels = phone.evaluate("() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
    assert levels and levels[0] == 1, levels


def test_2_4_6_case_page_reason_fields_have_distinct_names(site: Site, browser: Any) -> None:
    """WCAG 2.4.6 Headings and Labels (1.3.1): on an active case the Suspend and the Withdraw forms each
    have a field whose accessible name is just "Reason"; a screen reader's list of fields says
    "Reason, Reason" and the clerk cannot tell which one withdraws the document for good
    (issuer/templates/office, the case page's state forms)."""
    from credentials.demo_persons import DEMO_PERSONS
    from esspass.stack import unnumbered

    case_id = site.clerk.create_case("LV:VSAA", "pda1", unnumbered(DEMO_PERSONS[0].pda1), DEMO_PERSONS[0].holder)
    tab = _clerk_tab(site, browser)
    try:
        tab.goto(f"{site.stack.issuer_url}/lv-vsaa/office/cases/{case_id}?lang=en")
        tab.wait_for_selector("#reason-revoke")
        names = [tab.locator(sel).evaluate("""f => (f.getAttribute('aria-label') || [...f.labels].map(l => l.innerText)
                 .join(' ')).trim()""") for sel in ("#reason-suspend", "#reason-revoke")]
        assert len(set(names)) == 2, names
    finally:
        tab.context.close()



def test_2_4_3_more_rows_brings_the_clerk_to_the_row_added(site: Site, browser: Any) -> None:
    """WCAG 2.4.3 Focus Order: "More rows for employers and places of work" sends the form back (nothing
    recorded) with focus at the employer row it added, where the clerk goes on typing, rather than at the
    top of the page with the whole form to Tab through again."""
    tab = _clerk_tab(site, browser)
    try:
        tab.goto(f"{site.stack.issuer_url}/lv-vsaa/office/new/pda1?lang=en")
        tab.click("#more")
        tab.wait_for_selector("#employer-1")
        focused = tab.evaluate("() => document.activeElement.id")
        tab.keyboard.press("Tab")
        typing_in = tab.evaluate("() => document.activeElement.closest('fieldset.form-row')?.id")
        assert (focused, typing_in) == ("employer-1", "employer-1")
    finally:
        tab.context.close()


def test_2_1_1_records_table_scroller_is_a_named_keyboard_stop(site: Site, phone: Any, browser: Any) -> None:
    """WCAG 2.1.1 Keyboard and 4.1.2 Name, Role, Value: the day's records table scrolls sideways on a phone;
    its scroller is a region named after the table and a Tab stop, so that the arrow keys scroll it in every
    browser (Safari does not make a scroller focusable by itself), and a screen reader says what it holds."""
    inspector = _inspector_page(site, browser)
    try:
        # A check of the day: the worker declines, which leaves a record all the same.
        inspector.goto(site.stack.verifier_url + "/?lang=en")
        inspector.click("#start")
        phone.goto(site.wallet_page.url + "/present")
        phone.fill("#link", inspector.input_value("#link"))
        phone.click("#continue")
        phone.wait_for_selector("#consent")
        phone.click("#decline")
        inspector.wait_for_selector("#verdict", timeout=15000)
        inspector.goto(site.stack.verifier_url + "/records?lang=en")
        wrap = inspector.locator(".records .table-wrap").first
        assert wrap.evaluate("e => [e.tabIndex, e.getAttribute('role'), e.getAttribute('aria-label')]") == [
            0, "region", "Checks of the day"]
    finally:
        inspector.context.close()


def test_3_3_2_one_time_code_length_is_said_beside_the_field(site: Site, phone: Any) -> None:
    """WCAG 3.3.2 Labels or Instructions: how many digits the one-time code has is text shown beside the
    field and tied to it (aria-describedby), not a placeholder that disappears at the first digit typed."""
    from credentials.demo_persons import DEMO_PERSONS
    from esspass.stack import unnumbered

    offer = _offer(site, "LV:VSAA", "pda1", unnumbered(DEMO_PERSONS[0].pda1))
    phone.goto(site.wallet_page.url + "/receive")
    phone.fill("#link", offer["link"])
    phone.click("#continue")
    phone.fill("#tx_code", "1")
    described = phone.locator("#tx_code").evaluate("""f => (f.getAttribute('aria-describedby') || '').split(' ')
        .map(id => document.getElementById(id)).filter(e => e && e.checkVisibility())
        .map(e => e.innerText).join(' ')""")
    assert f"{len(offer['tx_code'])} digits" in described, described
