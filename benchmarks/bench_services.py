"""Issuer and verifier throughput (issues #4 and #6), each beside bare ES256 measured in the same run.

* issuance in process (IssuerService: case, offer, token with a wallet attestation, nonce,
  credential with one proof) and the full OpenID4VCI flow over HTTP (uvicorn on loopback), per second;
* verification in process of a PDA1 + PID presentation with warm caches (credentials.verification
  with the verifier's status client, whose list is cached and revalidated by ETag), and
  ``POST /verify`` over HTTP, per second;
* a whole OpenID4VP inspection over HTTP (request, the reference wallet's answer, the verdict), per second.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from credentials import client_attestation, verification
from credentials.demo_persons import DEMO_PERSONS, portrait
from credentials.jose import generate_key, public_jwk, sign_jws
from credentials.openid4vci import PRE_AUTH_GRANT, PROOF_TYP
from credentials.sd_jwt import present
from esspass.bench import Row, measure
from esspass.stack import Clerk, Inspector, InspectorAuth, open_wallet, start_in_process, unnumbered
from esspass.status_client import StatusClient
from wallet.provider import WalletProvider


def _bare(min_time: float) -> tuple[float, float]:
    key = generate_key()
    message = b"x" * 600
    sign = measure(lambda: key.sign(message, ec.ECDSA(hashes.SHA256())), min_time=min_time)
    der = key.sign(message, ec.ECDSA(hashes.SHA256()))
    pub = key.public_key()
    verify = measure(lambda: pub.verify(der, message, ec.ECDSA(hashes.SHA256())), min_time=min_time)
    return sign, verify


def _attested(provider: WalletProvider, audience: str) -> dict[str, str]:
    """A wallet instance's attestation and PoP headers (the issuer requires them, HAIP §9.2)."""
    instance = generate_key()
    now = datetime.now(UTC)
    return {client_attestation.ATTESTATION_HEADER: provider.attest(instance.public_key(), now),
            client_attestation.POP_HEADER: client_attestation.proof_of_possession(
                instance, audience=audience, iat=int(now.timestamp()))}


