"""Environments: staging and production, each running one release of a service.

    staging = Environment("staging", index, log)
    staging.deploy(release)                  # fetched from the index, hash checked, started
    staging.smoke_test()                     # recorded in the release log, passed or not
    log.approve(release, by="ana")           # the manual gate
    production = Environment("production", index, log, needs=("staging", "approval"))
    production.deploy(release)               # refused without both

Deploying fetches the release's file from the index, checks its sha256 against the release
record (so production runs the very bytes staging tested), installs it with uv into the
environment's own folder, and starts the service from there as an Instance, on the
environment's one address: a later deploy replaces the process, the address stays.
"""
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx

from shipyard import services
from shipyard.delivery.index import PackageIndex
from shipyard.delivery.log import ReleaseLog
from shipyard.delivery.releases import Release, sha256
from shipyard.paths import workdir
from shipyard.runtime import processes


class DeployRefused(RuntimeError):
    """The environment will not run this release; the message says why. Refused before the
    deploy began, nothing changed; a release that began but did not start has taken the old
    process with it (the environment recreates its one process), and the message says so."""


Smoke = Callable[[str], bool]  # a check of a running service, given its URL


SMOKE_SECONDS = 10  # a smoke check's request: generous, as a busy shared machine needs


def healthy(url: str) -> bool:
    return httpx.get(f"{url}/health", timeout=SMOKE_SECONDS).status_code == 200


class Environment:
    def __init__(self, name: str, index: PackageIndex, log: ReleaseLog, *, app: str = "payments.app:app",
                 needs: tuple[str, ...] = (), env: Mapping[str, str] | None = None,
                 smoke: Mapping[str, Smoke] | None = None):
        """`needs`: what a release must have before it may run here: "staging" (a passed smoke
        test in staging) and "approval" (someone approved it in the log). `smoke`: what
        `smoke_test()` checks, by name (by default, that it is healthy)."""
        unknown = set(needs) - {"staging", "approval"}
        if unknown:
            raise ValueError(f"an environment can need 'staging' or 'approval', not {', '.join(sorted(unknown))}")
        self.name, self.index, self.log, self.app, self.needs = name, index, log, app, needs
        self.env = dict(env or {})
        self.instance: services.Service | None = None
        self.release: Release | None = None
        self.deploying: Release | None = None
        self.sha256: str | None = None  # of the file this environment fetched and installed
        self.smoke: dict[str, Smoke] = dict(smoke or {"healthy": healthy})
        self.folder = Path(tempfile.mkdtemp(prefix=f"environment-{name}-", dir=workdir()))

    def refusal(self, release: Release) -> str | None:
        """Why this environment would not run `release`, or None if it would."""
        if "staging" in self.needs and not self.log.has("smoke-tested", release, environment="staging", passed=True):
            return f"{release.version} has not passed staging: a release reaches {self.name} only after its smoke test passed there"
        if "approval" in self.needs and not self.log.has("approved", release):
            return f"{release.version} is not approved: {self.name} needs someone's approval in the release log"
        return None

    def deploy(self, release: Release, timeout: float = 20) -> services.Service:
        """Run `release` here; raises DeployRefused, with nothing changed, when it may not."""
        started = time.perf_counter()
        if (why := self.refusal(release)) is not None:
            raise DeployRefused(why)
        spec, wheel = self.install(release)
        self.deploying = release  # what a check of a new version's instances expects (a preview's)
        try:
            self._run(release, spec, timeout)
        finally:
            self.deploying = None
        self.release, self.sha256 = release, sha256(wheel)
        self.log.record("deployed", release, environment=self.name, seconds=round(time.perf_counter() - started, 3))
        return self.instance

    def install(self, release: Release) -> tuple[services.Spec, Path]:
        """The release's file fetched from the index and checked, installed into its own folder:
        what a process of it runs, and the file."""
        folder = self.folder / release.version
        wheel = self._fetch(release, folder)
        site = folder / "site"
        # The file, not a name: uv installs exactly the bytes just checked. --no-deps: the
        # service's dependencies come from the course's Python (a team's index mirrors PyPI).
        done = processes.run([sys.executable, "-m", "uv", "pip", "install", "--quiet", "--no-config", "--offline",
                              "--no-cache", "--no-deps", "--python", sys.executable, "--target", str(site), str(wheel)],
                             timeout=120)
        if done.returncode:
            raise DeployRefused(f"uv could not install {wheel.name}: {(done.stdout + done.stderr).strip()}")
        return services.Spec(self.app, (site,)), wheel

    def _run(self, release: Release, spec: services.Spec, timeout: float) -> None:
        """Replace what runs here by `spec`: this environment recreates its one process (lesson
        07's environments choose a strategy instead)."""
        try:
            if self.instance is None:
                self.instance = services.Service(self.name, spec, self.env)
                self.instance.launch().wait_healthy(timeout)
            else:  # the same address, the new version's process
                self.instance.spec = spec
                self.instance.restart(timeout=timeout)
        except services.ServiceFailed as failure:  # the old process is gone too: nothing runs here now
            self.release = self.sha256 = None
            self.log.record("deploy failed", release, environment=self.name)
            raise DeployRefused(f"{release.version} did not start in {self.name}, where nothing runs now: "
                                f"{failure}") from None

    def smoke_test(self, checks: Mapping[str, Smoke] | None = None) -> bool:
        """Run the checks against the running release and record the verdict in the log."""
        if self.instance is None or self.release is None:
            raise DeployRefused(f"nothing runs in {self.name}: deploy a release first")
        checks = checks or self.smoke
        failed = []
        for name, check in checks.items():
            try:
                if not check(self.instance.url):
                    failed.append(name)
            except Exception as error:  # noqa: BLE001 (a check that raises has failed, and says how)
                failed.append(f"{name} ({type(error).__name__}: {error})")
        self.log.record("smoke-tested", self.release, environment=self.name, passed=not failed, failed=failed)
        return not failed

    def stop(self) -> None:
        if self.instance is not None:
            self.instance.stop()

    @property
    def flags_path(self) -> Path | None:
        """The flag file its service reads (FLAGS_PATH), if it has one."""
        return Path(self.env["FLAGS_PATH"]) if self.env.get("FLAGS_PATH") else None

    @property
    def url(self) -> str | None:
        return self.instance.url if self.instance else None

    def _fetch(self, release: Release, folder: Path) -> Path:
        """The release's file as the index serves it, kept in the environment's folder; its
        sha256 must be the release record's."""
        link = self.index.link(release.wheel.name)
        if link is None:
            raise DeployRefused(f"the index holds no {release.wheel.name}: publish the release first")
        folder.mkdir(parents=True, exist_ok=True)
        wheel = folder / release.wheel.name
        wheel.write_bytes(httpx.get(link, timeout=10).raise_for_status().content)
        if (found := sha256(wheel)) != release.sha256:
            raise DeployRefused(f"{release.wheel.name} from the index has sha256 {found[:12]}…, but the release "
                                f"record says {release.sha256[:12]}…: this is not the file that was built and tested")
        return wheel

    def __repr__(self) -> str:
        running = f"{self.release.version} at {self.url}" if self.release and self.instance.alive else "nothing running"
        return f"<Environment {self.name}: {running}>"

