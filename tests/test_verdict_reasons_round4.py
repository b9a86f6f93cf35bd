"""What a verdict says, and by which key (review round 4): the reason of a presentation that fails its
own checks, of a trust list held past its maximum age, and of getting the lists without network.

* OpenID4VP 1.0 §8.6 (standards.md §5.5 step 2, §8.4 item 6): a presentation bound to another
  audience, nonce, response_uri or key fails holder binding, and the verdict says so, by the step
  that failed (``key_binding.failed``), not "a presentation could not be read" (``query.failed``),
  which is kept for what cannot be read at all (``query.unreadable``).
* ARCHITECTURE.md "trust_list": a TrustListClient never serves a list older than its ``max_age``;
  the verdict is then undetermined, and says that the list held is too old, how old, and what the
  maximum is (``issuer_authorised.trust_list_too_old``), not that the device holds none.
* The offline page's "Get the lists for a site without network", pressed without network, says
  that nothing could be fetched now, not that 0 lists are ready.

The core tests run the pipeline on a registry seeded with the demo PKI (tests/test_verification.py);
the others run the registry, the issuer and the verifier for real on loopback ports (esspass.stack).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cbor2
import httpx
import pytest
from test_openid4vp_conformance import World as OnlineWorld
from test_status_client_round4 import Site, prepared_site
from test_verification import ANNA, NOW, _world_in
from test_verification import World as CoreWorld

from credentials import i18n, mdoc, openid4vp, pda1, pid, status_list, verification
from credentials.demo_persons import DEMO_PERSONS
from credentials.jose import b64url_encode, generate_key, sign_jws
from credentials.sd_jwt import present, unverified_claims
from esspass.stack import Inspector, InspectorAuth, start_in_process, wallet_holding
from verifier import messages
from verifier.service import profile_query
from verifier.settings import VerifierSettings

PERSON = DEMO_PERSONS[0]
AUD = "x509_hash:inspectorate"
RESPONSE_URI = "https://verifier.example/responses/1"
UNREADABLE = "A presentation could not be read, so the request is not answered."
DAY, HOUR = 86400, 3600


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CoreWorld]:
    with _world_in(tmp_path_factory.mktemp("reasons")) as shared:
        yield shared


# --- 1. a presentation failing its own checks: the verdict names the check ------------------------------

def _kb_jwt(presented: str, key: Any, *, typ: str = "kb+jwt", **claims: Any) -> str:
    """A KB-JWT over ``presented`` (RFC 9901 §4.3) with ``claims`` over the right ones (None removes one)."""
    digest = b64url_encode(hashlib.sha256(presented.encode("ascii")).digest())
    payload = {"iat": int(NOW.timestamp()), "aud": AUD, "nonce": "the-nonce", "sd_hash": digest, **claims}
    return sign_jws({"typ": typ}, {k: v for k, v in payload.items() if v is not None}, key)


_KEY_BINDING_FAULTS: dict[str, Any] = {
    "another audience": lambda shown, key: shown + _kb_jwt(shown, key, aud="https://wrong.example/audience"),
    "another nonce": lambda shown, key: shown + _kb_jwt(shown, key, nonce="another-nonce"),
    "another sd_hash": lambda shown, key: shown + _kb_jwt(shown, key, sd_hash=b64url_encode(b"\0" * 32)),
    "a stale iat": lambda shown, key: shown + _kb_jwt(shown, key, iat=int(NOW.timestamp()) - 3600),
    "no iat": lambda shown, key: shown + _kb_jwt(shown, key, iat=None),
    "typ JWT": lambda shown, key: shown + _kb_jwt(shown, key, typ="JWT"),
    "another key": lambda shown, key: shown + _kb_jwt(shown, generate_key()),
    "no KB-JWT": lambda shown, key: shown,
}


def _answer_with_a1(world: CoreWorld, make_a1: Any) -> verification.Verdict:
    """The inspection profile answered with the PID as asked and the A1 as ``make_a1(presented, holder_key)``
    makes it from the A1's disclosures as asked (no KB-JWT)."""
    query = profile_query("pda1")
    asked = {q["id"]: [tuple(c["path"]) for c in q["claims"]] for q in query["credentials"]}
    a1, a1_key = world.issue(pda1, ANNA.pda1, "LV:VSAA")
    person, person_key = world.issue(pid, ANNA.pid, "LV:PID")
    shown_a1 = present(a1, select=[p for p in asked["pda1"] if p[0] in unverified_claims(a1)], holder_key=None,
                       nonce=None, aud=None, iat=int(NOW.timestamp()))
    shown_pid = present(person, select=[p for p in asked["pid"] if p[0] in unverified_claims(person)],
                        holder_key=person_key, nonce="the-nonce", aud=AUD, iat=int(NOW.timestamp()))
    return verification.verify_response({"pda1": [make_a1(shown_a1, a1_key)], "pid": [shown_pid]}, query=query,
                                        nonce="the-nonce", audience=AUD, issuers=world.issuers(), trust_list_age=0,
                                        now=NOW, status_lookup=world.lookup)


