"""The verifier's API asking for a document without the PID, and the purpose its own queries state
(the gaps the last closing note left).

* An A1 shown alone through the API (a DCQL query of the caller's own, ``POST /api/requests``) is tied
  to the worker in front of the inspector by nothing but an identity document the inspector compares,
  as an EHIC shown alone is (credentials/verification.py ``_holder_link_steps``): valid with the words
  to check one when the A1 shows what such a document shows (section 1's name and date of birth, which
  our issuers sign into every A1 from :data:`credentials.pda1.HOLDER_SIGNED_FROM`; on an A1 signed
  before, a personal number of a state whose identity documents carry it,
  ``ESSPASS_VERIFIER_PID_NUMBER_STATES``), else undetermined (``holder_link.a1_no_pid_unnamed``). The
  API JSON, the inspector's page and the inspection records (JSON and CSV) say the same, by the same key.
* The purpose a query of the caller's own states to the worker's wallet follows what it asks for: an
  EHIC check's for the EHIC alone, the labour inspection's for the A1, a neutral one for anything else
  (OpenID4VP 1.0 §5.1 ``purpose`` is what the wallet shows on its consent screen); a deployment's own
  (``ESSPASS_VERIFIER_PURPOSES``) still wins, per check and language.

The registry, the issuer and the verifier run for real on loopback ports (esspass.stack); the worker's
wallet is the reference wallet, answering over HTTP.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials import ehic, i18n, mdoc, openid4vp, pda1, pid, sd_jwt, sd_jwt_vc, status_list
from credentials import verification as v
from credentials.demo_persons import DEMO_PERSONS
from credentials.jose import b64url_decode
from credentials.pki import load_demo_pki
from esspass.stack import Inspector, InspectorAuth, Stack, start_in_process, verifier_replica, wallet_holding
from verifier import messages
from verifier.service import profile_query
from verifier.settings import VerifierSettings
from wallet.keys import load_key

ANNA = DEMO_PERSONS[0]  # Latvian: her A1's personal code is on her Latvian identity documents


class Site:
    """An inspectorate's system using the verifier's API, and a worker's wallet holding a PID and an A1."""

    def __init__(self, stack: Stack, http: httpx.Client, wallet: Any) -> None:
        self.stack, self.http, self.wallet = stack, http, wallet
        self.inspector = Inspector(stack.verifier_url, http)

    def ask(self, query: dict[str, Any], url: str | None = None) -> dict[str, Any]:
        """A request for ``query`` made through the API (of ``url``, a replica, else the stack's verifier)."""
        response = self.http.post(f"{url or self.stack.verifier_url}/api/requests", json={"dcql_query": query})
        assert response.status_code == 201, response.text
        made: dict[str, Any] = response.json()
        return made

    def answered(self, query: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """``query`` asked through the API and answered by the worker's wallet: the request and the verdict."""
        request = self.ask(query)
        consent = self.wallet.open_request(request["link"], "en")
        assert consent.satisfiable, consent
        self.wallet.share(consent.id)
        result = self.inspector.result(request)
        assert result["status"] == "done", result
        return request, result

    def answered_with(self, query: dict[str, Any], credential: str, key: Any) -> tuple[dict[str, Any],
                                                                                       dict[str, Any]]:
        """``query`` (one SD-JWT VC) asked through the API and answered with ``credential``, bound to ``key``,
        disclosing what is asked: the request and the verdict."""
        request = self.ask(query)
        payload = json.loads(b64url_decode(self.http.get(request["request_uri"]).text.split(".")[1]))
        [asked] = payload["dcql_query"]["credentials"]
        shown = sd_jwt.present(credential, select=[tuple(c["path"]) for c in asked["claims"]], holder_key=key,
                               nonce=payload["nonce"], aud=payload["client_id"],
                               iat=int(datetime.now(UTC).timestamp()))
        form = openid4vp.build_response_form(payload, {"vp_token": {asked["id"]: [shown]}})
        assert self.http.post(payload["response_uri"], data=form).status_code == 200
        result = self.inspector.result(request)
        assert result["status"] == "done", result
        return request, result

    def reason_on_page(self, request: dict[str, Any], lang: str) -> str:
        """The verdict's reason as the inspector's page says it in ``lang``."""
        page = self.http.get(f"{self.stack.verifier_url}/inspect/{request['transaction_id']}/verdict?lang={lang}")
        assert page.status_code == 200, page.status_code
        body = page.text.split('class="reason">', 1)[1].split("</p>", 1)[0].split("</strong>", 1)[1]
        return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()

    def record(self, proof_id: str) -> tuple[dict[str, Any], dict[str, str]]:
        """The inspection record of today with the proof ``proof_id``, from the API's JSON and its CSV."""
        day = datetime.now(VerifierSettings(data_dir=self.stack.data_dir).zone()).date().isoformat()
        listed = self.http.get(f"{self.stack.verifier_url}/api/records", params={"from": day, "to": day})
        assert listed.status_code == 200, listed.text
        as_json = next(r for r in listed.json()["records"] if r["id"] == proof_id)
        text = self.http.get(f"{self.stack.verifier_url}/api/records.csv", params={"from": day, "to": day}).text
        as_csv = next(r for r in csv.DictReader(io.StringIO(text)) if r["id"] == proof_id)
        return as_json, as_csv


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data_dir: Path = tmp_path_factory.mktemp("api-alone")
    with start_in_process(data_dir) as stack, \
            httpx.Client(timeout=60, auth=InspectorAuth(stack.inspector_token)) as http:
        wallet = wallet_holding(stack, data_dir, http, ANNA)
        try:
            yield Site(stack, http, wallet)
        finally:
            wallet.http.close()


def _a1_alone(*names: str) -> dict[str, Any]:
    """A query of the caller's own for the A1 (SD-JWT VC) alone, asking for ``names``."""
    return {"credentials": [{"id": "a1", "format": "dc+sd-jwt", "meta": {"vct_values": [pda1.VCT]},
                             "claims": [{"id": f"c{i}", "path": [n]} for i, n in enumerate(names)]}]}


_A1_FACTS = ("document_number", "legislation_country", "status_confirmation", "starting_date", "ending_date",
             "employer", "issuing_country")


def _a1_signed_before_it_named_its_holder(site: Site) -> tuple[str, Any]:
    """Anna's A1 as LV:VSAA signed it the day before section 1's names were signed into every A1
    (:data:`credentials.pda1.HOLDER_SIGNED_FROM`), still in her wallet: the wallet's A1 signed again
    without them, for the same key and status entry; and the wallet's key."""
    held = next(c for c in site.wallet.credentials() if c.vct == pda1.VCT and c.format == "dc+sd-jwt")
    signed = sd_jwt.parse(held.credential).issuer_jws.payload
    claims = {k: x for k, x in sd_jwt.unverified_claims(held.credential).items()
              if k not in {*pda1.HOLDER_CLAIMS, *sd_jwt_vc.NEVER_DISCLOSABLE, "iat", "_sd_alg"}}
    key, chain = load_demo_pki(site.stack.data_dir / "pki").signers["LV:VSAA"]
    iat = int(datetime.combine(pda1.HOLDER_SIGNED_FROM - timedelta(days=1), time(12), UTC).timestamp())
    credential = sd_jwt_vc.issue_vc(vct=pda1.VCT, claims=claims, sd_paths=pda1.SD_PATHS,
                                    holder_jwk=signed["cnf"]["jwk"], issuer_key=key, x5c=chain, iss=signed["iss"],
                                    iat=iat, nbf=iat, exp=signed["exp"],
                                    status=status_list.StatusReference.from_claim(signed["status"]))
    return credential, load_key(held.private_key)


def _holder_steps(verdict: dict[str, Any]) -> list[tuple[str, str]]:
    return [(s["result"], s["key"]) for s in verdict["steps"] if s["code"] == "holder_link"]


# --- an A1 shown alone --------------------------------------------------------------------------------

def test_an_a1_shown_alone_with_a_personal_code_identity_documents_carry_is_valid_with_the_words_to_check_one(
        site: Site) -> None:
    """Anna's Latvian A1, signed before it named its holder, with her personal code (Latvia's identity
    documents carry it): valid, and the reason, on the API, the page (each language) and the records, says
    to check an identity document."""
    request, result = site.answered_with(_a1_alone("personal_administrative_number", *_A1_FACTS),
                                         *_a1_signed_before_it_named_its_holder(site))
    verdict = result["verdict"]
    assert verdict["verdict"] == "valid", verdict
    assert verdict["reason_key"] == "holder_link.a1_no_pid", verdict
    assert "check an identity document showing the A1's personal identification number" in verdict["reason"], \
        verdict["reason"]
    assert _holder_steps(verdict) == [("passed", "holder_link.a1_no_pid")]
    assert [c["query_id"] for c in verdict["credentials"]] == ["a1"]
    for lang in i18n.LANGUAGES:
        said = site.reason_on_page(request, lang)
        assert said == messages.reason_text({"reason_key": "holder_link.a1_no_pid"}, lang), (lang, said)
    assert "check an identity document" in site.reason_on_page(request, "en")
    as_json, as_csv = site.record(result["proof_id"])
    assert (as_json["verdict"], as_json["reason_key"]) == ("valid", "holder_link.a1_no_pid")
    assert (as_csv["verdict"], as_csv["reason_key"]) == ("valid", "holder_link.a1_no_pid")


def test_an_a1_shown_alone_with_its_personal_code_withheld_cannot_be_confirmed(site: Site) -> None:
    """The same A1 asked for without its personal code (the wallet discloses only what is asked): it
    shows nothing an identity document shows, so "valid, check an identity document" would pass
    anyone holding the phone. Undetermined, with the reason, everywhere."""
    request, result = site.answered_with(_a1_alone(*_A1_FACTS), *_a1_signed_before_it_named_its_holder(site))
    verdict = result["verdict"]
    assert verdict["verdict"] == "undetermined", verdict
    assert verdict["reason_key"] == "holder_link.a1_no_pid_unnamed", verdict
    assert "Ask for the PID with the A1" in verdict["reason"], verdict["reason"]
    assert _holder_steps(verdict) == [("not_run", "holder_link.a1_no_pid_unnamed")]
    for lang in i18n.LANGUAGES:
        said = site.reason_on_page(request, lang)
        assert said == messages.reason_text({"reason_key": "holder_link.a1_no_pid_unnamed"}, lang), (lang, said)
    as_json, as_csv = site.record(result["proof_id"])
    assert (as_json["verdict"], as_json["reason_key"]) == ("undetermined", "holder_link.a1_no_pid_unnamed")
    assert (as_csv["verdict"], as_csv["reason_key"]) == ("undetermined", "holder_link.a1_no_pid_unnamed")


def test_an_a1_naming_its_holder_shown_alone_with_its_personal_code_withheld_is_valid_with_the_words_to_check_one(
        site: Site) -> None:
    """Anna's A1 as the issuer signs it now, asked for without its personal code: it still shows section 1's
    surname, forenames and date of birth (never selectively disclosable), which an identity document shows.
    Valid, with the words to check one of the worker it names, everywhere."""
    request, result = site.answered(_a1_alone(*_A1_FACTS))
    verdict = result["verdict"]
    assert verdict["verdict"] == "valid", verdict
    assert verdict["reason_key"] == "holder_link.a1_no_pid", verdict
    assert "check an identity document of the worker it names" in verdict["reason"], verdict["reason"]
    assert _holder_steps(verdict) == [("passed", "holder_link.a1_no_pid")]
    for lang in i18n.LANGUAGES:
        said = site.reason_on_page(request, lang)
        assert said == messages.reason_text({"reason_key": "holder_link.a1_no_pid"}, lang), (lang, said)
    as_json, as_csv = site.record(result["proof_id"])
    assert (as_json["verdict"], as_json["reason_key"]) == ("valid", "holder_link.a1_no_pid")
    assert (as_csv["verdict"], as_csv["reason_key"]) == ("valid", "holder_link.a1_no_pid")


def test_an_a1_asked_for_with_the_pid_through_the_api_is_still_tied_by_the_personal_number(site: Site) -> None:
    """The inspection profile (A1 and PID) is what it was: the two tied by the same personal number."""
    _request, result = site.answered(profile_query("pda1"))
    verdict = result["verdict"]
    assert verdict["verdict"] == "valid", verdict
    assert _holder_steps(verdict) == [("passed", "holder_link.passed")]
    assert verdict["reason_key"] == "", verdict


def _vouched_a1(claims: dict[str, Any], vct: str = pda1.VCT) -> v.CredentialResult:
    return v.CredentialResult("a1", vct=vct, claims=claims, issuer_id="LV:VSAA", steps=[
        v.Step("issuer_authorised", v.PASSED, ""), v.Step("key_binding", v.PASSED, "")])


@pytest.mark.parametrize(("claims", "states", "outcome"), [
    ({"personal_administrative_number": "120488-10012", "issuing_country": "LV"}, ("LV", "PL"),
     (v.PASSED, "holder_link.a1_no_pid")),
    ({"personal_administrative_number": "79113000011", "issuing_country": "pl"}, ("LV", "PL"),
     (v.PASSED, "holder_link.a1_no_pid")),
    ({"personal_administrative_number": "DEMO-DE-65030395", "issuing_country": "DE"}, ("LV", "PL"),
     (v.NOT_RUN, "holder_link.a1_no_pid_unnamed")),
    ({"personal_administrative_number": "120488-10012", "issuing_country": "LV"}, (),
     (v.NOT_RUN, "holder_link.a1_no_pid_unnamed")),
    ({"personal_administrative_number": " - ", "issuing_country": "LV"}, ("LV",),
     (v.NOT_RUN, "holder_link.a1_no_pid_unnamed")),
    ({"issuing_country": "LV"}, ("LV",), (v.NOT_RUN, "holder_link.a1_no_pid_unnamed")),
], ids=["latvian-code", "polish-pesel", "german-number", "no-state-listed", "separators-only", "withheld"])
def test_an_a1_without_a_pid_passes_only_on_a_personal_number_identity_documents_carry(
        claims: dict[str, Any], states: tuple[str, ...], outcome: tuple[str, str]) -> None:
    """A German insurance number is on no identity document: shown alone it ties the A1 to no one."""
    [step] = v._holder_link_steps([_vouched_a1(claims)], states)
    assert (step.result, step.key) == outcome


def test_an_a1_and_an_ehic_without_a_pid_each_get_their_own_words() -> None:
    card = v.CredentialResult("card", vct=ehic.VCT, claims={"personal_administrative_number": "X-1",
                                                             "issuing_country": "LV"}, issuer_id="LV:NVD",
                              steps=[v.Step("key_binding", v.PASSED, "")])
    steps = v._holder_link_steps([_vouched_a1({"issuing_country": "LV"}), card], ("LV",))
    assert [(s.result, s.key) for s in steps] == [(v.NOT_RUN, "holder_link.a1_no_pid_unnamed"),
                                                  (v.PASSED, "holder_link.no_pid")]


@pytest.mark.parametrize("key", ["holder_link.a1_no_pid", "holder_link.a1_no_pid_unnamed"])
def test_the_a1_alone_reasons_are_worded_in_the_five_languages(key: str) -> None:
    english = messages.reason_text({"reason_key": key}, "en")
    for lang in i18n.LANGUAGES:
        text = messages.reason_text({"reason_key": key}, lang)
        assert text and "{" not in text, (lang, text)
        assert lang == "en" or text != english, (lang, text)


# --- the purpose a query of the caller's own states ------------------------------------------------

def _purpose(site: Site, request: dict[str, Any], lang: str) -> str:
    """The purpose the worker's wallet shows for ``request``, in ``lang``."""
    purpose: str = site.wallet.open_request(request["link"], lang).purpose
    return purpose


_EHIC_ALONE = {"credentials": [{"id": "card", "format": "dc+sd-jwt", "meta": {"vct_values": [ehic.VCT]},
                                "claims": [{"path": ["personal_administrative_number"]}]},
                               {"id": "card_mdoc", "format": "mso_mdoc",
                                "meta": {"doctype_value": mdoc.DOCTYPES[ehic.CONFIGURATION_ID]},
                                "claims": [{"path": [mdoc.DOCTYPES[ehic.CONFIGURATION_ID], "document_number"]}]},
                               {"id": "person", "format": "dc+sd-jwt", "meta": {"vct_values": [pid.VCT]},
                                "claims": [{"path": ["family_name"]}]}],
               "credential_sets": [{"options": [["card"], ["card_mdoc"]]},
                                   {"options": [["person"]], "required": False}]}
_MIXED = {"credentials": [{"id": "a1", "format": "dc+sd-jwt", "meta": {"vct_values": [pda1.VCT]}},
                          {"id": "card", "format": "dc+sd-jwt", "meta": {"vct_values": [ehic.VCT]}}]}


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_a_custom_query_for_the_ehic_states_the_ehic_checks_purpose_not_a_labour_inspection(
        site: Site, lang: str) -> None:
    request = site.ask(_EHIC_ALONE)
    assert _purpose(site, request, lang) == messages.translator(lang)("purpose.ehic")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_a_custom_query_for_the_a1_and_the_ehic_states_a_neutral_purpose(site: Site, lang: str) -> None:
    shown = _purpose(site, site.ask(_MIXED), lang)
    assert shown == messages.translator(lang)("purpose.other")
    assert shown not in (messages.translator(lang)("purpose.pda1"), messages.translator(lang)("purpose.ehic"))
    if lang == "en":
        assert "inspection" not in shown.lower(), shown


def test_a_custom_query_for_the_a1_states_the_labour_inspections_purpose(site: Site) -> None:
    assert _purpose(site, site.ask(_a1_alone(*_A1_FACTS)), "lv") == messages.translator("lv")("purpose.pda1")


def test_a_deployments_own_ehic_purpose_is_stated_for_a_custom_ehic_query_too(site: Site) -> None:
    """ESSPASS_VERIFIER_PURPOSES names the EHIC check's purpose (a hospital's words, in two languages):
    a query of its systems' own for the EHIC states those words, as the page's EHIC check does; its A1
    check keeps ours."""
    own = {"en": "Riga East Hospital: your card, for the cost of your care.",
           "lv": "Rīgas Austrumu slimnīca: jūsu karte ārstēšanas izmaksām."}
    with verifier_replica(site.stack, purposes={"ehic": own}) as (_service, url):
        ehic_request = site.ask(_EHIC_ALONE, url)
        a1_request = site.ask(_a1_alone(*_A1_FACTS), url)
        for lang in ("en", "lv"):
            assert _purpose(site, ehic_request, lang) == own[lang]
        assert _purpose(site, ehic_request, "de") == own["en"]  # the text sent as purpose for any other
        assert _purpose(site, a1_request, "en") == messages.translator("en")("purpose.pda1")
