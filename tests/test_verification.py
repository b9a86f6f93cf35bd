"""The inspector's verdict, without servers (credentials.verification): who may sign a document,
and the document's own dates, checked from the trust list and the claims, failing closed.

The trust lists come from a real registry store (SQLite) seeded with the demo PKI.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import serialization

from credentials import compact, ehic, mdoc, pda1, pid, sd_jwt_vc, status_list, trust_list, verification
from credentials.demo_persons import DEMO_PERSONS
from credentials.institutions import DEMO_ENTITIES, demo_entity
from credentials.jose import b64url_encode, generate_key, public_jwk
from credentials.pki import DemoPki, create_demo_pki, issue_document_signer
from credentials.sd_jwt import present, unverified_claims
from credentials.x509 import spki_kid, x5c_header
from esspass.db import make_engine
from trust_registry.seed import seed
from trust_registry.store import Registry
from verifier.service import profile_query

ANNA, LENA = DEMO_PERSONS[0], DEMO_PERSONS[2]  # a Latvian A1 (LV:VSAA) and a German one (DE:DRV)
VIENNA = {"locality": "Wien", "country": "AT"}  # posted there from either state
NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass
class World:
    pki: DemoPki
    registry: Registry
    lists: dict[str, tuple[status_list.StatusList, Any, Any]]

    def issuers(self, now: datetime = NOW) -> trust_list.TrustList:
        return self.registry.build_list("issuers", now)

    def issue(self, module: Any, claims: dict[str, Any], entity_id: str, *, signer: Any = None,
              iat: datetime | None = None, validate: bool = True, vct: str | None = None,
              sd_paths: Any = None) -> tuple[str, Any]:
        key, chain = signer or self.pki.signers[entity_id]
        holder = generate_key()
        uri = f"https://issuer.example/{entity_id}/status/1"
        self.lists.setdefault(uri, (status_list.StatusList(1024, bits=2), key, chain))
        issued = int((iat or NOW - timedelta(minutes=1)).timestamp())
        if module is pid and validate:  # as the issuer states them for every PID (PID Rulebook §2.4)
            claims = pid.with_provider_metadata(claims, authority=demo_entity(entity_id).name,
                                                country=entity_id[:2], expiry=pid.provider_expiry(NOW.date()))
        credential = sd_jwt_vc.issue_vc(vct=vct or module.VCT, claims=module.validate(claims) if validate else claims,
                                        sd_paths=module.SD_PATHS if sd_paths is None else sd_paths,
                                        holder_jwk=public_jwk(holder), issuer_key=key, x5c=chain,
                                        iss=f"https://issuer.example/{entity_id}", iat=issued, nbf=None,
                                        exp=issued + 365 * 86400, status=status_list.StatusReference(7, uri))
        return credential, holder

    def lookup(self, ref: status_list.StatusReference, entity: trust_list.ListedEntity,
               now: datetime) -> verification.StatusOutcome:
        lst, key, chain = self.lists[ref.uri]
        token = status_list.sign_token(lst, uri=ref.uri, key=key, x5c=chain, iat=int(now.timestamp()) - 5,
                                       exp=int(now.timestamp()) + 3600, ttl=300)
        verified = status_list.verify_token(token, uri=ref.uri, anchors=entity.anchors(), now=now)
        return verification.StatusOutcome(status_list.status_of(verified, ref), 5, "network")

    def inspect(self, a1: tuple[str, Any], person: tuple[str, Any], *, now: datetime = NOW,
                issuers: trust_list.TrustList | None = None) -> verification.Verdict:
        """The inspection profile (PDA1 + PID), answered by the wallet as asked."""
        query = profile_query("pda1")
        asked = {q["id"]: [tuple(c["path"]) for c in q["claims"]] for q in query["credentials"]}
        nonce, aud = secrets.token_urlsafe(16), "x509_hash:inspectorate"
        vp_token = {}
        for qid, (credential, key) in (("pda1", a1), ("pid", person)):
            held = unverified_claims(credential)
            vp_token[qid] = [present(credential, select=[p for p in asked[qid] if p[0] in held], holder_key=key,
                                     nonce=nonce, aud=aud, iat=int(now.timestamp()))]
        return verification.verify_response(vp_token, query=query, nonce=nonce, audience=aud,
                                            issuers=issuers or self.issuers(now), trust_list_age=0, now=now,
                                            status_lookup=self.lookup)


@contextmanager
def _world_in(directory: Path) -> Iterator[World]:
    """The demo PKI and a registry seeded with it, in ``directory``."""
    pki = create_demo_pki(directory / "pki", DEMO_ENTITIES, now=NOW - timedelta(days=2))
    engine = make_engine(f"sqlite:///{directory / 'registry.db'}")
    registry = Registry(engine)
    seed(registry, pki)
    yield World(pki, registry, {})
    engine.dispose()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with _world_in(tmp_path_factory.mktemp("verification")) as shared:
        yield shared


@pytest.fixture
def own_world(tmp_path: Path) -> Iterator[World]:
    """A registry of the test's own, for tests that change it (rotate, revoke)."""
    with _world_in(tmp_path) as changed:
        yield changed


def _step(verdict: verification.Verdict, query_id: str, code: str) -> verification.Step:
    credential = next(c for c in verdict.credentials if c.query_id == query_id)
    return next(s for s in credential.steps if s.code == code)


def test_a_genuine_a1_of_the_competent_institution_is_valid(world: World) -> None:
    verdict = world.inspect(world.issue(pda1, ANNA.pda1, "LV:VSAA"), world.issue(pid, ANNA.pid, "LV:PID"))
    assert verdict.verdict == verification.VALID, verdict.reason


@pytest.mark.parametrize("field", ["issuing_authority", "issuing_country", "legislation_country"])
def test_an_institution_cannot_sign_another_states_a1(world: World, field: str) -> None:
    """987/2009 Art. 15/16/19: the A1 comes from the competent institution of the state whose legislation
    applies. Latvia's VSAA signing an A1 that names Germany (or DE:DRV) is refused, although VSAA may issue A1s."""
    claims = {**ANNA.pda1, field: LENA.pda1[field], "work_address": VIENNA}
    verdict = world.inspect(world.issue(pda1, claims, "LV:VSAA"), world.issue(pid, ANNA.pid, "LV:PID"))
    assert verdict.verdict == verification.INVALID
    step = _step(verdict, "pda1", "issuer_authorised")
    assert step.result == verification.FAILED and "LV:VSAA" in step.message, step.message


def test_an_offline_code_of_another_states_a1_is_refused(world: World) -> None:
    key, chain = world.pki.signers["LV:VSAA"]
    holder = generate_key()
    claims = pda1.validate({**ANNA.pda1, "legislation_country": "DE", "work_address": VIENNA})
    raw = compact.issue_compact(vct=pda1.VCT, claims=claims, holder=ANNA.pid, holder_jwk=public_jwk(holder),
                                issuer_key=key, kid=spki_kid(chain[0]), iat=int(NOW.timestamp()) - 60,
                                exp=int(NOW.timestamp()) + 86400,
                                status=status_list.StatusReference(7, "https://issuer.example/LV:VSAA/status/1"))
    world.lists.setdefault("https://issuer.example/LV:VSAA/status/1", (status_list.StatusList(1024, bits=2), key,
                                                                        chain))
    verdict = verification.verify_offline(compact.present_compact(raw, holder, now=NOW), issuers=world.issuers(),
                                          trust_list_age=0, now=NOW, status_lookup=world.lookup)
    assert verdict.verdict == verification.INVALID and "legislation_country is DE" in verdict.reason


