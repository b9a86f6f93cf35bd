"""Fetching Status List Tokens for verifiers, with a cache bounded by ``ttl`` and a maximum age.

draft-ietf-oauth-status-list §8.3 / §13: a relying party fetches the list at the reference's
``uri`` (as a JWT, or as a CWT for an mdoc), verifies it (here against the CA certificates the
trust list gives for the *same* institution that signed the credential), and may reuse it until
``ttl`` has passed. When the issuer
is unreachable, a cached list is still used up to ``max_age`` seconds old (offline tolerance,
issue #6), and its age is reported; beyond that the outcome is undetermined, never valid. A held
list is never used once its own ``exp`` has passed (§8.3 step 4, within the same clock skew
:func:`credentials.status_list.verify_token` allows), except that an entry it holds as final (§7.1
INVALID, our REPLACED and STOPPED: :func:`credentials.status_list.said_when_stale`) is still told,
with the day of the list: a withdrawal the device knows of never reads like "just no network". For
any other entry the answer says what the list last said and of when, and what to do
(:meth:`StatusClient._past_end`).

Rollback: the newest ``iat`` seen for a URI is one record shared by both forms (the JWT and the CWT
of a URI carry one list), and a list older than it is refused (a replay of a list signed before a
withdrawal, or a stale mirror); when it is refused, the newest list held for the URI, in either
form, answers. A list with the same ``iat`` as a held one that would turn a withdrawn entry
(INVALID, §7.1) back is refused too: which of two lists signed within one second came last cannot
be told, and our institutions never reinstate a withdrawn document. Likewise a list another process
wrote to the cache directory (``esspass verifier prefetch``) replaces the one held in memory when it
is newer, or of the same ``iat`` and withdrawing more (:func:`_replaces`).

Only one held list answers for a URI (:meth:`StatusClient._speaker`), within its ``ttl``, after a
304, offline or after a refused fetch alike: the newest kept in either form, whoever signed the
others, if no list of the same ``iat`` withdraws or suspends an entry it does not, its ``iat`` is not
below the newest-``iat`` mark, and :func:`_refusal` finds nothing against its signer. When that
list is refused (say its key was rotated out before it was fetched, or revoked since), no older one
answers in its place: no statement, never VALID. A 304 for an older copy of the list that may answer
(the other form, signed a second before) is an answer from the network like that copy fetched whole:
the list that may answer answers, unless the copy would be refused as a rollback
(:meth:`StatusClient._rollback`).

A fetch reads at most ``status_list.MAX_STATUS_TOKEN_BYTES`` and takes at most 5 s in all, from
connecting to the last byte of the body (:mod:`esspass.fetch`, with a client built on its
transport): an answer larger or slower, like an address that cannot be used, is a fetch that failed
(the held copy, else undetermined), so no institution's server can fill the verifier's memory or
hold an inspector's check, even by sending its headers a byte at a time.

An institution's server that gave no answer to a fetch (§8.3 step 2: unreachable, or no whole
answer within the deadline) is not asked again for a while, so that on a poor network a check does
not wait the deadline out again for each list while the worker's wallet waits on the verdict (it
gives up after 15 s): per origin (RFC 6454 scheme, host and port, where an institution keeps its
lists), 30 s after the first such fetch, twice as long after each further one, at most 5 min
(``retry_after``; as trust_registry.client spaces out its attempts, and within the registry's own
5 min, so a list published meanwhile is seen within minutes once the server answers). Within the
wait a check answers exactly as after a failed fetch (the list held within its ``ttl`` if it may
answer, else :meth:`StatusClient._fallback`), so the held list's checks and ages (``max_age``,
``exp``) bound it as ever: the wait never lets a list answer longer. A check that nothing held can
answer for (no list held for the URI, or only one too old, expired or refused) has no other way to
an answer, so one such check may still ask the server within each wait (not while another check
asks it). An answer from the origin (a list, a 304, even an error status: it answered, and
promptly) ends the wait; only a fetch that got no answer starts one, and not one begun before an
answer came. :meth:`StatusClient.prefetch` asks whatever the wait (the inspector asks for the lists
explicitly). The waits are kept in memory, per process, under the client's lock (the verifier
checks in several threads at once).

With a ``cache_dir`` the lists are also kept on disk, exactly as verified (signed), so that a
verifier restarted without network still has them; a list read back is verified again, as of when
it was fetched, against the institution the trust list names now. The newest-``iat`` record of
each URI is kept there too (``<hash>.newest``), so a restart does not forget it. A record that is
damaged (not a JSON object of the fields written, each of its kind: times finite numbers from 1970
to 9999, the ETag a string or none, ...) counts as no copy (fail closed), never as an error of the
check; a newest-``iat`` record that is, as no record (the lists held still set the mark).

A held list speaks only for as long as its signer does: every use of one (from memory, from disk,
confirmed by a 304, or as the newer list in a rollback check) first checks the chain it was verified
with against the trust list given for *this* check (:func:`_refusal`), as a freshly fetched list is
checked. Its CA must still be one of the institution's anchors, and its signer key one the
institution lists and has not revoked; a list failing that is not used (no conditional request
revalidates it). Under a CA no longer listed or signed by a revoked key, when nothing else answers,
the outcome is that of a list not signed by the institution (``forged``), never VALID: whoever holds
a compromised key also chose the list's ``iat``. A key the trust list does not list (yet: the
institution's new key right after a rotation, before this verifier's next trust list) makes no
statement (undetermined), not a forgery: never VALID either, and no genuine document INVALID.

A signer key merely *rotated out* (``esspass registry rotate`` closes its window; a normal key
change, not a revocation) keeps what it signed while listed: a list is judged by whether its key was
listed when the verifier first fetched it and whether it was signed before that window closed (its
``iat``), so a list held from before the rotation answers like any held list (a 304 confirms it,
within ``max_age`` offline). A list first fetched after the window closed (signed since by an issuer
not yet restarted with its new key, or claiming an ``iat`` inside the old window, which is the
signer's to choose) is not taken, and is no statement (undetermined), not a forgery; the list held
answers only if it is at least as new and withdraws all the refused one does. The same list
fetched whole again (a server without ETags) keeps the time it was first fetched. For a list fetched
now this is the rule :func:`credentials.trust_list.verify_status_list` applies for the wallet (the
key listed now). A refused list still counts against rollback (a held one's ``iat`` for the
newest-``iat`` mark, its withdrawals against a list of the same second): that can only take an
answer away.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from credentials import i18n, status_list, trust_list
from credentials.errors import CredentialError, MalformedError
from credentials.verification import StatusOutcome, duration_parts, status_value_of
from esspass import fetch

__all__ = ["HeldList", "Prefetched", "StatusClient"]

#: Seconds of clock difference tolerated around ``exp``: the default of status_list.verify_token,
#: so a held list stops being used when a freshly fetched copy would stop verifying.
_SKEW = 60
#: Seconds one fetch may take in all, from connecting to the last byte (:mod:`esspass.fetch`): an
#: inspector on site waits on it for the verdict.
_DEADLINE = 5.0
#: Seconds an origin that gave no answer is not asked again (``retry_after``; doubled after each
#: further fetch without an answer): trust_registry.client's default.
_RETRY_AFTER = 30.0
#: The longest such wait: the registry's own ``max-age`` ceiling (trust_registry.client
#: REVALIDATE_AFTER), so a withdrawal published while the server was out of reach is seen within
#: minutes of its answering again.
_RETRY_CAP = 300.0
#: The last unix time a record may hold: 9999-12-31T23:59:59Z, the last ``datetime`` can hold.
_LAST_TIME = 253402300799
#: The largest record read back from the cache directory: a token of
#: ``status_list.MAX_STATUS_TOKEN_BYTES`` in base64, with room for the other fields.
_MAX_RECORD_BYTES = (status_list.MAX_STATUS_TOKEN_BYTES + 2) // 3 * 4 + 64 * 1024
#: An entity tag that can be sent back in If-None-Match (RFC 9110 §8.8.3: visible ASCII, here at
#: most 1 KiB): a server's other values are not kept (the list is then fetched whole each time).
_ETAG = re.compile(r"[\x21-\x7e]{1,1024}")


@dataclass(frozen=True, slots=True)
class Prefetched:
    """What :meth:`StatusClient.prefetch` got: lists now cached (each form counts), lists it could
    not have, and how many institutions the cached ones belong to."""

    status_lists: int
    failed: int
    institutions: int


@dataclass(frozen=True, slots=True)
class HeldList:
    """A status list this client holds that may answer (:meth:`StatusClient.held`): its URI, the
    institution, when it was signed (``listed_at``, its ``iat``) and fetched, and ``until``, the
    moment it stops answering (the earlier of its ``exp`` and ``listed_at`` + ``max_age``; after
    it, only a final entry is still told, :func:`credentials.status_list.said_when_stale`). Unix
    seconds."""

    uri: str
    institution: str
    listed_at: float
    fetched_at: float
    until: float


@dataclass
class _Entry:
    verified: status_list.VerifiedStatusList
    fetched: float  # unix time of the last fetch, whole or confirmed by a 304 (what ``ttl`` counts from)
    entity_id: str
    etag: str | None = None
    obtained: float = -1.0  # unix time the token was fetched whole and verified (default: ``fetched``)

    def __post_init__(self) -> None:
        if self.obtained < 0:
            self.obtained = self.fetched


@dataclass
class _Origin:
    """What this client knows of one origin's server (RFC 6454: scheme, host and port)."""

    failures: int = 0  # fetches in a row it gave no answer to (0: it answers, as far as is known)
    since: float = 0.0  # unix time (of the checks' clock) the wait began: nobody asks it for a while
    spare: bool = False  # within the wait, a check nothing held answers for may still ask it, once
    outcomes: int = 0  # answers it gave and failures noted so far: a fetch begun before one counts no failure