def _issue_over_http(http: httpx.Client, issuer_url: str, clerk: Clerk, provider: WalletProvider) -> None:
    person = DEMO_PERSONS[0]
    case = clerk.create_case("LV:VSAA", "pda1", unnumbered(person.pda1), person.holder)
    offer = clerk.offer("LV:VSAA", case)
    uri = offer["credential_offer_uri"]
    grant = http.get(uri).json()["grants"][PRE_AUTH_GRANT]
    http.get(f"{issuer_url}/.well-known/openid-credential-issuer/lv-vsaa")
    token = http.post(f"{issuer_url}/lv-vsaa/token", data={"grant_type": PRE_AUTH_GRANT, "tx_code": offer["tx_code"],
                                                          "pre-authorized_code": grant["pre-authorized_code"]},
                      headers=_attested(provider, f"{issuer_url}/lv-vsaa"))
    nonce = http.post(f"{issuer_url}/lv-vsaa/nonce").json()["c_nonce"]
    key = generate_key()
    proof = sign_jws({"typ": PROOF_TYP, "jwk": public_jwk(key)},
                     {"aud": f"{issuer_url}/lv-vsaa", "iat": int(time.time()), "nonce": nonce}, key)
    response = http.post(f"{issuer_url}/lv-vsaa/credential",
                         json={"credential_configuration_id": "pda1", "proofs": {"jwt": [proof]}},
                         headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    response.raise_for_status()


def run(quick: bool = False) -> list[Row]:
    min_time = 0.05 if quick else 0.6  # quick: a smoke run (the test suite), figures rough
    sign, verify = _bare(min_time)
    rows = [Row("services", "ES256 sign (bare, this run)", sign * 1e6, "µs"),
            Row("services", "ES256 verify (bare, this run)", verify * 1e6, "µs")]
    with TemporaryDirectory() as tmp, start_in_process(Path(tmp)) as stack, \
            httpx.Client(timeout=30, auth=InspectorAuth(stack.inspector_token)) as http:
        data_dir = Path(tmp)
        clerk = Clerk(stack.issuer_url, data_dir, http)
        provider = WalletProvider.from_pki(data_dir / "pki", "LV:ESSPASS-WALLET")
        assert provider is not None
        rounds = 3 if quick else 40
        start = time.perf_counter()
        for _ in range(rounds):
            _issue_over_http(http, stack.issuer_url, clerk, provider)
        flow = (time.perf_counter() - start) / rounds
        rows.append(Row("issuer", "full OpenID4VCI flow over HTTP (8 requests)", 1 / flow, "flows/s",
                        "ES256 sign", flow / sign))

        from issuer.app import build_service
        from issuer.settings import IssuerSettings

        service = build_service(IssuerSettings(data_dir=data_dir, public_url=stack.issuer_url,
                                               registry_url=stack.registry_url))
        inst = service.institution("lv-vsaa")
        person = DEMO_PERSONS[0]
        a1 = unnumbered(person.pda1)  # each case is given a number of its own, as by a clerk

        def issue_in_process() -> Any:
            case = service.create_case(inst, "pda1", a1, actor="bench", holder=person.holder)
            offer = service.create_offer(inst, case.id, actor="bench")
            code = service.offer_json(inst, offer.offer_id)["grants"][PRE_AUTH_GRANT]["pre-authorized_code"]
            headers = _attested(provider, inst.issuer_url)
            token = service.token(inst, {"grant_type": PRE_AUTH_GRANT, "pre-authorized_code": code,
                                         "tx_code": offer.tx_code},
                                  attestation=headers[client_attestation.ATTESTATION_HEADER],
                                  attestation_pop=headers[client_attestation.POP_HEADER])["access_token"]
            nonce = service.nonces.c_nonce(inst.issuer_url)
            key = generate_key()
            proof = sign_jws({"typ": PROOF_TYP, "jwk": public_jwk(key)},
                             {"aud": inst.issuer_url, "iat": int(time.time()), "nonce": nonce}, key)
            return service.credential(inst, f"Bearer {token}", {"credential_configuration_id": "pda1",
                                                                "proofs": {"jwt": [proof]}})

        per = measure(issue_in_process, min_time=min_time, repeats=3)
        rows.append(Row("issuer", "issuance in process (case..credential, SQLite)", 1 / per, "creds/s",
                        "ES256 sign", per / sign))
        service.engine.dispose()

        # Verification: a PDA1 + PID presentation from a real wallet.
        wallet = open_wallet(data_dir / "phone", stack.registry_url, "pw", fast_kdf=True, pki_dir=data_dir / "pki")
        for entity, config, claims, holder in (("LV:PID", "pid", {**person.pid, "picture": portrait(person)}, None),
                                               ("LV:VSAA", "pda1", a1, person.holder)):
            offer = clerk.offer(entity, clerk.create_case(entity, config, claims, holder))
            offer_id, _ = wallet.open_offer(offer["link"])
            wallet.accept_offer(offer_id, offer["tx_code"])
        from verifier.service import profile_query

        query = profile_query("pda1")
        nonce, aud = "bench-nonce-0123456789", "x509_hash:bench"
        vp_token: dict[str, list[str]] = {}
        from credentials import dcql

        held = {c.vct: c for c in wallet.credentials() if c.format == "dc+sd-jwt"}
        selection = dcql.match(query, [dcql.HeldCredential(c.vct, c.vct, c.claims, frozenset())
                                       for c in held.values()])
        from wallet.keys import load_key

        for qid, (vct, paths) in selection.selection.items():
            cred = held[vct]
            vp_token[qid] = [present(cred.credential, select=list(paths), holder_key=load_key(cred.private_key),
                                     nonce=nonce, aud=aud, iat=int(time.time()))]
        from credentials.x509 import ChainValidator, load_pem_certificates
        from trust_registry.client import TrustListClient

        root = load_pem_certificates((data_dir / "pki" / "root.pem").read_bytes())[0]
        lists = TrustListClient(stack.registry_url, registry_root=root, http=http)
        chains = ChainValidator()

        def verifier(status: StatusClient) -> Callable[[], verification.Verdict]:
            def check() -> verification.Verdict:
                now = datetime.now(UTC)
                issuers = lists.issuers(now)
                return verification.verify_response(vp_token, query=query, nonce=nonce, audience=aud,
                                                    issuers=issuers, trust_list_age=issuers.age(now), now=now,
                                                    status_lookup=status, chains=chains)
            return check

        for label, status in (("warm, ETag revalidation", StatusClient(http)),
                              ("lists cached by ttl", StatusClient(http, revalidate=False))):
            check = verifier(status)
            assert check().verdict == "valid"
            per = measure(check, min_time=min_time, repeats=3)
            rows.append(Row("verifier", f"verify PDA1+PID in process ({label})", per * 1e6, "µs",
                            "4 ES256 verify", per / (4 * verify)))
        body = {"vp_token": vp_token, "profile": "pda1", "nonce": nonce, "audience": aud}
        assert http.post(f"{stack.verifier_url}/verify", json=body).json()["verdict"] == "valid"
        n = 5 if quick else 100
        start = time.perf_counter()
        for _ in range(n):
            http.post(f"{stack.verifier_url}/verify", json=body).raise_for_status()
        per = (time.perf_counter() - start) / n
        rows.append(Row("verifier", "POST /verify over HTTP, PDA1+PID", 1 / per, "checks/s", "ES256 verify",
                        per / verify))

        # A whole inspection as the inspector's page and the worker's wallet make it: the request
        # (kept in the verifier's database), the wallet fetching, answering (direct_post.jwt) and
        # the verdict read back.
        inspector = Inspector(stack.verifier_url, http)

        def inspect() -> None:
            request = inspector.request("pda1")
            wallet.share(wallet.open_request(request["link"], "en").id)
            if inspector.result(request)["verdict"]["verdict"] != "valid":
                raise AssertionError("the inspection did not pass")

        inspect()
        n = 2 if quick else 20
        start = time.perf_counter()
        for _ in range(n):
            inspect()
        per = (time.perf_counter() - start) / n
        rows.append(Row("verifier", "OpenID4VP inspection over HTTP (request, wallet answer, verdict)", 1 / per,
                        "inspections/s", "ES256 verify", per / verify))
        wallet.http.close()
    return rows
