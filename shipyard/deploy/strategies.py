"""Release strategies as data, in Argo Rollouts' vocabulary (and Kubernetes' for the first two).

    parse({"canary": {"steps": [
        {"setWeight": 20},
        {"analysis": {"metric": "success-rate", "successCondition": "result >= 0.95",
                      "interval": "1s", "count": 2, "failureLimit": 0}},
        {"setWeight": 50}, {"pause": {"duration": "1s"}}]}})

- recreate: stop every old instance, then start the new ones (downtime in between).
- rollingUpdate: replace instances a few at a time; maxSurge new ones above the replica count,
  maxUnavailable old ones below it; with readiness gating, an instance gets traffic only once
  its health check passes.
- blueGreen: start the whole new version beside the old, check it on its preview, switch all
  traffic at once; the old version stays for an instant rollback.
- canary: move traffic in steps (setWeight, pause, analysis); an analysis failing more often
  than its failureLimit rolls everything back to the stable version; after the last step the
  new version takes all the traffic.

`parse` checks everything before anything is deployed, and says in one sentence what is wrong.
"""
import re
from dataclasses import dataclass, field

METRICS = {
    "success-rate": "the share of the new version's answers that were not 5xx, from the router's counters",
    "latency-p95": "the new version's 95th-percentile latency in seconds, from the router's histogram",
}
CONDITION = re.compile(r"^\s*result\s*(>=|<=|>|<)\s*([0-9]*\.?[0-9]+)\s*$")


class StrategyError(ValueError):
    """A strategy that cannot run; the message says what to change."""


@dataclass(frozen=True)
class Analysis:
    metric: str  # one of METRICS
    success_condition: str  # "result >= 0.95", as Argo writes it
    interval: float = 1.0  # seconds each measurement looks at
    count: int = 1  # measurements
    failure_limit: int = 0  # failed measurements tolerated

    def __post_init__(self):  # made directly rather than by `parse`: the same checks
        _metric_and_condition(self.metric, self.success_condition, "analysis")

    def passes(self, result: float) -> bool:
        operator, bound = CONDITION.match(self.success_condition).groups()
        return {">=": result >= float(bound), "<=": result <= float(bound),
                ">": result > float(bound), "<": result < float(bound)}[operator]


@dataclass(frozen=True)
class SetWeight:
    weight: int  # percent of requests to the new version


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Recreate:
    replicas: int = 2


@dataclass(frozen=True)
class RollingUpdate:
    replicas: int = 2
    max_surge: int = 1
    max_unavailable: int = 0
    readiness: bool = True  # traffic only once an instance's health check passes


@dataclass(frozen=True)
class BlueGreen:
    replicas: int = 2
    auto_promotion: bool = True  # switch once the preview checks pass (else: `promote()` later)


@dataclass(frozen=True)
class Canary:
    steps: tuple = field(default_factory=tuple)
    replicas: int = 2


Strategy = Recreate | RollingUpdate | BlueGreen | Canary