_OriginKey = tuple[str, str, int | None]  # RFC 6454: scheme, host, port (default written in)
_Stamp = tuple[int, int, int]  # a record on disk as last seen: inode, mtime (ns), size (_stamp)
_UNSEEN = (-1, -1, -1)  # the stamp of a record never read nor written here


@dataclass(frozen=True, slots=True)
class _Refused:
    """Why a list does not speak for the institution; ``forged`` when it is to be treated as not
    signed by it (another institution's, a CA no longer listed, a key revoked), not when its key was
    merely rotated out before the list was fetched or signed, or is not (yet) listed."""

    why: str
    forged: bool


class StatusClient:
    """Callable as a :data:`credentials.verification.StatusLookup`.

    ``revalidate`` (default): inside ``ttl`` the cached list is still revalidated with a
    conditional request (ETag, 304 costs no signature check), so an inspector sees a revocation at
    once when online; ``ttl`` then bounds only how long the copy serves when the issuer is down.

    ``http`` should be built on :func:`esspass.fetch.transport`, which holds each fetch to
    ``fetch_deadline`` seconds in all (the institution's server may be hostile or broken).

    ``retry_after`` (seconds, 0 for none) spaces out fetches from an origin that gave no answer
    (module docstring): twice as long after each further one, at most 5 min (or ``retry_after`` if
    longer).
    """

    def __init__(self, http: httpx.Client, *, max_age: int = 24 * 3600, default_ttl: int = 300,
                 revalidate: bool = True, cache_dir: Path | None = None, fetch_deadline: float = _DEADLINE,
                 retry_after: float = _RETRY_AFTER) -> None:
        if not 0 <= retry_after < math.inf:
            raise ValueError("retry_after must be a finite number of seconds, 0 or more")
        self._http = http
        self._deadline = fetch_deadline
        self._retry_after = retry_after
        self._origins: dict[_OriginKey, _Origin] = {}  # servers asked so far: their waits (under _lock)
        self._dir = cache_dir
        self._revalidate = revalidate
        self._max_age = max_age
        self._default_ttl = default_ttl
        self._cache: dict[tuple[str, str], _Entry] = {}  # by (uri, token form)
        self._newest: dict[str, int] = {}  # uri -> newest iat verified for it, either form (the rollback mark)
        #: (uri, form) -> the stamp (:func:`_stamp`) of its record on disk as last read or written here: another
        #: process (``esspass verifier prefetch``, a replica) that writes a newer one is noticed (_current).
        self._on_disk: dict[tuple[str, str], _Stamp | None] = {}
        self._lock = threading.RLock()  # _rollback reads the mark and the held lists under it

    def __call__(self, ref: status_list.StatusReference, entity: trust_list.ListedEntity,
                 now: datetime) -> StatusOutcome:
        return self._check(ref, entity, now, force=False)

    def _check(self, ref: status_list.StatusReference, entity: trust_list.ListedEntity, now: datetime, *,
               force: bool, turn_of: int | None = None) -> StatusOutcome:
        """The lookup; ``force``: ask the server whatever its wait (:meth:`prefetch`, whose fetches from
        one origin all take the ``turn_of`` the first took: one failure for the lot, not a doubling each)."""
        ts = now.timestamp()
        key = (ref.uri, ref.token_form)
        entry = self._current(ref.uri, ref.token_form, entity)
        # A held list _refusal refuses is not offered for a 304 either: that confirms the token, not its signer.
        usable = entry is not None and _refusal(entry, entity) is None
        # Within its ttl a held list answers only if it is the one that may answer for the URI (_speaker):
        # not while the other form holds a newer list, or one of the same second that withdraws more.
        fresh = (usable and entry is not None and self._may_answer(entry, ref.uri, entity)
                 and ts - entry.fetched < (entry.verified.ttl or self._default_ttl)
                 and not _expired(entry, ts))  # §13.7: without a usable ttl, refresh at exp
        if fresh and not self._revalidate:
            assert entry is not None
            return self._outcome(entry, ref, now, "cache")
        origin = _origin(ref.uri)
        # Within the wait of a server that gave no answer, what a failed fetch would give, without asking.
        held: StatusOutcome | None = None
        until = None if force else self._waiting(origin, ts)
        if until is not None:
            held = self._unfetched(ref, entity, now, entry if fresh else None,
                                   f"The institution's server did not answer moments ago (it is asked again from "
                                   f"{datetime.fromtimestamp(until, now.tzinfo or UTC):%H:%M:%S %Z})")
        needed = held is not None and held.value is None  # nothing held answers: a fetch is the only way
        if force:
            turn: int | None = self._outcomes(origin) if turn_of is None else turn_of
        else:
            turn = self._turn(origin, ts, needed=needed)
        if turn is None:
            return held if held is not None else self._unfetched(
                ref, entity, now, entry if fresh else None, "The institution's server did not answer moments ago")
        cwt = ref.token_form == status_list.CWT  # an mdoc's list, in the CWT form (ISO 18013-5 2nd ed.)
        headers = {"Accept": status_list.CWT_MEDIA_TYPE if cwt else status_list.MEDIA_TYPE}
        if usable and entry is not None and entry.etag:
            headers["If-None-Match"] = entry.etag
        try:
            fetched = _fetch(self._http, ref.uri, headers, limit=status_list.MAX_STATUS_TOKEN_BYTES,
                             seconds=self._deadline)
        except _Unfetchable as exc:
            unfetched = self._unfetched(ref, entity, now, entry if fresh else None,
                                        "The institution's status list could not be fetched")
            self._after(origin, ts, turn, answered=exc.answered, needed=unfetched.value is None)
            return unfetched
        self._after(origin, ts, turn, answered=True)
        if fetched is None:  # 304: the held list is still the current one
            assert entry is not None
            entry.fetched = ts
            if self._may_answer(entry, ref.uri, entity):
                return self._outcome(entry, ref, now, "network")
            with self._lock:
                older = self._rollback(entry.verified, entity)
            speaker = None if older is not None else self._speaker(ref.uri, entity)[0]
            if speaker is not None:
                # An older copy of the newest list held (the other form, signed a second before) that changes
                # nothing that matters, confirmed now: the newest answers, as when the copy comes whole.
                return self._outcome(speaker, ref, now, "network")
            return self._fallback(ref, entity, now, "The institution's server confirmed a status list older than "
                                  "the newest one held", genuine=True)
        response, body = fetched
        # Exactly these bytes are verified, kept and read back after a restart: a JWT served with a
        # trailing newline (a static file, a CDN) must load from disk as it verified live.
        token: str | bytes = body if cwt else body.decode(response.encoding or "utf-8", errors="replace").strip()
        try:
            # The institution's own anchors, then its signer key as listed now (_refusal).
            verified = _verify(token, ref.uri, entity, now)
        except CredentialError as exc:
            return StatusOutcome(None, None, "network", f"The status list is not signed by the issuing institution "
                                 f"({exc.code}).", forged=True)
        entry = _Entry(verified, ts, entity.id, _etag(response.headers.get("etag")))
        untrusted = _refusal(entry, entity)
        if untrusted is not None:
            return self._untrusted(entry, untrusted, ref, entity, now)
        with self._lock:  # the check and the keeping as one step: two fetches at once cannot both pass
            refused = self._rollback(verified, entity)
            current = self._cache.get(key)
            # A newer list held in this form is kept, even one not answering now: it counts against rollback.
            newer = current is not None and current.verified.iat > verified.iat
            if refused is None and not newer:
                if current is not None and _same_list(current, entry):
                    # The same list sent whole again (no ETag): still the one first fetched then (_refusal).
                    entry.obtained = min(entry.obtained, current.obtained)
                self._cache[key] = entry
        if refused is not None:
            return self._fallback(ref, entity, now, refused, genuine=True)
        if not newer:
            self._save(ref.uri, ref.token_form, entry, token if isinstance(token, bytes) else token.encode("ascii"))
            self._raise_mark(ref.uri, verified.iat)
        # The list just taken, or an older copy that changes nothing that matters: the newest held answers.
        speaker, why_not = self._speaker(ref.uri, entity)
        if speaker is None:
            return StatusOutcome(None, None, "network", f"The newest status list held for the institution cannot "
                                 f"answer: {why_not}.")
        return self._outcome(speaker, ref, now, "network")

    def _unfetched(self, ref: status_list.StatusReference, entity: trust_list.ListedEntity, now: datetime,
                   fresh: _Entry | None, why: str) -> StatusOutcome:
        """The answer when no list could be fetched (or, within a wait, none was asked for): the held
        ``fresh`` list (within its ``ttl``, the one that may answer), else :meth:`_fallback`."""
        if fresh is not None:
            return self._outcome(fresh, ref, now, "cache")
        return self._fallback(ref, entity, now, why)

    # --- waiting for servers that gave no answer (module docstring) ------------------------------------

    def _wait(self, failures: int) -> float:
        """Seconds an origin is left alone after ``failures`` fetches in a row without an answer."""
        return min(self._retry_after * (1 << min(max(failures - 1, 0), 16)), max(self._retry_after, _RETRY_CAP))

    def _waiting(self, origin: _OriginKey | None, ts: float) -> float | None:
        """When the wait of ``origin`` ends, if one is running at ``ts``; else None."""
        with self._lock:
            state = None if origin is None else self._origins.get(origin)
            if state is None or not state.failures:
                return None
            wait = self._wait(state.failures)
            return state.since + wait if 0 <= ts - state.since < wait else None

    def _outcomes(self, origin: _OriginKey | None) -> int:
        """How many answers and failures of ``origin``'s server were noted so far: a fetch takes this
        number when it begins, for :meth:`_after`."""
        with self._lock:
            state = None if origin is None else self._origins.get(origin)
            return 0 if state is None else state.outcomes

    def _turn(self, origin: _OriginKey | None, ts: float, *, needed: bool) -> int | None:
        """Whether a check at ``ts`` asks ``origin``'s server: :meth:`_outcomes`, or None when it is
        not to be asked now.

        Asked: a server not known to have failed (every check revalidates); once its wait is over,
        by one check (the wait starts again at once, so the checks meanwhile do not each wait on it
        too); within the wait, by one check that nothing held answers for (``needed``) if none has
        asked since the wait began. A clock set back ends the wait, as in trust_registry.client."""
        if origin is None:
            return 0  # no address to ask (the fetch fails at once): nothing to wait for
        with self._lock:
            state = self._origins.get(origin)
            if state is None or not state.failures:
                return 0 if state is None else state.outcomes
            if not 0 <= ts - state.since < self._wait(state.failures):
                state.since, state.spare = ts, False
                return state.outcomes
            if needed and state.spare:
                state.spare = False
                return state.outcomes
            return None

    def _after(self, origin: _OriginKey | None, ts: float, turn: int, *, answered: bool | None,
               needed: bool = False) -> None:
        """Note how a fetch from ``origin`` begun at ``ts`` (after ``turn`` outcomes) went: an answer
        ends its wait; no answer starts one or doubles it, unless another outcome was noted since the
        fetch began (the server answered another fetch, or fetches in flight together when the link
        dropped: one failure for them all, not one doubling each); a fetch that never asked it
        (``answered`` None) changes nothing. A wait started by a check that nothing held answers for
        (``needed``) has no spare try left."""
        if origin is None or answered is None:
            return
        with self._lock:
            state = self._origins.setdefault(origin, _Origin())
            if answered:
                state.failures, state.outcomes = 0, state.outcomes + 1
            elif state.outcomes == turn:
                state.failures, state.since, state.spare = state.failures + 1, ts, not needed
                state.outcomes += 1

    def _untrusted(self, fetched: _Entry, refused: _Refused, ref: status_list.StatusReference,
                   entity: trust_list.ListedEntity, now: datetime) -> StatusOutcome:
        """A list just fetched whose signer does not speak for the institution now. Revoked or under a
        CA no longer listed: a forgery. A key rotated out, or not (yet) listed: no statement, unless
        the list held that may answer (:meth:`_speaker`) is at least as new and withdraws all the
        refused one does (the same list sent again by a server without ETags): that one answers."""
        if refused.forged:
            return StatusOutcome(None, None, "network", f"The status list is not trusted: {refused.why}.", forged=True)
        held, _ = self._speaker(ref.uri, entity)
        if held is not None and (held.verified.iat > fetched.verified.iat or (
                held.verified.iat == fetched.verified.iat and not status_list.undoes_withdrawal(
                    fetched.verified.status_list, held.verified.status_list, suspensions=True))):
            return self._outcome(held, ref, now, "cache")
        return StatusOutcome(None, None, "network", f"The status list was not taken: {refused.why}, so it makes no "
                             "statement.")

    def _speaker(self, uri: str, entity: trust_list.ListedEntity) -> tuple[_Entry | None, str]:
        """The one list held for ``uri`` (either form, memory or disk) that may answer, else None and why.

        It is the newest kept, whoever signed the others: a list kept (taken when fetched) and refused
        now (:func:`_refusal`) still says the institution had a newer word, so an older list answering
        past it could bring back a document it withdrew. So a list answers only if none kept is newer,
        none of the same ``iat`` withdraws or suspends an entry it does not (which came last cannot be
        told), its ``iat`` is not below the newest-``iat`` mark, and :func:`_refusal` finds nothing
        against its signer. Otherwise nothing answers: no statement, never VALID."""
        kept = self._held(uri, entity)
        if not kept:
            return None, "none is held"
        top = max(e.verified.iat for e in kept)
        mark = self._mark(uri, entity)
        if mark is not None and mark > top:
            return None, "a newer status list was seen for it than any held"
        newest = [e for e in kept if e.verified.iat == top]
        refusals = [(e, _refusal(e, entity)) for e in newest]
        for e, refused in refusals:
            if refused is None and not any(o is not e and status_list.undoes_withdrawal(
                    o.verified.status_list, e.verified.status_list, suspensions=True) for o in newest):
                return e, ""
        why = next((r.why for _, r in refusals if r is not None), None)
        if why is None:
            return None, "two lists of the same second held for it differ on a withdrawal or suspension"
        return None, f"it is not taken ({why})"

    def _may_answer(self, entry: _Entry, uri: str, entity: trust_list.ListedEntity) -> bool:
        """Whether ``entry`` says what the list :meth:`_speaker` picks says: it is that list, or the
        other form of it (the same ``iat``, its signer taken, and neither withdrawing or suspending
        an entry the other does not: the speaker was picked as withdrawing no less than any list of
        its second, and this one withdraws no less than the speaker)."""
        speaker = self._speaker(uri, entity)[0]
        if speaker is None or speaker is entry:
            return speaker is entry
        return (speaker.verified.iat == entry.verified.iat and _refusal(entry, entity) is None
                and not status_list.undoes_withdrawal(speaker.verified.status_list, entry.verified.status_list,
                                                      suspensions=True))

    def _rollback(self, verified: status_list.VerifiedStatusList, entity: trust_list.ListedEntity) -> str | None:
        """Why ``verified`` must not replace what is held for its URI, or None.

        A genuinely signed but older list (a stale mirror, or a replay of one signed before a
        withdrawal) would bring a withdrawn document back: the newest ``iat`` seen for the URI, in
        either form, from memory or from disk after a restart, is the high-water mark, as for trust
        lists (trust_registry.client). At the same ``iat`` a held list that withdraws an entry the
        new one does not wins (:func:`credentials.status_list.undoes_withdrawal`). Every list held
        is compared, even one whose signer the trust list no longer names (which answers nothing,
        :meth:`_fallback`): a refusal here only ever takes an answer away, never makes one VALID.
        """
        mark = self._mark(verified.uri, entity)
        if mark is None or verified.iat > mark:
            return None
        held = [h for h in self._held(verified.uri, entity) if h.verified.iat >= verified.iat]
        if verified.iat < mark and not held:
            return "The institution's server sent an older status list than the newest one seen"
        for newer in held:
            older = verified.iat < newer.verified.iat
            # An older copy of the same list (the other form, another worker's cache) is fine; one
            # from before a withdrawal or a suspension is a rollback.
            if status_list.undoes_withdrawal(newer.verified.status_list, verified.status_list, suspensions=older):
                return ("The institution's server sent an older status list than the one held, which lifts a "
                        "withdrawal or suspension" if older else "The institution's server sent a status list "
                        "of the same time as the one held that reinstates a withdrawn document")
        return None

    # --- prefetching (Status List Aggregation, §9) ------------------------------------------------------

    def prefetch(self, issuers: trust_list.TrustList, now: datetime) -> Prefetched:
        """Fetch every list of every institution that publishes its Status List Aggregation on the
        trust list, and of every other one whose lists this verifier has seen (their
        ``aggregation_uri``), in both forms, so that checks keep working without network.

        Only URIs on the aggregation URI's own origin (scheme, host and port) are fetched, and an
        ``aggregation_uri`` named by a list must be on that list's origin: an institution cannot
        point the verifier at another host. Each list is verified as on any check; one
        institution's failure is counted and the others are still fetched. Every server is asked
        whatever its wait (the inspector asks explicitly, where there is network), and its answers
        end the wait, as on any check; no answer starts one.
        """
        published = {e.id: e.status_lists for e in issuers.entities if e.status_lists}
        aggregations = {uri: entity_id for entity_id, uri in published.items()}
        for uri, entity_id in self._aggregations().items():
            if entity_id not in published:  # the trust list's word wins over a list's own
                aggregations.setdefault(uri, entity_id)
        ok = failed = 0
        institutions: set[str] = set()
        for aggregation_uri, entity_id in sorted(aggregations.items()):
            entity = issuers.entity(entity_id)
            if entity is None:
                continue  # no longer listed: nothing of it would be trusted anyway
            origin = _origin(aggregation_uri)
            turn = self._outcomes(origin)  # asked whatever its wait
            try:
                try:
                    fetched = _fetch(self._http, aggregation_uri, {"Accept": "application/json"},
                                     limit=_MAX_AGGREGATION_BYTES, seconds=self._deadline)
                except _Unfetchable as exc:
                    self._after(origin, now.timestamp(), turn, answered=exc.answered)
                    raise
                self._after(origin, now.timestamp(), turn, answered=True)
                turn = self._outcomes(origin)  # the lists' fetches, from the same origin, count one failure
                if fetched is None:
                    raise _Unfetchable("not modified, though nothing was held", answered=True)
                uris = json.loads(fetched[1]).get("status_lists")
            except (_Unfetchable, ValueError, AttributeError, RecursionError):
                failed += 1
                continue
            for uri in uris if isinstance(uris, list) else []:
                try:
                    if not isinstance(uri, str) or not _same_origin(uri, aggregation_uri):
                        raise MalformedError("a status list on another origin")
                    refs = [status_list.StatusReference(0, uri, token_form=form)
                            for form in (status_list.JWT, status_list.CWT)]
                except (CredentialError, httpx.InvalidURL):
                    failed += 1
                    continue
                for ref in refs:
                    outcome = self._check(ref, entity, now, force=True, turn_of=turn)
                    if outcome.source == "network" and outcome.value is not None:
                        ok += 1
                        institutions.add(entity.id)
                    else:
                        failed += 1
        return Prefetched(ok, failed, len(institutions))

    def held(self, issuers: trust_list.TrustList) -> list[HeldList]:
        """The status lists held (in memory, and on disk, verified again as any copy read back) that may
        answer for their URI (:meth:`_speaker`), one per URI, of the institutions ``issuers`` lists, by
        institution and URI: what a device prepared for a site without network holds, and until when
        each answers (:class:`HeldList`; draft-ietf-oauth-status-list §8.3 step 4, §13.7)."""
        with self._lock:
            named = {uri: e.entity_id for (uri, _form), e in self._cache.items()}
        if self._dir is not None:
            try:
                paths = list(self._dir.glob("*.json"))
            except OSError:
                paths = []
            for path in paths:
                record = _read_record(path)
                uri, entity_id = (record or {}).get("uri"), (record or {}).get("entity_id")
                if isinstance(uri, str) and isinstance(entity_id, str):
                    named.setdefault(uri, entity_id)
        found = []
        for uri, entity_id in named.items():
            entity = issuers.entity(entity_id)
            speaker = None if entity is None else self._speaker(uri, entity)[0]
            if speaker is not None:
                v = speaker.verified
                found.append(HeldList(uri, entity_id, float(v.iat), speaker.fetched,
                                      float(min(v.exp, v.iat + self._max_age))))
        return sorted(found, key=lambda h: (h.institution, h.uri))

    def known(self, ref: status_list.StatusReference, entity: trust_list.ListedEntity) -> int | None:
        """The entry for ``ref`` in the list held for its URI that may answer (:meth:`_speaker`), whatever
        that list's age, fetching nothing; None when no list held may answer, or the index is outside
        it. For a record looked up again once the lists are fetched (verifier.records
        ``RecordStore.recheck``), which reads only final entries from it (a list past its end still
        tells those, :func:`credentials.status_list.said_when_stale`); never for a check's answer."""
        speaker = self._speaker(ref.uri, entity)[0]
        return None if speaker is None else status_value_of(speaker.verified, ref)

    def _aggregations(self) -> dict[str, str]:
        """aggregation_uri -> institution, from the lists in memory and on disk, where the list
        came from the same origin as the aggregation it names."""
        with self._lock:
            named: list[tuple[object, object, object]] = [
                (e.verified.aggregation_uri, e.verified.uri, e.entity_id) for e in self._cache.values()]
        if self._dir is not None:
            try:
                paths = list(self._dir.glob("*.json"))
            except OSError:
                paths = []  # no directory, or not one: no record
            for path in paths:
                record = _read_record(path)
                if record is not None:  # damaged: names nothing
                    named.append((record.get("aggregation_uri"), record.get("uri"), record.get("entity_id")))
        found: dict[str, str] = {}
        for aggregation_uri, list_uri, entity_id in named:
            if isinstance(aggregation_uri, str) and isinstance(list_uri, str) and isinstance(entity_id, str) \
                    and _same_origin(aggregation_uri, list_uri):
                found.setdefault(aggregation_uri, entity_id)
        return found

    # --- on disk ---------------------------------------------------------------------------------------

    def _path(self, uri: str, form: str) -> Path | None:
        if self._dir is None:
            return None
        name = hashlib.sha256(f"{form}\x00{uri}".encode()).hexdigest()
        return self._dir / f"{name}.json"

    def _mark_path(self, uri: str) -> Path | None:
        # Not *.json: _aggregations reads those as lists.
        return None if self._dir is None else self._dir / f"{hashlib.sha256(uri.encode()).hexdigest()}.newest"

    def _mark(self, uri: str, entity: trust_list.ListedEntity) -> int | None:
        """The newest ``iat`` verified for ``uri`` in either form: the record (memory, else disk) and
        the lists held; the latter cover a cache written before the record existed. Like the record,
        which no later trust list lowers, a held list counts whoever signed it: it was verified when
        fetched, and its ``iat`` was then no later than the fetch (§8.3 step 4, within the clock
        skew), so no signer can raise the mark past the institution's next list."""
        with self._lock:
            known = self._newest.get(uri)
        path = self._mark_path(uri)
        record = _read_record(path) if known is None and path is not None else None
        iat = None if record is None or record.get("uri") != uri else record.get("iat")
        # An integer a verified list's iat can be (1970 to 9999); else damaged: the lists held below still set the mark.
        if type(iat) is int and 0 <= iat <= _LAST_TIME:
            known = iat
            with self._lock:
                self._newest[uri] = max(self._newest.get(uri, iat), iat)
        marks = [m for m in (known, *(e.verified.iat for e in self._held(uri, entity))) if m is not None]
        return max(marks) if marks else None

    def _raise_mark(self, uri: str, iat: int) -> None:
        with self._lock:
            if iat <= self._newest.get(uri, iat - 1):
                return
            self._newest[uri] = iat
        path = self._mark_path(uri)
        if path is not None:
            _write_atomically(path, {"uri": uri, "iat": iat})

    def _held(self, uri: str, entity: trust_list.ListedEntity) -> list[_Entry]:
        """The lists held for ``uri`` in either form for ``entity``, from memory or (verified again, as
        of their fetch) from disk, whoever signed them: one answers only if :func:`_refusal` finds
        nothing against its signer now."""
        held = []
        for form in (status_list.JWT, status_list.CWT):
            entry = self._current(uri, form, entity)
            if entry is not None and entry.entity_id == entity.id:
                held.append(entry)
        return held

    def _save(self, uri: str, form: str, entry: _Entry, token: bytes) -> None:
        path = self._path(uri, form)
        if path is None:
            return
        record: dict[str, object] = {
            "uri": uri, "form": form, "entity_id": entry.entity_id, "fetched": entry.fetched,
            "obtained": entry.obtained, "etag": entry.etag, "aggregation_uri": entry.verified.aggregation_uri,
            "token": base64.b64encode(token).decode("ascii")}
        stamp = _write_atomically(path, record)
        with self._lock:
            self._on_disk[(uri, form)] = stamp  # our own record: no reason to read it back

    def _current(self, uri: str, form: str, entity: trust_list.ListedEntity) -> _Entry | None:
        """The list held for ``uri`` in ``form``: the one in memory, else the copy on disk (:meth:`_load`),
        which is also read again when another process (``esspass verifier prefetch``, a replica on the
        same data directory) wrote it since this one last read or wrote it: the newer of the two is held
        (:func:`_replaces`)."""
        with self._lock:
            entry = self._cache.get((uri, form))
            seen = self._on_disk.get((uri, form), _UNSEEN)
        path = self._path(uri, form)
        if entry is not None and (path is None or seen == _stamp(path)):
            return entry
        loaded = self._load(uri, form, entity)
        return loaded if loaded is not None else entry

    def _load(self, uri: str, form: str, entity: trust_list.ListedEntity) -> _Entry | None:
        """The copy on disk, verified again as of its fetch against ``entity``'s anchors; None if
        unusable: missing, not this institution's, or damaged, as if there were no copy (fail
        closed). Damaged: not a JSON object of the fields :meth:`_save` writes, each of its kind
        (``token`` base64 text, ``fetched`` and ``obtained`` unix times, :func:`_time`, ``etag`` a
        string or null), or a list first fetched before it could be (``obtained`` earlier than its
        ``iat`` less the clock skew, which a fetch verifies). An ETag that cannot be sent back
        (:data:`_ETAG`) is dropped (the list is fetched whole next time), not the copy."""
        path = self._path(uri, form)
        if path is not None:
            with self._lock:  # before reading: a record written meanwhile is read again next time
                self._on_disk[(uri, form)] = _stamp(path)
        record = None if path is None else _read_record(path)
        if record is None or record.get("uri") != uri or record.get("form") != form \
                or record.get("entity_id") != entity.id:
            return None
        token, etag = record.get("token"), record.get("etag")
        fetched = _time(record.get("fetched"))
        obtained = _time(record.get("obtained", record.get("fetched")))  # older records: fetched
        if not isinstance(token, str) or fetched is None or obtained is None \
                or not (etag is None or isinstance(etag, str)):
            return None
        try:
            raw = base64.b64decode(token, validate=True)
            # Stripped as when it was verified live: copies saved by earlier versions kept the
            # response body as served, trailing newline included.
            verified = _verify(raw if form == status_list.CWT else raw.decode("ascii").strip(), uri, entity,
                               datetime.fromtimestamp(fetched, UTC))
        except (ValueError, TypeError, KeyError, OverflowError, RecursionError, OSError, CredentialError):
            return None  # OverflowError: a platform's narrower time_t; the others, a token damaged past parsing
        obtained = min(fetched, obtained)
        if obtained < verified.iat - _SKEW:
            return None
        entry = _Entry(verified, fetched, entity.id, _etag(etag), obtained)
        with self._lock:
            current = self._cache.get((uri, form))
            if current is not None and not _replaces(entry, current):
                return current  # what this process holds is as new: kept (its fetch time, its ETag)
            self._cache[(uri, form)] = entry
        return entry

    def _fallback(self, ref: status_list.StatusReference, entity: trust_list.ListedEntity, now: datetime,
                  why: str, *, genuine: bool = False) -> StatusOutcome:
        """No new list: the newest one held for the URI in either form (one list, two encodings), if
        it is this institution's, its signer listed when it was fetched (:func:`_refusal`) and within
        ``max_age``; else no statement.

        Only the list :meth:`_speaker` names answers: past a newer list kept (refused now or not), or
        below the newest-``iat`` mark, no held list answers (no statement).

        When nothing could be fetched and the only lists held are refused as not the institution's
        (a key revoked, a CA no longer listed), the outcome is the one a list not signed by the
        institution gives (``forged``): fetched now, the same token would be refused as one. Not when
        they are refused only because their key was rotated out before they were fetched or signed,
        or is not listed (no statement), nor when a ``genuine`` list was fetched and refused as older
        than the held ones (:meth:`_rollback`): the institution did sign that one."""
        ts = now.timestamp()
        kept = sorted(self._held(ref.uri, entity), key=lambda e: e.verified.iat, reverse=True)
        refusals = [(e, _refusal(e, entity)) for e in kept]
        if kept and all(refused is not None for _, refused in refusals):
            forged = [(e, r) for e, r in refusals if r is not None and r.forged]
            newest, refused = (forged or refusals)[0]
            assert refused is not None
            if forged and not genuine:
                return StatusOutcome(None, max(0.0, ts - newest.verified.iat), "cache",
                                     f"{why}, and the status list held is no longer trusted: {refused.why}.",
                                     forged=True)
            return StatusOutcome(None, max(0.0, ts - newest.verified.iat), "none",
                                 f"{why}, and the status list held cannot be used: {refused.why}.")
        entry, why_not = self._speaker(ref.uri, entity)
        if entry is None and kept:  # a newer list, refused now, or two of one second that disagree
            return StatusOutcome(None, max(0.0, ts - kept[0].verified.iat), "none",
                                 f"{why}, and the newest status list held cannot answer: {why_not}.")
        if entry is not None and ts - entry.verified.iat <= self._max_age:
            return self._outcome(entry, ref, now, "cache")
        if entry is None:
            return StatusOutcome(None, None, "none", f"{why}.")
        # Past the maximum age: no newer list, and the one held is too old (said as a duration, not
        # "1800 minutes"; no server's retry time, which says nothing after a day without network).
        age = ts - entry.verified.iat
        return self._past_end(entry, ref, now, "none", f"No newer status list could be fetched, and the one held "
                              f"on this device is {_duration(age)} old, more than the {_duration(self._max_age)} "
                              "allowed.")

    def _outcome(self, entry: _Entry, ref: status_list.StatusReference, now: datetime,
                 source: str) -> StatusOutcome:
        """The answer from a verified list, which may be held (memory, disk, confirmed by a 304):
        §8.3 step 4 (``exp`` not reached, ``iat`` within ``max_age``) is checked again as of ``now``;
        a list past either says only a final entry (:meth:`_past_end`)."""
        ts = now.timestamp()
        age = max(0.0, ts - entry.verified.iat)
        if _expired(entry, ts):
            return self._past_end(entry, ref, now, source,
                                  "The status list has expired and no newer one could be fetched.")
        if age > self._max_age:
            return self._past_end(entry, ref, now, source, "The status list is older than the allowed maximum age.")
        value = status_value_of(entry.verified, ref)
        if value is None:
            return StatusOutcome(None, age, source, "The document's entry is outside the status list.", forged=True)
        return StatusOutcome(value, age, source)

    def _past_end(self, entry: _Entry, ref: status_list.StatusReference, now: datetime, source: str,
                  why: str) -> StatusOutcome:
        """The answer of a list that may answer but is past its ``exp`` or ``max_age`` (§8.3 step 4): no
        statement (``why``), never VALID, except for a final entry, which it still says
        (:func:`credentials.status_list.said_when_stale`, §7.1): a withdrawal the device knows of stays
        told, with the day of the list (``listed_at``, the list's ``iat``). Else the step says what the
        list last said of the document and of when, and what the inspector can do
        (``status.stale``, ``status.stale_suspended``; the pages translate them)."""
        ts = now.timestamp()
        age = max(0.0, ts - entry.verified.iat)
        value = status_value_of(entry.verified, ref)
        if value is None:  # outside the list: no last word to tell
            return StatusOutcome(None, age, source, why)
        listed = _day(entry.verified.iat, now)
        params = (("listed_at", float(entry.verified.iat)), ("age_seconds", age))
        final = status_list.said_when_stale(value)
        if final is not None:  # told from the list held: its source is the cache, even when past max_age
            return StatusOutcome(final, age, "cache" if source == "none" else source, params=params,
                                 detail=f"as the status list of {listed} held on this device says")
        said = "suspended" if value == status_list.SUSPENDED else "not withdrawn or suspended"
        return StatusOutcome(None, age, source, why, key="status.stale_suspended" if value == status_list.SUSPENDED
                             else "status.stale", params=params,
                             detail=f"The list held, of {listed}, said then that the document was {said}. "
                                    "Connect to the network to update the lists, or check again later; the "
                                    "document's signature and issuer are fine.")


