"""Start services as child processes of this kernel, wait for them, read their logs, stop them.

    catalog = start("catalog")                   # a sample service, by name
    mine = start("greeter:app", app_dir=folder)  # or any ASGI app, by import string
    catalog.url, catalog.logs(), catalog.stop()
    with start("payments") as payments: ...      # stopped on leaving the block
    shop = start_replicas("shop-monolith", 2)    # two processes behind one address
    shop.restart()                               # replaced one at a time

The rules that let thirty learners share one server (see `shipyard.runtime.runner`): the parent
binds 127.0.0.1 port 0 and hands the socket over, and every child dies with its parent.
"""
import html
import importlib.util
import os
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import httpx

from shipyard import instances
from shipyard.paths import SERVICES, workdir
from shipyard.runtime.processes import Child, running, stop_all  # noqa: F401 (the lessons' API)

CHASSIS = SERVICES / "chassis"


@dataclass(frozen=True)
class Spec:
    app: str  # import string of the ASGI app
    path: tuple[Path, ...]  # folders the child imports from


SHOP = {
    "catalog": Spec("catalog.app:app", (SERVICES / "catalog", CHASSIS)),
    "orders": Spec("orders.app:app", (SERVICES / "orders", CHASSIS)),
    "payments": Spec("payments.app:app", (SERVICES / "payments", CHASSIS)),
    "shop-monolith": Spec("shop_monolith.app:app", tuple(
        SERVICES / name for name in ("shop-monolith", "catalog", "orders", "payments", "chassis"))),
}


SHOP_APPS = {spec.app for spec in SHOP.values()}


class ServiceFailed(RuntimeError):
    """A service exited or did not become healthy; the message carries its last log lines."""


def _public_url(port: int) -> str:
    """The address a learner's browser can open: through jupyter-server-proxy on
    JupyterHub and Binder (which set JUPYTERHUB_SERVICE_PREFIX), else loopback."""
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    return f"{prefix.rstrip('/')}/proxy/{port}/" if prefix else f"http://127.0.0.1:{port}/"


def listening_socket() -> socket.socket:
    """127.0.0.1, a port the OS picks, held by this kernel and handed to children."""
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.bind(("127.0.0.1", 0))
    listening.listen(256)  # requests that arrive during a restart wait here, not refused
    return listening


