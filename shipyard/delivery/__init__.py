"""Continuous delivery (lesson 06): a package index, releases built once, a release log with
the manual gate, staging and production, a deploy API for the pipeline, and feature flags.

    delivery = start()                    # index, log, staging, production, deploy API
    delivery.connect(server)              # the CI server's runs may publish and deploy
    delivery.log.approve(release, by="ana")
    delivery.production.deploy(release)   # refused unless staged and approved
"""
import tempfile
import uuid

import httpx

from shipyard.delivery import flags
from shipyard.delivery.api import DeployAPI
from shipyard.delivery.environments import SMOKE_SECONDS, DeployRefused, Environment
from shipyard.delivery.index import PackageIndex, PublishRefused, start_index
from shipyard.delivery.log import ReleaseLog
from shipyard.delivery.releases import BuildFailed, Release, build
from shipyard.paths import workdir

__all__ = [
    "BuildFailed",
    "Delivery",
    "DeployAPI",
    "DeployRefused",
    "Environment",
    "PackageIndex",
    "PublishRefused",
    "Release",
    "ReleaseLog",
    "build",
    "flags",
    "start",
    "start_index",
]


def _reports_its_version(environment: Environment):
    def check(url: str) -> bool:
        expected = environment.deploying or environment.release  # a preview checks the version coming in
        return httpx.get(f"{url}/health", timeout=SMOKE_SECONDS).json().get("version") == expected.version
    return check


def _a_small_charge_is_paid(url: str) -> bool:
    answer = httpx.post(f"{url}/payments", json={"order_id": f"smoke-{uuid.uuid4().hex[:12]}", "amount_cents": 100},
                        timeout=SMOKE_SECONDS)
    return answer.status_code == 200 and answer.json()["status"] == "paid"


# What a smoke test checks besides health and version, per service.
MORE_SMOKE = {"payments.app:app": {"a small charge is paid": _a_small_charge_is_paid}}


class Delivery:
    """Everything one service's delivery needs in this kernel. Each environment reads its
    feature flags from its own flag file (`environment.flags_path`), all off at first."""

    def __init__(self, app: str = "payments.app:app"):
        self.index = start_index()
        self.log = ReleaseLog(tempfile.mkdtemp(prefix="releases-", dir=workdir()) + "/releases.jsonl")
        self.staging = self._environment("staging", app)
        self.production = self._production(app)
        self.api = DeployAPI({"staging": self.staging, "production": self.production})

    def _production(self, app: str) -> Environment:
        """Production, behind the manual gate (lesson 07 puts a router and a strategy there instead)."""
        return self._environment("production", app, needs=("staging", "approval"))

    def _environment(self, name: str, app: str, needs: tuple[str, ...] = (), kind: type = Environment,
                     **more) -> Environment:
        folder = tempfile.mkdtemp(prefix=f"flags-{name}-", dir=workdir())
        path = flags.write(f"{folder}/flags.json", {})
        environment = kind(name, self.index, self.log, app=app, needs=needs, env={"FLAGS_PATH": str(path)}, **more)
        environment.smoke.update({"reports the release's version": _reports_its_version(environment),
                                  **MORE_SMOKE.get(app, {})})
        return environment

    def connect(self, server) -> None:
        """Let `server`'s runs publish to the index and call the deploy API, with the index's
        password as a secret and both URLs as variables."""
        for url in (self.index.url, self.api.url):
            server.expose(url)
        server.variables.update(INDEX_URL=self.index.url, DEPLOY_API_URL=self.api.url)
        server.secrets["INDEX_PASSWORD"] = self.index.password

    def stop(self) -> None:
        self.api.stop()
        for environment in (self.staging, self.production):
            environment.stop()
        self.index.stop()

    def __repr__(self) -> str:
        return f"<Delivery: {self.index!r}, {self.staging!r}, {self.production!r}>"


def start(app: str = "payments.app:app") -> Delivery:
    return Delivery(app)
