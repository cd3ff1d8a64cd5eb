"""Has a process really ended, and let go of its port? (Shared by every folder of tests.)"""
import socket
import time

import psutil


def gone_within(pids, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE for pid in pids):
            return True
        time.sleep(0.05)
    return False


def listening(port: int) -> bool:
    """Does anything accept connections there? A connection, not a bind: on a busy machine a
    freed port is soon reused as some connection's local end, and a bind would fail."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except ConnectionRefusedError:
        return False
    except OSError:  # timed out: a listener too busy to answer is still a listener
        return True
