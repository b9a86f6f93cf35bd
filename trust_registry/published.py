"""The lists the registry last signed, kept on disk so that a registry started while its database does
not answer still publishes them (README "PostgreSQL"; :func:`trust_registry.app.create_app`).

One file per kind, ``<data_dir>/registry/lists/<kind>.jwt``, holding exactly the signed list served
(its ETag, :func:`credentials.trust_list.fingerprint`, is made from those bytes). A list is public, so
the files are no secret; what matters is that none served is partial, foreign or expired:

* written whole (:func:`credentials.files.replace_file`: a temporary file, fsync, an atomic rename),
  so that a reader finds the old list or the new one;
* workers sharing the data directory (several ``--workers`` on the embedded SQLite database) take
  turns (``flock`` on ``.lock``), and a list never replaces one with a higher ``sequence`` (or a later
  issue of the same sequence) that is still valid: a worker that read the database just before a
  suspension must not put back, on disk, the list from before it;
* checked when read back (:meth:`PublishedLists.load`) as a client checks it: signed by this
  registry's own list-signing certificate (its ``x5c`` is the registry's chain, which validates to the
  registry root now, :func:`credentials.trust_list.verify_trust_list`), the kind asked for, and
  before its ``next_update``. A damaged, truncated, planted, expired or older signer's file is not
  served: the 503 stands (fail closed).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from cryptography.x509 import Certificate

from credentials import trust_list
from credentials.errors import CredentialError, MalformedError
from credentials.files import exclusive_lock, replace_file
from credentials.jose import decode_jws
from credentials.x509 import x5c_header
from trust_registry.client import MAX_LIST_BYTES

__all__ = ["PublishedLists"]

log = logging.getLogger("esspass.registry")


class PublishedLists:
    """The last signed list of each kind in ``directory``, for a registry signing with ``signer_chain``
    (leaf first) under ``root``."""

    def __init__(self, directory: Path, *, root: Certificate, signer_chain: Sequence[Certificate]) -> None:
        self.directory = directory
        self._root = root
        self._x5c = x5c_header(signer_chain)

    def path(self, kind: str) -> Path:
        return self.directory / f"{kind}.jwt"

    def stamp(self, kind: str) -> tuple[int, int, int] | None:
        """What identifies the file now (inode, modification time, size): a new one has another;
        None when there is none."""
        try:
            st = os.stat(self.path(kind))
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def store(self, kind: str, token: str, tl: trust_list.TrustList) -> bool:
        """Keep ``token`` (``tl`` signed) as the ``kind`` list on disk, unless the file holds a newer
        list still valid at ``tl``'s issue; True when written. An OSError (a full or read-only disk)
        is the caller's to log: it costs the copy on disk, never the answer."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with exclusive_lock(self.directory / ".lock"):
            held = self.load(kind, tl.issued_at, quiet=True)
            if held is not None and (held[1].sequence, held[1].issued_at) > (tl.sequence, tl.issued_at):
                return False
            replace_file(self.path(kind), token.encode("ascii"))
        return True

    def load(self, kind: str, now: datetime, *, quiet: bool = False) -> tuple[str, trust_list.TrustList] | None:
        """The ``kind`` list on disk and its content, if it may be served at ``now`` (module docstring);
        else None, with a warning saying why unless the file is missing (or ``quiet``)."""
        path = self.path(kind)
        try:
            if path.stat().st_size > MAX_LIST_BYTES:
                raise MalformedError("the file is larger than any list")
            token = path.read_bytes().decode("ascii")
            if decode_jws(token, max_bytes=MAX_LIST_BYTES).header.get("x5c") != self._x5c:
                raise MalformedError("not signed with this registry's list-signing certificate")
            tl = trust_list.verify_trust_list(token, registry_root=self._root, now=now, kind=kind)
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, CredentialError) as exc:
            if not quiet:
                log.warning("the %s list kept on disk is not served: it cannot be read or does not verify (%s)",
                            kind, type(exc).__name__, extra={"service": "registry", "event": "stored_list_refused"})
            return None
        if now >= tl.next_update:  # the rule of the list held in memory (trust_registry.app)
            if not quiet:
                log.warning("the %s list kept on disk is not served: it was valid until %s", kind,
                            tl.next_update.isoformat(), extra={"service": "registry", "event": "stored_list_expired"})
            return None
        return token, tl
