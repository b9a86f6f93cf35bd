"""Issue #7: the offline QR, drawn by the wallet, decoded by an independent decoder, verified with no network.

The registry and the issuer run as real services until the verifier has cached their lists; then
both are stopped and every offline check runs from the verifier's caches alone.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials import compact, ehic, i18n, pda1
from credentials.demo_persons import DEMO_PERSONS
from credentials.institutions import DEMO_ENTITIES
from credentials.jose import b64url_decode, generate_key
from credentials.qr_picture import read_qr
from esspass.stack import Clerk, InspectorAuth, Stack, open_wallet, start_in_process
from trust_registry.store import ISSUING_ROLES
from wallet import core

PERSON = DEMO_PERSONS[0]
HOLDER = {k: PERSON.pid[k] for k in ("family_name", "given_name", "birthdate")}


class World:
    def __init__(self, stack: Stack, wallet: Any, clerk: Clerk, http: httpx.Client, cases: dict[str, str]) -> None:
        self.stack, self.wallet, self.clerk, self.http, self.cases = stack, wallet, clerk, http, cases

    def group(self, vct: str) -> str:
        return str(next(c.group for c in self.wallet.cards("en") if c.vct == vct))

    def check(self, qr: str, challenge: str | None = None) -> httpx.Response:
        return self.http.post(f"{self.stack.verifier_url}/api/offline/verify", json={"qr": qr, "challenge": challenge})


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("offline")
    with start_in_process(data_dir) as stack, \
            httpx.Client(timeout=20, auth=InspectorAuth(stack.inspector_token)) as http:
        clerk = Clerk(stack.issuer_url, data_dir, http)
        wallet = open_wallet(data_dir / "phone", stack.registry_url, "pw", fast_kdf=True, pki_dir=data_dir / "pki")
        cases = {}
        for name, entity, config, claims in (("pda1", PERSON.pda1_issuer, "pda1", PERSON.pda1),
                                             ("ehic", PERSON.ehic_issuer, "ehic", PERSON.ehic)):
            cases[name] = clerk.create_case(entity, config, claims, HOLDER)
            offer = clerk.offer(entity, cases[name])
            offer_id, _ = wallet.open_offer(offer["link"])
            wallet.accept_offer(offer_id, offer["tx_code"])
        # A second PDA1 that the institution will revoke while the verifier is still online.
        revoked = dict(PERSON.pda1, document_number="DEMO-A1-LV-0099")
        cases["revoked"] = clerk.create_case(PERSON.pda1_issuer, "pda1", revoked, HOLDER)
        offer = clerk.offer(PERSON.pda1_issuer, cases["revoked"])
        offer_id, _ = wallet.open_offer(offer["link"])
        wallet.accept_offer(offer_id, offer["tx_code"])
        w = World(stack, wallet, clerk, http, cases)
        yield w
        wallet.http.close()


def _qr_via_png(text: str) -> str:
    """Draw the QR as the wallet does (segno) and read it back with zxing-cpp, an independent decoder."""
    return read_qr(compact.qr_png(text))


def _revoked_group(world: World) -> str:
    return str(next(c.group for c in world.wallet.cards("en") if (c.vct == pda1.VCT and "0099" in c.description)
                    or (c.vct == pda1.VCT and any("0099" in v for _label, v in c.claims))))


def test_qr_versions_meet_the_target(world: World) -> None:
    pda1_qr = world.wallet.offline_qr(world.group(pda1.VCT))
    ehic_qr = world.wallet.offline_qr(world.group(ehic.VCT))
    versions = {"PDA1": compact.qr_version(pda1_qr), "EHIC": compact.qr_version(ehic_qr)}
    print(f"QR versions at error correction M: {versions}")
    assert versions["PDA1"] <= 15


def _published_status_lists(world: World) -> dict[str, list[str]]:
    """Each issuing institution's lists, as its Status List Aggregation endpoint gives them."""
    paths = [e.path for e in DEMO_ENTITIES if {r.value for r in e.roles} & ISSUING_ROLES]
    return {path: world.http.get(f"{world.stack.issuer_url}/{path}/status-lists").json()["status_lists"]
            for path in paths}


