"""Services forked by the kernel's zygote keep every promise a new interpreter kept."""
import os
import shutil
import signal
import subprocess
import sys
import textwrap

import httpx
import psutil
import pytest
from ends import gone_within, listening

from shipyard import services
from shipyard.paths import ROOT, SERVICES
from shipyard.runtime import forked

pytestmark = pytest.mark.skipif(not forked._supported(), reason="no pidfds here (Linux 5.3+): services are spawned")

# A learner's kind of service: it tells what it holds, and can be made to exit or to ignore SIGTERM.
PROBE = textwrap.dedent('''
    import logging, os, random, signal, sys, threading
    from fastapi import FastAPI

    app = FastAPI()


    def kind(fd):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            return "gone"
        return target.split(":")[0] if target.startswith(("socket:", "pipe:")) else target.replace(os.getcwd(), "FOLDER")


    @app.get("/health")
    async def health():
        return {"status": "ok"}


    @app.get("/state")
    async def state():
        folder = os.getcwd()
        return {"random": random.getrandbits(64), "cwd": folder,
                "env": {k: v.replace(folder, "FOLDER") for k, v in os.environ.items()},
                "path": [entry.replace(folder, "FOLDER") for entry in sys.path],
                "threads": sorted(thread.name for thread in threading.enumerate()),
                "handlers": {name or "root": [type(h).__name__ for h in logging.getLogger(name).handlers]
                             for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access")},
                # sockets apart: a connection the kernel just closed may not be closed here yet
                "fds": sorted(k for k in map(kind, os.listdir("/proc/self/fd")) if k not in ("socket", "gone"))}


    @app.post("/exit/{code}")
    async def leave(code: int):
        os._exit(code)


    @app.post("/ignore-sigterm")
    async def ignore_sigterm():
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
''')


@pytest.fixture
def probe_dir(tmp_path):
    """The probe's folder, with a zygote running: a sample service started it (a learner's
    file alone starts none) and keeps it up (it ends when the last forked service stops)."""
    (tmp_path / "probe.py").write_text(PROBE)
    services.start("catalog", label="keeps-the-zygote")
    return tmp_path


def forked_by_the_zygote(service) -> bool:
    zygote = forked.zygote_pid()
    return zygote is not None and psutil.Process(service.pid).ppid() == zygote


def test_a_sample_service_is_forked_by_the_zygote_not_started_as_a_new_interpreter():
    catalog = services.start("catalog")
    assert forked_by_the_zygote(catalog)
    assert "shipyard.runtime.runner --zygote" in " ".join(psutil.Process(forked.zygote_pid()).cmdline())
    assert httpx.get(catalog.url + "/health").json()["service"] == "catalog"


def test_a_forked_service_starts_with_what_a_new_interpreter_would_have(probe_dir, monkeypatch):
    env = {"GREETING": "hello"}
    fork = services.start("probe:app", env, app_dir=probe_dir)
    monkeypatch.setattr(forked, "ENABLED", False)
    spawned = services.start("probe:app", env, app_dir=probe_dir)
    assert forked_by_the_zygote(fork) and psutil.Process(spawned.pid).ppid() == os.getpid()
    seen = [httpx.get(service.url + "/state").json() for service in (fork, spawned)]
    for state, service in zip(seen, (fork, spawned)):
        assert state["cwd"] == str(service.folder) and state["env"]["GREETING"] == "hello"
        assert state["threads"] == ["MainThread", "watchdog"]  # no thread or loop came with the fork
    for aspect in ("env", "path", "handlers", "fds"):
        assert seen[0][aspect] == seen[1][aspect], aspect
    for service in (fork, spawned):
        held = psutil.Process(service.pid).net_connections("inet")
        assert {c.laddr.port for c in held if c.status == psutil.CONN_LISTEN} == {service.port}


