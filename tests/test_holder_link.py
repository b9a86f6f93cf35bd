"""The ``holder_link`` step: the A1 (or EHIC) and the PID presented together are the same person's
(credentials/holder_link.py; shared/domain.md: the A1 and the EHIC carry only the personal number,
the name and birth date come "from the PID"; PID Rulebook §2.3 ``personal_administrative_number``).

Pure level first, with real signed credentials and a registry seeded with the demo PKI (as
tests/test_verification.py builds them); last, the whole inspection over the real services.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from credentials import dcql, ehic, eudi_pda1, holder_link, i18n, mdoc, pda1, pid, sd_jwt_vc, status_list, trust_list
from credentials import verification as v
from credentials.dcql import types_of
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import ClaimError
from credentials.institutions import DEMO_ENTITIES, demo_entity
from credentials.jose import PrivateKey, b64url_encode, generate_key, public_jwk
from credentials.pki import DemoPki, create_demo_pki
from credentials.sd_jwt import present, unverified_claims
from esspass.db import make_engine
from esspass.stack import Clerk, Inspector, InspectorAuth, open_wallet, start_in_process, unnumbered, wallet_holding
from trust_registry.seed import seed
from trust_registry.store import Registry
from verifier.messages import reason_text
from verifier.service import _display, profile_query
from verifier.settings import VerifierSettings
from wallet.messages import t as wallet_t
from wallet.service import standing_words

ANNA, JAN, LENA = DEMO_PERSONS
NOW = datetime.now(UTC).replace(microsecond=0)
AUD = "x509_hash:inspectorate"
RESPONSE_URI = "https://verifier.example/responses/1"
#: Another Latvian worker's A1: VSAA's, with a personal number that is not Anna's.
OTHER_LV_NUMBER = "DEMO-010190-20002"
Credential = tuple[str, PrivateKey]


@dataclass
class World:
    pki: DemoPki
    registry: Registry
    lists: dict[str, tuple[status_list.StatusList, Any, Any]]

    def issuers(self) -> trust_list.TrustList:
        return self.registry.build_list("issuers", NOW)

    def _status(self, entity_id: str, key: Any, chain: Any) -> status_list.StatusReference:
        uri = f"https://issuer.example/{entity_id}/status/1"
        self.lists.setdefault(uri, (status_list.StatusList(1024, bits=2), key, chain))
        return status_list.StatusReference(7, uri)

    def issue(self, module: Any, claims: dict[str, Any], entity_id: str, *, signer: Any = None,
              vct: str | None = None, sd_paths: Any = None, named: Mapping[str, Any] | None = None,
              signed: datetime | None = None) -> Credential:
        """An SD-JWT VC of ``module`` (validated as the issuer does, but for an EUDI-model A1), naming the
        holder ``named`` (an A1's section 1, a card's fields 3-5: a PID's claims) as the issuer signs
        them from its case, signed at ``signed`` (a minute ago)."""
        key, chain = signer or self.pki.signers[entity_id]
        holder = generate_key()
        if module is pid:
            claims = pid.with_provider_metadata(claims, authority=demo_entity(entity_id).name,
                                                country=entity_id[:2], expiry=pid.provider_expiry(NOW.date()))
        if not vct:
            claims = module.validate(claims)
        if named is not None:
            claims = module.with_holder(claims, named)
        issued = int((signed or NOW - timedelta(minutes=1)).timestamp())
        credential = sd_jwt_vc.issue_vc(vct=vct or module.VCT, claims=claims,
                                        sd_paths=module.SD_PATHS if sd_paths is None else sd_paths,
                                        holder_jwk=public_jwk(holder), issuer_key=key, x5c=chain,
                                        iss=f"https://issuer.example/{entity_id}", iat=issued, nbf=None,
                                        exp=issued + 365 * 86400, status=self._status(entity_id, key, chain))
        return credential, holder

    def issue_mdoc_pid(self, claims: dict[str, Any], entity_id: str) -> tuple[bytes, PrivateKey]:
        """Our provider's PID as ISO mdoc, with the PID Rulebook's element names (§3.1.1)."""
        key, chain = self.pki.signers[entity_id]
        device = generate_key()
        validated = pid.validate(pid.with_provider_metadata(claims, authority=demo_entity(entity_id).name,
                                                            country=entity_id[:2],
                                                            expiry=pid.provider_expiry(NOW.date())))
        issued = mdoc.issue(doctype=mdoc.DOCTYPES["pid"], claims=pid.to_mdoc(validated),
                            device_key=device.public_key(), issuer_key=key, x5chain=chain,
                            signed=NOW - timedelta(minutes=1), valid_until=NOW + timedelta(days=365),
                            status=self._status(entity_id, key, chain))
        return issued, device

    def issue_mdoc_a1(self, claims: dict[str, Any], entity_id: str,
                      named: Mapping[str, Any] | None = None) -> tuple[bytes, PrivateKey]:
        """An A1 as ISO mdoc, as the issuer signs it: section 1 from ``named``, its end as its expiry."""
        key, chain = self.pki.signers[entity_id]
        device = generate_key()
        validated = pda1.with_holder(pda1.validate(claims), named)
        validated.setdefault("date_of_expiry", validated["ending_date"])
        issued = mdoc.issue(doctype=mdoc.DOCTYPES["pda1"], claims=validated, device_key=device.public_key(),
                            issuer_key=key, x5chain=chain, signed=NOW - timedelta(minutes=1),
                            valid_until=NOW + timedelta(days=365), status=self._status(entity_id, key, chain))
        return issued, device

    def lookup(self, ref: status_list.StatusReference, entity: trust_list.ListedEntity,
               now: datetime) -> v.StatusOutcome:
        lst, key, chain = self.lists[ref.uri]
        token = status_list.sign_token(lst, uri=ref.uri, key=key, x5c=chain, iat=int(now.timestamp()) - 5,
                                       exp=int(now.timestamp()) + 3600, ttl=300)
        verified = status_list.verify_token(token, uri=ref.uri, anchors=entity.anchors(), now=now)
        return v.StatusOutcome(status_list.status_of(verified, ref), 5, "network")

    def inspect(self, profile: str, answers: dict[str, Credential],
                mdoc_answers: dict[str, tuple[bytes, PrivateKey]] | None = None, *,
                query: dict[str, Any] | None = None, withhold: Collection[str] = (),
                number_states: Collection[str] = ()) -> v.Verdict:
        """The inspection ``profile`` (or ``query``) answered as a wallet would: each SD-JWT VC discloses
        every claim asked of it that it holds; each mdoc the elements asked of it; but none of the
        PID's ``withhold`` claims (mdoc element names), as a wallet picking a claim set without them may.
        ``number_states``: the verifier's policy (:func:`credentials.holder_link.link`)."""
        query = query or profile_query(profile)
        by_id = {q["id"]: q for q in query["credentials"]}
        nonce = secrets.token_urlsafe(16)
        transcript = mdoc.openid4vp_session_transcript(client_id=AUD, nonce=nonce, jwk_thumbprint=None,
                                                       response_uri=RESPONSE_URI)
        vp_token: dict[str, list[str]] = {}
        for qid, (credential, key) in answers.items():
            held = unverified_claims(credential)
            withheld = withhold if pid.is_pid_type(types_of(by_id[qid])[0]) else ()
            paths = [tuple(c["path"]) for c in by_id[qid]["claims"]
                     if c["path"][0] in held and c["path"][0] not in withheld]
            vp_token[_answering(qid, paths, by_id)] = [present(credential, select=paths, holder_key=key, nonce=nonce,
                                                               aud=AUD, iat=int(NOW.timestamp()))]
        for qid, (issued, device) in (mdoc_answers or {}).items():
            withheld = withhold if by_id[qid]["meta"]["doctype_value"] == mdoc.DOCTYPES["pid"] else ()
            elements = [c["path"][1] for c in by_id[qid]["claims"]  # those it holds are presented
                        if c["path"][1] not in withheld]
            doctype = by_id[qid]["meta"]["doctype_value"]
            held_elements = {i.identifier for i in mdoc._decode_issuer_signed(issued).items if i.namespace == doctype}
            answering = _answering(qid, [(doctype, e) for e in elements if e in held_elements], by_id)
            elements = [c["path"][1] for c in by_id[answering]["claims"] if c["path"][1] not in withheld]
            vp_token[answering] = [b64url_encode(mdoc.present(
                issued, select=elements, device_key=device, session_transcript=transcript))]
        return v.verify_response(vp_token, query=query, nonce=nonce, audience=AUD, issuers=self.issuers(),
                                 trust_list_age=0, now=NOW, status_lookup=self.lookup,
                                 session_transcript=transcript, pid_number_states=number_states)


def _answering(qid: str, paths: Collection[tuple[Any, ...]], by_id: Mapping[str, Any]) -> str:
    """The query a wallet answers with a PID showing ``paths``: the inspection's ``pid`` (``pid_mdoc``)
    asks the personal number in every claim set, so a PID not showing it answers ``pid_unnumbered``
    (OpenID4VP §6.4.2: the next option of the credential set), when the query has one."""
    fallback = qid.replace("pid", "pid_unnumbered", 1)
    if not qid.startswith("pid") or fallback not in by_id:
        return qid
    return qid if "personal_administrative_number" in {p[-1] for p in paths} else fallback


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    directory = tmp_path_factory.mktemp("holder-link")
    pki = create_demo_pki(directory / "pki", DEMO_ENTITIES, now=NOW - timedelta(days=2))
    engine = make_engine(f"sqlite:///{directory / 'registry.db'}")
    registry = Registry(engine)
    seed(registry, pki)
    yield World(pki, registry, {})
    engine.dispose()


def _link(verdict: v.Verdict) -> v.Step:
    [step] = [s for s in verdict.steps if s.code == "holder_link"]
    return step


def _no_personal_data(step: v.Step, *numbers: str) -> None:
    for number in numbers:
        assert number not in step.message
        assert number.casefold() not in step.message.casefold()


# --- the queries and the registry ---------------------------------------------------------------------


def test_the_inspections_ask_the_documents_number_and_the_pids_number_with_a_query_for_a_pid_without_one() -> None:
    """The document's number is asked of every form of it; the PID's number in every claim set of the
    ``pid`` query (the link needs it: a wallet may leave out only what is not in every set, §6.4.1),
    its issuing country in the sets tried first; a PID without a number answers ``pid_unnumbered``, a
    later option of the same credential set (§6.4.2), which asks neither."""
    for profile in ("pda1", "ehic"):
        query = dcql.validate(profile_query(profile))
        by_id = {q["id"]: q for q in query["credentials"]}
        doc = by_id[profile]
        number = next(c["id"] for c in doc["claims"] if c["path"] == ["personal_administrative_number"])
        assert all(number in option for option in doc.get("claim_sets", [[number]]))
        twin = by_id[f"{profile}_mdoc"]
        assert [mdoc.DOCTYPES[profile], "personal_administrative_number"] in [c["path"] for c in twin["claims"]]
        for qid, doctype in (("pid", None), ("pid_mdoc", mdoc.DOCTYPES["pid"])):
            cq = by_id[qid]
            ids = {tuple(c["path"][1:] if doctype else c["path"]): c["id"] for c in cq["claims"]}
            pan, country = ids[("personal_administrative_number",)], ids[("issuing_country",)]
            sets = cq["claim_sets"]
            assert all(pan in option for option in sets)
            with_country = [country in option for option in sets]
            assert with_country == sorted(with_country, reverse=True) and True in with_country and False in with_country
            fallback = by_id[qid.replace("pid", "pid_unnumbered", 1)]
            assert not {tuple(c["path"][-1:]) for c in fallback["claims"]} & {
                ("personal_administrative_number",), ("issuing_country",)}
        assert query["credential_sets"][1]["options"] == [["pid"], ["pid_mdoc"], ["pid_unnumbered"],
                                                          ["pid_unnumbered_mdoc"]]
    eudi = {q["id"]: q for q in profile_query("pda1")["credentials"]}["pda1_eudi"]
    assert ["social_security_pin"] in [c["path"] for c in eudi["claims"]]


def test_the_demo_inspectorates_may_ask_for_what_the_holder_link_needs(world: World) -> None:
    """Wallets refuse a request asking for more than the verifier is registered for (trust list)."""
    verifiers = world.registry.build_list("verifiers", NOW)
    for entity_id, profiles in (("LV:VDI", ("pda1", "ehic")), ("AT:FINPOL", ("pda1",))):
        chain = world.pki.access[entity_id][1]
        for profile in profiles:
            requested = dcql.requested_claims(profile_query(profile))
            assert {"personal_administrative_number", "issuing_country"} <= set(requested[pid.VCT])
            assert trust_list.authorised_verifier(verifiers, chain, requested, at=NOW).id == entity_id


def test_seeding_a_registry_of_the_previous_release_adds_what_the_holder_link_asks(world: World,
                                                                                   tmp_path: Path) -> None:
    """A pilot data directory whose demo inspectorates were registered before the holder link: seeding
    again widens each to the PID's number and issuing country (trust_registry/seed.py), so that wallets
    do not refuse the new inspections."""
    linked = ("personal_administrative_number", "issuing_country")
    older = tuple(replace(e, may_request={vct: tuple(c for c in claims if vct != pid.VCT or c not in linked)
                                          for vct, claims in e.may_request.items()}) for e in DEMO_ENTITIES)
    engine = make_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    try:
        registry = Registry(engine)
        seed(registry, world.pki, older)
        before = registry.build_list("verifiers", NOW).entity("LV:VDI")
        assert before is not None and not set(linked) & set(before.may_request[pid.VCT])
        seed(registry, world.pki)
        verifiers = registry.build_list("verifiers", NOW)
        for entity_id in ("LV:VDI", "AT:FINPOL"):
            listed = verifiers.entity(entity_id)
            assert listed is not None and set(linked) <= set(listed.may_request[pid.VCT])
            chain = world.pki.access[entity_id][1]
            assert trust_list.authorised_verifier(verifiers, chain, dcql.requested_claims(profile_query("pda1")),
                                                  at=NOW).id == entity_id
    finally:
        engine.dispose()


def test_the_demo_pids_carry_the_personal_number_where_their_country_has_one_for_both() -> None:
    assert ANNA.pid["personal_administrative_number"] == ANNA.pda1["personal_administrative_number"] \
        == ANNA.ehic["personal_administrative_number"]
    assert JAN.pid["personal_administrative_number"] == JAN.pda1["personal_administrative_number"]
    assert "personal_administrative_number" not in LENA.pid  # Germany has no national personal number
    for person in (ANNA, JAN):
        assert pid.validate(person.pid)["personal_administrative_number"] == person.pid[
            "personal_administrative_number"]
    assert ("personal_administrative_number",) in pid.SD_PATHS  # selectively disclosable, as every person claim
    assert pid.MDOC_ELEMENTS["personal_administrative_number"] == "personal_administrative_number"


# --- the rules, one test each -------------------------------------------------------------------------


def test_the_same_number_passes(world: World) -> None:
    verdict = world.inspect("pda1", {"pda1": world.issue(pda1, ANNA.pda1, "LV:VSAA"),
                                     "pid": world.issue(pid, ANNA.pid, "LV:PID")})
    assert verdict.verdict == v.VALID, verdict.reason
    step = _link(verdict)
    assert (step.result, step.reason_key) == (v.PASSED, "holder_link.passed")
    assert step.message == "The A1 and the PID carry the same personal number."
    _no_personal_data(step, ANNA.pda1["personal_administrative_number"])


@pytest.mark.parametrize("written", ["demo 120488 10001", "DEMO120488-10001", "demo-120488.10001",
                                     "DEMO/120488/10001", "ＤＥＭＯ－１２０４８８－１０００１"])
def test_numbers_differing_only_by_spaces_hyphens_dots_slashes_or_case_pass(world: World, written: str) -> None:
    """Normalised before they are compared (Unicode NFKC, case folded, separators removed): one number
    written by two systems in two ways is one number."""
    verdict = world.inspect("pda1", {"pda1": world.issue(pda1, ANNA.pda1, "LV:VSAA"),
                                     "pid": world.issue(pid, {**ANNA.pid, "personal_administrative_number": written},
                                                        "LV:PID")})
    assert verdict.verdict == v.VALID, verdict.reason
    assert _link(verdict).result == v.PASSED


def test_different_numbers_are_not_the_same_persons_documents_and_the_verdict_is_invalid(world: World) -> None:
    """Person B's A1 (an offer code passed on) with its holder's own PID: both genuine, not one person's."""
    a1 = world.issue(pda1, {**ANNA.pda1, "personal_administrative_number": OTHER_LV_NUMBER}, "LV:VSAA")
    verdict = world.inspect("pda1", {"pda1": a1, "pid": world.issue(pid, ANNA.pid, "LV:PID")})
    assert verdict.verdict == v.INVALID
    step = _link(verdict)
    assert (step.result, step.reason_key) == (v.FAILED, "holder_link.mismatch")
    assert verdict.reason_key == "holder_link.mismatch" and verdict.reason == step.message
    assert "not the same person" in step.message
    _no_personal_data(step, OTHER_LV_NUMBER, ANNA.pid["personal_administrative_number"])
    # Every credential on its own is genuine and valid: only the pair is not.
    assert all(c.verdict == v.VALID for c in verdict.credentials)
    for lang in ("en", "lv", "de", "fr", "pl"):
        text = reason_text(verdict.to_json(), lang)
        # The reason in the page's language: the English words of the key, a translation of each other.
        assert text and (text != step.message or lang == "en"), lang


def test_an_a1_beside_a_pid_of_another_country_is_tied_by_the_holders_names_it_carries(world: World) -> None:
    """A Polish PESEL and a Latvian personal code are numbers of two systems: never compared. The A1's
    section 1 names its holder (credentials/pda1.py with_holder): Anna's A1 beside a Polish PID of hers
    is hers by her surname, given names and date of birth."""
    a1 = world.issue(pda1, ANNA.pda1, "LV:VSAA", named=ANNA.pid)
    verdict = world.inspect("pda1", {"pda1": a1, "pid": world.issue(pid, ANNA.pid, "PL:PID")})
    assert verdict.verdict == v.VALID, verdict.reason
    step = _link(verdict)
    assert (step.result, step.reason_key) == (v.PASSED, "holder_link.a1_same_name")
    assert step.message == "The A1 names the person of the PID: the same surname, given names and date of birth."
    _no_personal_data(step, ANNA.pid["family_name"], ANNA.pid["birthdate"])


def test_another_workers_a1_beside_a_pid_of_another_country_is_not_valid(world: World) -> None:
    """QA finding F1: Anna's A1 (an offer code passed on) in Jan's wallet, beside his Polish PID. No
    number ties them, and before the A1 named its holder only the wallet did: "valid" under Jan's name
    and photo. Its section 1 names Anna: not the person shown."""
    a1 = world.issue(pda1, ANNA.pda1, "LV:VSAA", named=ANNA.pid)
    verdict = world.inspect("pda1", {"pda1": a1, "pid": world.issue(pid, JAN.pid, "PL:PID")})
    assert verdict.verdict == v.INVALID, verdict.reason
    step = _link(verdict)
    assert (step.result, step.reason_key) == (v.FAILED, "holder_link.a1_name_mismatch")
    assert verdict.reason_key == "holder_link.a1_name_mismatch"
    assert "not the A1 of the person shown" in step.message
    _no_personal_data(step, ANNA.pid["family_name"], JAN.pid["family_name"])
    for lang in ("lv", "de", "fr", "pl"):
        assert reason_text(verdict.to_json(), lang) not in ("", step.message), lang


def test_a_german_a1_beside_a_german_pid_without_a_number_is_tied_by_the_names(world: World) -> None:
    """Lena's German PID carries no personal number (Germany has none): her A1 is hers by its names;
    another German worker's A1 beside her PID is not (F1)."""
    mine = world.inspect("pda1", {"pda1": world.issue(pda1, LENA.pda1, "DE:DRV", named=LENA.pid),
                                  "pid": world.issue(pid, LENA.pid, "DE:PID")})
    assert mine.verdict == v.VALID, mine.reason
    assert _link(mine).reason_key == "holder_link.a1_same_name"
    colleague = {**LENA.pid, "given_name": "Greta", "birthdate": "1979-02-11"}
    theirs = world.inspect("pda1", {"pda1": world.issue(pda1, LENA.pda1, "DE:DRV", named=colleague),
                                    "pid": world.issue(pid, LENA.pid, "DE:PID")})
    assert theirs.verdict == v.INVALID and _link(theirs).reason_key == "holder_link.a1_name_mismatch"


@pytest.mark.parametrize(("on_the_a1", "on_the_pid"), [
    ("Schaefer", "Schäfer"), ("Mueller", "Müller"), ("Aasen", "Åsen"), ("Soerensen", "Sørensen"),
    ("Schafer", "Schäfer"), ("SCHÄFER", "schaefer")])
def test_a_name_written_as_travel_documents_transliterate_it_is_the_same_name(on_the_a1: str,
                                                                               on_the_pid: str) -> None:
    """QA of F1: a register without umlauts writes "Schaefer" for "Schäfer" (ICAO Doc 9303 Part 3 §6:
    Ä AE, Ö OE, Ü UE, Å AA, Ø OE): the same worker, never "names another person" (NOT VALID) at an
    inspection where the A1's names are all that tie it to the PID."""
    person = {**LENA.pid, "family_name": on_the_pid}
    a1 = {**pda1.with_holder(pda1.validate(LENA.pda1), {**LENA.holder, "family_name": on_the_a1})}
    assert holder_link.same_names(pda1.holder_of(a1), person) is True
    assert holder_link.link(pda1.VCT, a1, person).outcome == holder_link.SAME_NAME


def test_another_surname_is_still_another_persons_after_transliteration() -> None:
    """Folding the transliterations keeps names that differ in any other letter apart."""
    a1 = pda1.with_holder(pda1.validate(LENA.pda1), {**LENA.holder, "family_name": "Schneider"})
    assert holder_link.link(pda1.VCT, a1, LENA.pid).outcome == holder_link.NAME_MISMATCH
    assert holder_link.normalise_name("Schäfer") != holder_link.normalise_name("Schiefer")


def test_an_a1_signed_from_the_cutover_without_names_is_undetermined_where_no_number_ties_it(
        world: World) -> None:
    """An A1 signed from :data:`credentials.pda1.HOLDER_SIGNED_FROM` that shows no names (another issuer
    made them selectively disclosable and the wallet left them out, or never signed them) beside a PID
    no number ties it to: it cannot be told whose it is, so undetermined, never valid."""
    verdict = world.inspect("pda1", {"pda1": world.issue(pda1, LENA.pda1, "DE:DRV"),
                                     "pid": world.issue(pid, LENA.pid, "DE:PID")})
    assert verdict.verdict == v.UNDETERMINED, verdict.reason
    step = _link(verdict)
    assert (step.result, step.reason_key) == (v.NOT_RUN, "holder_link.a1_names_withheld")
    assert step.message == ("The A1 did not show the surname, given names and date of birth of its holder, so it "
                            "cannot be tied to the person of the PID.")
    # Made selectively disclosable and left out: the same.
    hidden = world.issue(pda1, LENA.pda1, "DE:DRV", named=LENA.pid,
                         sd_paths=(*pda1.SD_PATHS, *((n,) for n in pda1.HOLDER_CLAIMS)))
    query = profile_query("pda1")
    withheld = world.inspect("pda1", {"pda1": hidden, "pid": world.issue(pid, LENA.pid, "DE:PID")}, query=query)
    assert withheld.verdict == v.UNDETERMINED and _link(withheld).reason_key == "holder_link.a1_names_withheld"


def test_an_mdoc_a1_is_asked_for_its_holders_names_and_compared_by_them(world: World) -> None:
    """Every mdoc element comes only when asked (ISO/IEC 18013-5 §8.3.2.1.2.2): the inspection asks the
    A1's mdoc for section 1, and compares it with the PID's; one not showing them is undetermined."""
    person = {"pid": world.issue(pid, LENA.pid, "DE:PID")}
    mine = world.inspect("pda1", person, {"pda1_mdoc": world.issue_mdoc_a1(LENA.pda1, "DE:DRV", LENA.pid)})
    assert mine.verdict == v.VALID and _link(mine).reason_key == "holder_link.a1_same_name", mine.reason
    other = world.inspect("pda1", person, {"pda1_mdoc": world.issue_mdoc_a1(LENA.pda1, "DE:DRV", ANNA.pid)})
    assert other.verdict == v.INVALID and _link(other).reason_key == "holder_link.a1_name_mismatch"
    unnamed = world.inspect("pda1", person, {"pda1_mdoc": world.issue_mdoc_a1(LENA.pda1, "DE:DRV")})
    assert unnamed.verdict == v.UNDETERMINED and _link(unnamed).reason_key == "holder_link.a1_names_withheld"


def test_attack_a_query_not_asking_the_pids_names_cannot_tie_a_named_a1_by_the_wallet(world: World) -> None:
    """Security review R25: a relying party's own query asking the PID for no names (the inspections
    always ask them): another worker's A1 beside Lena's PID was "presented by the same wallet", valid,
    since nothing was compared. The A1 names its holder, so a PID not showing those names leaves the
    link undetermined; one not showing the given names is not tied by the surname and birth date
    alone (twins share both)."""
    query = profile_query("pda1")
    for q in query["credentials"]:
        if q["id"].startswith("pid"):
            kept = [c for c in q["claims"] if c["path"][-1] not in ("family_name", "given_name", "birthdate",
                                                                    "birth_date")]
            ids = {c["id"] for c in kept}
            q["claims"] = kept
            q["claim_sets"] = [o for o in ([i for i in opt if i in ids] for opt in q["claim_sets"]) if o]
    colleague = {**LENA.pid, "given_name": "Greta", "birthdate": "1979-02-11"}
    verdict = world.inspect("pda1", {"pda1": world.issue(pda1, LENA.pda1, "DE:DRV", named=colleague),
                                     "pid": world.issue(pid, LENA.pid, "DE:PID")}, query=query)
    assert verdict.verdict == v.UNDETERMINED, verdict.reason
    assert _link(verdict).reason_key == "holder_link.pid_names_withheld"
    twin = {k: x for k, x in LENA.pid.items() if k != "given_name"}
    assert holder_link.link(pda1.VCT, pda1.with_holder(pda1.validate(LENA.pda1), colleague | {
        "birthdate": LENA.pid["birthdate"]}), twin).outcome == holder_link.PID_NAMES_WITHHELD


def test_an_a1_signed_before_the_cutover_is_tied_by_the_wallet_as_before(world: World) -> None:
    """An A1 signed before its issuers named the holder cannot have names: the wallet ties it, as
    before, and the reason says so (a notice on the valid verdict)."""
    before = datetime.combine(pda1.HOLDER_SIGNED_FROM - timedelta(days=1), datetime.min.time(), UTC)
    verdict = world.inspect("pda1", {"pda1": world.issue(pda1, LENA.pda1, "DE:DRV", signed=before),
                                     "pid": world.issue(pid, LENA.pid, "DE:PID")})
    assert verdict.verdict == v.VALID, verdict.reason
    assert _link(verdict).reason_key == "holder_link.same_wallet"


def test_a_pid_number_without_its_issuing_country_or_a_document_without_a_number_is_not_compared() -> None:
    doc = {"personal_administrative_number": "DEMO-1", "issuing_country": "LV"}
    person = {"personal_administrative_number": "DEMO-2", "issuing_country": "LV"}
    assert holder_link.link(pda1.VCT, doc, person).outcome == holder_link.MISMATCH
    for d, p in ((doc, {"personal_administrative_number": "DEMO-2"}),
                 ({"issuing_country": "LV"}, person),
                 ({**doc, "personal_administrative_number": " -./ "}, person),
                 ({**doc, "personal_administrative_number": 12345}, person),
                 ({**doc, "issuing_country": "EE"}, person)):
        assert holder_link.link(pda1.VCT, d, p).outcome == holder_link.SAME_WALLET, (d, p)
    # EL and GR are one state, as UK and GB (domain.md "Scope").
    assert holder_link.link(ehic.VCT, {**doc, "issuing_country": "EL"},
                            {**doc, "issuing_country": "GR"}).outcome == holder_link.SAME_NUMBER


def test_an_ehic_for_a_represented_person_passes_as_the_card_of_someone_the_holder_represents(
        world: World) -> None:
    """A child's card held by a parent: its number is the child's, so it is not compared with the PID's."""
    card = {**ANNA.ehic, "personal_administrative_number": "DEMO-040519-30003",
            "subject": {"forenames": "Elza", "familynames": "Bērziņa", "date_of_birth": "2019-05-04"}}
    verdict = world.inspect("ehic", {"ehic": world.issue(ehic, card, "LV:NVD"),
                                     "pid": world.issue(pid, ANNA.pid, "LV:PID")})
    assert verdict.verdict == v.VALID, verdict.reason
    step = _link(verdict)
    assert (step.result, step.reason_key) == (v.PASSED, "holder_link.represented")
    assert "represents" in step.message


def test_an_ehic_of_the_holder_is_linked_by_its_number_too(world: World) -> None:
    same = world.inspect("ehic", {"ehic": world.issue(ehic, ANNA.ehic, "LV:NVD"),
                                  "pid": world.issue(pid, ANNA.pid, "LV:PID")})
    assert same.verdict == v.VALID and _link(same).reason_key == "holder_link.passed"
    assert _link(same).message == "The EHIC and the PID carry the same personal number."
    other = world.inspect("ehic", {"ehic": world.issue(ehic, {**ANNA.ehic, "personal_administrative_number":
                                                               OTHER_LV_NUMBER}, "LV:NVD"),
                                   "pid": world.issue(pid, ANNA.pid, "LV:PID")})
    assert other.verdict == v.INVALID and _link(other).reason_key == "holder_link.mismatch"


def test_an_mdoc_pid_is_read_for_its_number_too(world: World) -> None:
    """The PID Rulebook's mdoc element ``personal_administrative_number`` (§3.1.1) is the same fact."""
    same = world.inspect("pda1", {"pda1": world.issue(pda1, ANNA.pda1, "LV:VSAA")},
                         {"pid_mdoc": world.issue_mdoc_pid(ANNA.pid, "LV:PID")})
    assert same.verdict == v.VALID, same.reason
    assert _link(same).reason_key == "holder_link.passed"
    other = world.inspect("pda1", {"pda1": world.issue(pda1, {**ANNA.pda1, "personal_administrative_number":
                                                               OTHER_LV_NUMBER}, "LV:VSAA")},
                          {"pid_mdoc": world.issue_mdoc_pid(ANNA.pid, "LV:PID")})
    assert other.verdict == v.INVALID and _link(other).reason_key == "holder_link.mismatch"


def _eudi_a1(number: str) -> dict[str, Any]:
    """Anna's A1 as the EUDI reference issuer shapes it, its personal number ``social_security_pin``."""
    ours = pda1.validate(ANNA.pda1)
    return {"social_security_pin": number, "status_confirmation": "01", "document_id": "EUDI-A1-0001",
            "employment_details": [{"employment_type": "01", "name": "Būvnieks SIA", "employer_id": "LV40003000001",
                                    "country_code": "LV"}],
            "legislation": {"member_state": "LV", "starting_date": ours["starting_date"],
                            "ending_date": ours["ending_date"]},
            "competent_institution": {"institution_id": "LV:VSAA", "institution_name": "VSAA", "country_code": "LV"},
            "issuance_date": ours["date_of_issuance"], "expiry_date": ours["ending_date"], "issuing_country": "LV"}


def test_an_eudi_model_a1_is_read_for_its_social_security_pin(world: World) -> None:
    def inspect(number: str) -> v.Verdict:
        claims = _eudi_a1(number)
        nested = [("legislation", member) for member in claims["legislation"]]
        a1 = world.issue(pda1, claims, "LV:VSAA", vct=eudi_pda1.VCT, sd_paths=[*((n,) for n in claims), *nested])
        return world.inspect("pda1", {"pda1_eudi": a1, "pid": world.issue(pid, ANNA.pid, "LV:PID")})

    same = inspect(ANNA.pda1["personal_administrative_number"])
    assert same.verdict == v.VALID, same.reason
    assert _link(same).reason_key == "holder_link.passed"
    other = inspect(OTHER_LV_NUMBER)
    assert other.verdict == v.INVALID and _link(other).reason_key == "holder_link.mismatch"


def test_a_failed_credential_adds_no_holder_link_step(world: World) -> None:
    """A1 signed by a PID provider (not competent for A1s) beside a PID of another number: the verdict is
    already invalid for what is wrong with the A1, and nothing is compared with unvouched claims."""
    forged = world.issue(pda1, {**ANNA.pda1, "personal_administrative_number": OTHER_LV_NUMBER}, "LV:VSAA",
                         signer=world.pki.signers["LV:PID"])
    verdict = world.inspect("pda1", {"pda1": forged, "pid": world.issue(pid, ANNA.pid, "LV:PID")})
    assert verdict.verdict == v.INVALID
    assert not [s for s in verdict.steps if s.code == "holder_link"]
    assert verdict.reason_key != "holder_link.mismatch"


def _yesterday() -> str:
    return (NOW.date() - timedelta(days=1)).isoformat()


def test_an_expired_pid_beside_a_valid_a1_cannot_be_confirmed_and_still_ties_the_a1_by_its_names(
        world: World) -> None:
    """Decision (session 26): an A1 in force beside a PID that has ended is not "not valid": the worker
    is covered, and only who holds the A1 is open, which an identity card answers (the reason says so).
    The expired PID still names its person, so the A1 is compared with it, and passes."""
    a1 = world.issue(pda1, ANNA.pda1, "LV:VSAA", named=ANNA.pid)
    lapsed = world.issue(pid, {**ANNA.pid, "date_of_expiry": _yesterday()}, "LV:PID")
    verdict = world.inspect("pda1", {"pda1": a1, "pid": lapsed})
    assert verdict.verdict == v.UNDETERMINED, verdict.reason
    assert verdict.reason_key == "document_validity.expired"
    assert "confirm who the person is another way" in verdict.reason
    assert _link(verdict).result == v.PASSED


@pytest.mark.parametrize(("value", "key"), [(status_list.SUSPENDED, "status.suspended"),
                                            (status_list.INVALID, "status.withdrawn"),
                                            (status_list.REPLACED, "status.replaced")],
                         ids=["suspended", "withdrawn", "replaced"])
def test_a_pid_its_provider_stopped_beside_a_valid_a1_cannot_be_confirmed(world: World, value: int,
                                                                         key: str) -> None:
    """As an expired PID: its provider's status is the identity's, never the A1's, so it is never valid
    and the inspector confirms who the person is with an identity document."""
    a1 = world.issue(pda1, ANNA.pda1, "LV:VSAA", named=ANNA.pid)
    card = world.issue(pid, ANNA.pid, "LV:PID")
    entries = world.lists["https://issuer.example/LV:PID/status/1"][0]
    entries.set(7, value)
    try:
        verdict = world.inspect("pda1", {"pda1": a1, "pid": card})
    finally:
        entries.set(7, status_list.VALID)
    assert (verdict.verdict, verdict.reason_key) == (v.UNDETERMINED, key), verdict.reason
    assert "PID" in verdict.reason


def test_an_expired_pid_of_another_person_beside_an_a1_is_still_not_valid(world: World) -> None:
    """Attack: Anna's A1 in Jan's wallet beside his expired PID. The lapse must not soften the mismatch:
    the PID's names are still Jan's, and the A1 names Anna."""
    a1 = world.issue(pda1, ANNA.pda1, "LV:VSAA", named=ANNA.pid)
    lapsed = world.issue(pid, {**JAN.pid, "date_of_expiry": _yesterday()}, "PL:PID")
    verdict = world.inspect("pda1", {"pda1": a1, "pid": lapsed})
    assert verdict.verdict == v.INVALID
    assert _link(verdict).reason_key == "holder_link.a1_name_mismatch"


def test_an_expired_pid_signed_by_no_pid_provider_beside_a_valid_a1_is_not_valid(world: World) -> None:
    """Attack: only a genuine PID that lapsed leaves the verdict open. One signed by an institution that
    is no PID provider (here VSAA's signer) fails its own checks besides its expiry: not valid."""
    a1 = world.issue(pda1, ANNA.pda1, "LV:VSAA", named=ANNA.pid)
    forged = world.issue(pid, {**ANNA.pid, "date_of_expiry": _yesterday()}, "LV:PID",
                         signer=world.pki.signers["LV:VSAA"])
    verdict = world.inspect("pda1", {"pda1": a1, "pid": forged})
    assert verdict.verdict == v.INVALID, verdict.reason


def test_an_expired_pid_beside_a_withdrawn_a1_is_not_valid(world: World) -> None:
    """The A1's own failure decides: a withdrawn A1 is not valid, whatever the PID beside it."""
    a1 = world.issue(pda1, ANNA.pda1, "LV:VSAA", named=ANNA.pid)
    lapsed = world.issue(pid, {**ANNA.pid, "date_of_expiry": _yesterday()}, "LV:PID")
    entries = world.lists["https://issuer.example/LV:VSAA/status/1"][0]
    entries.set(7, status_list.INVALID)
    try:
        verdict = world.inspect("pda1", {"pda1": a1, "pid": lapsed})
    finally:
        entries.set(7, status_list.VALID)
    assert verdict.verdict == v.INVALID


@pytest.mark.parametrize(("states", "verdict_key"), [
    (("LV", "PL"), (v.VALID, "holder_link.a1_no_pid")),
    ((), (v.UNDETERMINED, "holder_link.a1_no_pid_unnamed")),
], ids=["latvian-code-on-identity-documents", "no-state-listed"])
def test_an_answer_with_the_document_alone_is_tied_only_by_an_identity_document(
        world: World, states: tuple[str, ...], verdict_key: tuple[str, str]) -> None:
    """No PID beside the A1 (a query of the API's own): valid with the words to check an identity document
    only where one carries the A1's personal code; else nothing ties it to the worker
    (tests/test_verifier_api_alone.py)."""
    query = profile_query("pda1")
    query["credential_sets"][1]["required"] = False  # the PID made optional
    nonce = secrets.token_urlsafe(16)
    credential, key = world.issue(pda1, ANNA.pda1, "LV:VSAA")
    paths = [tuple(c["path"]) for c in query["credentials"][0]["claims"]]
    vp_token = {"pda1": [present(credential, select=paths, holder_key=key, nonce=nonce, aud=AUD,
                                 iat=int(NOW.timestamp()))]}
    verdict = v.verify_response(vp_token, query=query, nonce=nonce, audience=AUD, issuers=world.issuers(),
                                trust_list_age=0, now=NOW, status_lookup=world.lookup, pid_number_states=states)
    assert (verdict.verdict, verdict.reason_key) == verdict_key, verdict.reason
    assert [s.key for s in verdict.steps if s.code == "holder_link"] == [verdict_key[1]]


# --- review: two PIDs in one answer ---------------------------------------------------------------------

#: The pilot verifier's policy (ESSPASS_VERIFIER_PID_NUMBER_STATES): the states whose PID carries the
#: personal number their A1s and EHICs carry.
STATES = ("LV", "PL")


@pytest.mark.parametrize("sd_jwt_of, mdoc_of", [(0, 2), (2, 0)], ids=["anna-sd-jwt+lena-mdoc",
                                                                        "lena-sd-jwt+anna-mdoc"])
def test_two_pids_in_one_answer_are_refused_and_nobodys_name_is_shown(world: World, sd_jwt_of: int,
                                                                     mdoc_of: int) -> None:
    """The reviewer's attack: Anna's A1 with Anna's PID (same number) and Lena's German PID beside it,
    one as ``pid``, the other as ``pid_mdoc``, the two options of one credential set. Refused by the
    query (one option per set, OpenID4VP §6.4.2) and by the holder link; and the page never merges two
    PIDs into one person (the last one's name and portrait won)."""
    providers = {0: "LV:PID", 2: "DE:PID"}
    verdict = world.inspect("pda1", {"pda1": world.issue(pda1, ANNA.pda1, "LV:VSAA"),
                                     "pid": world.issue(pid, DEMO_PERSONS[sd_jwt_of].pid, providers[sd_jwt_of])},
                            {"pid_mdoc": world.issue_mdoc_pid(DEMO_PERSONS[mdoc_of].pid, providers[mdoc_of])},
                            number_states=STATES)
    assert verdict.verdict == v.INVALID
    [query] = [s for s in verdict.steps if s.code == "query"]
    assert query.result == v.FAILED and "'pid'" in query.message and "'pid_mdoc'" in query.message
    assert [(s.result, s.reason_key) for s in verdict.steps if s.code == "holder_link"] == \
        [(v.FAILED, "holder_link.several")]
    assert all(c.verdict == v.VALID for c in verdict.credentials)  # each genuine on its own
    _shown, person = _display(verdict)
    assert not {"family_name", "given_name", "birthdate", "picture"} & set(person), person
    assert [d["vct"] for d in person["documents"]] == [pda1.VCT]


def _presented(*ids: str, twice: Collection[str] = ()) -> dict[str, list[dcql.Presented]]:
    return {i: [("T", {"x": 1}, [("x",)])] * (2 if i in twice else 1) for i in ids}


def _query(*sets: dict[str, Any], multiple: Collection[str] = ()) -> dict[str, Any]:
    ids = dict.fromkeys(i for cset in sets for option in cset["options"] for i in option)
    return dcql.validate({"credentials": [{"id": i, "format": "dc+sd-jwt", "meta": {"vct_values": ["T"]},
                                           "claims": [{"path": ["x"]}], **({"multiple": True} if i in multiple
                                                                           else {})} for i in ids],
                          "credential_sets": list(sets)})


def test_two_options_of_one_credential_set_are_refused_by_dcql() -> None:
    """OpenID4VP §6.4.2: the wallet answers a credential set with one of its options. An answer holding
    two (``pid`` and ``pid_mdoc``) is refused; legitimate answers still pass: overlapping options, a
    query id shared by two sets, ``multiple``, optional sets left out."""
    query = _query({"options": [["a1"]]}, {"options": [["pid"], ["pid_mdoc"]]})
    assert dcql.check_response(query, _presented("a1", "pid")) == ()
    assert dcql.check_response(query, _presented("a1", "pid_mdoc")) == ()
    with pytest.raises(ClaimError, match="one of its options"):
        dcql.check_response(query, _presented("a1", "pid", "pid_mdoc"))
    # The profile's own query, as the reviewer answered it.
    profile = dcql.validate(profile_query("pda1"))
    with pytest.raises(ClaimError, match="'pid' and 'pid_unnumbered_mdoc'"):
        dcql.check_response(profile, {
            "pda1": [(pda1.VCT, ANNA.pda1, [])],
            "pid": [(pid.VCT, ANNA.pid, [])],
            "pid_unnumbered_mdoc": [(mdoc.DOCTYPES["pid"], {mdoc.DOCTYPES["pid"]: pid.to_mdoc(pid.validate(
                pid.with_provider_metadata(LENA.pid, authority="x", country="DE",
                                           expiry=pid.provider_expiry(NOW.date()))))}, [])]})
    # An option that is another's part: the larger one, answered whole, is one option.
    overlapping = _query({"options": [["a1"], ["a1", "b"]]})
    assert dcql.check_response(overlapping, _presented("a1", "b")) == ()
    assert dcql.check_response(overlapping, _presented("a1")) == ()
    # A query id in two sets: each set answered by one option, the union of them presented.
    shared = _query({"options": [["a1"], ["p"]]}, {"options": [["p", "q"]]})
    assert dcql.check_response(shared, _presented("a1", "p", "q")) == ()
    assert dcql.check_response(shared, _presented("p", "q")) == ()
    held = [dcql.HeldCredential(k, "T", {"x": 1}, frozenset({("x",)})) for k in ("a1", "p", "q")]
    wallet = dcql.match(shared, held)  # what a wallet picks (one option per set) is accepted
    assert dcql.check_response(shared, _presented(*wallet.selection)) == ()
    # ``multiple``: several presentations of one query are one option still.
    many = _query({"options": [["a1"]]}, {"options": [["p"], ["q"]]}, multiple=("p",))
    assert dcql.check_response(many, _presented("a1", "p", twice=("p",))) == ()
    with pytest.raises(ClaimError):
        dcql.check_response(many, _presented("a1", "p", "q", twice=("p",)))
    # An optional set: left out, it is named; answered with two options, refused.
    optional = _query({"options": [["a1"]]}, {"options": [["p"], ["q"]], "required": False})
    assert dcql.check_response(optional, _presented("a1")) == (("p", "q"),)
    assert dcql.check_response(optional, _presented("a1", "q")) == ()
    with pytest.raises(ClaimError, match="one of its options"):
        dcql.check_response(optional, _presented("a1", "p", "q"))


def _several_query(*ids: str) -> dict[str, Any]:
    """Credential queries of the pda1 profile (an id with ``_b`` is a second one of its base), no
    ``credential_sets``: each is required, so two PIDs or two A1s pass the query step."""
    by_id = {q["id"]: q for q in profile_query("pda1")["credentials"]}
    return {"credentials": [{**by_id[i.removesuffix("_b")], "id": i} for i in ids]}


def test_two_pids_fail_the_holder_link_even_when_the_query_asks_for_them(world: World) -> None:
    """Defence in depth: a query (the API's own) may ask for two PIDs; the holder link ties the
    documents to one person, so such an answer is never valid. Several documents beside one PID (the
    A1 and the EHIC) are each tied to it: one of another person's fails."""
    a1 = world.issue(pda1, ANNA.pda1, "LV:VSAA")
    two_pids = world.inspect("pda1", {"pda1": a1, "pid": world.issue(pid, ANNA.pid, "LV:PID")},
                             {"pid_unnumbered_mdoc": world.issue_mdoc_pid(LENA.pid, "DE:PID")},
                             query=_several_query("pda1", "pid", "pid_unnumbered_mdoc"), number_states=STATES)
    assert [s.result for s in two_pids.steps if s.code == "query"] == [v.PASSED]
    assert two_pids.verdict == v.INVALID and two_pids.reason_key == "holder_link.several"
    assert "2 PIDs" in two_pids.reason
    other = world.issue(pda1, {**ANNA.pda1, "personal_administrative_number": OTHER_LV_NUMBER}, "LV:VSAA")
    two_a1s = world.inspect("pda1", {"pda1": a1, "pda1_b": other, "pid": world.issue(pid, ANNA.pid, "LV:PID")},
                            query=_several_query("pda1", "pda1_b", "pid"), number_states=STATES)
    assert two_a1s.verdict == v.INVALID and two_a1s.reason_key == "holder_link.mismatch"
    assert sorted(s.reason_key for s in two_a1s.steps if s.code == "holder_link") == [
        "holder_link.mismatch", "holder_link.passed"]


def test_the_page_never_merges_two_pids_into_one_person(world: World) -> None:
    """Whatever the verdict, two PIDs show nobody's name or portrait; one PID shows its own."""
    a1 = world.issue(pda1, ANNA.pda1, "LV:VSAA")
    one = world.inspect("pda1", {"pda1": a1, "pid": world.issue(pid, ANNA.pid, "LV:PID")}, number_states=STATES)
    assert _display(one)[1]["family_name"] == ANNA.pid["family_name"]
    two = world.inspect("pda1", {"pda1": a1, "pid": world.issue(pid, ANNA.pid, "LV:PID")},
                        {"pid_mdoc": world.issue_mdoc_pid(LENA.pid, "DE:PID")},
                        query=_several_query("pda1", "pid", "pid_mdoc"))
    person = _display(two)[1]
    assert not {"family_name", "given_name", "birthdate", "picture"} & set(person), person


# --- review: a PID withholding its personal number -----------------------------------------------------


@pytest.mark.parametrize("profile", ["pda1", "ehic"])
def test_a_pid_of_a_listed_state_withholding_its_number_leaves_the_verdict_undetermined(world: World,
                                                                                      profile: str) -> None:
    """The reviewer's attack: another Latvian's A1 (or EHIC) in Anna's wallet; her PID carries her
    number, and the wallet picks a claim set without it (OpenID4VP §6.4.1 lets it). Latvia's PIDs carry
    the number (the policy), so "not shown" is not "none": the link cannot be made, never valid."""
    module, institution, claims = (pda1, "LV:VSAA", ANNA.pda1) if profile == "pda1" else (ehic, "LV:NVD", ANNA.ehic)
    document = world.issue(module, {**claims, "personal_administrative_number": OTHER_LV_NUMBER}, institution)
    person = world.issue(pid, ANNA.pid, "LV:PID")
    honest = world.inspect(profile, {profile: document, "pid": person}, number_states=STATES)
    assert honest.verdict == v.INVALID and _link(honest).reason_key == "holder_link.mismatch"
    cheat = world.inspect(profile, {profile: document, "pid": person}, number_states=STATES,
                          withhold=("personal_administrative_number",))
    assert cheat.verdict == v.UNDETERMINED, cheat.reason
    step = _link(cheat)
    assert (step.result, step.reason_key) == (v.NOT_RUN, "holder_link.withheld")
    assert cheat.reason_key == "holder_link.withheld" and cheat.reason == step.message
    assert "Latvia" in step.message and "did not show it" in step.message
    _no_personal_data(step, OTHER_LV_NUMBER, ANNA.pid["personal_administrative_number"])
    # Without the policy (another caller of verify_response) the outcome is as before, and said.
    unlisted = world.inspect(profile, {profile: document, "pid": person}, withhold=("personal_administrative_number",))
    # A document signed from its cutover without names beside a PID: they may have been withheld (review R9).
    expected = "holder_link.a1_names_withheld" if profile == "pda1" else "holder_link.names_withheld"
    assert (unlisted.verdict, unlisted.reason_key) == (v.UNDETERMINED, expected), unlisted.reason


@pytest.mark.parametrize(("holder", "withhold", "verdict", "reason_key"), [
    (0, ("issuing_country",), v.VALID, "holder_link.passed"),
    (0, ("issuing_country", "personal_administrative_number"), v.UNDETERMINED, "holder_link.withheld"),
    (2, ("issuing_country",), v.INVALID, "holder_link.a1_name_mismatch"),
    (2, ("issuing_country", "personal_administrative_number"), v.INVALID, "holder_link.a1_name_mismatch"),
], ids=["lv-pid-shows-number", "lv-pid-hides-number", "de-pid", "de-pid-hides-number"])
def test_a_pid_withholding_its_issuing_country_is_of_its_providers_state_on_the_trust_list(
        world: World, holder: int, withhold: tuple[str, ...], verdict: str, reason_key: str) -> None:
    """An mdoc PID shows element by element, and may leave ``issuing_country`` out. The trust list
    names its provider's state, and a provider signs only its own state's PIDs (the competence rule):
    a Latvian provider's PID showing Anna's number is tied by it; one hiding the number too is
    withheld; a German provider's PID (Lena's) beside Anna's Latvian A1 is compared by the names, and is
    not hers."""
    person = DEMO_PERSONS[holder]
    found = world.inspect("pda1", {"pda1": world.issue(pda1, ANNA.pda1, "LV:VSAA", named=ANNA.pid)},
                          {"pid_mdoc": world.issue_mdoc_pid(person.pid, {0: "LV:PID", 2: "DE:PID"}[holder])},
                          number_states=STATES, withhold=withhold)
    assert found.verdict == verdict, found.reason
    assert _link(found).reason_key == reason_key


def test_a_pid_hiding_its_issuing_country_cannot_hide_another_persons_number(world: World) -> None:
    """The attack the provider's state closes: another Latvian's A1 beside Anna's Latvian PID that
    shows her number but not its country. Its provider is Latvia's, so the numbers are compared."""
    document = world.issue(pda1, {**ANNA.pda1, "personal_administrative_number": OTHER_LV_NUMBER}, "LV:VSAA")
    found = world.inspect("pda1", {"pda1": document}, {"pid_mdoc": world.issue_mdoc_pid(ANNA.pid, "LV:PID")},
                          number_states=STATES, withhold=("issuing_country",))
    assert found.verdict == v.INVALID and _link(found).reason_key == "holder_link.mismatch"


def test_a_pid_of_a_state_not_listed_without_a_number_is_valid_and_the_inspector_is_told(world: World) -> None:
    """Lena's German PID has no personal number (Germany has none, and is not listed), beside an A1
    signed before A1s named their holder: valid, as before, but the verdict's reason says that the A1
    is tied to the PID by the wallet only, not by a number; and it does not claim the PID has none (it
    may have withheld it)."""
    before = datetime.combine(pda1.HOLDER_SIGNED_FROM - timedelta(days=1), datetime.min.time(), UTC)
    verdict = world.inspect("pda1", {"pda1": world.issue(pda1, LENA.pda1, "DE:DRV", signed=before),
                                     "pid": world.issue(pid, LENA.pid, "DE:PID")}, number_states=STATES)
    assert verdict.verdict == v.VALID, verdict.reason
    step = _link(verdict)
    assert verdict.reason_key == "holder_link.same_wallet" and verdict.reason == step.message
    assert "shows no personal number of the A1's issuing country" in step.message
    assert "carries no" not in step.message
    assert reason_text(verdict.to_json(), "de") != step.message
    card = {**ANNA.ehic, "personal_administrative_number": "DEMO-040519-30003",
            "subject": {"forenames": "Elza", "familynames": "Bērziņa", "date_of_birth": "2019-05-04"}}
    child = world.inspect("ehic", {"ehic": world.issue(ehic, card, "LV:NVD"),
                                   "pid": world.issue(pid, ANNA.pid, "LV:PID")}, number_states=STATES)
    assert child.verdict == v.VALID and child.reason_key == "holder_link.represented"
    assert child.reason == _link(child).message


def test_the_policy_rules_of_the_pure_link() -> None:
    """:func:`holder_link.link` with the listed states: withheld where a listed state's PID shows no
    number or no country; as before for every other state, and for the document's own number."""
    doc = {"personal_administrative_number": "DEMO-1", "issuing_country": "LV"}
    listed = frozenset(STATES)
    cases = [
        (doc, {"issuing_country": "LV"}, holder_link.WITHHELD),
        (doc, {"personal_administrative_number": "DEMO-1"}, holder_link.WITHHELD),
        (doc, {}, holder_link.WITHHELD),
        (doc, {"personal_administrative_number": "DEMO-1", "issuing_country": "lv"}, holder_link.SAME_NUMBER),
        (doc, {"personal_administrative_number": "DEMO-2", "issuing_country": "LV"}, holder_link.MISMATCH),
        (doc, {"issuing_country": "DE"}, holder_link.SAME_WALLET),  # a German PID beside a Latvian A1
        ({**doc, "issuing_country": "DE"}, {"issuing_country": "DE"}, holder_link.SAME_WALLET),
        ({**doc, "issuing_country": "DE"}, {}, holder_link.SAME_WALLET),
        ({"issuing_country": "LV"}, {}, holder_link.SAME_WALLET),  # the document shows no number
        ({**doc, "issuing_country": "EL"}, {"issuing_country": "GR"}, holder_link.WITHHELD),
    ]
    for document, person, outcome in cases:
        found = holder_link.link(pda1.VCT, document, person, frozenset({*listed, "GR"}))
        assert found.outcome == outcome, (document, person)
        assert found.holds == (outcome != holder_link.MISMATCH)
    # The provider's state stands for an issuing country not shown; a shown one is the PID's own.
    provided = [
        (doc, {"personal_administrative_number": "DEMO-1"}, "LV", holder_link.SAME_NUMBER),
        (doc, {"personal_administrative_number": "DEMO-2"}, "lv", holder_link.MISMATCH),
        (doc, {}, "LV", holder_link.WITHHELD),
        (doc, {"personal_administrative_number": "DEMO-1"}, "DE", holder_link.SAME_WALLET),
        (doc, {}, "DE", holder_link.SAME_WALLET),
        ({**doc, "issuing_country": "EL"}, {}, "GR", holder_link.WITHHELD),
    ]
    for document, person, provider, outcome in provided:
        found = holder_link.link(pda1.VCT, document, person, frozenset({*listed, "GR"}), pid_provider_country=provider)
        assert found.outcome == outcome, (document, person, provider)
    # No policy: today's outcomes.
    assert holder_link.link(pda1.VCT, doc, {"issuing_country": "LV"}).outcome == holder_link.SAME_WALLET
    assert holder_link.link(pda1.VCT, doc, {}).outcome == holder_link.SAME_WALLET


@pytest.mark.parametrize("key", ["holder_link.withheld", "holder_link.same_wallet", "holder_link.represented",
                                 "holder_link.several", "document_validity.document_expiry_not_shown",
                                 "holder_link.a1_name_mismatch", "holder_link.a1_same_name",
                                 "holder_link.a1_names_withheld", "holder_link.pid_names_withheld"])
def test_every_new_reason_is_translated_for_the_page_in_five_languages(key: str) -> None:
    texts = {lang: reason_text({"reason_key": key, "reason": "fallback"}, lang)
             for lang in ("en", "lv", "de", "fr", "pl")}
    assert f"verifier.reason.{key}" in i18n.catalogue_keys()
    assert "fallback" not in texts.values() and len(set(texts.values())) == 5, texts


def test_the_german_reason_of_a_represented_persons_card_says_the_holder_represents_them() -> None:
    """"einer von der Person vertretenen Person" said nothing of who represents whom; the desk's German reads
    that the card is of a person the holder represents, as the card's own line on the page says it."""
    text = reason_text({"reason_key": "holder_link.represented", "reason": "fallback"}, "de")
    assert "einer Person, die der Inhaber vertritt" in text and "von der Person vertretenen" not in text, text


def test_the_verifier_setting_names_the_states_whose_pid_carries_the_number(monkeypatch: pytest.MonkeyPatch,
                                                                            tmp_path: Path) -> None:
    monkeypatch.delenv("ESSPASS_VERIFIER_PID_NUMBER_STATES", raising=False)
    assert VerifierSettings(data_dir=tmp_path).pid_number_states == ["LV", "PL"]
    monkeypatch.setenv("ESSPASS_VERIFIER_PID_NUMBER_STATES", '["lv", "EL", "ee"]')
    assert VerifierSettings(data_dir=tmp_path).pid_number_states == ["LV", "GR", "EE"]
    monkeypatch.setenv("ESSPASS_VERIFIER_PID_NUMBER_STATES", "[]")
    assert VerifierSettings(data_dir=tmp_path).pid_number_states == []
    monkeypatch.setenv("ESSPASS_VERIFIER_PID_NUMBER_STATES", '["XX"]')
    with pytest.raises(ValidationError, match="PID_NUMBER_STATES"):
        VerifierSettings(data_dir=tmp_path)


# --- over the real services ----------------------------------------------------------------------------


def test_a_wallet_holding_one_persons_pid_and_anothers_a1_is_told_invalid_by_the_verifier(tmp_path: Path) -> None:
    """The whole inspection over HTTP: the issuer's clerks hand Anna's PID and another Latvian worker's
    A1 to one reference wallet, which answers the inspector's QR request with both as asked; the verifier
    finds both genuine and valid, and the pair not one person's."""
    someone_else = replace(ANNA, pda1={**ANNA.pda1, "personal_administrative_number": OTHER_LV_NUMBER})
    with start_in_process(tmp_path) as stack, httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        wallet = wallet_holding(stack, tmp_path, http, someone_else)
        try:
            # The wallet said so as it took the A1, and says so before it leaves (wallet.core.other_persons).
            cards = {c.vct: c for c in wallet.cards("en")}
            assert cards[pda1.VCT].other_person and cards[pda1.VCT].warning == "other_person"
            assert not cards[pid.VCT].other_person
            assert standing_words(cards[pda1.VCT], "lv") == wallet_t("state.other_person", "lv")
            inspector = Inspector(stack.verifier_url, http)
            request = inspector.request("pda1")
            consent = wallet.open_request(request["link"], "en")
            labels = {item.query_id: [c.label for c in item.claims] for item in consent.items}
            assert "pda1" in labels and "pid" in labels, labels
            notices = {item.query_id: item.notice for item in consent.items}
            assert notices["pda1"] == wallet_t("consent.warn_other_person", "en") and not notices["pid"], notices
            wallet.share(consent.id)
            verdict = inspector.result(request)["verdict"]
        finally:
            wallet.http.close()
    assert verdict["verdict"] == "invalid", verdict
    assert verdict["reason_key"] == "holder_link.mismatch", verdict
    assert [s["result"] for s in verdict["steps"] if s["code"] == "holder_link"] == ["failed"]
    assert all(c["verdict"] == "valid" for c in verdict["credentials"]), verdict


def holding_another_workers_a1(stack: Any, data_dir: Path, http: httpx.Client, colleague: Mapping[str, str]) -> Any:
    """A reference wallet holding Lena's German PID and the A1 Deutsche Rentenversicherung's clerk recorded
    for ``colleague`` (its case naming them), each handed over with its offer: QA finding F1's wallet."""
    clerk = Clerk(stack.issuer_url, data_dir, http)
    wallet = open_wallet(data_dir / "phone", stack.registry_url, "pw", fast_kdf=True, pki_dir=data_dir / "pki")
    clerk.hand_over(wallet, LENA.pid_provider, "pid", dict(LENA.pid))
    clerk.hand_over(wallet, LENA.pda1_issuer, "pda1", unnumbered(LENA.pda1), dict(colleague))
    return wallet


def test_a_wallet_holding_a_german_pid_and_another_german_workers_a1_is_told_invalid(tmp_path: Path) -> None:
    """QA finding F1 over HTTP: Deutsche Rentenversicherung's clerk hands a colleague's A1 (her case
    naming her) to the wallet holding Lena's German PID, which has no personal number. Before the A1
    named its holder the inspector saw "valid" with Lena's name and photo; now the issuer signs the
    case's holder into the A1, the wallet warns, and the verifier finds the pair not one person's."""
    colleague = {"family_name": LENA.pid["family_name"], "given_name": "Greta", "birthdate": "1979-02-11"}
    with start_in_process(tmp_path) as stack, httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        wallet = holding_another_workers_a1(stack, tmp_path, http, colleague)
        try:
            cards = {c.vct: c for c in wallet.cards("en")}
            assert cards[pda1.VCT].other_person and not cards[pid.VCT].other_person
            # Whom the A1 names, beside "Not yours" (QA of F1: the card said neither whose it is).
            assert cards[pda1.VCT].other_named == "This document names Greta Schäfer"
            assert cards[pid.VCT].other_named is None
            assert wallet.cards("de")[1].other_named == "Dieses Dokument nennt Greta Schäfer"
            inspector = Inspector(stack.verifier_url, http)
            request = inspector.request("pda1")
            wallet.share(wallet.open_request(request["link"], "en").id)
            verdict = inspector.result(request)["verdict"]
        finally:
            wallet.http.close()
    assert verdict["verdict"] == "invalid", verdict
    assert verdict["reason_key"] == "holder_link.a1_name_mismatch", verdict
    assert all(c["verdict"] == "valid" for c in verdict["credentials"]), verdict


def _inspect_over_http(tmp_path: Path, person: Any, *, own: bool = False) -> dict[str, Any]:
    """The reference wallet holding ``person``'s PID and A1 answers the inspector's QR request."""
    with start_in_process(tmp_path) as stack, httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        wallet = wallet_holding(stack, tmp_path, http, person)
        try:
            if own:  # one person's documents: the wallet warns of nothing
                assert not any(c.other_person or c.warning for c in wallet.cards("en"))
            inspector = Inspector(stack.verifier_url, http)
            request = inspector.request("pda1")
            wallet.share(wallet.open_request(request["link"], "en").id)
            verdict: dict[str, Any] = inspector.result(request)["verdict"]
        finally:
            wallet.http.close()
    return verdict


def test_the_reference_wallet_gets_valid_for_anna_by_her_number(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ESSPASS_VERIFIER_PID_NUMBER_STATES", raising=False)
    verdict = _inspect_over_http(tmp_path, ANNA, own=True)
    assert verdict["verdict"] == "valid", verdict
    assert [s["key"] for s in verdict["steps"] if s["code"] == "holder_link"] == ["holder_link.passed"]
    assert verdict["reason_key"] == ""
    assert verdict["person"]["family_name"] == ANNA.pid["family_name"]


def test_the_reference_wallet_gets_valid_for_lena_by_her_names_and_undetermined_where_germany_is_listed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lena's German PID has no number: valid under the default policy, tied by the names the issuer
    signed into her A1 from its case; an inspectorate listing Germany (wrongly) gets undetermined: the
    setting reaches the verdict."""
    monkeypatch.delenv("ESSPASS_VERIFIER_PID_NUMBER_STATES", raising=False)
    verdict = _inspect_over_http(tmp_path / "default", LENA)
    assert verdict["verdict"] == "valid", verdict
    assert [s["key"] for s in verdict["steps"] if s["code"] == "holder_link"] == ["holder_link.a1_same_name"]
    monkeypatch.setenv("ESSPASS_VERIFIER_PID_NUMBER_STATES", '["DE"]')
    listed = _inspect_over_http(tmp_path / "listed", LENA)
    assert listed["verdict"] == "undetermined", listed
    assert listed["reason_key"] == "holder_link.withheld"
