# ruff: noqa: B023 - every lambda here is called at once by Findings.call, inside its loop iteration
"""Hostile input against the parsers and verifiers of ``credentials``: the robustness contract.

Every public parse or verify function, given hostile bytes or values, returns a result or raises a
:class:`credentials.errors.CredentialError` (``ProtocolError`` included): never a bare ``KeyError``,
``TypeError``, ``ValueError``, ``RecursionError``, ``zlib.error`` or cbor2 error, never a hang. And the
inspector's pipeline (:mod:`credentials.verification`) never calls a mutated presentation valid.

Valid artefacts are built with the library itself, then mutated: byte and character flips,
truncation, splices, a base64url alphabet or padding that is not RFC 7515's, and (re-signed with the
test issuer's own key, so the mutation reaches the code behind the signature check) type swaps in the
decoded JSON or CBOR (str, int, list, map, null, bool), huge integers, NaN, deep nesting, duplicate
keys, CBOR tags, undefined, simple values and bignums. Every draw comes from a seeded
``random.Random``, so a failure names a case that can be replayed. A violation is reported by
exception type and the line of ``credentials`` it escaped from, with the first input that caused it;
each one found is also pinned as a named regression test in ``tests/test_<module>_review.py``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import time
import traceback
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import base45
import cbor2
import pytest
from cryptography.hazmat.primitives import serialization

from credentials import (
    compact,
    cose,
    dcql,
    dpop,
    ehic,
    eudi_pda1,
    jose,
    mdoc,
    openid4vci,
    pda1,
    pid,
    sd_jwt,
    sd_jwt_vc,
    status_list,
    trust_list,
    verification,
)
from credentials import x509 as cx509
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import CredentialError, DataError
from credentials.institutions import DEMO_ENTITIES
from credentials.pki import DemoPki, create_demo_pki
from credentials.sd_jwt import KeyBindingPolicy
from credentials.x509 import spki_kid
from esspass.db import make_engine
from trust_registry.seed import seed
from trust_registry.store import Registry
from verifier.service import profile_query

NOW = datetime.now(UTC).replace(microsecond=0)
TS = int(NOW.timestamp())
ANNA = DEMO_PERSONS[0]
CASES = 300
#: A call slower than this counts as a hang: the limits must stop hostile input early.
SLOW_SECONDS = 2.0
NONCE, AUD = "n-0S6_WzA2Mj-robust", "x509_hash:inspectorate"
POLICY = KeyBindingPolicy(nonce=NONCE, aud=AUD)
STATUS_URI = "https://issuer.example/LV:VSAA/status/1"
TRANSCRIPT = mdoc.openid4vp_session_transcript(client_id=AUD, nonce=NONCE, jwk_thumbprint=None,
                                               response_uri="https://verifier.example/responses/1")


# ------------------------------------------------------------------------------ the contract


class Findings:
    """Contract violations of one target, keyed by exception type and where it escaped from."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def call(self, what: str, case: object, fn: Callable[[], Any]) -> Any:
        """``fn()``'s result, or None when it raised a CredentialError; anything else is recorded."""
        start = time.perf_counter()
        try:
            return fn()
        except CredentialError:
            return None
        except Exception as exc:  # noqa: BLE001 - exactly what the contract forbids is caught here
            key = f"{what}: {type(exc).__name__} at {_origin(exc)}: {str(exc)[:80]}"
            self.seen.setdefault(key, _show(case))
            return None
        finally:
            elapsed = time.perf_counter() - start
            if elapsed > SLOW_SECONDS:
                self.seen.setdefault(f"{what}: took {elapsed:.1f}s", _show(case))

    def accepted(self, what: str, case: str | bytes, original: str | bytes) -> None:
        """A verifier accepted a mutated input: shown where it first differs from ``original``."""
        at = next((i for i, (a, b) in enumerate(zip(case, original, strict=False)) if a != b),
                  min(len(case), len(original)))
        self.seen.setdefault(f"{what}: a mutated input verified",
                             f"at {at} of {len(original)} (now {len(case)}): {case[max(0, at - 20):at + 20]!r} "
                             f"was {original[max(0, at - 20):at + 20]!r}")

    def check(self) -> None:
        report = "\n".join(f"- {k}\n    input: {v}" for k, v in self.seen.items())
        assert not self.seen, "contract violations:\n" + report


