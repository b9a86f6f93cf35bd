"""A CSV import is made once: the same import sent again records nothing twice (issuer.service.import_once).

The back office form carries a one-time ``import_id``: a reload of the report page (or Back then Forward)
sends the file again with it, and is refused (409, in the clerk's language) saying when the file was
imported and how many rows were; an API client retrying after a timeout with the same
``Idempotency-Key`` (draft-ietf-httpapi-idempotency-key-header) and file gets the first answer again, 409
while the first request runs, 422 with another file. The same file brought again by a new
request (a new form, a new key, none) records nothing until the clerk confirms it (issuer.service.SameFile).
Two requests with one id, or with one file, at once make one import, on SQLite and PostgreSQL. What is
kept is the id's and the file's hashes, when, who and the counts, for 7 days.
Over real HTTP against the issuer, and in headless Chromium.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Error as PlaywrightError
from test_import_templates import vsaa_template
from test_office_multi_state import clerk_api, signed_in

from esspass.testing import clerk_tab, free_port, office_form, serve
from issuer.app import create_app
from issuer.settings import IssuerSettings

TEMPLATE = vsaa_template()  # LV:VSAA's A1 template, as its office serves it today
Issuer = tuple[Any, str]
_FILES = itertools.count(1)


@contextmanager
def started_issuer(data_dir: Path, database_url: str | None = None) -> Iterator[Issuer]:
    """An issuer of the demo institutions on a loopback port (on ``database_url``, else SQLite in
    ``data_dir``), and LV:VSAA's clerk token."""
    port = free_port()
    settings = IssuerSettings(data_dir=data_dir, public_url=f"http://127.0.0.1:{port}", database_url=database_url)
    with serve(create_app(settings), port=port) as handle:
        tokens: dict[str, str] = json.loads((data_dir / "issuer" / "clerk-tokens.json").read_text())
        yield handle, tokens["LV:VSAA"]


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Issuer]:
    with started_issuer(tmp_path_factory.mktemp("import-once")) as started:
        yield started


def cases_file(rows: int, **cells: str) -> bytes:
    """The A1 template's file with ``rows`` rows of its demo worker (holder columns filled), each
    without a document number (a new one given to each: nothing refuses the file when sent again),
    ``cells`` replacing columns. Each call's file is one of its own (its employer's name numbered): a
    file already imported is imported again only when confirmed (issuer.service.SameFile)."""
    reader = csv.DictReader(io.StringIO(TEMPLATE))
    row = {**next(reader), "document_number": "", "employer.name": f"Example Build SIA (file {next(_FILES)})",
           **cells}
    assert row["holder.family_name"] and row["holder.birthdate"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
    writer.writeheader()
    writer.writerows([row] * rows)
    return out.getvalue().encode()


def case_count(issuer: Issuer) -> int:
    with clerk_api(issuer) as api:
        return len(api.get("/cases", params={"limit": 1000}).json())


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).replace("&#39;", "'")


def _reload(tab: Any) -> Any:
    """``tab.reload()`` from Chromium's own error page ("Confirm Form Resubmission"), which DevTools
    takes a moment to attach to after the failed navigation; a reload of that page before it is attached
    may also answer no response (no navigation): tried again. Sending the form once more is what the test
    checks is harmless."""
    for _ in range(20):
        try:
            response = tab.reload()
        except PlaywrightError as exc:
            if "Not attached to an active page" not in str(exc):
                raise
            response = None
        if response is not None:
            return response
        time.sleep(0.1)
    raise AssertionError("the error page was never reloaded")


@contextmanager
def _clerk_with_file(issuer: Issuer, browser: Any, chosen: Path, data: bytes) -> Iterator[Any]:
    """A Chromium tab signed in to LV:VSAA's back office (closed after), and ``data`` written to ``chosen``
    on the disk for its import form to send."""
    handle, token = issuer
    chosen.write_bytes(data)
    tab = clerk_tab(browser, handle.url, "lv-vsaa", token)
    try:
        yield tab
    finally:
        tab.context.close()


def _send_file(tab: Any, chosen: Path, shown: str = "#summary") -> None:
    """The file ``chosen`` chosen on the tab's import form and sent, as a clerk does; until ``shown`` is."""
    tab.set_input_files("#file", str(chosen))
    tab.click("#upload")
    tab.wait_for_selector(shown)


# --- the back office ----------------------------------------------------------------------------------