def _credential_step(verdict: verification.Verdict, query_id: str, code: str) -> verification.Step:
    credential = next(c for c in verdict.credentials if c.query_id == query_id)
    return next(s for s in credential.steps if s.code == code)


@pytest.mark.parametrize("fault", list(_KEY_BINDING_FAULTS))
def test_oid4vp_8_6_a_presentation_failing_its_key_binding_is_invalid_for_that_reason(world: CoreWorld,
                                                                                       fault: str) -> None:
    """§8.6: a KB-JWT for another audience, nonce, presentation or key, stale, untyped, or missing is a
    holder-binding failure: the verdict is invalid and its reason is that check's, key and words."""
    verdict = _answer_with_a1(world, _KEY_BINDING_FAULTS[fault])
    step = _credential_step(verdict, "pda1", "key_binding")
    assert verdict.verdict == verification.INVALID and step.result == verification.FAILED, verdict.reason
    assert verdict.reason_key == "key_binding.failed", verdict.reason_key
    assert verdict.reason == step.message and UNREADABLE not in verdict.reason, verdict.reason
    json = verdict.to_json()
    assert json["reason_key"] == "key_binding.failed" and json["reason"] == step.message
    query = next(s for s in verdict.steps if s.code == "query")
    assert query.result == verification.NOT_RUN and query.reason_key == "query.presentation_failed", query


def _mdoc_a1(world: CoreWorld, transcript: bytes) -> str:
    """Anna's A1 as ISO mdoc, its elements as the inspection profile asks, device-signed over ``transcript``."""
    key, chain = world.pki.signers["LV:VSAA"]
    uri = "https://issuer.example/LV:VSAA/status/1"
    world.lists.setdefault(uri, (status_list.StatusList(1024, bits=2), key, chain))
    device = generate_key()
    claims = pda1.validate(ANNA.pda1)
    issued = mdoc.issue(doctype=mdoc.DOCTYPES["pda1"], claims=claims, device_key=device.public_key(),
                        issuer_key=key, x5chain=chain, signed=NOW - timedelta(hours=1),
                        valid_until=NOW + timedelta(days=365), status=status_list.StatusReference(3, uri))
    asked = next(q for q in profile_query("pda1")["credentials"] if q["id"] == "pda1_mdoc")
    names = {c["path"][1] for c in asked["claims"]} & set(claims)
    return b64url_encode(mdoc.present(issued, select=names, device_key=device, session_transcript=transcript))


def _transcript(*, nonce: str = "the-nonce", response_uri: str = RESPONSE_URI) -> bytes:
    return mdoc.openid4vp_session_transcript(client_id=AUD, nonce=nonce, jwk_thumbprint=None,
                                             response_uri=response_uri)


def _rewritten(answer: str, change: Any) -> str:
    """The DeviceResponse ``answer`` decoded, changed by ``change`` and encoded again (the signed parts,
    tag-24 byte strings and COSE messages, byte for byte as they were)."""
    response = cbor2.loads(base64.urlsafe_b64decode(answer + "=" * (-len(answer) % 4)))
    change(response)
    return b64url_encode(cbor2.dumps(response))


