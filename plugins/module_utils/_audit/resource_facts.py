# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Tenant resource targets (servers, ports, floating IPs, volumes, snapshots, images) for the unused_capacity pack.

Every "unused" fact is a claim that nothing refers to the resource, so each is
made only when every referrer was listed (the Cloud Custodian lesson: enumerate
all the scanners): an image is unused only if servers *and* volumes were
listed; a port's device is gone only if servers were listed. Otherwise the
fact is absent and the rule says ``error``.

Holds are computed here too: a resource of a quarantined server, or of a
server on a host in a maintenance window, or carrying a quarantine case
marker, has ``held`` true, and the pack never flags it for action.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import QUARANTINE_META_KEY, QUARANTINE_TAG

#: quarantine evidence artifacts carry these (see _quarantine/record.py and evidence.py)
CASE_TAG_PREFIX = "osfleet-case:"
CASE_NAME_PREFIX = "osfleet-case-"
CASE_META_KEYS = ("osfleet_case", QUARANTINE_META_KEY)


class _Index:
    """Lookups shared by all kinds: servers, their holds, projects, volumes, ports."""

    def __init__(self, g: Any, hosts: List[Dict[str, Any]]) -> None:
        fleet = g.fleet or {}
        self.trust_empty = g.trust_empty
        self.servers: Optional[Dict[str, Dict[str, Any]]] = None
        if g.fleet is not None and (fleet.get("servers") or g.trust_empty):
            self.servers = fleet.get("servers") or {}
        self.host_window = {h["id"]: (h.get("hold") or {}).get("maintenance") for h in hosts}
        self.projects: Optional[Dict[str, Dict[str, Any]]] = None
        self.projects_error: Optional[str] = None
        if g.projects is not None:
            if g.projects or g.trust_empty:
                self.projects = {p.get("id"): p for p in g.projects}
            else:
                self.projects_error = "the project listing is empty: not trusted (pass trust_empty for a new cloud)"
        self.volume_ids: Optional[Set[str]] = None
        if g.volumes is not None and (g.volumes or g.trust_empty or not g.snapshots):
            self.volume_ids = {v.get("id") for v in g.volumes}
        self.volumes = {v.get("id"): v for v in g.volumes or []}
        self.ports = {p.get("id"): p for p in g.ports or []}
        self.server_times = g.server_times or {}

    def server_hold(self, server_id: Optional[str]) -> Dict[str, Any]:
        server = (self.servers or {}).get(server_id or "") or {}
        return {"quarantine": server.get("quarantine"), "maintenance": self.host_window.get(server.get("host"))}

    def project(self, target: Dict[str, Any], project_id: Optional[str]) -> None:
        target["project_id"] = project_id
        if self.projects_error:
            target.setdefault("_errors", {})["project"] = self.projects_error
        elif self.projects is not None:
            p = self.projects.get(project_id) if project_id else None
            target["project"] = {"id": project_id, "exists": p is not None if project_id else None,
                                 "enabled": bool(p.get("enabled", True)) if p else False,
                                 "name": (p or {}).get("name")}


def _marked_case(tags: List[str], metadata: Dict[str, Any], name: Optional[str]) -> Optional[str]:
    for key in CASE_META_KEYS:
        if metadata.get(key):
            return str(metadata[key])
    for tag in tags:
        if tag.startswith(CASE_TAG_PREFIX):
            return tag[len(CASE_TAG_PREFIX):]
        if tag == QUARANTINE_TAG:
            return ""
    if name and name.startswith(CASE_NAME_PREFIX):
        return name[len(CASE_NAME_PREFIX):]
    return None


def _hold(target: Dict[str, Any], *holds: Dict[str, Any]) -> None:
    hold: Dict[str, Any] = {"quarantine": None, "maintenance": None}
    for h in holds:
        for key in hold:
            if hold[key] is None and h.get(key) is not None:
                hold[key] = h[key]
    target["hold"] = hold
    target["held"] = hold["quarantine"] is not None or hold["maintenance"] is not None


def _finish(target: Dict[str, Any]) -> Dict[str, Any]:
    if not target.get("_errors"):
        target.pop("_errors", None)
    return target


