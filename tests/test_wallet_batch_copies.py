"""Every copy of a batch carries the same document (OpenID4VCI 1.0 §8 batch issuance).

The wallet keeps the copies of one batch as one card and presents its least-used copy (HAIP 1.0
§4.5 one-time use), after the worker has seen on the consent screen what one copy discloses. A
copy that said more, less or otherwise would disclose what the worker never saw, so the copies are
compared at receipt (:func:`wallet.core.same_document`): format and type, issuer, every claim with
every Disclosure applied (values with their types), the validity period, the status reference's
presence, and which claims are selectively disclosable. What may differ is what must differ:
salts and digests, the holder key, the signature, the signing time, and the status list entry
(draft-ietf-oauth-status-list §13.2: every batch-issued token MUST have a dedicated entry, and MAY
sit in another list; ours does when one fills up mid-batch).

First the comparison alone, over copies verified as the wallet verifies them (no server), one case
per kind of difference and its accepted siblings; then an institution's own server gone wrong on
loopback, with the registry's real issuers list: the whole offer is refused, nothing is stored, the
issuer hears ``credential_failure``, and the wallet page answers with a 400 error page. The same
server also sends what else must say what the card says, with the same outcome when it does not:
the document's ISO mdoc form and its offline QR form (compared alone in tests/test_wallet_card_forms.py).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from credentials import compact, eudi_pda1, mdoc, pda1, sd_jwt_vc, trust_list
from credentials.demo_persons import DEMO_PERSONS
from credentials.jose import b64url_decode, b64url_encode, public_jwk, public_key_from_jwk
from credentials.pki import DemoPki
from credentials.status_list import StatusReference
from credentials.x509 import spki_kid
from esspass.stack import open_wallet
from esspass.testing import serve
from trust_registry.app import create_app as registry_app
from trust_registry.settings import RegistrySettings
from wallet import core
from wallet.app import create_app as wallet_app
from wallet.errors import CopiesDifferError, FormsDifferError, OfferDisagreesError, OfflineFormDiffersError
from wallet.keys import new_key
from wallet.receive import PRE_AUTH_GRANT
from wallet.settings import WalletSettings

PERSON = DEMO_PERSONS[0]
HOLDER = {k: PERSON.pid[k] for k in ("family_name", "given_name", "birthdate")}
ISSUER = "LV:VSAA"
OTHER_PDA1_ISSUER = "DE:DRV"
ISSUER_URL = "https://issuer.example/lv-vsaa"
LIST_1, LIST_2 = f"{ISSUER_URL}/status/1", f"{ISSUER_URL}/status/2"
DOCTYPE = mdoc.DOCTYPES[pda1.CONFIGURATION_ID]


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _entry(uri: str = LIST_1) -> StatusReference:
    """A status list entry of the copy's own (a random index, as the issuer allocates them)."""
    return StatusReference(idx=secrets.randbelow(2**20), uri=uri)


class Copies:
    """Issues PDA1 copies with fresh holder keys, and checks each as the wallet does on receipt."""

    def __init__(self, pki: DemoPki, issuers: trust_list.TrustList) -> None:
        self.pki, self.issuers = pki, issuers
        self.now = _now()
        self.iat = int(self.now.timestamp())

    def sd_jwt(self, *, claims: Mapping[str, Any] = PERSON.pda1,
               sd_paths: tuple[tuple[str | int | None, ...], ...] = pda1.SD_PATHS, signer: str = ISSUER,
               status: StatusReference | str | None = LIST_1, iat: int | None = None, nbf: int | None = None,
               exp: int | None = None) -> core.CheckedCredential:
        key, chain = self.pki.signers[signer]
        text = sd_jwt_vc.issue_vc(
            vct=pda1.VCT, claims=claims, sd_paths=sd_paths, holder_jwk=public_jwk(new_key()), issuer_key=key,
            x5c=chain, iss=ISSUER_URL, iat=iat or self.iat, nbf=nbf or self.iat, exp=exp or self.iat + 30 * 86400,
            status=_entry(status) if isinstance(status, str) else status)
        return core.verify_issued(text, issuers=self.issuers, vct=pda1.VCT, issuer_url=ISSUER_URL, now=self.now)

    def mdoc(self, *, claims: Mapping[str, Any] = PERSON.pda1, signer: str = ISSUER,
             status: StatusReference | str | None = LIST_1, signed: datetime | None = None,
             valid_until: datetime | None = None) -> core.CheckedCredential:
        key, chain = self.pki.signers[signer]
        issued = mdoc.issue(doctype=DOCTYPE, claims=claims, device_key=new_key().public_key(), issuer_key=key,
                            x5chain=chain, signed=signed or self.now,
                            valid_until=valid_until or self.now + timedelta(days=30), valid_from=self.now,
                            status=_entry(status) if isinstance(status, str) else status)
        return core.verify_issued_mdoc(b64url_encode(issued), issuers=self.issuers, vct=pda1.VCT, now=self.now)


