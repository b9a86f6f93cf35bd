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
can be repeated, and nothing is recorded as issued without its signature. Every signature is
verified against the certificate's key before it is returned, so a key replaced on the token
fails closed. Calls into a module are serialised in the process and a token is logged in to once
(:class:`_Module`); the PIN is read again at each login, and one the token refused is not tried
again until its file changes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote, unquote_to_bytes

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.utils import Buffer

from credentials.errors import DataError, SignerUnavailableError

__all__ = ["SCHEME", "Pkcs11PrivateKey", "Pkcs11Uri", "is_pkcs11_uri", "module_lock", "open_private_key",
           "parse_uri"]

SCHEME = "pkcs11:"
_PATH_ATTRIBUTES = frozenset({"token", "serial", "object", "id", "type", "manufacturer", "model",
                              "library-manufacturer", "library-description", "library-version", "slot-description",
                              "slot-manufacturer", "slot-id"})
_USED_PATH = frozenset({"token", "serial", "object", "id", "type"})
_QUERY_ATTRIBUTES = frozenset({"module-path", "pin-source", "pin-value", "module-name"})
_P256_SIZE = 32
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
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
            if _BAD_ESCAPE.search(value):
                raise DataError("key", "the PKCS #11 URI's id has a '%' that is not a percent-encoding")
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
        source = queries["pin-source"]
        if source.startswith("file://") and not source.startswith("file:///"):
            raise DataError("key", "the PKCS #11 URI's pin-source must be a local file (file:///path or a path)")
        source = source.removeprefix("file://").removeprefix("file:")
        pin_source = Path(source) if base is None else base / source
    return Pkcs11Uri(module_path=Path(queries["module-path"]), token=attrs.get("token"), serial=attrs.get("serial"),
                     label=attrs.get("object"), id=raw_id, pin_source=pin_source)


def _text(value: str, name: str) -> str:
    if _BAD_ESCAPE.search(value):  # RFC 3986 §2.1: a "%" always starts two hex digits
        raise DataError("key", f"the PKCS #11 URI's {name} has a '%' that is not a percent-encoding")
    try:
        return unquote(value, errors="strict")
    except UnicodeDecodeError as exc:
        raise DataError("key", f"the PKCS #11 URI's {name} is not UTF-8 once percent-decoded") from exc


