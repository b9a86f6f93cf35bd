"""A document signer is replaced without downtime: the next one is configured beside the current one
and takes over by itself (issuer/signers.py).

* The rule, pure: which signer signs at which time (the newest that can sign; the older one while
  the newer has not begun; none when none can), and what the trust list accepts (a newer key only
  once every verifier online has seen it listed; at once when the older one's window was closed).
* Over real HTTP: an institution whose signer certificate ends soon, with the next one configured:
  both are published, copies signed before the switch carry the old chain, after it (the clocks
  moved, no sleep) the new one, as does the status list, nothing is refused at the switch, and an
  inspector's verifier, with both certificates registered, finds both copies valid.
* A next signer that is wrong (a key not its certificate's, no digitalSignature) stops the issuer at
  start, naming the institution and the setting.
* A signer the issuers list bars (its key revoked: compromised; the institution suspended or
  withdrawn; its key rotated out) signs nothing, not even as the last one left: 503
  ``signer.distrusted`` before any code is spent, no status list, the revoked key not published, and
  ``esspass issuer check`` says REVOKED. A key the list merely does not show yet may still sign.
  A suspended or withdrawn institution still serves its status lists, so that its withdrawals reach
  verifiers (what it issued before stays valid until withdrawn).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import Certificate
from test_issuer_institutions import HOLDER, PERSON, SKA, _pem, _toml

from credentials import compact, i18n, mdoc, openid4vci, pda1, status_list, trust_list
from credentials.errors import DataError, IssuerTrustError, ProtocolError
from credentials.institutions import Role, demo_entity
from credentials.jose import PrivateKey, b64url_decode, b64url_encode, decode_jws, generate_key, public_jwk, sign_jws
from credentials.pki import DemoPki, create_entity_ca, issue_document_signer, write_certificates, write_private_key
from credentials.trust_list import ListedCertificate, ListedEntity, StatusPeriod, TrustList
from credentials.x509 import load_x5c, spki_kid
from esspass.db import make_engine
from esspass.migrate import upgrade
from esspass.stack import Clerk, Inspector, open_wallet, start_in_process, unnumbered, verifier_replica
from esspass.testing import free_port, serve
from issuer.institutions import demo_institutions, load_institutions_file
from issuer.office import rule_text
from issuer.service import Institution, IssuerService
from issuer.signers import (
    CHOICE_KEPT,
    DISTRUSTED,
    EXPIRED,
    SETTLE,
    SIGNER_MARGIN,
    Barred,
    Listed,
    Signer,
    SignerChoice,
    accepted_by,
    barred_by,
    current_signer,
    next_switch,
    published,
    unsigned_rule,
)
from trust_registry.seed import seed_data_dir
from trust_registry.store import Registry

ROOT = Path(__file__).resolve().parent.parent
#: A fixed moment for the pure rule (no service involved).
AT = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


def _certificate(ca_key: PrivateKey, ca: Certificate, key: PrivateKey, start: datetime, end: datetime, *,
                 signature: bool = True) -> Certificate:
    """A document signer of EE:SKA under ``ca``, valid from ``start`` to ``end`` exactly."""
    usage = x509.KeyUsage(digital_signature=signature, content_commitment=not signature, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COUNTRY_NAME, "EE"),
                      x509.NameAttribute(x509.oid.NameOID.ORGANIZATION_NAME, SKA.name),
                      x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, f"{SKA.name_en} document signer")])
    return (x509.CertificateBuilder().subject_name(name).issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))


_CA = create_entity_ca(SKA, now=AT - timedelta(days=400))


def _signer(start: timedelta, end: timedelta) -> Signer:
    """A signer valid from ``AT + start`` to ``AT + end``."""
    key = generate_key()
    return Signer(key, (_certificate(*_CA, key, AT + start, AT + end),))


def _listed(windows: dict[Signer, tuple[timedelta, timedelta]]) -> Listed:
    """A trust list listing each signer for its window (``AT`` + the two offsets), the others not at all."""
    by_kid = {s.kid: (AT + lo, AT + hi) for s, (lo, hi) in windows.items()}

    def listed(signer: Signer, at: datetime) -> bool:
        window = by_kid.get(signer.kid)
        return window is not None and window[0] <= at <= window[1]

    return listed


DAY, HOUR, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)
OLD = _signer(-300 * DAY, 2 * DAY)  # the current signer, ending in two days
NEW = _signer(HOUR, 700 * DAY)  # the next one, from an hour on
RENEWED = _signer(-HOUR, 700 * DAY)  # a next one valid already


# --- the rule, pure ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("signers", "at", "expected"), [
    ((OLD,), AT, OLD),
    ((OLD, NEW), AT, OLD),  # the next one has not begun: the current one signs
    ((OLD, NEW), AT + HOUR, NEW),  # from its notBefore, the newer one signs
    ((OLD, RENEWED), AT, RENEWED),  # a newer one valid already signs at once: its copies live longer
    ((NEW, OLD), AT + HOUR, NEW),  # the newest, not the first in the file
    ((OLD, NEW), AT + 2 * DAY - SIGNER_MARGIN, NEW),
    ((OLD,), AT + 2 * DAY - SIGNER_MARGIN, None),  # within the margin of its end: none can sign
    ((OLD,), AT + 2 * DAY - SIGNER_MARGIN - timedelta(seconds=1), OLD),
    ((OLD, _signer(3 * DAY, 700 * DAY)), AT + 2 * DAY, None),  # the current one ended, the next not begun
    ((OLD, NEW), AT - 301 * DAY, None),  # neither has begun
    ((), AT, None),
], ids=["only_one", "next_not_yet_valid", "next_begun", "next_valid_already", "order_of_the_file_aside",
        "current_within_margin_next_signs", "only_one_within_margin", "only_one_just_before_margin",
        "gap_between_them", "none_begun", "none_configured"])
def test_the_signer_is_the_newest_that_can_sign(signers: tuple[Signer, ...], at: datetime,
                                                expected: Signer | None) -> None:
    assert current_signer(signers, at) is expected


def test_a_newer_signer_is_taken_only_once_every_verifier_online_has_seen_it_listed() -> None:
    """With the issuers list held: a next key the list does not show yet is not used while the older
    one is accepted; once listed, only after :data:`SETTLE` (verifiers ask again at least that often)."""
    both_valid = AT + 2 * HOUR
    unlisted = _listed({OLD: (-300 * DAY, 2 * DAY)})
    assert current_signer((OLD, NEW), both_valid, listed=unlisted) is OLD
    registered = _listed({OLD: (-300 * DAY, 2 * DAY), NEW: (2 * HOUR, 700 * DAY)})
    assert current_signer((OLD, NEW), both_valid, listed=registered) is OLD
    assert current_signer((OLD, NEW), both_valid + SETTLE - timedelta(seconds=1), listed=registered) is OLD
    assert current_signer((OLD, NEW), both_valid + SETTLE, listed=registered) is NEW


def test_a_rotation_that_closed_the_older_keys_window_switches_at_once() -> None:
    """``esspass registry rotate``: the old key's window closes now and the new one's opens; what the old
    key signs from then is refused by verifiers, so the newer one signs, settled or not."""
    rotated = _listed({OLD: (-300 * DAY, 2 * HOUR), NEW: (2 * HOUR, 700 * DAY)})
    assert current_signer((OLD, NEW), AT + 2 * HOUR + MINUTE, listed=rotated) is NEW


def test_without_any_listed_signer_the_dates_decide_and_an_ending_one_is_left_whatever_the_list_says() -> None:
    assert current_signer((OLD, NEW), AT + 2 * HOUR, listed=_listed({})) is NEW
    old_only = _listed({OLD: (-300 * DAY, 700 * DAY)})
    assert current_signer((OLD, NEW), AT + 2 * HOUR, listed=old_only) is OLD
    # The older one within its margin cannot sign at all: the unlisted newer one is better than nothing.
    assert current_signer((OLD, NEW), AT + 2 * DAY - SIGNER_MARGIN, listed=old_only) is NEW


def test_the_switch_is_told_ahead_by_when_and_to_which_signer() -> None:
    assert next_switch((OLD, NEW), AT) == (AT + HOUR, NEW)
    assert next_switch((OLD,), AT) == (AT + 2 * DAY - SIGNER_MARGIN, None)  # then nothing can sign
    registered = _listed({OLD: (-300 * DAY, 2 * DAY), NEW: (2 * HOUR, 700 * DAY)})
    assert next_switch((OLD, NEW), AT, listed=registered, times=[AT + 2 * HOUR + SETTLE]) == (
        AT + 2 * HOUR + SETTLE, NEW)
    assert next_switch((RENEWED, OLD), AT) == (AT + 700 * DAY - SIGNER_MARGIN, None)  # the older one ends unnoticed


def test_the_issuers_choice_is_kept_half_a_minute_but_never_past_what_its_signer_can_sign() -> None:
    """Judging by the list validates chains, and every verifier asks for the status lists: a choice is
    kept :data:`CHOICE_KEPT`, so a switch between two signers that both can sign may come that late,
    but a signer within its margin is never kept."""
    choice = SignerChoice()
    assert choice.choose(SKA, (OLD, NEW), AT + HOUR - timedelta(seconds=5)) is OLD
    assert choice.choose(SKA, (OLD, NEW), AT + HOUR + timedelta(seconds=5)) is OLD
    assert choice.choose(SKA, (OLD, NEW), AT + HOUR - timedelta(seconds=5) + CHOICE_KEPT) is NEW
    end = AT + 2 * DAY - SIGNER_MARGIN
    assert choice.choose(SKA, (OLD,), end - timedelta(seconds=1)) is OLD
    assert choice.choose(SKA, (OLD,), end) is None


def test_every_signer_whose_chain_has_not_ended_is_published_the_next_one_before_it_begins() -> None:
    assert published((OLD, NEW), AT) == [OLD, NEW]
    assert published((OLD, NEW), AT + 2 * DAY + MINUTE) == [NEW]


# --- the rule, pure: what the trust list bars signs nothing -------------------------------------------------


def _barring(reasons: dict[Signer, str]) -> Barred:
    """A trust list barring each signer of ``reasons`` (revoked, suspended ...), the others not."""
    by_kid = {s.kid: why for s, why in reasons.items()}
    return lambda signer, _at: by_kid.get(signer.kid)


def test_a_signer_the_trust_list_bars_signs_nothing_even_as_the_last_one_left() -> None:
    """The fallback "a copy some verifier refuses is better than none" never takes a barred signer:
    every wallet and verifier holding the list refuses what it signs (and a compromised key's
    signatures are worth nothing to anyone)."""
    revoked = _barring({OLD: "revoked"})
    assert current_signer((OLD,), AT, barred=revoked) is None
    assert current_signer((OLD,), AT, listed=_listed({}), barred=revoked) is None
    assert current_signer((OLD, NEW), AT, barred=revoked) is None  # the next one has not begun yet
    assert current_signer((OLD, RENEWED), AT, barred=_barring({RENEWED: "revoked"})) is OLD
    # The next key, not listed yet, is still better than nothing: the older one is barred.
    assert current_signer((OLD, NEW), AT + HOUR, listed=_listed({OLD: (-300 * DAY, 2 * DAY)}), barred=revoked) is NEW
    assert next_switch((OLD, NEW), AT, barred=revoked) == (AT + HOUR, NEW)


def test_the_refusal_says_distrusted_when_the_list_bars_a_signer_whose_chain_is_valid_else_expired() -> None:
    assert unsigned_rule((OLD,), AT) == DISTRUSTED
    assert unsigned_rule((OLD,), AT + 2 * DAY) == EXPIRED
    assert unsigned_rule((OLD, _signer(3 * DAY, 700 * DAY)), AT + 2 * DAY) == EXPIRED
    assert unsigned_rule((), AT) == EXPIRED


def _der(cert: Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _issuers(*signers: tuple[Signer, timedelta, timedelta, bool], ca_revoked: bool = False,
             status: tuple[tuple[str, timedelta], ...] = ((trust_list.ACTIVE, -400 * DAY),)) -> TrustList:
    """An issuers list naming EE:SKA with its CA and ``signers`` (each: its window, ``AT`` + the two
    offsets, and whether revoked), in the status periods ``status`` (each from ``AT`` + its offset)."""
    ca = ListedCertificate(_der(_CA[1]), trust_list.CA, AT - 400 * DAY, AT + 700 * DAY, ca_revoked)
    listed = tuple(ListedCertificate(_der(s.chain[0]), trust_list.SIGNER, AT + lo, AT + hi, revoked)
                   for s, lo, hi, revoked in signers)
    entity = ListedEntity(SKA.id, "EE", SKA.name, SKA.name_en, frozenset(SKA.roles), (ca, *listed),
                          tuple(StatusPeriod(st, AT + since, "test") for st, since in status))
    return TrustList("issuers", 1, AT, AT + HOUR, (entity,))


OPEN = (OLD, -300 * DAY, 2 * DAY, False)  # OLD listed for its whole life


@pytest.mark.parametrize(("tl", "signer", "at", "expected"), [
    (_issuers(OPEN), OLD, AT, None),
    (_issuers((OLD, -300 * DAY, timedelta(0), True)), OLD, AT, "revoked"),
    (_issuers((OLD, -300 * DAY, -HOUR, True)), OLD, AT - 2 * HOUR, "revoked"),  # whenever a signature says
    (_issuers(OPEN, ca_revoked=True), OLD, AT, "revoked"),  # the CA key its chain hangs from
    (_issuers(OPEN, status=((trust_list.ACTIVE, -400 * DAY), (trust_list.SUSPENDED, -HOUR))), OLD, AT, "suspended"),
    (_issuers(OPEN, status=((trust_list.ACTIVE, -400 * DAY), (trust_list.WITHDRAWN, -HOUR))), OLD, AT, "withdrawn"),
    (_issuers(OPEN, status=((trust_list.ACTIVE, -400 * DAY), (trust_list.SUSPENDED, HOUR))), OLD, AT, None),
    (_issuers(OPEN, status=((trust_list.ACTIVE, -400 * DAY), (trust_list.ACTIVE, -HOUR))), OLD, AT, None),
    (_issuers((OLD, -300 * DAY, -HOUR, False)), OLD, AT, "rotated out"),
    (_issuers((OLD, -300 * DAY, -HOUR, False), (OLD, HOUR, 2 * DAY, False)), OLD, AT, None),  # listed again later
    (_issuers(OPEN), NEW, AT + HOUR, None),  # not listed (yet): not barred
    (_issuers(OPEN, (NEW, DAY, 700 * DAY, False)), NEW, AT + HOUR, None),  # its window opens later
    (_issuers(OPEN, status=((trust_list.ACTIVE, DAY),)), OLD, AT, None),  # the institution not listed yet
], ids=["listed", "revoked", "revoked_before_its_window_closed", "ca_revoked", "suspended", "withdrawn",
        "suspension_to_come", "reinstated", "rotated_out", "listed_again_later", "not_listed_yet",
        "window_opens_later", "institution_not_listed_yet"])
def test_what_the_trust_list_bars_a_revoked_key_a_suspended_or_withdrawn_institution_a_key_rotated_out(
        tl: TrustList, signer: Signer, at: datetime, expected: str | None) -> None:
    assert barred_by(tl, SKA)(signer, at) == expected


def test_a_signer_is_accepted_for_any_type_the_list_authorises_the_institution_for_not_only_its_first() -> None:
    """EE:SKA configured here for the A1 and the EHIC, listed for the EHIC only: its key is still
    accepted (it signs EHICs), and a key the list does not show is not."""
    both = replace(SKA, roles=frozenset({Role.PDA1_ISSUER, Role.EHIC_ISSUER}))
    tl = _issuers(OPEN)
    entity = tl.entities[0]
    ehic_only = TrustList("issuers", 1, AT, AT + HOUR, (replace(entity, roles=frozenset({"ehic_issuer"})),))
    assert accepted_by(ehic_only, both)(OLD, AT) and not accepted_by(ehic_only, both)(NEW, AT)
    assert not accepted_by(ehic_only, SKA)(OLD, AT)  # configured for the A1 alone: nothing the list takes


def test_the_issuer_holding_a_list_that_revoked_its_only_key_chooses_none_and_publishes_it_no_more() -> None:
    choice = SignerChoice(lambda _at: _issuers((OLD, -300 * DAY, timedelta(0), True)))
    choice.refresh(AT)
    assert choice.choose(SKA, (OLD,), AT) is None
    assert published((OLD, NEW), AT, revoked=choice.revoked) == [NEW]
    suspended = SignerChoice(lambda _at: _issuers(OPEN, status=((trust_list.ACTIVE, -400 * DAY),
                                                               (trust_list.SUSPENDED, -HOUR))))
    suspended.refresh(AT)
    assert suspended.choose(SKA, (OLD,), AT) is None
    assert published((OLD,), AT, revoked=suspended.revoked) == [OLD]  # suspended, not compromised


def test_a_kept_choice_is_dropped_when_the_list_bars_its_signer_from_a_moment_it_scheduled() -> None:
    choice = SignerChoice(lambda _at: _issuers(OPEN, status=((trust_list.ACTIVE, -400 * DAY),
                                                            (trust_list.SUSPENDED, MINUTE))))
    choice.refresh(AT)
    assert choice.choose(SKA, (OLD,), AT) is OLD
    assert choice.choose(SKA, (OLD,), AT + MINUTE + timedelta(seconds=1)) is None  # within CHOICE_KEPT


# --- the institutions file ------------------------------------------------------------------------------


@dataclass
class Keys:
    """EE:SKA's CA, its current signer (ending soon) and its next one, as files beside an institutions file."""

    dir: Path
    ca_key: PrivateKey
    ca: Certificate
    old_key: PrivateKey
    old: Certificate
    new_key: PrivateKey
    new: Certificate

    @classmethod
    def make(cls, directory: Path, now: datetime, *, old_ends: timedelta = 2 * HOUR,
             new_begins: timedelta = HOUR) -> Keys:
        directory.mkdir(parents=True, exist_ok=True)
        ca_key, ca = create_entity_ca(SKA, now=now - 3 * DAY)
        old_key, new_key = generate_key(), generate_key()
        keys = cls(directory, ca_key, ca, old_key, _certificate(ca_key, ca, old_key, now - DAY - HOUR, now + old_ends),
                   new_key, _certificate(ca_key, ca, new_key, now + new_begins, now + 400 * DAY))
        write_private_key(directory / "old.key.pem", old_key)
        write_certificates(directory / "old.pem", [keys.old])
        write_private_key(directory / "new.key.pem", new_key)
        write_certificates(directory / "new.pem", [keys.new])
        write_certificates(directory / "ca.pem", [ca])
        return keys

    def write(self, **changes: Any) -> Path:
        entry: dict[str, Any] = {"id": SKA.id, "country": "EE", "name": SKA.name, "name_en": SKA.name_en,
                                 "roles": ["pda1_issuer"], "path": SKA.path, "signer_key": "old.key.pem",
                                 "signer_chain": "old.pem", "ca_certificate": "ca.pem",
                                 "next_signer_key": "new.key.pem", "next_signer_chain": "new.pem", **changes}
        lines = ["[[institution]]", *(f"{k} = {_toml(v)}" for k, v in entry.items() if v is not None)]
        path = self.dir / "institutions.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


