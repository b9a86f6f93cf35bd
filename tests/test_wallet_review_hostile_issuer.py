"""An issuer's metadata is whatever the server behind the scanned QR code sends: a member of the
wrong JSON type must be a refusal in plain words (MalformedError, a 400 page), never a crash of the
wallet page or a traceback in the terminal. Real HTTP on loopback: the issuer here is a stranger's
server, so it is a small app of the test's own, not one of our services.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI

from credentials.errors import MalformedError
from esspass.testing import serve
from wallet.app import create_app
from wallet.http import make_client
from wallet.receive import PRE_AUTH_GRANT, resolve_offer
from wallet.settings import WalletSettings


class HostileIssuer:
    """Serves the issuer and authorization server metadata the test sets."""

    def __init__(self) -> None:
        self.metadata: dict[str, Any] = {}
        self.as_metadata: dict[str, Any] = {}
        app = FastAPI()

        @app.get("/.well-known/openid-credential-issuer/iss")
        def issuer_metadata() -> dict[str, Any]:
            return self.metadata

        @app.get("/.well-known/oauth-authorization-server/iss")
        def as_metadata() -> dict[str, Any]:
            return self.as_metadata

        self.app = app
        self.url = ""

    def set(self, configuration: dict[str, Any], **as_members: Any) -> None:
        issuer = self.url + "/iss"
        self.metadata = {"credential_issuer": issuer, "credential_endpoint": issuer + "/credential",
                         "credential_configurations_supported": {"a1": configuration}}
        self.as_metadata = {"issuer": issuer, "token_endpoint": issuer + "/token", **as_members}

    def link(self, grants: dict[str, Any]) -> str:
        offer = {"credential_issuer": self.url + "/iss", "credential_configuration_ids": ["a1"], "grants": grants}
        return "openid-credential-offer://?credential_offer=" + quote(json.dumps(offer))


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileIssuer]:
    issuer = HostileIssuer()
    with serve(issuer.app) as handle:
        issuer.url = handle.url
        yield issuer


PRE_AUTH = {PRE_AUTH_GRANT: {"pre-authorized_code": "abc"}}
CODE_FLOW = {"authorization_code": {"issuer_state": "st"}}
SD_JWT_A1 = {"format": "dc+sd-jwt", "vct": "urn:eudi:pda1:1"}


def _code_flow_as(hostile: HostileIssuer, methods: Any) -> dict[str, Any]:
    issuer = hostile.url + "/iss"
    return {"authorization_endpoint": issuer + "/authorize", "pushed_authorization_request_endpoint": issuer + "/par",
            "code_challenge_methods_supported": methods}


#: (credential configuration, extra authorization server metadata, grants) an issuer may send.
CASES: dict[str, tuple[dict[str, Any], str | None, dict[str, Any]]] = {
    # ISO mdoc configuration whose doctype is an array or an object (RFC 8259 allows any JSON value).
    "mdoc doctype array": ({"format": "mso_mdoc", "doctype": ["eu.europa.ec.pda1.1"]}, None, PRE_AUTH),
    "mdoc doctype object": ({"format": "mso_mdoc", "doctype": {"a": 1}}, None, PRE_AUTH),
    # RFC 8414 §2: code_challenge_methods_supported is a JSON array; a number, a string or null is not.
    "PKCE methods number": (SD_JWT_A1, "number", CODE_FLOW),
    "PKCE methods string": (SD_JWT_A1, "string", CODE_FLOW),
}


def _as_members(hostile: HostileIssuer, kind: str | None) -> dict[str, Any]:
    if kind is None:
        return {}
    return _code_flow_as(hostile, 5 if kind == "number" else "xS256x")


@pytest.mark.parametrize("case", list(CASES))
def test_issuer_metadata_with_members_of_the_wrong_type_is_refused_as_malformed(hostile: HostileIssuer,
                                                                                  case: str) -> None:
    configuration, as_kind, grants = CASES[case]
    hostile.set(configuration, **_as_members(hostile, as_kind))
    with make_client(verify=True, timeout=5) as client, pytest.raises(MalformedError):
        resolve_offer(client, hostile.link(grants), allow_loopback_http=True)


def test_a_pkce_method_list_naming_s256_still_runs_the_code_flow(hostile: HostileIssuer) -> None:
    """The sibling of the hostile cases: a well-formed list keeps working."""
    hostile.set(SD_JWT_A1, **_code_flow_as(hostile, ["S256"]))
    with make_client(verify=True, timeout=5) as client:
        offer = resolve_offer(client, hostile.link(CODE_FLOW), allow_loopback_http=True)
    assert offer.authorization_endpoint == hostile.url + "/iss/authorize"


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="')[1].split('"')[0]


@pytest.mark.parametrize("case", list(CASES))
def test_the_receive_page_answers_hostile_issuer_metadata_with_an_error_page_not_a_server_error(
        hostile: HostileIssuer, tmp_path: Path, case: str) -> None:
    configuration, as_kind, grants = CASES[case]
    hostile.set(configuration, **_as_members(hostile, as_kind))
    settings = WalletSettings(data_dir=tmp_path, scrypt_n=16, allow_loopback_http=True, pki_dir=tmp_path / "no-pki")
    with serve(create_app(settings)) as wallet, httpx.Client(base_url=wallet.url) as page:
        _unlocked(page)
        csrf = _csrf(page.get("/receive").text)
        response = page.post("/receive", data={"link": hostile.link(grants), "csrf": csrf})
    assert response.status_code == 400, response.text
    assert 'id="error"' in response.text


def _unlocked(page: httpx.Client) -> None:
    token = _csrf(page.get("/setup").text)
    assert page.post("/setup", data={"passphrase": "pass phrase", "passphrase2": "pass phrase",
                                         "csrf": token}).status_code == 303

