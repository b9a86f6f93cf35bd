"""A document whose issuer the trust list held does not place makes a verifier or a wallet fetch the list again.

Verifiers and wallets ask the registry for the issuers list at most every five minutes
(trust_registry.client). An institution's new signer key (``esspass registry rotate``), a newly
registered institution or a role just granted would otherwise read "not competent" or "not listed"
for up to that long, while the issuer already signs with it. So when the list held does not place a
document's issuer and is at least :data:`trust_registry.client.SETTLED` seconds old, the list is
fetched again before the verdict (the wallet: before it refuses the copies), at most once per that
many seconds whatever documents ask for it, and never while the registry did not answer its last
attempt. The real pilot over HTTP, then the client's rule against a real registry.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_replaced_status import A1_ISSUER, Pilot

from credentials.institutions import demo_entity
from credentials.x509 import load_pem_certificates
from esspass.db import make_engine
from esspass.stack import InspectorAuth, Stack, start_in_process
from esspass.testing import ServerHandle, serve
from trust_registry.app import create_app as registry_app
from trust_registry.client import REVALIDATE_AFTER, SETTLED, TrustListClient
from trust_registry.settings import RegistrySettings
from trust_registry.store import Registry
from verifier.settings import VerifierSettings

#: The pilot's inspectorate (the stack's verifier).
INSPECTORATE = VerifierSettings.model_fields["entity_id"].default


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with start_in_process(tmp_path_factory.mktemp("pilot")) as running:
        yield running


@pytest.fixture
def pilot(stack: Stack, tmp_path: Path) -> Iterator[Pilot]:
    with httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        world = Pilot(stack, http, tmp_path / "phones")
        yield world
        for wallet in world.wallets:
            wallet.http.close()


def _roles(pilot: Pilot, roles: list[str]) -> None:
    engine = make_engine(f"sqlite:///{pilot.stack.data_dir / 'registry.db'}")
    try:
        Registry(engine).set_roles(A1_ISSUER, roles, who="operator")
    finally:
        engine.dispose()


def _verdict(pilot: Pilot, wallet: Any) -> dict[str, Any]:
    request = pilot.inspector.request("pda1")
    assert wallet.share(wallet.open_request(request["link"], "en").id).outcome == "shared"
    verdict: dict[str, Any] = pilot.inspector.result(request)["verdict"]
    return verdict


def test_a_role_granted_since_the_verifier_fetched_its_list_is_seen_at_the_next_check_not_minutes_later(
        pilot: Pilot) -> None:
    wallet = pilot.wallet()
    pilot.receive(wallet, pilot.a1())
    _roles(pilot, ["ehic_issuer"])  # the operator took the A1 role away (a mistake)
    # The verifier fetches the list without it; its clock runs a minute ahead, so the list it holds is
    # already older than SETTLED when it is asked again (a real wait, without the sleep).
    verifier = pilot.stack.restart_verifier(ahead=timedelta(seconds=SETTLED * 2))
    wallet.clock = verifier.clock  # the phone's clock agrees (a request made "in the future" is refused)
    first = _verdict(pilot, wallet)
    assert first["verdict"] == "invalid" and first["reason_key"] == "issuer_authorised.failed", first
    _roles(pilot, ["pda1_issuer"])  # put right: verifiers would hold the wrong list for five more minutes
    # The first verdict fetched the list again already (it held the same): the next fetch is due a
    # settling time later, which the inspector's next check comes after.
    verifier.clock = wallet.clock = lambda: datetime.now(UTC) + timedelta(seconds=SETTLED * 4)
    try:
        second = _verdict(pilot, wallet)
    finally:
        verifier.clock = lambda: datetime.now(UTC)  # the stack's verifier, for the tests after this one
    assert second["verdict"] == "valid", second


def test_an_offline_qr_code_checked_with_network_is_judged_by_the_list_fetched_again_too(pilot: Pilot) -> None:
    wallet = pilot.wallet()
    group = pilot.receive(wallet, pilot.a1())
    _roles(pilot, ["ehic_issuer"])
    verifier = pilot.stack.restart_verifier(ahead=timedelta(seconds=SETTLED * 2))  # holds the list without it
    try:
        verifier.issuers(verifier.clock())
        _roles(pilot, ["pda1_issuer"])
        wallet.clock = verifier.clock  # the code is signed as the phone shows it (a code from the past is stale)
        checked = pilot.http.post(f"{pilot.stack.verifier_url}/api/offline/verify",
                                  json={"qr": wallet.offline_qr(group), "challenge": None})
    finally:
        verifier.clock = lambda: datetime.now(UTC)
    assert checked.status_code == 200 and checked.json()["verdict"] == "valid", checked.text


def test_a_wallet_holding_a_list_from_before_the_issuers_role_was_granted_still_takes_its_document(
        pilot: Pilot) -> None:
    wallet = pilot.wallet()
    _roles(pilot, ["ehic_issuer"])
    # The wallet asks for its list when it is due (a later time given: fetched now, not due again for
    # REVALIDATE_AFTER from then), and gets it without the role.
    held = wallet.trust.issuers(datetime.now(UTC) + timedelta(seconds=REVALIDATE_AFTER + 1))
    assert held.entity(A1_ISSUER).roles == {"ehic_issuer"}
    _roles(pilot, ["pda1_issuer"])
    # Its clock SETTLED and a little ahead (within what the issuer allows): the list it holds, issued
    # moments ago, is older than SETTLED at the receipt (a real wait, without the sleep).
    wallet.clock = lambda: datetime.now(UTC) + timedelta(seconds=SETTLED + 10)
    group = pilot.receive(wallet, pilot.a1())
    assert wallet.card(group, "en").issuer_name.startswith(demo_entity(A1_ISSUER).name)


def test_a_wallet_holding_a_list_from_before_the_inspectorate_could_ask_for_the_a1_answers_its_request(
        pilot: Pilot) -> None:
    wallet = pilot.wallet()
    pilot.receive(wallet, pilot.a1())
    engine = make_engine(f"sqlite:///{pilot.stack.data_dir / 'registry.db'}")
    try:
        registry = Registry(engine)
        granted = registry.show(INSPECTORATE)["may_request"]
        registry.set_may_request(INSPECTORATE, {k: v for k, v in granted.items() if "pda1" not in k}, who="operator")
        held = wallet.trust.verifiers(datetime.now(UTC) + timedelta(seconds=REVALIDATE_AFTER + 1))  # due: fetched
        assert not any("pda1" in vct for vct in held.entity(INSPECTORATE).may_request)
        registry.set_may_request(INSPECTORATE, granted, who="operator")  # the operator puts it back
    finally:
        engine.dispose()
    wallet.clock = lambda: datetime.now(UTC) + timedelta(seconds=SETTLED + 10)
    verdict = _verdict(pilot, wallet)
    assert verdict["verdict"] == "valid", verdict


@pytest.fixture
def lists(stack: Stack) -> Iterator[tuple[TrustListClient, ServerHandle, datetime]]:
    """A verifier's list client on a registry of its own (on the pilot's data), holding the issuers list
    fetched at ``t0``."""
    with serve(registry_app(RegistrySettings(data_dir=stack.data_dir))) as registry, \
            httpx.Client(timeout=10) as http:
        root = load_pem_certificates((stack.data_dir / "pki" / "root.pem").read_bytes())[0]
        client = TrustListClient(registry.url, registry_root=root, http=http)
        t0 = datetime.now(UTC)
        client.issuers(t0)
        yield client, registry, t0


def test_the_lists_kept_on_disk_are_readable_by_their_owner_alone_whatever_the_umask(
        stack: Stack, lists: tuple[TrustListClient, ServerHandle, datetime], tmp_path: Path) -> None:
    """A terminal wallet (umask 022) made its trust-cache directory 0755: which lists a device holds is its
    own, as the services' files are (README: readable by its own user only)."""
    import os
    import stat

    _, registry, t0 = lists
    root = load_pem_certificates((stack.data_dir / "pki" / "root.pem").read_bytes())[0]
    old = os.umask(0o022)
    try:
        with httpx.Client(timeout=10) as http:
            TrustListClient(registry.url, registry_root=root, http=http, cache_dir=tmp_path / "trust-cache").issuers(t0)
    finally:
        os.umask(old)
    cache = tmp_path / "trust-cache"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in cache.iterdir()} == {0o600}