def test_the_trust_list_says_where_each_institution_lists_its_status_lists(world: World) -> None:
    """The registry publishes each issuing institution's Status List Aggregation endpoint, in its
    own list and in the LoTE export (a revocation service with that supply point)."""
    issuers = world.http.get(f"{world.stack.registry_url}/lists/issuers").text
    payload = json.loads(b64url_decode(issuers.split(".")[1]))
    published = {e["id"]: e.get("status_lists") for e in payload["entities"]}
    assert published["LV:VSAA"] == f"{world.stack.issuer_url}/lv-vsaa/status-lists"
    assert all(published[e.id] == f"{world.stack.issuer_url}/{e.path}/status-lists" for e in DEMO_ENTITIES
               if e.id in published)
    lote = world.http.get(f"{world.stack.registry_url}/lists/issuers.lote.json").json()
    points = [p["uriValue"] for te in lote["LoTE"]["TrustedEntitiesList"] for svc in te["TrustedEntityServices"]
              if svc["ServiceInformation"]["ServiceTypeIdentifier"].endswith("/Revocation")
              for p in svc["ServiceInformation"]["ServiceSupplyPoints"]]
    assert sorted(points) == sorted(published.values())


def test_the_inspector_gets_every_status_list_before_going_where_there_is_no_network(world: World) -> None:
    """Status List Aggregation (draft §9): each institution lists its lists, each list names that
    list, and the verifier fetches them all, in both forms, for every institution on the trust list."""
    url = world.stack.verifier_url
    for vct in (pda1.VCT, ehic.VCT):  # online checks: the verifier meets both institutions
        assert world.check(world.wallet.offline_qr(world.group(vct))).json()["verdict"] == "valid"
    aggregated = _published_status_lists(world)
    assert all(uris and all(u.startswith(f"{world.stack.issuer_url}/{path}/status/") for u in uris)
               for path, uris in aggregated.items() if path in ("lv-vsaa", "lv-nvd"))
    prepared = world.http.post(f"{url}/api/status/prefetch").json()
    lists = sum(len(uris) for uris in aggregated.values())
    with_lists = sum(1 for uris in aggregated.values() if uris)
    # the JWT and the CWT (mdoc) form of each
    counts = {k: prepared[k] for k in ("status_lists", "failed", "institutions")}  # and until when (readiness)
    assert counts == {"status_lists": 2 * lists, "failed": 0, "institutions": with_lists}
    cached = [json.loads(p.read_text()) for p in (world.stack.data_dir / "verifier" / "status-cache").glob("*.json")]
    for uris in aggregated.values():
        for uri in uris:
            assert {r["form"] for r in cached if r["uri"] == uri} == {"jwt", "cwt"}
            assert all(r["aggregation_uri"] == uri.rsplit("/status/", 1)[0] + "/status-lists"
                       for r in cached if r["uri"] == uri)
    page = world.http.post(f"{url}/offline/prepare")
    assert page.status_code == 200
    assert f"{2 * lists} status lists of {with_lists} institutions are ready" in page.text
    assert "could not be fetched" not in page.text


