"""The wallet's encrypted store: one file, nothing readable without the passphrase.

File format (UTF-8 JSON; the header is public, the document is not)::

    {"format": "esspass-wallet", "version": 1,
     "kdf": {"alg": "scrypt", "n": 32768, "r": 8, "p": 1, "salt": "<b64url 16 bytes>"},
     "enc": "A256GCM", "nonce": "<b64url 12 bytes>", "ciphertext": "<b64url>"}

The 256-bit key comes from scrypt (RFC 7914) over the passphrase with the header's parameters
and salt; the document (credentials, their private keys, the presentation log) is encrypted
with AES-256-GCM (NIST SP 800-38D) under a fresh random 96-bit nonce on every write. The
header without ``nonce`` and ``ciphertext`` is the associated data, so changing the KDF
parameters or the salt makes decryption fail instead of silently weakening the store.

A wrong passphrase fails the GCM tag check: :class:`WrongPassphraseError`, and the file is not
touched. Writes are atomic (temporary file in the same directory, fsync, ``os.replace``, fsync
of the directory), so a crash at any point leaves either the previous or the new state; the
file is created with mode 0600. An exclusive ``flock`` on ``<file>.lock`` serialises writers,
so the CLI and the local web page can share one wallet; every transaction re-reads the file
under that lock before changing it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from credentials.errors import MalformedError
from credentials.files import exclusive_lock, fsync_directory
from credentials.jose import b64url_decode, b64url_encode, dumps, parse_json
from wallet.errors import (
    WalletCorruptError,
    WalletExistsError,
    WalletLockedError,
    WalletNotFoundError,
    WeakPassphraseError,
    WrongPassphraseError,
)
from wallet.passphrase import MIN_PASSPHRASE_LENGTH, check_new_passphrase, tries_path

__all__ = ["FORMAT", "MAX_STORE_BYTES", "MIN_PASSPHRASE_LENGTH", "ScryptParams", "WalletStore", "check_new_passphrase",
           "empty_document"]

FORMAT = "esspass-wallet"
VERSION = 1
#: Largest wallet file we read (a credential is ~5 KB; thousands fit).
MAX_STORE_BYTES = 64 * 1024 * 1024
_SALT_BYTES = 16
_NONCE_BYTES = 12
_KEY_BYTES = 32
_MAX_KDF_MEMORY = 256 * 1024 * 1024  # 8 x the default's 32 MiB


@dataclass(frozen=True, slots=True)
class ScryptParams:
    """scrypt cost (RFC 7914 §2). The default is the interactive-login cost of RFC 7914 §2 /
    OWASP (N=2**15, r=8, p=1: 32 MiB, about 0.1 s); tests may choose a lower ``n``."""

    n: int = 2**15
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        if self.n < 2 or self.n & (self.n - 1) or self.n > 2**22:
            raise ValueError("scrypt n must be a power of two between 2 and 2**22")
        if not 1 <= self.r <= 32 or not 1 <= self.p <= 16:
            raise ValueError("scrypt r or p out of range")
        # The parameters are read from the file before its key is proven: a damaged or planted
        # header must not make unlocking ask for gigabytes (scrypt needs 128 * n * r bytes).
        if 128 * self.n * self.r > _MAX_KDF_MEMORY:
            raise ValueError("scrypt n * r asks for more memory than a wallet uses")


def empty_document() -> dict[str, Any]:
    """A new wallet's content: no credentials, no log, no documents awaiting an institution
    (``pending``: :class:`wallet.deferred.PendingIssuance`; a wallet from before has none)."""
    return {"version": VERSION, "credentials": [], "log": [], "prefs": {}, "pending": []}


def _derive(passphrase: str, salt: bytes, params: ScryptParams) -> bytes:
    kdf = Scrypt(salt=salt, length=_KEY_BYTES, n=params.n, r=params.r, p=params.p)
    return kdf.derive(passphrase.encode("utf-8"))


def _aad(header: dict[str, Any]) -> bytes:
    return dumps({k: header[k] for k in sorted(header) if k not in ("nonce", "ciphertext")})


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte to ``fd`` (a separate function so tests can make a write fail midway)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new file, never half."""
    tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_directory(path.parent)  # the rename itself must reach the disk too