def seconds(value, where: str) -> float:
    """3, 2.5, "3s", "500ms" -> seconds."""
    if isinstance(value, bool):
        raise StrategyError(f"{where} must be a duration such as 2, \"2s\" or \"500ms\", not {value!r}")
    if isinstance(value, int | float):
        found = float(value)
    elif isinstance(value, str) and (m := re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(ms|s)?\s*", value)):
        found = float(m.group(1)) / (1000 if m.group(2) == "ms" else 1)
    else:
        raise StrategyError(f"{where} must be a duration such as 2, \"2s\" or \"500ms\", not {value!r}")
    if found <= 0:
        raise StrategyError(f"{where} must be longer than 0 s")
    return found


def _whole(value, where: str, least: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise StrategyError(f"{where} must be a whole number of at least {least}, not {value!r}")
    return value


def _only(found: dict, allowed: set[str], where: str) -> None:
    if not isinstance(found, dict):
        raise StrategyError(f"{where} must be a mapping, not {found!r}")
    if unknown := set(found) - allowed:
        raise StrategyError(f"{where} has no field {', '.join(sorted(unknown))}: it takes {', '.join(sorted(allowed))}")


def analysis(found: dict, where: str = "analysis") -> Analysis:
    _only(found, {"metric", "successCondition", "interval", "count", "failureLimit"}, where)
    metric, condition = found.get("metric"), found.get("successCondition", "")
    _metric_and_condition(metric, condition, where)
    return Analysis(metric, condition, seconds(found.get("interval", 1), f"{where}'s interval"),
                    _whole(found.get("count", 1), f"{where}'s count", 1),
                    _whole(found.get("failureLimit", 0), f"{where}'s failureLimit"))


def _metric_and_condition(metric, condition, where: str) -> None:
    if metric not in METRICS:
        raise StrategyError(f"{where}: unknown metric {metric!r}; the router measures "
                            + "; ".join(f"{name} ({what})" for name, what in METRICS.items()))
    if not isinstance(condition, str) or not CONDITION.match(condition):
        raise StrategyError(f"{where}: successCondition must compare result with a number, such as "
                            f"\"result >= 0.95\" or \"result < 0.1\", not {condition!r}")


def _step(found, number: int):
    where = f"canary step {number}"
    if not isinstance(found, dict) or len(found) != 1:
        raise StrategyError(f"{where} must be one of {{setWeight: N}}, {{pause: {{duration: S}}}} or "
                            f"{{analysis: {{...}}}}, not {found!r}")
    (kind, value), = found.items()
    if kind == "setWeight":
        weight = _whole(value, f"{where}'s setWeight")
        if weight > 100:
            raise StrategyError(f"{where}'s setWeight is a percentage: 0 to 100, not {weight}")
        return SetWeight(weight)
    if kind == "pause":
        _only(value, {"duration"}, f"{where}'s pause")
        return Pause(seconds(value.get("duration"), f"{where}'s pause duration"))
    if kind == "analysis":
        return analysis(value, f"{where}'s analysis")
    raise StrategyError(f"{where}: unknown step {kind!r}; a canary step is setWeight, pause or analysis")


def parse(spec: dict, replicas: int = 2) -> Strategy:
    """A strategy from its description as Argo Rollouts (or a Kubernetes Deployment) writes it."""
    kinds = {"recreate", "rollingUpdate", "blueGreen", "canary"}
    if not isinstance(spec, dict) or len(spec) != 1 or next(iter(spec)) not in kinds:
        raise StrategyError(f"a strategy is one of {', '.join(sorted(kinds))} with its settings, "
                            f"such as {{\"canary\": {{\"steps\": [...]}}}}, not {spec!r}")
    (kind, settings), = spec.items()
    settings = settings or {}
    replicas = _whole(settings.get("replicas", replicas) if isinstance(settings, dict) else replicas, "replicas", 1)
    if kind == "recreate":
        _only(settings, {"replicas"}, kind)
        return Recreate(replicas)
    if kind == "rollingUpdate":
        _only(settings, {"replicas", "maxSurge", "maxUnavailable", "readiness"}, kind)
        surge = _whole(settings.get("maxSurge", 1), "maxSurge")
        unavailable = _whole(settings.get("maxUnavailable", 0), "maxUnavailable")
        if surge == 0 and unavailable == 0:
            raise StrategyError("maxSurge and maxUnavailable cannot both be 0: the update could never move")
        return RollingUpdate(replicas, surge, unavailable, bool(settings.get("readiness", True)))
    if kind == "blueGreen":
        _only(settings, {"replicas", "autoPromotionEnabled"}, kind)
        return BlueGreen(replicas, bool(settings.get("autoPromotionEnabled", True)))
    _only(settings, {"replicas", "steps"}, kind)
    steps = settings.get("steps")
    if not isinstance(steps, list) or not steps:
        raise StrategyError("a canary needs steps: a list such as "
                            "[{\"setWeight\": 20}, {\"pause\": {\"duration\": 2}}]")
    return Canary(tuple(_step(step, number) for number, step in enumerate(steps, start=1)), replicas)
