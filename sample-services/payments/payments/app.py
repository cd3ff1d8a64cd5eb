"""The payments service: `uvicorn payments.app:app`. Configured by environment variables."""
from shop_chassis import Settings, create_app

from payments import __version__, domain, events
from payments.api import router

# Orders above this amount are declined (a stand-in for a card's limit). PAYMENTS_FAULT is
# empty, or "crash-after-charge" to show what at-least-once delivery is for (lesson 03).
DEFAULTS = {"PAYMENTS_LIMIT_CENTS": "50000", "PAYMENTS_FAULT": ""}


def build(settings: Settings | None = None, bus=None):
    """With EVENTS_URL set (or a bus given), payments also charges every `orders.placed`."""
    settings = settings or Settings.from_env("payments", **DEFAULTS)
    return create_app(settings, __version__, [router], domain.init_schema, on_startup=events.consume, bus=bus)


app = build()