def test_a_list_younger_than_the_settling_time_is_not_asked_for_again(
        lists: tuple[TrustListClient, ServerHandle, datetime]) -> None:
    client, _, t0 = lists
    assert client.revalidate("issuers", t0 + timedelta(seconds=SETTLED - 5)) is None


def test_the_registry_is_asked_again_at_most_once_per_settling_time_whatever_documents_ask_for_it(
        lists: tuple[TrustListClient, ServerHandle, datetime]) -> None:
    client, _, t0 = lists
    first = t0 + timedelta(seconds=SETTLED + 5)
    assert client.revalidate("issuers", first) is not None
    assert client.info("issuers").fetched_at == first
    assert client.revalidate("issuers", first + timedelta(seconds=SETTLED - 1)) is None
    assert client.info("issuers").fetched_at == first  # not asked
    assert client.revalidate("issuers", first + timedelta(seconds=SETTLED)) is not None


def test_a_registry_that_did_not_answer_its_last_attempt_is_not_waited_on_for_each_document(
        lists: tuple[TrustListClient, ServerHandle, datetime]) -> None:
    client, registry, t0 = lists
    registry.stop()
    later = t0 + timedelta(seconds=REVALIDATE_AFTER + 1)
    assert client.issuers(later) is not None and client.info("issuers").source == "cache"  # due, unanswered
    assert client.revalidate("issuers", later + timedelta(seconds=SETTLED)) is None


