"""French pages put a no-break space before a label's colon ("Finalité : ..."), which never starts a
line alone; the other four languages write the colon against the word (credentials.i18n.colon)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_office_multi_state import Issuer, office_issuer, signed_in

from credentials.i18n import LANGUAGES, colon

ROOT = Path(__file__).resolve().parents[1]
#: A translated label followed by a colon written into the template: the colon French spaces.
BARE_COLON = re.compile(r'\{\{ t\([^}]*\) \}\}:')


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Issuer]:
    with office_issuer(tmp_path_factory.mktemp("french-typography")) as started:
        yield started


def test_only_french_puts_a_no_break_space_before_the_colon() -> None:
    assert {lang: colon(lang) for lang in LANGUAGES} == {"en": ":", "lv": ":", "de": ":", "fr": "\u00a0:",
                                                          "pl": ":"}


def test_no_page_template_writes_the_colon_after_a_label_itself() -> None:
    templates = sorted(ROOT.glob("*/templates/**/*.html"))
    assert templates
    bare = [f"{path.relative_to(ROOT)}: {match}" for path in templates
            for match in BARE_COLON.findall(path.read_text(encoding="utf-8"))]
    assert bare == []


def test_the_back_office_writes_french_labels_with_a_space_before_the_colon(issuer: Issuer) -> None:
    with signed_in(issuer) as office:
        french = office.get("/office", params={"lang": "fr"})
        english = office.get("/office", params={"lang": "en"})
        new = office.get("/office/new/pda1", params={"lang": "fr"})
    assert french.status_code == english.status_code == new.status_code == 200
    assert "Nouveau dossier\u00a0: " in french.text and "Nouveau dossier: " not in french.text
    assert "New case: " in english.text
    assert "Délivré par\u00a0: " in new.text, new.text


def test_an_authorisation_error_page_title_spaces_the_french_colon(issuer: Issuer) -> None:
    handle, _ = issuer
    page = httpx.get(f"{handle.url}/lv-vsaa/authorize", params={"client_id": "x", "request_uri": "urn:nothing"},
                     headers={"Accept-Language": "fr"})
    assert 400 <= page.status_code < 500
    title = re.search(r"<title>(.*?)</title>", page.text, re.S)
    assert title is not None and "\u00a0: " in title.group(1), page.text[:400]
