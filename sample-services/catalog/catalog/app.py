"""The catalog service: `uvicorn catalog.app:app`. Configured by environment variables."""
from shop_chassis import Settings, create_app

from catalog import __version__, domain
from catalog.api import router


def build(settings: Settings | None = None):
    return create_app(settings or Settings.from_env("catalog"), __version__, [router], domain.init_schema)


app = build()
