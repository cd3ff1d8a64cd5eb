"""A port of this machine's loopback, reachable from inside a CI run's own network.

act runs in a network namespace with only a loopback of its own (`shipyard.ci.act`): nothing
a step does can reach another host, nor this kernel's services. A service that a workflow
must reach (lesson 06's package index, say) is exposed through a Unix socket, which crosses
network namespaces because it is a file:

    kernel:  127.0.0.1:PORT  <-  unix-to-tcp (a child of the kernel)  <-  PORT.sock
    the run: 127.0.0.1:PORT  ->  tcp-to-unix (inside the namespace)   ->  PORT.sock

so a step reaches the service at the very URL the kernel uses, and at nothing else.

    python -m shipyard.ci.bridge --watchdog FD unix-to-tcp SOCKET PORT   (the kernel's side)
    python -I -S .../bridge.py tcp-to-unix PORT=SOCKET ...               (the run's side: binds, then
                                                                          goes to the background)
The run's side needs only the standard library.
"""
import asyncio
import os
import socket
import sys

CHUNK = 64 * 1024


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()  # the other side may still answer
    except OSError:
        pass


def _handler(connect):
    async def handle(reader, writer):
        try:
            upstream_reader, upstream_writer = await connect()
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        for end in (writer, upstream_writer):
            end.close()
    return handle


async def _serve(listening: list[tuple[socket.socket, object]]) -> None:
    servers = [await (asyncio.start_unix_server if sock.family == socket.AF_UNIX else asyncio.start_server)(
        _handler(connect), sock=sock) for sock, connect in listening]
    await asyncio.gather(*(server.serve_forever() for server in servers))


def _unix_listener(path: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    sock.listen(64)
    return sock


def main(argv: list[str]) -> None:
    if argv[:1] == ["--watchdog"]:
        from shipyard.runtime.tether import on_parent_death
        on_parent_death(int(argv[1]), lambda: os._exit(0))
        argv = argv[2:]
    mode, *pairs = argv
    if mode == "unix-to-tcp":
        path, port = pairs
        listening = [(_unix_listener(path), lambda: asyncio.open_connection("127.0.0.1", int(port)))]
    elif mode == "tcp-to-unix":
        listening = []
        for pair in pairs:
            port, path = pair.split("=", 1)
            listening.append((socket.create_server(("127.0.0.1", int(port))),
                              lambda path=path: asyncio.open_unix_connection(path)))
        # Bound: the run may start. The parent returns; the child serves until the namespace ends.
        if os.fork():
            return
        os.setsid()
        quiet = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # act's log is not the bridge's
            os.dup2(quiet, fd)
    else:
        sys.exit(f"unknown mode {mode!r}: unix-to-tcp or tcp-to-unix")
    asyncio.run(_serve(listening))


if __name__ == "__main__":
    main(sys.argv[1:])