def test_a_verifier_that_never_met_an_institution_still_knows_its_withdrawals_offline(
        world: World, tmp_path: Path) -> None:
    """A new inspector's device, prepared before going to a site without network: the trust list
    alone says where every institution's status lists are, so a document withdrawn before the
    trip shows as withdrawn there, though this verifier never checked one of that institution."""
    from esspass.stack import inspector_token
    from esspass.testing import free_port, serve
    from issuer.app import create_app as issuer_app
    from issuer.settings import IssuerSettings
    from verifier.app import create_app
    from verifier.settings import VerifierSettings

    withdrawn = dict(PERSON.pda1, document_number="DEMO-A1-LV-0098")
    case = world.clerk.create_case(PERSON.pda1_issuer, "pda1", withdrawn, HOLDER)
    offer = world.clerk.offer(PERSON.pda1_issuer, case)
    offer_id, _ = world.wallet.open_offer(offer["link"])
    world.wallet.accept_offer(offer_id, offer["tx_code"])
    world.clerk.set_state(PERSON.pda1_issuer, case, "revoke", "posting cancelled")
    group = next(c.group for c in world.wallet.cards("en")
                 if c.vct == pda1.VCT and any("0098" in v for _label, v in c.claims))

    port = free_port()
    fresh = serve(create_app(VerifierSettings(
        data_dir=tmp_path, pki_dir=world.stack.data_dir / "pki", public_url=f"http://127.0.0.1:{port}",
        registry_url=world.stack.registry_url)), port=port)
    issuer_port = world.stack.handles["issuer"].port
    try:
        with httpx.Client(timeout=20, auth=InspectorAuth(inspector_token(tmp_path))) as http:
            prepared = http.post(f"http://127.0.0.1:{port}/api/status/prefetch").json()
            assert prepared["failed"] == 0 and prepared["institutions"] >= 2, prepared
            world.stack.stop("issuer")  # the site without network: no status list can be fetched now

            def check(qr: str) -> dict[str, Any]:
                response = http.post(f"http://127.0.0.1:{port}/api/offline/verify", json={"qr": qr, "challenge": None})
                return response.json()  # type: ignore[no-any-return]

            verdict = check(world.wallet.offline_qr(group))
            assert verdict["verdict"] == "invalid", verdict
            assert "withdrawn" in verdict["reason"]
            verdict = check(world.wallet.offline_qr(world.group(ehic.VCT)))
            assert verdict["verdict"] == "valid", verdict
    finally:
        fresh.stop()
        if "issuer" not in world.stack.handles:  # the module's later tests start with the issuer up
            world.stack.handles["issuer"] = serve(issuer_app(IssuerSettings(
                data_dir=world.stack.data_dir, public_url=world.stack.issuer_url,
                registry_url=world.stack.registry_url)), port=issuer_port)


def test_offline_qr_verifies_with_registry_and_issuer_stopped(world: World) -> None:
    # Online once: the verifier caches the trust list and the institutions' status lists; the
    # second PDA1 is revoked before the lists are cached.
    world.clerk.set_state(PERSON.pda1_issuer, world.cases["revoked"], "revoke", "posting cancelled")
    for vct in (pda1.VCT, ehic.VCT):
        assert world.check(world.wallet.offline_qr(world.group(vct))).json()["verdict"] == "valid"
    revoked_qr = world.wallet.offline_qr(_revoked_group(world))
    assert world.check(revoked_qr).json()["verdict"] == "invalid"

    world.stack.stop("registry")
    world.stack.stop("issuer")

    qr = _qr_via_png(world.wallet.offline_qr(world.group(pda1.VCT)))
    verdict = world.check(qr).json()
    assert verdict["verdict"] == "valid", verdict
    assert verdict["offline"] is True
    assert verdict["person"]["family_name"] == PERSON.pid["family_name"]
    assert verdict["person"]["documents"][0]["legislation_country"] == "LV"
    assert verdict["trust_list_age_seconds"] is not None
    assert verdict["credentials"][0]["status_list_age_seconds"] is not None

    # Revoked, from the status list cached before the network went away.
    verdict = world.check(_qr_via_png(world.wallet.offline_qr(_revoked_group(world)))).json()
    assert verdict["verdict"] == "invalid"
    assert "withdrawn" in verdict["reason"]


