"""The pilot's demo institutions, inspectorates and wallet provider (shared/domain.md "Demo institutions").

Real institution names with clearly fictitious identifiers. The trust registry seeds itself
from these, the demo PKI issues one CA per entity, and the issuer hosts one credential issuer
per issuing entity under ``/<path>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["DEMO_ENTITIES", "Entity", "Role", "demo_entity"]


class Role(StrEnum):
    PDA1_ISSUER = "pda1_issuer"
    EHIC_ISSUER = "ehic_issuer"
    PID_PROVIDER = "pid_provider"
    VERIFIER = "verifier"
    WALLET_PROVIDER = "wallet_provider"


#: Which role allows issuing which credential type (vct).
ROLE_FOR_VCT: dict[str, Role] = {
    "urn:eudi:pda1:1": Role.PDA1_ISSUER,
    "urn:eudi:ehic:1": Role.EHIC_ISSUER,
    "urn:eudi:pid:1": Role.PID_PROVIDER,
}


@dataclass(frozen=True, slots=True)
class Entity:
    """An institution or inspectorate known to the trust registry."""

    id: str  # EESSI-style institution id, e.g. "LV:VSAA"
    country: str  # ISO 3166-1 alpha-2 (EL accepted for Greece)
    name: str  # name in the local language
    name_en: str
    roles: frozenset[Role]
    path: str  # URL path segment of its credential issuer or verifier, e.g. "lv-vsaa"
    # Verifiers only: the DNS name in its access certificate and what it may request.
    dns_name: str | None = None
    may_request: dict[str, tuple[str, ...]] = field(default_factory=dict)


_PDA1_INSPECTION_CLAIMS = (
    "personal_administrative_number",
    "document_number",
    "legislation_country",
    "status_confirmation",
    "employer",
    "work_address",
    "work_information",
    "transitional_rules",
    "starting_date",
    "ending_date",
    "issuing_authority",
    "issuing_country",
    "authentic_source",
    "date_of_issuance",
    "date_of_expiry",
    # Boxes 2.5 and 2.4 (credentials/pda1.py): an A1's mdoc shows them only when asked (review R3, 2).
    "determination_provisional",
    "applies_for_duration",
    # Section 1's names and date of birth (credentials/pda1.py with_holder): asked of the mdoc.
    "family_name",
    "given_name",
    "birth_date",
)
#: date_of_expiry: mandatory metadata (PID Rulebook §2.4) the verifier asks for, so that it checks the
#: PID's own validity whether or not the provider made it selectively disclosable.
#: personal_administrative_number (§2.3) and issuing_country (§2.4): what ties the PID to the A1 or
#: EHIC beside it (credentials/holder_link.py).
_PID_INSPECTION_CLAIMS = ("family_name", "given_name", "birthdate", "nationalities", "picture",
                          "personal_administrative_number", "issuing_country", "date_of_expiry")
_EHIC_CLAIMS = (
    "personal_administrative_number",
    "document_number",
    "issuing_authority",
    "issuing_country",
    "authentic_source",
    "date_of_issuance",
    "date_of_expiry",
    "starting_date",
    "ending_date",
    "subject",
    # Decision S2 fields 3-5 of the holder's own card (credentials/ehic.py with_holder).
    "family_name",
    "given_name",
    "birth_date",
)

DEMO_ENTITIES: tuple[Entity, ...] = (
    Entity("LV:VSAA", "LV", "Valsts sociālās apdrošināšanas aģentūra", "State Social Insurance Agency",
           frozenset({Role.PDA1_ISSUER}), "lv-vsaa"),
    Entity("LV:NVD", "LV", "Nacionālais veselības dienests", "National Health Service",
           frozenset({Role.EHIC_ISSUER}), "lv-nvd"),
    Entity("DE:DRV", "DE", "Deutsche Rentenversicherung", "German Pension Insurance",
           frozenset({Role.PDA1_ISSUER}), "de-drv"),
    Entity("AT:OEGK", "AT", "Österreichische Gesundheitskasse", "Austrian Health Insurance Fund",
           frozenset({Role.EHIC_ISSUER}), "at-oegk"),
    Entity("PL:ZUS", "PL", "Zakład Ubezpieczeń Społecznych", "Social Insurance Institution",
           frozenset({Role.PDA1_ISSUER}), "pl-zus"),
    # Each demo person's EHIC is of the state whose legislation their A1 applies (883/2004 Art. 11(1):
    # one legislation, whose institution insures them for sickness and issues the card, Decision S1):
    # Poland's National Health Fund for Jan, a German health insurance fund for Lena.
    Entity("PL:NFZ", "PL", "Narodowy Fundusz Zdrowia", "National Health Fund",
           frozenset({Role.EHIC_ISSUER}), "pl-nfz"),
    Entity("DE:TK", "DE", "Techniker Krankenkasse", "Techniker Krankenkasse (health insurance fund)",
           frozenset({Role.EHIC_ISSUER}), "de-tk"),
    Entity("LV:PID", "LV", "Demo PID nodrošinātājs", "Demo PID provider Latvia",
           frozenset({Role.PID_PROVIDER}), "lv-pid"),
    Entity("DE:PID", "DE", "Demo PID-Anbieter", "Demo PID provider Germany",
           frozenset({Role.PID_PROVIDER}), "de-pid"),
    Entity("AT:PID", "AT", "Demo PID-Anbieter Österreich", "Demo PID provider Austria",
           frozenset({Role.PID_PROVIDER}), "at-pid"),
    Entity("PL:PID", "PL", "Demo dostawca PID", "Demo PID provider Poland",
           frozenset({Role.PID_PROVIDER}), "pl-pid"),
    Entity("LV:VDI", "LV", "Valsts darba inspekcija", "State Labour Inspectorate",
           frozenset({Role.VERIFIER}), "lv-vdi", dns_name="vdi.verifier.localhost",
           may_request={"urn:eudi:pda1:1": _PDA1_INSPECTION_CLAIMS, "urn:eudi:pid:1": _PID_INSPECTION_CLAIMS,
                        "urn:eudi:ehic:1": _EHIC_CLAIMS}),
    Entity("AT:FINPOL", "AT", "Finanzpolizei", "Financial Police",
           frozenset({Role.VERIFIER}), "at-finpol", dns_name="finpol.verifier.localhost",
           may_request={"urn:eudi:pda1:1": _PDA1_INSPECTION_CLAIMS, "urn:eudi:pid:1": _PID_INSPECTION_CLAIMS}),
    # The provider of the reference wallet: it attests wallet instances to issuers (HAIP §9.2).
    Entity("LV:ESSPASS-WALLET", "LV", "ESSPASS atsauces maka nodrošinātājs", "ESSPASS reference wallet provider",
           frozenset({Role.WALLET_PROVIDER}), "esspass-wallet"),
)


def demo_entity(entity_id: str) -> Entity:
    for entity in DEMO_ENTITIES:
        if entity.id == entity_id:
            return entity
    raise KeyError(entity_id)
