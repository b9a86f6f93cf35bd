"""The wallet's pages in real headless Chromium: an A1 the institution replaced is a past document.

The worker holds both the replaced A1 and its replacement. The list shows the current one first and the
replaced one after it, set apart by words ("No longer current", the past tense) and a dashed edge, never
by colour alone (WCAG 1.4.1); the replaced one's page links the current one as the one to show an
inspector, and the current one's page says it is that one; in each of the five languages. Registry,
issuer, verifier and the wallet's page server run for real on loopback ports (test_pages_browser).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_pages_browser import CONTRAST, _paste_offer, phone_tab, wallet_site
from test_wallet_replaced import PERSON
from test_wallet_replaced import World as ReplacedWorld

from credentials import pda1
from credentials.i18n import LANGUAGES
from wallet import messages

pytestmark = pytest.mark.browser


def test_the_pages_set_a_replaced_a1_apart_and_say_which_one_to_show_an_inspector(browser: Any,
                                                                                   tmp_path: Path) -> None:
    with wallet_site(tmp_path / "site") as site:
        world = ReplacedWorld(site.stack, site.http, tmp_path / "phones")
        with phone_tab(site, browser) as phone:
            old_case = world.a1("DEMO-A1-LV-7601")
            _paste_offer(site, phone, world.clerk.offer(*old_case))
            _paste_offer(site, phone, world.clerk.offer(*world.replace(old_case, "DEMO-A1-LV-7602")))

            tiles = phone.locator(f"a.card.doc[data-vct='{pda1.VCT}']")
            assert tiles.count() == 2
            current, past = tiles.nth(0), tiles.nth(1)  # the current one first, though stored second
            assert current.get_attribute("data-past") is None and past.get_attribute("data-past") == "replaced"
            old_href, new_href = past.get_attribute("href"), current.get_attribute("href")
            # Set apart by words and by the shape of its edge, not by a colour alone (WCAG 1.4.1).
            edges = [t.evaluate("e => getComputedStyle(e).borderLeftStyle") for t in (current, past)]
            assert edges == ["solid", "dashed"]
            tag = past.locator(".past-tag")
            assert tag.inner_text() == "No longer current" and current.locator(".past-tag").count() == 0
            assert tag.evaluate(CONTRAST) >= 4.5
            # In the past tense: never "the legislation that applies to you" for the replaced one.
            assert "applies to you" in current.inner_text()
            assert "applies to you" not in past.inner_text() and "was replaced by a newer one" in past.inner_text()

            past.click()
            phone.wait_for_selector("#show-instead")
            link = phone.locator("#show-instead a.current-link")
            assert link.count() == 1 and link.get_attribute("href") == new_href
            assert phone.locator("#replaced-help").count() == 0  # the new one is in the wallet already
            link.click()
            phone.wait_for_selector("#show-this")
            assert phone.locator("#past-tag").count() == 0 and phone.locator("#show-instead").count() == 0

            for lang in LANGUAGES:
                phone.goto(f"{site.wallet_page.url}/lang/{lang}?next={old_href}")
                phone.wait_for_selector("#past-tag")
                assert phone.locator("#past-tag").inner_text() == messages.t("card.past_tag", lang)
                describe = phone.locator("#describe").inner_text()
                assert pda1.describe(PERSON.pda1, lang) not in describe, lang  # the present-tense sentence
                assert messages.t("past.kept", lang) in describe, (lang, describe)
                assert messages.t("card.show_instead", lang) in phone.locator("#show-instead").inner_text()
                phone.goto(f"{site.wallet_page.url}{new_href}")
                assert phone.locator("#show-this").inner_text() == messages.t("card.show_this", lang)
                phone.goto(f"{site.wallet_page.url}/")
                hrefs = [phone.locator(f"a.card.doc[data-vct='{pda1.VCT}']").nth(n).get_attribute("href")
                         for n in range(2)]
                assert hrefs == [new_href, old_href], lang
                assert phone.locator("a.card.doc.past .past-tag").inner_text() == messages.t("card.past_tag", lang)
