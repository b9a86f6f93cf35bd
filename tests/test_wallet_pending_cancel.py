"""Removing a pending document from the wallet (deferred issuance, OpenID4VCI 1.0 §8.3 HTTP 202, §9, §11),
against the real issuer with a second clerk's approval, as tests/test_wallet_deferred.py runs it.

The worker took an offer by mistake, no longer wants the document, or the institution never answers:
``WalletService.cancel_pending`` removes the entry in one store transaction with everything kept for
it (the holder keys proved, the DPoP key, the tokens), and records it in the worker's own log without
personal data. The issuer is told nothing about what it has not issued (a 202 carries no
``notification_id``, §11.1); a form that already arrived does carry one, and is told
``credential_deleted``. A later approval brings nothing back. An entry another wallet process is
asking about right now is not removed. The page asks for confirmation without JavaScript (a
disclosure, as a card's removal does) and refuses a form without its token; the terminal has
``esspass wallet cancel-pending <id>``.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import test_wallet_deferred
from test_wallet_deferred import PERSON, World, pending_page, second_question_raises

from esspass.testing import ServerHandle, serve
from wallet.app import create_app as wallet_app
from wallet.errors import NotFoundError, PendingBusyError, TransportError
from wallet.messages import LANGUAGES, STRINGS, explain, t
from wallet.service import WalletService
from wallet.settings import WalletSettings

#: The real issuer with approval, a registry and a verifier (one per module).
world = test_wallet_deferred.world


def _pending(world: World, home: str) -> tuple[WalletService, str, str]:
    """A wallet at ``home`` holding one pending document: (wallet, case id, pending id)."""
    wallet = world.wallet(home)
    case_id, link, tx = world.offer()
    received = wallet.accept(wallet.open_offer(link)[0], tx)
    assert received.groups == [] and len(received.pending) == 1
    return wallet, case_id, received.pending[0]


def _secrets_of(entry: dict[str, Any]) -> list[str]:
    """Every key and token kept for a stored pending entry (each base64 line of each PEM)."""
    pems = [entry["dpop_key"], *(k for tx in entry["transactions"] for k in tx["keys"]),
            *(k for a in entry.get("arrived", []) for k in a["keys"])]
    lines = [line for pem in pems for line in pem.strip().splitlines()[1:-1] if len(line) >= 32]
    return [*lines, entry["access_token"], entry["refresh_token"]]


def _unlocked(world: World, home: str) -> tuple[ServerHandle, httpx.Client, str]:
    """The wallet page for ``home``, served, a client on it (unlocked), and its form token."""
    settings = WalletSettings(data_dir=world.data_dir / home, registry_url=world.registry_url,
                              pki_dir=world.data_dir / "pki", allow_loopback_http=True, scrypt_n=2**10, lang="en")
    server = serve(wallet_app(settings))
    client = httpx.Client(base_url=server.url, timeout=60)
    page = client.get("/unlock")
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match is not None
    client.post("/unlock", data={"passphrase": "pw", "csrf": match.group(1), "next": "/"})
    home_page = client.get("/")
    token = re.search(r'name="csrf" value="([^"]+)"', home_page.text)
    assert home_page.status_code == 200 and token is not None
    return server, client, token.group(1)


@pytest.fixture
def page_of(world: World) -> Iterator[Any]:
    opened: list[tuple[ServerHandle, httpx.Client]] = []

    def open_page(home: str) -> tuple[httpx.Client, str]:
        server, client, token = _unlocked(world, home)
        opened.append((server, client))
        return client, token

    yield open_page
    for server, client in opened:
        client.close()
        server.stop()


# --- the service ----------------------------------------------------------------------------------------


def test_removing_a_pending_document_erases_it_with_its_keys_and_says_so_in_the_log(world: World) -> None:
    wallet, _case_id, entry_id = _pending(world, "cancel")
    stored = wallet.store.read()
    [entry] = stored["pending"]
    kept = _secrets_of(entry)
    assert len(kept) >= 5 and all(s in json.dumps(stored) for s in kept)

    removed = wallet.cancel_pending(entry_id)
    assert removed.id == entry_id and any("A1" in title for title in removed.titles)
    assert removed.issuer_name == wallet.store.read()["log"][-1]["verifier_name"]

    doc = wallet.store.read()  # the decrypted store document, whole
    assert doc["pending"] == [] and doc["credentials"] == []
    text = json.dumps(doc)
    assert not [s for s in kept if s in text]  # no holder key, DPoP key or token left anywhere
    assert "PRIVATE KEY" not in text
    # Only its (random) id stays, remembered so that a round that lost its lease stores nothing of it.
    assert json.dumps({k: v for k, v in doc.items() if k != "removed_pending"}).count(entry_id) == 0
    assert doc["removed_pending"] == [entry_id]
    assert wallet.pending("en") == []

    [record] = wallet.log()
    assert record.outcome == "cancelled" and record.verifier_name == removed.issuer_name
    assert record.claims == [] and record.credentials == [] and record.purpose == ""
    assert record.vcts and all(v.startswith(("urn:", "http")) for v in record.vcts)  # types, not values
    logged = json.dumps(doc["log"])
    for value in (PERSON.pid["family_name"], PERSON.pid["given_name"], PERSON.pid["birthdate"]):
        assert str(value) not in logged  # nothing about the worker

    with pytest.raises(NotFoundError):
        wallet.cancel_pending(entry_id)  # once gone, gone


def test_a_later_approval_does_not_bring_it_back(world: World) -> None:
    wallet, case_id, entry_id = _pending(world, "cancel-approved")
    wallet.cancel_pending(entry_id)
    world.approve(case_id)
    assert wallet.fetch_pending(force=True) == []
    with pytest.raises(NotFoundError):
        wallet.fetch_pending(only=entry_id)  # "Check now" on a stale page
    assert wallet.pending("en") == [] and wallet.credentials() == [] and wallet.cards("en") == []
    assert wallet.store.read()["pending"] == []


def test_an_entry_another_process_is_asking_about_is_not_removed_until_its_lease_ends(world: World) -> None:
    wallet, _case_id, entry_id = _pending(world, "cancel-leased")
    with wallet.store.transaction() as doc:
        doc["pending"][0].update(lease_until=(datetime.now(UTC) + timedelta(minutes=2)).isoformat(),
                                 lease_holder="another-process")
    before = wallet.store.read()["pending"]
    with pytest.raises(PendingBusyError) as refused:
        wallet.cancel_pending(entry_id)
    assert "right now" in refused.value.message
    assert wallet.store.read()["pending"] == before and wallet.log() == []  # nothing changed
    assert "try again" in explain(refused.value.code, "", "en").lower()

    with wallet.store.transaction() as doc:  # that process is gone and its lease has run out
        doc["pending"][0]["lease_until"] = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    wallet.cancel_pending(entry_id)
    assert wallet.store.read()["pending"] == []


def test_a_form_that_already_arrived_is_told_credential_deleted(world: World,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The only part the issuer can be told about: a form it issued carries a notification_id (§11.1)."""
    wallet, case_id, entry_id = _pending(world, "cancel-arrived")
    world.approve(case_id)
    first = second_question_raises(wallet, monkeypatch, TransportError(
        "Asking the institution for the document: the server is too slow to answer"))
    assert first.outcome == "pending"
    [entry] = wallet.store.read()["pending"]
    assert len(entry["arrived"]) == 1 and entry["arrived"][0]["notification_id"]
    kept = _secrets_of(entry)

    wallet.cancel_pending(entry_id)
    text = json.dumps(wallet.store.read())
    assert not [s for s in kept if s in text] and wallet.credentials() == []
    records = world.case(case_id)["credential_records"]
    told = [r["notification"] for r in records if r["notification"]]
    assert told and set(told) == {"credential_deleted"}, records  # the arrived form; the other had no id


