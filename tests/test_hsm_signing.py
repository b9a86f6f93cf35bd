"""Signing keys kept in a hardware security module, reached through PKCS #11 (credentials/pkcs11_key.py).

SoftHSM 2 (Debian's ``softhsm2``, installed by ``.ci/run``) plays the HSM: a real PKCS #11
module, with a token initialised for this test session. The key is made on the token and never
leaves it; the institution's CA certifies its public half. What the token signs must verify
exactly like what a PEM key signs: SD-JWT VC, ISO mdoc, status lists, and an A1 that an
inspector's verifier accepts over real HTTP.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from credentials import mdoc, pda1, sd_jwt_vc, status_list
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import DataError, SignerUnavailableError
from credentials.institutions import Entity, Role
from credentials.jose import generate_key, public_jwk
from credentials.pkcs11_key import Pkcs11PrivateKey, module_lock, parse_uri
from credentials.pki import create_entity_ca, issue_document_signer, write_certificates, write_private_key
from credentials.signing_key import load_signing_key
from credentials.x509 import validate_chain

PERSON = DEMO_PERSONS[0]
SKA = Entity("EE:SKA", "EE", "Sotsiaalkindlustusamet", "Social Insurance Board", frozenset({Role.PDA1_ISSUER}),
             "ee-ska")
NOW = datetime.now(UTC).replace(microsecond=0)
PIN = "4711-demo"
TOKEN = "esspass"  # the token's label
_MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
            "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so")


class Token:
    """One SoftHSM token for the session, and the keys the tests make on it."""

    def __init__(self, module: str, directory: Path) -> None:
        # The module's real path, as credentials.pkcs11_key loads it: python-pkcs11 keeps one
        # library object per path string, and a second one would initialise the module twice.
        self.module, self.dir = os.path.realpath(module), directory
        (directory / "pin").write_text(PIN + "\n")
        (directory / "pin").chmod(0o600)

    def uri(self, label: str) -> str:
        return f"pkcs11:token={TOKEN};object={label}?module-path={self.module}&pin-source={self.dir / 'pin'}"

    @contextmanager
    def session(self, token_label: str = TOKEN) -> Iterator[Any]:
        """A read-write session (logged in already when a key of this process holds one), under the
        module's lock: the module serves one thread at a time, and the issuer signs meanwhile."""
        import pkcs11
        from pkcs11.exceptions import UserAlreadyLoggedIn

        with module_lock(self.module):
            token = pkcs11.lib(self.module).get_token(token_label=token_label)
            try:
                session = token.open(user_pin=PIN, rw=True)
            except UserAlreadyLoggedIn:
                session = token.open(rw=True)
            try:
                yield session
            finally:
                session.close()

    def make_key(self, label: str, *, with_public: bool = True, token: str = TOKEN) -> ec.EllipticCurvePublicKey:
        """An EC P-256 key pair generated on the token; only the public half comes out."""
        from pkcs11 import Attribute, KeyType, ObjectClass
        from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters

        with self.session(token) as session:
            params = session.create_domain_parameters(
                KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True)
            public, _private = params.generate_keypair(store=True, label=label, id=label.encode())
            key = serialization.load_der_public_key(encode_ec_public_key(public))
            if not with_public:
                for obj in session.get_objects({Attribute.CLASS: ObjectClass.PUBLIC_KEY, Attribute.LABEL: label}):
                    obj.destroy()
        assert isinstance(key, ec.EllipticCurvePublicKey)
        return key

    def put_key(self, label: str, key: ec.EllipticCurvePrivateKey) -> None:
        """Import a private key made elsewhere (an HSM's backup put back, for the outage test)."""
        from pkcs11 import Attribute, KeyType, ObjectClass
        from pkcs11.util.ec import encode_named_curve_parameters

        with self.session() as session:
            session.create_object({
                Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.KEY_TYPE: KeyType.EC, Attribute.TOKEN: True,
                Attribute.PRIVATE: True, Attribute.SENSITIVE: True, Attribute.SIGN: True, Attribute.LABEL: label,
                Attribute.ID: label.encode(), Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1"),
                Attribute.VALUE: key.private_numbers().private_value.to_bytes(32, "big")})

    def destroy(self, label: str) -> None:
        from pkcs11 import Attribute

        with self.session() as session:
            for obj in session.get_objects({Attribute.LABEL: label}):
                obj.destroy()


