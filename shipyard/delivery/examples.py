"""Lesson 06's changes to payments and its probe of production.

- A packaging bug the tests miss: the card limit moves into a file beside the service's
  pyproject.toml. Run from the source tree (as the tests run) the file is there; the wheel
  holds only the `payments` package, so the installed service cannot start.
- Its fix: the file inside the package, where the wheel takes it along.
- `paid_over_the_limit`: charge each customer once, a little over the card limit, on a running
  payments: paid means the raised-limit feature (behind its flag) was on for that customer.
"""
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import httpx

from shipyard.ci.git import Repo

APP = "payments/payments/app.py"
DEFAULTS = 'DEFAULTS = {"PAYMENTS_LIMIT_CENTS": "50000", "PAYMENTS_FAULT": ""}'
IMPORTS = "from shop_chassis import Settings, create_app\n"


def limit_from_a_file(repo: Repo, inside_the_package: bool) -> None:
    """Read the card limit from limits.toml: beside pyproject.toml (the bug), or inside the
    package (the fix)."""
    text = repo.read(APP)
    if inside_the_package:
        (repo.path / "payments" / "limits.toml").rename(repo.path / "payments" / "payments" / "limits.toml")
        repo.write(APP, text.replace('LIMITS = Path(__file__).parent.parent / "limits.toml"  # beside pyproject.toml',
                                     'LIMITS = Path(__file__).parent / "limits.toml"  # in the package: the wheel takes it'))
        return
    repo.write("payments/limits.toml", "# The card limit, in cents: charges above it are declined.\nlimit_cents = 50000\n")
    repo.write(APP, text.replace(IMPORTS, f"import tomllib\nfrom pathlib import Path\n\n{IMPORTS}").replace(
        DEFAULTS, 'LIMITS = Path(__file__).parent.parent / "limits.toml"  # beside pyproject.toml\n'
                  'DEFAULTS = {"PAYMENTS_LIMIT_CENTS": str(tomllib.loads(LIMITS.read_text())["limit_cents"]),\n'
                  '            "PAYMENTS_FAULT": ""}'))


def paid_over_the_limit(url: str, customers: Iterable[str], amount_cents: int = 60_000) -> dict[str, bool]:
    """{customer: was a charge of `amount_cents` (over the 50,000 limit, within twice it) paid?}"""
    def charge(client: httpx.Client, customer: str) -> bool:
        body = {"order_id": f"flag-{uuid.uuid4().hex[:12]}", "amount_cents": amount_cents, "customer_id": customer}
        return client.post(f"{url}/payments", json=body).raise_for_status().json()["status"] == "paid"

    customers = list(customers)
    with httpx.Client(timeout=5) as client, ThreadPoolExecutor(8) as pool:
        return dict(zip(customers, pool.map(lambda c: charge(client, c), customers)))


def seconds_until(condition: Callable[[], bool], timeout: float = 10) -> float:
    """How long until `condition()` holds, asked every 10 ms; raises TimeoutError past `timeout`."""
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"not within {timeout:g} s")
        time.sleep(0.01)
    return time.perf_counter() - started
