"""Run notebooks the way a learner's kernel does, and compare what they show."""
import configparser
import os
import re
import shutil
import tempfile
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from nbclient import NotebookClient

from shipyard.paths import ROOT

IGNORE = "nbval-ignore-output"


def sanitizers() -> list[tuple[re.Pattern, str]]:
    """The same replacements nbval applies (ports, durations, temp paths...)."""
    config = configparser.ConfigParser()
    config.read(ROOT / "tests" / "nbval-sanitize.cfg")
    return [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]


def shown(cell) -> str:
    """What a code cell shows, as text, sanitized: streams and text/plain results."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", "") or output.get("data", {}).get("text/plain", ""))
        if output.get("output_type") == "error":
            parts.append(f"{output['ename']}: {output['evalue']}")
    text = "".join(parts)
    for pattern, replacement in sanitizers():
        text = pattern.sub(replacement, text)
    return text


def compared_cells(notebook) -> list:
    return [c for c in notebook.cells if c.cell_type == "code" and IGNORE not in c.metadata.get("tags", [])]


def mismatches(reference, executed) -> list[str]:
    """Cells whose output differs from the committed one (cells nbval also compares)."""
    return [f"cell {i}: expected {shown(a)!r}, got {shown(b)!r}"
            for i, (a, b) in enumerate(zip(compared_cells(reference), compared_cells(executed)))
            if shown(a) != shown(b)]


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
