"""Review R2 (findings 3, 4, 5): the worker's wallet when the passphrase is forgotten, and how well a
stolen phone's locked wallet holds. The wallet's own page server over real HTTP on loopback, in Debian's
Chromium where the worker's browser matters, and ``esspass wallet`` as a terminal runs it; nothing of ours
is mocked."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from esspass.testing import free_port, serve

PASSPHRASE = "kravas-auto-1"


def _settings(data_dir: Path, port: int) -> Any:
    from wallet.settings import WalletSettings

    # No registry is needed to create, lock and unlock a wallet.
    return WalletSettings(data_dir=data_dir, registry_url="http://127.0.0.1:9", allow_loopback_http=True,
                          scrypt_n=2**10, public_url=f"http://127.0.0.1:{port}")


def _wallet_page(data_dir: Path) -> Any:
    """The wallet's page server over the wallet in ``data_dir`` (a phone app started)."""
    from wallet.app import create_app

    port = free_port()
    return serve(create_app(_settings(data_dir, port)), port=port)


def _csrf(page: str) -> str:
    return html.unescape(page.split('name="csrf" value="')[1].split('"')[0])


def _text(page: str) -> str:
    main = page.split("<main", 1)[-1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def _set_up(page: httpx.Client, passphrase: str = PASSPHRASE) -> httpx.Response:
    form = page.get("/setup")
    return page.post("/setup", data={"passphrase": passphrase, "passphrase2": passphrase,
                                      "csrf": _csrf(form.text)})


def _unlock(page: httpx.Client, passphrase: str) -> httpx.Response:
    form = page.get("/unlock")
    return page.post("/unlock", data={"passphrase": passphrase, "csrf": _csrf(form.text), "next": "/"})


@pytest.fixture()
def phone(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A wallet set up on the page, then the app closed: the data directory."""
    with _wallet_page(tmp_path) as handle, httpx.Client(base_url=handle.url, timeout=30) as page:
        assert _set_up(page).status_code == 303
        yield tmp_path, handle.url


@pytest.mark.parametrize(("lang", "forgot", "new_offer"), [("en", "forg", "new offer"),
                                                          ("lv", "aizmirs", "jaunu piedāvājumu")])
def test_the_unlock_page_tells_a_worker_who_forgot_the_passphrase_what_to_do(
        phone: tuple[Path, str], browser: Any, lang: str, forgot: str, new_offer: str) -> None:
    """Set-up says the passphrase "cannot be recovered". Forgotten months later, on a parking lot in
    Germany, the worker sees only "Unlock your wallet", a field and a button; wrong tries get "Wrong
    passphrase (or the wallet file was altered)" and then waits. /setup sends back to /unlock while the
    file exists, so the page offers no way to start again; the privacy notice's only way is "delete the
    wallet file (/…/wallet/wallet.enc)", a path no phone user can act on. The way out exists (start an
    empty wallet, ask each institution for a new offer, which also ends the old wallet's renewals), but
    nothing on the page says so: a dead end (GDPR Art. 12(1): clear, plain information; ARF: the User
    can always get a working Wallet Unit again)."""
    _data, url = phone
    context = browser.new_context(locale="lv-LV" if lang == "lv" else "en-GB")
    try:
        tab = context.new_page()
        tab.goto(f"{url}/lang/{lang}?next=/unlock")
        tab.fill("#passphrase", "vairs-neatceros")
        tab.click("#unlock")
        tab.wait_for_selector("#error")
        text = tab.inner_text("main")
    finally:
        context.close()
    assert forgot in text.lower(), f"nothing on the unlock page for a forgotten passphrase: {text!r}"
    assert new_offer in text, f"the unlock page does not say to ask the institutions for new offers: {text!r}"


@pytest.mark.parametrize("weak", ["12345678", "password", "11111111", "qwertyui"])
def test_a_new_wallet_refuses_a_passphrase_everyone_tries_first(tmp_path: Path, weak: str) -> None:
    """The passphrase is all that stands between a stolen phone and the worker's documents *and their
    keys* (software keys, in the same file): with them the thief presents a valid A1/EHIC/PID (see
    test_r2_lost_phone). The wallet takes any 8 characters: "12345678", "password". NIST SP 800-63B
    §5.1.1.2 (memorized secrets): a new secret SHALL be compared against a list of commonly used or
    compromised values and refused. The privacy notice's "without it nobody can open your documents"
    then holds for more than the first guesses."""
    with _wallet_page(tmp_path) as handle, httpx.Client(base_url=handle.url, timeout=30) as page:
        made = _set_up(page, weak)
    assert made.status_code == 400, f"{weak!r} was accepted as a wallet passphrase ({made.status_code})"
    assert not (tmp_path / "wallet" / "wallet.enc").exists()


def test_wrong_passphrase_tries_stay_counted_when_the_wallet_app_is_restarted(phone: tuple[Path, str]) -> None:
    """Unlocking counts wrong tries "as a phone counts wrong PINs" (wallet/app.py _UnlockAttempts): after
    five, each try waits 2 s, 4 s ... up to 5 minutes. The count lives in the page server's memory only:
    a thief who has the phone force-stops and restarts the wallet app and gets five fresh tries at once,
    every time, so a list of likely passphrases goes through at the speed of restarts, not of the
    waits. A phone's PIN counter survives a restart; the wallet's must too (kept beside the wallet
    file)."""
    data_dir, _url = phone
    with _wallet_page(data_dir) as first, httpx.Client(base_url=first.url, timeout=30) as page:
        for guess in range(5):
            assert _unlock(page, f"guess-{guess}-x").status_code == 401
        assert _unlock(page, "guess-5-x").status_code == 429  # throttled in this app
    with _wallet_page(data_dir) as again, httpx.Client(base_url=again.url, timeout=30) as page:
        after_restart = _unlock(page, "guess-6-x")
        if after_restart.status_code == 401:
            # The first wait (2 s) ran out during a slow restart: the count must still hold, so this wrong
            # try makes the next one wait (a forgotten count would give five fresh tries again).
            after_restart = _unlock(page, "guess-7-x")
    assert after_restart.status_code == 429, (
        f"a restart of the wallet app forgot the five wrong tries: {after_restart.status_code} "
        f"{_text(after_restart.text)[:200]!r}")


# --- finding 3: the way out of a forgotten passphrase, on the page and in the terminal --------------------

_FORGOT = {"en": ("Forgot your passphrase?", "new offer"), "lv": ("Aizmirsāt paroli?", "jaunu piedāvājumu"),
           "de": ("Passphrase vergessen?", "neues Angebot"), "fr": ("Phrase secrète oubliée ?", "nouvelle offre"),
           "pl": ("Nie pamiętasz hasła?", "nową ofertę")}


@pytest.mark.parametrize("lang", sorted(_FORGOT))
def test_the_unlock_page_says_in_every_language_how_to_start_again_and_links_the_lost_phone_text(
        phone: tuple[Path, str], lang: str) -> None:
    """Before any wrong try: the way out, a link to the start-over action and one to the privacy
    notice's lost-phone section, in each of the wallet's five languages."""
    _data, url = phone
    heading, new_offer = _FORGOT[lang]
    with httpx.Client(base_url=url, timeout=30) as page:
        page.get(f"/lang/{lang}?next=/unlock")
        unlock = page.get("/unlock")
    text = _text(unlock.text)
    assert heading in text and new_offer in text, text
    assert 'href="/start-over"' in unlock.text and 'href="/privacy#lost"' in unlock.text
    with httpx.Client(base_url=url, timeout=30) as page:
        assert 'id="lost"' in page.get("/privacy").text  # the anchor the link goes to


def _start_over(page: httpx.Client, confirm: str, csrf: str | None = None) -> httpx.Response:
    form = page.get("/start-over")
    assert form.status_code == 200, form.text
    return page.post("/start-over", data={"confirm": confirm, "csrf": _csrf(form.text) if csrf is None else csrf})


def test_starting_over_erases_the_wallet_only_with_the_form_token_and_the_typed_word(
        phone: tuple[Path, str]) -> None:
    """The start-over action erases the wallet file (and the count of its wrong tries) without the
    passphrase, so it must come from the wallet's own form (CSRF) and the typed word: another site's form,
    or a word mistyped, erases nothing. Then the set-up page says what to do next."""
    data_dir, url = phone
    wallet = data_dir / "wallet" / "wallet.enc"
    tries = data_dir / "wallet" / "wallet.enc.tries"
    with httpx.Client(base_url=url, timeout=30) as page:
        assert _unlock(page, "not-the-passphrase").status_code == 401
        assert tries.exists()
        forged = _start_over(page, "ERASE", csrf="guess")
        assert forged.status_code == 403 and wallet.exists()
        mistyped = _start_over(page, "yes")
        assert mistyped.status_code == 400 and wallet.exists()
        assert "Type ERASE in the box" in _text(mistyped.text) and 'aria-invalid="true"' in mistyped.text
        erased = _start_over(page, " löschen ")  # another language's word, as a phone's keyboard types it
        assert erased.status_code == 303 and erased.headers["location"] == "/setup?erased=1"
        assert not wallet.exists() and not tries.exists()
        setup = page.get("/setup?erased=1")
        assert "The old wallet was erased" in _text(setup.text) and "new offer" in _text(setup.text)
        assert _set_up(page, "a new passphrase 2").status_code == 303
    from wallet.store import WalletStore

    WalletStore.open(wallet, "a new passphrase 2")
    with pytest.raises(Exception, match="Wrong passphrase"):
        WalletStore.open(wallet, PASSPHRASE)


def test_a_worker_starts_over_in_the_browser_from_the_unlock_page(phone: tuple[Path, str], browser: Any) -> None:
    """The whole way in Chromium, in German: unlock page, "Neue Wallet anlegen", the word typed in small
    letters, and the set-up page of the new wallet."""
    data_dir, url = phone
    context = browser.new_context(locale="de-DE")
    try:
        tab = context.new_page()
        tab.goto(f"{url}/lang/de?next=/unlock")
        tab.click("#start-over")
        assert "LÖSCHEN" in tab.inner_text("main")
        tab.fill("#confirm", "löschen")
        tab.click("#erase")
        tab.wait_for_selector("#erased")
        assert "Die alte Wallet wurde gelöscht" in tab.inner_text("#erased")
        assert tab.locator("#passphrase2").count() == 1
    finally:
        context.close()
    assert not (data_dir / "wallet" / "wallet.enc").exists()


@pytest.fixture()
def terminal_wallet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A wallet made with ``esspass wallet init`` (the passphrase given as a script gives it)."""
    from wallet.cli import main as wallet_main

    monkeypatch.setenv("ESSPASS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ESSPASS_WALLET_SCRYPT_N", "16")
    monkeypatch.setenv("ESSPASS_WALLET_PASSPHRASE", PASSPHRASE)
    assert wallet_main(["init"]) == 0
    return tmp_path / "wallet" / "wallet.enc"


def test_the_terminal_tells_a_worker_who_forgot_the_passphrase_about_init_start_over(
        terminal_wallet: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A wrong passphrase, and ``init`` where a wallet is, each say the way out: ``init --start-over``
    and a new offer from each institution (in the chosen language)."""
    from wallet.cli import main as wallet_main

    capsys.readouterr()
    assert wallet_main(["init"]) == 1
    said = capsys.readouterr().err
    assert "already exists" in said and "esspass wallet init --start-over" in said and "new offer" in said
    monkeypatch.setenv("ESSPASS_WALLET_PASSPHRASE", "vairs-neatceros")
    assert wallet_main(["--lang", "lv", "list"]) == 1
    said = capsys.readouterr().err
    assert "Nepareiza parole" in said and "--start-over" in said and "jaunu piedāvājumu" in said
    assert str(terminal_wallet) in said


def test_init_start_over_checks_the_new_passphrase_first_then_erases_and_makes_a_new_wallet(
        terminal_wallet: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from wallet.cli import main as wallet_main
    from wallet.store import WalletStore

    before = terminal_wallet.read_bytes()
    monkeypatch.setenv("ESSPASS_WALLET_PASSPHRASE", "password")
    assert wallet_main(["init", "--start-over", "--yes"]) == 1  # refused before anything is erased
    assert terminal_wallet.read_bytes() == before
    monkeypatch.setenv("ESSPASS_WALLET_PASSPHRASE", "jauna parole 7")
    assert wallet_main(["init", "--start-over", "--yes"]) == 0
    said = capsys.readouterr().out
    assert "The old wallet was erased" in said and "new offer" in said
    WalletStore.open(terminal_wallet, "jauna parole 7")
    with pytest.raises(Exception, match="Wrong passphrase"):
        WalletStore.open(terminal_wallet, PASSPHRASE)


def _at_terminal(args: list[str], env: dict[str, str], typed: str) -> tuple[int, str]:
    """``esspass ARGS`` at a terminal of its own (a pseudo-terminal), ``typed`` at its prompt."""
    import os
    import pty
    import sys
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, with the pseudo-terminal as its controlling terminal
        os.execve(sys.executable, [sys.executable, "-m", "esspass.cli", *args], env)  # noqa: S606 - no shell wanted
    os.write(fd, typed.encode())
    out, deadline = b"", time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the command ended (EIO)
            break
        if not chunk:
            break
        out += chunk
    os.close(fd)
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


def test_init_start_over_at_a_terminal_erases_only_after_the_word_is_typed(
        terminal_wallet: Path, tmp_path: Path) -> None:
    import os

    env = {**os.environ, "ESSPASS_DATA_DIR": str(tmp_path), "ESSPASS_WALLET_SCRYPT_N": "16",
           "ESSPASS_WALLET_PASSPHRASE": "jauna parole 7"}
    before = terminal_wallet.read_bytes()
    code, said = _at_terminal(["wallet", "init", "--start-over"], env, "no\n")
    assert code == 1 and "To confirm, type ERASE" in said and "Nothing was erased" in said, said
    assert terminal_wallet.read_bytes() == before
    code, said = _at_terminal(["wallet", "--lang", "pl", "init", "--start-over"], env, "usun\n")
    assert code == 0 and "Stary portfel został usunięty" in said, said
    from wallet.store import WalletStore

    WalletStore.open(terminal_wallet, "jauna parole 7")


# --- finding 4: the count of wrong tries, beside the wallet file -----------------------------------------


def test_the_count_of_wrong_tries_holds_no_personal_data_and_is_private(phone: tuple[Path, str]) -> None:
    data_dir, url = phone
    with httpx.Client(base_url=url, timeout=30) as page:
        assert _unlock(page, "Bērziņa-120488-wrong").status_code == 401
    tries = data_dir / "wallet" / "wallet.enc.tries"
    import json

    assert set(json.loads(tries.read_text())) == {"failures", "not_before"}
    assert "Bērziņa" not in tries.read_text() and tries.stat().st_mode & 0o777 == 0o600


def test_the_terminal_and_the_page_share_one_count_of_wrong_tries(
        terminal_wallet: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Five wrong passphrases typed at the terminal: its next try, and the page's, wait (the right
    passphrase too), before any key derivation."""
    from wallet.cli import main as wallet_main

    monkeypatch.setenv("ESSPASS_WALLET_PASSPHRASE", "guess-at-the-terminal")
    for _ in range(5):
        assert wallet_main(["list"]) == 1
    capsys.readouterr()
    monkeypatch.setenv("ESSPASS_WALLET_PASSPHRASE", PASSPHRASE)
    with pytest.raises(SystemExit, match="Too many wrong passphrases"):
        wallet_main(["list"])
    data_dir = terminal_wallet.parent.parent
    with _wallet_page(data_dir) as handle, httpx.Client(base_url=handle.url, timeout=30) as page:
        waited = _unlock(page, PASSPHRASE)
    assert waited.status_code == 429 and "Try again in" in _text(waited.text)


def test_a_damaged_count_leaves_no_free_tries(phone: tuple[Path, str]) -> None:
    """Fail closed: a count file that cannot be read is taken as five wrong tries already made."""
    data_dir, url = phone
    (data_dir / "wallet" / "wallet.enc.tries").write_text("{not json")
    with httpx.Client(base_url=url, timeout=30) as page:
        assert _unlock(page, "guess-one-x").status_code == 401
        assert _unlock(page, "guess-two-x").status_code == 429


def test_a_wait_is_never_longer_than_five_minutes_even_after_the_clock_was_set_back(tmp_path: Path) -> None:
    from wallet.passphrase import UnlockThrottle

    wallet = tmp_path / "wallet.enc"
    wallet.write_text("{}")
    now = [1_800_000_000.0]
    throttle = UnlockThrottle(wallet, clock=lambda: now[0])
    for _ in range(12):
        with throttle.turn():
            throttle.failed()
    now[0] -= 86400  # the phone's clock went back a day
    with UnlockThrottle(wallet, clock=lambda: now[0]).turn() as wait:
        assert wait == 300.0


# --- finding 5: common passphrases refused, and why --------------------------------------------------


@pytest.mark.parametrize(("passphrase", "why"), [
    ("password", "most common"), ("PassWord", "most common"), ("passwort", "most common"),
    ("motdepasse", "most common"), ("haslo123", "most common"), ("iloveyou", "most common"),
    ("aaaaaaaaaa", "repeats"), ("12121212", "repeats"), ("abcabcabc", "repeats"),
    ("abcdefgh", "in order"), ("87654321", "in order"), ("qwertzui", "in order"), ("azertyuiop", "in order"),
    ("poiuytre", "in order"), ("short", "at least 8"),
])
def test_a_new_passphrase_is_checked_against_common_repeated_and_sequential_values(passphrase: str,
                                                                                    why: str) -> None:
    from wallet.errors import WeakPassphraseError
    from wallet.passphrase import check_new_passphrase

    with pytest.raises(WeakPassphraseError, match=why):
        check_new_passphrase(passphrase)


@pytest.mark.parametrize("passphrase", [PASSPHRASE, "correct horse battery", "password-kravas-7", "spawacz-2025",
                                        "pass phrase", "Bērziņš auto 12"])
def test_a_passphrase_of_the_workers_own_is_taken(passphrase: str) -> None:
    from wallet.passphrase import check_new_passphrase

    check_new_passphrase(passphrase)


def test_the_built_in_list_is_a_few_hundred_common_passwords_shipped_with_the_wallet() -> None:
    import json

    from wallet.passphrase import COMMON_FILE, MIN_PASSPHRASE_LENGTH, common_passphrases

    assert COMMON_FILE.parent.name == "wallet" and "zxcvbn" in json.loads(COMMON_FILE.read_text())["source"]
    words = common_passphrases()
    assert 300 <= len(words) <= 1000 and {"12345678", "password", "11111111", "qwertyui"} <= words
    assert all(len(w) >= MIN_PASSPHRASE_LENGTH and w == w.casefold() for w in words)


_WHY = {"en": "one of the most common", "lv": "viena no visbiežāk lietotajām", "de": "gehört zu den häufigsten",
        "fr": "fait partie des plus courantes", "pl": "jednym z najczęściej używanych"}


@pytest.mark.parametrize("lang", sorted(_WHY))
def test_the_set_up_page_says_why_a_common_passphrase_is_refused_in_every_language(tmp_path: Path,
                                                                                    lang: str) -> None:
    with _wallet_page(tmp_path) as handle, httpx.Client(base_url=handle.url, timeout=30) as page:
        page.get(f"/lang/{lang}?next=/setup")
        refused = _set_up(page, "password1")
    assert refused.status_code == 400 and _WHY[lang] in _text(refused.text)
    assert 'aria-invalid="true"' in refused.text


def test_changing_the_passphrase_refuses_a_common_one_too(phone: tuple[Path, str]) -> None:
    _data, url = phone
    with httpx.Client(base_url=url, timeout=30) as page:
        assert _unlock(page, PASSPHRASE).status_code == 303
        form = page.get("/passphrase")
        changed = page.post("/passphrase", data={"current": PASSPHRASE, "new": "zzzzzzzzz", "new2": "zzzzzzzzz",
                                                 "csrf": _csrf(form.text)})
    assert changed.status_code == 400 and "repeats the same characters" in _text(changed.text)


def test_the_terminal_refuses_a_common_passphrase_and_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from wallet.cli import main as wallet_main

    monkeypatch.setenv("ESSPASS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ESSPASS_WALLET_SCRYPT_N", "16")
    monkeypatch.setenv("ESSPASS_WALLET_PASSPHRASE", "12345678")
    assert wallet_main(["--lang", "fr", "init"]) == 1
    assert "fait partie des plus courantes" in capsys.readouterr().err
    assert not (tmp_path / "wallet" / "wallet.enc").exists()
