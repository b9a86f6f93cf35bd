"""The provisional A1 and box 2.4 (reviewer R1, findings 1, 8, 9): section 2.5 of the paper A1,
"determination provisional" (Regulation (EC) No 987/2009 Art. 16(2)-(3)), and 2.4, "the certification
applies for the duration of the activity", are recorded by the clerk (form, CSV, API), carried in the
credential (claims ``determination_provisional`` and ``applies_for_duration``, an ESSPASS extension of
DC4EU v1.1, never selectively disclosable) and shown by the wallet, the paper copy and the inspector's
verdict; French dates write the first of a month "1er"; the paper copy writes the birth date as the
other dates.

Over real HTTP against the registry, issuer and verifier started in process on loopback ports
(esspass.stack.start_in_process), the reference wallet receiving and presenting as a phone does; the
back office through its sign-in form and CSRF token, as tests/test_office_multi_state.py does.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials import pda1
from credentials.demo_persons import DEMO_PERSONS, portrait
from esspass.stack import Clerk, Inspector, InspectorAuth, Stack, open_wallet, start_in_process
from issuer.office import COOKIE

LENA = DEMO_PERSONS[2]  # a German PID without a personal number: tied to any A1 by the wallet alone
HOLDER = {k: LENA.pid[k] for k in ("family_name", "given_name", "birthdate")}
VSAA = {"id": "LV:VSAA", "name": "Valsts sociālās apdrošināšanas aģentūra"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with start_in_process(tmp_path_factory.mktemp("r1")) as started:
        yield started


@pytest.fixture
def http(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30, auth=InspectorAuth(stack.inspector_token)) as client:
        yield client


@pytest.fixture
def api(stack: Stack) -> Iterator[httpx.Client]:
    tokens = json.loads((stack.data_dir / "issuer" / "clerk-tokens.json").read_text())
    with httpx.Client(base_url=f"{stack.issuer_url}/lv-vsaa/api", timeout=30,
                      headers={"Authorization": f"Bearer {tokens['LV:VSAA']}"}) as client:
        yield client


@pytest.fixture
def office(stack: Stack) -> Iterator[httpx.Client]:
    tokens = json.loads((stack.data_dir / "issuer" / "clerk-tokens.json").read_text())
    signed = httpx.post(f"{stack.issuer_url}/lv-vsaa/office/login", data={"token": tokens["LV:VSAA"]})
    assert signed.status_code == 303, signed.text
    with httpx.Client(base_url=f"{stack.issuer_url}/lv-vsaa", cookies={COOKIE: signed.cookies[COOKIE]}, timeout=30,
                      headers={"Accept-Language": "en"}) as client:
        yield client


_counter = iter(range(1000, 10_000))


def _number() -> str:
    """A personal number of its own per case: no A1 of one test overlaps another's (Art. 11(1) warning)."""
    return f"DEMO-R1-{next(_counter)}"


def a1(**changes: Any) -> dict[str, Any]:
    """An LV:VSAA A1 covering today (2026-10-01 to 2027-09-30), with ``changes``."""
    claims: dict[str, Any] = {
        "personal_administrative_number": _number(),
        "issuing_authority": {**VSAA, "country": "LV"}, "issuing_country": "LV", "authentic_source": dict(VSAA),
        "date_of_issuance": "2026-10-21", "starting_date": "2026-10-01", "ending_date": "2027-09-30",
        "legislation_country": "LV",
    }
    claims.update(changes)
    return claims


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


def _checkboxes(page: str) -> dict[str, str]:
    """The form's check boxes: name -> the words of their label (wrapping or ``for``)."""
    boxes: dict[str, str] = {}
    for m in re.finditer(r'<label[^>]*>\s*<input type="checkbox" name="([^"]+)"[^>]*>(.*?)</label>', page, re.S):
        boxes[m.group(1)] = html.unescape(re.sub(r"<[^>]+>", "", m.group(2))).strip()
    for m in re.finditer(r'<input[^>]*type="checkbox"[^>]*>', page):
        name, ident = re.search(r'name="([^"]+)"', m.group(0)), re.search(r'id="([^"]+)"', m.group(0))
        if name and ident and name.group(1) not in boxes:
            label = re.search(rf'<label[^>]*for="{re.escape(ident.group(1))}"[^>]*>(.*?)</label>', page, re.S)
            if label:
                boxes[name.group(1)] = html.unescape(re.sub(r"<[^>]+>", "", label.group(1))).strip()
    return boxes