def test_two_forked_siblings_share_no_random_state_connections_or_folders(probe_dir):
    first, second = (services.start("probe:app", app_dir=probe_dir) for _ in range(2))
    assert forked_by_the_zygote(first) and forked_by_the_zygote(second)
    draws = [httpx.get(service.url + "/state").json() for service in (first, second)]
    assert draws[0]["random"] != draws[1]["random"]
    assert draws[0]["cwd"] != draws[1]["cwd"]
    for service, sibling in ((first, second), (second, first)):
        process = psutil.Process(service.pid)
        ports = {connection.laddr.port for connection in process.net_connections("inet")}
        assert ports == {service.port}, "it holds a socket that is not its own"
        files = {file.path for file in process.open_files()}
        assert str(service.log_path) in files and not any(path.startswith(str(sibling.folder)) for path in files)


def test_a_restarted_forked_service_keeps_its_address_and_is_forked_again():
    payments = services.start("payments")
    url, old_pid = payments.url, payments.pid
    payments.restart({"PAYMENTS_LIMIT_CENTS": "100"})
    assert payments.url == url and payments.pid != old_pid and forked_by_the_zygote(payments)
    assert httpx.post(url + "/payments", json={"order_id": "o-1", "amount_cents": 200}).json()["status"] == "declined"
    payments.kill()
    assert not payments.alive
    payments.restart()
    assert httpx.get(url + "/health").status_code == 200


def test_a_kernel_that_starts_only_learner_files_starts_no_zygote(tmp_path):
    (tmp_path / "mine.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\napp.get('/health')(lambda: {})\n")
    mine = services.start("mine:app", app_dir=tmp_path)
    assert forked.zygote_pid() is None and psutil.Process(mine.pid).ppid() == os.getpid()


def test_when_the_last_forked_service_stops_the_zygote_ends_too():
    kernel = psutil.Process()
    before = {child.pid for child in kernel.children(recursive=True)}
    catalog, payments = services.start("catalog"), services.start("payments")
    zygote = forked.zygote_pid()
    catalog.stop()
    assert forked.zygote_pid() == zygote, "payments still runs"
    payments.stop()
    assert forked.zygote_pid() is None and not psutil.pid_exists(zygote)
    assert [child for child in kernel.children(recursive=True) if child.pid not in before] == []


