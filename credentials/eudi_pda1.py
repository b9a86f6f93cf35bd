"""The EUDI reference model of the PDA1, read as ours (shared/domain.md "Identifiers": accept
``urn:eu.europa.ec.eudi:pda1:1`` "via an adapter").

The EUDI reference issuer (its ``eu.europa.ec.eudi.pda1_sd_jwt_vc`` configuration) nests what the
DC4EU rulebook keeps flat: the applicable legislation and its period in ``legislation``, the
institution in ``competent_institution``, employers in ``employment_details``, places of work in
``places_of_work``. A verifier that meets such an A1 checks it by the same rules as ours:
:func:`to_dc4eu` gives the DC4EU v1.1 claims (:mod:`credentials.pda1`) that the competence, date and
display steps read. Pure; a part that is there but has the wrong shape is :class:`MalformedError`,
so a check never runs on a guess.

Its ``issuing_authority`` names the authority in words (as the EUDI PID does), so the competence
check compares countries only: the signer's with ``issuing_country`` and the legislation's state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credentials.errors import MalformedError

__all__ = ["CLAIM_NAMES", "QUERY_PATHS", "VCT", "to_dc4eu"]

VCT = "urn:eu.europa.ec.eudi:pda1:1"

#: Our top-level claim -> the EUDI model's, for what a verifier may ask (trust list ``may_request``).
CLAIM_NAMES = {
    "personal_administrative_number": "social_security_pin",
    "document_number": "document_id",
    "legislation_country": "legislation",
    "starting_date": "legislation",
    "ending_date": "legislation",
    "transitional_rules": "legislation",
    "employer": "employment_details",
    "work_address": "places_of_work",
    "work_information": "places_of_work",
    "authentic_source": "competent_institution",
    "date_of_issuance": "issuance_date",
    "date_of_expiry": "expiry_date",
}

#: What the inspection asks of an EUDI-shaped A1: the same facts as of ours (verifier profile "pda1"),
#: each member of ``legislation`` by name, so that a wallet cannot answer with the object and leave out
#: the state whose legislation applies; ``social_security_pin`` is the holder's personal number, which
#: ties the A1 to the PID (:mod:`credentials.holder_link`).
QUERY_PATHS = (("social_security_pin",), ("document_id",), ("legislation", "member_state"),
               ("legislation", "starting_date"), ("legislation", "ending_date"), ("status_confirmation",),
               ("employment_details",), ("issuing_country",))

_RENAMED = {"social_security_pin": "personal_administrative_number", "document_id": "document_number",
            "issuance_date": "date_of_issuance", "expiry_date": "date_of_expiry"}
_LEGISLATION = {"member_state": "legislation_country", "starting_date": "starting_date",
                "ending_date": "ending_date", "transitional_rules": "transitional_rules"}
_NESTED = frozenset({"legislation", "competent_institution", "employment_details", "places_of_work",
                     "issuing_authority"})


def _object(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MalformedError(f"the EUDI A1's {name} is not an object")
    return value


def _objects(value: Any, name: str) -> list[Mapping[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return [_object(item, name) for item in items]


def _employer(detail: Mapping[str, Any]) -> dict[str, Any]:
    out = {"id": detail.get("employer_id"), "name": detail.get("name"), "country": detail.get("country_code"),
           "type": detail.get("employment_type")}
    return {k: v for k, v in out.items() if v is not None}


def _place(place: Mapping[str, Any]) -> dict[str, Any]:
    out = {"company_name": place.get("company"), "company_id": place.get("company_id"),
           "street_address": place.get("street"), "locality": place.get("town"),
           "postal_code": place.get("postal_code"), "country": place.get("country_code"),
           "flag_base_home": place.get("flag_base_home_state")}
    return {k: v for k, v in out.items() if v is not None}


def to_dc4eu(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The claims of an EUDI-shaped PDA1 under the DC4EU names (v1.1 shape for employers and
    places of work). Envelope claims (``iss``, ``cnf``, ``status`` ...) and anything unknown pass
    through; the EUDI ``issuing_authority`` (a name) is left out, see the module docstring.

    MalformedError naming the part: anything but an object of claims; a nested part of the wrong
    shape; one of our claims given twice (``document_number`` beside ``document_id``,
    ``legislation_country`` beside ``legislation.member_state`` ...), since which of the two the
    inspector saw would be the order of the credential's members."""
    if not isinstance(claims, Mapping):
        raise MalformedError("the EUDI A1's claims are not an object")
    out: dict[str, Any] = {}
    given: dict[str, str] = {}  # our claim -> the EUDI A1's member it was read from

    def put(ours: str, value: Any, theirs: str) -> None:
        if ours in given:
            raise MalformedError(f"the EUDI A1 gives {ours} twice, as {given[ours]} and as {theirs}")
        given[ours], out[ours] = theirs, value

    for name, value in claims.items():
        if name not in _NESTED:
            put(_RENAMED.get(name, name), value, name)
    if "legislation" in claims:
        legislation = _object(claims["legislation"], "legislation")
        for theirs, ours in _LEGISLATION.items():
            if theirs in legislation:
                put(ours, legislation[theirs], f"legislation.{theirs}")
    if "competent_institution" in claims:
        institution = _object(claims["competent_institution"], "competent_institution")
        source = {"id": institution.get("institution_id"), "name": institution.get("institution_name"),
                  "country": institution.get("country_code")}
        put("authentic_source", {k: v for k, v in source.items() if v is not None}, "competent_institution")
    if "employment_details" in claims:
        put("employer", [_employer(d) for d in _objects(claims["employment_details"], "employment_details")],
            "employment_details")
    if "places_of_work" in claims:
        places = _object(claims["places_of_work"], "places_of_work")
        info: dict[str, Any] = {}
        if "place_of_work" in places:
            info["work_address"] = [_place(p) for p in _objects(places["place_of_work"], "place_of_work")]
        if "no_fixed_place" in places:
            fixed = _objects(places["no_fixed_place"], "no_fixed_place")
            info["no_fixed_place_of_work"] = [p.get("country_code") for p in fixed]
        put("work_information", info, "places_of_work")
    return out
