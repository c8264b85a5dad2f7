# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""From data the collection already gathered to audit targets: pure functions, no I/O.

The seam between gathering (live clouds and BMCs, concurrent, one deadline:
the caller's job) and evaluating (engine.py). ``Gathered`` holds what was
read, each part None when it was not read at all; ``build_targets`` turns it
into ``kind -> [target]``.

A target is a dict of facts with a stable ``id``, a ``name`` and a ``kind``.
What could not be gathered is explicit, never a silent default:

* a fact that was not gathered at all is **absent**;
* a fact whose source failed is named in ``target["_errors"]``: dotted fact
  path -> why (``{"hardware": "unreachable: ...", "bmc.network": "HTTP 404"}``);
  every fact at or under that path is then unknown;
* a listing that came back empty while it should not be (no projects in a
  cloud that has servers) is not trusted unless ``trust_empty`` says so: an
  empty answer during a network blip must not make every server an orphan
  (Cloud Custodian issue 4949).

The engine makes every rule reading such a fact ``error``. docs/audit.md
lists every fact of every kind ("Fact schema").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from ansible_collections.osfleet.day2.plugins.module_utils._audit import host_facts, resource_facts

#: what hardware_scan can gather; the compute_hosts pack reads all of it
HARDWARE_GATHER = ("power", "identity", "sensors", "log", "firmware")


@dataclass
class Gathered:
    """Everything one audit run read, as the gatherers return it (None: not read in this run).

    fleet            Fleet.to_dict() of fleet.discover (hosts, servers)
    hardware         hardware_scan results: host -> {status, address, protocol, state, error}
    hardware_gather  what the scan was asked to read (its ``gather`` option)
    bmc_map          host -> {address, type}: the BMCs the operator declared (bmcs.yml / Ironic)
    bmc_settings     host -> redfish_settings.settings_from_redfish(...) (or the same shape from IPMI)
    aggregates       Nova os-aggregates JSON list (name, availability_zone, hosts, metadata)
    placement        host -> {"uuid": provider uuid, "traits": [trait, ...]}
    network_agents   Neutron /v2.0/agents JSON list
    maintenance_windows  maintenance_info windows (name, state, hosts, start_at, updated_at)
    projects         Keystone /v3/projects JSON list (id, name, enabled)
    server_times     server id -> {created, updated, state_since}: what the fleet snapshot lacks
    ports, volumes, floating_ips, snapshots, images: the APIs' JSON lists (all projects)
    """

    fleet: Optional[Dict[str, Any]] = None
    hardware: Optional[Dict[str, Dict[str, Any]]] = None
    hardware_gather: Sequence[str] = HARDWARE_GATHER
    bmc_map: Optional[Dict[str, Dict[str, Any]]] = None
    bmc_settings: Optional[Dict[str, Dict[str, Any]]] = None
    aggregates: Optional[List[Dict[str, Any]]] = None
    placement: Optional[Dict[str, Dict[str, Any]]] = None
    network_agents: Optional[List[Dict[str, Any]]] = None
    maintenance_windows: Optional[List[Dict[str, Any]]] = None
    projects: Optional[List[Dict[str, Any]]] = None
    server_times: Optional[Dict[str, Dict[str, Any]]] = None
    ports: Optional[List[Dict[str, Any]]] = None
    volumes: Optional[List[Dict[str, Any]]] = None
    floating_ips: Optional[List[Dict[str, Any]]] = None
    snapshots: Optional[List[Dict[str, Any]]] = None
    images: Optional[List[Dict[str, Any]]] = None
    #: allocation ratios came from Placement (fleet.discover placement=True), not the 1.0 default
    allocation_ratios_read: bool = True
    #: an empty listing is the truth (a new cloud), not a failed read
    trust_empty: bool = False
    #: how hosts are grouped for spare counting and version comparison without aggregates
    spare_group: str = "zone"
    #: source -> why it could not be read (gather.py): the facts it feeds become ``_errors`` of every target
    errors: Dict[str, str] = field(default_factory=dict)
    extra: Dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Gathered":
        """From the module's options or a JSON file (unknown keys go to ``extra``, for the caller to see)."""
        names = set(cls.__dataclass_fields__)  # pylint: disable=no-member
        known = {k: v for k, v in data.items() if k in names and k != "extra"}
        return cls(extra={k: v for k, v in data.items() if k not in names}, **known)


#: a source that failed -> the host facts it feeds (each becomes an ``_errors`` entry of every host)
HOST_SOURCE_FACTS = {
    "fleet": ("compute_service", "service", "hypervisor", "capacity", "servers", "server_count", "marks", "peers",
              "zones", "aggregates", "tags", "hold", "held"),
    "aggregates": ("aggregates", "zones", "tags", "peers"),
    "placement": ("placement",),
    "network_agents": ("network_agents",),
    "maintenance_windows": ("marks", "service.disabled_since", "hold", "held"),
    "hardware": ("hardware", "bmc", "bmc_access"),
    "bmc_settings": ("bmc",),
}
#: the same for the facts of tenant resources (every kind but host)
RESOURCE_SOURCE_FACTS = {
    "projects": ("project",),
    "fleet": ("hold", "held", "device_exists", "in_use", "used_by"),
    "volumes": ("in_use", "used_by", "volume_exists"),
    "server_times": ("created", "updated", "since"),
}


def _source_errors(out: Dict[str, List[Dict[str, Any]]], errors: Dict[str, str]) -> None:
    for kind, targets in out.items():
        table = HOST_SOURCE_FACTS if kind == "host" else RESOURCE_SOURCE_FACTS
        if kind != "server" and "server_times" in errors:
            table = {k: v for k, v in table.items() if k != "server_times"}
        wanted = {fact: "could not read %s: %s" % (source, errors[source])
                  for source, facts_ in table.items() if source in errors for fact in facts_}
        if not wanted:
            continue
        for t in targets:
            mine = t.setdefault("_errors", {})
            for fact, why in wanted.items():
                mine.setdefault(fact, why)


def build_targets(gathered: Gathered) -> Dict[str, List[Dict[str, Any]]]:
    """kind -> targets, for the engine. Kinds with nothing gathered are left out.

    A source named in ``gathered.errors`` makes the facts it feeds ``_errors``
    entries of every target of the kinds it feeds (HOST_SOURCE_FACTS,
    RESOURCE_SOURCE_FACTS): a failed listing is never an empty one. A
    listing of tenant resources that failed (ports, volumes...) has no
    targets at all; the run's ``gather_errors`` say so.
    """
    out: Dict[str, List[Dict[str, Any]]] = {}
    hosts = host_facts.host_targets(gathered)
    if hosts:
        out["host"] = hosts
    out.update(resource_facts.resource_targets(gathered, hosts))
    if gathered.errors:
        _source_errors(out, gathered.errors)
    return out
