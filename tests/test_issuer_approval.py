"""Four-eyes approval with named clerks: a second clerk approves each new document of an institution
that asks for it before anything is signed, and the history says which clerk did what.

A clerk token's value names the institution (``LV:VSAA``, the institution's unnamed token) or the
institution and a clerk (``LV:VSAA/anna.berzina``, issuer/settings.py); ``ESSPASS_ISSUER_APPROVAL``
or ``approval = true`` in the institutions file asks for approval (issuer/institutions.py); the
service approves and refuses (issuer/service.py ``approve_case``, ``refuse_case``), and so do the
back office API and pages. Over real HTTP on loopback, on the service over SQLite and PostgreSQL,
and in headless Debian Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from test_import_templates import vsaa_template
from test_issuer_office import REFLOW, _csrf, _fill_pda1

from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import DataError, ProtocolError
from credentials.institutions import Entity, Role
from credentials.pki import create_entity_ca, issue_document_signer, write_certificates, write_private_key
from esspass.db import make_engine
from esspass.migrate import upgrade
from esspass.testing import ServerHandle, free_port, serve
from issuer.app import MIGRATIONS, create_app, hosted_institutions
from issuer.db import Case
from issuer.institutions import demo_institutions, load_institutions_file, require_approval
from issuer.office import COOKIE
from issuer.service import IssuerService, import_file
from issuer.settings import IssuerSettings, clerk_institution, clerk_name

PERSON = DEMO_PERSONS[0]
HOLDER = {"family_name": "Bērziņš", "given_name": "Jānis", "birthdate": "1988-04-12"}
TEMPLATE = vsaa_template()  # LV:VSAA's A1 template, as its office serves it today
ANNA, JANIS = "clerk-test-anna-0123", "clerk-test-janis-0123"
SHARED, NVD = "clerk-test-vsaa-0123", "clerk-test-nvd-0123"
#: LV:VSAA asks for approval (the setting); LV:NVD does not.
LONG = "clerk-test-long-0123"  # a name of 30 characters, the most a clerk's name has
TOKENS = {ANNA: "LV:VSAA/anna.berzina", JANIS: "LV:VSAA/janis.ozols", SHARED: "LV:VSAA", NVD: "LV:NVD",
          LONG: "LV:VSAA/bartholomew.vanderbilt-smith.x"}
ANNA_ACTOR, JANIS_ACTOR = "clerk:LV:VSAA/anna.berzina", "clerk:LV:VSAA/janis.ozols"


def _pda1(number: str = "") -> dict[str, Any]:
    """The demo person's A1; the number left for the issuer to give unless one is named."""
    return {**PERSON.pda1, "document_number": number}


# --- named clerk tokens and the approval setting ---------------------------------------------------------


def test_a_named_clerk_token_names_the_institution_and_the_clerk() -> None:
    settings = IssuerSettings(clerk_tokens=TOKENS)
    assert settings.clerk_tokens == TOKENS
    assert clerk_institution(TOKENS[ANNA]) == "LV:VSAA" and clerk_name(TOKENS[ANNA]) == "anna.berzina"
    assert clerk_institution("LV:VSAA") == "LV:VSAA" and clerk_name("LV:VSAA") is None
    for name in ("a", "x" * 30, "anna_b-2.0"):
        assert IssuerSettings(clerk_tokens={ANNA: f"LV:VSAA/{name}"}).clerk_tokens == {ANNA: f"LV:VSAA/{name}"}


@pytest.mark.parametrize("value", ["LV:VSAA/Anna", "LV:VSAA/", "LV:VSAA/anna berzina", "LV:VSAA/" + "a" * 31,
                                   "/anna", "LV:VSAA/anna/berzina", "LV:VSAA/anna.bērziņa", ""])
