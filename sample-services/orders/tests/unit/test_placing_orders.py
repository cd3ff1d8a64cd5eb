"""Unit tests: the orders domain alone, on an in-memory database, with fake ports."""
import sqlite3

import pytest

from orders import domain


@pytest.fixture
def conn():
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    domain.init_schema(conn)
    return conn


def test_an_order_is_priced_from_the_catalog_and_paid(conn, catalog, payments):
    order = domain.place_order(conn, catalog, payments, "keyboard", 2)
    assert (order["amount_cents"], order["status"]) == (9800, "paid")
    assert catalog.stock["keyboard"] == 3 and payments.charges == [(order["id"], 9800)]


def test_a_declined_payment_gives_the_stock_back(conn, catalog, payments):
    payments.answer = "declined"
    assert domain.place_order(conn, catalog, payments, "keyboard", 1)["status"] == "payment_declined"
    assert catalog.stock["keyboard"] == 5


def test_payments_down_gives_the_stock_back_and_lets_the_caller_roll_back(conn, catalog, payments):
    payments.answer = "down"
    with pytest.raises(domain.Unavailable):
        domain.place_order(conn, catalog, payments, "keyboard", 1)
    assert catalog.stock["keyboard"] == 5


def test_an_unknown_product_or_too_little_stock_is_refused(conn, catalog, payments):
    with pytest.raises(domain.UnknownProduct):
        domain.place_order(conn, catalog, payments, "teapot", 1)
    with pytest.raises(domain.OutOfStock):
        domain.place_order(conn, catalog, payments, "keyboard", 6)
    assert payments.charges == [] and domain.list_orders(conn) == []


def test_an_order_paid_later_stays_pending_until_its_outcome_arrives(conn, catalog, payments):
    payments.answer = "pending"
    order = domain.place_order(conn, catalog, payments, "keyboard", 1)
    assert order["status"] == "pending"
    assert domain.settle(conn, catalog, order["id"], "paid") is True
    assert domain.get_order(conn, order["id"])["status"] == "paid"


def test_the_same_outcome_twice_settles_the_order_once(conn, catalog, payments):
    payments.answer = "pending"
    order = domain.place_order(conn, catalog, payments, "keyboard", 2)
    assert domain.settle(conn, catalog, order["id"], "declined") is True
    assert domain.settle(conn, catalog, order["id"], "declined") is False
    assert catalog.stock["keyboard"] == 5  # given back once, not twice


def test_an_outcome_for_an_order_not_yet_recorded_is_refused_so_it_comes_again(conn, catalog):
    with pytest.raises(domain.UnknownOrder):
        domain.settle(conn, catalog, "0123456789ab", "paid")
