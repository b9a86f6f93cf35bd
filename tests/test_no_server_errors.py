"""Bad input never gets a server error or a stack trace, on any route of any service.

Project rule: bad input gets a clear error with the standard error code of the protocol (OAuth /
OpenID4VC error responses, HTTP 4xx with a JSON body), never a 500, never a stack trace to the client.

The routes are enumerated from each running app (``app.routes``; the OpenAPI schema of every API
route, hidden ones included, tells the path, query and body parameters). Every route and method
then gets a battery of bad requests over real HTTP on 127.0.0.1, signed in (Bearer token, login
cookie, session cookie and CSRF field, so that the request reaches the handler) and anonymous:
malformed and wrongly typed JSON, empty bodies, 100 KB strings in every field, form bodies where
JSON is expected and the reverse, broken multipart, path parameters that do not exist or are
5 KB long or hold ``%00``, ``../`` or unicode, query parameters of the wrong type, junk headers.

Each test collects every offending answer (status >= 500, no answer, a trace in the body, a 4xx
that is neither a JSON object with an ``error`` code nor a page's HTML error page) with what the
server logged, and fails once with the whole list.
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
import re
import traceback
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount, Route

from credentials.demo_persons import DEMO_PERSONS
from credentials.institutions import demo_entity
from esspass.stack import Clerk, Stack, open_wallet, start_in_process, unnumbered
from esspass.testing import ServerHandle, serve
from trust_registry.settings import RegistrySettings, admin_token
from wallet.app import create_app as wallet_app
from wallet.settings import WalletSettings

#: Thousands of requests per service in one test each: more than the suite's usual 300 s on a slow machine.
pytestmark = pytest.mark.timeout(900)

PERSON = DEMO_PERSONS[0]
HOLDER = {k: PERSON.pid[k] for k in ("family_name", "given_name", "birthdate")}
PROJECT = str(Path(__file__).resolve().parents[1])

HUGE = "A" * 100_000
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: Values for a path parameter, already percent-encoded as they go on the wire.
BAD_PATH_VALUES: dict[str, str] = {
    "unknown-id": "no-such-id-0000",
    "5kb-id": "i" * 5000,
    "nul-id": "a%00b",
    "dotdot-id": "..%2F..%2Fetc%2Fpasswd",
    "dot-segment-id": "%2E%2E",
    "unicode-id": quote("ünïcødé-✓-𝔘-日本"),
    "bad-utf8-id": "%FF%FE",
    "quotes-id": "%27%22%3C%3E%25%5C",
    "huge-int-id": "9" * 30,
    "negative-id": "-1",
}

#: Values for a query parameter (httpx encodes them).
BAD_QUERY_VALUES: dict[str, str] = {
    "text": "abc",
    "huge-int": "9" * 30,
    "negative": "-1",
    "float": "1e309",
    "nul": "\x00",
    "long": "q" * 8000,
    "unicode": "ünï✓𝔘",
    "empty": "",
}

#: Query parameters that handlers read from ``request.query_params`` themselves (not in any schema).
GENERIC_QUERY = ("lang", "next", "page", "client_id", "request_uri", "response_code", "code", "state", "error",
                 "iss", "with_challenge", "challenge", "limit", "offset")

#: Body fields that handlers read from a form or a JSON body they parse themselves.
GENERIC_FIELDS = ("token", "next", "csrf", "qr", "challenge", "photo", "reason", "client_id", "request_uri",
                  "tx_code", "action", "grant_type", "pre-authorized_code", "code", "code_verifier", "redirect_uri",
                  "state", "response", "vp_token", "error", "iss", "link", "passphrase", "configuration_id",
                  "credential_configuration_id", "proof", "proofs", "notification_id", "event", "scope",
                  "authorization_details")

FILE_FIELDS = ("file", "qr", "photo")

#: What a field typed ``Any`` receives in the ``weird-any`` body: everything of the wrong shape.
WEIRD: dict[str, Any] = {
    "a": [None, True, 1.5e308, -1, {"b": []}],
    "credentials": [{"id": 7, "format": None, "claims": "x", "meta": []}],
    "family_name": 5,
    "birthdate": "not-a-date",
    "document_number": ["x"],
    "nested": {"deeper": {"deepest": [[[]]]}},
}

#: What a form field receives in the ``json-junk`` bodies: JSON of the wrong shape where a handler may parse JSON.
WEIRD_TEXT = json.dumps(WEIRD)

JUNK_HEADERS: dict[str, str] = {
    "Authorization": "Bearer " + "t" * 5000,
    "DPoP": "a.b.c",
    "OAuth-Client-Attestation": "not-a-jwt",
    "OAuth-Client-Attestation-PoP": "~~~",
    "Accept": "application/statuslist+cwt;;;q=x, */*;q=abc",
    "Accept-Language": "zz-ZZ;q=abc, *;q=2, " + "x" * 1000,
    "If-None-Match": '"' * 100,
    "Cookie": "lang=" + "%FF" * 100 + "; esspass_clerk=%00; inspector=" + "x" * 3000
              + "; esspass_wallet_session=x; esspass_wallet_pre=y; esspass_wallet_lang=" + "z" * 500,
}

#: Loopback addresses (Linux answers the whole of 127/8), one for each probe that signs in with a wrong
#: token (:func:`_guessing`): the services' sign-in throttle (esspass.throttle) would otherwise pause the
#: battery's own address after five, and answer its next probes 429 unread.
_OWN_ADDRESSES = (f"127.1.{n // 250}.{n % 250 + 2}" for n in itertools.count())

#: Route segments whose signed-in requests end the state the next probes need: run them last.
LAST = ("delete", "revoke", "withdraw", "suspend", "lock", "logout")

TRACE_MARKERS = ("Traceback", 'File "/')


# --- what the server logged ------------------------------------------------------------------------


class _ErrorLog(logging.Handler):
    """Every error record of our services and of uvicorn, to show next to the request that caused it."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def since(self, start: int) -> str:
        out: list[str] = []
        seen: set[int] = set()
        for record in self.records[start:]:
            text = record.getMessage().strip()
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                if id(exc) in seen:  # our handler logged it, then uvicorn again
                    continue
                seen.add(id(exc))
                frames = [f for f in traceback.extract_tb(exc.__traceback__)
                          if f.filename.startswith(PROJECT) and "/.venv/" not in f.filename]
                where = f" at {Path(frames[-1].filename).relative_to(PROJECT)}:{frames[-1].lineno} " \
                        f"in {frames[-1].name}" if frames else ""
                text += f": {type(exc).__name__}: {str(exc)[:200]}{where}"
            out.append(text)
        return " | ".join(out)


