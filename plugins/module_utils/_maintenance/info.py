# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""What maintenance_info reports: each window with its hosts' compute services and, live, its servers.

Reads only. The window record says what the window did to each server; with
``live`` the servers still on the hosts are read too, for what their owners
answer now and for servers that came to a host after the window told owners.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._maintenance import model as mm
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance.record import Run, WindowRecord, WindowView


def report(nova: Any, name: Optional[str] = None, include_ended: bool = True, live: bool = False) -> List[Dict[str, Any]]:
    """The windows (one, or all), as maintenance_info returns them."""
    views = [v for v in WindowRecord(nova, Run(check_mode=True)).windows(name)
             if include_ended or v.window.state not in mm.ENDED]
    services = {s.host: s for s in nova.compute_services()} if views else {}
    return [_window(nova, view, services, live) for view in views]


def _window(nova: Any, view: WindowView, services: Dict[str, Any], live: bool) -> Dict[str, Any]:
    window = view.to_dict()
    window["services"] = {h: {k: getattr(services.get(h), k, None) for k in ("status", "state", "disabled_reason")}
                          for h in view.window.hosts}
    if not live:
        return window
    on_hosts: Dict[str, Any] = {}
    for host in view.window.hosts:
        for server in nova.servers_on_host(host):
            on_hosts[server.id] = server
    for entry in window["servers"]:
        server = on_hosts.pop(entry["id"], None)
        if server is not None:
            entry.update(_answers(server), server_status=server.status)
    for server in on_hosts.values():  # on the host but not yet noticed (booted after scheduling)
        window["servers"].append(dict(id=server.id, name=server.name, project_id=server.project_id,
                                      status="not_notified", action="", host=server.compute_host, notified="",
                                      webhook=False, server_status=server.status, **_answers(server)))
    return window


def _answers(server: Any) -> Dict[str, Any]:
    metadata = server.metadata or {}
    return {"answer": metadata.get(mm.S_ANSWER), "policy": metadata.get(mm.S_POLICY)}
