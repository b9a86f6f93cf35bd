"""A reviewer followed the README as a new operator: findings 10, 11, 12, 13, 15 and 16b, one test
each (11 in its four parts), over real HTTP on loopback where the finding was seen there.

10: the issuer's shared token is refused approval for its own reason (API and back office);
11: the terminal wallet's words (an offer's documents once, ``qr`` of an unknown id, the A1's status
code in words under a label of its own, what to run after a deferral); 12: ``may_request`` claim
names the project knows the type of; 13: the status-lists admin body and seeding keeping an
operator's value; 15: docs/ARCHITECTURE.md against the code; 16b: an empty CSV import, the file limit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import test_issuer_approval
import test_wallet_deferred
from test_import_templates import vsaa_template
from test_issuer_approval import ANNA, SHARED, _api, _made, _office
from test_issuer_office import _csrf
from test_wallet_deferred import PERSON, World

from credentials import ehic, pda1, pid
from credentials.errors import DataError
from credentials.institutions import Entity, Role
from credentials.pki import create_entity_ca, load_demo_pki
from esspass.cli import main as esspass_main
from esspass.db import make_engine
from esspass.testing import ServerHandle, office_form, serve
from trust_registry.app import create_app as registry_app
from trust_registry.seed import seed, seed_data_dir
from trust_registry.settings import READ, WRITE, RegistrySettings
from trust_registry.store import Registry
from wallet.cli import main as wallet_main

ROOT = Path(__file__).resolve().parent.parent

#: The issuer with named clerks and approval at LV:VSAA (test_issuer_approval), one per module.
pki_dir = test_issuer_approval.pki_dir
issuer = test_issuer_approval.issuer
#: The real issuer with approval, a registry and a verifier (test_wallet_deferred), one per module.
world = test_wallet_deferred.world


# --- 10: the shared token's approval ------------------------------------------------------------------------


def test_10_the_shared_token_is_refused_approval_because_its_holder_may_be_the_recorder(
        issuer: ServerHandle) -> None:
    with _api(issuer, ANNA) as anna, _api(issuer, SHARED) as shared, _office(issuer, SHARED) as office:
        case = _made(anna)
        refused = shared.post(f"/cases/{case['id']}/approve")
        assert (refused.status_code, refused.json()["error"]) == (403, "access_denied"), refused.text
        said = refused.json()["error_description"]
        assert "shared token" in said and "may be the clerk who recorded" in said, said
        assert "not by the one who recorded it" not in said  # that one is the recording clerk's reason
        own = anna.post(f"/cases/{case['id']}/approve").json()["error_description"]
        assert "not by the one who recorded it" in own and "shared token" not in own
        # The back office says it in the clerk's language, when the form is posted all the same.
        posted = office.post(f"/cases/{case['id']}/approve", params={"lang": "lv"},
                             data={"csrf": _csrf(office.get("/cases").text)})
        assert posted.status_code == 403 and "var būt tas pats darbinieks, kas reģistrēja" in posted.text
        shown = office.get(f"/cases/{case['id']}", params={"lang": "de"}).text
        assert "kann den Fall selbst erfasst haben" in shown
        assert anna.get(f"/cases/{case['id']}").json()["approval"] == "awaiting"


# --- 11: the terminal wallet's words --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def terminal(world: World) -> Iterator[dict[str, Any]]:
    """A terminal wallet (in this process) that took a PID and, deferred, an A1 of the approving
    institution: what ``receive`` printed for the A1, the A1's and the PID's card ids."""
    env = {"ESSPASS_DATA_DIR": str(world.data_dir / "terminal-words"),
           "ESSPASS_WALLET_PKI_DIR": str(world.data_dir / "pki"), "ESSPASS_REGISTRY_URL": world.registry_url,
           "ESSPASS_WALLET_ALLOW_LOOPBACK_HTTP": "true", "ESSPASS_WALLET_SCRYPT_N": "1024",
           "ESSPASS_WALLET_PASSPHRASE": "correct horse battery"}
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        assert wallet_main(["init"]) == 0
        _, pid_link, pid_tx = world.offer("lv-pid", "pid", dict(PERSON.pid))
        assert wallet_main(["receive", pid_link, "--tx-code", pid_tx]) == 0
        case_id, link, tx = world.offer()
        received = _run(["--lang", "en", "receive", link, "--tx-code", tx])
        world.approve(case_id)
        assert _run(["fetch-pending", "--now"])[0] == 0
        listing = _run(["--lang", "en", "list"])[1]
        groups = dict(re.findall(r"^\[([^\]]+)\] (Portable Document A1|Person identification data)", listing, re.M))
        yield {"received": received, "a1": _group(groups, "Portable Document A1"),
               "pid": _group(groups, "Person identification data"), "world": world}


def _group(groups: dict[str, str], title: str) -> str:
    return next(group for group, name in groups.items() if name == title)


def _run(argv: list[str]) -> tuple[int, str, str]:
    """``esspass wallet ARGV`` in this process: (exit code, stdout, stderr)."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = wallet_main(argv)
    return code, out.getvalue(), err.getvalue()


