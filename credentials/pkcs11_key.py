"""A signing key held in a hardware security module, reached through PKCS #11 (OASIS PKCS #11 v2.40).

An institution's document signer (and a registry's list signer, an inspectorate's access key) is
named by a PKCS #11 URI (RFC 7512) instead of a PEM file, for example::

    pkcs11:token=esspass;object=lv-vsaa-signer?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=hsm.pin

The private key never leaves the token: :class:`Pkcs11PrivateKey` is a
:class:`cryptography...EllipticCurvePrivateKey` whose :meth:`~Pkcs11PrivateKey.sign` asks the
token for ``CKM_ECDSA`` over the SHA-256 digest, so every signer of the project (JWS, COSE, X.509)
uses it unchanged. What it cannot do (export the key, ECDH) it refuses.

Supported URI attributes (RFC 7512 §2.3): path ``token``, ``serial``, ``object``, ``id``,
``type`` (``private`` only); query ``module-path`` (required) and ``pin-source`` (a file holding
the user PIN; relative to ``base``). ``pin-value`` is refused: a PIN written into a setting ends
up in shell histories and process listings, and a URI is the kind of thing error messages quote.
The PIN may also come from the caller's own PIN file setting.

A token that stops answering (removed, reset, the key deleted) makes signing raise
:class:`~credentials.errors.SignerUnavailableError`, which services answer with 503: the request
can be repeated, and nothing is recorded as issued without its signature.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote, unquote_to_bytes

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.utils import Buffer

from credentials.errors import DataError, SignerUnavailableError

__all__ = ["SCHEME", "Pkcs11PrivateKey", "Pkcs11Uri", "is_pkcs11_uri", "open_private_key", "parse_uri"]

SCHEME = "pkcs11:"
_PATH_ATTRIBUTES = frozenset({"token", "serial", "object", "id", "type", "manufacturer", "model",
                              "library-manufacturer", "library-description", "library-version", "slot-description",
                              "slot-manufacturer", "slot-id"})
_USED_PATH = frozenset({"token", "serial", "object", "id", "type"})
_QUERY_ATTRIBUTES = frozenset({"module-path", "pin-source", "pin-value", "module-name"})
_P256_SIZE = 32
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pkcs11Uri:
    """The parts of an RFC 7512 URI this project uses; ``id`` as bytes, the rest as text."""

    module_path: Path
    token: str | None = None
    serial: str | None = None
    label: str | None = None
    id: bytes | None = None
    pin_source: Path | None = None

    def describe(self) -> str:
        """The URI's path part, for messages (never the PIN, which the path part cannot hold)."""
        parts = [f"token={self.token}" if self.token else "", f"serial={self.serial}" if self.serial else "",
                 f"object={self.label}" if self.label else "", f"id={self.id.hex()}" if self.id else ""]
        return SCHEME + ";".join(p for p in parts if p)


def is_pkcs11_uri(value: str | os.PathLike[str]) -> bool:
    return str(value).startswith(SCHEME)


