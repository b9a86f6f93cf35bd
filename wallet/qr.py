"""Read the link out of a photo or PNG of a QR code (zxing-cpp over Pillow).

The wallet accepts what a phone camera would see: an offer QR printed by the issuer's back
office or the request QR on the inspector's screen. Images are size-limited before decoding.
"""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image, UnidentifiedImageError

from wallet.errors import QrError

__all__ = ["MAX_IMAGE_BYTES", "MAX_PIXELS", "decode_qr"]

#: Largest upload accepted (a phone photo is 2-5 MB).
MAX_IMAGE_BYTES = 12 * 1024 * 1024
#: Largest decoded image (guards against decompression bombs).
MAX_PIXELS = 40_000_000


def decode_qr(data: bytes) -> str:
    """The text of the one QR code in the image ``data`` (PNG, JPEG, ...); QrError otherwise."""
    if not data:
        raise QrError("The picture is empty.")
    if len(data) > MAX_IMAGE_BYTES:
        raise QrError("The picture is too large.")
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PIXELS:
                raise QrError("The picture is too large.")
            img.load()
            rgb = img.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise QrError("This file is not a picture the wallet can read.") from exc
    barcodes = zxingcpp.read_barcodes(rgb, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    found = [b for b in barcodes if b.valid and b.text]
    if not found:
        raise QrError("No QR code could be read in the picture. Try a sharper, closer photo.")
    texts = {b.text for b in found}
    if len(texts) > 1:
        raise QrError("The picture shows more than one QR code. Show only one.")
    return found[0].text.strip()
