"""Run notebooks the way a learner's kernel does."""
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from shipyard.tools.kernels import forget, ipc_manager


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
    manager = ipc_manager()  # Unix sockets, not TCP ports (shipyard/tools/kernels.py)
    try:
        NotebookClient(combined, km=manager, timeout=timeout, resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        forget(manager)
    return [nbformat.v4.new_notebook(cells=combined.cells[a:b]) for a, b in bounds]
