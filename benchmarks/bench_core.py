"""Core benchmark (issue 2): PDA1 issuance and verification against bare ES256, and a 10M status list.

Targets (issue 2): issuance <= 2x "one ES256 sign plus the digests"; presentation verification with
key binding <= 1.25x "the ES256 verifications it needs"; a 10 million entry list at 1% revocations
<= 140 KB.

Each target row's baseline is what the issue names, measured bare in the same run: for issuance the
signature over the credential's own signing input and a SHA-256 per digest in its ``_sd`` arrays;
for verification the issuer signature with the warm key a verifier holds (its trust list's) and the
KB-JWT's with the holder key loaded from its point, as each presentation brings a key never seen.
A stricter row beside each (bare signature alone; both keys warm) shows the same call against less.
"""

from __future__ import annotations

import hashlib
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from credentials import mdoc, pda1, sd_jwt, sd_jwt_vc, status_list
from credentials.demo_persons import DEMO_PERSONS
from credentials.institutions import DEMO_ENTITIES
from credentials.jose import generate_key, public_jwk
from credentials.pki import create_demo_pki
from credentials.sd_jwt import KeyBindingPolicy, present
from credentials.x509 import ChainValidator
from esspass.bench import Row, compare


def _digest_count(node: object) -> int:
    """The digests in ``node``: the entries of its ``_sd`` arrays and its array elements ``{"...": d}``."""
    if isinstance(node, dict):
        sd = node.get("_sd")
        own = (len(sd) if isinstance(sd, list) else 0) + (1 if set(node) == {"..."} else 0)
        return own + sum(_digest_count(v) for k, v in node.items() if k != "_sd")
    if isinstance(node, list):
        return sum(_digest_count(v) for v in node)
    return 0


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
    claims = pda1.with_holder(pda1.validate(person.pda1), person.holder)  # as the issuer signs it: section 1 too
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
    # The digests an issuance must compute: one per Disclosure and one per decoy (RFC 9901 §4.2.3,
    # §4.2.5), each over bytes of the same length as ours.
    issued = sd_jwt.parse(credential)
    disclosed = [d.raw.encode("ascii") for d in issued.disclosures]
    digests = _digest_count([issued.issuer_jws.payload, *(d.value for d in issued.disclosures)])
    digest_inputs = disclosed + [b"0" * 24] * (digests - len(disclosed))  # a decoy hashes a 24-character salt

    def bare_sign_and_digests() -> None:
        for data in digest_inputs:
            hashlib.sha256(data).digest()
        signer_key.sign(issuer_input, ecdsa)

    issue_cost, base_cost, ratio = compare(issue, bare_sign_and_digests, min_time=min_time)
    _, sig_cost, sign_ratio = compare(issue, lambda: signer_key.sign(issuer_input, ecdsa), min_time=min_time)
    rows.append(Row("core", f"ES256 sign + {len(digest_inputs)} digests (bare)", base_cost * 1e6, "µs"))
    rows.append(Row("core", "issue one PDA1 SD-JWT VC", issue_cost * 1e6, "µs", "sign + digests", ratio, "<= 2x"))
    rows.append(Row("core", "ES256 sign (bare, same bytes)", sig_cost * 1e6, "µs"))
    rows.append(Row("core", "issue one PDA1 SD-JWT VC", issue_cost * 1e6, "µs", "ES256 sign", sign_ratio))

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

    verify_cost, fresh_cost, fresh_ratio = compare(verify, bare_verify_fresh_holder_key, min_time=min_time)
    _, two_verify_cost, ratio = compare(verify, bare_verify, min_time=min_time)
    rows.append(Row("core", "2 ES256 verify, holder key loaded fresh", fresh_cost * 1e6, "µs"))
    rows.append(Row("core", "verify PDA1 presentation + KB", verify_cost * 1e6, "µs", "2 verify, fresh key",
                    fresh_ratio, "<= 1.25x"))
    rows.append(Row("core", "2 ES256 verify (bare, both keys warm)", two_verify_cost * 1e6, "µs"))
    rows.append(Row("core", "verify PDA1 presentation + KB", verify_cost * 1e6, "µs", "2 ES256 verify", ratio))

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

    # The device key comes with the MSO, as the holder key with the SD-JWT: loaded fresh in the baseline too.
    mdoc_verify_cost, _, mdoc_verify_ratio = compare(verify_mdoc, bare_verify_fresh_holder_key, min_time=min_time)
    rows.append(Row("core", "verify PDA1 mdoc DeviceResponse", mdoc_verify_cost * 1e6, "µs", "2 verify, fresh key",
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
