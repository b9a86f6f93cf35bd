"""The verifier, review round 4b: erased persons leave no copy in SQLite's files, and a genuine copy whose
signer certificate ended after it was signed is "cannot be confirmed", not "not valid".

* GDPR Art. 5(1)(e), 17 (ARCHITECTURE.md "The verifier's transactions"): the person sealed in a
  transaction is erased once its verdict is shown (or after the retention time), and then no file of
  the database holds it: SQLite's write-ahead log keeps the pages as they were until a checkpoint
  (``esspass.db.release_erased``) empties it. The verifier does that once per sweep for every erasure
  since the last, in the sweep's thread, never per verdict on the inspector's request; a reader that
  keeps it waiting is logged without personal data and the next sweep tries again.
* RFC 5280 §6.1.3 (a)(2) (credentials.verification module docstring): a credential issued before the
  issuer bounded ``exp`` by its signer chain can outlive its document signer certificate. Once that
  ended, the chain fails at the time of verification though the document is genuine. When it fails
  for that end alone (the same chain validates at the credential's ``iat``), and the trust list vouches
  for the key at ``iat`` (listed for the institution then, not revoked, ``Policy.AT_ISSUANCE``), the
  verdict is undetermined (``issuer_chain.signer_expired``), never valid: revocation may no longer be
  published after a certificate's end, and whoever holds the key may backdate ``iat``. Anything else
  (a revoked key, a foreign CA, a leaf not valid at ``iat``, an ``iat`` in the future) fails as before.
  SD-JWT VC and ISO mdoc over OpenID4VP, and the offline QR code.

The core tests run the pipeline on a registry of their own seeded with the demo PKI (as
tests/test_verification.py does); the erasure test runs the registry, the issuer, a verifier with a
database file of its own and a reference wallet for real on loopback ports (esspass.stack).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from test_verification import ANNA, NOW
from test_verification import World as CoreWorld

import esspass.db as esspass_db
from credentials import compact, i18n, mdoc, pda1, pid, status_list, verification
from credentials.demo_persons import DEMO_PERSONS
from credentials.institutions import DEMO_ENTITIES, demo_entity
from credentials.jose import PrivateKey, b64url_encode, generate_key, public_jwk
from credentials.pki import create_demo_pki
from credentials.x509 import spki_kid
from esspass.db import make_engine, release_erased
from esspass.migrate import upgrade
from esspass.stack import Inspector, InspectorAuth, start_in_process, verifier_replica, wallet_holding
from trust_registry.seed import seed
from trust_registry.store import Registry
from verifier import messages, records
from verifier.app import verdict_context
from verifier.service import VerifierService, profile_query
from verifier.transactions import MIGRATIONS, Transaction, TransactionStore

A1_ISSUER = "LV:VSAA"
STATUS_URI = f"https://issuer.example/{A1_ISSUER}/status/1"
#: When the short-lived document signer's certificate ended: yesterday (the verdicts are at NOW).
ENDED = NOW - timedelta(days=1)
#: When the copies under it were signed: inside its validity, before it ended.
SIGNED = NOW - timedelta(days=10)
LANGS = ("en", "lv", "de", "fr", "pl")


# --- 2. a genuine copy whose signer certificate ended after it was signed ---------------------------------

def _signer(ca_key: PrivateKey, ca: x509.Certificate, *, start: datetime, end: datetime,
            name: str = "VSAA document signer (short-lived)") -> tuple[PrivateKey, x509.Certificate]:
    """A document-signer leaf under ``ca`` valid from ``start`` to ``end``, as the demo PKI makes them."""
    key = generate_key()
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COUNTRY_NAME, "LV"),
                                     x509.NameAttribute(x509.NameOID.COMMON_NAME, name)]))
            .issuer_name(ca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def _foreign_ca() -> tuple[PrivateKey, x509.Certificate]:
    """A CA of the same name as VSAA's that no trust list lists."""
    key = generate_key()
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "VSAA CA (foreign)")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - timedelta(days=400)).not_valid_after(NOW + timedelta(days=400))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


