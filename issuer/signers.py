"""Which of an institution's document signers signs now: the rule, and the trust list it heeds.

An institution may be configured with more than one document signer (its key and ``x5c`` chain,
:mod:`issuer.institutions`): the current one and the next, so that a signer certificate is replaced
without a restart at the moment it ends (README "Own keys in a real deployment"). Every credential
(SD-JWT VC, mdoc, offline and paper QR code) and every Status List Token is signed with the signer
:func:`current_signer` chooses at that moment; a copy's ``exp`` is the end of the chain it was signed
with (:func:`issuer.service.credential_end`).

**The rule** (:func:`current_signer`, pure: the signers, the time and, when the issuer holds the
registry's issuers list, what that list accepts):

1. A signer *can sign* at ``now`` when every certificate of its chain is valid then and the chain
   does not end within :data:`SIGNER_MARGIN` (a copy would reach the wallet, or the inspector,
   already void), and the issuers list the issuer holds does not *bar* it (:func:`barred_by`): its
   key, or the CA key its chain hangs from, is revoked there (``esspass registry revoke-key``: it
   was compromised, and nothing it signs is trusted), the institution is suspended or withdrawn
   there (its status period in force), or the key's listed window has closed (``esspass registry
   rotate``) with none opening later. A *Status List Token* is barred by the first and the last only
   (``status_lists``): a verifier takes an institution's list whatever the institution's status
   (``esspass.status_client``), and the documents a withdrawn institution issued before stay valid
   until each is withdrawn through its list (:mod:`credentials.trust_list` "Policy"), so its lists
   go on being served; a suspended one's keep telling the withdrawals made during the suspension.
   When none can, nothing is signed: 503 ``signer.expired``
   when no chain is valid, ``signer.distrusted`` when the list bars each that is
   (:func:`unsigned_rule`, :mod:`issuer.service`, :mod:`issuer.status_lists`), before any code is
   spent: a copy signed then is refused by every wallet and verifier holding that list.
2. When the issuer holds the issuers list, the signers it accepts are preferred, in this order:
   those it accepts now *and* accepted :data:`SETTLE` ago (every verifier online has fetched a list
   naming the key since: they ask again at most every five minutes, ``trust_registry.client``); then
   those it accepts now (a rotation, ``esspass registry rotate``, closed the older key's window: the
   newer key is the only one verifiers take from now on); then, if it accepts none, all that can
   sign, which the list does not bar: a key it does not show yet, merely not registered so far (a
   copy some verifier refuses is still better than no copy; ``esspass issuer check`` says
   REFUSED). Without a list (none configured, or the registry not reached since the issuer
   started and none cached), the dates alone decide.
3. Among those, the newest: the latest ``notBefore`` of its chain, then the latest end, then the
   later in the file. A newer certificate gives copies that live longer.

So a next signer takes over at its ``notBefore`` (with the list: five minutes after the registry
lists it and it is valid, whichever is later), and the older one keeps signing until then; an older
signer within :data:`SIGNER_MARGIN` of its end is left for the next whatever the list says, since
it cannot sign at all. Signers whose chain has not ended are all published
(:func:`published`, ``/.well-known/jwt-vc-issuer/<institution>``), so that a verifier resolving
keys by ``kid`` knows the next key before it is used; a key the list revokes is not (nothing it
signed is trusted), one rotated out is (what it signed inside its window stays valid).

**The types it may issue** (:func:`unlisted_role`): an institution configured here for a credential type
(its ``roles``) that the issuers list names it without the role for (``esspass registry roles``) would
sign copies every wallet and verifier refuses (:func:`credentials.trust_list.authorised_issuer`: "not
competent to issue this credential type"). So nothing of that type is recorded, approved, offered,
printed or signed (:data:`TYPE_UNLISTED`), nor advertised in its metadata, while the list held says
so; its other types go on. Without a list (none configured, or none to be had: the same as for the
signers, rule 2), and for an institution the list does not name at all (not registered yet, as a key
not listed yet), the configuration alone decides, as it did before: ``esspass issuer check`` says
REFUSED for either.

The issuers list is read by :class:`SignerChoice` from what it last fetched (:meth:`SignerChoice.refresh`,
run by the service's housekeeping outside any request): signing happens inside database
transactions, which never wait on the registry. It keeps a choice :data:`CHOICE_KEPT` (judging by
the list validates chains, and verifiers ask for status lists all the time), never past the moment
its signer can no longer sign.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.x509 import Certificate

from credentials import trust_list
from credentials.claims import register_rules
from credentials.errors import CredentialError
from credentials.institutions import ROLE_FOR_VCT, Entity
from credentials.jose import PrivateKey
from credentials.x509 import spki_kid

__all__ = ["CHOICE_KEPT", "DISTRUSTED", "EXPIRED", "REVOKED", "ROTATED_OUT", "SETTLE", "SIGNER_MARGIN",
           "TYPE_UNLISTED", "Barred", "Listed", "Signer", "SignerChoice", "accepted_by", "barred_by", "can_sign",
           "chain_start", "current_signer", "list_changes", "lists_accepted_by", "next_switch", "published",
           "revoked_by", "signer_end", "type_label", "unlisted_role", "unsigned_rule"]

_log = logging.getLogger("esspass.issuer")

#: Nothing is signed under a signer chain ending sooner than this: a copy living less would reach the
#: wallet (or the inspector) already void, and the clocks of the three parties differ by seconds.
SIGNER_MARGIN = timedelta(minutes=1)

#: How long the issuers list must have listed a newer signer before it is preferred to an older one
#: the list accepts too: the longest a verifier online keeps a list before asking again
#: (``trust_registry.client.REVALIDATE_AFTER``, the registry's ``max-age``), so that none of them
#: refuses a copy for a key its list does not show yet.
SETTLE = timedelta(minutes=5)

#: Does the issuers list accept what ``signer`` signs at ``at``? (:func:`accepted_by`)
Listed = Callable[["Signer", datetime], bool]

#: Why the issuers list lets ``signer`` sign nothing at ``at`` (:func:`barred_by`), or None: it does not
#: bar it (it may still not accept it: a key not listed yet).
Barred = Callable[["Signer", datetime], str | None]

#: Why a signer is barred (:func:`barred_by`), besides the institution's status on the list
#: (:data:`credentials.trust_list.SUSPENDED`, :data:`~credentials.trust_list.WITHDRAWN`).
REVOKED, ROTATED_OUT = "revoked", "rotated out"

#: The refusals when nothing is signed (:func:`unsigned_rule`): no signer chain valid now (worded in
#: :mod:`issuer.service`), or the issuers list bars every signer whose chain is.
EXPIRED, DISTRUSTED = "signer.expired", "signer.distrusted"

register_rules({DISTRUSTED: (  # the refusal the back office shows (issuer.rules.refusal); not "expired"
    "the trust list no longer accepts the institution's signing key: it was revoked or replaced there, or the "
    "institution is suspended or withdrawn there",
    "uzticamības saraksts vairs nepieņem iestādes parakstīšanas atslēgu: tā tajā ir atsaukta vai aizstāta, vai arī "
    "iestādes dalība tajā ir apturēta vai izbeigta",
    "die Vertrauensliste akzeptiert den Signaturschlüssel der Einrichtung nicht mehr: er wurde dort widerrufen oder "
    "ersetzt, oder die Einrichtung ist dort ausgesetzt oder gestrichen",
    "la liste de confiance n'accepte plus la clé de signature de l'organisme : elle y a été révoquée ou remplacée, "
    "ou l'organisme y est suspendu ou retiré",
    "lista zaufania nie akceptuje już klucza podpisu instytucji: został na niej unieważniony lub zastąpiony albo "
    "instytucja jest na niej zawieszona lub wycofana",
)})


#: The refusal of a credential type the issuers list does not list the institution for (:func:`unlisted_role`):
#: ``institution`` its id, ``type`` :func:`type_label`, ``role`` the role it lacks there.
TYPE_UNLISTED = "signer.type_unlisted"

register_rules({TYPE_UNLISTED: (  # the refusal the back office shows; the operator's command is issuer check's
    "the trust registry does not list {institution} as competent to issue {type}: wallets and inspectors would "
    "refuse it, so nothing of this type is recorded, offered or signed until the registry's operator adds the "
    "role {role} (esspass issuer check says how)",
    "uzticamības reģistrs nenorāda {institution} kā kompetentu izsniegt {type}: maki un inspektori to "
    "noraidītu, tāpēc šāda veida dokumentus nereģistrē, nepiedāvā un neparaksta, līdz reģistra operators "
    "pievieno lomu {role} (esspass issuer check norāda, kā)",
    "das Vertrauensregister führt {institution} nicht als zuständig für die Ausstellung von {type}: Wallets und "
    "Kontrolleure würden es ablehnen, daher wird nichts dieser Art erfasst, angeboten oder signiert, bis der "
    "Betreiber des Registers die Rolle {role} hinzufügt (esspass issuer check sagt, wie)",
    "le registre de confiance ne mentionne pas {institution} comme compétent pour délivrer {type} : les "
    "portefeuilles et les inspecteurs le refuseraient, donc rien de ce type n'est enregistré, proposé ou signé "
    "tant que l'opérateur du registre n'a pas ajouté le rôle {role} (esspass issuer check indique comment)",
    "rejestr zaufania nie wskazuje {institution} jako właściwej do wydawania {type}: portfele i inspektorzy by go "
    "odrzucili, więc nic tego typu nie jest rejestrowane, oferowane ani podpisywane, dopóki operator rejestru nie "
    "doda roli {role} (esspass issuer check podaje, jak)",
)})


def type_label(vct: str) -> str:
    """A credential type as the refusals name it: ``EHIC (urn:eudi:ehic:1)``."""
    parts = vct.split(":")
    return f"{parts[2].upper()} ({vct})" if len(parts) > 2 else vct


def unlisted_role(tl: trust_list.TrustList | None, entity: Entity, vct: str) -> str | None:
    """The role ``entity`` lacks on the issuers list ``tl`` to issue ``vct`` (:data:`ROLE_FOR_VCT`,
    :func:`credentials.trust_list.authorised_issuer`: "not competent to issue this credential type"), or
    None: the list names it with that role, or there is no list (``tl`` None), or the list does not name
    ``entity`` at all (module docstring "The types it may issue": the configuration decides then).

    Only the role is judged here, per type: what the list says of the signers (a key revoked, the
    institution suspended) is the signer rule's, the same for every type (:func:`barred_by`)."""
    role = ROLE_FOR_VCT.get(vct)
    listed = None if tl is None or role is None else tl.entity(entity.id)
    if role is None or listed is None or str(role) in listed.roles:
        return None
    return str(role)