@pytest.mark.browser
def test_reloading_the_import_report_records_nothing_twice_and_says_when_the_file_was_imported(
        issuer: Issuer, browser: Any, tmp_path: Path) -> None:
    chosen = tmp_path / "cases.csv"
    with _clerk_with_file(issuer, browser, chosen, cases_file(2)) as tab:
        tab.goto(f"{issuer[0].url}/lv-vsaa/office/import?lang=en")
        _send_file(tab, chosen)
        assert tab.inner_text("#summary") == "2 rows imported, 0 rejected."
        recorded = case_count(issuer)

        again = tab.reload()  # the browser sends the form again, the file read again from the disk
        assert again is not None and again.request.method == "POST" and again.status == 409
        said = tab.inner_text("#error")
        assert re.fullmatch(r"This file was already imported at \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\): 2 rows imported, "
                            r"0 rejected\. The page was sent again \(a reload, or Back and Forward\): nothing was "
                            r"recorded twice\.", said), said
        assert tab.inner_text("h1") == "Already imported"
        assert case_count(issuer) == recorded

        tab.go_back()  # the form, shown anew (a new import)
        with pytest.raises(PlaywrightError, match="ERR_CACHE_MISS"):
            tab.go_forward()  # the report, not kept (no-store): Chromium asks to confirm sending the form again
        resent = _reload(tab)  # confirmed
        assert resent is not None and resent.request.method == "POST" and resent.status == 409
        assert "This file was already imported at" in tab.inner_text("#error")
        assert case_count(issuer) == recorded

        tab.click("#import-another")  # a new form, a new import
        chosen.write_bytes(cases_file(1))
        _send_file(tab, chosen)
        assert tab.inner_text("#summary") == "1 rows imported, 0 rejected."
        assert case_count(issuer) == recorded + 1
        tab.click("#nav-cases")
        tab.wait_for_selector("#cases")


@pytest.mark.browser
def test_a_clerk_importing_the_same_export_again_is_asked_and_imports_it_by_ticking_the_box(
        issuer: Issuer, browser: Any, tmp_path: Path) -> None:
    chosen = tmp_path / "export.csv"
    with _clerk_with_file(issuer, browser, chosen, cases_file(1)) as tab:
        for _ in range(2):  # the same export, each time from the menu's new form
            tab.click("#nav-import")
            _send_file(tab, chosen, "#summary, #again")
        recorded = case_count(issuer)
        assert tab.inner_text("#error").startswith("This exact file was already imported at ")
        assert not tab.is_checked("#again") and tab.query_selector("#summary") is None
        tab.check("#again")
        _send_file(tab, chosen)  # chosen anew: a browser sends no file it was not given again
        assert tab.inner_text("#summary") == "1 rows imported, 0 rejected."
        assert case_count(issuer) == recorded + 1


@pytest.mark.parametrize(("lang", "words"), [
    ("en", "This file was already imported at {at} (UTC): 3 rows imported, 0 rejected."),
    ("lv", "Šis fails jau tika importēts {at} (UTC): importētas 3 rindas, noraidītas 0."),
    ("de", "Diese Datei wurde bereits am {at} (UTC) importiert: 3 Zeilen importiert, 0 abgelehnt."),
    ("fr", "Ce fichier a déjà été importé le {at} (UTC) : 3 lignes importées, 0 rejetées."),
    ("pl", "Ten plik został już zaimportowany {at} (UTC): zaimportowano 3 wierszy, odrzucono 0."),
])
def test_the_import_form_sent_again_is_refused_in_the_clerks_language_naming_the_first_import(
        issuer: Issuer, lang: str, words: str) -> None:
    with signed_in(issuer) as office:
        form = office_form(office.get("/office/import", params={"lang": lang}).text)
        assert set(form) == {"csrf", "import_id"}
        files = {"file": ("cases.csv", cases_file(3), "text/csv")}
        first = office.post("/office/import", params={"lang": lang}, data=form, files=files)
        assert first.status_code == 200, first.text
        at = datetime.now(UTC)
        recorded = case_count(issuer)
        second = office.post("/office/import", params={"lang": lang}, data=form, files=files)
    assert second.status_code == 409
    assert second.headers["cache-control"] == "no-store"
    shown = _text(second.text)
    assert any(words.format(at=f"{when:%Y-%m-%d %H:%M}") in shown for when in (at, at - timedelta(minutes=1))), shown
    assert f'href="/lv-vsaa/office?lang={lang}"' in second.text  # the cases list
    assert f'href="/lv-vsaa/office/import?lang={lang}"' in second.text  # a new import
    assert case_count(issuer) == recorded


