"""The verifier's status list client against hostile institution servers on loopback: an answer
that never ends, one that drips a byte at a time, a reference whose host cannot be looked up.
Each must leave the status undetermined quickly, never hang a check or raise out of the lookup.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from credentials import status_list, trust_list
from credentials.institutions import demo_entity
from credentials.pki import create_entity_ca
from credentials.verification import StatusOutcome
from esspass.status_client import StatusClient
from esspass.testing import ServerHandle, serve

NOW = datetime.now(UTC).replace(microsecond=0)
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def entity() -> trust_list.ListedEntity:
    institution = demo_entity("LV:VSAA")
    _key, ca = create_entity_ca(institution, now=NOW - timedelta(days=1))
    listed = trust_list.ListedCertificate(ca.public_bytes(Encoding.DER), trust_list.CA, NOW - timedelta(days=1),
                                          NOW + timedelta(days=365))
    return trust_list.ListedEntity(id=institution.id, country="LV", name=institution.id, name_en=institution.id,
                                   roles=frozenset({"pda1_issuer"}), certificates=(listed,), status_history=())


class Hostile:
    """An institution's status endpoint gone bad: ``/endless`` streams ``total`` bytes as fast as it
    can, ``/drip`` one byte every half second for ``drip_seconds``; ``sent`` counts what left."""

    def __init__(self, total: int = 128 * MIB, drip_seconds: float = 30.0) -> None:
        self.sent = 0
        self.total, self.drip_seconds = total, drip_seconds
        app = FastAPI()

        @app.get("/endless")
        def endless() -> StreamingResponse:
            return StreamingResponse(self._endless(), media_type=status_list.MEDIA_TYPE)

        @app.get("/drip")
        def drip() -> StreamingResponse:
            return StreamingResponse(self._drip(), media_type=status_list.MEDIA_TYPE)

        self.app = app

    async def _endless(self) -> AsyncIterator[bytes]:
        chunk = b"e" * (64 * 1024)
        while self.sent < self.total:
            self.sent += len(chunk)
            yield chunk
            await asyncio.sleep(0)  # lets Starlette see the client leave and end the stream

    async def _drip(self) -> AsyncIterator[bytes]:
        end = time.monotonic() + self.drip_seconds
        while time.monotonic() < end:
            self.sent += 1
            yield b"e"
            await asyncio.sleep(0.5)


@pytest.fixture
def hostile() -> Iterator[tuple[Hostile, ServerHandle]]:
    server = Hostile()
    with serve(server.app) as handle:
        yield server, handle


def _lookup(client: StatusClient, uri: str, entity: trust_list.ListedEntity,
            within: float) -> tuple[StatusOutcome | Exception | None, float]:
    """The outcome of one lookup (or what it raised), run aside so that a lookup that hangs fails the
    test after ``within`` seconds instead of hanging it; and how long it took."""
    box: list[StatusOutcome | Exception] = []

    def run() -> None:
        try:
            box.append(client(status_list.StatusReference(5, uri), entity, datetime.now(UTC)))
        except Exception as exc:  # noqa: BLE001 - whatever escapes the lookup is the finding
            box.append(exc)

    started = time.monotonic()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(within)
    return (box[0] if box else None), time.monotonic() - started


def test_an_endless_status_list_answer_is_not_read_to_its_end(
        hostile: tuple[Hostile, ServerHandle], entity: trust_list.ListedEntity) -> None:
    """No Status List Token is larger than status_list.MAX_STATUS_TOKEN_BYTES: an answer past it is
    refused while it streams, so an institution's server (or anyone between it and a plain-HTTP
    verifier) cannot make the verifier hold hundreds of megabytes per check."""
    server, handle = hostile
    with httpx.Client() as http:
        outcome, _ = _lookup(StatusClient(http), f"{handle.url}/endless", entity, within=60)
    assert isinstance(outcome, StatusOutcome), outcome
    assert outcome.value is None and not outcome.forged  # no statement: undetermined, never valid
    assert server.sent < 48 * MIB, f"the client read {server.sent // MIB} MiB"


def test_a_status_list_answer_dripping_a_byte_at_a_time_does_not_hold_the_check(
        hostile: tuple[Hostile, ServerHandle], entity: trust_list.ListedEntity) -> None:
    """A server that keeps each read just under the read timeout would hold the check (and the
    wallet's answer, and a worker thread) for as long as it likes: a fetch has a total deadline."""
    _server, handle = hostile
    with httpx.Client() as http:
        outcome, took = _lookup(StatusClient(http), f"{handle.url}/drip", entity, within=25)
    assert isinstance(outcome, StatusOutcome), f"no answer after {took:.0f} s"
    assert outcome.value is None and not outcome.forged
    assert took < 15


@pytest.mark.parametrize("uri", ["https://a..b/status/1", "https://xn--/status/1",
                                 "https://" + "a" * 70 + ".example/status/1"])
def test_a_status_uri_whose_host_cannot_be_looked_up_is_undetermined_not_an_exception(
        entity: trust_list.ListedEntity, uri: str) -> None:
    """A listed institution's credential naming a host name IDNA refuses (an empty or over-long
    label) made httpx raise UnicodeError, which is no httpx.HTTPError: the wallet's answer got a 500."""
    with httpx.Client() as http:
        outcome, _ = _lookup(StatusClient(http), uri, entity, within=20)
    assert isinstance(outcome, StatusOutcome), outcome
    assert outcome.value is None and outcome.source == "none" and not outcome.forged
