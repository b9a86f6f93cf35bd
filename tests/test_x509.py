"""x5c chains (RFC 5280 §6 path validation + HAIP 1.0: no anchor in x5c, leaf not self-signed)."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from credentials import x509 as cx
from credentials.errors import IssuerKeyError, MalformedError
from credentials.jose import PrivateKey, b64url_decode, generate_key

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
Pair = tuple[PrivateKey, x509.Certificate]


def _ku(*, sign: bool = False, cert_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign, content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=cert_sign, crl_sign=cert_sign, encipher_only=False, decipher_only=False,
    )


def _cert(
    cn: str,
    key: PrivateKey,
    issuer: tuple[PrivateKey, x509.Certificate] | None = None,
    *,
    ca: bool,
    path_length: int | None = 0,
    key_usage: x509.KeyUsage | None = None,
    not_before: datetime = NOW - timedelta(days=1),
    not_after: datetime = NOW + timedelta(days=365),
    issuer_name: x509.Name | None = None,
    san: str | None = None,
) -> x509.Certificate:
    """A test certificate; ``issuer=None`` makes it self-signed. ``key_usage`` defaults by role."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    signer_key, signer_name = (key, name) if issuer is None else (issuer[0], issuer[1].subject)
    if key_usage is None:
        key_usage = _ku(cert_sign=True) if ca else _ku(sign=True)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name or signer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), critical=True)
        .add_extension(key_usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()), critical=False
        )
    if san is not None:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
    return builder.sign(signer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def ca() -> Pair:
    key = generate_key()
    return key, _cert("Entity CA", key, ca=True)


@pytest.fixture(scope="module")
def leaf(ca: Pair) -> Pair:
    key = generate_key()
    return key, _cert("Document signer", key, ca, ca=False, san="issuer.example")


def _rejected(
    chain: list[x509.Certificate], anchors: list[x509.Certificate], match: str, *, now: datetime = NOW
) -> None:
    with pytest.raises(IssuerKeyError, match=match) as info:
        cx.validate_chain(chain, anchors, now=now)
    assert info.value.code == "issuer_key"


# --- good chains -------------------------------------------------------------------------------


def test_leaf_only_x5c_validates_to_entity_ca_anchor(ca: Pair, leaf: Pair) -> None:
    result = cx.validate_chain([leaf[1]], [ca[1]], now=NOW)
    assert result.leaf == leaf[1]
    assert result.anchor == ca[1]
    assert result.chain == [leaf[1], ca[1]]


def test_chain_with_intermediate_validates_when_root_allows_path_length() -> None:
    root_key, inter_key, leaf_key = generate_key(), generate_key(), generate_key()
    root = _cert("Root", root_key, ca=True, path_length=1)
    inter = _cert("Intermediate", inter_key, (root_key, root), ca=True, path_length=0)
    leaf = _cert("Leaf", leaf_key, (inter_key, inter), ca=False)
    result = cx.validate_chain([leaf, inter], [root], now=NOW)
    assert result.chain == [leaf, inter, root]


def test_right_anchor_is_found_among_several(ca: Pair, leaf: Pair) -> None:
    other_key = generate_key()
    other = _cert("Other CA", other_key, ca=True)
    assert cx.validate_chain([leaf[1]], [other, ca[1]], now=NOW).anchor == ca[1]


def test_naive_now_is_a_programming_error(ca: Pair, leaf: Pair) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cx.validate_chain([leaf[1]], [ca[1]], now=NOW.replace(tzinfo=None))


# --- validity ----------------------------------------------------------------------------------


def test_expired_leaf_is_rejected(ca: Pair, leaf: Pair) -> None:
    _rejected([leaf[1]], [ca[1]], "not valid at validation time", now=NOW + timedelta(days=366))


def test_not_yet_valid_leaf_is_rejected(ca: Pair) -> None:
    key = generate_key()
    future = _cert("Future", key, ca, ca=False, not_before=NOW + timedelta(days=1))
    _rejected([future], [ca[1]], "not valid at validation time")


def test_expired_anchor_is_rejected() -> None:
    root_key, leaf_key = generate_key(), generate_key()
    root = _cert("Old CA", root_key, ca=True, not_before=NOW - timedelta(days=30), not_after=NOW - timedelta(days=1))
    leaf = _cert("Leaf", leaf_key, (root_key, root), ca=False)
    _rejected([leaf], [root], "not valid at validation time")


# --- trust -------------------------------------------------------------------------------------


def test_chain_to_an_untrusted_root_is_rejected(leaf: Pair) -> None:
    stranger_key = generate_key()
    stranger = _cert("Entity CA", stranger_key, ca=True)  # same name, other key
    _rejected([leaf[1]], [stranger], "certificate chain rejected")


def test_no_anchors_fails_closed(leaf: Pair) -> None:
    _rejected([leaf[1]], [], "no trust anchors")


def test_empty_chain_is_rejected(ca: Pair) -> None:
    _rejected([], [ca[1]], "empty")


def test_anchor_included_in_the_chain_is_rejected(ca: Pair, leaf: Pair) -> None:
    _rejected([leaf[1], ca[1]], [ca[1]], "contains a trust anchor")


def test_reissued_anchor_with_same_name_and_key_in_chain_is_rejected(ca: Pair, leaf: Pair) -> None:
    reissued = _cert("Entity CA", ca[0], ca=True)  # new DER, same subject and key
    _rejected([leaf[1], reissued], [ca[1]], "contains a trust anchor")


def test_self_signed_leaf_is_rejected() -> None:
    key = generate_key()
    selfie = _cert("Self", key, ca=False)
    other_key = generate_key()
    _rejected([selfie], [_cert("CA", other_key, ca=True)], "self-signed")


def test_self_signed_leaf_is_rejected_even_when_it_is_an_anchor() -> None:
    key = generate_key()
    selfie = _cert("Self", key, ca=False)
    _rejected([selfie], [selfie], "self-signed")


# --- basicConstraints / keyUsage ---------------------------------------------------------------


def test_leaf_used_as_a_ca_is_rejected(ca: Pair, leaf: Pair) -> None:
    victim_key = generate_key()
    signed_by_leaf = _cert("Signed by a leaf", victim_key, leaf, ca=False)
    _rejected([signed_by_leaf, leaf[1]], [ca[1]], "basicConstraints.cA must be asserted")


def test_path_length_zero_ca_cannot_have_an_intermediate(ca: Pair) -> None:
    inter_key, leaf_key = generate_key(), generate_key()
    inter = _cert("Intermediate", inter_key, ca, ca=True, path_length=0)
    leaf = _cert("Leaf", leaf_key, (inter_key, inter), ca=False)
    _rejected([leaf, inter], [ca[1]], "path length constraint violated")


def test_ca_without_key_cert_sign_is_rejected() -> None:
    root_key, leaf_key = generate_key(), generate_key()
    root = _cert("No keyCertSign", root_key, ca=True, key_usage=_ku(sign=True))
    leaf = _cert("Leaf", leaf_key, (root_key, root), ca=False)
    _rejected([leaf], [root], "keyCertSign")


def test_leaf_without_digital_signature_is_rejected(ca: Pair) -> None:
    key = generate_key()
    leaf = _cert("Encipher only", key, ca, ca=False, key_usage=_ku(cert_sign=False, sign=False))
    _rejected([leaf], [ca[1]], "does not assert digital_signature")


def test_leaf_that_is_a_ca_is_rejected_as_signer(ca: Pair) -> None:
    key = generate_key()
    sub_ca = _cert("Sub CA", key, ca, ca=True, path_length=None, key_usage=x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False))
    _rejected([sub_ca], [ca[1]], "leaf is a CA certificate")