def _read_header(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise WalletNotFoundError("There is no wallet here yet. Create one first (esspass wallet init).") from exc
    try:
        header = parse_json(raw, max_bytes=MAX_STORE_BYTES, max_depth=4)
    except MalformedError as exc:
        raise WalletCorruptError("The wallet file is damaged or is not a wallet file.") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise WalletCorruptError("The wallet file is damaged or is not a wallet file.")
    if header.get("version") != VERSION or header.get("enc") != "A256GCM":
        raise WalletCorruptError("The wallet file was written by an unknown version of the wallet.")
    kdf = header.get("kdf")
    if not isinstance(kdf, dict) or kdf.get("alg") != "scrypt":
        raise WalletCorruptError("The wallet file names an unknown key derivation.")
    return header


def _params_and_salt(header: dict[str, Any]) -> tuple[ScryptParams, bytes]:
    kdf = header["kdf"]
    try:
        params = ScryptParams(int(kdf["n"]), int(kdf["r"]), int(kdf["p"]))
        salt = b64url_decode(str(kdf["salt"]))
    except (KeyError, ValueError, TypeError, MalformedError) as exc:
        raise WalletCorruptError("The wallet file's key derivation parameters are damaged.") from exc
    if len(salt) < _SALT_BYTES:
        raise WalletCorruptError("The wallet file's key derivation parameters are damaged.")
    return params, salt


def _decrypt(header: dict[str, Any], key: bytes) -> dict[str, Any]:
    try:
        nonce = b64url_decode(str(header["nonce"]))
        ciphertext = b64url_decode(str(header["ciphertext"]))
    except (KeyError, MalformedError) as exc:
        raise WalletCorruptError("The wallet file is damaged.") from exc
    if len(nonce) != _NONCE_BYTES:
        raise WalletCorruptError("The wallet file is damaged.")
    try:
        plain = AESGCM(key).decrypt(nonce, ciphertext, _aad(header))
    except InvalidTag as exc:
        # GCM cannot tell a wrong key from altered bytes; the passphrase is by far the likelier.
        raise WrongPassphraseError("Wrong passphrase (or the wallet file was altered). Nothing was changed.") from exc
    try:
        doc = parse_json(plain, max_bytes=MAX_STORE_BYTES, max_depth=32)
    except MalformedError as exc:
        raise WalletCorruptError("The wallet content is damaged.") from exc
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        raise WalletCorruptError("The wallet content has an unknown version.")
    return doc


class WalletStore:
    """An unlocked wallet file: the derived key is held in memory, the document is read on demand.

    Build with :meth:`create` or :meth:`open`; read with :meth:`read`; change with
    ``with store.transaction() as doc: ...`` (locked, re-read, written atomically on success,
    discarded if the block raises).
    """

    def __init__(self, path: Path, key: bytes, header: dict[str, Any]) -> None:
        self._path = path
        self._key = key
        self._kdf = dict(header["kdf"])

    @property
    def path(self) -> Path:
        return self._path

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str,
        *,
        params: ScryptParams | None = None,
        document: dict[str, Any] | None = None,
    ) -> WalletStore:
        """Create a new wallet file; refuses to overwrite an existing one, and an empty passphrase (a
        worker's own is checked first: :func:`check_new_passphrase`)."""
        if not passphrase:
            raise WeakPassphraseError(f"Choose a passphrase of at least {MIN_PASSPHRASE_LENGTH} characters.")
        params = params or ScryptParams()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        salt = secrets.token_bytes(_SALT_BYTES)
        header = {
            "format": FORMAT,
            "version": VERSION,
            "kdf": {"alg": "scrypt", "n": params.n, "r": params.r, "p": params.p, "salt": b64url_encode(salt)},
            "enc": "A256GCM",
        }
        store = cls(path, _derive(passphrase, salt, params), header)
        with store._lock():
            if path.exists():
                raise WalletExistsError("A wallet already exists here; it was left as it is.")
            store._write(document if document is not None else empty_document())
        return store

    @classmethod
    def open(cls, path: Path, passphrase: str) -> WalletStore:
        """Unlock an existing wallet file; a wrong passphrase raises and changes nothing."""
        header = _read_header(path)
        params, salt = _params_and_salt(header)
        key = _derive(passphrase, salt, params)
        _decrypt(header, key)  # proves the passphrase before anyone uses the store
        return cls(path, key, header)

    @staticmethod
    def exists(path: Path) -> bool:
        return path.exists()

    @staticmethod
    def erase(path: Path) -> bool:
        """Remove the wallet file at ``path`` for good, with the count of its wrong passphrases: a worker
        who forgot the passphrase starts a new wallet (``/start-over``, ``esspass wallet init
        --start-over``). No passphrase is needed, since nothing is read: without it the file is AES-GCM
        ciphertext nobody can open, so it is removed, not overwritten. Taken in turn with writers (the
        lock of :meth:`transaction`), so no write of another process lands half-way; True if there was
        a wallet file."""
        with exclusive_lock(path.parent / f"{path.name}.lock"):
            try:
                path.unlink()
            except FileNotFoundError:
                return False
            finally:
                tries_path(path).unlink(missing_ok=True)
        # The removal itself must reach the disk too (POSIX: fsync the directory).
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return True

    def read(self) -> dict[str, Any]:
        """The current document, read from disk (another process may have written since)."""
        header = _read_header(self._path)
        if header["kdf"] != self._kdf:
            # Re-created or re-keyed elsewhere: our key no longer applies.
            raise WalletLockedError("The wallet was changed by another program; unlock it again.")
        return _decrypt(header, self._key)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[dict[str, Any]]:
        """Lock, re-read, let the caller change the document, then write it atomically."""
        with self._lock():
            doc = self.read()
            yield doc
            self._write(doc)

    def change_passphrase(self, new_passphrase: str, *, params: ScryptParams | None = None) -> None:
        """Re-encrypt under a new passphrase (fresh salt); atomic like every write."""
        check_new_passphrase(new_passphrase)
        with self._lock():
            doc = self.read()
            current = ScryptParams(int(self._kdf["n"]), int(self._kdf["r"]), int(self._kdf["p"]))
            params = params or current
            salt = secrets.token_bytes(_SALT_BYTES)
            key = _derive(new_passphrase, salt, params)
            old_key, old_kdf = self._key, self._kdf
            self._key = key
            self._kdf = {"alg": "scrypt", "n": params.n, "r": params.r, "p": params.p, "salt": b64url_encode(salt)}
            try:
                self._write(doc)
            except BaseException:
                self._key, self._kdf = old_key, old_kdf
                raise

    def _write(self, doc: dict[str, Any]) -> None:
        header: dict[str, Any] = {"format": FORMAT, "version": VERSION, "kdf": self._kdf, "enc": "A256GCM"}
        nonce = secrets.token_bytes(_NONCE_BYTES)
        ciphertext = AESGCM(self._key).encrypt(nonce, dumps(doc), _aad(header))
        header["nonce"] = b64url_encode(nonce)
        header["ciphertext"] = b64url_encode(ciphertext)
        _atomic_write(self._path, dumps(header))

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        with exclusive_lock(self._path.parent / f"{self._path.name}.lock"):
            yield