@pytest.fixture(scope="session")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Token]:
    module = next((m for m in _MODULES if os.path.exists(m)), None)
    util = shutil.which("softhsm2-util")
    if module is None or util is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's softhsm2 (.ci/run installs it)")
        pytest.skip("Debian's softhsm2 is not installed")
    pytest.importorskip("pkcs11")
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    config = directory / "softhsm2.conf"
    config.write_text(f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    # SoftHSM reads its configuration when the module is first initialised in a process, so the
    # whole session (and the services it starts in-process or as children) shares this one.
    os.environ["SOFTHSM2_CONF"] = str(config)
    for label in ("esspass", "pin-test", "pin-rotate"):  # the others are logged in to only by the PIN tests
        subprocess.run([util, "--init-token", "--free", "--label", label, "--pin", PIN, "--so-pin", "so-" + PIN],
                       check=True, capture_output=True, timeout=60)
    yield Token(module, directory)


@pytest.fixture(scope="module")
def ca() -> tuple[Any, x509.Certificate]:
    return create_entity_ca(SKA, now=NOW)


def _chain(tmp_path: Path, ca: tuple[Any, x509.Certificate], public: ec.EllipticCurvePublicKey) -> Path:
    """The institution's CA certifies the token's public key (as it would from a CSR)."""
    ca_key, ca_cert = ca
    _, leaf = issue_document_signer(SKA, ca_key, ca_cert, now=NOW, key=_PublicOnly(public))  # type: ignore[arg-type]
    path = tmp_path / "chain.pem"
    write_certificates(path, [leaf])
    return path


class _PublicOnly:
    """What issue_document_signer reads of a key it certifies: only its public half."""

    def __init__(self, public: ec.EllipticCurvePublicKey) -> None:
        self._public = public

    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._public


# --- RFC 7512 URIs ---------------------------------------------------------------------------------


def test_pkcs11_uri_names_token_object_id_module_and_pin_file() -> None:
    uri = parse_uri("pkcs11:token=The%20Token;object=my-key;id=%01%a0;type=private"
                    "?module-path=/usr/lib/p11.so&pin-source=file:/etc/pin", base=Path("/srv"))
    assert (uri.token, uri.label, uri.id) == ("The Token", "my-key", b"\x01\xa0")
    assert str(uri.module_path) == "/usr/lib/p11.so"
    assert uri.pin_source == Path("/etc/pin")
    assert parse_uri("pkcs11:serial=7;id=%02?module-path=/m.so&pin-source=pin", base=Path("/srv")).pin_source == \
        Path("/srv/pin")


@pytest.mark.parametrize(("uri", "rule"), [
    ("pkcs11:token=t;object=k?module-path=/m.so&pin-value=1234", "PIN in a file"),
    ("pkcs11:token=t;object=k", "module-path"),
    ("pkcs11:token=t;object=k;object=j?module-path=/m.so", "repeats"),
    ("pkcs11:token=t;object=k;colour=red?module-path=/m.so", "unknown path attribute"),
    ("pkcs11:token=t;object=k;slot-id=3?module-path=/m.so", "not supported"),
    ("pkcs11:token=t;object=k;type=cert?module-path=/m.so", "private key"),
    ("pkcs11:object=k?module-path=/m.so", "name the token"),
    ("pkcs11:token=t?module-path=/m.so", "name the key"),
    ("/etc/key.pem", "not a PKCS #11 URI"),
])
def test_a_pkcs11_uri_that_cannot_name_one_key_safely_is_refused(uri: str, rule: str) -> None:
    with pytest.raises(DataError, match=rule) as caught:
        parse_uri(uri)
    assert caught.value.field == "key" and "1234" not in caught.value.message


# --- the key on the token --------------------------------------------------------------------------


def test_a_document_signer_in_an_hsm_signs_credentials_mdocs_and_status_lists_that_verify(
        token: Token, tmp_path: Path, ca: tuple[Any, x509.Certificate]) -> None:
    public = token.make_key("signer-all")
    signer = load_signing_key(token.uri("signer-all"), _chain(tmp_path, ca, public), now=NOW)
    assert isinstance(signer.key, Pkcs11PrivateKey) and signer.key.public_key() == public
    anchors = [ca[1]]
    holder = generate_key()
    claims = pda1.validate(PERSON.pda1)
    iat = int(NOW.timestamp())
    credential = sd_jwt_vc.issue_vc(vct=pda1.VCT, claims=claims, sd_paths=pda1.SD_PATHS,
                                    holder_jwk=public_jwk(holder), issuer_key=signer.key, x5c=signer.chain,
                                    iss="https://issuer.example.ee/ee-ska", iat=iat, nbf=iat, exp=iat + 3600,
                                    status=None)
    assert sd_jwt_vc.verify_vc(credential, anchors=anchors, now=NOW, key_binding=None).claims["legislation_country"]

    issued = mdoc.issue(doctype=mdoc.DOCTYPES["pda1"], claims=claims, device_key=holder.public_key(),
                        issuer_key=signer.key, x5chain=signer.chain, signed=NOW, valid_until=NOW + timedelta(days=1))
    transcript = mdoc.openid4vp_session_transcript(client_id="x509_hash:abc", nonce="n-0S6_WzA2Mj",
                                                   jwk_thumbprint=None, response_uri="https://verifier.example/r")
    response = mdoc.present(issued, select=["legislation_country"], device_key=holder, session_transcript=transcript)
    shown = mdoc.verify_presentation(response, anchors=anchors, now=NOW + timedelta(seconds=1),
                                     session_transcript=transcript)
    assert shown.claims[mdoc.DOCTYPES["pda1"]]["legislation_country"] == claims["legislation_country"]

    uri = "https://issuer.example.ee/ee-ska/status/1"
    lst = status_list.StatusList(16, bits=2)
    lst.set(3, status_list.INVALID)
    signed = status_list.sign_token(lst, uri=uri, key=signer.key, x5c=signer.chain, iat=iat, exp=iat + 3600, ttl=300)
    verified = status_list.verify_token(signed, uri=uri, anchors=anchors, now=NOW)
    assert status_list.status_of(verified, status_list.StatusReference(idx=3, uri=uri)) == status_list.INVALID
    with pytest.raises(TypeError, match="does not allow export"):
        signer.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())