# --- the services under test -----------------------------------------------------------------------


@dataclass
class Service:
    name: str
    url: str
    app: FastAPI
    #: Authorization and Cookie headers of a signed-in user.
    signed_in: dict[str, str]
    #: The CSRF field a signed-in form carries, if the service's forms need one.
    csrf: str | None = None
    #: path parameter -> a value that exists, so that one bad part at a time reaches the handler.
    good: dict[str, str] = field(default_factory=dict)
    #: (method, route) whose signed-in forms go without CSRF field: with it they would end the session.
    no_csrf: frozenset[tuple[str, str]] = frozenset()


@dataclass
class World:
    stack: Stack
    services: dict[str, Service]
    errors: _ErrorLog


def _scrape_csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("no-server-errors")
    with ExitStack() as cleanup:
        stack = cleanup.enter_context(start_in_process(data_dir))
        http = cleanup.enter_context(httpx.Client(timeout=30))
        # Something to point at: a case whose credential the wallet holds, a case with an open offer,
        # a status list, a pending presentation request, a card in the wallet.
        clerk = Clerk(stack.issuer_url, data_dir, http)
        entity = demo_entity(PERSON.pda1_issuer)
        wallet = open_wallet(data_dir / "phone", stack.registry_url, "pw", fast_kdf=True, pki_dir=data_dir / "pki")
        case_id = clerk.create_case(entity.id, "pda1", unnumbered(PERSON.pda1), HOLDER)
        offer = clerk.offer(entity.id, case_id)
        offered, _ = wallet.open_offer(offer["link"])
        wallet.accept_offer(offered, offer["tx_code"])
        group = str(wallet.cards("en")[0].group)
        wallet.http.close()
        open_case = clerk.create_case(entity.id, "pda1", unnumbered(PERSON.pda1), HOLDER)
        open_offer = str(clerk.offer(entity.id, open_case)["offer_id"])
        lists = http.get(f"{stack.issuer_url}/{entity.path}/status-lists").json()["status_lists"]
        status_number = lists[0].rsplit("/", 1)[1]
        inspector = {"Authorization": f"Bearer {stack.inspector_token}"}
        created = http.post(f"{stack.verifier_url}/api/requests", json={"profile": "pda1"}, headers=inspector)
        created.raise_for_status()
        tx = created.json()

        # The wallet's pages, on the wallet that holds the card, unlocked.
        settings = WalletSettings(data_dir=data_dir / "phone", registry_url=stack.registry_url,
                                  allow_loopback_http=True, scrypt_n=2**10, pki_dir=data_dir / "pki", lang="en")
        wallet_server: ServerHandle = cleanup.enter_context(serve(wallet_app(settings)))
        page = http.get(f"{wallet_server.url}/unlock")
        pre = page.cookies["esspass_wallet_pre"]
        unlocked = http.post(f"{wallet_server.url}/unlock", data={"passphrase": "pw", "csrf": pre, "next": "/"},
                             headers={"Cookie": f"esspass_wallet_pre={pre}"})
        assert unlocked.status_code == 303, unlocked.text
        session = unlocked.cookies["esspass_wallet_session"]
        http.cookies.clear()
        home = http.get(f"{wallet_server.url}/cards/{group}", headers={"Cookie": f"esspass_wallet_session={session}"})
        wallet_csrf = _scrape_csrf(home.text)

        clerk_token = clerk.tokens[entity.id]
        office_session = http.post(f"{stack.issuer_url}/{entity.path}/office/login",
                                   data={"token": clerk_token}).cookies["esspass_clerk"]
        http.cookies.clear()
        office = http.get(f"{stack.issuer_url}/{entity.path}/office/new/pda1",
                          headers={"Cookie": f"esspass_clerk={office_session}"})
        office_csrf = _scrape_csrf(office.text)
        http.cookies.clear()

        def app_of(name: str) -> FastAPI:
            app = stack.handles[name].server.config.app
            assert isinstance(app, FastAPI)
            return app

        wallet_application = wallet_server.server.config.app
        assert isinstance(wallet_application, FastAPI)
        services = {
            "registry": Service(
                "registry", stack.registry_url, app_of("registry"),
                {"Authorization": f"Bearer {admin_token(RegistrySettings(data_dir=data_dir))}"},
                good={"kind": "issuers", "entity_id": "AT:FINPOL"}),
            "issuer": Service(
                "issuer", stack.issuer_url, app_of("issuer"),
                {"Authorization": f"Bearer {clerk_token}", "Cookie": f"esspass_clerk={office_session}"},
                csrf=office_csrf,
                good={"path": entity.path, "case_id": open_case, "offer_id": open_offer, "configuration_id": "pda1",
                      "number": status_number, "fmt": "png", "config": "pda1", "action": "offer"}),
            "verifier": Service(
                "verifier", stack.verifier_url, app_of("verifier"),
                {**inspector, "Cookie": "inspector=" + httpx.post(f"{stack.verifier_url}/login", data={
                    "token": stack.inspector_token}).cookies["inspector"]},
                good={"tx_id": tx["request_uri"].rsplit("/", 1)[1], "view": tx["transaction_id"]}),
            "wallet": Service(
                "wallet", wallet_server.url, wallet_application,
                # The pre-session cookie is the CSRF token of /setup and /unlock: the session's one fits all.
                {"Cookie": f"esspass_wallet_session={session}; esspass_wallet_pre={wallet_csrf}"},
                csrf=wallet_csrf,
                good={"group": group, "code": "lv"},
                no_csrf=frozenset({("POST", "/lock")})),
        }
        errors = _ErrorLog()
        loggers = [logging.getLogger(name) for name in ("esspass", "uvicorn.error")]
        for logger in loggers:
            logger.addHandler(errors)
        for logger in loggers:
            cleanup.callback(logger.removeHandler, errors)
        yield World(stack, services, errors)


