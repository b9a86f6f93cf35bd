"""Refresh grants that cannot be taken over or abused (RFC 9700 §4.14.2, RFC 6749 §10.4, FAPI 2.0 SP
§5.3.2.1, RFC 7009; review J's penetration test). Each drives the issuer's real service (its database,
clock, DPoP, refresh rotation, status lists), as tests/test_copy_renewal.py does in its issuer-side
test; nothing here is mocked but the clock. Each test is named after the requirement or the attack."""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from credentials import status_list
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import ProtocolError
from credentials.jose import b64url_encode, generate_key, public_jwk, sign_jws
from credentials.openid4vci import PRE_AUTH_GRANT, PROOF_TYP
from esspass.db import make_engine
from esspass.migrate import upgrade
from esspass.stack import unnumbered
from issuer.app import MIGRATIONS
from issuer.db import CredentialRecord, Event, RefreshToken
from issuer.institutions import demo_institutions
from issuer.service import REFRESH_IDLE, RENEWAL_PACE, RETRY_WINDOW, Institution, IssuerService

CLERK = "clerk:LV:VSAA"


@dataclass
class World:
    service: IssuerService
    inst: Institution
    clock: list[datetime]

    def now(self) -> datetime:
        return self.clock[0]

    def dpop(self, key: Any, endpoint: str, access_token: str | None = None) -> str:
        """A DPoP proof (RFC 9449 §4) by ``key`` for POST ``endpoint``, with ``ath`` for a resource."""
        claims: dict[str, Any] = {"jti": secrets.token_urlsafe(16), "htm": "POST",
                                  "htu": f"{self.inst.issuer_url}/{endpoint}", "iat": int(self.now().timestamp())}
        if access_token is not None:
            claims["ath"] = b64url_encode(hashlib.sha256(access_token.encode("ascii")).digest())
        return sign_jws({"typ": "dpop+jwt", "jwk": public_jwk(key)}, claims, key)

    def first_token(self, key: Any) -> tuple[str, dict[str, Any]]:
        """A new A1 case, its offer, and the worker's wallet taking it with a DPoP key: (case id, token answer)."""
        case = self.service.create_case(self.inst, "pda1", unnumbered(DEMO_PERSONS[0].pda1), actor=CLERK,
                                        holder=DEMO_PERSONS[0].holder)
        offer = self.service.create_offer(self.inst, case.id, actor=CLERK)
        code = self.service.offer_json(self.inst, offer.offer_id)["grants"][PRE_AUTH_GRANT]["pre-authorized_code"]
        answer = self.service.token(self.inst, {"grant_type": PRE_AUTH_GRANT, "pre-authorized_code": code,
                                                "tx_code": offer.tx_code}, self.dpop(key, "token"))
        return case.id, answer

    def refresh(self, refresh_token: str, key: Any) -> dict[str, Any]:
        return self.service.token(self.inst, {"grant_type": "refresh_token", "refresh_token": refresh_token},
                                  self.dpop(key, "token"))

    def credential(self, access_token: str, key: Any, config: str = "pda1", copies: int = 3) -> dict[str, Any]:
        """A credential request (OpenID4VCI §8) for ``copies`` fresh keys, each proof with a fresh c_nonce."""
        proofs = []
        for _ in range(copies):
            holder = generate_key()
            proofs.append(sign_jws({"typ": PROOF_TYP, "jwk": public_jwk(holder)},
                                   {"aud": self.inst.issuer_url, "iat": int(self.now().timestamp()),
                                    "nonce": self.service.nonces.c_nonce(self.inst.issuer_url)}, holder))
        return self.service.credential(self.inst, f"DPoP {access_token}",
                                       {"credential_configuration_id": config, "proofs": {"jwt": proofs}},
                                       self.dpop(key, "credential", access_token))

    def valid_entries(self, case_id: str) -> int:
        """How many status list entries of the case say VALID (live copies the institution vouches for)."""
        with self.service.sessions() as s:
            return int(s.scalar(select(func.count()).select_from(CredentialRecord).where(
                CredentialRecord.case_id == case_id, CredentialRecord.status == status_list.VALID)) or 0)


def _world(tmp_path: Path, pki_dir: Path, url: str | None = None, **kwargs: Any) -> tuple[World, Any]:
    engine = make_engine(url or f"sqlite:///{tmp_path / 'issuer.db'}")
    upgrade(engine, MIGRATIONS)
    clock = [datetime.now(UTC).replace(microsecond=0)]
    hosted = demo_institutions(pki_dir, "http://127.0.0.1:1", now=clock[0])
    service = IssuerService(engine, hosted, clock=lambda: clock[0], batch_size=3, **kwargs)
    return World(service, hosted["lv-vsaa"], clock), engine


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w, engine = _world(tmp_path, tmp_path / "pki")
    try:
        yield w
    finally:
        engine.dispose()


