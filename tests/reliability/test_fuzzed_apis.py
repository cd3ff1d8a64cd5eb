"""Every service's OpenAPI, fuzzed with schemathesis against the real running process, with
every check schemathesis has and through all of its phases:

- examples, coverage and fuzzing, one operation at a time: valid and invalid requests, and
  requests with methods the path does not support;
- stateful: sequences of calls that follow the documents' OpenAPI links (an order placed,
  then read back; a product read, then reserved...).

Its checks ask more than "no 5xx": every status, content type, header and body is the one the
document lists; valid data is accepted and invalid data refused; a 405 names the methods the
path supports; what a link says was created can be read. Three checks of our own: the process
is still alive, a refused request changed no database, and a request the schema says is valid
is never refused as invalid input (some refusals are the domain's: an unknown product is a
422 from orders, with a sentence, never a list of validation errors)."""
import importlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from schemathesis.engine import Status, events, from_schema

from shipyard import services
from shipyard.services import SHOP

CASES = int(os.environ.get("SHIPYARD_FUZZ_CASES", "100"))  # per operation; lesson 04 runs a quick 10
# Random ids almost never name a real product, so half the drawn ids are real ones: requests
# reach the code behind the 404, and orders get placed.
PRODUCTS = ["keyboard", "mouse", "monitor"]
STATELESS = ("examples", "coverage", "fuzzing")
# Refusals a schema cannot foresee, on top of schemathesis' own lists of expected statuses: a
# body over the size limit (413), valid or not; and, for a valid request, an answer about the
# shop's data rather than the request's form: orders refuses an unknown product with a 422.
POSITIVE = ["2xx", "404", "409", "413"]
NEGATIVE = ["400", "404", "405", "409", "413", "415", "422"]
DOMAIN_422 = {"POST /orders"}
# Every check runs on every response it applies to (a 405's Allow header only on a 405...);
# these apply to every response, and a run that skipped them would prove little.
ALWAYS_CHECKED = {"not_a_server_error", "status_code_conformance", "content_type_conformance",
                  "response_headers_conformance", "response_schema_conformance",
                  "service_stays_up", "refused_requests_change_nothing", "valid_requests_are_not_refused_as_invalid"}


def document(name: str) -> dict:
    """The service's OpenAPI document, read from its app in this process (no server needed)."""
    module, attribute = SHOP[name].app.split(":")
    return getattr(importlib.import_module(module), attribute).openapi()


def labels(name: str) -> list[str]:
    return [f"{method.upper()} {path}" for path, item in document(name)["paths"].items() for method in item]


OPERATIONS = [(name, label) for name in sorted(SHOP) for label in labels(name)]


def takes_input(name: str, label: str) -> bool:
    method, path = label.split(" ", 1)
    operation = document(name)["paths"][path][method.lower()]
    return bool(operation.get("parameters") or operation.get("requestBody"))


@dataclass
class Target:
    service: services.Service
    databases: list[Path]  # every database a request to it could change


@pytest.fixture(scope="module")
def targets():
    started: dict[str, Target] = {}

    def target(name: str) -> Target:
        if name not in started:
            if name == "orders":  # orders needs its peers, and must not change them when it refuses
                shop = services.start_shop("services")
                started[name] = Target(shop["orders"], [s.folder / "data.sqlite3" for s in shop.values()])
            else:
                service = services.start(name)
                started[name] = Target(service, [service.folder / "data.sqlite3"])
        return started[name]

    yield target
    services.stop_all()


def snapshot(databases) -> list[str]:
    dump = []
    for path in databases:
        with sqlite3.connect(path) as conn:
            dump += list(conn.iterdump())
    return dump


class Watch:
    """What our own checks need: the target under test, and its data just before each request."""
    target: Target | None = None
    before: tuple[str, ...] = ()


@schemathesis.hook
def before_call(context, case, kwargs):
    if Watch.target is not None:
        Watch.before = tuple(snapshot(Watch.target.databases))


@schemathesis.check
def service_stays_up(ctx, response, case):
    if Watch.target is not None and not Watch.target.service.alive:
        raise AssertionError(f"the service died: {Watch.target.service.logs(10)}")


@schemathesis.check
def refused_requests_change_nothing(ctx, response, case):
    if Watch.target is None or response.status_code < 400:
        return
    if tuple(snapshot(Watch.target.databases)) != Watch.before:
        raise AssertionError(f"refused with {response.status_code}, yet data changed")


