"""Every form of one card says what the card says.

With a PDA1 or an EHIC the institution gives the worker the same document in up to three forms:
the SD-JWT VC the card shows, its ISO mdoc (for verifiers asking in that form), and the compact
offline form the phone shows an inspector as a QR code where there is no network (issue #7,
:mod:`credentials.compact`). The worker sees one card and consents to what it says; a form that
said otherwise would show an inspector or a verifier what the worker never saw. So on receipt:

* the offline form must say what the card says (:func:`wallet.core.check_compact`): each field it
  carries equal to the card's claim credentials.compact fills it from, no field the card does not
  give it, none missing that the card gives, the same type, signer, validity and status entry. The
  holder's name and birth date it carries (from the institution's case) are compared only where
  the card has them (an EHIC for a represented person);
* the SD-JWT VC and ISO mdoc forms must agree on every claim both carry (:func:`wallet.core.same_forms`),
  values compared as the wallet shows them: a CBOR full-date is its ``YYYY-MM-DD``; a tdate stays
  an instant, never the same as a day.

Refused forms are :class:`~wallet.errors.OfflineFormDiffersError` and :class:`~wallet.errors.FormsDifferError`,
naming what differs, never a value. The whole offer over real HTTP is in tests/test_wallet_batch_copies.py
(the hostile institution there signs all three forms).
"""

from __future__ import annotations

import base64
import io
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import cbor2
import pytest
from PIL import Image

from credentials import compact, cose, ehic, mdoc, pda1, pid, sd_jwt_vc, trust_list
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import CredentialError, KeyBindingError
from credentials.jose import PrivateKey, b64url_decode, b64url_encode, public_jwk
from credentials.pki import DemoPki
from credentials.status_list import StatusReference
from credentials.x509 import spki_kid
from wallet import core
from wallet.errors import FormsDifferError, OfflineFormDiffersError
from wallet.keys import new_key
from wallet.messages import LANGUAGES, explain

PERSON = DEMO_PERSONS[0]
#: The holder's name and birth date as the institution's case gives them (not in a PDA1's claims).
HOLDER = {k: PERSON.pid[k] for k in ("family_name", "given_name", "birthdate")}
OTHER_PDA1_ISSUER = "DE:DRV"
DOCTYPES = {pda1.VCT: mdoc.DOCTYPES[pda1.CONFIGURATION_ID], ehic.VCT: mdoc.DOCTYPES[ehic.CONFIGURATION_ID],
            pid.VCT: mdoc.DOCTYPES[pid.CONFIGURATION_ID]}
SIGNERS = {pda1.VCT: PERSON.pda1_issuer, ehic.VCT: PERSON.ehic_issuer, pid.VCT: PERSON.pid_provider}
SD_PATHS = {pda1.VCT: pda1.SD_PATHS, ehic.VCT: ehic.SD_PATHS, pid.VCT: pid.SD_PATHS}
REPRESENTED = {**PERSON.ehic, "subject": {"forenames": "Elza", "familynames": "Kalniņa", "date_of_birth": "2019-05-04"}}


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Card:
    """One SD-JWT VC as received and checked (:func:`wallet.core.verify_issued`), with its holder key."""

    text: str
    checked: core.CheckedCredential
    key: PrivateKey
    status: StatusReference