# --- the page ---------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_page_removes_a_pending_document_after_confirmation(world: World, browser: Any) -> None:
    wallet, case_id, entry_id = _pending(world, "cancel-web")
    wallet.http.close()
    with pending_page(world, "cancel-web", browser) as (page, url):
        remove = page.locator(f"#remove-{entry_id}")
        confirm = page.locator(f"#remove-confirm-{entry_id}")
        assert remove.inner_text() == "Remove" and page.locator(f"#check-{entry_id}").is_visible()
        assert not confirm.is_visible()  # one click does not remove it: the confirmation is a second step
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        remove.click()
        assert confirm.is_visible() and "not told" in page.inner_text(f"#pending-{entry_id}")
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        assert confirm.inner_text() == "Remove this pending document"
        confirm.click()
        page.wait_for_selector("#pending-removed")
        assert "no longer waits" in page.inner_text("#pending-removed")
        assert page.locator("#pending").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        world.approve(case_id)
        page.goto(url + "/")  # the list page asks about what is due: nothing comes back
        assert page.locator("#pending").count() == 0 and page.locator("a.card.doc").count() == 0
        page.goto(url + "/log")
        assert "pending document removed" in page.inner_text("main")
        page.goto(url + "/lang/lv?next=/")
        assert page.locator("#pending").count() == 0