def test_unknown_required_key_usage_is_a_programming_error(ca: Pair, leaf: Pair) -> None:
    with pytest.raises(ValueError, match="unknown key usage"):
        cx.validate_chain([leaf[1]], [ca[1]], now=NOW, require_key_usage="key_cert_sign")


# --- signatures and names ----------------------------------------------------------------------


def test_broken_signature_link_is_rejected(ca: Pair) -> None:
    impostor_key, leaf_key = generate_key(), generate_key()
    # Names the CA as issuer but is signed by another key.
    forged = _cert("Forged", leaf_key, (impostor_key, ca[1]), ca=False)
    _rejected([forged], [ca[1]], "certificate chain rejected")


def test_issuer_name_must_chain_to_the_anchor_subject(ca: Pair) -> None:
    key = generate_key()
    wrong_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Somebody else")])
    leaf = _cert("Leaf", key, ca, ca=False, issuer_name=wrong_name)  # signed by the CA key, wrong issuer
    _rejected([leaf], [ca[1]], "certificate chain rejected")


# --- encodings ---------------------------------------------------------------------------------


def test_x5c_round_trip_uses_standard_base64_der(ca: Pair, leaf: Pair) -> None:
    header = cx.x5c_header([leaf[1]])
    assert base64.b64decode(header[0]) == leaf[1].public_bytes(serialization.Encoding.DER)
    assert cx.load_x5c(header) == [leaf[1]]


