"""The paper fallback (issue #7): a PDF of a PDA1 or EHIC with its compact credential as a QR code.

For workers without a smartphone. The compact credential on paper has no holder key (anyone can
copy paper), so the inspector's verdict tells them to check an identity document. It has its own
status list entry, so the institution can withdraw the paper copy like any other.
"""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF

__all__ = ["render_pdf"]

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
