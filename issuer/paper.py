"""The paper fallback (issue #7): a PDF of a PDA1 or EHIC with its compact credential as a QR code.

For workers without a smartphone. The compact credential on paper has no holder key (anyone can
copy paper), so the inspector's verdict tells them to check an identity document. It has its own
status list entry, so the institution can withdraw the paper copy like any other.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from fpdf import FPDF

from credentials import ehic, pda1
from credentials.i18n import format_date

__all__ = ["paper_text", "render_pdf"]

#: The A1's section 2 box 2.4, "the certification applies for the duration of the activity", said when
#: it is ticked (2.5, a provisional determination, is said by the sentence, pda1.describe).
_FOR_DURATION = {
    "en": "The certification applies for the duration of the activity.",
    "lv": "Apliecinājums attiecas uz visu darbības laiku.",
    "de": "Die Bescheinigung gilt für die Dauer der Tätigkeit.",
    "fr": "Le certificat s'applique pour la durée de l'activité.",
    "pl": "Zaświadczenie obowiązuje przez cały okres wykonywania działalności.",
}
#: The A1's section 2 box "transitional rules of Art. 87(8) apply", said when it is ticked.
_TRANSITIONAL = {
    "en": "The transitional rules of Article 87(8) of Regulation (EC) No 883/2004 apply.",
    "lv": "Piemēro Regulas (EK) Nr. 883/2004 87. panta 8. punkta pārejas noteikumus.",
    "de": "Es gelten die Übergangsbestimmungen des Artikels 87 Absatz 8 der Verordnung (EG) Nr. 883/2004.",
    "fr": "Les dispositions transitoires de l'article 87, paragraphe 8, du règlement (CE) n° 883/2004 s'appliquent.",
    "pl": "Stosuje się przepisy przejściowe art. 87 ust. 8 rozporządzenia (WE) nr 883/2004.",
}


class _Institution(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def name_en(self) -> str: ...


def paper_text(module: Any, claims: Mapping[str, Any], holder: Mapping[str, Any], institution: _Institution,
               lang: str) -> tuple[str, list[str]]:
    """The title and lines of a paper copy, in the clerk's ``lang`` (English fallback).

    An A1 prints what its paper sections show, for whoever reads it without a scanner (an inspector,
    the host state's institution): the sentence of section 2 (saying too when the determination is
    provisional, box 2.5); the personal number (1) and document
    number and its date of issue; the status in words (3); each employer or self-employed activity
    with its registration number and state (4); every place of work, or the state with no fixed place of work
    (5); box 2.4 (for the duration of the activity) and the transitional rules of Art. 87(8) (2.6) when
    ticked, then the holder's name and birth date, written as the other dates are (the inspector
    compares it with an identity document). An EHIC prints its sentence, and a Provisional
    Replacement Certificate is titled as one (Decision S2), not as a card; then card fields 3-7
    and a PRC's own fields (:func:`_ehic_fields`). Then the institution that issued the paper."""
    lines = [module.describe(claims, lang)]
    if module is pda1:
        for claim in ("personal_administrative_number", "document_number"):
            if claims.get(claim):
                lines.append(f"{pda1.label(claim, lang)}: {claims[claim]}")
        if claims.get("date_of_issuance"):
            lines.append(f"{pda1.label('date_of_issuance', lang)}: "
                         f"{format_date(str(claims['date_of_issuance']), lang)}")
        lines.append(f"{pda1.label('status_confirmation', lang)}: "
                     f"{pda1.status_text(str(claims.get('status_confirmation', '')), lang)}")
        # Section 4, an entry a line: name, registration number, state; a type 02 entry is the
        # person's own self-employed activity, not an employer.
        for entry in pda1.employers(claims):
            lines.append(pda1.employer_text(entry, lang, claims.get("status_confirmation")))
        for place in pda1.work_places(claims):
            lines.append(f"{pda1.label('work_address', lang)}: {pda1.place_text(place, lang)}")
        if claims.get("applies_for_duration") is True:
            lines.append(_FOR_DURATION.get(lang, _FOR_DURATION["en"]))
        if claims.get("transitional_rules") is True:
            lines.append(_TRANSITIONAL.get(lang, _TRANSITIONAL["en"]))
    if module is ehic:
        lines.extend(_ehic_fields(claims, holder, lang))
    else:
        name = " ".join(x for x in (holder.get("given_name"), holder.get("family_name")) if x)
        if name:
            lines.append(f"{name}, {_day(holder.get('birthdate'), lang)}")
    lines.append(f"{institution.name} ({institution.name_en}), {institution.id}")
    if module is ehic:
        return ehic.title(claims, lang), lines
    metadata = module.type_metadata_document()
    return next((d["name"] for d in metadata["display"] if d["locale"] == lang), metadata["name"]), lines


