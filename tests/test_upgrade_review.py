"""Review O (an operator upgrading a running deployment from the last release) and review P's
revocation oracle: what a data directory or database of the last release meets in this one, what
``esspass migrate`` says and undoes, and the RFC 7009 endpoint telling nothing of which tokens live."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, update
from test_ops_cli import HEADS, _env, _esspass
from test_refresh_grants import CLERK, _world

from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import DataError, ProtocolError
from credentials.institutions import DEMO_ENTITIES, demo_entity
from credentials.jose import generate_key, public_jwk
from credentials.openid4vp import client_id_for
from credentials.pki import (
    PILOT_HOST,
    create_demo_pki,
    issue_access_certificate,
    load_demo_pki,
    write_certificates,
)
from credentials.x509 import dns_names
from esspass.db import make_engine
from esspass.stack import unnumbered
from esspass.testing import free_port
from issuer.db import Case
from verifier.settings import VerifierSettings

#: The issuer's schema head of the release that knew no case state ``replaced``: migration 0020's
#: downgrade turns it into ``revoked`` (later migrations, as 0021, are undone on the way).
BEFORE_REPLACED = "0019"


def _last_releases_pki(pki_dir: Path, now: datetime) -> None:
    """A demo PKI as the last release made it: the inspectorate's access certificate, same key and
    CA, naming only its own ``*.localhost`` name, not the pilot's host ``localhost``."""
    create_demo_pki(pki_dir, DEMO_ENTITIES, now=now)
    pki = load_demo_pki(pki_dir)
    ca_key, ca_cert = pki.cas["LV:VDI"]
    key, _chain = pki.access["LV:VDI"]
    _key, old = issue_access_certificate(demo_entity("LV:VDI"), ca_key, ca_cert, now=now, key=key)
    write_certificates(pki_dir / "entities" / pki.entity_paths["LV:VDI"] / "access.pem", [old])
    assert PILOT_HOST not in dns_names(load_demo_pki(pki_dir).access["LV:VDI"][1][0])


def test_x509_san_dns_on_a_data_directory_of_the_last_release_gets_a_demo_certificate_naming_localhost(
        tmp_path: Path) -> None:
    """Review O #2: the last release's demo access certificate lacks ``localhost``, so under
    ``x509_san_dns`` every check failed (400) while `up` and `verifier check` said nothing. At start
    the demo certificate is re-issued with it, same key, same entity CA (the trust list's anchor):
    the verifier identifies itself as ``x509_san_dns:localhost`` from the first check."""
    now = datetime.now(UTC)
    pki_dir = tmp_path / "pki"
    _last_releases_pki(pki_dir, now)
    before = load_demo_pki(pki_dir)
    settings = VerifierSettings(data_dir=tmp_path, pki_dir=pki_dir, client_id_prefix="x509_san_dns",
                                public_url=f"https://localhost:{free_port()}")
    key, chain = settings.access_certificate(now)
    assert dns_names(chain[0]) == [demo_entity("LV:VDI").dns_name, PILOT_HOST]
    assert client_id_for(chain[0], "x509_san_dns", host=PILOT_HOST) == "x509_san_dns:localhost"
    assert public_jwk(key) == public_jwk(before.access["LV:VDI"][0])  # the same key
    assert chain[0].issuer == before.cas["LV:VDI"][1].subject
    assert load_demo_pki(pki_dir).cas["LV:VDI"][1] == before.cas["LV:VDI"][1]  # the anchor untouched


def test_x509_san_dns_with_the_demo_certificate_on_a_host_it_does_not_name_is_refused_at_start_and_by_check(
        tmp_path: Path) -> None:
    """Review O #2: the demo PKI's certificate was never checked against the verifier's host (the
    own-files branch was): refused at start, and `esspass verifier check` says so, in one line."""
    now = datetime.now(UTC)
    create_demo_pki(tmp_path / "pki", DEMO_ENTITIES, now=now)
    public_url = f"http://127.0.0.1:{free_port()}"
    settings = VerifierSettings(data_dir=tmp_path, client_id_prefix="x509_san_dns", public_url=public_url)
    with pytest.raises(DataError) as refused:
        settings.access_certificate(now)
    assert refused.value.field == "ESSPASS_VERIFIER_CLIENT_ID_PREFIX" and "127.0.0.1" in refused.value.rule
    checked = _esspass("verifier", "check", env=_env(tmp_path, ESSPASS_VERIFIER_CLIENT_ID_PREFIX="x509_san_dns",
                                                     ESSPASS_VERIFIER_PUBLIC_URL=public_url))
    assert checked.returncode == 1 and "Traceback" not in checked.stderr, checked.stderr
    assert "ESSPASS_VERIFIER_CLIENT_ID_PREFIX" in checked.stderr and " ok " not in checked.stdout