def _origin(exc: BaseException) -> str:
    """The innermost frame of ``credentials`` the exception passed through."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/credentials/" in f.filename]
    frame = frames[-1] if frames else traceback.extract_tb(exc.__traceback__)[-1]
    return f"{Path(frame.filename).name}:{frame.lineno}"


def _show(case: object) -> str:
    text = repr(case)
    return text if len(text) <= 300 else text[:300] + f"... ({len(text)} chars)"


# ------------------------------------------------------------------------------ mutations

_B64_EXTRA = ["+", "/", "=", " ", "\n", "é", "\x00", ".", "~", "-", "_", "A", "%", "\ud800"]
_CBOR_SPLICES = [b"\xf7", b"\xff", b"\x9f", b"\xbf", b"\xc2\x49" + b"\xff" * 9, b"\x1b" + b"\xff" * 8,
                 b"\xd8\x18", b"\xd8\x18\x41\xff", b"\xf9\x7e\x00", b"\xfb\x7f\xf8\x00\x00\x00\x00\x00\x00",
                 b"\xd9\xd9\xf7", b"\x81" * 500 + b"\x00", b"\xc1\x1b" + b"\x7f" * 8, b"\xd8\x1d\x00",
                 b"\x5b" + b"\x7f" * 8, b"\xbb" + b"\x7f" * 8, b"\xe0", b"\xf8\x20", b"\xc0\x61x", b"\xd9\x01\x02\x80"]


def mutate_text(rng: random.Random, text: str) -> str:
    """A random character-level change (the encodings are ASCII: a flip may leave the alphabet)."""
    if not text:
        return rng.choice(_B64_EXTRA)
    i = rng.randrange(len(text))
    op = rng.randrange(9)
    if op == 0:  # replace one character by a base64url one
        return text[:i] + rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") + text[i + 1:]
    if op == 1:  # a character from outside the alphabet, or a separator
        return text[:i] + rng.choice(_B64_EXTRA) + text[i + 1:]
    if op == 2:
        return text[:i]
    if op == 3:
        j = rng.randrange(i, min(len(text), i + 64) + 1)
        return text[:i] + text[j:]
    if op == 4:  # a slice repeated
        j = rng.randrange(i, min(len(text), i + 64) + 1)
        return text[:j] + text[i:j] + text[j:]
    if op == 5:  # the last character (where base64url hides its padding bits)
        return text[:-1] + rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    if op == 6:  # padding
        return text + rng.choice(["=", "==", "~", "~~", ".", "~x"])
    if op == 7:  # segments swapped
        sep = rng.choice(".~")
        parts = text.split(sep)
        if len(parts) > 1:
            a, b = rng.randrange(len(parts)), rng.randrange(len(parts))
            parts[a], parts[b] = parts[b], parts[a]
        return sep.join(parts)
    return text[:i] + chr(ord(text[i]) ^ (1 << rng.randrange(7))) + text[i + 1:]


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """A random byte-level change, some of them CBOR heads that are hostile on their own."""
    if not data:
        return bytes([rng.randrange(256)])
    i = rng.randrange(len(data))
    op = rng.randrange(7)
    if op == 0:
        return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]
    if op == 1:
        return data[:i] + bytes([rng.randrange(256)]) + data[i + 1:]
    if op == 2:
        return data[:i]
    if op == 3:
        j = rng.randrange(i, min(len(data), i + 64) + 1)
        return data[:i] + data[j:]
    if op == 4:
        j = rng.randrange(i, min(len(data), i + 64) + 1)
        return data[:j] + data[i:j] + data[j:]
    if op == 5:
        return data[:i] + rng.choice(_CBOR_SPLICES) + data[i:]
    return data[:i] + rng.choice(_CBOR_SPLICES) + data[i + 1:]


def _nested(depth: int, leaf: Any = 0, *, as_map: bool = False) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"a": value} if as_map else [value]
    return value


#: Values to put where another type belongs, in JSON (json.dumps writes NaN and big integers, which
#: an attacker can write too; orjson would refuse to).
HOSTILE_JSON: list[Any] = [
    None, True, False, 0, 1, -1, 7, 1.5, -0.0, 2**31, 2**53 + 1, 2**63, -(2**63) - 1, 2**64, 10**400, 1e308,
    float("nan"), float("inf"), "", "x", "A" * 5000, "\u0000", "é", "\ud800", "https://", "http://[::1",
    "ES256", "none",
    [], [None], [[]], {}, {"": None}, {"_sd": 1}, {"...": "x"}, {"...": []}, {"status_list": {"idx": -1, "uri": 1}},
    {"jwk": {"kty": "EC", "crv": ["P-256"]}}, _nested(40), _nested(40, as_map=True), [1] * 600,
]

#: Values to put where another type belongs, in CBOR.
HOSTILE_CBOR: list[Any] = [
    None, True, False, 0, 1, -1, 1.5, 2**64, -(2**64) - 1, 2**200, -(2**200), float("nan"), float("inf"), "", "x",
    b"", b"\x00" * 40, [], {}, {1: 2}, {(): 1}, [None], cbor2.undefined, cbor2.CBORSimpleValue(99),
    cbor2.CBORTag(24, b"\xff"), cbor2.CBORTag(24, cbor2.dumps({})), cbor2.CBORTag(9999, "x"), cbor2.CBORTag(18, []),
    datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC), date(2020, 1, 1), Decimal("NaN"),
    Decimal("1e-1000"), frozenset({1}), {frozenset({1}): 1}, _nested(300), _nested(40, as_map=True),
    "A" * 5000,
]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


def _replaced(node: Any, path: tuple[Any, ...], change: Callable[[Any], Any]) -> Any:
    if not path:
        return change(node)
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {k: (_replaced(v, rest, change) if k == head else v) for k, v in node.items()}
    copy = list(node)
    copy[head] = _replaced(copy[head], rest, change)
    return copy


def mutate_value(rng: random.Random, obj: Any, hostile: list[Any]) -> Any:
    """``obj`` (decoded JSON or CBOR) with one node replaced, removed, added to or wrapped."""
    path = rng.choice(list(_paths(obj)))
    value = rng.choice(hostile)
    op = rng.randrange(6)

    def change(node: Any) -> Any:
        if op == 1 and isinstance(node, dict) and node:  # a member removed
            drop = rng.choice(list(node))
            return {k: v for k, v in node.items() if k != drop}
        if op == 2 and isinstance(node, dict):  # a member added (or overwritten)
            key = rng.choice([*node, "_sd", "...", "cnf", "status", 1, -1, 33, 4, 65533, ""]) if node else "x"
            try:
                return {**node, key: value}
            except TypeError:
                return node
        if op == 3:  # wrapped
            return [node] if rng.random() < 0.5 else {"x": node}
        if op == 4 and isinstance(node, list) and node:  # an element removed or repeated
            j = rng.randrange(len(node))
            return node[:j] + node[j + 1:] if rng.random() < 0.5 else [*node, node[j]]
        return value

    return _replaced(obj, path, change)


def json_text(rng: random.Random, obj: Any) -> bytes:
    """JSON as an attacker may write it: sometimes with a key repeated (RFC 8259 leaves that open)."""
    text = json.dumps(obj, separators=(",", ":"), allow_nan=True)
    if isinstance(obj, dict) and obj and rng.random() < 0.2:
        key = rng.choice(list(obj))
        dup = f"{json.dumps(str(key))}:{json.dumps(rng.choice(HOSTILE_JSON[:20]), allow_nan=True)}"
        text = "{" + dup + "," + text[1:] if rng.random() < 0.5 else text[:-1] + "," + dup + "}"
    if isinstance(obj, dict) and rng.random() < 0.05:  # nesting too deep for any recursive parser
        text = text[:-1] + ("," if obj else "") + '"deep":' + "[" * 5000 + "]" * 5000 + "}"
    return text.encode("utf-8", "surrogatepass")


def cbor_bytes(obj: Any) -> bytes | None:
    try:
        return bytes(cbor2.dumps(obj))
    except (ValueError, TypeError, OverflowError, cbor2.CBOREncodeError, RecursionError):
        return None


def sign_jws_raw(header: bytes, payload: bytes, key: jose.PrivateKey) -> str:
    """A compact JWS over exactly these header and payload bytes (whatever they hold)."""
    signing_input = jose.b64url_encode(header) + "." + jose.b64url_encode(payload)
    return signing_input + "." + jose.b64url_encode(jose.sign_raw(key, signing_input.encode("ascii")))


# ------------------------------------------------------------------------------ artefacts


@dataclass
class World:
    pki: DemoPki
    issuers: trust_list.TrustList
    signer: tuple[jose.PrivateKey, list[Any]]
    anchor: Any
    holder: jose.PrivateKey
    credential: str  # an issued PDA1 SD-JWT VC
    presentation: str  # its presentation with a KB-JWT for POLICY
    pid_credential: str
    pid_holder: jose.PrivateKey
    status_jwt: str
    status_cwt: bytes
    issuer_signed: bytes  # a PDA1 mdoc
    device_response: bytes
    compact_raw: bytes
    qr: str
    lists: dict[str, tuple[status_list.StatusList, tuple[jose.PrivateKey, list[Any]]]]

    def lookup(self, ref: status_list.StatusReference, entity: trust_list.ListedEntity,
               now: datetime) -> verification.StatusOutcome:
        if ref.uri not in self.lists:
            return verification.StatusOutcome(None, None, "none")
        lst, (key, chain) = self.lists[ref.uri]
        token = status_list.sign_token(lst, uri=ref.uri, key=key, x5c=chain, iat=int(now.timestamp()) - 5,
                                       exp=int(now.timestamp()) + 3600, ttl=300)
        verified = status_list.verify_token(token, uri=ref.uri, anchors=entity.anchors(), now=now)
        return verification.StatusOutcome(verification.status_value_of(verified, ref), 5, "network")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    directory = tmp_path_factory.mktemp("robustness")
    pki = create_demo_pki(directory / "pki", DEMO_ENTITIES, now=NOW - timedelta(days=2))
    engine = make_engine(f"sqlite:///{directory / 'registry.db'}")
    registry = Registry(engine)
    seed(registry, pki)
    issuers = registry.build_list("issuers", NOW)
    key, chain = pki.signers["LV:VSAA"]
    holder = jose.generate_key()
    ref = status_list.StatusReference(7, STATUS_URI)
    credential = sd_jwt_vc.issue_vc(
        vct=pda1.VCT, claims=pda1.validate(ANNA.pda1), sd_paths=pda1.SD_PATHS, holder_jwk=jose.public_jwk(holder),
        issuer_key=key, x5c=chain, iss="https://issuer.example/LV:VSAA", iat=TS - 60, nbf=None, exp=TS + 86400,
        status=ref)
    pid_key, pid_chain = pki.signers["LV:PID"]
    pid_holder = jose.generate_key()
    pid_claims = pid.with_provider_metadata(ANNA.pid, authority="LV PID", country="LV",
                                            expiry=pid.provider_expiry(NOW.date()))
    pid_credential = sd_jwt_vc.issue_vc(
        vct=pid.VCT, claims=pid.validate(pid_claims), sd_paths=pid.SD_PATHS, holder_jwk=jose.public_jwk(pid_holder),
        issuer_key=pid_key, x5c=pid_chain, iss="https://issuer.example/LV:PID", iat=TS - 60, nbf=None,
        exp=TS + 86400, status=status_list.StatusReference(8, "https://issuer.example/LV:PID/status/1"))
    held = sd_jwt.disclosable_paths(credential)
    presentation = sd_jwt.present(credential, select=held, holder_key=holder, nonce=NONCE, aud=AUD, iat=TS)
    lst = status_list.StatusList(1024, bits=2)
    lst.set(3, status_list.INVALID)
    status_jwt = status_list.sign_token(lst, uri=STATUS_URI, key=key, x5c=chain, iat=TS - 5, exp=TS + 3600, ttl=300)
    status_cwt = status_list.sign_cwt_token(lst, uri=STATUS_URI, key=key, x5c=chain, iat=TS - 5, exp=TS + 3600,
                                            ttl=300)
    issuer_signed = mdoc.issue(doctype=mdoc.DOCTYPES["pda1"], claims=pda1.validate(ANNA.pda1),
                               device_key=holder.public_key(), issuer_key=key, x5chain=chain, signed=NOW,
                               valid_until=NOW + timedelta(days=365), status=ref)
    device_response = mdoc.present(issuer_signed, select=("document_number", "legislation_country"),
                                   device_key=holder, session_transcript=TRANSCRIPT)
    compact_raw = compact.issue_compact(vct=pda1.VCT, claims=pda1.validate(ANNA.pda1), holder=ANNA.pid,
                                        holder_jwk=jose.public_jwk(holder), issuer_key=key, kid=spki_kid(chain[0]),
                                        iat=TS - 60, exp=TS + 86400, status=ref)
    qr = compact.present_compact(compact_raw, holder, now=NOW)
    lists = {STATUS_URI: (status_list.StatusList(1024, bits=2), (key, chain)),
             "https://issuer.example/LV:PID/status/1": (status_list.StatusList(1024, bits=2), (pid_key, pid_chain))}
    yield World(pki, issuers, (key, chain), pki.cas["LV:VSAA"][1], holder, credential, presentation, pid_credential,
                pid_holder, status_jwt, status_cwt, issuer_signed, device_response, compact_raw, qr, lists)
    engine.dispose()


def test_the_artefacts_are_valid_before_they_are_mutated(world: World) -> None:
    """The fuzzing below only means something if the unmutated inputs pass."""
    sd_jwt_vc.verify_vc(world.presentation, anchors=[world.anchor], now=NOW, key_binding=POLICY)
    verified = status_list.verify_token(world.status_jwt, uri=STATUS_URI, anchors=[world.anchor], now=NOW)
    assert status_list.status_of(verified, status_list.StatusReference(3, STATUS_URI)) == status_list.INVALID
    status_list.verify_cwt_token(world.status_cwt, uri=STATUS_URI, anchors=[world.anchor], now=NOW)
    mdoc.verify_issuer_signed(world.issuer_signed, anchors=[world.anchor], now=NOW)
    mdoc.verify_presentation(world.device_response, anchors=[world.anchor], now=NOW, session_transcript=TRANSCRIPT)
    compact.verify_compact(compact.parse_qr(world.qr), resolve_key=_resolve(world), now=NOW)
    assert _inspect(world, _vp_token(world)).verdict == verification.VALID
    offline = verification.verify_offline(world.qr, issuers=world.issuers, trust_list_age=0, now=NOW,
                                          status_lookup=world.lookup)
    assert offline.verdict == verification.VALID, offline.reason


def _resolve(world: World) -> Callable[[str, str, datetime], jose.PublicKey]:
    return lambda _kid, _vct, _at: world.signer[0].public_key()


# ------------------------------------------------------------------------------ SD-JWT VC


def _split(presentation: str) -> tuple[dict[str, Any], dict[str, Any], list[str], str]:
    jwt, *disclosures, kb = presentation.split("~")
    header, payload, _ = jwt.split(".")
    return (json.loads(jose.b64url_decode(header)), json.loads(jose.b64url_decode(payload)), disclosures, kb)


def _with_kb(presented: str, holder: jose.PrivateKey, kb_payload: bytes | None = None) -> str:
    body = kb_payload if kb_payload is not None else jose.dumps(
        {"iat": TS, "aud": AUD, "nonce": NONCE, "sd_hash": sd_jwt._digest(presented, "sha-256")})
    return presented + sign_jws_raw(jose.dumps({"alg": "ES256", "typ": "kb+jwt"}), body, holder)


def _sd_jwt_calls(findings: Findings, world: World, text: Any) -> Any:
    findings.call("sd_jwt.parse", text, lambda: sd_jwt.parse(text))
    findings.call("sd_jwt.unverified_claims", text, lambda: sd_jwt.unverified_claims(text))
    findings.call("sd_jwt.disclosable_paths", text, lambda: sd_jwt.disclosable_paths(text))
    issued = text.rsplit("~", 1)[0] + "~" if isinstance(text, str) else text
    findings.call("sd_jwt.present", issued, lambda: sd_jwt.present(
        issued, select=[("document_number",), ("employer", None)], holder_key=world.holder, nonce=NONCE, aud=AUD,
        iat=TS))
    findings.call("sd_jwt.disclosed_for", issued, lambda: sd_jwt.disclosed_for(issued, [("document_number",)]))
    return findings.call("sd_jwt_vc.verify_vc", text, lambda: sd_jwt_vc.verify_vc(
        text, anchors=[world.anchor], now=NOW, key_binding=POLICY))


def test_sd_jwt_vc_character_mutations(world: World) -> None:
    rng, findings = random.Random(1), Findings()
    for _ in range(CASES):
        text = world.presentation
        for _ in range(rng.choice([1, 1, 2, 3])):
            text = mutate_text(rng, text)
        if _sd_jwt_calls(findings, world, text) is not None and text != world.presentation:
            findings.accepted("sd_jwt_vc.verify_vc", text, world.presentation)
    for hostile in HOSTILE_JSON[:30]:
        _sd_jwt_calls(findings, world, hostile)
    findings.check()


def test_sd_jwt_vc_resigned_mutations(world: World) -> None:
    """The issuer's (or holder's) own key signs the hostile structure: the checks behind the signature."""
    rng, findings = random.Random(2), Findings()
    key = world.signer[0]
    header, payload, disclosures, _ = _split(world.presentation)
    for _ in range(CASES):
        new_header, new_payload, new_disclosures = header, payload, list(disclosures)
        kb_body: bytes | None = None
        target = rng.randrange(4)
        if target == 0:
            new_header = mutate_value(rng, header, HOSTILE_JSON)
        elif target == 1:
            new_payload = mutate_value(rng, payload, HOSTILE_JSON)
        elif target == 2 and disclosures:  # a disclosure's content, its digest put where the old one was
            i = rng.randrange(len(disclosures))
            decoded = json.loads(jose.b64url_decode(disclosures[i]))
            raw = jose.b64url_encode(json_text(rng, mutate_value(rng, decoded, HOSTILE_JSON)))
            old, new = sd_jwt._digest(disclosures[i], "sha-256"), sd_jwt._digest(raw, "sha-256")
            new_disclosures[i] = raw
            new_payload = json.loads(json.dumps(payload).replace(old, new))
        else:
            kb_body = json_text(rng, mutate_value(rng, {"iat": TS, "aud": AUD, "nonce": NONCE, "sd_hash": "x"},
                                                  HOSTILE_JSON))
        jwt = sign_jws_raw(json_text(rng, new_header), json_text(rng, new_payload), key)
        presented = "~".join([jwt, *new_disclosures, ""])
        _sd_jwt_calls(findings, world, _with_kb(presented, world.holder, kb_body))
    findings.check()


def test_jose_hostile_values() -> None:
    rng, findings = random.Random(3), Findings()
    jwk = jose.public_jwk(jose.generate_key())
    for _ in range(CASES):
        mutated = mutate_value(rng, jwk, HOSTILE_JSON)
        findings.call("jose.public_key_from_jwk", mutated, lambda: jose.public_key_from_jwk(mutated))
        findings.call("jose.jwk_thumbprint", mutated, lambda: jose.jwk_thumbprint(mutated))
        text = mutate_text(rng, jwk["x"])
        findings.call("jose.b64url_decode", text, lambda: jose.b64url_decode(text))
    for hostile in HOSTILE_JSON:
        findings.call("jose.decode_jws", hostile, lambda: jose.decode_jws(hostile))
        findings.call("jose.public_key_from_jwk", hostile, lambda: jose.public_key_from_jwk(hostile))
        findings.call("jose.parse_json", hostile, lambda: jose.parse_json(json_text(rng, hostile)))
    findings.check()


# ------------------------------------------------------------------------------ Token Status List


def _status_calls(findings: Findings, world: World, token: Any) -> Any:
    def run() -> int:
        verified = status_list.verify_token(token, uri=STATUS_URI, anchors=[world.anchor], now=NOW)
        return status_list.status_of(verified, status_list.StatusReference(3, STATUS_URI))

    return findings.call("status_list.verify_token", token, run)


def _status_cwt_calls(findings: Findings, world: World, token: Any) -> Any:
    def run() -> int:
        verified = status_list.verify_cwt_token(token, uri=STATUS_URI, anchors=[world.anchor], now=NOW)
        return status_list.status_of(verified, status_list.StatusReference(3, STATUS_URI))

    return findings.call("status_list.verify_cwt_token", token, run)


def test_status_list_token_mutations(world: World) -> None:
    rng, findings = random.Random(4), Findings()
    key = world.signer[0]
    header_part, payload_part, _ = world.status_jwt.split(".")
    header, payload = json.loads(jose.b64url_decode(header_part)), json.loads(jose.b64url_decode(payload_part))
    for _ in range(CASES):
        text = mutate_text(rng, world.status_jwt)
        if _status_calls(findings, world, text) is not None and text != world.status_jwt:
            findings.accepted("status_list.verify_token", text, world.status_jwt)
        if rng.random() < 0.3:
            token = sign_jws_raw(json_text(rng, mutate_value(rng, header, HOSTILE_JSON)), json_text(rng, payload), key)
        else:
            token = sign_jws_raw(json_text(rng, header), json_text(rng, mutate_value(rng, payload, HOSTILE_JSON)), key)
        _status_calls(findings, world, token)
    for hostile in HOSTILE_JSON:
        _status_calls(findings, world, hostile)
    findings.check()


def test_status_list_cwt_mutations(world: World) -> None:
    rng, findings = random.Random(5), Findings()
    key, chain = world.signer
    message = cbor2.loads(world.status_cwt).value
    protected = cbor2.loads(message[0])
    claims = cbor2.loads(message[2])
    ders = [c.public_bytes(serialization.Encoding.DER) for c in chain]
    for _ in range(CASES):
        data = mutate_bytes(rng, world.status_cwt)
        if _status_cwt_calls(findings, world, data) is not None and data != world.status_cwt:
            findings.accepted("status_list.verify_cwt_token", data, world.status_cwt)
        if rng.random() < 0.3:
            new_protected = mutate_value(rng, protected, HOSTILE_CBOR)
            payload = cbor_bytes(claims)
        else:
            new_protected = protected
            payload = cbor_bytes(mutate_value(rng, claims, HOSTILE_CBOR))
        if payload is None or not isinstance(new_protected, dict):
            continue
        try:
            token = cose.sign1(payload, key, protected={k: v for k, v in new_protected.items() if k != cose.ALG},
                               x5chain=ders)
        except (ValueError, TypeError, cbor2.CBOREncodeError):
            continue
        _status_cwt_calls(findings, world, token)
    for hostile in HOSTILE_CBOR:
        _status_cwt_calls(findings, world, hostile)
        if (encoded := cbor_bytes(hostile)) is not None:
            _status_cwt_calls(findings, world, encoded)
    findings.check()


def test_status_list_parts_with_hostile_values() -> None:
    rng, findings = random.Random(6), Findings()
    lst = status_list.StatusList(64, bits=2)
    claim = lst.to_claim()
    cbor_claim = lst.to_cbor()
    reference = status_list.StatusReference(3, STATUS_URI).to_claim()
    bomb = jose.b64url_encode(zlib.compress(b"\0" * (40 * 1024 * 1024), 9))
    for _ in range(CASES):
        text = mutate_text(rng, claim["lst"])
        bits = rng.choice([1, 2, 4, 8, 0, 3, True, 2.0, None])
        findings.call("StatusList.from_lst", (text, bits), lambda: status_list.StatusList.from_lst(text, bits))  # type: ignore[arg-type]
        mutated = mutate_value(rng, claim, HOSTILE_JSON)
        findings.call("StatusList.from_claim", mutated, lambda: status_list.StatusList.from_claim(mutated))
        mutated_cbor = mutate_value(rng, cbor_claim, HOSTILE_CBOR)
        findings.call("StatusList.from_cbor", mutated_cbor, lambda: status_list.StatusList.from_cbor(mutated_cbor))
        ref = mutate_value(rng, reference, HOSTILE_JSON + HOSTILE_CBOR)
        findings.call("StatusReference.from_claim", ref, lambda: status_list.StatusReference.from_claim(ref))
    findings.call("StatusList.from_lst", "bomb", lambda: status_list.StatusList.from_lst(bomb, 1))
    findings.check()


# ------------------------------------------------------------------------------ COSE and mdoc


def _mdoc_calls(findings: Findings, world: World, issuer_signed: Any, device_response: Any) -> Any:
    findings.call("mdoc.verify_issuer_signed", issuer_signed, lambda: mdoc.verify_issuer_signed(
        issuer_signed, anchors=[world.anchor], now=NOW))
    findings.call("mdoc.present", issuer_signed, lambda: mdoc.present(
        issuer_signed, select=("document_number",), device_key=world.holder, session_transcript=TRANSCRIPT))
    return findings.call("mdoc.verify_presentation", device_response, lambda: mdoc.verify_presentation(
        device_response, anchors=[world.anchor], now=NOW, session_transcript=TRANSCRIPT))


def _says_more(verified: mdoc.VerifiedMdoc, genuine: mdoc.VerifiedMdoc) -> bool:
    """Whether a verified mutation tells more than the genuine presentation: fewer elements is what
    a holder may choose (ISO 18013-5: the device signature does not cover which items are sent)."""
    return (verified.doctype, verified.status, verified.valid_until) != (genuine.doctype, genuine.status,
                                                                         genuine.valid_until) \
        or any(genuine.claims.get(ns, {}).get(k, object()) != v for ns, e in verified.claims.items()
               for k, v in e.items())


def test_mdoc_byte_mutations(world: World) -> None:
    rng, findings = random.Random(7), Findings()
    genuine = mdoc.verify_presentation(world.device_response, anchors=[world.anchor], now=NOW,
                                       session_transcript=TRANSCRIPT)
    for _ in range(CASES):
        issuer_signed = mutate_bytes(rng, world.issuer_signed)
        response = mutate_bytes(rng, world.device_response)
        verified = _mdoc_calls(findings, world, issuer_signed, response)
        if verified is not None and _says_more(verified, genuine):
            findings.accepted("mdoc.verify_presentation", response, world.device_response)
    for hostile in HOSTILE_CBOR:
        if (encoded := cbor_bytes(hostile)) is not None:
            _mdoc_calls(findings, world, encoded, encoded)
    findings.check()


def _issuer_signed_from(items: list[dict[str, Any]], mso: Any, world: World, namespace: str) -> bytes | None:
    """An IssuerSigned over ``items`` whose MSO (``mso``, digests recomputed) the test issuer signs."""
    key, chain = world.signer
    encoded_items = []
    for item in items:
        raw = cbor_bytes(item)
        if raw is None:
            return None
        encoded_items.append(b"\xd8\x18" + cbor2.dumps(raw))
    if isinstance(mso, dict) and isinstance(mso.get("valueDigests"), dict):
        mso = {**mso, "valueDigests": {namespace: {i: hashlib.sha256(b).digest() for i, b in enumerate(encoded_items)},
                                       **{k: v for k, v in mso["valueDigests"].items() if k != namespace}}}
    mso_raw = cbor_bytes(mso)
    if mso_raw is None:
        return None
    payload = b"\xd8\x18" + cbor2.dumps(mso_raw)
    auth = cose.sign1(payload, key, tagged=False, x5chain=[c.public_bytes(serialization.Encoding.DER) for c in chain])
    # Spliced as mdoc.issue does, so the items and issuerAuth are the very bytes digested and signed.
    return (b"\xa2" + cbor2.dumps("nameSpaces") + b"\xa1" + cbor2.dumps(namespace)
            + bytes([0x80 + len(encoded_items)]) + b"".join(encoded_items) + cbor2.dumps("issuerAuth") + auth)


def test_mdoc_resigned_mutations(world: World) -> None:
    """Element values and the Mobile Security Object, hostile, under a genuine issuer signature;
    the MSO with every optional member the standard defines, so that each one's reading is reached."""
    rng, findings = random.Random(8), Findings()
    doctype = mdoc.DOCTYPES["pda1"]
    top = cbor2.loads(world.issuer_signed)
    items = [cbor2.loads(tag.value) for tag in top["nameSpaces"][doctype]][:20]
    auth = top["issuerAuth"]
    mso = cbor2.loads(cbor2.loads(auth[2]).value)
    mso["validityInfo"]["expectedUpdate"] = NOW + timedelta(days=30)
    mso["deviceKeyInfo"] |= {"keyAuthorizations": {"nameSpaces": [doctype], "dataElements": {doctype: ["x"]}},
                             "keyInfo": {1: "info"}}
    mso["status"]["identifier_list"] = {"id": b"\x01", "uri": STATUS_URI, "certificate": b"\x30"}
    for _ in range(CASES):
        new_items, new_mso = items, mso
        if rng.random() < 0.5:
            i = rng.randrange(len(items))
            new_items = [*items[:i], mutate_value(rng, items[i], HOSTILE_CBOR), *items[i + 1:]]
            if not all(isinstance(item, dict) for item in new_items):
                new_items = items
        else:
            new_mso = mutate_value(rng, mso, HOSTILE_CBOR)
        issuer_signed = _issuer_signed_from(new_items, new_mso, world, doctype)
        if issuer_signed is None:
            continue
        _mdoc_calls(findings, world, issuer_signed, b"")
        response = findings.call("mdoc.present", issuer_signed, lambda: mdoc.present(
            issuer_signed, select=[str(i.get("elementIdentifier")) for i in new_items], device_key=world.holder,
            session_transcript=TRANSCRIPT))
        if isinstance(response, bytes):
            verified = findings.call("mdoc.verify_presentation", response, lambda: mdoc.verify_presentation(
                response, anchors=[world.anchor], now=NOW, session_transcript=TRANSCRIPT))
            if verified is not None:
                for name, value in verified.claims.get(doctype, {}).items():
                    findings.call("verification.mdoc_json", (name, value), lambda: verification.mdoc_json(value))
    findings.check()