def test_a_next_signer_not_valid_yet_is_configured_beside_the_current_one(tmp_path: Path) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    keys = Keys.make(tmp_path, now)
    inst = load_institutions_file(keys.write(), "https://issuer.example.ee", now=now)["ee-ska"]
    assert [s.chain[0] for s in inst.signers] == [keys.old, keys.new]
    assert inst.x5c == [keys.old]  # the constructor's signer is still the file's signer_key
    # A file without a next signer is read as before.
    single = load_institutions_file(keys.write(next_signer_key=None, next_signer_chain=None),
                                    "https://issuer.example.ee", now=now)["ee-ska"]
    assert [s.chain[0] for s in single.signers] == [keys.old]


def test_an_ended_current_signer_beside_a_valid_next_one_is_left_out_rather_than_stopping_the_issuer(
        tmp_path: Path) -> None:
    """The issuer restarted after the switch, the file not edited yet: it starts, signing with the next."""
    now = datetime.now(UTC).replace(microsecond=0)
    keys = Keys.make(tmp_path, now, old_ends=-HOUR, new_begins=-2 * HOUR)
    inst = load_institutions_file(keys.write(), "https://issuer.example.ee", now=now)["ee-ska"]
    assert [s.chain[0] for s in inst.signers] == [keys.new]
    with pytest.raises(DataError) as refused:  # alone, an ended signer is refused as before
        load_institutions_file(keys.write(next_signer_key=None, next_signer_chain=None),
                               "https://issuer.example.ee", now=now)
    assert refused.value.field == "institution EE:SKA.signer_chain" and "not now" in refused.value.rule


