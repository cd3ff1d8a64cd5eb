"""The orders service: `uvicorn orders.app:app`. It finds catalog and payments through
CATALOG_URL and PAYMENTS_URL."""
import httpx
from shop_chassis import Settings, create_app

from orders import __version__, domain
from orders.api import router
from orders.clients import CatalogClient, PaymentsClient

# No default address for the upstreams: a guessed port would be a bug waiting for a clash.
DEFAULTS = {"CATALOG_URL": "", "PAYMENTS_URL": "", "UPSTREAM_TIMEOUT_SECONDS": "2"}


def connect_upstreams(app) -> None:
    extra = app.state.settings.extra
    missing = [name for name in ("CATALOG_URL", "PAYMENTS_URL") if not extra[name]]
    if missing:
        raise RuntimeError(f"orders needs {' and '.join(missing)} set to find its upstream services")
    client = httpx.Client(timeout=float(extra["UPSTREAM_TIMEOUT_SECONDS"]))
    catalog, payments = CatalogClient(client, extra["CATALOG_URL"]), PaymentsClient(client, extra["PAYMENTS_URL"])
    app.state.ports = lambda conn: (catalog, payments)


def build(settings: Settings | None = None):
    settings = settings or Settings.from_env("orders", **DEFAULTS)
    return create_app(settings, __version__, [router], domain.init_schema, on_startup=connect_upstreams)


app = build()
