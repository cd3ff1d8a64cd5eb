"""Unit tests: the payments rules alone, on an in-memory database."""
import sqlite3

import pytest

from payments import domain


@pytest.fixture
def conn():
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    domain.init_schema(conn)
    return conn


def test_a_charge_within_the_limit_is_paid_and_one_over_it_declined(conn):
    assert domain.charge(conn, "o-1", 500, limit_cents=500)["status"] == "paid"
    assert domain.charge(conn, "o-2", 501, limit_cents=500)["status"] == "declined"


def test_charging_an_order_again_returns_the_first_answer_and_charges_nothing_more(conn):
    first = domain.charge(conn, "o-1", 100, limit_cents=500)
    assert domain.charge(conn, "o-1", 900, limit_cents=500) == first
    assert tuple(conn.execute("SELECT COUNT(*), SUM(amount_cents) FROM payments").fetchone()) == (1, 100)


def test_an_unknown_order_has_no_payment(conn):
    assert domain.get_payment(conn, "o-404") is None
