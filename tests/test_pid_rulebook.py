"""ARF Annex 3.01 PID Rulebook: our PIDs and real member states' PIDs, in both encodings.

The demo provider issues the Rulebook's mdoc elements (§3.1.1) and mandatory metadata (§2.4);
the verifier asks for them, reads any provider's PID back into our model and accepts the national
types of §4.2 from providers the trust list authorises. One stack (registry, issuer, verifier on
loopback ports) and a wallet holding Anna's PID and A1 in both forms; a "foreign" provider here is a
demo PID provider's key from the demo PKI signing a PID our issuer never made, with its status list
served from a server of its own.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import cbor2
import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import Response

from credentials import (
    countries,
    dcql,
    mdoc,
    openid4vp,
    pda1,
    pid,
    sd_jwt,
    sd_jwt_vc,
    status_list,
    trust_list,
    verification,
)
from credentials.demo_persons import DEMO_PERSONS, portrait
from credentials.errors import DataError, IssuerTrustError, MalformedError
from credentials.jose import b64url_decode, b64url_encode, generate_key, jwk_thumbprint, public_jwk
from credentials.pki import DemoPki, load_demo_pki
from esspass.stack import (
    Clerk,
    Inspector,
    InspectorAuth,
    Stack,
    open_wallet,
    start_in_process,
    unnumbered,
    wallet_holding,
)
from esspass.testing import ServerHandle, serve
from verifier.service import _display, profile_query
from wallet import core
from wallet.keys import load_key
from wallet.model import StoredCredential

ANNA, LENA = DEMO_PERSONS[0], DEMO_PERSONS[2]
#: Anna with an A1 stating its own expiry date (the end of its period): as ISO mdoc, every element of
#: which a wallet may withhold, an A1 is confirmed valid only when it shows that date.
ANNA_A1_WITH_EXPIRY = replace(ANNA, pda1={**ANNA.pda1, "date_of_expiry": ANNA.pda1["ending_date"]})
DOCTYPE = mdoc.DOCTYPES["pid"]
#: The inspection's queries for a PID without a personal number (a German one), as SD-JWT VC and mdoc.
UNNUMBERED, UNNUMBERED_MDOC = "pid_unnumbered", "pid_unnumbered_mdoc"
RULEBOOK_ELEMENTS = {"family_name", "given_name", "birth_date", "place_of_birth", "nationality",
                     "personal_administrative_number", "portrait", "expiry_date", "issuing_authority",
                     "issuing_country"}


def _jpeg(person: Any) -> bytes:
    return base64.b64decode(portrait(person).split(",", 1)[1])


#: A German-style PID as a member state's provider would issue it (Rulebook §3.1.1), with elements
#: our provider never writes: tdate metadata, address, age statements, sex, a national element.
def _foreign_elements(**changes: Any) -> dict[str, Any]:
    today = datetime.now(UTC).date()
    return {"family_name": "Schäfer", "given_name": "Lena", "birth_date": date(1995, 7, 3),
            "place_of_birth": {"locality": "Köln"}, "nationality": ["DE"], "portrait": _jpeg(LENA),
            "expiry_date": datetime(today.year + 3, 1, 1, tzinfo=UTC), "issuing_authority": "DE",
            "issuing_country": "DE", "issuance_date": datetime(today.year - 1, 1, 1, tzinfo=UTC),
            "age_over_18": True, "age_over_65": False, "age_in_years": 30, "age_birth_year": 1995,
            "resident_city": "Wien", "resident_country": "AT", "resident_postal_code": "1010",
            "family_name_birth": "Schäfer", "sex": 2, "de_municipality_key": "05315000", **changes}


@dataclass
class Site:
    stack: Stack
    http: httpx.Client
    clerk: Clerk
    wallet: Any
    pki: DemoPki
    inspector: Inspector
    provider: ServerHandle  # the foreign PID providers' own status lists
    lena: Any  # a wallet holding Lena's A1 alone: the foreign PIDs below are hers, and an A1 names its holder

    def status(self, entity: str, idx: int = 3, *, cwt: bool = False) -> status_list.StatusReference:
        return status_list.StatusReference(idx=idx, uri=f"{self.provider.url}/status/{entity.replace(':', '-')}",
                                           token_form=status_list.CWT if cwt else status_list.JWT)

    def held(self, vct: str, form: str) -> Any:
        return next(c for c in self.wallet.credentials() if c.vct == vct and c.format == form)


def _status_server(pki: DemoPki) -> FastAPI:
    """Each listed institution's status list, every entry valid, signed with its own key, JWT or CWT."""
    app = FastAPI()

    @app.get("/status/{name}")
    def status(name: str, request: Request) -> Response:
        key, chain = pki.signers[name.replace("-", ":")]
        uri, iat = str(request.url), int(time.time())
        if "cwt" in request.headers.get("accept", ""):
            return Response(status_list.sign_cwt_token(status_list.StatusList(1024, bits=2), uri=uri, key=key,
                                                       x5c=chain, iat=iat, exp=iat + 3600, ttl=60),
                            media_type=status_list.CWT_MEDIA_TYPE)
        return Response(status_list.sign_token(status_list.StatusList(1024, bits=2), uri=uri, key=key, x5c=chain,
                                               iat=iat, exp=iat + 3600, ttl=60), media_type=status_list.MEDIA_TYPE)

    return app


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data_dir = tmp_path_factory.mktemp("pid-rulebook")
    with start_in_process(data_dir) as stack, httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        wallet = wallet_holding(stack, data_dir, http, ANNA_A1_WITH_EXPIRY)
        clerk = Clerk(stack.issuer_url, data_dir, http)
        pki = load_demo_pki(data_dir / "pki")
        lena = open_wallet(data_dir / "lena-phone", stack.registry_url, "pw", fast_kdf=True, pki_dir=data_dir / "pki")
        clerk.hand_over(lena, LENA.pda1_issuer, "pda1", unnumbered(LENA.pda1), LENA.holder)
        with serve(_status_server(pki)) as provider:
            yield Site(stack, http, clerk, wallet, pki, Inspector(stack.verifier_url, http), provider, lena)
        lena.http.close()
        wallet.http.close()