@dataclasses.dataclass
class Expired:
    """A registry whose VSAA listed, from 45 days ago, a document signer whose certificate ended yesterday."""

    world: CoreWorld
    clock: list[datetime]
    signer: tuple[PrivateKey, list[x509.Certificate]]

    @property
    def kid(self) -> str:
        return spki_kid(self.signer[1][0])

    def a1(self, *, iat: datetime = SIGNED, signer: tuple[PrivateKey, list[x509.Certificate]] | None = None,
           ) -> tuple[str, Any]:
        """Anna's A1 as SD-JWT VC, its ``exp`` a year on (as issued before the issuer's fix)."""
        return self.world.issue(pda1, ANNA.pda1, A1_ISSUER, signer=signer or self.signer, iat=iat)

    def person(self) -> tuple[str, Any]:
        return self.world.issue(pid, ANNA.pid, "LV:PID")

    def inspect(self, a1: tuple[str, Any]) -> verification.Verdict:
        return self.world.inspect(a1, self.person())

    def mdoc(self, *, signed: datetime = SIGNED, signer: tuple[PrivateKey, list[x509.Certificate]] | None = None,
             ) -> verification.CredentialResult:
        """Anna's A1 as ISO mdoc under the short-lived signer (or ``signer``), its ``validUntil`` a year on."""
        key, chain = signer or self.signer
        device = generate_key()
        claims = pda1.validate(ANNA.pda1)
        issued = mdoc.issue(doctype=mdoc.DOCTYPES["pda1"], claims=claims, device_key=device.public_key(),
                            issuer_key=key, x5chain=chain, signed=signed, valid_until=NOW + timedelta(days=365),
                            status=status_list.StatusReference(3, STATUS_URI))
        transcript = mdoc.openid4vp_session_transcript(client_id="x509_hash:inspectorate", nonce="n" * 20,
                                                       jwk_thumbprint=None, response_uri="https://verifier.example/r/1")
        asked = next(q for q in profile_query("pda1")["credentials"] if q["id"] == "pda1_mdoc")
        names = {c["path"][1] for c in asked["claims"]} & set(claims)
        response = mdoc.present(issued, select=names, device_key=device, session_transcript=transcript)
        return verification.verify_mdoc_credential(b64url_encode(response), query_id="pda1_mdoc",
                                                   doctype=mdoc.DOCTYPES["pda1"], issuers=self.world.issuers(),
                                                   session_transcript=transcript, now=NOW,
                                                   status_lookup=self.world.lookup)

    def offline(self, *, iat: datetime = SIGNED) -> verification.Verdict:
        """Anna's A1 as the wallet's offline QR code under the short-lived signer."""
        key, chain = self.signer
        phone = generate_key()
        raw = compact.issue_compact(vct=pda1.VCT, claims=pda1.validate(ANNA.pda1),
                                    holder={k: ANNA.pid[k] for k in compact.HOLDER_FIELDS},
                                    holder_jwk=public_jwk(phone), issuer_key=key, kid=spki_kid(chain[0]),
                                    iat=int(iat.timestamp()), exp=int((NOW + timedelta(days=365)).timestamp()),
                                    status=status_list.StatusReference(7, STATUS_URI))
        return verification.verify_offline(compact.present_compact(raw, phone, now=NOW), issuers=self.world.issuers(),
                                           trust_list_age=0, now=NOW, status_lookup=self.world.lookup)

    def revoke(self) -> None:
        self.world.registry.revoke_key(A1_ISSUER, self.kid, who="test", reason="signing server broken into")


@pytest.fixture
def expired(tmp_path: Path) -> Iterator[Expired]:
    clock = [NOW - timedelta(days=45)]
    pki = create_demo_pki(tmp_path / "pki", DEMO_ENTITIES, now=NOW - timedelta(days=60))
    engine = make_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    registry = Registry(engine, clock=lambda: clock[0])
    seed(registry, pki)
    ca_key, ca = pki.cas[A1_ISSUER]
    key, cert = _signer(ca_key, ca, start=NOW - timedelta(days=50), end=ENDED)
    registry.add_certificate(A1_ISSUER, cert.public_bytes(serialization.Encoding.PEM), "signer",
                             who="test")
    clock[0] = NOW
    world = CoreWorld(pki, registry, {})
    # The institution's status list, signed by its current signer (valid now).
    world.lists[STATUS_URI] = (status_list.StatusList(1024, bits=2), *pki.signers[A1_ISSUER])
    yield Expired(world, clock, (key, [cert]))
    engine.dispose()


