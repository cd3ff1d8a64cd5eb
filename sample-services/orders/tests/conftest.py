"""Fakes of the ports orders depends on: the same methods as the real clients, in memory.

The web app and its framework are imported only by the fixtures that start it: the unit
tests share this file and never pay for importing FastAPI (most of their pytest's start-up)."""
import pytest

from orders.domain import Unavailable


class FakeCatalog:
    def __init__(self):
        self.stock = {"keyboard": 5}

    def get_product(self, product_id):
        return {"id": product_id, "price_cents": 4900} if product_id in self.stock else None

    def reserve(self, product_id, quantity):
        if self.stock[product_id] < quantity:
            return False
        self.stock[product_id] -= quantity
        return True

    def release(self, product_id, quantity):
        self.stock[product_id] += quantity


class FakePayments:
    def __init__(self, answer="paid"):
        self.answer, self.charges = answer, []

    def charge(self, order_id, amount_cents):
        if self.answer == "down":
            raise Unavailable("payments is down")
        self.charges.append((order_id, amount_cents))
        return self.answer


@pytest.fixture
def catalog():
    return FakeCatalog()


@pytest.fixture
def payments():
    return FakePayments()


def _events_app(tmp_path, bus):
    """orders on the event path, its database in `tmp_path`, its broker `bus`."""
    from shop_chassis import Settings

    from orders.app import DEFAULTS, build

    extra = {**DEFAULTS, "CATALOG_URL": "http://catalog.invalid", "PAYMENT_FLOW": "events"}
    return build(Settings("orders", database_path=str(tmp_path / "orders.sqlite3"), extra=extra), bus=bus)


@pytest.fixture
def events_shop(tmp_path, catalog):
    """orders alone on events: a fake bus, a fake catalog, its own payments port (the outbox)."""
    from fastapi.testclient import TestClient
    from shop_chassis.events import InMemoryBus

    bus = InMemoryBus()
    app = _events_app(tmp_path, bus)
    with TestClient(app) as client:
        ports = app.state.ports
        app.state.ports = lambda conn: (catalog, ports(conn)[1])
        yield client, catalog, bus


@pytest.fixture
def events_app(tmp_path):
    """orders on the event path with a fake bus, not yet started."""
    from shop_chassis.events import InMemoryBus

    return _events_app(tmp_path, InMemoryBus())