def test_a_next_signer_whose_key_was_made_in_the_hsm_is_configured_beside_the_current_file_key_and_takes_over(
        token: Token, tmp_path: Path, ca: tuple[Any, x509.Certificate]) -> None:
    """README "Own keys in a real deployment": the rotation to a key that never leaves the token."""
    from issuer.institutions import load_institutions_file
    from issuer.signers import current_signer

    keys = tmp_path / "ska-keys"
    keys.mkdir()
    old_key, old = issue_document_signer(SKA, ca[0], ca[1], now=NOW - timedelta(days=300))
    write_private_key(keys / "old.key.pem", old_key)
    write_certificates(keys / "old.pem", [old])
    write_certificates(keys / "ca.pem", [ca[1]])
    (keys / "next").mkdir()
    chain = _chain(keys / "next", ca, token.make_key("signer-next"))  # the CA certified the token's key
    (keys / "hsm.pin").write_text(PIN + "\n")
    (keys / "hsm.pin").chmod(0o600)
    uri = f"pkcs11:token={TOKEN};object=signer-next?module-path={token.module}&pin-source=hsm.pin"
    institutions = keys / "institutions.toml"
    institutions.write_text(
        f'[[institution]]\nid = "EE:SKA"\ncountry = "EE"\nname = "{SKA.name}"\nname_en = "{SKA.name_en}"\n'
        f'roles = ["pda1_issuer"]\npath = "ee-ska"\nsigner_key = "old.key.pem"\nsigner_chain = "old.pem"\n'
        f'ca_certificate = "ca.pem"\nnext_signer_key = "{uri}"\nnext_signer_chain = "next/{chain.name}"\n',
        encoding="utf-8")
    inst = load_institutions_file(institutions, "https://issuer.example.ee", now=NOW)["ee-ska"]
    current, following = inst.signers
    assert current.chain[0] == old and isinstance(following.key, Pkcs11PrivateKey)
    before = current_signer(inst.signers, NOW - timedelta(days=2))
    assert before is not None and before.kid == current.kid  # the token's certificate has not begun
    chosen = current_signer(inst.signers, NOW + timedelta(days=1))
    assert chosen is not None and chosen.kid == following.kid
    iat = int((NOW + timedelta(days=1)).timestamp())
    credential = sd_jwt_vc.issue_vc(vct=pda1.VCT, claims=pda1.validate(PERSON.pda1), sd_paths=pda1.SD_PATHS,
                                    holder_jwk=public_jwk(generate_key()), issuer_key=chosen.key, x5c=chosen.chain,
                                    iss="https://issuer.example.ee/ee-ska", iat=iat, nbf=iat, exp=iat + 3600,
                                    status=None)
    verified = sd_jwt_vc.verify_vc(credential, anchors=[ca[1]], now=NOW + timedelta(days=1), key_binding=None)
    assert verified.issuer_chain.leaf == following.chain[0]


