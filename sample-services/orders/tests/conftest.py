"""Fakes of the ports orders depends on: the same methods as the real clients, in memory."""
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
