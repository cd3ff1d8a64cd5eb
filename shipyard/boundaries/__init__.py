"""Lesson 02's boundaries, measured: the shop's split next to a split by table
(`by_table`), and the HTTP requests one order causes in each, read from every service's
own Prometheus counters (`http_requests_total`, per route, kept by the chassis).

    splits = start_splits(catalog)        # both splits, sharing the shop's payments
    status, calls = place(splits["shop"], {"product_id": "keyboard", "quantity": 2})
    print(table({"2 keyboards": {"shop": (status, calls), ...}}))
"""
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import httpx

from shipyard.paths import ROOT

# Each service of the split imports `shipyard.boundaries.by_table`, and so this package:
# it stays light (`shipyard.services` is imported only where services are started).

BY_TABLE = "shipyard.boundaries.by_table"


@cache
def _client() -> httpx.Client:
    return httpx.Client(timeout=10)  # one for every scrape: a new client each time costs ~20 ms


def requests(service) -> Counter:
    """What the service has answered so far, by "METHOD /route" (its /metrics, read now;
    the reading itself is not counted)."""
    from prometheus_client.parser import text_string_to_metric_families

    counts = Counter()
    for family in text_string_to_metric_families(_client().get(service.url + "/metrics").text):
        for sample in family.samples:
            if sample.name == "http_requests_total" and sample.labels["route"] != "/metrics":
                counts[f"{sample.labels['method']} {sample.labels['route']}"] += int(sample.value)
    return counts


def calls_caused(split: Mapping[str, object], action: Callable[[], object]) -> Counter:
    """Run `action` and count the requests it made each service of `split` answer, by
    "service: METHOD /route"."""
    before = {name: requests(service) for name, service in split.items()}
    action()
    caused = Counter()
    for name, service in split.items():
        for route, count in (requests(service) - before[name]).items():
            caused[f"{name}: {route}"] += count
    return caused


def start_splits(catalog) -> dict[str, dict]:
    """Next to a running catalog, start the rest of the shop (payments, orders) and the
    split by table (prices, stock and their own orders), which uses the same payments.
    Each split: {name: shipyard.services.Service}."""
    from shipyard import services

    payments = services.start("payments", wait=False)
    orders = services.start("orders", {"CATALOG_URL": catalog.url, "PAYMENTS_URL": payments.url}, wait=False)
    prices = services.start(f"{BY_TABLE}:prices", app_dir=ROOT, label="prices", wait=False)
    stock = services.start(f"{BY_TABLE}:stock", app_dir=ROOT, label="stock", wait=False)
    by_table_orders = services.start(
        f"{BY_TABLE}:orders", {"PRICES_URL": prices.url, "STOCK_URL": stock.url, "PAYMENTS_URL": payments.url},
        app_dir=ROOT, label="orders", wait=False)
    for service in (payments, orders, prices, stock, by_table_orders):
        service.wait_healthy()
    return {"shop": {"orders": orders, "catalog": catalog, "payments": payments},
            "by table": {"orders": by_table_orders, "prices": prices, "stock": stock, "payments": payments}}


def place(split: Mapping[str, object], order: dict) -> tuple[str, Counter]:
    """Place `order` with the split's orders service: the order's status (or the HTTP
    status and message when it was refused) and the requests it caused."""
    answers = []
    calls = calls_caused(split, lambda: answers.append(_client().post(split["orders"].url + "/orders", json=order)))
    answer = answers[0]
    return (answer.json()["status"] if answer.status_code == 201 else f"{answer.status_code} {answer.text}"), calls


def in_stock(split: Mapping[str, object], product_id: str) -> int:
    """How many the split says are left: the catalog's stock, or the stock service's."""
    if "catalog" in split:
        return _client().get(f"{split['catalog'].url}/products/{product_id}").json()["stock"]
    return _client().get(f"{split['stock'].url}/stock/{product_id}").json()["stock"]


def rush(split: Mapping[str, object], order: dict, times: int) -> dict:
    """Place the same order `times` times at once (one thread each): how many were paid,
    how many items that sold, and what the stock says before and after."""
    before = in_stock(split, order["product_id"])
    with ThreadPoolExecutor(times) as pool:
        answers = list(pool.map(lambda _: _client().post(split["orders"].url + "/orders", json=order), range(times)))
    paid = sum(answer.status_code == 201 and answer.json()["status"] == "paid" for answer in answers)
    return {"in stock before": before, "orders paid": paid, "sold": paid * order["quantity"],
            "in stock after": in_stock(split, order["product_id"])}


def table(results: Mapping[str, Mapping[str, tuple[str, Counter]]]) -> str:
    """{order: {split: (status, calls)}} as text: per order and split, the requests it caused."""
    lines = []
    for order, by_split in results.items():
        lines.append(order)
        width = max(map(len, by_split))
        for split, (status, calls) in by_split.items():
            lines.append(f"  {split:<{width}}  {calls.total()} request{'s' * (calls.total() != 1)}, {status}")
            lines.extend(f"  {'':<{width}}    {count} x {call}" for call, count in calls.items())
    return "\n".join(lines)