_MDOC_FAULTS: dict[str, tuple[Any, str, str]] = {
    # name: (the answer from a genuine one signed over this request's transcript, step, words of its message)
    "signed for another nonce": (lambda world: _mdoc_a1(world, _transcript(nonce="another-nonce")), "key_binding",
                                 ""),
    "signed for another response_uri": (lambda world: _mdoc_a1(world, _transcript(
        response_uri="https://relay.example/responses/1")), "key_binding", ""),
    "status 10": (lambda world: _rewritten(_mdoc_a1(world, _transcript()), lambda r: r.update(status=10)),
                  "disclosures", "status is 10"),
    "two documents": (lambda world: _rewritten(_mdoc_a1(world, _transcript()),
                                               lambda r: r.update(documents=r["documents"] * 2)),
                      "disclosures", "exactly one document"),
}


@pytest.mark.parametrize("fault", list(_MDOC_FAULTS))
def test_oid4vp_8_6_an_mdoc_failing_its_own_checks_is_invalid_for_that_reason(world: CoreWorld, fault: str) -> None:
    """OpenID4VP App. B.2.6.1, ISO 18013-5 §8.3.2.1.2.2: an mdoc device-signed over another request's
    SessionTranscript fails holder binding; a DeviceResponse with an error status or two documents
    fails its own reading. Either way the verdict's reason is the step that failed, with its words."""
    make, code, words = _MDOC_FAULTS[fault]
    query = {"credentials": [next(q for q in profile_query("pda1")["credentials"] if q["id"] == "pda1_mdoc")]}
    verdict = verification.verify_response({"pda1_mdoc": [make(world)]}, query=query, nonce="the-nonce",
                                           audience=AUD, issuers=world.issuers(), trust_list_age=0, now=NOW,
                                           status_lookup=world.lookup, session_transcript=_transcript())
    step = _credential_step(verdict, "pda1_mdoc", code)
    assert verdict.verdict == verification.INVALID and step.result == verification.FAILED, verdict.reason
    assert verdict.reason_key == f"{code}.failed" and verdict.reason == step.message, verdict.reason
    assert words in verdict.reason and UNREADABLE not in verdict.reason


@pytest.mark.parametrize(("query_id", "presentation"), [
    ("pda1", "this is no SD-JWT"),
    ("pda1", "eyJhbGciOiJFUzI1NiJ9.e30~"),
    ("pda1_mdoc", "not base64url!"),
    ("pda1_mdoc", b64url_encode(b"\xff\x00 not CBOR")),
])
def test_a_presentation_that_cannot_be_read_is_said_to_be_unreadable(world: CoreWorld, query_id: str,
                                                                      presentation: str) -> None:
    """A presentation that cannot even be decoded (no SD-JWT, no DeviceResponse) has no check of its own
    to name: the verdict says it could not be read, by a key of its own (the page's words for
    ``query.failed`` are of an answer not holding what was asked for)."""
    query = {"credentials": [next(q for q in profile_query("pda1")["credentials"] if q["id"] == query_id)]}
    verdict = verification.verify_response({query_id: [presentation]}, query=query, nonce="the-nonce",
                                           audience=AUD, issuers=world.issuers(), trust_list_age=0, now=NOW,
                                           status_lookup=world.lookup, session_transcript=_transcript())
    assert verdict.verdict == verification.INVALID
    assert verdict.reason == UNREADABLE and verdict.reason_key == "query.unreadable", (verdict.reason,
                                                                                       verdict.reason_key)


#: Every reason key a presentation failing its own checks can now give, and the trust list's.
SURFACING = ("disclosures.failed", "issuer_signature.failed", "issuer_chain.failed", "issuer_authorised.failed",
             "key_binding.failed", "token_validity.failed", "query.failed", "query.unreadable",
             "query.presentation_failed", "issuer_authorised.trust_list_too_old",
             "issuer_authorised.key_revoked", "issuer_authorised.suspended", "issuer_authorised.inactive_at_issuance",
             "issuer_authorised.not_listed")


