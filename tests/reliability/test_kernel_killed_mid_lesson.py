"""A kernel killed with SIGKILL in the middle of a lesson leaves nothing behind."""
import os
import queue
import signal
import time
from pathlib import Path

import psutil
import pytest
from ends import listening
from kernels import read

from shipyard.paths import NOTEBOOKS
from shipyard.tools.kernels import start_ipc_kernel

MARKS = ("shipyard.runtime.runner", "shipyard.runtime.tether")  # what every child of a lesson runs under


def command_line(process: psutil.Process) -> str:
    """What a process runs; empty once it has ended (a CI step can finish as we look)."""
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def started_by(kernel: psutil.Process) -> list[psutil.Process]:
    """What the lesson started: services, a broker, CI steps (all run under shipyard.runtime.runner
    or shipyard.runtime.tether), and whatever those started in turn."""
    children = kernel.children(recursive=True)
    return children if any(m in command_line(p) for p in children for m in MARKS) else []


def run_until_something_is_started(client, kernel: psutil.Process, cells: list[str]) -> list[psutil.Process]:
    """Run the lesson cell by cell, watching while each runs; stop watching (the cell still
    running) the moment the lesson has started a process."""
    for source in cells:
        msg_id = client.execute(source)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if started := started_by(kernel):
                return started
            try:
                if client.get_shell_msg(timeout=0.05)["parent_header"].get("msg_id") == msg_id:
                    break  # the cell finished without starting anything that is still there
            except queue.Empty:
                pass
    return []


def listening_ports(processes) -> dict[int, str]:
    """Each port listened on, and by which process (for the failure message)."""
    ports = {}
    for process in processes:
        try:
            connections = process.net_connections("inet")
        except psutil.Error:
            continue  # ended already: it holds no port
        ports.update({c.laddr.port: command_line(process)[:100] for c in connections if c.status == psutil.CONN_LISTEN})
    return ports


def running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.parametrize("lesson", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_a_kernel_killed_mid_lesson_leaves_no_process_and_no_port_behind(lesson):
    manager, client = start_ipc_kernel(cwd=str(NOTEBOOKS))
    kernel = psutil.Process(manager.provisioner.process.pid)
    try:
        cells = [c.source for c in read(NOTEBOOKS / lesson).cells if c.cell_type == "code"]
        started = run_until_something_is_started(client, kernel, cells)  # a cell is mid-run now
        assert started, f"{lesson} never started a process, so this test proves nothing"
        pids = [p.pid for p in started]
        jupyter = {port for key, port in manager.get_connection_info().items() if key.endswith("_port")}
        ports = {port: who for port, who in listening_ports([kernel, *started]).items() if port not in jupyter}
        os.kill(kernel.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5  # the promise: five seconds later, nothing is left
        while True:
            alive = [pid for pid in pids if running(pid)]
            held = {port: who for port, who in ports.items() if listening(port)}
            if not alive and not held:
                break
            assert time.monotonic() < deadline, f"5 s after the kill, still alive: {alive}; still listening: {held}"
            time.sleep(0.05)
    finally:
        client.stop_channels()
        manager.cleanup_resources()


DELIVERING = """
from shipyard import ci, delivery
from shipyard.delivery import pipeline

shop, server = delivery.start(), ci.start()
shop.connect(server)
repo = pipeline.delivery_repository(server.clone("ana"))
repo.commit("payments, with its delivery pipeline")
release = delivery.build(repo.path, "payments")
shop.index.publish(release.wheel)
shop.staging.deploy(release)
server.wait(repo.push(), 120)  # killed while this run goes on
"""


def test_a_kernel_killed_while_it_delivers_leaves_no_index_environment_bridge_or_step_behind():
    manager, client = start_ipc_kernel(cwd=str(NOTEBOOKS))
    kernel = psutil.Process(manager.provisioner.process.pid)
    try:
        client.execute(DELIVERING)
        deadline = time.monotonic() + 120
        while not any(Path(command_line(p).split(" ")[0]).name == "act" for p in kernel.children(recursive=True)):
            assert time.monotonic() < deadline, "the delivery workflow never started"
            time.sleep(0.05)
        started = kernel.children(recursive=True)
        named = " ".join(command_line(p) for p in started)
        assert all(part in named for part in ("index_app", "shipyard.ci.bridge")), named
        # staging's payments: a new interpreter, or a fork of the zygote (which shows the zygote's command line)
        forks = sum("shipyard.runtime.runner --zygote" in command_line(p) for p in started)
        assert "payments.app" in named or forks >= 2, named
        jupyter = {port for key, port in manager.get_connection_info().items() if key.endswith("_port")}
        ports = {port: who for port, who in listening_ports([kernel, *started]).items() if port not in jupyter}
        os.kill(kernel.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while (alive := [p.pid for p in started if running(p.pid)]) or \
                (held := {port: who for port, who in ports.items() if listening(port)}):
            assert time.monotonic() < deadline, f"5 s after the kill, still alive: {alive}; still listening: {held}"
            time.sleep(0.05)
    finally:
        client.stop_channels()
        manager.cleanup_resources()