def test_mdoc_device_response_envelope_mutations(world: World) -> None:
    """The unsigned envelope (DeviceResponse, Document, DeviceSigned, documentErrors, errors) decoded,
    given hostile members or values and encoded again: refused or read, never a crash, and never
    more than the genuine presentation says (the device signature does not cover the envelope)."""
    rng, findings = random.Random(18), Findings()
    genuine = mdoc.verify_presentation(world.device_response, anchors=[world.anchor], now=NOW,
                                       session_transcript=TRANSCRIPT)
    decoded = cbor2.loads(world.device_response)
    decoded["documentErrors"] = [{mdoc.DOCTYPES["ehic"]: 0}]
    decoded["documents"][0]["errors"] = {mdoc.DOCTYPES["pda1"]: {"employer": 0}}
    for _ in range(CASES):
        response = cbor_bytes(mutate_value(rng, decoded, HOSTILE_CBOR))
        if response is None:
            continue
        verified = findings.call("mdoc.verify_presentation", response, lambda: mdoc.verify_presentation(
            response, anchors=[world.anchor], now=NOW, session_transcript=TRANSCRIPT))
        if verified is not None and _says_more(verified, genuine):
            findings.accepted("mdoc.verify_presentation", response, world.device_response)
    findings.check()


def test_cose_hostile_messages() -> None:
    rng, findings = random.Random(9), Findings()
    key = jose.generate_key()
    message = cose.sign1(b"payload", key, kid=b"k1", protected={cose.TYP: "x"})
    cose_key = cose.cose_key(key.public_key())
    for _ in range(CASES):
        data = mutate_bytes(rng, message)
        decoded = findings.call("cose.decode_sign1", data, lambda: cose.decode_sign1(data))
        if decoded is not None:
            findings.call("cose.verify_sign1", data, lambda: cose.verify_sign1(decoded, key.public_key()))
            findings.call("UnverifiedSign1.x5chain", data, lambda: decoded.x5chain)
        structure = mutate_value(rng, cbor2.loads(message).value, HOSTILE_CBOR)
        findings.call("cose.decoded_sign1", structure, lambda: cose.decoded_sign1(structure))
        protected = mutate_value(rng, {1: -7, 16: "x", 2: [16]}, HOSTILE_CBOR)
        if (raw := cbor_bytes(protected)) is not None:
            findings.call("cose.decoded_sign1", protected, lambda: cose.decoded_sign1([raw, {}, b"", b"\0" * 64]))
        mutated_key = mutate_value(rng, cose_key, HOSTILE_CBOR)
        findings.call("cose.public_from_cose_key", mutated_key, lambda: cose.public_from_cose_key(mutated_key))
    findings.check()