def test_the_import_form_sent_again_without_its_file_is_told_the_file_was_imported(issuer: Issuer) -> None:
    """A browser sending the form again may no longer have the file (moved or deleted since): the
    one-time id is judged first, so the clerk is told the file was imported, not that it is empty."""
    with signed_in(issuer) as office:
        form = office_form(office.get("/office/import").text)
        first = office.post("/office/import", data=form, files={"file": ("cases.csv", cases_file(1), "text/csv")})
        assert first.status_code == 200, first.text
        for files in ({"file": ("cases.csv", b"", "text/csv")}, None):
            again = office.post("/office/import", data=form, files=files)
            assert again.status_code == 409 and "This file was already imported at" in _text(again.text)


@pytest.mark.parametrize(("lang", "words"), [
    ("en", "Nothing was imported: the form sent is out of date"),
    ("lv", "Nekas netika importēts: nosūtītā veidlapa ir novecojusi"),
    ("de", "Es wurde nichts importiert: Das gesendete Formular ist veraltet"),
    ("fr", "Rien n'a été importé : le formulaire envoyé est périmé"),
    ("pl", "Nic nie zaimportowano: wysłany formularz jest nieaktualny"),
])
def test_an_import_form_without_its_one_time_id_imports_nothing_and_gives_a_form_that_has_one(
        issuer: Issuer, lang: str, words: str) -> None:
    """A form with a valid session and CSRF token but no ``import_id`` (a page opened before the guard
    came, a form made elsewhere) could be sent again unseen, each time recording its cases anew: refused
    (400, in the clerk's language), nothing recorded, and the page shown is the import form with an id."""
    recorded = case_count(issuer)
    with signed_in(issuer) as office:
        form = office_form(office.get("/office/import", params={"lang": lang}).text)
        files = {"file": ("cases.csv", cases_file(1), "text/csv")}
        for sent in ({"csrf": form["csrf"]}, {"csrf": form["csrf"], "import_id": ""}):
            refused = office.post("/office/import", params={"lang": lang}, data=sent, files=files)
            assert refused.status_code == 400 and refused.headers["cache-control"] == "no-store"
            assert f'<p class="error" role="alert" id="error">{words}' in refused.text.replace("&#39;", "'")
            assert case_count(issuer) == recorded
        fresh = office_form(refused.text)
        assert fresh["import_id"] != form["import_id"]
        imported = office.post("/office/import", params={"lang": lang}, data=fresh, files=files)
    assert imported.status_code == 200, imported.text
    assert case_count(issuer) == recorded + 1


@pytest.mark.parametrize(("lang", "words", "box"), [
    ("en", "This exact file was already imported at {at} (UTC): 2 rows imported, 0 rejected.",
     "Import this file again: I know it was imported before"),
    ("lv", "Tieši šis fails jau tika importēts {at} (UTC): importētas 2 rindas, noraidītas 0.",
     "Importēt šo failu vēlreiz: zinu, ka tas jau tika importēts"),
    ("de", "Genau diese Datei wurde bereits am {at} (UTC) importiert: 2 Zeilen importiert, 0 abgelehnt.",
     "Diese Datei erneut importieren: Ich weiß, dass sie bereits importiert wurde"),
    ("fr", "Ce fichier exact a déjà été importé le {at} (UTC) : 2 lignes importées, 0 rejetées.",
     "Importer ce fichier à nouveau : je sais qu'il a déjà été importé"),
    ("pl", "Dokładnie ten plik został już zaimportowany {at} (UTC): zaimportowano 2 wierszy, odrzucono 0.",
     "Zaimportuj ten plik ponownie: wiem, że został już zaimportowany"),
])
def test_the_same_file_imported_again_on_a_new_form_records_nothing_until_the_clerk_confirms_it(
        issuer: Issuer, lang: str, words: str, box: str) -> None:
    """A clerk importing the same export twice (a day apart, each time from a new form): the second time
    records nothing and says, in the clerk's language, when this exact file was imported and how many rows
    were (409); the form is shown again with a box to tick, and the file is imported again only with it."""
    files = {"file": ("cases.csv", cases_file(2), "text/csv")}
    with signed_in(issuer) as office:
        def new_form() -> dict[str, str]:
            return office_form(office.get("/office/import", params={"lang": lang}).text)

        first = office.post("/office/import", params={"lang": lang}, data=new_form(), files=files)
        assert first.status_code == 200, first.text
        at = datetime.now(UTC)
        recorded = case_count(issuer)
        asked = office.post("/office/import", params={"lang": lang}, data=new_form(), files=files)
        assert asked.status_code == 409 and asked.headers["cache-control"] == "no-store"
        shown = _text(asked.text)
        assert any(words.format(at=f"{when:%Y-%m-%d %H:%M}") in shown for when in (at, at - timedelta(minutes=1))), \
            shown
        assert '<input type="checkbox" name="again" id="again" value="true"' in asked.text and box in shown
        assert case_count(issuer) == recorded
        unticked = office.post("/office/import", params={"lang": lang}, data=office_form(asked.text), files=files)
        assert unticked.status_code == 409 and case_count(issuer) == recorded
        confirmed = office.post("/office/import", params={"lang": lang},
                                data={**office_form(unticked.text), "again": "true"}, files=files)
    assert confirmed.status_code == 200, confirmed.text
    assert 'id="summary"' in confirmed.text and 'name="again"' not in confirmed.text
    assert case_count(issuer) == recorded + 2


