"""The zygote: one process per kernel that has already imported FastAPI, uvicorn, the chassis
and the shop, and forks a service on request, so a service starts without paying for those
imports again. The kernel's side is `shipyard.runtime.forked`.

    python -m shipyard.runtime.runner --zygote --watchdog FD --control FD

(a mode of the runner: the zygote and every service it forks show as `shipyard.runtime.runner`).

It stays single-threaded and never runs an event loop, so a fork copies no thread, loop,
connection or logging handler. Each request brings, over the control socket (SCM_RIGHTS),
the service's own watchdog pipe, a pipe to report its exit code on, and its listening
sockets. A fork is refused (the kernel then starts a new interpreter, the old way) when it
would not run as a new interpreter would: a module the zygote imported is found elsewhere
on the service's path (a learner's changed copy of the chassis; a service's own package found
elsewhere, a release's, is forgotten and imported anew), a module file changed on disk, or the
service's environment sets what Python reads only as it starts (PYTHONUNBUFFERED, say).
One difference stays: siblings share str hashes' seed (PYTHONHASHSEED is per interpreter).
"""
import argparse
import atexit
import ctypes
import importlib
import importlib.machinery
import json
import os
import random
import selectors
import signal
import socket
import sys
import tempfile
import time

from shipyard.paths import SERVICES as SHOP
from shipyard.runtime.tether import parent_gone

PR_SET_PDEATHSIG = 1
# Read as Python or a preloaded module starts (PYTHONUNBUFFERED, locale, prometheus_client's
# multiprocess folder, coverage's hook...): a service that sets them otherwise is not forked.
STARTUP_ENV = ("PYTHON", "LC_", "LANG", "PROMETHEUS_", "prometheus_", "OTEL_PYTHON_", "COVERAGE_")
PRELOAD = [  # what every service imports, and the shop's modules that build nothing at import
    "fastapi", "uvicorn", "uvicorn.config", "uvicorn.server", "uvicorn.main", "uvicorn.loops.auto",
    "uvicorn.loops.asyncio", "uvicorn.protocols.http.auto", "uvicorn.protocols.http.h11_impl",
    "uvicorn.protocols.websockets.auto", "uvicorn.lifespan.on", "uvicorn.middleware.proxy_headers",
    "anyio._backends._asyncio", "anyio.streams.memory", "anyio.streams.stapled", "anyio.streams.tls",
    "fastapi.telemetry._runtime", "httpx", "nats", "shop_chassis", "shop_chassis.events", "shop_chassis.outbox", "shipyard.runtime.runner",
    "catalog.api", "orders.api", "orders.clients", "orders.events", "payments.api", "payments.events",
]


def preload(watchdog: int) -> dict[str, tuple[int, int]]:
    """Import PRELOAD; the (mtime, size) of every module file, to notice a changed one.
    Between imports it looks at the watchdog itself: a thread would outlive the preload."""
    base = list(sys.path)
    sys.path[1:1] = [str(SHOP / name) for name in ("catalog", "orders", "payments", "shop-monolith", "chassis")]
    for name in PRELOAD:
        if parent_gone(watchdog):
            os._exit(0)
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # an optional part (nats, say) missing: a service that needs it imports it itself
    sys.path[:] = base
    return {path: stamp for path in _module_files() if (stamp := _stamp(path))}


def _module_files() -> set[str]:
    return {file for module in list(sys.modules.values()) if isinstance(file := getattr(module, "__file__", None), str)}


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
        return info.st_mtime_ns, info.st_size
    except OSError:
        return None


def child_path(cwd: str, env: dict) -> list[str]:
    """sys.path as `python -m shipyard.runtime.runner` would have it in `cwd` with `env`."""
    extra = [entry for entry in env.get("PYTHONPATH", "").split(os.pathsep) if entry]
    return [cwd, *extra, *[entry for entry in BASE_PATH if entry not in extra]]


# The shop's service packages: each imports only itself, and nothing preloaded imports them, so a
# fork whose path holds another copy (a release, installed from its wheel; a learner's changed
# copy) forgets the preloaded one and imports its own, as a new interpreter would.
OWN_PACKAGES = {"catalog", "orders", "payments"}


def resolve(path: list[str]) -> tuple[str | None, list[str]]:
    """What `path` makes of the modules the zygote imported: the first it would find in
    another file (a learner's copy of the chassis, say: no fork), and those the fork must
    forget (the other services' packages, not on its path; its own, found in another copy)."""
    missing = []
    for name, module in list(sys.modules.items()):
        spec = getattr(module, "__spec__", None)
        if "." in name or name.startswith("__") or spec is None or spec.origin in ("built-in", "frozen"):
            continue
        found = importlib.machinery.PathFinder.find_spec(name, path)
        if found is None:
            missing.append(name)
        elif found.origin != spec.origin or (
                list(found.submodule_search_locations or []) != list(spec.submodule_search_locations or [])):
            if name not in OWN_PACKAGES:
                return name, missing
            missing.append(name)
    return None, missing


def _startup_env(env: dict) -> dict:
    return {key: value for key, value in env.items() if key.startswith(STARTUP_ENV) and key != "PYTHONPATH"}


def refusal(request: dict, stamps: dict) -> str | None:
    """Why this request must not be forked, or None. Notes in `request` what to forget."""
    if len(os.listdir("/proc/self/task")) != 1:
        return "the zygote is not single-threaded"
    if _startup_env(request["env"]) != _startup_env(ZYGOTE_ENV):
        return "its environment changes how Python or a preloaded module starts"
    if any(_stamp(path) != stamp for path, stamp in stamps.items()):
        return "stale"  # a module changed on disk: its old copy is in memory
    shadow, request["forget"] = resolve(child_path(request["cwd"], request["env"]))
    return None if shadow is None else f"{shadow} would be imported from elsewhere"