def _wallet(stack: Stack, http: httpx.Client, where: Path) -> Any:
    """A fresh reference wallet holding Lena's German PID (with portrait)."""
    wallet = open_wallet(where, stack.registry_url, "pw-r1-wallet", fast_kdf=True, pki_dir=stack.data_dir / "pki")
    Clerk(stack.issuer_url, stack.data_dir, http).hand_over(wallet, LENA.pid_provider, "pid",
                                                            {**LENA.pid, "picture": portrait(LENA)})
    return wallet


def _hand_over(api: httpx.Client, wallet: Any, case_id: str) -> None:
    offer = api.post(f"/cases/{case_id}/offer")
    assert offer.status_code in (200, 201), offer.text
    wallet.accept_offer(wallet.open_offer(offer.json()["link"])[0], offer.json()["tx_code"])


def _inspect_page(stack: Stack, wallet: Any, lang: str = "en") -> str:
    """An inspector's check on the verifier's pages (signed in, "Start"), the wallet answering it: the
    verdict page's text."""
    with httpx.Client(base_url=stack.verifier_url, timeout=30) as browser:
        signed = browser.post("/login", data={"token": stack.inspector_token, "next": "/"})
        assert signed.status_code == 303, signed.text
        started = browser.post(f"/inspect?lang={lang}", data={"profile": "pda1"})
        assert started.status_code == 303, started.text
        view = started.headers["location"].split("?")[0].rsplit("/", 1)[1]
        waiting = browser.get(started.headers["location"]).text
        found = re.search(r'(openid4vp://[^"<\s]+)', waiting)
        assert found, waiting
        link = html.unescape(found.group(1))
        consent = wallet.open_request(link, lang)
        wallet.share(consent.id)
        page = browser.get(f"/inspect/{view}/verdict?lang={lang}")
        assert page.status_code == 200, page.text
        text = html.unescape(re.sub(r"<[^>]+>", " ", page.text))
        return " ".join(text.split())


def _inspect_api(stack: Stack, http: httpx.Client, wallet: Any) -> dict[str, Any]:
    """An inspectorate's system checking through the verifier's API, the wallet answering: the verdict,
    read once (with no retention, the one read that carries the person: a second check, not a second
    read of the page's, is what the API is asked here)."""
    inspector = Inspector(stack.verifier_url, http)
    request = inspector.request("pda1")
    wallet.share(wallet.open_request(request["link"], "en").id)
    verdict: dict[str, Any] = inspector.result(request)["verdict"]
    return verdict


# --- 1. Section 2.5 of the A1: "Determination provisional" (987/2009 Art. 16(2)-(3)) -----------------------

