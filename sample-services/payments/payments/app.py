"""The payments service: `uvicorn payments.app:app`. Configured by environment variables."""
from shop_chassis import Settings, create_app

from payments import __version__, domain
from payments.api import router

# Orders above this amount are declined (a stand-in for a card's limit).
DEFAULTS = {"PAYMENTS_LIMIT_CENTS": "50000"}


def build(settings: Settings | None = None):
    settings = settings or Settings.from_env("payments", **DEFAULTS)
    return create_app(settings, __version__, [router], domain.init_schema)


app = build()
