"""A parent's wallet holding her own EHIC and her child's, on each card's own page (QA review of the EHIC
end to end). The list said whose card a child's card is ("Card of Līga Bērziņa"); the card's page did
not, so the two pages read alike but for the number, and its offline QR help told the parent that the
code carries "your name, date of birth", when a child's card's code carries the child's (its fields 3-5
are its ``subject``, credentials/compact.py). The page now says whose card it is, as the list does, and
what that card's code carries; the parent's own card reads as before.

The services and the wallet's pages run on loopback ports (tests/test_pages_browser.py); headless Chromium.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_ehic_family_cards import _two_cards
from test_pages_browser import wallet_site

from credentials import ehic


def _card_pages(site: Any, phone: Any, own: str, childs: str) -> tuple[str, str]:
    """The parent's own card's page and her child's (the main part's text), from the list."""
    pages = {}
    tiles = phone.locator(f"a.card.doc[data-vct='{ehic.VCT}']")
    links = [(tiles.nth(n).inner_text(), tiles.nth(n).get_attribute("href")) for n in range(tiles.count())]
    for number in (own, childs):
        href = next(h for text, h in links if number in text)
        phone.goto(site.wallet_page.url + str(href))
        pages[number] = phone.inner_text("main")
    return pages[own], pages[childs]


@pytest.mark.browser
def test_a_childs_card_page_says_whose_card_it_is_and_what_its_qr_code_carries(browser: Any, tmp_path: Path) -> None:
    with wallet_site(tmp_path / "site") as site:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        phone = context.new_page()
        try:
            own, childs = _two_cards(site, phone)
            phone.goto(site.wallet_page.url + "/")
            own_page, childs_page = _card_pages(site, phone, own, childs)
            assert "Card of Līga Bērziņa" in childs_page, childs_page
            assert "your name" not in childs_page, childs_page
            assert "name and date of birth of the person this card insures" in childs_page, childs_page
            assert "Card of" not in own_page and "The code carries your name" in own_page, own_page
            # In another of the wallet's languages too.
            phone.goto(site.wallet_page.url + "/lang/lv?next=/")
            _, childs_lv = _card_pages(site, phone, own, childs)
            assert "Līga Bērziņa" in childs_lv and "jūsu vārds" not in childs_lv, childs_lv
        finally:
            context.close()
