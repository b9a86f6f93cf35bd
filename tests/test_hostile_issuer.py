"""Hostile requests to the issuer over real HTTP: each gets its protocol's 4xx error code, never a 500.

The issuer and registry run on loopback (:func:`esspass.testing.serve`); each test is one input a
probe found to crash an endpoint, sent the way an attacker (or a broken wallet or office system)
would send it.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from credentials import client_attestation
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import DataError
from credentials.jose import generate_key, public_jwk, sign_jws
from credentials.openid4vci import PRE_AUTH_GRANT, PROOF_TYP
from credentials.pki import DemoPki, load_demo_pki
from esspass.stack import unnumbered
from esspass.testing import free_port, serve
from issuer.app import create_app
from issuer.service import import_rows
from issuer.settings import IssuerSettings
from trust_registry.app import create_app as registry_app
from trust_registry.settings import RegistrySettings

PERSON = DEMO_PERSONS[0]
PROVIDER = "LV:ESSPASS-WALLET"


@dataclass
class Issuer:
    url: str
    http: httpx.Client
    tokens: dict[str, str]
    pki: DemoPki

    def clerk(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['LV:VSAA']}"}

    def attested(self) -> dict[str, str]:
        """The wallet's OAuth-Client-Attestation and PoP headers, as the reference wallet sends them."""
        instance = generate_key()
        key, chain = self.pki.signers[PROVIDER]
        now = int(time.time())
        attestation = client_attestation.attest(key, chain, client_id="esspass-reference-wallet",
                                                instance_key=instance.public_key(), iat=now - 5, lifetime=600)
        pop = client_attestation.proof_of_possession(instance, audience=f"{self.url}/lv-vsaa", iat=now)
        return {client_attestation.ATTESTATION_HEADER: attestation, client_attestation.POP_HEADER: pop}

    def offer(self) -> tuple[dict[str, Any], str]:
        """A fresh PDA1 offer (as the wallet fetches it) and its tx_code."""
        case = self.http.post("/lv-vsaa/api/cases", json={"configuration_id": "pda1",
                                                          "claims": unnumbered(PERSON.pda1),
                                                          "holder": PERSON.holder},
                              headers=self.clerk())
        assert case.status_code == 201, case.text
        created = self.http.post(f"/lv-vsaa/api/cases/{case.json()['id']}/offer", headers=self.clerk()).json()
        uri = parse_qs(urlsplit(created["link"]).query)["credential_offer_uri"][0]
        return self.http.get(uri).json(), str(created["tx_code"])

    def cases(self) -> int:
        return len(self.http.get("/lv-vsaa/api/cases", headers=self.clerk()).json())


@contextmanager
def served_issuer(registry_dir: Path) -> Iterator[tuple[str, httpx.Client, dict[str, str]]]:
    """The registry and the issuer of a seeded data directory on loopback ports (the wallet
    attestation required, as in the pilot): the issuer's address, a client for it and the clerks'
    tokens by institution."""
    port = free_port()
    with serve(registry_app(RegistrySettings(data_dir=registry_dir))) as registry:
        settings = IssuerSettings(data_dir=registry_dir, public_url=f"http://127.0.0.1:{port}",
                                  registry_url=registry.url)
        with serve(create_app(settings), port=port) as handle, httpx.Client(base_url=handle.url, timeout=20) as http:
            yield handle.url, http, json.loads((registry_dir / "issuer" / "clerk-tokens.json").read_text())


@pytest.fixture(scope="module")
def issuer(registry_dir: Path) -> Iterator[Issuer]:
    with served_issuer(registry_dir) as (url, http, tokens):
        yield Issuer(url, http, tokens, load_demo_pki(registry_dir / "pki"))


def _post_pairs(issuer: Issuer, path: str, pairs: Sequence[tuple[str, str]]) -> httpx.Response:
    """A form with the parameters exactly as listed, repeats included (a dict would merge them)."""
    return issuer.http.post(path, content=urlencode(pairs), headers={
        "Content-Type": "application/x-www-form-urlencoded", **issuer.attested()})


def _oauth_error(response: httpx.Response, error: str) -> None:
    assert response.status_code == 400, (response.status_code, response.text)
    assert response.json()["error"] == error, response.text