def _step(result: verification.CredentialResult, code: str) -> verification.Step:
    return next(s for s in result.steps if s.code == code)


def _a1(verdict: verification.Verdict) -> verification.CredentialResult:
    return next(c for c in verdict.credentials if c.query_id == "pda1")


def test_rfc5280_a_genuine_a1_whose_signer_certificate_ended_after_issuance_is_undetermined(expired: Expired) -> None:
    """The chain fails now only because the signer certificate ended yesterday; at the A1's iat it
    validated, and the trust list listed the key for VSAA then and does not revoke it: the verdict is
    "cannot be confirmed" with its own reason (when it ended, who to ask), not "not valid"; every other
    check ran and passed."""
    verdict = expired.inspect(expired.a1())
    assert verdict.verdict == verification.UNDETERMINED, verdict.reason
    assert verdict.reason_key == verification.SIGNER_EXPIRED, verdict.reason_key
    chain = _step(_a1(verdict), "issuer_chain")
    assert chain.result == verification.NOT_RUN and chain.reason_key == verification.SIGNER_EXPIRED
    assert dict(chain.params) == {"expiry_at": ENDED.timestamp()}
    name = demo_entity(A1_ISSUER).name_en
    assert verdict.reason == (f"Signed by {name}, but the certificate that signed this copy expired on "
                              f"{ENDED.date().isoformat()}: the holder should ask {name} for a new copy; check an "
                              "identity document.")
    others = {s.code: s.result for s in _a1(verdict).steps if s.code != "issuer_chain"}
    assert set(others.values()) == {verification.PASSED}, others
    assert {"issuer_authorised", "key_binding", "token_validity", "status"} <= set(others)
    assert _a1(verdict).issuer_id == A1_ISSUER
    assert verdict.to_json()["reason_params"] == {"expiry_at": ENDED.timestamp()}


def test_rfc5280_the_signer_expired_reason_is_said_in_five_languages_with_the_institution_and_the_date(
        expired: Expired) -> None:
    """The verdict page says who signed it, when the certificate ended (a date in the page's words) and
    what to do, in each of its languages; the records, which keep the key alone, say it without them."""
    verdict = expired.inspect(expired.a1()).to_json()
    name = demo_entity(A1_ISSUER).name_en
    texts = {lang: messages.reason_text(verdict, lang) for lang in LANGS}
    assert len(set(texts.values())) == 5, texts
    for lang, text in texts.items():
        assert name in text and i18n.format_date(ENDED.date(), lang) in text, (lang, text)
        assert "{" not in text, text
    assert texts["en"].startswith(f"Signed by {name}, but the certificate that signed this copy expired on ")
    # The page names the institution as it does elsewhere (issuer_of), in the Checks list too.
    context = verdict_context(verdict, "de", lambda doc: "Valsts sociālās apdrošināšanas aģentūra")
    assert "Valsts sociālās apdrošināšanas aģentūra" in context["reason"]
    credential = next(c for c in verdict["credentials"] if c["query_id"] == "pda1")
    step = next(s for s in credential["steps"] if s["code"] == "issuer_chain")
    assert "Valsts sociālās apdrošināšanas aģentūra" in context["step_text"](step, credential)
    assert i18n.format_date(ENDED.date(), "de") in context["step_text"](step, credential)
    # A record keeps the key, and the records page says it in words without a placeholder.
    assert records.safe_reason_key(verification.SIGNER_EXPIRED) == verification.SIGNER_EXPIRED
    bare = {lang: messages.reason_text({"reason_key": verification.SIGNER_EXPIRED}, lang) for lang in LANGS}
    assert len(set(bare.values())) == 5 and not any("{" in t for t in bare.values()), bare