def _day(value: Any, lang: str) -> str:
    """A date in ``lang``'s way of writing dates; a value that is no ISO full-date as it is ("" for none)."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        return format_date(value, lang)
    except ValueError:
        return value


def _ehic_fields(claims: Mapping[str, Any], holder: Mapping[str, Any], lang: str) -> list[str]:
    """Decision S2 card fields 3 (surname), 4 (given names), 5 (date of birth, in ``lang``'s way of
    writing dates) and 6 (personal identification number), each labelled as the card's type metadata
    labels it (the wallet's card, :func:`credentials.ehic.label`): the hospital copies them onto its
    claim (E125, SED S080). Fields 3-5 are the insured person's: a represented person's (``subject``,
    a child) on their card, as its QR code and the wallet's card name them, never the case's holder
    (the parent); else the holder's, as signed into the card (:func:`credentials.ehic.with_holder`).

    Then field 7, the competent institution's identification number and name (``authentic_source``),
    which the claim quotes too and which, for a card of a branch or another body (LV:NVD-KURZ), is
    not the id of the institution that issued the paper (printed last). A PRC adds what Decision S2's
    model certificate (Annex 2) has beside them: fields 8 and 9 of the card it replaces, where it
    names one (``card_number``, ``card_expiry``), and (c) its date of delivery (``date_of_issuance``;
    its period (a)-(b) and own number are in the sentence)."""
    subject = claims.get("subject")
    if isinstance(subject, Mapping):
        person = {"family_name": subject.get("familynames"), "given_name": subject.get("forenames"),
                  "birth_date": subject.get("date_of_birth")}
    else:
        person = {claim: ehic.with_holder(claims, holder).get(claim) for claim in ehic.HOLDER_CLAIMS}
    person["personal_administrative_number"] = claims.get("personal_administrative_number")
    lines = []
    for claim, value in person.items():
        if isinstance(value, str) and value.strip():
            lines.append(f"{ehic.label(claim, lang)}: {format_date(value, lang) if claim == 'birth_date' else value}")
    source = claims.get("authentic_source")
    if isinstance(source, Mapping) and isinstance(source.get("id"), str):
        named = ", ".join(str(x) for x in (source.get("id"), source.get("name")) if isinstance(x, str) and x)
        lines.append(f"{ehic.label('authentic_source', lang)}: {named}")
    if ehic.is_prc(claims):
        for claim in ("card_number", "card_expiry", "date_of_issuance"):
            value = claims.get(claim)
            if isinstance(value, str) and value.strip():
                shown = value if claim == "card_number" else _day(value, lang)
                lines.append(f"{ehic.prc_label(claim, lang)}: {shown}")
    return lines


#: Shipped with the issuer (fonts/LICENSE.txt): names print with their letters (Łukasiewicz, Zoë,
#: Παπαδόπουλος, Иванов) on any machine, instead of depending on what fonts the host has.
_FONT = Path(__file__).parent / "fonts" / "DejaVuSans-subset.ttf"


def render_pdf(*, title: str, lines: list[str], qr_png: bytes, footer: str) -> bytes:
    """One A4 page: title, the document in plain words, the QR code, and the identity-check note."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.add_font("body", fname=str(_FONT))
    family = "body"
    pdf.set_font(family, size=18)
    pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=11)
    pdf.ln(2)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    from PIL import Image

    # 8-bit greyscale, no palette: prints crisply and any PDF tool can extract it.
    pdf.image(Image.open(io.BytesIO(qr_png)).convert("L"), w=110)
    pdf.ln(4)
    pdf.set_font(family, size=10)
    pdf.multi_cell(0, 5, footer, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
