"""The catalog service, tested alone through its HTTP API."""
import pytest
from fastapi.testclient import TestClient
from shop_chassis import Settings

from catalog.app import build


@pytest.fixture
def client(tmp_path):
    with TestClient(build(Settings("catalog", database_path=str(tmp_path / "catalog.sqlite3")))) as client:
        yield client


def stock(client, product_id="keyboard"):
    return client.get(f"/products/{product_id}").json()["stock"]


def test_a_new_catalog_lists_the_seeded_products(client):
    ids = [p["id"] for p in client.get("/products").json()]
    assert ids == ["keyboard", "monitor", "mouse"]


def test_reserving_takes_stock_and_releasing_puts_it_back(client):
    before = stock(client)
    assert client.post("/products/keyboard/reserve", json={"quantity": 3}).json()["stock"] == before - 3
    assert client.post("/products/keyboard/release", json={"quantity": 3}).json()["stock"] == before


def test_reserving_more_than_the_stock_is_refused_and_changes_nothing(client):
    before = stock(client)
    response = client.post("/products/keyboard/reserve", json={"quantity": before + 1})
    assert response.status_code == 409 and "stock" in response.json()["detail"]
    assert stock(client) == before


def test_an_unknown_product_is_a_404_with_a_json_message(client):
    response = client.get("/products/teapot")
    assert response.status_code == 404
    assert response.json() == {"detail": "unknown product 'teapot'"}


@pytest.mark.parametrize("body", [
    {"quantity": -1}, {"quantity": 0}, {"quantity": "two"}, {"quantity": 1.5}, {}, [1], "x" * 10,
])
def test_bad_quantities_get_a_422_and_change_nothing(client, body):
    before = stock(client)
    response = client.post("/products/keyboard/reserve", json=body)
    assert response.status_code == 422 and response.json()["detail"]
    assert stock(client) == before


def test_malformed_json_gets_a_422(client):
    response = client.post("/products/keyboard/reserve", content=b"{not json",
                           headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_an_oversized_body_gets_a_413_and_changes_nothing(client):
    before = stock(client)
    response = client.post("/products/keyboard/reserve", content=b"{" + b" " * 100_000 + b"}",
                           headers={"content-type": "application/json"})
    assert response.status_code == 413 and "larger" in response.json()["detail"]
    assert stock(client) == before


def test_health_reports_the_service_and_its_version(client):
    assert client.get("/health").json() == {"status": "ok", "service": "catalog", "version": "1.0.0"}


def test_metrics_count_requests_per_route(client):
    client.get("/products/mouse")
    assert 'route="/products/{product_id}",service="catalog",status="200"' in client.get("/metrics").text


def test_the_openapi_document_describes_every_route(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/products", "/products/{product_id}", "/products/{product_id}/reserve", "/health"} <= set(paths)
