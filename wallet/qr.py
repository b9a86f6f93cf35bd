"""Read the link out of a photo or PNG of a QR code (:mod:`credentials.qr_picture`).

The wallet accepts what a phone camera would see: an offer QR printed by the issuer's back
office or the request QR on the inspector's screen.
"""

from __future__ import annotations

from credentials.errors import MalformedError
from credentials.qr_picture import MAX_IMAGE_BYTES, MAX_PIXELS, read_qr
from wallet.errors import QrError

__all__ = ["MAX_IMAGE_BYTES", "MAX_PIXELS", "decode_qr"]


def decode_qr(data: bytes) -> str:
    """The text of the one QR code in the image ``data`` (PNG, JPEG, ...); QrError otherwise."""
    try:
        return read_qr(data)
    except MalformedError as exc:
        raise QrError(exc.message) from exc
