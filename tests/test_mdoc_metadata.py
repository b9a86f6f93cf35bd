"""OpenID4VP 1.0 §11.1 / App. B.2: the verifier's client_metadata and the wallet's metadata name
``mso_mdoc`` with its COSE algorithms, since the DCQL queries ask for mdocs."""

from __future__ import annotations

from credentials import openid4vp
from verifier.service import profile_query
from wallet.present_client import WALLET_METADATA

MSO_MDOC = {"issuerauth_alg_values": [-7], "deviceauth_alg_values": [-7]}


def test_the_request_client_metadata_lists_every_format_its_dcql_query_asks_for() -> None:
    query = profile_query("pda1")
    request = openid4vp.build_request(client_id="x509_hash:abc", response_uri="https://v.example/responses/1",
                                      nonce="n" * 22, state="s" * 22, dcql_query=query,
                                      response_mode="direct_post", iat=0, exp=60)
    formats = request["client_metadata"]["vp_formats_supported"]
    assert {c["format"] for c in query["credentials"]} == {"dc+sd-jwt", "mso_mdoc"} <= set(formats)
    assert formats["mso_mdoc"] == MSO_MDOC
    assert formats["dc+sd-jwt"] == {"sd-jwt_alg_values": ["ES256"], "kb-jwt_alg_values": ["ES256"]}


def test_a_request_cannot_change_the_shared_format_table() -> None:
    request = openid4vp.build_request(client_id="x509_hash:abc", response_uri="https://v.example/responses/1",
                                      nonce="n" * 22, state="s" * 22, dcql_query=profile_query("pda1"),
                                      response_mode="direct_post", iat=0, exp=60)
    request["client_metadata"]["vp_formats_supported"]["mso_mdoc"]["issuerauth_alg_values"].append(-8)
    assert openid4vp.VP_FORMATS_SUPPORTED["mso_mdoc"] == MSO_MDOC


def test_the_wallet_metadata_offers_mso_mdoc_presentations() -> None:
    assert WALLET_METADATA["vp_formats_supported"]["mso_mdoc"] == MSO_MDOC
