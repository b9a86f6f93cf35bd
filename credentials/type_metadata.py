"""SD-JWT VC Type Metadata documents (draft-ietf-oauth-sd-jwt-vc-18 "SD-JWT VC Type Metadata").

Built from data (names, colours, claim labels in the five languages) so each credential module
states its type once. The issuer serves :func:`serialise`'s exact bytes, whose SRI digest
(:func:`integrity`, "Integrity of Referenced Documents") can go in ``vct#integrity``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from credentials.i18n import LANGUAGES

__all__ = ["ClaimInfo", "build", "integrity", "serialise"]

Labels = tuple[str, str, str, str, str]  # en, lv, de, fr, pl


@dataclass(frozen=True, slots=True)
class ClaimInfo:
    path: tuple[str | int | None, ...]
    labels: Labels
    mandatory: bool = False
    sd: str = "allowed"  # always | allowed | never


def build(
    *,
    vct: str,
    names: Labels,
    descriptions: Labels,
    claims: Sequence[ClaimInfo],
    background_color: str,
    text_color: str = "#FFFFFF",
) -> dict[str, Any]:
    return {
        "vct": vct,
        "name": names[0],
        "description": descriptions[0],
        "display": [
            {
                "locale": lang,
                "name": names[i],
                "description": descriptions[i],
                "rendering": {"simple": {"background_color": background_color, "text_color": text_color}},
            }
            for i, lang in enumerate(LANGUAGES)
        ],
        "claims": [
            {
                "path": list(c.path),
                "display": [{"locale": lang, "label": c.labels[i]} for i, lang in enumerate(LANGUAGES)],
                "mandatory": c.mandatory,
                "sd": c.sd,
            }
            for c in claims
        ],
    }


def serialise(doc: Mapping[str, Any]) -> bytes:
    """The exact bytes to serve (sorted keys, compact, UTF-8), so the integrity digest is stable."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def integrity(doc: Mapping[str, Any]) -> str:
    """W3C SRI ``sha256-<base64>`` over :func:`serialise`'s bytes."""
    return "sha256-" + base64.b64encode(hashlib.sha256(serialise(doc)).digest()).decode("ascii")
