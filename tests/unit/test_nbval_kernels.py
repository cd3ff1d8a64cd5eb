"""nbval's kernels talk over Unix sockets (the root conftest.py), like every other kernel the
tests start: no TCP port is picked, freed, and then taken by a service starting meanwhile."""
from nbval.kernel import RunningKernel


def test_a_kernel_nbval_starts_talks_over_unix_sockets_and_runs_code(tmp_path):
    kernel = RunningKernel("python3", cwd=str(tmp_path))
    try:
        assert kernel.km.get_connection_info()["transport"] == "ipc"
        assert kernel.km.is_alive()
    finally:
        kernel.stop()
