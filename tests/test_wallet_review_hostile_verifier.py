"""A listed verifier's Request Object whose encryption key cannot be used (OpenID4VP 1.0 §8.3).

A ``direct_post.jwt`` request names the key the answer is encrypted to in ``client_metadata.jwks``.
A key whose coordinates are not base64url or not a point on P-256 cannot encrypt anything: the
wallet must refuse such a request before it asks the worker (``invalid_request``, §8.5), telling the
verifier in plain (§8.3.1: "If a Wallet is unable to generate an encrypted response, it MAY send an
error response without encryption"), never take the worker's decision and then fail with a server
error. Real HTTP on loopback: the verifier's response endpoint is a stranger's server here.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from credentials import openid4vp, pda1
from credentials.errors import CredentialError, ProtocolError
from credentials.institutions import DEMO_ENTITIES
from credentials.jose import sign_jws
from credentials.pki import DemoPki, create_demo_pki
from credentials.x509 import x5c_header, x509_hash
from esspass.testing import ListedVerifier, form_collector, serve
from wallet.app import create_app
from wallet.http import make_client
from wallet.service import WalletService
from wallet.settings import WalletSettings
from wallet.store import ScryptParams, WalletStore

VERIFIER = "LV:VDI"


@dataclass
class World:
    pki: DemoPki
    trust: Any
    response_url: str
    received: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    pki = create_demo_pki(tmp_path_factory.mktemp("pki"), DEMO_ENTITIES, now=datetime.now(UTC))
    trust = ListedVerifier(pki.cas[VERIFIER][1], VERIFIER, {pda1.VCT: ("legislation_country",)})
    with form_collector() as (url, received):
        yield World(pki, trust, url, received)


def _bad_key(x: str) -> dict[str, Any]:
    return {"kty": "EC", "crv": "P-256", "alg": "ECDH-ES", "use": "enc", "x": x, "y": "A" * 43}


#: Keys that pass the member checks (strings, P-256, ECDH-ES) but cannot encrypt.
BAD_KEYS = {"point not on the curve": _bad_key("A" * 43), "x not base64url": _bad_key("!" * 43)}


def _link(world: World, key: dict[str, Any], **extra: Any) -> str:
    signer, chain = world.pki.access[VERIFIER]
    client_id = f"x509_hash:{x509_hash(chain[0])}"
    issued = int(time.time())
    payload = {
        "client_id": client_id, "aud": openid4vp.STATIC_AUDIENCE, "response_type": "vp_token",
        "response_mode": "direct_post.jwt", "response_uri": world.response_url, "nonce": "n-0S6_WzA2Mj",
        "state": "st4te", "iat": issued, "exp": issued + 300, "client_metadata": {"jwks": {"keys": [key]}},
        "dcql_query": {"credentials": [{"id": "a1", "format": "dc+sd-jwt", "meta": {"vct_values": [pda1.VCT]},
                                        "claims": [{"path": ["legislation_country"]}]}]},
        **extra,
    }
    token = sign_jws({"typ": openid4vp.REQUEST_TYP, "x5c": x5c_header(chain)}, payload, signer)
    return f"openid4vp://?client_id={quote(client_id)}&request={token}"


def _settings(tmp_path: Path) -> WalletSettings:
    return WalletSettings(data_dir=tmp_path, scrypt_n=16, allow_loopback_http=True, pki_dir=tmp_path / "no-pki")


@pytest.fixture
def wallet(world: World, tmp_path: Path) -> Iterator[WalletService]:
    settings = _settings(tmp_path)
    store = WalletStore.create(settings.wallet_path(), "pw", params=ScryptParams(n=16))
    with make_client(verify=True, timeout=5) as client:
        yield WalletService(settings, store, http=client, trust=world.trust)


@pytest.mark.parametrize("key", list(BAD_KEYS))
def test_a_request_whose_encryption_key_cannot_encrypt_is_refused_before_consent(
        world: World, wallet: WalletService, key: str) -> None:
    world.received.clear()
    with pytest.raises(ProtocolError) as refused:
        wallet.open_request(_link(world, BAD_KEYS[key]), "en")
    assert refused.value.error == "invalid_request"
    # The verifier is told why, without encryption (§8.3.1), and nothing else leaves.
    assert [(r.get("error"), "response" in r, r.get("state")) for r in world.received] == [
        ("invalid_request", False, "st4te")]


@pytest.mark.parametrize("key", list(BAD_KEYS))
def test_a_rejected_request_with_an_unusable_encryption_key_is_still_told_why_in_plain(
        world: World, wallet: WalletService, key: str) -> None:
    """A request the wallet refuses for another reason (transaction data, §8.5) is answered with that
    error, sent in plain as it cannot be encrypted, and the worker sees the error, not a crash."""
    world.received.clear()
    with pytest.raises(ProtocolError) as refused:
        wallet.open_request(_link(world, BAD_KEYS[key], transaction_data=["e30"]), "en")
    assert refused.value.error == "invalid_transaction_data"
    assert [r.get("error") for r in world.received] == ["invalid_transaction_data"]


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="')[1].split('"')[0]


def test_the_present_page_shows_an_error_and_never_a_server_error_for_such_a_request(
        world: World, tmp_path: Path) -> None:
    with serve(create_app(_settings(tmp_path), trust=world.trust)) as server, \
            httpx.Client(base_url=server.url) as page:
        token = _csrf(page.get("/setup").text)
        assert page.post("/setup", data={"passphrase": "pass phrase", "passphrase2": "pass phrase",
                                         "csrf": token}).status_code == 303
        csrf = _csrf(page.get("/present").text)
        opened = page.post("/present", data={"link": _link(world, BAD_KEYS["point not on the curve"]), "csrf": csrf})
        answers = [opened]
        if opened.status_code == 200 and 'action="/present/' in opened.text:  # a consent page: answer it
            request_id = opened.text.split('action="/present/')[1].split("/")[0]
            answers.append(page.post(f"/present/{request_id}/decline", data={"csrf": csrf}))
    assert [a.status_code for a in answers] == [400], [a.text[:200] for a in answers]
    assert 'id="error"' in opened.text


@pytest.mark.parametrize("response_uri", ["file:///etc/passwd", "javascript:alert(1)", "http://verifier.example/r",
                                          "https://user:pw@verifier.example/r"])
def test_a_request_whose_response_address_no_answer_can_reach_is_refused_before_consent(
        world: World, wallet: WalletService, response_uri: str) -> None:
    """The worker is never asked to consent to an answer that could not be sent: the response_uri is
    judged as the answer's address is (https; plain http on a loopback origin a pilot allows) when the
    request is opened, not only when the worker has agreed; nothing is sent anywhere (no error either:
    OpenID4VP §8.5 sends it to that address alone)."""
    world.received.clear()
    good_key = _bad_key("A" * 43) | {"x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
                                       "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
    with pytest.raises(CredentialError) as refused:
        wallet.open_request(_link(world, good_key, response_uri=response_uri), "en")
    assert "response address" in refused.value.message
    assert world.received == []