def test_a_file_refused_whole_is_refused_alike_when_sent_again(issuer: Issuer) -> None:
    """Nothing of a file refused whole (a number already given) was recorded: its id is not spent, and the
    same form sent again is told the same refusal, not that the file was imported."""
    with clerk_api(issuer) as api:
        given = api.post("/import", files={"file": ("cases.csv", cases_file(1), "text/csv")}).json()["rows"][0]
    with signed_in(issuer) as office:
        page = office.get("/office/import").text
        files = {"file": ("cases.csv", cases_file(1, document_number=given["label"]), "text/csv")}
        first = office.post("/office/import", data=office_form(page), files=files)
        second = office.post("/office/import", data=office_form(page), files=files)
    assert first.status_code == second.status_code == 409
    for refused in (first, second):
        assert "Nothing was imported" in refused.text and "already imported" not in refused.text
    assert office_form(first.text)["import_id"] != office_form(page)["import_id"]  # the page shown again: a new form


# --- the API ------------------------------------------------------------------------------------------


def test_an_api_retry_with_the_same_key_and_file_records_nothing_and_gets_the_first_answer_again(
        issuer: Issuer) -> None:
    """draft-ietf-httpapi-idempotency-key-header: a retry (after a timeout) with the same key and the same
    file is answered as the first request was (200, the same JSON), marked ``Idempotent-Replayed``."""
    key = "8e03978e-40d5-43e8-bc93-6894a57f9324"
    data = cases_file(2)
    with clerk_api(issuer) as api:
        def send(key: str | None, data: bytes = data) -> httpx.Response:
            return api.post("/import", headers={"Idempotency-Key": key} if key is not None else {},
                            files={"file": ("cases.csv", data, "text/csv")})

        first = send(f'"{key}"')  # the draft's sf-string
        assert first.status_code == 200 and first.json()["imported"] == 2, first.text
        assert "idempotent-replayed" not in first.headers
        recorded = case_count(issuer)
        for _ in range(2):
            retried = send(key)  # bare, as many clients send it: the same key
            assert retried.status_code == 200 and retried.headers["idempotent-replayed"] == "true"
            assert retried.json() == first.json()
        assert case_count(issuer) == recorded

        assert send("another-key", cases_file(2)).status_code == 200  # another import
        assert send(None, cases_file(2)).status_code == 200  # no key: an import of its own
        assert case_count(issuer) == recorded + 4
        for bad in ('""', "a,b", "x" * 256, '"unterminated'):
            refused = send(bad, cases_file(1))
            assert refused.status_code == 400 and "Idempotency-Key" in refused.json()["error_description"], bad
        twice = api.post("/import", headers=[("Idempotency-Key", "k1"), ("Idempotency-Key", "k2")],
                         files={"file": ("cases.csv", cases_file(1), "text/csv")})
        assert twice.status_code == 400
        assert case_count(issuer) == recorded + 4


def test_an_api_retry_with_the_same_key_and_another_file_is_a_422_recording_nothing(issuer: Issuer) -> None:
    """draft-ietf-httpapi-idempotency-key-header, Error Scenarios: a key reused with another request
    payload is answered 422, with a JSON error naming the import the key made."""
    with clerk_api(issuer) as api:
        first = api.post("/import", headers={"Idempotency-Key": "file-of-monday"},
                         files={"file": ("cases.csv", cases_file(1), "text/csv")})
        assert first.status_code == 200, first.text
        recorded = case_count(issuer)
        for again in ("false", "true"):
            reused = api.post("/import", headers={"Idempotency-Key": "file-of-monday"}, params={"again": again},
                              files={"file": ("cases.csv", cases_file(3), "text/csv")})
            assert reused.status_code == 422 and reused.headers["cache-control"] == "no-store"
            body = reused.json()
            assert (body["error"], body["rule_key"]) == ("invalid_request", "csv.key_reused")
            assert body["import"] == {"at": body["import"]["at"], "finished": True, "imported": 1, "rejected": 0}
            assert body["error_description"].startswith("this key was used at ")
            assert body["error_description"].endswith("for an import of another file; nothing was recorded: send "
                                                       "each file under a key of its own")
    assert case_count(issuer) == recorded


