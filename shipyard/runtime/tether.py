"""The watchdog every child of the kernel carries, and a tether for programs that cannot.

The kernel hands each child the read end of a pipe whose write end only the kernel holds.
When the kernel exits for any reason, even SIGKILL, the OS closes that write end and a read
returns b"". `atexit` in the kernel could not promise that.

    python -m shipyard.runtime.tether --watchdog FD -- nats-server -p -1 ...

runs a program that knows nothing of pipes (a Go binary, git) and ends it the moment the
kernel is gone; SIGTERM is passed on, so stopping the tether stops the program.
"""
import argparse
import os
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Callable


def on_parent_death(watchdog_fd: int, then: Callable[[], None]) -> threading.Thread:
    """Call `then` (on a daemon thread) once the kernel's end of the pipe is closed."""
    def watch() -> None:
        while os.read(watchdog_fd, 1):
            pass
        then()

    thread = threading.Thread(target=watch, name="watchdog", daemon=True)
    thread.start()
    return thread


def parent_gone(watchdog_fd: int) -> bool:
    """Without blocking or a thread: is the kernel's end closed? For a process that must stay
    single-threaded (`shipyard.runtime.zygote` forks)."""
    return bool(select.select([watchdog_fd], [], [], 0)[0]) and not os.read(watchdog_fd, 1)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m shipyard.runtime.tether")
    parser.add_argument("--watchdog", type=int, required=True, help="pipe that closes when the parent dies")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- program and its arguments")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the program to run after --")
    program = subprocess.Popen(command)  # its output goes where ours goes

    def end_program() -> None:
        # Started as a group leader (the kernel sees to it), the tether ends its whole group:
        # the program and whatever it started (a shell's `sleep`, a test's services).
        if os.getpgid(0) == os.getpid():
            os.killpg(0, signal.SIGKILL)
        program.kill()
        os._exit(1)

    on_parent_death(args.watchdog, end_program)
    signal.signal(signal.SIGTERM, lambda *_: program.terminate())
    sys.exit(program.wait())


if __name__ == "__main__":
    main()
