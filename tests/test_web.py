"""The service kit: one error translation, health, metrics, no traces to clients."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from credentials.errors import DataError, IssuerSignatureError, ProtocolError
from esspass.testing import serve
from esspass.web import csp_source, install


class _Case(BaseModel):
    configuration_id: str = Field(max_length=20)
    claims: dict[str, object]


def _app() -> FastAPI:
    app = FastAPI()
    install(app, "test")

    @app.post("/cases")
    def cases(body: _Case) -> dict[str, str]:
        return {"configuration_id": body.configuration_id}

    @app.get("/protocol")
    def protocol() -> None:
        raise ProtocolError("invalid_token", "token expired", http_status=401)

    @app.get("/data")
    def data() -> None:
        raise DataError("employer.name", "must be 1 to 100 characters")

    @app.get("/check")
    def check() -> None:
        raise IssuerSignatureError("signature does not verify")

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    @app.get("/typed")
    def typed(n: int) -> dict[str, int]:
        return {"n": n}

    return app


def test_errors_are_rendered_with_protocol_codes_over_real_http() -> None:
    with serve(_app()) as server, httpx.Client(base_url=server.url) as http:
        r = http.get("/protocol")
        assert r.status_code == 401
        assert r.json() == {"error": "invalid_token", "error_description": "token expired"}
        assert "invalid_token" in r.headers["www-authenticate"]
        r = http.get("/data")
        assert r.status_code == 400 and r.json()["field"] == "employer.name"
        r = http.get("/check")
        assert r.status_code == 400 and r.json()["error"] == "issuer_signature"
        r = http.get("/typed", params={"n": "x"})
        assert r.status_code == 400 and r.json()["error"] == "invalid_request"


def test_unexpected_error_is_500_without_trace() -> None:
    with serve(_app()) as server, httpx.Client(base_url=server.url) as http:
        r = http.get("/boom")
        assert r.status_code == 500
        assert r.json() == {"error": "server_error", "error_description": "internal error"}
        assert "passwd" not in r.text


def test_health_and_metrics() -> None:
    with serve(_app()) as server, httpx.Client(base_url=server.url) as http:
        assert http.get("/healthz").json()["status"] == "ok"
        assert http.get("/readyz").status_code == 200
        http.get("/data")
        metrics = http.get("/metrics").text
        assert 'esspass_http_requests_total{method="GET",route="/data",service="test",status="400"}' in metrics


@pytest.mark.parametrize(("url", "source"), [
    ("https://wallet.example/cb?x=1", "https://wallet.example"),
    ("http://127.0.0.1:9/cb", "http://127.0.0.1:9"),
    ("https://[::1]:8443/cb", "https://[::1]:8443"),
    ("https://evil.example;frame-ancestors *;x/cb", None),  # would add a directive to the policy
    ("https://evil.example%20*/cb", None),
    ("https://host:notaport/cb", None),
    ("javascript:alert(1)", None),
])
def test_a_csp_source_is_built_from_the_parts_of_a_url_never_copied(url: str, source: str | None) -> None:
    assert csp_source(url) == source


def test_an_unexpected_error_is_logged_where_it_happened_without_its_message() -> None:
    """An exception's message can quote personal data (PostgreSQL's "Key (pan)=(...) already
    exists"): neither our JSON log nor uvicorn's own error log (Starlette re-raises after our handler
    answered 500) may print it; the type and where it was raised are logged."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent('''
        import httpx
        from fastapi import FastAPI
        from esspass.testing import serve
        from esspass.web import configure_logging, install

        configure_logging()
        app = FastAPI()
        install(app, "test")

        @app.get("/boom")
        def boom() -> None:
            try:
                {}["Jānis"]
            except KeyError as exc:
                raise ValueError("Key (pan)=(010190-12345) already exists") from exc

        with serve(app) as server:
            print(httpx.get(server.url + "/boom").status_code)
    ''')
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "500", done.stderr
    assert "010190-12345" not in done.stderr and "Jānis" not in done.stderr
    assert "builtins.ValueError (message not logged)" in done.stderr and "builtins.KeyError" in done.stderr
    assert "in boom" in done.stderr  # where it happened, for whoever mends it
    assert '"event": "server_error"' in done.stderr


def test_a_nul_in_the_path_is_not_found_before_any_route_reads_it() -> None:
    """No id of any service holds a NUL, and PostgreSQL refuses one in a query (a 500 there): every
    service answers 404 before the route looks the id up."""
    app = FastAPI()
    install(app, "test")
    looked_up: list[str] = []

    @app.get("/items/{item_id}")
    def item(item_id: str) -> dict[str, str]:
        looked_up.append(item_id)
        return {"id": item_id}

    with serve(app) as server, httpx.Client(base_url=server.url) as http:
        r = http.get("/items/ab%00cd")
        assert r.status_code == 404 and r.json()["error"] == "not_found"
        assert looked_up == []
        assert http.get("/items/abcd").json() == {"id": "abcd"}


def test_a_request_body_that_is_not_the_json_asked_for_is_said_in_words_without_its_values() -> None:
    """"invalid request" and "0: JSON decode error" did not say what to change; the words never
    quote what was sent (it may be a person's data)."""
    secret = "Bērziņa-120488-10001"
    with serve(_app()) as server, httpx.Client(base_url=server.url) as http:
        def said(response: httpx.Response) -> str:
            assert response.status_code == 400, response.text
            body = response.json()
            assert body["error"] == "invalid_request" and set(body) == {"error", "error_description"}, body
            assert secret not in response.text and "120488" not in response.text
            return str(body["error_description"])

        assert said(http.post("/cases", content=b'{"claims": "' + secret.encode() + b'"',
                              headers={"Content-Type": "application/json"})) == "the body is not valid JSON"
        form = said(http.post("/cases", data={"configuration_id": "pda1", "claims": secret}))
        assert "JSON" in form and "application/json" in form, form
        assert said(http.post("/cases", json=[secret])) == "the body must be a JSON object"
        assert said(http.post("/cases")) == "the body must be a JSON object"
        assert said(http.post("/cases", json={"configuration_id": "pda1", "claims": secret})) == \
            "claims: Input should be a valid dictionary"
        assert "at most 20 characters" in said(http.post("/cases", json={"configuration_id": secret * 2, "claims": {}}))


def test_the_trailing_slash_redirect_names_no_host_the_request_chose() -> None:
    """Starlette answers ``/cases/`` with a redirect to ``/cases`` built from the request's Host header:
    a forged Host (cache poisoning, a password-reset style link) would send the next visitor elsewhere.
    The redirect is a relative reference (RFC 9110 §10.2.2), so it stays on the host the client asked."""
    app = FastAPI()
    install(app, "test")

    @app.get("/cases")
    def cases() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/{rest:path}.json")
    def document(rest: str) -> dict[str, str]:
        return {"rest": rest}

    @app.get("/away")
    def away() -> Response:
        return RedirectResponse("https://issuer.example/cases/", status_code=307)

    with serve(app) as server, httpx.Client(base_url=server.url) as http:
        r = http.get("/cases/?page=2", headers={"Host": "evil.example"})
        assert r.status_code == 307
        assert r.headers["location"] == "/cases?page=2"
        assert http.get("/cases/", follow_redirects=True).json() == {"ok": "yes"}
        # "//evil.example/" toggled is "//evil.example": as a Location, that is another host.
        double = http.get(f"{server.url}//evil.json/", headers={"Host": "evil.example"})
        assert double.status_code == 307 and double.headers["location"] == "/.//evil.json"
        # A route's own redirect elsewhere is the route's: not touched.
        assert http.get("/away", headers={"Host": "evil.example"}).headers["location"] == \
            "https://issuer.example/cases/"
