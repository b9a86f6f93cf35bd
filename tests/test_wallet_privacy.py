"""Wallet privacy (GDPR review R4, defects 1 and 3; labour inspector review R7, defects 2 and 3).

* What leaves: the verifier's first claim set the documents satisfy (DCQL ``claim_sets``, OpenID4VP
  §6.4.1: the places of work and the portrait, which the inspection's purpose needs), every item of
  it ticked; the worker may untick an item a later set does without, each saying what leaving it out
  means, and then that later set is answered. The PID's personal number, which the verifier needs to
  tie the A1 to the person (credentials/holder_link.py), is in every set.
* Art. 13 (and Art. 12(1)): a privacy notice, linked at first use and from every page; the consent
  screen says how long the verifier says it keeps the check.

Everything over real HTTP on loopback (registry, issuer, verifier, the wallet's page server);
nothing of ours is mocked.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials import pid
from credentials.demo_persons import DEMO_PERSONS
from esspass.stack import Inspector, InspectorAuth, Stack, open_wallet, start_in_process, wallet_holding
from esspass.testing import ServerHandle, free_port, serve
from verifier.service import profile_query
from wallet import messages as wallet_messages

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


def _first_option(query_id: str, holds: Collection[str], *, without: Collection[str] = ()) -> set[str]:
    """The verifier's first claim set of ``query_id`` (the inspection's A1 query) that a document holding
    the claims ``holds`` satisfies, asking none of ``without``: what a wallet returns (OpenID4VP §6.4.1,
    "the first option it can satisfy"), read from the query itself, as the claims' top-level names."""
    by_id = {q["id"]: q for q in profile_query("pda1")["credentials"]}
    ids = {c["id"]: str(c["path"][0]) for c in by_id[query_id]["claims"]}
    return next({ids[i] for i in option} for option in by_id[query_id]["claim_sets"]
                if all(ids[i] in holds and ids[i] not in without for i in option))


def _asked(query_id: str) -> set[str]:
    """Every claim ``query_id`` names in any of its claim sets."""
    return {str(c["path"][0]) for q in profile_query("pda1")["credentials"] if q["id"] == query_id
            for c in q["claims"]}


def _shared(stack: Stack, page: httpx.Client, link: str, untick: Collection[str] = ()) -> tuple[str, list[str]]:
    """The consent page for ``link``, answered with Share, the boxes whose query id is in ``untick``
    unticked: the page, and the claims that left as the wallet's history names them."""
    present = page.get("/present")
    consent = page.post("/present", data={"link": link, "csrf": _csrf(present.text)}, follow_redirects=True)
    assert consent.status_code == 200 and 'id="consent"' in consent.text, consent.text[:500]
    keep = [value for value in re.findall(r'name="keep" value="([^"]+)"', consent.text)
            if value.partition(":")[0] not in untick]
    share = re.search(r'action="(/present/[^"]+/share)"', consent.text)
    assert share is not None
    done = page.post(share.group(1), data={"csrf": _csrf(consent.text), "choosing": "1", "keep": keep},
                     follow_redirects=True)
    assert 'id="shared"' in done.text, done.text[:500]
    history = open_wallet(stack.data_dir / "phone", stack.registry_url, "pw", fast_kdf=True,
                          pki_dir=stack.data_dir / "pki").log()
    return consent.text, history[0].claims


