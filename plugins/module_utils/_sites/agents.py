# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The services' agents as one list: Nova's services, Neutron's agents, Cinder's services, Ironic's conductors.

Three things are kept apart because they mean different things to an
operator: ``up`` (the service's heartbeat is recent: it is alive), ``enabled``
(an operator lets it take work) and ``forced_down`` (an operator told Nova it
is dead, so evacuation may start). A service without the notion has None
(Neutron, Cinder and Ironic have no forced-down; a conductor no enabled).
``state`` sums them up: ``disabled`` when an operator took it out, else
``down`` when it is not alive, else ``up``. Each listing is one fleet-wide
call (the access layer's raw listings, the same the fleet snapshot reads).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error


def _state(up: Optional[bool], enabled: Optional[bool]) -> str:
    if enabled is False:
        return "disabled"
    return "up" if up else "down"


def agent(service_type: str, binary: Any, host: Any, zone: Any, up: Optional[bool], enabled: Optional[bool],
          forced_down: Optional[bool], disabled_reason: Any = None, updated_at: Any = None) -> Dict[str, Any]:
    return {"service_type": service_type, "binary": binary, "host": host, "zone": zone, "up": up,
            "enabled": enabled, "forced_down": forced_down, "state": _state(up, enabled),
            "disabled_reason": disabled_reason or None, "updated_at": updated_at}


def nova_services(items: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [agent("compute", s.get("binary"), s.get("host"), s.get("zone"), s.get("state") == "up",
                  s.get("status") == "enabled", bool(s.get("forced_down")), s.get("disabled_reason"),
                  s.get("updated_at")) for s in items]


def neutron_agents(items: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [agent("network", a.get("binary"), a.get("host"), a.get("availability_zone"), bool(a.get("alive")),
                  bool(a.get("admin_state_up")), None, None, a.get("heartbeat_timestamp")) for a in items]


def cinder_services(items: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [agent("block-storage", s.get("binary"), s.get("host"), s.get("zone"), s.get("state") == "up",
                  s.get("status") == "enabled", None, s.get("disabled_reason"), s.get("updated_at"))
            for s in items]


def ironic_conductors(items: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [agent("baremetal", "ironic-conductor", c.get("hostname"), c.get("conductor_group") or None,
                  bool(c.get("alive")), None, None, None, c.get("updated_at") or c.get("created_at"))
            for c in items]


#: official service type -> (the access layer's facade and listing, its mapping, what it lists); the facade is
#: named, not built, so a type missing from the catalog never makes its proxy
LISTINGS: Dict[str, Tuple[str, str, Callable[[list], list], str]] = {
    "compute": ("nova", "list_services_json", nova_services, "compute services"),
    "network": ("neutron", "list_agents_json", neutron_agents, "network agents"),
    "block-storage": ("cinder", "list_services_json", cinder_services, "volume services"),
    "baremetal": ("ironic", "list_conductors_json", ironic_conductors, "baremetal conductors"),
}


def agent_readers(cloud: Any, service_types: List[str]) -> List[Tuple[str, Callable[[], List[Dict[str, Any]]]]]:
    """(what, reader) for each service type in the catalog that has agents; a reader raises Day2Error."""
    out = []
    for service_type in service_types:
        if service_type in LISTINGS:
            facade, method, mapping, what = LISTINGS[service_type]
            out.append((what, lambda f=facade, m=method, mp=mapping: mp(getattr(getattr(cloud, f), m)())))
    return out


def hypervisor_version(number: Any) -> Optional[str]:
    """Nova's integer ``hypervisor_version`` as the release it encodes: 8002000 -> ``8.2.0``.

    libvirt and QEMU pack major, minor and micro as ``major * 1000000 + minor *
    1000 + micro``; Nova passes the integer through. None for no number.
    """
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        return None
    return "%d.%d.%d" % (number // 1000000, (number // 1000) % 1000, number % 1000)


def hypervisors(items: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Host, type and decoded version of each hypervisor of Nova's one listing."""
    out = []
    for item in items:
        service = item.get("service") if isinstance(item.get("service"), dict) else {}
        out.append({"host": service.get("host") or item.get("hypervisor_hostname"),
                    "type": item.get("hypervisor_type"), "version": hypervisor_version(item.get("hypervisor_version"))})
    return out


def read_hypervisors(cloud: Any, warnings: List[str]) -> List[Dict[str, Any]]:
    try:
        return hypervisors(cloud.nova.list_hypervisors_json())
    except Day2Error as exc:
        warnings.append("hypervisors not read: %s" % exc.message)
        return []