def server_target(s: Dict[str, Any], ix: _Index) -> Dict[str, Any]:
    metadata = dict(s.get("metadata") or {})
    times = ix.server_times.get(s["id"]) or {}
    t: Dict[str, Any] = {"id": s["id"], "name": s.get("name"), "kind": "server"}
    for key in ("status", "power_state", "vm_state", "task_state", "host", "zone", "flavor", "image", "locked",
                "project_name", "cloud", "region"):
        t[key] = s.get(key)
    t["volumes"] = list(s.get("volumes") or [])
    t["metadata"] = metadata
    t["tags"] = sorted(set(s.get("tags") or []) | set(metadata))
    for key in ("created", "updated"):
        value = times.get(key) or s.get(key) or s.get(key + "_at")
        if value:
            t[key] = value
    since = times.get("state_since") or t.get("updated")
    if since:
        t["since"] = since
    ix.project(t, s.get("project_id"))
    _hold(t, {"quarantine": s.get("quarantine"), "maintenance": ix.host_window.get(s.get("host"))})
    return _finish(t)


def port_target(p: Dict[str, Any], ix: _Index) -> Dict[str, Any]:
    tags = list(p.get("tags") or [])
    t: Dict[str, Any] = {"id": p["id"], "name": p.get("name") or p["id"], "kind": "port",
                         "status": p.get("status"), "device_id": p.get("device_id") or "",
                         "device_owner": p.get("device_owner") or "", "network_id": p.get("network_id"),
                         "binding_host": p.get("binding:host_id"), "mac_address": p.get("mac_address"),
                         "fixed_ips": [ip.get("ip_address") for ip in p.get("fixed_ips") or []],
                         "created_at": p.get("created_at"), "updated_at": p.get("updated_at"), "tags": tags}
    since = p.get("updated_at") or p.get("created_at")
    if since:
        t["since"] = since
    if t["device_owner"].startswith("compute:") and ix.servers is not None:
        t["device_exists"] = bool(t["device_id"]) and t["device_id"] in ix.servers
    ix.project(t, p.get("project_id") or p.get("tenant_id"))
    server_hold = ix.server_hold(t["device_id"]) if t["device_owner"].startswith("compute:") else {}
    _hold(t, server_hold, {"quarantine": _marked_case(tags, {}, None)})
    return _finish(t)


def floating_ip_target(f: Dict[str, Any], ix: _Index) -> Dict[str, Any]:
    tags = list(f.get("tags") or [])
    t: Dict[str, Any] = {"id": f["id"], "name": f.get("floating_ip_address") or f["id"], "kind": "floating_ip",
                         "floating_ip_address": f.get("floating_ip_address"), "status": f.get("status"),
                         "port_id": f.get("port_id"), "router_id": f.get("router_id"),
                         "floating_network_id": f.get("floating_network_id"), "description": f.get("description"),
                         "created_at": f.get("created_at"), "updated_at": f.get("updated_at"), "tags": tags}
    since = f.get("updated_at") or f.get("created_at")
    if since:
        t["since"] = since
    ix.project(t, f.get("project_id") or f.get("tenant_id"))
    device = (f.get("port_details") or {}).get("device_id") or (ix.ports.get(f.get("port_id")) or {}).get("device_id")
    _hold(t, ix.server_hold(device) if device else {}, {"quarantine": _marked_case(tags, {}, None)})
    return _finish(t)


def volume_target(v: Dict[str, Any], ix: _Index) -> Dict[str, Any]:
    metadata = dict(v.get("metadata") or {})
    attachments = [{"server_id": a.get("server_id"), "attachment_id": a.get("attachment_id"),
                    "host_name": a.get("host_name")} for a in v.get("attachments") or []]
    t: Dict[str, Any] = {"id": v["id"], "name": v.get("name") or v["id"], "kind": "volume", "status": v.get("status"),
                         "size": v.get("size"), "bootable": str(v.get("bootable", "")).lower() == "true",
                         "attachments": attachments, "attached_servers": [a["server_id"] for a in attachments],
                         "created_at": v.get("created_at"), "updated_at": v.get("updated_at"), "metadata": metadata,
                         "tags": sorted(metadata), "image_id": (v.get("volume_image_metadata") or {}).get("image_id")}
    since = v.get("updated_at") or v.get("created_at")
    if since:
        t["since"] = since
    ix.project(t, v.get("os-vol-tenant-attr:tenant_id") or v.get("project_id"))
    holds = [ix.server_hold(a["server_id"]) for a in attachments]
    _hold(t, {"quarantine": _marked_case([], metadata, v.get("name"))}, *holds)
    return _finish(t)


