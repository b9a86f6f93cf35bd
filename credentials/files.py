"""Small private files that several processes share: written once and whole, or changed in turns.

Used for the demo PKI, first-start secrets (registry admin token, clerk tokens), the wallet file
and the registry's last signed lists (:func:`replace_file`). POSIX advisory locks (``flock``);
secrets are created with mode 0600.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from credentials.errors import DataError, MalformedError
from credentials.jose import b64url_decode, b64url_encode

__all__ = ["LOGIN_NAME", "TokenNameError", "configured_secret_key", "exclusive_lock", "fsync_directory", "named_tokens",
           "replace_file", "secret_key", "write_private_file_once"]

#: A person's name in a token file or a clerk token (``anna.berzina``): what the case history and the
#: inspection records show, so it must tell people apart at a glance and need no quoting: it starts
#: with a letter or digit, never '-' (an option on a command line, a formula in a spreadsheet), '.' or '_'.
LOGIN_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,29}")


class TokenNameError(ValueError):
    """A name :func:`named_tokens` (or its caller) was asked to give a token to or take one from
    does not fit, and nothing was changed: ``problem`` is ``unknown`` (it has no token to take),
    ``taken`` (it has one already) or ``invalid`` (not a :data:`LOGIN_NAME`); ``known`` are the
    names that have a token."""

    def __init__(self, name: str, problem: str, known: Collection[str] = ()) -> None:
        super().__init__(f"{name!r}: {problem}")
        self.name = name
        self.problem = problem
        self.known = sorted(known)


def write_private_file_once(path: Path, content: str) -> bool:
    """Create ``path`` (mode 0600) holding ``content`` unless it exists; True if this call made it.

    For secrets generated on first start (admin and clerk tokens): the file is written under a
    temporary name and linked into place, so two processes starting together never see a
    half-written file and exactly one of them wins; the other reads the winner's secret.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)


def replace_file(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a reader, or a crash, finds the old file or the new one,
    never half of one: a temporary file of its own in the same directory (several processes may
    write at once), fsync, ``os.replace`` (atomic on POSIX), then fsync of the directory so that the
    rename reaches the disk too. The file is 0600 (``mkstemp``); an OSError leaves no temporary file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` reach the disk (POSIX: a rename is durable once its directory is synced)."""
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def secret_key(path: Path, *, create: bool = True) -> bytes:
    """The 256-bit key in ``path`` (base64url, one line), made (mode 0600) first unless ``create`` is
    False or it exists: a service's secret that its replicas share (the verifier's storage key, the
    issuer's offer key). ValueError, OSError or MalformedError when it cannot be read as one."""
    if create:
        write_private_file_once(path, b64url_encode(os.urandom(32)) + "\n")
    key = b64url_decode(path.read_text(encoding="ascii").strip())
    if len(key) != 32:
        raise ValueError(f"{path} does not hold a 256-bit key")
    return key


def configured_secret_key(named: Path | None, default: Path, setting: str) -> bytes:
    """The key of :func:`secret_key`, made on first start only at ``default``. A key file the
    operator named (in ``setting``) must exist and hold one, else a DataError naming the setting: a
    replica that made its own key there, on a volume the others do not share, would seal or derive
    what the others cannot open."""
    if named is not None and not named.is_file():
        raise DataError(setting, f"{named} does not exist: give every replica the same key file (only the "
                        "default path's key is made on first start)")
    path = named or default
    try:
        return secret_key(path, create=named is None)
    except (ValueError, OSError, MalformedError) as exc:  # not ASCII: a ValueError; not base64url: Malformed
        raise DataError(setting, f"{path} does not hold a readable 256-bit key (base64url)") from exc


@contextmanager
def exclusive_lock(lock_file: Path) -> Iterator[None]:
    """Hold an advisory ``flock`` on ``lock_file`` (created 0600) while files it guards are read,
    changed and written back, so processes (and threads) sharing a directory take turns."""
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def named_tokens(path: Path, names: list[str], prefix: str, *, add: Collection[str] = (),
                 revoke: Collection[str] = ()) -> dict[str, str]:
    """Login tokens kept in ``path`` (JSON name -> token, mode 0600): one for each of ``names``,
    made the first time a name is asked for, so that a newcomer's pilot has working logins; each of
    ``add`` gets a new one and must have none, each of ``revoke`` loses its own and must have one
    (a name in both gets a new token in place of its old one). A name of ``add`` or ``revoke``
    that does not fit raises :class:`TokenNameError` and changes nothing.

    Processes starting together, or changing the names, take turns; the file is replaced whole.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with exclusive_lock(path.with_name(path.name + ".lock")):
        by_name: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        for name in revoke:
            if name not in by_name:
                raise TokenNameError(name, "unknown", by_name)
        for name in add:
            if name in by_name and name not in revoke:
                raise TokenNameError(name, "taken", by_name)
        kept = {n: t for n, t in by_name.items() if n not in revoke}
        missing = [n for n in dict.fromkeys([*names, *add]) if n not in kept]
        if missing or len(kept) != len(by_name) or not path.exists():
            by_name = {**kept, **{n: prefix + secrets.token_urlsafe(24) for n in missing}}
            tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(by_name, fh, indent=2, sort_keys=True)
            os.replace(tmp, path)
    return by_name