@schemathesis.check
def valid_requests_are_not_refused_as_invalid(ctx, response, case):
    """A schema-valid request may be refused for the shop's reasons, never for its form."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    if not isinstance(detail, str):
        raise AssertionError(f"a request valid by the schema was refused as invalid: {response.text[:300]}")


def configure(target: Target, phases: tuple[str, ...], labels: set[str], mode: str) -> schemathesis.Config:
    """Schemathesis' configuration (as its TOML file would say it) for `labels`, the operations run."""
    every_phase = ("examples", "coverage", "fuzzing", "stateful")
    positive = POSITIVE + ["422"] * bool(labels & DOMAIN_422)
    return schemathesis.Config.from_dict({
        "base-url": target.service.url.rstrip("/"),
        "workers": 1,  # requests one after another: each refused one is compared with the data before it
        "request-timeout": 10,
        "cache": {"enabled": False},  # no replay of an earlier run's failures, no files left behind
        "generation": {"max-examples": CASES, "database": "none", "mode": mode},
        "phases": {**{phase: {"enabled": phase in phases} for phase in every_phase},
                   # Only the links the documents declare: schemathesis can guess more from names
                   # alone (a payment's order_id to GET /orders/{order_id}), and guess wrong.
                   "stateful": {"enabled": "stateful" in phases, "inference": {"algorithms": []}}},
        "checks": {"enabled": True,
                   "positive_data_acceptance": {"expected-statuses": positive},
                   "negative_data_rejection": {"expected-statuses": NEGATIVE}},
        "dictionaries": {"products": {"values": PRODUCTS}},
        "parameters": {"path.product_id": {"dictionary": "products", "probability": 0.5},
                       "body.product_id": {"dictionary": "products", "probability": 0.5}},
    })


def findings(name: str, target: Target, phases: tuple[str, ...], label: str | None = None,
             mode: str = "all") -> list[str]:
    """Run schemathesis' engine against the target (one operation, or all of them), drawing
    valid and invalid requests ("all") or one of them; every failure and error it met, as text."""
    url = target.service.url.rstrip("/") + "/openapi.json"
    config = configure(target, phases, {label} if label else set(labels(name)), mode)
    schema = schemathesis.openapi.from_url(url, config=config)
    if label is not None:
        method, path = label.split(" ", 1)
        schema = schema.include(method=method, path=path)
    found, tested, followed, checked = [], 0, set(), set()
    Watch.target = target
    try:
        for event in from_schema(schema).execute():
            if isinstance(event, (events.ScenarioFinished, events.FuzzScenarioFinished)):
                tested += len(event.recorder.cases)
                found += failures(event.recorder)
                checked |= {check.name for checks in event.recorder.checks.values() for check in checks}
                followed |= {node.transition.id for node in event.recorder.cases.values()
                             if node.transition is not None and node.is_transition_applied}
            elif isinstance(event, (events.NonFatalError, events.FatalError)):
                error = getattr(event, "value", None) or getattr(event, "exception", None)
                found.append(f"error: {error!r}")
    finally:
        Watch.target = None
    assert tested, f"schemathesis sent nothing in {phases}"
    assert ALWAYS_CHECKED <= checked, f"checks that never ran: {sorted(ALWAYS_CHECKED - checked)}"
    # Which links a short run follows is up to chance; that it follows some of them is not.
    assert "stateful" not in phases or followed & set(links(name)), f"no link followed: {sorted(followed)}"
    return found


def links(name: str) -> list[str]:
    """Every link of the service's document, named as schemathesis names a transition."""
    paths = document(name)["paths"]
    label = {operation["operationId"]: f"{method.upper()} {path}"
             for path, item in paths.items() for method, operation in item.items()}
    return [f"{method.upper()} {path} -> [{status}] {link} -> {label[target['operationId']]}"
            for path, item in paths.items() for method, operation in item.items()
            for status, answer in operation["responses"].items() for link, target in answer.get("links", {}).items()]


def failures(recorder) -> list[str]:
    found = []
    for checks in recorder.checks.values():
        for check in checks:
            if check.status == Status.FAILURE and check.failure_info is not None:
                failure = check.failure_info.failure
                steps = "\n".join(step.curl for step in check.failure_info.steps) or check.failure_info.code_sample
                found.append(f"{failure.title} [{check.name}] {failure.operation}\n{failure.message}\n{steps}")
    return sorted(set(found))


@pytest.mark.parametrize("name, label", OPERATIONS, ids=[f"{n}: {l}" for n, l in OPERATIONS])
def test_each_operation_answers_as_its_document_says_to_valid_and_invalid_requests(targets, name, label):
    found = findings(name, targets(name), STATELESS, label)
    if takes_input(name, label):  # drawing from both, its fuzzing draws few invalid requests: draw only those
        found += findings(name, targets(name), ("fuzzing",), label, mode="negative")
    assert not found, f"{len(found)} findings:\n\n" + "\n\n".join(found)


@pytest.mark.parametrize("name", sorted(SHOP))
def test_calls_that_follow_the_documents_links_answer_as_documented(targets, name):
    found = findings(name, targets(name), ("stateful",))
    assert not found, f"{len(found)} findings:\n\n" + "\n\n".join(found)
