"""Run notebooks the way a learner's kernel does."""
import os
import shutil
import tempfile
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from nbclient import NotebookClient


def read(path: Path):
    return nbformat.read(path, as_version=4)


def run_in_one_kernel(notebooks: list, cwd: Path, timeout: int = 300):
    """Execute the notebooks one after another in a single kernel, as one learner would
    (without restarting); returns each notebook's executed copy."""
    combined = nbformat.v4.new_notebook(metadata=notebooks[0].metadata)
    bounds = []
    for notebook in notebooks:
        start = len(combined.cells)
        combined.cells.extend(nbformat.from_dict(cell) for cell in notebook.cells)
        bounds.append((start, len(combined.cells)))
    # Kernels talk over Unix sockets, not TCP: jupyter_client picks TCP ports and frees them
    # before the kernel binds them, and with many kernels and services starting at once
    # another process could take one first. Socket paths may not pass 107 characters: a short
    # folder of its own holds them.
    folder = tempfile.mkdtemp(prefix="k-")
    try:
        manager = KernelManager(kernel_name="python3", transport="ipc", connection_file=os.path.join(folder, "k.json"))
        try:
            NotebookClient(combined, km=manager, timeout=timeout, resources={"metadata": {"path": str(cwd)}}).execute()
        finally:  # a client given its manager leaves the kernel running: end it as a learner's would end
            if manager.has_kernel:
                manager.shutdown_kernel()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return [nbformat.v4.new_notebook(cells=combined.cells[a:b]) for a, b in bounds]
