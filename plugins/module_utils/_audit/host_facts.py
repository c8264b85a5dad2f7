# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Host targets: a compute host's Nova, Placement, Neutron, BMC and hardware facts in one dict.

One target per machine, whether Nova knows it (the fleet snapshot) or only
the BMC map does (``compute_service`` false: Nova rules do not apply). Facts
that compare a host with its peers (hypervisor version, allocation ratios,
spare hosts) are computed here, once, so that every rule stays a test of
one target's facts.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._audit.values import Unreadable, version_key
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import maintenance_window, remediation_state

#: a compute service disabled by osfleet.day2 (maintenance, remediation holds) carries this prefix
OUR_REASON_PREFIX = "osfleet-"
#: maintenance window states after which the window holds nothing (see _maintenance/model.py ENDED)
WINDOW_ENDED = ("complete", "cancelled")
BMC_FIRMWARE = re.compile(r"(?i)\b(bmc|idrac|ilo|xcc|imm2?|irmc|management controller|remote access controller)\b")
BIOS_FIRMWARE = re.compile(r"(?i)\b(bios|uefi|system rom)\b")
#: hardware_scan gather option -> the hardware facts it fills
GATHER_FACTS = {"power": ("hardware.power_state",), "identity": ("hardware.identity",),
                "sensors": ("hardware.temperatures", "hardware.fans", "hardware.power_supplies"),
                "log": ("hardware.log",), "firmware": ("hardware.firmware", "hardware.firmware_versions")}
RESOURCES = ("vcpus", "memory_mb", "disk_gb")