# --- the inspector's request, answered by hand (a third-party wallet) ----------------------------------


def _request_object(site: Site, request: dict[str, Any]) -> dict[str, Any]:
    token = site.http.get(request["request_uri"]).text
    payload: dict[str, Any] = json.loads(b64url_decode(token.split(".")[1]))
    return payload


def _transcript(payload: dict[str, Any]) -> bytes:
    jwks = payload["client_metadata"]["jwks"]["keys"]
    return mdoc.openid4vp_session_transcript(
        client_id=payload["client_id"], nonce=payload["nonce"], response_uri=payload["response_uri"],
        jwk_thumbprint=b64url_decode(jwk_thumbprint(jwks[0])) if jwks else None)


def _query(payload: dict[str, Any], qid: str) -> dict[str, Any]:
    found: dict[str, Any] = next(q for q in payload["dcql_query"]["credentials"] if q["id"] == qid)
    return found


def _sd_jwt_answer(payload: dict[str, Any], qid: str, credential: str, key: Any) -> str:
    held = sd_jwt.unverified_claims(credential)
    paths = [tuple(c["path"]) for c in _query(payload, qid)["claims"] if c["path"][0] in held]
    return sd_jwt.present(credential, select=paths, holder_key=key, nonce=payload["nonce"], aud=payload["client_id"],
                          iat=int(time.time()))


def _mdoc_answer(payload: dict[str, Any], qid: str, issuer_signed: bytes, key: Any) -> str:
    elements = [c["path"][1] for c in _query(payload, qid)["claims"]]
    return b64url_encode(mdoc.present(issuer_signed, select=elements, device_key=key,
                                      session_transcript=_transcript(payload)))


def _inspect(site: Site, answers: dict[str, Any]) -> dict[str, Any]:
    """The default inspection (A1 + PID), Lena's A1 as SD-JWT VC (the foreign PIDs' person: the A1 names
    its holder, which holder_link compares with the PID's), ``answers`` building the rest: query id ->
    (payload -> presentation)."""
    request = site.inspector.request("pda1")
    payload = _request_object(site, request)
    a1 = next(c for c in site.lena.credentials() if c.vct == pda1.VCT and c.format == "dc+sd-jwt")
    vp_token = {"pda1": [_sd_jwt_answer(payload, "pda1", a1.credential, load_key(a1.private_key))]}
    vp_token.update({qid: [make(payload)] for qid, make in answers.items()})
    form = openid4vp.build_response_form(payload, {"vp_token": vp_token})
    assert site.http.post(payload["response_uri"], data=form).status_code == 200
    verdict: dict[str, Any] = site.inspector.result(request)["verdict"]
    return verdict


def _steps(verdict: dict[str, Any], qid: str) -> dict[str, str]:
    credential = next(c for c in verdict["credentials"] if c["query_id"] == qid)
    return {s["code"]: s["result"] for s in credential["steps"]}


def _foreign_mdoc(site: Site, elements: dict[str, Any], entity: str = "DE:PID") -> tuple[bytes, Any]:
    key, chain = site.pki.signers[entity]
    holder = generate_key()
    now = datetime.now(UTC)
    issued = mdoc.issue(doctype=DOCTYPE, claims=elements, device_key=holder.public_key(), issuer_key=key,
                        x5chain=chain, signed=now - timedelta(minutes=1), valid_until=now + timedelta(days=14),
                        status=site.status(entity, cwt=True))
    return issued, holder