def test_a_token_without_a_public_key_object_is_proven_by_a_signature_against_the_certificate(
        token: Token, tmp_path: Path, ca: tuple[Any, x509.Certificate]) -> None:
    public = token.make_key("signer-private-only", with_public=False)
    signer = load_signing_key(token.uri("signer-private-only"), _chain(tmp_path, ca, public), now=NOW)
    assert signer.key.public_key() == public
    validate_chain(signer.chain, [ca[1]], now=NOW)


def test_a_certificate_for_another_key_than_the_tokens_is_refused_at_start(
        token: Token, tmp_path: Path, ca: tuple[Any, x509.Certificate]) -> None:
    token.make_key("signer-mismatch", with_public=False)
    other = generate_key().public_key()
    with pytest.raises(DataError, match="does not hold the key") as caught:
        load_signing_key(token.uri("signer-mismatch"), _chain(tmp_path, ca, other), now=NOW)
    assert caught.value.field == "chain"


def test_a_wrong_pin_is_named_and_never_shown(token: Token, tmp_path: Path, ca: tuple[Any, x509.Certificate]) -> None:
    wrong = tmp_path / "wrong.pin"
    wrong.write_text("0000-wrong\n")
    wrong.chmod(0o600)
    uri = f"pkcs11:token=pin-test;object=signer-pin?module-path={token.module}"
    with pytest.raises(DataError, match="refuses the PIN") as caught:  # before anyone logged in to it
        load_signing_key(uri, _chain(tmp_path, ca, generate_key().public_key()), now=NOW, password_file=wrong)
    assert caught.value.field == "password_file" and "0000" not in caught.value.message
    public = token.make_key("signer-pin", token="pin-test")
    # The PIN may also come from the setting's own file instead of the URI.
    signer = load_signing_key(uri, _chain(tmp_path, ca, public), now=NOW, password_file=token.dir / "pin")
    # Now that this process is logged in to the token (PKCS #11 logs in a process, not a session),
    # another key of it with a wrong PIN is still refused, not let in on the first one's login.
    with pytest.raises(DataError, match="refuses the PIN"):
        load_signing_key(uri, _chain(tmp_path, ca, public), now=NOW, password_file=wrong)
    assert signer.key.public_key() == public


def test_a_pin_is_required_and_kept_from_other_users(token: Token, tmp_path: Path,
                                                    ca: tuple[Any, x509.Certificate]) -> None:
    public = token.make_key("signer-no-pin")
    uri = f"pkcs11:token={TOKEN};object=signer-no-pin?module-path={token.module}"
    with pytest.raises(DataError, match="PIN is required") as caught:
        load_signing_key(uri, _chain(tmp_path, ca, public), now=NOW)
    assert caught.value.field == "password_file"
    shared = tmp_path / "shared.pin"
    shared.write_text(PIN)
    shared.chmod(0o644)
    with pytest.raises(DataError, match="chmod 600"):
        load_signing_key(uri, _chain(tmp_path, ca, public), now=NOW, password_file=shared)


def test_keys_of_two_institutions_on_one_token_sign_at_once_and_every_signature_verifies(
        token: Token, tmp_path: Path, ca: tuple[Any, x509.Certificate]) -> None:
    """python-pkcs11 initialises the module for one thread at a time, and SoftHSM then locks nothing:
    unserialised, two keys signing from the issuer's thread pool crashed the process."""
    signers = [load_signing_key(token.uri(label), _chain(tmp_path, ca, token.make_key(label)), now=NOW)
               for label in ("busy-a", "busy-b")]
    failures: list[BaseException] = []

    def sign_many(key: Any) -> None:
        try:
            for i in range(40):
                data = b"credential %d" % i
                key.public_key().verify(key.sign(data, ec.ECDSA(hashes.SHA256())), data, ec.ECDSA(hashes.SHA256()))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=sign_many, args=(s.key,)) for s in signers for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


