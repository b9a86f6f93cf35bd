"""The wallet passphrase's own rules: which new ones are refused, and how wrong ones are counted.

**New passphrases** (NIST SP 800-63B §5.1.1.2, memorized secret verifiers): a new secret is at least
:data:`MIN_PASSPHRASE_LENGTH` characters, and it is compared against "passwords obtained from previous
breach corpuses", "repetitive or sequential characters (e.g. 'aaaaaa', '1234abcd')" and
"context-specific words, such as the name of the service": if it is one of them it is refused, and
the worker is told why. The list is :data:`COMMON_FILE`, built in (the most common passwords of 8 or
more characters, and the word for password in the wallet's five languages): it is never fetched.
The whole passphrase is compared, without case (``Password`` is ``password``); a passphrase that only
contains such a word (``password-kravas-7``) is not refused.

**Wrong tries** (NIST SP 800-63B §5.2.2, rate limiting): :class:`UnlockThrottle` counts wrong
passphrases in a row as a phone counts wrong PINs, and keeps the count and the time before which no
try is taken in ``<wallet file>.tries`` (mode 0600; two numbers, nothing about the worker), so that a
restarted wallet app, or the terminal, starts where the last one stopped.

Someone who can delete or roll back that file can also copy the wallet file and guess at it on their
own computer, at scrypt's speed and with no count at all: against them the defence is the
passphrase itself (the rules above) and scrypt's cost, not the count. The count binds whoever has
only the wallet's pages or its terminal commands, such as a thief holding a locked phone, however
often they restart the app.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import os
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

from esspass.throttle import backoff
from wallet.errors import WeakPassphraseError
from wallet.messages import STRINGS

__all__ = ["COMMON_FILE", "MIN_PASSPHRASE_LENGTH", "TOO_COMMON", "TOO_REPETITIVE", "TOO_SEQUENTIAL", "TOO_SHORT",
           "UnlockThrottle", "check_new_passphrase", "common_passphrases", "confirmed_erase", "tries_path"]

#: Shortest passphrase a worker may choose for a new wallet (the page's ``minlength``, checked again
#: by the server and the terminal: a browser's check is only a convenience). The file holds the
#: worker's documents and keys; scrypt slows guessing, it cannot make "ab" safe.
MIN_PASSPHRASE_LENGTH = 8
#: The built-in list of common passwords (JSON: ``common`` and ``context``, lower case; its ``source``
#: says where they come from).
COMMON_FILE = Path(__file__).with_name("common_passphrases.json")

# Why a new passphrase was refused: the English words, which wallet.messages says in every language.
TOO_SHORT = f"Choose a passphrase of at least {MIN_PASSPHRASE_LENGTH} characters."
TOO_COMMON = ("This passphrase is one of the most common ones, which are tried first. Choose another one: "
              "a few words of your own, for example.")
TOO_REPETITIVE = ("This passphrase only repeats the same characters (such as 'aaaaaaaa' or '12121212'), "
                  "which are tried first. Choose another one.")
TOO_SEQUENTIAL = ("This passphrase is a run of characters in order (such as '12345678', 'abcdefgh' or "
                  "'qwertyui' along the keyboard), which are tried first. Choose another one.")

#: Longest repeated block that still counts as "repetitive" ('abcabcabc' yes, 'hello-hello' no).
_REPEAT_BLOCK = 4
#: Keyboard rows of the layouts the wallet's languages use (QWERTY, QWERTZ, AZERTY), and the digits.
_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "yxcvbnm",
                  "azertyuiop", "qsdfghjklm", "wxcvbn")


@cache
def common_passphrases() -> frozenset[str]:
    """The built-in list (:data:`COMMON_FILE`), read once."""
    data = json.loads(COMMON_FILE.read_text(encoding="utf-8"))
    return frozenset(str(word) for part in ("common", "context") for word in data[part])


def _repetitive(text: str) -> bool:
    """One block of at most :data:`_REPEAT_BLOCK` characters, repeated ('aaaa', '1212', 'abcabcab')."""
    return any(all(text[i] == text[i - size] for i in range(size, len(text)))
               for size in range(1, min(_REPEAT_BLOCK, len(text) // 2) + 1))


def _sequential(text: str) -> bool:
    """Characters one after another, up or down ('12345678', 'hgfedcba'), or along a keyboard row."""
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(text)}
    if steps in ({1}, {-1}):
        return True
    return any(text in row or text in row[::-1] for row in _KEYBOARD_ROWS)


def _plain(passphrase: str) -> str:
    """The passphrase as the rules compare it: without case, in one Unicode form (NIST SP 800-63B
    §5.1.1.2: normalised, NFKC)."""
    return unicodedata.normalize("NFKC", passphrase).casefold()


def check_new_passphrase(passphrase: str) -> None:
    """Refuse a new passphrase (:class:`WeakPassphraseError`, its message saying why) that is shorter
    than :data:`MIN_PASSPHRASE_LENGTH` characters, one of the common ones, or only repeated or
    sequential characters: what the worker's page and ``esspass wallet init`` / ``passphrase`` ask
    before a wallet is made or re-keyed (:meth:`wallet.store.WalletStore.create` itself only refuses an
    empty one)."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise WeakPassphraseError(TOO_SHORT)
    plain = _plain(passphrase)
    if plain in common_passphrases():
        raise WeakPassphraseError(TOO_COMMON)
    if _repetitive(plain):
        raise WeakPassphraseError(TOO_REPETITIVE)
    if _sequential(plain):
        raise WeakPassphraseError(TOO_SEQUENTIAL)