@pytest.mark.parametrize("key", SURFACING)
def test_every_reason_a_verdict_can_now_give_is_worded_in_the_five_languages(key: str) -> None:
    """Pages translate a reason by its key (ARCHITECTURE.md): each that can surface has its words in EN,
    LV, DE, FR and PL, and the records page, which has the key alone, shows no placeholder."""
    assert f"verifier.reason.{key}" in i18n.catalogue_keys()
    english = messages.reason_text({"reason_key": key}, "en")
    for lang in i18n.LANGUAGES:
        text = messages.reason_text({"reason_key": key}, lang)
        assert text and "{" not in text, (lang, text)
        assert lang == "en" or text != english, (lang, text)


# --- 2. a trust list held past its maximum age -----------------------------------------------------------

def _too_old(offline: bool) -> verification.Verdict:
    age, maximum = 8 * DAY + 3 * HOUR, 7 * DAY
    if offline:
        return verification.verify_offline("EP1:anything", issuers=None, trust_list_age=age, trust_list_max_age=maximum,
                                           now=NOW, status_lookup=lambda *a: verification.StatusOutcome(None, None, ""))
    return verification.verify_response({"pda1": ["x"]}, query=profile_query("pda1"), nonce="n", audience=AUD,
                                        issuers=None, trust_list_age=age, trust_list_max_age=maximum, now=NOW,
                                        status_lookup=lambda *a: verification.StatusOutcome(None, None, ""))


@pytest.mark.parametrize("offline", [True, False])
def test_a_trust_list_past_its_maximum_age_is_said_to_be_too_old_not_missing(offline: bool) -> None:
    """The verdict stays undetermined (fail closed) and says that the list held is too old, how old,
    the maximum, and to get the lists again where there is network; the age is in the answer."""
    verdict = _too_old(offline)
    assert verdict.verdict == verification.UNDETERMINED
    assert verdict.reason_key == "issuer_authorised.trust_list_too_old", verdict.reason_key
    assert verdict.reason == ("The trust list held on this device is 8 days and 3 hours old, more than the 7 days "
                              "allowed: get the lists again where there is network."), verdict.reason
    json = verdict.to_json()
    assert json["trust_list_age_seconds"] == 8 * DAY + 3 * HOUR
    assert json["reason_params"] == {"age_seconds": 8 * DAY + 3 * HOUR, "max_age_seconds": 7 * DAY}


@pytest.mark.parametrize(("age", "maximum", "said"), [
    (114, 60, "2 minutes old, more than the 1 minute allowed"),
    (7 * DAY + 30 * 60, 7 * DAY, "7 days and 1 hour old, more than the 7 days allowed"),
    (8 * DAY + 3 * HOUR, 7 * DAY, "8 days and 3 hours old, more than the 7 days allowed"),
    (12 * DAY + HOUR, 10 * DAY, "13 days old, more than the 10 days allowed"),
])
def test_an_age_just_past_the_maximum_never_reads_as_the_maximum_itself(age: float, maximum: float,
                                                                        said: str) -> None:
    """Durations are written rounded down ("7 days" for 7 days and 30 minutes): past the maximum, the
    age is rounded up instead, so the sentence never says "7 days old, more than the 7 days allowed"."""
    verdict = verification.verify_offline("EP1:anything", issuers=None, trust_list_age=age, trust_list_max_age=maximum,
                                          now=NOW, status_lookup=lambda *a: verification.StatusOutcome(None, None, ""))
    assert said in verdict.reason, verdict.reason
    params = verdict.to_json()["reason_params"]
    assert messages.duration_words(params["age_seconds"], "en") in said


@pytest.mark.parametrize("offline", [True, False])
def test_a_device_never_prepared_still_says_it_holds_no_trust_list(offline: bool) -> None:
    if offline:
        verdict = verification.verify_offline("EP1:anything", issuers=None, trust_list_age=None, now=NOW,
                                              status_lookup=lambda *a: verification.StatusOutcome(None, None, ""))
        assert verdict.reason == "No trust list is cached on this device."
    else:
        verdict = verification.verify_response({}, query=profile_query("pda1"), nonce="n", audience=AUD, issuers=None,
                                               trust_list_age=None, now=NOW,
                                               status_lookup=lambda *a: verification.StatusOutcome(None, None, ""))
        assert verdict.reason == "No trust list is available to check the institutions."
    assert verdict.verdict == verification.UNDETERMINED and verdict.reason_key == "issuer_authorised.not_run"
    assert "reason_params" not in verdict.to_json()


