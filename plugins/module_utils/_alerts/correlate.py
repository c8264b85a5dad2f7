# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Which resource an alert is about, and whether that resource is out of the pool on purpose.

Real label sets disagree about names: node_exporter says ``instance=compute-01:9100`` (or the host's IP), a
Redfish exporter ``instance=<the BMC's address>``, our own rules ``host=compute-01``, a DNS-minded scrape config
``instance=compute-01.example.org:9100``. The index built here from the fleet snapshot (what ``fleet_info``
returns) maps every name a host goes by to the host: its Nova name, short name and FQDN, its hypervisor's
hostname and IP, its BMC's host; and every server's id, name (when unique) and IP to its server and host.

It also says why a host is out of the pool, from the marks osfleet leaves in the cloud (``_common/marks.py``):
a compute service disabled for a maintenance window or by remediation, a server under a quarantine case; and
from the maintenance window records (``maintenance_info``'s windows, handed in as plain data): a window whose
work has begun suppresses its hosts' alerts even before it disables the host. The rule (docs/alerts-triage.md):

- a window in ``draining``, ``ready`` or ``in_maintenance`` suppresses, whatever its times say (an overrun
  window is still open until it is completed or cancelled);
- a window ``scheduled`` or ``notified`` suppresses from its ``start_at`` on (the operator's start may run a few
  minutes late; the host is already being worked on), never before: until then the host serves, and an alert
  about it is news. Such an upcoming window is named on the incident (``upcoming_window``);
- ``complete``, ``cancelled`` and ``failed`` windows suppress nothing by their record (a failed window's host
  keeps its disabled reason until an operator acts, and that mark suppresses).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import (
    maintenance_window,
    quarantine_case,
    remediation_state,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.timeutil import parse_time_or_none
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.address import ip_address, split_host_port

#: labels that name a host, in the order they are believed
HOST_LABELS = ("host", "hostname", "nodename", "compute_host", "hypervisor_hostname", "node", "exported_instance")
#: labels that name a server
SERVER_LABELS = ("server_id", "instance_id", "instance_uuid", "uuid", "server", "vm", "domain_uuid")
#: labels that name a BMC
BMC_LABELS = ("bmc", "bmc_address")
#: a label that may name anything: host:port, an IP, a BMC's URL
INSTANCE_LABEL = "instance"

ACTIVE_WINDOW_STATES = ("draining", "ready", "in_maintenance")
STARTING_WINDOW_STATES = ("scheduled", "notified")
#: remediation states in which a host is someone's work in progress (held is the manual path, its own code)
REMEDIATION_BUSY = ("detected", "confirmed", "out_of_pool", "fixing", "verifying")


@dataclass(frozen=True)
class Match:
    """Where an alert landed: ``kind`` host | server | bmc | fleet | unknown, and the label that said so."""

    kind: str
    key: str  # the resource the alert groups under: host:<name>, fleet:<component>, unknown:<value>
    host: Optional[str] = None
    server: Optional[str] = None
    via: str = ""

    @property
    def correlated(self) -> bool:
        return self.kind != "unknown"


@dataclass(frozen=True)
class Suppression:
    """Why alerts about a resource are not incidents: ``code`` (``in_maintenance:<window>``), the words."""

    code: str
    detail: str = ""
    kind: str = ""  # window | held | remediation | quarantine (what a silence is made for: window, held)
    ends_at: Optional[datetime] = None


@dataclass
class Window:
    name: str
    state: str
    hosts: Tuple[str, ...]
    start_at: Optional[datetime] = None
    end_at: Optional[datetime] = None

    def suppresses(self, now: datetime) -> bool:
        if self.state in ACTIVE_WINDOW_STATES:
            return True
        return self.state in STARTING_WINDOW_STATES and self.start_at is not None and self.start_at <= now

    def upcoming(self, now: datetime) -> bool:
        return self.state in STARTING_WINDOW_STATES and not self.suppresses(now)


@dataclass
class HostEntry:
    name: str
    zone: Optional[str] = None
    disabled_reason: Optional[str] = None
    service_status: Optional[str] = None
    service_state: Optional[str] = None
    servers: List[str] = field(default_factory=list)
    windows: List[Window] = field(default_factory=list)


def _names_of(value: str) -> List[str]:
    """The forms a name is looked up under: itself, and its short name (a hostname, not an IP)."""
    value = value.strip().lower().rstrip(".")
    if not value:
        return []
    out = [value]
    if ip_address(value) is None and "." in value:
        out.append(value.split(".", 1)[0])
    return out


def _host_part(value: str) -> Optional[str]:
    """``compute-01:9100``, ``https://10.0.0.11/redfish/v1``, ``[fd00::1]:9100`` -> the host part."""
    split = split_host_port(value)
    if split is None:
        return None
    return split[1]


def _as_dict(snapshot: Any) -> Mapping[str, Any]:
    return snapshot.to_dict() if hasattr(snapshot, "to_dict") else (snapshot or {})


class FleetIndex:
    """Every name of every host and server of one fleet snapshot, and the marks that suppress alerts."""

    def __init__(self) -> None:
        self.hosts: Dict[str, HostEntry] = {}
        self.servers: Dict[str, Mapping[str, Any]] = {}
        self._host_names: Dict[str, str] = {}
        self._ambiguous: set = set()
        self._bmcs: Dict[str, str] = {}
        self._server_names: Dict[str, str] = {}
        self._server_ips: Dict[str, str] = {}

    # -- building ---------------------------------------------------------------
    @classmethod
    def build(cls, fleet: Any, windows: Iterable[Mapping[str, Any]] = ()) -> "FleetIndex":
        """From a fleet snapshot (``fleet_info``'s result, or ``_fleet.model.Fleet``) and window records
        (``maintenance_info``'s ``windows``: name, state, hosts, start_at, end_at)."""
        index = cls()
        data = _as_dict(fleet)
        for name, host in sorted((data.get("hosts") or {}).items()):
            index._add_host(name, host or {})
        for sid, server in sorted((data.get("servers") or {}).items()):
            index._add_server(sid, server or {})
        for window in windows or ():
            index.add_window(window)
        return index

    def _alias(self, table: Dict[str, str], alias: str, target: str) -> None:
        known = table.get(alias)
        if known is not None and known != target:
            self._ambiguous.add(alias)
        else:
            table[alias] = target

    def _add_host(self, name: str, host: Mapping[str, Any]) -> None:
        service = host.get("service") or {}
        entry = HostEntry(name=name, zone=host.get("zone"), disabled_reason=service.get("disabled_reason"),
                          service_status=service.get("status"), service_state=service.get("state"),
                          servers=list(host.get("servers") or []))
        self.hosts[name] = entry
        self._host_names[name.lower()] = name  # the Nova name wins over any alias
        hypervisor = host.get("hypervisor") or {}
        for alias in _names_of(name)[1:] + _names_of(str(hypervisor.get("hostname") or "")) + \
                _names_of(str(hypervisor.get("host_ip") or "")):
            if alias != name.lower():
                self._alias(self._host_names, alias, name)
        bmc = host.get("bmc") or {}
        address = bmc.get("address") if isinstance(bmc, Mapping) else None
        if address:
            part = _host_part(str(address))
            if part:
                for alias in _names_of(part):
                    self._alias(self._bmcs, alias, name)

    def _add_server(self, sid: str, server: Mapping[str, Any]) -> None:
        self.servers[sid] = server
        host = server.get("host")
        if host and host in self.hosts and sid not in self.hosts[host].servers:
            self.hosts[host].servers.append(sid)
        if server.get("name"):
            self._alias(self._server_names, str(server["name"]).lower(), sid)
        for addr in server.get("addresses") or []:
            if isinstance(addr, Mapping) and addr.get("addr"):
                self._alias(self._server_ips, str(addr["addr"]).lower(), sid)

    def add_window(self, window: Mapping[str, Any]) -> None:
        win = Window(name=str(window.get("name") or ""), state=str(window.get("state") or "scheduled"),
                     hosts=tuple(window.get("hosts") or ()),
                     start_at=parse_time_or_none(window.get("start_at")),
                     end_at=parse_time_or_none(window.get("end_at")))
        for host in win.hosts:
            if host in self.hosts:
                self.hosts[host].windows.append(win)

    # -- looking up -------------------------------------------------------------
    def host_named(self, value: str) -> Optional[str]:
        for alias in _names_of(value):
            if alias in self._host_names and alias not in self._ambiguous:
                return self._host_names[alias]
        return None

    def server_named(self, value: str) -> Optional[str]:
        if value in self.servers:
            return value
        low = value.strip().lower()
        for table in (self._server_names, self._server_ips):
            if low in table and low not in self._ambiguous:
                return table[low]
        return None

    def bmc_named(self, value: str) -> Optional[str]:
        for alias in _names_of(value):
            if alias in self._bmcs and alias not in self._ambiguous:
                return self._bmcs[alias]
        return None

    def resolve(self, labels: Mapping[str, str]) -> Match:
        """The resource an alert's labels name. Server labels first (a VM alert is about its server, on its
        host), then host labels, BMC labels, and ``instance`` last (it may be a host, a BMC or a server). Labels
        that name something the fleet does not have make the alert ``unknown`` under the first such value;
        an alert that names no resource at all (capacity, API latency) is about the fleet, per component."""
        unknown: Optional[str] = None
        for label in SERVER_LABELS:
            value = labels.get(label)
            if value:
                sid = self.server_named(value)
                if sid is not None:
                    host = self.servers[sid].get("host")
                    return Match("server", "host:%s" % host if host else "server:%s" % sid, host=host, server=sid,
                                 via="%s=%s" % (label, value))
                unknown = unknown or "%s=%s" % (label, value)
        for label in HOST_LABELS:
            value = labels.get(label)
            if value:
                host = self.host_named(value) or self.bmc_named(value)
                if host is not None:
                    return Match("host", "host:%s" % host, host=host, via="%s=%s" % (label, value))
                unknown = unknown or "%s=%s" % (label, value)
        for label in BMC_LABELS:
            value = labels.get(label)
            if value:
                host = self.bmc_named(_host_part(value) or value)
                if host is not None:
                    return Match("bmc", "host:%s" % host, host=host, via="%s=%s" % (label, value))
                unknown = unknown or "%s=%s" % (label, value)
        value = labels.get(INSTANCE_LABEL)
        if value:
            part = _host_part(value) or value
            host = self.host_named(part)
            if host is not None:
                return Match("host", "host:%s" % host, host=host, via="instance=%s" % value)
            host = self.bmc_named(part)
            if host is not None:
                return Match("bmc", "host:%s" % host, host=host, via="instance=%s" % value)
            sid = self.server_named(part)
            if sid is not None:
                host = self.servers[sid].get("host")
                return Match("server", "host:%s" % host if host else "server:%s" % sid, host=host, server=sid,
                             via="instance=%s" % value)
            if unknown is None and not _is_exporter(labels):
                unknown = "instance=%s" % value
        if unknown is not None:
            return Match("unknown", "unknown:%s" % unknown, via=unknown)
        component = labels.get("component") or labels.get("job") or labels.get("alertname", "")
        return Match("fleet", "fleet:%s" % component, via="component=%s" % component)

    # -- why a resource is out of the pool ------------------------------------------
    def host_suppression(self, host: str, now: datetime) -> Optional[Suppression]:
        """A host in a maintenance window, held, or under remediation; None: its alerts are news."""
        entry = self.hosts.get(host)
        if entry is None:
            return None
        window = maintenance_window(entry.disabled_reason)
        if window is not None:
            ends = next((w.end_at for w in entry.windows if w.name == window), None)
            return Suppression("in_maintenance:%s" % (window or "?"), entry.disabled_reason or "", "window", ends)
        for win in entry.windows:
            if win.suppresses(now):
                return Suppression("in_maintenance:%s" % win.name, "window %s is %s" % (win.name, win.state),
                                   "window", win.end_at)
        state = remediation_state(entry.disabled_reason)
        if state == "held":
            words = (entry.disabled_reason or "").split(None, 2)
            reason = words[1] if len(words) > 1 and words[1] != "-" else "manual"  # "-": held with no runbook
            return Suppression("held:%s" % reason, entry.disabled_reason or "", "held")
        if state in REMEDIATION_BUSY:
            return Suppression("remediation_in_progress:%s" % state, entry.disabled_reason or "", "remediation")
        return None

    def upcoming_window(self, host: str, now: datetime) -> Optional[Dict[str, Any]]:
        entry = self.hosts.get(host)
        for win in sorted(entry.windows if entry else [], key=lambda w: (w.start_at is None, w.start_at or now)):
            if win.upcoming(now):
                return {"name": win.name, "state": win.state,
                        "start_at": win.start_at.strftime("%Y-%m-%dT%H:%M:%SZ") if win.start_at else None}
        return None

    def server_suppression(self, sid: Optional[str]) -> Optional[Suppression]:
        server = self.servers.get(sid or "")
        if not server:
            return None
        case = server.get("quarantine")
        if case is None:
            case = quarantine_case(server.get("tags"), server.get("metadata"))
        if case is not None:
            return Suppression("quarantined:%s" % (case or "?"), "server %s is under quarantine" % sid, "quarantine")
        return None

    def servers_of(self, host: Optional[str]) -> List[Mapping[str, Any]]:
        entry = self.hosts.get(host or "")
        return [self.servers[s] for s in (entry.servers if entry else []) if s in self.servers]

    def suppressed_hosts(self, now: datetime) -> Dict[str, Suppression]:
        """Every host out of the pool on purpose (what silences are made from)."""
        out = {}
        for name in self.hosts:
            why = self.host_suppression(name, now)
            if why is not None:
                out[name] = why
        return out


def _is_exporter(labels: Mapping[str, str]) -> bool:
    """An alert about a scrape target that is no host (openstack-exporter's own ``instance``) with a ``job``
    only: it is about the service the job watches, not a machine."""
    return bool(labels.get("component")) and labels.get("component") in ("api", "capacity", "openstack")
