"""Hostile input to the verifier over real HTTP: a forged credential is an invalid verdict, a broken query
a 400 invalid_request, never a 500.

One stack (registry, issuer, verifier on loopback). The wallet's endpoints (``/responses/``) and the
QR inspection take input from anyone who can show the inspector a QR code; ``/verify`` and
``/api/requests`` from the inspectorate's systems, whose mistakes must be told, not crash.
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import base45
import cbor2
import httpx
import pytest

from credentials import compact, cose, openid4vp, pda1, sd_jwt_vc
from credentials.demo_persons import DEMO_PERSONS
from credentials.jose import PrivateKey, b64url_decode, generate_key, public_jwk, sign_jws
from credentials.pki import DemoPki, load_demo_pki
from credentials.x509 import spki_kid
from esspass.stack import InspectorAuth, Stack, start_in_process

PERSON = DEMO_PERSONS[0]


@dataclass
class World:
    stack: Stack
    http: httpx.Client
    pki: DemoPki

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.post(f"{self.stack.verifier_url}{path}", **kwargs)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("hostile-verifier")
    with start_in_process(data_dir) as stack, httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        yield World(stack, http, load_demo_pki(data_dir / "pki"))


def _no_server_error(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:500])
    assert "Traceback" not in response.text


# --- 1. an SD-JWT VC whose x5c holds something other than strings -----------------------------------------

X5C_FORGERIES: list[Any] = [[[1]], [{}], [None], [[]], [1, 2]]


def _forged_vc(x5c: Any) -> str:
    now = int(time.time())
    payload = {"vct": pda1.VCT, "iss": "https://rogue.example", "iat": now, "exp": now + 3600,
               "cnf": {"jwk": public_jwk(generate_key())}, "document_number": "X"}
    return sign_jws({"typ": sd_jwt_vc.TYP, "x5c": x5c}, payload, generate_key()) + "~"


@pytest.mark.parametrize("x5c", X5C_FORGERIES, ids=repr)
def test_verify_gives_an_invalid_verdict_for_an_x5c_of_arrays_or_objects(world: World, x5c: Any) -> None:
    response = world.post("/verify", json={"presentation": _forged_vc(x5c), "nonce": "n-123456789",
                                           "audience": "x509_hash:test"})
    _no_server_error(response)
    assert response.status_code == 200 and response.json()["verdict"] == "invalid", response.text


@pytest.mark.parametrize("x5c", X5C_FORGERIES[:2], ids=repr)
def test_an_answer_from_the_qr_with_an_x5c_of_arrays_is_refused_without_a_server_error(world: World,
                                                                                        x5c: Any) -> None:
    created = world.post("/api/requests", json={"profile": "pda1", "response_mode": "direct_post"})
    assert created.status_code == 201, created.text
    request = created.json()
    token = world.http.get(request["request_uri"]).text
    payload = json.loads(b64url_decode(token.split(".")[1]))
    form = openid4vp.build_response_form(payload, {"vp_token": {"pda1": [_forged_vc(x5c)]}})
    answered = world.http.post(payload["response_uri"], data=form)  # anonymous, as a wallet posts it
    _no_server_error(answered)
    result = world.http.get(f"{world.stack.verifier_url}{request['result_url']}").json()
    assert result["status"] != "pending" and result["verdict"]["verdict"] == "invalid", result


# --- 2. forged offline QR codes ------------------------------------------------------------------------


def _qr(payload: dict[int, Any], key: PrivateKey, kid: bytes) -> str:
    raw = cose.sign1(cbor2.dumps(payload), key, kid=kid, tagged=False, implicit_alg=True)
    return compact.PREFIX + str(base45.b45encode(zlib.compress(cbor2.dumps([raw]), 9)).decode("ascii"))


def _offline(world: World, **changes: Any) -> str:
    """A paper QR of LV:VSAA's, signed with its real document signer key, with ``changes`` applied."""
    key, chain = world.pki.signers[PERSON.pda1_issuer]
    now = int(time.time())
    payload: dict[int, Any] = {compact.IAT: now - 60, compact.EXP: now + 86400,
                               compact.ESSPASS: [1, {1: "LV", 8: "Bērziņa"}, None]}
    payload.update({getattr(compact, name): value for name, value in changes.items()})
    return _qr(payload, key, compact.kid_bytes(spki_kid(chain[0])))


OFFLINE_FORGERIES: dict[str, dict[str, Any]] = {
    "type-array": {"ESSPASS": [[1], {}, None]},
    "type-map": {"ESSPASS": [{}, {}, None]},
    "iat-1e20": {"IAT": 10**20},
    "iat-minus-1e20": {"IAT": -(10**20)},
    "iat-2-63": {"IAT": 2**63},
    "exp-1e20": {"EXP": 10**20},
    "exp-minus-1e20": {"EXP": -(10**20)},
    "exp-2-63": {"EXP": 2**63},
    "name-bytes": {"ESSPASS": [1, {8: b"\x00\xff"}, None]},
    "name-map": {"ESSPASS": [1, {8: {"x": [1]}}, None]},
}