def test_a_verifier_restarted_without_network_keeps_its_lists(world: World) -> None:
    """The trust list and the status lists fetched online are on disk: a verifier restarted on a
    site without network (the registry and the issuer are still down) checks as before."""
    world.stack.restart_verifier()
    verdict = world.check(world.wallet.offline_qr(world.group(pda1.VCT))).json()
    assert verdict["verdict"] == "valid", verdict
    assert verdict["credentials"][0]["status_list_age_seconds"] is not None
    revoked = world.check(world.wallet.offline_qr(_revoked_group(world))).json()
    assert revoked["verdict"] == "invalid" and "withdrawn" in revoked["reason"]


def test_a_list_altered_on_disk_is_not_used(world: World) -> None:
    """Fail closed: a cached status list whose signature no longer verifies counts as no list at all."""
    import base64
    import json

    originals = {f: f.read_text() for f in (world.stack.data_dir / "verifier" / "status-cache").glob("*.json")}
    assert originals
    for cached, text in originals.items():
        record = json.loads(text)
        token = bytearray(base64.b64decode(record["token"]))
        token[len(token) // 2] ^= 1  # one bit, inside the signed part
        cached.write_text(json.dumps({**record, "token": base64.b64encode(bytes(token)).decode()}))
    world.stack.restart_verifier()
    try:
        verdict = world.check(world.wallet.offline_qr(world.group(pda1.VCT))).json()
        assert verdict["verdict"] == "undetermined", verdict
    finally:  # the module's later checks want the genuine lists back
        for cached, text in originals.items():
            cached.write_text(text)
        world.stack.restart_verifier()


def test_tampered_qr_is_refused(world: World) -> None:
    parsed = compact.parse_qr(world.wallet.offline_qr(world.group(pda1.VCT)))
    raw = bytearray(parsed.credential)
    raw[len(raw) // 2] ^= 0x01
    forged = compact._encode([bytes(raw)])
    verdict = world.check(forged).json()
    assert verdict["verdict"] == "invalid"


def test_replayed_after_its_window_is_refused_as_not_confirmed_not_as_a_document_not_valid(world: World) -> None:
    """A code older than its window (a screenshot) proves neither that the person holds the document nor
    anything against the document: "cannot be confirmed", never valid, and the inspector is told to ask
    for a fresh code; the records do not count it among documents found not valid."""
    cred = next(c for c in world.wallet.credentials() if c.vct == pda1.VCT and c.extra.get("compact"))
    old = core.offline_qr(cred, now=datetime.now(UTC) - timedelta(minutes=5))
    verdict = world.check(old).json()
    assert verdict["verdict"] == "undetermined", verdict
    assert verdict["reason_key"] == "key_binding.stale" and "too old" in verdict["reason"]


def test_wrong_challenge_is_refused(world: World) -> None:
    challenge = world.http.post(f"{world.stack.verifier_url}/api/offline/challenge").json()["challenge"]
    qr = world.wallet.offline_qr(world.group(pda1.VCT), b"WRONGCODE")
    verdict = world.check(qr, challenge).json()
    assert verdict["verdict"] == "invalid"
    assert "challenge" in verdict["reason"]
    challenge = world.http.post(f"{world.stack.verifier_url}/api/offline/challenge").json()["challenge"]
    good = world.wallet.offline_qr(world.group(pda1.VCT), challenge.encode())
    assert world.check(good, challenge).json()["verdict"] == "valid"
    # A challenge is single use.
    assert world.check(good, challenge).status_code == 400


def test_unknown_kid_is_refused(world: World, tmp_path: Path) -> None:
    from credentials.institutions import DEMO_ENTITIES
    from credentials.pki import create_demo_pki
    from credentials.x509 import spki_kid

    other = create_demo_pki(tmp_path, DEMO_ENTITIES[:1], now=datetime.now(UTC))
    key, chain = other.signers["LV:VSAA"]
    holder = generate_key()
    now = int(datetime.now(UTC).timestamp())
    raw = compact.issue_compact(vct=pda1.VCT, claims=pda1.validate(PERSON.pda1), holder=HOLDER,
                                holder_jwk=__import__("credentials.jose", fromlist=["public_jwk"]).public_jwk(holder),
                                issuer_key=key, kid=spki_kid(chain[0]), iat=now, exp=now + 86400, status=None)
    qr = compact.present_compact(raw, holder, now=datetime.now(UTC))
    verdict = world.check(qr).json()
    assert verdict["verdict"] == "invalid"
    assert "kid" in verdict["reason"]


def test_expired_credential_is_refused() -> None:
    now = datetime.now(UTC)
    holder = generate_key()
    from credentials.jose import public_jwk

    signer = generate_key()
    raw = compact.issue_compact(vct=pda1.VCT, claims=pda1.validate(PERSON.pda1), holder=HOLDER,
                                holder_jwk=public_jwk(holder), issuer_key=signer, kid="AAAAAAAAAAA",
                                iat=int(now.timestamp()) - 7200, exp=int(now.timestamp()) - 3600, status=None)
    parsed = compact.parse_qr(compact.present_compact(raw, holder, now=now))
    with pytest.raises(Exception, match="expired"):
        compact.verify_compact(parsed, resolve_key=lambda *_: signer.public_key(), now=now)


def test_photo_upload_is_decoded_on_the_server(world: World) -> None:
    png = compact.qr_png(world.wallet.offline_qr(world.group(ehic.VCT)))
    response = world.http.post(f"{world.stack.verifier_url}/offline", files={"photo": ("qr.png", io.BytesIO(png))},
                               follow_redirects=True)
    assert response.status_code == 200
    assert 'data-verdict="valid"' in response.text
    assert 'id="offline-marker"' in response.text


def test_paper_pdf_holds_a_qr_that_says_check_an_identity_document(tmp_path: Path) -> None:
    with start_in_process(tmp_path) as stack, \
            httpx.Client(timeout=20, auth=InspectorAuth(stack.inspector_token)) as http:
        clerk = Clerk(stack.issuer_url, tmp_path, http)
        case = clerk.create_case(PERSON.pda1_issuer, "pda1", PERSON.pda1, HOLDER)
        pdf = clerk.paper(PERSON.pda1_issuer, case)
        assert pdf.startswith(b"%PDF")
        paper = _qr_in_pdf(pdf)
        verdict = http.post(f"{stack.verifier_url}/api/offline/verify", json={"qr": paper}).json()
        assert verdict["verdict"] == "valid", verdict
        assert "identity document" in verdict["reason"]
        # The paper copy has its own status entry: revoking the case withdraws it too.
        clerk.set_state(PERSON.pda1_issuer, case, "revoke", "replaced")
        verdict = http.post(f"{stack.verifier_url}/api/offline/verify", json={"qr": paper}).json()
        assert verdict["verdict"] == "invalid"


def _qr_in_pdf(pdf: bytes) -> str:
    """The greyscale QR image embedded in the PDF (Flate, PNG predictors), decoded with zxing-cpp."""
    import re
    import zlib

    from PIL import Image

    for match in re.finditer(rb"/Subtype /Image", pdf):
        start = pdf.rfind(b" obj", 0, match.start())
        data = pdf.index(b"stream\n", match.end()) + len(b"stream\n")
        header = pdf[start:data]
        width = int(re.search(rb"/Width (\d+)", header).group(1))  # type: ignore[union-attr]
        height = int(re.search(rb"/Height (\d+)", header).group(1))  # type: ignore[union-attr]
        body = pdf[data:pdf.index(b"endstream", data)]
        try:
            pixels = zlib.decompressobj().decompress(body)
        except zlib.error:
            continue
        stride = width + 1  # one PNG filter byte per row (filters are "none" for segno's flat image)
        if len(pixels) < stride * height:
            continue
        rows = [_unfilter(pixels[i * stride], pixels[i * stride + 1:(i + 1) * stride]) for i in range(height)]
        prev = bytes(width)
        out = []
        for kind, row in rows:
            row = bytes((row[x] + (prev[x] if kind == 2 else 0)) & 0xFF for x in range(width))
            out.append(row)
            prev = row
        buf = io.BytesIO()
        Image.frombytes("L", (width, height), b"".join(out)).save(buf, format="PNG")
        return read_qr(buf.getvalue())
    raise AssertionError("no image in the PDF")


def _unfilter(kind: int, row: bytes) -> tuple[int, bytes]:
    if kind not in (0, 2):
        raise AssertionError(f"unexpected PNG filter {kind}")
    return kind, row


def test_offline_qr_payload_decodes_from_b64(world: World) -> None:
    cred = next(c for c in world.wallet.credentials() if c.vct == pda1.VCT and c.extra.get("compact"))
    parsed = compact.decode_credential(b64url_decode(cred.extra["compact"]))
    assert parsed.vct == pda1.VCT


def test_the_paper_copy_prints_names_with_their_own_letters() -> None:
    """The inspector compares the paper with an identity document: Łukasiewicz, Zoë, Παπαδόπουλος and
    Иванов must print as written, with the font the issuer ships (not whatever the host has)."""
    import re
    import warnings

    from credentials import compact
    from issuer.paper import render_pdf

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # fpdf2 warns of every glyph its font lacks
        pdf = render_pdf(title="Łukasiewicz Zoë", lines=["Παπαδόπουλος Иванов Ķēniņš"],
                         qr_png=compact.qr_png("HC1:TEST"), footer="—")
    printed = {int(code, 16) for code in re.findall(rb"<[0-9A-F]{4}> <([0-9A-F]{4})>", pdf)}  # ToUnicode map
    assert {ord(ch) for ch in "ŁëΠαИвĶēņš"} <= printed


def _language_links(page: str) -> dict[str, str]:
    """The header's language links: language -> where each leads."""
    import html
    import re

    return {lang: html.unescape(href) for href, lang in re.findall(r'<a href="([^"]*)" hreflang="(\w+)"', page)}


def _error(page: str) -> str:
    import html
    import re

    found = re.search(r'<p class="error" role="alert" id="error">([^<]*)</p>', page)
    assert found is not None, page
    return html.unescape(found.group(1))


def _blank_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (240, 240), "white").save(out, format="PNG")
    return out.getvalue()


def _as_a_browser_sends(qr: str, challenge: str, photo: tuple[str, bytes, str]) -> tuple[bytes, dict[str, str]]:
    """The offline form as a browser posts it: with nothing chosen, the file part is still there, with
    ``filename=""`` and no bytes (httpx leaves the filename out, which is another form)."""
    boundary = "----esspassformboundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in (("challenge", challenge), ("qr", qr))]
    filename, data, media_type = photo
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="{filename}"\r\n'
                 f"Content-Type: {media_type}\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), {
        "Content-Type": f"multipart/form-data; boundary={boundary}"}