def hypervisor_version_text(version: Any) -> Optional[str]:
    """Nova's integer hypervisor_version (QEMU 8.2.0 = 8002000) as ``8.2.0``."""
    if isinstance(version, bool) or version is None:
        return None
    if isinstance(version, int):
        return "%d.%d.%d" % (version // 1000000, version // 1000 % 1000, version % 1000)
    return str(version)


def _protocol(address: Optional[str], result: Dict[str, Any]) -> Optional[str]:
    if result.get("protocol"):
        return result["protocol"]
    scheme = (address or "").split("://", 1)[0].lower() if "://" in (address or "") else ""
    if scheme.startswith("ipmi"):
        return "ipmi"
    if scheme.startswith("redfish") or scheme in ("http", "https"):
        return "redfish"
    return None


def firmware_versions(state: Dict[str, Any]) -> Dict[str, Optional[str]]:
    """The BMC's and the BIOS's version out of a firmware inventory whose names differ per vendor."""
    bmc = bios = None
    for item in state.get("firmware") or []:
        name = item.get("component") or ""
        if bmc is None and BMC_FIRMWARE.search(name):
            bmc = item.get("version")
        elif bios is None and BIOS_FIRMWARE.search(name):
            bios = item.get("version")
    return {"bmc": bmc, "bios": state.get("bios_version") or bios}


def _host_from_fleet(name: str, h: Dict[str, Any], servers_listed: bool) -> Dict[str, Any]:
    service = h.get("service") or {}
    target: Dict[str, Any] = {"id": name, "name": name, "kind": "host", "cloud": h.get("cloud"),
                              "region": h.get("region"), "compute_service": bool(service),
                              "aggregates": list(h.get("aggregates") or []), "_errors": {}}
    if service:
        target["service"] = {k: service.get(k) for k in ("status", "state", "disabled_reason", "forced_down",
                                                         "updated_at")}
        target["service"]["forced_down"] = bool(service.get("forced_down"))
    hv = h.get("hypervisor") or {}
    if hv:
        target["hypervisor"] = dict(hv, version_text=hypervisor_version_text(hv.get("version")))
    if h.get("capacity"):
        target["capacity"] = {k: dict(v) for k, v in h["capacity"].items()}
    servers = list(h.get("servers") or [])
    if servers_listed:
        target["servers"] = servers
        target["server_count"] = len(servers)
    elif hv.get("running_vms") is not None:
        target["server_count"] = int(hv["running_vms"])
    reason = service.get("disabled_reason") or ""
    window = h.get("maintenance") if h.get("maintenance") is not None else maintenance_window(reason)
    remediation = remediation_state(reason)
    target["marks"] = {"maintenance": window, "ours": reason.startswith(OUR_REASON_PREFIX), "remediation": remediation}
    target["hold"] = {"maintenance": window, "quarantine": None, "remediation": remediation}
    target["held"] = window is not None or remediation is not None
    target["zones"] = sorted({z.strip() for z in (h.get("zone") or "").split(",") if z.strip()})
    return target


def _bare_host(name: str) -> Dict[str, Any]:
    """A machine the BMC map lists and Nova does not know (a spare, or not onboarded yet)."""
    return {"id": name, "name": name, "kind": "host", "compute_service": False, "aggregates": [], "zones": [],
            "marks": {"maintenance": None, "ours": False, "remediation": None},
            "hold": {"maintenance": None, "quarantine": None, "remediation": None},
            "held": False, "_errors": {}}


def _add_hardware(target: Dict[str, Any], result: Optional[Dict[str, Any]], declared: Optional[Dict[str, Any]],
                  gather: Tuple[str, ...], settings: Optional[Dict[str, Dict[str, Any]]]) -> None:
    errors = target["_errors"]
    if result is None:
        target["bmc_access"] = {"configured": declared is not None, "address": (declared or {}).get("address"),
                                "protocol": None, "status": "not_scanned" if declared else "not_configured",
                                "error": None}
        why = ("the BMC was not scanned in this run" if declared else
               "no BMC is known for this host (not in the BMC map, not in Ironic)")
        errors.update({"hardware": why, "bmc": why})
        return
    address = result.get("address") or (declared or {}).get("address")
    protocol = _protocol(address, result)
    target["bmc_access"] = {"configured": True, "address": address, "protocol": protocol,
                            "status": result.get("status"), "error": result.get("error")}
    if result.get("status") != "ok" or not result.get("state"):
        why = "%s: %s" % (result.get("status"), result.get("error") or "no state read")
        errors.update({"hardware": why, "bmc": why})
        return
    state = dict(result["state"])
    state["firmware_versions"] = firmware_versions(state)
    target["hardware"] = state
    for part, paths in GATHER_FACTS.items():
        if part not in gather:
            for path in paths:
                errors[path] = "not gathered (the hardware scan's gather option lacks %r)" % part
    bmc: Dict[str, Any] = {}
    if protocol == "ipmi":
        bmc["network"] = {"ipmi": True}  # we talk to it over IPMI-over-LAN: that much is known
    if settings is not None:
        mine = settings.get(target["id"])
        if mine is None:
            errors["bmc.settings"] = "the BMC's settings were not read for this host"
        else:
            for key, value in mine.items():
                if key == "_errors":
                    errors.update({"bmc." + k: v for k, v in value.items()})
                elif key == "network" and isinstance(value, dict):
                    bmc["network"] = dict(bmc.get("network") or {}, **value)
                else:
                    bmc[key] = value
    target["bmc"] = bmc


def _windows(target: Dict[str, Any], windows: List[Dict[str, Any]]) -> None:
    by_name = {w.get("name"): w for w in windows}
    name = target["marks"]["maintenance"]
    window = by_name.get(name) if name is not None else None
    target["marks"]["window_state"] = window.get("state") if window else None
    target["marks"]["window_open"] = bool(window) and window.get("state") not in WINDOW_ENDED
    if window and target.get("service", {}).get("status") == "disabled":
        target["service"]["disabled_since"] = window.get("start_at") or window.get("updated_at")


def _aggregates(targets: Dict[str, Dict[str, Any]], aggregates: List[Dict[str, Any]]) -> None:
    zones: Dict[str, set] = {}
    tags: Dict[str, set] = {}
    for agg in aggregates:
        for host in agg.get("hosts") or []:
            if host not in targets:
                continue
            tags.setdefault(host, set()).add(agg.get("name") or "")
            tags[host] |= set((agg.get("metadata") or {}).keys())
            az = agg.get("availability_zone") or (agg.get("metadata") or {}).get("availability_zone")
            if az:
                zones.setdefault(host, set()).add(az)
            if agg.get("name") and agg["name"] not in targets[host]["aggregates"]:
                targets[host]["aggregates"].append(agg["name"])
    for name, t in targets.items():
        if name in zones:
            t["zones"] = sorted(zones[name])
        t["tags"] = sorted(tags.get(name, set()) - {""}) if name in tags else sorted(t["aggregates"])


def _groups(t: Dict[str, Any], spare_group: str) -> List[str]:
    if t["aggregates"]:
        return ["aggregate:" + a for a in t["aggregates"]]
    key = t["zones"][0] if t.get("zones") else ""
    return ["%s:%s" % (spare_group, key)]


def _empty_candidate(t: Dict[str, Any]) -> bool:
    return (t.get("server_count") == 0 and (t.get("service") or {}).get("status") == "enabled"
            and not t.get("held"))


def _spare_key(t: Dict[str, Any], spare_group: str) -> str:
    return "%s:%s" % (spare_group, t["zones"][0] if t.get("zones") else "")


def _peers(targets: List[Dict[str, Any]], spare_group: str, ratios_read: bool) -> None:
    """What a host is compared with: the hosts of its aggregates (or its zone), computed once per group."""
    versions: Dict[str, set] = {}
    ratios: Dict[str, Dict[str, set]] = {}
    empty: Dict[str, List[str]] = {}
    for t in targets:
        if not t.get("compute_service"):
            continue
        for g in _groups(t, spare_group):
            versions.setdefault(g, set()).add((t.get("hypervisor") or {}).get("version_text"))
            seen = ratios.setdefault(g, {r: set() for r in RESOURCES})
            for r in RESOURCES:
                value = ((t.get("capacity") or {}).get(r) or {}).get("allocation_ratio")
                if value is not None:
                    seen[r].add(float(value))
        if _empty_candidate(t):
            empty.setdefault(_spare_key(t, spare_group), []).append(t["id"])
    minors = {text: _minor(text) for texts in versions.values() for text in texts}
    for t in targets:
        if not t.get("compute_service"):
            continue
        peers: Dict[str, Any] = {"groups": _groups(t, spare_group)}
        _version_peers(t, peers, versions, minors)
        _ratio_peers(t, peers, ratios, ratios_read)
        if "server_count" in t:
            group = _spare_key(t, spare_group)
            ranked = sorted(empty.get(group, []))
            peers["spare_group"] = group
            peers["empty_enabled_hosts"] = len(ranked)
            peers["empty_enabled_rank"] = ranked.index(t["id"]) + 1 if t["id"] in ranked else None
        t["peers"] = peers


def _minor(text: Optional[str]) -> Optional[tuple]:
    """The (major, minor) key of a version text: QEMU 8.2.1 and 8.2.0 are the same release line."""
    try:
        return version_key(".".join(text.split(".")[:2])) if text else None
    except Unreadable:
        return None


def _version_peers(t: Dict[str, Any], peers: Dict[str, Any], versions: Dict[str, set],
                   minors: Dict[Optional[str], Optional[tuple]]) -> None:
    text = (t.get("hypervisor") or {}).get("version_text")
    mine = minors.get(text) if text in minors else _minor(text)
    if mine is None:
        t["_errors"]["peers.hypervisor_versions_behind"] = "the hypervisor version is not known"
        return
    texts = set()
    for g in peers["groups"]:
        texts |= versions.get(g, set())
    known = [v for v in texts if minors.get(v) is not None]
    peers["hypervisor_newest"] = max(known, key=version_key)
    peers["hypervisor_versions_behind"] = len({minors[v] for v in known if minors[v] > mine})


def _ratio_peers(t: Dict[str, Any], peers: Dict[str, Any], ratios: Dict[str, Dict[str, set]],
                 ratios_read: bool) -> None:
    if not ratios_read:
        for key in ("peers.allocation_ratios", "peers.mixed_ratio_aggregates"):
            t["_errors"][key] = "allocation ratios were not read from Placement"
        for r in RESOURCES:
            t["_errors"]["capacity.%s.allocation_ratio" % r] = "allocation ratios were not read from Placement"
        return
    mine: Dict[str, Dict[str, List[float]]] = {}
    mixed = []
    for agg in t["aggregates"]:
        seen = ratios.get("aggregate:" + agg) or {r: set() for r in RESOURCES}
        mine[agg] = {r: sorted(v) for r, v in seen.items()}
        if any(len(v) > 1 for v in seen.values()):
            mixed.append(agg)
    peers["allocation_ratios"] = mine
    peers["mixed_ratio_aggregates"] = mixed


def _agents(target: Dict[str, Any], agents: List[Dict[str, Any]]) -> None:
    name = target["id"]
    mine = [a for a in agents if a.get("host") == name or (a.get("host") or "").split(".")[0] == name]
    target["network_agents"] = [{"binary": a.get("binary"), "agent_type": a.get("agent_type"),
                                 "alive": a.get("alive"), "admin_state_up": a.get("admin_state_up")} for a in mine]


def host_targets(g: Any) -> List[Dict[str, Any]]:
    """One target per machine of the fleet snapshot and the BMC map (``g`` is a facts.Gathered)."""
    fleet_hosts = (g.fleet or {}).get("hosts") or {}
    servers_listed = bool((g.fleet or {}).get("servers")) or g.trust_empty
    targets: Dict[str, Dict[str, Any]] = {n: _host_from_fleet(n, h, servers_listed) for n, h in fleet_hosts.items()}
    for name in list(g.bmc_map or {}) + list(g.hardware or {}):
        targets.setdefault(name, _bare_host(name))
    for t in targets.values():
        t.setdefault("tags", sorted(t["aggregates"]))
    if g.aggregates is not None:
        _aggregates(targets, g.aggregates)
    gather = tuple(g.hardware_gather)
    for name, t in targets.items():
        if g.hardware is not None:
            declared = (g.bmc_map or {}).get(name) or (fleet_hosts.get(name) or {}).get("bmc")
            _add_hardware(t, g.hardware.get(name), declared, gather, g.bmc_settings)
        if g.maintenance_windows is not None and t["compute_service"]:
            _windows(t, g.maintenance_windows)
        if g.placement is not None and t["compute_service"]:
            rp = g.placement.get(name)
            t["placement"] = {"has_provider": rp is not None, "provider": (rp or {}).get("uuid"),
                              "traits": sorted((rp or {}).get("traits") or [])}
        if g.network_agents is not None and t["compute_service"]:
            if not g.network_agents and not g.trust_empty:
                t["_errors"]["network_agents"] = "the Neutron agent listing is empty: not trusted"
            else:
                _agents(t, g.network_agents)
    ordered = [targets[n] for n in sorted(targets)]
    _peers(ordered, g.spare_group, g.allocation_ratios_read)
    for t in ordered:
        if not t["_errors"]:
            del t["_errors"]
    return ordered