def test_a_key_replaced_on_the_token_under_its_label_signs_nothing(
        token: Token, tmp_path: Path, ca: tuple[Any, x509.Certificate]) -> None:
    """Every signature is checked against the certificate's key: another key found under the same
    label after a new login makes signing unavailable, never a credential that will not verify."""
    signer = load_signing_key(token.uri("swapped"), _chain(tmp_path, ca, token.make_key("swapped")), now=NOW)
    token.destroy("swapped")
    token.put_key("swapped", generate_key())
    with pytest.raises(SignerUnavailableError):
        signer.key.sign(b"data", ec.ECDSA(hashes.SHA256()))


def test_a_pin_the_token_refused_is_not_tried_again_until_its_file_changes(
        token: Token, tmp_path: Path, ca: tuple[Any, x509.Certificate], caplog: pytest.LogCaptureFixture) -> None:
    """Tokens lock a PIN after a few wrong tries: once the token refuses the PIN (here: the operator
    changed it on the token first), no request tries it again until the PIN file is changed too."""
    from credentials import pkcs11_key

    pin_file = tmp_path / "rotate.pin"
    pin_file.write_text(PIN)
    pin_file.chmod(0o600)
    uri = f"pkcs11:token=pin-rotate;object=rotating?module-path={token.module}"
    public = token.make_key("rotating", token="pin-rotate")
    signer = load_signing_key(uri, _chain(tmp_path, ca, public), now=NOW, password_file=pin_file)
    assert isinstance(signer.key, Pkcs11PrivateKey)
    with token.session("pin-rotate") as session:
        session.set_pin(PIN, "new-" + PIN)
    module = pkcs11_key._module(Path(token.module))
    with module.lock:  # the token drops the login (as after a reset): the next signature logs in again
        assert signer.key._login is not None
        module.logout(signer.key._login)
    for _ in range(3):
        with pytest.raises(SignerUnavailableError):
            signer.key.sign(b"data", ec.ECDSA(hashes.SHA256()))
    refused = [r.getMessage() for r in caplog.records if "refuses the PIN" in r.getMessage()]
    assert len(refused) == 1, refused  # the token was asked once; later requests did not ask it again
    assert any("not tried again" in r.getMessage() for r in caplog.records)
    pin_file.write_text("new-" + PIN)
    data = b"after the PIN file changed"
    public.verify(signer.key.sign(data, ec.ECDSA(hashes.SHA256())), data, ec.ECDSA(hashes.SHA256()))


@pytest.mark.parametrize(("label", "rule"), [("no-such-key", "0 private keys match"),
                                             ("twice", "2 private keys match")])
def test_a_uri_that_finds_no_key_or_several_is_refused_at_start(token: Token, tmp_path: Path,
                                                                   ca: tuple[Any, x509.Certificate], label: str,
                                                                   rule: str) -> None:
    if label == "twice":
        token.make_key("twice")
        public = token.make_key("twice")
    else:
        public = generate_key().public_key()
    with pytest.raises(DataError, match=rule) as caught:
        load_signing_key(token.uri(label), _chain(tmp_path, ca, public), now=NOW)
    assert caught.value.field == "key"


def test_a_missing_module_or_token_is_refused_at_start(token: Token, tmp_path: Path,
                                                        ca: tuple[Any, x509.Certificate]) -> None:
    public = token.make_key("signer-module")
    chain = _chain(tmp_path, ca, public)
    with pytest.raises(DataError, match="cannot be loaded"):
        load_signing_key(f"pkcs11:token=esspass;object=signer-module?module-path={tmp_path / 'no.so'}", chain, now=NOW)
    with pytest.raises(DataError, match="no single token"):
        load_signing_key(token.uri("signer-module").replace(f"token={TOKEN}", "token=another"), chain, now=NOW)


def test_a_key_that_disappears_from_the_token_makes_signing_unavailable_not_wrong(
        token: Token, tmp_path: Path, ca: tuple[Any, x509.Certificate]) -> None:
    public = token.make_key("signer-gone")
    signer = load_signing_key(token.uri("signer-gone"), _chain(tmp_path, ca, public), now=NOW)
    token.destroy("signer-gone")
    with pytest.raises(SignerUnavailableError) as caught:
        signer.key.sign(b"data", ec.ECDSA(hashes.SHA256()))
    assert caught.value.http_status == 503 and caught.value.error == "temporarily_unavailable"
    assert "signer-gone" not in caught.value.message  # the client learns nothing about the token


