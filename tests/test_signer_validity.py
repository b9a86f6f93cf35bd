"""A credential never outlives the certificate that signed it; the wallet says when a copy has.

A verifier validates the ``x5c`` chain at the time of verification (RFC 5280 §6.1.3 (a)(2): every
certificate of the path valid then), so a credential whose technical expiry lies beyond its
document signer certificate's end would be judged "not valid" from that day, though the document
itself still is (an EHIC lives 3-5 years, the demo PKI's document signers 2). As ISO/IEC 18013-5
asks of an mdoc's MSO (its validity within the document signer certificate's) and the EUDI ARF of
every attestation, the issuer ends each copy (the SD-JWT VC's ``exp``, the mdoc's ``validUntil``, the
offline and paper QR's ``exp``) at the earlier of the document's end and its signer chain's, leaves
the document's own dates as they are, and refuses to issue or print under a chain that has ended
(503 ``temporarily_unavailable``, nothing recorded). The wallet then holds a document whose copies
have expired while the document is still current, and says so, distinctly from a document that
has ended: the worker asks the institution for a new copy.

Each test is named after the requirement it holds.
"""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import Certificate
from sqlalchemy import select
from test_wallet_review_consent import _link

from credentials import compact, ehic, i18n, mdoc, openid4vci, sd_jwt_vc
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import CredentialError, ProtocolError
from credentials.i18n import format_date
from credentials.jose import PrivateKey, b64url_decode, generate_key, public_jwk, sign_jws
from credentials.pki import DemoPki, load_demo_pki
from esspass.db import make_engine
from esspass.migrate import upgrade
from esspass.testing import ListedVerifier, form_collector, serve
from issuer.app import MIGRATIONS
from issuer.db import DeferredTransaction, stored_hash
from issuer.institutions import demo_institutions
from issuer.office import rule_text
from issuer.service import Institution, IssuerService
from wallet import messages
from wallet.model import StoredCredential
from wallet.service import WalletService, standing_words, warning_words
from wallet.settings import WalletSettings
from wallet.store import ScryptParams, WalletStore

PERSON = DEMO_PERSONS[0]
HOLDER = {"family_name": "Bērziņš", "given_name": "Jānis", "birthdate": "1988-04-12"}
NVD = "LV:NVD"
RECORDER, APPROVER = "clerk:LV:NVD/anna.berzina", "clerk:LV:NVD/janis.ozols"
#: Today, to the second (certificates keep whole seconds).
NOW = datetime.now(UTC).replace(microsecond=0)
#: The EHIC every issuer test records: issued today, valid 5 years (longer than any demo signer).
CARD = {**PERSON.ehic, "document_number": "", "date_of_issuance": NOW.date().isoformat(),
        "date_of_expiry": date(NOW.year + 5, NOW.month, min(NOW.day, 28)).isoformat()}
#: The English refusal the API says (issuer.service, the ``signer.expired`` rule).
REFUSED = "the institution's signing certificate has expired: it must be renewed"


