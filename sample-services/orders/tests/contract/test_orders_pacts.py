"""Consumer-driven contract tests: what orders needs from catalog and payments, written as
pacts, checked here against orders' own HTTP clients.

Each test runs the real client against Pact's mock provider (so the pact says what orders
really sends and reads) and compares the pact with the one published in
sample-services/pacts/, which the providers' builds verify."""
import json
import os
from pathlib import Path

import httpx
import pytest

from orders.clients import CatalogClient, PaymentsClient

os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
from pact import Pact, match  # noqa: E402  (after the variable: no usage report)

JSON = "application/json"
PACTS = Path(__file__).resolve().parents[3] / "pacts"  # the shop's pact broker: a folder


def catalog_pact() -> Pact:
    pact = Pact("orders", "catalog").with_specification("V4")
    (pact.upon_receiving("a request for a product")
     .with_request("GET", "/products/mouse")
     .will_respond_with(200).with_body({"id": match.str("mouse"), "price_cents": match.int(1900)}, JSON))
    (pact.upon_receiving("a request for a product the catalog does not sell")
     .with_request("GET", "/products/teapot")
     .will_respond_with(404))
    (pact.upon_receiving("a reservation")
     .with_request("POST", "/products/mouse/reserve").with_body({"quantity": match.int(2)}, JSON)
     .will_respond_with(200))
    (pact.upon_receiving("a release of a reservation")
     .with_request("POST", "/products/mouse/release").with_body({"quantity": match.int(2)}, JSON)
     .will_respond_with(200))
    return pact


def payments_pact() -> Pact:
    pact = Pact("orders", "payments").with_specification("V4")
    (pact.upon_receiving("a charge for an order")
     .with_request("POST", "/payments")
     .with_body({"order_id": match.str("0123456789ab"), "amount_cents": match.int(1900)}, JSON)
     .will_respond_with(200)
     .with_body({"status": match.regex("paid", regex="^(paid|declined)$")}, JSON))
    return pact


def use_catalog(url: str) -> None:
    catalog = CatalogClient(httpx.Client(), url)
    assert catalog.get_product("mouse")["price_cents"] == 1900
    assert catalog.get_product("teapot") is None
    assert catalog.reserve("mouse", 2)
    catalog.release("mouse", 2)


def use_payments(url: str) -> None:
    assert PaymentsClient(httpx.Client(), url).charge("0123456789ab", 1900) == "paid"


def interactions(path) -> list:
    return json.loads(path.read_text())["interactions"]


@pytest.mark.parametrize("pact, use", [(catalog_pact, use_catalog), (payments_pact, use_payments)])
def test_orders_clients_work_against_the_contract_orders_published(tmp_path, pact, use):
    pact = pact()
    with pact.serve(addr="127.0.0.1") as mock:  # fails if an expected request never came
        use(str(mock.url))
    pact.write_file(tmp_path)
    written = next(tmp_path.glob("*.json"))
    published = PACTS / written.name
    assert published.exists() and interactions(written) == interactions(published), (
        f"orders' contract changed: publish it by copying {written} to {PACTS}/")
