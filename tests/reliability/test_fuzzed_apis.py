"""Every service's OpenAPI, fuzzed with schemathesis against the real running process:
valid and invalid requests alike, no 5xx, no crash, and rejected requests change nothing."""
import importlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from shipyard import services
from shipyard.services import SHOP

CASES = int(os.environ.get("SHIPYARD_FUZZ_CASES", 100))  # lesson 04 runs a quick 10
# Random ids almost never name a real product, so half the cases use real ones and reach
# the code behind the 404.
REAL_IDS = {"product_id": ["keyboard", "mouse", "monitor"]}


def operations(name: str) -> dict:
    """The service's operations, read from its OpenAPI document (no server needed)."""
    module, attribute = SHOP[name].app.split(":")
    spec = getattr(importlib.import_module(module), attribute).openapi()
    found = (result.ok() for result in schemathesis.openapi.from_dict(spec).get_all_operations())
    return {f"{op.method.upper()} {op.path}": op for op in found}


OPERATIONS = [(name, label) for name in sorted(SHOP) for label in operations(name)]


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


def strategies(operation):
    names = {parameter.name for parameter in operation.iter_parameters() if parameter.location == "path"}
    for mode in GenerationMode:
        yield operation.as_strategy(generation_mode=mode)
        real = {name: st.sampled_from(REAL_IDS[name]) for name in names & set(REAL_IDS)}
        if real:
            yield st.fixed_dictionaries(real).flatmap(
                lambda ids, mode=mode: operation.as_strategy(generation_mode=mode, path_parameters=ids))


def has_inputs(operation) -> bool:
    return any(True for _ in operation.iter_parameters()) or bool(operation.body)


@pytest.mark.parametrize("name, label", OPERATIONS, ids=[f"{n}: {l}" for n, l in OPERATIONS])
def test_fuzzed_requests_get_no_5xx_and_rejected_ones_change_nothing(targets, name, label):
    operation, target = operations(name)[label], targets(name)
    sent = []

    @settings(max_examples=CASES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(*strategies(operation)))
    def fuzz(case):
        before = snapshot(target.databases)
        response = case.call(base_url=target.service.url, timeout=5)
        sent.append(response.status_code)
        request = case.as_curl_command()
        assert response.status_code < 500, f"{request} -> {response.status_code} {response.text[:200]}"
        assert target.service.alive, f"the service died on {request}"
        if response.status_code >= 400:
            assert snapshot(target.databases) == before, f"rejected, yet state changed: {request}"

    fuzz()
    assert len(sent) >= CASES or not has_inputs(operation), f"only {len(sent)} cases for {label}"