def test_every_offline_scan_error_is_said_in_the_pages_language(world: World) -> None:
    """Nothing chosen (the browser still sends an empty file part), a text that is no offline QR, a
    photo without a QR code, a file that is no picture, a code shown to the worker that is not ours:
    each in the page's words, never the English of the service."""
    url = world.stack.verifier_url
    qr = world.wallet.offline_qr(world.group(pda1.VCT))
    nothing = ("", b"", "application/octet-stream")
    cases = [("de", "", "", nothing, "nothing"),
             ("de", "hello world", "", nothing, "not_offline_qr"),
             ("fr", "", "", ("photo.png", _blank_png(), "image/png"), "no_qr"),
             ("pl", "", "", ("notes.txt", b"not a picture", "text/plain"), "not_picture"),
             ("lv", qr, "AAAAAAAA", nothing, "challenge")]
    for lang, text, challenge, photo, key in cases:
        body, headers = _as_a_browser_sends(text, challenge, photo)
        page = world.http.post(f"{url}/offline", params={"lang": lang}, content=body, headers=headers)
        assert page.status_code == 400, (key, page.status_code, page.text)
        assert _error(page.text) == i18n.t(f"verifier.offline.error.{key}", lang), (lang, key)
        assert f'<html lang="{lang}">' in page.text
    english = {i18n.t(f"verifier.offline.error.{key}", "en") for *_rest, key in cases}
    assert len(english) == len(cases)  # one message each, none the catch-all


