"""The child side of `shipyard.services`: serve an ASGI app on a socket the parent bound,
and exit the moment the parent is gone.

The parent hands over two file descriptors: a listening socket (so no port is ever picked
and then raced for) and the read end of a pipe whose write end only the parent holds.
When the parent exits for any reason, even SIGKILL, the OS closes that write end, the read
below returns b"", and this process ends. `atexit` in the parent could not promise that.
"""
import argparse
import os
import socket
import threading


def exit_when_parent_dies(watchdog_fd: int) -> None:
    while os.read(watchdog_fd, 1):
        pass
    os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m shipyard.runner")
    parser.add_argument("app", help="import string of the ASGI app, e.g. catalog.app:app")
    parser.add_argument("--fd", type=int, required=True, help="listening socket to serve on")
    parser.add_argument("--watchdog", type=int, required=True, help="pipe that closes when the parent dies")
    args = parser.parse_args()
    threading.Thread(target=exit_when_parent_dies, args=(args.watchdog,), daemon=True).start()

    import uvicorn  # after the watchdog runs: a slow import must not outlive the parent

    # socket(fileno=...) reads the real family (AF_INET). uvicorn's own --fd assumes a Unix
    # socket, so asyncio never sets TCP_NODELAY and every answer waits ~40 ms on Nagle.
    listening = socket.socket(fileno=args.fd)
    config = uvicorn.Config(args.app, log_level="info", timeout_graceful_shutdown=2)
    uvicorn.Server(config).run(sockets=[listening])


if __name__ == "__main__":
    main()