def test_an_api_retry_of_an_import_still_running_is_a_409_and_with_another_file_a_422(tmp_path: Path) -> None:
    """draft-ietf-httpapi-idempotency-key-header-06 §2.6: the first request still being processed (its
    claim recorded, its counts not yet), a retry with the same key gets 409 ``csv.import_unfinished``."""
    import sqlalchemy as sa

    running = cases_file(2)
    with started_issuer(tmp_path) as started:
        engine = sa.create_engine(IssuerSettings(data_dir=tmp_path).db_url("issuer.db"))
        digest = hashlib.sha256(running).hexdigest()
        # What the first request's claim left while its rows are recorded.
        insert_import(engine, id_hash=hashlib.sha256(b"slow-file").hexdigest(), at=datetime.now(UTC),
                      file_hash=digest, file_claim=digest)
        engine.dispose()
        before = case_count(started)
        with clerk_api(started) as api:
            def send(data: bytes) -> httpx.Response:
                return api.post("/import", headers={"Idempotency-Key": "slow-file"},
                                files={"file": ("cases.csv", data, "text/csv")})

            retried = send(running)
            assert retried.status_code == 409, retried.text
            assert (retried.json()["rule_key"], retried.json()["import"]["finished"]) == ("csv.import_unfinished",
                                                                                        False)
            other = send(cases_file(1))
            assert other.status_code == 422 and other.json()["rule_key"] == "csv.key_reused"
        assert case_count(started) == before


def imported_twice(data_dir: Path, institution: str, data: bytes) -> tuple[httpx.Response, httpx.Response, str]:
    """``data`` sent twice to ``institution``'s import API under one Idempotency-Key (an issuer started in
    ``data_dir``): the first answer, the replayed one, and what the imports' records keep of it."""
    import sqlalchemy as sa

    with started_issuer(data_dir) as (handle, _vsaa):
        token = json.loads((data_dir / "issuer" / "clerk-tokens.json").read_text())[institution]
        path = institution.lower().replace(":", "-")
        with httpx.Client(base_url=f"{handle.url}/{path}/api", headers={"Authorization": f"Bearer {token}"},
                          timeout=30) as api:
            first, replayed = (api.post("/import", headers={"Idempotency-Key": "one-file"},
                                        files={"file": ("cases.csv", data, "text/csv")}) for _ in range(2))
        engine = sa.create_engine(IssuerSettings(data_dir=data_dir).db_url("issuer.db"))
        kept = str(selected(engine, "SELECT outcome FROM issuer_imports"))
        engine.dispose()
    return first, replayed, kept


def test_a_replayed_answer_names_each_refused_row_by_its_field_and_rule_key_only(tmp_path: Path) -> None:
    """What is kept to answer a retry is the report's lines, cases and rule keys: a refused row's rule text,
    parameters and problems may quote the file's cells (someone's name or birth date), and are not kept."""
    good, bad = cases_file(1), cases_file(1, **{"holder.birthdate": "1990-02-31"})
    data = good + bad.split(b"\n", 1)[1]  # one row imported, one refused
    first, replayed, kept = imported_twice(tmp_path, "LV:VSAA", data)
    assert first.status_code == replayed.status_code == 200 and replayed.headers["idempotent-replayed"] == "true"
    refused = first.json()["rows"][1]
    assert refused["ok"] is False and {"rule", "rule_params", "problems"} <= set(refused), refused
    assert {**replayed.json(), "rows": None} == {**first.json(), "rows": None}
    assert replayed.json()["rows"] == [first.json()["rows"][0], {"row": 3, "ok": False, "field": refused["field"],
                                                                 "rule_key": refused["rule_key"]}]
    for cell in ("1990-02-31", "Paraugs", "Jānis", "1990-01-01", "DEMO-010190-99999"):
        assert cell not in kept, cell