def test_esspass_migrate_says_what_it_migrated_and_rolls_one_service_back_with_to(tmp_path: Path) -> None:
    """Review O #3, #4: `esspass migrate` names each service's revision before and after (it said
    "current" after migrating), and ``--service S --to REV`` rolls one back (each later migration's
    downgrade) for the release whose head REV is; back again to this release's head."""
    env = _env(tmp_path)
    issuer_head, earlier = HEADS["issuer"][1], f"{int(HEADS['issuer'][1]) - 1:04d}"
    made = _esspass("migrate", "--service", "issuer", "--to", earlier, env=env)
    assert made.returncode == 0 and made.stdout.splitlines() == [f"issuer: database schema made, at {earlier}"], made
    done = _esspass("migrate", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"registry: database schema made, at {HEADS['registry'][1]}",
                                        f"issuer: database schema {earlier} -> {issuer_head}",
                                        f"verifier: database schema made, at {HEADS['verifier'][1]}"]
    again = _esspass("migrate", "--service", "verifier", env=env)
    assert again.stdout.splitlines() == [f"verifier: database schema {HEADS['verifier'][1]} is current, nothing to do"]
    back = _esspass("migrate", "--service", "issuer", "--to", earlier, env=env)
    assert back.returncode == 0 and back.stdout.splitlines() == [f"issuer: database schema {issuer_head} -> {earlier}"]
    unnamed = _esspass("migrate", "--to", earlier, env=env)
    assert unnamed.returncode == 2 and "--to needs --service" in unnamed.stderr
    unknown = _esspass("migrate", "--service", "issuer", "--to", "0999", env=env)
    assert unknown.returncode == 1 and "not a revision of this release" in unknown.stderr, unknown.stderr
    assert _esspass("migrate", env=env).stdout.splitlines()[1] == f"issuer: database schema {earlier} -> {issuer_head}"


def test_a_case_replaced_under_the_last_release_still_names_the_case_that_replaced_it(tmp_path: Path) -> None:
    """Review O #5: the last release withdrew a replaced case (state ``revoked``, INVALID, final and
    kept so); its replacement names it (``replaces``), and the clerk sees the link both ways."""
    world, engine = _world(tmp_path, tmp_path / "pki")
    try:
        service, inst = world.service, world.inst
        old = service.create_case(inst, "pda1", unnumbered(DEMO_PERSONS[0].pda1), actor=CLERK,
                                  holder=DEMO_PERSONS[0].holder)
        new = service.replace_case(inst, old.id, unnumbered(DEMO_PERSONS[0].pda1), actor=CLERK, reason="extended")
        with service.sessions.begin() as s:  # as the last release left it
            s.execute(update(Case).where(Case.id == old.id).values(state="revoked"))
        shown = service.get_case(inst, old.id)
        assert shown["state"] == "revoked" and shown["replaced_by"] == new.id
        assert service.get_case(inst, new.id)["replaces"] == old.id
    finally:
        engine.dispose()


def test_rolling_back_the_issuer_turns_a_replaced_case_into_a_withdrawn_one(tmp_path: Path) -> None:
    """The last release knows no case state ``replaced`` (it would offer and renew such a case again):
    the downgrade to its schema makes it ``revoked``, final there; the status entries stay 0x03."""
    world, engine = _world(tmp_path, tmp_path / "pki")
    try:
        service, inst = world.service, world.inst
        old = service.create_case(inst, "pda1", unnumbered(DEMO_PERSONS[0].pda1), actor=CLERK,
                                  holder=DEMO_PERSONS[0].holder)
        service.replace_case(inst, old.id, unnumbered(DEMO_PERSONS[0].pda1), actor=CLERK, reason="ended early")
        assert service.get_case(inst, old.id)["state"] == "replaced"
    finally:
        engine.dispose()
    back = _esspass("migrate", "--service", "issuer", "--to", BEFORE_REPLACED, env=_env(tmp_path))
    assert back.returncode == 0 and back.stdout.splitlines() == [
        f"issuer: database schema {HEADS['issuer'][1]} -> {BEFORE_REPLACED}"], back
    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}")
    try:
        with engine.connect() as conn:
            assert conn.execute(select(Case.state).where(Case.id == old.id)).scalar() == "revoked"
    finally:
        engine.dispose()


#: Two named clerks of the institution (four-eyes: one records, the other approves).
ANNA, JANIS = f"{CLERK}/anna.berzina", f"{CLERK}/janis.ozols"


def _issuer_schema(data_dir: Path) -> tuple[str | None, dict[str, list[str]]]:
    """The issuer's schema revision, and its tables' columns."""
    engine = make_engine(f"sqlite:///{data_dir / 'issuer.db'}")
    try:
        with engine.connect() as conn:
            tables = inspect(conn)
            return (conn.exec_driver_sql("SELECT version_num FROM alembic_version_issuer").scalar(),
                    {t: [c["name"] for c in tables.get_columns(t)] for t in tables.get_table_names()})
    finally:
        engine.dispose()