# --- refresh token rotation: reuse detection (RFC 9700 §4.14.2, RFC 6749 §10.4) ---------------------------


def _live(world: World) -> int:
    """How many refresh tokens of any grant are live."""
    with world.service.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(RefreshToken).where(RefreshToken.state == "active")) or 0)


def test_a_grant_copied_one_renewal_ago_cannot_take_over_from_the_wallet(world: World,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    """The wallet renewed once and fetched its new copies with the token that refresh gave: the answer
    evidently arrived. Whoever copied the wallet's grant before (its refresh token and DPoP key)
    presents the spent refresh token: a reuse, not a retry of a lost answer: refused, the grant revoked
    and ``refresh_token_reused`` logged (no token in the log)."""
    key = generate_key()
    _case, first = world.first_token(key)
    world.credential(first["access_token"], key)
    world.clock[0] += RENEWAL_PACE  # the copies may be renewed again
    renewed = world.refresh(first["refresh_token"], key)  # the wallet renews ...
    world.credential(renewed["access_token"], key)  # ... and receives its new copies with that answer
    with pytest.raises(ProtocolError) as refused:
        world.refresh(first["refresh_token"], key)  # the copied, spent refresh token, at once
    assert refused.value.error == "invalid_grant"
    assert [r for r in caplog.records if getattr(r, "event", "") == "refresh_token_reused"]
    assert first["refresh_token"] not in caplog.text and renewed["refresh_token"] not in caplog.text
    with pytest.raises(ProtocolError):
        world.refresh(renewed["refresh_token"], key)  # the grant is revoked: the thief renews nothing


def test_a_copied_spent_refresh_token_whose_answer_was_not_yet_used_is_reuse_after_the_retry_window(
        world: World) -> None:
    """The retry of a lost answer is one within minutes (RETRY_WINDOW): a spent token presented later,
    even while its successor is unused (the wallet has not renewed its copies since), revokes the grant."""
    key = generate_key()
    _case, first = world.first_token(key)
    world.credential(first["access_token"], key)
    renewed = world.refresh(first["refresh_token"], key)
    world.clock[0] += RETRY_WINDOW + timedelta(seconds=1)
    with pytest.raises(ProtocolError) as refused:
        world.refresh(first["refresh_token"], key)
    assert refused.value.error == "invalid_grant"
    with pytest.raises(ProtocolError):
        world.refresh(renewed["refresh_token"], key)
    assert _live(world) == 0


def test_a_refresh_whose_answer_was_lost_is_retried_within_minutes_and_the_retired_answer_is_then_reuse(
        world: World) -> None:
    """FAPI 2.0 SP §5.3.2.1: the answer of a refresh is lost (the wallet never had it); the wallet asks
    again with the same token within the window and gets a live grant. The answer it never had,
    presented later (someone had it after all), revokes the grant."""
    key = generate_key()
    _case, first = world.first_token(key)
    world.credential(first["access_token"], key)
    lost = world.refresh(first["refresh_token"], key)
    world.clock[0] += RETRY_WINDOW - timedelta(seconds=5)
    retried = world.refresh(first["refresh_token"], key)
    assert retried["refresh_token"] != lost["refresh_token"]
    again = world.refresh(retried["refresh_token"], key)  # the wallet's grant goes on
    with pytest.raises(ProtocolError) as refused:
        world.refresh(lost["refresh_token"], key)
    assert refused.value.error == "invalid_grant"
    with pytest.raises(ProtocolError):
        world.refresh(again["refresh_token"], key)
    assert _live(world) == 0


def test_when_a_rotated_grant_forks_the_party_left_with_the_retired_token_revokes_the_other(world: World) -> None:
    """Two parties hold the grant. The thief presents the spent token while the wallet had not yet used
    its answer, and is taken for a retry: it gets the live token, the wallet's is retired. When the
    wallet then presents its token, the issuer learns that two parties hold the grant: it is revoked."""
    key = generate_key()
    _case, first = world.first_token(key)
    world.credential(first["access_token"], key)
    wallets = world.refresh(first["refresh_token"], key)  # the wallet renews; its copies come later
    thiefs = world.refresh(first["refresh_token"], key)  # the copy of the grant, presented as a "retry"
    with pytest.raises(ProtocolError) as wallet_refused:
        world.refresh(wallets["refresh_token"], key)
    assert wallet_refused.value.error == "invalid_grant"
    with pytest.raises(ProtocolError) as thief_refused:
        world.refresh(thiefs["refresh_token"], key)  # revoked by now
    assert thief_refused.value.error == "invalid_grant"


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_four_refreshes_at_once_with_one_token_never_leave_two_live_grants(
        tmp_path: Path, database: str, request: pytest.FixtureRequest) -> None:
    """Four parties present the same refresh token at the same moment (the rows are locked: FOR UPDATE,
    BEGIN IMMEDIATE): at most one live refresh token is left, and every party left with a retired one
    revokes the grant when it presents it."""
    url = request.getfixturevalue("postgres_url") if database == "postgresql" else None
    w, engine = _world(tmp_path, tmp_path / "pki", url)
    try:
        key = generate_key()
        _case, first = w.first_token(key)
        w.credential(first["access_token"], key)
        answers: list[dict[str, Any] | ProtocolError] = []

        def refresh() -> None:
            try:
                answers.append(w.refresh(first["refresh_token"], key))
            except ProtocolError as exc:
                answers.append(exc)

        threads = [threading.Thread(target=refresh) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert _live(w) <= 1
        tokens = [a["refresh_token"] for a in answers if isinstance(a, dict)]
        assert tokens
        for token in tokens[:-1] if len(tokens) > 1 else []:
            with pytest.raises(ProtocolError):
                w.refresh(token, key)
        if len(tokens) > 1:
            assert _live(w) == 0  # a retired one presented: the grant is revoked
    finally:
        engine.dispose()


# --- resource exhaustion: renewals mint copies and status entries without bound -----------------------------


def test_back_to_back_renewals_do_not_keep_minting_valid_copies_without_bound(world: World) -> None:
    """A wallet (or whoever holds its grant) refreshes and asks for both forms again and again, within
    the same minute: no more than two generations of copies (2 x 2 forms x 3) stay live."""
    key = generate_key()
    case_id, answer = world.first_token(key)
    world.credential(answer["access_token"], key)
    world.credential(answer["access_token"], key, "pda1_mdoc")
    refresh_token = answer["refresh_token"]
    for _ in range(10):
        world.clock[0] += timedelta(seconds=5)
        try:
            answer = world.refresh(refresh_token, key)
        except ProtocolError:
            break
        refresh_token = answer["refresh_token"]
        for config in ("pda1", "pda1_mdoc"):
            try:
                world.credential(answer["access_token"], key, config)
            except ProtocolError:
                pass
    assert world.valid_entries(case_id) <= 2 * 2 * 3


def test_copies_not_due_are_not_renewed_and_the_refusal_says_when_they_will_be(world: World) -> None:
    """The copies held end months ahead and were issued minutes ago: a renewal is refused
    (credential_request_denied) saying when; a day later (RENEWAL_PACE) it is answered."""
    key = generate_key()
    _case, first = world.first_token(key)
    world.credential(first["access_token"], key)
    renewed = world.refresh(first["refresh_token"], key)
    with pytest.raises(ProtocolError) as refused:
        world.credential(renewed["access_token"], key)
    assert refused.value.error == "credential_request_denied"
    assert "not due for renewal" in refused.value.message
    world.clock[0] += RENEWAL_PACE
    again = world.refresh(renewed["refresh_token"], key)
    assert len(world.credential(again["access_token"], key)["credentials"]) == 3


def test_renewed_copies_once_accepted_invalidate_the_ones_they_replace_even_after_a_reinstatement(
        world: World) -> None:
    """The wallet accepts the renewed copies (credential_accepted, §11): the copies they replace are set
    invalid in the status list, and stay so when the case is suspended and reinstated."""
    key = generate_key()
    case_id, first = world.first_token(key)
    world.credential(first["access_token"], key)
    world.clock[0] += RENEWAL_PACE
    renewed = world.refresh(first["refresh_token"], key)
    answer = world.credential(renewed["access_token"], key)
    assert world.valid_entries(case_id) == 6  # two generations until the new one is accepted
    world.service.notification(world.inst, f"DPoP {renewed['access_token']}",
                                {"notification_id": answer["notification_id"], "event": "credential_accepted"},
                                world.dpop(key, "notification", renewed["access_token"]))
    assert world.valid_entries(case_id) == 3
    world.service.set_state(world.inst, case_id, "suspended", reason="check", actor=CLERK)
    world.service.set_state(world.inst, case_id, "active", reason="checked", actor=CLERK)
    assert world.valid_entries(case_id) == 3


# --- grants that end: a new offer, the wallet's revocation (RFC 7009), inactivity (RFC 9700 §4.14.2) ------


def test_a_new_offer_of_the_case_ends_the_grants_of_the_wallets_that_took_earlier_ones(world: World) -> None:
    """The worker's phone was stolen; the clerk makes a new offer of the same case: the thief's copy of
    the grant renews nothing more."""
    key = generate_key()
    case_id, first = world.first_token(key)
    world.service.create_offer(world.inst, case_id, actor=CLERK)
    with pytest.raises(ProtocolError) as refused:
        world.refresh(first["refresh_token"], key)
    assert refused.value.error == "invalid_grant"


def test_the_wallet_revokes_its_grant_with_its_dpop_key_and_nobody_else_can(world: World) -> None:
    """RFC 7009: the wallet deletes the card and revokes its refresh token with a DPoP proof by the
    grant's key; one presenting it with another key is refused and ends nothing; an unknown token is
    answered as revoked. The clerk sees the revocation in the case history."""
    key = generate_key()
    case_id, first = world.first_token(key)
    revoke = {"token": first["refresh_token"], "token_type_hint": "refresh_token"}
    with pytest.raises(ProtocolError) as refused:
        world.service.revoke(world.inst, revoke, world.dpop(generate_key(), "revoke"))
    assert refused.value.error == "invalid_grant"  # RFC 6749 §5.2 (RFC 7009 §2.2.1): issued to another client
    with pytest.raises(ProtocolError) as anonymous:  # an anonymous wallet's grant: its DPoP key is its only proof
        world.service.revoke(world.inst, revoke)
    assert anonymous.value.error == "invalid_client"
    world.service.revoke(world.inst, {"token": "unknown"}, world.dpop(key, "revoke"))
    world.service.revoke(world.inst, revoke, world.dpop(key, "revoke"))
    with pytest.raises(ProtocolError) as ended:
        world.refresh(first["refresh_token"], key)
    assert ended.value.error == "invalid_grant"
    with world.service.sessions() as s:
        assert s.scalar(select(Event.id).where(Event.case_id == case_id, Event.action == "grant_revoked"))


def test_a_refresh_token_unused_long_after_its_copies_came_due_has_expired(world: World) -> None:
    """RFC 9700 §4.14.2: a grant whose wallet did not renew its copies for REFRESH_IDLE after they came
    within the notice window (a lost phone) ends; one used within it goes on."""
    key = generate_key()
    _case, first = world.first_token(key)
    world.credential(first["access_token"], key)
    with world.service.sessions.begin() as s:  # copies ending soon (a signer certificate near its end)
        s.execute(update(CredentialRecord).values(expires_at=world.now() + timedelta(days=1)))
    world.clock[0] += REFRESH_IDLE - timedelta(days=2)
    used = world.refresh(first["refresh_token"], key)
    world.clock[0] += REFRESH_IDLE + timedelta(days=1)
    with pytest.raises(ProtocolError) as refused:
        world.refresh(used["refresh_token"], key)
    assert refused.value.error == "invalid_grant" and "not used for too long" in refused.value.message


def test_the_wallet_says_in_the_workers_language_that_the_institutions_signing_key_is_distrusted() -> None:
    """What the issuer answers while the trust list bars its signer (503 ``signer.distrusted``), said whole."""
    from credentials import i18n
    from issuer.rules import words
    from wallet import messages

    for lang in i18n.LANGUAGES:
        said = messages.explain("temporarily_unavailable", f"Renewing the copies: {words('signer.distrusted')}", lang)
        assert said == messages.t("remote.signer_distrusted", lang)
    assert len({messages.t("remote.signer_distrusted", lang) for lang in i18n.LANGUAGES}) == 5


@pytest.mark.parametrize(("site", "renews"), [(None, True), ("none", True), ("same-origin", True),
                                              ("same-site", False), ("cross-site", False)])
def test_the_card_pages_renew_copies_only_on_the_wallets_own_or_a_typed_navigation(site: str | None,
                                                                                   renews: bool) -> None:
    """L3: a GET of the card pages renews copies (a request with effects) only when the wallet's pages
    made it or the worker typed it, never from another site or another port of the same host."""
    from starlette.requests import Request

    from wallet.app import own_navigation

    headers = [] if site is None else [(b"sec-fetch-site", site.encode("ascii"))]
    assert own_navigation(Request({"type": "http", "method": "GET", "path": "/cards", "headers": headers})) is renews
