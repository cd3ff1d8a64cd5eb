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


def listening_ports(processes) -> set[int]:
    ports = set()
    for process in processes:
        ports |= {c.laddr.port for c in process.net_connections("inet") if c.status == psutil.CONN_LISTEN}
    return ports


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
        started = services_of(kernel)
        assert started, f"{lesson} never started a service, so this test proves nothing"
        pids = [p.pid for p in started]
        ports = listening_ports([kernel, *started])
        if ran < len(cells):
            client.execute(cells[ran])  # mid-run: the next cell is executing when the kill lands
            time.sleep(0.3)
        os.kill(kernel.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while any(psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE for pid in pids):
            assert time.monotonic() < deadline, f"services outlived the killed kernel: {pids}"
            time.sleep(0.05)
        assert [port for port in ports if bound(port)] == []
    finally:
        client.stop_channels()
        manager.cleanup_resources()