def test_the_same_file_sent_to_the_api_again_records_nothing_and_names_the_first_import_unless_again_is_true(
        issuer: Issuer) -> None:
    """Without a key or under a new one, a file an import of the last 7 days brought is refused (409
    ``csv.same_file``, ``import`` naming when it was made and its counts); ``again=true`` imports it."""
    data = cases_file(2)
    with clerk_api(issuer) as api:
        def send(**options: Any) -> httpx.Response:
            return api.post("/import", files={"file": ("cases.csv", data, "text/csv")}, **options)

        assert send().status_code == 200
        recorded = case_count(issuer)
        for headers in ({}, {"Idempotency-Key": "a-new-key"}):
            refused = send(headers=headers)
            assert refused.status_code == 409 and refused.headers["cache-control"] == "no-store"
            body = refused.json()
            assert (body["error"], body["rule_key"]) == ("invalid_request", "csv.same_file")
            assert body["import"] == {"at": body["import"]["at"], "finished": True, "imported": 2, "rejected": 0}
            assert abs(datetime.fromisoformat(body["import"]["at"]) - datetime.now(UTC)) < timedelta(minutes=1)
            assert body["error_description"].startswith("this file (the same content) was already imported at ")
            assert body["error_description"].endswith("to import it again all the same, send it again with again=true")
        assert send(params={"again": "maybe"}).status_code == 400
        assert case_count(issuer) == recorded
        again = send(params={"again": "true"}, headers={"Idempotency-Key": "a-new-key"})  # not spent by its refusal
        assert again.status_code == 200 and again.json()["imported"] == 2, again.text
        assert case_count(issuer) == recorded + 2
        assert send().json()["rule_key"] == "csv.same_file"  # and a third time, asked again


def test_a_file_whose_import_recorded_no_case_is_imported_again_unasked(issuer: Issuer) -> None:
    """Nothing would be recorded twice: a file all of whose rows were refused is no reason to ask."""
    data = cases_file(2, **{"holder.birthdate": "not a date"})
    with clerk_api(issuer) as api:
        for _ in range(2):
            answer = api.post("/import", files={"file": ("cases.csv", data, "text/csv")})
            assert answer.status_code == 200 and (answer.json()["imported"], answer.json()["rejected"]) == (0, 2)