def test_provisional_determination_is_recorded_carried_and_shown(stack: Stack, office: httpx.Client,
                                                                 api: httpx.Client, http: httpx.Client,
                                                                 tmp_path: Path) -> None:
    """An Art. 13 case decided under 987/2009 Art. 16: the institution of residence determines the
    legislation provisionally (Art. 16(2)); it becomes definitive two months later unless contested
    (Art. 16(3)). The paper A1 has a box for it (section 2.5, beside 2.6 "transitional rules"), and the
    host state's inspector must be able to see that the A1 is provisional. The clerk needs a box on the
    form; the credential must carry it; the wallet and the verdict must say it."""
    form_page = office.get("/office/new/pda1?lang=en").text
    boxes = _checkboxes(form_page)
    provisional = [name for name, words in boxes.items() if "provisional" in words.lower()]
    assert provisional, (f"the A1 form offers no 'determination provisional' box (section 2.5); its boxes: {boxes}")
    claims = a1(status_confirmation="02")
    form = {"csrf": _csrf(form_page), "personal_administrative_number": claims["personal_administrative_number"],
            "date_of_issuance": "2026-10-21", "starting_date": "2026-10-01", "ending_date": "2027-09-30",
            "legislation_country": "LV", "status_confirmation": "02",
            "employer.id": "LV40000000077", "employer.name": "Daugava Logistics SIA", "employer.country": "LV",
            "work_address.locality": "Rīga", "work_address.country": "LV",
            "work_address.1.locality": "Tallinn", "work_address.1.country": "EE",
            provisional[0]: "true", **{f"holder.{k}": v for k, v in HOLDER.items()}}
    created = office.post("/office/new/pda1?lang=en", data=form)
    assert created.status_code == 303, created.text
    case_id = created.headers["location"].split("?")[0].rsplit("/", 1)[1]
    case = api.get(f"/cases/{case_id}").json()
    flags = {k: v for k, v in case["claims"].items() if "provisional" in k}
    assert flags and all(v is True for v in flags.values()), case["claims"]

    wallet = _wallet(stack, http, tmp_path / "phone")
    _hand_over(api, wallet, case_id)
    card = next(c for c in wallet.cards("en") if c.vct == pda1.VCT)
    shown = " ".join(f"{k} {v}" for k, v in wallet.card(card.group, "en").claims) + " " + card.description
    assert "provisional" in shown.lower(), shown
    text = _inspect_page(stack, wallet)
    assert "provisional" in text.lower(), text
    verdict = _inspect_api(stack, http, wallet)
    doc = verdict["person"]["documents"][0]
    assert any("provisional" in k and v is True for k, v in doc.items()), doc


# --- 6. French dates: "1er" for the first day of the month ---------------------------------------------------

def test_french_dates_write_the_first_of_the_month_as_1er(api: httpx.Client) -> None:
    """French writes the first day of a month as an ordinal: "du 1er octobre 2026", never "du 1 octobre
    2026". Every A1 that starts on the 1st (most do) is dated so on the case, the paper copy, the wallet
    card and the verdict page in French."""
    claims = a1(status_confirmation="01", employer={"id": "LV40000000099", "name": "Baltic Build SIA",
                                                    "country": "LV"},
                work_address={"locality": "Berlin", "country": "DE"})
    created = api.post("/cases", json={"configuration_id": "pda1", "claims": claims, "holder": HOLDER})
    assert created.status_code == 201, created.text
    sentence = created.json()["description"]["fr"]
    assert "1er octobre 2026" in sentence, sentence


# --- 7. The paper copy's birth date, in the clerk's language -------------------------------------------------

def test_paper_copy_writes_the_birth_date_as_the_other_dates(api: httpx.Client) -> None:
    """The paper A1 is read by a host-state inspector without a scanner: every date on it is written in
    the language chosen ("1. Oktober 2026", "10 janvier 2026"), but the holder's birth date, which the
    inspector compares with the identity document, is printed as 1995-07-03."""
    from credentials.institutions import demo_entity
    from issuer.paper import paper_text

    claims = pda1.validate({**a1(status_confirmation="01"), "document_number": "R1-PAPER-0001",
                            "employer": {"id": "LV40000000099", "name": "Baltic Build SIA", "country": "LV"},
                            "work_address": {"locality": "Berlin", "country": "DE"}})
    for lang, day in (("de", "3. Juli 1995"), ("fr", "3 juillet 1995"), ("en", "3 July 1995")):
        _, lines = paper_text(pda1, claims, HOLDER, demo_entity("LV:VSAA"), lang)
        assert any(day in line for line in lines), (lang, lines)




# --- the section 2 boxes: the API, the CSV import, the inspection, the model --------------------------------

def _provisional_a1(api: httpx.Client, **changes: Any) -> str:
    """An Art. 13 A1 (02) recorded through the clerk API, with ``changes``: its case id."""
    claims = a1(status_confirmation="02", employer={"id": "LV40000000077", "name": "Daugava Logistics SIA",
                                                    "country": "LV"},
                work_address={"locality": "Tallinn", "country": "EE"}, **changes)
    created = api.post("/cases", json={"configuration_id": "pda1", "claims": claims, "holder": HOLDER})
    assert created.status_code == 201, created.text
    case_id: str = created.json()["id"]
    return case_id