def parse_uri(uri: str, *, base: Path | None = None) -> Pkcs11Uri:
    """Parse a PKCS #11 URI (RFC 7512 §2.3). Errors are DataError("key", ...), naming no PIN."""
    if not uri.startswith(SCHEME):
        raise DataError("key", "is not a PKCS #11 URI (pkcs11:...)")
    path, _, query = uri[len(SCHEME):].partition("?")
    attrs: dict[str, str] = {}
    raw_id: bytes | None = None
    for part in filter(None, path.split(";")):
        name, eq, value = part.partition("=")
        if not eq or name not in _PATH_ATTRIBUTES:
            raise DataError("key", f"the PKCS #11 URI has an unknown path attribute {name!r}")
        if name in attrs:
            raise DataError("key", f"the PKCS #11 URI repeats {name!r}")  # RFC 7512 §2.3: at most once
        if name == "id":  # CKA_ID is bytes, percent-encoded one by one
            attrs[name], raw_id = value, unquote_to_bytes(value)
        else:
            attrs[name] = _text(value, name)
    queries: dict[str, str] = {}
    for part in filter(None, query.split("&")):
        name, eq, value = part.partition("=")
        if not eq or name not in _QUERY_ATTRIBUTES:
            raise DataError("key", f"the PKCS #11 URI has an unknown query attribute {name!r}")
        if name in queries:
            raise DataError("key", f"the PKCS #11 URI repeats {name!r}")
        queries[name] = _text(value, name)
    if "pin-value" in queries:
        raise DataError("key", "put the token's PIN in a file (pin-source=...), not in the URI (pin-value)")
    if "module-path" not in queries:
        raise DataError("key", "the PKCS #11 URI must name the token's library (module-path=...)")
    unused = sorted(set(attrs) - _USED_PATH)
    if unused:  # a filter we would silently ignore could pick another token's key
        raise DataError("key", f"the PKCS #11 URI attribute {unused[0]!r} is not supported; use token or serial")
    if attrs.get("type", "private") != "private":
        raise DataError("key", "the PKCS #11 URI must name a private key (type=private)")
    if "token" not in attrs and "serial" not in attrs:
        raise DataError("key", "the PKCS #11 URI must name the token (token=... or serial=...)")
    if "object" not in attrs and raw_id is None:
        raise DataError("key", "the PKCS #11 URI must name the key (object=... or id=...)")
    pin_source = None
    if "pin-source" in queries:
        source = queries["pin-source"].removeprefix("file://").removeprefix("file:")
        pin_source = Path(source) if base is None else base / source
    return Pkcs11Uri(module_path=Path(queries["module-path"]), token=attrs.get("token"), serial=attrs.get("serial"),
                     label=attrs.get("object"), id=raw_id, pin_source=pin_source)


def _text(value: str, name: str) -> str:
    try:
        return unquote(value, errors="strict")
    except UnicodeDecodeError as exc:
        raise DataError("key", f"the PKCS #11 URI's {name} is not UTF-8 once percent-decoded") from exc