def test_the_page_refuses_a_removal_without_the_form_token(world: World, page_of: Any) -> None:
    wallet, _case_id, entry_id = _pending(world, "cancel-csrf")
    client, _token = page_of("cancel-csrf")
    for data in ({}, {"csrf": "not-the-token"}):
        refused = client.post(f"/pending/{entry_id}/cancel", data=data)
        assert refused.status_code == 403 and "form has expired" in refused.text
    assert [p.id for p in wallet.pending("en")] == [entry_id]


def test_the_page_answers_404_for_an_unknown_pending_document_and_409_while_another_asks(
        world: World, page_of: Any) -> None:
    wallet, _case_id, entry_id = _pending(world, "cancel-404")
    client, token = page_of("cancel-404")
    for unknown in ("0123456789abcdef", "x" * 300, "%00", "..%2F..%2Fetc"):
        answer = client.post(f"/pending/{unknown}/cancel", data={"csrf": token})
        assert answer.status_code == 404, (unknown, answer.status_code)
    answer = client.post("/pending/0123456789abcdef/cancel", data={"csrf": token})
    assert 'id="error"' in answer.text and "no such pending document" in answer.text
    with wallet.store.transaction() as doc:
        doc["pending"][0].update(lease_until=(datetime.now(UTC) + timedelta(minutes=2)).isoformat(),
                                 lease_holder="another-process")
    busy = client.post(f"/pending/{entry_id}/cancel", data={"csrf": token})
    assert busy.status_code == 409 and "right now" in busy.text
    assert [p["id"] for p in wallet.store.read()["pending"]] == [entry_id]


def test_check_now_and_remove_redirect_so_that_a_reload_repeats_neither(world: World, page_of: Any) -> None:
    """Post/Redirect/Get: the list page shows what the form did once; reloading it asks nothing again."""
    _wallet, _case_id, entry_id = _pending(world, "cancel-prg")
    client, token = page_of("cancel-prg")
    checked = client.post(f"/pending/{entry_id}/check", data={"csrf": token})
    assert (checked.status_code, checked.headers["location"]) == (303, "/")
    first = client.get("/").text
    assert 'id="pending-notices"' in first and "has not approved" in first
    again = client.get("/").text  # the reload: the list, without asking the institution again
    assert 'id="pending-notices"' not in again and f'id="pending-{entry_id}"' in again
    removed = client.post(f"/pending/{entry_id}/cancel", data={"csrf": token})
    assert (removed.status_code, removed.headers["location"]) == (303, "/")
    assert 'id="pending-removed"' in client.get("/").text
    assert 'id="pending-removed"' not in client.get("/").text


