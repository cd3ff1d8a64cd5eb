"""The orders service: `uvicorn orders.app:app`. It finds the catalog through CATALOG_URL.

Payments is reached one of two ways (PAYMENT_FLOW): "http", a call to PAYMENTS_URL that
the order waits for; or "events", an `orders.placed` event on the broker at EVENTS_URL,
answered later by an event from payments. How the event leaves (ORDERS_PUBLISH, through an
outbox by default) and the fault switch ORDERS_FAULT are described in `orders.events`."""
import httpx
from shop_chassis import Settings, create_app, outbox

from orders import __version__, domain, events
from orders.api import router
from orders.clients import CatalogClient, PaymentsClient

# No default address for the upstreams: a guessed port would be a bug waiting for a clash.
DEFAULTS = {"CATALOG_URL": "", "PAYMENTS_URL": "", "UPSTREAM_TIMEOUT_SECONDS": "2", "PAYMENT_FLOW": "http",
            "ORDERS_PUBLISH": "outbox", "ORDERS_FAULT": ""}


def connect_upstreams(app) -> None:
    extra, flow = app.state.settings.extra, app.state.settings.extra["PAYMENT_FLOW"]
    if flow not in ("http", "events"):
        raise RuntimeError(f"PAYMENT_FLOW is 'http' or 'events', not {flow!r}")
    needs = {"CATALOG_URL": extra["CATALOG_URL"]}
    needs.update({"PAYMENTS_URL": extra["PAYMENTS_URL"]} if flow == "http" else {"EVENTS_URL": app.state.bus})
    missing = [name for name, value in needs.items() if not value]
    if missing:
        raise RuntimeError(f"orders needs {' and '.join(missing)} set to find its upstream services")
    client = httpx.Client(timeout=float(extra["UPSTREAM_TIMEOUT_SECONDS"]))
    catalog = CatalogClient(client, extra["CATALOG_URL"])
    if flow == "http":
        payments = PaymentsClient(client, extra["PAYMENTS_URL"])
        app.state.ports = lambda conn: (catalog, payments)
    else:
        events.start(app)
        app.state.ports = lambda conn: (catalog, events.EventPayments(app, conn))


def init_schema(conn) -> None:
    domain.init_schema(conn)
    outbox.init_schema(conn)


def build(settings: Settings | None = None, bus=None):
    settings = settings or Settings.from_env("orders", **DEFAULTS)
    return create_app(settings, __version__, [router], init_schema, on_startup=connect_upstreams, bus=bus,
                      on_shutdown=events.stop)


app = build()