def _foreign_sd_jwt(site: Site, vct: str, entity: str, *, expiry: date | None = None) -> tuple[str, Any]:
    """§4.3's example PID, of ``vct``, signed by ``entity``'s document signer; its date_of_expiry
    (``expiry``, default in 900 days) selectively disclosable, as the Rulebook lets a provider make it."""
    key, chain = site.pki.signers[entity]
    holder = generate_key()
    country = entity.split(":")[0]
    claims = {"given_name": "Lena", "family_name": "Schäfer", "birthdate": "1995-07-03",
              "age_equal_or_over": {"16": True, "18": True, "65": False}, "age_in_years": 30,
              "age_birth_year": 1995, "address": {"locality": "Wien", "country": "AT"}, "nationalities": ["DE"],
              "sex": 2, "place_of_birth": {"locality": "Köln"}, "picture": portrait(LENA),
              "date_of_expiry": (expiry or date.today() + timedelta(days=900)).isoformat(),
              "issuing_authority": country, "issuing_country": country}
    sd_paths = [(n,) for n in claims if n not in ("issuing_authority", "issuing_country")] + [("nationalities", None)]
    now = int(time.time())
    credential = sd_jwt_vc.issue_vc(vct=vct, claims=claims, sd_paths=sd_paths, holder_jwk=public_jwk(holder),
                                    issuer_key=key, x5c=chain, iss=f"https://pid.{country.lower()}.example",
                                    iat=now - 60, nbf=now - 60, exp=now + 14 * 86400, status=site.status(entity))
    return credential, holder


# --- our provider -------------------------------------------------------------------------------------


def test_an_mdoc_pid_from_our_provider_has_exactly_the_rulebooks_element_names_and_cbor_types(site: Site) -> None:
    """§3.1.1: birth_date full-date (tag 1004), nationality an array, place_of_birth a map, portrait a
    bstr (JPEG), and the mandatory metadata expiry_date, issuing_authority, issuing_country."""
    held = site.held(pid.VCT, "mso_mdoc")
    issuer_signed = cbor2.loads(b64url_decode(held.credential))
    raw_items = [tagged.value for tagged in issuer_signed["nameSpaces"][DOCTYPE]]
    items = {item["elementIdentifier"]: (item["elementValue"], raw) for raw in raw_items
             for item in [cbor2.loads(raw)]}
    assert set(items) == RULEBOOK_ELEMENTS
    birth, raw = items["birth_date"]
    assert birth == date(1988, 4, 12) and cbor2.dumps(cbor2.CBORTag(1004, "1988-04-12")) in raw
    expiry, raw = items["expiry_date"]
    assert type(expiry) is date and cbor2.dumps(cbor2.CBORTag(1004, expiry.isoformat())) in raw
    assert expiry == pid.provider_expiry(datetime.now(UTC).date())
    photo, raw = items["portrait"]
    assert isinstance(photo, bytes) and photo.startswith(b"\xff\xd8\xff") and cbor2.dumps(photo) in raw
    assert items["nationality"][0] == ["LV"]
    assert items["place_of_birth"][0] == {"country": "LV", "locality": "Rīga"}
    assert items["issuing_authority"][0] == "Demo PID nodrošinātājs" and items["issuing_country"][0] == "LV"
    # The wallet keeps the elements under their names, their values as JSON (a tag 1004 as its text).
    assert held.claims["birth_date"] == "1988-04-12" and held.claims["portrait"].startswith("data:image/jpeg;base64,")


def test_our_sd_jwt_pid_carries_the_mandatory_metadata_the_issuer_and_state_always_disclosed(site: Site) -> None:
    """§2.4 / §4.1: date_of_expiry, issuing_authority and issuing_country, in the signed payload: the
    x5c names the provider and exp ends with date_of_expiry, for every verifier anyway."""
    held = site.held(pid.VCT, "dc+sd-jwt")
    assert held.claims["issuing_authority"] == "Demo PID nodrošinātājs" and held.claims["issuing_country"] == "LV"
    assert held.claims["date_of_expiry"] == pid.provider_expiry(datetime.now(UTC).date()).isoformat()
    assert set(core.always_disclosed(held.credential)) == {"issuing_authority", "issuing_country", "date_of_expiry"}
    assert ("date_of_expiry",) not in sd_jwt.disclosable_paths(held.credential)


def test_the_issuers_metadata_names_the_mdoc_pid_elements_as_the_rulebook_does(site: Site) -> None:
    metadata = site.http.get(f"{site.stack.issuer_url}/.well-known/openid-credential-issuer/lv-pid").json()
    configs = metadata["credential_configurations_supported"]
    mdoc_paths = {tuple(c["path"]) for c in configs["pid_mdoc"]["credential_metadata"]["claims"]}
    assert mdoc_paths == {(DOCTYPE, name) for name in RULEBOOK_ELEMENTS}
    sd_jwt_paths = {tuple(c["path"]) for c in configs["pid"]["credential_metadata"]["claims"]}
    assert {("birthdate",), ("nationalities",), ("picture",), ("date_of_expiry",)} <= sd_jwt_paths