def test_a_provisional_a1_stays_valid_and_the_inspector_is_told_it_may_still_change(
        stack: Stack, api: httpx.Client, http: httpx.Client, tmp_path: Path) -> None:
    """987/2009 Art. 16(2)-(3): a provisional determination binds the other states until it changes (Art.
    5(1)), so the verdict is valid; the API's verdict carries the notice (its key and words) and both boxes,
    the page says it in the inspector's language and lists box 2.4, and the worker's card says it too."""
    case_id = _provisional_a1(api, determination_provisional=True, applies_for_duration=True)
    case = api.get(f"/cases/{case_id}").json()
    assert case["claims"]["determination_provisional"] is True and case["claims"]["applies_for_duration"] is True
    assert "La détermination est provisoire" in case["description"]["fr"]
    wallet = _wallet(stack, http, tmp_path / "phone")
    _hand_over(api, wallet, case_id)
    card = next(c for c in wallet.cards("de") if c.vct == pda1.VCT)
    rows = dict(wallet.card(card.group, "de").claims)
    assert rows["Vorläufige Festlegung"] == "✓" and rows["Die Bescheinigung gilt für die Dauer der Tätigkeit"] == "✓"
    assert "Die Festlegung ist vorläufig" in card.description

    text = _inspect_page(stack, wallet, "fr")
    assert "La législation applicable a été déterminée à titre provisoire" in text, text
    assert "Le certificat s'applique pour la durée de l'activité Oui" in text, text
    assert "Détermination provisoire Oui" in text, text

    verdict = _inspect_api(stack, http, wallet)
    assert verdict["verdict"] == "valid", verdict
    assert [n["key"] for n in verdict["notices"]] == ["pda1.provisional"], verdict["notices"]
    assert "may still change" in verdict["notices"][0]["message"]
    doc = verdict["person"]["documents"][0]
    assert doc["determination_provisional"] is True and doc["applies_for_duration"] is True


def test_an_a1_without_the_boxes_reads_as_a_definitive_determination(stack: Stack, api: httpx.Client,
                                                                       http: httpx.Client, tmp_path: Path) -> None:
    """An A1 issued before the boxes existed (or with neither ticked) says nothing of them: its verdict
    has no provisional notice, its document no box, and its sentence reads as it always did."""
    case_id = _provisional_a1(api)
    case = api.get(f"/cases/{case_id}").json()
    assert not {"determination_provisional", "applies_for_duration"} & set(case["claims"])
    assert "provisional" not in case["description"]["en"]
    wallet = _wallet(stack, http, tmp_path / "phone")
    _hand_over(api, wallet, case_id)
    verdict = _inspect_api(stack, http, wallet)
    assert verdict["verdict"] == "valid", verdict
    assert "pda1.provisional" not in [n["key"] for n in verdict["notices"]]
    assert not {"determination_provisional", "applies_for_duration"} & set(verdict["person"]["documents"][0])


def test_the_csv_import_takes_the_section_2_boxes_as_columns(office: httpx.Client, api: httpx.Client) -> None:
    """The import's columns are the claims' names: ``determination_provisional`` and
    ``applies_for_duration`` with ``true`` tick the boxes, as the form's check boxes do."""
    from test_office_multi_state import _imported

    claims = a1(status_confirmation="02")
    row = {"configuration_id": "pda1", "personal_administrative_number": claims["personal_administrative_number"],
           "issuing_authority.id": "LV:VSAA", "issuing_authority.name": VSAA["name"], "issuing_authority.country": "LV",
           "issuing_country": "LV", "authentic_source.id": "LV:VSAA", "authentic_source.name": VSAA["name"],
           **{k: claims[k] for k in ("date_of_issuance", "starting_date", "ending_date", "legislation_country",
                                     "status_confirmation")},
           "employer.id": "LV40000000077", "employer.name": "Daugava Logistics SIA", "employer.country": "LV",
           "work_address.locality": "Tallinn", "work_address.country": "EE",
           "determination_provisional": "true", "applies_for_duration": "true"}
    upload = "\n".join([",".join(row), ",".join(f'"{v}"' for v in row.values())]).encode()
    csrf = _csrf(office.get("/office/import").text)
    response = office.post("/office/import?lang=en", data={"csrf": csrf},
                           files={"file": ("cases.csv", upload, "text/csv")})
    assert "1 rows imported, 0 rejected" in response.text, response.text
    case = api.get(f"/cases/{_imported(response.text)}").json()
    assert case["claims"]["determination_provisional"] is True and case["claims"]["applies_for_duration"] is True