def _another_key(keys: Keys) -> None:
    write_private_key(keys.dir / "new.key.pem", generate_key())


def _no_digital_signature(keys: Keys) -> None:
    start, end = keys.new.not_valid_before_utc, keys.new.not_valid_after_utc
    write_certificates(keys.dir / "new.pem", [_certificate(keys.ca_key, keys.ca, keys.new_key, start, end,
                                                           signature=False)])


def _of_another_ca(keys: Keys) -> None:
    start, end = keys.new.not_valid_before_utc, keys.new.not_valid_after_utc
    other_key, other = create_entity_ca(SKA, now=start - 3 * DAY)
    write_certificates(keys.dir / "new.pem", [_certificate(other_key, other, keys.new_key, start, end)])


def _ended(keys: Keys) -> None:
    start = keys.old.not_valid_before_utc
    write_certificates(keys.dir / "new.pem", [_certificate(keys.ca_key, keys.ca, keys.new_key, start,
                                                           start + HOUR)])


BAD_NEXT: dict[str, tuple[Callable[[Keys], None] | None, dict[str, Any], str, str]] = {
    "key not its certificate's": (_another_key, {}, "next_signer_chain", "does not hold the key"),
    "no digitalSignature": (_no_digital_signature, {}, "next_signer_chain", "digitalSignature"),
    "another CA's": (_of_another_ca, {}, "next_signer_chain", "does not validate"),
    "ended": (_ended, {}, "next_signer_chain", "not now"),
    "the current certificate again": (None, {"next_signer_key": "old.key.pem", "next_signer_chain": "old.pem"},
                                      "next_signer_chain", "certificate of its own"),
    "key without chain": (None, {"next_signer_chain": None}, "next_signer_chain", "is required"),
    "key file missing": (None, {"next_signer_key": "nowhere.pem"}, "next_signer_key", "cannot be read"),
    "password file alone": (None, {"next_signer_key": None, "next_signer_chain": None,
                                   "next_signer_key_password_file": "key.pass"}, "next_signer_key", "is required"),
}