def _offline(world: World, holder: dict[str, Any], *, paper: bool = False) -> verification.Verdict:
    """An offline code of Anna's A1 (LV:VSAA) naming ``holder``: the wallet's (holder-bound) or a paper copy's."""
    key, chain = world.pki.signers["LV:VSAA"]
    uri = "https://issuer.example/LV:VSAA/status/1"
    world.lists.setdefault(uri, (status_list.StatusList(1024, bits=2), key, chain))
    phone = generate_key()
    raw = compact.issue_compact(vct=pda1.VCT, claims=pda1.validate(ANNA.pda1), holder=holder,
                                holder_jwk=None if paper else public_jwk(phone), issuer_key=key,
                                kid=spki_kid(chain[0]), iat=int(NOW.timestamp()) - 60,
                                exp=int(NOW.timestamp()) + 86400, status=status_list.StatusReference(7, uri))
    qr = compact.paper_qr(raw) if paper else compact.present_compact(raw, phone, now=NOW)
    return verification.verify_offline(qr, issuers=world.issuers(), trust_list_age=0, now=NOW,
                                       status_lookup=world.lookup)


@pytest.mark.parametrize(("paper", "key", "words"), [
    (False, "holder_link.check_identity", "Offline QR code without a photo: check an identity document"),
    (True, "paper", "Paper document: check an identity document"),
])
def test_a_valid_offline_code_tells_the_inspector_to_check_an_identity_document(world: World, paper: bool,
                                                                                  key: str, words: str) -> None:
    """The offline code (the wallet's, or a paper copy's) carries the holder's name and birth date but
    no photo, and the inspector has no PID beside it: a valid verdict says to compare them with an
    identity document, in the page's language, as it always did for paper."""
    from verifier import messages

    verdict = _offline(world, {k: ANNA.pid[k] for k in compact.HOLDER_FIELDS}, paper=paper)
    assert verdict.verdict == verification.VALID, verdict.reason
    assert verdict.reason_key == key and verdict.reason.startswith(words), verdict.reason
    texts = {lang: messages.reason_text(verdict.to_json(), lang) for lang in ("en", "lv", "de", "fr", "pl")}
    assert texts["en"].startswith(words) and len(set(texts.values())) == 5, texts


@pytest.mark.parametrize("paper", [False, True], ids=["wallet", "paper"])
@pytest.mark.parametrize("holder", [{}, {"family_name": "Bērziņa", "given_name": "Anna"},
                                    {"birthdate": "1990-01-01"}], ids=["nobody", "no-birth-date", "no-name"])
def test_an_offline_code_naming_no_holder_is_not_valid(world: World, paper: bool, holder: dict[str, Any]) -> None:
    """Fail closed: a code whose holder has no name and birth date (a paper copy printed for a case
    without them) has nothing the inspector can compare with an identity document, so it cannot be
    tied to the person in front of them: "cannot be confirmed", never valid, and the page says why."""
    from verifier import messages

    verdict = _offline(world, holder, paper=paper)
    assert verdict.verdict == verification.UNDETERMINED, verdict.reason
    assert verdict.reason_key == "holder_link.no_holder" and "names no holder" in verdict.reason
    texts = {lang: messages.reason_text(verdict.to_json(), lang) for lang in ("en", "lv", "de", "fr", "pl")}
    assert "names no holder" in texts["en"] and len(set(texts.values())) == 5, texts


def test_a_document_signer_rotated_out_signs_nothing_after_its_window(own_world: World) -> None:
    """trust_list module docstring: the signing certificate must have been inside its listed window at
    issuance. After a rotation (a suspected key compromise, say) the old key's new signatures are refused,
    online and in offline codes; what it signed before the rotation stays valid."""
    world, pki, registry = own_world, own_world.pki, own_world.registry
    before = world.issue(pda1, ANNA.pda1, "LV:VSAA", iat=NOW - timedelta(minutes=1))
    old_signer = pki.signers["LV:VSAA"]
    ca_key, ca = pki.cas["LV:VSAA"]
    _, new_signer = issue_document_signer(demo_entity("LV:VSAA"), ca_key, ca, now=NOW - timedelta(days=1))
    registry.add_certificate("LV:VSAA", new_signer.public_bytes(serialization.Encoding.PEM), "signer", who="test",
                             rotate=True)
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=10)
    person = world.issue(pid, ANNA.pid, "LV:PID")
    after = world.issue(pda1, ANNA.pda1, "LV:VSAA", signer=old_signer, iat=later - timedelta(minutes=5))
    refused = world.inspect(after, person, now=later)
    assert refused.verdict == verification.INVALID
    assert "not listed when this credential was issued" in _step(refused, "pda1", "issuer_authorised").message
    assert world.inspect(before, person, now=later).verdict == verification.VALID

    holder = generate_key()
    old_key, old_chain = old_signer
    raw = compact.issue_compact(vct=pda1.VCT, claims=pda1.validate(ANNA.pda1), holder=ANNA.pid,
                                holder_jwk=public_jwk(holder), issuer_key=old_key, kid=spki_kid(old_chain[0]),
                                iat=int((later - timedelta(minutes=5)).timestamp()),
                                exp=int(later.timestamp()) + 86400,
                                status=status_list.StatusReference(7, "https://issuer.example/LV:VSAA/status/1"))
    offline = verification.verify_offline(compact.present_compact(raw, holder, now=later), issuers=world.issuers(later),
                                          trust_list_age=0, now=later, status_lookup=world.lookup)
    assert offline.verdict == verification.INVALID and "not listed" in offline.reason


def test_a_signer_the_institution_never_listed_is_refused_though_it_chains_to_its_ca(world: World) -> None:
    ca_key, ca = world.pki.cas["LV:VSAA"]
    unlisted = issue_document_signer(demo_entity("LV:VSAA"), ca_key, ca, now=NOW - timedelta(days=1))
    verdict = world.inspect(world.issue(pda1, ANNA.pda1, "LV:VSAA", signer=(unlisted[0], [unlisted[1]])),
                            world.issue(pid, ANNA.pid, "LV:PID"))
    assert verdict.verdict == verification.INVALID
    assert "key is not one LV:VSAA lists" in _step(verdict, "pda1", "issuer_authorised").message


@pytest.mark.parametrize("value", ["2024-01-31T00:00:00Z", "31.01.2024", "", 20240131])
def test_a_document_date_that_cannot_be_read_fails_closed(value: object) -> None:
    steps = verification._validity_steps(ehic, {**ehic.validate(ANNA.ehic), "date_of_expiry": value},
                                         NOW.date())
    assert [(s.code, s.result) for s in steps] == [("document_validity", verification.FAILED)]