def _signer_ending(pki: DemoPki, end: datetime) -> tuple[PrivateKey, Certificate]:
    """A document signer of LV:NVD under its listed CA (as the demo PKI makes them) whose certificate
    began a day before today (or before ``end``, if that is earlier) and ends at ``end`` exactly."""
    ca_key, ca = pki.cas[NVD]
    key = generate_key()
    usage = x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    cert = (x509.CertificateBuilder().subject_name(pki.signers[NVD][1][0].subject).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(min(NOW, end) - timedelta(days=1)).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


@dataclass
class Nvd:
    """The EHIC institution on an issuer with a clock, signing under a certificate of our choosing."""

    service: IssuerService
    inst: Institution
    pki: DemoPki
    clock: list[datetime]

    @property
    def anchors(self) -> list[Certificate]:
        return [self.pki.cas[NVD][1]]

    def signing_until(self, end: datetime) -> Institution:
        """The institution as it is after its signer certificate was replaced by one ending at ``end``."""
        key, leaf = _signer_ending(self.pki, end)
        return replace(self.inst, key=key, x5c=[leaf])

    def case(self, *, actor: str = "clerk:LV:NVD") -> str:
        return self.service.create_case(self.inst, "ehic", CARD, actor=actor, holder=HOLDER).id

    def token(self, case_id: str) -> str:
        """The access token of a wallet that took the case's offer (pre-authorized code and tx_code)."""
        inst = self.inst
        offer = self.service.create_offer(inst, case_id, actor="clerk:LV:NVD")
        code = self.service.offer_json(inst, offer.offer_id)["grants"][openid4vci.PRE_AUTH_GRANT]["pre-authorized_code"]
        answer = self.service.token(inst, {"grant_type": openid4vci.PRE_AUTH_GRANT, "pre-authorized_code": code,
                                           "tx_code": offer.tx_code})
        return str(answer["access_token"])

    def proof(self, key: PrivateKey) -> str:
        return sign_jws({"typ": openid4vci.PROOF_TYP, "jwk": public_jwk(key)},
                        {"aud": self.inst.issuer_url, "iat": int(self.clock[0].timestamp()),
                         "nonce": self.service.nonces.c_nonce(self.inst.issuer_url)}, key)

    def credential(self, token: str, configuration: str = "ehic", inst: Institution | None = None,
                   proof: str | None = None) -> dict[str, Any]:
        return self.service.credential(inst or self.inst, f"Bearer {token}", {
            "credential_configuration_id": configuration, "proofs": {"jwt": [proof or self.proof(generate_key())]}})

    def records(self, case_id: str) -> list[dict[str, Any]]:
        return list(self.service.get_case(self.inst, case_id)["credential_records"])


@pytest.fixture
def make_nvd(tmp_path: Path) -> Iterator[Callable[..., Nvd]]:
    """An issuer whose LV:NVD signs under a certificate ending at ``signer_end`` (``approval``: four-eyes)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}")
    upgrade(engine, MIGRATIONS)

    def make(signer_end: datetime, *, approval: bool = False) -> Nvd:
        hosted = demo_institutions(tmp_path / "pki", "http://127.0.0.1:1", now=NOW)
        pki = load_demo_pki(tmp_path / "pki")
        key, leaf = _signer_ending(pki, signer_end)
        inst = replace(hosted["lv-nvd"], key=key, x5c=[leaf], approval_required=approval)
        clock = [NOW]
        service = IssuerService(engine, {**hosted, "lv-nvd": inst}, clock=lambda: clock[0])
        return Nvd(service, inst, pki, clock)

    yield make
    engine.dispose()


@pytest.fixture(scope="module")
def verifier_pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    """The demo PKI for a verifier's request and a signer certificate of our choosing, once."""
    from credentials.institutions import DEMO_ENTITIES
    from credentials.pki import create_demo_pki

    return create_demo_pki(tmp_path_factory.mktemp("pki"), DEMO_ENTITIES, now=NOW)


def _the_end(inst: Institution) -> datetime:
    return inst.x5c[0].not_valid_after_utc


# --- the issuer: the copy ends with its signer ---------------------------------------------------------


def test_an_sd_jwt_vc_under_a_signer_ending_before_the_document_expires_with_the_signer_and_verifies_until_then(
        make_nvd: Callable[..., Nvd]) -> None:
    nvd = make_nvd(NOW + timedelta(days=30))
    end = _the_end(nvd.inst)
    case_id = nvd.case()
    issued = nvd.credential(nvd.token(case_id))["credentials"][0]
    verified = sd_jwt_vc.verify_vc(issued["credential"], anchors=nvd.anchors, now=NOW, key_binding=None)
    assert verified.exp == int(end.timestamp())
    assert verified.claims["date_of_expiry"] == CARD["date_of_expiry"]  # the document's own end, unchanged
    sd_jwt_vc.verify_vc(issued["credential"], anchors=nvd.anchors, now=end - timedelta(seconds=1), key_binding=None)
    with pytest.raises(CredentialError):
        sd_jwt_vc.verify_vc(issued["credential"], anchors=nvd.anchors, now=end + timedelta(minutes=2),
                            key_binding=None)
    # The offline QR form delivered beside it ends then too; so does its status list entry.
    offline = compact.decode_credential(b64url_decode(issued["compact"]))
    assert offline.claims[compact.EXP] == int(end.timestamp())
    assert [datetime.fromisoformat(r["expires_at"]) for r in nvd.records(case_id)] == [end]


def test_an_mdoc_under_a_signer_ending_before_the_document_has_its_valid_until_at_the_signers_end(
        make_nvd: Callable[..., Nvd]) -> None:
    nvd = make_nvd(NOW + timedelta(days=30))
    end = _the_end(nvd.inst)
    issued = nvd.credential(nvd.token(nvd.case()), "ehic_mdoc")["credentials"][0]["credential"]
    verified = mdoc.verify_issuer_signed(b64url_decode(issued), anchors=nvd.anchors, now=NOW)
    assert verified.valid_until == end
    mdoc.verify_issuer_signed(b64url_decode(issued), anchors=nvd.anchors, now=end - timedelta(seconds=1))
    with pytest.raises(CredentialError):
        mdoc.verify_issuer_signed(b64url_decode(issued), anchors=nvd.anchors, now=end + timedelta(minutes=2))


def test_a_paper_copy_under_a_signer_ending_before_the_document_has_its_qr_expire_with_the_signer(
        make_nvd: Callable[..., Nvd], monkeypatch: pytest.MonkeyPatch) -> None:
    nvd = make_nvd(NOW + timedelta(days=30))
    end = _the_end(nvd.inst)
    printed: list[str] = []
    drawn = compact.qr_png

    def draw(text: str, **kw: Any) -> bytes:  # the QR code's text, as the PDF prints it
        printed.append(text)
        return drawn(text, **kw)

    monkeypatch.setattr(compact, "qr_png", draw)
    case_id = nvd.case()
    assert nvd.service.paper(nvd.inst, case_id, actor="clerk:LV:NVD").startswith(b"%PDF")
    parsed = compact.parse_qr(printed[0])
    assert parsed.claims[compact.EXP] == int(end.timestamp())
    signer = nvd.inst.x5c[0].public_key()
    assert isinstance(signer, ec.EllipticCurvePublicKey)
    compact.verify_compact(parsed, resolve_key=lambda *_: signer, now=end - timedelta(seconds=1))
    with pytest.raises(CredentialError):
        compact.verify_compact(parsed, resolve_key=lambda *_: signer, now=end + timedelta(minutes=2))
    assert [datetime.fromisoformat(r["expires_at"]) for r in nvd.records(case_id)] == [end]


def test_a_deferred_credential_under_a_signer_ending_before_the_document_expires_with_the_signer(
        make_nvd: Callable[..., Nvd]) -> None:
    nvd = make_nvd(NOW + timedelta(days=30), approval=True)
    end = _the_end(nvd.inst)
    case_id = nvd.case(actor=RECORDER)
    token = nvd.token(case_id)
    deferred = nvd.credential(token)
    assert set(deferred) == {"transaction_id", "interval"}
    nvd.service.approve_case(nvd.inst, case_id, actor=APPROVER)
    issued = nvd.service.deferred_credential(nvd.inst, f"Bearer {token}",
                                             {"transaction_id": deferred["transaction_id"]})["credentials"][0]
    verified = sd_jwt_vc.verify_vc(issued["credential"], anchors=nvd.anchors, now=NOW, key_binding=None)
    assert verified.exp == int(end.timestamp())
    assert compact.decode_credential(b64url_decode(issued["compact"])).claims[compact.EXP] == int(end.timestamp())
    assert [datetime.fromisoformat(r["expires_at"]) for r in nvd.records(case_id)] == [end]


def test_a_signer_outliving_the_document_leaves_the_copy_ending_with_the_document(
        make_nvd: Callable[..., Nvd]) -> None:
    """The document's end still decides when it comes first (the last second of its day, UTC-12)."""
    nvd = make_nvd(NOW + timedelta(days=3000))
    issued = nvd.credential(nvd.token(nvd.case()))["credentials"][0]
    verified = sd_jwt_vc.verify_vc(issued["credential"], anchors=nvd.anchors, now=NOW, key_binding=None)
    last_day = date.fromisoformat(CARD["date_of_expiry"])
    assert verified.exp is not None
    noon_after = datetime(last_day.year, last_day.month, last_day.day, 11, 59, 59, tzinfo=UTC) + timedelta(days=1)
    assert datetime.fromtimestamp(verified.exp, UTC) == noon_after


def test_the_case_is_kept_for_its_documents_period_not_its_copies(make_nvd: Callable[..., Nvd]) -> None:
    """Status retention: the copies' earlier end does not shorten how long the case (and so its status
    list entries' meaning) is kept; the document's end does, as before."""
    nvd = make_nvd(NOW + timedelta(days=30))
    case_id = nvd.case()
    nvd.credential(nvd.token(case_id))
    nvd.clock[0] = _the_end(nvd.inst) + timedelta(days=120)  # the copies expired long ago, the card has not
    assert nvd.service.erase_ended(90) == 0
    nvd.clock[0] = datetime.fromisoformat(CARD["date_of_expiry"]).replace(tzinfo=UTC) + timedelta(days=92)
    assert nvd.service.erase_ended(90) == 1


# --- the issuer: nothing under a chain that has ended --------------------------------------------------


@pytest.mark.parametrize("ended", [timedelta(days=-3), timedelta(seconds=30)], ids=["ended", "ends_in_a_minute"])
def test_issuance_under_an_expired_signer_chain_is_refused_503_with_no_credential_recorded(
        make_nvd: Callable[..., Nvd], ended: timedelta, caplog: pytest.LogCaptureFixture) -> None:
    nvd = make_nvd(NOW + timedelta(days=30))
    case_id = nvd.case()
    token = nvd.token(case_id)
    expired = nvd.signing_until(NOW + ended)
    proof = nvd.proof(generate_key())
    with caplog.at_level(logging.WARNING, logger="esspass.issuer"), pytest.raises(ProtocolError) as refused:
        nvd.credential(token, inst=expired, proof=proof)
    assert (refused.value.http_status, refused.value.error, refused.value.message) == (
        503, "temporarily_unavailable", REFUSED)
    assert nvd.records(case_id) == []
    logged = [r for r in caplog.records if getattr(r, "event", None) == "signer_expired"]
    assert logged and all(NVD in r.getMessage() for r in logged)
    for record in logged:  # the operator's line names the institution, never the person
        said = record.getMessage()
        assert not any(str(v) in said for v in (*HOLDER.values(), PERSON.ehic["personal_administrative_number"]))
    # Nothing was spent: once the certificate is renewed, the same request (its proof, its c_nonce) is answered.
    assert nvd.credential(token, proof=proof)["credentials"]


def test_printing_and_offering_under_an_expired_signer_chain_are_refused_and_the_case_page_says_why(
        make_nvd: Callable[..., Nvd]) -> None:
    nvd = make_nvd(NOW - timedelta(days=3))
    case_id = nvd.case()
    for act in (lambda: nvd.service.paper(nvd.inst, case_id, actor="clerk:LV:NVD"),
                lambda: nvd.service.create_offer(nvd.inst, case_id, actor="clerk:LV:NVD")):
        with pytest.raises(ProtocolError) as refused:
            act()
        assert (refused.value.http_status, refused.value.error, refused.value.key) == (
            503, "temporarily_unavailable", "signer.expired")
    case = nvd.service.get_case(nvd.inst, case_id)
    assert case["credential_records"] == [] and [e["action"] for e in case["events"]] == ["created"]
    assert case["paper_refusal"]["rule_key"] == case["offer_refusal"]["rule_key"] == "signer.expired"
    assert case["paper_refusal"]["rule"] == REFUSED


def test_a_deferred_credential_whose_signer_expired_while_it_waited_is_refused_503_and_stays_pending(
        make_nvd: Callable[..., Nvd]) -> None:
    nvd = make_nvd(NOW + timedelta(days=30), approval=True)
    case_id = nvd.case(actor=RECORDER)
    token = nvd.token(case_id)
    transaction_id = nvd.credential(token)["transaction_id"]
    nvd.service.approve_case(nvd.inst, case_id, actor=APPROVER)
    body = {"transaction_id": transaction_id}
    with pytest.raises(ProtocolError) as refused:
        nvd.service.deferred_credential(nvd.signing_until(NOW - timedelta(days=1)), f"Bearer {token}", body)
    assert (refused.value.http_status, refused.value.error) == (503, "temporarily_unavailable")
    assert nvd.records(case_id) == []
    with nvd.service.sessions() as s:
        assert s.scalar(select(DeferredTransaction.state).where(
            DeferredTransaction.id_hash == stored_hash(transaction_id))) == "pending"
    assert nvd.service.deferred_credential(nvd.inst, f"Bearer {token}", body)["credentials"]  # once renewed


def test_the_back_office_says_the_expired_signer_refusal_in_the_clerks_language(
        make_nvd: Callable[..., Nvd]) -> None:
    nvd = make_nvd(NOW - timedelta(days=3))
    with pytest.raises(ProtocolError) as refused:
        nvd.service.paper(nvd.inst, nvd.case(), actor="clerk:LV:NVD")
    exc = refused.value
    said = {lang: rule_text(lang, exc.message, exc.key, exc.params) for lang in i18n.LANGUAGES}
    assert said["en"] == REFUSED
    assert len(set(said.values())) == len(i18n.LANGUAGES)  # each language its own words
    assert all(said[lang] == i18n.t("rule.signer.expired", lang) for lang in i18n.LANGUAGES)


def test_issuer_check_says_documents_issued_now_get_copies_ending_with_the_signer(verifier_pki: DemoPki) -> None:
    from issuer.cli import _renewal_note

    _key, soon = _signer_ending(verifier_pki, NOW + timedelta(days=19, hours=2))
    note = _renewal_note([soon], NOW)
    assert note is not None and "expires in 19 days" in note
    assert f"documents issued now get copies ending {soon.not_valid_after_utc:%Y-%m-%d}" in note
    _key, later = _signer_ending(verifier_pki, NOW + timedelta(days=200))
    assert _renewal_note([later], NOW) is None


# --- the wallet: a copy expired, the document still valid ----------------------------------------------


#: The wallet's day: its copies ended three days ago with their signer; the EHIC runs three more years.
WALLET_NOW = NOW
COPY_END = WALLET_NOW - timedelta(days=3)
DOCUMENT_END = date(WALLET_NOW.year + 3, WALLET_NOW.month, min(WALLET_NOW.day, 28))
INSTITUTION = "Nacionālais veselības dienests"
PASSPHRASE = "correct horse battery"


def _expected(lang: str) -> str:
    return messages.t("state.copy_expired", lang, date=format_date(COPY_END.date(), lang),
                      until=format_date(DOCUMENT_END, lang), institution=INSTITUTION)


def _copy(n: int, *, exp: datetime, claims: dict[str, Any] | None = None, form: str = "dc+sd-jwt") -> StoredCredential:
    return StoredCredential(
        id=f"ehic-{form}-{n}", group="ehic-card", format=form, vct=ehic.VCT, credential="~", private_key="",
        issuer_url="https://issuer.example/lv-nvd", issuer_id=NVD, issuer_name=INSTITUTION,
        configuration_id="ehic", received_at=(COPY_END - timedelta(days=700)).isoformat(),
        claims=claims or {**PERSON.ehic, "date_of_expiry": DOCUMENT_END.isoformat()},
        iat=int((COPY_END - timedelta(days=700)).timestamp()), exp=int(exp.timestamp()))


def _store(settings: WalletSettings, copies: list[StoredCredential]) -> WalletStore:
    store = WalletStore.create(settings.wallet_path(), PASSPHRASE, params=ScryptParams(n=16))
    with store.transaction() as doc:
        doc["credentials"].extend(c.to_dict() for c in copies)
    return store


def _settings(tmp_path: Path) -> WalletSettings:
    return WalletSettings(data_dir=tmp_path, scrypt_n=16, lang="en", allow_loopback_http=True,
                          pki_dir=tmp_path / "no-pki")


def _wallet(tmp_path: Path, copies: list[StoredCredential], trust: Any = None) -> WalletService:
    settings = _settings(tmp_path)
    # The real time, not WALLET_NOW (this module's import): a verifier's request is dated when it is made,
    # which may be many minutes after the collection in a long parallel run ("made in the future").
    return WalletService(settings, _store(settings, copies), http=httpx.Client(), trust=trust or _NoTrust(),
                         clock=lambda: datetime.now(UTC))


class _NoTrust:
    """Reading the cards consults no trust list."""

    def issuers(self, now: datetime) -> Any:
        raise AssertionError("trust list consulted")

    def verifiers(self, now: datetime) -> Any:
        raise AssertionError("trust list consulted")


EXPIRED = [_copy(n, exp=COPY_END) for n in range(3)] + [_copy(0, exp=COPY_END, form="mso_mdoc")]


def test_a_card_whose_copies_all_expired_while_the_document_is_current_says_so_in_five_languages(
        tmp_path: Path) -> None:
    wallet = _wallet(tmp_path, EXPIRED)
    for lang in i18n.LANGUAGES:
        card = wallet.card("ehic-card", lang)
        assert card.warning == "copy_expired" and card.period == "copy_expired"
        words = standing_words(card, lang)
        assert words == _expected(lang)
        assert format_date(COPY_END.date(), lang) in words and format_date(DOCUMENT_END, lang) in words
        assert INSTITUTION in words and INSTITUTION in warning_words(card, lang)
    assert standing_words(wallet.card("ehic-card", "en"), "en") == (
        f"This copy expired on {format_date(COPY_END.date(), 'en')}; the document is valid until "
        f"{format_date(DOCUMENT_END, 'en')}: ask {INSTITUTION} for a new copy")
    assert len({standing_words(wallet.card("ehic-card", lang), lang) for lang in i18n.LANGUAGES}) == 5


def test_a_copy_still_live_or_a_document_ended_is_not_told_as_a_copy_expired(tmp_path: Path) -> None:
    live = _wallet(tmp_path / "live", [*EXPIRED, _copy(9, exp=WALLET_NOW + timedelta(days=1))])
    assert live.card("ehic-card", "en").warning is None
    ended_claims = {**PERSON.ehic, "date_of_expiry": (WALLET_NOW - timedelta(days=1)).date().isoformat()}
    ended = _wallet(tmp_path / "ended", [_copy(0, exp=COPY_END, claims=ended_claims)])
    card = ended.card("ehic-card", "en")
    assert card.warning == "ended" and "copy" not in standing_words(card, "en")


def test_a_copy_of_a_document_without_an_end_date_says_the_document_has_not_ended(tmp_path: Path) -> None:
    claims = {k: v for k, v in PERSON.ehic.items() if k != "date_of_expiry"}
    wallet = _wallet(tmp_path, [_copy(0, exp=COPY_END, claims=claims)])
    for lang in i18n.LANGUAGES:
        card = wallet.card("ehic-card", lang)
        assert standing_words(card, lang) == messages.t("state.copy_expired_open", lang,
                                                         date=format_date(COPY_END.date(), lang),
                                                         institution=INSTITUTION)


def test_the_card_list_and_the_card_page_say_the_copy_expired_and_the_document_is_still_valid(
        tmp_path: Path) -> None:
    from wallet.app import create_app

    settings = _settings(tmp_path)
    store = _store(settings, EXPIRED)
    card = WalletService(settings, store, http=httpx.Client(), trust=_NoTrust(),
                         clock=lambda: WALLET_NOW).card("ehic-card", "lv")
    with serve(create_app(settings, trust=_NoTrust(), clock=lambda: WALLET_NOW)) as handle, \
            httpx.Client(base_url=handle.url, headers={"Accept-Language": "lv"}) as client:
        token = client.get("/unlock").text.split('name="csrf" value="')[1].split('"')[0]
        assert client.post("/unlock", data={"passphrase": PASSPHRASE, "csrf": token}).status_code == 303
        listed = html.unescape(client.get("/").text)
        assert _expected("lv") in listed and 'class="badge copy_expired"' in listed
        page = html.unescape(client.get("/cards/ehic-card").text)
        assert _expected("lv") in page  # where it stands, beside the document's own last day
        assert 'data-warning="copy_expired"' in page and warning_words(card, "lv") in page
        assert format_date(DOCUMENT_END, "lv") in page


def test_the_terminal_lists_and_shows_the_copy_expired_and_the_document_still_valid(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from wallet.cli import main as wallet_main

    wallet = _wallet(tmp_path, EXPIRED)
    monkeypatch.setattr("wallet.cli._Ctx.service", lambda _ctx: wallet)
    for lang in i18n.LANGUAGES:
        assert wallet_main(["--lang", lang, "list"]) == 0
        assert _expected(lang) in capsys.readouterr().out
        assert wallet_main(["--lang", lang, "show", "ehic-card"]) == 0
        shown = capsys.readouterr().out
        assert _expected(lang) in shown and format_date(DOCUMENT_END, lang) in shown
        assert messages.t("status.valid", lang) not in shown  # "valid" would say it passes an inspection


def test_the_consent_screen_and_the_terminal_say_the_copy_expired_when_a_verifier_asks_for_the_document(
        tmp_path: Path, verifier_pki: DemoPki, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from wallet.cli import main as wallet_main

    trust = ListedVerifier(verifier_pki.cas["LV:VDI"][1], "LV:VDI", {ehic.VCT: ("document_number",)})
    wallet = _wallet(tmp_path, EXPIRED, trust)
    query = {"credentials": [{"id": "ehic", "format": "dc+sd-jwt", "meta": {"vct_values": [ehic.VCT]},
                              "claims": [{"path": ["document_number"]}]}]}
    with form_collector() as (response_uri, received):
        link = _link(verifier_pki, response_uri, query)
        consent = wallet.open_request(link, "de")
        assert not consent.satisfiable  # an expired copy is never sent
        assert consent.ended == (f"{wallet.card('ehic-card', 'de').title}: {_expected('de')}",)
        monkeypatch.setattr("wallet.cli._Ctx.service", lambda _ctx: wallet)
        assert wallet_main(["present", _link(verifier_pki, response_uri, query), "--no"]) == 3
        assert _expected("en") in capsys.readouterr().out
        assert [r.get("error") for r in received] == ["access_denied"]  # declined: nothing of the document left


def test_the_wallet_says_in_the_workers_language_that_the_institutions_signer_expired() -> None:
    """What the issuer answers a wallet asking under an expired signer chain (503), said whole."""
    for lang in i18n.LANGUAGES:
        said = messages.explain("temporarily_unavailable", f"Collecting the document: {REFUSED}", lang)
        assert said == messages.t("remote.signer_expired", lang)
    assert len({messages.t("remote.signer_expired", lang) for lang in i18n.LANGUAGES}) == 5


def test_a_token_asked_under_an_expired_signer_does_not_spend_the_single_use_offer(make_nvd: Any) -> None:
    """An offer made minutes before the signer certificate ends is redeemed after it ended: refused
    503 before the code is spent, so the same QR code works once the certificate is renewed (it
    was "already used", the credential endpoint having refused what the token endpoint spent)."""
    nvd: Nvd = make_nvd(NOW + timedelta(minutes=10))
    case_id = nvd.case()
    offer = nvd.service.create_offer(nvd.inst, case_id, actor="clerk:LV:NVD")
    code = nvd.service.offer_json(nvd.inst, offer.offer_id)["grants"][openid4vci.PRE_AUTH_GRANT][
        "pre-authorized_code"]
    form = {"grant_type": openid4vci.PRE_AUTH_GRANT, "pre-authorized_code": code, "tx_code": offer.tx_code}
    nvd.clock[0] = NOW + timedelta(minutes=12)  # the signer ended; the offer is still open
    with pytest.raises(ProtocolError) as refused:
        nvd.service.token(nvd.inst, form)
    assert (refused.value.http_status, refused.value.key) == (503, "signer.expired")
    renewed = nvd.signing_until(NOW + timedelta(days=365))
    nvd.clock[0] = NOW + timedelta(minutes=14)
    assert nvd.service.token(renewed, form)["access_token"]


def test_the_authorization_page_tells_the_wallet_temporarily_unavailable_under_an_expired_signer(
        make_nvd: Any, tmp_path: Path) -> None:
    """RFC 6749 §4.1.2.1: the server cannot issue for now (nothing spent) is ``temporarily_unavailable``,
    as the token endpoint answers; ``access_denied`` made the wallet say the worker had cancelled or
    typed wrong codes. The wallet says to try again later with the same link."""
    from credentials import authorization_code
    from issuer.app import create_app
    from issuer.settings import IssuerSettings
    from wallet import messages
    from wallet.service import UNAVAILABLE_NOW

    redirect, client = "http://127.0.0.1:9/wallet/callback", "esspass-reference-wallet"
    nvd: Nvd = make_nvd(NOW + timedelta(minutes=10))
    offer = nvd.service.create_offer(nvd.inst, nvd.case(), actor="clerk:LV:NVD")
    state = nvd.service.offer_json(nvd.inst, offer.offer_id)["grants"]["authorization_code"]["issuer_state"]
    nvd.clock[0] = NOW + timedelta(minutes=12)  # the signer has ended; the offer is still open
    pushed = nvd.service.push_authorization(nvd.inst, {
        "response_type": "code", "client_id": client, "redirect_uri": redirect, "issuer_state": state,
        "code_challenge": authorization_code.pkce_challenge("v" * 50), "code_challenge_method": "S256",
        "scope": "ehic"})
    app = create_app(IssuerSettings(data_dir=tmp_path, public_url="http://127.0.0.1:1"), service=nvd.service)
    with serve(app) as handle, httpx.Client(base_url=handle.url) as http:
        answer = http.post("/lv-nvd/authorize", data={"client_id": client, "request_uri": pushed["request_uri"],
                                                      "tx_code": offer.tx_code, "action": "authorise"})
    assert answer.status_code == 303, answer.text
    told = {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}
    assert told["error"] == "temporarily_unavailable" and REFUSED in told["error_description"]
    assert nvd.service.offer_json(nvd.inst, offer.offer_id)["grants"][openid4vci.PRE_AUTH_GRANT]  # not spent
    said = {lang: messages.explain("temporarily_unavailable", UNAVAILABLE_NOW, lang) for lang in i18n.LANGUAGES}
    assert said == messages.MESSAGES[UNAVAILABLE_NOW] and len(set(said.values())) == 5


def test_a_card_whose_copies_end_before_the_document_says_so_ahead_of_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Copies ending with the signer certificate, still live: the card page and `wallet show` tell the
    worker when, and to ask the institution for a new copy before then (no warning: it can be shown)."""
    from wallet.cli import main as wallet_main
    from wallet.service import copies_end_words

    ends = datetime.now(UTC) + timedelta(days=30)
    wallet = _wallet(tmp_path, [_copy(n, exp=ends) for n in range(2)])
    for lang in i18n.LANGUAGES:
        card = wallet.card("ehic-card", lang)
        assert card.warning is None and card.copies_end_on == ends.astimezone().date().isoformat()
        words = copies_end_words(card, lang)
        assert words == messages.t("state.copies_end", lang, date=format_date(card.copies_end_on, lang),
                                   until=format_date(DOCUMENT_END, lang), institution=INSTITUTION)
    monkeypatch.setattr("wallet.cli._Ctx.service", lambda _ctx: wallet)
    assert wallet_main(["show", "ehic-card"]) == 0
    assert copies_end_words(wallet.card("ehic-card", "en"), "en") in capsys.readouterr().out


def test_copies_ending_with_the_document_say_nothing_more(tmp_path: Path) -> None:
    """The issuer ends a copy at the document's last day anywhere on earth, a day later in UTC."""
    last_day = datetime.combine(DOCUMENT_END, datetime.min.time(), UTC) + timedelta(days=1, hours=12)
    card = _wallet(tmp_path, [_copy(0, exp=last_day)]).card("ehic-card", "en")
    assert card.copies_end_on is None


def test_the_card_page_tells_ahead_of_time_that_the_copies_end_before_the_document(tmp_path: Path) -> None:
    from wallet.app import create_app
    from wallet.service import copies_end_words

    settings = _settings(tmp_path)
    _store(settings, [_copy(0, exp=datetime.now(UTC) + timedelta(days=30))])
    with serve(create_app(settings, trust=_NoTrust())) as handle, \
            httpx.Client(base_url=handle.url, headers={"Accept-Language": "de"}) as client:
        token = client.get("/unlock").text.split('name="csrf" value="')[1].split('"')[0]
        assert client.post("/unlock", data={"passphrase": PASSPHRASE, "csrf": token}).status_code == 303
        page = html.unescape(client.get("/cards/ehic-card").text)
    card = _wallet(tmp_path / "same", [_copy(0, exp=datetime.now(UTC) + timedelta(days=30))]).card("ehic-card", "de")
    assert 'id="copies-end"' in page and copies_end_words(card, "de") in page and 'id="warning"' not in page


def test_the_warning_before_sharing_judges_the_documents_dates_on_the_verifiers_calendar(
        tmp_path: Path, verifier_pki: DemoPki) -> None:
    """Near midnight the worker's calendar and the inspector's differ: the wallet's warning says what the
    inspector will see, so it judges the document's own dates on the date where the verifier is (its
    state's zone), not the phone's. Here the phone's calendar is already a day on: its list says the
    card ended, and the Latvian inspectorate, for which it is its last day, is not told it ended."""
    trust = ListedVerifier(verifier_pki.cas["LV:VDI"][1], "LV:VDI", {ehic.VCT: ("document_number",)})
    probe = _wallet(tmp_path / "probe", [], trust)
    last_day = probe.verifiers_today("LV")
    from credentials import sd_jwt_vc
    from credentials.jose import generate_key, public_jwk
    from wallet.keys import key_to_pem

    claims = ehic.validate({**PERSON.ehic, "date_of_expiry": last_day.isoformat()})
    holder, (key, chain) = generate_key(), verifier_pki.signers[NVD]
    issued = int(time.time())
    credential = sd_jwt_vc.issue_vc(vct=ehic.VCT, claims=claims, sd_paths=ehic.SD_PATHS, holder_jwk=public_jwk(holder),
                                    issuer_key=key, x5c=chain, iss="https://issuer.example/lv-nvd", iat=issued,
                                    nbf=issued, exp=issued + 3 * 86400, status=None)
    copy = replace(_copy(0, exp=datetime.now(UTC) + timedelta(days=3), claims=claims), credential=credential,
                   private_key=key_to_pem(holder))
    wallet = _wallet(tmp_path, [copy], trust)
    wallet.today = lambda: last_day + timedelta(days=1)  # type: ignore[method-assign]
    assert wallet.card("ehic-card", "en").warning == "ended"
    query = {"credentials": [{"id": "ehic", "format": "dc+sd-jwt", "meta": {"vct_values": [ehic.VCT]},
                              "claims": [{"path": ["document_number"]}]}]}
    with form_collector() as (response_uri, _received):
        consent = wallet.open_request(_link(verifier_pki, response_uri, query), "en")
        [item] = consent.items
        assert (item.warning, item.notice) == (None, ""), item
        wallet.decline(consent.id)
