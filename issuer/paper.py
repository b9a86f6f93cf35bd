"""The paper fallback (issue #7): a PDF of a PDA1 or EHIC with its compact credential as a QR code.

For workers without a smartphone. The compact credential on paper has no holder key (anyone can
copy paper), so the inspector's verdict tells them to check an identity document. It has its own
status list entry, so the institution can withdraw the paper copy like any other.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable
from pathlib import Path

from fpdf import FPDF

__all__ = ["render_pdf"]

_FONTS = (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
          Path("/usr/share/fonts/truetype/freefont/FreeSans.ttf"))


def _latin1(text: str) -> str:
    # Without a Unicode font, the core PDF fonts know Latin-1 only: drop accents rather than fail.
    return unicodedata.normalize("NFKD", text).encode("latin-1", "ignore").decode("latin-1")


def render_pdf(*, title: str, lines: list[str], qr_png: bytes, footer: str) -> bytes:
    """One A4 page: title, the document in plain words, the QR code, and the identity-check note."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    font = next((f for f in _FONTS if f.exists()), None)
    clean: Callable[[str], str] = _latin1
    family = "helvetica"
    if font is not None:
        pdf.add_font("body", fname=str(font))
        family, clean = "body", str
    pdf.set_font(family, size=18)
    pdf.multi_cell(0, 10, clean(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=11)
    pdf.ln(2)
    for line in lines:
        pdf.multi_cell(0, 6, clean(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    from PIL import Image

    # 8-bit greyscale, no palette: prints crisply and any PDF tool can extract it.
    pdf.image(Image.open(io.BytesIO(qr_png)).convert("L"), w=110)
    pdf.ln(4)
    pdf.set_font(family, size=10)
    pdf.multi_cell(0, 5, clean(footer), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
