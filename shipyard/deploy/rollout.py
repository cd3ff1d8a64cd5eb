"""Production behind a router: each release deployed by a strategy, every decision logged.

    production = RoutedEnvironment("production", index, log, router, strategy=parse({...}),
                                   needs=("staging",))
    production.deploy(release)              # by its strategy; DeployRefused if rolled back
    production.deploy(release, Recreate())  # or another one, this time
    production.rollback()                   # blue/green: back to the version kept beside it

A version runs as `replicas` processes (each a `services.Service` sharing the environment's
database), behind one router backend named after the version. The router's weights decide
who gets each request; the strategy decides when weights move and when instances start and
stop; an analysis reads the router's own metrics and may roll the release back. Each decision
goes to the release log with its reason and the values it was made on.
"""
import re
import time
from dataclasses import dataclass, field

from shipyard import services
from shipyard.delivery.environments import DeployRefused, Environment
from shipyard.delivery.releases import Release
from shipyard.deploy import analysis as measuring
from shipyard.deploy.router import Router
from shipyard.deploy.strategies import (
    Analysis,
    BlueGreen,
    Canary,
    Pause,
    Recreate,
    RollingUpdate,
    SetWeight,
    Strategy,
    StrategyError,
    parse,
)


@dataclass
class Track:
    """One version's instances behind one backend of the router."""
    release: Release
    backend: str
    instances: list[services.Service] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return [instance.url for instance in self.instances]

    def stop(self) -> None:
        for instance in self.instances:
            instance.stop()
        self.instances = []


INCONCLUSIVE = 2  # readings no request reached, taken again before the analysis counts a failure


class RolledBack(DeployRefused):
    """The strategy rolled the release back; the message says on which reading."""