def become_service(request: dict, fds: list[int], zygote_fds: list[int], zygote: int) -> None:
    """In the forked child: cut every tie to the zygote, then run as `shipyard.runtime.runner` would."""
    code = 1
    try:
        os.setsid()  # its own group, as start_new_session gives: killpg reaches what it starts
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != zygote:  # the zygote died before prctl took effect
            os._exit(1)
        for fd in zygote_fds:  # its control socket, selector, other services' pipes: none are ours
            os.close(fd)
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        null = os.open(os.devnull, os.O_RDONLY)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(null, 0), os.dup2(log, 1), os.dup2(log, 2)
        os.close(null), os.close(log)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()  # TZ as its environment says
        tempfile.tempdir = None  # TMPDIR too
        sys.path[:] = child_path(request["cwd"], request["env"])
        for name in [name for name in sys.modules if name.split(".")[0] in request["forget"]]:
            del sys.modules[name]  # not on this service's path: a new interpreter would not have it
        importlib.invalidate_caches()
        random.seed()  # os.fork reseeds it too; siblings must never draw the same numbers
        watchdog, *sockets = fds
        sys.argv = ["shipyard.runtime.runner", request["app"], "--watchdog", str(watchdog), *(f"--fd={fd}" for fd in sockets)]
        from shipyard.runtime import runner
        runner.main()
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        if not isinstance(exit_.code, (int, type(None))):
            print(exit_.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 (whatever the service raised, it exits 1 as Python would)
        import traceback
        traceback.print_exc()
    finally:
        try:
            atexit._run_exitfuncs()
            sys.stdout.flush(), sys.stderr.flush()
        finally:
            os._exit(code)


def serve(watchdog: int, control: socket.socket, stamps: dict) -> None:
    """Answer fork requests until the kernel is gone; report each child's exit code."""
    selector = selectors.DefaultSelector()
    selector.register(watchdog, selectors.EVENT_READ, "watchdog")
    selector.register(control, selectors.EVENT_READ, "control")
    children: dict[int, tuple[int, int]] = {}  # pidfd -> (pid, status pipe)
    listening = True
    while listening or children:
        for key, _ in selector.select():
            if key.data == "watchdog":
                if parent_gone(watchdog):
                    os._exit(0)  # the kernel is gone: the services go with it (their own watchdogs)
            elif key.data == "control":
                message, fds, _, _ = socket.recv_fds(control, 1 << 20, 64)
                if not message:  # the kernel retired this zygote: live on while a service does
                    selector.unregister(control)
                    listening = False
                    continue
                request = json.loads(message)
                status, service_fds = fds[0], fds[1:]
                try:
                    reason = refusal(request, stamps)
                except Exception as error:  # noqa: BLE001 (a request must never end the zygote and its services)
                    reason = f"the zygote could not check it: {error!r}"
                if reason is not None:
                    for fd in fds:
                        os.close(fd)
                    listening = _reply(control, selector, {"refused": reason})
                    continue
                sys.stdout.flush(), sys.stderr.flush()  # else the child writes our buffer again
                others = [selector.fileno(), watchdog, control.fileno(), status,
                          *[fd for pidfd, (_, pipe) in children.items() for fd in (pidfd, pipe)]]
                zygote = os.getpid()
                pid = os.fork()
                if pid == 0:
                    become_service(request, service_fds, others, zygote)
                for fd in service_fds:
                    os.close(fd)  # the sockets are the service's and the kernel's, never ours
                pidfd = os.pidfd_open(pid)
                children[pidfd] = (pid, status)
                selector.register(pidfd, selectors.EVENT_READ, "child")
                listening = _reply(control, selector, {"pid": pid}, [pidfd])
            else:
                pid, status = children.pop(key.fd)
                selector.unregister(key.fd)
                _, wait_status = os.waitpid(pid, 0)
                try:
                    os.write(status, b"%d" % os.waitstatus_to_exitcode(wait_status))
                except OSError:
                    pass  # the kernel stopped listening (it closed its end)
                os.close(status), os.close(key.fd)


def _reply(control: socket.socket, selector: selectors.BaseSelector, answer: dict, fds=()) -> bool:
    """Answer the kernel; False if it no longer listens (it gave up on this zygote). The
    zygote lives on regardless: the services it forked die with it."""
    try:
        socket.send_fds(control, [json.dumps(answer).encode()], list(fds))
        return True
    except OSError:
        selector.unregister(control)
        return False


def main(argv: list[str] | None = None) -> None:
    global BASE_PATH
    parser = argparse.ArgumentParser(prog="python -m shipyard.runtime.runner --zygote")
    parser.add_argument("--watchdog", type=int, required=True, help="pipe that closes when the kernel dies")
    parser.add_argument("--control", type=int, required=True, help="Unix socket the kernel sends requests on")
    args = parser.parse_args(argv)
    control = socket.socket(fileno=args.control)
    ZYGOTE_ENV.update(os.environ)
    BASE_PATH = [entry for entry in sys.path[1:] if entry not in os.environ.get("PYTHONPATH", "").split(os.pathsep)]
    stamps = preload(args.watchdog)
    control.send(json.dumps({"ready": os.getpid()}).encode())
    serve(args.watchdog, control, stamps)


BASE_PATH: list[str] = []  # sys.path of a new interpreter, bar its folder and PYTHONPATH
ZYGOTE_ENV: dict[str, str] = {}  # the environment the zygote imported in