def signer_end(chain: Sequence[Certificate]) -> datetime:
    """When the signer chain (``x5c``: the document signer, and any intermediate, never the anchor)
    stops being valid: the earliest ``notAfter`` in it. RFC 5280 §6.1.3 (a)(2): a path validates only
    at a time every certificate on it is valid at, and a verifier validates ``x5c`` when it verifies."""
    return min(cert.not_valid_after_utc for cert in chain)


def chain_start(chain: Sequence[Certificate]) -> datetime:
    """When the signer chain starts being valid: the latest ``notBefore`` in it (RFC 5280 §6.1.3 (a)(2))."""
    return max(cert.not_valid_before_utc for cert in chain)


@dataclass(frozen=True, eq=False)
class Signer:
    """A document signer: the private key (a PEM key, or one in an HSM) and the chain sent as ``x5c``
    (leaf first, never the anchor)."""

    key: PrivateKey
    chain: tuple[Certificate, ...]

    @property
    def kid(self) -> str:
        """The project's kid of a signer (:func:`credentials.x509.spki_kid`), as the trust list names it."""
        return spki_kid(self.chain[0])

    @property
    def not_before(self) -> datetime:
        return chain_start(self.chain)

    @property
    def end(self) -> datetime:
        return signer_end(self.chain)


