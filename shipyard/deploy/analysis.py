"""An analysis's measurement: one metric of one backend, read from the router's own Prometheus
metrics over an interval, as Argo Rollouts' Prometheus provider reads them.

    before = Reading.of(router)
    time.sleep(interval)
    value = measure("success-rate", before, Reading.of(router), backend)   # None: no requests

The values are differences between two scrapes of counters, so they describe the interval only.
"""
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Reading:
    requests: dict[str, dict[str, float]]  # {backend: {status code: count}}
    latency: dict[str, list[tuple[float, float]]]  # {backend: [(le, cumulative count), ...]}

    @classmethod
    def of(cls, router) -> "Reading":
        return cls(router.requests(), router.latency())


def answers(before: Reading, after: Reading, backend: str) -> dict[str, float]:
    """{status code: requests} the backend answered between the two readings."""
    old, new = before.requests.get(backend, {}), after.requests.get(backend, {})
    return {code: count - old.get(code, 0) for code, count in new.items() if count - old.get(code, 0)}


def success_rate(before: Reading, after: Reading, backend: str) -> float | None:
    counted = answers(before, after, backend)
    total = sum(counted.values())
    return None if not total else sum(n for code, n in counted.items() if not code.startswith("5")) / total


def quantile(q: float, buckets: list[tuple[float, float]]) -> float | None:
    """Prometheus' histogram_quantile: find the bucket holding the q-th request and interpolate
    linearly within it (the first bucket starts at 0; in the +Inf one, its lower bound)."""
    if not buckets or buckets[-1][1] <= 0:
        return None
    rank = q * buckets[-1][1]
    lower, below = 0.0, 0.0
    for bound, count in buckets:
        if count >= rank:
            if math.isinf(bound):
                return lower
            return lower + (bound - lower) * (rank - below) / (count - below) if count > below else bound
        lower, below = bound, count
    return lower


def latency_p95(before: Reading, after: Reading, backend: str) -> float | None:
    old = dict(before.latency.get(backend, []))
    delta = [(bound, count - old.get(bound, 0)) for bound, count in after.latency.get(backend, [])]
    return quantile(0.95, delta)


MEASURES = {"success-rate": success_rate, "latency-p95": latency_p95}


def measure(metric: str, before: Reading, after: Reading, backend: str) -> float | None:
    return MEASURES[metric](before, after, backend)
