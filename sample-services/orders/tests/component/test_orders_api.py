"""Component tests: the orders service alone, through its HTTP API; catalog and payments
are fakes of the real ports (tests/conftest.py)."""
import pytest
from fastapi.testclient import TestClient
from shop_chassis import Settings

from orders.app import DEFAULTS, build


@pytest.fixture
def shop(tmp_path, catalog, payments):
    extra = {**DEFAULTS, "CATALOG_URL": "http://catalog.invalid", "PAYMENTS_URL": "http://payments.invalid"}
    app = build(Settings("orders", database_path=str(tmp_path / "orders.sqlite3"), extra=extra))
    with TestClient(app) as client:
        app.state.ports = lambda conn: (catalog, payments)
        yield client, catalog, payments


def test_an_order_is_priced_paid_and_takes_stock(shop):
    client, catalog, payments = shop
    order = client.post("/orders", json={"product_id": "keyboard", "quantity": 2})
    assert order.status_code == 201
    assert order.json()["amount_cents"] == 9800 and order.json()["status"] == "paid"
    assert catalog.stock["keyboard"] == 3 and payments.charges == [(order.json()["id"], 9800)]
    assert client.get(f"/orders/{order.json()['id']}").json() == order.json()


def test_a_declined_payment_gives_the_stock_back(shop):
    client, catalog, payments = shop
    payments.answer = "declined"
    assert client.post("/orders", json={"product_id": "keyboard", "quantity": 1}).json()["status"] == "payment_declined"
    assert catalog.stock["keyboard"] == 5


def test_payments_down_is_a_503_that_gives_the_stock_back_and_records_nothing(shop):
    client, catalog, payments = shop
    payments.answer = "down"
    response = client.post("/orders", json={"product_id": "keyboard", "quantity": 1})
    assert response.status_code == 503 and "payments is down" in response.json()["detail"]
    assert catalog.stock["keyboard"] == 5 and client.get("/orders").json() == []


@pytest.mark.parametrize("body, status", [
    ({"product_id": "teapot", "quantity": 1}, 422), ({"product_id": "keyboard", "quantity": 99}, 409),
    ({"product_id": "keyboard", "quantity": -1}, 422), ({"product_id": "keyboard", "quantity": "1"}, 422),
    ({"product_id": "KEY BOARD", "quantity": 1}, 422), ({"quantity": 1}, 422),
])
def test_bad_orders_get_a_4xx_json_message_and_change_nothing(shop, body, status):
    client, catalog, payments = shop
    response = client.post("/orders", json=body)
    assert response.status_code == status and response.json()["detail"]
    assert catalog.stock["keyboard"] == 5 and payments.charges == [] and client.get("/orders").json() == []


def test_orders_refuses_to_start_without_its_upstream_addresses(tmp_path):
    app = build(Settings("orders", database_path=str(tmp_path / "o.sqlite3"), extra=DEFAULTS))
    with pytest.raises(RuntimeError, match="CATALOG_URL and PAYMENTS_URL"), TestClient(app):
        pass
