"""The wallet's trust decisions: whose status list speaks for a credential, and which trust lists it relies on.

* A credential's status list must be signed for the institution that issued *that* credential
  (its CA, and a signer key it lists now): the check the verifier makes, through the same code
  (:func:`credentials.trust_list.verify_status_list`, draft-ietf-oauth-status-list §8.3, §11.3).
* What the wallet keeps of a status check: a withdrawal (INVALID, §7.1) is final, ``unknown`` (no
  statement, §8.3) never replaces a known value, and a list older than the newest one read for the
  same URI is refused (a replay from before a withdrawal), while a newer list lifts a suspension.
* The wallet's trust lists are bounded in age and kept on disk (``trust_registry.client``): an
  old list replayed to it, or a rollback after a restart, is refused, and the wallet then neither
  presents to nor receives from a party it cannot check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from credentials import pda1, status_list, trust_list
from credentials.errors import IssuerTrustError
from credentials.institutions import DEMO_ENTITIES
from credentials.jose import PrivateKey
from credentials.pki import DemoPki, issue_document_signer
from esspass.db import make_engine
from trust_registry.store import Registry
from wallet import core
from wallet.model import StatusCheck, StoredCredential
from wallet.service import WalletService
from wallet.settings import WalletSettings
from wallet.store import ScryptParams, WalletStore

STATUS_URI = "https://issuer.example/lv-vsaa/status/1"
INDEX = 7


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def registry(registry_dir: Path) -> Iterator[Registry]:
    engine = make_engine(f"sqlite:///{registry_dir / 'registry.db'}")
    yield Registry(engine)
    engine.dispose()


@dataclass
class _Lists:
    issuers_list: trust_list.TrustList

    def issuers(self, now: datetime) -> trust_list.TrustList:
        return self.issuers_list

    def verifiers(self, now: datetime) -> trust_list.TrustList:
        raise AssertionError("a status check needs no verifiers list")


@dataclass
class _Wallet:
    """The parts of a WalletService that :func:`wallet.core.check_status` uses."""

    trust: _Lists
    http: httpx.Client
    settings: WalletSettings


def _credential() -> StoredCredential:
    """A PDA1 the wallet received from LV:VSAA (the entity it recorded on receipt)."""
    return StoredCredential(
        id="c1", group="g1", format="dc+sd-jwt", vct=pda1.VCT, credential="unused~", private_key="unused",
        issuer_url="https://issuer.example/lv-vsaa", issuer_id="LV:VSAA", issuer_name="VSAA",
        configuration_id="pda1", received_at=_now().isoformat(), claims={}, iat=int(_now().timestamp()), exp=None,
        status={"status_list": {"idx": INDEX, "uri": STATUS_URI}})


def _status_token(key: PrivateKey, x5c: list[Any], value: int = status_list.VALID) -> str:
    entries = status_list.StatusList(1024)
    entries.set(INDEX, value)
    iat = int(_now().timestamp())
    return status_list.sign_token(entries, uri=STATUS_URI, key=key, x5c=x5c, iat=iat, exp=iat + 3600, ttl=300)


def _check(registry: Registry, registry_dir: Path, tmp_path: Path, token: str) -> str:
    def answer(request: httpx.Request) -> httpx.Response:
        assert str(request.url) == STATUS_URI
        return httpx.Response(200, text=token, headers={"content-type": "application/statuslist+jwt"})

    settings = WalletSettings(data_dir=tmp_path, pki_dir=registry_dir / "pki")
    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        wallet = _Wallet(_Lists(registry.build_list("issuers", _now())), http, settings)
        check = core.check_status(cast(WalletService, wallet), _credential(), now=_now())
    return f"{check.value}: {check.detail}" if check.detail else check.value


# --- whose status list -------------------------------------------------------------------------------


def test_the_issuing_institutions_own_status_list_is_accepted(registry: Registry, registry_pki: DemoPki,
                                                              registry_dir: Path, tmp_path: Path) -> None:
    key, chain = registry_pki.signers["LV:VSAA"]
    assert _check(registry, registry_dir, tmp_path, _status_token(key, chain)) == "valid"
    assert _check(registry, registry_dir, tmp_path, _status_token(key, chain, status_list.INVALID)) == "invalid"


def test_a_status_list_signed_by_another_pda1_institution_is_not_accepted_for_this_credential(
        registry: Registry, registry_pki: DemoPki, registry_dir: Path, tmp_path: Path) -> None:
    """DE:DRV may issue PDA1s too, but it cannot say whether LV:VSAA's PDA1 is valid (nor revoke it)."""
    key, chain = registry_pki.signers["DE:DRV"]
    verdict = _check(registry, registry_dir, tmp_path, _status_token(key, chain))
    assert verdict.startswith("unknown") and "chain" in verdict, verdict


