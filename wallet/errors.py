"""The wallet's own failures, in the project's one error tree (credentials.errors).

Every failure the wallet shows its user is a :class:`~credentials.errors.CredentialError`; the
wallet-only ones below add what a local store and a user can get wrong. Their messages are
plain words meant for the person holding the phone, never secrets or personal data.

Tree (under CredentialError)::

    WalletError                 wallet
    ├── WrongPassphraseError    wrong_passphrase   (or the file was altered: AES-GCM cannot tell)
    ├── WalletNotFoundError     wallet_not_found
    ├── WalletExistsError       wallet_exists
    ├── WalletCorruptError      wallet_corrupt     (not a wallet file, unknown version)
    ├── WalletLockedError       wallet_locked      (web session expired or not unlocked)
    ├── NotFoundError           not_found          (no such credential)
    ├── NotAnsweredError        not_answered       (a request taken for an answer that could not be made or
    │                                               sent: its verifier was told, OpenID4VP §8.5 server_error)
    ├── PendingBusyError        pending_busy       (another wallet process is asking about that pending
    │                                               document right now: it is not removed under it)
    ├── NoRenewalError          cannot_renew       (a card the wallet has no grant to renew the copies of)
    ├── QrError                 qr                 (no readable QR code in the picture)
    ├── WeakPassphraseError     weak_passphrase    (a new wallet's passphrase is too short)
    ├── WithheldError           withheld           (the worker left out more than the verifier can do without)
    ├── OfferDisagreesError     offer_disagrees    (one document, said otherwise by what else came with
    │   │                                           it: nothing of the offer is kept)
    │   ├── CopiesDifferError       copies_differ        (the copies of one batch)
    │   ├── FormsDifferError        forms_differ         (its SD-JWT VC and ISO mdoc forms)
    │   ├── OfflineFormDiffersError offline_form_differs (its offline QR form and the card)
    │   └── RenewalDiffersError     renewal_differs      (new copies of a card, and the card)
    └── TransportError          transport          (a server could not be reached or answered badly)
"""

from __future__ import annotations

from credentials.errors import CredentialError

__all__ = [
    "CopiesDifferError",
    "FormsDifferError",
    "NoRenewalError",
    "NotAnsweredError",
    "NotFoundError",
    "OfferDisagreesError",
    "OfflineFormDiffersError",
    "PendingBusyError",
    "QrError",
    "RenewalDiffersError",
    "TransportError",
    "WalletCorruptError",
    "WalletError",
    "WalletExistsError",
    "WalletLockedError",
    "WalletNotFoundError",
    "WeakPassphraseError",
    "WithheldError",
    "WrongPassphraseError",
]


class WalletError(CredentialError):
    code = "wallet"


class WrongPassphraseError(WalletError):
    code = "wrong_passphrase"


class WalletNotFoundError(WalletError):
    code = "wallet_not_found"


class WeakPassphraseError(WalletError):
    """A new wallet's passphrase is shorter than :data:`wallet.store.MIN_PASSPHRASE_LENGTH`."""

    code = "weak_passphrase"


class WithheldError(WalletError):
    """The worker left out optional claims in a way no option of the request accepts: nothing is sent,
    and the request stays open (:meth:`wallet.service.WalletService.share`)."""

    code = "withheld"


class WalletExistsError(WalletError):
    code = "wallet_exists"


class WalletCorruptError(WalletError):
    code = "wallet_corrupt"


class WalletLockedError(WalletError):
    code = "wallet_locked"


class NotFoundError(WalletError):
    code = "not_found"


class NotAnsweredError(WalletError):
    """The worker agreed to share, but the answer could not be made (a stored key that cannot be read,
    a presentation that cannot be built) or the verifier refused it; the verifier was told that none
    comes (OpenID4VP 1.0 §8.5 ``server_error``), so the inspector need not wait for the request to
    expire. The message is what failed (:meth:`wallet.service.WalletService.share`)."""

    code = "not_answered"


class PendingBusyError(WalletError):
    """Another wallet process (the terminal, or the page) holds the lease of a pending document while
    it asks the institution about it (:data:`wallet.deferred.LEASE_SECONDS`): the document is not
    removed under it (:meth:`wallet.service.WalletService.cancel_pending`)."""

    code = "pending_busy"


class NoRenewalError(WalletError):
    """The wallet holds no grant to renew a card's copies (:mod:`wallet.renewal`): received before it
    kept one, from an institution that gave no refresh token, or the institution refused the last one
    (``invalid_grant``). The institution is asked for a new offer."""

    code = "cannot_renew"


class QrError(WalletError):
    code = "qr"


class OfferDisagreesError(WalletError):
    """What an issuer sent of one document does not say one thing: the worker would consent to what
    one part says while another is shown. The issuer cannot be relied on for this offer, so nothing
    of it is kept (:meth:`wallet.service.WalletService.receive`)."""

    code = "offer_disagrees"


class CopiesDifferError(OfferDisagreesError):
    """The copies of one batch (OpenID4VCI 1.0 §8) do not all carry the same document: the wallet
    would present another copy than the one the worker saw (:func:`wallet.core.same_document`)."""

    code = "copies_differ"


class FormsDifferError(OfferDisagreesError):
    """The SD-JWT VC and ISO mdoc forms of one document disagree: a verifier asking for one form
    would receive other data than one asking for the other (:func:`wallet.core.same_forms`)."""

    code = "forms_differ"


class OfflineFormDiffersError(OfferDisagreesError):
    """The offline QR form of a document (issue #7) says otherwise than the card the worker sees:
    an inspector would be shown what the worker never saw (:func:`wallet.core.check_compact`)."""

    code = "offline_form_differs"


class RenewalDiffersError(OfferDisagreesError):
    """New copies asked for a card (:meth:`wallet.service.WalletService.renew`) carry another document
    than the card (another type, issuer or number, or other claims): they are not kept, and the card's
    copies stay as they are."""

    code = "renewal_differs"


class TransportError(WalletError):
    code = "transport"
