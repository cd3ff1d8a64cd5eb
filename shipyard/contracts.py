"""Lesson 04's contracts: a provider changed the way a developer might change it, and the
pacts orders published, verified against any running provider.

    folder = contracts.changed_copy("catalog")     # a copy with price_cents renamed, tests and all
    changed = contracts.start_changed("catalog")   # such a copy, as a process
    contracts.verify("catalog", changed.url)       # replay orders' pact against it

A rename that no longer matches the service's source (someone reformatted the line) raises
`ChangeDidNotApply`: a copy left unchanged would make a correct contract look wrong.
"""
import difflib
import re
import shutil
import tempfile
import time
from pathlib import Path

from shipyard import services
from shipyard.paths import SERVICES, workdir

PACTS = SERVICES / "pacts"  # the shop's pact broker: the contracts its consumers published
MESSAGES = SERVICES / "contracts"  # the shop's message contracts: a JSON Schema per event


class ChangeDidNotApply(RuntimeError):
    """The line a rename replaces is not in the service's source exactly once."""

# One line each: what a provider's developer might call a harmless tidy-up of a field name.
RENAMES = {
    "catalog": ("catalog/api.py", "    price_cents: int\n", '    price_cents: int = Field(serialization_alias="price")\n'),
    "payments": ("payments/api.py", "    status: str\n", '    status: str = Field(serialization_alias="outcome")\n'),
}


def changed_copy(service: str, root: Path = SERVICES) -> Path:
    """Copy a sample service into the kernel's temp dir and rename one field of its API. The
    copy sits beside a copy of the pacts, as in the shop's folder, so its own tests run."""
    file, old, new = RENAMES[service]
    text = (root / service / file).read_text()
    if text.count(old) != 1:
        raise ChangeDidNotApply(f"{service}/{file} holds {old.strip()!r} {text.count(old)} times, not once: "
                                "update contracts.RENAMES to the service's source")
    shop = Path(tempfile.mkdtemp(prefix=f"{service}-changed-", dir=workdir()))
    ignore = shutil.ignore_patterns("__pycache__", "*.sqlite3*")
    shutil.copytree(root / service, shop / service, ignore=ignore)
    shutil.copytree(root / "pacts", shop / "pacts", ignore=ignore)
    (shop / service / file).write_text(text.replace(old, new))
    return shop / service


def change(service: str) -> str:
    """The change, as a unified diff."""
    file, old, new = RENAMES[service]
    return "".join(difflib.unified_diff([old], [new], f"a/{service}/{file}", f"b/{service}/{file}"))


def start_changed(service: str) -> services.Service:
    return services.start(f"{service}.app:app", app_dir=changed_copy(service), label=f"{service}-changed")


def verify(provider: str, url: str, pact_file: Path | None = None):
    """Replay the pact orders published for `provider` against the provider at `url`."""
    from shop_chassis.testing import verify_pact

    return verify_pact(provider, pact_file or PACTS / f"orders-{provider}.json", url)


def orders_clients():
    """orders' own HTTP clients (orders.clients), as its consumer tests use them."""
    return services.import_module("orders", "orders.clients")


def last_error(service, timeout: float = 5) -> str:
    """The last exception a running service logged (`KeyError: 'price_cents'`), once its log
    has it: a log line reaches the file a moment after the answer reaches the caller."""
    deadline = time.monotonic() + timeout
    while True:
        found = [line for line in service.logs(200).splitlines() if re.match(r"^[\w.]+(Error|Exception)\b", line)]
        if found or time.monotonic() > deadline:
            return found[-1] if found else ""
        time.sleep(0.02)