def can_sign(signer: Signer, now: datetime, *, margin: timedelta = SIGNER_MARGIN) -> bool:
    """Rule 1 (module docstring): the chain is valid at ``now`` and does not end within ``margin``."""
    return signer.not_before <= now and signer.end - margin > now


def current_signer(signers: Sequence[Signer], now: datetime, *, listed: Listed | None = None,
                   barred: Barred | None = None, margin: timedelta = SIGNER_MARGIN,
                   settle: timedelta = SETTLE) -> Signer | None:
    """The signer to sign with at ``now`` (the rule of the module docstring), or None when no signer
    can sign. ``listed``: what the issuers list accepts (:func:`accepted_by`), ``barred``: what it
    bars (:func:`barred_by`), both None without a list."""
    able = [(position, s) for position, s in enumerate(signers)
            if can_sign(s, now, margin=margin) and (barred is None or barred(s, now) is None)]
    if not able:  # a barred signer is never "better than nothing": what it signs nobody trusts
        return None
    if listed is not None and len(able) > 1:  # among those not barred, the list orders; it takes none away
        settled = [(p, s) for p, s in able if listed(s, now) and listed(s, now - settle)]
        accepted = settled or [(p, s) for p, s in able if listed(s, now)]
        able = accepted or able
    return max(able, key=lambda ps: (ps[1].not_before, ps[1].end, ps[0]))[1]


