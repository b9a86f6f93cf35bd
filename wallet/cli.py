"""``esspass wallet init|receive|pending|fetch-pending|cancel-pending|list|show|renew|present|log|status|
passphrase|serve``: the wallet from a terminal.

The passphrase is asked with ``getpass`` (never echoed, never an argument); for scripts it can
come from a file (``--passphrase-file``) or the ``ESSPASS_WALLET_PASSPHRASE`` environment
variable. Failures are printed in plain words in the chosen language and exit with status 1.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from credentials.errors import CredentialError, ProtocolError
from credentials.i18n import colon, format_date
from wallet.messages import LANGUAGES, explain, normalise_lang, pending_message, t

if TYPE_CHECKING:
    from wallet.service import PendingOutcome

__all__ = ["main", "register"]

PASSPHRASE_ENV = "ESSPASS_WALLET_PASSPHRASE"  # noqa: S105 - the variable name, not a secret


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("wallet", help="the worker's wallet: receive, show and present credentials")
    parser.add_argument("--wallet", type=Path, help="wallet file (default <data dir>/wallet/wallet.enc)")
    parser.add_argument("--lang", choices=LANGUAGES, help="language of the output")
    parser.add_argument("--passphrase-file", type=Path,
                        help=f"read the passphrase from this file (or ${PASSPHRASE_ENV})")
    sub = parser.add_subparsers(dest="wallet_command", metavar="ACTION", required=True)

    p = sub.add_parser("init", help="create a new, empty, encrypted wallet")
    p.add_argument("--start-over", action="store_true",
                   help="the passphrase is forgotten: erase the wallet that is there (its documents, keys and "
                        "history) and create a new, empty one; then ask each institution for a new offer")
    p.add_argument("--yes", action="store_true", help="with --start-over: do not ask to type the word again")
    p.set_defaults(func=_cmd(_init, unlock=False))
    p = sub.add_parser("receive", help="add a credential from an offer link or a QR picture")
    p.add_argument("link", nargs="?", help="openid-credential-offer://... link")
    p.add_argument("--qr", type=Path, help="photo or PNG of the offer QR code")
    p.add_argument("--tx-code", help="the code received separately (asked for when needed)")
    p.add_argument("--at-institution", action="store_true",
                   help="type the code on the institution's page in a browser instead (authorization code flow)")
    p.add_argument("--wait", type=float, default=300, help="seconds to wait for the institution's page (default 300)")
    p.set_defaults(func=_cmd(_receive))
    sub.add_parser("pending", help="documents an institution has still to approve (deferred issuance)"
                   ).set_defaults(func=_cmd(_pending))
    p = sub.add_parser("fetch-pending", help="ask the institutions for the pending documents that are due "
                       "(exit 1 when a document, or part of one, will not come; 2 when an institution "
                       "could not be asked)")
    p.add_argument("--now", action="store_true", help="ask about every pending document, ignoring the interval")
    p.set_defaults(func=_cmd(_fetch_pending))
    p = sub.add_parser("cancel-pending", help="stop waiting for a pending document and erase what is kept for it")
    p.add_argument("id", help="pending document id from 'pending'")
    p.add_argument("--yes", action="store_true", help="do not ask again")
    p.set_defaults(func=_cmd(_cancel_pending))
    sub.add_parser("list", help="list the credentials").set_defaults(func=_cmd(_list))
    p = sub.add_parser("show", help="show one credential in plain words")
    p.add_argument("id", help="credential id from 'list'")
    p.set_defaults(func=_cmd(_show))
    p = sub.add_parser("renew", help="get new copies of a document from its institution, without a new offer "
                       "(default: of every document whose copies end soon, have ended, or are used up)")
    p.add_argument("id", nargs="?", help="credential id from 'list' (renewed whether or not its copies end soon)")
    p.set_defaults(func=_cmd(_renew))
    p = sub.add_parser("status", help="check credentials against their issuer's status list now")
    p.add_argument("id", nargs="?", help="one credential (default: all)")
    p.set_defaults(func=_cmd(_status))
    p = sub.add_parser("present", help="answer a verifier's request (openid4vp:// link or QR picture)")
    p.add_argument("link", nargs="?", help="openid4vp://... link")
    p.add_argument("--qr", type=Path, help="photo or PNG of the request QR code")
    answer = p.add_mutually_exclusive_group()
    answer.add_argument("--yes", action="store_true", help="share without asking (after showing what leaves)")
    answer.add_argument("--no", action="store_true", help="decline without asking")
    # OpenID4VP §6.4.1: by default the verifier's first option the documents satisfy (what its purpose
    # asks first); --only-required leaves out what a later option does without.
    sending = p.add_mutually_exclusive_group()
    sending.add_argument("--with-optional", action="store_true",
                         help="send the verifier's first option the documents satisfy (the default, said explicitly)")
    sending.add_argument("--only-required", action="store_true",
                         help="leave out what some later option of the request does without, and send the "
                              "first option the verifier accepts without it")
    # OpenID4VP §6.4: among the documents answering a query the wallet chooses (a parent's own EHIC or her
    # child's, an A1 of one posting or another); by default its own pick (wallet.core.choices).
    p.add_argument("--choose", action="append", default=[], metavar="ID",
                   help="show this document (its id from 'list') where several answer the request; repeat for "
                        "another query (default: the one marked *, or asked at a terminal)")
    p.set_defaults(func=_cmd(_present))
    sub.add_parser("log", help="what was shown to whom and when").set_defaults(func=_cmd(_log))
    p = sub.add_parser("delete", help="remove a credential (every copy, and its keys) from this wallet")
    p.add_argument("id", help="credential id from 'list'")
    p.add_argument("--yes", action="store_true", help="do not ask again")
    p.set_defaults(func=_cmd(_delete))
    p = sub.add_parser("qr", help="the offline QR code of a PDA1 or EHIC, for an inspector without network")
    p.add_argument("id", help="credential id from 'list'")
    p.add_argument("--challenge", help="the code the inspector's device shows, if any")
    p.add_argument("--png", type=Path, help="write the QR code as a PNG file (else print its text)")
    p.set_defaults(func=_cmd(_qr))
    p = sub.add_parser("passphrase", help="change the wallet's passphrase (the documents are encrypted again)")
    p.add_argument("--new-passphrase-file", type=Path, help="read the new passphrase from this file (scripts)")
    p.set_defaults(func=_cmd(_change_passphrase, unlock=False))
    p = sub.add_parser("serve", help="serve the wallet pages on 127.0.0.1", description=(
        "Serve the wallet pages on 127.0.0.1. Its privacy notice (/privacy) names who provides the wallet: "
        "ESSPASS_WALLET_OPERATOR_NAME (default: the ESSPASS pilot, in the page's language) and "
        "ESSPASS_WALLET_OPERATOR_CONTACT."))
    p.add_argument("--host", default=None, help="loopback address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--tls-cert", type=Path, help="serve the pages over HTTPS with this certificate (PEM)")
    p.add_argument("--tls-key", type=Path, help="private key of --tls-cert (PEM)")
    p.set_defaults(func=_serve)


class _Ctx:
    def __init__(self, args: argparse.Namespace, out: TextIO) -> None:
        from wallet.settings import WalletSettings

        overrides: dict[str, Any] = {}
        if args.wallet is not None:
            overrides["store_path"] = args.wallet
        self.settings = WalletSettings(**overrides)
        self.lang = normalise_lang(args.lang or self.settings.lang)
        self.args = args
        self.out = out
        self._service: Any = None

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def t(self, key: str, **kw: Any) -> str:
        return t(key, self.lang, **kw)

    def passphrase(self, *, confirm: bool = False) -> str:
        if self.args.passphrase_file is not None:
            path: Path = self.args.passphrase_file
            return path.read_text(encoding="utf-8").rstrip("\r\n")
        env = os.environ.get(PASSPHRASE_ENV)
        if env:
            return env
        if not _terminal():  # getpass would read standard input, warn, and end in a traceback at its end
            raise SystemExit(f"No terminal to ask the passphrase on: {_GIVE_PASSPHRASE}")
        try:
            first: str = getpass.getpass(f"{self.t('field.passphrase')}: ")
            if confirm and getpass.getpass(f"{self.t('field.passphrase2')}: ") != first:
                raise SystemExit(self.t("setup.mismatch"))
        except EOFError:  # Ctrl-D at the prompt
            print(file=sys.stderr)  # end the prompt's line
            raise SystemExit(f"No passphrase given: type it at the prompt, or {_GIVE_PASSPHRASE}") from None
        return first

    def service(self) -> Any:
        if self._service is None:
            from wallet import core
            from wallet.http import make_client
            from wallet.service import WalletService

            store = _open_store(self, self.settings.wallet_path(), self.passphrase())
            client = make_client(verify=self.settings.tls_verify(), timeout=self.settings.http_timeout)
            self._service = WalletService(
                self.settings, store, http=client, trust=core.registry_trust(self.settings, client)
            )
            # The wallet opens: the grants of deleted cards that their institutions could not be told
            # about are tried again (wallet.revocation), finished before the command ends (_cmd).
            self._service.retry_revocations(all_pending=True)
        return self._service


#: How a script gives the passphrase (English, as the other messages of the terminal's set-up are).
_GIVE_PASSPHRASE = f"give it with `esspass wallet --passphrase-file FILE ...` or {PASSPHRASE_ENV}"


def _ask_line(prompt: str, instead: str) -> str:
    """A line typed at the terminal. With none to type it at (a script's standard input), or Ctrl-D:
    one line saying how to give it instead, exit 1, as for the passphrase (never input()'s EOFError)."""
    if sys.stdin is None or not sys.stdin.isatty():
        raise SystemExit(f"No terminal to ask on: {instead}")
    try:
        return input(prompt)
    except EOFError:
        print(file=sys.stderr)  # end the prompt's line
        raise SystemExit(f"Nothing was typed: {instead}") from None


def _terminal() -> bool:
    """Whether ``getpass`` has a terminal to ask on: the controlling one, else standard input."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return sys.stdin is not None and sys.stdin.isatty()
    os.close(fd)
    return True


def _cmd(action: Callable[[_Ctx], int], *, unlock: bool = True) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
        from trust_registry.client import TrustListUnavailable

        ctx = _Ctx(args, out or sys.stdout)
        try:
            return action(ctx)
        except TrustListUnavailable as exc:  # not reached: never told as "the sender is not trusted"
            print(f"{ctx.t('error.title')}: {ctx.t('error.registry', url=exc.registry_url, detail=exc.detail)}",
                  file=sys.stderr)
            if not {"ESSPASS_WALLET_REGISTRY_URL", "ESSPASS_REGISTRY_URL"} & set(os.environ):
                print(ctx.t("error.pilot"), file=sys.stderr)  # the pilot's address or the default was tried
            return 1
        except CredentialError as exc:
            from wallet.errors import WalletExistsError, WrongPassphraseError

            code = exc.error if isinstance(exc, ProtocolError) else exc.code
            print(f"{ctx.t('error.title')}: {explain(code, exc.message, ctx.lang)}", file=sys.stderr)
            if isinstance(exc, WrongPassphraseError | WalletExistsError):  # a forgotten passphrase: no dead end
                print(ctx.t("cli.forgot", path=ctx.settings.wallet_path()), file=sys.stderr)
            return 1
        except BrokenPipeError:
            raise  # the output's reader went away (| head): esspass.cli.main ends quietly with 141
        except OSError as exc:  # a --qr picture, --passphrase-file or --png path that cannot be used
            print(f"{ctx.t('error.title')}: {exc.strerror or type(exc).__name__}: {exc.filename}", file=sys.stderr)
            return 1
        finally:
            if ctx._service is not None:
                ctx._service.wait_revocations()  # told before the client closes under them
                ctx._service.http.close()

    return run


def _open_store(ctx: _Ctx, path: Path, passphrase: str) -> Any:
    """Unlock the wallet with ``passphrase``, wrong tries counted with the page's (beside the wallet
    file, wallet.passphrase.UnlockThrottle): while they make the next try wait, it is refused unread."""
    from esspass.throttle import retry_after
    from wallet.errors import WrongPassphraseError
    from wallet.passphrase import UnlockThrottle
    from wallet.store import WalletStore

    throttle = UnlockThrottle(path)
    with throttle.turn() as wait:
        if wait:
            raise SystemExit(f"{ctx.t('error.title')}: {ctx.t('error.wait', seconds=retry_after(wait))}")
        try:
            store = WalletStore.open(path, passphrase)
        except WrongPassphraseError:
            throttle.failed()
            raise
        throttle.succeeded()
    return store


def _init(ctx: _Ctx) -> int:
    """A new wallet; where there is one, only with ``--start-over`` (its passphrase forgotten): the new
    passphrase is asked and checked first, then the word typed (or ``--yes``), then the old file erased."""
    from wallet.errors import WalletExistsError
    from wallet.passphrase import UnlockThrottle, confirmed_erase
    from wallet.store import WalletStore, check_new_passphrase

    path = ctx.settings.wallet_path()
    start_over = bool(ctx.args.start_over) and path.exists()
    if path.exists() and not start_over:
        # Said before any passphrase is asked (there is nothing to type it for), with the way to start over.
        raise WalletExistsError("A wallet already exists here; it was left as it is.")
    passphrase = ctx.passphrase(confirm=True)
    check_new_passphrase(passphrase)
    if start_over:
        ctx.say(ctx.t("start_over.what", path=path))
        if not ctx.args.yes:
            if not _terminal():
                raise SystemExit(ctx.t("start_over.needs_yes"))
            word = ctx.t("start_over.word")
            try:
                typed = input(f"{ctx.t('start_over.confirm', word=word)}: ")
            except EOFError:
                typed = ""
            if not confirmed_erase(typed):
                print(ctx.t("start_over.kept"), file=sys.stderr)
                return 1
        WalletStore.erase(path)
        UnlockThrottle(path).forget()
    WalletStore.create(path, passphrase, params=ctx.settings.scrypt_params())
    ctx.say(ctx.t("start_over.done" if start_over else "setup.created", path=path))
    return 0


def _change_passphrase(ctx: _Ctx) -> int:
    """The current passphrase as every command takes it, the new one from ``--new-passphrase-file`` or
    asked twice at the terminal; the wallet is written again under it (atomically)."""
    from wallet.store import check_new_passphrase

    store = _open_store(ctx, ctx.settings.wallet_path(), ctx.passphrase())
    new_file: Path | None = ctx.args.new_passphrase_file
    if new_file is not None:
        new = new_file.read_text(encoding="utf-8").rstrip("\r\n")
    elif not _terminal():
        raise SystemExit("No terminal to ask the new passphrase on: give it with --new-passphrase-file FILE")
    else:
        try:
            new = getpass.getpass(f"{ctx.t('field.new_passphrase')}: ")
            if getpass.getpass(f"{ctx.t('field.new_passphrase2')}: ") != new:
                raise SystemExit(ctx.t("setup.mismatch"))
        except EOFError:
            print(file=sys.stderr)
            raise SystemExit("No new passphrase given: nothing was changed.") from None
    check_new_passphrase(new)
    store.change_passphrase(new, params=ctx.settings.scrypt_params())
    ctx.say(ctx.t("passphrase.changed"))
    return 0


def _link(ctx: _Ctx) -> str:
    from wallet.qr import decode_qr

    if ctx.args.qr is not None:
        return decode_qr(ctx.args.qr.read_bytes())
    if ctx.args.link:
        return str(ctx.args.link)
    raise SystemExit(ctx.t("error.nothing"))


def _receive(ctx: _Ctx) -> int:
    link = _link(ctx)
    service = ctx.service()
    offer_id, offer = service.open_offer(link)
    ctx.say(ctx.t("offer.from", issuer=offer.issuer_name(ctx.lang)))
    from wallet.service import offered_names

    for name in offered_names(offer, ctx.lang):  # each document once, whatever forms it comes in
        ctx.say(f"  - {name}")
    if ctx.args.at_institution:
        received = _receive_at_institution(ctx, service, offer_id)
    else:
        received = service.accept(offer_id, _tx_code(ctx, offer))
    if received.pending:  # OpenID4VCI §8.3: the institution deferred it (a second clerk approves first)
        ctx.say(ctx.t("pending.title"))
        # Nothing fetches it until the worker asks (the wallet's page asks by itself): say what to run.
        ctx.say(f"  {ctx.t('pending.deferred_terminal', institution=offer.issuer_name(ctx.lang))}")
    if not received.groups:
        return 0
    ctx.say(ctx.t("received.title"))
    for group in received.groups:
        card = service.card(group, ctx.lang)
        ctx.say(f"[{card.group}] {card.title}")
        ctx.say(f"  {card.description}")
        ctx.say(f"  {ctx.t('received.checked', issuer=card.issuer_name)}")
        if card.other_person:
            ctx.say(f"  {ctx.t('received.other_person', issuer=card.issuer_name)}")
    return 0


def _receive_at_institution(ctx: _Ctx, service: Any, offer_id: str) -> Any:
    """The authorization code flow from a terminal: the worker opens the institution's page in a
    browser, and the page sends the browser back to a loopback listener (RFC 8252 §7.3)."""
    from wallet.loopback import LoopbackCallback

    with LoopbackCallback() as callback:
        ctx.say(ctx.t("cli.open_page"))
        ctx.say(service.begin_authorization(offer_id, callback.redirect_uri, ctx.lang))
        params = callback.wait(ctx.args.wait)
    if params is None:
        raise SystemExit(ctx.t("cli.no_answer"))
    return service.complete_authorization(params.get("state", ""), code=params.get("code"),
                                          iss=params.get("iss"), error=params.get("error"))


def _tx_code(ctx: _Ctx, offer: Any) -> str | None:
    tx_code: str | None = ctx.args.tx_code
    if offer.tx_code is not None and not tx_code:
        hint = offer.tx_code.description or (
            ctx.t("offer.tx_code_help", length=offer.tx_code.length) if offer.tx_code.length else ""
        )
        tx_code = _ask_line(f"{ctx.t('offer.tx_code')}{f' ({hint})' if hint else ''}: ",
                            "give the code with --tx-code CODE").strip()
    return tx_code


def _pending(ctx: _Ctx) -> int:
    """What institutions have still to approve: what, from whom, since when."""
    views = ctx.service().pending(ctx.lang)
    if not views:
        ctx.say(ctx.t("pending.none"))
    for view in views:
        ctx.say(f"[{view.id}] " + ctx.t("pending.waiting", institution=view.issuer_name,
                                        document=", ".join(view.titles), date=format_date(view.asked_at[:10],
                                                                                          ctx.lang)))
        ctx.say(f"  {ctx.t('pending.next', when=view.next_poll[:16].replace('T', ' ') + ' UTC')}")
    return 0


#: What asking came to when it ended without the document: refused, unknown to the issuer, access
#: ended, failed the receipt checks (exit 1, as any other failure of a command).
_ENDED_WITHOUT = frozenset({"refused", "gone", "expired", "failed"})


def _will_not_come(out: PendingOutcome) -> bool:
    """Whether (part of) a document will not come: ended without it, or received incomplete (what
    arrived is stored, and the detail says why the rest will not come)."""
    return out.outcome in _ENDED_WITHOUT or (out.outcome == "received" and bool(out.detail))


def _fetch_pending(ctx: _Ctx) -> int:
    """Ask about the pending documents that are due (all with --now); exit 0 when nothing failed,
    1 when a document, or part of one, will not come (refused, gone, expired, failed, or received
    incomplete), else 2 when an institution could not be asked (the document stays pending)."""
    service = ctx.service()
    outcomes = service.fetch_pending(force=ctx.args.now, lang=ctx.lang)
    if not outcomes:  # none due: what waits, and when it is asked about next
        return _pending(ctx)
    worst = 0
    for out in outcomes:
        ctx.say(f"[{out.id}] {pending_message(out.outcome, out.issuer_name, out.titles, out.detail, ctx.lang)}")
        for group in out.groups:
            card = service.card(group, ctx.lang)
            ctx.say(f"  [{card.group}] {card.title}: {card.description}")
        if _will_not_come(out):
            worst = 1
        elif out.outcome == "pending" and out.detail and worst == 0:
            worst = 2
    return worst


def _cancel_pending(ctx: _Ctx) -> int:
    """Remove one pending document after showing it and asking (as ``delete`` does); exit 1 when not
    confirmed, or when it cannot be removed (unknown id, or being asked about right now)."""
    from wallet.errors import NotFoundError

    service = ctx.service()
    view = next((v for v in service.pending(ctx.lang) if v.id == ctx.args.id), None)
    if view is None:
        raise NotFoundError("There is no such pending document in this wallet.")
    ctx.say(f"[{view.id}] " + ctx.t("pending.waiting", institution=view.issuer_name, document=", ".join(view.titles),
                                    date=format_date(view.asked_at[:10], ctx.lang)))
    ctx.say(ctx.t("pending.remove_help"))
    asked = f"{ctx.t('pending.remove_confirm')}? [y/N] "
    if not ctx.args.yes and _ask_line(asked, "confirm with --yes").strip().lower() not in ("y", "yes"):
        return 1
    gone = service.cancel_pending(view.id, lang=ctx.lang)
    ctx.say(ctx.t("pending.removed", institution=gone.issuer_name, document=", ".join(gone.titles)))
    return 0


def _list(ctx: _Ctx) -> int:
    from wallet.service import standing_words

    service = ctx.service()
    cards = service.cards(ctx.lang)
    if not cards:
        ctx.say(ctx.t("cards.empty"))
    for card in cards:
        # Withdrawn or suspended, else ended or not yet valid by its own dates, or its copies expired (and
        # whom to ask for a new one), else the status list's word. A past document (replaced, withdrawn,
        # ended) comes after the current ones of its kind, named so first and said in the past tense.
        tag = f"{ctx.t('card.past_tag')}: " if card.past else ""
        ctx.say(f"[{card.group}] {tag}{card.title} — {card.issuer_name} — {standing_words(card, ctx.lang)}")
        if card.person:  # a represented person's card (a child's EHIC): whose it is, as the pages say it
            ctx.say(f"  {card.person}")
        ctx.say(f"  {card.description}")
    for notice in service.revocation_notices(ctx.lang):  # a deleted card's grant the institution was not told of
        ctx.say(notice)
    return 0


def _show(ctx: _Ctx) -> int:
    from wallet.service import copies_end_words

    service = ctx.service()
    card = service.card(ctx.args.id, ctx.lang)
    if card.past:
        ctx.say(ctx.t("card.past_tag"))
    ctx.say(card.title)
    if card.person:  # a represented person's card (a child's EHIC): whose it is, as the pages say it
        ctx.say(card.person)
    ctx.say(card.description)
    # Which document of this kind to show an inspector (as the card's page says it).
    if card.past and card.current:
        ctx.say(ctx.t("card.show_instead"))
        described = {c.group: c.description for c in service.cards(ctx.lang)}
        for group in card.current:
            ctx.say(f"  [{group}] {described.get(group, '')}")
    elif card.past == "replaced":
        ctx.say(ctx.t("card.replaced_help", institution=card.issuer_name))
    elif card.past:
        ctx.say(ctx.t("card.no_current"))
    elif card.earlier and card.current == (card.group,):
        ctx.say(ctx.t("card.show_this"))
    ctx.say(f"{ctx.t('card.issued_by')}: {card.issuer_name} ({card.issuer_id})")
    # The document's own last day (wallet.app._card_page says why not the token's exp).
    if card.valid_until:
        ctx.say(f"{ctx.t('card.valid_until')}: {format_date(card.valid_until, ctx.lang)}")
    elif card.exp:
        ctx.say(f"{ctx.t('card.valid_until')}: {format_date(datetime.fromtimestamp(card.exp, UTC).date(), ctx.lang)}")
    ctx.say(f"{ctx.t('card.copies')}: {card.unused}/{card.copies}")
    ctx.say(f"{ctx.t('card.status')}: {_card_status(ctx, card)}")
    notice = copies_end_words(card, ctx.lang)
    if notice:
        ctx.say(notice)
    for label, value in card.claims:
        ctx.say(f"  {label}: {_plain(ctx, value)}")
    return 0


def _renew(ctx: _Ctx) -> int:
    """New copies of one document (``id``: whether or not due), else of every document whose copies are
    due (wallet.renewal), each said in words; exit 1 when one was not renewed (the copies held are kept;
    a document this wallet cannot renew is an error, as any other)."""
    from wallet.service import renewal_words

    service = ctx.service()
    if ctx.args.id:
        outcomes = [service.renew(ctx.args.id, lang=ctx.lang)]
    else:
        outcomes = service.renew_due(lang=ctx.lang, force=True)
        if not outcomes:
            ctx.say(ctx.t("renew.none_due"))
            return 0
    worst = 0
    for out in outcomes:
        ctx.say(f"[{out.group}] {renewal_words(out, ctx.lang)}")
        if out.outcome not in ("renewed", "not_due"):  # not due: nothing is wrong, the copies held stay
            worst = 1
    return worst


def _plain(ctx: _Ctx, value: str) -> str:
    """A claim's value for a terminal: a picture (a ``data:image/`` URI) as its size, never as
    thousands of characters of base64."""
    if not value.startswith("data:image/"):
        return value
    encoded = value.partition(",")[2]
    return ctx.t("cli.picture", size=max(1, round(len(encoded) * 3 / 4 / 1024)))


def _warn(ctx: _Ctx, card: Any) -> None:
    """Say on standard error that ``card`` would not pass an inspection as valid (withdrawn,
    suspended, ended, not yet valid, its copy expired): standard output may be the QR text a script reads."""
    from wallet.service import warning_words

    words = warning_words(card, ctx.lang)
    if words:
        print(words, file=sys.stderr, flush=True)


def _qr(ctx: _Ctx) -> int:
    from credentials.compact import qr_png
    from wallet import core

    challenge = core.inspector_code(ctx.args.challenge or "").encode() or None
    service = ctx.service()
    _warn(ctx, service.card(ctx.args.id, ctx.lang))
    text = service.offline_qr(ctx.args.id, challenge)
    if ctx.args.png is not None:
        # The picture carries the worker's personal data: readable by them alone, as the store is.
        fd = os.open(ctx.args.png, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o600)  # O_CREAT leaves an existing file's mode alone
            fh.write(qr_png(text))
        ctx.say(str(ctx.args.png))
    else:
        ctx.say(text)
    return 0


def _delete(ctx: _Ctx) -> int:
    service = ctx.service()
    card = service.card(ctx.args.id, ctx.lang)
    ctx.say(f"[{card.group}] {card.title}: {card.description}")
    ctx.say(ctx.t("card.delete_help"))
    if not ctx.args.yes and _ask_line(f"{ctx.t('card.delete_confirm')}? [y/N] ", "confirm with --yes").strip().lower() \
            not in ("y", "yes"):
        return 1
    service.delete(card.group)
    ctx.say(ctx.t("cards.deleted"))
    return 0


def _status_text(ctx: _Ctx, check: Any) -> str:
    if check is None:
        return ctx.t("status.unknown")
    if check.value == "unknown" and check.detail:
        return ctx.t("status.unreachable", detail=check.detail)
    known = f"{ctx.t('status.' + check.value)} ({ctx.t('status.checked_at', when=check.checked_at[:16])})"
    # A check that could not read the list now says so beside what was known before.
    return known if check.confirmed else f"{known}; {ctx.t('status.unreachable', detail=check.detail)}"


def _card_status(ctx: _Ctx, card: Any, check: Any = None) -> str:
    """The status list's answer (``check``, else the card's last), beside the document's own dates
    when they have ended or not yet begun, or beside its copies' expiry while the document is still
    valid (:attr:`wallet.service.Card.period`): "valid" alone would say it passes an inspection."""
    from wallet.service import standing_words

    check = check if check is not None else card.status
    if card.period == "current":
        return _status_text(ctx, check)
    status = _status_text(ctx, check)
    if check is not None and check.value == "valid":
        status = status.replace(ctx.t("status.valid"), ctx.t("status.not_withdrawn"))
    return f"{standing_words(card, ctx.lang)}; {status}"


def _status(ctx: _Ctx) -> int:
    """Check each document's status list now; exit 2 when one is not confirmed valid (withdrawn,
    suspended, not checked, its own dates ended or not begun, or its copies expired)."""
    service = ctx.service()
    groups = [ctx.args.id] if ctx.args.id else [c.group for c in service.cards(ctx.lang)]
    worst = 0
    for group in groups:
        check = service.check_status(group)
        card = service.card(group, ctx.lang)
        ctx.say(f"[{group}] {card.title}: {_card_status(ctx, card, check)}")
        worst = max(worst, 0 if check.value == "valid" and check.confirmed and card.period == "current" else 2)
    return worst


def _present(ctx: _Ctx) -> int:
    link = _link(ctx)
    service = ctx.service()
    consent = service.open_request(link, ctx.lang)
    ctx.say(ctx.t("consent.who", verifier=consent.verifier_name, country=consent.verifier_country))
    ctx.say(f"  ({ctx.t('consent.checked')})")
    if consent.purpose:
        ctx.say(f"{ctx.t('consent.purpose')}{colon(ctx.lang)} {consent.purpose}")
    only_required = ctx.args.only_required  # else the first option the documents satisfy (--with-optional)
    if consent.satisfiable:
        consent = _choose(ctx, service, consent)
        ctx.say(ctx.t("consent.leaves"))
        for item in consent.items:
            ctx.say(f"  {ctx.t('consent.from_document', title=item.title)}")
            if item.notice:  # the inspector will see it as not valid: said before anything leaves
                ctx.say(f"    ! {item.notice}")
            for claim in item.claims:
                if claim.optional and only_required:
                    continue
                ctx.say(f"    - {claim.label}: {_plain(ctx, claim.value)}")
            if item.always:
                ctx.say(f"    {ctx.t('consent.always')}")
                for claim in item.always:
                    ctx.say(f"      - {claim.label}: {_plain(ctx, claim.value)}")
        ctx.say(ctx.t("consent.nothing_else"))
        if consent.choosing:  # what may be left out, and what leaving it out means
            ctx.say(ctx.t("consent.left_out" if only_required else "consent.can_leave_out"))
            for item in consent.items:
                for claim in item.claims:
                    if claim.optional:
                        ctx.say(f"    - {claim.label}: {claim.left_out}")
    else:
        ctx.say(ctx.t("consent.unmatched"))
        if consent.missing:
            ctx.say(ctx.t("consent.missing", documents=", ".join(consent.missing)))
        if consent.ended:
            ctx.say(ctx.t("consent.held_ended"))
            for text in consent.ended:
                ctx.say(f"  - {text}")
    if ctx.args.no or not consent.satisfiable:
        agree = False
    elif ctx.args.yes:
        agree = True
    else:
        answer = _ask_line(f"{ctx.t('consent.share')}? [y/N] ", "answer with --yes or --no").strip().lower()
        agree = answer in ("y", "yes", "j", "ja", "jā", "o", "oui", "t", "tak")
    withhold = consent.optional_claims if only_required else ()
    outcome = service.share(consent.id, withhold) if agree else service.decline(consent.id)
    for warning in outcome.warnings:
        ctx.say(f"! {warning}")
    ctx.say(ctx.t(f"{outcome.outcome}.text", verifier=outcome.verifier_name))
    if outcome.redirect_uri:
        ctx.say(outcome.redirect_uri)
    return 0 if agree else 3


def _choose(ctx: _Ctx, service: Any, consent: Any) -> Any:
    """The document to show where several answer one of the request's queries (OpenID4VP §6.4;
    :meth:`wallet.service.WalletService.choose`): each ``--choose ID``; else, at a terminal and
    without --yes or --no, the worker's pick from the list; else the wallet's (marked *). Each
    choice is listed with its id, the one shown marked, before what leaves."""
    from wallet.errors import NotFoundError
    from wallet.service import NOT_AN_ANSWER

    for group in ctx.args.choose:
        query_id = next((q for q, docs in consent.alternatives.items() if any(c.group == group for c, _ in docs)),
                        None)
        if query_id is None:
            raise NotFoundError(NOT_AN_ANSWER)
        consent = service.choose(consent.id, query_id, group)
    asking = not (ctx.args.choose or ctx.args.yes or ctx.args.no) and sys.stdin is not None and sys.stdin.isatty()
    for query_id, choices in list(consent.choices.items()):
        ctx.say(ctx.t("consent.choose_cli"))
        for n, choice in enumerate(choices, 1):
            ctx.say(f"{n:>2}. {'*' if choice.chosen else ' '} [{choice.group}] {choice.label}")
        if not asking:
            continue
        answer = _ask_line(ctx.t("consent.choose_prompt", n=len(choices)), "choose with --choose ID").strip()
        if answer.isdigit() and 1 <= int(answer) <= len(choices) and not choices[int(answer) - 1].chosen:
            consent = service.choose(consent.id, query_id, choices[int(answer) - 1].group)
    return consent


def _log(ctx: _Ctx) -> int:
    from wallet.service import logged_claims

    entries = ctx.service().log()
    if not entries:
        ctx.say(ctx.t("log.empty"))
    for e in entries:
        # An offline QR code is shown, not sent: no verifier is known (older lines name it in English).
        who = ctx.t("log.offline") if e.outcome == "shown" else e.verifier_name
        ctx.say(f"{e.time[:16].replace('T', ' ')} UTC  {ctx.t('log.' + e.outcome)}  {who}")
        if e.purpose_in(ctx.lang):
            ctx.say(f"  {ctx.t('consent.purpose')}{colon(ctx.lang)} {e.purpose_in(ctx.lang)}")
        claims = logged_claims(e, ctx.lang)
        if claims:
            ctx.say(f"  {', '.join(claims)}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    """The wallet pages, on a loopback address only; JSON logs as the services write them (no
    personal data); files made private (umask 0077) as the services make theirs."""
    import uvicorn

    from esspass.serve import PRIVATE_UMASK, SERVER_LIMITS, tls_pair_error
    from esspass.web import configure_logging
    from wallet.app import create_app
    from wallet.settings import WalletSettings

    overrides: dict[str, Any] = {}
    if args.wallet is not None:
        overrides["store_path"] = args.wallet
    settings = WalletSettings(**overrides)
    host = args.host or settings.host
    if host not in ("127.0.0.1", "::1", "localhost"):
        print("The wallet pages hold your documents; they are served on this computer only (127.0.0.1).",
              file=sys.stderr)
        return 2
    refused = tls_pair_error(args.tls_cert, args.tls_key)  # one alone would serve plain HTTP unannounced
    if refused is not None:
        print(refused, file=sys.stderr)
        return 2
    os.umask(PRIVATE_UMASK)
    configure_logging()
    with_tls = args.tls_cert is not None
    uvicorn.run(
        create_app(settings), host=host, port=args.port or settings.port, log_level="warning", **SERVER_LIMITS,
        ssl_certfile=str(args.tls_cert) if with_tls else None, ssl_keyfile=str(args.tls_key) if with_tls else None,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m wallet.cli ...``: ``esspass wallet ...``, with its exit codes (141 when the
    output's reader went away, :data:`esspass.cli.EXIT_BROKEN_PIPE`)."""
    from esspass.cli import main as esspass_main

    return esspass_main(["wallet", *(argv if argv is not None else sys.argv[1:])])