def test_rfc5280_an_mdoc_whose_signer_certificate_ended_after_it_was_signed_is_undetermined(expired: Expired) -> None:
    """ISO 18013-5 §9.3.1: the MSO's ``signed`` lies inside the signer certificate's validity, the chain
    validates then; now it has ended: not run, with the same reason; every other check as for the same
    mdoc under a signer valid now (an A1 as mdoc whose expiry date was not asked is not judged by it)."""
    result = expired.mdoc()
    assert result.verdict == verification.UNDETERMINED, [s.to_json() for s in result.steps]
    chain = _step(result, "issuer_chain")
    assert chain.result == verification.NOT_RUN and chain.reason_key == verification.SIGNER_EXPIRED
    assert dict(chain.params) == {"expiry_at": ENDED.timestamp()}
    others = [(s.code, s.result, s.reason_key) for s in result.steps if s.code != "issuer_chain"]
    current = expired.mdoc(signer=expired.world.pki.signers[A1_ISSUER], signed=NOW - timedelta(hours=1))
    assert others == [(s.code, s.result, s.reason_key) for s in current.steps if s.code != "issuer_chain"]
    assert ("issuer_authorised", verification.PASSED, "issuer_authorised.passed") in others


def test_rfc5280_an_offline_code_whose_signer_certificate_ended_after_it_was_signed_is_undetermined(
        expired: Expired) -> None:
    """The offline QR's key comes from the trust list by kid; its certificate ended yesterday, after the
    code's iat: undetermined with the same reason, not "not listed"."""
    verdict = expired.offline()
    assert verdict.verdict == verification.UNDETERMINED, verdict.reason
    assert verdict.reason_key == verification.SIGNER_EXPIRED, verdict.reason
    assert demo_entity(A1_ISSUER).name_en in verdict.reason
    result = verdict.credentials[0]
    assert _step(result, "issuer_chain").result == verification.NOT_RUN
    assert all(s.result == verification.PASSED for s in result.steps if s.code != "issuer_chain"), result.steps


def test_rfc5280_a_backdated_iat_under_an_expired_certificate_is_never_valid(expired: Expired) -> None:
    """The attack: whoever kept the expired (not revoked) key signs a new A1 today and dates it inside
    the certificate's validity. The verifier cannot tell it from a genuine one, so it is not valid."""
    key, chain = expired.signer
    forged = expired.world.issue(pda1, {**ANNA.pda1, "document_number": "FORGED-0001"}, A1_ISSUER,
                                 signer=(key, chain), iat=ENDED - timedelta(hours=1))
    verdict = expired.inspect(forged)
    assert verdict.verdict != verification.VALID
    assert verdict.verdict == verification.UNDETERMINED and verdict.reason_key == verification.SIGNER_EXPIRED


def test_rfc5280_a_revoked_key_whose_certificate_expired_is_invalid(expired: Expired) -> None:
    """A key revoked on the trust list (compromised) is trusted for nothing it signed, whatever iat it
    claims: not valid, online (SD-JWT VC and mdoc) and offline, as before."""
    a1 = expired.a1()
    expired.revoke()
    verdict = expired.inspect(a1)
    assert verdict.verdict == verification.INVALID, verdict.reason
    assert verdict.reason_key == "issuer_chain.failed" and "revoked" in verdict.reason, verdict.reason
    assert expired.mdoc().verdict == verification.INVALID
    offline = expired.offline()
    assert offline.verdict == verification.INVALID and offline.reason_key != verification.SIGNER_EXPIRED


def test_rfc5280_an_expired_chain_to_a_foreign_ca_is_invalid(expired: Expired) -> None:
    """A chain that never led to a CA on the trust list fails at iat too: not valid, as before."""
    ca_key, ca = _foreign_ca()
    key, cert = _signer(ca_key, ca, start=NOW - timedelta(days=50), end=ENDED)
    verdict = expired.inspect(expired.a1(signer=(key, [cert])))
    assert verdict.verdict == verification.INVALID and verdict.reason_key == "issuer_chain.failed", verdict.reason


def test_rfc5280_a_copy_signed_after_its_certificate_ended_is_invalid(expired: Expired) -> None:
    """A leaf not valid at the copy's iat (signed after the certificate ended) fails, as before:
    online (SD-JWT VC and mdoc) and offline."""
    verdict = expired.inspect(expired.a1(iat=ENDED + timedelta(hours=2)))
    assert verdict.verdict == verification.INVALID and verdict.reason_key == "issuer_chain.failed", verdict.reason
    assert expired.mdoc(signed=ENDED + timedelta(hours=2)).verdict == verification.INVALID
    assert expired.offline(iat=ENDED + timedelta(hours=2)).verdict == verification.INVALID