def test_a_bad_clerk_name_is_refused_at_settings_load_naming_the_setting_and_rule(
        value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESSPASS_ISSUER_CLERK_TOKENS", f'{{"clerk-secret-token": "{value}"}}')
    with pytest.raises(ValidationError) as refused:
        IssuerSettings()
    said = str(refused.value)
    assert "ESSPASS_ISSUER_CLERK_TOKENS" in said and "1 to 30 lower-case letters, digits" in said
    assert "clerk-secret-token" not in said  # the token is a secret: never quoted


def test_the_generated_token_file_still_gives_each_institution_an_unnamed_token(tmp_path: Path) -> None:
    from issuer.settings import clerk_tokens

    tokens = clerk_tokens(IssuerSettings(data_dir=tmp_path), ["LV:VSAA", "LV:NVD"])
    assert sorted(tokens.values()) == ["LV:NVD", "LV:VSAA"]


def test_the_generated_token_file_gives_an_institution_asking_approval_two_named_clerks(tmp_path: Path) -> None:
    """A newcomer's pilot with approval switched on has a clerk to record and another to approve."""
    from issuer.settings import clerk_tokens

    tokens = clerk_tokens(IssuerSettings(data_dir=tmp_path), ["LV:VSAA", "LV:NVD"], approving=["LV:VSAA"])
    assert sorted(tokens.values()) == ["LV:NVD", "LV:VSAA", "LV:VSAA/clerk.1", "LV:VSAA/clerk.2"]


def test_an_institution_asking_approval_without_two_named_clerks_is_told_at_start(
        pki_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Nothing it records could ever be approved, so the operator hears of it when the issuer starts."""
    from issuer.app import _warn_unapprovable

    hosted = list(hosted_institutions(IssuerSettings(data_dir=tmp_path, pki_dir=pki_dir, approval=["LV:VSAA"]))
                  .values())
    with caplog.at_level("WARNING", logger="esspass.issuer"):
        _warn_unapprovable(hosted, {"t1": "LV:VSAA", "t2": "LV:VSAA/anna", "t3": "LV:NVD/x", "t4": "LV:NVD/y"})
        assert [r.getMessage().split(" ")[0] for r in caplog.records] == ["LV:VSAA"]
        caplog.clear()
        _warn_unapprovable(hosted, {"t1": "LV:VSAA/anna", "t2": "LV:VSAA/janis"})
        assert caplog.records == []


def test_clerk_tokens_naming_an_institution_not_hosted_are_told_at_start(
        pki_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A typo in ESSPASS_ISSUER_CLERK_TOKENS (XX:NOPE) was taken silently: those clerks could sign in nowhere."""
    from issuer.app import _warn_unapprovable

    hosted = list(hosted_institutions(IssuerSettings(data_dir=tmp_path, pki_dir=pki_dir)).values())
    with caplog.at_level("WARNING", logger="esspass.issuer"):
        _warn_unapprovable(hosted, {"t1": "LV:VSAA/anna", "t2": "XX:NOPE/ana", "t3": "LV:VSSA"})
        said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1 and said[0].startswith("ESSPASS_ISSUER_CLERK_TOKENS names LV:VSSA, XX:NOPE,"), said


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("approval-pki")


def test_the_approval_setting_asks_approval_of_the_institutions_it_names(
        pki_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def asking(**settings: Any) -> set[str]:
        hosted = hosted_institutions(IssuerSettings(data_dir=tmp_path, pki_dir=pki_dir, **settings))
        return {inst.entity.id for inst in hosted.values() if inst.approval_required}

    assert asking() == set()  # off by default: the demo as before
    assert asking(approval=["LV:VSAA", "LV:NVD"]) == {"LV:VSAA", "LV:NVD"}
    every = {inst.entity.id for inst in hosted_institutions(IssuerSettings(data_dir=tmp_path, pki_dir=pki_dir))
             .values()}
    assert asking(approval=["*"]) == every
    monkeypatch.setenv("ESSPASS_ISSUER_APPROVAL", '["LV:VSAA"]')
    assert asking() == {"LV:VSAA"}
    with pytest.raises(DataError) as refused:
        asking(approval=["LV:VSAA", "LV:VSSA"])
    assert refused.value.field == "ESSPASS_ISSUER_APPROVAL" and "LV:VSSA" in refused.value.rule
    with pytest.raises(ValidationError, match="ESSPASS_ISSUER_APPROVAL"):
        IssuerSettings(approval=[" "])


SKA = Entity("EE:SKA", "EE", "Sotsiaalkindlustusamet", "Social Insurance Board", frozenset({Role.PDA1_ISSUER}),
             "ee-ska")


def _institutions_file(directory: Path, approval: str | None) -> Path:
    now = datetime.now(UTC)
    ca_key, ca = create_entity_ca(SKA, now=now)
    key, signer = issue_document_signer(SKA, ca_key, ca, now=now)
    write_private_key(directory / "signer.key.pem", key)
    write_certificates(directory / "chain.pem", [signer])
    lines = ["[[institution]]", 'id = "EE:SKA"', 'country = "EE"', 'name = "Sotsiaalkindlustusamet"',
             'roles = ["pda1_issuer"]', 'path = "ee-ska"', 'signer_key = "signer.key.pem"',
             'signer_chain = "chain.pem"'] + ([f"approval = {approval}"] if approval is not None else [])
    path = directory / "institutions.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("approval", "required"), [(None, False), ("true", True), ("false", False)])
def test_an_institutions_file_asks_approval_with_approval_true(tmp_path: Path, approval: str | None,
                                                                required: bool) -> None:
    hosted = load_institutions_file(_institutions_file(tmp_path, approval), "https://issuer.example.ee",
                                    now=datetime.now(UTC))
    assert hosted["ee-ska"].approval_required is required
    # The setting adds to the file, never takes away.
    assert require_approval(hosted, ["EE:SKA"])["ee-ska"].approval_required
    assert require_approval(hosted, [])["ee-ska"].approval_required is required


def test_an_institutions_file_approval_that_is_not_true_or_false_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(DataError) as refused:
        load_institutions_file(_institutions_file(tmp_path, '"yes"'), "https://issuer.example.ee",
                               now=datetime.now(UTC))
    assert refused.value.field == "institution EE:SKA.approval" and "true or false" in refused.value.rule


# --- the service, over SQLite and PostgreSQL ---------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def service(request: pytest.FixtureRequest, tmp_path: Path, pki_dir: Path) -> Iterator[IssuerService]:
    url = (f"sqlite:///{tmp_path / 'issuer.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))  # skips without ESSPASS_TEST_POSTGRES_URL
    engine = make_engine(url)
    upgrade(engine, MIGRATIONS)
    hosted = require_approval(demo_institutions(pki_dir, "http://127.0.0.1:1", now=datetime.now(UTC)), ["LV:VSAA"])
    yield IssuerService(engine, hosted)
    engine.dispose()


def test_service_a_second_named_clerk_approves_and_the_history_names_both(service: IssuerService) -> None:
    vsaa = service.institution("lv-vsaa")
    case = service.create_case(vsaa, "pda1", _pda1(), actor=ANNA_ACTOR, holder=PERSON.holder)
    assert case.approval == "awaiting" and case.created_by == ANNA_ACTOR
    assert service.awaiting_approval(vsaa) == 1
    assert [c["id"] for c in service.list_cases(vsaa, approval="awaiting")] == [case.id]
    for actor in (ANNA_ACTOR, "clerk:LV:VSAA"):  # the one who recorded it; a token shared by many
        with pytest.raises(ProtocolError) as refused:
            service.approve_case(vsaa, case.id, actor=actor)
        assert refused.value.http_status == 403 and refused.value.error == "access_denied"
    approved = service.approve_case(vsaa, case.id, actor=JANIS_ACTOR)
    assert approved["approval"] == "approved" and approved["state"] == "active"
    assert [(e["action"], e["actor"]) for e in approved["events"]] == [("created", ANNA_ACTOR),
                                                                       ("approved", JANIS_ACTOR)]
    assert service.awaiting_approval(vsaa) == 0 and service.list_cases(vsaa, approval="awaiting") == []
    assert [c["id"] for c in service.list_cases(vsaa, approval="approved")] == [case.id]
    with pytest.raises(ProtocolError) as again:
        service.approve_case(vsaa, case.id, actor=JANIS_ACTOR)
    assert again.value.http_status == 409


def test_service_refusing_withdraws_the_case_and_a_withdrawn_case_is_not_awaiting(service: IssuerService) -> None:
    vsaa = service.institution("lv-vsaa")
    case = service.create_case(vsaa, "pda1", _pda1(), actor=ANNA_ACTOR, holder=PERSON.holder)
    with pytest.raises(DataError):
        service.refuse_case(vsaa, case.id, actor=JANIS_ACTOR, reason=" ")
    refused = service.refuse_case(vsaa, case.id, actor=JANIS_ACTOR, reason="employer unknown")
    assert refused["state"] == "revoked" and refused["approval"] == "refused"
    assert [c["id"] for c in service.list_cases(vsaa, approval="refused")] == [case.id]
    other = service.create_case(vsaa, "pda1", _pda1(), actor=ANNA_ACTOR, holder=PERSON.holder)
    service.set_state(vsaa, other.id, "revoked", reason="recorded twice", actor=ANNA_ACTOR)
    assert service.awaiting_approval(vsaa) == 0 and service.list_cases(vsaa, approval="awaiting") == []
    with pytest.raises(DataError):
        service.list_cases(vsaa, approval="maybe")


def test_service_a_replacement_withdraws_the_old_document_only_once_it_is_approved(service: IssuerService) -> None:
    vsaa = service.institution("lv-vsaa")
    old = service.create_case(vsaa, "pda1", _pda1(), actor=ANNA_ACTOR, holder=PERSON.holder)
    service.approve_case(vsaa, old.id, actor=JANIS_ACTOR)
    new = service.replace_case(vsaa, old.id, {**_pda1(), "ending_date": "2027-12-31"}, actor=ANNA_ACTOR,
                               reason="posting extended")
    assert new.approval == "awaiting"
    kept = service.get_case(vsaa, old.id)
    assert kept["state"] == "active" and [e["action"] for e in kept["events"]] == ["created", "approved"]
    assert kept["replacement_awaiting"] == new.id and service.get_case(vsaa, new.id)["replaces"] == old.id
    approved = service.approve_case(vsaa, new.id, actor=JANIS_ACTOR)
    assert approved["state"] == "active" and approved["approval"] == "approved"
    withdrawn = service.get_case(vsaa, old.id)
    assert withdrawn["state"] == "replaced" and withdrawn["replacement_awaiting"] is None
    assert (withdrawn["events"][-1]["action"], withdrawn["events"][-1]["actor"],
            withdrawn["events"][-1]["reason"]) == ("replaced", JANIS_ACTOR, f"posting extended (case {new.id})")


def test_service_a_refused_replacement_leaves_the_old_document_as_it_was(service: IssuerService) -> None:
    vsaa = service.institution("lv-vsaa")
    old = service.create_case(vsaa, "pda1", _pda1(), actor=ANNA_ACTOR, holder=PERSON.holder)
    service.approve_case(vsaa, old.id, actor=JANIS_ACTOR)
    before = service.get_case(vsaa, old.id)
    new = service.replace_case(vsaa, old.id, _pda1(), actor=ANNA_ACTOR, reason="corrected")
    service.refuse_case(vsaa, new.id, actor=JANIS_ACTOR, reason="nothing to correct")
    after = service.get_case(vsaa, old.id)
    assert after["state"] == "active" and after["events"] == before["events"]
    assert after["replacement_awaiting"] is None
    again = service.replace_case(vsaa, old.id, _pda1(), actor=ANNA_ACTOR, reason="corrected after all")
    assert again.approval == "awaiting"  # refused, the replacement no longer stands in the way


def test_service_a_document_whose_replacement_awaits_approval_is_not_replaced_again(service: IssuerService) -> None:
    vsaa = service.institution("lv-vsaa")
    old = service.create_case(vsaa, "pda1", _pda1(), actor=ANNA_ACTOR, holder=PERSON.holder)
    service.approve_case(vsaa, old.id, actor=JANIS_ACTOR)
    first = service.replace_case(vsaa, old.id, _pda1(), actor=ANNA_ACTOR, reason="extended")
    with pytest.raises(ProtocolError) as refused:
        service.replace_case(vsaa, old.id, _pda1(), actor=JANIS_ACTOR, reason="extended too")
    assert refused.value.http_status == 409 and first.id in refused.value.message
    assert [c["id"] for c in service.list_cases(vsaa, approval="awaiting")] == [first.id]


def test_service_a_replacement_awaiting_approval_is_not_itself_replaced(service: IssuerService) -> None:
    """A replaced by B (awaiting); C recorded in place of B would, once approved, withdraw B only: B could
    never be approved any more, so A would never be withdrawn and the worker would hold two valid A1s
    (A and C). A case awaiting approval is not replaced (409, keyed); refused, A is replaced again."""
    vsaa = service.institution("lv-vsaa")
    a = service.create_case(vsaa, "pda1", _pda1(), actor=ANNA_ACTOR, holder=PERSON.holder)
    service.approve_case(vsaa, a.id, actor=JANIS_ACTOR)
    b = service.replace_case(vsaa, a.id, {**_pda1(), "ending_date": "2027-12-31"}, actor=ANNA_ACTOR,
                             reason="posting extended")
    cases = len(service.list_cases(vsaa, limit=1000))
    with pytest.raises(ProtocolError) as refused:
        service.replace_case(vsaa, b.id, {**_pda1(), "ending_date": "2027-11-30"}, actor=ANNA_ACTOR,
                             reason="a typo in the new one")
    assert (refused.value.http_status, refused.value.error, refused.value.key) == (
        409, "invalid_request", "case.awaiting_replaced")
    assert len(service.list_cases(vsaa, limit=1000)) == cases  # nothing recorded
    assert service.get_case(vsaa, a.id)["replacement_awaiting"] == b.id
    service.refuse_case(vsaa, b.id, actor=JANIS_ACTOR, reason="a typo in the ending date")
    c = service.replace_case(vsaa, a.id, {**_pda1(), "ending_date": "2027-11-30"}, actor=ANNA_ACTOR,
                             reason="posting extended")
    service.approve_case(vsaa, c.id, actor=JANIS_ACTOR)
    states = {name: service.get_case(vsaa, x.id)["state"] for name, x in (("A", a), ("B", b), ("C", c))}
    assert states == {"A": "replaced", "B": "revoked", "C": "active"}, states


def test_service_a_new_case_awaiting_approval_is_not_replaced(service: IssuerService) -> None:
    """Not a document yet: it is approved (and then replaced, as any document) or refused."""
    vsaa = service.institution("lv-vsaa")
    case = service.create_case(vsaa, "pda1", _pda1(), actor=ANNA_ACTOR, holder=PERSON.holder)
    with pytest.raises(ProtocolError) as refused:
        service.replace_case(vsaa, case.id, _pda1(), actor=ANNA_ACTOR, reason="corrected")
    assert (refused.value.http_status, refused.value.key) == (409, "case.awaiting_replaced")
    service.approve_case(vsaa, case.id, actor=JANIS_ACTOR)
    assert service.replace_case(vsaa, case.id, _pda1(), actor=ANNA_ACTOR, reason="corrected").approval == "awaiting"


def test_service_a_suspended_replacement_is_not_approved_until_reinstated(service: IssuerService) -> None:
    """B (awaiting) in place of A is suspended: approving it would withdraw A and leave the worker with no
    valid document (A withdrawn, B suspended). Refused (409: reinstate it first), A untouched; once
    reinstated it is approved and A withdrawn."""
    vsaa = service.institution("lv-vsaa")
    a = service.create_case(vsaa, "pda1", _pda1(), actor=ANNA_ACTOR, holder=PERSON.holder)
    service.approve_case(vsaa, a.id, actor=JANIS_ACTOR)
    b = service.replace_case(vsaa, a.id, {**_pda1(), "ending_date": "2027-12-31"}, actor=ANNA_ACTOR,
                             reason="posting extended")
    service.set_state(vsaa, b.id, "suspended", reason="employer to check", actor=JANIS_ACTOR)
    with pytest.raises(ProtocolError) as refused:
        service.approve_case(vsaa, b.id, actor=JANIS_ACTOR)
    assert (refused.value.http_status, refused.value.key, refused.value.params) == (
        409, "case.not_active", {"state": "suspended"})
    assert (service.get_case(vsaa, a.id)["state"], service.get_case(vsaa, b.id)["approval"]) == ("active", "awaiting")
    assert service.get_case(vsaa, a.id)["replacement_awaiting"] == b.id  # still stands in the way of another
    service.set_state(vsaa, b.id, "active", reason="", actor=JANIS_ACTOR)
    service.approve_case(vsaa, b.id, actor=JANIS_ACTOR)
    assert (service.get_case(vsaa, a.id)["state"], service.get_case(vsaa, b.id)["state"]) == ("replaced", "active")


def test_service_a_suspended_case_awaiting_approval_can_still_be_refused(service: IssuerService) -> None:
    vsaa = service.institution("lv-vsaa")
    a = service.create_case(vsaa, "pda1", _pda1(), actor=ANNA_ACTOR, holder=PERSON.holder)
    service.approve_case(vsaa, a.id, actor=JANIS_ACTOR)
    b = service.replace_case(vsaa, a.id, _pda1(), actor=ANNA_ACTOR, reason="corrected")
    service.set_state(vsaa, b.id, "suspended", reason="employer to check", actor=JANIS_ACTOR)
    refused = service.refuse_case(vsaa, b.id, actor=ANNA_ACTOR, reason="the employer was right")
    assert (refused["state"], refused["approval"]) == ("revoked", "refused")
    assert service.get_case(vsaa, a.id)["state"] == "active"


def test_service_an_institution_without_approval_records_cases_as_before(service: IssuerService) -> None:
    nvd = service.institution("lv-nvd")
    case = service.create_case(nvd, "ehic", {**PERSON.ehic, "document_number": ""}, actor="clerk:LV:NVD",
                               holder=PERSON.holder)
    assert case.approval is None
    with pytest.raises(ProtocolError) as refused:
        service.approve_case(nvd, case.id, actor="clerk:LV:NVD/someone")
    assert refused.value.http_status == 409


def test_service_a_csv_import_awaits_approval_row_by_row(service: IssuerService) -> None:
    import csv
    import io

    vsaa = service.institution("lv-vsaa")
    row = next(r for r in csv.DictReader(io.StringIO(TEMPLATE))
               if r["configuration_id"] == "pda1")
    report = import_file(service, vsaa, [{**row, "document_number": ""}] * 2, actor=ANNA_ACTOR)
    assert len(report) == 2 and all(r["ok"] for r in report), report
    for row in report:
        case = service.get_case(vsaa, row["case_id"])
        assert case["approval"] == "awaiting" and case["created_by"] == ANNA_ACTOR


# --- the back office API, over HTTP ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory, pki_dir: Path) -> Iterator[ServerHandle]:
    data_dir = tmp_path_factory.mktemp("approval")
    port = free_port()
    settings = IssuerSettings(data_dir=data_dir, pki_dir=pki_dir, public_url=f"http://127.0.0.1:{port}",
                              clerk_tokens=TOKENS, approval=["LV:VSAA"])
    with serve(create_app(settings), port=port) as handle:
        yield handle


def _api(handle: ServerHandle, token: str, path: str = "lv-vsaa") -> httpx.Client:
    return httpx.Client(base_url=f"{handle.url}/{path}/api", headers={"Authorization": f"Bearer {token}"})


def _made(api: httpx.Client, claims: dict[str, Any] | None = None) -> dict[str, Any]:
    response = api.post("/cases", json={"configuration_id": "pda1", "claims": claims or _pda1(),
                                        "holder": PERSON.holder})
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def test_api_each_named_clerk_is_the_actor_of_what_their_token_does(issuer: ServerHandle) -> None:
    with _api(issuer, ANNA) as anna, _api(issuer, SHARED) as shared:
        mine = _made(anna)
        assert mine["created_by"] == ANNA_ACTOR and mine["approval"] == "awaiting"
        offered = anna.post(f"/cases/{mine['id']}/offer")
        assert offered.status_code == 201  # handed over while awaiting: the wallet gets it once approved
        events = anna.get(f"/cases/{mine['id']}").json()["events"]
        assert [(e["action"], e["actor"]) for e in events] == [("created", ANNA_ACTOR), ("offered", ANNA_ACTOR)]
        # The shared token still reads and acts on cases, named as the institution, as before.
        suspended = shared.post(f"/cases/{mine['id']}/suspend", json={"reason": "documents to check"})
        assert suspended.json()["events"][-1]["actor"] == "clerk:LV:VSAA"


def test_api_where_approval_is_asked_the_shared_token_records_nothing(issuer: ServerHandle) -> None:
    """Four-eyes needs to know who recorded a case: the institution's shared token may be held by
    the approving clerk too, so it records no case, by hand or by file, where approval is asked."""
    with _api(issuer, SHARED) as shared, _api(issuer, ANNA) as anna:
        made = shared.post("/cases", json={"configuration_id": "pda1", "claims": _pda1(), "holder": PERSON.holder})
        assert (made.status_code, made.json()["error"]) == (403, "access_denied")
        mine = _made(anna)
        replaced = shared.post(f"/cases/{mine['id']}/replace", json={"claims": _pda1(), "reason": "corrected"})
        assert (replaced.status_code, replaced.json()["error"]) == (403, "access_denied")
        template = TEMPLATE.encode()
        imported = shared.post("/import", files={"file": ("cases.csv", template, "text/csv")})
        assert (imported.status_code, imported.json()["error"]) == (403, "access_denied")
        assert anna.get(f"/cases/{mine['id']}").json()["state"] == "active"


def test_service_a_case_the_shared_token_recorded_is_not_approved(service: IssuerService) -> None:
    """A case recorded with the shared token (by a release that allowed it) is approved by no one:
    whoever holds that token may be the approver."""
    inst = service.institution("lv-vsaa")
    case = service.create_case(inst, "pda1", _pda1(), actor=ANNA_ACTOR, holder=PERSON.holder)
    with service.sessions.begin() as s:
        recorded = s.get(Case, case.id)
        assert recorded is not None
        recorded.created_by = "clerk:LV:VSAA"
    with pytest.raises(ProtocolError) as refused:
        service.approve_case(inst, case.id, actor=JANIS_ACTOR)
    assert refused.value.error == "access_denied" and "shared token" in refused.value.message


def test_api_a_second_named_clerk_approves(issuer: ServerHandle) -> None:
    with _api(issuer, ANNA) as anna, _api(issuer, JANIS) as janis, _api(issuer, SHARED) as shared:
        case = _made(anna)
        approved = janis.post(f"/cases/{case['id']}/approve")
        assert approved.status_code == 200, approved.text
        assert approved.json()["approval"] == "approved"
        assert approved.json()["events"][-1] | {"at": ""} == {"at": "", "action": "approved", "actor": JANIS_ACTOR,
                                                              "reason": ""}
        # Approved with an empty body too, and by the shared token never.
        other = _made(anna)
        assert shared.post(f"/cases/{other['id']}/approve").status_code == 403
        assert janis.post(f"/cases/{other['id']}/approve", json={}).status_code == 200


@pytest.mark.parametrize("token", [ANNA, SHARED], ids=["the-recording-clerk", "an-unnamed-token"])
def test_api_approval_is_refused_for_the_recording_clerk_and_an_unnamed_token(issuer: ServerHandle,
                                                                              token: str) -> None:
    with _api(issuer, ANNA) as anna, _api(issuer, token) as clerk:
        case = _made(anna)
        refused = clerk.post(f"/cases/{case['id']}/approve")
        assert refused.status_code == 403 and refused.json()["error"] == "access_denied", refused.text
        assert "second, named clerk" in refused.json()["error_description"]
        assert anna.get(f"/cases/{case['id']}").json()["approval"] == "awaiting"


def test_api_refusing_withdraws_the_case_and_needs_a_reason(issuer: ServerHandle) -> None:
    with _api(issuer, ANNA) as anna, _api(issuer, JANIS) as janis:
        case = _made(anna)
        for body in ({}, {"reason": ""}, {"reason": "   "}):
            response = janis.post(f"/cases/{case['id']}/refuse", json=body)
            assert response.status_code == 400 and response.json()["error"] == "invalid_request", body
        assert janis.post(f"/cases/{case['id']}/refuse").status_code == 400  # no body
        refused = janis.post(f"/cases/{case['id']}/refuse", json={"reason": "the employer does not exist"})
        assert refused.status_code == 200, refused.text
        body = refused.json()
        assert body["state"] == "revoked" and body["approval"] == "refused"
        assert (body["events"][-1]["action"], body["events"][-1]["actor"]) == ("refused", JANIS_ACTOR)
        assert body["events"][-1]["reason"] == "the employer does not exist"
        assert janis.post(f"/cases/{case['id']}/offer").status_code == 409  # nothing to hand over


def test_api_approve_or_refuse_a_case_not_awaiting_approval_is_a_409(issuer: ServerHandle) -> None:
    with _api(issuer, ANNA) as anna, _api(issuer, JANIS) as janis, _api(issuer, NVD, "lv-nvd") as nvd:
        approved = _made(anna)
        janis.post(f"/cases/{approved['id']}/approve").raise_for_status()
        refused = _made(anna)
        janis.post(f"/cases/{refused['id']}/refuse", json={"reason": "no"}).raise_for_status()
        withdrawn = _made(anna)
        anna.post(f"/cases/{withdrawn['id']}/revoke", json={"reason": "recorded twice"}).raise_for_status()
        for case_id in (approved["id"], refused["id"], withdrawn["id"]):
            for action, body in (("approve", None), ("refuse", {"reason": "again"})):
                response = janis.post(f"/cases/{case_id}/{action}", json=body)
                assert response.status_code == 409 and response.json()["error"] == "invalid_request", response.text
        ehic = nvd.post("/cases", json={"configuration_id": "ehic", "claims": {**PERSON.ehic, "document_number": ""},
                                         "holder": PERSON.holder})
        assert ehic.status_code == 201 and ehic.json()["approval"] is None  # LV:NVD asks no approval
        assert nvd.post(f"/cases/{ehic.json()['id']}/approve").status_code == 409
        missing = janis.post("/cases/no-such-case/approve")
        assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    with _api(issuer, NVD) as nvd_on_vsaa:  # another institution's token
        assert nvd_on_vsaa.post(f"/cases/{approved['id']}/approve").status_code == 403


def test_api_the_case_list_filters_the_cases_awaiting_approval(issuer: ServerHandle) -> None:
    with _api(issuer, ANNA) as anna, _api(issuer, JANIS) as janis:
        waiting, approved = _made(anna), _made(anna)
        janis.post(f"/cases/{approved['id']}/approve").raise_for_status()
        listed = anna.get("/cases", params={"approval": "awaiting", "limit": 1000})
        assert listed.status_code == 200
        ids = {c["id"] for c in listed.json()}
        assert waiting["id"] in ids and approved["id"] not in ids
        assert all(c["approval"] == "awaiting" and c["state"] != "revoked" for c in listed.json())
        assert approved["id"] in {c["id"] for c in anna.get("/cases", params={"approval": "approved"}).json()}
        everything = {c["id"] for c in anna.get("/cases", params={"limit": 1000}).json()}
        assert {waiting["id"], approved["id"]} <= everything
        bad = anna.get("/cases", params={"approval": "yes"})
        assert bad.status_code == 400 and bad.json()["field"] == "approval"


def test_api_a_replacement_awaits_approval_again(issuer: ServerHandle) -> None:
    with _api(issuer, ANNA) as anna, _api(issuer, JANIS) as janis:
        old = _made(anna)
        janis.post(f"/cases/{old['id']}/approve").raise_for_status()
        new = anna.post(f"/cases/{old['id']}/replace", json={"claims": _pda1(), "reason": "extended"})
        assert new.status_code == 201, new.text
        assert new.json()["approval"] == "awaiting" and new.json()["created_by"] == ANNA_ACTOR
        assert anna.get(f"/cases/{old['id']}").json()["state"] == "active"  # until the new one is approved
        again = anna.post(f"/cases/{old['id']}/replace", json={"claims": _pda1(), "reason": "extended"})
        assert again.status_code == 409 and again.json()["error"] == "invalid_request", again.text
        assert janis.post(f"/cases/{new.json()['id']}/approve").status_code == 200
        assert anna.get(f"/cases/{old['id']}").json()["state"] == "replaced"


def test_api_a_case_awaiting_approval_is_not_replaced_409_with_its_rule(issuer: ServerHandle) -> None:
    with _api(issuer, ANNA) as anna, _api(issuer, JANIS) as janis:
        old = _made(anna)
        janis.post(f"/cases/{old['id']}/approve").raise_for_status()
        new = anna.post(f"/cases/{old['id']}/replace", json={"claims": _pda1(), "reason": "extended"}).json()
        again = janis.post(f"/cases/{new['id']}/replace", json={"claims": _pda1(), "reason": "corrected"})
        assert again.status_code == 409, again.text
        body = again.json()
        assert (body["error"], body["rule_key"]) == ("invalid_request", "case.awaiting_replaced")
        assert "approve or refuse it first" in body["error_description"]


def test_api_a_suspended_case_is_not_approved_409_reinstate_it_first(issuer: ServerHandle) -> None:
    with _api(issuer, ANNA) as anna, _api(issuer, JANIS) as janis:
        old = _made(anna)
        janis.post(f"/cases/{old['id']}/approve").raise_for_status()
        new = anna.post(f"/cases/{old['id']}/replace", json={"claims": _pda1(), "reason": "extended"}).json()
        anna.post(f"/cases/{new['id']}/suspend", json={"reason": "to check"}).raise_for_status()
        approved = janis.post(f"/cases/{new['id']}/approve")
        assert approved.status_code == 409, approved.text
        assert approved.json()["rule_key"] == "case.not_active" and "reinstate it first" in approved.text
        assert anna.get(f"/cases/{old['id']}").json()["state"] == "active"


def test_api_a_csv_import_awaits_approval(issuer: ServerHandle) -> None:
    header, row = TEMPLATE.strip().split("\n")[:2]
    data = "\n".join([header, row.replace("DEMO-A1-LV-9001", ""), row.replace("DEMO-A1-LV-9001", "")]) + "\n"
    with _api(issuer, ANNA) as anna:
        response = anna.post("/import", files={"file": ("cases.csv", data.encode(), "text/csv")})
        assert response.status_code == 200 and response.json()["imported"] == 2, response.text
        for row_report in response.json()["rows"]:
            case = anna.get(f"/cases/{row_report['case_id']}").json()
            assert case["approval"] == "awaiting" and case["created_by"] == ANNA_ACTOR


def test_api_no_paper_copy_while_a_case_awaits_approval(issuer: ServerHandle) -> None:
    with _api(issuer, ANNA) as anna, _api(issuer, JANIS) as janis:
        made = anna.post("/cases", json={"configuration_id": "pda1", "claims": _pda1(), "holder": HOLDER})
        assert made.status_code == 201, made.text
        case = made.json()
        refused = anna.get(f"/cases/{case['id']}/paper.pdf")
        assert refused.status_code == 409 and "approval" in refused.json()["error_description"]
        janis.post(f"/cases/{case['id']}/approve").raise_for_status()
        paper = anna.get(f"/cases/{case['id']}/paper.pdf")
        assert paper.status_code == 200 and paper.content.startswith(b"%PDF")


# --- the back office pages, over HTTP ------------------------------------------------------------------


def _office(handle: ServerHandle, token: str) -> httpx.Client:
    signed = httpx.post(f"{handle.url}/lv-vsaa/office/login", data={"token": token})
    assert signed.status_code == 303, signed.text
    return httpx.Client(base_url=f"{handle.url}/lv-vsaa/office", cookies={COOKIE: signed.cookies[COOKIE]},
                        headers={"Accept-Language": "en"})


def _pda1_form(csrf: str) -> dict[str, str]:
    pda1 = PERSON.pda1
    return {"csrf": csrf, "personal_administrative_number": pda1["personal_administrative_number"],
            "document_number": "", "date_of_issuance": pda1["date_of_issuance"],
            "starting_date": pda1["starting_date"], "ending_date": pda1["ending_date"],
            "legislation_country": pda1["legislation_country"], "status_confirmation": "01",
            "employer.id": pda1["employer"]["id"], "employer.name": pda1["employer"]["name"],
            "employer.country": pda1["employer"]["country"],
            # A posting names its place of work abroad (Art. 12 of 883/2004).
            "work_address.locality": pda1["work_address"]["locality"],
            "work_address.country": pda1["work_address"]["country"],
            **{f"holder.{name}": value for name, value in PERSON.holder.items()},
            # The module records this person's A1 again and again: both are meant (tests/test_posting_periods.py).
            "confirm_overlap": "true"}


def test_office_the_shared_token_is_told_in_the_clerks_language_that_it_records_nothing_here(
        issuer: ServerHandle) -> None:
    with _office(issuer, SHARED) as shared, _office(issuer, ANNA) as anna:
        for page in ("/new", "/new/pda1", "/import"):
            shown = shared.get(page, params={"lang": "lv"}, follow_redirects=True).text
            assert 'id="record-unnamed"' in shown and "kopīgo pilnvaru" in shown
            assert 'action="/lv-vsaa/office/new' not in shown and 'action="/lv-vsaa/office/import' not in shown
        csrf = _csrf(anna.get("/new/pda1").text)  # the form is not shown to the shared token: post it anyway
        shared_csrf = _csrf(shared.get("/cases").text)
        refused = shared.post("/new/pda1", params={"lang": "lv"}, data={**_pda1_form(csrf), "csrf": shared_csrf})
        assert refused.status_code == 403 and "kopīgo pilnvaru" in refused.text


def test_office_the_shared_token_posting_an_import_gets_the_page_with_the_reason(issuer: ServerHandle) -> None:
    """The import form is not shown to the shared token; a file posted anyway is answered with the
    office page saying why, in the clerk's language (it was the API's English JSON 403)."""
    with _office(issuer, SHARED) as shared, _api(issuer, ANNA) as anna:
        before = len(anna.get("/cases").json())
        csrf = _csrf(shared.get("/cases").text)
        refused = shared.post("/import", params={"lang": "pl"}, data={"csrf": csrf},
                              files={"file": ("cases.csv", TEMPLATE.encode(), "text/csv")})
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"].startswith("text/html")
        assert 'id="error"' in refused.text and "wspólny token instytucji" in refused.text
        assert len(anna.get("/cases").json()) == before


def test_office_the_signed_in_named_clerk_is_the_actor_and_shown_in_the_header(issuer: ServerHandle) -> None:
    with _office(issuer, ANNA) as anna, _office(issuer, JANIS) as janis:
        home = anna.get("/cases")
        assert 'id="clerk-name"' in home.text and "Signed in as anna.berzina" in home.text
        created = anna.post("/new/pda1", data=_pda1_form(_csrf(anna.get("/new/pda1").text)))
        assert created.status_code == 303, created.text
        case_url = created.headers["location"].split("?")[0].removeprefix("/lv-vsaa/office")
        page = anna.get(case_url).text
        assert 'id="approval"' in page and f"Recorded by {ANNA_ACTOR}" in page
        assert 'id="approve"' not in page and "You recorded this case" in page  # the recording clerk
        forced = anna.post(case_url + "/approve", data={"csrf": _csrf(page)})
        assert forced.status_code == 403 and "You recorded this case, so another clerk approves it" in forced.text
        assert "Signed in as janis.ozols" in janis.get("/cases").text
        other = janis.get(case_url).text
        assert 'id="approve"' in other and 'id="refuse"' in other
        approved = janis.post(case_url + "/approve", data={"csrf": _csrf(other)})
        assert approved.status_code == 303
        after = janis.get(case_url).text
        assert 'id="approval"' not in after
        assert re.search(rf"approved by a second clerk</td>.*?{re.escape(JANIS_ACTOR)}", after, re.S)
        assert re.search(rf"case created</td>.*?{re.escape(ANNA_ACTOR)}", after, re.S)


def test_office_an_unnamed_token_is_told_why_it_cannot_approve(issuer: ServerHandle) -> None:
    with _api(issuer, ANNA) as anna, _office(issuer, SHARED) as shared:
        case = _made(anna)
        home = shared.get("/cases").text
        assert 'id="clerk-name"' not in home
        page = shared.get(f"/cases/{case['id']}").text
        assert 'id="approve"' not in page and "signed in with the institution&#39;s shared token" in page
        # Refusing by the form needs a reason, as withdrawing does.
        janis_page = _office(issuer, JANIS)
        csrf = _csrf(janis_page.get(f"/cases/{case['id']}").text)
        missing = janis_page.post(f"/cases/{case['id']}/refuse", data={"csrf": csrf, "reason": " "})
        assert missing.status_code == 400 and "Please give a reason." in missing.text
        assert 'id="reason-refuse"' in missing.text and 'aria-invalid="true"' in missing.text
        assert janis_page.post(f"/cases/{case['id']}/refuse", data={"reason": "x"}).status_code == 403  # no CSRF
        janis_page.close()


def test_office_the_case_list_shows_the_badge_and_the_cases_to_approve(issuer: ServerHandle) -> None:
    with _api(issuer, ANNA) as anna, _api(issuer, JANIS) as janis, _office(issuer, JANIS) as office:
        waiting, approved = _made(anna), _made(anna)
        janis.post(f"/cases/{approved['id']}/approve").raise_for_status()
        count = len(anna.get("/cases", params={"approval": "awaiting", "limit": 1000}).json())
        home = office.get("/cases").text
        assert f"To approve ({count})" in home and 'id="to-approve"' in home
        row = re.search(rf'<tr>(?:(?!</tr>).)*{waiting["id"]}(?:(?!</tr>).)*</tr>', home, re.S)
        assert row is not None and "awaiting approval" in row.group(0)
        row = re.search(rf'<tr>(?:(?!</tr>).)*{approved["id"]}(?:(?!</tr>).)*</tr>', home, re.S)
        assert row is not None and "awaiting approval" not in row.group(0)
        only = office.get("/cases", params={"approval": "awaiting"}).text
        assert "<h1>Cases to approve</h1>" in only and waiting["id"] in only and approved["id"] not in only
        assert 'id="show-all"' in only
    with _api(issuer, NVD, "lv-nvd") as nvd_api:  # an institution without approval: no link, no badge
        nvd_api.post("/cases", json={"configuration_id": "ehic", "holder": PERSON.holder,
                                     "claims": {**PERSON.ehic, "document_number": ""}}).raise_for_status()
        signed = httpx.post(f"{issuer.url}/lv-nvd/office/login", data={"token": NVD})
        with httpx.Client(base_url=issuer.url, cookies={COOKIE: signed.cookies[COOKIE]}) as nvd:
            page = nvd.get("/lv-nvd/office/cases?lang=en").text
            assert 'id="to-approve"' not in page and "awaiting approval" not in page


def test_office_a_replacement_awaiting_approval_is_told_on_both_cases_in_the_clerks_language(
        issuer: ServerHandle) -> None:
    """Four-eyes: the old document stays as it is until its replacement is approved. Its page says that a
    replacement awaits (with the way to it) and offers no second replacement (409); the replacement's
    page names the case it replaces and what approving or refusing it does to that one."""
    with _api(issuer, ANNA) as anna, _api(issuer, JANIS) as janis, _office(issuer, JANIS) as office:
        old = _made(anna)
        janis.post(f"/cases/{old['id']}/approve").raise_for_status()
        new = anna.post(f"/cases/{old['id']}/replace", json={"claims": _pda1(), "reason": "extended"}).json()
        assert anna.get(f"/cases/{old['id']}").json()["replacement_awaiting"] == new["id"]
        page = office.get(f"/cases/{old['id']}", params={"lang": "lv"}).text
        assert 'id="replacement-awaiting"' in page and f'href="/lv-vsaa/office/cases/{new["id"]}?lang=lv"' in page
        assert "Šī dokumenta aizstājējs gaida otra darbinieka apstiprinājumu" in page
        assert 'id="replace"' not in page
        page = office.get(f"/cases/{new['id']}", params={"lang": "de"}).text
        assert 'id="replaces"' in page and f'href="/lv-vsaa/office/cases/{old["id"]}?lang=de"' in page
        assert "Die Freigabe markiert es als ersetzt, die Ablehnung lässt es bestehen." in page
        janis.post(f"/cases/{new['id']}/approve").raise_for_status()
        page = office.get(f"/cases/{new['id']}", params={"lang": "fr"}).text
        assert "remplacé lors de l&#39;approbation de celui-ci" in page
        assert 'id="replacement-awaiting"' not in office.get(f"/cases/{old['id']}").text
        refused = anna.post(f"/cases/{new['id']}/replace", json={"claims": _pda1(), "reason": "corrected"}).json()
        janis.post(f"/cases/{refused['id']}/refuse", json={"reason": "not needed"}).raise_for_status()
        page = office.get(f"/cases/{refused['id']}", params={"lang": "en"}).text
        assert "it was not approved: the earlier one stays as it was" in page


def test_office_a_case_awaiting_approval_offers_no_replacement_and_says_why(issuer: ServerHandle) -> None:
    """Approved or refused first (IssuerService.replace_case): no "Replace" on its page, and the form asked
    for anyway answers 409 with the reason in the clerk's language."""
    with _api(issuer, ANNA) as anna, _api(issuer, JANIS) as janis, _office(issuer, JANIS) as office:
        old = _made(anna)
        janis.post(f"/cases/{old['id']}/approve").raise_for_status()
        new = anna.post(f"/cases/{old['id']}/replace", json={"claims": _pda1(), "reason": "extended"}).json()
        page = office.get(f"/cases/{new['id']}", params={"lang": "lv"}).text
        assert 'id="approval"' in page and 'id="replace"' not in page
        form = office.get(f"/cases/{new['id']}/replace", params={"lang": "lv"})
        assert form.status_code == 409 and 'id="error"' in form.text
        assert "tāpēc to nevar aizstāt" in form.text and 'id="f-replace-reason"' not in form.text
        posted = office.post(f"/cases/{new['id']}/replace", params={"lang": "de"},
                             data={**_pda1_form(_csrf(page)), "replace_reason": "corrected"})
        assert posted.status_code == 409 and "kann daher nicht ersetzt werden" in posted.text
        assert anna.get(f"/cases/{old['id']}").json()["replacement_awaiting"] == new["id"]


@pytest.mark.parametrize(("lang", "words"), [("en", "This case is suspended: reinstate it before approving it."),
                                             ("lv", "Šī lieta ir apturēta"), ("de", "Dieser Fall ist ausgesetzt"),
                                             ("fr", "Ce dossier est suspendu"), ("pl", "Ta sprawa jest zawieszona")])
def test_office_a_suspended_replacement_awaiting_approval_says_reinstate_it_first_instead_of_approve(
        issuer: ServerHandle, lang: str, words: str) -> None:
    import html

    with _api(issuer, ANNA) as anna, _api(issuer, JANIS) as janis, _office(issuer, JANIS) as office:
        old = _made(anna)
        janis.post(f"/cases/{old['id']}/approve").raise_for_status()
        case = anna.post(f"/cases/{old['id']}/replace", json={"claims": _pda1(), "reason": "extended"}).json()
        anna.post(f"/cases/{case['id']}/suspend", json={"reason": "to check"}).raise_for_status()
        page = office.get(f"/cases/{case['id']}", params={"lang": lang}).text
        assert 'id="approve"' not in page and 'id="refuse"' in page
        assert 'id="approve-suspended"' in page and words in html.unescape(page)
        forced = office.post(f"/cases/{case['id']}/approve", params={"lang": lang}, data={"csrf": _csrf(page)})
        assert forced.status_code == 409 and 'id="error"' in forced.text
        assert anna.get(f"/cases/{case['id']}").json()["approval"] == "awaiting"


@pytest.mark.parametrize("lang", ["en", "lv", "de", "fr", "pl"])
def test_office_the_replace_form_says_the_old_document_is_withdrawn_when_the_replacement_is_approved(
        issuer: ServerHandle, lang: str) -> None:
    """Where a second clerk approves each document, recording a replacement does not withdraw the old
    one "at once": the form says it is withdrawn when the replacement is approved."""
    import html

    from credentials import i18n
    from issuer.office import _T

    with _api(issuer, ANNA) as anna, _api(issuer, JANIS) as janis, _office(issuer, ANNA) as office:
        case = _made(anna)
        janis.post(f"/cases/{case['id']}/approve").raise_for_status()  # one awaiting it is not replaced
        page = html.unescape(office.get(f"/cases/{case['id']}/replace", params={"lang": lang}).text)
    index = i18n.LANGUAGES.index(lang)
    assert _T["replace_help_approval"][index] in page and _T["replace_submit_approval"][index] in page
    assert _T["replace_help"][index] not in page and _T["replace_submit"][index] not in page


def test_office_the_approval_strings_exist_in_all_five_languages() -> None:
    from credentials import i18n
    from issuer.office import _T

    for key in ("signed_in_as", "awaiting", "to_approve", "to_approve_title", "none_awaiting", "approval_title",
                "approval_help", "approve", "refuse", "refuse_help", "approve_own", "approve_unnamed",
                "offer_after_approval", "event.approved", "event.refused", "approve_suspended"):
        texts = _T[key]
        assert len(texts) == len(i18n.LANGUAGES) and all(t.strip() for t in texts), key
        assert len(set(texts)) >= 4, key  # translated, not copied


# --- in the browser ----------------------------------------------------------------------------------------


def _tab(browser: Any, handle: ServerHandle, token: str, width: int = 1280) -> Any:
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 800})
    tab = context.new_page()
    tab.goto(f"{handle.url}/lv-vsaa/office/login?lang=en")
    tab.fill("#token", token)
    tab.click("#signin")
    tab.wait_for_selector("#cases")
    return tab


@pytest.mark.browser
def test_browser_a_second_clerk_approves_what_the_first_recorded(issuer: ServerHandle, browser: Any) -> None:
    anna, janis = _tab(browser, issuer, ANNA), _tab(browser, issuer, JANIS)
    try:
        assert anna.inner_text("#clerk-name") == "Signed in as anna.berzina"
        anna.click("#new-pda1")
        # A person of their own: the module records Anna's A1 again and again (the overlap is asked about).
        _fill_pda1(anna, document_number="", personal_administrative_number="DEMO-APPROVAL-BROWSER-1")
        anna.click("#create")
        anna.wait_for_selector("#approval")
        case_url = anna.url.split("?")[0]
        assert ANNA_ACTOR in anna.inner_text("#recorded-by")
        assert anna.locator("#approve").count() == 0 and "You recorded this case" in anna.inner_text("#approval-why")
        assert anna.locator("#paper").count() == 0  # no paper copy before approval
        assert "once it is approved" in anna.inner_text("#offer-awaiting")
        anna.click("#make-offer")  # the offer is possible while awaiting
        anna.wait_for_selector("#offer svg")
        assert "once it is approved" in anna.inner_text("#offer #offer-awaiting")

        janis.reload()
        row = janis.locator("#cases tr", has=janis.locator(f"a[href*='{case_url.rsplit('/', 1)[1]}']"))
        assert "awaiting approval" in row.inner_text()
        assert re.fullmatch(r"To approve \(\d+\)", janis.inner_text("#to-approve").strip())
        janis.click("#to-approve")
        janis.wait_for_selector("#show-all")
        assert janis.inner_text("h1") == "Cases to approve"
        janis.click(f"#cases a[href*='{case_url.rsplit('/', 1)[1]}']")
        janis.wait_for_selector("#approve")
        janis.click("#approve")
        janis.wait_for_selector("#events")
        assert janis.locator("#approval").count() == 0
        events = janis.inner_text("#events")
        assert "approved by a second clerk" in events and JANIS_ACTOR in events and ANNA_ACTOR in events
        assert janis.locator("#paper").count() == 1  # approved: the paper copy is there
    finally:
        anna.context.close()
        janis.context.close()


@pytest.mark.browser
def test_browser_a_second_clerk_refuses_with_a_reason(issuer: ServerHandle, browser: Any) -> None:
    with _api(issuer, ANNA) as anna:
        case = _made(anna)
    janis = _tab(browser, issuer, JANIS)
    try:
        janis.goto(f"{issuer.url}/lv-vsaa/office/cases/{case['id']}?lang=en")
        janis.fill("#reason-refuse", "the posting was cancelled")
        janis.click("#refuse")
        janis.wait_for_selector("#state.state-revoked")
        assert janis.locator("#approval").count() == 0 and janis.locator("#final").count() == 1
        events = janis.inner_text("#events")
        assert "refused at approval" in events and "the posting was cancelled" in events and JANIS_ACTOR in events
    finally:
        janis.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", ["cases-to-approve", "case-to-approve", "case-recorded-by-me"])
def test_browser_the_approval_pages_read_at_320_css_px_without_scrolling_sideways(
        issuer: ServerHandle, browser: Any, name: str) -> None:
    """WCAG 2.2 SC 1.4.10 Reflow, as every office page (tests/test_issuer_office.py)."""
    with _api(issuer, LONG) as clerk:
        case = _made(clerk, _pda1(f"LV-VSAA-APPROVAL-{name.upper()}-{'X' * 50}"[:50]))
    tab = _tab(browser, issuer, LONG if name == "case-recorded-by-me" else JANIS, width=320)
    try:
        if name == "cases-to-approve":
            tab.goto(f"{issuer.url}/lv-vsaa/office/cases?approval=awaiting&lang=fr")
            tab.wait_for_selector("#to-approve")
        else:
            tab.goto(f"{issuer.url}/lv-vsaa/office/cases/{case['id']}?lang=fr")
            tab.wait_for_selector("#approval")
        for width in (320, 700, 1280):
            tab.set_viewport_size({"width": width, "height": 640})
            seen = tab.evaluate(REFLOW)
            assert seen["scrollWidth"] <= seen["clientWidth"] + 1 and not seen["found"], "\n".join(
                [f"{name} at {width} px: {seen['scrollWidth']} px wide", *seen["found"]])
    finally:
        tab.context.close()
