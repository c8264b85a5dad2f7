# -*- coding: utf-8 -*-
"""What the EDA tests share: the source plugin loaded from its file, a v4 payload, a free loopback port.

ansible-rulebook loads a source plugin with runpy.run_path, not as a package member, so the
tests load it from its path too (importlib, to keep a module object to monkeypatch).
"""
from __future__ import annotations

import asyncio
import contextlib
import copy
import importlib.util
import json
import socket
import sys
from pathlib import Path

COLLECTION = Path(__file__).resolve().parents[4]
PLUGIN_PATH = COLLECTION / "extensions" / "eda" / "plugins" / "event_source" / "alertmanager.py"
RULEBOOKS = COLLECTION / "extensions" / "eda" / "rulebooks"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: the lab owns 18000-18999 (docs/lab.md): a test port must never be one of them
LAB_PORTS = range(18000, 19000)


def load_plugin():
    """The plugin as a module; one load per test session."""
    name = "osfleet_eda_alertmanager_source"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, PLUGIN_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def load_payload(name: str = "alertmanager_v4_firing.json") -> dict:
    """A firing webhook as Alertmanager 0.25+ sends it (one alert, grouped by alertname and host)."""
    return copy.deepcopy(json.loads((FIXTURES / name).read_text()))


def free_port() -> int:
    """A free loopback port from the kernel's ephemeral range, never one of the lab's."""
    for _attempt in range(20):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in LAB_PORTS:
            return port
    raise RuntimeError("no free port outside 18000-18999")


@contextlib.asynccontextmanager
async def serving(plugin, args, scheme="http", ssl_ctx=None):
    """Run the plugin's real main() on 127.0.0.1 and a free port; yield (base URL, its event queue)."""
    import aiohttp

    port = free_port()
    queue: asyncio.Queue = asyncio.Queue()
    task = asyncio.create_task(plugin.main(queue, dict({"host": "127.0.0.1", "port": port}, **args)))
    base = f"{scheme}://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            for _attempt in range(200):
                if task.done():
                    task.result()  # raises what main() raised
                try:
                    async with session.get(base + "/healthz", ssl=ssl_ctx) as resp:
                        if resp.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.02)
            else:
                raise AssertionError(f"the plugin never listened on {base}")
        yield base, queue
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def drain(queue: asyncio.Queue) -> list:
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return events
