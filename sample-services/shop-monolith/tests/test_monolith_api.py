"""The monolith: the shop's three capabilities behind one API, in one process."""
import pytest
from fastapi.testclient import TestClient
from shop_chassis import Settings

from shop_monolith.app import build


@pytest.fixture
def client(tmp_path):
    settings = Settings("shop-monolith", database_path=str(tmp_path / "shop.sqlite3"),
                        extra={"PAYMENTS_LIMIT_CENTS": "50000"})
    with TestClient(build(settings)) as client:
        yield client


def test_an_order_takes_stock_and_is_paid_by_function_calls(client):
    order = client.post("/orders", json={"product_id": "mouse", "quantity": 2}).json()
    assert order["status"] == "paid" and order["amount_cents"] == 3800
    assert client.get("/products/mouse").json()["stock"] == 9998
    assert client.get(f"/payments/{order['id']}").json()["status"] == "paid"


def test_a_declined_order_leaves_the_stock_as_it_was(client):
    order = client.post("/orders", json={"product_id": "monitor", "quantity": 3}).json()
    assert order["status"] == "payment_declined"
    assert client.get("/products/monitor").json()["stock"] == 20


@pytest.mark.parametrize("body, status", [
    ({"product_id": "teapot", "quantity": 1}, 422), ({"product_id": "monitor", "quantity": 21}, 409),
    ({"product_id": "mouse", "quantity": 1001}, 422),
    ({"product_id": "mouse", "quantity": 0}, 422), ({"product_id": 7, "quantity": 1}, 422),
])
def test_bad_orders_get_a_4xx_and_change_nothing(client, body, status):
    assert client.post("/orders", json=body).status_code == status
    assert client.get("/products/mouse").json()["stock"] == 10000 and client.get("/orders").json() == []


def test_one_health_check_answers_for_the_whole_shop(client):
    assert client.get("/health").json()["service"] == "shop-monolith"
