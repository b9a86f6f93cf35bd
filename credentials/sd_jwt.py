"""Selective Disclosure for JWTs, RFC 9901.

* Issuer (§4): :func:`issue` turns chosen claim paths into Disclosures (§4.2) with 144-bit salts
  (§9.3: at least 128), embeds their digests (``_sd`` arrays, ``{"...": digest}`` array entries,
  recursively, §4.2.6), adds decoy digests (§4.2.5) and signs.
* Holder (§7.2, §4.3): :func:`parse` (an SD-JWT+KB from an issuer is refused), :func:`present`
  picks Disclosures by claim path, pulling in the Disclosures that contain them, and adds a
  Key Binding JWT.
* Verifier (§7.1, §7.3): :func:`verify` runs the whole processing algorithm and, when the
  caller's policy asks for it, the key binding checks.

Claim paths are the SD-JWT VC / OpenID4VP ones: strings for object keys, ``None`` for every
element of an array, integers for one element.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from credentials.errors import (
    AlgorithmError,
    AudienceError,
    DisclosureError,
    KbFreshnessError,
    KbSignatureError,
    KeyBindingError,
    MalformedError,
    NonceError,
    SdHashError,
)
from credentials.jose import (
    MAX_TOKEN_BYTES,
    PrivateKey,
    PublicKey,
    UnverifiedJWS,
    b64url_bytes,
    b64url_decode,
    b64url_encode,
    decode_jws,
    dumps,
    parse_json,
    public_key_from_jwk,
    sign_jws,
    verify_jws,
    verify_jws_hashing,
)

__all__ = [
    "HASH_ALGORITHMS",
    "KB_TYP",
    "ClaimPath",
    "Disclosure",
    "KeyBindingPolicy",
    "UnverifiedSdJwt",
    "VerifiedSdJwt",
    "disclosable_paths",
    "disclosed_for",
    "issue",
    "parse",
    "present",
    "unverified_claims",
    "verify",
]

ClaimPath = tuple[str | int | None, ...]
KB_TYP = "kb+jwt"
#: IANA Named Information Hash Algorithm names (§4.1.1); sha-256 is mandatory to support.
HASH_ALGORITHMS: dict[str, Callable[[bytes], Any]] = {
    "sha-256": hashlib.sha256,
    "sha-384": hashlib.sha384,
    "sha-512": hashlib.sha512,
}
#: The same algorithms by their hashlib names (a hash object's ``name``).
_HASHLIB_NAMES = {"sha-256": "sha256", "sha-384": "sha384", "sha-512": "sha512"}
_MAX_DISCLOSURES = 512
_RESERVED = frozenset({"_sd", "..."})
_SALT_BYTES, _SALT_CHARS = 18, 24
_CONTAINERS = (dict, list)
# type(value) is looked up in the set by hash; a tuple compares it with each member in turn.
_CONTAINER_TYPES = frozenset(_CONTAINERS)
_NO_SD: Any = object()  # a node without _sd (None is a value, refused as not an array)


def _digest(raw: str, hash_alg: str) -> str:
    """§4.2.3: base64url of the hash over the ASCII bytes of the base64url Disclosure string."""
    return b64url_encode(HASH_ALGORITHMS[hash_alg](raw.encode("ascii")).digest())


@dataclass(frozen=True, slots=True)
class Disclosure:
    """One Disclosure (§4.2.1 object property when ``name`` is set, §4.2.2 array element otherwise)."""

    raw: str
    salt: str
    name: str | None
    value: Any

    def digest(self, hash_alg: str = "sha-256") -> str:
        return _digest(self.raw, hash_alg)

    @classmethod
    def from_raw(cls, raw: str) -> Disclosure:
        try:
            arr = parse_json(b64url_decode(raw))
        except UnicodeEncodeError as exc:
            raise MalformedError("disclosure is not base64url") from exc
        if not isinstance(arr, list) or len(arr) not in (2, 3) or not isinstance(arr[0], str):
            raise DisclosureError("a disclosure must be [salt, value] or [salt, name, value]")
        if len(arr) == 2:
            return cls(raw, arr[0], None, arr[1])
        if not isinstance(arr[1], str):
            raise DisclosureError("a disclosure's claim name must be a string")
        if arr[1] in _RESERVED:
            raise DisclosureError(f"a disclosure may not name the claim {arr[1]!r}")
        return cls(raw, arr[0], arr[1], arr[2])


# --------------------------------------------------------------------------------------- issuer


_Tree = dict[str | int | None, "_Node"]


@dataclass(slots=True)
class _Node:
    """One step of the requested claim paths: is the claim here disclosable, and the paths below it."""

    here: bool = False
    below: _Tree | None = None


@lru_cache(maxsize=64)
def _path_tree(paths: tuple[ClaimPath, ...]) -> _Tree:
    """The claim paths as a tree, so each payload node looks up its keys once (not every path per key).

    Cached per credential type (its ``SD_PATHS``); the tree is only read afterwards.
    """
    tree: _Tree = {}
    for path in paths:
        level = tree
        for depth, step in enumerate(path):
            node = level.setdefault(step, _Node())
            if depth == len(path) - 1:
                node.here = True
            else:
                node.below = level = node.below if node.below is not None else {}
    return tree


def _merge(a: _Node | None, b: _Node | None) -> _Node | None:
    """An array element is addressed by its index and by ``None`` (every element): both apply."""
    if a is None or b is None:
        return a or b
    below: _Tree = {}
    for key in {*(a.below or {}), *(b.below or {})}:
        merged = _merge((a.below or {}).get(key), (b.below or {}).get(key))
        if merged is not None:
            below[key] = merged
    return _Node(a.here or b.here, below or None)


class _Issuance:
    """The Disclosures of one credential (§4.2), their digests, and the randomness they draw on."""

    def __init__(self, hash_alg: str, decoys: int) -> None:
        self.hash = HASH_ALGORITHMS[hash_alg]
        self.decoys = decoys
        self.disclosures: list[str] = []
        self._salts = ""
        self._next = 0

    def _salt(self) -> str:
        # §9.3 asks for at least 128 bits from a CSPRNG: 144 bits, so that 18 bytes are exactly
        # 24 base64url characters and one urandom + one encoding serve eight salts (a PDA1 needs 6).
        start = self._next
        if start >= len(self._salts):
            self._salts, start = b64url_encode(os.urandom(_SALT_BYTES * 8)), 0
        self._next = start + _SALT_CHARS
        return self._salts[start:self._next]

    def disclose(self, name: str | None, value: Any) -> str:
        """Create a Disclosure (§4.2.1 / §4.2.2) and return its digest (§4.2.3)."""
        salt = self._salt()
        raw = b64url_bytes(dumps([salt, value] if name is None else [salt, name, value]))
        self.disclosures.append(raw.decode("ascii"))
        return b64url_encode(self.hash(raw).digest())

    def decoy(self) -> str:
        """§4.2.5: a digest over a random number, indistinguishable from a real one."""
        return b64url_encode(self.hash(self._salt().encode("ascii")).digest())

    def embed(self, node: Any, tree: _Tree) -> Any:
        """``node`` with every claim ``tree`` marks replaced by its digest, recursively (§4.2.6)."""
        if isinstance(node, dict) or isinstance(node, Mapping):  # the exact type first: no ABC check
            if not _RESERVED.isdisjoint(node):
                raise DisclosureError(f"claim names {sorted(_RESERVED.intersection(node))} are reserved by RFC 9901")
            # Walk the requested paths, not the payload: most claims stay as they are.
            result = dict(node)
            digests: list[str] = []
            for key, step in tree.items():
                if not isinstance(key, str) or key not in result:
                    continue  # an optional claim that is absent, or an array step on an object
                value = result[key]
                encoded = self.embed(value, step.below) if step.below else value
                if step.here:
                    del result[key]
                    digests.append(self.disclose(key, encoded))
                else:
                    result[key] = encoded
            if digests:
                digests.extend(self.decoy() for _ in range(self.decoys))
                # §4.2.4.1: sorted, so the order reveals nothing about the original claim order.
                result["_sd"] = sorted(digests)
            return result
        if isinstance(node, list):
            every = tree.get(None)
            items: list[Any] = []
            for index, value in enumerate(node):
                element = _merge(tree.get(index), every)
                if element is None:
                    items.append(value)
                    continue
                encoded = self.embed(value, element.below) if element.below else value
                items.append({"...": self.disclose(None, encoded)} if element.here else encoded)
            return items
        return node


def issue(
    claims: Mapping[str, Any],
    *,
    sd_paths: Collection[ClaimPath],
    key: PrivateKey,
    header: Mapping[str, Any],
    decoys: int = 2,
    hash_alg: str = "sha-256",
) -> str:
    """Sign ``claims`` as an SD-JWT (§4), making each path in ``sd_paths`` selectively disclosable.

    ``decoys`` decoy digests are added to every ``_sd`` array. Paths naming absent claims are
    ignored (optional claims). Returns ``<Issuer-signed JWT>~<D1>~...~<Dn>~``.
    """
    if hash_alg not in HASH_ALGORITHMS:
        raise AlgorithmError(f"unknown _sd_alg {hash_alg!r}")
    issuance = _Issuance(hash_alg, decoys)
    payload = issuance.embed(claims, _path_tree(tuple(sd_paths)))
    payload["_sd_alg"] = hash_alg
    jwt = sign_jws(header, payload, key)
    return "~".join([jwt, *issuance.disclosures, ""])


# ----------------------------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class UnverifiedSdJwt:
    """A split SD-JWT whose signature and disclosures have NOT been checked."""

    issuer_jws: UnverifiedJWS
    disclosures: tuple[Disclosure, ...]
    kb_jwt: str | None
    #: ``<Issuer-signed JWT>~<D1>~...~<Dn>~``: the input to ``sd_hash`` (§4.3.1).
    presented: str


def parse(sd_jwt: str, *, expect_kb: bool | None = None, max_bytes: int = MAX_TOKEN_BYTES) -> UnverifiedSdJwt:
    """Split an SD-JWT or SD-JWT+KB (§4, §7.1 step 1).

    ``expect_kb=False`` is the holder receiving from an issuer: an SD-JWT+KB is refused (§7.2).
    ``expect_kb=True`` refuses an SD-JWT without a KB-JWT.
    """
    if not isinstance(sd_jwt, str):
        raise MalformedError("SD-JWT is not a string")
    if len(sd_jwt) > max_bytes:
        raise MalformedError(f"SD-JWT larger than {max_bytes} bytes")
    # The issuer-signed JWT is most of the text: its end is found in C (memchr), and only the short
    # rest (Disclosures and KB-JWT) is split.
    end = sd_jwt.find("~")
    if end < 0:
        raise MalformedError("an SD-JWT ends with '~' or a Key Binding JWT")
    rest = sd_jwt[end + 1 :].split("~")
    if len(rest) - 1 > _MAX_DISCLOSURES:
        raise MalformedError("too many disclosures")
    last = rest.pop()
    kb_jwt = last or None
    if kb_jwt is not None and expect_kb is False:
        raise MalformedError("an issuer must not send an SD-JWT+KB")
    if kb_jwt is None and expect_kb is True:
        raise KeyBindingError("key binding is required but the presentation has no KB-JWT")
    if not all(rest):
        raise MalformedError("empty disclosure")
    return UnverifiedSdJwt(
        issuer_jws=decode_jws(sd_jwt[:end]),
        disclosures=tuple(map(Disclosure.from_raw, rest)),
        kb_jwt=kb_jwt,
        presented=sd_jwt[: len(sd_jwt) - len(last)],
    )


def _hash_alg(payload: Mapping[str, Any], allowed: Collection[str]) -> str:
    alg = payload.get("_sd_alg", "sha-256")
    if not isinstance(alg, str) or alg not in HASH_ALGORITHMS or alg not in allowed:
        raise AlgorithmError(f"_sd_alg {alg!r} is not accepted")
    return alg


class _Processor:
    """§7.1 step 3-5 over one payload: rebuild the claims from the digests and Disclosures."""

    def __init__(self, disclosures: Collection[Disclosure], hash_alg: str) -> None:
        self.by_digest: dict[str, Disclosure] = {}
        hash_fn = HASH_ALGORITHMS[hash_alg]
        for disclosure in disclosures:
            digest = b64url_encode(hash_fn(disclosure.raw.encode("ascii")).digest())  # §4.2.3, as _digest
            if digest in self.by_digest:
                raise DisclosureError("the same disclosure is present twice")
            self.by_digest[digest] = disclosure
        self.seen: set[str] = set()
        self.disclosed: list[ClaimPath] = []
        #: digest -> the digest of the Disclosure containing it, for every Disclosure used (once each).
        self.parent: dict[str, str | None] = {}

    def _take(self, digest: Any, path: ClaimPath, parent: str | None) -> Disclosure | None:
        if not isinstance(digest, str):
            raise MalformedError("digests must be strings")
        if digest in self.seen:  # §7.1 step 4
            raise DisclosureError("a digest appears more than once")
        self.seen.add(digest)
        disclosure = self.by_digest.get(digest)
        if disclosure is not None:
            self.disclosed.append(path)
            self.parent[digest] = parent
        return disclosure

    def walk(self, node: Any, path: ClaimPath, parent: str | None, top: bool = False) -> Any:
        # Only objects and arrays can hold digests, so only they are walked into, and a claim path
        # is built only for them and for what is disclosed. JSON parsing gives exact dicts and
        # lists, so an exact type test is enough: the tests over a node's values run in C (map).
        if isinstance(node, dict):
            if "..." in node:
                raise MalformedError("'...' is only allowed as the single key of an array element")
            out = dict(node)  # the same claims in the same order, less _sd (and the top's _sd_alg)
            sd = out.pop("_sd", _NO_SD)
            if top:
                out.pop("_sd_alg", None)
            if not _CONTAINER_TYPES.isdisjoint(map(type, out.values())):
                for key, value in out.items():  # replacing values, not keys: the iteration stays valid
                    if type(value) in _CONTAINER_TYPES:
                        out[key] = self.walk(value, (*path, key), parent)
            if sd is _NO_SD:
                return out
            if not isinstance(sd, list):
                raise MalformedError("_sd must be an array of digests")
            seen, by_digest = self.seen, self.by_digest
            for digest in sd:
                if not isinstance(digest, str):
                    raise MalformedError("digests must be strings")
                if digest in seen:  # §7.1 step 4
                    raise DisclosureError("a digest appears more than once")
                seen.add(digest)
                disclosure = by_digest.get(digest)
                if disclosure is None:
                    continue  # a decoy, or a claim the holder did not disclose
                name = disclosure.name
                if name is None:
                    raise DisclosureError("an array-element disclosure is referenced from an _sd array")
                if name in out:
                    raise DisclosureError(f"claim {name!r} is disclosed and also present in clear")
                claim = (*path, name)
                self.disclosed.append(claim)
                self.parent[digest] = parent
                value = disclosure.value
                out[name] = self.walk(value, claim, digest) if type(value) in _CONTAINER_TYPES else value
            return out
        if isinstance(node, list):
            if _CONTAINER_TYPES.isdisjoint(map(type, node)):
                return list(node)  # no object, so no array digest nor anything below to walk
            items: list[Any] = []
            for element in node:
                if type(element) is dict and "..." in element:
                    if len(element) != 1:
                        raise MalformedError("an array digest element must have the single key '...'")
                    digest = element["..."]
                    disclosure = self._take(digest, (*path, len(items)), parent)
                    if disclosure is None:
                        continue  # §7.1 3.c.iii: remove elements whose digest has no disclosure
                    if disclosure.name is not None:
                        raise DisclosureError("an object-property disclosure is referenced from an array")
                    items.append(self.walk(disclosure.value, (*path, len(items)), digest))
                elif type(element) in _CONTAINER_TYPES:
                    items.append(self.walk(element, (*path, len(items)), parent))
                else:
                    items.append(element)
            return items
        return node

    def run(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        claims = self.walk(payload, (), None, top=True)
        if len(self.parent) != len(self.by_digest):  # §7.1 step 5 (each Disclosure is taken at most once)
            raise DisclosureError("a disclosure is not referenced by the issuer-signed JWT")
        return claims  # type: ignore[no-any-return]


def _parsed(sd_jwt: str | UnverifiedSdJwt) -> UnverifiedSdJwt:
    """Already split, or split now: anything else (null, an array) is refused by :func:`parse`."""
    return sd_jwt if isinstance(sd_jwt, UnverifiedSdJwt) else parse(sd_jwt)


def unverified_claims(sd_jwt: str | UnverifiedSdJwt) -> dict[str, Any]:
    """The claims with every sent Disclosure applied, WITHOUT checking the signature (holder display)."""
    parsed = _parsed(sd_jwt)
    payload = parsed.issuer_jws.payload
    return _Processor(parsed.disclosures, _hash_alg(payload, HASH_ALGORITHMS)).run(payload)


def disclosable_paths(sd_jwt: str | UnverifiedSdJwt) -> list[ClaimPath]:
    """The claim paths of the Disclosures a holder has, in payload order."""
    parsed = _parsed(sd_jwt)
    payload = parsed.issuer_jws.payload
    processor = _Processor(parsed.disclosures, _hash_alg(payload, HASH_ALGORITHMS))
    processor.run(payload)
    return list(processor.disclosed)


# ------------------------------------------------------------------------------------ holder


def _covers(selected: ClaimPath, path: ClaimPath) -> bool:
    """Whether disclosing ``path`` is needed for ``selected``: it is on the way or below it."""
    for a, b in zip(selected, path, strict=False):
        if a is None and isinstance(b, int):
            continue
        if a != b:
            return False
    return True


def disclosed_for(sd_jwt: str, select: Collection[ClaimPath]) -> list[ClaimPath]:
    """What :func:`present` with ``select`` reveals, as claim paths, for showing the holder (§4.2.6):
    a selected path inside a claim the issuer made one Disclosure (``employer.name`` of a disclosable
    ``employer``) is widened to the outermost such claim, since that whole Disclosure is sent with
    every plain value in it. (Its own selectively disclosable parts that were not asked for stay
    back, so this may say more than leaves, never less.)"""
    parsed = parse(sd_jwt, expect_kb=False)
    processor = _Processor(parsed.disclosures, _hash_alg(parsed.issuer_jws.payload, HASH_ALGORITHMS))
    processor.run(parsed.issuer_jws.payload)
    units = set(processor.disclosed)
    shown: list[ClaimPath] = []
    for path in select:
        on_the_way = [u for u in units if len(u) < len(path) and _covers(path, u)]
        path = min(on_the_way, key=len, default=path)
        if path not in shown:
            shown.append(path)
    return shown


def present(
    sd_jwt: str,
    *,
    select: Collection[ClaimPath],
    holder_key: PrivateKey | None,
    nonce: str | None,
    aud: str | None,
    iat: int,
) -> str:
    """Build a presentation disclosing only the claims at ``select`` (§4.3, §7.2).

    A Disclosure is sent when its claim is selected, lies below a selected claim, or contains
    one (the outer Disclosure must accompany an inner one, §4.2.6). With ``holder_key`` a KB-JWT
    binds the presentation to ``nonce`` and ``aud``.
    """
    parsed = parse(sd_jwt, expect_kb=False)
    payload = parsed.issuer_jws.payload
    hash_alg = _hash_alg(payload, HASH_ALGORITHMS)
    processor = _Processor(parsed.disclosures, hash_alg)
    processor.run(payload)
    # _take records matched digests and their paths in the same order.
    digest_path = dict(zip(processor.parent, processor.disclosed, strict=True))
    order = [d.digest(hash_alg) for d in parsed.disclosures]
    chosen: set[str] = set()
    for digest, path in digest_path.items():
        if any(_covers(sel, path) for sel in select):
            current: str | None = digest
            while current is not None and current not in chosen:
                chosen.add(current)
                current = processor.parent.get(current)
    by_digest = processor.by_digest
    presented = "~".join([_jwt_part(parsed), *(by_digest[d].raw for d in order if d in chosen), ""])
    if holder_key is None:
        return presented
    if nonce is None or aud is None:
        raise KeyBindingError("a KB-JWT needs a nonce and an audience")
    kb_payload = {"iat": iat, "aud": aud, "nonce": nonce, "sd_hash": _digest(presented, hash_alg)}
    return presented + sign_jws({"typ": KB_TYP}, kb_payload, holder_key)


def _jwt_part(parsed: UnverifiedSdJwt) -> str:
    return parsed.presented.split("~", 1)[0]


# ---------------------------------------------------------------------------------- verifier


@dataclass(frozen=True, slots=True)
class KeyBindingPolicy:
    """What the verifier requires of the KB-JWT (§7.3): this transaction's nonce and audience."""

    nonce: str
    aud: str
    max_age: int = 300
    skew: int = 60


