"""A PDA1 signed by a key in an HSM (PKCS #11), against the token's own bare signature.

SoftHSM 2 stands in for the HSM: a real HSM signs slower (and over a network, often much
slower), so the absolute figures say little; the ratio says what :mod:`credentials.pkcs11_key`
(which also verifies each signature against the certificate before using it) and the
credential's own work add to each signature the token makes. Skipped (no rows) where
Debian's ``softhsm2`` or the ``hsm`` extra is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from cryptography.hazmat.primitives import serialization

from credentials import pda1, sd_jwt_vc, status_list
from credentials.demo_persons import DEMO_PERSONS
from credentials.institutions import DEMO_ENTITIES
from credentials.jose import generate_key, public_jwk
from credentials.pki import create_entity_ca, issue_document_signer, write_certificates
from credentials.signing_key import load_signing_key
from esspass.bench import Row, compare

_MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
            "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so")
_PIN = "bench-pin"
_LABEL = "bench"  # the token's label


class _PublicOnly:
    def __init__(self, public: object) -> None:
        self._public = public

    def public_key(self) -> object:
        return self._public


def run(quick: bool = False) -> list[Row]:
    # Its real path: python-pkcs11 keeps one library object per path string, as pkcs11_key loads it.
    module = next((os.path.realpath(m) for m in _MODULES if os.path.exists(m)), None)
    util = shutil.which("softhsm2-util")
    try:
        import pkcs11
        from pkcs11 import Attribute, KeyType, Mechanism
        from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters
    except ImportError:
        return []
    if module is None or util is None or os.environ.get("SOFTHSM2_CONF"):
        return []  # a configuration of someone else's tokens is left alone
    min_time = 0.02 if quick else 0.4  # quick: a smoke run (the test suite), figures rough
    now = datetime.now(UTC).replace(microsecond=0)
    with TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / "tokens").mkdir()
        (directory / "softhsm2.conf").write_text(f"directories.tokendir = {directory / 'tokens'}\n"
                                                 "objectstore.backend = file\nlog.level = ERROR\n")
        os.environ["SOFTHSM2_CONF"] = str(directory / "softhsm2.conf")
        try:
            subprocess.run([util, "--init-token", "--free", "--label", _LABEL, "--pin", _PIN, "--so-pin", _PIN],
                           check=True, capture_output=True, timeout=60)
            session = pkcs11.lib(module).get_token(token_label=_LABEL).open(user_pin=_PIN, rw=True)
            params = session.create_domain_parameters(
                KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True)
            public, private = params.generate_keypair(store=True, label="signer")
            token_key: Any = private  # python-pkcs11's SignMixin.sign, which its stubs do not declare
            entity = next(e for e in DEMO_ENTITIES if e.id == "LV:VSAA")
            ca_key, ca = create_entity_ca(entity, now=now)
            _, leaf = issue_document_signer(entity, ca_key, ca, now=now, key=_PublicOnly(  # type: ignore[arg-type]
                serialization.load_der_public_key(encode_ec_public_key(public))))
            write_certificates(directory / "chain.pem", [leaf])
            (directory / "pin").write_text(_PIN)
            (directory / "pin").chmod(0o600)
            signer = load_signing_key(f"pkcs11:token={_LABEL};object=signer?module-path={module}&pin-source="
                                      f"{directory / 'pin'}", directory / "chain.pem", now=now)
            claims = pda1.validate(DEMO_PERSONS[0].pda1)
            holder_jwk = public_jwk(generate_key())
            iat = int(now.timestamp())

            def issue() -> str:
                return sd_jwt_vc.issue_vc(
                    vct=pda1.VCT, claims=claims, sd_paths=pda1.SD_PATHS, holder_jwk=holder_jwk,
                    issuer_key=signer.key, x5c=signer.chain, iss="https://localhost:8102/lv-vsaa", iat=iat, nbf=iat,
                    exp=iat + 86400 * 365,
                    status=status_list.StatusReference(idx=4711, uri="https://localhost:8102/lv-vsaa/status/1"))

            digest = os.urandom(32)
            cost, bare, ratio = compare(issue, lambda: token_key.sign(digest, mechanism=Mechanism.ECDSA),
                                        min_time=min_time)
            session.close()
        finally:
            del os.environ["SOFTHSM2_CONF"]
    return [Row("hsm", "SoftHSM CKM_ECDSA sign (bare, python-pkcs11)", bare * 1e6, "µs"),
            Row("hsm", "issue one PDA1 SD-JWT VC, key in SoftHSM", cost * 1e6, "µs", "SoftHSM sign", ratio)]