def test_the_provider_states_its_own_metadata_and_refuses_another(site: Site) -> None:
    """The provider names itself; a PID naming another state or authority is never recorded."""
    for field, value in (("issuing_country", "DE"), ("issuing_authority", "Bundesdruckerei")):
        with pytest.raises(RuntimeError, match=field):
            site.clerk.create_case(ANNA.pid_provider, "pid", {**ANNA.pid, field: value})
    case = site.clerk.case(ANNA.pid_provider, site.clerk.create_case(
        ANNA.pid_provider, "pid", {**ANNA.pid, "issuing_authority": "LV", "date_of_expiry": "2031-04-30"}))
    assert case["claims"]["issuing_authority"] == "LV" and case["claims"]["date_of_expiry"] == "2031-04-30"


def test_to_mdoc_and_from_mdoc_are_each_others_reading() -> None:
    claims = pid.validate(pid.with_provider_metadata({**ANNA.pid, "picture": portrait(ANNA)}, authority="LV",
                                                     country="LV", expiry=date(2031, 4, 30)))
    elements = pid.to_mdoc(claims)
    assert list(elements) == ["family_name", "given_name", "birth_date", "place_of_birth", "nationality",
                              "personal_administrative_number", "portrait", "expiry_date", "issuing_authority",
                              "issuing_country"]
    assert pid.from_mdoc(elements) == claims
    assert pid.from_mdoc(verification.mdoc_json(elements)) == claims  # as the wallet stores them
    with pytest.raises(DataError) as refused:
        pid.to_mdoc({**claims, "address": {"locality": "Rīga"}})
    assert refused.value.field == "address"


def test_from_mdoc_reads_every_rulebook_element_as_its_sd_jwt_claim() -> None:
    read = pid.from_mdoc(_foreign_elements())
    assert read["birthdate"] == "1995-07-03" and read["nationalities"] == ["DE"]
    assert read["date_of_expiry"].endswith("-01-01") and len(read["date_of_expiry"]) == 10
    assert read["date_of_issuance"].endswith("-01-01")
    assert read["picture"].startswith("data:image/jpeg;base64,/9j/")
    assert read["address"] == {"locality": "Wien", "country": "AT", "postal_code": "1010"}
    assert read["age_equal_or_over"] == {"18": True, "65": False}
    assert read["birth_family_name"] == "Schäfer" and read["sex"] == 2
    assert read["de_municipality_key"] == "05315000"  # a national element keeps its name
    # A Rulebook element wins over a national one of the same name; one of the wrong type is refused.
    assert pid.from_mdoc({"birthdate": "1900-01-01", "birth_date": date(1995, 7, 3)})["birthdate"] == "1995-07-03"
    with pytest.raises(MalformedError, match="expiry_date"):
        pid.from_mdoc({"expiry_date": 20300101})


@pytest.mark.parametrize("elements", [None, [], "family_name", b"\xa0", 7, [("family_name", "Bērziņa")]],
                         ids=["null", "array", "text", "bytes", "number", "pairs"])
def test_from_mdoc_refuses_what_is_not_a_map_of_elements(elements: Any) -> None:
    """The elements come from a credential: anything but a map is a typed refusal, never AttributeError."""
    with pytest.raises(MalformedError, match="data elements"):
        pid.from_mdoc(elements)


@pytest.mark.parametrize(("element", "value"), [
    ("family_name", b"Berzina"), ("nationality", "LV"), ("nationality", ["LV", 1]), ("place_of_birth", ["LV"]),
    ("birth_date", 19950703), ("portrait", ["\xff\xd8"]), ("resident_country", 7), ("resident_address", {"x": 1}),
    ("age_over_18", "yes"), ("age_in_years", "31"),
    ("expiry_date", datetime(1, 1, 1, tzinfo=__import__("datetime").timezone(timedelta(hours=1)))),
], ids=["name-bytes", "nationality-text", "nationality-number", "place-array", "birth-number", "portrait-array",
        "resident-country-number", "resident-address-map", "age-over-text", "age-text", "date-before-year-1-in-utc"])
def test_from_mdoc_names_the_element_of_the_wrong_type(element: str, value: Any) -> None:
    """§3.1.1 gives each element read into the model its CBOR type; one of another type (or a tdate
    with no UTC day) is refused naming it."""
    with pytest.raises(MalformedError, match=element):
        pid.from_mdoc({"family_name": "Bērziņa", element: value})