#: The largest Status List Aggregation (§9) read: a JSON list of URIs.
_MAX_AGGREGATION_BYTES = 1024 * 1024


class _Unfetchable(Exception):
    """No usable answer: the server is unreachable, answered an error, too much or too slowly, or
    its address cannot be used (a host name IDNA refuses raises UnicodeError, no httpx.HTTPError).

    ``answered``: whether the server answered (an error status, too much), or None when it was never
    asked (an address that cannot be used): only a fetch that got no answer, which cost the check its
    wait, makes the server's origin wait (module docstring)."""

    def __init__(self, message: str, *, answered: bool | None) -> None:
        super().__init__(message)
        self.answered = answered


def _fetch(http: httpx.Client, uri: str, headers: dict[str, str], *, limit: int,
           seconds: float) -> tuple[httpx.Response, bytes] | None:
    """GET ``uri``: the response and its body of at most ``limit`` bytes, the whole exchange within
    ``seconds`` (:func:`esspass.fetch.stream`); None for a 304 when ``headers`` revalidate; else
    :class:`_Unfetchable`."""
    try:
        with fetch.stream(http, "GET", uri, seconds=seconds, headers=headers, timeout=seconds) as response:
            if response.status_code == 304 and "If-None-Match" in headers:
                return None
            response.raise_for_status()
            return response, fetch.read(response, limit=limit)
    except httpx.TransportError as exc:  # no answer: refused, reset, timed out, past the deadline (fetch)
        raise _Unfetchable(str(exc), answered=False) from exc
    except (fetch.TooLarge, httpx.HTTPError) as exc:  # an answer: an error status, too large, undecodable
        raise _Unfetchable(str(exc), answered=True) from exc
    except (httpx.InvalidURL, UnicodeError) as exc:  # an address that cannot be used: nobody was asked
        raise _Unfetchable(str(exc), answered=None) from exc