@pytest.mark.parametrize(
    "x5c",
    [
        [],
        "MIIB",
        [123],
        ["not base64!"],
        [base64.b64encode(b"not a certificate").decode()],
        ["A" * (cx.MAX_X5C_CERT_CHARS + 4)],
    ],
    ids=["empty", "string", "number", "bad-base64", "not-der", "too-large"],
)
def test_bad_x5c_is_malformed(x5c: object) -> None:
    with pytest.raises(MalformedError):
        cx.load_x5c(x5c)  # type: ignore[arg-type]


def test_base64url_x5c_entry_is_malformed(leaf: Pair) -> None:
    der = leaf[1].public_bytes(serialization.Encoding.DER)
    url = base64.urlsafe_b64encode(der).decode()
    # ~800 base64 characters: '+' or '/' occur with overwhelming probability, so the forms differ.
    assert url != base64.b64encode(der).decode()
    with pytest.raises(MalformedError):
        cx.load_x5c([url])


def test_too_many_x5c_certificates_is_malformed(leaf: Pair) -> None:
    with pytest.raises(MalformedError, match="more than"):
        cx.load_x5c(cx.x5c_header([leaf[1]] * (cx.MAX_X5C_CERTS + 1)))


def test_pem_bundle_loads_in_order(ca: Pair, leaf: Pair) -> None:
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf[1], ca[1]))
    assert cx.load_pem_certificates(pem) == [leaf[1], ca[1]]


@pytest.mark.parametrize(
    "data",
    [b"", b"hello", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"],
    ids=["empty", "text", "garbage-body"],
)
def test_malformed_pem_is_malformed(data: bytes) -> None:
    with pytest.raises(MalformedError):
        cx.load_pem_certificates(data)


def test_dns_names_reads_the_san(leaf: Pair, ca: Pair) -> None:
    assert cx.dns_names(leaf[1]) == ["issuer.example"]
    assert cx.dns_names(ca[1]) == []


def test_x509_hash_is_b64url_sha256_of_der(leaf: Pair) -> None:
    der = leaf[1].public_bytes(serialization.Encoding.DER)
    assert b64url_decode(cx.x509_hash(leaf[1])) == hashlib.sha256(der).digest()
    assert "=" not in cx.x509_hash(leaf[1])


def test_spki_kid_is_b64url_sha256_of_subject_public_key_info(leaf: Pair) -> None:
    spki = leaf[1].public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert b64url_decode(cx.spki_kid(leaf[1])) == hashlib.sha256(spki).digest()