@pytest.mark.parametrize("claims", [None, [], "x", 7], ids=["null", "array", "text", "number"])
def test_describe_and_to_mdoc_refuse_what_is_not_a_map_of_claims(claims: Any) -> None:
    with pytest.raises(DataError, match="claims"):
        pid.describe(claims, "en")
    with pytest.raises(DataError, match="claims"):
        pid.to_mdoc(claims)


@pytest.mark.parametrize("nationalities", [7, None, "LV"], ids=["number", "null", "text"])
def test_to_mdoc_names_a_nationality_claim_that_is_no_list(nationalities: Any) -> None:
    with pytest.raises(DataError) as refused:
        pid.to_mdoc({"family_name": "Bērziņa", "nationalities": nationalities})
    assert refused.value.field == "nationalities"


# --- foreign PIDs at the verifier ------------------------------------------------------------------------


def test_a_foreign_style_mdoc_pid_is_verified_and_read_as_our_model(site: Site) -> None:
    issued, holder = _foreign_mdoc(site, _foreign_elements())
    verdict = _inspect(site, {UNNUMBERED_MDOC: lambda payload: _mdoc_answer(payload, UNNUMBERED_MDOC, issued, holder)})
    assert verdict["verdict"] == "valid", verdict
    person = verdict["person"]
    assert (person["given_name"], person["family_name"], person["birthdate"]) == ("Lena", "Schäfer", "1995-07-03")
    assert person["picture"].startswith("data:image/jpeg;base64,/9j/")
    assert _steps(verdict, UNNUMBERED_MDOC)["issuer_authorised"] == "passed"


def test_a_foreign_mdoc_pids_extra_elements_are_read_and_its_dates_checked(site: Site) -> None:
    """Every element of a real PID, asked for by a query of its own: mapped, nothing breaks; the
    metadata dates (tdate here) are checked as dates, and one that is no date fails closed."""
    issued, holder = _foreign_mdoc(site, _foreign_elements())
    query = {"credentials": [{"id": "pid", "format": "mso_mdoc", "meta": {"doctype_value": DOCTYPE},
                              "claims": [{"path": [DOCTYPE, name]} for name in _foreign_elements()]}]}
    transcript = mdoc.openid4vp_session_transcript(client_id="x509_hash:abc", nonce="n", jwk_thumbprint=None,
                                                   response_uri="https://verifier.example/responses/1")
    issuers = site.wallet.trust.issuers(datetime.now(UTC))

    def verify(issuer_signed: bytes, key: Any) -> verification.Verdict:
        answer = b64url_encode(mdoc.present(issuer_signed, select=list(_foreign_elements()), device_key=key,
                                            session_transcript=transcript))
        return verification.verify_response({"pid": [answer]}, query=query, nonce="n", audience="a", issuers=issuers,
                                            trust_list_age=0, now=datetime.now(UTC), session_transcript=transcript,
                                            status_lookup=lambda *_: verification.StatusOutcome(0, 1, "network"))

    verdict = verify(issued, holder)
    assert verdict.verdict == "valid", verdict.reason
    claims = verdict.credentials[0].claims
    assert claims["address"]["locality"] == "Wien" and claims["age_equal_or_over"]["18"] is True
    assert claims["birthdate"] == "1995-07-03" and "birth_date" not in claims
    assert json.dumps(verdict.to_json())  # every page and API answer can hold it
    _verdict, person = _display(verdict)
    assert person["birthdate"] == "1995-07-03" and person["picture"].startswith("data:image/jpeg")
    expired = _foreign_elements(expiry_date=datetime(2020, 1, 1, tzinfo=UTC))
    assert verify(*_foreign_mdoc(site, expired)).reason == ("The identity document (PID) shown with it expired on "
                                                           "2020-01-01: confirm who the person is another way (an "
                                                           "identity card or passport).")
    unreadable = verify(*_foreign_mdoc(site, _foreign_elements(expiry_date=20300101)))
    assert unreadable.verdict == "invalid" and "expiry_date" in unreadable.reason