def _write_atomically(path: Path, record: dict[str, object]) -> _Stamp | None:
    """``record`` as ``path``, readable by its owner alone (0600, in a 0700 directory) whatever the umask
    of the process writing it (``esspass verifier prefetch`` from an operator's shell, as the service):
    which institutions' lists a device holds, and when it fetched them, is the deployment's own. Its
    stamp (:func:`_stamp`, taken from the file written, so never another process's written just
    after), or None when it could not be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(record))
            fh.flush()
            st = os.fstat(fh.fileno())
        os.replace(tmp, path)  # whole or not at all: a reader never sees half a record
    except OSError:
        return None  # a full or read-only disk costs the offline copy, never the check
    return st.st_ino, st.st_mtime_ns, st.st_size


def _verify(token: str | bytes, uri: str, entity: trust_list.ListedEntity,
            at: datetime) -> status_list.VerifiedStatusList:
    """``token`` (a JWT as ``str``, a CWT as ``bytes``) verified against ``entity``'s own CA
    certificates as of ``at`` (draft-ietf-oauth-status-list §8.3, §11.3); its signer key is
    :func:`_refusal`'s to judge."""
    if isinstance(token, bytes):
        return status_list.verify_cwt_token(token, uri=uri, anchors=entity.anchors(), now=at)
    return status_list.verify_token(token, uri=uri, anchors=entity.anchors(), now=at)