class Service(Child):
    """One service: a listening socket held by this kernel, and the process serving it.
    The socket outlives the process: after `kill()` callers wait, and `restart()` serves
    them on the same address.

    `shared`: a listening socket the process serves as well, besides its own (this Service
    keeps it open until `stop()`): how `Replicas` put several processes behind one address."""

    def __init__(self, name: str, spec: Spec, env: Mapping[str, str] | None = None,
                 shared: socket.socket | None = None):
        super().__init__(name)
        self.spec, self.env, self.shared = spec, dict(env or {}), shared
        self.socket = listening_socket()
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    # -- life cycle ---------------------------------------------------------------------
    def launch(self) -> "Service":
        """Start the process without waiting for it (see `wait_healthy`)."""
        child_env = {**os.environ, "DATABASE_PATH": str(self.folder / "data.sqlite3"), **self.env}
        child_env["PYTHONPATH"] = os.pathsep.join(
            [*map(str, self.spec.path), *filter(None, [os.environ.get("PYTHONPATH")])])
        # The shared socket first: uvicorn opens them in order, so once this process answers
        # on its own address it is also taking connections from the shared one.
        fds = [sock.fileno() for sock in (self.shared, self.socket) if sock is not None]
        # A fork of the zygote, or else a new interpreter. Only the shop's services start a
        # zygote (run from their folders or installed from a release): a kernel that runs only
        # its own files (an exercise's checks) needs none.
        if not self._fork(self.spec.app, child_env, fds, start_zygote=self.spec.app in SHOP_APPS):
            self._spawn("shipyard.runtime.runner", [self.spec.app, *(f"--fd={fd}" for fd in fds)],
                        child_env, pass_fds=fds)
        return self

    def wait_healthy(self, timeout: float = 20) -> "Service":
        """Block until GET /health answers 200; raise ServiceFailed with the logs if it
        exits first or the deadline passes."""
        deadline = time.monotonic() + timeout
        # A request to a starting service waits in the socket's queue until it is served,
        # so one patient request beats many quick polls; poll() notices a crash in between.
        # verify=False: plain HTTP to loopback, so no CA bundle to load (30 ms, a third of a fork's start).
        with httpx.Client(timeout=1, verify=False) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise ServiceFailed(f"{self.name} exited with code {self.process.returncode}.\n"
                                        f"Its last log lines:\n{self.logs()}")
                try:
                    if client.get(self.url + "/health").status_code == 200:
                        return self
                except httpx.HTTPError:
                    pass  # not serving yet: the request waited in the socket's queue
        raise ServiceFailed(f"{self.name} was not healthy after {timeout:g} s.\n"
                            f"Its last log lines:\n{self.logs()}")

    def stop(self, timeout: float = 5) -> None:
        """Ask the process to finish (SIGTERM), kill it if it will not, release the port."""
        super().stop(timeout)
        self.socket.close()
        if self.shared is not None:
            self.shared.close()

    def restart(self, env: Mapping[str, str] | None = None, timeout: float = 20) -> "Service":
        """Redeploy: stop the process and start a new one on the same port, perhaps with
        new configuration. Requests in between queue on the socket."""
        self._end_process(signal.SIGTERM, 5)
        self.env.update(env or {})
        return self.launch().wait_healthy(timeout)

    @property
    def ids(self) -> list[str]:
        return [str(self.pid)] if self.pid else []

    def health(self, timeout: float = 1) -> str:
        return instances.health(self.url, timeout)

    @property
    def public_url(self) -> str:
        return _public_url(self.port)

    def __repr__(self) -> str:
        return f"<Service {self.name} at {self.url} {'running' if self.alive else 'stopped'}>"

    def _repr_html_(self) -> str:
        state = "running" if self.alive else "stopped"
        link = html.escape(self.public_url)
        return (f"<b>{html.escape(self.name)}</b> {state} at <a href='{link}docs' target='_blank'>"
                f"{link}</a> (API docs at <code>/docs</code>)")


def _spec(name: str, app_dir: str | Path | None) -> Spec:
    if name in SHOP:
        return SHOP[name]
    if ":" in name:
        return Spec(name, (Path(app_dir or ".").resolve(),))
    raise ValueError(f"no service called {name!r}: use one of {', '.join(SHOP)} or 'module:app'")


def start(name: str, env: Mapping[str, str] | None = None, *, app_dir: str | Path | None = None,
          label: str | None = None, wait: bool = True, timeout: float = 20) -> Service:
    """Start a sample service by name ("catalog", "orders", "payments", "shop-monolith"), or
    any ASGI app by import string ("module:app", found in `app_dir`)."""
    service = Service(label or name.split(":")[0], _spec(name, app_dir), env).launch()
    if not wait:
        return service
    try:
        return service.wait_healthy(timeout)
    except ServiceFailed:
        service.stop()  # a process that never became healthy (hung, say) must not outlive the failed start
        raise


