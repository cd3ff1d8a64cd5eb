"""The shop's services working together as real processes over real HTTP."""
import httpx
import pytest

from shipyard import services

ORDER = {"product_id": "keyboard", "quantity": 2}


@pytest.fixture(scope="module")
def shops():
    started = {"monolith": services.start_shop("monolith")["shop-monolith"], **services.start_shop("services")}
    yield started
    services.stop_all()


@pytest.fixture(autouse=True)
def nothing_left_running():  # overrides the per-test cleanup: these share a module's shop
    yield


@pytest.mark.parametrize("front", ["monolith", "orders"])
def test_an_order_is_placed_the_same_way_in_both_architectures(shops, front):
    order = httpx.post(shops[front].url + "/orders", json=ORDER).json()
    assert order["status"] == "paid" and order["amount_cents"] == 9800


def test_an_order_through_the_services_takes_stock_in_the_catalog_and_money_in_payments(shops):
    before = httpx.get(shops["catalog"].url + "/products/keyboard").json()["stock"]
    order = httpx.post(shops["orders"].url + "/orders", json=ORDER).json()
    assert httpx.get(shops["catalog"].url + "/products/keyboard").json()["stock"] == before - 2
    assert httpx.get(shops["payments"].url + f"/payments/{order['id']}").json()["amount_cents"] == 9800


@pytest.mark.parametrize("body, status", [
    ({"product_id": "teapot", "quantity": 1}, 422), ({"product_id": "keyboard", "quantity": -1}, 422),
    ({"product_id": "monitor", "quantity": 21}, 409), ({"product_id": ["x"], "quantity": 1}, 422),
])
def test_bad_orders_across_processes_change_no_service(shops, body, status):
    stock = httpx.get(shops["catalog"].url + "/products").json()
    orders = httpx.get(shops["orders"].url + "/orders").json()
    response = httpx.post(shops["orders"].url + "/orders", json=body)
    assert response.status_code == status and response.json()["detail"]
    assert httpx.get(shops["catalog"].url + "/products").json() == stock
    assert httpx.get(shops["orders"].url + "/orders").json() == orders


def test_malformed_and_oversized_bodies_get_json_4xx_from_every_service(shops):
    for name in ("monolith", "catalog", "orders", "payments"):
        path = {"catalog": "/products/mouse/reserve", "payments": "/payments"}.get(name, "/orders")
        broken = httpx.post(shops[name].url + path, content=b"{oops", headers={"content-type": "application/json"})
        huge = httpx.post(shops[name].url + path, content=b"[" + b"1," * 50_000 + b"1]",
                          headers={"content-type": "application/json"})
        assert (broken.status_code, huge.status_code) == (422, 413), name
        assert broken.json()["detail"] and huge.json()["detail"]


def test_every_service_serves_metrics_and_openapi(shops):
    for service in shops.values():
        assert "http_requests_total" in httpx.get(service.url + "/metrics").text
        assert httpx.get(service.url + "/openapi.json").json()["openapi"].startswith("3.")