def sent_at_once(issuer: Issuer, data: bytes, *headers: dict[str, str]) -> list[httpx.Response]:
    """The file ``data`` sent to the import API by one request per ``headers``, all at the same moment."""
    start = threading.Barrier(len(headers))
    answers: list[httpx.Response] = []

    def send(sent: dict[str, str]) -> None:
        with clerk_api(issuer) as api:
            start.wait()
            answers.append(api.post("/import", headers=sent, files={"file": ("cases.csv", data, "text/csv")}))

    senders = [threading.Thread(target=send, args=(sent,)) for sent in headers]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(60)
    return answers


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_two_requests_sent_at_once_with_one_file_and_no_confirmation_make_one_import(
        database: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Two clerks (or a client and its retry without a key) bringing one file at the same moment, each under
    an id of its own: one imports it, the others are told of that import, whichever worker serves them."""
    url = None if database == "sqlite" else request.getfixturevalue("postgres_url")  # skips without a server
    with started_issuer(tmp_path, url) as started:
        before = case_count(started)
        answers = sent_at_once(started, cases_file(5), {}, {}, {"Idempotency-Key": "one"}, {"Idempotency-Key": "two"})
        assert sorted(a.status_code for a in answers) == [200, 409, 409, 409], [a.text for a in answers]
        for refused in (a.json() for a in answers if a.status_code == 409):
            assert refused["rule_key"] in ("csv.same_file", "csv.same_file_unfinished")
            assert refused["import"]["finished"] == (refused["rule_key"] == "csv.same_file")
        assert case_count(started) == before + 5


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_two_requests_sent_at_once_with_one_key_make_one_import(database: str, tmp_path: Path,
                                                                 request: pytest.FixtureRequest) -> None:
    """One import; each other request is told it runs (409), or, once it finished, gets its answer again."""
    url = None if database == "sqlite" else request.getfixturevalue("postgres_url")  # skips without a server
    with started_issuer(tmp_path, url) as started:
        before = case_count(started)
        answers = sent_at_once(started, cases_file(5), *[{"Idempotency-Key": "one-file"}] * 4)
        made = [a for a in answers if a.status_code == 200 and "idempotent-replayed" not in a.headers]
        assert len(answers) == 4 and len(made) == 1, [a.text for a in answers]
        for other in answers:
            if other is made[0]:
                continue
            if other.status_code == 200:
                assert other.headers["idempotent-replayed"] == "true" and other.json() == made[0].json()
            else:
                assert other.status_code == 409, other.text
                assert (other.json()["rule_key"], other.json()["import"]["finished"]) == ("csv.import_unfinished",
                                                                                        False)
        assert case_count(started) == before + 5


# --- what is kept, and for how long -------------------------------------------------------------------


def test_an_import_id_and_its_file_are_kept_as_hashes_without_the_rows_and_forgotten_after_seven_days(
        tmp_path: Path) -> None:
    """Only the id's and the file's SHA-256, the institution, when, who and the counts (issuer.db.ImportRecord);
    deleted by the daily housekeeping (IssuerService.purge_expired) once its import is more than 7 days old,
    after which the same file is imported unasked."""
    from esspass.db import make_engine
    from esspass.migrate import upgrade
    from issuer.app import MIGRATIONS
    from issuer.db import ImportRecord
    from issuer.institutions import demo_institutions
    from issuer.service import ImportRepeated, IssuerService, SameFile, import_once

    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}")
    upgrade(engine, MIGRATIONS)
    clock = [datetime.now(UTC)]
    service = IssuerService(engine, demo_institutions(tmp_path / "pki", "http://127.0.0.1:1", now=clock[0]),
                            clock=lambda: clock[0])
    vsaa, drv = service.institution("lv-vsaa"), service.institution("de-drv")
    data = cases_file(2)
    rows, digest = list(csv.DictReader(io.StringIO(data.decode()))), hashlib.sha256(data).hexdigest()
    try:
        report = import_once(service, vsaa, rows, import_id="file-1", file_hash=digest, actor="clerk:LV:VSAA/anna")
        assert [r["ok"] for r in report] == [True, True]
        with service.sessions() as s:
            kept = [(r.entity_id, r.id_hash, r.file_hash, r.actor, r.imported, r.rejected)
                    for r in s.query(ImportRecord)]
        assert kept == [("LV:VSAA", hashlib.sha256(b"file-1").hexdigest(), digest, "clerk:LV:VSAA/anna", 2, 0)]
        with pytest.raises(ImportRepeated) as repeated:
            import_once(service, vsaa, rows, import_id="file-1", file_hash=digest, actor="clerk:LV:VSAA/anna")
        assert repeated.value.replay is None  # the office's import keeps no answer: it is refused (409)
        with pytest.raises(SameFile):
            import_once(service, vsaa, rows, import_id="file-2", file_hash=digest, actor="clerk:LV:VSAA/anna")
        clock[0] += timedelta(days=7)
        service.purge_expired()
        with pytest.raises(ImportRepeated):  # nor through purge before its week is over
            import_once(service, vsaa, rows, import_id="file-1", file_hash=digest, actor="clerk:LV:VSAA/anna")
        with pytest.raises(SameFile):
            import_once(service, vsaa, rows, import_id="file-2", file_hash=digest, actor="clerk:LV:VSAA/anna")
        clock[0] += timedelta(seconds=1)
        assert service.purge_expired() >= 1
        with service.sessions() as s:
            assert s.query(ImportRecord).count() == 0
        import_once(service, vsaa, rows, import_id="file-2", file_hash=digest, actor="clerk:LV:VSAA/anna")  # unasked
        # The id and the file are the institution's own: another's import of them is its own (its rows
        # refused, as the template's are LV:VSAA's), told nothing of the first.
        assert [r["ok"] for r in import_once(service, drv, rows, import_id="file-2", file_hash=digest,
                                             actor="clerk:DE:DRV")] == [False, False]
    finally:
        engine.dispose()


# --- the schema -----------------------------------------------------------------------------------------


@contextmanager
def schema_at(revision: str, database: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """An engine on a fresh issuer database (SQLite, or PostgreSQL where ESSPASS_TEST_POSTGRES_URL is set,
    else skipped) migrated to ``revision``."""
    from esspass.db import make_engine
    from esspass.migrate import upgrade
    from issuer.app import MIGRATIONS

    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}" if database == "sqlite"
                         else request.getfixturevalue("postgres_url"))
    try:
        upgrade(engine, MIGRATIONS, revision=revision)
        yield engine
    finally:
        engine.dispose()


def migrate(engine: Any, revision: str, *, down: bool = False) -> None:
    """The issuer's schema upgraded, or with ``down`` downgraded, to ``revision``."""
    from alembic import command
    from alembic.config import Config

    from esspass.migrate import upgrade
    from issuer.app import MIGRATIONS

    if not down:
        upgrade(engine, MIGRATIONS, revision=revision)
        return
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def import_columns(engine: Any) -> set[str]:
    import sqlalchemy as sa

    return {c["name"] for c in sa.inspect(engine).get_columns("issuer_imports")}


def selected(engine: Any, query: str) -> list[tuple[Any, ...]]:
    import sqlalchemy as sa

    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(query))]