@pytest.mark.parametrize("changes", [
    {"family_name": cbor2.CBORTag(99, "Mallory")},
    {"family_name": cbor2.undefined},
    {"family_name": b"Mallory"},
    {"given_name": 7},
    {"birth_date": 19950703},
    {"nationality": "DE"},
    {"nationality": [276]},
    {"place_of_birth": {1: "Köln"}},
    {"de_municipality_key": cbor2.CBORSimpleValue(99)},
    {"de_municipality_key": {"a", "b"}},
    {"age_in_years": 2**70},
    {"age_in_years": float("nan")},
], ids=lambda c: f"{next(iter(c))}={type(next(iter(c.values()))).__name__}")
def test_a_pid_provider_s_odd_cbor_values_fail_the_check_never_a_page_or_a_500(site: Site,
                                                                               changes: dict[str, Any]) -> None:
    """Whatever a listed provider signs, the verdict holds only credential data: a name as bytes, a
    tag, a simple value, a set, a bignum, a NaN or a map with number keys fails the check (malformed),
    is never shown as if it were a name, and the inspector's answer is stored (no 500)."""
    issued, holder = _foreign_mdoc(site, _foreign_elements(**changes))
    query = {"credentials": [{"id": "pid", "format": "mso_mdoc", "meta": {"doctype_value": DOCTYPE},
                              "claims": [{"path": [DOCTYPE, name]} for name in _foreign_elements(**changes)]}]}
    transcript = mdoc.openid4vp_session_transcript(client_id="x509_hash:abc", nonce="n", jwk_thumbprint=None,
                                                   response_uri="https://verifier.example/responses/1")
    answer = b64url_encode(mdoc.present(issued, select=list(_foreign_elements(**changes)), device_key=holder,
                                        session_transcript=transcript))
    verdict = verification.verify_response(
        {"pid": [answer]}, query=query, nonce="n", audience="a", issuers=site.wallet.trust.issuers(datetime.now(UTC)),
        trust_list_age=0, now=datetime.now(UTC), session_transcript=transcript,
        status_lookup=lambda *_: verification.StatusOutcome(0, 1, "network"))
    failed = [st for st in verdict.credentials[0].steps if st.result == verification.FAILED]
    assert verdict.verdict == "invalid" and len(failed) == 1, verdict.reason
    assert any(why in failed[0].message for why in ("not data a credential carries", "the PID Rulebook gives it",
                                                     "keys are not all text", "array of country codes")), failed
    assert json.dumps(verdict.to_json())


def test_a_pid_provider_s_odd_cbor_value_over_http_is_a_verdict_not_a_500(site: Site) -> None:
    issued, holder = _foreign_mdoc(site, _foreign_elements(family_name=cbor2.CBORTag(99, "Mallory")))
    verdict = _inspect(site, {UNNUMBERED_MDOC: lambda payload: _mdoc_answer(payload, UNNUMBERED_MDOC, issued, holder)})
    assert verdict["verdict"] == "invalid", verdict
    assert "Mallory" not in json.dumps(verdict)


def test_a_foreign_mdoc_pid_from_a_provider_not_authorised_for_pids_is_refused(site: Site) -> None:
    issued, holder = _foreign_mdoc(site, _foreign_elements(), entity="DE:DRV")
    verdict = _inspect(site, {UNNUMBERED_MDOC: lambda payload: _mdoc_answer(payload, UNNUMBERED_MDOC, issued, holder)})
    assert verdict["verdict"] == "invalid" and _steps(verdict, UNNUMBERED_MDOC)["issuer_authorised"] == "failed"


def test_a_national_pid_type_from_an_authorised_provider_is_accepted(site: Site) -> None:
    """§4.2: ``urn:eudi:pid:de:1`` extends ``urn:eudi:pid:1``; the German PID provider may issue it.
    Its extra claims (age_equal_or_over, address, sex) are not asked for and not shown."""
    credential, holder = _foreign_sd_jwt(site, "urn:eudi:pid:de:1", "DE:PID")
    verdict = _inspect(site, {UNNUMBERED: lambda payload: _sd_jwt_answer(payload, UNNUMBERED, credential, holder)})
    assert verdict["verdict"] == "valid", verdict
    assert next(c for c in verdict["credentials"] if c["query_id"] == UNNUMBERED)["vct"] == "urn:eudi:pid:de:1"
    assert verdict["person"]["family_name"] == "Schäfer" and verdict["person"]["birthdate"] == "1995-07-03"
    assert verdict["person"]["picture"].startswith("data:image/jpeg")


def test_a_foreign_pid_whose_expiry_is_selectively_disclosable_is_asked_for_it_and_its_expiry_checked(
        site: Site) -> None:
    """§2.4: date_of_expiry is mandatory, but a provider may make it selectively disclosable. The
    inspection asks for it, so a wallet answering as asked discloses it, and document_validity
    judges it: an expired PID is never valid, even while its token (exp) is still valid (beside an A1
    in force the verdict cannot be confirmed: an identity card answers who holds it)."""
    expired_on = date.today() - timedelta(days=1)
    credential, holder = _foreign_sd_jwt(site, pid.VCT, "DE:PID", expiry=expired_on)
    assert ("date_of_expiry",) in sd_jwt.disclosable_paths(credential)
    verdict = _inspect(site, {UNNUMBERED: lambda payload: _sd_jwt_answer(payload, UNNUMBERED, credential, holder)})
    assert verdict["verdict"] == "undetermined" and verdict["reason"].startswith(
        f"The identity document (PID) shown with it expired on {expired_on}:"), verdict
    assert _steps(verdict, UNNUMBERED)["document_validity"] == "failed"
    current, holder = _foreign_sd_jwt(site, pid.VCT, "DE:PID")
    verdict = _inspect(site, {UNNUMBERED: lambda payload: _sd_jwt_answer(payload, UNNUMBERED, current, holder)})
    assert verdict["verdict"] == "valid" and _steps(verdict, UNNUMBERED)["document_validity"] == "passed", verdict


