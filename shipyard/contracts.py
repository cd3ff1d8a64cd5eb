"""Lesson 04's contracts: a provider changed the way a developer might change it, and the
pacts orders published, verified against any running provider.

    folder = contracts.changed_copy("catalog")     # a copy with price_cents renamed, tests and all
    changed = contracts.start_changed("catalog")   # such a copy, as a process
    contracts.verify("catalog", changed.url)       # replay orders' pact against it

A rename that no longer matches the service's source (someone reformatted the line) raises
`ChangeDidNotApply`: a copy left unchanged would make a correct contract look wrong.
"""
import difflib
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from shipyard import services
from shipyard.paths import SERVICES, workdir

os.environ.setdefault("PACT_DO_NOT_TRACK", "true")  # Pact sends no usage report from the course

PACTS = SERVICES / "pacts"  # the shop's pact broker: the contracts its consumers published
MESSAGES = SERVICES / "contracts"  # the shop's message contracts: a JSON Schema per event


class ChangeDidNotApply(RuntimeError):
    """The field a rename changes is not declared in the service's source exactly once."""


# What a provider's developer might call a harmless tidy-up: one field of a response model
# keeps its name in Python and goes out under another name in JSON. (file, field, new name)
RENAMES = {
    "catalog": ("catalog/api.py", "price_cents", "price"),
    "payments": ("payments/api.py", "status", "outcome"),
}


def _declaration(field: str) -> re.Pattern:
    """A model's field declared without a default: `    status: str`, a comment allowed."""
    return re.compile(rf"^(    {re.escape(field)}: [^=#\n]*?[^=#\s])(\s*#[^\n]*)?$", re.MULTILINE)


def _renamed(service: str, text: str) -> tuple[str, str, str]:
    """The source with the rename applied, the line before and the line after."""
    file, field, alias = RENAMES[service]
    found = list(_declaration(field).finditer(text))
    if len(found) != 1:
        raise ChangeDidNotApply(f"{service}/{file} declares the field {field!r} {len(found)} times in a form "
                                "the rename knows (a field without a default), not once: update "
                                "contracts.RENAMES to the service's source")
    match = found[0]
    line = f'{match.group(1)} = Field(serialization_alias="{alias}"){match.group(2) or ""}'
    return text[:match.start()] + line + text[match.end():], match.group(0), line


def changed_copy(service: str, root: Path = SERVICES) -> Path:
    """Copy a sample service into the kernel's temp dir and rename one field of its API. The
    copy sits beside a copy of the pacts, as in the shop's folder, so its own tests run."""
    file = RENAMES[service][0]
    text, _, _ = _renamed(service, (root / service / file).read_text())
    shop = Path(tempfile.mkdtemp(prefix=f"{service}-changed-", dir=workdir()))
    ignore = shutil.ignore_patterns("__pycache__", "*.sqlite3*")
    shutil.copytree(root / service, shop / service, ignore=ignore)
    shutil.copytree(root / "pacts", shop / "pacts", ignore=ignore)
    (shop / service / file).write_text(text)
    return shop / service


def change(service: str, root: Path = SERVICES) -> str:
    """The change, as a unified diff."""
    file = RENAMES[service][0]
    _, old, new = _renamed(service, (root / service / file).read_text())
    return "".join(difflib.unified_diff([old + "\n"], [new + "\n"], f"a/{service}/{file}", f"b/{service}/{file}"))


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
