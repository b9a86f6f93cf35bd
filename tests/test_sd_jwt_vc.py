"""SD-JWT VC draft -18 with the HAIP envelope: typ, x5c chain to a trust-list anchor, validity, registered claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from credentials import jose, sd_jwt, sd_jwt_vc
from credentials.errors import (
    ClaimError,
    DisclosureError,
    IssuerKeyError,
    MalformedError,
    ValidityError,
    VctError,
)
from credentials.institutions import DEMO_ENTITIES
from credentials.pki import DemoPki, create_demo_pki
from credentials.sd_jwt import KeyBindingPolicy
from credentials.status_list import StatusReference

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
IAT = int(NOW.timestamp())
HOLDER = jose.generate_key()
POLICY = KeyBindingPolicy(nonce="nonce-1234567890", aud="x509_hash:abc")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    return create_demo_pki(Path(tmp_path_factory.mktemp("pki")), DEMO_ENTITIES, now=NOW - timedelta(days=30))


def _issue(pki: DemoPki, **kw: Any) -> str:
    key, chain = pki.signers["LV:VSAA"]
    args: dict[str, Any] = dict(
        vct="urn:eudi:pda1:1", claims={"legislation_country": "LV", "document_number": "A1-LV-0001"},
        sd_paths=[("document_number",)], holder_jwk=jose.public_jwk(HOLDER), issuer_key=key, x5c=chain,
        iss="https://localhost:8102/lv-vsaa", iat=IAT, nbf=IAT, exp=IAT + 86400,
        status=StatusReference(idx=7, uri="https://localhost:8102/lv-vsaa/status/1"),
    )
    args.update(kw)
    return sd_jwt_vc.issue_vc(**args)


def _verify(pki: DemoPki, presentation: str, entity: str = "LV:VSAA", **kw: Any) -> sd_jwt_vc.VerifiedCredential:
    args: dict[str, Any] = {"anchors": [pki.cas[entity][1]], "now": NOW + timedelta(seconds=5), "key_binding": POLICY}
    args.update(kw)
    return sd_jwt_vc.verify_vc(presentation, **args)


def _present(sd: str) -> str:
    return sd_jwt.present(sd, select=[("document_number",)], holder_key=HOLDER, nonce=POLICY.nonce, aud=POLICY.aud,
                          iat=IAT)


def test_issued_credential_has_the_haip_envelope(pki: DemoPki) -> None:
    parsed = sd_jwt.parse(_issue(pki), expect_kb=False)
    header, payload = parsed.issuer_jws.header, parsed.issuer_jws.payload
    assert header["typ"] == "dc+sd-jwt" and header["alg"] == "ES256"
    assert len(header["x5c"]) == 1  # signer only: the entity CA is the trust anchor, never in x5c
    for claim in ("iss", "iat", "nbf", "exp", "vct", "cnf", "status"):
        assert claim in payload
    assert payload["status"] == {"status_list": {"idx": 7, "uri": "https://localhost:8102/lv-vsaa/status/1"}}


def test_presentation_verifies_against_the_institution_anchor(pki: DemoPki) -> None:
    out = _verify(pki, _present(_issue(pki)), expected_vct={"urn:eudi:pda1:1"})
    assert out.vct == "urn:eudi:pda1:1"
    assert out.claims["document_number"] == "A1-LV-0001"
    assert out.status == StatusReference(idx=7, uri="https://localhost:8102/lv-vsaa/status/1")
    assert out.holder_jwk == jose.public_jwk(HOLDER)


def test_chain_to_another_institution_is_rejected(pki: DemoPki) -> None:
    with pytest.raises(IssuerKeyError):
        _verify(pki, _present(_issue(pki)), entity="DE:DRV")


def test_missing_x5c_is_rejected(pki: DemoPki) -> None:
    key, _ = pki.signers["LV:VSAA"]
    token = sd_jwt.issue({"vct": "urn:eudi:pda1:1", "iat": IAT, "cnf": {"jwk": jose.public_jwk(HOLDER)}},
                         sd_paths=[], key=key, header={"typ": "dc+sd-jwt"})
    with pytest.raises(IssuerKeyError):
        _verify(pki, token, key_binding=None)


def test_wrong_typ_is_rejected(pki: DemoPki) -> None:
    key, chain = pki.signers["LV:VSAA"]
    from credentials.x509 import x5c_header

    token = sd_jwt.issue({"vct": "urn:eudi:pda1:1", "iat": IAT}, sd_paths=[], key=key,
                         header={"typ": "JWT", "x5c": x5c_header(chain)})
    with pytest.raises(MalformedError):
        _verify(pki, token, key_binding=None)


def test_legacy_vc_sd_jwt_typ_is_accepted_on_input(pki: DemoPki) -> None:
    key, chain = pki.signers["LV:VSAA"]
    from credentials.x509 import x5c_header

    token = sd_jwt.issue({"vct": "urn:eudi:pda1:1", "iat": IAT}, sd_paths=[], key=key,
                         header={"typ": "vc+sd-jwt", "x5c": x5c_header(chain)})
    assert _verify(pki, token, key_binding=None).vct == "urn:eudi:pda1:1"


def test_expired_credential_is_rejected(pki: DemoPki) -> None:
    with pytest.raises(ValidityError):
        _verify(pki, _present(_issue(pki, exp=IAT - 3600)))


def test_not_yet_valid_credential_is_rejected(pki: DemoPki) -> None:
    with pytest.raises(ValidityError):
        _verify(pki, _present(_issue(pki, nbf=IAT + 3600)))


def test_unexpected_vct_is_rejected(pki: DemoPki) -> None:
    with pytest.raises(VctError):
        _verify(pki, _present(_issue(pki)), expected_vct={"urn:eudi:ehic:1"})


@pytest.mark.parametrize("claim", sorted(sd_jwt_vc.NEVER_DISCLOSABLE))
def test_registered_claim_as_disclosure_is_refused_on_issuance(pki: DemoPki, claim: str) -> None:
    with pytest.raises(ClaimError):
        _issue(pki, sd_paths=[(claim,)])


def test_registered_claim_as_disclosure_is_refused_on_verification(pki: DemoPki) -> None:
    """An issuer (or forger with the key) hiding exp in a disclosure: the verifier refuses."""
    key, chain = pki.signers["LV:VSAA"]
    from credentials.x509 import x5c_header

    token = sd_jwt.issue({"vct": "urn:eudi:pda1:1", "iat": IAT, "exp": IAT + 60}, sd_paths=[("exp",)], key=key,
                         header={"typ": "dc+sd-jwt", "x5c": x5c_header(chain)})
    with pytest.raises(DisclosureError):
        _verify(pki, token, key_binding=None)


def test_claims_may_not_override_the_envelope(pki: DemoPki) -> None:
    with pytest.raises(ClaimError):
        _issue(pki, claims={"iss": "https://evil.example"})


def test_a_signer_certificate_without_an_ec_key_is_refused_after_ec_ones_passed(pki: DemoPki) -> None:
    """The check that the signer certificate holds an EC key remembers the key classes that passed:
    an RSA signer certificate chaining to the same anchor is still refused once EC ones verified."""
    _verify(pki, _present(_issue(pki)))
    ca_key, ca_cert = pki.cas["LV:VSAA"]
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    usage = x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "RSA document signer")]))
        .issuer_name(ca_cert.subject)
        .public_key(rsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    # Signed by the EC signer's key, but its x5c names the RSA certificate, which validates to the anchor.
    with pytest.raises(IssuerKeyError, match="does not hold an EC key"):
        _verify(pki, _present(_issue(pki, x5c=[leaf])))
