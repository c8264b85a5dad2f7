#!/usr/bin/env python3
"""A TCP proxy that puts a WAN's distance between a client and the lab (benchmarks only).

    wan_proxy.py --delay-ms 40 --map 18710=127.0.0.1:18000 --map 18711=127.0.0.1:18001 ...

Each listener (127.0.0.1 only) forwards to its target. Every chunk read in
either direction is forwarded ``delay`` later (one way; a request and its
answer cost two delays, one round trip). Each direction is a timestamped FIFO
queue with its own reader and writer: the reader stamps a chunk with the time
it may leave and reads on, the writer waits for that time and writes, so a
large answer streams at the link's speed and only its start is late - the
delay is latency, not a bandwidth cap, as on a real long link.

Connection set-up on the loopback is instant, where a real TCP handshake costs
a round trip before the client can send: the first chunk of each connection is
held one round trip more (``handshake``, on by default), so that opening a new
connection costs what it costs at that distance and reusing one pays off.

Counted per listener: connections, exchanges (a client chunk after the server
spoke, or the first - one request/answer turn), the most exchanges one
connection made (they wait for each other: HTTP/1.1 does not pipeline) and
bytes each way; ``stats()``.

Importable: ``WanProxy({listen_port: (host, port)}, delay_ms=40).start()`` runs
the listeners in a background thread (port 0 picks a free port; ``ports`` maps
each asked port to the bound one); ``delay_ms`` may be changed while it runs
(chunks already queued keep their time). Run as a script it serves until
SIGINT/SIGTERM and prints ``{"listening": {port: "host:port"}}`` once bound.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import threading
from typing import Dict, Optional, Tuple

LISTEN_HOST = "127.0.0.1"
CHUNK = 65536
#: chunks a direction holds before its reader waits for the writer (back-pressure, not a bandwidth cap)
QUEUE_CHUNKS = 1024


class Counters:
    """One listener's traffic; updated in the proxy's loop thread, read as a copy."""

    def __init__(self) -> None:
        self.connections = 0
        self.exchanges = 0
        self.most_exchanges = 0
        self.bytes_up = 0
        self.bytes_down = 0

    def as_dict(self) -> Dict[str, int]:
        return {"connections": self.connections, "exchanges": self.exchanges,
                "most_exchanges": self.most_exchanges, "bytes_up": self.bytes_up,
                "bytes_down": self.bytes_down}


class WanProxy:
    """Listeners that forward to targets with a fixed one-way delay, in an asyncio loop of their own."""

    def __init__(self, maps: Dict[int, Tuple[str, int]], delay_ms: float = 40.0, handshake: bool = True) -> None:
        self.maps = dict(maps)
        self.delay_ms = float(delay_ms)
        self.handshake = handshake
        #: asked listen port -> bound port (differs only for port 0)
        self.ports: Dict[int, int] = {}
        self._counters: Dict[int, Counters] = {port: Counters() for port in self.maps}
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._servers = []
        self._stopped: Optional[asyncio.Event] = None

    # -- running ---------------------------------------------------------------------------------------------
    def start(self) -> "WanProxy":
        """Bind every listener in a daemon thread; return once they accept (or raise what binding raised)."""
        ready = threading.Event()
        failure = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._bind())
            except Exception as exc:  # handed to start()'s caller
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_until_complete(self._stopped.wait())
            loop.run_until_complete(self._close())
            loop.close()

        self._thread = threading.Thread(target=run, name="wan-proxy", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stopped is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
            self._thread.join(10)

    def __enter__(self) -> "WanProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    async def serve_forever(self) -> None:
        """Run in the caller's loop until :meth:`request_stop` (the script's way)."""
        self._loop = asyncio.get_running_loop()
        await self._bind()
        await self._stopped.wait()
        await self._close()

    def request_stop(self) -> None:
        if self._stopped is not None:
            self._stopped.set()

    # -- counters --------------------------------------------------------------------------------------------
    def stats(self) -> Dict[int, Dict[str, int]]:
        """Per asked listen port: connections, exchanges, bytes up (client to target) and down."""
        return {port: c.as_dict() for port, c in self._counters.items()}

    def reset_stats(self) -> None:
        for c in self._counters.values():
            c.__init__()

    # -- the proxy -------------------------------------------------------------------------------------------
    async def _bind(self) -> None:
        self._stopped = asyncio.Event()
        for port, target in self.maps.items():
            server = await asyncio.start_server(
                lambda r, w, p=port, t=target: self._connection(r, w, p, t), LISTEN_HOST, port)
            self._servers.append(server)
            self.ports[port] = server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        for server in self._servers:
            server.close()
        for server in self._servers:
            await server.wait_closed()

    async def _connection(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter, port: int,
                          target: Tuple[str, int]) -> None:
        counters = self._counters[port]
        counters.connections += 1
        try:
            target_r, target_w = await asyncio.open_connection(*target)
        except OSError:
            client_w.close()
            return
        # which side spoke last (an exchange starts when the client speaks after the target), and how many
        turn = {"last": None, "exchanges": 0}
        up = asyncio.Queue(QUEUE_CHUNKS)
        down = asyncio.Queue(QUEUE_CHUNKS)
        tasks = [asyncio.ensure_future(c) for c in (
            self._read(client_r, up, counters, turn, "up"), self._write(up, target_w),
            self._read(target_r, down, counters, turn, "down"), self._write(down, client_w))]
        try:
            await asyncio.gather(*tasks)
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            for task in tasks:
                task.cancel()
            for writer in (client_w, target_w):
                writer.close()

    async def _read(self, reader: asyncio.StreamReader, queue: asyncio.Queue, counters: Counters, turn: dict,
                    side: str) -> None:
        loop = asyncio.get_running_loop()
        first = True
        try:
            while True:
                chunk = await reader.read(CHUNK)
                delay = self.delay_ms / 1000.0
                due = loop.time() + delay
                if first and side == "up" and self.handshake:
                    due += 2 * delay  # the round trip of the handshake a real link would have made first
                first = False
                if not chunk:
                    await queue.put((due, None))
                    return
                if side == "up":
                    counters.bytes_up += len(chunk)
                    if turn["last"] != "up":
                        counters.exchanges += 1
                        turn["exchanges"] += 1
                        counters.most_exchanges = max(counters.most_exchanges, turn["exchanges"])
                else:
                    counters.bytes_down += len(chunk)
                turn["last"] = side
                await queue.put((due, chunk))
        except (OSError, asyncio.IncompleteReadError):
            await queue.put((loop.time(), None))

    @staticmethod
    async def _write(queue: asyncio.Queue, writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due, chunk = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if chunk is None:  # the other side closed its half: pass the half-close on, keep the other way open
                if writer.can_write_eof():
                    try:
                        writer.write_eof()
                    except OSError:
                        pass
                return
            writer.write(chunk)
            await writer.drain()


def parse_map(text: str) -> Tuple[int, Tuple[str, int]]:
    """``18710=127.0.0.1:18000`` -> (18710, ("127.0.0.1", 18000))."""
    try:
        listen, target = text.split("=", 1)
        host, port = target.rsplit(":", 1)
        return int(listen), (host, int(port))
    except ValueError:
        raise argparse.ArgumentTypeError("expected LISTEN_PORT=HOST:PORT, got %r" % text) from None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="TCP proxy on 127.0.0.1 adding a fixed one-way delay (benchmarks)")
    ap.add_argument("--delay-ms", type=float, default=40.0, help="one-way delay in each direction (default 40)")
    ap.add_argument("--map", type=parse_map, action="append", required=True, metavar="PORT=HOST:PORT",
                    help="a listener on 127.0.0.1:PORT forwarding to HOST:PORT (repeat)")
    ap.add_argument("--no-handshake", action="store_true",
                    help="do not hold a connection's first chunk one round trip more")
    args = ap.parse_args(argv)
    proxy = WanProxy(dict(args.map), delay_ms=args.delay_ms, handshake=not args.no_handshake)

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, proxy.request_stop)
        task = asyncio.ensure_future(proxy.serve_forever())
        while not proxy.ports and not task.done():
            await asyncio.sleep(0.01)
        if proxy.ports:
            print(json.dumps({"listening": {p: "%s:%d" % proxy.maps[a] for a, p in proxy.ports.items()},
                              "delay_ms": proxy.delay_ms}), flush=True)
        await task

    asyncio.run(serve())
    print(json.dumps({"stats": proxy.stats()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
