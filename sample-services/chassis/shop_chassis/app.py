"""create_app: a FastAPI app with the chassis around a service's own routers."""
import logging
import os
from collections.abc import Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI
from shop_chassis import db, events
from shop_chassis.api import document_and_answer
from shop_chassis.flags import Flags
from shop_chassis.health import health_router
from shop_chassis.limits import BodySizeLimit
from shop_chassis.metrics import instrument


@dataclass(frozen=True)
class Settings:
    """Configuration from the environment, with defaults that are safe on a laptop."""

    service: str
    database_path: str = ""
    max_body_bytes: int = 64 * 1024
    events_url: str = ""  # the broker; empty: this service neither publishes nor consumes
    events_ack_wait: float = 1.0  # seconds before an unacknowledged event is delivered again (a handler takes ms)
    flags_path: str = ""  # a flagd flag file; empty: every feature flag is off
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, service: str, **extra_defaults: str) -> "Settings":
        prefix = service.upper().replace("-", "_")
        extra = {k: os.environ.get(k, v) for k, v in extra_defaults.items()}
        return cls(
            service=service,
            database_path=os.environ.get("DATABASE_PATH", f"{prefix.lower()}.sqlite3"),
            max_body_bytes=int(os.environ.get("MAX_BODY_BYTES", 64 * 1024)),
            events_url=os.environ.get("EVENTS_URL", ""),
            events_ack_wait=float(os.environ.get("EVENTS_ACK_WAIT_SECONDS", 1.0)),
            flags_path=os.environ.get("FLAGS_PATH", ""),
            extra=extra,
        )


def show_event_logs() -> None:
    """Events' retries and dropped events go to stderr, the service's log."""
    logger = logging.getLogger("shop")
    if not logger.handlers:
        logger.addHandler(logging.StreamHandler())
        logger.setLevel(logging.INFO)


def create_app(settings: Settings, version: str, routers: Sequence[APIRouter],
               init_schema: Callable, on_startup: Callable | None = None,
               bus: events.Bus | None = None, on_shutdown: Callable | None = None) -> FastAPI:
    """`bus`: the events bus to use (a fake in tests); by default the broker at
    settings.events_url, if one is set. It is `app.state.bus` when `on_startup` runs.
    `on_shutdown(app)` runs before the bus closes: a service stops its own threads there."""
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        show_event_logs()
        db.prepare(settings.database_path, init_schema)
        app.state.flags = Flags(settings.service, settings.flags_path)
        if app.state.bus is None and settings.events_url:
            app.state.bus = events.NatsBus(settings.events_url, settings.service, settings.events_ack_wait)
        if on_startup:
            on_startup(app)
        yield
        if on_shutdown:
            on_shutdown(app)
        if app.state.bus is not None:
            app.state.bus.close()
        app.state.flags.close()

    app = FastAPI(title=settings.service, version=version, lifespan=lifespan)
    app.state.settings, app.state.bus, app.state.flags = settings, bus, Flags()  # all off until started

    app.include_router(health_router(settings.service, version, settings.database_path))
    for router in routers:
        app.include_router(router)
    instrument(app, settings.service)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    document_and_answer(app, settings.max_body_bytes)  # JSON errors, each in the OpenAPI of its routes
    return app