def test_11a_an_offer_names_each_document_once_not_once_per_form(terminal: dict[str, Any]) -> None:
    code, out, _ = terminal["received"]
    assert code == 0
    offered = [line for line in out.splitlines() if line.startswith("  - ")]
    assert offered == ["  - Portable Document A1"], out  # offered as SD-JWT VC and as ISO mdoc


def test_11b_qr_of_an_unknown_id_says_there_is_no_such_document(terminal: dict[str, Any]) -> None:
    code, out, err = _run(["--lang", "en", "qr", "no-such-id"])
    assert code == 1 and "no such document" in err and "no offline QR form" not in err, (out, err)
    code, _, err = _run(["--lang", "en", "qr", terminal["pid"]])  # a PID has no offline form
    assert code == 1 and "no offline QR form" in err, err
    assert _run(["--lang", "en", "qr", terminal["a1"]])[0] == 0


def test_11c_show_and_present_say_what_the_status_code_means_under_a_label_of_its_own(
        terminal: dict[str, Any]) -> None:
    assert _run(["--lang", "en", "status", terminal["a1"]])[0] == 0
    _, shown, _ = _run(["--lang", "en", "show", terminal["a1"]])
    assert re.search(r"^Status: Valid", shown, re.M), shown
    assert re.search(r"^\s*Work situation: posted employed person \(01\)$", shown, re.M), shown
    assert len(re.findall(r"^\s*Status:", shown, re.M)) == 1 and "Status: 01" not in shown
    _, shown_lv, _ = _run(["--lang", "lv", "show", terminal["a1"]])
    assert "Darba situācija: norīkots darba ņēmējs (01)" in shown_lv, shown_lv

    from esspass.stack import Inspector, InspectorAuth, inspector_token

    world: World = terminal["world"]
    with httpx.Client(timeout=20, auth=InspectorAuth(inspector_token(world.data_dir))) as http:
        request = Inspector(world.verifier_url, http).request("pda1")
    code, asked, _ = _run(["--lang", "en", "present", request["link"], "--no"])
    assert code == 3, asked
    assert "- Work situation: posted employed person (01)" in asked and "Status: 01" not in asked, asked


def test_11d_after_a_deferral_the_terminal_says_what_to_run(terminal: dict[str, Any]) -> None:
    _, out, _ = terminal["received"]
    assert "must approve this document first" in out
    assert "esspass wallet fetch-pending" in out and "as soon as it is approved" not in out, out


# --- 12 and 13: the registry ---------------------------------------------------------------------------------

ADMIN = "registry-admin-token-for-review"


