"""Run a notebook top to bottom in a fresh kernel (Restart & Run All), measuring it.

    python -m shipyard.tools.execute notebooks/01-monolith-vs-microservices.ipynb --write

`--write` stores the outputs in the file: how lessons and solutions get theirs.
"""
import argparse
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

from shipyard.tools.kernels import forget, ipc_manager


@dataclass(frozen=True)
class Run:
    path: Path
    seconds: float
    peak_mb: float  # memory of the kernel plus all its children (PSS), at its highest
    notebook: nbformat.NotebookNode


class _PeakMemory(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, threading.Event()

    def run(self):
        while not self.done.wait(0.05):
            try:
                root = psutil.Process(self.pid)
                family = [root, *root.children(recursive=True)]
                self.peak = max(self.peak, sum(_memory(p) for p in family))
            except psutil.NoSuchProcess:
                return


def _memory(process: psutil.Process) -> int:
    """Its proportional set size: each page it shares (services forked by the zygote share the
    zygote's) counted as a share, so the family's sum is what the machine holds for it, as a
    container's memory limit counts it. Resident size where PSS is not available."""
    try:
        info = process.memory_full_info()
        return getattr(info, "pss", info.rss)
    except psutil.AccessDenied:
        return _resident(process)
    except psutil.Error:
        return 0


def _resident(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss
    except psutil.Error:
        return 0


def execute(path: Path, timeout: int = 300) -> Run:
    notebook = nbformat.read(path, as_version=4)
    manager = ipc_manager()  # Unix sockets: no TCP port to lose to another process starting at once
    client = NotebookClient(notebook, km=manager, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    sampler: list[_PeakMemory] = []

    def watch(**_):
        sampler.append(_PeakMemory(client.km.provisioner.process.pid))
        sampler[0].start()

    client.on_notebook_start = watch
    started = time.perf_counter()
    try:
        client.execute()
    finally:
        for s in sampler:
            s.done.set()
        forget(manager)
    seconds = time.perf_counter() - started
    return Run(path, seconds, sampler[0].peak / 2**20 if sampler else 0.0, notebook)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m shipyard.tools.execute")
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--write", action="store_true", help="store the new outputs in the files")
    args = parser.parse_args()
    for path in args.notebooks:
        run = execute(path)
        if args.write:
            nbformat.write(run.notebook, path)
        print(f"{path}: {run.seconds:.1f} s, peak {run.peak_mb:.0f} MB{' (written)' if args.write else ''}")


if __name__ == "__main__":
    main()
