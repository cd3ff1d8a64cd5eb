"""The child side of `shipyard.services`: serve an ASGI app on sockets the parent bound,
and exit the moment the parent is gone.

The parent hands over file descriptors: one or more listening sockets (so no port is ever
picked and then raced for) and the watchdog pipe of `shipyard.runtime.tether`. Several processes
may serve the same listening socket, as a pre-fork server's workers do: the OS gives each
new connection to whichever of them accepts it first (`services.Replicas`).
"""
import argparse
import os
import socket
import sys

from shipyard.runtime.tether import on_parent_death


def main() -> None:
    if sys.argv[1:2] == ["--zygote"]:  # this kernel's zygote, which forks runners (shipyard.runtime.zygote)
        from shipyard.runtime import zygote
        return zygote.main(sys.argv[2:])
    parser = argparse.ArgumentParser(prog="python -m shipyard.runtime.runner")
    parser.add_argument("app", help="import string of the ASGI app, e.g. catalog.app:app")
    parser.add_argument("--fd", type=int, action="append", required=True,
                        help="listening socket to serve on; give it again for more, in the order they open")
    parser.add_argument("--watchdog", type=int, required=True, help="pipe that closes when the parent dies")
    args = parser.parse_args()
    on_parent_death(args.watchdog, lambda: os._exit(0))

    import uvicorn  # after the watchdog runs: a slow import must not outlive the parent

    # socket(fileno=...) reads the real family (AF_INET). uvicorn's own --fd assumes a Unix
    # socket, so asyncio never sets TCP_NODELAY and every answer waits ~40 ms on Nagle.
    listening = [socket.socket(fileno=fd) for fd in args.fd]
    config = uvicorn.Config(args.app, log_level="info", timeout_graceful_shutdown=2)
    # Import the app before uvicorn takes SIGTERM over: an app that hangs at import would
    # otherwise only note the request to stop, and be killed 5 s later.
    config.load()
    uvicorn.Server(config).run(sockets=listening)


if __name__ == "__main__":
    main()
