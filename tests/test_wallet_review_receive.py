"""A wallet that cannot check an issuer must not spend the worker's one-time offer.

Every document received is checked against the registry's issuers list before it is kept
(:func:`wallet.core.verify_issued`). When that list cannot be had (the registry unreachable and no
verified copy kept), the wallet must say so before it redeems the offer's pre-authorized code
(OpenID4VCI 1.0 §6.1: the code is for one use): otherwise the institution issues the document,
the wallet throws it away, and the worker has to go back to the clerk for a new offer.
Registry, issuer and wallet run for real on loopback.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import CredentialError
from esspass.stack import Clerk, open_wallet, start_in_process
from esspass.testing import free_port

PERSON = DEMO_PERSONS[0]


def test_an_offer_is_not_redeemed_while_the_issuers_list_cannot_be_had(tmp_path: Path) -> None:
    with start_in_process(tmp_path / "data") as stack, httpx.Client(timeout=20) as http:
        clerk = Clerk(stack.issuer_url, stack.data_dir, http)
        offer = clerk.offer(PERSON.pid_provider, clerk.create_case(PERSON.pid_provider, "pid", PERSON.pid, None))
        pki = stack.data_dir / "pki"

        cut_off = open_wallet(tmp_path / "phone", f"http://127.0.0.1:{free_port()}", "pw", fast_kdf=True, pki_dir=pki)
        try:
            offer_id, _ = cut_off.open_offer(offer["link"])
            with pytest.raises(CredentialError):
                cut_off.accept_offer(offer_id, offer["tx_code"])
            assert cut_off.cards("en") == []
        finally:
            cut_off.http.close()

        # Back in reach of the registry, the same offer still gives the document.
        reached = open_wallet(tmp_path / "phone", stack.registry_url, "pw", fast_kdf=True, pki_dir=pki)
        try:
            offer_id, _ = reached.open_offer(offer["link"])
            groups = reached.accept_offer(offer_id, offer["tx_code"])
            assert [c.group for c in reached.cards("en")] == groups
        finally:
            reached.http.close()