def _mdoc_ehic(world: World, claims: dict[str, Any]) -> verification.CredentialResult:
    key, chain = world.pki.signers["LV:NVD"]
    uri = "https://issuer.example/LV:NVD/status/1"
    world.lists.setdefault(uri, (status_list.StatusList(1024, bits=2), key, chain))
    device = generate_key()
    doctype = mdoc.DOCTYPES["ehic"]
    issued = mdoc.issue(doctype=doctype, claims=claims, device_key=device.public_key(), issuer_key=key,
                        x5chain=chain, signed=NOW - timedelta(days=1), valid_until=NOW + timedelta(days=365),
                        status=status_list.StatusReference(3, uri))
    transcript = mdoc.openid4vp_session_transcript(client_id="x509_hash:inspectorate", nonce="n" * 20,
                                                   jwk_thumbprint=None, response_uri="https://verifier.example/r/1")
    response = mdoc.present(issued, select=["date_of_expiry", "document_number", "issuing_country"],
                            device_key=device, session_transcript=transcript)
    return verification.verify_mdoc_credential(b64url_encode(response), query_id="ehic", doctype=doctype,
                                               issuers=world.issuers(), session_transcript=transcript, now=NOW,
                                               status_lookup=world.lookup)


def test_an_mdoc_with_cbor_full_dates_is_checked_by_them_and_reported_as_iso_text(world: World) -> None:
    """ISO 18013-5 §7.2.1 full-date (tag 1004): an EHIC that expired in 2024 is not valid today."""
    result = _mdoc_ehic(world, {**ehic.validate(ANNA.ehic), "date_of_expiry": date(2024, 1, 31)})
    assert {s.code: s.result for s in result.steps}["document_validity"] == verification.FAILED
    assert result.claims["date_of_expiry"] == "2024-01-31"


def test_country_codes_are_compared_whatever_their_case(world: World) -> None:
    """The issuer upper-cases what it is given; another issuer may not: "lv" is Latvia."""
    claims = {**pda1.validate(ANNA.pda1), "issuing_country": "lv", "legislation_country": "Lv"}
    verdict = world.inspect(world.issue(pda1, claims, "LV:VSAA", validate=False), world.issue(pid, ANNA.pid, "LV:PID"))
    assert verdict.verdict == verification.VALID, verdict.reason


def test_a_pid_naming_its_authority_in_words_is_valid(world: World) -> None:
    """EUDI PID: ``issuing_authority`` is a string, not the institution object of a PDA1 or EHIC."""
    person = {**pid.validate(ANNA.pid), "issuing_authority": "Latvijas PID pakalpojums",
              "date_of_expiry": pid.provider_expiry(NOW.date()).isoformat()}
    verdict = world.inspect(world.issue(pda1, ANNA.pda1, "LV:VSAA"),
                            world.issue(pid, person, "LV:PID", validate=False))
    assert verdict.verdict == verification.VALID, verdict.reason


def test_a_pid_that_does_not_show_its_expiry_cannot_be_confirmed_valid(world: World) -> None:
    """PID Rulebook §2.4: date_of_expiry is mandatory. A PID presented without it (withheld, or not
    the Rulebook's) may have expired: the verdict says so, never "valid"."""
    person = {k: v for k, v in pid.with_provider_metadata(
        pid.validate(ANNA.pid), authority=demo_entity("LV:PID").name, country="LV",
        expiry=pid.provider_expiry(NOW.date())).items() if k != "date_of_expiry"}
    verdict = world.inspect(world.issue(pda1, ANNA.pda1, "LV:VSAA"),
                            world.issue(pid, person, "LV:PID", validate=False))
    assert verdict.verdict == verification.UNDETERMINED and verdict.reason_key == "document_validity.expiry_not_shown"


def test_an_mdoc_date_written_as_a_tdate_is_read_as_that_date(world: World) -> None:
    """ISO 18013-5 §7.2.1 allows tdate where a date is meant: an EHIC valid until 2030 is valid."""
    claims = {**ehic.validate(ANNA.ehic), "date_of_expiry": datetime(2030, 1, 31, tzinfo=UTC)}
    result = _mdoc_ehic(world, claims)
    assert {s.code: s.result for s in result.steps}["document_validity"] == verification.PASSED
    assert result.claims["date_of_expiry"] == "2030-01-31T00:00:00Z"


def test_an_mdoc_portrait_is_shown_as_an_image() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    assert verification._as_json({"picture": png})["picture"].startswith("data:image/png;base64,iVBORw0KGgo")


def test_a_revoked_signer_key_is_trusted_for_nothing_it_signed_whenever(own_world: World) -> None:
    """A compromised key (``esspass registry revoke-key``), unlike a rotated one: what it signed
    before is refused too, online and offline, since whoever holds it also chooses the iat."""
    world, pki, registry = own_world, own_world.pki, own_world.registry
    before = world.issue(pda1, ANNA.pda1, "LV:VSAA", iat=NOW - timedelta(hours=1))
    person = world.issue(pid, ANNA.pid, "LV:PID")
    assert world.inspect(before, person).verdict == verification.VALID
    kid = spki_kid(pki.signers["LV:VSAA"][1][0])
    shown = registry.revoke_key("LV:VSAA", kid, who="test", reason="signing server broken into")
    assert [c.get("revoked") for c in shown["certificates"] if c["kid"] == kid] == [True]
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)
    refused = world.inspect(before, person, now=later)
    assert refused.verdict == verification.INVALID
    assert "revoked this document signer key" in _step(refused, "pda1", "issuer_authorised").message
    key, chain = pki.signers["LV:VSAA"]
    holder = generate_key()
    raw = compact.issue_compact(vct=pda1.VCT, claims=pda1.validate(ANNA.pda1), holder=ANNA.pid,
                                holder_jwk=public_jwk(holder), issuer_key=key, kid=kid,
                                iat=int((NOW - timedelta(hours=1)).timestamp()), exp=int(later.timestamp()) + 86400,
                                status=status_list.StatusReference(7, "https://issuer.example/LV:VSAA/status/1"))
    offline = verification.verify_offline(compact.present_compact(raw, holder, now=later), issuers=world.issuers(later),
                                          trust_list_age=0, now=later, status_lookup=world.lookup)
    assert offline.verdict == verification.INVALID and "revoked" in offline.reason
    # Nor does the ETSI export, whose consumers know no "revoked", carry the certificate.
    lote = json.dumps(trust_list.to_lote(world.issuers(later), now=later))
    assert x5c_header([chain[0]])[0] not in lote and x5c_header([pki.cas["LV:VSAA"][1]])[0] in lote


def test_a_portrait_that_is_a_url_is_not_shown_to_the_inspector() -> None:
    """The verdict page would fetch it: the issuer (or anyone it names) would learn of each inspection."""
    from verifier.service import _display

    for picture, shown in (("https://tracker.example/p.png", False), ("data:image/png;base64,iVBORw0KGgo=", True)):
        result = verification.CredentialResult("pid", vct=pid.VCT, claims={"family_name": "X", "picture": picture},
                                               issuer_id="LV:PMLP")
        _, person = _display(verification.Verdict("valid", "", [], [result], 0, NOW))
        assert ("picture" in person) is shown, picture