# --- 8. RFC 6749 §3.1: no parameter twice --------------------------------------------------------------


def test_a_repeated_tx_code_is_invalid_request_and_spends_no_try(issuer: Issuer) -> None:
    offer, tx_code = issuer.offer()
    code = offer["grants"][PRE_AUTH_GRANT]["pre-authorized_code"]
    # Right code first, wrong one last: read last-wins, each request would spend one of the 5 tries.
    repeated = [("grant_type", PRE_AUTH_GRANT), ("pre-authorized_code", code), ("tx_code", tx_code),
                ("tx_code", "000000")]
    for _ in range(6):
        _oauth_error(_post_pairs(issuer, "/lv-vsaa/token", repeated), "invalid_request")
    honest = issuer.http.post("/lv-vsaa/token", data={"grant_type": PRE_AUTH_GRANT, "pre-authorized_code": code,
                                                      "tx_code": tx_code}, headers=issuer.attested())
    assert honest.status_code == 200, honest.text


@pytest.mark.parametrize("name", ["grant_type", "pre-authorized_code", "unknown_extension"])
def test_any_repeated_token_parameter_is_invalid_request(issuer: Issuer, name: str) -> None:
    offer, tx_code = issuer.offer()
    form = [("grant_type", PRE_AUTH_GRANT), ("pre-authorized_code", offer["grants"][PRE_AUTH_GRANT][
        "pre-authorized_code"]), ("tx_code", tx_code), ("unknown_extension", "x")]
    value = next(v for k, v in form if k == name)
    _oauth_error(_post_pairs(issuer, "/lv-vsaa/token", [*form, (name, value)]), "invalid_request")


def test_a_repeated_par_parameter_is_invalid_request(issuer: Issuer) -> None:
    offer, _tx = issuer.offer()
    form = _par_form(offer)
    _oauth_error(_post_pairs(issuer, "/lv-vsaa/par", [*form.items(), ("redirect_uri", "https://evil.example/cb")]),
                 "invalid_request")
    assert issuer.http.post("/lv-vsaa/par", data=form, headers=issuer.attested()).status_code == 201


