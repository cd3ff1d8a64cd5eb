"""A kernel killed with SIGKILL in the middle of a lesson leaves nothing behind."""
import os
import signal
import socket
import time

import psutil
import pytest
from jupyter_client.manager import start_new_kernel

from kernels import read
from shipyard.paths import NOTEBOOKS


def services_of(kernel: psutil.Process) -> list[psutil.Process]:
    return [p for p in kernel.children(recursive=True) if "shipyard.runner" in " ".join(p.cmdline())]


def listening_ports(processes) -> dict[int, str]:
    """Each port listened on, and by which process (for the failure message)."""
    return {c.laddr.port: " ".join(process.cmdline())[:100] for process in processes
            for c in process.net_connections("inet") if c.status == psutil.CONN_LISTEN}


def running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def bound(port: int) -> bool:
    """Is anything still listening there? (SO_REUSEADDR: closed connections lingering in
    TIME_WAIT are TCP's normal goodbye, not a process holding the port.)"""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            return False
        except OSError:
            return True


@pytest.mark.parametrize("lesson", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_a_kernel_killed_mid_lesson_leaves_no_process_and_no_port_behind(lesson):
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(NOTEBOOKS))
    kernel = psutil.Process(manager.provisioner.process.pid)
    try:
        cells = [c.source for c in read(NOTEBOOKS / lesson).cells if c.cell_type == "code"]
        ran = 0
        while not services_of(kernel) and ran < len(cells):  # run until the lesson has services
            client.execute_interactive(cells[ran], timeout=60)
            ran += 1
        assert services_of(kernel), f"{lesson} never started a service, so this test proves nothing"
        started = kernel.children(recursive=True)  # services, and a broker with its tether
        pids = [p.pid for p in started]
        jupyter = {port for key, port in manager.get_connection_info().items() if key.endswith("_port")}
        ports = {port: who for port, who in listening_ports([kernel, *started]).items() if port not in jupyter}
        if ran < len(cells):
            client.execute(cells[ran])  # mid-run: the next cell is executing when the kill lands
            time.sleep(0.3)
        os.kill(kernel.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5  # the promise: five seconds later, nothing is left
        while True:
            alive = [pid for pid in pids if running(pid)]
            held = {port: who for port, who in ports.items() if bound(port)}
            if not alive and not held:
                break
            assert time.monotonic() < deadline, f"5 s after the kill, still alive: {alive}; ports still bound: {held}"
            time.sleep(0.05)
    finally:
        client.stop_channels()
        manager.cleanup_resources()