# --- the routes, from the running apps ----------------------------------------------------------------


@dataclass
class Operation:
    method: str
    template: str
    path_params: list[str]
    query_params: list[dict[str, Any]]
    #: content type -> schema of the request body; empty when the handler reads the body itself.
    body: dict[str, dict[str, Any]]
    mount: bool = False


def _path_names(template: str) -> list[str]:
    return re.findall(r"\{(\w+)(?::\w+)?\}", template)


def _operations(app: FastAPI) -> tuple[list[Operation], dict[str, Any]]:
    """Every route and method of ``app``, with its OpenAPI operation (hidden routes included)."""
    api_routes: list[BaseRoute] = []
    for route in app.routes:
        if isinstance(route, APIRoute):
            shown = copy.copy(route)
            shown.include_in_schema = True
            api_routes.append(shown)
    schema = get_openapi(title=app.title, version=app.version, routes=api_routes)
    components: dict[str, Any] = schema.get("components", {}).get("schemas", {})
    ops: list[Operation] = []
    for route in app.routes:
        if isinstance(route, APIRoute):
            for method in sorted(route.methods or set()):
                spec = schema["paths"][route.path_format][method.lower()]
                params = spec.get("parameters", [])
                body = {ctype: content.get("schema", {})
                        for ctype, content in spec.get("requestBody", {}).get("content", {}).items()}
                ops.append(Operation(method, route.path_format, _path_names(route.path_format),
                                     [p for p in params if p["in"] == "query"], body))
        elif isinstance(route, Route):
            for method in sorted(route.methods or set()):
                ops.append(Operation(method, route.path, _path_names(route.path), [], {}))
        elif isinstance(route, Mount):
            ops.append(Operation("GET", route.path + "/{file}", ["file"], [], {}, mount=True))
    ops.sort(key=lambda op: any(word in op.template.rsplit("/", 1)[-1] for word in LAST))
    return ops, components


