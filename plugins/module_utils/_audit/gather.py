# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Gather one audit run's facts (``facts.Gathered``) from the cloud and the BMCs: concurrently, under one deadline.

Every source is read at the same time in one thread pool (the hardware scan
and the BMC settings each fan out over their own pool of BMC workers), so a
run takes as long as its slowest source, not their sum. The run has one
deadline: a source without an answer by then is given up.

A source that fails (an API error, a timeout, the deadline) is named in
``Gathered.errors`` with why, and its part of ``Gathered`` stays None: the
facts it feeds are then ``_errors`` of every target (``facts.build_targets``),
so the rules reading them say ``error``. A failed listing is never an empty
one: an empty answer during a network blip must not make every server an
orphan (Cloud Custodian issue 4949).

Only the access layer talks to the cloud (``_openstack.cloud.Cloud``), only
``_hardware`` to BMCs. Nothing here changes anything.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence

from ansible_collections.osfleet.day2.plugins.module_utils._audit import bmc_settings
from ansible_collections.osfleet.day2.plugins.module_utils._audit.facts import HARDWARE_GATHER, Gathered
from ansible_collections.osfleet.day2.plugins.module_utils._audit.redfish_settings import settings_from_redfish
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.discover import discover
from ansible_collections.osfleet.day2.plugins.module_utils._hardware import scan as hardware_scan
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import open_bmc
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc_map import parse_bmc_map
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance import info as maintenance_info
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine import info as quarantine_info

#: the sources of a run: the part of Gathered each fills, and what it needs
CLOUD_SOURCES = ("fleet", "aggregates", "placement", "network_agents", "maintenance_windows", "quarantine",
                 "projects", "server_times", "ports", "floating_ips", "volumes", "snapshots", "images")
BMC_SOURCES = ("hardware", "bmc_settings")
#: what the unused_capacity pack needs beyond the fleet
LISTINGS = ("projects", "server_times", "ports", "floating_ips", "volumes", "snapshots", "images")


@dataclass
class GatherOptions:
    """What to read, and how long the whole run may take."""

    deadline: float = 600.0         # seconds for the whole gathering
    sources: Sequence[str] = CLOUD_SOURCES + BMC_SOURCES
    bmc_workers: int = 16
    bmc_timeout: float = 30.0       # per BMC (each within the run's deadline)
    bmc_validate_certs: bool = True
    bmc_ca_path: Optional[str] = None
    cloud_workers: int = 8
    page_size: int = 1000
    trust_empty: bool = False


def _why(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    return str(message or "%s: %s" % (type(exc).__name__, exc))


def _server_times(cloud: Any, page_size: int) -> Dict[str, Dict[str, Any]]:
    """server id -> {created, updated}: the fleet snapshot's servers carry no times."""
    return {s["id"]: {"created": s.get("created"), "updated": s.get("updated")}
            for s in cloud.nova.list_servers_json(page_size=page_size)}


def _placement(cloud: Any, pool_size: int) -> Dict[str, Dict[str, Any]]:
    """provider uuid -> {uuid, name, traits}, every provider's traits read at the same time."""
    providers = cloud.placement.resource_providers_json()
    with ThreadPoolExecutor(max_workers=max(1, min(pool_size, len(providers) or 1))) as pool:
        traits = list(pool.map(cloud.placement.traits, [p["uuid"] for p in providers]))
    return {p["uuid"]: {"uuid": p["uuid"], "name": p.get("name"), "traits": t} for p, t in zip(providers, traits)}


def _placement_by_host(by_uuid: Dict[str, Dict[str, Any]], fleet: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """host -> its compute node's provider (Nova's hypervisor id is the provider's uuid; else by name)."""
    by_name = {p["name"]: p for p in by_uuid.values() if p.get("name")}
    out = {}
    for name, host in ((fleet or {}).get("hosts") or {}).items():
        hv = host.get("hypervisor") or {}
        found = by_uuid.get(str(hv.get("id"))) or by_name.get(hv.get("hostname") or "") or by_name.get(name)
        if found is not None:
            out[name] = {"uuid": found["uuid"], "traits": found["traits"]}
    return out


def _settings(targets: List[hardware_scan.ScanTarget], options: GatherOptions, deadline_at: float,
              opener: Callable[..., Any], tls_check: Callable[..., Any]) -> Dict[str, Dict[str, Any]]:
    """host -> settings_from_redfish(...) for every BMC, ``bmc_workers`` at a time."""
    def one(t):
        docs = bmc_settings.read_settings(t.address, t.username, t.password, bmc_type=t.bmc_type,
                                          validate_certs=options.bmc_validate_certs if t.validate_certs is None
                                          else bool(t.validate_certs),
                                          ca_path=options.bmc_ca_path, timeout=options.bmc_timeout,
                                          opener=opener, tls_check=tls_check)
        return settings_from_redfish(docs)

    out: Dict[str, Dict[str, Any]] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, min(options.bmc_workers, len(targets) or 1)),
                              thread_name_prefix="bmc-settings")
    try:
        futures = {pool.submit(one, t): t for t in targets}
        done, pending = wait(futures, timeout=max(0.0, deadline_at - time.monotonic()))
        for fut in done:
            out[futures[fut].host] = fut.result()
        for fut in pending:
            fut.cancel()
            why = "no answer within the audit's deadline"
            out[futures[fut].host] = {"_errors": {"network": why, "accounts": why, "certificate": why,
                                                  "clock_offset_seconds": why, "power_restore_policy": why,
                                                  "sel": why}}
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return dict(sorted(out.items()))