class RoutedEnvironment(Environment):
    def __init__(self, name: str, index, log, router: Router, strategy: Strategy | None = None, **environment):
        super().__init__(name, index, log, **environment)
        self.router, self.strategy = router, strategy or Recreate()
        self.instance = router  # callers, smoke tests included, reach the environment through it
        self.stable: Track | None = None
        self.previous: Track | None = None  # blue/green: the old version, kept for an instant rollback
        self.env.setdefault("DATABASE_PATH", str(self.folder / "data.sqlite3"))  # one database for every instance
        self._next: Strategy | None = None

    def deploy(self, release: Release, strategy: Strategy | dict | None = None, timeout: float = 20):
        """Deploy `release` by `strategy` (this environment's own by default; a dict is parsed as
        Argo Rollouts writes it). A strategy that cannot run is refused before anything starts."""
        strategy = strategy or self.strategy
        self._next = parse(strategy) if isinstance(strategy, dict) else strategy
        if not isinstance(self._next, Recreate | RollingUpdate | BlueGreen | Canary):
            raise StrategyError(f"{strategy!r} is not a strategy: describe one as a dict, such as "
                                "{\"canary\": {\"steps\": [...]}}, or make it with deploy.parse")
        return super().deploy(release, timeout)

    # -- running a strategy ---------------------------------------------------------------
    def _run(self, release: Release, spec: services.Spec, timeout: float) -> None:
        strategy, self._spec, self._timeout = self._next, spec, timeout
        new = Track(release, self._backend(release))
        self._began = self.router.requests()
        self._note("deploy started", new, strategy=type(strategy).__name__)
        try:
            if self.stable is None:  # nothing to replace: every strategy starts the same way
                self._start(new, strategy.replicas)
                self._route({new.backend: 100}, new)
            else:
                {Recreate: self._recreate, RollingUpdate: self._rolling, BlueGreen: self._blue_green,
                 Canary: self._canary}[type(strategy)](self.stable, new, strategy)
        except services.ServiceFailed as failure:
            new.stop()
            self._note("deploy failed", new, reason=str(failure).splitlines()[0])
            raise DeployRefused(f"{release.version} did not start in {self.name}: {failure}") from None
        if self.previous is not None and self.previous is not self.stable:
            self.previous.stop()
        self.previous = self.stable if isinstance(strategy, BlueGreen) else None
        if self.stable is not None and self.previous is None:
            self.stable.stop()
        self.stable = new

    def _recreate(self, old: Track, new: Track, strategy: Recreate) -> None:
        old.stop()  # the router still points at them: every request fails until the new ones serve
        self._note("old version stopped", old)
        self._start(new, strategy.replicas)
        self._route({new.backend: 100}, new)

    def _rolling(self, old: Track, new: Track, strategy: RollingUpdate) -> None:
        olds = list(old.instances)
        while olds or len(new.instances) < strategy.replicas:
            room = min(strategy.replicas + strategy.max_surge - len(olds) - len(new.instances),
                       strategy.replicas - len(new.instances))
            if room > 0:
                self._start(new, room, ready_first=strategy.readiness)
            removable = min(len(olds), len(olds) + len(new.instances) - (strategy.replicas - strategy.max_unavailable))
            leaving, olds = olds[:max(removable, 0)], olds[max(removable, 0):]
            old.instances = olds
            self._route({old.backend: len(olds), new.backend: len(new.instances)}, new)
            for instance in leaving:  # out of the routes first, then stopped: no request is sent to it
                instance.stop()

    def _blue_green(self, old: Track, new: Track, strategy: BlueGreen) -> None:
        self._start(new, strategy.replicas)
        preview = {name: all(check(url) for url in new.urls) for name, check in self.smoke.items()}  # each instance
        self._note("previewed", new, checks=preview)
        if not all(preview.values()):
            new.stop()
            raise RolledBack(f"{new.release.version} failed its preview checks "
                             f"({', '.join(n for n, ok in preview.items() if not ok)}); "
                             f"{old.release.version} kept all the traffic")
        self._route({old.backend: 0, new.backend: 100}, new)

    def _canary(self, old: Track, new: Track, strategy: Canary) -> None:
        self._start(new, strategy.replicas)
        for step in strategy.steps:
            if isinstance(step, SetWeight):
                self._route({old.backend: 100 - step.weight, new.backend: step.weight}, new)
            elif isinstance(step, Pause):
                self._note("paused", new, seconds=step.seconds)
                time.sleep(step.seconds)
            else:
                self._analyse(old, new, step)
        self._route({old.backend: 0, new.backend: 100}, new)
        self._note("promoted", new, requests_to_new=self._served(new))

    def _analyse(self, old: Track, new: Track, step: Analysis) -> None:
        failures = 0
        for measurement in range(1, step.count + 1):
            value = self._measure(step, new)
            passed = value is not None and step.passes(value)
            failures += not passed
            self._note("analysis", new, metric=step.metric, value=value, condition=step.success_condition,
                       passed=passed, measurement=measurement)
            if failures > step.failure_limit:
                reading = "no requests reached it" if value is None else f"{step.metric} was {value:.3g}"
                reason = (f"{reading}, and the analysis needs {step.success_condition} "
                          f"({failures} failed, {step.failure_limit} allowed)")
                self._route({old.backend: 100}, new)
                self._note("rolled back", new, reason=reason, requests_to_new=self._served(new))  # restored now
                new.stop()
                raise RolledBack(f"{new.release.version} was rolled back: {reason}; "
                                 f"{old.release.version} serves every request again")

    def _measure(self, step: Analysis, new: Track) -> float | None:
        """One reading of the step's metric over its interval. A reading no request reached says
        nothing (Argo calls it inconclusive): it is taken again, up to INCONCLUSIVE more times."""
        for _ in range(1 + INCONCLUSIVE):
            before = measuring.Reading.of(self.router)
            time.sleep(step.interval)
            value = measuring.measure(step.metric, before, measuring.Reading.of(self.router), new.backend)
            if value is not None:
                return value
            self._note("inconclusive", new, metric=step.metric, reason="no request reached the new version")
        return None

    # -- after a deploy -------------------------------------------------------------------
    def rollback(self) -> float:
        """Back to the version kept beside the current one (after a blue/green switch), at
        once; seconds it took."""
        if self.previous is None or not self.previous.instances:
            raise DeployRefused(f"{self.name} keeps no previous version running: deploy the previous release instead")
        started = time.perf_counter()
        self.router.route({self.stable.backend: self.stable.urls, self.previous.backend: self.previous.urls},
                          {self.previous.backend: 100, self.stable.backend: 0})
        self.log.record("rolled back", self.stable.release, environment=self.name, reason="asked for",
                        to=self.previous.release.version)
        self.stable, self.previous = self.previous, self.stable
        self.release = self.stable.release
        return time.perf_counter() - started

    def decisions(self, release: Release) -> list[dict]:
        """What this environment did with `release`, from "deploy started" on, as logged."""
        return [e for e in self.log.entries(release) if e.get("environment") == self.name]

    def stop(self) -> None:
        """Every version's processes, and the router."""
        for track in (self.stable, self.previous):
            if track is not None:
                track.stop()
        super().stop()

    # -- helpers --------------------------------------------------------------------------
    def _backend(self, release: Release) -> str:
        name = "v" + re.sub(r"[^A-Za-z0-9]+", "-", release.version)
        taken = {track.backend for track in (self.stable, self.previous) if track is not None}
        return name if name not in taken else f"{name}-{len(self.log.entries())}"  # the same version again: a new name

    def _start(self, track: Track, count: int, ready_first: bool = True) -> None:
        """`count` more processes of the track's version; they serve once healthy (or at once)."""
        started = [services.Service(f"{self.name}-{track.backend}-{len(track.instances) + i + 1}", self._spec,
                                    self.env).launch() for i in range(count)]
        track.instances += started
        if ready_first:
            for instance in started:
                instance.wait_healthy(self._timeout)

    def _route(self, weights: dict[str, int], new: Track) -> None:
        tracks = {track.backend: track for track in (self.stable, self.previous, new) if track is not None}
        backends = {name: tracks[name].urls for name in weights}
        seconds = self.router.route(backends, weights)
        self._note("weights set", new, weights=weights, seconds=round(seconds, 3))

    def _served(self, track: Track) -> int:
        """Requests the track's backend answered since this deploy began."""
        now, then = self.router.requests().get(track.backend, {}), self._began.get(track.backend, {})
        return int(sum(now.values()) - sum(then.values()))

    def _note(self, event: str, track: Track, **detail) -> None:
        self.log.record(event, track.release, environment=self.name, backend=track.backend, **detail)