# --- bodies from the schemas ------------------------------------------------------------------------


def _resolve(schema: Any, components: Mapping[str, Any]) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _is_file(schema: Mapping[str, Any]) -> bool:
    return schema.get("format") == "binary" or "contentMediaType" in schema


def _sample(schema: Any, components: Mapping[str, Any], *, weird: bool = False, depth: int = 0) -> Any:
    """A value that fits ``schema`` (``weird``: with :data:`WEIRD` wherever any value fits)."""
    schema = _resolve(schema, components)
    if schema is True or schema == {} or depth > 6:
        return copy.deepcopy(WEIRD) if weird else "x"
    assert isinstance(schema, dict)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            variants = [s for s in schema[key] if _resolve(s, components).get("type") != "null"]
            return _sample(variants[0], components, weird=weird, depth=depth + 1) if variants else None
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "string":
        return "x"
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    if kind == "array":
        return [_sample(schema.get("items", {}), components, weird=weird, depth=depth + 1)]
    properties: dict[str, Any] = schema.get("properties", {})
    out = {name: _sample(sub, components, weird=weird, depth=depth + 1) for name, sub in properties.items()}
    extra = schema.get("additionalProperties")
    if extra is not None and extra is not False:
        out["k"] = _sample(extra, components, weird=weird, depth=depth + 1)
    return out


Where = tuple[str | int, ...]


