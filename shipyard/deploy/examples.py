"""Lesson 07's changes to payments, and the traffic its customers send.

- `receipts(repo, bug=False)`: every charge logs its receipt line, with the amount as a
  receipt shows it ("1,500.00"). With `bug=True` the line also checks itself by reading that
  amount back as a number, which fails for the thousands separator: every charge of 1,000.00
  or more answers 500. The tests miss it: the most they ever charge is 600.00.
- `customers(url)`: what production's customers send: small charges, and large ones (over
  the card limit, so declined, but answered).
"""
import uuid

from shipyard.ci.git import Repo

DOMAIN = "payments/payments/domain.py"
DECIDE = '    status = "paid" if amount_cents <= limit_cents else "declined"\n'
RECEIPT = '''    shown = f"{amount_cents / 100:,.2f}"  # as the receipt shows it: 1,500.00
    logging.getLogger("payments.receipts").info("receipt %s: %s", order_id, shown)
'''
SELF_CHECK = '''    if round(float(shown) * 100) != amount_cents:  # the receipt must show what was charged
        raise ValueError(f"receipt {shown} does not match {amount_cents} cents")
'''
SMALL, LARGE = 1_900, 150_000


def receipts(repo: Repo, bug: bool = False) -> None:
    text = repo.read(DOMAIN)
    text = text.replace("import sqlite3\n", "import logging\nimport sqlite3\n", 1)
    repo.write(DOMAIN, text.replace(DECIDE, DECIDE + RECEIPT + (SELF_CHECK if bug else "")))


def customers(url: str) -> dict:
    """Traffic's capabilities: a small charge and a large one, each request a new order."""
    def order(size: str, cents: int):
        return lambda: ("POST", f"{url}/payments", {"order_id": f"{size}-{uuid.uuid4().hex[:12]}", "amount_cents": cents})
    return {"small": order("small", SMALL), "large": order("large", LARGE)}
