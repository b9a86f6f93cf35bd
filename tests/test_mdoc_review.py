"""Review regressions for credentials.mdoc: a Mobile Security Object of hostile shape, genuinely signed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives import serialization

from credentials import cose, jose, mdoc, pda1
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import AlgorithmError
from credentials.institutions import demo_entity
from credentials.pki import create_entity_ca, issue_document_signer

NOW = datetime.now(UTC).replace(microsecond=0)


def _issuer_signed_with_mso(change: dict[str, Any]) -> tuple[bytes, Any]:
    """A PDA1 IssuerSigned whose MSO has ``change`` applied, signed by the institution's own signer:
    what an issuer with a bug (or a compromised one on the trust list) could send."""
    entity = demo_entity("LV:VSAA")
    ca_key, ca = create_entity_ca(entity, now=NOW - timedelta(days=1))
    key, leaf = issue_document_signer(entity, ca_key, ca, now=NOW - timedelta(days=1))
    issued = mdoc.issue(doctype=mdoc.DOCTYPES["pda1"], claims=pda1.validate(DEMO_PERSONS[0].pda1),
                        device_key=jose.generate_key().public_key(), issuer_key=key, x5chain=[leaf], signed=NOW,
                        valid_until=NOW + timedelta(days=30))
    top = cbor2.loads(issued)
    mso = {**cbor2.loads(cbor2.loads(top["issuerAuth"][2]).value), **change}
    payload = cbor2.dumps(cbor2.CBORTag(24, cbor2.dumps(mso)))
    auth = cose.sign1(payload, key, tagged=False, x5chain=[leaf.public_bytes(serialization.Encoding.DER)])
    items = top["nameSpaces"]
    return cbor2.dumps({"nameSpaces": items, "issuerAuth": cbor2.loads(auth)}), ca


@pytest.mark.parametrize("algorithm", [["SHA-256"], {"SHA-256": 1}, {1}])
def test_mso_with_digest_algorithm_as_array_or_map_is_refused(algorithm: Any) -> None:
    """digestAlgorithm is a tstr (ISO 18013-5 §9.1.2.4); an array or map there was looked up as a dict
    key and crashed the verifier (TypeError: unhashable) instead of failing the check."""
    issuer_signed, anchor = _issuer_signed_with_mso({"digestAlgorithm": algorithm})
    with pytest.raises(AlgorithmError):
        mdoc.verify_issuer_signed(issuer_signed, anchors=[anchor], now=NOW)