def test_rfc5280_an_iat_in_the_future_under_an_expired_certificate_is_invalid(expired: Expired) -> None:
    """A copy claiming to be signed tomorrow under a certificate that ended yesterday: not valid."""
    verdict = expired.inspect(expired.a1(iat=NOW + timedelta(days=1)))
    assert verdict.verdict == verification.INVALID, verdict.reason
    assert verdict.reason_key != verification.SIGNER_EXPIRED


def test_rfc5280_a_withdrawn_document_whose_signer_expired_is_invalid(expired: Expired) -> None:
    """Every later check still runs: a document its institution withdrew is not valid, whatever its chain."""
    a1 = expired.a1()
    expired.world.lists[STATUS_URI][0].set(7, status_list.INVALID)
    try:
        verdict = expired.inspect(a1)
    finally:
        expired.world.lists[STATUS_URI][0].set(7, status_list.VALID)
    assert verdict.verdict == verification.INVALID and verdict.reason_key == "status.withdrawn", verdict.reason


def test_rfc5280_a_copy_dated_before_its_key_was_listed_is_invalid(expired: Expired) -> None:
    """Listed for the institution at iat is required: a copy dated inside the certificate's validity but
    before the trust list listed its key fails, as before."""
    verdict = expired.inspect(expired.a1(iat=NOW - timedelta(days=48)))
    assert verdict.verdict == verification.INVALID, verdict.reason
    assert verdict.reason_key != verification.SIGNER_EXPIRED


# --- 1. erasure leaves no copy in SQLite's files ------------------------------------------------------------

