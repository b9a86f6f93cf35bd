"""Issue #5: ``esspass wallet ...`` as separate processes against the real issuer, registry and verifier."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from credentials.demo_persons import DEMO_PERSONS
from credentials.qr_picture import read_qr
from esspass.stack import Clerk, Inspector, InspectorAuth, Stack, start_in_process, unnumbered

ROOT = Path(__file__).resolve().parent.parent
PERSON = DEMO_PERSONS[2]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Path]]:
    data_dir = tmp_path_factory.mktemp("cli")
    with start_in_process(data_dir) as running:
        yield running, data_dir


def _env(stack: Stack, data_dir: Path, home: str = "phone") -> dict[str, str]:
    return {**os.environ, "ESSPASS_DATA_DIR": str(data_dir / home), "ESSPASS_WALLET_PKI_DIR": str(data_dir / "pki"),
            "ESSPASS_REGISTRY_URL": stack.registry_url, "ESSPASS_WALLET_ALLOW_LOOPBACK_HTTP": "true",
            "ESSPASS_WALLET_SCRYPT_N": "1024", "ESSPASS_WALLET_PASSPHRASE": "correct horse battery"}


def _wallet(stack: Stack, data_dir: Path, *args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "esspass.cli", "wallet", "--lang", lang, *args], cwd=ROOT,
                          env=_env(stack, data_dir), capture_output=True, text=True, timeout=120)


def test_the_wallet_from_a_terminal(stack: tuple[Stack, Path], tmp_path: Path) -> None:
    running, data_dir = stack
    assert _wallet(running, data_dir, "init").returncode == 0
    with httpx.Client(timeout=20, auth=InspectorAuth(running.inspector_token)) as http:
        clerk = Clerk(running.issuer_url, data_dir, http)
        holder = {k: PERSON.pid[k] for k in ("family_name", "given_name", "birthdate")}
        for entity, config, claims in ((PERSON.pid_provider, "pid", PERSON.pid),
                                       (PERSON.pda1_issuer, "pda1", unnumbered(PERSON.pda1))):
            offer = clerk.offer(entity, clerk.create_case(entity, config, claims, None if config == "pid" else holder))
            wrong = _wallet(running, data_dir, "receive", offer["link"], "--tx-code", "000000"
                            if offer["tx_code"] != "000000" else "111111")
            assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
            offer = clerk.offer(entity, clerk.create_case(entity, config, claims,
                                                          None if config == "pid" else holder))
            received = _wallet(running, data_dir, "receive", offer["link"], "--tx-code", offer["tx_code"])
            assert received.returncode == 0, received.stderr

        listing = _wallet(running, data_dir, "list")
        assert listing.returncode == 0
        groups = re.findall(r"^\[([0-9a-f]+)\] (.*)$", listing.stdout, re.M)
        assert len(groups) == 2
        pda1_group = next(g for g, title in groups if "A1" in title)
        shown = _wallet(running, data_dir, "show", pda1_group, lang="de")
        assert shown.returncode == 0 and "Deutschland" in shown.stdout
        status = _wallet(running, data_dir, "status", pda1_group)
        assert status.returncode == 0 and "valid" in status.stdout.lower()

        png = tmp_path / "qr.png"
        png.write_bytes(b"")  # an existing picture, readable by others, is overwritten and made private
        png.chmod(0o644)
        assert _wallet(running, data_dir, "qr", pda1_group, "--png", str(png)).returncode == 0
        assert png.stat().st_mode & 0o777 == 0o600  # it carries the worker's personal data
        qr = read_qr(png.read_bytes())
        assert http.post(f"{running.verifier_url}/api/offline/verify", json={"qr": qr}).json()["verdict"] == "valid"

        inspector = Inspector(running.verifier_url, http)
        request = inspector.request("pda1")
        shared = _wallet(running, data_dir, "present", request["link"], "--yes")
        assert shared.returncode == 0, shared.stderr
        assert "State Labour Inspectorate" in shared.stdout
        assert inspector.result(request)["verdict"]["verdict"] == "valid"
        request = inspector.request("pda1")
        declined = _wallet(running, data_dir, "present", request["link"], "--no")
        assert declined.returncode == 3 and "Nothing was shared" in declined.stdout  # 3: the worker declined
        assert inspector.result(request)["verdict"]["verdict"] == "refused"

        log = _wallet(running, data_dir, "log")
        assert log.returncode == 0 and "State Labour Inspectorate" in log.stdout
        assert log.stdout.count("Valsts darba inspekcija") >= 2 or log.stdout.count("Inspectorate") >= 2

        removed = _wallet(running, data_dir, "delete", pda1_group, "--yes")
        assert removed.returncode == 0 and "removed" in removed.stdout, removed.stderr
        remaining = re.findall(r"^\[([0-9a-f]+)\] (.*)$", _wallet(running, data_dir, "list").stdout, re.M)
        assert [g for g, _ in remaining] == [g for g, _ in groups if g != pda1_group]
        again = _wallet(running, data_dir, "delete", pda1_group, "--yes")
        assert again.returncode == 1 and "no such document" in again.stderr and "Traceback" not in again.stderr


def test_receiving_from_a_terminal_through_the_institutions_page(stack: tuple[Stack, Path]) -> None:
    """OpenID4VCI §5 from a native app: the command prints the institution's page, the worker types the
    code there in a browser (here: an HTTP client doing what the browser does), the page sends the
    browser back to the command's loopback listener (RFC 8252 §7.3), and the command stores the document."""
    running, data_dir = stack
    env = _env(running, data_dir, "phone2")
    command = [sys.executable, "-m", "esspass.cli", "wallet", "--lang", "en"]
    assert subprocess.run([*command, "init"], cwd=ROOT, env=env, capture_output=True, timeout=120).returncode == 0
    with httpx.Client(timeout=20) as browser:
        clerk = Clerk(running.issuer_url, data_dir, browser)
        case_id = clerk.create_case(PERSON.ehic_issuer, "ehic", unnumbered(PERSON.ehic), PERSON.holder)
        offer = clerk.offer(PERSON.ehic_issuer, case_id)
        with subprocess.Popen([*command, "receive", offer["link"], "--at-institution", "--wait", "60"], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
            assert process.stdout is not None
            page_url = ""
            for line in process.stdout:
                if line.startswith("http"):
                    page_url = line.strip()
                    break
            assert "/authorize?" in page_url
            page = browser.get(page_url)
            assert page.status_code == 200 and 'id="tx_code"' in page.text
            query = dict(httpx.URL(page_url).params)
            form = browser.post(page_url.split("?")[0], data={**query, "tx_code": offer["tx_code"],
                                                              "action": "authorise"})
            assert form.status_code == 303
            back = browser.get(form.headers["location"])  # the browser follows the redirect home
            assert back.status_code == 200 and "return to the terminal" in back.text
            out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert "Document added" in out and "Traceback" not in err