def test_a_status_list_signed_by_a_key_the_institution_does_not_list_is_not_accepted(
        registry: Registry, registry_pki: DemoPki, registry_dir: Path, tmp_path: Path) -> None:
    """A signer certificate under VSAA's CA that VSAA never listed (or rotated out): not its word now."""
    ca_key, ca = registry_pki.cas["LV:VSAA"]
    vsaa = next(e for e in DEMO_ENTITIES if e.id == "LV:VSAA")
    key, unlisted = issue_document_signer(vsaa, ca_key, ca, now=_now())
    verdict = _check(registry, registry_dir, tmp_path, _status_token(key, [unlisted]))
    assert verdict.startswith("unknown") and "lists" in verdict, verdict


# --- which trust lists ---------------------------------------------------------------------------------


def _lists_answer(tokens: list[str]) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        token = tokens.pop(0) if len(tokens) > 1 else tokens[0]
        return httpx.Response(200, text=token, headers={"content-type": "application/trust-list+jwt"})

    return answer


def _signed(registry_pki: DemoPki, tl: trust_list.TrustList) -> str:
    key, cert = registry_pki.list_signer
    return trust_list.sign_trust_list(tl, key=key, x5c=[cert])


def _wallet_settings(registry_dir: Path, data_dir: Path) -> WalletSettings:
    return WalletSettings(data_dir=data_dir, pki_dir=registry_dir / "pki", registry_url="https://registry.example")


def test_the_wallet_refuses_a_replayed_trust_list_older_than_its_max_age(
        registry: Registry, registry_pki: DemoPki, registry_dir: Path, tmp_path: Path) -> None:
    """A genuinely signed verifiers list from before an inspectorate was withdrawn, served eight days
    later: the wallet will not present to anyone on its word (the request check raises)."""
    settings = _wallet_settings(registry_dir, tmp_path)
    assert settings.trust_list_max_age == 7 * 24 * 3600
    old = registry.build_list("verifiers", _now() - timedelta(days=8))
    with httpx.Client(transport=httpx.MockTransport(_lists_answer([_signed(registry_pki, old)]))) as http:
        with pytest.raises(IssuerTrustError, match="allowed"):
            core.registry_trust(settings, http).verifiers(_now())
    # A week-old list is still fine: an inspector's phone offline on a remote site.
    recent = registry.build_list("verifiers", _now() - timedelta(days=6))
    with httpx.Client(transport=httpx.MockTransport(_lists_answer([_signed(registry_pki, recent)]))) as http:
        assert core.registry_trust(settings, http).verifiers(_now()).sequence == recent.sequence


def test_the_wallet_keeps_its_trust_lists_on_disk_and_refuses_a_rollback_after_a_restart(
        registry: Registry, registry_pki: DemoPki, registry_dir: Path, tmp_path: Path) -> None:
    now = _now()
    newer = registry.build_list("issuers", now)
    older = trust_list.TrustList("issuers", newer.sequence - 1, now, now + timedelta(days=1), newer.entities)
    settings = _wallet_settings(registry_dir, tmp_path)
    with httpx.Client(transport=httpx.MockTransport(_lists_answer([_signed(registry_pki, newer)]))) as http:
        assert core.registry_trust(settings, http).issuers(now).sequence == newer.sequence
    assert (settings.trust_cache_path() / "issuers.jwt").is_file()
    assert settings.trust_cache_path().is_relative_to(settings.data_dir)
    # The wallet restarts; the network now serves the older list (a replay, or a stale mirror).
    with httpx.Client(transport=httpx.MockTransport(_lists_answer([_signed(registry_pki, older)]))) as http:
        restarted = core.registry_trust(settings, http)
        assert restarted.issuers(now + timedelta(minutes=10)).sequence == newer.sequence


