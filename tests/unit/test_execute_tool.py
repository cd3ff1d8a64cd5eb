"""The tool that runs a notebook as Restart & Run All (the benchmark's, and how lessons and
solutions get their stored outputs)."""
import os

import nbformat
import psutil
from nbformat.v4 import new_code_cell, new_notebook

from shipyard.tools.execute import execute


def test_a_notebook_runs_in_a_kernel_on_unix_sockets_that_is_gone_with_its_folder_after(tmp_path):
    path = tmp_path / "probe.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(
        "import json, os\nfrom ipykernel.connect import get_connection_file\n"
        "print(json.load(open(get_connection_file()))['transport'], get_connection_file())")]), path)
    before = set(psutil.Process().children(recursive=True))
    run = execute(path)
    transport, connection_file = run.notebook.cells[0].outputs[0]["text"].split()
    assert transport == "ipc"
    assert set(psutil.Process().children(recursive=True)) <= before
    assert not os.path.exists(os.path.dirname(connection_file))
