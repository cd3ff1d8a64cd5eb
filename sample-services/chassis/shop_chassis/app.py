"""create_app: a FastAPI app with the chassis around a service's own routers."""
import os
from collections.abc import Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, FastAPI

from shop_chassis import db
from shop_chassis.limits import BodySizeLimit
from shop_chassis.metrics import instrument


@dataclass(frozen=True)
class Settings:
    """Configuration from the environment, with defaults that are safe on a laptop."""

    service: str
    database_path: str = ""
    max_body_bytes: int = 64 * 1024
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, service: str, **extra_defaults: str) -> "Settings":
        prefix = service.upper().replace("-", "_")
        extra = {k: os.environ.get(k, v) for k, v in extra_defaults.items()}
        return cls(
            service=service,
            database_path=os.environ.get("DATABASE_PATH", f"{prefix.lower()}.sqlite3"),
            max_body_bytes=int(os.environ.get("MAX_BODY_BYTES", 64 * 1024)),
            extra=extra,
        )


def create_app(settings: Settings, version: str, routers: Sequence[APIRouter],
               init_schema: Callable, on_startup: Callable | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        db.prepare(settings.database_path, init_schema)
        if on_startup:
            on_startup(app)
        yield

    app = FastAPI(title=settings.service, version=version, lifespan=lifespan)
    app.state.settings = settings

    @app.get("/health", tags=["operations"])
    def health(conn=Depends(db.get_db)) -> dict:
        conn.execute("SELECT 1")  # healthy means: the process answers and its data is reachable
        return {"status": "ok", "service": settings.service, "version": version}

    for router in routers:
        app.include_router(router)
    instrument(app, settings.service)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app