@pytest.mark.parametrize("case", sorted(BAD_NEXT))
def test_a_bad_next_signer_is_refused_at_start_naming_the_institution_and_the_setting(tmp_path: Path,
                                                                                      case: str) -> None:
    change, settings, field, rule = BAD_NEXT[case]
    now = datetime.now(UTC).replace(microsecond=0)
    keys = Keys.make(tmp_path, now)
    if change is not None:
        change(keys)
    with pytest.raises(DataError) as refused:
        load_institutions_file(keys.write(**settings), "https://issuer.example.ee", now=now)
    assert refused.value.field == f"institution EE:SKA.{field}", refused.value.field
    assert rule in refused.value.rule, refused.value.rule


def test_the_issuer_does_not_start_with_a_next_signer_whose_key_is_not_its_certificates(tmp_path: Path) -> None:
    """What the operator sees: one line naming the institution and the setting (``esspass issuer ...``)."""
    keys = Keys.make(tmp_path / "keys", datetime.now(UTC).replace(microsecond=0))
    _another_key(keys)
    env = {**os.environ, "ESSPASS_DATA_DIR": str(tmp_path / "issuer"),
           "ESSPASS_ISSUER_INSTITUTIONS_FILE": str(keys.write())}
    (tmp_path / "issuer").mkdir()
    done = subprocess.run([sys.executable, "-m", "esspass.cli", "issuer", "tokens"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done
    assert "(institution EE:SKA.next_signer_chain)" in done.stderr and "does not hold the key" in done.stderr
    assert "Traceback" not in done.stderr


# --- end to end: the switch over real HTTP ------------------------------------------------------------------


class Clock:
    """The real time, moved by ``offset``: the issuer's, the verifier's and the wallets' (the three agree
    on what "now" is, as their real clocks would hours later; the registry keeps the real time)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def set(self, at: datetime) -> None:
        self.offset = at - datetime.now(UTC)


def _a1_leaves(wallet: Any, ca: Certificate) -> list[tuple[Certificate, int | None]]:
    """The signer certificate and ``exp`` of each A1 copy the wallet holds (SD-JWT VC, mdoc), and the
    kid its offline QR form names, checked to be the same signer's."""
    found = []
    for copy in wallet.credentials():
        if copy.vct != pda1.VCT:
            continue
        if copy.format == "mso_mdoc":
            leaf = mdoc.verify_issuer_signed(b64url_decode(copy.credential), anchors=[ca],
                                             now=wallet.clock()).issuer_chain.leaf
        else:
            leaf = load_x5c(decode_jws(copy.credential.split("~")[0]).header["x5c"])[0]
        offline = copy.extra.get("compact")
        if offline:
            assert compact.decode_credential(b64url_decode(offline)).kid == b64url_encode(
                compact.kid_bytes(spki_kid(leaf)))
        found.append((leaf, copy.exp))
    return found


def _status_leaf(http: httpx.Client, url: str) -> Certificate:
    answer = http.get(url, headers={"Accept": "application/statuslist+jwt"})
    assert answer.status_code == 200, answer.text
    return load_x5c(decode_jws(answer.text).header["x5c"])[0]


@pytest.fixture
def rotation(tmp_path: Path) -> Iterator[tuple[Keys, Path, datetime]]:
    """A pilot's registry listing EE:SKA with its CA and both signers: the current one since a day ago,
    the next one from its notBefore (registered then: the registry takes only a valid certificate)."""
    t0 = datetime.now(UTC).replace(microsecond=0)
    data = tmp_path / "pilot"
    seed_data_dir(data)
    keys = Keys.make(tmp_path / "ska-keys", t0)
    engine = make_engine(f"sqlite:///{data / 'registry.db'}")
    try:
        Registry(engine).add_entity(
            {"id": SKA.id, "country": "EE", "name": SKA.name, "name_en": SKA.name_en, "roles": ["pda1_issuer"],
             "path": SKA.path, "certificates": [{"pem": _pem(keys.ca), "usage": "ca"},
                                                {"pem": _pem(keys.old), "usage": "signer"}]},
            who="test", since=t0 - DAY)
        Registry(engine, clock=lambda: keys.new.not_valid_before_utc).add_certificate(
            SKA.id, _pem(keys.new), "signer", who="test")
    finally:
        engine.dispose()
    yield keys, data, t0


def test_the_next_signer_takes_over_at_its_time_without_a_restart_and_inspectors_accept_both_copies(
        rotation: tuple[Keys, Path, datetime], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from issuer.app import build_service, create_app
    from issuer.settings import IssuerSettings

    keys, data, t0 = rotation
    ska_dir, clock = tmp_path / "ska-issuer", Clock()
    port = free_port()
    ska_url = f"http://127.0.0.1:{port}"
    with start_in_process(data) as stack, httpx.Client(timeout=30) as http:
        env = {**os.environ, "ESSPASS_DATA_DIR": str(ska_dir), "ESSPASS_ISSUER_INSTITUTIONS_FILE": str(keys.write()),
               "ESSPASS_ISSUER_REGISTRY_URL": stack.registry_url,
               "ESSPASS_ISSUER_REGISTRY_ROOT": str(data / "pki" / "root.pem")}
        env.pop("DATABASE_URL", None)
        checked = subprocess.run([sys.executable, "-m", "esspass.cli", "issuer", "check"], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=120)
        assert checked.returncode == 0 and " ok " in checked.stdout, checked
        old_kid, new_kid = spki_kid(keys.old)[:12], spki_kid(keys.new)[:12]
        assert f"signer   {old_kid}" in checked.stdout and "signs now" in checked.stdout
        assert f"signer   {new_kid}" in checked.stdout and "next: not valid yet" in checked.stdout
        switch = keys.new.not_valid_before_utc + SETTLE  # listed from its start, then settled
        assert f"switch   {switch:%Y-%m-%d %H:%M} UTC: signing with {new_kid}" in checked.stdout
        assert "expires in" not in checked.stdout  # the next one lasts: no renewal notice

        settings = IssuerSettings(data_dir=ska_dir, institutions_file=keys.write(), public_url=ska_url,
                                  registry_url=stack.registry_url, registry_root=data / "pki" / "root.pem")
        service = build_service(settings)
        service.clock = service.nonces.clock = service.status.clock = clock
        service.refresh_signer_list()
        assert service.signer_choice.held() is not None  # the choice heeds the registry's list
        issuer = serve(create_app(settings, service=service), port=port)
        wallets = [open_wallet(data / f"phone{n}", stack.registry_url, "pw", fast_kdf=True, pki_dir=data / "pki")
                   for n in (1, 2)]
        try:
            with verifier_replica(stack) as (verifier, verifier_url):
                verifier.clock = clock
                demo = Clerk(stack.issuer_url, data, http)
                for wallet in wallets:  # a PID from the demo issuer, on the real clock
                    demo.hand_over(wallet, PERSON.pid_provider, "pid", PERSON.pid)
                    wallet.clock = clock
                printed: list[str] = []
                drawn = compact.qr_png

                def draw(text: str, **kw: Any) -> bytes:  # the paper copy's QR code, as its PDF prints it
                    printed.append(text)
                    return drawn(text, **kw)

                monkeypatch.setattr(compact, "qr_png", draw)
                _the_switch(http, keys, ska_url, ska_dir, wallets, clock, t0, printed)
                inspector = Inspector(verifier_url, http, stack.inspector_token)
                for wallet in wallets:  # the copy signed before the switch and the one after
                    request = inspector.request("pda1")
                    wallet.share(wallet.open_request(request["link"], "en").id)
                    verdict = inspector.result(request)["verdict"]
                    assert verdict["verdict"] == "valid", verdict
        finally:
            issuer.stop()
            for wallet in wallets:
                wallet.http.close()
            service.engine.dispose()


def _the_switch(http: httpx.Client, keys: Keys, ska_url: str, ska_dir: Path, wallets: list[Any], clock: Clock,
                t0: datetime, printed: list[str]) -> None:
    """Before the switch, at it, after it: what the issuer publishes, signs and serves."""
    ska = Clerk(ska_url, ska_dir, http, paths={SKA.id: SKA.path})
    authority = {"id": SKA.id, "name": SKA.name}
    a1 = {**PERSON.pda1, "issuing_authority": {**authority, "country": "EE"}, "issuing_country": "EE",
          "authentic_source": authority, "legislation_country": "EE"}
    status = f"{ska_url}/{SKA.path}/status/1"

    metadata = http.get(f"{ska_url}/.well-known/jwt-vc-issuer/{SKA.path}").json()
    assert [k["kid"] for k in metadata["jwks"]["keys"]] == [spki_kid(keys.old), spki_kid(keys.new)]

    first = ska.create_case(SKA.id, "pda1", {**a1, "document_number": "EE-A1-ROT-1"}, HOLDER)
    offer = ska.offer(SKA.id, first)
    wallets[0].accept_offer(wallets[0].open_offer(offer["link"])[0], offer["tx_code"])
    copies = _a1_leaves(wallets[0], keys.ca)
    assert copies and all(leaf == keys.old for leaf, _exp in copies)
    assert {exp for _leaf, exp in copies} == {int(keys.old.not_valid_after_utc.timestamp())}  # ends with its chain
    assert _status_leaf(http, status) == keys.old
    _paper(http, ska, ska_url, first, keys.old, printed)

    # The next certificate has begun and is listed, but not for five minutes yet: the current one still
    # signs, and nothing is refused at the switch.
    clock.set(keys.new.not_valid_before_utc + 2 * MINUTE)
    assert _status_leaf(http, status) == keys.old
    assert ska.offer(SKA.id, first)["tx_code"]

    clock.set(keys.new.not_valid_before_utc + SETTLE + 5 * MINUTE)  # no restart, no sleep: the clocks moved
    assert _status_leaf(http, status) == keys.new  # signed again by the new signer, though no entry changed
    metadata = http.get(f"{ska_url}/.well-known/jwt-vc-issuer/{SKA.path}").json()
    assert [k["kid"] for k in metadata["jwks"]["keys"]] == [spki_kid(keys.old), spki_kid(keys.new)]
    second = ska.create_case(SKA.id, "pda1", {**a1, "document_number": "EE-A1-ROT-2"}, HOLDER)
    offer = ska.offer(SKA.id, second)
    wallets[1].accept_offer(wallets[1].open_offer(offer["link"])[0], offer["tx_code"])
    copies = _a1_leaves(wallets[1], keys.ca)
    assert copies and all(leaf == keys.new for leaf, _exp in copies)
    assert all(exp is not None and exp > keys.old.not_valid_after_utc.timestamp() for _leaf, exp in copies)
    _paper(http, ska, ska_url, first, keys.new, printed)  # a paper copy of the first case, printed now
    assert t0 < clock() < keys.old.not_valid_after_utc  # the old copies are still within their chain


def _paper(http: httpx.Client, ska: Clerk, ska_url: str, case_id: str, signer: Certificate, printed: list[str]) -> None:
    """A paper copy printed now: its QR code names ``signer`` and ends with its chain at the latest."""
    token = ska.tokens[SKA.id]
    answer = http.get(f"{ska_url}/{SKA.path}/api/cases/{case_id}/paper.pdf",
                      headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF"), answer.text
    parsed = compact.parse_qr(printed[-1])
    assert parsed.kid == b64url_encode(compact.kid_bytes(spki_kid(signer)))
    assert parsed.claims[compact.EXP] <= int(signer.not_valid_after_utc.timestamp())


def test_a_status_list_whose_institution_has_no_signer_left_is_a_503_that_verifiers_never_take_as_valid(
        registry_dir: Path, registry_issuers: TrustList) -> None:
    """No token is signed under an ended chain: the endpoint answers 503 with a JSON body, and a
    verifier's status lookup then has no list to answer from (its held one ended too): undetermined."""
    from credentials import status_list
    from esspass.stack import unnumbered
    from esspass.status_client import StatusClient
    from issuer.app import build_service, create_app
    from issuer.db import Case
    from issuer.settings import IssuerSettings

    port = free_port()
    settings = IssuerSettings(data_dir=registry_dir, public_url=f"http://127.0.0.1:{port}", wallet_attestation="off",
                              key_attestation="off")
    service = build_service(settings)
    clock = [datetime.now(UTC).replace(microsecond=0)]
    service.clock = service.status.clock = lambda: clock[0]
    inst = service.institution("lv-vsaa")
    case = service.create_case(inst, "pda1", unnumbered(PERSON.pda1), actor="test", holder=HOLDER)
    with service.sessions.begin() as s:
        recorded = s.get(Case, case.id)
        assert recorded is not None
        number, idx = service.status.allocate(s, inst, recorded, "jkt", clock[0], clock[0] + DAY, "n")
    try:
        with serve(create_app(settings, service=service), port=port) as handle, httpx.Client() as http:
            ref = status_list.StatusReference(idx=idx, uri=f"{handle.url}/lv-vsaa/status/{number}")
            lookup = StatusClient(http)
            entity = registry_issuers.entity("LV:VSAA")
            assert entity is not None
            assert lookup(ref, entity, clock[0]).value == status_list.VALID
            clock[0] = max(s.end for s in inst.signers) + HOUR  # every signer of the institution has ended
            answer = http.get(ref.uri, headers={"Accept": "application/statuslist+jwt"})
            assert answer.status_code == 503, answer.text
            assert answer.headers["content-type"].startswith("application/json")
            assert answer.json()["error"] == "temporarily_unavailable"
            assert answer.json()["rule_key"] == "signer.expired"
            assert lookup(ref, entity, clock[0]).value is None  # undetermined, never "valid"
    finally:
        service.engine.dispose()


# --- the issuer: a key the trust list revoked, an institution it suspended, signs nothing ----------------


VSAA, CLERK = "LV:VSAA", "clerk:LV:VSAA"


@dataclass
class Vsaa:
    """LV:VSAA on an issuer heeding the registry's issuers list (fetched as its housekeeping does), and
    that registry: a copy of the pilot's, for one test."""

    service: IssuerService
    inst: Institution
    registry: Registry
    pki: DemoPki
    held: list[TrustList]

    def relist(self) -> None:
        """The registry's list as it is now, taken by the issuer (its housekeeping's refresh)."""
        self.held[0] = self.registry.build_list("issuers", datetime.now(UTC))
        self.service.refresh_signer_list()

    def case(self) -> str:
        return self.service.create_case(self.inst, "pda1", unnumbered(PERSON.pda1), actor=CLERK, holder=HOLDER).id

    def offer(self, case_id: str) -> dict[str, str]:
        """The token request of a wallet taking a new offer of the case (pre-authorized code, tx_code)."""
        offer = self.service.create_offer(self.inst, case_id, actor=CLERK)
        code = self.service.offer_json(self.inst, offer.offer_id)["grants"][openid4vci.PRE_AUTH_GRANT][
            "pre-authorized_code"]
        return {"grant_type": openid4vci.PRE_AUTH_GRANT, "pre-authorized_code": code, "tx_code": offer.tx_code}

    def issued(self, form: dict[str, str], inst: Institution | None = None) -> list[str]:
        """The A1 copies (SD-JWT VCs) a wallet gets with that request."""
        inst = inst or self.inst
        token = self.service.token(inst, form)["access_token"]
        holder = generate_key()
        proof = sign_jws({"typ": openid4vci.PROOF_TYP, "jwk": public_jwk(holder)},
                         {"aud": inst.issuer_url, "iat": int(datetime.now(UTC).timestamp()),
                          "nonce": self.service.nonces.c_nonce(inst.issuer_url)}, holder)
        answer = self.service.credential(inst, f"Bearer {token}", {"credential_configuration_id": "pda1",
                                                                   "proofs": {"jwt": [proof]}})
        return [c["credential"] for c in answer["credentials"]]

    def copies(self, form: dict[str, str], inst: Institution | None = None) -> list[Certificate]:
        """The leaf certificate each A1 copy a wallet gets with that request was signed under."""
        return [load_x5c(decode_jws(c.split("~")[0]).header["x5c"])[0] for c in self.issued(form, inst)]

    def kids(self) -> list[str]:
        return [k["kid"] for k in self.service.jwt_vc_issuer_metadata(self.inst)["jwks"]["keys"]]


@pytest.fixture
def vsaa(registry_dir: Path, tmp_path: Path) -> Iterator[Vsaa]:
    from credentials.pki import load_demo_pki
    from issuer.app import MIGRATIONS

    (tmp_path / "registry.db").write_bytes((registry_dir / "registry.db").read_bytes())
    registry_engine = make_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}")
    upgrade(engine, MIGRATIONS)
    hosted = demo_institutions(registry_dir / "pki", "http://127.0.0.1:1", now=datetime.now(UTC))
    held = [Registry(registry_engine).build_list("issuers", datetime.now(UTC))]
    service = IssuerService(engine, hosted, issuers_list=lambda _at: held[0])
    service.refresh_signer_list()
    try:
        yield Vsaa(service, hosted["lv-vsaa"], Registry(registry_engine), load_demo_pki(registry_dir / "pki"), held)
    finally:
        engine.dispose()
        registry_engine.dispose()


def _distrusted(act: Callable[[], Any]) -> ProtocolError:
    with pytest.raises(ProtocolError) as refused:
        act()
    assert (refused.value.http_status, refused.value.error, refused.value.key) == (
        503, "temporarily_unavailable", DISTRUSTED), refused.value
    return refused.value


def test_a_signer_key_revoked_on_the_trust_list_signs_nothing_and_no_code_is_spent_on_it(
        vsaa: Vsaa, caplog: pytest.LogCaptureFixture) -> None:
    """Reviewer J, M2: LV:VSAA's only signer key is revoked at the registry (``esspass registry
    revoke-key``: compromised). Once the issuer holds that list, nothing is signed with it: the token,
    credential and paper endpoints answer 503 ``signer.distrusted`` before the single-use code is spent,
    the status list is not served, the key is no longer published, and the operator is told. The
    same offer works once a new key (not listed yet: better than nothing) is configured."""
    import logging

    first = vsaa.case()
    assert vsaa.copies(vsaa.offer(first))  # before: signed, a status list opened
    revoked = spki_kid(vsaa.inst.x5c[0])
    assert revoked in vsaa.kids()
    case_id = vsaa.case()
    form = vsaa.offer(case_id)  # offered while the key was still trusted
    vsaa.registry.revoke_key(VSAA, revoked, who="operator", reason="key compromised")
    vsaa.relist()

    with caplog.at_level(logging.ERROR, logger="esspass.issuer"):
        refused = _distrusted(lambda: vsaa.service.token(vsaa.inst, form))
        _distrusted(lambda: vsaa.service.paper(vsaa.inst, case_id, actor=CLERK))
        _distrusted(lambda: vsaa.service.create_offer(vsaa.inst, case_id, actor=CLERK))
        _distrusted(lambda: vsaa.service.status.token(vsaa.inst, 1))
    assert "revoked" in refused.message and "expired" not in refused.message
    assert vsaa.service.get_case(vsaa.inst, case_id)["offer_refusal"]["rule_key"] == DISTRUSTED
    assert revoked not in vsaa.kids()
    logged = [r.getMessage() for r in caplog.records if getattr(r, "event", None) == "signer_distrusted"]
    assert logged and all(VSAA in said for said in logged)
    personal = (*HOLDER.values(), PERSON.pda1["personal_administrative_number"])
    assert not any(str(v) in said for said in logged for v in personal)

    # The institution certifies a new key; the registry does not list it yet. The same code still works.
    ca_key, ca = vsaa.pki.cas[VSAA]
    key, leaf = issue_document_signer(demo_entity(VSAA), ca_key, ca, now=datetime.now(UTC) - HOUR)
    renewed = replace(vsaa.inst, next_signers=(Signer(key, (leaf,)),))
    leaves = vsaa.copies(form, renewed)
    assert leaves and all(spki_kid(c) == spki_kid(leaf) for c in leaves)


@pytest.mark.parametrize("status", ["suspend", "withdraw"])
def test_an_institution_suspended_or_withdrawn_on_the_trust_list_issues_and_prints_nothing(
        vsaa: Vsaa, status: str) -> None:
    first = vsaa.case()
    assert vsaa.copies(vsaa.offer(first))
    case_id = vsaa.case()
    getattr(vsaa.registry, status)(VSAA, who="operator", reason="under investigation")
    vsaa.relist()
    _distrusted(lambda: vsaa.service.create_offer(vsaa.inst, case_id, actor=CLERK))
    _distrusted(lambda: vsaa.service.paper(vsaa.inst, case_id, actor=CLERK))
    assert spki_kid(vsaa.inst.x5c[0]) in vsaa.kids()  # not compromised: what it signed before stays valid
    if status == "suspend":  # reinstated, it issues again
        vsaa.registry.reinstate(VSAA, who="operator")
        vsaa.relist()
        assert vsaa.copies(vsaa.offer(case_id))


@pytest.mark.parametrize("status", ["suspend", "withdraw"])
def test_a_suspended_or_withdrawn_institution_still_serves_its_status_lists_and_its_withdrawals_reach_verifiers(
        vsaa: Vsaa, status: str) -> None:
    """Its documents issued before stay valid until each is withdrawn through its list (credentials.trust_list
    "Policy"): a list no longer served would leave every verifier "undetermined" once its copy ends."""
    case_id = vsaa.case()
    [credential] = vsaa.issued(vsaa.offer(case_id))
    ref = status_list.StatusReference.from_claim(decode_jws(credential.split("~")[0]).payload["status"])
    number = int(ref.uri.rsplit("/", 1)[1])
    getattr(vsaa.registry, status)(VSAA, who="operator", reason="merged into another institution")
    vsaa.relist()
    vsaa.service.set_state(vsaa.inst, case_id, "revoked", reason="wrong determination", actor=CLERK)
    served = vsaa.service.status.token(vsaa.inst, number)
    assert isinstance(served.token, str)
    entity = vsaa.held[0].entity(VSAA)
    assert entity is not None and entity.status_at(datetime.now(UTC)) != trust_list.ACTIVE
    now = datetime.now(UTC)
    verified = status_list.verify_token(served.token, uri=ref.uri, anchors=entity.anchors(now), now=now)
    assert verified.status_list.get(ref.idx) == status_list.INVALID  # the withdrawal, told after the institution's
    windows = trust_list.signer_listings(entity, verified.chain.leaf)
    assert windows and any(c.listed_at(now) and not c.revoked for c in windows)  # a key verifiers take


def test_an_inspector_learns_over_http_of_a_withdrawal_a_withdrawn_institution_makes_after_its_own(
        tmp_path: Path) -> None:
    """The real pilot: an A1 of LV:VSAA held by a worker; the registry withdraws LV:VSAA (merged); its A1
    stays valid for the inspector (issued before), and once its clerk withdraws the A1 the inspector is
    told so, from the status list the withdrawn institution's issuer still serves (not "undetermined")."""
    from urllib.parse import urlsplit

    from credentials.x509 import load_pem_certificates
    from esspass.stack import InspectorAuth
    from issuer.app import build_service, create_app
    from issuer.settings import IssuerSettings
    from trust_registry.client import TrustListClient

    data = tmp_path / "pilot"
    with start_in_process(data) as stack, httpx.Client(timeout=30) as http:
        # The stack's issuer, restarted with a list client the test can make fetch anew (its max-age is
        # five minutes): the institution's housekeeping, when it has passed.
        settings = IssuerSettings(data_dir=data, public_url=stack.issuer_url, registry_url=stack.registry_url)
        root = load_pem_certificates((data / "pki" / "root.pem").read_bytes())[0]
        lists = TrustListClient(stack.registry_url, registry_root=root, http=http)
        service = build_service(settings)
        service.signer_choice = SignerChoice(lists.issuers)
        service.refresh_signer_list()
        stack.stop("issuer")
        stack.handles["issuer"] = serve(create_app(settings, service=service),
                                        port=urlsplit(stack.issuer_url).port or 0)
        http.auth = InspectorAuth(stack.inspector_token)
        wallet = open_wallet(data / "phone", stack.registry_url, "pw", fast_kdf=True, pki_dir=data / "pki")
        try:
            clerk = Clerk(stack.issuer_url, data, http)
            clerk.hand_over(wallet, PERSON.pid_provider, "pid", PERSON.pid)
            case_id = clerk.create_case(VSAA, "pda1", unnumbered(PERSON.pda1), HOLDER)
            offer = clerk.offer(VSAA, case_id)
            wallet.accept_offer(wallet.open_offer(offer["link"])[0], offer["tx_code"])
            # A withdrawal takes effect from its second: the A1's iat (whole seconds) must be before it.
            time.sleep(1.1)
            engine = make_engine(f"sqlite:///{data / 'registry.db'}")
            try:
                Registry(engine).withdraw(VSAA, who="operator", reason="merged into another institution")
            finally:
                engine.dispose()
            lists.refresh("issuers", datetime.now(UTC))
            service.refresh_signer_list()

            def verdict(ahead: timedelta) -> dict[str, Any]:
                """An inspection ``ahead`` of now: the verifier's status lists held have to be fetched anew."""
                verifier = stack.restart_verifier(ahead=ahead)
                wallet.clock = verifier.clock
                inspector = Inspector(stack.verifier_url, http)
                request = inspector.request("pda1")
                wallet.share(wallet.open_request(request["link"], "en").id)
                found: dict[str, Any] = inspector.result(request)["verdict"]
                return found

            still = verdict(timedelta(minutes=6))
            assert still["verdict"] == "valid", still  # issued before the institution's withdrawal
            clerk.set_state(VSAA, case_id, "revoke", "wrong determination")
            withdrawn = verdict(timedelta(minutes=12))
            assert withdrawn["verdict"] == "invalid" and withdrawn["reason_key"] == "status.withdrawn", withdrawn
        finally:
            wallet.http.close()
            service.engine.dispose()


def test_a_revoked_key_signs_no_status_list_whatever_the_institutions_status(vsaa: Vsaa) -> None:
    assert vsaa.copies(vsaa.offer(vsaa.case()))
    vsaa.service.status.token(vsaa.inst, 1)
    vsaa.registry.withdraw(VSAA, who="operator", reason="merged")
    vsaa.registry.revoke_key(VSAA, spki_kid(vsaa.inst.x5c[0]), who="operator", reason="compromised")
    vsaa.relist()
    _distrusted(lambda: vsaa.service.status.token(vsaa.inst, 1))


def test_the_distrusted_signer_refusal_is_said_in_the_clerks_language_and_never_says_expired() -> None:
    said = {lang: rule_text(lang, "", DISTRUSTED, {}) for lang in i18n.LANGUAGES}
    assert all(said[lang] == i18n.t(f"rule.{DISTRUSTED}", lang) for lang in i18n.LANGUAGES)
    assert len(set(said.values())) == len(i18n.LANGUAGES)
    assert said["en"] != i18n.t(f"rule.{EXPIRED}", "en") and "expired" not in said["en"]


def test_issuer_check_says_revoked_for_a_key_the_trust_list_revoked_and_suspended_for_an_institution(
        registry_dir: Path, tmp_path: Path) -> None:
    from trust_registry.app import create_app as registry_app
    from trust_registry.settings import RegistrySettings

    data = tmp_path / "pilot"
    data.mkdir()
    (data / "registry.db").write_bytes((registry_dir / "registry.db").read_bytes())
    os.symlink(registry_dir / "pki", data / "pki")
    engine = make_engine(f"sqlite:///{data / 'registry.db'}")
    try:
        hosted = demo_institutions(data / "pki", "http://127.0.0.1:1", now=datetime.now(UTC))
        Registry(engine).revoke_key(VSAA, spki_kid(hosted["lv-vsaa"].x5c[0]), who="operator", reason="compromised")
        Registry(engine).suspend("LV:NVD", who="operator", reason="under investigation")
    finally:
        engine.dispose()
    env = {**os.environ, "ESSPASS_DATA_DIR": str(data), "ESSPASS_ISSUER_REGISTRY_ROOT": str(data / "pki" / "root.pem")}
    env.pop("DATABASE_URL", None)
    port = free_port()
    with serve(registry_app(RegistrySettings(data_dir=data)), port=port):
        env["ESSPASS_ISSUER_REGISTRY_URL"] = f"http://127.0.0.1:{port}"
        checked = subprocess.run([sys.executable, "-m", "esspass.cli", "issuer", "check"], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=120)
    assert checked.returncode == 1, checked
    lines = checked.stdout.splitlines()
    vsaa_line = next(line for line in lines if line.startswith(VSAA))
    assert vsaa_line.split()[1] == "REVOKED" and "revoked on the trust list" in vsaa_line, checked.stdout
    assert "REVOKED on the trust list (signs nothing)" in checked.stdout
    nvd_line = next(line for line in lines if line.startswith("LV:NVD"))
    assert nvd_line.split()[1] == "SUSPENDED", checked.stdout
    assert "status lists are still served" in nvd_line and "served as status list" not in nvd_line, nvd_line
    assert next(line for line in lines if line.startswith("DE:DRV")).split()[1] == "ok", checked.stdout


def test_a_suspension_stops_the_signing_at_the_next_round_not_after_the_lists_max_age(
        registry_dir: Path, tmp_path: Path) -> None:
    """The issuers list client serves the list it holds for up to its max-age (five minutes): each
    housekeeping round also asks the registry again (``revalidate``, a conditional request), so a
    suspension stops the signing within a round. A copy signed meanwhile would be refused by every
    verifier for good (its ``iat`` inside the suspension), though the wallet keeps it as good."""
    from issuer.app import MIGRATIONS, SIGNER_LIST_ROUND

    assert SIGNER_LIST_ROUND <= 30
    (tmp_path / "registry.db").write_bytes((registry_dir / "registry.db").read_bytes())
    registry_engine = make_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}")
    upgrade(engine, MIGRATIONS)
    try:
        registry = Registry(registry_engine)
        held = registry.build_list("issuers", datetime.now(UTC))  # what the client holds, within its max-age
        asked: list[datetime] = []

        def revalidate(now: datetime) -> TrustList:
            asked.append(now)
            return registry.build_list("issuers", datetime.now(UTC))  # the registry's list as it is now

        hosted = demo_institutions(registry_dir / "pki", "http://127.0.0.1:1", now=datetime.now(UTC))
        service = IssuerService(engine, hosted, issuers_list=lambda _at: held, revalidate_issuers=revalidate)
        service.refresh_signer_list()
        inst = hosted["lv-vsaa"]
        assert service.signer(inst, datetime.now(UTC)) is not None
        registry.suspend(VSAA, who="operator", reason="under investigation")
        service.refresh_signer_list()
        assert service.signer(inst, datetime.now(UTC)) is None
        assert len(asked) == 2  # every round asked the registry
    finally:
        engine.dispose()
        registry_engine.dispose()


@pytest.mark.parametrize(("tl", "at", "reason"), [
    (_issuers((OLD, -300 * DAY, timedelta(0), True)), AT - DAY, trust_list.KEY_REVOKED),
    (_issuers(OPEN, status=((trust_list.ACTIVE, -400 * DAY), (trust_list.SUSPENDED, -HOUR))), AT - DAY,
     trust_list.SUSPENDED_NOW),
    (_issuers(OPEN, status=((trust_list.ACTIVE, -400 * DAY), (trust_list.SUSPENDED, -2 * DAY),
                            (trust_list.ACTIVE, -DAY))), AT - 36 * HOUR, trust_list.INACTIVE_AT_ISSUANCE),
    (_issuers((NEW, HOUR, 700 * DAY, False)), AT - DAY, trust_list.NOT_LISTED),
])
def test_the_trust_lists_refusal_names_its_rule_for_the_inspectors_reason(tl: TrustList, at: datetime,
                                                                          reason: str) -> None:
    """A revoked key, an institution suspended now or when it signed, a key not listed: each refusal says
    which (``IssuerTrustError.reason``), so the inspector's page says why, never "not competent" for all."""
    with pytest.raises(IssuerTrustError) as refused:
        trust_list.authorised_issuer(tl, [*OLD.chain, _CA[1]], pda1.VCT, at=at, now=AT)
    assert refused.value.reason == reason, refused.value.message
