"""`esspass demo` against services started on their own (`esspass <service> serve`, no `up` and so no
record of where they run): the settings naming their addresses (`ESSPASS_REGISTRY_URL`,
`ESSPASS_ISSUER_PUBLIC_URL`, `ESSPASS_VERIFIER_PUBLIC_URL`) always win (README "Run it"), as the demo's
own refusal says to set them. Real services on loopback ports, the real command."""

from __future__ import annotations

import os
from pathlib import Path

from esspass.stack import start_in_process
from esspass.testing import run_cli


def test_demo_walks_the_story_through_the_services_its_address_settings_name(tmp_path: Path) -> None:
    with start_in_process(tmp_path) as stack:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ESSPASS_") and k != "DATABASE_URL"}
        done = run_cli(["demo"], env={**env, "ESSPASS_DATA_DIR": str(tmp_path),
                                      "ESSPASS_REGISTRY_URL": stack.registry_url,
                                      "ESSPASS_ISSUER_PUBLIC_URL": stack.issuer_url,
                                      "ESSPASS_VERIFIER_PUBLIC_URL": stack.verifier_url})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    assert "Done: the story went as expected." in done.stdout
