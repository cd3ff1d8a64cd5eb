"""shipyard.services: real child processes, on ports nobody picked by hand."""
import os
import signal
import time

import httpx
import psutil
import pytest
from ends import gone_within, listening

from shipyard import services
from shipyard.runtime import forked
from shipyard.tools.kernels import start_ipc_kernel


def test_a_started_service_is_healthy_on_loopback_with_its_own_data():
    catalog = services.start("catalog")
    assert catalog.url.startswith("http://127.0.0.1:")
    assert httpx.get(catalog.url + "/health").json()["service"] == "catalog"
    assert (catalog.folder / "data.sqlite3").exists()


def test_two_copies_of_a_service_get_different_ports_and_separate_data():
    first, second = services.start("catalog"), services.start("catalog")
    assert first.port != second.port
    httpx.post(first.url + "/products/mouse/reserve", json={"quantity": 5})
    assert httpx.get(second.url + "/products/mouse").json()["stock"] == 10000


def test_stopping_a_service_ends_its_process_and_frees_its_port():
    catalog = services.start("catalog")
    pid, port = catalog.pid, catalog.port
    catalog.stop()
    assert gone_within([pid], 2) and not listening(port)
    assert services.running() == []


def test_a_context_manager_stops_the_service_on_leaving():
    with services.start("payments") as payments:
        pid = payments.pid
    assert gone_within([pid], 2)


def test_logs_hold_what_the_service_wrote():
    catalog = services.start("catalog")
    httpx.get(catalog.url + "/products/teapot")
    assert '"GET /products/teapot HTTP/1.1" 404' in catalog.logs()


def test_a_service_that_cannot_start_fails_fast_with_its_log(tmp_path):
    (tmp_path / "broken.py").write_text("import no_such_module\n")
    started = time.monotonic()
    with pytest.raises(services.ServiceFailed, match="No module named 'no_such_module'"):
        services.start("broken:app", app_dir=tmp_path)
    assert time.monotonic() - started < 10


def test_a_service_that_hangs_at_import_is_stopped_when_its_start_gives_up(tmp_path):
    (tmp_path / "hung.py").write_text("import time\n\ntime.sleep(600)\n")
    kernel = psutil.Process()
    before = {child.pid for child in kernel.children(recursive=True)}
    with pytest.raises(services.ServiceFailed, match="not healthy after 2 s"):
        services.start("hung:app", app_dir=tmp_path, timeout=2)
    left = [child for child in kernel.children(recursive=True)
            if child.pid not in before and child.pid != forked.zygote_pid()]  # the zygote is the kernel's, not the service's
    assert gone_within([child.pid for child in left], 2), "the hung service outlived its failed start"
    assert services.running() == []


def test_an_unknown_service_name_is_a_clear_error():
    with pytest.raises(ValueError, match="no service called 'inventory'"):
        services.start("inventory")


def test_a_restart_keeps_the_address_and_takes_new_configuration():
    payments = services.start("payments")
    url, old_pid = payments.url, payments.pid
    payments.restart({"PAYMENTS_LIMIT_CENTS": "100"})
    assert payments.url == url and payments.pid != old_pid
    assert httpx.post(url + "/payments", json={"order_id": "o-1", "amount_cents": 200}).json()["status"] == "declined"


def test_a_killed_service_stops_answering_and_can_be_restarted_at_the_same_address():
    catalog = services.start("catalog")
    catalog.kill()
    assert not catalog.alive
    with pytest.raises(httpx.TimeoutException):
        httpx.get(catalog.url + "/health", timeout=0.3)
    catalog.restart()
    assert httpx.get(catalog.url + "/health").status_code == 200


def test_on_a_hub_the_url_for_the_browser_goes_through_the_proxy(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    catalog = services.start("catalog")
    assert catalog.public_url == f"/user/ada/proxy/{catalog.port}/"
    assert f"href='/user/ada/proxy/{catalog.port}/docs'" in catalog._repr_html_()
    assert catalog.url.startswith("http://127.0.0.1:")  # code still talks to it directly


def test_services_die_with_their_kernel_even_when_it_is_killed_with_sigkill():
    manager, client = start_ipc_kernel()
    try:
        printed = []
        client.execute_interactive(
            "from shipyard import services\n"
            "shop = services.start_shop('services')\n"
            "print(*[s.pid for s in shop.values()], *[s.port for s in shop.values()])",
            output_hook=lambda msg: printed.append(msg["content"].get("text", "")), timeout=60)
        numbers = [int(n) for n in "".join(printed).split()]
        pids, ports = numbers[:3], numbers[3:]
        assert len(pids) == 3 and all(psutil.pid_exists(pid) for pid in pids)
        os.kill(manager.provisioner.process.pid, signal.SIGKILL)
        assert gone_within(pids, 5), "a service outlived its killed kernel"
        # Within the same 5 s: the zygote that forked them ends on its own watchdog, a moment later.
        deadline = time.monotonic() + 5
        while (held := [port for port in ports if listening(port)]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not held, f"still listening after the kernel was killed: {held}"
    finally:
        client.stop_channels()
        manager.cleanup_resources()


def test_a_tethered_program_that_ignores_sigterm_is_killed_with_its_tether_when_stop_gives_up():
    """A broker slow to shut down once outlived a test run: stop() killed the tether alone,
    and the program it tethered went on, orphaned. stop() must end the whole group."""
    from shipyard.runtime.processes import Child

    child = Child("stubborn")
    child._spawn("shipyard.runtime.tether", ["--", "sh", "-c", "trap '' TERM; sleep 996 & wait"], os.environ)
    deadline = time.monotonic() + 10
    while not (found := [p for p in psutil.process_iter(["cmdline"])
                         if p.info["cmdline"] == ["sleep", "996"] and os.getpgid(p.pid) == child.pid]):
        assert time.monotonic() < deadline, "the program never started"
        time.sleep(0.05)
    child.stop(timeout=0.5)
    assert gone_within([p.pid for p in found], 5)