# --- what the wallet keeps of a status check (a withdrawal is final, unknown is no answer, no rollback) ------


class _StatusServer:
    """The institution's status endpoint, serving ``token`` or unreachable while it is None."""

    def __init__(self) -> None:
        self.token: str | None = None

    def answer(self, request: httpx.Request) -> httpx.Response:
        if self.token is None:
            raise httpx.ConnectError("offline", request=request)
        return httpx.Response(200, text=self.token, headers={"content-type": status_list.MEDIA_TYPE})


def _signed_list(registry_pki: DemoPki, entries: dict[int, int], iat: int) -> str:
    key, chain = registry_pki.signers["LV:VSAA"]
    lst = status_list.StatusList(1024)
    for index, value in entries.items():
        lst.set(index, value)
    return status_list.sign_token(lst, uri=STATUS_URI, key=key, x5c=chain, iat=iat, exp=iat + 86400, ttl=300)


@pytest.fixture
def wallet(registry: Registry, registry_dir: Path, tmp_path: Path) -> Iterator[tuple[WalletService, _StatusServer]]:
    """A wallet holding one PDA1 (group g1, entry INDEX) and, in the same list, another (g2, entry 8)."""
    server = _StatusServer()
    store = WalletStore.create(tmp_path / "wallet.enc", "pass phrase", params=ScryptParams(n=2**4))
    with store.transaction() as doc:
        doc["credentials"].append(_credential().to_dict())
        doc["credentials"].append(replace(_credential(), id="c2", group="g2",
                                          status={"status_list": {"idx": 8, "uri": STATUS_URI}}).to_dict())
    lists = _Lists(registry.build_list("issuers", _now()))
    with httpx.Client(transport=httpx.MockTransport(server.answer)) as http:
        yield WalletService(WalletSettings(data_dir=tmp_path, pki_dir=registry_dir / "pki"), store, http=http,
                            trust=cast(core.TrustSource, lists), clock=_now), server


def _held(service: WalletService, group: str = "g1") -> str:
    check = next(c for c in service.credentials() if c.group == group).last_status
    assert check is not None
    return check.value


def test_an_unreachable_issuer_does_not_make_a_withdrawn_document_usable_again(
        wallet: tuple[WalletService, _StatusServer], registry_pki: DemoPki) -> None:
    service, server = wallet
    server.token = _signed_list(registry_pki, {INDEX: status_list.INVALID}, int(_now().timestamp()) - 10)
    assert service.check_status("g1").value == "invalid"
    server.token = None
    assert service.check_status("g1").value == "invalid"
    assert _held(service) == "invalid"
    assert not core.usable(service.credentials()[0], _now())


def test_a_check_that_cannot_read_the_list_keeps_the_known_status_and_says_why(
        wallet: tuple[WalletService, _StatusServer], registry_pki: DemoPki) -> None:
    """An "unknown" is no statement (§8.3): it is this check's detail, not the document's status."""
    service, server = wallet
    server.token = _signed_list(registry_pki, {}, int(_now().timestamp()) - 10)
    service.check_status("g1")
    server.token = None
    shown = service.check_status("g1")
    assert shown.value == "valid" and not shown.confirmed and shown.detail, shown
    held = service.credentials()[0].last_status
    assert held is not None and (held.value, held.detail) == ("valid", "")


