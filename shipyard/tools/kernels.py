"""Kernels that talk over Unix sockets, not TCP: the tests', and those of `execute` (the
benchmark, and the stored outputs of lessons and solutions).

jupyter_client picks a kernel's TCP ports and frees them before the kernel binds them; with
kernels and services starting at once, another process can take one first (a browser test
once hung at "Connecting" that way). Socket paths may not pass 107 characters, so each
kernel gets a short folder of its own in the temporary folder (`forget` removes it)."""
import os
import shutil
import tempfile

from jupyter_client import KernelManager


def ipc_manager(kernel_name: str = "python3", **options) -> KernelManager:
    folder = tempfile.mkdtemp(prefix="k-")
    return KernelManager(kernel_name=kernel_name, transport="ipc", connection_file=os.path.join(folder, "k.json"),
                         **options)


def forget(manager: KernelManager) -> None:
    """End the manager's kernel if it still runs (nbclient leaves running a kernel whose
    manager it was handed) and remove its folder."""
    if manager.has_kernel:
        manager.shutdown_kernel()  # gracefully: the kernel cleans up after itself, as nbclient lets it
    shutil.rmtree(os.path.dirname(manager.connection_file), ignore_errors=True)


def start_ipc_kernel(startup_timeout: float = 60, kernel_name: str = "python3", manager_options: dict | None = None,
                     **kwargs):
    """jupyter_client's `start_new_kernel`, over Unix sockets: (manager, ready client)."""
    manager = ipc_manager(kernel_name, **(manager_options or {}))
    manager.start_kernel(**kwargs)
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=startup_timeout)
    except RuntimeError:
        client.stop_channels()
        manager.shutdown_kernel()
        raise
    return manager, client