def _verdict_page(*results: verification.CredentialResult) -> str:
    """The verdict page (verifier/templates/verdict.html) as the inspector reads it, in English."""
    from jinja2 import Environment, FileSystemLoader

    from verifier import messages
    from verifier.app import verdict_context
    from verifier.service import _display

    out, shown = _display(verification.Verdict("valid", "", [], list(results), 0, NOW))
    templates = Path(verification.__file__).parent.parent / "verifier" / "templates"
    return Environment(loader=FileSystemLoader(str(templates)), autoescape=True).get_template("verdict.html").render(
        lang="en", languages=("en",), lang_links={"en": "?lang=en"}, signed=False, t=messages.translator("en"),
        data={}, **verdict_context({**out, "person": shown}, "en", lambda doc: str(doc.get("issuer_name") or "")))


_PERSON = verification.CredentialResult("pid", vct=pid.VCT, claims={"family_name": "Bērziņa", "given_name": "Anna"},
                                        issuer_id="LV:PMLP")


def test_the_verdict_page_names_a_childs_card_as_insuring_the_child() -> None:
    """The PID's person shows the card, and the card says whom it insures when that is someone the
    holder represents."""
    child = {"forenames": "Līga", "familynames": "Bērziņa", "date_of_birth": "2019-05-02"}
    card = verification.CredentialResult("ehic", vct=ehic.VCT, claims={**ehic.validate(ANNA.ehic), "subject": child},
                                         issuer_id="LV:NVD", issuer_name="National Health Service")
    page = _verdict_page(card, _PERSON)
    assert "This card insures another person" in page and "Līga Bērziņa · 2 May 2019" in page


def test_the_verdict_page_names_every_employer_of_a_v11_a1() -> None:
    """domain.md: rulebook v1.1 lists employers (``employer[]``); verifiers read both shapes."""
    employers = [{"type": "01", "id": "LV40003", "name": "Bērziņš SIA", "country": "LV"},
                 {"type": "01", "id": "LV40004", "name": "Daugava AS", "country": "LV"}]
    a1 = verification.CredentialResult("pda1", vct=pda1.VCT, claims={**pda1.validate(ANNA.pda1),
                                                                       "employer": employers},
                                     issuer_id="LV:VSAA")
    page = _verdict_page(a1, _PERSON)
    # Each on its own line, with its registration number and state (review R1, finding 4).
    assert '<dd class="employer" id="employer">Bērziņš SIA, LV40003, Latvia</dd>' in page
    assert '<dd class="employer">Daugava AS, LV40004, Latvia</dd>' in page


@pytest.mark.parametrize(("zone", "result"), [("UTC", verification.PASSED), ("Europe/Riga", verification.FAILED)])
def test_an_a1_that_ended_yesterday_where_the_inspection_is_is_not_valid(world: World, zone: str,
                                                                        result: str) -> None:
    """domain.md "Three validity layers": at 01:30 in Riga the A1 that ended "yesterday" there is not
    valid, though it is still that day in UTC; the inspection's own time zone decides."""
    late = datetime.combine(NOW.date(), datetime.min.time(), UTC) + timedelta(hours=23, minutes=30)
    end = late.date()
    claims = {**ANNA.pda1, "starting_date": (end - timedelta(days=30)).isoformat(), "ending_date": end.isoformat(),
              "date_of_issuance": (end - timedelta(days=40)).isoformat()}
    now = late.astimezone(ZoneInfo(zone))
    issued = late - timedelta(hours=1)
    verdict = world.inspect(world.issue(pda1, claims, "LV:VSAA", iat=issued),
                            world.issue(pid, ANNA.pid, "LV:PID", iat=issued), now=now)
    assert _step(verdict, "pda1", "coverage_period").result == result


