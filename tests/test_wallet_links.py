"""Wallet input: QR pictures and the two link kinds (OpenID4VCI §4.1, OpenID4VP §5.10)."""

from __future__ import annotations

import io
import json
from urllib.parse import quote

import httpx
import pytest
import segno
from PIL import Image

from credentials.errors import MalformedError
from wallet.errors import QrError
from wallet.present_client import parse_request_link
from wallet.qr import decode_qr
from wallet.receive import parse_offer_link, resolve_offer

OFFER = {"credential_issuer": "https://localhost:8102/lv-vsaa", "credential_configuration_ids": ["pda1"],
         "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {"pre-authorized_code": "abc"}}}


def _png(text: str, *, scale: int = 4) -> bytes:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def test_qr_png_is_decoded_to_its_link() -> None:
    link = "openid4vp://?client_id=x509_hash%3Aabc&request_uri=https%3A%2F%2Flocalhost%3A8103%2Frequest%2F1"
    assert decode_qr(_png(link)) == link


def test_qr_photo_as_jpeg_with_margin_is_decoded() -> None:
    link = "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Flocalhost%3A8102%2Foffer%2Fx"
    qr = Image.open(io.BytesIO(_png(link, scale=6))).convert("RGB")
    photo = Image.new("RGB", (qr.width + 300, qr.height + 200), (200, 190, 180))
    photo.paste(qr, (150, 80))
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=85)
    assert decode_qr(out.getvalue()) == link


def test_picture_without_qr_says_so() -> None:
    out = io.BytesIO()
    Image.new("RGB", (200, 200), (255, 255, 255)).save(out, format="PNG")
    with pytest.raises(QrError, match="No QR code"):
        decode_qr(out.getvalue())


def test_file_that_is_not_a_picture_says_so() -> None:
    with pytest.raises(QrError, match="not a picture"):
        decode_qr(b"%PDF-1.7 not an image")


def test_offer_by_value_is_parsed() -> None:
    offer, uri = parse_offer_link("openid-credential-offer://?credential_offer=" + quote(json.dumps(OFFER)))
    assert offer == OFFER and uri is None


def test_offer_by_reference_is_parsed() -> None:
    offer, uri = parse_offer_link("openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fi.example%2Fo%2F1")
    assert offer is None and uri == "https://i.example/o/1"


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/",  # neither parameter
        "openid-credential-offer://?credential_offer=%7B%7D&credential_offer_uri=https%3A%2F%2Fa",  # both
        "mailto:someone?credential_offer_uri=https%3A%2F%2Fa",  # another scheme
        "openid-credential-offer://?credential_offer=%5B1%5D",  # not an object
    ],
)
def test_bad_offer_links_are_rejected(link: str) -> None:
    with pytest.raises(MalformedError):
        parse_offer_link(link)


def test_request_link_by_reference_is_parsed() -> None:
    parsed = parse_request_link(
        "openid4vp://?client_id=x509_san_dns%3Avdi.verifier.localhost"
        "&request_uri=https%3A%2F%2Flocalhost%3A8103%2Frequest%2Fabc&request_uri_method=post"
    )
    assert parsed.client_id == "x509_san_dns:vdi.verifier.localhost"
    assert parsed.request_uri == "https://localhost:8103/request/abc" and parsed.request_uri_method == "post"


@pytest.mark.parametrize(
    "link",
    [
        "openid4vp://?client_id=x&response_type=vp_token&nonce=n",  # unsigned request: refused
        "openid4vp://?request_uri=https%3A%2F%2Fa",  # no client_id
        "openid4vp://?client_id=x&request_uri=https%3A%2F%2Fa&request_uri_method=POST",  # case-sensitive
        "openid-credential-offer://?client_id=x&request_uri=https%3A%2F%2Fa",  # wrong scheme
        "openid4vp://?client_id=x&client_id=y&request_uri=https%3A%2F%2Fa",  # repeated parameter
    ],
)
def test_bad_request_links_are_rejected(link: str) -> None:
    with pytest.raises(MalformedError):
        parse_request_link(link)


