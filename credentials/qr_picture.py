"""Read the text of the QR code in a photo or picture (zxing-cpp over Pillow).

Both the worker (an offer QR from the back office, the request QR on the inspector's screen) and
the inspector (a photo of a worker's offline QR) hand over what a phone camera saw. A picture is
untrusted input: its size is limited before anything is decoded, and its declared dimensions
before any pixel is (a small PNG may declare 20000 x 20000 pixels: a decompression bomb).
"""

from __future__ import annotations

import io

from credentials.errors import MalformedError

__all__ = ["MAX_IMAGE_BYTES", "MAX_PIXELS", "read_qr"]

#: Largest picture read (a phone photo is 2-5 MB).
MAX_IMAGE_BYTES = 12 * 1024 * 1024
#: Largest decoded image: a 40 MP phone photo, some 120 MB of pixels at most.
MAX_PIXELS = 40_000_000


def read_qr(data: bytes) -> str:
    """The text of the one QR code in the picture ``data`` (PNG, JPEG, ...); MalformedError, in
    words for the person who took the photo, otherwise."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise MalformedError("The picture is empty.")
    if len(data) > MAX_IMAGE_BYTES:
        raise MalformedError("The picture is too large.")
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PIXELS:
                raise MalformedError("The picture is too large.")
            img.load()
            rgb = img.convert("RGB")
    except Image.DecompressionBombError as exc:  # Pillow's own limit, met while reading the header
        raise MalformedError("The picture is too large.") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise MalformedError("This file is not a picture that can be read.") from exc
    barcodes = zxingcpp.read_barcodes(rgb, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    found = [b for b in barcodes if b.valid and b.text]
    if not found:
        raise MalformedError("No QR code could be read in the picture. Try a sharper, closer photo.")
    if len({b.text for b in found}) > 1:
        raise MalformedError("The picture shows more than one QR code. Show only one.")
    return str(found[0].text).strip()