def _refusal(entry: _Entry, entity: trust_list.ListedEntity) -> _Refused | None:
    """Why ``entry`` (held, or just fetched) does not speak for ``entity`` as the trust list names it
    for this check, or None; on the chain kept with the entry, so no signature is checked again.

    Forged: another institution's list, one whose CA is no longer (or, revoked, not) among the
    institution's anchors, one whose signer key the institution revoked (a compromised key also
    chose the list's ``iat``). Not forged, only not taken: a key under the institution's CA that its
    trust list does not list (yet: a new key after a rotation this verifier's trust list does not
    show), or one listed and not revoked, but not when the list was first fetched (rotated out
    before, or listed only later), or whose window closed before the list's ``iat`` (signed after
    the rotation). A list fetched while
    its key was listed and signed before the window closed speaks as long as any held list does: a
    rotation is a key change, not a compromise (:func:`credentials.trust_list.check_listed_signer`
    draws the same line for a credential, by its issuance)."""
    if entry.entity_id != entity.id:
        return _Refused("the list of another institution", forged=True)
    if entry.verified.chain.anchor not in entity.anchors():
        return _Refused("its certificate authority is no longer on the trust list", forged=True)
    windows = trust_list.signer_listings(entity, entry.verified.chain.leaf)
    if windows is None:
        return None  # an institution listing only its CAs is judged by them
    if not windows:  # a new key the verifier's trust list does not show yet (a rotation), or never listed
        return _Refused(f"the document signer key is not (yet) listed by {entity.id} on the trust list",
                        forged=False)
    if any(c.revoked for c in windows):
        return _Refused(f"{entity.id} revoked this document signer key (compromised): nothing it signed is trusted",
                        forged=True)
    fetched = datetime.fromtimestamp(entry.obtained, UTC)
    signed = datetime.fromtimestamp(entry.verified.iat, UTC)
    if any(c.listed_at(fetched) and signed <= c.not_after for c in windows):
        return None
    closed = [c.not_after for c in windows if c.not_before <= fetched]
    if not closed:
        opens = min(c.not_before for c in windows)
        return _Refused(f"the key that signed this status list is listed by {entity.id} only from {_when(opens)}, "
                        "and the list was fetched before that", forged=False)
    what = "signed after that" if signed > max(closed) else "fetched only after that"
    return _Refused(f"{entity.id} rotated out the key that signed this status list on {_when(max(closed))} "
                    f"(a key change, not a revocation), and the list was {what}", forged=False)


