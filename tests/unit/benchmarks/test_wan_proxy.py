# -*- coding: utf-8 -*-
"""benchmarks/wan_proxy.py: what the WAN benchmark's numbers rest on - a round trip through the proxy costs at
least two one-way delays, bytes arrive whole and in order both ways, and a long stream is not slowed down
chunk by chunk. Local sockets only (an echo server on an ephemeral port), no lab."""
from __future__ import annotations

import argparse
import importlib.util
import os
import socket
import threading
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PROXY = os.path.join(ROOT, "benchmarks", "wan_proxy.py")
DELAY_MS = 50


@pytest.fixture(scope="module")
def wan_proxy():
    spec = importlib.util.spec_from_file_location("wan_proxy_under_test", PROXY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def echo_port():
    """A TCP echo server on 127.0.0.1 (one thread per connection, echoes until the client half-closes)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def serve_one(conn):
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                conn.sendall(data)

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _addr = server.accept()
            except socket.timeout:
                continue
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    server.close()


def _recv_exactly(sock, size):
    got = bytearray()
    while len(got) < size:
        data = sock.recv(65536)
        if not data:
            break
        got += data
    return bytes(got)


def test_a_round_trip_costs_two_delays_and_bytes_arrive_in_order(wan_proxy, echo_port):
    with wan_proxy.WanProxy({0: ("127.0.0.1", echo_port)}, delay_ms=DELAY_MS, handshake=False) as proxy:
        port = proxy.ports[0]
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            messages = [b"%05d:" % i + bytes([i % 256]) * 300 for i in range(40)]
            started = time.monotonic()
            sock.sendall(messages[0])
            assert _recv_exactly(sock, len(messages[0])) == messages[0]
            elapsed = time.monotonic() - started
            for message in messages[1:]:  # many writes in a row: order kept, each chunk delayed, not reordered
                sock.sendall(message)
            rest = b"".join(messages[1:])
            assert _recv_exactly(sock, len(rest)) == rest
        stats = proxy.stats()[0]
    assert elapsed >= 2 * DELAY_MS / 1000.0
    assert elapsed < 2 * DELAY_MS / 1000.0 + 1.0
    assert stats["connections"] == 1
    assert stats["bytes_up"] == stats["bytes_down"] == sum(len(m) for m in messages)


def test_a_new_connection_pays_its_handshake_round_trip(wan_proxy, echo_port):
    with wan_proxy.WanProxy({0: ("127.0.0.1", echo_port)}, delay_ms=DELAY_MS) as proxy:
        with socket.create_connection(("127.0.0.1", proxy.ports[0]), timeout=10) as sock:
            started = time.monotonic()
            sock.sendall(b"first")
            assert _recv_exactly(sock, 5) == b"first"
            first = time.monotonic() - started
            started = time.monotonic()
            sock.sendall(b"again")
            assert _recv_exactly(sock, 5) == b"again"
            again = time.monotonic() - started
        stats = proxy.stats()[0]
    assert stats["exchanges"] == 2 and stats["most_exchanges"] == 2
    assert first >= 4 * DELAY_MS / 1000.0       # handshake round trip + the request's round trip
    assert 2 * DELAY_MS / 1000.0 <= again < first


def test_a_stream_is_delayed_once_not_per_chunk(wan_proxy, echo_port):
    """8 MiB through the proxy take about one round trip more than at no delay, not a delay per 64 KiB chunk
    (128 chunks x 50 ms would be over 6 s)."""
    payload = os.urandom(8 * 1024 * 1024)
    with wan_proxy.WanProxy({0: ("127.0.0.1", echo_port)}, delay_ms=DELAY_MS, handshake=False) as proxy:
        with socket.create_connection(("127.0.0.1", proxy.ports[0]), timeout=20) as sock:
            got = []
            reader = threading.Thread(target=lambda: got.append(_recv_exactly(sock, len(payload))))
            started = time.monotonic()
            reader.start()
            sock.sendall(payload)
            reader.join(20)
            elapsed = time.monotonic() - started
    assert got and got[0] == payload
    assert elapsed < 3.0


def test_the_delay_can_change_while_it_runs(wan_proxy, echo_port):
    """The benchmark alternates 40 ms and 0 ms on the same proxies."""
    with wan_proxy.WanProxy({0: ("127.0.0.1", echo_port)}, delay_ms=1000, handshake=False) as proxy:
        proxy.delay_ms = 0
        with socket.create_connection(("127.0.0.1", proxy.ports[0]), timeout=10) as sock:
            started = time.monotonic()
            sock.sendall(b"ping")
            assert _recv_exactly(sock, 4) == b"ping"
            assert time.monotonic() - started < 1.0


def test_map_arguments_are_parsed_and_refused(wan_proxy):
    assert wan_proxy.parse_map("18710=127.0.0.1:18000") == (18710, ("127.0.0.1", 18000))
    with pytest.raises(argparse.ArgumentTypeError):
        wan_proxy.parse_map("18710:18000")