def test_an_older_list_replayed_does_not_bring_a_withdrawn_document_back(
        wallet: tuple[WalletService, _StatusServer], registry_pki: DemoPki) -> None:
    service, server = wallet
    ts = int(_now().timestamp())
    older_valid = _signed_list(registry_pki, {}, ts - 3600)  # genuine, signed before the withdrawal
    server.token = _signed_list(registry_pki, {INDEX: status_list.INVALID}, ts - 10)
    service.check_status("g1")
    server.token = older_valid
    assert service.check_status("g1").value == "invalid"
    service._refresh_status(service.credentials(), _now())  # as when a request is opened
    assert _held(service) == "invalid"


def test_a_withdrawal_is_final_even_against_a_newer_list(
        wallet: tuple[WalletService, _StatusServer], registry_pki: DemoPki) -> None:
    service, server = wallet
    ts = int(_now().timestamp())
    server.token = _signed_list(registry_pki, {INDEX: status_list.INVALID}, ts - 60)
    service.check_status("g1")
    server.token = _signed_list(registry_pki, {}, ts - 10)
    assert service.check_status("g1").value == "invalid"
    check = service.credentials()[0].last_status
    assert check is not None and check.list_iat == ts - 10  # the newest list read still moves on


def test_a_suspension_is_lifted_by_a_newer_list_not_by_an_older_one(
        wallet: tuple[WalletService, _StatusServer], registry_pki: DemoPki) -> None:
    service, server = wallet
    ts = int(_now().timestamp())
    server.token = _signed_list(registry_pki, {INDEX: status_list.SUSPENDED}, ts - 60)
    assert service.check_status("g1").value == "suspended"
    server.token = _signed_list(registry_pki, {}, ts - 3600)  # from before the suspension
    assert service.check_status("g1").value == "suspended"
    server.token = _signed_list(registry_pki, {}, ts - 10)  # the institution lifted it
    assert service.check_status("g1").value == "valid"


def test_a_document_never_checked_is_not_answered_by_a_list_older_than_its_neighbours_had(
        wallet: tuple[WalletService, _StatusServer], registry_pki: DemoPki) -> None:
    """The newest list read is kept per URI: g2 was withdrawn in the list g1 was checked against."""
    service, server = wallet
    ts = int(_now().timestamp())
    server.token = _signed_list(registry_pki, {8: status_list.INVALID}, ts - 10)
    service.check_status("g1")
    server.token = _signed_list(registry_pki, {}, ts - 3600)
    shown = service.check_status("g2")
    assert shown.value == "unknown" and "older status list" in shown.detail, shown


@pytest.mark.parametrize(("previous", "check", "kept"), [
    (None, ("unknown", None), ("unknown", None)),
    (("valid", 100), ("unknown", None), ("valid", 100)),  # no statement does not undo a known one
    (("suspended", 100), ("unknown", None), ("suspended", 100)),
    (("invalid", 100), ("unknown", None), ("invalid", 100)),
    (("valid", 100), ("invalid", 100), ("invalid", 100)),
    (("invalid", 100), ("valid", 200), ("invalid", 200)),  # a withdrawal is final
    (("invalid", 100), ("suspended", 200), ("invalid", 200)),
    (("suspended", 100), ("valid", 50), ("suspended", 100)),  # an older list
    (("suspended", 100), ("valid", 100), ("valid", 100)),
    (("suspended", 100), ("valid", 200), ("valid", 200)),  # a suspension lifted
    (("unknown", None), ("valid", 50), ("valid", 50)),
    (("invalid", None), ("valid", 50), ("invalid", 50)),  # recorded before list_iat was kept
])
def test_what_the_wallet_keeps_of_a_status_check(previous: tuple[str, int | None] | None,
                                                 check: tuple[str, int | None], kept: tuple[str, int | None]) -> None:
    before = StatusCheck(previous[0], "2026-01-01T00:00:00+00:00", list_iat=previous[1]) if previous else None
    result = core.record_status(before, StatusCheck(check[0], "2026-01-02T00:00:00+00:00", list_iat=check[1]))
    assert (result.value, result.list_iat) == kept