def test_a_section_2_box_is_true_or_false(api: httpx.Client) -> None:
    """A box is ticked or not: any other value (a CSV's "yes", a number) is refused by name, never read as one."""
    for box in ("determination_provisional", "applies_for_duration"):
        refused = api.post("/cases", json={"configuration_id": "pda1", "claims": a1(
            status_confirmation="02", employer={"id": "LV40000000077", "name": "Daugava Logistics SIA",
                                                "country": "LV"},
            work_address={"locality": "Tallinn", "country": "EE"}, **{box: "yes"}), "holder": HOLDER})
        assert refused.status_code == 400, refused.text
        assert box in refused.text


def test_the_section_2_boxes_are_never_selectively_disclosable() -> None:
    """Like the rest of section 2 (the state and the period), the boxes are in the clear: a worker who
    could withhold box 2.5 would show a provisional determination as a definitive one. The type metadata
    says so and labels them in the five languages."""
    from credentials import sd_jwt
    from credentials.jose import generate_key

    metadata = {c["path"][0]: c for c in pda1.type_metadata_document()["claims"] if len(c["path"]) == 1}
    for box in ("determination_provisional", "applies_for_duration"):
        assert (box,) not in pda1.SD_PATHS
        assert metadata[box]["sd"] == "never" and len({d["label"] for d in metadata[box]["display"]}) == 5
    claims = pda1.validate({**a1(status_confirmation="02", document_number="R1-SD-0001",
                                 employer={"id": "LV40000000077", "name": "Daugava", "country": "LV"},
                                 work_address={"locality": "Tallinn", "country": "EE"}),
                            "determination_provisional": True, "applies_for_duration": True})
    issued = sd_jwt.issue(claims, sd_paths=pda1.SD_PATHS, key=generate_key(), header={"alg": "ES256"})
    in_the_clear = sd_jwt.parse(issued).issuer_jws.payload
    assert in_the_clear["determination_provisional"] is True and in_the_clear["applies_for_duration"] is True
    assert not {("determination_provisional",), ("applies_for_duration",)} & set(sd_jwt.disclosable_paths(issued))


def test_the_paper_copy_says_the_section_2_boxes() -> None:
    """The paper A1's reader has no wallet: box 2.4 is a line of its own, 2.5 is said in the sentence."""
    from credentials.institutions import demo_entity
    from issuer.paper import paper_text

    claims = pda1.validate({**a1(status_confirmation="02", document_number="R1-PAPER-0002",
                                 employer={"id": "LV40000000077", "name": "Daugava", "country": "LV"},
                                 work_address={"locality": "Tallinn", "country": "EE"}),
                            "determination_provisional": True, "applies_for_duration": True})
    _, lines = paper_text(pda1, claims, HOLDER, demo_entity("LV:VSAA"), "pl")
    assert "Ustalenie jest tymczasowe" in lines[0], lines
    assert "Zaświadczenie obowiązuje przez cały okres wykonywania działalności." in lines, lines


def test_the_case_page_lists_the_section_2_boxes_in_the_clerks_language(office: httpx.Client,
                                                                         api: httpx.Client) -> None:
    """The clerk checks what was recorded: the boxes by the A1's words and ticked in the page's language,
    and the case's sentence saying that the determination is provisional."""
    case_id = _provisional_a1(api, determination_provisional=True, applies_for_duration=True)
    page = html.unescape(re.sub(r"<[^>]+>", " ", office.get(f"/office/cases/{case_id}?lang=lv").text))
    words = " ".join(page.split())
    assert "Provizorisks lēmums jā" in words and "Apliecinājums attiecas uz visu darbības laiku jā" in words, words
    assert "Lēmums ir provizorisks" in words, words