def snapshot_target(s: Dict[str, Any], ix: _Index) -> Dict[str, Any]:
    metadata = dict(s.get("metadata") or {})
    t: Dict[str, Any] = {"id": s["id"], "name": s.get("name") or s["id"], "kind": "snapshot", "status": s.get("status"),
                         "size": s.get("size"), "volume_id": s.get("volume_id"), "created_at": s.get("created_at"),
                         "updated_at": s.get("updated_at"), "metadata": metadata, "tags": sorted(metadata)}
    if s.get("created_at"):
        t["since"] = s["created_at"]
    if ix.volume_ids is not None:
        t["volume_exists"] = s.get("volume_id") in ix.volume_ids
    ix.project(t, s.get("os-extended-snapshot-attributes:project_id") or s.get("project_id"))
    volume = ix.volumes.get(s.get("volume_id")) or {}
    volume_case = _marked_case([], dict(volume.get("metadata") or {}), volume.get("name"))
    _hold(t, {"quarantine": _marked_case([], metadata, s.get("name"))}, {"quarantine": volume_case})
    return _finish(t)


def image_target(i: Dict[str, Any], ix: _Index, users: Dict[str, Dict[str, Optional[int]]],
                 nobody: Dict[str, Optional[int]]) -> Dict[str, Any]:
    """``users``: image id -> referrer counts; ``nobody``: the counts of an image no referrer names."""
    tags = list(i.get("tags") or [])
    t: Dict[str, Any] = {"id": i["id"], "name": i.get("name") or i["id"], "kind": "image", "status": i.get("status"),
                         "visibility": i.get("visibility"), "owner": i.get("owner"),
                         "protected": bool(i.get("protected")), "size": i.get("size"),
                         "image_type": i.get("image_type"), "created_at": i.get("created_at"),
                         "updated_at": i.get("updated_at"), "tags": tags}
    if i.get("created_at"):
        t["since"] = i["created_at"]
    used = users.get(i["id"], nobody)
    t["used_by"] = dict(used)
    if any(n for n in used.values()):
        t["in_use"] = True
    elif all(n is not None for n in used.values()):
        t["in_use"] = False
    ix.project(t, i.get("owner"))
    _hold(t, {"quarantine": _marked_case(tags, i, i.get("name"))})
    return _finish(t)


def _image_users(g: Any, ix: _Index) -> Tuple[Dict[str, Dict[str, Optional[int]]], Dict[str, Optional[int]]]:
    """image id -> how many servers and volumes use it (None where that referrer was not listed)."""
    users: Dict[str, Dict[str, Optional[int]]] = {}
    servers_listed = ix.servers is not None
    volumes_listed = g.volumes is not None
    for s in (ix.servers or {}).values():
        if s.get("image"):
            users.setdefault(s["image"], {"servers": 0, "volumes": 0 if volumes_listed else None})
            users[s["image"]]["servers"] += 1
    for v in g.volumes or []:
        image = (v.get("volume_image_metadata") or {}).get("image_id")
        if image:
            users.setdefault(image, {"servers": 0 if servers_listed else None, "volumes": 0})
            users[image]["volumes"] = (users[image]["volumes"] or 0) + 1
    return users, {"servers": 0 if servers_listed else None, "volumes": 0 if volumes_listed else None}


def resource_targets(g: Any, hosts: List[Dict[str, Any]]) -> Dict[str, List[Dict[str, Any]]]:
    """kind -> targets for every tenant resource listing in ``g`` (a facts.Gathered)."""
    ix = _Index(g, hosts)
    out: Dict[str, List[Dict[str, Any]]] = {}
    if g.fleet is not None and (g.fleet.get("servers") or g.trust_empty):
        out["server"] = [server_target(s, ix) for _id, s in sorted(g.fleet["servers"].items())]
    if g.ports is not None:
        out["port"] = [port_target(p, ix) for p in g.ports]
    if g.floating_ips is not None:
        out["floating_ip"] = [floating_ip_target(f, ix) for f in g.floating_ips]
    if g.volumes is not None:
        out["volume"] = [volume_target(v, ix) for v in g.volumes]
    if g.snapshots is not None:
        out["snapshot"] = [snapshot_target(s, ix) for s in g.snapshots]
    if g.images is not None:
        users, nobody = _image_users(g, ix)
        out["image"] = [image_target(i, ix, users, nobody) for i in g.images]
    return out