# ------------------------------------------------------------------------------ offline QR


def _qr_of(items: list[Any]) -> str | None:
    raw = cbor_bytes(items)
    if raw is None:
        return None
    return compact.PREFIX + str(base45.b45encode(zlib.compress(raw, 9)).decode("ascii"))


def _compact_calls(findings: Findings, world: World, qr: Any) -> Any:
    parsed = findings.call("compact.parse_qr", qr, lambda: compact.parse_qr(qr))
    if parsed is None:
        return None
    findings.call("UnverifiedCompact.field_names", qr, lambda: parsed.field_names)
    return findings.call("compact.verify_compact", qr, lambda: compact.verify_compact(
        parsed, resolve_key=_resolve(world), now=NOW))


def test_compact_mutations(world: World) -> None:
    rng, findings = random.Random(10), Findings()
    key = world.signer[0]
    _credential, proof = cbor2.loads(zlib.decompress(base45.b45decode(world.qr[len(compact.PREFIX):])))
    message = cbor2.loads(world.compact_raw)
    claims = cbor2.loads(message[2])
    kid = message[1][cose.KID]
    for _ in range(CASES):
        text = mutate_text(rng, world.qr)
        if _compact_calls(findings, world, text) is not None and text != world.qr:
            findings.accepted("compact.verify_compact", text, world.qr)
        payload = cbor_bytes(mutate_value(rng, claims, HOSTILE_CBOR))
        if payload is None:
            continue
        raw = cose.sign1(payload, key, kid=kid, tagged=False, implicit_alg=True)
        findings.call("compact.check_issued", raw, lambda: compact.check_issued(
            raw, issuer_key=key.public_key(), holder_key=world.holder.public_key()))
        holder_proof = compact.present_compact(raw, world.holder, now=NOW)
        _compact_calls(findings, world, holder_proof)
        items = mutate_value(rng, [raw, proof], HOSTILE_CBOR)
        if (qr := _qr_of(items)) is not None:
            _compact_calls(findings, world, qr)
        body = cbor_bytes(mutate_value(rng, {1: TS}, HOSTILE_CBOR))
        if body is not None:
            own_proof = cose.sign1(body, world.holder, external_aad=hashlib.sha256(raw).digest(), tagged=False,
                                   implicit_alg=True)
            if (qr := _qr_of([raw, own_proof])) is not None:
                _compact_calls(findings, world, qr)
    for hostile in HOSTILE_CBOR:
        if (qr := _qr_of([hostile] if rng.random() < 0.5 else [world.compact_raw, hostile])) is not None:
            _compact_calls(findings, world, qr)
    findings.check()