@pytest.mark.parametrize(("lang", "age", "maximum"), [
    ("en", "8 days and 3 hours", "7 days"),
    ("lv", "8 dienas un 3 stundas", "7 dienas"),
    ("de", "8 Tage und 3 Stunden", "7 Tage"),
    ("fr", "8 jours et 3 heures", "7 jours"),
    ("pl", "8 dni i 3 godziny", "7 dni"),
])
def test_the_page_says_how_old_the_trust_list_held_is_in_its_language(lang: str, age: str, maximum: str) -> None:
    text = messages.reason_text(_too_old(True).to_json(), lang)
    assert age in text and maximum in text and "{" not in text, text


@pytest.mark.parametrize(("seconds", "lang", "words"), [
    (DAY, "en", "1 day"), (21 * DAY, "lv", "21 diena"), (11 * DAY, "lv", "11 dienas"), (21 * DAY, "pl", "21 dni"),
    (HOUR, "pl", "1 godzina"), (22 * HOUR, "pl", "22 godziny"), (25 * HOUR, "pl", "25 godzin"),
    (DAY, "fr", "1 jour"), (30 * 60, "de", "30 Minuten"), (47 * HOUR, "en", "47 hours"),
    (2 * DAY + 5 * HOUR, "de", "2 Tage und 5 Stunden"), (12 * DAY + 5 * HOUR, "en", "12 days"),
])
def test_durations_are_written_as_people_read_them(seconds: int, lang: str, words: str) -> None:
    """Days from two days on (with the hours below ten days), hours below that, minutes below an hour,
    each language's plural forms (LV: 21 diena; PL: 22 godziny, 25 godzin)."""
    assert messages.duration_words(seconds, lang) == words


# --- end to end: the verifier's API, pages and records -------------------------------------------------

@pytest.fixture(scope="module")
def online(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OnlineWorld]:
    from credentials.pki import load_demo_pki

    data_dir = tmp_path_factory.mktemp("online")
    with start_in_process(data_dir) as stack, httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        wallet = wallet_holding(stack, data_dir, http, PERSON)
        yield OnlineWorld(stack, http, wallet, load_demo_pki(data_dir / "pki"))
        wallet.http.close()


def _records_today(world: OnlineWorld) -> list[dict[str, Any]]:
    day = datetime.now(VerifierSettings(data_dir=world.stack.data_dir).zone()).date().isoformat()
    response = world.http.get(f"{world.stack.verifier_url}/api/records", params={"from": day, "to": day,
                                                                                 "limit": 1000})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["records"]
    return found


@pytest.mark.parametrize("aud", ["https://wrong.example/audience"])
def test_oid4vp_8_6_key_binding_failure_verdict_names_key_binding(online: OnlineWorld, aud: str) -> None:
    """OpenID4VP §8.6 / standards.md §5.5 step 2 and §8.4 item 6: a presentation whose KB-JWT is bound to
    another audience is read fine and fails holder binding. The verdict's reason says that
    (``key_binding.failed``), not 'A presentation could not be read' (``query.failed``), and the
    inspection record keeps that key (API and CSV)."""
    inspector = Inspector(online.stack.verifier_url, online.http)
    request = inspector.request("pda1", response_mode="direct_post")
    payload = online.request_object(request)
    form = openid4vp.build_response_form(payload, {"vp_token": online.vp_token(payload, aud=aud)})
    assert online.http.post(payload["response_uri"], data=form).status_code == 200
    result = inspector.result(request)
    verdict = result["verdict"]
    assert verdict["verdict"] == "invalid"
    assert "could not be read" not in verdict["reason"], verdict["reason"]
    assert verdict["reason_key"] == "key_binding.failed", verdict
    proof = online.http.get(f"{online.stack.verifier_url}{result['proof_url']}").text
    jti = _jti(proof)
    assert next(r for r in _records_today(online) if r["id"] == jti)["reason_key"] == "key_binding.failed"
    day = datetime.now(VerifierSettings(data_dir=online.stack.data_dir).zone()).date().isoformat()
    rows = csv.DictReader(io.StringIO(online.http.get(f"{online.stack.verifier_url}/records/day.csv",
                                                      params={"date": day}).text))
    assert next(r for r in rows if r["id"] == jti)["reason_key"] == "key_binding.failed"


