"""Reviewer R5 (offline laptop), "also seen": `esspass up` gave up after 60 s on a loaded two-CPU machine
("issuer did not become healthy in 60 s") and had no way to wait longer. It now takes ``--wait SECONDS``
(or ``ESSPASS_UP_WAIT``), and says so when the services are not up in time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from esspass.pilot import Pilot

ESSPASS = [sys.executable, "-m", "esspass.cli"]


@pytest.mark.parametrize(("args", "env", "says"), [
    (["--wait", "soon"], {}, "--wait"),
    (["--wait", "0"], {}, "--wait"),
    ([], {"ESSPASS_UP_WAIT": "-5"}, "ESSPASS_UP_WAIT"),
])
def test_up_refuses_a_wait_that_is_no_number_of_seconds(tmp_path: Path, args: list[str], env: dict[str, str],
                                                         says: str) -> None:
    run = subprocess.run([*ESSPASS, "up", "--data-dir", str(tmp_path / "data"), *args], capture_output=True,
                         text=True, timeout=120, env={**os.environ, **env}, cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert says in run.stderr, run.stderr
    assert not (tmp_path / "data" / "pki").exists()  # nothing was started or made


def test_services_not_up_in_time_tell_how_to_wait_longer(tmp_path: Path) -> None:
    """The wait is the pilot's own (``--wait``), and running out of it names the option."""
    pilot = Pilot(tmp_path, tls=False, ports={"registry": 1, "issuer": 2, "verifier": 3, "wallet": 4}, wait=0.5)
    assert pilot.wait == 0.5
    slow = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])  # a service still starting
    try:
        pilot.procs = {name: slow for name in pilot.ports}
        with pytest.raises(RuntimeError) as caught:
            pilot.wait_healthy(pilot.wait)
        assert "--wait" in str(caught.value) and "ESSPASS_UP_WAIT" in str(caught.value)
    finally:
        slow.kill()
        slow.wait()