def test_a_learner_service_file_given_by_path_starts(tmp_path):
    (tmp_path / "greeter.py").write_text(
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/health')\ndef health():\n    return {'hello': 'learner'}\n")
    greeter = services.start("greeter:app", app_dir=tmp_path)
    assert httpx.get(greeter.url + "/health").json() == {"hello": "learner"}


def test_a_copy_of_a_sample_service_elsewhere_is_forked_and_runs_its_own_code(tmp_path):
    # A release installed from its wheel, or a learner's changed copy: the fork forgets the
    # zygote's catalog and imports this one, as a new interpreter would.
    shutil.copytree(SERVICES / "catalog" / "catalog", tmp_path / "catalog")
    init = tmp_path / "catalog" / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "', '__version__ = "9.9.9-copy-of-'))
    copy = services.start("catalog.app:app", app_dir=tmp_path)
    assert forked_by_the_zygote(copy)
    assert httpx.get(copy.url + "/health").json()["version"].startswith("9.9.9-copy-of-")
    original = services.start("catalog")  # and the zygote still forks the catalog of the sample services
    assert forked_by_the_zygote(original) and not httpx.get(original.url + "/health").json()["version"].startswith("9.9.9")


def test_a_changed_copy_of_the_chassis_runs_its_own_code_in_a_new_interpreter(tmp_path):
    # The chassis is imported by every preloaded service module: a fork cannot swap it.
    shutil.copytree(SERVICES / "catalog" / "catalog", tmp_path / "catalog")
    shutil.copytree(SERVICES / "chassis" / "shop_chassis", tmp_path / "shop_chassis")
    init = tmp_path / "catalog" / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "', '__version__ = "9.9.9-copy-of-'))
    copy = services.start("catalog.app:app", app_dir=tmp_path)
    assert httpx.get(copy.url + "/health").json()["version"].startswith("9.9.9-copy-of-")
    assert psutil.Process(copy.pid).ppid() == os.getpid(), "the zygote's catalog is not this copy: no fork"


def test_after_a_module_the_zygote_imported_changes_on_disk_services_run_the_new_code(tmp_path, monkeypatch):
    services.stop_all()  # the next zygote starts with this PYTHONPATH, so it imports sitecustomize from there
    (tmp_path / "sitecustomize.py").write_text("VERSION = 1\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    first = services.start("catalog")
    assert forked_by_the_zygote(first)
    (tmp_path / "sitecustomize.py").write_text("VERSION = 2  # changed: the zygote's copy is stale\n")
    second = services.start("catalog")
    assert psutil.Process(second.pid).ppid() == os.getpid(), "forked from a zygote holding the old code"
    third = services.start("catalog")
    assert forked_by_the_zygote(third), "a new zygote, with the new code, forks again"
    assert first.alive and httpx.get(first.url + "/health").status_code == 200  # the old zygote still serves its own


def test_a_service_whose_environment_changes_how_python_starts_is_not_forked(probe_dir):
    unbuffered = services.start("probe:app", {"PYTHONUNBUFFERED": "1", "PYTHONHASHSEED": "7"}, app_dir=probe_dir)
    assert psutil.Process(unbuffered.pid).ppid() == os.getpid(), "a fork would ignore PYTHONUNBUFFERED"


def test_the_exit_code_of_a_crashing_forked_service_is_reported(probe_dir):
    probe = services.start("probe:app", app_dir=probe_dir)
    assert forked_by_the_zygote(probe)
    with pytest.raises(httpx.HTTPError):
        httpx.post(probe.url + "/exit/7")
    assert probe.wait_exit() == 7 and not probe.alive


def test_a_forked_service_that_fails_at_import_says_so_with_its_exit_code(probe_dir):
    (probe_dir / "quitter.py").write_text("import sys\n\nprint('giving up')\nsys.exit(3)\n")
    with pytest.raises(services.ServiceFailed, match="(?s)exited with code 3.*giving up"):
        services.start("quitter:app", app_dir=probe_dir)


def test_stopping_a_forked_service_that_ignores_sigterm_kills_it(probe_dir):
    probe = services.start("probe:app", app_dir=probe_dir)
    httpx.post(probe.url + "/ignore-sigterm")
    pid = probe.pid
    probe.stop(timeout=1)
    assert gone_within([pid], 2) and not listening(probe.port)


def test_forked_services_die_with_their_zygote_and_the_next_start_forks_again():
    catalog, payments = services.start("catalog"), services.start("payments")
    zygote = forked.zygote_pid()
    os.kill(zygote, signal.SIGKILL)
    assert gone_within([catalog.pid, payments.pid], 5), "a service outlived its zygote"
    assert catalog.wait_exit() == -signal.SIGKILL and not payments.alive
    again = services.start("catalog")
    assert forked_by_the_zygote(again) and forked.zygote_pid() != zygote


def test_when_the_zygote_cannot_start_services_start_the_old_way(monkeypatch):
    services.stop_all()  # no zygote now
    monkeypatch.setattr(forked, "COMMAND", ["-m", "shipyard.no_such_zygote"])
    monkeypatch.setattr(forked, "_failures", 0)
    catalog = services.start("catalog")
    assert psutil.Process(catalog.pid).ppid() == os.getpid() and forked.zygote_pid() is None
    assert httpx.get(catalog.url + "/health").status_code == 200


def test_services_forked_for_a_kernel_killed_with_sigkill_are_gone_within_5_seconds():
    script = ("from shipyard import services\nfrom shipyard.runtime import forked\n"
              "shop = services.start_shop('services')\n"
              "print(forked.zygote_pid(), *[s.pid for s in shop.values()], *[s.port for s in shop.values()], flush=True)\n"
              "import time; time.sleep(600)\n")
    kernel = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        numbers = [int(n) for n in kernel.stdout.readline().split()]
        zygote, pids, ports = numbers[0], numbers[1:4], numbers[4:]
        assert all(psutil.Process(pid).ppid() == zygote for pid in pids), "they were not forked"
        kernel.kill()
        assert gone_within([zygote, *pids], 5), "the zygote or a service outlived its killed kernel"
        assert not any(listening(port) for port in ports)
    finally:
        kernel.kill()
        kernel.wait()
