"""An operator's review of the ``esspass`` command line, one test per finding: commands on a
deployment that is not there (1), inspector names (2), a malformed setting (3), a wallet without a
terminal (8), and output piped into ``head`` (16a). Every command runs as a real process, in a
directory of its own and without ``ESSPASS_DATA_DIR`` unless the test gives one."""

from __future__ import annotations

import fcntl
import json
import os
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from esspass.testing import free_port, free_ports

#: What the refusal of a missing data directory says besides the directory itself.
HINTS = ("esspass up", "--data-dir", "ESSPASS_DATA_DIR")


def _env(data_dir: Path | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESSPASS_") and k != "DATABASE_URL"}
    if data_dir is not None:
        env["ESSPASS_DATA_DIR"] = str(data_dir)
    return {**env, **extra}


def _esspass(*args: str, cwd: Path, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``esspass ARGS`` in its own session (no terminal to ask anything on) with nothing on its
    standard input; a command that should have refused but serves runs into ``timeout``."""
    return subprocess.run([sys.executable, "-m", "esspass.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL, start_new_session=True)


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    return lines[0]


@pytest.fixture(scope="module")
def pilot_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deployment's data directory: the demo PKI and the seeded registry (``esspass init``)."""
    data_dir = tmp_path_factory.mktemp("pilot") / "data"
    done = _esspass("init", "--data-dir", str(data_dir), cwd=data_dir.parent, env=_env())
    assert done.returncode == 0, done.stderr
    return data_dir


# -- 1. Commands other than up and demo quietly made a fresh data directory -------------------------

@pytest.mark.parametrize("command", [("issuer", "tokens"), ("issuer", "erase", "--dry-run"), ("issuer", "check"),
                                     ("verifier", "tokens"), ("verifier", "tokens", "--add", "newinsp"),
                                     ("verifier", "tokens", "--revoke", "inspector"), ("verifier", "check"),
                                     ("registry", "list"),
                                     ("registry", "history", "EE:SKA"), ("migrate",)])
def test_finding_1_commands_on_a_deployment_refuse_a_missing_data_dir(tmp_path: Path,
                                                                      command: tuple[str, ...]) -> None:
    done = _esspass(*command, cwd=tmp_path, env=_env())
    assert done.returncode == 1 and done.stdout == ""
    line = _one_line(done)
    assert str(tmp_path / ".esspass") in line and all(hint in line for hint in HINTS), line
    assert list(tmp_path.iterdir()) == []  # no ./.esspass, no demo PKI, no database, no token file
    # --data-dir names a directory that is not there: the same refusal, naming that one.
    elsewhere = tmp_path / "elsewhere"
    done = _esspass("--data-dir", str(elsewhere), *command, cwd=tmp_path, env=_env())
    assert done.returncode == 1 and str(elsewhere) in _one_line(done) and list(tmp_path.iterdir()) == []


def test_finding_1_the_global_data_dir_option(pilot_data: Path, tmp_path: Path) -> None:
    # A database the data directory does not hold is named, and not made.
    empty = tmp_path / "empty"
    empty.mkdir()
    done = _esspass("--data-dir", str(empty), "registry", "list", cwd=tmp_path, env=_env())
    assert done.returncode == 1 and "registry database" in _one_line(done) and list(empty.iterdir()) == []
    # --data-dir is ESSPASS_DATA_DIR for every command, and wins over it.
    done = _esspass("--data-dir", str(pilot_data), "issuer", "tokens", cwd=tmp_path, env=_env(tmp_path / "other"))
    assert done.returncode == 0, done.stderr
    clerks = json.loads(done.stdout)
    assert clerks == json.loads((pilot_data / "issuer" / "clerk-tokens.json").read_text("utf-8"))
    assert "LV:VSAA" in clerks and not (tmp_path / ".esspass").exists() and not (tmp_path / "other").exists()
    done = _esspass("issuer", "tokens", cwd=tmp_path, env=_env(pilot_data))
    assert done.returncode == 0 and json.loads(done.stdout) == clerks
    # up and init, which make a data directory, take it too (init's own --data-dir still works).
    made = tmp_path / "made"
    done = _esspass("--data-dir", str(made), "init", cwd=tmp_path, env=_env())
    assert done.returncode == 0 and (made / "pki" / "pki.json").exists(), done.stderr
    # Clerk tokens set in the environment need no data directory.
    done = _esspass("issuer", "tokens", cwd=tmp_path,
                    env=_env(ESSPASS_ISSUER_CLERK_TOKENS=json.dumps({"clerk-abc-0123456789": "LV:VSAA/anna.berzina"})))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"LV:VSAA/anna.berzina": "clerk-abc-0123456789"}
    assert not (tmp_path / ".esspass").exists()


# -- 2. verifier tokens: an unknown name, a bad name, a name taken ---------------------------------

def test_finding_2_inspector_token_changes_name_a_known_valid_inspector(pilot_data: Path, tmp_path: Path) -> None:
    env = _env(pilot_data)
    tokens = pilot_data / "verifier" / "inspector-tokens.json"
    done = _esspass("verifier", "tokens", "--revoke", "nobody", cwd=tmp_path, env=env)
    assert done.returncode == 1 and done.stdout == "" and not tokens.exists()  # nothing made to revoke from
    assert "nobody" in _one_line(done)
    assert _esspass("verifier", "tokens", cwd=tmp_path, env=env).returncode == 0
    before = tokens.read_bytes()
    for change, name, said in (("--revoke", "nobody", "inspector"), ("--add", "bad name!", "lower-case"),
                               ("--add", "Anna", "lower-case"), ("--add", "inspector", "already")):
        done = _esspass("verifier", "tokens", change, name, cwd=tmp_path, env=env)
        assert done.returncode == 1 and done.stdout == "", (name, done.stderr)
        line = _one_line(done)
        assert name in line and said in line, line
        assert tokens.read_bytes() == before  # nothing changed
    done = _esspass("verifier", "tokens", "--add", "anna.berzina", cwd=tmp_path, env=env)
    assert done.returncode == 0 and set(json.loads(done.stdout)) == {"inspector", "anna.berzina"}, done.stderr
    done = _esspass("verifier", "tokens", "--revoke", "anna.berzina", cwd=tmp_path, env=env)
    assert done.returncode == 0 and set(json.loads(done.stdout)) == {"inspector"}, done.stderr


# -- 3. A malformed setting: one line naming it and the rule, never its value ------------------------

SETTINGS_MISTAKES = [
    (("verifier", "serve"), "ESSPASS_VERIFIER_INSPECTOR_TOKENS", '{"SECRET-TOKEN-123": 5}', "SECRET-TOKEN-123"),
    (("issuer", "serve"), "ESSPASS_ISSUER_CLERK_TOKENS", '{"SECRET-TOKEN-456": ["LV:VSAA"]}', "SECRET-TOKEN-456"),
    (("issuer", "serve"), "ESSPASS_ISSUER_APPROVAL", "LV:XYZ", "LV:XYZ"),
    (("issuer", "tokens"), "ESSPASS_ISSUER_CLERK_TOKENS", '{"SECRET-TOKEN-7": "LV:VSAA/Anna Berzina"}', "Anna"),
    (("issuer", "serve"), "ESSPASS_ISSUER_CLERK_TOKENS", '{"SECRET-TOKEN-7": "LV:VSAA/Anna Berzina"}', "Anna"),
    (("issuer", "serve"), "ESSPASS_ISSUER_STATUS_TTL", "100000", "100000"),
    # QA office: a one-time code tried a million times (every 6-digit code), an offer born expired.
    (("issuer", "serve"), "ESSPASS_ISSUER_TX_CODE_ATTEMPTS", "1000000", "1000000"),
    (("issuer", "serve"), "ESSPASS_ISSUER_OFFER_TTL", "-900", "-900"),
    (("verifier", "serve"), "ESSPASS_VERIFIER_TIME_ZONE", "Mars/Base", "Mars"),
    (("verifier", "tokens"), "ESSPASS_VERIFIER_INSPECTOR_TOKENS", "not json SECRET-8", "SECRET-8"),
    (("registry", "serve"), "ESSPASS_REGISTRY_ADMIN_TOKENS", '{"SECRET-TOKEN-789": 5}', "SECRET-TOKEN-789"),
    (("registry", "list"), "ESSPASS_REGISTRY_LIST_VALIDITY_HOURS", "0", "=0"),
    (("wallet", "list"), "ESSPASS_WALLET_BATCH_SIZE", "x7x", "x7x"),
    (("up", "--http"), "ESSPASS_ISSUER_APPROVAL", "LV:XYZ", "LV:XYZ"),
]


@pytest.mark.parametrize(("command", "variable", "value", "secret"), SETTINGS_MISTAKES,
                         ids=[f"{' '.join(c)}-{v}" for c, v, _, _ in SETTINGS_MISTAKES])
def test_finding_3_a_malformed_setting_is_one_line_without_its_value(
        pilot_data: Path, tmp_path: Path, command: tuple[str, ...], variable: str, value: str, secret: str) -> None:
    args = [*command]
    if command[-1] == "serve":
        args += ["--port", str(free_port())]
    elif command[0] == "up":
        args += ["--data-dir", str(tmp_path / "up"), "--port-base", str(free_ports(4))]
    done = _esspass(*args, cwd=tmp_path, env=_env(pilot_data, **{variable: value}))
    assert done.returncode == 2, done.stderr
    line = _one_line(done)
    assert line.startswith(f"esspass: {variable} ") and secret not in done.stdout + done.stderr, line
    if command[0] == "up":  # refused before anything was made or started
        assert not (tmp_path / "up").exists()


def test_a_setting_naming_an_institution_not_hosted_exits_as_a_malformed_setting(
        pilot_data: Path, tmp_path: Path) -> None:
    """Well-formed, but wrong against what the deployment holds: still the setting's mistake (exit 2, as
    README says of a setting that breaks its rule), told in one line naming the variable and what it
    names; not a refusal of the command's work (exit 1)."""
    done = _esspass("issuer", "serve", "--port", str(free_port()), cwd=tmp_path,
                    env=_env(pilot_data, ESSPASS_ISSUER_APPROVAL='["LV:XYZ"]'))
    assert done.returncode == 2, done.stderr
    line = _one_line(done)
    assert line.startswith("esspass: ESSPASS_ISSUER_APPROVAL names LV:XYZ, which this issuer does not host"), line


# -- 8. wallet init without a terminal ---------------------------------------------------------------

def _init_at_a_terminal_ended_by_ctrl_d(cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """``esspass wallet init`` whose controlling terminal is a pseudo-terminal; Ctrl-D at the prompt."""
    controller, terminal = os.openpty()

    def take_terminal() -> None:  # after setsid: the pseudo-terminal becomes this session's
        fcntl.ioctl(terminal, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen([sys.executable, "-m", "esspass.cli", "wallet", "init"], cwd=cwd, env=env,
                            stdin=terminal, stdout=terminal, stderr=terminal, start_new_session=True,
                            preexec_fn=take_terminal)
    os.close(terminal)
    seen, sent, deadline = b"", False, time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the child is gone and its side of the terminal closed
                break
            if not chunk:
                break
            seen += chunk
        if not sent and b":" in seen:
            os.write(controller, b"\x04")  # Ctrl-D
            sent = True
        if proc.poll() is not None and not ready:
            break
    os.close(controller)
    return proc.wait(timeout=30), seen.decode("utf-8", "replace")


def test_finding_8_wallet_init_without_a_passphrase_says_how_to_give_one(tmp_path: Path) -> None:
    env = _env(tmp_path / "data")
    done = _esspass("wallet", "init", cwd=tmp_path, env=env)  # no terminal, nothing on standard input
    assert done.returncode == 1 and done.stdout == ""
    line = _one_line(done)
    assert "--passphrase-file" in line and "ESSPASS_WALLET_PASSPHRASE" in line, line
    assert not (tmp_path / "data" / "wallet" / "wallet.enc").exists()
    code, shown = _init_at_a_terminal_ended_by_ctrl_d(tmp_path, env)
    assert code == 1 and "Traceback" not in shown and "ESSPASS_WALLET_PASSPHRASE" in shown, shown
    assert not (tmp_path / "data" / "wallet" / "wallet.enc").exists()


# -- 16a. Piped into head ----------------------------------------------------------------------------

@pytest.mark.parametrize(("command", "code"), [(("registry", "history", "LV:VSAA"), 141), (("issuer", "tokens"), 141),
                                              (("--help",), 0)])
def test_finding_16a_a_command_piped_into_head_exits_quietly(pilot_data: Path, tmp_path: Path,
                                                             command: tuple[str, ...], code: int) -> None:
    """The reader is gone before the first line is written (``| head -0``): exit 141, as a program
    killed by SIGPIPE reports itself to the shell, and nothing on stderr. (argparse's help ignores
    a failed write itself, and exits 0.)"""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = subprocess.run([sys.executable, "-m", "esspass.cli", *command], cwd=tmp_path, env=_env(pilot_data),
                              stdout=writer, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                              timeout=60)
    finally:
        os.close(writer)
    assert done.returncode == code and done.stderr == "", done.stderr
