"""Feature flags in flagd's flag-definition format, and their evaluation through OpenFeature.

    write(path, {"raised-limit": boolean(rollout=20)})   # on for 20% of customers
    evaluate(path, "raised-limit", customers)             # {customer: True/False}, as a service sees it

A service reads the same file through the same client (`shop_chassis.flags`), and picks up
a change within a tenth of a second, with no redeploy.
"""
import json
import logging
import os
import tempfile
import uuid
from collections.abc import Iterable
from pathlib import Path

# OpenFeature's provider logs what it meets (a bad file, with a traceback; a request without a
# customer id) from its own threads, even after it was shut down: in this kernel, this module
# says what went wrong in words instead.
_quiet = logging.getLogger("openfeature")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False


class FlagError(ValueError):
    """A flag file or a flag that cannot be evaluated; the message says why."""


def boolean(on: bool = False, rollout: float | None = None) -> dict:
    """A boolean flag: on or off for everyone, or on for `rollout` percent of customers,
    chosen by a hash of the flag's name and the customer's id (flagd's `fractional`), so each
    customer gets the same answer every time."""
    flag = {"state": "ENABLED", "variants": {"on": True, "off": False}, "defaultVariant": "on" if on else "off"}
    if rollout is not None:
        if not 0 <= rollout <= 100:
            raise FlagError(f"a rollout is a percentage of customers, from 0 to 100, not {rollout}")
        flag["targeting"] = {"fractional": [["on", rollout], ["off", 100 - rollout]]}
    return flag


def write(path: str | Path, flags: dict[str, dict]) -> Path:
    """Replace the flag file in one step (a service reading it never sees half a file)."""
    path = Path(path)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".json", delete=False) as new:
        json.dump({"$schema": "https://flagd.dev/schema/v0/flags.json", "flags": flags}, new, indent=2)
    os.replace(new.name, path)
    return path


def evaluate(path: str | Path, flag: str, customers: Iterable[str], default: bool = False) -> dict[str, bool]:
    """What the OpenFeature client, with flagd's provider reading `path`, answers for each
    customer. Raises FlagError for a file it cannot read or a flag the file does not define."""
    from openfeature import api
    from openfeature.contrib.provider.flagd import FlagdProvider
    from openfeature.contrib.provider.flagd.config import ResolverType
    from openfeature.evaluation_context import EvaluationContext
    from openfeature.exception import ErrorCode, OpenFeatureError

    path = Path(path)
    try:
        json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise FlagError(f"the flag file {path.name} cannot be read as JSON: {error}") from None
    domain = f"shipyard-{uuid.uuid4().hex}"  # a client of its own, whatever else this kernel evaluates
    # It looks at the file every deadline_ms from a thread of its own: briefly, and joined below,
    # so nothing of it runs once the answers are in (the file may be gone by then).
    provider = FlagdProvider(resolver_type=ResolverType.FILE, offline_flag_source_path=str(path), deadline_ms=50)
    try:
        try:
            api.set_provider_and_wait(provider, domain=domain)
        except OpenFeatureError as error:
            raise FlagError(f"{path.name} is not a valid flagd flag file: {_deepest(error)}") from None
        client = api.get_client(domain=domain)
        answers = {}
        for customer in customers:
            details = client.get_boolean_details(flag, default, EvaluationContext(targeting_key=customer))
            if details.error_code == ErrorCode.FLAG_NOT_FOUND:
                raise FlagError(f"the flag file defines no flag {flag!r}")
            if details.error_code is not None:
                raise FlagError(f"flag {flag!r} could not be evaluated: {details.error_message or details.error_code}")
            answers[customer] = details.value
        return answers
    finally:
        provider.shutdown()
        watcher = getattr(getattr(getattr(provider, "resolver", None), "connector", None), "thread", None)
        if watcher is not None:
            watcher.join(1)


def _deepest(error: BaseException) -> str:
    """The first thing that went wrong, as its own message says it."""
    while error.__cause__ is not None:
        error = error.__cause__
    return str(error) or type(error).__name__


def share(answers: dict[str, bool]) -> float:
    """The fraction of customers a flag is on for."""
    return sum(answers.values()) / len(answers) if answers else 0.0