def test_an_inspectorate_judges_by_its_own_countrys_date_unless_told_otherwise(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from credentials.errors import DataError
    from verifier.settings import VerifierSettings

    assert VerifierSettings(data_dir=tmp_path, entity_id="AT:FINPOL").zone() == ZoneInfo("Europe/Vienna")
    assert VerifierSettings(data_dir=tmp_path, entity_id="AT:FINPOL", time_zone="Europe/Lisbon").zone() \
        == ZoneInfo("Europe/Lisbon")
    with pytest.raises(ValidationError, match="ESSPASS_VERIFIER_TIME_ZONE"):  # at settings load, not at start
        VerifierSettings(data_dir=tmp_path, time_zone="Mars/Olympus")
    with pytest.raises(DataError, match="TIME_ZONE"):  # zone() still says so of a zone it cannot load
        VerifierSettings.model_construct(data_dir=tmp_path, entity_id="LV:VDI", time_zone="Mars/Olympus").zone()


def _eudi_a1(legislation_state: str = "LV") -> dict[str, Any]:
    """ANNA's A1 as the EUDI reference issuer shapes it (its eu.europa.ec.eudi.pda1_sd_jwt_vc)."""
    ours = pda1.validate(ANNA.pda1)
    return {
        "credential_holder": {"family_name": "Bērziņa", "given_name": "Anna", "birth_date": "1988-04-12"},
        "social_security_pin": ours["personal_administrative_number"],
        "employment_details": [{"employment_type": "01", "name": "Būvnieks SIA", "employer_id": "LV40003000001",
                                "town": "Rīga", "country_code": "LV"}],
        "places_of_work": {"place_of_work": [{"company": "Baustelle GmbH", "town": "Berlin", "country_code": "DE"}]},
        "legislation": {"member_state": legislation_state, "starting_date": ours["starting_date"],
                        "ending_date": ours["ending_date"]},
        "status_confirmation": "01",
        "document_id": "EUDI-A1-0001",
        "competent_institution": {"institution_id": "LV:VSAA", "institution_name": "VSAA", "country_code": "LV"},
        "issuance_date": ours["date_of_issuance"],
        "expiry_date": ours["ending_date"],
        "issuing_authority": "Valsts sociālās apdrošināšanas aģentūra",
        "issuing_country": "LV",
    }


def _inspect_eudi(world: World, claims: dict[str, Any], *, withhold: tuple[Any, ...] = ()) -> verification.Verdict:
    """The inspection (profile pda1) answered with an EUDI-model A1 and a PID, as such a wallet would
    (or one leaving out the claim paths in ``withhold``); ``legislation``'s members are disclosable one by one."""
    from credentials import eudi_pda1

    nested = [("legislation", member) for member in claims.get("legislation", {})] \
        if isinstance(claims.get("legislation"), dict) else []
    a1 = world.issue(pda1, {**claims}, "LV:VSAA", validate=False, vct=eudi_pda1.VCT,
                     sd_paths=[*((name,) for name in claims), *nested])
    person = world.issue(pid, ANNA.pid, "LV:PID")
    query = profile_query("pda1")
    asked = {q["id"]: [tuple(c["path"]) for c in q["claims"] if tuple(c["path"]) not in withhold]
             for q in query["credentials"]}
    nonce, aud = secrets.token_urlsafe(16), "x509_hash:inspectorate"
    vp_token = {qid: [present(credential, select=asked[qid], holder_key=key, nonce=nonce, aud=aud,
                              iat=int(NOW.timestamp()))] for qid, (credential, key) in (("pda1_eudi", a1),
                                                                                      ("pid", person))}
    return verification.verify_response(vp_token, query=query, nonce=nonce, audience=aud, issuers=world.issuers(),
                                        trust_list_age=0, now=NOW, status_lookup=world.lookup)


def test_an_a1_in_the_eudi_reference_model_is_checked_as_ours(world: World) -> None:
    """domain.md "Identifiers": urn:eu.europa.ec.eudi:pda1:1 is accepted through an adapter, so its
    legislation, period and institution are checked by the same rules and shown to the inspector."""
    verdict = _inspect_eudi(world, _eudi_a1())
    assert verdict.verdict == verification.VALID, verdict.reason
    a1 = next(c for c in verdict.credentials if c.query_id == "pda1_eudi")
    assert a1.claims["legislation_country"] == "LV" and a1.claims["document_number"] == "EUDI-A1-0001"
    assert _step(verdict, "pda1_eudi", "coverage_period").result == verification.PASSED


def test_an_eudi_model_a1_of_another_states_legislation_is_refused(world: World) -> None:
    verdict = _inspect_eudi(world, _eudi_a1(legislation_state="DE"))
    assert verdict.verdict == verification.INVALID
    assert "legislation_country is DE" in _step(verdict, "pda1_eudi", "issuer_authorised").message


def test_an_eudi_model_a1_whose_legislation_is_not_an_object_fails_closed(world: World) -> None:
    verdict = _inspect_eudi(world, {**_eudi_a1(), "legislation": "LV"})
    assert verdict.verdict == verification.INVALID


def test_an_inspectorate_may_ask_for_the_eudi_model_what_it_may_ask_for_ours(world: World) -> None:
    """A wallet checks that the verifier may ask for every claim of the request: asking an EUDI-model
    A1 for "legislation" is asking for the legislation state and period the inspectorate may read."""
    from credentials import dcql

    verifiers = world.registry.build_list("verifiers", NOW)
    _, chain = world.pki.access["LV:VDI"]
    entity = trust_list.authorised_verifier(verifiers, chain, dcql.requested_claims(profile_query("pda1")), at=NOW)
    assert entity.id == "LV:VDI"


def test_an_eudi_model_a1_that_withholds_its_legislation_state_is_not_valid(world: World) -> None:
    """The state whose legislation applies is what an A1 is for: an answer leaving it out (here an A1
    of German legislation signed by Latvia's VSAA) is never valid, nor shown under the issuing state."""
    verdict = _inspect_eudi(world, _eudi_a1(legislation_state="DE"), withhold=(("legislation", "member_state"),))
    assert verdict.verdict != verification.VALID
    a1 = next(c for c in verdict.credentials if c.query_id == "pda1_eudi")
    assert "legislation_country" not in a1.claims


def test_the_eudi_names_are_allowed_only_when_every_claim_they_hold_is(world: World) -> None:
    """"legislation" holds the state, the period and the transitional rules: an inspectorate registered
    for the end date alone may not ask an EUDI-model A1 for it."""
    from dataclasses import replace as replaced

    from credentials import eudi_pda1

    vdi = world.registry.build_list("verifiers", NOW).entity("LV:VDI")
    assert vdi is not None
    narrow = replaced(vdi, may_request={pda1.VCT: ("ending_date", "document_number")})
    allowed = trust_list._allowed_claims(narrow, eudi_pda1.VCT)
    assert allowed is not None and "legislation" not in allowed and "document_id" in allowed


# --- what the answer holds against the DCQL query (OpenID4VP §6.4, §8.1, §8.6) --------------------------


def _answer(world: World, query: dict[str, Any], presentations: dict[str, list[tuple[tuple[str, Any], list[Any]]]],
            *, number_states: tuple[str, ...] = ()) -> verification.Verdict:
    """``query`` answered with ``presentations``: query id -> [(credential, holder key), claim paths to disclose]."""
    nonce, aud = secrets.token_urlsafe(16), "x509_hash:inspectorate"
    vp_token = {qid: [present(credential, select=paths, holder_key=key, nonce=nonce, aud=aud,
                              iat=int(NOW.timestamp())) for (credential, key), paths in answers]
                for qid, answers in presentations.items()}
    return verification.verify_response(vp_token, query=query, nonce=nonce, audience=aud, issuers=world.issuers(),
                                        trust_list_age=0, now=NOW, status_lookup=world.lookup,
                                        pid_number_states=number_states)


def _query_step(verdict: verification.Verdict) -> verification.Step:
    return next(s for s in verdict.steps if s.code == "query")


def test_every_presentation_of_a_multiple_query_is_checked_against_it(world: World) -> None:
    """OpenID4VP §6.1 ``multiple: true`` lets the answer hold several presentations for one query, and
    §8.6 checks each ("Validate that the returned Credential(s) meet all criteria defined in the
    query"; the verifier MUST NOT rely on the wallet, §6.4): a first A1 disclosing a claim nobody
    asked for is caught although the last one is as asked."""
    a1 = profile_query("pda1")["credentials"][0]
    # The A1's query without its places of work (section 5), which the first A1 then discloses unasked.
    cq = {"id": a1["id"], "format": a1["format"], "meta": a1["meta"], "multiple": True,
          "claims": [c for c in a1["claims"] if c["path"][0] not in ("work_address", "work_information")]}
    query = {"credentials": [cq]}
    asked = [tuple(c["path"]) for c in cq["claims"]]
    first, second = world.issue(pda1, ANNA.pda1, "LV:VSAA"), world.issue(pda1, ANNA.pda1, "LV:VSAA")
    beyond = _answer(world, query, {"pda1": [(first, [*asked, ("work_address",)]),
                                             (second, asked)]})
    assert len(beyond.credentials) == 2 and beyond.verdict == verification.INVALID
    step = _query_step(beyond)
    assert step.result == verification.FAILED and "work_address" in step.message, step.message
    # No PID beside them: each Latvian A1 is tied to the worker by an identity document carrying its code.
    both = _answer(world, query, {"pda1": [(first, asked), (second, asked)]}, number_states=("LV",))
    assert _query_step(both).result == verification.PASSED, _query_step(both).message
    assert both.verdict == verification.VALID, both.reason
    # Without multiple, a second presentation is refused whatever it holds.
    single = _answer(world, {"credentials": [{**cq, "multiple": False}]},
                     {"pda1": [(first, asked), (second, asked)]})
    assert _query_step(single).result == verification.FAILED


def _optional_pid_query() -> dict[str, Any]:
    """The A1 inspection, the PID (as SD-JWT VC or mdoc) asked for as optional (§6.2 ``required: false``)."""
    query = profile_query("pda1")
    query["credential_sets"][1]["required"] = False
    return query


def test_an_answer_without_optional_credentials_says_plainly_what_was_not_presented(world: World) -> None:
    """OpenID4VP §8.1: "There MUST NOT be any entry ... for optional Credential Queries when there are
    no matching Credentials": an A1 without the optional PID is a complete answer, valid, and the
    verdict names what was presented and what was not. (Its reason is to check an identity document
    showing the A1's Latvian personal code, which nothing else ties to the worker: said first, as
    for an EHIC shown alone, tests/test_verifier_api_alone.py.)"""
    query = _optional_pid_query()
    asked = [tuple(c["path"]) for c in query["credentials"][0]["claims"]]
    verdict = _answer(world, query, {"pda1": [(world.issue(pda1, ANNA.pda1, "LV:VSAA"), asked)]},
                      number_states=("LV",))
    assert verdict.verdict == verification.VALID, verdict.reason
    step = _query_step(verdict)
    assert step.result == verification.PASSED and step.key == "query.partial"
    assert "pda1" in step.message and "not presented: pid or pid_mdoc" in step.message, step.message
    assert verdict.reason_key == "holder_link.a1_no_pid" and "check an identity document" in verdict.reason


def test_an_empty_answer_to_a_request_of_optional_credentials_is_undetermined_and_says_so(world: World) -> None:
    """DCQL §6.4.2: with every credential set optional, ``vp_token`` ``{}`` is a valid answer (§8.1);
    nothing was presented, so nothing about the worker is valid: undetermined, saying why."""
    query = _optional_pid_query()
    query["credential_sets"][0]["required"] = False
    verdict = _answer(world, query, {})
    assert verdict.verdict == verification.UNDETERMINED and verdict.credentials == []
    step = _query_step(verdict)
    assert step.result == verification.NOT_RUN and step.key == "query.nothing_presented"
    assert "presents no document" in verdict.reason and "pda1 or pda1_mdoc or pda1_eudi" in verdict.reason


def _ehic_and_a1_with_pid_query() -> dict[str, Any]:
    """The EHIC required; the A1 optional, and only together with the PID ("the A1 counts only with the
    PID"): ``credential_sets`` ``[{options: [[ehic]]}, {options: [[pda1, pid]], required: false}]``."""
    queries = {q["id"]: q for q in (*profile_query("ehic")["credentials"], *profile_query("pda1")["credentials"])}
    return {"credentials": [queries["ehic"], queries["pda1"], queries["pid"]],
            "credential_sets": [{"options": [["ehic"]]}, {"options": [["pda1", "pid"]], "required": False}]}


def _asked(query: dict[str, Any], qid: str, held: dict[str, Any]) -> list[Any]:
    cq = next(q for q in query["credentials"] if q["id"] == qid)
    return [tuple(c["path"]) for c in cq["claims"] if c["path"][0] in held]


def test_a_presentation_counts_only_inside_a_credential_set_option_presented_whole(world: World) -> None:
    """OpenID4VP §6.4.2: the wallet satisfies a credential set with one whole option, and §8.6: the
    verifier MUST NOT rely on it. An A1 the request wants only together with the PID, shown without
    it, is not half an answer to be judged valid ("not presented: pda1 or pid" although the A1 was
    shown): the query step fails, naming the A1 and the PID it needed."""
    query = _ehic_and_a1_with_pid_query()
    card, a1, person = (world.issue(ehic, ANNA.ehic, ANNA.ehic_issuer), world.issue(pda1, ANNA.pda1, "LV:VSAA"),
                        world.issue(pid, ANNA.pid, "LV:PID"))
    card_paths = _asked(query, "ehic", ehic.validate(ANNA.ehic))
    a1_paths = _asked(query, "pda1", pda1.validate(ANNA.pda1))
    pid_paths = [p for p in _asked(query, "pid", pid.validate(ANNA.pid)) if p[0] != "picture"]
    half = _answer(world, query, {"ehic": [(card, card_paths)], "pda1": [(a1, a1_paths)]})
    step = _query_step(half)
    assert half.verdict == verification.INVALID and step.result == verification.FAILED, (half.verdict, step)
    assert "pda1" in step.message and "pid" in step.message and "not presented" not in step.message, step.message
    # The whole option is taken; and without it, the optional set is named as not presented.
    whole = _answer(world, query, {"ehic": [(card, card_paths)], "pda1": [(a1, a1_paths)],
                                   "pid": [(person, pid_paths)]})
    assert whole.verdict == verification.VALID and _query_step(whole).key == "", whole.reason
    alone = _answer(world, query, {"ehic": [(card, card_paths)]}, number_states=("LV",))
    assert alone.verdict == verification.VALID, alone.reason
    assert "not presented: pda1 or pid" in _query_step(alone).message, _query_step(alone).message
    # The EHIC without a PID: the reason is to check an identity document (test_ehic_desk.py), before
    # the optional documents not presented.
    assert alone.reason_key == "holder_link.no_pid", alone.reason


def test_a_presentation_for_a_query_no_credential_set_asks_for_is_refused(world: World) -> None:
    """§6.2, §6.4.2: with ``credential_sets``, a credential query no set names is never asked for
    on its own, so a presentation for it is beyond the request (§8.6), and the verdict says which."""
    query = _ehic_and_a1_with_pid_query()
    query["credential_sets"] = query["credential_sets"][:1]  # pda1 and pid: in no set
    card = world.issue(ehic, ANNA.ehic, ANNA.ehic_issuer)
    a1 = world.issue(pda1, ANNA.pda1, "LV:VSAA")
    verdict = _answer(world, query, {"ehic": [(card, _asked(query, "ehic", ehic.validate(ANNA.ehic)))],
                                     "pda1": [(a1, _asked(query, "pda1", pda1.validate(ANNA.pda1)))]})
    step = _query_step(verdict)
    assert verdict.verdict == verification.INVALID and step.result == verification.FAILED
    assert "pda1" in step.message and "no credential set" in step.message, step.message


def test_an_answer_missing_required_credentials_is_invalid_even_when_empty(world: World) -> None:
    """§6.4.2: "If the Wallet cannot deliver all non-optional Credentials ... it MUST NOT return any":
    an answer without the required A1 (empty, or with only the optional PID) is invalid."""
    query = _optional_pid_query()
    person = world.issue(pid, ANNA.pid, "LV:PID")
    pid_paths = [tuple(c["path"]) for c in query["credentials"][1]["claims"] if c["path"][0] != "picture"]
    for presentations in ({}, {"pid": [(person, pid_paths)]}):
        verdict = _answer(world, query, presentations)
        assert verdict.verdict == verification.INVALID
        assert _query_step(verdict).result == verification.FAILED


def test_a_document_of_a_type_not_asked_for_is_not_a_valid_credential(world: World) -> None:
    """A presentation whose type is not the one asked for fails that credential's check: its own
    result is invalid with the failed query step, never every step passed (it used to report all
    nine steps passed and a valid credential beside the invalid overall verdict)."""
    credential, holder = world.issue(ehic, ANNA.ehic, "LV:NVD")
    presentation = present(credential, select=[("document_number",)], holder_key=holder, nonce="n" * 20,
                           aud="x509_hash:inspectorate", iat=int(NOW.timestamp()))
    result = verification.verify_credential(presentation, query_id="pda1", expected_vcts=[pda1.VCT],
                                            issuers=world.issuers(), nonce="n" * 20, audience="x509_hash:inspectorate",
                                            now=NOW, status_lookup=world.lookup)
    assert result.verdict == verification.INVALID
    assert [(s.code, s.result) for s in result.steps] == [("query", verification.FAILED)]


# --- ISO mdoc: every element may be withheld, and every one returned counts (review of the mdoc checks) ------


def _mdoc_a1_inspection(world: World, claims: dict[str, Any], *, withhold: tuple[str, ...] = (),
                        signer: str = "LV:VSAA") -> verification.Verdict:
    """The inspection profile answered with an A1 as ISO mdoc and the PID as SD-JWT VC, as a wallet
    does: the A1's elements of the first ``claim_sets`` option it can give without ``withhold``.

    The A1 is a member state issuer's whose MSO runs a year (a re-issuance cycle), whatever the
    document's own dates: the MSO's validity says nothing of them (ISO 18013-5 §9.1.2.4)."""
    key, chain = world.pki.signers[signer]
    uri = f"https://issuer.example/{signer}/status/1"
    world.lists.setdefault(uri, (status_list.StatusList(1024, bits=2), key, chain))
    device = generate_key()
    elements = {k: date.fromisoformat(v) if k.startswith(("date_", "starting_", "ending_")) else v
                for k, v in claims.items()}  # CBOR full-dates (tag 1004), as an mdoc issuer writes them
    issued = mdoc.issue(doctype=mdoc.DOCTYPES["pda1"], claims=elements, device_key=device.public_key(),
                        issuer_key=key, x5chain=chain, signed=NOW - timedelta(hours=1),
                        valid_until=NOW + timedelta(days=365), status=status_list.StatusReference(3, uri))
    query = profile_query("pda1")
    asked = next(q for q in query["credentials"] if q["id"] == "pda1_mdoc")
    by_id = {c["id"]: c["path"][1] for c in asked["claims"]}
    options = asked.get("claim_sets") or [list(by_id)]
    given = next([by_id[i] for i in option] for option in options
                 if all(by_id[i] in elements and by_id[i] not in withhold for i in option))
    nonce, aud = secrets.token_urlsafe(16), "x509_hash:inspectorate"
    transcript = mdoc.openid4vp_session_transcript(client_id=aud, nonce=nonce, jwk_thumbprint=None,
                                                   response_uri="https://verifier.example/responses/1")
    a1 = b64url_encode(mdoc.present(issued, select=given, device_key=device, session_transcript=transcript))
    person, holder = world.issue(pid, ANNA.pid, "LV:PID")
    held = unverified_claims(person)
    pid_paths = [tuple(c["path"]) for c in next(q for q in query["credentials"] if q["id"] == "pid")["claims"]
                 if c["path"][0] in held]
    shown = present(person, select=pid_paths, holder_key=holder, nonce=nonce, aud=aud, iat=int(NOW.timestamp()))
    return verification.verify_response({"pda1_mdoc": [a1], "pid": [shown]}, query=query, nonce=nonce, audience=aud,
                                        issuers=world.issuers(), trust_list_age=0, now=NOW,
                                        status_lookup=world.lookup, session_transcript=transcript)


def _a1_dated(*, expiry: int | None, ending: int = 60) -> dict[str, Any]:
    """Anna's A1, its period from 60 days ago to ``ending`` days from now, expiring ``expiry`` days from now.

    The expiry is added after our model's rules: an expiry inside the period is refused by our issuer
    (pda1.expiry_before_end), but another state's issuer may write one, and the verifier judges it."""
    dates = {"starting_date": NOW.date() - timedelta(days=60), "ending_date": NOW.date() + timedelta(days=ending),
             "date_of_issuance": NOW.date() - timedelta(days=90)}
    claims = pda1.validate({**ANNA.pda1, **{k: v.isoformat() for k, v in dates.items()}})
    if expiry is not None:
        claims["date_of_expiry"] = (NOW.date() + timedelta(days=expiry)).isoformat()
    return claims


def test_an_a1_as_mdoc_within_its_dates_is_valid(world: World) -> None:
    verdict = _mdoc_a1_inspection(world, _a1_dated(expiry=60))
    assert verdict.verdict == verification.VALID, verdict.reason
    assert _step(verdict, "pda1_mdoc", "document_validity").result == verification.PASSED


def test_an_expired_a1_as_mdoc_is_not_valid_though_its_mso_runs_on(world: World) -> None:
    """domain.md "Three validity layers": the document's own dates are the second layer. As SD-JWT VC
    they are always in the clear; the mdoc query asks for them, so an expired A1 is seen to be one."""
    verdict = _mdoc_a1_inspection(world, _a1_dated(expiry=-10))
    assert verdict.verdict == verification.INVALID
    step = _step(verdict, "pda1_mdoc", "document_validity")
    assert step.result == verification.FAILED and "expired" in step.message


def test_an_a1_as_mdoc_that_withholds_its_expiry_date_is_not_confirmed_valid(world: World) -> None:
    """Every mdoc element may be left out (ISO 18013-5 §8.3.2.1.2.2): an A1 shown without its expiry
    date (withheld, or it has none) may have expired, so the verdict says so, never "valid"."""
    for claims in (_a1_dated(expiry=-10), _a1_dated(expiry=None)):
        verdict = _mdoc_a1_inspection(world, claims, withhold=("date_of_expiry",))
        assert verdict.verdict == verification.UNDETERMINED, verdict.reason
        assert verdict.reason_key == "document_validity.document_expiry_not_shown"


@pytest.mark.parametrize(("shown", "result"), [
    ({"date_of_expiry": "2030-01-31"}, verification.PASSED),
    ({}, verification.NOT_RUN),  # a card's expiry withheld
    ({"starting_date": "2026-01-01", "ending_date": "2099-12-31"}, verification.PASSED),  # a PRC's own period
])
def test_an_ehic_as_mdoc_is_judged_by_the_end_date_it_shows(shown: dict[str, str], result: str) -> None:
    """Decision S2: a card ends on its expiry date, a Provisional Replacement Certificate with its own
    period (checked as coverage_period); as mdoc one of them must be shown."""
    claims = {k: v for k, v in ehic.validate(ANNA.ehic).items() if k != "date_of_expiry"}
    steps = verification._validity_steps(ehic, {**claims, **shown}, date(2027, 1, 1), every_claim_withholdable=True)
    assert steps[0].code == "document_validity" and steps[0].result == result
    # As SD-JWT VC the dates are never selectively disclosable: one not there is one the document lacks.
    assert verification._validity_steps(ehic, claims, date(2027, 1, 1))[0].result == verification.PASSED


def test_the_mdoc_queries_ask_for_what_the_sd_jwt_vc_shows_in_the_clear() -> None:
    """domain.md "Common block": issuing_authority and the document's dates are never selectively
    disclosable in the SD-JWT VC; as mdoc each is asked for, in every option of the A1's and the
    EHIC's query, the A1's expiry date in the options a wallet tries first (OpenID4VP §6.4.1)."""
    for profile in ("pda1", "ehic"):
        query = next(q for q in profile_query(profile)["credentials"] if q["id"] == f"{profile}_mdoc")
        names = {c["id"]: c["path"][1] for c in query["claims"]}
        options = [{names[i] for i in option} for option in query["claim_sets"]]
        assert all({"issuing_authority", "date_of_issuance"} <= option for option in options), profile
        with_expiry = ["date_of_expiry" in option for option in options]
        if profile == "pda1":
            # Those without last: an A1 need not have one (then not confirmed). Each of the two with a place of
            # work in either shape (v1 work_address, v1.1 work_information) or none (verifier/service.py).
            # Each tried with both section-2 boxes, one, then neither (an A1 need not carry them). Each of those
            # with section 1's names (never selectively disclosable in the SD-JWT VC) first, then without (an A1
            # signed before it named its holder).
            assert with_expiry == [True] * 24 + [False] * 24
            named = [{"family_name", "given_name", "birth_date"} <= option for option in options]
            assert named == ([True] * 12 + [False] * 12) * 2
        else:
            assert all(o & {"date_of_expiry", "ending_date"} for o in options)  # a card's, or a PRC's period


def test_an_a1_as_mdoc_naming_another_institution_as_its_issuer_is_refused(world: World) -> None:
    """The competence rule (issuing_authority.id is the signer) runs on the mdoc too, now that it is asked."""
    other = {**ANNA.pda1["issuing_authority"], "id": "LV:NVD"}
    verdict = _mdoc_a1_inspection(world, {**_a1_dated(expiry=60), "issuing_authority": other})
    assert verdict.verdict == verification.INVALID
    assert "names LV:NVD as its issuer" in _step(verdict, "pda1_mdoc", "issuer_authorised").message


def test_the_demo_inspectorates_may_ask_the_mdoc_documents_for_their_issuer_and_dates(world: World) -> None:
    """A wallet refuses a request asking for more than the verifier is registered for (trust list)."""
    from credentials import dcql

    verifiers = world.registry.build_list("verifiers", NOW)
    for entity_id, profiles in (("LV:VDI", ("pda1", "ehic")), ("AT:FINPOL", ("pda1",))):
        chain = world.pki.access[entity_id][1]
        for profile in profiles:
            requested = dcql.requested_claims(profile_query(profile))
            vct = pda1.VCT if profile == "pda1" else ehic.VCT
            assert {"issuing_authority", "date_of_issuance", "date_of_expiry"} <= set(requested[vct])
            assert trust_list.authorised_verifier(verifiers, chain, requested, at=NOW).id == entity_id


def _item(digest_id: int, identifier: str, value: Any) -> bytes:
    """An IssuerSignedItemBytes (ISO 18013-5 §8.3.2.1.2.2) with a fresh random."""
    import os

    import cbor2

    return b"\xd8\x18" + cbor2.dumps(cbor2.dumps({"random": os.urandom(16), "digestID": digest_id,
                                                  "elementValue": value, "elementIdentifier": identifier},
                                                 canonical=True))


def _mdoc_with_namespaces(world: World, namespaces: dict[str, list[bytes]], transcript: bytes) -> str:
    """A DeviceResponse for an EHIC of LV:NVD whose MSO signs every item of ``namespaces`` (§9.1.2.4)."""
    import hashlib

    import cbor2

    from credentials import cose

    key, chain = world.pki.signers["LV:NVD"]
    uri = "https://issuer.example/LV:NVD/status/1"
    world.lists.setdefault(uri, (status_list.StatusList(1024, bits=2), key, chain))
    doctype, device = mdoc.DOCTYPES["ehic"], generate_key()
    mso = {"version": "1.0", "digestAlgorithm": "SHA-256", "docType": doctype,
           "valueDigests": {ns: {i: hashlib.sha256(b).digest() for i, b in enumerate(items)}
                            for ns, items in namespaces.items()},
           "deviceKeyInfo": {"deviceKey": cose.cose_key(device.public_key())},
           "validityInfo": {"signed": NOW - timedelta(hours=1), "validFrom": NOW - timedelta(hours=1),
                            "validUntil": NOW + timedelta(days=300)},
           "status": status_list.StatusReference(3, uri).to_claim()}
    payload = b"\xd8\x18" + cbor2.dumps(cbor2.dumps(mso, canonical=True, datetime_as_timestamp=False))
    auth = cose.sign1(payload, key, tagged=False,
                      x5chain=[c.public_bytes(serialization.Encoding.DER) for c in chain])
    signed = mdoc._tagged({})
    signature = cose.sign1(mdoc._device_authentication(transcript, doctype, signed), device, tagged=False,
                           detached=True)
    items = {ns: [mdoc._Encoded(b) for b in encoded] for ns, encoded in namespaces.items()}  # as signed, byte for byte
    document = {"docType": doctype,
                "issuerSigned": {"nameSpaces": items, "issuerAuth": mdoc._Encoded(auth)},
                "deviceSigned": {"nameSpaces": signed, "deviceAuth": {"deviceSignature": mdoc._Encoded(signature)}}}
    return b64url_encode(cbor2.dumps({"version": "1.0", "documents": [document], "status": 0},
                                     default=mdoc._write_encoded))


def test_elements_of_another_namespace_count_as_disclosed(world: World) -> None:
    """OpenID4VP §8.6, DCQL claims paths [namespace, element] (§7.2): the answer holds what was asked for
    and nothing more. An element of another namespace the issuer signed (ISO 18013-5's own, a national
    extension) is disclosed as much as one of the doctype's: an answer adding some is refused."""
    doctype, extra = mdoc.DOCTYPES["ehic"], "org.iso.18013.5.1"
    claims = ehic.validate(ANNA.ehic)
    own = {n: claims[n] for n in ("date_of_expiry", "document_number", "issuing_country",
                                  "personal_administrative_number")}
    query = {"credentials": [{"id": "ehic_mdoc", "format": "mso_mdoc", "meta": {"doctype_value": doctype},
                              "claims": [{"path": [doctype, n]} for n in own]}]}
    aud, nonce = "x509_hash:inspectorate", secrets.token_urlsafe(16)
    transcript = mdoc.openid4vp_session_transcript(client_id=aud, nonce=nonce, jwk_thumbprint=None,
                                                   response_uri="https://verifier.example/responses/1")
    asked = [_item(i, n, v) for i, (n, v) in enumerate(own.items())]
    for namespaces, verdict_wanted in (
            ({doctype: asked}, verification.VALID),
            ({doctype: asked, extra: [_item(0, "family_name", "Bērziņa"), _item(1, "resident_address", "Rīga")]},
             verification.INVALID)):
        answer = _mdoc_with_namespaces(world, namespaces, transcript)
        verdict = verification.verify_response({"ehic_mdoc": [answer]}, query=query, nonce=nonce, audience=aud,
                                               issuers=world.issuers(), trust_list_age=0, now=NOW,
                                               status_lookup=world.lookup, session_transcript=transcript,
                                               pid_number_states=("LV",))
        assert verdict.verdict == verdict_wanted, verdict.reason
    assert verdict.steps[0].code == "query" and verdict.steps[0].result == verification.FAILED
    assert f"{extra}.family_name" in verdict.steps[0].message
    assert (extra, "resident_address") in verdict.credentials[0].disclosed