def _replaces(loaded: _Entry, held: _Entry) -> bool:
    """Whether ``loaded``, a copy read from disk (written by another process), takes the place of the
    list ``held`` in memory for the same URI and form: a later ``iat``, or the same ``iat`` (two lists
    signed within one second, which came last cannot be told) and withdrawing or suspending an entry
    ``held`` does not, while lifting no withdrawal of ``held``'s: as a list of that second fetched now
    would be taken (:meth:`StatusClient._rollback`), a withdrawal is final (§7.1). Otherwise the held
    one is kept, with its fetch time and ETag."""
    if loaded.verified.iat != held.verified.iat:
        return loaded.verified.iat > held.verified.iat
    return (status_list.undoes_withdrawal(loaded.verified.status_list, held.verified.status_list, suspensions=True)
            and not status_list.undoes_withdrawal(held.verified.status_list, loaded.verified.status_list))


def _same_list(a: _Entry, b: _Entry) -> bool:
    """Whether two fetches of one URI and form got the same list: same ``iat``, entries and signer."""
    x, y = a.verified, b.verified
    return (x.iat == y.iat and x.status_list.bits == y.status_list.bits and x.status_list.size == y.status_list.size
            and x.status_list.to_bytes() == y.status_list.to_bytes() and x.chain.leaf == y.chain.leaf)


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _day(ts: float, now: datetime) -> str:
    """The day of unix time ``ts`` in the zone of ``now`` (the verifier's: where the inspector is), in
    English words as the pages write dates (:func:`credentials.i18n.format_date`)."""
    return i18n.format_date(datetime.fromtimestamp(ts, now.tzinfo or UTC).date(), "en")


