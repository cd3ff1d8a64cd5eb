"""Traefik in front of instances: weights honoured, routes in force when `route` returns,
ports the kernel bound, bad routes refused, and nothing left when its kernel dies."""
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import psutil
import pytest

from shipyard import services, traffic
from shipyard.deploy import Router, start_router


@pytest.fixture(scope="module")
def limits():
    """Two payments: one pays a 200.00 charge, the other (a 1-cent limit) declines it."""
    paying, declining = services.start("payments"), services.start("payments", {"PAYMENTS_LIMIT_CENTS": "1"})
    yield paying, declining
    paying.stop()
    declining.stop()


def charges(router: Router, count: int) -> Counter:
    answers = traffic.burst([("POST", f"{router.url}/payments", {"order_id": f"o-{time.monotonic_ns()}-{n}",
                                                                  "amount_cents": 20_000}) for n in range(count)])
    return Counter(body.get("status", status) for status, body in answers)


def test_weights_are_honoured_within_five_percent_over_2000_requests(router, limits):
    paying, declining = limits
    router.route({"paying": [paying.url], "declining": [declining.url]}, {"paying": 70, "declining": 30})
    seen = charges(router, 2000)
    assert abs(seen["paid"] / 2000 - 0.70) <= 0.05 and seen["paid"] + seen["declined"] == 2000
    counted = router.requests()  # the router's own counters agree with the answers
    assert counted["paying"].get("200") == seen["paid"] and counted["declining"].get("200") == seen["declined"]


def test_a_new_route_is_in_force_when_route_returns(router, limits):
    paying, declining = limits
    router.route({"payments": [paying.url]})  # a backend may be named as the service it routes
    assert charges(router, 20) == {"paid": 20}
    router.route({"payments": [paying.url], "declining": [declining.url]}, {"payments": 0, "declining": 1})
    assert charges(router, 50) == {"declined": 50}


def test_each_router_serves_the_ports_its_kernel_bound_and_two_never_collide(limits):
    first, second = start_router(), start_router()
    try:
        assert len({first.url, first.api_url, second.url, second.api_url}) == 4
        for router in (first, second):
            listening = {c.laddr.port for c in psutil.Process(int(router.ids[0])).children()[0].net_connections()
                         if c.status == psutil.CONN_LISTEN}
            assert {int(router.url.rsplit(":", 1)[1]), int(router.api_url.rsplit(":", 1)[1])} <= listening
            assert all(c.laddr.ip == "127.0.0.1" for c in psutil.Process(int(router.ids[0])).children()[0]
                       .net_connections() if c.status == psutil.CONN_LISTEN)
        first.route({"paying": [limits[0].url]})
        second.route({"declining": [limits[1].url]})
        assert charges(first, 5) == {"paid": 5} and charges(second, 5) == {"declined": 5}
    finally:
        first.stop()
        second.stop()


@pytest.mark.parametrize("backends, weights, words", [
    ({"a": ["http://127.0.0.1:1"]}, {"b": 1}, "backends the route does not have: b"),
    ({"a": ["http://127.0.0.1:1"]}, {"a": 0}, "at least one backend"),
    ({"a": []}, {"a": 1}, "at least one backend"),
    ({"a": ["http://127.0.0.1:1"]}, {"a": -1}, "whole numbers"),
    ({"split": ["http://127.0.0.1:1"]}, None, "cannot be called 'split'"),
])
def test_a_route_that_cannot_work_is_refused_and_the_old_one_stays(router, limits, backends, weights, words):
    router.route({"paying": [limits[0].url]})
    with pytest.raises(ValueError, match=words):
        router.route(backends, weights)
    assert charges(router, 5) == {"paid": 5}


KILLED = """
import sys
from shipyard import services
from shipyard.deploy import start_router
router = start_router()
payments = services.start("payments")
router.route({"payments": [payments.url]})
print(" ".join(str(p.pid) for p in __import__("psutil").Process().children(recursive=True)), flush=True)
sys.stdin.read()
"""


def test_the_router_and_its_instances_die_with_their_kernel_even_by_sigkill():
    kernel = subprocess.Popen([sys.executable, "-c", KILLED], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    pids = [int(pid) for pid in kernel.stdout.readline().split()]
    assert any("traefik" in " ".join(psutil.Process(pid).cmdline()) for pid in pids)
    os.kill(kernel.pid, signal.SIGKILL)
    kernel.wait()
    gone, alive = psutil.wait_procs([psutil.Process(pid) for pid in pids if psutil.pid_exists(pid)], timeout=10)
    assert not alive, f"still running after the kernel died: {[p.cmdline() for p in alive]}"