def insert_import(engine: Any, **values: Any) -> None:
    """A row of ``issuer_imports`` as an older schema holds it (LV:VSAA's, made on 5 January 2026)."""
    import sqlalchemy as sa

    row = {"entity_id": "LV:VSAA", "at": datetime(2026, 1, 5, tzinfo=UTC), "actor": "clerk:LV:VSAA", **values}
    with engine.begin() as conn:
        conn.execute(sa.insert(sa.table("issuer_imports", *(sa.column(name) for name in row))).values(**row))


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_migration_0022_adds_the_imports_table_and_its_downgrade_removes_it(
        database: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    import sqlalchemy as sa

    with schema_at("0021", database, tmp_path, request) as engine:
        assert "issuer_imports" not in sa.inspect(engine).get_table_names()
        migrate(engine, "0022")
        assert import_columns(engine) == {"entity_id", "id_hash", "at", "actor", "imported", "rejected"}
        assert sa.inspect(engine).get_pk_constraint("issuer_imports")["constrained_columns"] == ["entity_id",
                                                                                                  "id_hash"]
        migrate(engine, "0021", down=True)
        assert "issuer_imports" not in sa.inspect(engine).get_table_names()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_migration_0023_adds_the_file_hash_and_its_downgrade_removes_it_keeping_the_imports(
        database: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    import sqlalchemy as sa

    with schema_at("0022", database, tmp_path, request) as engine:
        insert_import(engine, id_hash="a" * 64, imported=2, rejected=0)
        migrate(engine, "0023")
        assert {"file_hash", "file_claim"} <= import_columns(engine)
        unique = {i["name"]: i["unique"] for i in sa.inspect(engine).get_indexes("issuer_imports")}
        assert unique["ix_issuer_imports_file_claim"] and not unique["ix_issuer_imports_file"]
        # An import recorded before: no file to compare.
        assert selected(engine, "SELECT file_hash, file_claim FROM issuer_imports") == [(None, None)]
        migrate(engine, "0022", down=True)
        assert not {"file_hash", "file_claim"} & import_columns(engine)
        assert selected(engine, "SELECT entity_id, id_hash, imported FROM issuer_imports") == [("LV:VSAA", "a" * 64, 2)]


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_migration_0024_adds_the_kept_answer_and_its_downgrade_removes_it_keeping_the_imports(
        database: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    with schema_at("0023", database, tmp_path, request) as engine:
        insert_import(engine, id_hash="a" * 64, imported=2, rejected=0, file_hash="b" * 64)
        migrate(engine, "0024")
        # An import recorded before: no answer to send again (a retry: 409).
        assert selected(engine, "SELECT outcome FROM issuer_imports") == [(None,)]
        migrate(engine, "0023", down=True)
        assert "outcome" not in import_columns(engine)
        assert selected(engine, "SELECT id_hash, file_hash FROM issuer_imports") == [("a" * 64, "b" * 64)]


def test_a_replayed_pid_import_keeps_no_holders_name_and_answers_with_the_cases_label(tmp_path: Path) -> None:
    """A PID without a document number is labelled by its holder's name (issuer.service ``_new_case``):
    what is kept to answer a retry names its case, whose label is read again from the case, never the
    name copied into the import's record (issuer.db.ImportRecord keeps no cell of the file)."""
    data = ("configuration_id,family_name,given_name,birthdate,nationalities[],place_of_birth.country,"
            "personal_administrative_number,issuing_authority,issuing_country,date_of_expiry\n"
            "pid,Parauga,Ilze,1990-05-17,LV,LV,DEMO-170590-99999,Demo PID nodrošinātājs,LV,"
            f"{(datetime.now(UTC) + timedelta(days=700)).date().isoformat()}\n").encode()
    first, replayed, kept = imported_twice(tmp_path, "LV:PID", data)
    assert first.status_code == 200 and first.json()["imported"] == 1, first.text
    assert first.json()["rows"][0]["label"] == "Ilze Parauga"  # the clerk's answer names the case as it is
    assert replayed.headers["idempotent-replayed"] == "true" and replayed.json() == first.json()
    for cell in ("Ilze", "Parauga"):
        assert cell not in kept, cell