class Institution:
    """Signs a card's forms with a demo institution's real key, as the issuer does, and checks
    each as the wallet does on receipt."""

    def __init__(self, pki: DemoPki, issuers: trust_list.TrustList) -> None:
        self.pki, self.issuers = pki, issuers
        self.now = _now()
        self.iat = int(self.now.timestamp())
        self.exp = self.iat + 30 * 86400

    def card(self, vct: str = pda1.VCT, claims: Mapping[str, Any] = PERSON.pda1, *, iat: int | None = None,
             nbf: int | None = None) -> Card:
        key, chain = self.pki.signers[SIGNERS[vct]]
        holder = new_key()
        entry = StatusReference(idx=secrets.randbelow(2**20), uri="https://issuer.example/status/1")
        text = sd_jwt_vc.issue_vc(vct=vct, claims=claims, sd_paths=SD_PATHS[vct], holder_jwk=public_jwk(holder),
                                  issuer_key=key, x5c=chain, iss="https://issuer.example", iat=iat or self.iat,
                                  nbf=nbf or iat or self.iat, exp=self.exp, status=entry)
        checked = core.verify_issued(text, issuers=self.issuers, vct=vct, issuer_url="https://issuer.example",
                                     now=self.now)
        return Card(text, checked, holder, entry)

    def offline(self, card: Card, *, vct: str | None = None, claims: Mapping[str, Any] | None = None,
                holder: Mapping[str, Any] = HOLDER, kid_of: str | None = None, iat: int | None = None,
                exp: int | None = None, status: StatusReference | None = None, no_status: bool = False) -> str:
        """The offline form of ``card`` as the issuer makes it (``issue_compact``: the card's claims,
        signing time, expiry and status list entry), or changed in one way."""
        vct = vct or card.checked.vct
        key, chain = self.pki.signers[SIGNERS[card.checked.vct]]
        kid = spki_kid(self.pki.signers[kid_of][1][0]) if kid_of else spki_kid(chain[0])
        raw = compact.issue_compact(vct=vct, claims=card.checked.claims if claims is None else claims, holder=holder,
                                    holder_jwk=public_jwk(card.key), issuer_key=key, kid=kid,
                                    iat=card.checked.iat if iat is None else iat, exp=self.exp if exp is None else exp,
                                    status=None if no_status else status or card.status)
        return b64url_encode(raw)

    def offline_with_field(self, card: Card, key_number: int, value: Any) -> str:
        """The issuer's offline form with one more inspection field under ``key_number``."""
        parsed = compact.decode_credential(b64url_decode(self.offline(card)))
        kind, fields, status = parsed.ours
        payload = {**parsed.claims, compact.ESSPASS: [kind, {**fields, key_number: value}, status]}
        key, chain = self.pki.signers[SIGNERS[card.checked.vct]]
        return b64url_encode(cose.sign1(cbor2.dumps(payload), key, kid=compact.kid_bytes(spki_kid(chain[0])),
                                        tagged=False, implicit_alg=True))

    def check(self, card: Card, offline: str) -> str:
        return core.check_compact(offline, card.checked, card.text, card.key, now=self.now)

    def mdoc(self, vct: str = pda1.VCT, elements: Mapping[str, Any] = PERSON.pda1, *,
             signer: str | None = None) -> core.CheckedCredential:
        key, chain = self.pki.signers[signer or SIGNERS[vct]]
        issued = mdoc.issue(doctype=DOCTYPES[vct], claims=elements, device_key=new_key().public_key(), issuer_key=key,
                            x5chain=chain, signed=self.now, valid_until=self.now + timedelta(days=30),
                            status=StatusReference(idx=secrets.randbelow(2**20), uri="https://issuer.example/status/2"))
        return core.verify_issued_mdoc(b64url_encode(issued), issuers=self.issuers, vct=vct, now=self.now)


@pytest.fixture
def institution(registry_pki: DemoPki, registry_issuers: trust_list.TrustList) -> Institution:
    return Institution(registry_pki, registry_issuers)


