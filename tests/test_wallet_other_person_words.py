"""The summary sentence of another person's A1 or card in a wallet (an offer code passed on: the document
names Tobias Krause, the wallet's PID Lena Schäfer; :func:`wallet.core.other_persons`) speaks of the person
it names, never "you": "... the legislation that applies to Tobias Krause ...", "Tobias Krause is covered
... until" (:func:`credentials.pda1.describe`, :func:`credentials.ehic.describe` with ``other_person``), in
the wallet's five languages, on its list, the document's page and the offline QR page. The worker's own
documents keep "you".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from test_a1_names_qa import COLLEAGUE, LENA, receive_a_colleagues_a1
from test_holder_link import holding_another_workers_a1

from credentials import countries, ehic, i18n, pda1
from credentials.demo_persons import DEMO_PERSONS
from esspass.stack import InspectorAuth, start_in_process
from wallet import core

ANNA = DEMO_PERSONS[0]
NAME = "Tobias Krause"
#: How each language's own sentence speaks to the holder (pda1 and ehic ``_SENTENCE``, ``_PRC_SENTENCE``).
YOU = {"en": ("you", "You"), "lv": ("jums", "Jums"), "de": ("Sie",), "fr": ("vous", "Vous"),
       "pl": ("podlegasz", "Masz")}
#: The names section 1 and fields 3-5 carry (credentials.holder_names), of the colleague.
NAMED = {"family_name": COLLEAGUE["family_name"], "given_name": COLLEAGUE["given_name"],
         "birth_date": COLLEAGUE["birthdate"]}


def _documents() -> dict[str, tuple[Any, dict[str, Any]]]:
    """The colleague's A1, card and provisional replacement certificate, each naming him."""
    card = {**ehic.validate(ANNA.ehic), **NAMED}
    prc = {**card, "starting_date": "2026-11-20", "ending_date": "2026-12-31", "date_of_expiry": "2026-12-31"}
    return {"a1": (pda1, {**pda1.validate(LENA.pda1), **NAMED}), "card": (ehic, card), "prc": (ehic, prc)}


def _says_you(sentence: str, lang: str) -> bool:
    words = sentence.replace(",", " ").replace(":", " ").split()
    return any(w in words for w in YOU[lang])


def test_another_persons_document_is_described_of_the_person_it_names_in_five_languages() -> None:
    for kind, (module, claims) in _documents().items():
        for lang in i18n.LANGUAGES:
            own = module.describe(claims, lang)
            other = module.describe(claims, lang, other_person=True)
            assert NAME in other and not _says_you(other, lang), (kind, lang, other)
            # From the state on, as the worker's own says it: its institution, the number, the dates.
            state = countries.name(claims.get("legislation_country") or claims["issuing_country"], lang)
            assert other != own and other[other.index(state):] == own[own.index(state):], (kind, lang, own, other)


def test_the_workers_own_documents_keep_you() -> None:
    for kind, (module, claims) in _documents().items():
        for lang in i18n.LANGUAGES:
            own = module.describe(claims, lang)
            assert NAME not in own, (kind, lang, own)
            assert _says_you(own, lang) or (kind == "a1" and lang == "fr"), (kind, lang, own)  # "applicable" alone


def test_another_persons_document_naming_nobody_says_no_you_either() -> None:
    """One signed before its type named its holder (a personal number not the PID's told the wallet it is
    another person's): the sentence says whose it is of nobody, rather than "you"."""
    for kind, (module, claims) in _documents().items():
        unnamed = {k: v for k, v in claims.items() if k not in NAMED}
        for lang in i18n.LANGUAGES:
            other = module.describe(unnamed, lang, other_person=True)
            assert not _says_you(other, lang) and NAME not in other, (kind, lang, other)


def test_the_wallets_sentence_of_another_persons_document_names_the_person() -> None:
    """:func:`wallet.core.describe` as the cards take it: a Latvian date's own full stop not doubled."""
    for kind, (module, claims) in _documents().items():
        for lang in i18n.LANGUAGES:
            said = core.describe(module.VCT, claims, lang, other_person=True)
            assert NAME in said and not said.endswith(".."), (kind, lang, said)
            assert core.describe(module.VCT, claims, lang) == core.describe(module.VCT, claims, lang,
                                                                           other_person=False)


def test_the_wallets_card_of_another_workers_a1_speaks_of_him_in_every_language(tmp_path: Path) -> None:
    """Lena's wallet holding her PID and a colleague's A1: the A1's card describes his A1 (the list, the
    document's and the offline QR page, the command line all show :attr:`Card.description`); her PID's is
    as it was."""
    with start_in_process(tmp_path) as stack, httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        wallet = holding_another_workers_a1(stack, tmp_path, http, COLLEAGUE)
        try:
            cards = {lang: {c.vct: c for c in wallet.cards(lang)} for lang in i18n.LANGUAGES}
            a1 = next(c for c in wallet.credentials() if c.vct == pda1.VCT)
        finally:
            wallet.http.close()
    for lang, held in cards.items():
        assert held[pda1.VCT].other_person, lang
        assert held[pda1.VCT].description == pda1.describe(a1.claims, lang, other_person=True), lang
        assert NAME in held[pda1.VCT].description and not _says_you(held[pda1.VCT].description, lang), lang
    assert cards["en"][pda1.VCT].description.startswith("From ")
    assert "applies to Tobias Krause is that of this state: Germany" in cards["en"][pda1.VCT].description


@pytest.mark.browser
def test_the_wallet_pages_describe_another_workers_a1_of_the_person_it_names(tmp_path: Path, browser: Any) -> None:
    """The list, the A1's page and its offline QR page: "... applies to Tobias Krause ...", never "you"."""
    from test_pages_browser import phone_tab, wallet_site

    with wallet_site(tmp_path) as site, phone_tab(site, browser) as phone:
        receive_a_colleagues_a1(site, phone)
        listed = phone.inner_text(f"a.card[data-vct='{pda1.VCT}'] .describe")
        phone.click(f"a.card[data-vct='{pda1.VCT}']")
        shown = phone.inner_text("#describe")
        phone.click("#show-qr")
        phone.wait_for_selector("#offline-qr")
        offline = phone.inner_text("#offline-describe")
    assert listed == shown == offline, (listed, shown, offline)
    assert "applies to Tobias Krause is that of this state: Germany" in listed and "you" not in listed, listed