# --- end to end: an institution's issuer signs with its HSM, an inspector accepts the A1 ------------


def test_an_institution_signs_with_its_hsm_through_an_outage_and_inspectors_accept_its_a1(
        token: Token, tmp_path: Path, ca: tuple[Any, x509.Certificate]) -> None:
    from esspass.db import make_engine
    from esspass.stack import Clerk, Inspector, open_wallet, start_in_process
    from esspass.testing import free_port, serve
    from issuer.app import create_app
    from issuer.settings import IssuerSettings
    from trust_registry.seed import seed_data_dir
    from trust_registry.store import Registry

    # The key is put on the token from a backup, so that the outage below can end by putting it back.
    backup = generate_key()
    token.put_key("ee-ska-signer", backup)
    public = backup.public_key()
    keys = tmp_path / "ska-keys"
    keys.mkdir()
    chain = _chain(keys, ca, public)
    write_certificates(keys / "ca.pem", [ca[1]])
    (keys / "hsm.pin").write_text(PIN + "\n")
    (keys / "hsm.pin").chmod(0o600)
    institutions = keys / "institutions.toml"
    uri = f"pkcs11:token=esspass;object=ee-ska-signer?module-path={token.module}&pin-source=hsm.pin"
    institutions.write_text(
        f'[[institution]]\nid = "EE:SKA"\ncountry = "EE"\nname = "{SKA.name}"\nname_en = "{SKA.name_en}"\n'
        f'roles = ["pda1_issuer"]\npath = "ee-ska"\nsigner_key = "{uri}"\nsigner_chain = "{chain.name}"\n'
        f'ca_certificate = "ca.pem"\n', encoding="utf-8")
    data = tmp_path / "pilot"
    seed_data_dir(data)
    ska_dir = tmp_path / "ska-issuer"
    with start_in_process(data) as stack, httpx.Client(timeout=30) as http:
        Registry(make_engine(f"sqlite:///{data / 'registry.db'}")).add_entity(
            {"id": SKA.id, "country": "EE", "name": SKA.name, "name_en": SKA.name_en, "roles": ["pda1_issuer"],
             "path": SKA.path, "certificates": [
                 {"pem": ca[1].public_bytes(serialization.Encoding.PEM).decode(), "usage": "ca"}]}, who="test")
        port = free_port()
        ska_url = f"http://127.0.0.1:{port}"
        ska_issuer = serve(create_app(IssuerSettings(
            data_dir=ska_dir, institutions_file=institutions, public_url=ska_url,
            registry_url=stack.registry_url, registry_root=data / "pki" / "root.pem")), port=port)
        wallet = open_wallet(data / "phone", stack.registry_url, "pw", fast_kdf=True, pki_dir=data / "pki")
        try:
            demo = Clerk(stack.issuer_url, data, http)
            pid_case = demo.hand_over(wallet, PERSON.pid_provider, "pid", PERSON.pid)
            ska = Clerk(ska_url, ska_dir, http, paths={SKA.id: SKA.path})
            authority = {"id": SKA.id, "name": SKA.name}
            a1 = {**PERSON.pda1, "issuing_authority": {**authority, "country": "EE"}, "issuing_country": "EE",
                  "authentic_source": authority, "legislation_country": "EE", "document_number": "EE-A1-HSM-1"}
            case = ska.create_case(SKA.id, "pda1", a1, {k: PERSON.pid[k] for k in ("family_name", "given_name",
                                                                                     "birthdate")})
            offer = ska.offer(SKA.id, case)
            # The HSM stops answering for a moment as the worker accepts: the issuer answers 503 with
            # Retry-After and takes back what it recorded; the wallet waits and asks again.
            token.destroy("ee-ska-signer")
            back = threading.Timer(0.5, token.put_key, ("ee-ska-signer", backup))
            back.start()
            try:
                wallet.accept_offer(wallet.open_offer(offer["link"])[0], offer["tx_code"])
            finally:
                back.join()
            pid_records = demo.case(PERSON.pid_provider, pid_case)["credential_records"]
            # Only the answered request's credentials are recorded: the refused one's were taken back.
            assert len(ska.case(SKA.id, case)["credential_records"]) == len(pid_records)

            inspector = Inspector(stack.verifier_url, http, stack.inspector_token)
            request = inspector.request("pda1")
            wallet.share(wallet.open_request(request["link"], "en").id)
            verdict = inspector.result(request)["verdict"]
            assert verdict["verdict"] == "valid", verdict
            assert verdict["person"]["documents"][0]["legislation_country"] == "EE"

            # The token's status list signature is honoured too: a withdrawal signed by the HSM.
            ska.set_state(SKA.id, case, "revoke", "posting cancelled")
            request = inspector.request("pda1")
            wallet.share(wallet.open_request(request["link"], "en").id)
            verdict = inspector.result(request)["verdict"]
            assert verdict["verdict"] == "invalid" and "withdrawn" in verdict["reason"], verdict
        finally:
            ska_issuer.stop()
            wallet.http.close()