def test_a_copy_signed_with_a_key_the_trust_list_revoked_is_said_to_need_a_new_copy(tmp_path: Path) -> None:
    """The registry revokes the key the institution signed a worker's A1 with (compromised): every verifier
    refuses that copy from then on, whatever the institution's status list says. The wallet judges its
    copies by the issuers list too: it said "could not check" (the institution cannot sign its status
    list with the revoked key either) and showed the copy as good; now the copy is ``distrusted``, told
    on the card, in the list and before it leaves, with whom to ask for a new copy, and a later status
    list does not make it good again."""
    from credentials import sd_jwt
    from credentials.x509 import load_x5c, spki_kid
    from wallet import core
    from wallet.messages import t
    from wallet.model import StatusCheck
    from wallet.service import standing_words, warning_words

    with start_in_process(tmp_path / "pilot") as stack, httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        pilot = Pilot(stack, http, tmp_path / "phones")
        wallet = pilot.wallet()
        try:
            group = pilot.receive(wallet, pilot.a1())
            assert wallet.check_status(group).value == "valid"
            copy = next(c for c in wallet.credentials() if c.group == group and c.format == "dc+sd-jwt")
            kid = spki_kid(load_x5c(sd_jwt.parse(copy.credential).issuer_jws.header["x5c"])[0])
            engine = make_engine(f"sqlite:///{stack.data_dir / 'registry.db'}")
            try:
                Registry(engine).revoke_key(A1_ISSUER, kid, who="operator", reason="key compromised")
            finally:
                engine.dispose()
            later = datetime.now(UTC) + timedelta(seconds=REVALIDATE_AFTER + 5)  # the list held is due again
            wallet.clock = lambda: later
            check = wallet.check_status(group)
            assert check.value == "distrusted" and "revoked" in check.detail, check
            card = wallet.card(group, "en")
            assert card.warning == "distrusted" and card.past is None  # the document is not over: its copies are
            assert standing_words(card, "lv") == t("status.distrusted", "lv")
            assert warning_words(card, "en") == t("consent.warn_distrusted", "en", institution=card.issuer_name)
            assert card.issuer_name in warning_words(card, "de")
        finally:
            for held in pilot.wallets:
                held.http.close()
    distrusted = StatusCheck("distrusted", later.isoformat(), "revoked")
    assert core.record_status(distrusted, StatusCheck("valid", later.isoformat(), list_iat=5)).value == "distrusted"
    assert core.record_status(distrusted, StatusCheck("invalid", later.isoformat(), list_iat=5)).value == "invalid"
    assert core.record_status(StatusCheck("valid", "t", list_iat=9), distrusted).value == "distrusted"