def _bare(word: str) -> str:
    """``word`` without case, accents or spaces: what a phone's keyboard may or may not add."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c) and not c.isspace()).casefold()


def confirmed_erase(typed: str) -> bool:
    """Whether ``typed`` is the word that confirms erasing a wallet (``start_over.word``: ERASE, DZĒST,
    LÖSCHEN, EFFACER, USUŃ), in any of the wallet's languages (the page's language may have changed
    since the form was shown), with or without case and accents."""
    bare = _bare(typed)
    return bool(bare) and bare in {_bare(word) for word in STRINGS["start_over.word"].values()}


def tries_path(wallet_path: Path) -> Path:
    """Where the wrong tries of the wallet at ``wallet_path`` are counted."""
    return wallet_path.with_name(wallet_path.name + ".tries")


class UnlockThrottle:
    """Wrong passphrases in a row, as a phone counts wrong PINs: after ``free`` of them each further
    try waits twice as long as the last (2 s, 4 s ... at most ``longest``; :func:`esspass.throttle.backoff`,
    as the services count wrong sign-in tokens), tries run one at a time
    (threads and processes alike), so parallel requests cannot guess faster than one after another,
    and the count outlives the process (``<wallet file>.tries``; none when ``wallet_path`` is None).

    Use: ``with throttle.turn() as wait:`` (refuse while ``wait``), then, inside the same turn,
    :meth:`failed` or :meth:`succeeded`. ``clock`` is the wall clock (seconds since the epoch): the
    time to wait until is kept across restarts, and a wait is never longer than ``longest``, even
    when the clock was set back.

    A count that cannot be read (a damaged file) is taken as ``free`` wrong tries: fail closed. A
    count that cannot be written is still kept by this process."""

    def __init__(self, wallet_path: Path | None = None, *, free: int = 5, longest: float = 300.0,
                 clock: Callable[[], float] = time.time) -> None:
        self._file = tries_path(wallet_path) if wallet_path is not None else None
        self._wallet = wallet_path
        self._free, self._longest, self._clock = free, longest, clock
        self._failures = 0
        self._not_before = 0.0
        self._threads = threading.Lock()
        self._fd: int | None = None

    @contextlib.contextmanager
    def turn(self) -> Iterator[float]:
        """Hold the one unlocking turn; yields how many seconds to wait first (0: go ahead)."""
        with self._threads:
            fd = self._open()
            try:
                if fd is not None:
                    self._load(fd)
                self._fd = fd
                yield min(self._longest, max(0.0, self._not_before - self._clock()))
            finally:
                self._fd = None
                if fd is not None:
                    os.close(fd)  # and with it the lock

    def failed(self) -> None:
        """One more wrong passphrase (within :meth:`turn`)."""
        self._failures += 1
        if self._failures >= self._free:
            self._not_before = self._clock() + backoff(self._failures, free=self._free, longest=self._longest)
        self._save()

    def succeeded(self) -> None:
        """The right passphrase (within :meth:`turn`): the count starts again."""
        changed = self._failures or self._not_before
        self._failures, self._not_before = 0, 0.0
        if changed:
            self._save()

    def forget(self) -> None:
        """The wallet was erased (a new one starts): its count goes with it."""
        with self._threads:
            self._failures, self._not_before = 0, 0.0
            if self._file is not None:
                self._file.unlink(missing_ok=True)

    def _open(self) -> int | None:
        """The count's file, opened and locked; None without one, or while there is no wallet to
        count for (nothing is made beside a wallet file that does not exist)."""
        if self._file is None or self._wallet is None or not self._wallet.exists():
            return None
        try:
            fd = os.open(self._file, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError:
            return None  # this process's count still holds
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _load(self, fd: int) -> None:
        raw = os.pread(fd, 256, 0)
        if not raw:
            return  # a new file: this process's count (none, or kept while the file was away)
        try:
            data = json.loads(raw)
            failures, not_before = int(data["failures"]), float(data["not_before"])
            if failures < 0:
                raise ValueError(failures)
        except (ValueError, TypeError, KeyError):
            failures, not_before = max(self._failures, self._free), self._not_before
        self._failures, self._not_before = failures, not_before

    def _save(self) -> None:
        if self._fd is None:
            return
        data = json.dumps({"failures": self._failures, "not_before": round(self._not_before, 3)}).encode()
        with contextlib.suppress(OSError):  # a full disk: this process's count still holds
            os.ftruncate(self._fd, 0)
            os.pwrite(self._fd, data, 0)
            os.fsync(self._fd)