def next_switch(signers: Sequence[Signer], now: datetime, *, listed: Listed | None = None,
                barred: Barred | None = None, margin: timedelta = SIGNER_MARGIN, settle: timedelta = SETTLE,
                times: Iterable[datetime] = ()) -> tuple[datetime, Signer | None] | None:
    """When :func:`current_signer` next chooses another signer than at ``now`` (or none), and which:
    None when it does not while any of them lasts. Found at the times the choice can change: each
    chain's start (and ``settle`` after it: a list judges the chain valid then), its end less
    ``margin``, and ``times``, when the list's verdict changes (:func:`list_changes`; the list taken
    to stay as it is)."""
    chosen = current_signer(signers, now, listed=listed, barred=barred, margin=margin, settle=settle)
    moments = {t for s in signers for t in (s.not_before, s.not_before + settle, s.end - margin)} | set(times)
    for moment in sorted(t for t in moments if t > now):
        then = current_signer(signers, moment, listed=listed, barred=barred, margin=margin, settle=settle)
        if (then is None) != (chosen is None) or (then is not None and chosen is not None and then.kid != chosen.kid):
            return moment, then
    return None


def published(signers: Sequence[Signer], now: datetime, *,
              revoked: Callable[[Signer], bool] | None = None) -> list[Signer]:
    """The signers to publish (JWT VC Issuer Metadata): each whose chain has not ended, the next ones
    (not valid yet) included, so that verifiers resolving keys by ``kid`` know a key before it signs;
    never one the issuers list revokes (``revoked``, :func:`revoked_by`): nothing it signed is trusted,
    and whoever resolves keys by this document alone must not find it (a key rotated out stays: what it
    signed inside its window is still valid)."""
    return [s for s in signers if s.end > now and not (revoked is not None and revoked(s))]


def unsigned_rule(signers: Sequence[Signer], now: datetime, *, margin: timedelta = SIGNER_MARGIN) -> str:
    """The refusal's rule key when :func:`current_signer` chose none at ``now``: :data:`DISTRUSTED` when a
    signer's chain could sign by its dates (so the issuers list barred each that could), else
    :data:`EXPIRED` (each chain ended, ends within ``margin``, or has not begun)."""
    return DISTRUSTED if any(can_sign(s, now, margin=margin) for s in signers) else EXPIRED


def _issued_by(cert: Certificate, ca: Certificate) -> bool:
    """Did ``ca``'s key sign ``cert`` (its issuer name, and its signature verified)?"""
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def revoked_by(tl: trust_list.TrustList) -> Callable[[Signer], bool]:
    """Does ``tl`` revoke what a signer signs (``ListedCertificate.revoked``, ``esspass registry
    revoke-key``)? Its key or any key of its chain is revoked under any entity, or the CA key that signed
    the top of its chain is: a compromised key is compromised for everyone, whatever time a signature
    claims (:mod:`credentials.trust_list` "One key, one institution")."""
    revoked = [c for e in tl.entities for c in e.certificates if c.revoked]
    kids = {c.kid for c in revoked}
    cas = [c.certificate for c in revoked if c.usage == trust_list.CA]

    def is_revoked(signer: Signer) -> bool:
        if not revoked:
            return False
        return any(spki_kid(cert) in kids for cert in signer.chain) or any(
            _issued_by(signer.chain[-1], ca) for ca in cas)

    return is_revoked