def test_rolling_the_issuer_back_past_four_eyes_is_refused_while_a_case_awaits_approval(tmp_path: Path) -> None:
    """Migration 0011's downgrade drops ``issuer_cases.approval``: the release before four-eyes would
    offer, print and sign a case still awaiting a second clerk's approval as any other. Refused in one
    line, the schema left as it was (every later downgrade undone with it); once a second clerk has
    approved it, the rollback goes through."""
    world, engine = _world(tmp_path, tmp_path / "pki")
    try:
        service, four_eyes = world.service, replace(world.inst, approval_required=True)
        case = service.create_case(four_eyes, "pda1", unnumbered(DEMO_PERSONS[0].pda1), actor=ANNA,
                                   holder=DEMO_PERSONS[0].holder)
        assert service.get_case(four_eyes, case.id)["approval"] == "awaiting"
    finally:
        engine.dispose()
    before = _issuer_schema(tmp_path)
    refused = _esspass("migrate", "--service", "issuer", "--to", "0010", env=_env(tmp_path))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
    assert refused.stderr.splitlines() == ["esspass: issuer: 1 case(s) await a second clerk's approval, which the "
                                           "schema before 0011 cannot hold (the release before four-eyes would sign "
                                           "them unapproved): approve or refuse them first; nothing was rolled back"]
    assert _issuer_schema(tmp_path) == before and before[0] == HEADS["issuer"][1]  # nothing undone
    world, engine = _world(tmp_path, tmp_path / "pki")
    try:
        world.service.approve_case(four_eyes, case.id, actor=JANIS)
    finally:
        engine.dispose()
    back = _esspass("migrate", "--service", "issuer", "--to", "0010", env=_env(tmp_path))
    assert back.returncode == 0 and back.stdout.splitlines() == [
        f"issuer: database schema {HEADS['issuer'][1]} -> 0010"], back


def test_rolling_the_issuer_back_past_0014_is_refused_while_a_replacement_awaits_approval(tmp_path: Path) -> None:
    """Migration 0014's downgrade drops ``issuer_cases.replaces``: the release before withdrew the old
    document when its replacement was recorded, so a replacement still awaiting approval would, once
    approved there, leave the document it replaces valid beside it. Refused in one line, the schema
    left as it was; once the replacement is refused (the old document stays), the rollback goes through."""
    world, engine = _world(tmp_path, tmp_path / "pki")
    try:
        service, four_eyes = world.service, replace(world.inst, approval_required=True)
        old = service.create_case(world.inst, "pda1", unnumbered(DEMO_PERSONS[0].pda1), actor=ANNA,
                                  holder=DEMO_PERSONS[0].holder)
        new = service.replace_case(four_eyes, old.id, unnumbered(DEMO_PERSONS[0].pda1), actor=ANNA,
                                   reason="extended")
        assert service.get_case(four_eyes, new.id)["approval"] == "awaiting"
    finally:
        engine.dispose()
    before = _issuer_schema(tmp_path)
    refused = _esspass("migrate", "--service", "issuer", "--to", "0013", env=_env(tmp_path))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr, refused.stderr
    assert refused.stderr.splitlines() == ["esspass: issuer: 1 replacement(s) await a second clerk's approval, which "
                                           "the schema before 0014 cannot hold (approved under the release before, "
                                           "each would leave the document it replaces valid beside it): approve or "
                                           "refuse them first; nothing was rolled back"]
    assert _issuer_schema(tmp_path) == before and before[0] == HEADS["issuer"][1]  # nothing undone
    world, engine = _world(tmp_path, tmp_path / "pki")
    try:
        world.service.refuse_case(four_eyes, new.id, actor=JANIS, reason="wrong period")
    finally:
        engine.dispose()
    back = _esspass("migrate", "--service", "issuer", "--to", "0013", env=_env(tmp_path))
    assert back.returncode == 0 and back.stdout.splitlines() == [
        f"issuer: database schema {HEADS['issuer'][1]} -> 0013"], back


def test_attack_an_unauthenticated_revocation_cannot_tell_a_live_token_from_an_unknown_one(tmp_path: Path) -> None:
    """Review P: RFC 7009 §2.1 authenticates the client first. Without any (no attestation, no DPoP
    proof) a live grant's token got 401 and an unknown one 200: an oracle of live tokens. Now both
    401 ``invalid_client``, alike, and the grant lives on; its wallet still revokes it."""
    world, engine = _world(tmp_path, tmp_path / "pki")
    try:
        key = generate_key()
        _case, first = world.first_token(key)
        answers = []
        for token in (first["refresh_token"], first["access_token"], "unknown-token"):
            with pytest.raises(ProtocolError) as refused:
                world.service.revoke(world.inst, {"token": token})
            answers.append((refused.value.error, refused.value.http_status, refused.value.message))
        assert answers[0] == answers[1] == answers[2] and answers[0][:2] == ("invalid_client", 401)
        refreshed = world.refresh(first["refresh_token"], key)  # nothing was revoked
        world.service.revoke(world.inst, {"token": refreshed["refresh_token"]}, world.dpop(key, "revoke"))
        with pytest.raises(ProtocolError) as ended:
            world.refresh(refreshed["refresh_token"], key)
        assert ended.value.error == "invalid_grant"
    finally:
        engine.dispose()