def _foreign_issuer(formats: dict[str, str]) -> httpx.Client:
    """Another institution's issuer (not ours), answering its metadata only."""
    configs = {cid: {"format": fmt, **({"doctype": "eu.europa.ec.eudi.pda1.1"} if fmt == "mso_mdoc" else
                                       {"vct": "urn:eudi:pda1:1"})} for cid, fmt in formats.items()}
    issuer = OFFER["credential_issuer"]
    metadata = {"credential_issuer": issuer, "credential_endpoint": f"{issuer}/credential",
                "credential_configurations_supported": configs}
    as_metadata = {"issuer": issuer, "token_endpoint": f"{issuer}/token"}

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=as_metadata if "oauth-authorization-server" in request.url.path else metadata)

    return httpx.Client(transport=httpx.MockTransport(answer))


def _offer_link(config_ids: list[str]) -> str:
    return "openid-credential-offer://?credential_offer=" + quote(json.dumps(
        {**OFFER, "credential_configuration_ids": config_ids}))


def test_an_offer_in_sd_jwt_vc_and_mdoc_is_taken_in_both_under_the_documents_vct() -> None:
    with _foreign_issuer({"pda1_mdoc": "mso_mdoc", "pda1": "dc+sd-jwt"}) as client:
        resolved = resolve_offer(client, _offer_link(["pda1_mdoc", "pda1"]))
    assert [(c.configuration_id, c.format, c.vct) for c in resolved.offered] == [
        ("pda1_mdoc", "mso_mdoc", "urn:eudi:pda1:1"), ("pda1", "dc+sd-jwt", "urn:eudi:pda1:1")]


def test_a_format_the_wallet_does_not_hold_is_left_out_and_an_offer_of_only_such_is_refused() -> None:
    with _foreign_issuer({"pda1_jwt": "jwt_vc_json", "pda1": "dc+sd-jwt"}) as client:
        resolved = resolve_offer(client, _offer_link(["pda1_jwt", "pda1"]))
    assert [c.configuration_id for c in resolved.offered] == ["pda1"]
    with _foreign_issuer({"pda1_jwt": "jwt_vc_json"}) as client, \
            pytest.raises(MalformedError, match="formats this wallet does not hold"):
        resolve_offer(client, _offer_link(["pda1_jwt"]))


def test_an_authorization_endpoint_with_its_own_query_keeps_it_in_the_worker_s_link() -> None:
    """RFC 6749 §3.1: the endpoint URI "MAY include a query component, which MUST be retained when
    adding additional query parameters" (an institution's page serving several tenants)."""
    from datetime import UTC, datetime
    from urllib.parse import parse_qs, urlsplit

    from wallet.receive import OfferedCredential, ResolvedOffer, push_authorization

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"request_uri": "urn:ietf:params:oauth:request_uri:abc", "expires_in": 60})

    offer = ResolvedOffer(credential_issuer="https://issuer.example", pre_authorized_code=None, tx_code=None,
                          offered=(OfferedCredential("pda1", "dc+sd-jwt", "urn:eudi:pda1:1", ()),),
                          credential_endpoint="https://issuer.example/credential", nonce_endpoint=None,
                          notification_endpoint=None, token_endpoint="https://issuer.example/token", batch_size=1,
                          dpop_algs=("ES256",), issuer_display=(), issuer_state="st",
                          authorization_endpoint="https://issuer.example/authorize?tenant=lv-vsaa",
                          par_endpoint="https://issuer.example/par")
    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        pending = push_authorization(client, offer, redirect_uri="http://127.0.0.1:1/cb", attester=None,
                                     now=datetime.now(UTC))
    url = urlsplit(pending.authorize_url)
    assert (url.netloc, url.path) == ("issuer.example", "/authorize")
    query = parse_qs(url.query)
    assert query["tenant"] == ["lv-vsaa"] and query["request_uri"] == ["urn:ietf:params:oauth:request_uri:abc"]
    assert "client_id" in query
