"""What the wallet sends is exactly what the consent screen lists (real SD-JWT VC core, no servers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from credentials import countries, pda1, sd_jwt, sd_jwt_vc
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import CredentialError
from credentials.i18n import format_date
from credentials.institutions import DEMO_ENTITIES
from credentials.jose import PrivateKey, b64url_encode, public_jwk
from credentials.pki import DemoPki, create_demo_pki
from credentials.sd_jwt import KeyBindingPolicy
from wallet import core
from wallet.keys import key_to_pem, new_key
from wallet.model import StoredCredential

CLIENT_ID = "x509_san_dns:vdi.verifier.localhost"
NONCE = "n-0S6_WzA2Mj"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    return create_demo_pki(Path(tmp_path_factory.mktemp("pki")), DEMO_ENTITIES, now=datetime.now(UTC))


def _issue(pki: DemoPki, holder: PrivateKey, now: datetime) -> str:
    key, chain = pki.signers["LV:VSAA"]
    iat = int(now.timestamp())
    return sd_jwt_vc.issue_vc(
        vct=pda1.VCT, claims=pda1.validate(DEMO_PERSONS[0].pda1), sd_paths=pda1.SD_PATHS,
        holder_jwk=public_jwk(holder), issuer_key=key, x5c=chain,
        iss="https://localhost:8102/lv-vsaa", iat=iat, nbf=iat, exp=iat + 86400 * 365, status=None,
    )


def test_presentation_discloses_exactly_the_consented_claims(pki: DemoPki, now: datetime) -> None:
    holder = new_key()
    credential = _issue(pki, holder, now)
    chosen = [("legislation_country",), ("ending_date",)]
    presentation = core.present(credential, chosen, holder, nonce=NONCE, aud=CLIENT_ID, now=now)
    verified = sd_jwt_vc.verify_vc(presentation, anchors=[pki.cas["LV:VSAA"][1]], now=now + timedelta(seconds=5),
                                   key_binding=KeyBindingPolicy(nonce=NONCE, aud=CLIENT_ID))
    sd_roots = {p[0] for p in sd_jwt.disclosable_paths(credential)}
    disclosed_sd = {p[0] for p in verified.disclosed} & sd_roots
    assert disclosed_sd == {p[0] for p in chosen if p[0] in sd_roots}
    visible = set(verified.claims) - {"iss", "iat", "nbf", "exp", "cnf", "vct", "status", "vct#integrity"}
    # Everything the verifier can read was on the consent screen: asked-for claims + always-visible ones.
    assert visible <= {p[0] for p in chosen} | set(core.always_disclosed(credential))


def test_presentation_is_bound_to_the_request_nonce_and_client_id(pki: DemoPki, now: datetime) -> None:
    holder = new_key()
    presentation = core.present(_issue(pki, holder, now), [("legislation_country",)], holder, nonce=NONCE,
                                aud=CLIENT_ID, now=now)
    with pytest.raises(CredentialError) as info:
        sd_jwt_vc.verify_vc(presentation, anchors=[pki.cas["LV:VSAA"][1]], now=now,
                            key_binding=KeyBindingPolicy(nonce=NONCE, aud="x509_san_dns:other.example"))
    assert info.value.code == "audience"


def test_always_visible_claims_are_listed_and_selectively_disclosable_ones_are_not(
    pki: DemoPki, now: datetime
) -> None:
    credential = _issue(pki, new_key(), now)
    always = set(core.always_disclosed(credential))
    assert "issuing_authority" in always
    assert "personal_administrative_number" not in always and "employer" not in always


def test_card_text_is_the_plain_words_sentence(now: datetime) -> None:
    claims = pda1.validate(DEMO_PERSONS[0].pda1)
    assert core.describe(pda1.VCT, claims, "de") == pda1.describe(claims, "de")
    assert core.type_title(pda1.VCT, "lv") == "Portatīvais dokuments A1"
    assert core.claim_value(claims, ("starting_date",), "pl") == format_date(claims["starting_date"], "pl")
    country = claims["legislation_country"]
    assert core.claim_value(claims, ("legislation_country",), "fr") == countries.name(country, "fr")


def test_an_mdoc_answer_is_bound_to_the_key_it_is_encrypted_to(pki: DemoPki, now: datetime) -> None:
    """OpenID4VP App. B.2.6.1: the transcript names the key the answer is encrypted to (§8.3, the
    first usable one), not whichever key the verifier lists first (here a signing key)."""
    import json

    from jwcrypto import jwk

    from credentials import mdoc
    from credentials.jose import b64url_decode, jwk_thumbprint

    holder = new_key()
    key, chain = pki.signers["LV:VSAA"]
    issued = mdoc.issue(doctype=mdoc.DOCTYPES["pda1"], claims=pda1.validate(DEMO_PERSONS[0].pda1),
                        device_key=holder.public_key(), issuer_key=key, x5chain=chain, signed=now,
                        valid_until=now + timedelta(days=30), status=None)
    signing = json.loads(jwk.JWK.generate(kty="EC", crv="P-256").export_public()) | {"use": "sig"}
    enc = json.loads(jwk.JWK.generate(kty="EC", crv="P-256").export_public()) | {"use": "enc", "alg": "ECDH-ES"}
    request = core.VerifiedRequest(
        client_id=CLIENT_ID, nonce=NONCE, state="s", response_mode="direct_post.jwt",
        response_uri="https://127.0.0.1:8103/responses/1", dcql_query={},
        client_metadata={"jwks": {"keys": [signing, enc]}}, verifier_id="LV:VDI", verifier_name="VDI",
        verifier_country="LV", purpose="")
    answer = core.present_mdoc(b64url_encode(issued), [("eu.europa.ec.pda1.1", "legislation_country")], holder,
                               request)
    transcript = mdoc.openid4vp_session_transcript(client_id=CLIENT_ID, nonce=NONCE,
                                                   jwk_thumbprint=b64url_decode(jwk_thumbprint(enc)),
                                                   response_uri=request.response_uri)
    verified = mdoc.verify_presentation(b64url_decode(answer), anchors=[pki.cas["LV:VSAA"][1]], now=now,
                                        session_transcript=transcript)
    assert verified.claims


def _held(pki: DemoPki, now: datetime) -> list[StoredCredential]:
    """An A1 of LV:VSAA as the wallet keeps it after receipt: its SD-JWT VC and its ISO mdoc (one card)."""
    from credentials import mdoc

    holder = new_key()
    key, chain = pki.signers["LV:VSAA"]
    claims = pda1.validate(DEMO_PERSONS[0].pda1)
    issued = mdoc.issue(doctype=mdoc.DOCTYPES["pda1"], claims=claims, device_key=holder.public_key(), issuer_key=key,
                        x5chain=chain, signed=now, valid_until=now + timedelta(days=30), status=None)
    common: dict[str, Any] = {
        "group": "a1", "vct": pda1.VCT, "private_key": key_to_pem(holder), "issuer_url": "https://issuer",
        "issuer_id": "LV:VSAA", "issuer_name": "VSAA", "configuration_id": "pda1", "received_at": now.isoformat(),
        "claims": claims, "iat": int(now.timestamp()), "exp": None}
    return [StoredCredential(id="sd", format="dc+sd-jwt", credential=_issue(pki, holder, now), **common),
            StoredCredential(id="md", format="mso_mdoc", credential=b64url_encode(issued), **common)]


def _request(query: dict[str, Any]) -> core.VerifiedRequest:
    return core.VerifiedRequest(client_id=CLIENT_ID, nonce=NONCE, state="s", response_mode="direct_post",
                                response_uri="https://127.0.0.1:8103/responses/1", dcql_query=query,
                                client_metadata={}, verifier_id="LV:VDI", verifier_name="VDI", verifier_country="LV",
                                purpose="")


@pytest.mark.parametrize("form", ["dc+sd-jwt", "mso_mdoc"])
def test_trusted_authorities_aki_names_the_institutions_whose_documents_answer(pki: DemoPki, now: datetime,
                                                                              form: str) -> None:
    """OpenID4VP §6.1.1.1 ``aki`` (HAIP §5: MUST be supported): a request naming the AuthorityKeyIdentifier
    of the institution's CA (the KeyIdentifier in the document signer's certificate, from the SD-JWT VC's
    ``x5c`` or the mdoc's ``x5chain``) is answered with its document; one naming another CA's is not."""
    from cryptography.x509 import SubjectKeyIdentifier

    from credentials import mdoc

    def ski(entity: str) -> str:
        ca = pki.cas[entity][1]
        return b64url_encode(ca.extensions.get_extension_for_class(SubjectKeyIdentifier).value.digest)

    if form == "mso_mdoc":
        doctype = mdoc.DOCTYPES["pda1"]
        cq: dict[str, Any] = {"id": "a1", "format": form, "meta": {"doctype_value": doctype},
                              "claims": [{"path": [doctype, "legislation_country"]}]}
    else:
        cq = {"id": "a1", "format": form, "meta": {"vct_values": [pda1.VCT]},
              "claims": [{"path": ["legislation_country"]}]}
    held = _held(pki, now)
    for entity, answered in (("LV:VSAA", True), ("DE:DRV", False)):
        query = {"credentials": [{**cq, "trusted_authorities": [{"type": "aki", "values": [ski(entity)]}]}]}
        selection, satisfiable = core.match(_request(query), held, now=now)
        assert satisfiable is answered, entity
        assert ({q: (c.format, paths) for q, (c, paths) in selection.items()}
                == ({"a1": (form, (tuple(cq["claims"][0]["path"]),))} if answered else {})), entity


@pytest.mark.parametrize("status", ["suspended", "withdrawn"])
def test_a_verifier_no_longer_active_is_told_nothing_of_a_request_it_made_faulty(status: str, tmp_path: Path) -> None:
    """OpenID4VP §8.5 errors go to the request's response_uri only from a verifier the list names
    as active: a suspended or withdrawn one's certificate still chains to its CA, and a faulty request
    of its (here a redirect_uri beside the response_uri) must not make wallets post anywhere."""
    import time
    from datetime import UTC, datetime, timedelta

    from cryptography.hazmat.primitives import serialization

    from credentials import openid4vp, pda1, trust_list
    from credentials.errors import IssuerTrustError
    from credentials.institutions import DEMO_ENTITIES, Role
    from credentials.jose import sign_jws
    from credentials.openid4vp import RequestRejected
    from credentials.pki import create_demo_pki
    from credentials.x509 import x5c_header, x509_hash

    now = datetime.now(UTC)
    pki = create_demo_pki(tmp_path, DEMO_ENTITIES, now=now)
    key, chain = pki.access["LV:VDI"]
    listed = trust_list.ListedCertificate(pki.cas["LV:VDI"][1].public_bytes(serialization.Encoding.DER),
                                          trust_list.CA, now - timedelta(days=10), now + timedelta(days=10))

    def verifiers(current: str) -> trust_list.TrustList:
        entity = trust_list.ListedEntity(
            "LV:VDI", "LV", "VDI", "VDI", frozenset({Role.VERIFIER}), (listed,),
            (trust_list.StatusPeriod("active", now - timedelta(days=5)),
             trust_list.StatusPeriod(current, now - timedelta(days=1))),
            may_request={pda1.VCT: ("legislation_country",)})
        return trust_list.TrustList("verifiers", 1, now, now + timedelta(days=1), (entity,))

    client_id = f"x509_hash:{x509_hash(chain[0])}"
    issued = int(time.time())
    faulty = {"client_id": client_id, "aud": openid4vp.STATIC_AUDIENCE, "response_type": "vp_token",
              "response_mode": "direct_post", "response_uri": "https://elsewhere.example/collect",
              "redirect_uri": "https://elsewhere.example/back", "nonce": "n-0S6_WzA2Mj", "state": "st4te",
              "iat": issued, "exp": issued + 300,
              "dcql_query": {"credentials": [{"id": "p", "format": "dc+sd-jwt", "meta": {"vct_values": [pda1.VCT]},
                                              "claims": [{"path": ["legislation_country"]}]}]}}
    token = sign_jws({"typ": openid4vp.REQUEST_TYP, "x5c": x5c_header(chain)}, faulty, key)
    with pytest.raises(RequestRejected):  # active: told why, at its response_uri
        core.verify_request(token, link_client_id=client_id, wallet_nonce=None, verifiers=verifiers("active"), now=now)
    with pytest.raises(IssuerTrustError):  # no RequestRejected: the wallet has nothing to send, nowhere
        core.verify_request(token, link_client_id=client_id, wallet_nonce=None, verifiers=verifiers(status), now=now)