def barred_by(tl: trust_list.TrustList, entity: Entity, *, status_lists: bool = False) -> Barred:
    """Why the issuers list ``tl`` lets a signer of ``entity`` sign nothing at a time (rule 1 of the module
    docstring), or None:

    * :data:`REVOKED`: :func:`revoked_by` (the key was compromised);
    * ``suspended``/``withdrawn``: the entity's status period in force then says so (a suspension
      refuses every credential of the entity while it lasts, a withdrawal every new one,
      :mod:`credentials.trust_list`); a status scheduled for later bars nothing yet. Never for
      ``status_lists`` (Status List Tokens, rule 1);
    * :data:`ROTATED_OUT`: the entity lists the key, but every window of it has closed and none opens
      later (``esspass registry rotate``): verifiers refuse what it signs from then.

    None for a key the list merely does not show yet (not listed, under no entity, or its window
    opening later): rule 2 may still sign with it when nothing better can."""
    listed = tl.entity(entity.id)
    revoked = revoked_by(tl)

    def barred(signer: Signer, at: datetime) -> str | None:
        if revoked(signer):
            return REVOKED
        if listed is None:
            return None
        if not status_lists and any(p.since <= at for p in listed.status_history):  # before: not listed yet
            status = listed.status_at(at)
            if status != trust_list.ACTIVE:
                return status
        windows = trust_list.signer_listings(listed, signer.chain[0])
        if windows and not any(c.listed_at(at) or c.not_before > at for c in windows):
            return ROTATED_OUT
        return None

    return barred


def accepted_by(tl: trust_list.TrustList, entity: Entity) -> Listed:
    """What the issuers list ``tl`` accepts of ``entity``'s signers: a credential signed at ``at`` would
    pass :func:`credentials.trust_list.authorised_issuer` (the chain to a CA listed for the entity, the
    signer key listed at ``at`` when the entity lists its signers, the entity active), as a verifier
    judges it, for any type the entity is configured for (one the list does not list it for, while
    another is, leaves its signers accepted for that other). An entity issuing nothing the list knows
    has nothing accepted."""
    vcts = [v for v, role in ROLE_FOR_VCT.items() if role in entity.roles]

    def listed(signer: Signer, at: datetime) -> bool:
        for vct in vcts:
            try:
                if trust_list.authorised_issuer(tl, signer.chain, vct, at=at, now=at).entity.id == entity.id:
                    return True
            except CredentialError:
                continue
        return False

    return listed


def lists_accepted_by(tl: trust_list.TrustList, entity: Entity) -> Listed:
    """What the issuers list ``tl`` accepts of ``entity``'s signers for a Status List Token signed at ``at``,
    as a verifier judges one (``esspass.status_client``, draft-ietf-oauth-status-list §8.3): its chain hangs
    from a CA the entity lists (not revoked) and, when the entity lists its signers, the key is listed then;
    whatever the entity's status or roles (rule 1 of the module docstring)."""
    listed = tl.entity(entity.id)

    def accepted(signer: Signer, at: datetime) -> bool:
        if listed is None:
            return False
        top = signer.chain[-1]
        if not any(top == ca or _issued_by(top, ca) for ca in listed.anchors(at)):
            return False
        windows = trust_list.signer_listings(listed, signer.chain[0])
        return windows is None or any(c.listed_at(at) for c in windows)

    return accepted


def list_changes(tl: trust_list.TrustList, entity_id: str, *, settle: timedelta = SETTLE) -> list[datetime]:
    """The times at which what ``tl`` accepts of ``entity_id``'s signers changes (for
    :func:`next_switch`): each listed certificate's window opening, settled, and closing, and each
    change of the entity's status."""
    entity = tl.entity(entity_id)
    if entity is None:
        return []
    after = timedelta(seconds=1)  # a window includes its last second (ListedCertificate.listed_at)
    times = [t for c in entity.certificates for t in (c.not_before, c.not_before + settle, c.not_after + after)]
    return times + [t for p in entity.status_history for t in (p.since, p.since + settle)]


#: How long :class:`SignerChoice` keeps a choice: judging signers by the list validates their chains,
#: and a status list is asked for by every verifier. A switch between two signers that both can sign
#: may come this much later; a signer that can no longer sign is never kept.
CHOICE_KEPT = timedelta(seconds=30)


