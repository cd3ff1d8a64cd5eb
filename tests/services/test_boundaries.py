"""Lesson 02's wrong boundary: the shop split by table runs as real services next to the
shop's, gives the same answers, and the requests each order causes are counted from the
services' own metrics."""
from collections import Counter

import httpx
import pytest

from shipyard import boundaries, services
from shipyard.boundaries import by_table

catalog_domain = services.import_module("catalog", "catalog.domain")


@pytest.fixture
def splits():
    return boundaries.start_splits(services.start("catalog"))


def test_the_split_by_table_holds_the_catalogs_seed_in_two_tables():
    prices = {id: price for id, _, price, _ in catalog_domain.SEED}
    stock = {id: stock for id, _, _, stock in catalog_domain.SEED}
    assert (prices, stock) == (by_table.PRICES, by_table.STOCK)


def test_both_splits_answer_the_same_and_the_split_by_table_needs_more_requests_per_order(splits):
    paid = {split: boundaries.place(shop, {"product_id": "keyboard", "quantity": 2}) for split, shop in splits.items()}
    assert paid["shop"] == ("paid", Counter({
        "orders: POST /orders": 1, "catalog: GET /products/{product_id}": 1,
        "catalog: POST /products/{product_id}/reserve": 1, "payments: POST /payments": 1}))
    assert paid["by table"] == ("paid", Counter({
        "orders: POST /orders": 1, "prices: GET /prices/{product_id}": 1, "stock: GET /stock/{product_id}": 1,
        "stock: PUT /stock/{product_id}": 1, "payments: POST /payments": 1}))

    monitors = {"product_id": "monitor", "quantity": 3}
    declined = {split: boundaries.place(shop, monitors) for split, shop in splits.items()}
    assert {split: (status, calls.total()) for split, (status, calls) in declined.items()} == {
        "shop": ("payment_declined", 5), "by table": ("payment_declined", 7)}
    # the declined order's stock came back in both
    assert httpx.get(splits["shop"]["catalog"].url + "/products/monitor").json()["stock"] == 20
    assert httpx.get(splits["by table"]["stock"].url + "/stock/monitor").json()["stock"] == 20


def test_the_split_by_table_refuses_unknown_products_and_orders_beyond_its_stock(splits):
    shop = splits["by table"]
    status, calls = boundaries.place(shop, {"product_id": "teapot", "quantity": 1})
    assert status.startswith("422") and calls["prices: GET /prices/{product_id}"] == 1
    status, calls = boundaries.place(shop, {"product_id": "monitor", "quantity": 21})
    assert status.startswith("409") and "stock: PUT /stock/{product_id}" not in calls


def test_reading_the_metrics_is_not_counted_as_a_request():
    catalog = services.start("catalog")
    first = boundaries.requests(catalog)
    assert boundaries.requests(catalog) == first and "GET /metrics" not in first


def test_orders_split_by_table_will_not_start_without_its_upstreams():
    with pytest.raises(services.ServiceFailed, match="PRICES_URL"):
        services.start(f"{boundaries.BY_TABLE}:orders", {"PRICES_URL": ""}, app_dir=".", timeout=10)


def test_the_table_lists_each_orders_requests_per_split():
    text = boundaries.table({"2 keyboards": {
        "shop": ("paid", Counter({"orders: POST /orders": 1})),
        "by table": ("paid", Counter({"orders: POST /orders": 1, "stock: PUT /s": 2}))}})
    assert [line.strip() for line in text.splitlines()] == [
        "2 keyboards", "shop      1 request, paid", "1 x orders: POST /orders",
        "by table  3 requests, paid", "1 x orders: POST /orders", "2 x stock: PUT /s"]


def test_orders_arriving_at_once_never_make_the_shops_catalog_sell_more_than_it_has(splits):
    result = boundaries.rush(splits["shop"], {"product_id": "monitor", "quantity": 2}, times=15)
    assert result["in stock before"] == 20 and result["sold"] <= 20
    assert result["sold"] + result["in stock after"] == result["in stock before"]
    assert result["orders paid"] * 2 == result["sold"]