@pytest.mark.parametrize(("vct", "entity", "step", "why"), [
    # a pension insurer is no PID provider
    ("urn:eudi:pid:de:1", "DE:DRV", "issuer_authorised", "not competent to issue this credential type"),
    # Latvia's provider does not issue Germany's type
    ("urn:eudi:pid:de:1", "LV:PID", "issuer_authorised", "national PID type of DE"),
    # not a type of the 32 states, so not one asked for
    ("urn:eudi:pid:us:1", "DE:PID", "query", "was not expected"),
])
def test_a_national_pid_type_from_a_provider_not_authorised_for_it_is_refused(site: Site, vct: str, entity: str,
                                                                              step: str, why: str) -> None:
    credential, holder = _foreign_sd_jwt(site, vct, entity)
    verdict = _inspect(site, {UNNUMBERED: lambda payload: _sd_jwt_answer(payload, UNNUMBERED, credential, holder)})
    assert verdict["verdict"] == "invalid" and why in verdict["reason"], verdict
    failed = {s["code"] for c in verdict["credentials"] for s in c["steps"] if s["result"] == "failed"}
    assert step in failed | {s["code"] for s in verdict["steps"] if s["result"] == "failed"}, verdict


def test_the_verifier_asks_for_every_national_pid_type_and_the_rulebooks_mdoc_names() -> None:
    query = profile_query("pda1")
    by_id = {q["id"]: q for q in query["credentials"]}
    vcts = by_id["pid"]["meta"]["vct_values"]
    assert vcts[0] == pid.VCT
    assert len(countries.COUNTRIES) == 32
    assert {f"urn:eudi:pid:{cc.lower()}:1" for cc in countries.COUNTRIES} <= set(vcts)
    assert all(v.startswith("urn:eudi:pid:") and v == v.lower() for v in vcts)
    assert [c["path"] for c in by_id["pid_mdoc"]["claims"]] == [[DOCTYPE, "family_name"], [DOCTYPE, "given_name"],
                                                                 [DOCTYPE, "birth_date"], [DOCTYPE, "portrait"],
                                                                 [DOCTYPE, "expiry_date"],
                                                                 [DOCTYPE, "personal_administrative_number"],
                                                                 [DOCTYPE, "issuing_country"]]


def test_the_inspection_asks_for_the_pids_expiry_first_whatever_the_provider_made_disclosable() -> None:
    """§2.4: date_of_expiry is mandatory metadata; a provider may make it selectively disclosable, so the
    inspection asks for it (as expiry_date in mdoc form), in the options a wallet tries first."""
    by_id = {q["id"]: q for q in profile_query("pda1")["credentials"]}
    for qid, name in (("pid", "date_of_expiry"), ("pid_mdoc", "expiry_date")):
        query = by_id[qid]
        expiry = next(c["id"] for c in query["claims"] if c["path"][-1] == name)
        # Twice: with the personal number and issuing country (holder_link), then without them.
        assert [expiry in option for option in query["claim_sets"]] == [True, True, False, False] * 2


def test_a_verifier_registered_for_the_pid_may_ask_for_the_same_facts_by_their_mdoc_names(site: Site) -> None:
    now = datetime.now(UTC)
    verifiers = site.wallet.trust.verifiers(now)
    chain = site.pki.access["AT:FINPOL"][1]
    requested = dcql.requested_claims(profile_query("pda1"))
    assert {"birth_date", "portrait", "birthdate", "picture"} <= set(requested[pid.VCT])
    assert trust_list.authorised_verifier(verifiers, chain, requested, at=now).id == "AT:FINPOL"
    assert trust_list.authorised_verifier(verifiers, chain, {"urn:eudi:pid:de:1": ["birthdate"]}, at=now)
    assert {"date_of_expiry", "expiry_date"} <= set(requested[pid.VCT])  # the same fact, by either name
    for asked in (["resident_address"], ["place_of_birth"], ["issuance_date"]):
        with pytest.raises(IssuerTrustError):
            trust_list.authorised_verifier(verifiers, chain, {pid.VCT: asked}, at=now)


# --- the wallet and the whole inspection in mdoc form ------------------------------------------------------


