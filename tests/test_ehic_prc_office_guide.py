"""The back office's guidance on a Provisional Replacement Certificate's case page (QA review of the
EHIC end to end). A PRC certifies a period of its own (Decision S2, Annex 2; credentials/ehic.py): when
the insurance ended before its end, it is replaced with the shorter period, as an A1 is, and a
withdrawal fails it for every day of care, the days the person was insured included. The page gave it
a card's words: "end the card early: replace it with that day as its expiry date" (a PRC has no
expiry to set) and, under Withdraw, "issue a provisional replacement certificate for those dates",
which is the document being withdrawn. A card's page keeps the card's words.

Over real HTTP against the issuer on a loopback port, signed in to LV:NVD's back office.
"""

from __future__ import annotations

import re

import pytest
from test_ehic_desk import HOLDER
from test_ehic_s2_fields import _api, _card, _office, _prc, _text, issuer  # noqa: F401 (issuer: a fixture)

from esspass.testing import ServerHandle

#: The PRC's own words, per language: ended early, it is replaced with the shorter period.
SHORTER = {"en": "replace it with the shorter period", "lv": "aizstājiet to ar īsāku periodu",
           "de": "durch den kürzeren Zeitraum", "fr": "par la période plus courte", "pl": "krótszym okresem"}
#: A card's words, which do not fit a PRC: a new expiry date, and a PRC for the dates.
CARD_ONLY = {"en": ("expiry date", "issue a provisional replacement certificate"),
             "lv": ("derīguma termiņu", "izsniedziet EVAK aizvietojošo sertifikātu"),
             "de": ("Ablaufdatum", "stellen Sie eine provisorische Ersatzbescheinigung"),
             "fr": ("date d'expiration", "délivrez un certificat provisoire de remplacement"),
             "pl": ("datę ważności", "wydaj certyfikat tymczasowo zastępujący kartę")}


def _case_page(handle: ServerHandle, claims: dict[str, object], lang: str) -> str:
    with _api(handle) as api:
        made = api.post("/cases", json={"configuration_id": "ehic", "claims": claims, "holder": HOLDER})
    assert made.status_code == 201, made.text
    with _office(handle, lang) as office:
        page = office.get(f"/office/cases/{made.json()['id']}?lang={lang}")
    assert page.status_code == 200
    return page.text


def _guide_and_help(page: str) -> tuple[str, str]:
    """The words of the "Which action?" guide and of the help under the Withdraw button."""
    found = re.search(r'id="revoke-help">(.*?)</p>', page, re.S)
    assert found is not None, "the Withdraw button has no help"
    guide = page.split('id="revoke-help"')[0]
    return _text(guide), _text(found.group(1))


@pytest.mark.parametrize("lang", ["en", "lv", "de", "fr", "pl"])
def test_a_prcs_case_page_says_to_replace_it_with_the_shorter_period_not_to_give_it_an_expiry_date(
        issuer: ServerHandle, lang: str) -> None:  # noqa: F811 (the fixture imported above)
    guide, withdraw = _guide_and_help(_case_page(issuer, _prc(), lang))
    for words in (guide, withdraw):
        assert SHORTER[lang] in words, words
        for card_only in CARD_ONLY[lang]:
            assert card_only not in words, (card_only, words)


def test_a_cards_case_page_keeps_the_cards_words(issuer: ServerHandle) -> None:  # noqa: F811
    guide, withdraw = _guide_and_help(_case_page(issuer, _card(), "en"))
    assert "replace it with that day as its expiry date" in guide, guide
    assert "issue a provisional replacement certificate for those dates" in withdraw, withdraw
    assert "shorter period" not in guide + withdraw


def test_the_prcs_words_are_there_in_every_language() -> None:
    from credentials import i18n

    for key in ("guide.ehic_prc.typo.do", "guide.ehic_prc.ended.do", "revoke_help.ehic_prc"):
        texts = {lang: i18n.t(f"office.{key}", lang) for lang in i18n.LANGUAGES}
        assert len(set(texts.values())) == len(i18n.LANGUAGES), texts