def test_issuer_csr_asks_the_ca_to_certify_a_key_that_never_leaves_the_hsm(
        token: Token, tmp_path: Path, ca: tuple[Any, x509.Certificate]) -> None:
    """``esspass issuer csr``: a PKCS #10 request signed inside the token, whose certificate (from
    the institution's CA) then loads with the same URI as a document signer."""
    import sys

    public = token.make_key("csr-signer")
    out = tmp_path / "signer.csr"
    done = subprocess.run([sys.executable, "-m", "esspass.cli", "issuer", "csr", "--key", token.uri("csr-signer"),
                           "--id", "EE:SKA", "--country", "ee", "--name", SKA.name, "--name-en", SKA.name_en,
                           "--out", str(out)], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    request = x509.load_pem_x509_csr(out.read_bytes())
    assert request.is_signature_valid and request.public_key() == public
    assert request.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_IDENTIFIER)[0].value == "EE:SKA"
    usage = request.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and not usage.key_cert_sign
    ca_key, ca_cert = ca
    leaf = (x509.CertificateBuilder().subject_name(request.subject).issuer_name(ca_cert.subject)
            .public_key(request.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - timedelta(days=1)).not_valid_after(NOW + timedelta(days=365)))
    for extension in request.extensions:
        leaf = leaf.add_extension(extension.value, critical=extension.critical)
    chain = tmp_path / "chain.pem"
    write_certificates(chain, [leaf.sign(ca_key, hashes.SHA256())])
    signer = load_signing_key(token.uri("csr-signer"), chain, now=NOW, ca=None)
    assert signer.key.public_key() == public


def test_an_inspectorates_access_key_in_an_hsm_signs_requests_that_wallets_accept(
        token: Token, tmp_path: Path) -> None:
    """The verifier's own access certificate (ESSPASS_VERIFIER_ACCESS_KEY_FILE) may be a PKCS #11
    URI too: its signed Request Objects pass the wallet's checks (JAR, x509_hash client_id)."""
    from credentials import openid4vp
    from credentials.institutions import DEMO_ENTITIES
    from credentials.pki import create_entity_ca, issue_access_certificate
    from verifier.settings import VerifierSettings

    vdi = next(e for e in DEMO_ENTITIES if e.id == "LV:VDI")
    ca_key, ca_cert = create_entity_ca(vdi, now=NOW)
    public = token.make_key("vdi-access")
    _, leaf = issue_access_certificate(vdi, ca_key, ca_cert, now=NOW, key=_PublicOnly(public))  # type: ignore[arg-type]
    write_certificates(tmp_path / "access.pem", [leaf])
    settings = VerifierSettings(data_dir=tmp_path, entity_id="LV:VDI",
                                access_key_file=Path(token.uri("vdi-access")),  # as the environment gives it
                                access_chain_file=tmp_path / "access.pem")
    key, chain = settings.access_certificate(NOW)
    assert isinstance(key, Pkcs11PrivateKey)
    client_id = openid4vp.client_id_for(chain[0], "x509_hash")
    iat = int(NOW.timestamp())
    payload = openid4vp.build_request(
        client_id=client_id, response_uri="https://vdi.verifier.localhost/responses/1", nonce="n-0S6_WzA2Mj",
        state="s-1", dcql_query={"credentials": [{"id": "pda1", "format": "dc+sd-jwt",
                                                  "meta": {"vct_values": [pda1.VCT]},
                                                  "claims": [{"path": ["legislation_country"]}]}]},
        response_mode="direct_post", iat=iat, exp=iat + 300)
    signed = openid4vp.sign_request(payload, key=key, x5c=chain)
    checked = openid4vp.verify_request_object(signed, link_client_id=client_id, wallet_nonce=None,
                                              anchors=[ca_cert], now=NOW)
    assert checked.client_id == client_id