# --- the terminal -----------------------------------------------------------------------------------------


class _Typed(io.StringIO):
    """What the worker types at a terminal (standard input that is one)."""

    def isatty(self) -> bool:
        return True


def test_the_terminal_removes_a_pending_document(world: World, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from wallet.cli import main

    home = "cancel-terminal"
    wallet, case_id, entry_id = _pending(world, home)
    wallet.http.close()
    for name, value in {"ESSPASS_DATA_DIR": str(world.data_dir / home), "ESSPASS_WALLET_PKI_DIR":
                        str(world.data_dir / "pki"), "ESSPASS_REGISTRY_URL": world.registry_url,
                        "ESSPASS_WALLET_ALLOW_LOOPBACK_HTTP": "true", "ESSPASS_WALLET_PASSPHRASE": "pw"}.items():
        monkeypatch.setenv(name, value)

    assert main(["--lang", "en", "pending"]) == 0
    assert f"[{entry_id}]" in capsys.readouterr().out  # the id the worker types

    monkeypatch.setattr("sys.stdin", _Typed("n\n"))  # the worker answers at the terminal
    assert main(["--lang", "en", "cancel-pending", entry_id]) == 1  # not confirmed: as 'delete' does
    out = capsys.readouterr().out
    assert "Waiting for" in out and "not told" in out
    assert [p["id"] for p in wallet.store.read()["pending"]] == [entry_id]

    monkeypatch.setattr("sys.stdin", _Typed("y\n"))
    assert main(["--lang", "en", "cancel-pending", entry_id]) == 0
    assert "no longer waits" in capsys.readouterr().out
    assert wallet.store.read()["pending"] == []

    assert main(["--lang", "en", "cancel-pending", entry_id, "--yes"]) == 1  # unknown now
    assert "no such pending document" in capsys.readouterr().err

    world.approve(case_id)
    assert main(["--lang", "en", "fetch-pending", "--now"]) == 0
    assert "No documents are waiting" in capsys.readouterr().out
    assert main(["--lang", "lv", "log"]) == 0
    assert t("log.cancelled", "lv") in capsys.readouterr().out


# --- the words --------------------------------------------------------------------------------------------

NEW_WORDS = ("pending.remove", "pending.remove_help", "pending.remove_confirm", "pending.removed", "log.cancelled",
             "explain.pending_busy")


@pytest.mark.parametrize("key", NEW_WORDS)
def test_the_new_words_are_in_all_five_languages(key: str) -> None:
    texts = STRINGS[key]
    assert set(texts) == set(LANGUAGES) == {"en", "lv", "de", "fr", "pl"}
    assert all(text.strip() for text in texts.values())
    assert len(set(texts.values())) == len(LANGUAGES)  # each its own language, none left in English
    placeholders = set(re.findall(r"\{(\w+)\}", texts["en"]))
    for text in texts.values():
        assert set(re.findall(r"\{(\w+)\}", text)) == placeholders


def test_a_damaged_entry_can_be_removed_too(world: World) -> None:
    """A damaged entry is never asked about (so no lease holds it); removing it leaves nothing either."""
    wallet, _case_id, entry_id = _pending(world, "cancel-damaged")
    kept = _secrets_of(wallet.store.read()["pending"][0])
    with wallet.store.transaction() as doc:
        doc["pending"][0]["transactions"][0].pop("configuration_id")
    assert wallet.pending("en") == []  # not shown, never asked about
    removed = wallet.cancel_pending(entry_id)
    assert removed.issuer_name.startswith(world.issuer_url) and removed.titles == ()
    text = json.dumps(wallet.store.read())
    assert wallet.store.read()["pending"] == [] and not [s for s in kept if s in text]
    assert [e.outcome for e in wallet.log()] == ["cancelled"]
