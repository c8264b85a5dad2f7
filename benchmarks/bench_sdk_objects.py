#!/usr/bin/env python3
"""Benchmark: what openstacksdk Resource objects cost a fleet-wide server listing, with no lab.

    .venv/bin/python benchmarks/bench_sdk_objects.py [--servers 1000] [--runs 7]

The same Nova answer (``--servers`` servers as Nova 2.80 writes them, one page)
is served from memory by the access layer's HTTP stub (requests-mock) and read
two ways over a real openstacksdk connection: as raw JSON dicts
(``listing.list_json``, what the inventory and ``fleet_info`` do) and as SDK
Server objects (``conn.compute.servers(details=True)``). Nova's own time is
not in either figure: this is the client's cost alone, the reason the
fleet-wide listings of the access layer stay raw JSON (docs/openstack-access.md).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / ".cache" / "collections"))  # make collection-link
    warnings.simplefilter("ignore")
    from importlib.metadata import version
    import requests_mock
    from ansible_collections.osfleet.day2.plugins.module_utils._openstack.listing import list_json
    from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack import bodies, stub_cloud

    servers = [bodies.server(id="%08d-0000-4000-8000-000000000000" % i, name="vm-%d" % i)
               for i in range(args.servers)]
    page = json.dumps({"servers": servers})
    with requests_mock.Mocker() as mocker:
        stub = stub_cloud.StubCloud(mocker)
        cloud = stub.cloud()
        mocker.get(stub_cloud.API["compute"] + "/servers/detail", text=page,
                   headers={"Content-Type": "application/json"})
        compute = cloud.nova.compute
        ways = {
            "raw JSON (listing.list_json)": lambda: list_json(compute, "/servers/detail", "servers",
                                                              "list servers", "2.72"),
            "SDK objects (compute.servers(details=True))": lambda: list(compute.servers(details=True,
                                                                                        all_projects=True)),
        }
        for way in ways.values():  # warm-up: token, discovery, imports
            way()
        seconds = {name: [] for name in ways}
        for _run in range(args.runs):
            for name, way in ways.items():
                start = time.perf_counter()
                assert len(way()) == args.servers
                seconds[name].append(time.perf_counter() - start)
    print("%d servers in one page (%.1f MB of JSON), %d runs each; openstacksdk %s, Python %s, %d CPUs"
          % (args.servers, len(page) / 1e6, args.runs, version("openstacksdk"), platform.python_version(),
             os.cpu_count()))
    for name, values in seconds.items():
        print("  %-45s median %.3f s  (%s)" % (name, statistics.median(values),
                                              ", ".join("%.3f" % v for v in values)))


if __name__ == "__main__":
    main()
