"""An inspection site for reviewer R5 (tests/test_offline_laptop_*.py): the services in process on
loopback (esspass.stack), a worker's wallet with a PID and an A1, and a second A1 of the same worker
that the institution withdrew; the verifier checked an offline QR and got every list ahead ("Get the
lists for a site without network")."""
from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from credentials import pda1
from credentials.demo_persons import DEMO_PERSONS
from esspass.stack import Clerk, InspectorAuth, Stack, start_in_process, wallet_holding
from wallet import core

PERSON = DEMO_PERSONS[0]
HOLDER = {k: PERSON.pid[k] for k in ("family_name", "given_name", "birthdate")}


@dataclass
class Site:
    stack: Stack
    http: httpx.Client
    clerk: Clerk
    wallet: Any
    good: Any  # the A1's stored copy
    withdrawn: Any | None  # the withdrawn A1's stored copy
    withdrawn_case: str | None

    def qr(self, cred: Any = None, *, at: datetime | None = None, challenge: str | None = None) -> str:
        return core.offline_qr(cred or self.good, now=at or datetime.now(UTC),
                               challenge=challenge.encode() if challenge else None)

    def check(self, qr: str, challenge: str | None = None) -> dict[str, Any]:
        r = self.http.post(f"{self.stack.verifier_url}/api/offline/verify", json={"qr": qr, "challenge": challenge})
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def page(self, qr: str, lang: str = "en") -> str:
        r = self.http.post(f"{self.stack.verifier_url}/offline?lang={lang}", data={"qr": qr, "challenge": ""},
                           follow_redirects=True)
        assert r.status_code == 200, r.status_code
        return text_of(r.text)

    def go_offline(self) -> None:
        """The laptop leaves the office: neither the registry nor the institutions can be reached."""
        self.stack.stop("registry")
        self.stack.stop("issuer")


def text_of(page: str) -> str:
    main = page.split("<main", 1)[-1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def a1_copy(wallet: Any, number: str | None = None) -> Any:
    for c in wallet.credentials():
        if c.vct == pda1.VCT and c.extra.get("compact"):
            if number is None or any(number in str(v) for v in (c.claims or {}).values()) \
                    or number in str(getattr(c, "extra", "")):
                return c
    raise AssertionError(f"no A1 {number}")


@contextmanager
def prepared_site(data_dir: Path, *, with_withdrawn: bool = True, prefetch: bool = True) -> Iterator[Site]:
    with start_in_process(data_dir) as stack, \
            httpx.Client(timeout=60, auth=InspectorAuth(stack.inspector_token)) as http:
        wallet = wallet_holding(stack, data_dir, http, PERSON)
        good = next(c for c in wallet.credentials() if c.vct == pda1.VCT and c.extra.get("compact"))
        clerk = Clerk(stack.issuer_url, data_dir, http)
        withdrawn = case = None
        if with_withdrawn:
            before = {c.id for c in wallet.credentials()}
            case = clerk.hand_over(wallet, PERSON.pda1_issuer, "pda1",
                                   {**PERSON.pda1, "document_number": "LV-R5-WD-0001"}, HOLDER)
            withdrawn = next(c for c in wallet.credentials()
                             if c.id not in before and c.vct == pda1.VCT and c.extra.get("compact"))
            clerk.set_state(PERSON.pda1_issuer, case, "revoke", "posting cancelled")
        site = Site(stack, http, clerk, wallet, good, withdrawn, case)
        try:
            assert site.check(site.qr())["verdict"] == "valid"
            if prefetch:
                prepared = http.post(f"{stack.verifier_url}/api/status/prefetch").json()
                assert prepared["failed"] == 0 and prepared["status_lists"] > 0, prepared
            yield site
        finally:
            wallet.http.close()


def days_later(site: Site, hours: float) -> timedelta:
    """The verifier restarted with its clock ``hours`` ahead (days on a site without network)."""
    shift = timedelta(hours=hours)
    site.stack.restart_verifier(ahead=shift)
    return shift
