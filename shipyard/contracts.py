"""Lesson 04's contracts: a provider changed the way a developer might change it, and the
pacts orders published, verified against any running provider.

    changed = contracts.start_changed("catalog")   # a copy with price_cents renamed, as a process
    contracts.verify("catalog", changed.url)       # replay orders' pact against it
"""
import difflib
import shutil
import tempfile
from pathlib import Path

from shipyard import services
from shipyard.paths import SERVICES, workdir

PACTS = SERVICES / "pacts"  # the shop's pact broker: the contracts its consumers published

# One line each: what a provider's developer might call a harmless tidy-up of a field name.
RENAMES = {
    "catalog": ("catalog/api.py", "    price_cents: int\n", '    price_cents: int = Field(serialization_alias="price")\n'),
    "payments": ("payments/api.py", "    status: str\n", '    status: str = Field(serialization_alias="outcome")\n'),
}


def changed_copy(service: str) -> Path:
    """Copy a sample service into the kernel's temp dir and rename one field of its API."""
    file, old, new = RENAMES[service]
    folder = Path(tempfile.mkdtemp(prefix=f"{service}-changed-", dir=workdir()))
    shutil.copytree(SERVICES / service, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    source = folder / file
    source.write_text(source.read_text().replace(old, new, 1))
    return folder


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