def _read_pin(uri: Pkcs11Uri, pin_file: Path | None) -> str | None:
    path = uri.pin_source or pin_file
    if path is None:
        return None
    try:
        return path.read_text("utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError("password_file", f"the token's PIN file {path} cannot be read") from exc


def open_private_key(uri: str, *, base: Path | None = None, pin_file: Path | None = None) -> Pkcs11PrivateKey:
    """Log in to the token the URI names and find its one P-256 private key there.

    Raises DataError ("key": no such module, token or key, several keys match, not P-256;
    "password_file": the PIN file cannot be read or the token refuses the PIN).
    """
    parsed = parse_uri(uri, base=base)
    key = Pkcs11PrivateKey(parsed, _read_pin(parsed, pin_file))
    key.open()
    return key


class Pkcs11PrivateKey(ec.EllipticCurvePrivateKey):
    """A P-256 private key on a PKCS #11 token (module docstring). Thread-safe; one session per process.

    ``public_key()`` is the token's public key object with the same label or id when the token
    has one, else the key the caller binds with :meth:`bind` (the certificate's, after
    :func:`credentials.signing_key.load_signing_key` proved by a signature that they match).
    """

    def __init__(self, uri: Pkcs11Uri, pin: str | None) -> None:
        self.uri = uri
        self._pin = pin
        self._lock = threading.Lock()
        self._pid = 0
        self._session: Any = None
        self._handle: Any = None
        self._public: ec.EllipticCurvePublicKey | None = None

    def __repr__(self) -> str:  # the default would be harmless, but say what it is and never the PIN
        return f"<Pkcs11PrivateKey {self.uri.describe()}>"

    # ------------------------------------------------------------------ the token

    def open(self) -> None:
        """Log in and find the key (again after a fork or a lost session)."""
        import pkcs11  # a deployment with PEM keys only never needs the optional dependency
        from pkcs11 import Attribute, KeyType, ObjectClass
        from pkcs11.exceptions import (
            MultipleTokensReturned,
            NoSuchToken,
            PinIncorrect,
            PinLocked,
            PKCS11Error,
            UserAlreadyLoggedIn,
        )

        where = self.uri.describe()
        with self._lock:
            self._close()
            try:
                lib = pkcs11.lib(str(self.uri.module_path))
                if self._pid and self._pid != os.getpid():
                    lib.reinitialize()  # a PKCS #11 library must be initialised again in a forked child
            except (PKCS11Error, OSError) as exc:  # missing, or not a PKCS #11 module
                raise DataError("key", f"the PKCS #11 module {self.uri.module_path} cannot be loaded") from exc
            try:
                token = lib.get_token(token_label=self.uri.token,
                                      token_serial=self.uri.serial.encode() if self.uri.serial else None)
                try:
                    session = token.open(user_pin=self._pin)
                    _LOGINS[self._token_id] = _pin_digest(self._pin)
                except UserAlreadyLoggedIn:
                    # PKCS #11 logs in an application, not a session (v2.40 §5.6): another key
                    # on this token (another institution hosted here) has already logged in. A
                    # PIN that differs from the one that did is wrong, whatever the order of start.
                    if _LOGINS.get(self._token_id, _pin_digest(self._pin)) != _pin_digest(self._pin):
                        raise PinIncorrect() from None
                    session = token.open()
            except (PinIncorrect, PinLocked) as exc:
                raise DataError("password_file", f"the token of {where} refuses the PIN") from exc
            except (NoSuchToken, MultipleTokensReturned) as exc:
                raise DataError("key", f"no single token matches {where}") from exc
            except PKCS11Error as exc:
                raise DataError("key", f"the token of {where} cannot be opened ({type(exc).__name__})") from exc
            try:
                search: dict[Any, Any] = {Attribute.CLASS: ObjectClass.PRIVATE_KEY}
                if self.uri.label is not None:
                    search[Attribute.LABEL] = self.uri.label
                if self.uri.id is not None:
                    search[Attribute.ID] = self.uri.id
                found = list(session.get_objects(search))
                if len(found) != 1:
                    raise DataError("key", f"{len(found)} private keys match {where}; exactly one must")
                handle = found[0]
                if handle[Attribute.KEY_TYPE] != KeyType.EC or bytes(handle[Attribute.EC_PARAMS]) != _P256_PARAMS:
                    raise DataError("key", "must be a P-256 key: everything is signed with ES256 (HAIP 1.0 §7)")
                self._public = self._public or _token_public_key(session, handle)
            except PKCS11Error as exc:
                session.close()
                raise DataError("key", f"the key {where} cannot be read ({type(exc).__name__})") from exc
            except BaseException:
                session.close()
                raise
            self._session, self._handle, self._pid = session, handle, os.getpid()

    @property
    def _token_id(self) -> tuple[str, str | None, str | None]:
        return str(self.uri.module_path), self.uri.token, self.uri.serial

    def _close(self) -> None:
        session, self._session, self._handle = self._session, None, None
        if session is not None and self._pid == os.getpid():
            try:
                session.close()
            except Exception:  # noqa: BLE001,S110 - a session that is already gone needs no closing
                pass

    def bind(self, public: ec.EllipticCurvePublicKey) -> None:
        """Use ``public`` as this key's public half when the token holds no public key object."""
        if self._public is None:
            self._public = public

    def _raw_sign(self, digest: bytes) -> bytes:
        """CKM_ECDSA over ``digest``: raw ``r || s``. A lost session is worth one new login."""
        from pkcs11 import Mechanism
        from pkcs11.exceptions import PKCS11Error

        for attempt in (1, 2):
            try:
                if self._handle is None or self._pid != os.getpid():
                    self.open()
                with self._lock:
                    handle = self._handle
                    if handle is not None:
                        return bytes(handle.sign(digest, mechanism=Mechanism.ECDSA))
            except (DataError, PKCS11Error) as exc:
                # The cause goes to the operator's log; the client learns only to try again.
                _log.warning("PKCS #11 signing with %s failed (attempt %d): %s", self.uri.describe(), attempt,
                             exc.message if isinstance(exc, DataError) else type(exc).__name__)
                with self._lock:
                    self._close()
        raise SignerUnavailableError()

    # ------------------------------------------------------------------ cryptography's interface

    def sign(self, data: Buffer, signature_algorithm: ec.EllipticCurveSignatureAlgorithm) -> bytes:
        """ECDSA with SHA-256 (or over a SHA-256 digest given as Prehashed): DER, as cryptography returns."""
        if not isinstance(signature_algorithm, ec.ECDSA):
            raise TypeError("a PKCS #11 key signs ECDSA only")
        algorithm = signature_algorithm.algorithm
        if isinstance(algorithm, utils.Prehashed):
            if not isinstance(algorithm._algorithm, hashes.SHA256) or len(bytes(data)) != _P256_SIZE:
                raise ValueError("a PKCS #11 P-256 key signs a SHA-256 digest")
            digest = bytes(data)
        elif isinstance(algorithm, hashes.SHA256):
            digest = hashlib.sha256(bytes(data)).digest()
        else:
            raise ValueError("a PKCS #11 P-256 key signs with SHA-256 (ES256)")
        raw = self._raw_sign(digest)
        if len(raw) != 2 * _P256_SIZE:
            _log.warning("PKCS #11 token of %s returned %d signature bytes", self.uri.describe(), len(raw))
            raise SignerUnavailableError()
        return utils.encode_dss_signature(int.from_bytes(raw[:_P256_SIZE], "big"),
                                          int.from_bytes(raw[_P256_SIZE:], "big"))

    def public_key(self) -> ec.EllipticCurvePublicKey:
        if self._public is None:
            raise DataError("key", f"the token holds no public key for {self.uri.describe()}; "
                            "its certificate must be given")
        return self._public

    @property
    def curve(self) -> ec.EllipticCurve:
        return ec.SECP256R1()

    @property
    def key_size(self) -> int:
        return 256

    def exchange(self, algorithm: ec.ECDH, peer_public_key: ec.EllipticCurvePublicKey) -> bytes:
        self._refuse("key agreement")

    def private_numbers(self) -> ec.EllipticCurvePrivateNumbers:
        self._refuse("export")

    def private_bytes(self, encoding: serialization.Encoding, format: serialization.PrivateFormat,
                      encryption_algorithm: serialization.KeySerializationEncryption) -> bytes:
        self._refuse("export")

    def __copy__(self) -> Pkcs11PrivateKey:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Pkcs11PrivateKey:
        return self

    @staticmethod
    def _refuse(what: str) -> NoReturn:
        raise TypeError(f"a key held in a PKCS #11 token does not allow {what}")


#: Token -> digest of the PIN this process logged in to it with. PKCS #11 keeps the login per
#: process and token (v2.40 §5.6), so this is process state by nature, as small as the tokens.
_LOGINS: dict[tuple[str, str | None, str | None], bytes] = {}


def _pin_digest(pin: str | None) -> bytes:
    return hashlib.sha256((pin or "").encode()).digest()


# The DER encoding of the OID 1.2.840.10045.3.1.7 (prime256v1): CKA_EC_PARAMS of a P-256 key.
_P256_PARAMS = bytes.fromhex("06082a8648ce3d030107")


def _token_public_key(session: Any, private: Any) -> ec.EllipticCurvePublicKey | None:
    """The public key object stored beside ``private`` (same id, else same label), if any."""
    from pkcs11 import Attribute, ObjectClass
    from pkcs11.exceptions import PKCS11Error
    from pkcs11.util.ec import encode_ec_public_key

    for attribute in (Attribute.ID, Attribute.LABEL):
        try:
            value = private[attribute]
        except PKCS11Error:
            continue
        if not value:
            continue
        matches = list(session.get_objects({Attribute.CLASS: ObjectClass.PUBLIC_KEY, attribute: value}))
        if len(matches) == 1:
            key = serialization.load_der_public_key(encode_ec_public_key(matches[0]))
            return key if isinstance(key, ec.EllipticCurvePublicKey) else None
    return None