@pytest.fixture
def registry_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A seeded registry's data directory, the one ``esspass registry ...`` works on here."""
    seed_data_dir(tmp_path, issuer_url="http://127.0.0.1:8102")
    monkeypatch.setenv("ESSPASS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("ESSPASS_REGISTRY_DATABASE_URL", raising=False)
    return tmp_path


@pytest.fixture
def registry_server(registry_home: Path) -> Iterator[httpx.Client]:
    settings = RegistrySettings(data_dir=registry_home, admin_tokens={ADMIN: [READ, WRITE, "name:ops"]})
    with serve(registry_app(settings)) as handle, \
            httpx.Client(base_url=handle.url, timeout=10, headers={"Authorization": f"Bearer {ADMIN}"}) as http:
        yield http


def _registry(data_dir: Path) -> Registry:
    return Registry(make_engine(f"sqlite:///{data_dir / 'registry.db'}"))


def test_12_may_request_refuses_claim_names_its_known_type_does_not_have(
        registry_home: Path, registry_server: httpx.Client, capsys: pytest.CaptureFixture[str],
        tmp_path_factory: pytest.TempPathFactory) -> None:
    registry = _registry(registry_home)
    before = registry.show("AT:FINPOL")["may_request"]
    sequence = registry.sequence()
    # The command line: one line naming the unknown claims and the type.
    bad = {pda1.VCT: ["document_number", "no_such_claim", "employer.name"]}
    assert esspass_main(["registry", "may-request", "AT:FINPOL", json.dumps(bad)]) == 1
    said = capsys.readouterr().err.strip()
    assert len(said.splitlines()) == 1 and "no_such_claim" in said and "employer.name" in said, said
    assert pda1.VCT in said, said
    # The admin API: 400 invalid_request, as JSON.
    answer = registry_server.put("/admin/entities/AT:FINPOL/may-request",
                                 json={"may_request": {pid.VCT: ["family_name", "shoe_size"]}})
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_request", answer.text
    assert "shoe_size" in answer.json()["error_description"] and pid.VCT in answer.json()["error_description"]
    assert registry.show("AT:FINPOL")["may_request"] == before and registry.sequence() == sequence
    # What the types define is accepted: a PID's mdoc element name, an EHIC's subject, an A1's
    # DC4EU v1.1 work_information.
    good = {pda1.VCT: ["document_number", "work_information", "status_confirmation"],
            pid.VCT: ["family_name", "birth_date"], ehic.VCT: ["subject", "date_of_expiry"]}
    accepted = registry_server.put("/admin/entities/AT:FINPOL/may-request", json={"may_request": good})
    assert accepted.status_code == 200, accepted.text
    # ``esspass registry add`` by the same rule.
    inspectorate = Entity("EE:TI", "EE", "Tööinspektsioon", "Labour Inspectorate", frozenset({Role.VERIFIER}),
                         "ee-ti")
    _, ca = create_entity_ca(inspectorate, now=datetime.now(UTC))
    pem = tmp_path_factory.mktemp("ca") / "ca.pem"
    from cryptography.hazmat.primitives import serialization

    pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    add = ["registry", "add", "--id", "EE:TI", "--country", "EE", "--name", "Tööinspektsioon", "--role", "verifier",
           "--ca-pem", str(pem)]
    assert esspass_main([*add, "--may-request", json.dumps({ehic.VCT: ["subject", "blood_group"]})]) == 1
    said = capsys.readouterr().err
    assert "blood_group" in said and ehic.VCT in said and "Traceback" not in said
    assert "EE:TI" not in [e.id for e in registry.list_entities()]
    assert esspass_main([*add, "--may-request", json.dumps({ehic.VCT: ["subject"]})]) == 0
    # At the store, the rule names the claims and the type.
    with pytest.raises(DataError) as refused:
        registry.set_may_request("EE:TI", {pid.VCT: ["given_name", "no_such_claim"]}, who="test")
    assert refused.value.field == "may_request" and "no_such_claim" in refused.value.rule
    assert refused.value.rule.startswith(f"{pid.VCT} has no claim named no_such_claim (")


def test_13_the_status_lists_body_is_status_lists_and_seeding_keeps_the_operators_value(
        registry_home: Path, registry_server: httpx.Client) -> None:
    url = "/admin/entities/LV:VSAA/status-lists"
    mine = "https://issuer.vsaa.example.lv/lv-vsaa/status-lists"
    answer = registry_server.put(url, json={"status_lists": mine})
    assert answer.status_code == 200 and answer.json()["status_lists"] == mine, answer.text
    older = "https://issuer.vsaa.example.lv/vsaa/status-lists"
    assert registry_server.put(url, json={"uri": older}).json()["status_lists"] == older  # as before
    missing = registry_server.put(url, json={})
    assert missing.status_code == 400 and "status_lists" in missing.json()["error_description"], missing.text
    assert registry_server.put(url, json={"status_lists": mine}).status_code == 200
    # Seeding (every ``esspass up``) follows a moved demo issuer, but keeps what an operator set.
    registry = _registry(registry_home)
    demo_pki = load_demo_pki(registry_home / "pki")
    seed(registry, demo_pki, issuer_url="http://127.0.0.1:9102")
    assert registry.show("LV:VSAA")["status_lists"] == mine
    assert registry.show("LV:NVD")["status_lists"] == "http://127.0.0.1:9102/lv-nvd/status-lists"
    readme = (ROOT / "README.md").read_text("utf-8")
    assert '`{"status_lists": "<uri>"}`' in readme and '`{"uri": "<uri>"}`' in readme


# --- 15: docs/ARCHITECTURE.md --------------------------------------------------------------------------------


def test_15_the_architecture_names_what_the_code_has() -> None:
    import credentials.compact
    import credentials.qr_picture
    import credentials.verification
    import wallet.qr

    doc = (ROOT / "docs" / "ARCHITECTURE.md").read_text("utf-8")
    for name in ("issue_compact", "present_compact", "paper_qr", "parse_qr", "verify_compact", "qr_png"):
        assert f"`{name}`" in doc or f"compact.{name}" in doc, name
        assert name in credentials.compact.__all__, name
    assert "decode_qr_png" not in doc
    assert "qr_picture.read_qr" in doc and "wallet.qr.decode_qr" in doc
    assert hasattr(credentials.qr_picture, "read_qr") and hasattr(wallet.qr, "decode_qr")
    said = doc.split("### `verification`")[1].split("\n### ")[0]
    assert "verify_offline" in said and "verify_offline" in credentials.verification.__all__


# --- 16b: the CSV import -------------------------------------------------------------------------------------


def test_16b_an_empty_csv_import_is_refused_and_the_office_states_the_true_file_limit(
        issuer: ServerHandle) -> None:
    from issuer.office import MAX_UPLOAD

    header = vsaa_template().encode().splitlines(keepends=True)[0]
    with _api(issuer, ANNA) as anna, _office(issuer, ANNA) as office:
        for empty in (b"", header, b"\xef\xbb\xbf" + header + b"\r\n\r\n"):
            refused = anna.post("/import", files={"file": ("cases.csv", empty, "text/csv")})
            assert refused.status_code == 400, refused.text
            assert refused.json()["error"] == "invalid_request"
            assert "the file has no rows" in refused.json()["error_description"]
            page = office.post("/import", params={"lang": "en"}, data=office_form(office.get("/import").text),
                               files={"file": ("cases.csv", empty, "text/csv")})
            assert page.status_code == 400 and "The file has no rows" in page.text, page.text
        lv = office.post("/import", params={"lang": "lv"}, data=office_form(office.get("/import").text),
                         files={"file": ("cases.csv", header, "text/csv")})
        assert lv.status_code == 400 and "Failā nav nevienas rindas" in lv.text
        # A file over the limit, within the request body's 3 MiB: the office says the limit as it is.
        assert MAX_UPLOAD == 2 * 1024 * 1024
        big = header + b"x" * MAX_UPLOAD
        too_big = office.post("/import", params={"lang": "en"}, data=office_form(office.get("/import").text),
                              files={"file": ("cases.csv", big, "text/csv")})
        assert too_big.status_code == 400 and "2 MiB" in too_big.text and "2 MB " not in too_big.text
    readme = (ROOT / "README.md").read_text("utf-8")
    limits = " ".join(readme.split())
    assert "3 MiB for the clerks' CSV import, the file itself at most 2 MiB" in limits