class Replicas:
    """`count` processes of one service behind one address, as a pre-fork server's workers
    are: each serves the same listening socket, and the OS hands every new connection to
    whichever of them accepts it first. They share one database. Each is also a `Service`
    of its own, with its own address, so its health can be asked of it alone.

    `restart()` is a rolling redeploy: one process at a time is replaced, and the others
    keep accepting connections meanwhile."""

    def __init__(self, name: str, spec: Spec, count: int = 2, env: Mapping[str, str] | None = None):
        if count < 1:
            raise ValueError("Replicas needs at least one process")
        self.name = name
        self.folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=workdir()))
        env = {"DATABASE_PATH": str(self.folder / "data.sqlite3"), **(env or {})}
        listening = listening_socket()
        self.port = listening.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        # Each process's Service holds its own descriptor of the one socket, and closes it on
        # stop(): the port is released when the last of them stops (stop_all included).
        self.members = [Service(f"{name}-{i}", spec, env, shared=listening.dup()) for i in range(1, count + 1)]
        listening.close()

    def launch(self) -> "Replicas":
        for member in self.members:
            member.launch()
        return self

    def wait_healthy(self, timeout: float = 20) -> "Replicas":
        for member in self.members:
            member.wait_healthy(timeout)
        return self

    def restart(self, env: Mapping[str, str] | None = None, timeout: float = 20) -> "Replicas":
        """Rolling redeploy: stop one process, start its replacement, wait until it is
        healthy, then the next. Perhaps with new configuration."""
        for member in self.members:
            member.restart(env, timeout)
        return self

    def stop(self, timeout: float = 5) -> None:
        for member in self.members:
            member.stop(timeout)

    def kill(self) -> None:
        """Crash every process (SIGKILL); the address stays held, callers wait."""
        for member in self.members:
            member.kill()

    @property
    def alive(self) -> bool:
        """Does at least one process serve the address?"""
        return any(member.alive for member in self.members)

    @property
    def pids(self) -> list[int | None]:
        return [member.pid for member in self.members]

    @property
    def ids(self) -> list[str]:
        return [id_ for member in self.members for id_ in member.ids]

    def health(self, timeout: float = 1) -> str:
        """What the shared address says: whichever process takes the connection answers."""
        return instances.health(self.url, timeout)

    def logs(self, lines: int = 20) -> str:
        return "\n".join(f"--- {member.name}\n{member.logs(lines)}" for member in self.members)

    @property
    def public_url(self) -> str:
        return _public_url(self.port)

    def __enter__(self) -> "Replicas":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        alive = sum(member.alive for member in self.members)
        return f"<Replicas {self.name} at {self.url}: {alive} of {len(self.members)} running>"


def start_replicas(name: str, count: int = 2, env: Mapping[str, str] | None = None, *,
                   app_dir: str | Path | None = None, timeout: float = 20) -> Replicas:
    """`count` processes of a service behind one address (see `Replicas`), named as for
    `start`: a sample service, or "module:app" found in `app_dir`."""
    replicas = Replicas(name.split(":")[0], _spec(name, app_dir), count, env).launch()
    try:
        return replicas.wait_healthy(timeout)
    except ServiceFailed:
        replicas.stop()  # none of them may outlive the failed start
        raise


def start_shop(architecture: str, env: Mapping[str, str] | None = None, broker=None) -> dict[str, Service]:
    """The shop as one monolith ("monolith"); as catalog + payments + orders side by side,
    orders calling payments over HTTP ("services"); or the same three with orders and
    payments passing events through `broker`, a `shipyard.bus.Broker` ("events")."""
    if architecture == "monolith":
        return {"shop-monolith": start("shop-monolith", env)}
    if architecture not in ("services", "events"):
        raise ValueError("architecture is 'monolith', 'services' or 'events'")
    env = dict(env or {})
    if architecture == "events":
        if broker is None:
            raise ValueError("the events shop needs a broker: start one with shipyard.bus.start()")
        env.update(EVENTS_URL=broker.url)
    catalog, payments = start("catalog", env, wait=False), start("payments", env, wait=False)
    # Ports are bound before any child runs, so orders can be told where its peers are now.
    orders_env = {**env, "CATALOG_URL": catalog.url, "PAYMENTS_URL": payments.url,
                  "PAYMENT_FLOW": "events" if architecture == "events" else "http"}
    orders = start("orders", orders_env, wait=False)
    return {service.name: service.wait_healthy() for service in (catalog, payments, orders)}


def import_module(service: str, module: str) -> ModuleType:
    """Import a sample service's module into this kernel (for in-process tests with
    TestClient or its own clients): `import_module("payments", "payments.app")`."""
    for folder in map(str, SHOP[service].path):
        if folder not in sys.path:
            sys.path.append(folder)
    return importlib.import_module(module)


def load(path: str | Path) -> ModuleType:
    """Import a service's module from its file, afresh each call: for testing it in-process
    (with TestClient) right after a notebook cell rewrote it."""
    path = Path(path)
    spec = importlib.util.spec_from_file_location(f"{path.stem}_{time.monotonic_ns()}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