def _duration(seconds: float) -> str:
    """A duration in English words, as people read it (:func:`credentials.verification.duration_parts`)."""
    return " and ".join(f"{count} {unit}{'' if count == 1 else 's'}" for count, unit in duration_parts(seconds))


def _expired(entry: _Entry, ts: float) -> bool:
    """§8.3 step 4: "if exp is present the token MUST NOT be expired" (``exp`` is required in our profile)."""
    return ts >= entry.verified.exp + _SKEW


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(uri: str) -> _OriginKey | None:
    """The RFC 6454 origin of ``uri``: scheme, host and port (a default port written out or left out
    alike); None for an address without a host, or one that cannot be used."""
    try:
        url = httpx.URL(uri)
        host = url.host  # decoded when read: a host name IDNA refuses raises UnicodeError then
    except (httpx.InvalidURL, UnicodeError):
        return None
    return (url.scheme, host, url.port or _DEFAULT_PORTS.get(url.scheme)) if host else None


def _same_origin(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` have one RFC 6454 origin (:func:`_origin`)."""
    x = _origin(a)
    return x is not None and x == _origin(b)


def _stamp(path: Path) -> _Stamp | None:
    """What tells one record at ``path`` from the next (None when there is none): its inode, which
    each write changes (:func:`_write_atomically` puts a new file in its place), with when it was
    written (ns) and its size. Not the time alone: a file system keeps it in ticks (milliseconds, or
    whole seconds), and a record written by ``esspass verifier prefetch`` within the tick of this
    process's own would pass unnoticed, its list never read."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _read_record(path: Path) -> dict[str, object] | None:
    """The JSON object kept at ``path``; None when there is none, or what is there is no JSON object
    (damaged, cut short, too large, nested too deep to parse): as if there were no record."""
    try:
        if path.stat().st_size > _MAX_RECORD_BYTES:
            return None
        record = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


def _time(value: object) -> float | None:
    """A unix time read from a record: a JSON number (no boolean, no text), finite, from 1970 to 9999
    (what ``datetime`` holds); else None, damaged."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= _LAST_TIME:
        return None  # NaN compares false: refused too
    return float(value)


def _etag(value: object) -> str | None:
    """``value`` if it is an entity tag that can be sent back in If-None-Match (:data:`_ETAG`), else
    None: a header with a line break or beyond ASCII would fail every conditional request (and
    then a held list would answer in place of every newer one until its ``max_age``)."""
    return value if isinstance(value, str) and _ETAG.fullmatch(value) else None