def test_a_repeated_tx_code_on_the_institutions_page_spends_no_try(issuer: Issuer) -> None:
    """The worker's page (authorization endpoint): a form with tx_code twice is refused whole."""
    offer, tx_code = issuer.offer()
    pushed = issuer.http.post("/lv-vsaa/par", data=_par_form(offer), headers=issuer.attested())
    assert pushed.status_code == 201, pushed.text
    request_uri = pushed.json()["request_uri"]
    base = [("client_id", "esspass-reference-wallet"), ("request_uri", request_uri), ("action", "authorise")]
    for _ in range(6):
        refused = issuer.http.post("/lv-vsaa/authorize", content=urlencode([*base, ("tx_code", tx_code),
                                                                             ("tx_code", "000000")]),
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert refused.status_code == 400
    accepted = issuer.http.post("/lv-vsaa/authorize", data={**dict(base), "tx_code": tx_code})
    assert accepted.status_code == 303, accepted.text


# --- 3. RFC 9126 §2.3: a pushed request the parser cannot read --------------------------------------------


def _par_form(offer: Mapping[str, Any], **change: str) -> dict[str, str]:
    return {"response_type": "code", "client_id": "esspass-reference-wallet", "redirect_uri": "https://wallet.example/cb",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256",
            "issuer_state": offer["grants"]["authorization_code"]["issuer_state"], "scope": "pda1", **change}


@pytest.mark.parametrize("change", [{"authorization_details": "[" * 50_000}, {"redirect_uri": "https://[::1/"},
                                    {"redirect_uri": "https://["}, {"redirect_uri": "https://wallet.example:x/cb"}],
                         ids=["50000-brackets", "unclosed-ipv6", "bare-bracket", "port-not-a-number"])
def test_an_unreadable_pushed_request_is_invalid_request(issuer: Issuer, change: dict[str, str]) -> None:
    offer, _tx = issuer.offer()
    _oauth_error(issuer.http.post("/lv-vsaa/par", data=_par_form(offer, **change), headers=issuer.attested()),
                 "invalid_request")


# --- 6. JWK members of the wrong type in DPoP and key proofs --------------------------------------------


def _odd_jwk(member: str, value: Any) -> tuple[Any, dict[str, Any]]:
    key = generate_key()
    return key, {**public_jwk(key), member: value}


@pytest.mark.parametrize(("member", "value"), [("crv", ["P-256"]), ("crv", {"n": 1}), ("x", 5), ("y", [1]),
                                               ("x", None)])
def test_a_dpop_proof_whose_jwk_has_members_of_the_wrong_type_is_invalid_dpop_proof(
        issuer: Issuer, member: str, value: Any) -> None:
    offer, tx_code = issuer.offer()
    key, jwk = _odd_jwk(member, value)
    nonce = issuer.http.post("/lv-vsaa/nonce").headers["DPoP-Nonce"]
    proof = sign_jws({"typ": "dpop+jwt", "jwk": jwk}, {"jti": secrets.token_urlsafe(16), "htm": "POST",
                                                       "htu": f"{issuer.url}/lv-vsaa/token", "iat": int(time.time()),
                                                       "nonce": nonce}, key)
    response = issuer.http.post("/lv-vsaa/token", headers={"DPoP": proof, **issuer.attested()}, data={
        "grant_type": PRE_AUTH_GRANT, "pre-authorized_code": offer["grants"][PRE_AUTH_GRANT]["pre-authorized_code"],
        "tx_code": tx_code})
    _oauth_error(response, "invalid_dpop_proof")


@pytest.mark.parametrize(("member", "value"), [("crv", ["P-256"]), ("crv", {"n": 1}), ("x", 5), ("y", [1])])
def test_a_key_proof_whose_jwk_has_members_of_the_wrong_type_is_invalid_proof(
        issuer: Issuer, member: str, value: Any) -> None:
    offer, tx_code = issuer.offer()
    token = issuer.http.post("/lv-vsaa/token", headers=issuer.attested(), data={
        "grant_type": PRE_AUTH_GRANT, "pre-authorized_code": offer["grants"][PRE_AUTH_GRANT]["pre-authorized_code"],
        "tx_code": tx_code})
    assert token.status_code == 200, token.text
    c_nonce = issuer.http.post("/lv-vsaa/nonce").json()["c_nonce"]
    key, jwk = _odd_jwk(member, value)
    proof = sign_jws({"typ": PROOF_TYP, "jwk": jwk}, {"aud": f"{issuer.url}/lv-vsaa", "iat": int(time.time()),
                                                      "nonce": c_nonce}, key)
    access_token = token.json()["access_token"]
    response = issuer.http.post("/lv-vsaa/credential", headers={"Authorization": f"Bearer {access_token}"},
                                json={"credential_configuration_id": "pda1", "proofs": {"jwt": [proof]}})
    _oauth_error(response, "invalid_proof")


# --- 5. CSV import: every row reported, an unreadable file refused whole --------------------------------


def _template(issuer: Issuer) -> tuple[str, str]:
    header, good = issuer.http.get("/import-template.csv").text.strip().splitlines()[:2]
    return header, good


def _import(issuer: Issuer, text: str) -> httpx.Response:
    return issuer.http.post("/lv-vsaa/api/import", files={"file": ("cases.csv", text.encode(), "text/csv")},
                            headers=issuer.clerk())


def _numbered(row: str, n: int) -> str:
    return row.replace("DEMO-A1-LV-9001", f"DEMO-A1-LV-{n}")


def test_a_list_where_a_code_belongs_is_a_reported_row_error_between_imported_rows(issuer: Issuer) -> None:
    header, good = _template(issuer)
    # The same status code column twice: once as text, once as a ";" list (column name ending in []).
    columns = header.split(",")
    listed = ",".join([*columns, "status_confirmation[]"])
    rows = [f"{_numbered(good, 7101)},", f"{_numbered(good, 7102)},01;02", f"{_numbered(good, 7103)},"]
    before = issuer.cases()
    response = _import(issuer, "\n".join([listed, *rows]) + "\n")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["created"] == [2, 4] and report["failed"] == [3]
    assert report["imported"] == 2 and report["rejected"] == 1
    assert report["rows"][1]["rule"]  # named by the model (DataError) or as a row that does not fit
    assert issuer.cases() == before + 2


def test_a_field_over_the_csv_limit_is_a_400_with_a_json_body_and_imports_nothing(issuer: Issuer) -> None:
    header, good = _template(issuer)
    huge = good.replace("Example Build SIA (demo)", "x" * 131_073)
    before = issuer.cases()
    response = _import(issuer, f"{header}\n{_numbered(good, 7201)}\n{huge}\n")
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "invalid_request" and body["field"] == "file" and "CSV" in body["rule"]
    assert issuer.cases() == before


class _Flaky:
    """An IssuerService stand-in whose create_case fails as told for some rows (by document number)."""

    def __init__(self, failures: Mapping[str, Exception]) -> None:
        self.failures = failures
        self.created: list[str] = []

    def create_case(self, _inst: object, _configuration_id: str, claims: Mapping[str, Any], *,
                    actor: str, holder: Mapping[str, Any] | None = None) -> Any:
        number = str(claims.get("document_number"))
        if number in self.failures:
            raise self.failures[number]
        self.created.append(number)
        return type("Case", (), {"id": f"case-{number}", "label": number})()

    def overlaps_noted(self, _case_id: str) -> str:
        return ""  # no row here overlaps another A1 of its person (IssuerService.overlaps_noted)


def _rows(*numbers: str) -> Sequence[dict[str, str]]:
    return [{"configuration_id": "pda1", "document_number": n} for n in numbers]


@pytest.mark.parametrize("error", [TypeError("unhashable type: 'list'"), ValueError("bad date"),
                                   AttributeError("'list' object has no attribute 'strip'"), KeyError("name"),
                                   DataError("status_confirmation", "must be one of the codes 01 to 12")],
                         ids=lambda e: type(e).__name__)
def test_a_row_the_model_cannot_read_is_reported_and_the_rows_after_it_are_imported(error: Exception) -> None:
    service = _Flaky({"B": error})
    report = import_rows(service, object(), _rows("A", "B", "C"), actor="clerk")  # type: ignore[arg-type]
    assert [(r["row"], r["ok"]) for r in report] == [(2, True), (3, False), (4, True)]
    assert service.created == ["A", "C"] and report[1]["rule"]


def test_each_row_of_a_report_is_named_by_the_line_of_the_file_it_is_on() -> None:
    """The lines the office read each row from (blank lines and a quoted cell's line breaks counted):
    the report, the rows not imported after a database failure too, name the lines the clerk sees."""
    from sqlalchemy.exc import OperationalError

    service = _Flaky({"B": KeyError("name"), "C": OperationalError("INSERT", {}, Exception("database is locked"))})
    report = import_rows(service, object(), _rows("A", "B", "C", "D"), actor="clerk",  # type: ignore[arg-type]
                         lines=[3, 5, 9, 10])
    assert [(r["row"], r["ok"], r.get("retry", False)) for r in report] == [
        (3, True, False), (5, False, False), (9, False, True), (10, False, True)]
    assert (report[1]["rule_key"], report[2]["rule_key"]) == ("csv.row_shape", "csv.database")


def test_an_unexpected_fault_stops_the_import_and_the_report_still_names_the_rows_recorded() -> None:
    """A fault of the issuer's (not of the file) on one row: that row and the ones after it are
    reported not imported (to send again) beside the rows recorded before it, never a bare 500 that
    leaves the clerk to guess what is in."""
    service = _Flaky({"B": OverflowError("date value out of range")})
    report = import_rows(service, object(), _rows("A", "B", "C"), actor="clerk")  # type: ignore[arg-type]
    assert [(r["row"], r["ok"], r.get("retry", False)) for r in report] == [(2, True, False), (3, False, True),
                                                                             (4, False, True)]
    assert {r.get("rule_key") for r in report[1:]} == {"csv.stopped"}
    assert service.created == ["A"]


def test_a_database_failure_stops_the_import_and_says_which_rows_were_recorded() -> None:
    from sqlalchemy.exc import OperationalError

    service = _Flaky({"B": OperationalError("INSERT", {}, Exception("database is locked"))})
    report = import_rows(service, object(), _rows("A", "B", "C"), actor="clerk")  # type: ignore[arg-type]
    assert [(r["row"], r["ok"], r.get("retry", False)) for r in report] == [(2, True, False), (3, False, True),
                                                                             (4, False, True)]
    assert service.created == ["A"]  # C was not attempted: the report says to send it again