def test_offline_qr_layer_mutations(world: World) -> None:
    """The zlib and CBOR layers under the Base45 text: bytes changed, cut or appended, re-encoded."""
    rng, findings = random.Random(15), Findings()
    packed = base45.b45decode(world.qr[len(compact.PREFIX):])
    inflated = zlib.decompress(packed)
    for _ in range(CASES):
        if rng.random() < 0.5:
            layer = mutate_bytes(rng, packed)
        else:
            layer = zlib.compress(mutate_bytes(rng, inflated), 9)
        if rng.random() < 0.2:
            layer += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4)))
        text = compact.PREFIX + base45.b45encode(layer).decode("ascii")
        if _compact_calls(findings, world, text) is not None and text != world.qr:
            findings.accepted("compact.verify_compact", text, world.qr)
    findings.check()


# ------------------------------------------------------------------------------ holder proofs


def test_holder_proofs_signed_by_their_own_hostile_key_header() -> None:
    """DPoP proofs and OpenID4VCI key proofs carry their own key: an attacker signs any structure."""
    rng, findings = random.Random(16), Findings()
    key = jose.generate_key()
    url = "https://issuer.example/token"
    proofs: list[tuple[str, dict[str, Any], dict[str, Any], Callable[[str], Any]]] = [
        ("dpop.verify_proof", {"typ": "dpop+jwt", "alg": "ES256", "jwk": jose.public_jwk(key)},
         {"jti": "j" * 16, "htm": "POST", "htu": url, "iat": TS, "ath": "x", "nonce": "n"},
         lambda proof: dpop.verify_proof(proof, method="POST", url=url, now=NOW, access_token="at")),
        ("openid4vci.verify_proof", {"typ": openid4vci.PROOF_TYP, "alg": "ES256", "jwk": jose.public_jwk(key)},
         {"aud": "https://issuer.example", "iat": TS, "nonce": "c-nonce"},
         lambda proof: openid4vci.verify_proof(proof, audience="https://issuer.example", nonce_valid=lambda n: True,
                                               now=NOW)),
    ]
    for name, header, payload, verify in proofs:
        for _ in range(CASES // 2):
            if rng.random() < 0.4:
                proof = sign_jws_raw(json_text(rng, mutate_value(rng, header, HOSTILE_JSON)), json_text(rng, payload),
                                     key)
            else:
                proof = sign_jws_raw(json_text(rng, header), json_text(rng, mutate_value(rng, payload, HOSTILE_JSON)),
                                     key)
            findings.call(name, proof, lambda: verify(proof))
            text = mutate_text(rng, proof)
            findings.call(name, text, lambda: verify(text))
        for hostile in HOSTILE_JSON:
            findings.call(name, hostile, lambda: verify(hostile))
    findings.check()


def test_trust_list_hostile_payloads(world: World) -> None:
    """The trust list is signed by the registry; its parser must still refuse what it cannot read."""
    rng, findings = random.Random(17), Findings()
    key, cert = world.pki.list_signer
    payload = world.issuers.to_payload()
    header = {"alg": "ES256", "typ": trust_list.TYP, "x5c": cx509.x5c_header([cert])}
    for _ in range(CASES // 2):
        mutated = mutate_value(rng, payload, HOSTILE_JSON)
        findings.call("TrustList.from_payload", mutated, lambda: trust_list.TrustList.from_payload(mutated))
        token = sign_jws_raw(json_text(rng, header), json_text(rng, mutated), key)
        findings.call("trust_list.verify_trust_list", token, lambda: trust_list.verify_trust_list(
            token, registry_root=world.pki.root, now=NOW))
    findings.check()


# ------------------------------------------------------------------------------ X.509


def test_x509_hostile_chains(world: World) -> None:
    rng, findings = random.Random(11), Findings()
    chain = world.signer[1]
    x5c = cx509.x5c_header(chain)
    der = chain[0].public_bytes(serialization.Encoding.DER)
    pem = chain[0].public_bytes(serialization.Encoding.PEM)
    for _ in range(CASES // 3):
        entry = mutate_text(rng, x5c[0])
        findings.call("x509.load_x5c", entry, lambda: cx509.validate_chain(cx509.load_x5c([entry]), [world.anchor],
                                                                             now=NOW))
        mutated = mutate_value(rng, x5c, HOSTILE_JSON)
        findings.call("x509.load_x5c", mutated, lambda: cx509.load_x5c(mutated))
        findings.call("x509.ChainValidator", mutated, lambda: cx509.ChainValidator()(mutated, [world.anchor], now=NOW))
        data = mutate_bytes(rng, der)
        findings.call("x509.load_x5chain", data, lambda: cx509.validate_chain(cx509.load_x5chain([data]),
                                                                              [world.anchor], now=NOW))
        pem_data = mutate_bytes(rng, pem)
        findings.call("x509.load_pem_certificates", pem_data, lambda: cx509.load_pem_certificates(pem_data))
    findings.check()


# ------------------------------------------------------------------------------ claim models and messages


#: An A1 in the EUDI reference model (``urn:eu.europa.ec.eudi:pda1:1``), every nested part present.
EUDI_A1: dict[str, Any] = {
    "social_security_pin": "DEMO-120488-10001", "document_id": "EUDI-A1-0001", "status_confirmation": "01",
    "legislation": {"member_state": "LV", "starting_date": "2026-01-01", "ending_date": "2026-12-31",
                    "transitional_rules": False},
    "employment_details": [{"employer_id": "40003000000", "name": "Baltic Build", "country_code": "LV",
                            "employment_type": "01"}],
    "places_of_work": {"place_of_work": [{"company": "Bau GmbH", "town": "Berlin", "country_code": "DE"}],
                       "no_fixed_place": [{"country_code": "EE"}]},
    "competent_institution": {"institution_id": "LV:VSAA", "institution_name": "VSAA", "country_code": "LV"},
    "issuance_date": "2026-01-01", "expiry_date": "2026-12-31", "issuing_authority": "VSAA", "issuing_country": "LV",
}


def _describing(module: Any) -> Callable[[Any], Any]:
    return lambda claims: module.describe(claims, "de")


def test_claim_models_and_protocol_messages_with_hostile_values() -> None:
    """The claim models' validators, readers and converters, given anything in place of the claims
    or of any member (the members come from credentials, some from foreign issuers)."""
    rng, findings = random.Random(12), Findings()
    query = profile_query("pda1")
    a1, card, person = pda1.validate(ANNA.pda1), ehic.validate(ANNA.ehic), pid.validate(ANNA.pid)
    samples: list[tuple[str, Any, Callable[[Any], Any], list[Any]]] = [
        ("pda1.validate", ANNA.pda1, pda1.validate, HOSTILE_JSON),
        ("ehic.validate", ANNA.ehic, ehic.validate, HOSTILE_JSON),
        ("pid.validate", ANNA.pid, pid.validate, HOSTILE_JSON),
        ("pid.to_mdoc", person, pid.to_mdoc, HOSTILE_JSON),
        ("pid.from_mdoc", pid.to_mdoc(person), pid.from_mdoc, HOSTILE_CBOR),
        ("pid.from_mdoc (as stored)", verification.mdoc_json(pid.to_mdoc(person)), pid.from_mdoc, HOSTILE_JSON),
        ("eudi_pda1.to_dc4eu", EUDI_A1, eudi_pda1.to_dc4eu, HOSTILE_JSON),
        ("eudi_pda1.to_dc4eu (ours)", a1, eudi_pda1.to_dc4eu, HOSTILE_JSON),
        ("pda1.describe", a1, _describing(pda1), HOSTILE_JSON),
        ("pda1.describe (v1.1)", {**a1, "employer": [{**a1["employer"], "type": "01"}],
                                  "work_information": {"work_address": [a1["work_address"]]}},
         _describing(pda1), HOSTILE_JSON),
        ("pda1.employers", a1, pda1.employers, HOSTILE_JSON),
        ("pda1.work_places", {**a1, "work_information": {"work_address": [a1["work_address"]]}}, pda1.work_places,
         HOSTILE_JSON),
        ("ehic.describe", card, _describing(ehic), HOSTILE_JSON),
        ("pid.describe", person, _describing(pid), HOSTILE_JSON),
        ("dcql.validate", query, dcql.validate, HOSTILE_JSON),
        ("openid4vci.parse_credential_request",
         {"credential_configuration_id": "pda1", "proofs": {"jwt": ["a.b.c"]}},
         lambda body: openid4vci.parse_credential_request(body, batch_size=4), HOSTILE_JSON),
        ("openid4vci.parse_notification", {"notification_id": "n", "event": "credential_accepted"},
         openid4vci.parse_notification, HOSTILE_JSON),
    ]
    for name, sample, fn, hostile in samples:
        for _ in range(CASES // 3):
            mutated = mutate_value(rng, sample, hostile)
            findings.call(name, mutated, lambda: fn(mutated))
    findings.check()


# ------------------------------------------------------------------------------ the verdict


def _vp_token(world: World) -> dict[str, list[str]]:
    asked = {q["id"]: [tuple(c["path"]) for c in q["claims"]] for q in profile_query("pda1")["credentials"]}
    a1 = sd_jwt.present(world.credential, select=asked["pda1"], holder_key=world.holder, nonce=NONCE, aud=AUD, iat=TS)
    person = sd_jwt.present(world.pid_credential, select=asked["pid"], holder_key=world.pid_holder, nonce=NONCE,
                            aud=AUD, iat=TS)
    return {"pda1": [a1], "pid": [person]}


def _inspect(world: World, vp_token: dict[str, list[str]]) -> verification.Verdict:
    return verification.verify_response(vp_token, query=profile_query("pda1"), nonce=NONCE, audience=AUD,
                                        issuers=world.issuers, trust_list_age=0, now=NOW, status_lookup=world.lookup)


def test_a_mutated_presentation_is_never_valid(world: World) -> None:
    rng, findings = random.Random(13), Findings()
    genuine = _vp_token(world)
    for _ in range(CASES // 2):
        qid = rng.choice(["pda1", "pid"])
        mutated = mutate_text(rng, genuine[qid][0])
        if mutated == genuine[qid][0]:
            continue
        vp_token = {**genuine, qid: [mutated]}
        verdict = findings.call("verification.verify_response", mutated, lambda: _inspect(world, vp_token))
        if verdict is not None and verdict.verdict == verification.VALID:
            findings.accepted("verification.verify_response", mutated, genuine[qid][0])
    for _ in range(CASES // 2):
        text = mutate_text(rng, world.qr)
        if text == world.qr:
            continue
        verdict = findings.call("verification.verify_offline", text, lambda: verification.verify_offline(
            text, issuers=world.issuers, trust_list_age=0, now=NOW, status_lookup=world.lookup))
        if verdict is not None and verdict.verdict == verification.VALID:
            findings.accepted("verification.verify_offline", text, world.qr)
    findings.check()


def test_the_verdict_reads_hostile_mdoc_elements_without_crashing(world: World) -> None:
    rng, findings = random.Random(14), Findings()
    for _ in range(CASES):
        value = mutate_value(rng, {"a": [1, "x", {"b": b"\xff\xd8\xff"}]}, HOSTILE_CBOR)
        findings.call("verification.mdoc_json", value, lambda: verification.mdoc_json(value))
    for _ in range(CASES // 3):
        text = base64.urlsafe_b64encode(mutate_bytes(rng, world.device_response)).decode().rstrip("=")
        result = findings.call("verification.verify_mdoc_credential", text, lambda: verification.verify_mdoc_credential(
            text, query_id="pda1", doctype=mdoc.DOCTYPES["pda1"], issuers=world.issuers, session_transcript=TRANSCRIPT,
            now=NOW, status_lookup=world.lookup))
        if result is not None and result.verdict == verification.VALID:
            findings.accepted("verification.verify_mdoc_credential", text, world.device_response.hex())
    findings.check()


# ------------------------------------------------------------------------------ pinned: the claim models' readers
# Found by test_claim_models_and_protocol_messages_with_hostile_values; kept here, by name, since the
# modules' own test files (test_pda1.py, test_ehic_pid.py) belong to other work.


@pytest.mark.parametrize("claims", [None, [], "x", 7, [("document_id", "x")]],
                         ids=["null", "array", "text", "number", "pairs"])
def test_eudi_to_dc4eu_refuses_what_is_not_a_map_of_claims(claims: Any) -> None:
    with pytest.raises(CredentialError, match="claims"):
        eudi_pda1.to_dc4eu(claims)


@pytest.mark.parametrize(("change", "field"), [
    ({"legislation": ["LV"]}, "legislation"),
    ({"employment_details": [{"employer_id": "1"}, "Baltic Build"]}, "employment_details"),
    ({"places_of_work": {"place_of_work": 7}}, "place_of_work"),
    ({"places_of_work": {"no_fixed_place": ["EE"]}}, "no_fixed_place"),
    ({"document_number": "OTHER-1"}, "document_number"),
    ({"legislation_country": "DE"}, "legislation_country"),
    ({"authentic_source": {"id": "DE:DRV"}}, "authentic_source"),
], ids=["legislation-array", "employment-detail-text", "place-of-work-number", "no-fixed-place-text",
        "document-number-twice", "legislation-country-twice", "authentic-source-twice"])
def test_eudi_to_dc4eu_names_the_part_it_cannot_read(change: dict[str, Any], field: str) -> None:
    """A nested part of the wrong shape, or one of our claims given both under its own name and
    through the EUDI model (which one the inspector would see is the dictionary's order), is refused."""
    with pytest.raises(CredentialError, match=field):
        eudi_pda1.to_dc4eu({**EUDI_A1, **change})


def test_eudi_to_dc4eu_reads_every_nested_part() -> None:
    assert eudi_pda1.to_dc4eu(EUDI_A1) == {
        "personal_administrative_number": "DEMO-120488-10001", "document_number": "EUDI-A1-0001",
        "status_confirmation": "01", "date_of_issuance": "2026-01-01", "date_of_expiry": "2026-12-31",
        "issuing_country": "LV", "legislation_country": "LV", "starting_date": "2026-01-01",
        "ending_date": "2026-12-31", "transitional_rules": False,
        "authentic_source": {"id": "LV:VSAA", "name": "VSAA", "country": "LV"},
        "employer": [{"id": "40003000000", "name": "Baltic Build", "country": "LV", "type": "01"}],
        "work_information": {"work_address": [{"company_name": "Bau GmbH", "locality": "Berlin", "country": "DE"}],
                             "no_fixed_place_of_work": ["EE"]}}


@pytest.mark.parametrize(("module", "change", "field"), [
    (pda1, {"starting_date": "1 March 2026"}, "starting_date"),
    (pda1, {"ending_date": 20261231}, "ending_date"),
    (pda1, {"employer": {"name": 7}}, "employer.name"),
    (pda1, {"employer": [{"name": ["Baltic Build"]}]}, "employer.0.name"),
    (ehic, {"date_of_expiry": "soon"}, "date_of_expiry"),
    (ehic, {"ending_date": "2026-02-30"}, "ending_date"),
], ids=["pda1-start-text", "pda1-end-number", "pda1-employer-name", "pda1-v1.1-employer-name", "ehic-expiry-text",
        "ehic-impossible-date"])
def test_describe_names_the_field_it_cannot_show(module: Any, change: dict[str, Any], field: str) -> None:
    """A date that is no date, an employer's name that is no text: DataError naming the field (the
    wallet then titles the document instead), not ValueError or TypeError from the formatting."""
    claims = {**(pda1.validate(ANNA.pda1) if module is pda1 else ehic.validate(ANNA.ehic)), **change}
    with pytest.raises(DataError) as refused:
        module.describe(claims, "en")
    assert refused.value.field == field


@pytest.mark.parametrize("fn", [pda1.employers, pda1.work_places, _describing(pda1), _describing(ehic)],
                         ids=["employers", "work_places", "pda1.describe", "ehic.describe"])
@pytest.mark.parametrize("claims", [None, [], "x"], ids=["null", "array", "text"])
def test_the_readers_refuse_what_is_not_a_map_of_claims(fn: Callable[[Any], Any], claims: Any) -> None:
    with pytest.raises(DataError, match="claims"):
        fn(claims)


def test_work_places_of_a_shape_it_does_not_know_are_none() -> None:
    """The reader takes either shape and leaves out what is neither (a number where the list of
    places belongs was iterated, TypeError)."""
    claims = pda1.validate(ANNA.pda1)
    del claims["work_address"]
    for places in (7, "Berlin", {"locality": "Berlin"}, None):
        assert pda1.work_places({**claims, "work_information": {"work_address": places}}) == []