def gather(cloud: Any, bmcs: Optional[Dict[str, Any]] = None, options: Optional[GatherOptions] = None,
           opener: Callable[..., Any] = open_bmc,
           tls_check: Callable[..., Any] = bmc_settings.verify_tls) -> Gathered:
    """Read everything ``options.sources`` names (``cloud``: the access layer; ``bmcs``: a bmcs.yml mapping,
    with credentials). ``gathered.extra["timings"]`` has each source's seconds, ``extra["api_calls"]`` the
    cloud's HTTP requests."""
    options = options or GatherOptions()
    start = time.monotonic()
    deadline_at = start + options.deadline
    wanted = set(options.sources)
    g = Gathered(trust_empty=options.trust_empty, hardware_gather=HARDWARE_GATHER)
    timings: Dict[str, float] = {}
    first = cloud.requests() if cloud is not None else 0
    targets: List[hardware_scan.ScanTarget] = []
    if bmcs:
        g.bmc_map = parse_bmc_map(bmcs, "bmcs")
        targets = hardware_scan.targets_from_map(bmcs, "bmcs")
    elif wanted & set(BMC_SOURCES):
        g.errors.update({s: "no BMC map was given" for s in BMC_SOURCES if s in wanted})
        wanted -= set(BMC_SOURCES)
    if cloud is None:
        wanted -= set(CLOUD_SOURCES)

    def timed(name, fn):
        def run():
            began = time.monotonic()
            try:
                return fn()
            finally:
                timings[name] = round(time.monotonic() - began, 3)
        return run

    # lambdas, so a facade is built (and may discover its service) only when its source is read
    # pylint: disable=unnecessary-lambda
    calls: Dict[str, Callable[[], Any]] = {
        "fleet": lambda: discover(cloud, vms=True, page_size=options.page_size, placement=True,
                                  workers=options.cloud_workers).to_dict(),
        "aggregates": lambda: cloud.nova.list_aggregates_json(),
        "placement": lambda: _placement(cloud, options.cloud_workers),
        "network_agents": lambda: cloud.neutron.list_agents_json(),
        "maintenance_windows": lambda: maintenance_info.report(cloud.nova),
        "quarantine": lambda: quarantine_info.list_cases(cloud),
        "projects": lambda: cloud.keystone.projects_json(),
        "server_times": lambda: _server_times(cloud, options.page_size),
        "ports": lambda: cloud.neutron.list_ports_json(options.page_size),
        "floating_ips": lambda: cloud.neutron.list_floating_ips_json(options.page_size),
        "volumes": lambda: cloud.cinder.list_volumes_json(options.page_size),
        "snapshots": lambda: cloud.cinder.list_snapshots_json(options.page_size),
        "images": lambda: cloud.glance.list_images_json(options.page_size),
        "hardware": lambda: hardware_scan.scan(targets, workers=options.bmc_workers,
                                               timeout=min(options.bmc_timeout, options.deadline),
                                               gather=HARDWARE_GATHER, validate_certs=options.bmc_validate_certs,
                                               ca_path=options.bmc_ca_path, opener=opener),
        "bmc_settings": lambda: _settings(targets, options, deadline_at, opener, tls_check),
    }
    # pylint: enable=unnecessary-lambda
    unknown = sorted(wanted - set(calls))
    if unknown:
        raise ValueError("unknown gather sources: %s" % ", ".join(unknown))
    got: Dict[str, Any] = {}
    failed: Dict[str, BaseException] = {}

    def runner(name):
        try:
            got[name] = timed(name, calls[name])()
        except BaseException as exc:  # pylint: disable=broad-except  # a failed source is an error entry
            failed[name] = exc

    # daemon threads, not an executor: a source still hanging at the deadline (a cloud call without
    # api_timeout) must not keep the module from returning, and an executor's threads are joined at exit
    threads = {name: threading.Thread(target=runner, args=(name,), name="audit-gather-" + name, daemon=True)
               for name in sorted(wanted)}
    for thread in threads.values():
        thread.start()
    for name, thread in threads.items():
        thread.join(max(0.0, deadline_at - time.monotonic()))
    for name, thread in threads.items():
        if thread.is_alive():
            got.pop(name, None)
            g.errors[name] = "no answer within the audit's deadline (%gs)" % options.deadline
        elif name in failed:
            g.errors[name] = _why(failed[name])
    # snapshots: a source given up may still finish, in its thread, while the run goes on
    got = {k: v for k, v in list(got.items()) if k not in g.errors}
    g.extra["timings"] = {k: v for k, v in list(timings.items()) if k not in g.errors}
    _assemble(g, got)
    g.extra["elapsed"] = round(time.monotonic() - start, 3)
    if cloud is not None:
        g.extra["api_calls"] = cloud.requests() - first
    return g


def _assemble(g: Gathered, got: Dict[str, Any]) -> None:
    """Put what came back into its part of Gathered (and the quarantine cases into the fleet's servers)."""
    for name in ("fleet", "aggregates", "network_agents", "maintenance_windows", "projects", "server_times",
                 "ports", "floating_ips", "volumes", "snapshots", "images", "hardware", "bmc_settings"):
        if name in got:
            setattr(g, name, got[name])
    if "placement" in got:
        if g.fleet is not None:
            g.placement = _placement_by_host(got["placement"], g.fleet)
        else:
            g.errors.setdefault("placement", "the fleet snapshot (which names each host's provider) was not read")
    if "quarantine" in got and g.fleet is not None:
        servers = g.fleet.get("servers") or {}
        for case in got["quarantine"]:
            server = servers.get(case["server_id"])
            if server is None or server.get("quarantine"):
                continue
            if case["case_id"] or server.get("quarantine") is None:
                server["quarantine"] = case["case_id"]
    if g.fleet is not None:
        for warning in g.fleet.get("warnings") or []:
            g.extra.setdefault("warnings", []).append(warning)
