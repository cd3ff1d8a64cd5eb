"""Lesson 07's changes to payments, and the traffic its customers send.

- `receipts(repo)`: every charge logs its receipt line, with the amount as a receipt shows
  it ("1,500.00").
- `receipts_check_themselves(repo)`, on top of it, the bad commit: the line checks itself by
  reading that amount back as a number, which fails on the thousands separator: every charge
  of 1,000.00 or more answers 500. The tests miss it: the most they ever charge is 600.00.
- `customers(url)`: what production's customers send: small charges, and large ones (over
  the card limit, so declined, but answered).
"""
import uuid

from shipyard.ci.git import Repo
from shipyard.delivery import pipeline, releases
from shipyard.delivery.releases import Release

DOMAIN = "payments/payments/domain.py"
DECIDE = '    status = "paid" if amount_cents <= limit_cents else "declined"\n'
RECEIPT = '''    shown = f"{amount_cents / 100:,.2f}"  # as the receipt shows it: 1,500.00
    logging.getLogger("payments.receipts").info("receipt %s: %s", order_id, shown)
'''
SELF_CHECK = '''    if round(float(shown) * 100) != amount_cents:  # the receipt must show what was charged
        raise ValueError(f"receipt {shown} does not match {amount_cents} cents")
'''
SMALL, LARGE = 1_900, 150_000


def receipts(repo: Repo) -> None:
    text = repo.read(DOMAIN).replace("import sqlite3\n", "import logging\nimport sqlite3\n", 1)
    repo.write(DOMAIN, text.replace(DECIDE, DECIDE + RECEIPT))


def receipts_check_themselves(repo: Repo) -> None:
    repo.write(DOMAIN, repo.read(DOMAIN).replace(RECEIPT, RECEIPT + SELF_CHECK))


def repository(server) -> Repo:
    """A clone of `server`'s origin with payments as its own repository, and no workflow yet."""
    return pipeline.delivery_repository(server.clone("ana"), workflow=None)


def build_three(repo: Repo) -> tuple[Release, Release, Release]:
    """Payments as it is, then with receipts, then with receipts that check themselves: each
    committed and built once."""
    built = []
    for change, message in ((None, "Payments"), (receipts, "Receipts for every charge"),
                            (receipts_check_themselves, "Receipts check themselves")):
        if change:
            change(repo)
        repo.commit(message)
        built.append(releases.build(repo.path, "payments"))
    return tuple(built)


def customers(url: str) -> dict:
    """Traffic's capabilities: a small charge and a large one, each request a new order."""
    def order(size: str, cents: int):
        return lambda: ("POST", f"{url}/payments",
                        {"order_id": f"{size}-{uuid.uuid4().hex[:12]}", "amount_cents": cents})
    return {"small": order("small", SMALL), "large": order("large", LARGE)}