def test_the_offline_pages_language_links_lead_back_to_the_offline_page_after_a_form(world: World) -> None:
    """The page a form answers (the check's error, the lists fetched for a site without network) has
    no address of its own: its language links lead to /offline, never to a 405."""
    url = world.stack.verifier_url
    for page in (world.http.post(f"{url}/offline", params={"lang": "fr"}, data={"qr": "hello world"}),
                 world.http.post(f"{url}/offline/prepare", params={"lang": "fr"})):
        links = _language_links(page.text)
        assert set(links) == set(i18n.LANGUAGES) and links["de"] == "/offline?lang=de", page.text
        followed = world.http.get(f"{url}{links['de']}")
        assert followed.status_code == 200 and '<html lang="de">' in followed.text
    with_code = world.http.get(f"{url}/offline", params={"with_challenge": "1", "lang": "en"})
    assert _language_links(with_code.text)["pl"] == "/offline?with_challenge=1&lang=pl"


def test_the_offline_result_screen_says_the_a1s_period_number_birth_date_and_institution_in_the_pages_language(
        world: World) -> None:
    import html

    from credentials.institutions import demo_entity

    png = compact.qr_png(world.wallet.offline_qr(world.group(pda1.VCT)))
    shown = world.http.post(f"{world.stack.verifier_url}/offline", params={"lang": "fr"},
                            files={"photo": ("qr.png", io.BytesIO(png))}, follow_redirects=True)
    assert shown.status_code == 200 and 'id="offline-marker"' in shown.text
    text = html.unescape(shown.text)
    start, end = (i18n.format_date(PERSON.pda1[k], "fr") for k in ("starting_date", "ending_date"))
    assert f"applicable du {start} au {end} : Lettonie" in text
    assert f"<dd class=\"document-number\">{PERSON.pda1['document_number']}</dd>" in text
    assert f"<dd>{i18n.format_date(HOLDER['birthdate'], 'fr')}</dd>" in text
    institution = demo_entity(PERSON.pda1_issuer)
    assert f"<dd>{institution.name_en} ({institution.name})</dd>" in text


def test_a_code_naming_no_status_list_is_not_valid_and_says_so_in_the_pages_language(world: World) -> None:
    """A document without a status reference can never be checked for withdrawal: not valid, for that
    reason (its own key), not for a status list "not signed by the institution"."""
    from credentials.jose import public_jwk
    from credentials.pki import load_demo_pki
    from credentials.x509 import spki_kid
    from verifier import messages

    key, chain = load_demo_pki(world.stack.data_dir / "pki").signers[PERSON.pda1_issuer]
    holder = generate_key()
    now = int(datetime.now(UTC).timestamp())
    raw = compact.issue_compact(vct=pda1.VCT, claims=pda1.validate(PERSON.pda1), holder=HOLDER,
                                holder_jwk=public_jwk(holder), issuer_key=key, kid=spki_kid(chain[0]), iat=now,
                                exp=now + 86400, status=None)
    verdict = world.check(compact.present_compact(raw, holder, now=datetime.now(UTC))).json()
    assert verdict["verdict"] == "invalid" and verdict["reason_key"] == "status.no_reference", verdict
    assert messages.reason_text(verdict, "lv").startswith("Dokumentā nav norādīts statusa saraksts")