def _files_holding(directory: Path, needle: bytes) -> list[str]:
    """The verifier.db* files in ``directory`` holding ``needle``, or 32 bytes of its start, middle or end
    (a long value may be cut across pages)."""
    parts = {needle} if len(needle) <= 32 else {needle[:32], needle[len(needle) // 2:len(needle) // 2 + 32],
                                                needle[-32:]}
    return sorted(p.name for p in directory.glob("verifier.db*") if any(part in p.read_bytes() for part in parts))


def _sealed_person(db: Path, tx_id: str | None = None) -> bytes:
    """The person of the transaction ``tx_id`` (else of the only one holding one) as sealed in the file."""
    reader = sqlite3.connect(db)
    try:
        rows = [(sealed,) for found, sealed in reader.execute(
            "SELECT id, sealed_person FROM verifier_transactions WHERE sealed_person IS NOT NULL").fetchall()
            if tx_id is None or found == tx_id]
    finally:
        reader.close()
    assert len(rows) == 1, "the verdict's person was sealed in the transaction"
    return bytes(rows[0][0])


def test_gdpr_17_a_persons_data_checked_on_a_file_verifier_is_in_no_file_after_erasure_and_the_next_sweep(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """A worker whose PID name carries a unique marker is checked on a verifier with an SQLite file of
    its own. The verdict is shown (with no retention its person is erased then) and the next sweep runs:
    neither the marker nor the person as sealed (whoever copies the data directory has the storage key
    beside it) is in any verifier.db* file."""
    marker = "Zqxvjwkeraa"
    person = dataclasses.replace(DEMO_PERSONS[0], pid={**DEMO_PERSONS[0].pid, "family_name": marker})
    data_dir = tmp_path_factory.mktemp("erasure")
    own = tmp_path_factory.mktemp("verifier-files")
    with start_in_process(data_dir) as stack, httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        wallet = wallet_holding(stack, data_dir, http, person)
        try:
            with verifier_replica(stack, database_url=f"sqlite:///{own / 'verifier.db'}") as (service, url):
                inspector = Inspector(url, http)
                request = inspector.request("pda1")
                consent = wallet.open_request(request["link"], "en")
                wallet.share(consent.id)
                sealed = _sealed_person(own / "verifier.db")
                assert _files_holding(own, sealed), "the test needs the sealed person written somewhere first"
                result = inspector.result(request)
                assert result["verdict"]["person"]["family_name"] == marker, result
                service.sweep()  # as the periodic sweep does, in its own thread
                assert _files_holding(own, sealed) == []
                assert _files_holding(own, marker.encode()) == []
                assert inspector.result(request)["verdict"].get("personal_data_removed") is True
        finally:
            wallet.http.close()


class _Releases:
    """Counts the write-ahead log releases (esspass.db.release_erased) a test's store asks for."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []

        def counting(engine: Any, **kwargs: Any) -> bool:
            self.calls.append(threading.current_thread().name)
            return release_erased(engine, **kwargs)
        monkeypatch.setattr(esspass_db, "release_erased", counting)  # as release_erased_or_warn calls it


def _service(directory: Path, *, retention: int = 0) -> VerifierService:
    engine = make_engine(f"sqlite:///{directory / 'verifier.db'}")
    upgrade(engine, MIGRATIONS)
    store = TransactionStore(engine, os.urandom(32))
    return VerifierService(store=store, document_ref_key=os.urandom(32), entity_id="LV:VDI",
                           access_key=generate_key(), access_x5c=[], base_url="https://verifier.example",
                           issuers=lambda _now: (None, None),
                           status_lookup=lambda *_: verification.StatusOutcome(None, None, "none"),
                           retention_seconds=retention)


def _shown_verdict(service: VerifierService, marker: str) -> Transaction:
    """An offline check's verdict holding a person named ``marker``, as verify_offline stores one."""
    now = time.time()
    tx = Transaction(os.urandom(9).hex(), "offline", "", "", "", {}, "offline", "", None, now, now + 300,
                     "offline inspection", status="done", verdict={"verdict": "valid"},
                     person={"family_name": marker, "given_name": "Anna", "birthdate": "1990-01-01"},
                     view=os.urandom(12).hex())
    service.store.add(tx)
    return tx


def test_gdpr_17_verdicts_shown_one_by_one_are_released_once_by_the_next_sweep_never_per_verdict(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The inspector's page erases the person as it shows each verdict: no checkpoint on that request.
    The sweep after them empties the log once for all, in its own thread; a sweep with nothing erased
    since does nothing. (A sweep at start empties what a process stopped before doing so left.)"""
    releases = _Releases(monkeypatch)
    service = _service(tmp_path)
    service.sweep()
    releases.calls.clear()
    shown = [_shown_verdict(service, f"Marker{n}") for n in range(5)]
    sealed = [_sealed_person(tmp_path / "verifier.db", tx.id) for tx in shown]
    for view in (tx.view for tx in shown):
        assert view is not None
        assert service.result(view, consume=True)["verdict"]["person"]["given_name"] == "Anna"
    assert releases.calls == [], "a verdict shown ran a checkpoint on the inspector's request"
    assert service.store.erasure_unreleased
    sweeper = threading.Thread(target=service.sweep, name="sweeper")
    sweeper.start()
    sweeper.join()
    assert releases.calls == ["sweeper"]
    assert not service.store.erasure_unreleased
    assert not any(_files_holding(tmp_path, person) for person in sealed)
    service.sweep()
    assert releases.calls == ["sweeper"], "a sweep with nothing erased since ran a checkpoint"
    service.store.engine.dispose()


def test_gdpr_17_a_release_a_reader_keeps_waiting_is_logged_without_personal_data_and_retried_next_sweep(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A reader holding an older snapshot (a backup) keeps the log from being emptied: the sweep does
    not wait for it (nor keep the verdicts being written waiting), says so without anything of the
    person, and the next sweep, the reader gone, empties it."""
    service = _service(tmp_path)
    service.sweep()
    tx = _shown_verdict(service, "Readerheld")
    sealed = _sealed_person(tmp_path / "verifier.db", tx.id)
    reader = sqlite3.connect(tmp_path / "verifier.db", isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM verifier_transactions").fetchall()  # a snapshot with the person
    service.store.erase_person(tx.id)
    with caplog.at_level(logging.WARNING, logger="esspass.verifier"):
        started = time.monotonic()
        service.sweep()
        took = time.monotonic() - started
    assert took < 0.9, f"the sweep waited {took:.2f} s for the reader"
    warned = [r for r in caplog.records if getattr(r, "event", None) == "erasure_unreleased"]
    assert len(warned) == 1 and "Readerheld" not in warned[0].getMessage() and "Anna" not in caplog.text
    assert service.store.erasure_unreleased
    reader.execute("COMMIT")
    reader.close()
    service.sweep()
    assert not service.store.erasure_unreleased
    assert _files_holding(tmp_path, sealed) == []
    service.store.engine.dispose()