class SignerChoice:
    """The issuer's choice of signer for each institution (:func:`current_signer`), with the issuers
    list it last fetched: ``issuers`` (the registry's list, cached by ``trust_registry.client``), or
    None for the dates alone. :meth:`refresh` asks for the list; :meth:`choose` never waits on it."""

    def __init__(self, issuers: Callable[[datetime], trust_list.TrustList] | None = None,
                 revalidate: Callable[[datetime], trust_list.TrustList | None] | None = None) -> None:
        self._issuers = issuers
        #: The list fetched anew whatever its max-age, or None when not asked again
        #: (:meth:`trust_registry.client.TrustListClient.revalidate`); for :meth:`refresh`.
        self._revalidate = revalidate
        self._list: trust_list.TrustList | None = None
        self._lock = threading.Lock()
        #: (entity id, the signers' kids) -> (the list it was chosen with, when, the choice)
        self._chosen: dict[tuple[str, tuple[str, ...], bool],
                           tuple[trust_list.TrustList | None, datetime, Signer]] = {}

    @property
    def consults_list(self) -> bool:
        return self._issuers is not None

    def refresh(self, now: datetime, *, revalidate: bool = False) -> None:
        """Ask for the issuers list (the client fetches it when due, else serves what it holds). None
        to be had (the registry unreachable and nothing cached, or the cached one too old): the dates
        alone decide until the next refresh, said once in the log. ``revalidate``: fetched anew now
        (the list held refuses something, which the registry may have put right since); when it is not
        asked again (too young, asked moments ago, the registry out of reach), the list held stays."""
        if self._issuers is None:
            return
        if revalidate:
            fresh = None if self._revalidate is None else self._revalidate(now)
            if fresh is not None:
                with self._lock:
                    self._list = fresh
                    self._chosen.clear()
            return
        try:
            fetched: trust_list.TrustList | None = self._issuers(now)
        except CredentialError as exc:
            fetched = None
            if self._list is not None:
                _log.warning("the issuers list cannot be had (%s): signers are chosen by their dates alone until it "
                             "can", exc.message, extra={"service": "issuer", "event": "signer_list_unavailable"})
        with self._lock:
            self._list = fetched
            self._chosen.clear()

    def held(self) -> trust_list.TrustList | None:
        with self._lock:
            return self._list

    def unlisted(self, entity: Entity, vct: str) -> str | None:
        """The role the issuers list held does not list ``entity`` with to issue ``vct`` (:func:`unlisted_role`),
        or None; never without a list."""
        return unlisted_role(self.held(), entity, vct)

    def revoked(self, signer: Signer) -> bool:
        """Does the issuers list held revoke ``signer`` (:func:`revoked_by`; never without a list)?"""
        held = self.held()
        return held is not None and revoked_by(held)(signer)

    def choose(self, entity: Entity, signers: Sequence[Signer], now: datetime, *,
               status_lists: bool = False) -> Signer | None:
        """The signer ``entity`` signs with at ``now`` (None: none can sign); the same as
        :data:`CHOICE_KEPT` ago while that one can still sign and the list is the same. ``status_lists``:
        the signer of its Status List Tokens (rule 1: the institution's status bars none)."""
        key = (entity.id, tuple(s.kid for s in signers), status_lists)
        with self._lock:
            held, kept = self._list, self._chosen.get(key)
        barred = None if held is None else barred_by(held, entity, status_lists=status_lists)
        accepted = None if held is None else (lists_accepted_by if status_lists else accepted_by)(held, entity)
        # ``in signers``: still configured as it was (the same key object: an institution reloaded,
        # or its key replaced, under the same certificate is chosen for again). A kept signer the list
        # bars by now (a suspension or a window's end it scheduled) is not kept either.
        if kept is not None and kept[0] is held and timedelta(0) <= now - kept[1] < CHOICE_KEPT \
                and can_sign(kept[2], now) and (barred is None or barred(kept[2], now) is None) \
                and any(s.key is kept[2].key and s.chain == kept[2].chain for s in signers):
            return kept[2]
        chosen = current_signer(signers, now, listed=accepted, barred=barred)
        if chosen is not None:
            with self._lock:
                self._chosen[key] = (held, now, chosen)
        return chosen