def _string_leaves(value: Any, at: Where = ()) -> list[Where]:
    if isinstance(value, str):
        return [at]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _string_leaves(v, (*at, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _string_leaves(v, (*at, i))]
    return []


def _replace(value: Any, at: Where, new: Any) -> Any:
    if not at:
        return new
    out = copy.deepcopy(value)
    target = out
    for key in at[:-1]:
        target = target[key]
    target[at[-1]] = new
    return out


def _numbers_for_strings(value: Any) -> Any:
    if isinstance(value, str):
        return 12345
    if isinstance(value, dict):
        return {k: _numbers_for_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_for_strings(v) for v in value]
    return value


def _wrong_types(value: Any, depth: int = 0) -> Any:
    """Each value of the object as another type: objects as lists, lists as objects, strings as numbers."""
    if isinstance(value, dict):
        if depth > 0:
            return [_wrong_types(v, depth + 1) for v in value.values()]
        return {k: _wrong_types(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return {"0": value[0] if value else None}
    if isinstance(value, bool):
        return "maybe"
    if isinstance(value, int | float):
        return "abc"
    if isinstance(value, str):
        return 12345
    return {"null": "instead"}


def _dotted(at: Where) -> str:
    return ".".join(str(p) for p in at) or "(whole body)"


# --- the probes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    method: str
    template: str
    path: str
    kind: str
    signed_in: bool
    params: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    content: bytes | None = None

    def describe(self) -> str:
        query = f"?{urlencode(self.params)}" if self.params else ""
        target = self.path + query
        if len(target) > 160:
            target = target[:120] + f"...({len(target)} chars)"
        body = ""
        if self.content:
            shown = self.content[:100].decode("utf-8", "replace")
            body = f" body={shown!r}" + (f"...({len(self.content)} bytes)" if len(self.content) > 100 else "")
        ctype = dict(self.headers).get("Content-Type")
        who = "signed in" if self.signed_in else "anonymous"
        return f"{self.method} {target} [{self.kind}; {who}; {ctype or 'no content-type'}]{body}"


def _json(value: Any) -> tuple[bytes, str]:
    return json.dumps(value).encode(), "application/json"


def _form(fields: Mapping[str, str]) -> tuple[bytes, str]:
    return urlencode(dict(fields)).encode(), "application/x-www-form-urlencoded"


def _multipart(fields: Mapping[str, str], files: Mapping[str, bytes]) -> tuple[bytes, str]:
    boundary = "esspass-probe-7d1f"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'.encode() + v.encode() + b"\r\n"
             for k, v in fields.items()]
    parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="probe.png"\r\n'
              f"Content-Type: image/png\r\n\r\n".encode() + data + b"\r\n" for k, data in files.items()]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _bodies(op: Operation, components: Mapping[str, Any], csrf: str | None) -> list[tuple[str, bytes, str]]:
    """(kind, body, content type) of every bad body for ``op``; ``csrf`` goes into every form."""
    json_schema = op.body.get("application/json")
    form_schema = op.body.get("application/x-www-form-urlencoded") or op.body.get("multipart/form-data")
    generic = not op.body
    out: list[tuple[str, bytes, str]] = [
        ("json:invalid", b'{"a": ', "application/json"),
        ("json:empty", b"", "application/json"),
        ("json:list", b"[]", "application/json"),
        ("json:number", b"12345", "application/json"),
        ("json:string", b'"x"', "application/json"),
        ("json:null", b"null", "application/json"),
        ("json:deeply-nested", b"[" * 100_000 + b"]" * 100_000, "application/json"),
        ("json:bad-utf8", b'{"a": "\xff\xfe"}', "application/json"),
        ("text:plain", b"hello", "text/plain"),
        ("form:bad-encoding", b"a=%ff%fe&token=\xff\xfe&csrf=%00", "application/x-www-form-urlencoded"),
        ("multipart:no-boundary", b"garbage", "multipart/form-data"),
        ("multipart:broken", b"--zzz\r\nnot a part\r\n", "multipart/form-data; boundary=zzz"),
    ]
    # JSON bodies: the schema's, else an object of the fields handlers read themselves.
    sample: Any = _sample(json_schema, components) if json_schema else dict.fromkeys(GENERIC_FIELDS, "x")
    if isinstance(sample, dict):
        out += [("json:list-instead-of-object", *_json([sample])),
                ("json:numbers-for-strings", *_json(_numbers_for_strings(sample))),
                ("json:wrong-types", *_json(_wrong_types(sample)))]
        if json_schema:
            weird = _sample(json_schema, components, weird=True)
            if weird != sample:
                out.append(("json:weird-any", *_json(weird)))
        else:
            out.append(("json:weird-any", *_json(dict.fromkeys(GENERIC_FIELDS, WEIRD))))
        out += [(f"json:huge:{_dotted(at)}", *_json(_replace(sample, at, HUGE))) for at in _string_leaves(sample)]
    # Form bodies: the schema's fields, else the fields handlers read themselves; and files.
    form_fields: dict[str, str] = {}
    file_fields: list[str] = []
    if form_schema:
        for name, sub in _resolve(form_schema, components).get("properties", {}).items():
            resolved = _resolve(sub, components)
            if _is_file(resolved) or any(_is_file(_resolve(v, components)) for v in resolved.get("anyOf", [])):
                file_fields.append(name)
            else:
                form_fields[name] = str(_sample(sub, components))
    elif generic:
        form_fields = dict.fromkeys(GENERIC_FIELDS, "x")
        file_fields = list(FILE_FIELDS)
    signed = {"csrf": csrf} if csrf else {}
    if json_schema or generic:  # a form where JSON is expected
        out.append(("form:instead-of-json", *_form({**dict.fromkeys(_top_keys(sample), "x"), **signed})))
    if form_schema or generic:
        if form_schema and not generic:
            out.append(("json:instead-of-form", *_json({**form_fields, **signed})))
        out += [(f"form:huge:{name}", *_form({**form_fields, **signed, name: HUGE})) for name in form_fields]
        out += [(f"form:json-junk:{name}", *_form({**form_fields, **signed, name: WEIRD_TEXT})) for name in form_fields]
        out.append(("form:all-huge", *_form({**dict.fromkeys(form_fields, HUGE), **signed})))
        out.append(("form:repeated-fields",
                    urlencode([(k, v) for k, v in {**form_fields, **signed}.items() for _ in range(2)]).encode(),
                    "application/x-www-form-urlencoded"))
        if file_fields:
            junk = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
            out.append(("multipart:junk-file", *_multipart({**form_fields, **signed},
                                                           dict.fromkeys(file_fields, junk))))
            out.append(("multipart:empty-file", *_multipart({**form_fields, **signed},
                                                            dict.fromkeys(file_fields, b""))))
            out.append(("multipart:text-for-file", *_multipart({**form_fields, **signed,
                                                                **dict.fromkeys(file_fields, HUGE)}, {})))
    return out


def _top_keys(sample: Any) -> list[str]:
    return [str(k) for k in sample] if isinstance(sample, dict) else []


def _probes(service: Service, op: Operation, components: Mapping[str, Any]) -> list[Probe]:
    def fill(overrides: Mapping[str, str]) -> str:
        def value(m: re.Match[str]) -> str:
            name = m.group(1)
            return overrides.get(name) or quote(service.good.get(name, "x"), safe=":")
        return re.sub(r"\{(\w+)(?::\w+)?\}", value, op.template)

    base = fill({})
    has_body = op.method in BODY_METHODS
    csrf = None if (op.method, op.template) in service.no_csrf else service.csrf
    out: list[Probe] = []
    for signed_in in (True, False):
        headers = dict(service.signed_in) if signed_in else {}

        def probe(kind: str, path: str, params: tuple[tuple[str, str], ...] = (), body: tuple[bytes, str] | None = None,
                  *, _headers: dict[str, str] = headers, _signed: bool = signed_in) -> Probe:
            hdrs = dict(_headers)
            content = None
            if body is not None:
                content, hdrs["Content-Type"] = body
            return Probe(op.method, op.template, path, kind, _signed, params, tuple(hdrs.items()), content)

        # What a bad path, query or header carries to a POST: a harmless form (with CSRF when signed in).
        carried = _form({"reason": "probe", **({"csrf": csrf} if signed_in and csrf else {})}) if has_body else None
        if op.mount:
            out += [probe(f"static:{kind}", op.template.replace("{file}", value), body=carried)
                    for kind, value in BAD_PATH_VALUES.items()]
            continue
        for name in op.path_params:
            out += [probe(f"path:{name}={kind}", fill({name: value}), body=carried)
                    for kind, value in BAD_PATH_VALUES.items()]
        for param in op.query_params:
            out += [probe(f"query:{param['name']}={kind}", base, ((param["name"], value),), carried)
                    for kind, value in BAD_QUERY_VALUES.items()]
            out.append(probe(f"query:{param['name']}=repeated", base, ((param["name"], "1"), (param["name"], "2")),
                             carried))
        out += [probe(f"query:generic={kind}", base, tuple((n, value) for n in GENERIC_QUERY), carried)
                for kind, value in BAD_QUERY_VALUES.items() if kind != "long"]
        if has_body:
            out += [probe(f"body:{kind}", base, body=(content, ctype))
                    for kind, content, ctype in _bodies(op, components, csrf if signed_in else None)]
        if signed_in:  # junk headers replace the signed-in ones
            out.append(probe("headers:junk", base, body=carried, _headers=dict(JUNK_HEADERS), _signed=False))
            out.append(Probe("PATCH" if op.method != "PATCH" else "PUT", op.template, base, "method:not-allowed",
                             False))
    return out


# --- running them ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    offending: list[str] = field(default_factory=list)
    not_json: Counter[str] = field(default_factory=Counter)
    no_error_code: Counter[str] = field(default_factory=Counter)
    sent: int = 0
    routes: int = 0
    kinds: set[str] = field(default_factory=set)


def _guessing(probe: Probe) -> bool:
    """Whether ``probe`` signs in with a wrong token: the junk headers' Bearer, or a sign-in form's field."""
    return probe.kind == "headers:junk" or (probe.method == "POST" and probe.template.endswith("/login"))


def _check(service: Service, world: World) -> Outcome:
    ops, components = _operations(service.app)
    outcome = Outcome(routes=len(ops))
    with httpx.Client(base_url=service.url, timeout=30, follow_redirects=False) as http:
        for op in ops:
            for probe in _probes(service, op, components):
                start = len(world.errors.records)
                outcome.sent += 1
                outcome.kinds.add(_family(probe.kind))
                if _guessing(probe):
                    with httpx.Client(base_url=service.url, timeout=30, follow_redirects=False,
                                      transport=httpx.HTTPTransport(local_address=next(_OWN_ADDRESSES))) as own:
                        answer = _send(own, probe)
                else:
                    answer = _send(http, probe)
                logged = world.errors.since(start)
                log = f"\n      server log: {logged}" if logged else ""
                if isinstance(answer, Exception):
                    outcome.offending.append(f"{probe.describe()} -> no answer: {answer!r}{log}")
                    continue
                response = answer
                problem = _problem(response)
                if problem:
                    outcome.offending.append(f"{probe.describe()} -> {response.status_code} {problem}: "
                                             f"{response.text[:200]!r}{log}")
                elif 400 <= response.status_code < 500:
                    # A page answers with its HTML error page; everything else with a JSON error code.
                    where = f"{probe.method} {op.template} -> {response.status_code}"
                    ctype = response.headers.get("content-type", "none").split(";")[0]
                    if not _is_json(response) and ctype != "text/html":
                        outcome.not_json[f"{where} {ctype}"] += 1
                    elif _is_json(response) and not isinstance(response.json().get("error"), str):
                        outcome.no_error_code[where] += 1
    return outcome


def _family(kind: str) -> str:
    """The kind of bad input without the parameter or field it went into (``path:5kb-id``, ``body:json:huge``)."""
    kind = re.sub(r"^(path|query):[^=]+=", r"\1:", kind)
    return re.sub(r":(huge|json-junk):.*$", r":\1", kind)


def _send(http: httpx.Client, probe: Probe) -> httpx.Response | httpx.TransportError:
    """The answer to ``probe``, or the error of a second try on a new connection (the first may have
    gone out on a connection the server closed after an earlier error)."""
    for attempt in (1, 2):
        try:
            return http.request(probe.method, probe.path, params=list(probe.params) or None,
                                headers=dict(probe.headers), content=probe.content)
        except httpx.TransportError as exc:
            if attempt == 2:
                return exc
        finally:
            http.cookies.clear()
    raise AssertionError("unreachable")


def _is_json(response: httpx.Response) -> bool:
    return "json" in response.headers.get("content-type", "")


def _problem(response: httpx.Response) -> str | None:
    text = response.content.decode("utf-8", "replace")
    if response.status_code >= 500:
        return "server error"
    if any(marker in text for marker in TRACE_MARKERS):
        return "stack trace in the body"
    if 400 <= response.status_code < 500 and _is_json(response):
        try:
            body = response.json()
        except ValueError:
            return "JSON error body that does not parse"
        if not isinstance(body, dict):
            return "JSON error body that is not an object"
    return None


def _verdict(name: str, outcome: Outcome) -> None:
    summary = (f"{name}: {outcome.sent} requests to {outcome.routes} routes x methods, "
               f"{len(outcome.kinds)} kinds of bad input")
    print(summary)
    offending = outcome.offending + [
        f"{key}: {label} (x{n})" for label, counts in (("neither a JSON error nor an HTML page", outcome.not_json),
                                                      ("a JSON error without an error code", outcome.no_error_code))
        for key, n in sorted(counts.items())]
    if offending:
        pytest.fail(f"{summary}; {len(offending)} answered with a server error, no answer, a stack trace or a "
                    "malformed error:\n" + "\n".join(f"  {line}" for line in offending), pytrace=False)


def test_the_probes_reach_every_route_signed_in_and_anonymous(world: World) -> None:
    """The battery is only worth something if it covers the apps: every route gets probes, signed in
    and anonymous, and the signed-in headers pass each service's sign-in (run first: later probes
    may withdraw, delete or use up what these point at)."""
    for service in world.services.values():
        ops, components = _operations(service.app)
        assert len(ops) > 5, service.name
        for op in ops:
            probes = _probes(service, op, components)
            assert any(p.signed_in for p in probes) and any(not p.signed_in for p in probes), (service.name, op)
    checks = {"registry": "/admin/entities", "issuer": f"/{world.services['issuer'].good['path']}/api/cases",
              "verifier": "/api/requests/" + world.services["verifier"].good["view"] + "/result",
              "wallet": "/cards/" + world.services["wallet"].good["group"]}
    for name, path in checks.items():
        service = world.services[name]
        answer = httpx.get(service.url + path, headers=service.signed_in, timeout=30)
        assert answer.status_code == 200, (name, answer.status_code, answer.text[:200])
        assert httpx.get(service.url + path, timeout=30).status_code in (303, 401), name


def test_no_registry_route_answers_bad_input_with_a_server_error(world: World) -> None:
    _verdict("registry", _check(world.services["registry"], world))


def test_no_issuer_route_answers_bad_input_with_a_server_error(world: World) -> None:
    _verdict("issuer", _check(world.services["issuer"], world))


def test_no_verifier_route_answers_bad_input_with_a_server_error(world: World) -> None:
    _verdict("verifier", _check(world.services["verifier"], world))


def test_no_wallet_page_answers_bad_input_with_a_server_error(world: World) -> None:
    _verdict("wallet", _check(world.services["wallet"], world))