@pytest.fixture
def copies(registry_pki: DemoPki, registry_issuers: trust_list.TrustList) -> Copies:
    return Copies(registry_pki, registry_issuers)


def _without(claims: Mapping[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in claims.items() if k != name}


# --- the comparison alone: SD-JWT VC ------------------------------------------------------------------

#: Another copy of the batch, differing from :meth:`Copies.sd_jwt`'s default in one way, and the
#: claim path (or aspect) the refusal must name.
DIFFERENT_SD_JWT: dict[str, tuple[Callable[[Copies], core.CheckedCredential], str]] = {
    "a claim more": (lambda c: c.sd_jwt(claims={**PERSON.pda1, "nationality": "LV"}), "nationality"),
    "a claim fewer": (lambda c: c.sd_jwt(claims=_without(PERSON.pda1, "work_address")), "work_address"),
    "another value": (lambda c: c.sd_jwt(claims={**PERSON.pda1, "ending_date": "2028-09-30"}), "ending_date"),
    "another value inside a disclosable claim": (
        lambda c: c.sd_jwt(claims={**PERSON.pda1, "employer": {**PERSON.pda1["employer"], "name": "Other SIA"}}),
        "employer.name"),
    "another issuer": (lambda c: c.sd_jwt(signer=OTHER_PDA1_ISSUER), "issuer"),
    "no status list entry": (lambda c: c.sd_jwt(status=None), "status"),
    "a claim disclosable in one copy, plain in the other": (
        lambda c: c.sd_jwt(sd_paths=tuple(p for p in pda1.SD_PATHS if p != ("document_number",))),
        "document_number"),
}


@pytest.mark.parametrize("case", list(DIFFERENT_SD_JWT))
def test_sd_jwt_copies_that_differ_are_refused_naming_what_differs(copies: Copies, case: str) -> None:
    other, named = DIFFERENT_SD_JWT[case]
    with pytest.raises(CopiesDifferError) as refused:
        core.same_document([copies.sd_jwt(), copies.sd_jwt(), other(copies)])
    assert refused.value.code == "copies_differ"
    assert named in refused.value.message


def test_a_copy_of_another_type_is_refused(copies: Copies) -> None:
    """Each copy is checked against the offered vct before (``verify_issued``); the comparison
    refuses another type on its own too."""
    first = copies.sd_jwt()
    with pytest.raises(CopiesDifferError, match="type"):
        core.same_document([first, replace(first, vct=eudi_pda1.VCT)])


def test_a_value_of_another_json_type_is_a_difference_even_where_python_calls_them_equal(copies: Copies) -> None:
    """``True == 1`` in Python; in the document a boolean and a number are different claims."""
    address = PERSON.pda1["work_address"]
    flagged = copies.sd_jwt(claims={**PERSON.pda1, "work_address": {**address, "flag_base_home": True}})
    numbered = copies.sd_jwt(claims={**PERSON.pda1, "work_address": {**address, "flag_base_home": 1}})
    with pytest.raises(CopiesDifferError, match=r"work_address\.flag_base_home"):
        core.same_document([flagged, numbered])


def test_the_refusal_names_the_claim_and_never_its_values(copies: Copies) -> None:
    changed = {**PERSON.pda1, "personal_administrative_number": "DEMO-999999-99999"}
    with pytest.raises(CopiesDifferError) as refused:
        core.same_document([copies.sd_jwt(), copies.sd_jwt(claims=changed)])
    assert "personal_administrative_number" in refused.value.message
    assert PERSON.pda1["personal_administrative_number"] not in refused.value.message
    assert "DEMO-999999-99999" not in refused.value.message


#: What must (or may) differ between copies: accepted.
SAME_SD_JWT: dict[str, Callable[[Copies], core.CheckedCredential]] = {
    "its own holder key, salts and status list entry": lambda c: c.sd_jwt(),
    "its status list entry in another list": lambda c: c.sd_jwt(status=LIST_2),
    # Against §13.2 (the copies become linkable), but the document says the same: not this check's to refuse.
    "the same status list entry": lambda c: c.sd_jwt(status=StatusReference(idx=5, uri=LIST_1)),
    "another signing time": lambda c: c.sd_jwt(iat=c.iat + 1, nbf=c.iat),
    # A copy signed a second later from "now" (nbf = iat, exp = iat + N), or with its expiry moved
    # so that verifiers cannot link the copies by it: the document's own dates are claims, compared.
    "a token validity of its own": lambda c: c.sd_jwt(iat=c.iat + 1, nbf=c.iat + 1, exp=c.iat + 31 * 86400),
}


@pytest.mark.parametrize("case", list(SAME_SD_JWT))
def test_sd_jwt_copies_differing_only_in_what_is_their_own_are_one_document(copies: Copies, case: str) -> None:
    first = copies.sd_jwt(status=StatusReference(idx=5, uri=LIST_1))
    core.same_document([first, SAME_SD_JWT[case](copies), SAME_SD_JWT[case](copies)])


def test_a_single_copy_is_one_document(copies: Copies) -> None:
    core.same_document([copies.sd_jwt()])


# --- the comparison alone: ISO mdoc --------------------------------------------------------------------

DIFFERENT_MDOC: dict[str, tuple[Callable[[Copies], core.CheckedCredential], str]] = {
    "an element more": (lambda c: c.mdoc(claims={**PERSON.pda1, "nationality": "LV"}), "nationality"),
    "an element fewer": (lambda c: c.mdoc(claims=_without(PERSON.pda1, "employer")), "employer"),
    "another value": (lambda c: c.mdoc(claims={**PERSON.pda1, "starting_date": "2026-01-01"}), "starting_date"),
    "another issuer": (lambda c: c.mdoc(signer=OTHER_PDA1_ISSUER), "issuer"),
    "no status list entry": (lambda c: c.mdoc(status=None), "status"),
}


@pytest.mark.parametrize("case", list(DIFFERENT_MDOC))
def test_mdoc_copies_that_differ_are_refused_naming_what_differs(copies: Copies, case: str) -> None:
    other, named = DIFFERENT_MDOC[case]
    with pytest.raises(CopiesDifferError) as refused:
        core.same_document([copies.mdoc(), other(copies)])
    assert named in refused.value.message


def test_mdoc_copies_differing_in_device_key_status_entry_signing_time_and_validity_are_one_document(
        copies: Copies) -> None:
    core.same_document([copies.mdoc(), copies.mdoc(status=LIST_2),
                        copies.mdoc(signed=copies.now - timedelta(seconds=1)),
                        copies.mdoc(valid_until=copies.now + timedelta(days=31))])


# --- end to end: an institution's server gone wrong, on loopback ---------------------------------------

CopyClaims = Callable[[str, int], Mapping[str, Any]]


def _same(_form: str, _n: int) -> Mapping[str, Any]:
    return PERSON.pda1


def _second_sd_jwt_longer(form: str, n: int) -> Mapping[str, Any]:
    """The SD-JWT VC copy the wallet would show second (and its own offline form) says the A1 runs a
    year longer; the mdoc copies all agree."""
    return _longer() if form in ("dc+sd-jwt", "offline") and n == 1 else PERSON.pda1


def _mdoc_form_longer(form: str, _n: int) -> Mapping[str, Any]:
    """Every mdoc copy says the A1 runs a year longer than the card (the SD-JWT VC copies) says."""
    return _longer() if form == "mso_mdoc" else PERSON.pda1


def _offline_form_longer(form: str, _n: int) -> Mapping[str, Any]:
    """Every offline QR form says the A1 runs a year longer than the card it comes with."""
    return _longer() if form == "offline" else PERSON.pda1


def _longer() -> Mapping[str, Any]:
    return {**PERSON.pda1, "ending_date": "2028-09-30"}


class SplitIssuer:
    """An institution's own server gone wrong: its genuine signing key (LV:VSAA, on the registry's
    issuers list), OpenID4VCI pre-authorized code flow, batches of three in SD-JWT VC (each with its
    offline QR form, ``compact``, as our issuer sends it) and ISO mdoc, each copy filled by
    ``copy_claims(format, n)`` (format ``offline`` for the offline form). It records the
    notifications it gets (§11)."""

    def __init__(self, pki: DemoPki) -> None:
        self.pki = pki
        self.copy_claims: CopyClaims = _same
        self.events: list[str] = []
        self.url = ""
        app = FastAPI()

        @app.get("/.well-known/openid-credential-issuer/iss")
        def metadata() -> dict[str, Any]:
            issuer = self.issuer
            return {"credential_issuer": issuer, "credential_endpoint": f"{issuer}/credential",
                    "nonce_endpoint": f"{issuer}/nonce", "notification_endpoint": f"{issuer}/notification",
                    "batch_credential_issuance": {"batch_size": 3},
                    "credential_configurations_supported": {
                        "pda1": {"format": "dc+sd-jwt", "vct": pda1.VCT},
                        "pda1_mdoc": {"format": "mso_mdoc", "doctype": DOCTYPE}}}

        @app.get("/.well-known/oauth-authorization-server/iss")
        def as_metadata() -> dict[str, Any]:
            return {"issuer": self.issuer, "token_endpoint": f"{self.issuer}/token"}

        @app.post("/iss/token")
        def token() -> dict[str, Any]:
            return {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer"}

        @app.post("/iss/nonce")
        def nonce() -> dict[str, Any]:
            return {"c_nonce": secrets.token_urlsafe(16)}

        @app.post("/iss/credential")
        async def credential(request: Request) -> dict[str, Any]:
            body = await request.json()
            form = "mso_mdoc" if body["credential_configuration_id"] == "pda1_mdoc" else "dc+sd-jwt"
            holder_keys = [json.loads(b64url_decode(proof.split(".")[0]))["jwk"] for proof in body["proofs"]["jwt"]]
            return {"credentials": [self._sign(form, n, jwk) for n, jwk in enumerate(holder_keys)],
                    "notification_id": form}

        @app.post("/iss/notification")
        async def notification(request: Request) -> Response:
            body = await request.json()
            self.events.append(f"{body['notification_id']} {body['event']}")
            return Response(status_code=204)

        self.app = app

    @property
    def issuer(self) -> str:
        return f"{self.url}/iss"

    def _sign(self, form: str, n: int, holder_jwk: Mapping[str, Any]) -> dict[str, str]:
        """One credential response object (OpenID4VCI 1.0 §8.3), with the offline form beside an SD-JWT VC."""
        key, chain = self.pki.signers[ISSUER]
        now = _now()
        claims, entry = self.copy_claims(form, n), StatusReference(idx=secrets.randbelow(2**20),
                                                                   uri=f"{self.issuer}/status/1")
        if form == "mso_mdoc":
            return {"credential": b64url_encode(mdoc.issue(
                doctype=DOCTYPE, claims=claims, device_key=public_key_from_jwk(holder_jwk), issuer_key=key,
                x5chain=chain, signed=now, valid_until=now + timedelta(days=30), status=entry))}
        iat = int(now.timestamp())
        offline = compact.issue_compact(vct=pda1.VCT, claims=self.copy_claims("offline", n), holder=HOLDER,
                                        holder_jwk=holder_jwk, issuer_key=key, kid=spki_kid(chain[0]), iat=iat,
                                        exp=iat + 30 * 86400, status=entry)
        return {"credential": sd_jwt_vc.issue_vc(vct=pda1.VCT, claims=claims, sd_paths=pda1.SD_PATHS,
                                                 holder_jwk=holder_jwk, issuer_key=key, x5c=chain, iss=self.issuer,
                                                 iat=iat, nbf=iat, exp=iat + 30 * 86400, status=entry),
                "compact": b64url_encode(offline)}

    def link(self) -> str:
        offer = {"credential_issuer": self.issuer, "credential_configuration_ids": ["pda1", "pda1_mdoc"],
                 "grants": {PRE_AUTH_GRANT: {"pre-authorized_code": secrets.token_urlsafe(8)}}}
        return "openid-credential-offer://?credential_offer=" + quote(json.dumps(offer))


@pytest.fixture(scope="module")
def registry_url(registry_dir: Path) -> Iterator[str]:
    with serve(registry_app(RegistrySettings(data_dir=registry_dir))) as registry:
        yield registry.url


@pytest.fixture
def split_issuer(registry_pki: DemoPki) -> Iterator[SplitIssuer]:
    issuer = SplitIssuer(registry_pki)
    with serve(issuer.app) as handle:
        issuer.url = handle.url
        yield issuer


#: What the server sends that does not say one thing, and how the wallet refuses it.
DISAGREEING: dict[str, tuple[CopyClaims, type[OfferDisagreesError]]] = {
    "a batch whose copies differ": (_second_sd_jwt_longer, CopiesDifferError),
    "an mdoc form saying otherwise than the card": (_mdoc_form_longer, FormsDifferError),
    "an offline QR form saying otherwise than the card": (_offline_form_longer, OfflineFormDiffersError),
}


@pytest.mark.parametrize("case", list(DISAGREEING))
def test_an_offer_that_does_not_say_one_thing_is_refused_whole_and_nothing_is_stored(
        split_issuer: SplitIssuer, registry_url: str, registry_dir: Path, tmp_path: Path, case: str) -> None:
    split_issuer.copy_claims, refusal = DISAGREEING[case]
    wallet = open_wallet(tmp_path / "phone", registry_url, "pw", fast_kdf=True, pki_dir=registry_dir / "pki")
    try:
        offer_id, _ = wallet.open_offer(split_issuer.link())
        with pytest.raises(refusal, match="ending_date"):
            wallet.accept_offer(offer_id, None)
        assert wallet.credentials() == []
        assert wallet.cards("en") == []
    finally:
        wallet.http.close()
    # Neither form is kept (where one form was sound, it came from the same issuer in the same
    # offer), and the issuer hears it of both.
    assert sorted(split_issuer.events) == ["dc+sd-jwt credential_failure", "mso_mdoc credential_failure"]


def test_the_same_issuer_with_copies_that_agree_gives_one_card(
        split_issuer: SplitIssuer, registry_url: str, registry_dir: Path, tmp_path: Path) -> None:
    """The sibling: everything else about this server is acceptable (its offline forms and mdoc forms
    too), so each refusal above is the disagreement's alone."""
    wallet = open_wallet(tmp_path / "phone", registry_url, "pw", fast_kdf=True, pki_dir=registry_dir / "pki")
    try:
        offer_id, _ = wallet.open_offer(split_issuer.link())
        groups = wallet.accept_offer(offer_id, None)
        assert len(groups) == 1
        assert [(c.copies, c.unused, c.offline) for c in wallet.cards("en")] == [(3, 3, True)]
        assert sorted(c.format for c in wallet.credentials()) == ["dc+sd-jwt"] * 3 + ["mso_mdoc"] * 3
    finally:
        wallet.http.close()
    assert sorted(split_issuer.events) == ["dc+sd-jwt credential_accepted", "mso_mdoc credential_accepted"]


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="')[1].split('"')[0]


def test_the_wallet_page_answers_differing_copies_with_a_400_error_page_and_keeps_nothing(
        split_issuer: SplitIssuer, registry_url: str, registry_dir: Path, tmp_path: Path) -> None:
    split_issuer.copy_claims = _second_sd_jwt_longer
    settings = WalletSettings(data_dir=tmp_path, registry_url=registry_url, scrypt_n=16, allow_loopback_http=True,
                              pki_dir=registry_dir / "pki")
    with serve(wallet_app(settings)) as wallet, httpx.Client(base_url=wallet.url, timeout=30) as page:
        token = _csrf(page.get("/setup").text)
        assert page.post("/setup", data={"passphrase": "pass phrase", "passphrase2": "pass phrase",
                                         "csrf": token}).status_code == 303
        offer = page.post("/receive", data={"link": split_issuer.link(), "csrf": _csrf(page.get("/receive").text)},
                           follow_redirects=True)
        assert offer.status_code == 200, offer.text
        offer_id = offer.text.split('action="/receive/')[1].split('"')[0]
        answer = page.post(f"/receive/{offer_id}", data={"csrf": _csrf(offer.text)})
        assert answer.status_code == 400, answer.text
        assert 'id="error"' in answer.text
        assert "do not all say the same" in answer.text
        cards = page.get("/")
        assert cards.status_code == 200
        assert "/cards/" not in cards.text