@pytest.mark.parametrize("changes", list(OFFLINE_FORGERIES.values()), ids=list(OFFLINE_FORGERIES))
def test_a_forged_offline_qr_is_an_invalid_verdict_at_the_api(world: World, changes: dict[str, Any]) -> None:
    response = world.post("/api/offline/verify", json={"qr": _offline(world, **changes)})
    _no_server_error(response)
    assert response.status_code == 200 and response.json()["verdict"] == "invalid", response.text


@pytest.mark.parametrize("changes", list(OFFLINE_FORGERIES.values()), ids=list(OFFLINE_FORGERIES))
def test_a_forged_offline_qr_is_an_error_on_the_inspection_page(world: World, changes: dict[str, Any]) -> None:
    response = world.post("/offline", data={"qr": _offline(world, **changes)})
    _no_server_error(response)
    # Shown as a verdict (a redirect to it) or as the page's error; either way a page, not a crash.
    assert response.status_code in (303, 400), response.status_code


def _declared_png(width: int, height: int) -> bytes:
    """A small PNG whose header declares ``width`` x ``height`` pixels (a decompression bomb)."""
    import io
    import struct
    import zlib

    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (8, 8), 255).save(buf, format="PNG")
    png = bytearray(buf.getvalue())
    ihdr = bytes(png[12:16]) + struct.pack(">II", width, height) + bytes(png[24:29])
    png[16:24] = struct.pack(">II", width, height)
    png[29:33] = struct.pack(">I", zlib.crc32(ihdr))
    return bytes(png)


@pytest.mark.parametrize("size", [(20000, 20000), (7000, 7000)], ids=["beyond-pillow-limit", "under-pillow-limit"])
def test_a_photo_declaring_a_huge_image_is_refused_on_the_offline_page(world: World, size: tuple[int, int]) -> None:
    """A 100-byte PNG may declare 400 million pixels: refused from its header (never a 500, never
    hundreds of MB decoded), with the page's error."""
    response = world.post("/offline", files={"photo": ("qr.png", _declared_png(*size), "image/png")})
    _no_server_error(response)
    assert response.status_code == 400 and "too large" in response.text


def test_the_unforged_qr_is_still_valid_apart_from_its_missing_status(world: World) -> None:
    verdict = world.post("/api/offline/verify", json={"qr": _offline(world)}).json()
    assert verdict["verdict"] == "invalid" and "status" in verdict["reason"]  # the forgeries above carry none
    steps = {s["code"]: s["result"] for s in verdict["credentials"][0]["steps"]}
    assert steps["issuer_signature"] == "passed", verdict


# --- 7. malformed DCQL queries ----------------------------------------------------------------------------

_CQ = {"id": "pda1", "format": "dc+sd-jwt", "meta": {"vct_values": [pda1.VCT]},
       "claims": [{"id": "a", "path": ["document_number"]}]}

BAD_QUERIES: dict[str, Any] = {
    "foo": {"foo": 1},
    "no-credential-queries": {"credentials": []},
    "text": "abc",
    "array-of-number": [1],
    "array-of-object": [{}],
    "credentials-text": {"credentials": "abc"},
    "credentials-of-objects-without-id": {"credentials": [{}]},
    "claim-set-element-list": {"credentials": [{**_CQ, "claim_sets": [[["a"]]]}]},
    "claim-set-element-dict": {"credentials": [{**_CQ, "claim_sets": [[{"a": 1}]]}]},
    "credential-set-option-list": {"credentials": [_CQ], "credential_sets": [{"options": [[["pda1"]]]}]},
    "credential-set-option-dict": {"credentials": [_CQ], "credential_sets": [{"options": [[{"x": 1}]]}]},
    "mdoc-claims-5": {"credentials": [{"id": "m", "format": "mso_mdoc", "meta": {"doctype_value": "d"},
                                       "claims": 5}]},
    "path-1e30": {"credentials": [{**_CQ, "claims": [{"path": ["document_number", 10**30]}]}]},
}


@pytest.mark.parametrize("query", list(BAD_QUERIES.values()), ids=list(BAD_QUERIES))
def test_verify_with_a_malformed_dcql_query_is_invalid_request(world: World, query: Any) -> None:
    response = world.post("/verify", json={"vp_token": {"pda1": ["x~"]}, "dcql_query": query,
                                           "nonce": "n-123456789", "audience": "x509_hash:test"})
    assert response.status_code == 400, (response.status_code, response.text[:500])
    assert response.json()["error"] == "invalid_request"
    response = world.post("/verify", json={"presentation": _forged_vc([[1]]), "dcql_query": query,
                                           "nonce": "n-123456789", "audience": "x509_hash:test"})
    assert response.status_code == 400, (response.status_code, response.text[:500])


@pytest.mark.parametrize("query", list(BAD_QUERIES.values()), ids=list(BAD_QUERIES))
def test_a_presentation_request_with_a_malformed_dcql_query_is_invalid_request(world: World, query: Any) -> None:
    response = world.post("/api/requests", json={"dcql_query": query})
    assert response.status_code == 400, (response.status_code, response.text[:500])
    assert response.json()["error"] == "invalid_request"