def _jti(proof: str) -> str:
    from credentials.jose import decode_jws

    return str(decode_jws(proof).payload["jti"])


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """A verifier that fetched its lists, on a site where the network then goes away."""
    with prepared_site(tmp_path) as s:
        yield s


def test_a_trust_list_past_its_maximum_age_is_said_to_be_too_old_with_its_age_not_missing(site: Site) -> None:
    """Eight days on a site without network (the trust list's maximum age is a week): the verdict is
    undetermined, and says that the list held is too old and how old, so that the inspector knows to
    get the lists again; not that no list is cached on this device. The API, the page (in each
    language) and the inspection record say it."""
    site.stack.stop("registry")
    site.stack.stop("issuer")
    shift = timedelta(days=8)
    site.stack.restart_verifier(ahead=shift)
    verdict = site.offline(datetime.now(UTC) + shift).json()
    assert verdict["verdict"] == "undetermined", verdict
    assert "No trust list is cached" not in verdict["reason"], verdict["reason"]
    assert verdict["trust_list_age_seconds"] is not None and verdict["trust_list_age_seconds"] > 8 * DAY, verdict
    assert verdict["reason_key"] == "issuer_authorised.trust_list_too_old", verdict
    assert "8 days" in verdict["reason"] and "more than the 7 days allowed" in verdict["reason"], verdict["reason"]
    assert verdict["reason_params"]["max_age_seconds"] == 7 * DAY
    assert next(r for r in _records_on(site, datetime.now(UTC) + shift) if r["id"] == _jti(
        site.http.get(f"{site.stack.verifier_url}/api/requests/{verdict['transaction_id']}/proof").text)
    )["reason_key"] == "issuer_authorised.trust_list_too_old"
    for lang, words in (("en", "8 days"), ("lv", "8 dienas"), ("de", "8 Tage"), ("fr", "8 jours"), ("pl", "8 dni")):
        page = site.http.post(f"{site.stack.verifier_url}/offline?lang={lang}",
                              data={"qr": site.qr(datetime.now(UTC) + shift), "challenge": ""}, follow_redirects=True)
        assert page.status_code == 200, page.status_code
        reason = html.unescape(page.text.split('class="reason"', 1)[1].split("</p>", 1)[0])
        assert words in reason, (lang, reason)


def _records_on(site: Site, when: datetime) -> list[dict[str, Any]]:
    day = when.astimezone(VerifierSettings(data_dir=site.stack.data_dir).zone()).date().isoformat()
    response = site.http.get(f"{site.stack.verifier_url}/api/records", params={"from": day, "to": day})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["records"]
    return found


def test_getting_the_lists_without_network_says_nothing_could_be_fetched_and_what_is_held(site: Site) -> None:
    """Pressing "Get the lists for a site without network" where there is none fetches nothing: the page
    says so, and that the lists fetched earlier still answer while recent enough, not that 0 status
    lists of 0 institutions are ready; and they do answer."""
    site.stack.stop("issuer")
    page = site.http.post(f"{site.stack.verifier_url}/offline/prepare?lang=en")
    assert page.status_code == 200, page.status_code
    text = html.unescape(page.text)
    assert "0 status lists of 0 institutions" not in text, text
    assert "Nothing could be fetched now" in text and "fetched earlier on this device still answer" in text, text
    prepared = site.http.post(f"{site.stack.verifier_url}/api/status/prefetch").json()
    assert prepared["status_lists"] == 0 and prepared["failed"] > 0, prepared
    for lang in i18n.LANGUAGES[1:]:
        other = site.http.post(f"{site.stack.verifier_url}/offline/prepare?lang={lang}")
        assert i18n.t("verifier.offline.prepare_nothing", lang) in html.unescape(other.text), lang
    assert site.offline().json()["verdict"] == "valid"  # what was fetched earlier still answers
