"""The trust registry's HTTP surface: the published lists (JWT and ETSI TS 119 602 JSON) and the admin API."""

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from cryptography.hazmat.primitives import serialization
from fastapi import Depends, FastAPI, Header, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

from credentials import trust_list
from credentials.errors import ProtocolError
from credentials.institutions import DEMO_ENTITIES
from credentials.pki import DemoPki, ensure_demo_pki
from esspass.db import make_engine
from esspass.web import install
from trust_registry.settings import READ, WRITE, RegistrySettings, admin_tokens
from trust_registry.store import Registry

__all__ = ["create_app"]


class CertificateIn(BaseModel):
    pem: str = Field(max_length=20000)
    usage: str = Field(default="ca", max_length=8)
    rotate: bool = False


class EntityIn(BaseModel):
    id: str = Field(max_length=20)
    country: str = Field(max_length=2)
    name: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)
    roles: list[str] = Field(max_length=4)
    dns_name: str | None = Field(default=None, max_length=200)
    path: str | None = Field(default=None, max_length=64)
    may_request: dict[str, list[str]] = Field(default_factory=dict)
    certificates: list[CertificateIn] = Field(max_length=8)


class ReasonIn(BaseModel):
    reason: str = Field(default="", max_length=300)


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    holder: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        pki = ensure_demo_pki(settings.pki_path(), DEMO_ENTITIES, now=datetime.now(UTC))
        engine = make_engine(settings.db_url("registry.db"))
        holder.update(registry=Registry(engine, list_validity=timedelta(hours=settings.list_validity_hours)),
                      pki=pki, tokens=admin_tokens(settings), signed={})
        yield
        engine.dispose()

    app = FastAPI(title="ESSPASS trust registry", version="1.0", lifespan=lifespan,
                  description="Signed lists of which institutions may issue which credentials, and which "
                              "inspectorates may request which claims.")
    install(app, "registry", ready=lambda: "registry" in holder)

    def registry() -> Registry:
        result: Registry = holder["registry"]
        return result

    def admin(scope: str) -> Any:
        def check(authorization: Annotated[str | None, Header()] = None) -> str:
            if not authorization or not authorization.startswith("Bearer "):
                raise ProtocolError("invalid_token", "an admin Bearer token is required", http_status=401)
            entry = holder["tokens"].get(authorization[7:].strip())
            if entry is None:
                raise ProtocolError("invalid_token", "unknown admin token", http_status=401)
            if scope not in entry[1]:
                raise ProtocolError("insufficient_scope", f"this token lacks the {scope} scope", http_status=403)
            return f"api:{entry[0]}"
        return Depends(check)

    Reader = Annotated[str, admin(READ)]
    Writer = Annotated[str, admin(WRITE)]

    def signed(kind: str) -> tuple[str, trust_list.TrustList]:
        """The list for ``kind``, re-signed only when its sequence changed or half its validity passed."""
        now = datetime.now(UTC)
        sequence = registry().sequence()
        cached = holder["signed"].get(kind)
        if cached is not None and cached[1].sequence == sequence and now < cached[1].issued_at + (
                cached[1].next_update - cached[1].issued_at) / 2:
            return cached  # type: ignore[no-any-return]
        tl = registry().build_list(kind, now.replace(microsecond=0))
        pki: DemoPki = holder["pki"]
        token = trust_list.sign_trust_list(tl, key=pki.list_signer[0], x5c=[pki.list_signer[1]])
        holder["signed"][kind] = (token, tl)
        return token, tl

    @app.get("/lists/{kind}", tags=["publication"])
    def get_list(kind: str, if_none_match: Annotated[str | None, Header()] = None) -> Response:
        """The signed list (``typ: trust-list+jwt``, x5c to the registry root)."""
        if kind.endswith(".lote.json"):
            return lote(kind[: -len(".lote.json")])
        token, tl = signed(kind)
        etag = f'"{trust_list.fingerprint(token)}"'
        max_age = max(0, min(300, int((tl.next_update - datetime.now(UTC)).total_seconds())))
        headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
        if if_none_match == etag:
            return Response(status_code=304, headers=headers)
        return PlainTextResponse(token, media_type="application/trust-list+jwt", headers=headers)

    def lote(kind: str) -> Response:
        token, tl = signed(kind)
        body = trust_list.to_lote(tl, now=datetime.now(UTC), distribution_point=f"/lists/{kind}.lote.json")
        etag = '"' + hashlib.sha256(token.encode()).hexdigest()[:32] + '-lote"'
        return JSONResponse(body, headers={"ETag": etag, "Cache-Control": "public, max-age=300"})

    @app.get("/root.pem", tags=["publication"])
    def root_pem() -> Response:
        """The registry root, for convenience only: clients must pin it from a trusted channel."""
        pki: DemoPki = holder["pki"]
        return Response(pki.root.public_bytes(serialization.Encoding.PEM), media_type="application/x-pem-file")

    @app.get("/admin/entities", tags=["admin"])
    def list_entities(_who: Reader) -> JSONResponse:
        return JSONResponse({"sequence": registry().sequence(), "entities": [
            {k: v for k, v in e.to_json().items() if k != "certificates"} for e in registry().entities()]})

    @app.post("/admin/entities", tags=["admin"], status_code=201)
    def add_entity(body: EntityIn, who: Writer) -> JSONResponse:
        data = body.model_dump()
        data["certificates"] = [c.model_dump() for c in body.certificates]
        return JSONResponse(registry().add_entity(data, who=who), status_code=201)

    @app.get("/admin/entities/{entity_id}", tags=["admin"])
    def show(entity_id: str, _who: Reader) -> JSONResponse:
        return JSONResponse(registry().show(entity_id))

    @app.get("/admin/entities/{entity_id}/history", tags=["admin"])
    def history(entity_id: str, _who: Reader) -> JSONResponse:
        return JSONResponse(registry().history(entity_id))

    @app.post("/admin/entities/{entity_id}/certificates", tags=["admin"], status_code=201)
    def add_certificate(entity_id: str, body: CertificateIn, who: Writer) -> JSONResponse:
        return JSONResponse(registry().add_certificate(entity_id, body.pem, body.usage, who=who, rotate=body.rotate),
                            status_code=201)

    for action, status in (("suspend", "suspended"), ("reinstate", "active"), ("withdraw", "withdrawn")):
        def _handler(entity_id: str, body: ReasonIn, who: Writer, _status: str = status) -> JSONResponse:
            return JSONResponse(registry().set_status(entity_id, _status, who=who, reason=body.reason))

        app.post(f"/admin/entities/{{entity_id}}/{action}", tags=["admin"], name=action)(_handler)

    @app.middleware("http")
    async def _no_store_admin(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        if request.url.path.startswith("/admin"):
            response.headers["Cache-Control"] = "no-store"
        return response

    return app