def _without(claims: Mapping[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in claims.items() if k != name}


# --- the offline QR form against the card --------------------------------------------------------------

#: (the card's claims, the offline form made of it changed in one way, the name the refusal gives)
OfflineCase = tuple[Callable[[Institution], Card], Callable[[Institution, Card], str], str]


def _pda1(i: Institution) -> Card:
    return i.card()


def _represented(i: Institution) -> Card:
    return i.card(ehic.VCT, REPRESENTED)


def _saying(**changed: Any) -> Callable[[Institution, Card], str]:
    """The offline form of the card's claims with ``changed`` (a value of None: left out)."""
    def make(i: Institution, card: Card) -> str:
        claims = {**card.checked.claims, **changed}
        return i.offline(card, claims={k: v for k, v in claims.items() if v is not None})
    return make


DIFFERENT_OFFLINE: dict[str, OfflineCase] = {
    "another legislation country": (_pda1, _saying(legislation_country="DE"), "legislation_country"),
    "another end of the period": (_pda1, _saying(ending_date="2030-12-31"), "ending_date"),
    "another start of the period": (_pda1, _saying(starting_date="2020-01-01"), "starting_date"),
    "another document number": (_pda1, _saying(document_number="DEMO-A1-LV-0666"), "document_number"),
    "another status confirmation": (_pda1, _saying(status_confirmation="02"), "status_confirmation"),
    "another employer": (_pda1, _saying(employer={**PERSON.pda1["employer"], "name": "Other SIA"}), "employer_name"),
    "another employer id": (_pda1, _saying(employer={**PERSON.pda1["employer"], "id": "LV49999999999"}),
                            "employer_id"),
    "a field left out": (_pda1, _saying(ending_date=None), "ending_date"),
    "a field the card does not have": (lambda i: i.card(ehic.VCT, PERSON.ehic),
                                       _saying(ending_date="2030-12-31"), "ending_date"),
    "another personal number": (lambda i: i.card(ehic.VCT, PERSON.ehic),
                                _saying(personal_administrative_number="DEMO-010101-99999"),
                                "personal_administrative_number"),
    "another authentic source": (lambda i: i.card(ehic.VCT, PERSON.ehic),
                                 _saying(authentic_source={"id": "LV:VSAA", "name": "Other"}), "institution_id"),
    "another represented person": (_represented, _saying(subject={**REPRESENTED["subject"], "familynames": "Ozola"}),
                                   "family_name"),
    "another birth date of the represented person": (
        _represented, _saying(subject={**REPRESENTED["subject"], "date_of_birth": "2018-05-04"}),
        "birthdate"),
    "the holder's name for a represented person's card": (
        _represented, lambda i, card: i.offline(card, claims=PERSON.ehic), "family_name"),
    "another type": (_pda1, lambda i, card: i.offline(card, vct=ehic.VCT), "type"),
    "another signer named": (_pda1, lambda i, card: i.offline(card, kid_of=OTHER_PDA1_ISSUER), "signer"),
    "another expiry": (_pda1, lambda i, card: i.offline(card, exp=i.exp + 86400), "exp"),
    "another issuance time": (_pda1, lambda i, card: i.offline(card, iat=i.iat - 86400), "iat"),
    "valid before the card": (lambda i: i.card(iat=i.iat - 120, nbf=i.iat - 60), lambda i, card: i.offline(card),
                              "nbf"),
    "another status list entry": (
        _pda1, lambda i, card: i.offline(card, status=StatusReference(idx=card.status.idx + 1, uri=card.status.uri)),
        "status"),
    "no status list entry": (_pda1, lambda i, card: i.offline(card, no_status=True), "status"),
    "a field this wallet does not know": (_pda1, lambda i, card: i.offline_with_field(card, 99, "x"), "field 99"),
}


@pytest.mark.parametrize("case", list(DIFFERENT_OFFLINE))
def test_an_offline_form_saying_otherwise_than_the_card_is_refused_naming_what_differs(
        institution: Institution, case: str) -> None:
    make_card, make_offline, named = DIFFERENT_OFFLINE[case]
    card = make_card(institution)
    with pytest.raises(OfflineFormDiffersError) as refused:
        institution.check(card, make_offline(institution, card))
    assert refused.value.code == "offline_form_differs"
    assert named in refused.value.message


def test_the_refusal_names_the_claim_and_never_its_values(institution: Institution) -> None:
    card = institution.card()
    with pytest.raises(OfflineFormDiffersError) as refused:
        institution.check(card, _saying(document_number="DEMO-A1-LV-0666")(institution, card))
    assert "DEMO-A1-LV-0666" not in refused.value.message
    assert PERSON.pda1["document_number"] not in refused.value.message


#: The issuer's own offline forms: accepted as they are.
SAME_OFFLINE: dict[str, Callable[[Institution], Card]] = {
    "a PDA1": _pda1,
    "a PDA1 naming its employers in a list (v1.1)": lambda i: i.card(claims={
        **PERSON.pda1, "employer": [{**PERSON.pda1["employer"], "type": "01"}]}),
    "an EHIC": lambda i: i.card(ehic.VCT, PERSON.ehic),
    "an EHIC for a represented person": _represented,
}


@pytest.mark.parametrize("case", list(SAME_OFFLINE))
def test_the_issuers_offline_form_of_the_card_is_kept(institution: Institution, case: str) -> None:
    card = SAME_OFFLINE[case](institution)
    offline = institution.offline(card)
    assert institution.check(card, offline) == offline


def test_the_holders_name_is_not_on_a_pda1_so_it_is_not_compared(institution: Institution) -> None:
    """A PDA1's claims hold no name (the inspector reads it from the PID); its offline form carries
    the one from the institution's case, which the wallet has nothing to compare with."""
    card = institution.card()
    offline = institution.offline(card, holder={**HOLDER, "family_name": "Ozols"})
    assert institution.check(card, offline) == offline


def test_an_offline_form_bound_to_another_key_is_still_refused_as_before(institution: Institution) -> None:
    card, other = institution.card(), institution.card()
    with pytest.raises(KeyBindingError, match="another key"):
        institution.check(card, institution.offline(other, claims=card.checked.claims))


# --- the ISO mdoc form against the SD-JWT VC form ------------------------------------------------------

FormsCase = tuple[Callable[[Institution], list[core.CheckedCredential]], str]


def _pda1_forms(elements: Mapping[str, Any], *, signer: str | None = None) -> Callable[
        [Institution], list[core.CheckedCredential]]:
    return lambda i: [i.card().checked, i.mdoc(elements=elements, signer=signer)]


def _flagged(flag: Any) -> dict[str, Any]:
    return {**PERSON.pda1, "work_address": {**PERSON.pda1["work_address"], "flag_base_home": flag}}


def _with_png_portrait() -> dict[str, Any]:
    """The demo PID with a PNG portrait, as cases recorded before the Rulebook's JPEG rule hold it:
    its mdoc form carries the picture as a JPEG (:func:`credentials.pid.to_mdoc`). The same face,
    perhaps, but not the same data, and the wallet does not judge faces: the forms differ."""
    png = io.BytesIO()
    Image.new("RGB", (24, 32), (120, 80, 40)).save(png, format="PNG")
    return {**PERSON.pid, "picture": "data:image/png;base64," + base64.b64encode(png.getvalue()).decode("ascii")}


DIFFERENT_FORMS: dict[str, FormsCase] = {
    "another end of the period": (_pda1_forms({**PERSON.pda1, "ending_date": "2030-12-31"}), "ending_date"),
    "another legislation country": (_pda1_forms({**PERSON.pda1, "legislation_country": "DE"}),
                                    "legislation_country"),
    "another value inside a claim": (
        _pda1_forms({**PERSON.pda1, "employer": {**PERSON.pda1["employer"], "name": "Other SIA"}}), "employer.name"),
    "a member fewer inside a claim": (
        _pda1_forms({**PERSON.pda1, "work_address": _without(PERSON.pda1["work_address"], "house_number")}),
        "work_address.house_number"),
    "a value of another type where Python calls them equal": (
        lambda i: [i.card(claims=_flagged(True)).checked, i.mdoc(elements=_flagged(1))],
        "work_address.flag_base_home"),
    "a tdate where the card gives a day": (
        _pda1_forms({**PERSON.pda1, "starting_date": datetime.fromisoformat(PERSON.pda1["starting_date"] + "T00:00Z")}),
        "starting_date"),
    "another issuer": (_pda1_forms(PERSON.pda1, signer=OTHER_PDA1_ISSUER), "issuer"),
    "a PID portrait the mdoc carries re-encoded (a PNG case's JPEG)": (
        lambda i: [i.card(pid.VCT, _with_png_portrait()).checked, i.mdoc(pid.VCT, pid.to_mdoc(_with_png_portrait()))],
        "picture"),
    "a PID with another birth date": (
        lambda i: [i.card(pid.VCT, PERSON.pid).checked,
                   i.mdoc(pid.VCT, pid.to_mdoc({**PERSON.pid, "birthdate": "1970-01-01"}))], "birthdate"),
}


@pytest.mark.parametrize("case", list(DIFFERENT_FORMS))
def test_forms_of_one_card_that_disagree_are_refused_naming_what_differs(institution: Institution,
                                                                         case: str) -> None:
    make, named = DIFFERENT_FORMS[case]
    with pytest.raises(FormsDifferError) as refused:
        core.same_forms(make(institution))
    assert refused.value.code == "forms_differ"
    assert named in refused.value.message


SAME_FORMS: dict[str, Callable[[Institution], list[core.CheckedCredential]]] = {
    "a PDA1, both forms from the same claims": _pda1_forms(PERSON.pda1),
    "an EHIC": lambda i: [i.card(ehic.VCT, PERSON.ehic).checked, i.mdoc(ehic.VCT, PERSON.ehic)],
    "a full-date (tag 1004) where the card gives the same day as text": _pda1_forms(
        {**PERSON.pda1, "starting_date": date.fromisoformat(PERSON.pda1["starting_date"])}),
    "an element the SD-JWT VC does not carry": _pda1_forms({**PERSON.pda1, "nationality": "LV"}),
    "a claim the mdoc does not carry": _pda1_forms(_without(PERSON.pda1, "work_address")),
    "a PID, its Rulebook element names read as its SD-JWT VC claims": lambda i: [
        i.card(pid.VCT, PERSON.pid).checked, i.mdoc(pid.VCT, pid.to_mdoc(PERSON.pid))],
    "a PID of a case recorded with a PNG portrait, as the issuer signs it (one JPEG in both forms)": lambda i: [
        i.card(pid.VCT, dict(pid.with_jpeg_picture(_with_png_portrait()))).checked,
        i.mdoc(pid.VCT, pid.to_mdoc(pid.with_jpeg_picture(_with_png_portrait())))],
}


@pytest.mark.parametrize("case", list(SAME_FORMS))
def test_forms_of_one_card_that_agree_on_what_both_carry_are_kept(institution: Institution, case: str) -> None:
    core.same_forms(SAME_FORMS[case](institution))


def test_the_worker_is_told_why_in_each_language() -> None:
    texts = {explain(code, "", lang) for code in ("forms_differ", "offline_form_differs") for lang in LANGUAGES}
    assert len(texts) == 2 * len(LANGUAGES)


def test_an_mdoc_pid_whose_elements_cannot_be_read_as_its_claims_is_refused_at_receipt(
        institution: Institution) -> None:
    """The wallet shows an mdoc PID's Rulebook elements as its claims (pid.from_mdoc): one it cannot
    read so (a birth date that is not a date) is refused when it arrives, not kept to fail on a page."""
    with pytest.raises(CredentialError, match="birth_date"):
        institution.mdoc(pid.VCT, {**pid.to_mdoc(PERSON.pid), "birth_date": ["1988-04-12"]})
