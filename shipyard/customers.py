"""The sample shop seen by its customers: place orders, count them by status, wait for them
to settle. Lesson 03 uses these; so do the tests."""
import time
from collections import Counter

import httpx
from tqdm.auto import tqdm

from shipyard import traffic


def place(orders_url: str, count: int, product: str = "mouse", quantity: int = 1, workers: int = 8,
          progress: str | None = None) -> list[tuple[int, dict]]:
    """POST `count` orders, `workers` at a time; each one's (status code, body), 0 for no answer.
    With `progress`, a bar of that title shows them going out."""
    request = ("POST", orders_url.rstrip("/") + "/orders", {"product_id": product, "quantity": quantity})
    answers: list[tuple[int, dict]] = []
    with tqdm(total=count, desc=progress, disable=progress is None) as bar:
        while len(answers) < count:
            chunk = traffic.burst([request] * min(workers * 4, count - len(answers)), workers=workers)
            answers += chunk
            bar.update(len(chunk))
    return answers


def statuses(orders_url: str) -> Counter:
    """How many orders the orders service holds, by status."""
    return Counter(order["status"] for order in httpx.get(orders_url.rstrip("/") + "/orders", timeout=5).json())


def settle(orders_url: str, ids: list[str], timeout: float = 30) -> Counter:
    """Poll until none of the orders `ids` is pending; their statuses, "missing" for an
    order the service does not hold (an accepted order that was lost)."""
    deadline = time.monotonic() + timeout
    while True:
        held = {order["id"]: order["status"] for order in httpx.get(orders_url.rstrip("/") + "/orders", timeout=5).json()}
        found = Counter(held.get(order_id, "missing") for order_id in ids)
        if not found["pending"]:
            return +found
        if time.monotonic() > deadline:
            raise TimeoutError(f"after {timeout:g} s these orders are {dict(found)}")
        time.sleep(0.05)


def accepted(answers: list[tuple[int, dict]]) -> list[str]:
    """The ids of the orders among `place`'s answers that the shop accepted (201)."""
    return [body["id"] for status, body in answers if status == 201]


def wait_settled(orders_url: str, count: int, timeout: float = 30) -> Counter:
    """Poll until at least `count` orders are settled (no longer pending); their statuses."""
    deadline = time.monotonic() + timeout
    while True:
        found = statuses(orders_url)
        if sum(n for status, n in found.items() if status != "pending") >= count:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"after {timeout:g} s the orders are {dict(found)}")
        time.sleep(0.05)
