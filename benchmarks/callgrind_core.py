"""Instruction counts (valgrind callgrind) of bench_core's presentation verification and its baselines.

Wall-clock figures from ``esspass bench core`` are noise on a shared machine (other processes, CPU
clock); the number of instructions a call executes is not. This runs, each in its own process under
``valgrind --tool=callgrind``, N calls of:

* ``verify``: ``sd_jwt_vc.verify_vc`` of a PDA1 presentation with key binding, with a warm
  :class:`~credentials.x509.ChainValidator` (as bench_core's "verify PDA1 presentation + KB");
* ``bare``: the two ES256 verifications it contains, with warm key objects (bench_core's baseline);
* ``bare_fresh``: the same, with the holder key loaded from its point for each call;

and prints the instructions per call (the run with N calls less the same run with none, so that
imports and setup cancel out) and verify's ratio to each baseline. Usage::

    .venv/bin/python benchmarks/callgrind_core.py [N]

``PYTHONHASHSEED`` is fixed for the children so that two runs (before and after a change) compare
like with like. Under valgrind OpenSSL takes other code paths than on the bare CPU (no SHA-NI, no
ADX multiplication), so the ratio in time is higher than this one: use it to compare changes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NONCE, AUD = "n-0S6_WzA2Mj", "x509_hash:abc"
MODES = ("verify", "bare", "bare_fresh")


def make_fixture(path: Path) -> None:
    """One PDA1 presentation as bench_core builds it, with the keys and trust anchor, as JSON."""
    from tempfile import TemporaryDirectory

    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    from credentials import pda1, sd_jwt_vc, status_list
    from credentials.demo_persons import DEMO_PERSONS
    from credentials.institutions import DEMO_ENTITIES
    from credentials.jose import generate_key, public_jwk
    from credentials.pki import create_demo_pki
    from credentials.sd_jwt import present

    now = datetime.now(UTC).replace(microsecond=0)
    with TemporaryDirectory() as tmp:
        pki = create_demo_pki(Path(tmp), DEMO_ENTITIES, now=now)
    signer_key, chain = pki.signers["LV:VSAA"]
    holder = generate_key()
    iat = int(now.timestamp())
    credential = sd_jwt_vc.issue_vc(
        vct=pda1.VCT, claims=pda1.validate(DEMO_PERSONS[0].pda1), sd_paths=pda1.SD_PATHS,
        holder_jwk=public_jwk(holder), issuer_key=signer_key, x5c=chain, iss="https://localhost:8102/lv-vsaa",
        iat=iat, nbf=iat, exp=iat + 86400 * 365,
        status=status_list.StatusReference(idx=4711, uri="https://localhost:8102/lv-vsaa/status/1"),
    )
    select = [("legislation_country",), ("status_confirmation",), ("employer",), ("starting_date",),
              ("ending_date",), ("document_number",)]
    presentation = present(credential, select=select, holder_key=holder, nonce=NONCE, aud=AUD, iat=iat)

    def pem(key: Any) -> str:
        return str(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode("ascii"))

    path.write_text(json.dumps({
        "presentation": presentation, "iat": iat, "signer": pem(signer_key), "holder": pem(holder),
        "anchor": pki.cas["LV:VSAA"][1].public_bytes(Encoding.PEM).decode("ascii"),
    }))


def calls(fixture: Path) -> dict[str, Callable[[], object]]:
    """The measured calls, built from the fixture exactly as bench_core builds its own."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from credentials import sd_jwt_vc
    from credentials.sd_jwt import KeyBindingPolicy
    from credentials.x509 import ChainValidator

    data = json.loads(fixture.read_text())
    presentation: str = data["presentation"]
    anchors = [x509.load_pem_x509_certificate(data["anchor"].encode("ascii"))]
    signer = serialization.load_pem_private_key(data["signer"].encode("ascii"), None)
    holder = serialization.load_pem_private_key(data["holder"].encode("ascii"), None)
    assert isinstance(signer, ec.EllipticCurvePrivateKey) and isinstance(holder, ec.EllipticCurvePrivateKey)
    policy = KeyBindingPolicy(nonce=NONCE, aud=AUD)
    verify_at = datetime.fromtimestamp(data["iat"], UTC) + timedelta(seconds=1)
    chains = ChainValidator()
    ecdsa = ec.ECDSA(hashes.SHA256())
    issuer_input = presentation.split("~", 1)[0].rsplit(".", 1)[0].encode("ascii")
    kb_input = presentation.rsplit("~", 1)[1].rsplit(".", 1)[0].encode("ascii")
    issuer_pub, holder_pub = signer.public_key(), holder.public_key()
    issuer_der, kb_der = signer.sign(issuer_input, ecdsa), holder.sign(kb_input, ecdsa)
    holder_point = holder_pub.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)

    def verify() -> object:
        return sd_jwt_vc.verify_vc(presentation, anchors=anchors, now=verify_at, key_binding=policy, chains=chains)

    def bare() -> None:
        issuer_pub.verify(issuer_der, issuer_input, ecdsa)
        holder_pub.verify(kb_der, kb_input, ecdsa)

    def bare_fresh() -> None:
        issuer_pub.verify(issuer_der, issuer_input, ecdsa)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), holder_point).verify(kb_der, kb_input, ecdsa)

    return {"verify": verify, "bare": bare, "bare_fresh": bare_fresh}


def child(fixture: Path, mode: str, n: int) -> None:
    """The process valgrind runs: every call once (so that setup is the same for every mode), then N."""
    table = calls(fixture)
    for fn in table.values():
        fn()
    fn = table[mode]
    for _ in range(n):
        fn()


def instructions(fixture: Path, mode: str, n: int) -> int:
    """Instructions of one child process under callgrind."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
         "--child", str(fixture), mode, str(n)],
        capture_output=True, text=True, env=env, check=True,
    )
    found = re.search(r"Collected : (\d+)", out.stderr)
    if found is None:
        raise RuntimeError(f"no callgrind total in: {out.stderr[-500:]}")
    return int(found.group(1))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        child(Path(argv[1]), argv[2], int(argv[3]))
        return 0
    n = int(argv[0]) if argv else 100
    with tempfile.TemporaryDirectory() as tmp:
        fixture = Path(tmp) / "fixture.json"
        make_fixture(fixture)
        setup = instructions(fixture, MODES[0], 0)
        per_call = {mode: (instructions(fixture, mode, n) - setup) / n for mode in MODES}
    for mode in MODES:
        print(f"{mode:<11} {per_call[mode]:>12,.0f} instructions per call")
    print(f"verify / bare        {per_call['verify'] / per_call['bare']:.3f}")
    print(f"verify / bare_fresh  {per_call['verify'] / per_call['bare_fresh']:.3f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
