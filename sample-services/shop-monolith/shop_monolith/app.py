"""The monolith: the same capabilities and the same HTTP API as the three services, in one
process and one database. Orders reaches catalog and payments by function calls, inside
one transaction. `uvicorn shop_monolith.app:app`."""
from shop_chassis import Settings, create_app

from catalog import domain as catalog
from catalog.api import router as catalog_router
from orders import domain as orders
from orders.api import router as orders_router
from payments import app as payments_app
from payments import domain as payments
from payments.api import router as payments_router
from shop_monolith import __version__


class LocalCatalog:
    def __init__(self, conn):
        self.conn = conn

    def get_product(self, product_id):
        return catalog.get_product(self.conn, product_id)

    def reserve(self, product_id, quantity):
        return catalog.reserve(self.conn, product_id, quantity)

    def release(self, product_id, quantity):
        catalog.release(self.conn, product_id, quantity)


class LocalPayments:
    def __init__(self, conn, limit_cents):
        self.conn, self.limit_cents = conn, limit_cents

    def charge(self, order_id, amount_cents):
        return payments.charge(self.conn, order_id, amount_cents, self.limit_cents)["status"]


def init_schema(conn) -> None:
    for capability in (catalog, orders, payments):
        capability.init_schema(conn)


def wire_in_process(app) -> None:
    limit = int(app.state.settings.extra["PAYMENTS_LIMIT_CENTS"])
    app.state.ports = lambda conn: (LocalCatalog(conn), LocalPayments(conn, limit))


def build(settings: Settings | None = None):
    settings = settings or Settings.from_env("shop-monolith", **payments_app.DEFAULTS)
    return create_app(settings, __version__, [catalog_router, orders_router, payments_router],
                      init_schema, on_startup=wire_in_process)


app = build()
