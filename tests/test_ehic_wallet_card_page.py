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
from test_ehic_desk import Desk
from test_ehic_family_cards import _family, _in_process_cli, _two_cards, desk  # noqa: F401 (desk: a fixture)
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


def test_the_terminal_wallet_says_whose_card_a_childs_card_is_in_list_and_show(
        desk: Desk, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    """``esspass wallet list`` and ``show``: the child's card names the child, as the pages do; the parent's
    own card says "you" and names nobody."""
    from wallet.cli import main as wallet_main

    w, own, childs = _family(desk)
    _in_process_cli(desk, w, monkeypatch)
    assert wallet_main(["list"]) == 0
    listed = capsys.readouterr().out
    child_entry = listed.split(f"[{childs}]", 1)[1].split("\n[", 1)[0]
    own_entry = listed.split(f"[{own}]", 1)[1].split("\n[", 1)[0]
    assert "Card of Līga Bērziņa" in child_entry and "Card of" not in own_entry, listed
    assert wallet_main(["show", childs]) == 0
    shown = capsys.readouterr().out
    assert shown.splitlines()[1] == "Card of Līga Bērziņa", shown