@dataclass(frozen=True, slots=True)
class VerifiedSdJwt:
    header: dict[str, Any]
    claims: dict[str, Any]
    disclosed: tuple[ClaimPath, ...]
    kb: dict[str, Any] | None


def _same_text(received: str, expected: str) -> bool:
    """Constant-time equality of a received text: hmac.compare_digest raises TypeError on a str that
    is not ASCII, so both are compared as UTF-8 bytes (a holder chooses what its KB-JWT says)."""
    return hmac.compare_digest(received.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


def _sd_hash(parsed: UnverifiedSdJwt, hash_alg: str, signed: hashlib._Hash) -> str:
    """§4.3.1: the digest of the presented ``<Issuer-signed JWT>~<D1>~...~<Dn>~`` under ``_sd_alg``.

    It starts with the issuer JWT's signing input, which ``signed`` holds hashed from the check of
    the issuer signature: when that hash is the ``_sd_alg`` one, only the rest is added to a copy."""
    presented, signing_input = parsed.presented, parsed.issuer_jws.signing_input
    if (signed.name == _HASHLIB_NAMES[hash_alg] and signing_input.isascii()
            and presented.startswith(signing_input.decode("ascii"))):
        rest = signed.copy()
        rest.update(presented[len(signing_input) :].encode("ascii"))
        return b64url_encode(rest.digest())
    return _digest(presented, hash_alg)


def _check_key_binding(
    parsed: UnverifiedSdJwt,
    claims: Mapping[str, Any],
    policy: KeyBindingPolicy,
    algorithms: Collection[str],
    hash_alg: str,
    now: datetime,
    signed: hashlib._Hash,
) -> dict[str, Any]:
    if parsed.kb_jwt is None:
        raise KeyBindingError("key binding is required but the presentation has no KB-JWT")
    cnf = claims.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
    if not isinstance(jwk, dict):
        raise KeyBindingError("the credential has no holder key (cnf.jwk)")
    holder_key: PublicKey = public_key_from_jwk(jwk)
    kb = decode_jws(parsed.kb_jwt)
    if kb.header.get("typ") != KB_TYP:
        raise KeyBindingError("the KB-JWT must have typ kb+jwt")
    verify_jws(kb, holder_key, algorithms=algorithms, error=KbSignatureError)
    body = kb.payload
    expected = _sd_hash(parsed, hash_alg, signed)
    sd_hash = body.get("sd_hash")
    if not isinstance(sd_hash, str) or not _same_text(sd_hash, expected):
        raise SdHashError("sd_hash does not match the presented SD-JWT")
    nonce = body.get("nonce")
    if not isinstance(nonce, str) or not _same_text(nonce, policy.nonce):
        raise NonceError("the KB-JWT is for another nonce")
    if body.get("aud") != policy.aud:
        raise AudienceError("the KB-JWT is for another audience")
    iat = body.get("iat")
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        raise KbFreshnessError("the KB-JWT has no iat")
    ts = now.timestamp()
    if iat > ts + policy.skew:
        raise KbFreshnessError("the KB-JWT was issued in the future")
    if ts - iat > policy.max_age:
        raise KbFreshnessError("the KB-JWT is too old")
    return body


def verify(
    presentation: str | UnverifiedSdJwt,
    *,
    issuer_key: PublicKey,
    algorithms: Collection[str],
    key_binding: KeyBindingPolicy | None,
    now: datetime,
    hash_algs: Collection[str] = ("sha-256",),
) -> VerifiedSdJwt:
    """Verify an SD-JWT (§7.1) and, if the policy requires it, its Key Binding (§7.3).

    ``issuer_key`` must come from the caller's trust decision, never from the token.
    ``key_binding=None`` means the policy does not require key binding; a KB-JWT that happens to
    be present is then neither checked nor reported.
    """
    parsed = _parsed(presentation)
    signed = verify_jws_hashing(parsed.issuer_jws, issuer_key, algorithms=algorithms)
    payload = parsed.issuer_jws.payload
    hash_alg = _hash_alg(payload, hash_algs)
    processor = _Processor(parsed.disclosures, hash_alg)
    claims = processor.run(payload)
    kb = None
    if key_binding is not None:
        kb = _check_key_binding(parsed, claims, key_binding, algorithms, hash_alg, now, signed)
    return VerifiedSdJwt(parsed.issuer_jws.header, claims, tuple(processor.disclosed), kb)