def test_the_wallet_shows_an_mdoc_pid_in_words_and_matches_rulebook_queries(site: Site) -> None:
    held = site.held(pid.VCT, "mso_mdoc")
    readable = core.readable_claims(held)
    assert readable["birthdate"] == "1988-04-12" and readable["nationalities"] == ["LV"]
    assert "12 April 1988" in core.describe(held.vct, readable, "en")
    rows = dict(core.claim_rows(held.vct, readable, "en"))
    assert rows["Date of birth"] == "12 April 1988" and rows["Issuing country"] == "Latvia"
    assert core.claim_label(held.vct, core.readable_path(held, ("birth_date",)), "en") == "Date of birth"
    assert core.claim_label(held.vct, core.readable_path(held, ("portrait",)), "de") == "Lichtbild"
    # A foreign PID with elements of its own, held only as mdoc: shown, never a crash.
    foreign = StoredCredential(**{**held.to_dict(), "last_status": None,
                                       "claims": verification.mdoc_json(_foreign_elements())})
    text = dict(core.claim_rows(pid.VCT, core.readable_claims(foreign), "en"))
    assert text["Date of birth"] == "3 July 1995" and "Wien" in text["address"]
    assert core.describe(pid.VCT, core.readable_claims(foreign), "fr").startswith("Lena Schäfer, né(e) le 3 juillet")
    assert core.type_title("urn:eudi:pid:de:1", "en") == "Person identification data"


def test_the_whole_inspection_pda1_and_pid_in_mdoc_form_over_http_is_valid(site: Site) -> None:
    """An inspector asking for both documents as ISO mdoc only: the reference wallet consents in
    words, answers with its mdoc copies (the PID's by the Rulebook's names) and the verdict is valid."""
    default = profile_query("pda1")
    # The PID with its number (the A1's holder link needs it), not the query for a PID without one.
    query = {"credentials": [q for q in default["credentials"]
                             if q["format"] == "mso_mdoc" and not q["id"].startswith("pid_unnumbered")]}
    request = site.inspector.request(dcql_query=query)
    consent = site.wallet.open_request(request["link"], "en")
    labels = {item.query_id: [c.label for c in item.claims] for item in consent.items}
    assert labels["pid_mdoc"] == ["Family name", "Given names", "Date of birth", "Personal identification number",
                                  "Issuing country", "Portrait", "Expiry date"]
    values = {c.label: c.value for c in next(i for i in consent.items if i.query_id == "pid_mdoc").claims}
    assert values["Date of birth"] == "12 April 1988"
    site.wallet.share(consent.id)
    verdict = site.inspector.result(request)["verdict"]
    assert verdict["verdict"] == "valid", verdict
    assert {c["query_id"] for c in verdict["credentials"]} == {"pda1_mdoc", "pid_mdoc"}
    assert _steps(verdict, "pid_mdoc")["document_validity"] == "passed"
    # The PID's personal number (an mdoc element of the same name) is the A1's (holder_link).
    assert [s["key"] for s in verdict["steps"] if s["code"] == "holder_link"] == ["holder_link.passed"]
    person = verdict["person"]
    assert (person["family_name"], person["birthdate"]) == (ANNA.pid["family_name"], ANNA.pid["birthdate"])
    assert person["picture"].startswith("data:image/jpeg;base64,/9j/")
    held = next(c for c in site.wallet.credentials() if c.vct == pda1.VCT and c.format == "mso_mdoc")
    assert person["documents"][0]["document_number"] == held.claims["document_number"]


def test_a_case_recorded_with_a_png_portrait_still_gets_its_mdoc_form_as_jpeg() -> None:
    """Cases recorded before the Rulebook's JPEG rule (PID_03) hold PNG portraits: their mdoc PID
    carries the same picture as a JPEG instead of not being issued at all."""
    from io import BytesIO

    from PIL import Image

    png = BytesIO()
    Image.new("RGB", (24, 32), (120, 80, 40)).save(png, format="PNG")
    claims = {"family_name": "Bērziņa", "given_name": "Anna", "birthdate": "1988-04-12",
              "picture": "data:image/png;base64," + base64.b64encode(png.getvalue()).decode("ascii")}
    portrait = pid.to_mdoc(claims)["portrait"]
    assert portrait.startswith(b"\xff\xd8\xff")
    with Image.open(BytesIO(portrait)) as image:
        assert image.format == "JPEG" and image.size == (24, 32)
    with pytest.raises(DataError, match="picture"):
        pid.to_mdoc({**claims, "picture": "data:image/png;base64,bm90IGEgcG5n"})


def test_a_legacy_png_portrait_declaring_a_huge_image_is_refused_before_it_is_decoded() -> None:
    """A small PNG may declare 20,000 x 20,000 pixels (a decompression bomb): the header is read,
    the image refused as a DataError, never decoded into gigabytes nor answered with a 500."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + \
        chunk(b"IEND", b"")
    claims = {"family_name": "Bērziņa", "given_name": "Anna", "birthdate": "1988-04-12",
              "picture": "data:image/png;base64," + base64.b64encode(bomb).decode("ascii")}
    with pytest.raises(DataError, match="picture"):
        pid.to_mdoc(claims)
