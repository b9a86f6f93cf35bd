"""Wallet privacy by default (GDPR review R4, defects 1 and 3).

* Art. 25(2), data protection by default: what an inspector's request marks optional (DCQL
  ``claim_sets``, OpenID4VP §6.4.1: the PID's portrait, the A1's places of work) is offered
  unticked, each with what sharing it does for the worker; the PID's personal number, which the
  verifier needs to tie the A1 to the person (credentials/holder_link.py), is required in the query.
* Art. 13 (and Art. 12(1)): a privacy notice, linked at first use and from every page; the consent
  screen says how long the verifier keeps the check.

Everything over real HTTP on loopback (registry, issuer, verifier, the wallet's page server);
nothing of ours is mocked.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials.demo_persons import DEMO_PERSONS
from esspass.stack import Inspector, InspectorAuth, Stack, start_in_process, wallet_holding
from esspass.testing import ServerHandle, free_port, serve
from verifier.service import profile_query

PERSON = DEMO_PERSONS[0]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with start_in_process(tmp_path_factory.mktemp("privacy")) as running:
        yield running


def _wallet_page(stack: Stack, data_dir: Path, **extra: Any) -> Any:
    """The wallet's page server over the wallet in ``data_dir`` (``wallet_holding``'s: ``<data>/phone``)."""
    from wallet.app import create_app
    from wallet.settings import WalletSettings

    port = free_port()
    settings = WalletSettings(data_dir=data_dir, pki_dir=stack.data_dir / "pki", registry_url=stack.registry_url,
                              allow_loopback_http=True, scrypt_n=2**10, public_url=f"http://127.0.0.1:{port}",
                              **extra)
    return serve(create_app(settings), port=port)


def _csrf(page: str) -> str:
    return html.unescape(page.split('name="csrf" value="')[1].split('"')[0])


def _unlocked(page: httpx.Client) -> None:
    form = page.get("/unlock")
    answer = page.post("/unlock", data={"passphrase": "pw", "csrf": _csrf(form.text), "next": "/"})
    assert answer.status_code in (200, 303), answer.text[:300]


def test_gdpr_art_25_2_the_consent_screen_does_not_pre_tick_what_the_inspector_marks_optional(
        tmp_path: Path) -> None:
    """Data protection by default (Art. 25(2)): "by default, only personal data which are necessary for
    each specific purpose of the processing are processed". The consent screen offers what the request
    marks optional unticked, each with what sharing it does for the worker, and says how long the
    inspectorate keeps the check (Art. 13(2)(a)). Pressing Share as the screen stands sends only what
    is required, and the inspector still reaches a valid verdict for the demo worker, the A1 tied to
    the PID by the personal number (required now, since the link needs it)."""
    with start_in_process(tmp_path) as stack, \
            httpx.Client(timeout=30, auth=InspectorAuth(stack.inspector_token)) as http:
        wallet_holding(stack, stack.data_dir, http, PERSON)
        inspector = Inspector(stack.verifier_url, http)
        request = inspector.request("pda1")
        with _wallet_page(stack, stack.data_dir / "phone") as server, \
                httpx.Client(base_url=server.url, timeout=30) as page:
            _unlocked(page)
            present = page.get("/present")
            consent = page.post("/present", data={"link": request["link"], "csrf": _csrf(present.text)})
            assert consent.status_code == 200 and 'id="consent"' in consent.text, consent.text[:500]
            optional = re.findall(r'<input type="checkbox"[^>]*name="keep"[^>]*>', consent.text)
            ticked = [box for box in optional if re.search(r"\bchecked\b", box)]
            assert not ticked, f"optional claims ticked by default: {ticked}"
            # The portrait and the places of work stay optional, each with why one would share it.
            labels = re.findall(r'name="keep"[^>]*> <span class="label">([^<]+)</span>.*?class="muted small why"'
                                r'[^>]*>([^<]+)<', consent.text)
            assert len(labels) == len(optional) == 2 and all(why.strip() for _label, why in labels), labels
            assert "Personal identification number" not in {label for label, _why in labels}  # required now
            retention = re.search(r'<p class="muted small" id="retention">([^<]+)</p>', consent.text)
            assert retention is not None and "730 days" in retention.group(1), consent.text[:3000]
            share = re.search(r'action="(/present/[^"]+/share)"', consent.text)
            assert share is not None
            done = page.post(share.group(1), data={"csrf": _csrf(consent.text), "choosing": "1"})
            assert 'id="shared"' in done.text, done.text[:500]
            history = page.get("/log").text
        verdict = inspector.result(request)["verdict"]
    assert verdict["verdict"] == "valid", verdict
    assert verdict["reason_key"] != "holder_link.withheld", verdict
    shown = {c["query_id"] for c in verdict["credentials"]}
    assert shown == {"pda1", "pid"}, verdict["credentials"]
    assert "Portrait" not in history and "Place of work" not in history, history


def test_the_inspection_asks_the_pids_personal_number_in_every_option_and_falls_back_for_a_pid_without() -> None:
    """The A1's and EHIC's link to the PID (holder_link) needs the PID's personal number: it is in
    every claim set of the ``pid`` query, so no wallet offers to leave it out (§6.4.1); a PID that has
    none answers the ``pid_unnumbered`` query, a later option of the same credential set (§6.4.2)."""
    for profile in ("pda1", "ehic"):
        query = profile_query(profile)
        by_id = {q["id"]: q for q in query["credentials"]}
        for qid in ("pid", "pid_mdoc"):
            ids = {c["id"]: c["path"][-1] for c in by_id[qid]["claims"]}
            for option in by_id[qid]["claim_sets"]:
                assert "personal_administrative_number" in {ids[i] for i in option}, option
        unnumbered = [c["path"][-1] for c in by_id["pid_unnumbered"]["claims"]]
        assert "personal_administrative_number" not in unnumbered
        assert query["credential_sets"][1]["options"] == [["pid"], ["pid_mdoc"], ["pid_unnumbered"],
                                                          ["pid_unnumbered_mdoc"]]


def test_gdpr_art_13_the_wallet_informs_the_worker_about_the_processing_at_first_use(stack: Stack) -> None:
    """Information to be provided (Art. 13(1), (2); Art. 12(1): concise, easily accessible): the first
    page of a new wallet links to a privacy notice, and that notice speaks of the personal data the
    wallet keeps and shares, names the deployment's operator and contact, and says how to delete
    everything; every page links to it, in each of the five languages."""
    handle: ServerHandle
    with _wallet_page(stack, stack.data_dir / "fresh-phone", operator_name="Example Wallet Operator SIA",
                      operator_contact="privacy@wallet.example") as handle, \
            httpx.Client(base_url=handle.url, timeout=30) as page:
        first = page.get("/", follow_redirects=True)
        assert first.status_code == 200 and 'id="passphrase2"' in first.text  # the set-up page
        links = re.findall(r'<a\b[^>]*href="([^"]+)"[^>]*>(.*?)</a>', first.text, re.S)
        notice = [href for href, text in links if re.search(r"privacy|data protection", f"{href} {text}", re.I)]
        assert notice, f"no link to a privacy notice on the first page: {links}"
        shown = page.get(html.unescape(notice[0]), follow_redirects=True)
        assert shown.status_code == 200
        assert re.search(r"personal data", shown.text, re.I)
        assert "Example Wallet Operator SIA" in shown.text and "privacy@wallet.example" in shown.text
        assert "encrypted" in shown.text and "wallet.enc" in shown.text  # what stays, and how to delete it all
        for lang in ("lv", "de", "fr", "pl"):
            page.get(f"/lang/{lang}")
            translated = page.get("/privacy")
            assert translated.status_code == 200 and f'lang="{lang}"' in translated.text
            assert 'id="nav-privacy"' in page.get("/setup").text  # the footer of every page
            assert "Example Wallet Operator SIA" in translated.text