def test_the_consent_screen_ticks_the_verifiers_first_option_and_says_what_leaving_an_item_out_means(
        tmp_path: Path) -> None:
    """OpenID4VP §6.4.1 (DCQL ``claim_sets``): the wallet "SHOULD return ... the first option it can
    satisfy". The inspector asks the places of work and the portrait first because its purpose needs
    them (does the A1 cover the site? is the worker the holder?); asking only that is the verifier's
    duty (GDPR Art. 25), explaining each choice the wallet's (Art. 12(1)). So (a) the screen ticks
    the first option the documents satisfy and nothing outside it leaves; (b) each item a later option
    does without says what leaving it out means; (c) unticking it sends that later option. The
    retention is said as the verifier's statement (Art. 13(2)(a)): the wallet cannot know it holds."""
    with start_in_process(tmp_path) as stack, \
            httpx.Client(timeout=30, auth=InspectorAuth(stack.inspector_token)) as http:
        wallet = wallet_holding(stack, stack.data_dir, http, PERSON)  # the PID with its portrait
        holds = {q: {str(name) for c in wallet.credentials() if c.format != "mso_mdoc" and match(c.vct)
                     for name in c.claims}
                 for q, match in (("pda1", lambda vct: not pid.is_pid_type(vct)), ("pid", pid.is_pid_type))}
        first = {q: _first_option(q, holds[q]) for q in holds}
        assert {"work_address"} <= first["pda1"] and {"picture"} <= first["pid"]  # premise: asked first
        inspector = Inspector(stack.verifier_url, http)
        with _wallet_page(stack, stack.data_dir / "phone") as server, \
                httpx.Client(base_url=server.url, timeout=30) as page:
            _unlocked(page)
            request = inspector.request("pda1")
            consent, sent = _shared(stack, page, request["link"])
            verdict = inspector.result(request)["verdict"]
            # (a) Every box ticked, and what left is the first option (and what the issuer shows in plain view).
            boxes = re.findall(r'<input type="checkbox"[^>]*name="keep"[^>]*>', consent)
            assert len(boxes) == 2 and all(re.search(r"\bchecked\b", box) for box in boxes), boxes
            plain = {name for name in sent if name not in _asked("pda1") | _asked("pid")}
            assert set(sent) == first["pda1"] | first["pid"] | plain, sent
            assert plain and 'class="claims always"' in consent  # the issuer's plain view, listed apart as such
            assert verdict["verdict"] == "valid", verdict
            assert verdict["person"].get("picture") and verdict["person"]["documents"][0].get("work_address")
            # (b) No "optional": each box says what leaving it out means, tied to it for a screen reader.
            assert "(optional)" not in consent and 'id="leave-out-help"' in consent
            for box in boxes:
                described = re.search(r'aria-describedby="([^"]+)"', box)
                assert described is not None
                note = re.search(rf'id="{described.group(1)}">([^<]+)<', consent)
                assert note is not None and note.group(1).startswith("Leaving out your "), box
            assert "Leaving out your photo: the inspector will ask for an identity document" in consent
            assert "Leaving out your places of work: the inspector cannot see whether your A1 covers" in consent
            retention = re.search(r'<p class="muted small" id="retention">([^<]+)</p>', html.unescape(consent))
            assert retention is not None and re.search(r"says it keeps a record of this check .* for 730 days",
                                                       retention.group(1)), consent[:3000]
            # (c) The portrait unticked: the PID answers its first later option without it, the A1 still its first.
            request = inspector.request("pda1")
            _consent, sent = _shared(stack, page, request["link"], untick={"pid"})
            verdict = inspector.result(request)["verdict"]
    later = _first_option("pid", holds["pid"], without={"picture"})
    assert set(sent) == first["pda1"] | later | plain and "picture" not in sent, sent
    assert verdict["verdict"] == "valid" and not verdict["person"].get("picture"), verdict["person"].keys()
    assert verdict["person"]["documents"][0].get("work_address")


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
        # The way to erase it all that needs no file manager: the unlock page's "Start a new wallet".
        assert "Start a new wallet" in html.unescape(shown.text)
        for lang in ("lv", "de", "fr", "pl"):
            page.get(f"/lang/{lang}")
            translated = page.get("/privacy")
            assert translated.status_code == 200 and f'lang="{lang}"' in translated.text
            assert 'id="nav-privacy"' in page.get("/setup").text  # the footer of every page
            assert "Example Wallet Operator SIA" in translated.text
            assert wallet_messages.t("unlock.start_over", lang) in html.unescape(translated.text)


def test_post_redirect_get_a_reload_or_back_after_sharing_shows_what_was_sent_and_sends_nothing_again(
        tmp_path: Path) -> None:
    """Reloading the "shared" page said "this request is no longer open" (a false failure), and Back
    came to a page the browser could only resend: the request's page and the answer's are addresses
    of their own (Post/Redirect/Get), the answer's kept for the session, and Back to the request's
    page leads to the answer."""
    with start_in_process(tmp_path) as stack, \
            httpx.Client(timeout=30, auth=InspectorAuth(stack.inspector_token)) as http:
        wallet_holding(stack, stack.data_dir, http, PERSON)
        inspector = Inspector(stack.verifier_url, http)
        with _wallet_page(stack, stack.data_dir / "phone") as server, \
                httpx.Client(base_url=server.url, timeout=30) as page:
            _unlocked(page)
            request = inspector.request("pda1")
            opened = page.post("/present", data={"link": request["link"], "csrf": _csrf(page.get("/present").text)})
            assert opened.status_code == 303
            consent_at = opened.headers["location"]
            consent = page.get(consent_at)
            assert 'id="consent"' in consent.text
            share = re.search(r'action="(/present/[^"]+/share)"', consent.text)
            assert share is not None
            shared = page.post(share.group(1), data={"csrf": _csrf(consent.text)})
            assert shared.status_code == 303 and shared.headers["location"] == f"{consent_at}/done"
            for _ in range(2):  # shown, then reloaded
                again = page.get(f"{consent_at}/done")
                assert again.status_code == 200 and 'id="shared"' in again.text, again.text[:500]
            back = page.get(consent_at)
            assert back.status_code == 303 and back.headers["location"] == f"{consent_at}/done"
            assert inspector.result(request)["verdict"]["verdict"] == "valid"
            unknown = page.get("/present/not-a-request/done", follow_redirects=True)
            assert unknown.status_code == 404 and "no longer open" in unknown.text
