"""The watchdog every child of the kernel carries, and a tether for programs that cannot.

The kernel hands each child the read end of a pipe whose write end only the kernel holds.
When the kernel exits for any reason, even SIGKILL, the OS closes that write end and a read
returns b"". `atexit` in the kernel could not promise that.

    python -m shipyard.runtime.tether --watchdog FD -- nats-server -p -1 ...

runs a program that knows nothing of pipes (a Go binary, git) and ends it the moment the
kernel is gone; SIGTERM is passed on, so stopping the tether stops the program.

    python -m shipyard.runtime.tether --watchdog FD --listen web=7 --listen api=8 -- traefik ...

hands the program listening sockets the kernel bound, by systemd's socket activation
protocol (LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES; the sockets at descriptors 3, 4, ...), so a
program that speaks it (Traefik does) serves ports it never picked.
"""
import argparse
import fcntl
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


def socket_activation(named: list[tuple[str, int]]) -> Callable[[], None]:
    """What the program's process runs between fork and exec: the sockets moved to 3, 4, ...
    and the variables that name them, with its own pid (which only it knows)."""
    def activate() -> None:
        # First above 3, 4, ... (one of them may be a target), then each onto its place; dup2
        # leaves the copy inheritable, so it crosses exec.
        moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, 3 + len(named)) for _, fd in named]
        for position, fd in enumerate(moved, start=3):
            os.dup2(fd, position)
        # putenv reaches the exec that follows (the program inherits this process's environ).
        os.environ.update(LISTEN_FDS=str(len(named)), LISTEN_PID=str(os.getpid()),
                          LISTEN_FDNAMES=":".join(name for name, _ in named))
    return activate


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m shipyard.runtime.tether")
    parser.add_argument("--watchdog", type=int, required=True, help="pipe that closes when the parent dies")
    parser.add_argument("--listen", action="append", default=[], metavar="NAME=FD",
                        help="a listening socket to hand over by socket activation; again for more")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- program and its arguments")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the program to run after --")
    named = [(name, int(fd)) for name, _, fd in (item.partition("=") for item in args.listen)]
    handover = {"preexec_fn": socket_activation(named), "pass_fds": range(3, 3 + len(named))} if named else {}
    program = subprocess.Popen(command, **handover)  # its output goes where ours goes

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