def _read_pin(uri: Pkcs11Uri, pin_file: Path | None) -> str:
    """The user PIN, read afresh each time the token is logged in to (an operator changes the file
    with the token's PIN). Required: a key reachable without one would be anyone's on this host."""
    path = uri.pin_source or pin_file
    if path is None:
        raise DataError("password_file", "the token's PIN is required: pin-source=... in the URI, or the key's "
                        "password file setting")
    try:
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise DataError("password_file", f"the token's PIN file {path} must be readable by the service's user "
                            "only (chmod 600)")
        return path.read_text("utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError("password_file", f"the token's PIN file {path} cannot be read") from exc


def open_private_key(uri: str, *, base: Path | None = None, pin_file: Path | None = None) -> Pkcs11PrivateKey:
    """Log in to the token the URI names and find its one P-256 private key there.

    Raises DataError ("key": no such module, token or key, several keys match, not P-256;
    "password_file": the PIN file cannot be read or the token refuses the PIN).
    """
    key = Pkcs11PrivateKey(parse_uri(uri, base=base), pin_file)
    key.open()
    return key


class Pkcs11PrivateKey(ec.EllipticCurvePrivateKey):
    """A P-256 private key on a PKCS #11 token (module docstring). Thread-safe.

    ``public_key()`` is the token's public key object with the same label or id when the token
    has one, else the key the caller binds with :meth:`bind` (the certificate's, after
    :func:`credentials.signing_key.load_signing_key` proved by a signature that they match).
    Every signature the token returns is checked against that public key before it is used, so
    a key replaced on the token, or a handle that came to name another key, signs nothing.
    """

    def __init__(self, uri: Pkcs11Uri, pin_file: Path | None) -> None:
        self.uri = uri
        self._pin_file = pin_file
        self._login: _Login | None = None
        self._handle: Any = None
        self._public: ec.EllipticCurvePublicKey | None = None

    def __repr__(self) -> str:  # the default would be harmless, but say what it is and never the PIN
        return f"<Pkcs11PrivateKey {self.uri.describe()}>"

    # ------------------------------------------------------------------ the token

    def open(self) -> None:
        """Log in (or share this process's login to the token) and find the key."""
        module = _module(self.uri.module_path)
        with module.lock:
            self._open(module)

    def _open(self, module: _Module) -> None:
        from pkcs11 import Attribute, KeyType, ObjectClass
        from pkcs11.exceptions import PKCS11Error

        where = self.uri.describe()
        self._login, self._handle = None, None
        login = module.login(self.uri, _read_pin(self.uri, self._pin_file))
        try:
            search: dict[Any, Any] = {Attribute.CLASS: ObjectClass.PRIVATE_KEY}
            if self.uri.label is not None:
                search[Attribute.LABEL] = self.uri.label
            if self.uri.id is not None:
                search[Attribute.ID] = self.uri.id
            found = list(login.session.get_objects(search))
            if len(found) != 1:
                raise DataError("key", f"{len(found)} private keys match {where}; exactly one must")
            handle = found[0]
            if handle[Attribute.KEY_TYPE] != KeyType.EC or bytes(handle[Attribute.EC_PARAMS]) != _P256_PARAMS:
                raise DataError("key", "must be a P-256 key: everything is signed with ES256 (HAIP 1.0 §7)")
            if _flag(handle, Attribute.ALWAYS_AUTHENTICATE):
                raise DataError("key", "asks for the PIN before every signature (CKA_ALWAYS_AUTHENTICATE), which "
                                "an issuer cannot do; use a key without it")
            self._public = self._public or _token_public_key(login.session, handle)
        except PKCS11Error as exc:
            module.logout(login)
            raise DataError("key", f"the key {where} cannot be read ({type(exc).__name__})") from exc
        self._login, self._handle = login, handle

    def bind(self, public: ec.EllipticCurvePublicKey) -> None:
        """Use ``public`` as this key's public half when the token holds no public key object."""
        if self._public is None:
            self._public = public

    def holds(self, public: ec.EllipticCurvePublicKey) -> bool:
        """Does the token's key make signatures that ``public`` verifies? (One signature, at start.)
        Raises SignerUnavailableError when the token does not sign at all."""
        digest = os.urandom(_P256_SIZE)
        raw = self._raw_sign(digest, check=False)
        try:
            public.verify(_der(raw), digest, _PREHASHED)
        except (InvalidSignature, ValueError):
            return False
        return True

    def _raw_sign(self, digest: bytes, *, check: bool = True) -> bytes:
        """CKM_ECDSA over ``digest`` (raw ``r || s``), checked against the public key. A lost session
        or a signature that does not verify is worth one new login."""
        from pkcs11 import Mechanism
        from pkcs11.exceptions import PKCS11Error

        for attempt in (1, 2):
            module = _module(self.uri.module_path)
            try:
                with module.lock:  # the module was initialised for one thread at a time (see _Module)
                    if self._login is None or not module.current(self._login):
                        self._open(module)
                    login = self._login
                    raw = bytes(self._handle.sign(digest, mechanism=Mechanism.ECDSA))
            except (DataError, PKCS11Error) as exc:
                # The cause goes to the operator's log; the client learns only to try again.
                _log.warning("PKCS #11 signing with %s failed (attempt %d): %s", self.uri.describe(), attempt,
                             exc.message if isinstance(exc, DataError) else type(exc).__name__)
                with module.lock:
                    if self._login is not None and isinstance(exc, PKCS11Error):
                        module.logout(self._login)
                    self._login = None
                continue
            if not check and len(raw) == 2 * _P256_SIZE:
                return raw
            if self._verifies(digest, raw):
                return raw
            # Another key's signature: the key on the token was replaced, or the handle came to name
            # another object. Never returned; a new login finds the key again.
            _log.error("PKCS #11 key %s signed with a key that is not its certificate's (attempt %d)",
                       self.uri.describe(), attempt)
            with module.lock:
                if login is not None:
                    module.logout(login)
                self._login = None
        raise SignerUnavailableError()

    def _verifies(self, digest: bytes, raw: bytes) -> bool:
        if len(raw) != 2 * _P256_SIZE or self._public is None:
            return False
        try:
            self._public.verify(_der(raw), digest, _PREHASHED)
        except InvalidSignature:
            return False
        return True

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
        return _der(self._raw_sign(digest))

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


_PREHASHED = ec.ECDSA(utils.Prehashed(hashes.SHA256()))


def _der(raw: bytes) -> bytes:
    return utils.encode_dss_signature(int.from_bytes(raw[:_P256_SIZE], "big"), int.from_bytes(raw[_P256_SIZE:], "big"))


def _pin_digest(pin: str) -> bytes:
    return hashlib.sha256(pin.encode()).digest()


def _flag(handle: Any, attribute: Any) -> bool:
    from pkcs11.exceptions import PKCS11Error

    try:
        return bool(handle[attribute])
    except PKCS11Error:  # a token that does not know the attribute does not set it
        return False


@dataclass(eq=False)
class _Login:
    """This process's one logged-in session to a token, shared by every key on it."""

    session: Any
    pin: bytes  # digest of the PIN it logged in with


class _Module:
    """One PKCS #11 module in this process, and its logins, one per token.

    python-pkcs11 initialises a module with ``C_Initialize(NULL)``: the application promises to
    call it from one thread at a time (PKCS #11 v2.40 §5.4), and SoftHSM, for one, then takes no
    locks of its own. Every call into the module is therefore made under :attr:`lock`, whichever
    key or institution it is for. PKCS #11 logs in an application, not a session (§5.6): one
    session per token, logged in once, serves every key on it, and a key whose PIN differs from
    the one that logged in is refused. A PIN the token refused is not tried again until its file
    changes: tokens lock a PIN after a few wrong tries.
    """

    def __init__(self, path: str) -> None:
        import pkcs11
        from pkcs11.exceptions import PKCS11Error

        self.path = path
        self.lock = threading.RLock()
        self.pid = os.getpid()
        try:
            self.lib = pkcs11.lib(path)
        except (OSError, PKCS11Error) as exc:  # a missing file, or not a PKCS #11 module
            raise DataError("key", f"the PKCS #11 module {path} cannot be loaded") from exc
        self._logins: dict[bytes, _Login] = {}
        self._refused: dict[bytes, bytes] = {}

    def after_fork(self) -> None:
        """A forked child inherits none of the parent's sessions: initialise the module again, once."""
        self.lock = threading.RLock()
        self._logins.clear()
        self.lib.reinitialize()
        self.pid = os.getpid()

    def login(self, uri: Pkcs11Uri, pin: str) -> _Login:
        from pkcs11.exceptions import (
            MultipleTokensReturned,
            NoSuchToken,
            PinIncorrect,
            PinLocked,
            PKCS11Error,
            UserAlreadyLoggedIn,
        )

        where, digest = uri.describe(), _pin_digest(pin)
        try:
            token = self.lib.get_token(token_label=uri.token, token_serial=uri.serial.encode() if uri.serial else None)
            serial = bytes(token.serial) if isinstance(token.serial, bytes) else str(token.serial).encode()
        except (NoSuchToken, MultipleTokensReturned) as exc:
            raise DataError("key", f"no single token matches {where}") from exc
        except PKCS11Error as exc:
            raise DataError("key", f"the token of {where} cannot be read ({type(exc).__name__})") from exc
        login = self._logins.get(serial)
        if login is not None:
            if login.pin != digest:
                raise DataError("password_file", f"the token of {where} refuses the PIN (another key of this "
                                "process logged in to it with a different one)")
            return login
        if self._refused.get(serial) == digest:
            raise DataError("password_file", f"the token of {where} refused this PIN before; it is not tried again "
                            "until the PIN file changes")
        try:
            session = token.open(user_pin=pin)
        except UserAlreadyLoggedIn:
            # Logged in by code outside this registry (the PIN cannot be checked then): share it.
            session = token.open()
        except (PinIncorrect, PinLocked) as exc:
            self._refused[serial] = digest
            raise DataError("password_file", f"the token of {where} refuses the PIN") from exc
        except PKCS11Error as exc:
            raise DataError("key", f"the token of {where} cannot be opened ({type(exc).__name__})") from exc
        self._refused.pop(serial, None)
        login = self._logins[serial] = _Login(session, digest)
        return login

    def current(self, login: _Login) -> bool:
        return self.pid == os.getpid() and login in self._logins.values()

    def logout(self, login: _Login) -> None:
        """Close a login that failed: every key on the token logs in again on its next signature."""
        for serial, held in list(self._logins.items()):
            if held is login:
                del self._logins[serial]
        try:
            login.session.close()
        except Exception:  # noqa: BLE001,S110 - a session that is already gone needs no closing
            pass


_MODULES: dict[str, _Module] = {}
_MODULES_LOCK = threading.Lock()


def _module(path: Path) -> _Module:
    """This process's :class:`_Module` for the library at ``path`` (its real path: one per file)."""
    real = os.path.realpath(path)
    with _MODULES_LOCK:
        module = _MODULES.get(real)
        if module is None:
            module = _MODULES[real] = _Module(real)
        elif module.pid != os.getpid():
            module.after_fork()
        return module


def module_lock(path: str | os.PathLike[str]) -> threading.RLock:
    """The lock every call into the PKCS #11 module at ``path`` must hold (see :class:`_Module`),
    for code outside this module that uses the same library in the same process (tools, tests)."""
    return _module(Path(path)).lock


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
