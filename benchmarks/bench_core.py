"""Core benchmark (issue 2): PDA1 issuance and verification against bare ES256, and a 10M status list.

Targets: issuance <= 2x one ES256 signature; presentation verification with key binding <= 1.25x
the two ES256 verifications it needs; a 10 million entry list at 1% revocations <= 140 KB.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from credentials import mdoc, pda1, sd_jwt_vc, status_list
from credentials.demo_persons import DEMO_PERSONS
from credentials.institutions import DEMO_ENTITIES
from credentials.jose import generate_key, public_jwk
from credentials.pki import create_demo_pki
from credentials.sd_jwt import KeyBindingPolicy, present
from credentials.x509 import ChainValidator
from esspass.bench import Row, compare


def run(quick: bool = False) -> list[Row]:
    min_time = 0.02 if quick else 0.4  # quick: a smoke run (the test suite), figures rough
    now = datetime.now(UTC).replace(microsecond=0)
    rows: list[Row] = []
    with TemporaryDirectory() as tmp:
        pki = create_demo_pki(Path(tmp), DEMO_ENTITIES, now=now)
    signer_key, chain = pki.signers["LV:VSAA"]
    anchors = [pki.cas["LV:VSAA"][1]]
    holder = generate_key()
    person = DEMO_PERSONS[0]
    claims = pda1.validate(person.pda1)
    iat = int(now.timestamp())

    holder_jwk = public_jwk(holder)

    def issue() -> str:
        return sd_jwt_vc.issue_vc(
            vct=pda1.VCT,
            claims=claims,
            sd_paths=pda1.SD_PATHS,
            holder_jwk=holder_jwk,
            issuer_key=signer_key,
            x5c=chain,
            iss="https://localhost:8102/lv-vsaa",
            iat=iat,
            nbf=iat,
            exp=iat + 86400 * 365,
            status=status_list.StatusReference(idx=4711, uri="https://localhost:8102/lv-vsaa/status/1"),
        )

    # The baselines sign and verify exactly the bytes the credential's own signatures cover (the
    # issuer-signed JWT's signing input, the KB-JWT's), with the same keys, straight through pyca.
    credential = issue()
    issuer_input = credential.split("~", 1)[0].rsplit(".", 1)[0].encode("ascii")
    ecdsa = ec.ECDSA(hashes.SHA256())
    issue_cost, sig_cost, ratio = compare(issue, lambda: signer_key.sign(issuer_input, ecdsa), min_time=min_time)
    rows.append(Row("core", "ES256 sign (bare, same bytes)", sig_cost * 1e6, "µs"))
    rows.append(Row("core", "issue one PDA1 SD-JWT VC", issue_cost * 1e6, "µs", "ES256 sign", ratio, "<= 2x"))

    select = [
        ("legislation_country",),
        ("status_confirmation",),
        ("employer",),
        ("starting_date",),
        ("ending_date",),
        ("document_number",),
    ]
    presentation = present(
        credential, select=select, holder_key=holder, nonce="n-0S6_WzA2Mj", aud="x509_hash:abc", iat=iat
    )
    policy = KeyBindingPolicy(nonce="n-0S6_WzA2Mj", aud="x509_hash:abc")
    verify_at = now + timedelta(seconds=1)

    chains = ChainValidator()  # a verifier's warm cache of validated issuer chains

    def verify() -> object:
        return sd_jwt_vc.verify_vc(presentation, anchors=anchors, now=verify_at, key_binding=policy, chains=chains)

    kb_input = presentation.rsplit("~", 1)[1].rsplit(".", 1)[0].encode("ascii")
    checks = [(key.public_key(), key.sign(data, ecdsa), data) for key, data in
              ((signer_key, issuer_input), (holder, kb_input))]

    def bare_verify() -> None:
        for pub, der, data in checks:
            pub.verify(der, data, ecdsa)

    # Every presentation brings a holder key the verifier has never seen: OpenSSL's first
    # verification with a freshly loaded key costs more than one with a warm key object.
    holder_point = holder.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    (issuer_pub, issuer_der, _), (_, kb_der, _) = checks

    def bare_verify_fresh_holder_key() -> None:
        issuer_pub.verify(issuer_der, issuer_input, ecdsa)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), holder_point).verify(kb_der, kb_input, ecdsa)

    verify_cost, two_verify_cost, ratio = compare(verify, bare_verify, min_time=min_time)
    _, fresh_cost, fresh_ratio = compare(verify, bare_verify_fresh_holder_key, min_time=min_time)
    rows.append(Row("core", "2 ES256 verify (bare, same bytes)", two_verify_cost * 1e6, "µs"))
    rows.append(Row("core", "verify PDA1 presentation + KB", verify_cost * 1e6, "µs", "2 ES256 verify", ratio,
                    "<= 1.25x"))
    rows.append(Row("core", "2 ES256 verify, holder key loaded fresh", fresh_cost * 1e6, "µs"))
    rows.append(Row("core", "verify PDA1 presentation + KB", verify_cost * 1e6, "µs", "2 verify, fresh key",
                    fresh_ratio))

    # The same document as ISO mdoc (standards §7): IssuerSigned, and a DeviceResponse with the
    # same elements over an OpenID4VP transcript.
    def issue_mdoc() -> bytes:
        return mdoc.issue(doctype=mdoc.DOCTYPES["pda1"], claims=claims, device_key=holder.public_key(),
                          issuer_key=signer_key, x5chain=chain, signed=now, valid_until=now + timedelta(days=365),
                          status=status_list.StatusReference(idx=4711, uri="https://localhost:8102/lv-vsaa/status/1"))

    mdoc_cost, _, mdoc_ratio = compare(issue_mdoc, lambda: signer_key.sign(issuer_input, ecdsa),
                                               min_time=min_time)
    rows.append(Row("core", "issue one PDA1 ISO mdoc", mdoc_cost * 1e6, "µs", "ES256 sign", mdoc_ratio))
    transcript = mdoc.openid4vp_session_transcript(client_id="x509_hash:abc", nonce="n-0S6_WzA2Mj",
                                                   jwk_thumbprint=None, response_uri="https://localhost:8103/r/1")
    device_response = mdoc.present(issue_mdoc(), select=[p[0] for p in select if isinstance(p[0], str)],
                                   device_key=holder, session_transcript=transcript)

    def verify_mdoc() -> object:
        return mdoc.verify_presentation(device_response, anchors=anchors, now=verify_at, session_transcript=transcript,
                                        chains=chains)

    mdoc_verify_cost, _, mdoc_verify_ratio = compare(verify_mdoc, bare_verify, min_time=min_time)
    rows.append(Row("core", "verify PDA1 mdoc DeviceResponse", mdoc_verify_cost * 1e6, "µs", "2 ES256 verify",
                    mdoc_verify_ratio))

    size = 10_000_000
    rng = random.Random(1)
    revoked = rng.sample(range(size), size // 100)
    start = time.perf_counter()
    lst = status_list.StatusList(size, bits=1)
    for i in revoked:
        lst.set(i, status_list.INVALID)
    encoded = lst.to_lst()
    build = time.perf_counter() - start
    start = time.perf_counter()
    parsed = status_list.StatusList.from_lst(encoded, bits=1)
    hit = parsed.get(revoked[0])
    parse = time.perf_counter() - start
    assert hit == status_list.INVALID
    compressed = len(encoded) * 3 / 4 / 1024
    rows.append(Row("status list", "10M entries, 1% revoked: build + compress", build * 1e3, "ms"))
    rows.append(Row("status list", "10M entries, 1% revoked: compressed size", compressed, "KB", target="<= 140 KB"))
    rows.append(Row("status list", "10M entries: parse + lookup", parse * 1e3, "ms"))
    return rows
