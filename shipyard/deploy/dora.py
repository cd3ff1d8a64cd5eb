"""DORA's four keys, worked out from a history of deployments.

The definitions are DORA's (DevOps Research and Assessment, the State of DevOps research behind
*Accelerate*): deployment frequency (deployments a day) and lead time for changes (a commit to it
running in production) measure throughput; change failure rate (the share of deployments that degraded
production and needed remediation) and time to restore (the 2023 report's "failed deployment recovery
time": a failed deployment to service restored) measure stability. Times are medians, not means, so one
stuck commit or one long outage does not hide how the team usually does.

    history = [Deployment("1.0", commits=(0, 600), deployed_at=3600),
               Deployment("1.1", commits=(4000,), deployed_at=7200, failed=True, restored_at=7500)]
    keys(history, seconds=DAY)  # Keys(deployment_frequency=2.0, lead_time=3200.0, change_failure_rate=0.5, ...)
    levels(keys(history, seconds=DAY))  # {..., 'change_failure_rate': 'low', 'time_to_restore': 'elite'}
    what_would_move("change_failure_rate", 0.5)  # 'Change failure rate is low; to reach medium (...), ...'
"""
import operator
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from statistics import median

HOUR, DAY, WEEK, MONTH = 3600, 86400, 7 * 86400, 30 * 86400


@dataclass(frozen=True)
class Deployment:
    version: str
    commits: tuple[float, ...]  # when each commit it shipped to production for the first time was made
    deployed_at: float  # when it reached production: all of its traffic, not a canary's share
    failed: bool = False  # it degraded production and needed remediation (a rollback or a fix)
    restored_at: float | None = None  # when service was restored, for a failed one


def deployment_frequency(deployments: Sequence[Deployment], seconds: float) -> float:
    """Deployments a day over a window of `seconds`. A failed one counts: it reached production."""
    if seconds <= 0:
        raise ValueError(f"The observation window must be longer than 0 seconds, not {seconds}.")
    return len(deployments) * DAY / seconds


def lead_time(deployments: Sequence[Deployment]) -> float | None:
    """Median seconds from a commit to the deployment that took it to production."""
    waits = [d.deployed_at - commit for d in deployments for commit in d.commits]
    return float(median(waits)) if waits else None


def change_failure_rate(deployments: Sequence[Deployment]) -> float | None:
    return sum(d.failed for d in deployments) / len(deployments) if deployments else None


def time_to_restore(deployments: Sequence[Deployment]) -> float | None:
    """Median seconds from a failed deployment to service restored. One still down has no restore
    time yet, so it is left out (not counted as 0, nor as now): `still_failing` lists it."""
    outages = [d.restored_at - d.deployed_at for d in deployments if d.failed and d.restored_at is not None]
    return float(median(outages)) if outages else None


def still_failing(deployments: Sequence[Deployment]) -> list[Deployment]:
    return [d for d in deployments if d.failed and d.restored_at is None]


@dataclass(frozen=True)
class Keys:
    deployment_frequency: float  # deployments a day
    lead_time: float | None  # seconds
    change_failure_rate: float | None  # 0 to 1
    time_to_restore: float | None  # seconds


def keys(deployments: Sequence[Deployment], seconds: float) -> Keys:
    return Keys(deployment_frequency(deployments, seconds), lead_time(deployments),
                change_failure_rate(deployments), time_to_restore(deployments))


# The performance clusters of the 2023 Accelerate State of DevOps Report (DORA, Google Cloud):
#          deployment frequency          lead time              failure rate   recovery time
#   elite  on demand (many a day)        less than one day       5%            less than one hour
#   high   once a day to once a week     one day to one week    10%            less than one day
#   medium once a week to once a month   one week to one month  15%            one day to one week
#   low    once a week to once a month   one week to one month  64%            one month to six months
# Each bound below is where a level's band meets the next worse one. A value on a shared edge (a lead
# time of exactly one day), or in a gap between two bands (a two-week restore), belongs to the worse
# band, and anything beyond the low band is low (failure rates aside: see _REACHES).
# In 2023 medium and low share their throughput bands (they differ in stability), so throughput
# in that band is medium and slower is low.
LEVELS = ("elite", "high", "medium", "low")
BANDS = {
    "deployment_frequency": (("elite", 1.0), ("high", 1 / 7), ("medium", 1 / 30)),  # a day; more is better
    "lead_time": (("elite", DAY), ("high", WEEK), ("medium", MONTH)),
    "change_failure_rate": (("elite", 0.05), ("high", 0.10), ("medium", 0.15)),
    "time_to_restore": (("elite", HOUR), ("high", DAY), ("medium", WEEK)),
}
ADVICE = {
    "deployment_frequency": "ship smaller batches and automate the gates, so any green merge can go out",
    "lead_time": "shorten the pipeline and the wait for review, so a commit does not queue behind a batch",
    "change_failure_rate": "catch more failures before production, with tests that exercise what production sends",
    "time_to_restore": "roll back automatically when health checks fail and alert on what users see",
}
_SPANS = {HOUR: "an hour", DAY: "a day", WEEK: "a week", MONTH: "a month"}
# How a value reaches a bound: more than it for deployments a day; under it for times (the report's
# "less than"); at most it for failure rates, which are the clusters' own rates (5% is elite).
_REACHES = {"deployment_frequency": operator.gt, "change_failure_rate": operator.le}


def level(key_name: str, value: float) -> str:
    """"elite", "high", "medium" or "low": the best level whose bound `value` reaches."""
    if key_name not in BANDS:
        raise ValueError(f"{key_name!r} is not one of the four keys: {', '.join(BANDS)}.")
    reaches = _REACHES.get(key_name, operator.lt)
    return next((name for name, bound in BANDS[key_name] if reaches(value, bound)), "low")


def levels(keys: Keys) -> dict[str, str | None]:
    return {name: None if value is None else level(name, value) for name, value in asdict(keys).items()}


def _say(key_name: str, bound: float) -> str:
    if key_name == "change_failure_rate":
        return f"at most {bound:.0%} of deployments failing"
    if key_name == "deployment_frequency":
        return f"more than once {_SPANS[round(DAY / bound)]}"
    return f"under {_SPANS[bound]}"


def what_would_move(key_name: str, value: float) -> str:
    """One sentence: the next better level's bound, and what a team changes to get there."""
    now, label = level(key_name, value), key_name.replace("_", " ").capitalize()
    better, bound = BANDS[key_name][max(LEVELS.index(now) - 1, 0)]
    if now == "elite":
        return f"{label} is already elite ({_say(key_name, bound)}); no 2023 level is above it."
    return f"{label} is {now}; to reach {better} ({_say(key_name, bound)}), {ADVICE[key_name]}."
