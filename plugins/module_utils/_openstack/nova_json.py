# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""TEMPORARY SHIM: the old raw-JSON ``NovaActions``, until the drain and the windows are on ``nova.Nova``.

Delete this file when ``_hosts/drain.py``, ``_maintenance/service.py`` and
``modules/host_drain.py`` use ``Cloud.nova`` (the lead migrates them; issue 12
item 2). Behaviour is the old one; only its error parsing is the access
layer's (``errors.raise_for_response``) and it keeps no request counter of its
own (the connection counts, ``Cloud.requests()``).

The few Nova calls that draining and maintenance make, as plain JSON.

One small class so the drain engine can be tested against a fake Nova (the
network boundary) and so every call has the same error handling: a failed
call is a CloudError naming the call, the server and Nova's own message.
Actions go through the compute adapter at one pinned microversion: 2.80 has
everything used here (live migration with ``block_migration: auto`` and an
optional host, cold migration to a host, migration records filtered by
server) and is in every Nova since Ussuri.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._openstack.errors import api_call, raise_for_response
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.listing import list_json

MICROVERSION = "2.80"


class NovaActions:
    """Nova seen through one keystoneauth adapter (``conn.compute``)."""

    def __init__(self, conn: Any, stats: Optional[Dict[str, int]] = None) -> None:
        self.adapter = conn.compute  # ``stats`` is accepted and ignored (the connection counts)

    # -- reads ----------------------------------------------------------------
    def servers_on_host(self, host: str) -> List[Dict[str, Any]]:
        return list_json(self.adapter, "/servers/detail", "servers", "list servers on %s" % host,
                         microversion=MICROVERSION, params={"all_tenants": 1, "host": host}, page_size=1000)

    def servers(self, **params: Any) -> List[Dict[str, Any]]:
        query = {"all_tenants": 1}
        query.update(params)
        return list_json(self.adapter, "/servers/detail", "servers", "list servers", microversion=MICROVERSION,
                         params=query, page_size=1000)

    def server(self, server_id: str) -> Optional[Dict[str, Any]]:
        """The server, or None when it no longer exists."""
        response = self._request("GET", "/servers/%s" % server_id, "show server", server_id, ok_404=True)
        return None if response is None else response.json()["server"]

    def migrations(self, server_id: str) -> List[Dict[str, Any]]:
        """The server's migration records, newest first."""
        found = list_json(self.adapter, "/os-migrations", "migrations", "list migrations of %s" % server_id,
                          microversion=MICROVERSION, params={"instance_uuid": server_id})
        return sorted(found, key=lambda m: (m.get("created_at") or "", m.get("id") or 0), reverse=True)

    def server_groups(self) -> Dict[str, List[str]]:
        """server id -> ids of the server groups it belongs to (every project)."""
        groups = list_json(self.adapter, "/os-server-groups", "server_groups", "list server groups",
                           microversion=MICROVERSION, params={"all_projects": True})
        members: Dict[str, List[str]] = {}
        for group in groups:
            for member in group.get("members") or []:
                members.setdefault(member, []).append(group["id"])
        return members

    def aggregates(self) -> List[Dict[str, Any]]:
        return list_json(self.adapter, "/os-aggregates", "aggregates", "list host aggregates",
                         microversion=MICROVERSION)

    def compute_services(self) -> List[Dict[str, Any]]:
        return list_json(self.adapter, "/os-services", "services", "list compute services",
                         microversion=MICROVERSION, params={"binary": "nova-compute"})

    # -- actions -----------------------------------------------------------------
    def create_aggregate(self, name: str) -> Dict[str, Any]:
        response = self._request("POST", "/os-aggregates", "create host aggregate", name,
                                 json={"aggregate": {"name": name}})
        return response.json()["aggregate"]

    def aggregate_action(self, aggregate_id: str, action: str, value: Any, what: str) -> Dict[str, Any]:
        """add_host / remove_host / set_metadata (a None value deletes that key)."""
        response = self._request("POST", "/os-aggregates/%s/action" % aggregate_id, what, str(aggregate_id),
                                 json={action: value})
        return response.json()["aggregate"]

    def live_migrate(self, server_id: str, host: Optional[str] = None) -> None:
        self._action(server_id, {"os-migrateLive": {"host": host, "block_migration": "auto"}}, "live-migrate server")

    def cold_migrate(self, server_id: str, host: Optional[str] = None) -> None:
        body: Dict[str, Any] = {"migrate": {"host": host} if host else None}
        self._action(server_id, body, "migrate server")

    def confirm_resize(self, server_id: str) -> None:
        self._action(server_id, {"confirmResize": None}, "confirm migration")

    def stop(self, server_id: str) -> None:
        self._action(server_id, {"os-stop": None}, "stop server")

    def start(self, server_id: str) -> None:
        self._action(server_id, {"os-start": None}, "start server")

    def set_metadata(self, server_id: str, items: Dict[str, str]) -> None:
        """Add or replace these keys (others are left alone)."""
        self._request("POST", "/servers/%s/metadata" % server_id, "set server metadata", server_id,
                      json={"metadata": items})

    def delete_metadata(self, server_id: str, key: str) -> None:
        self._request("DELETE", "/servers/%s/metadata/%s" % (server_id, key), "delete server metadata", server_id,
                      ok_404=True)

    # -- plumbing -------------------------------------------------------------
    def _action(self, server_id: str, body: Dict[str, Any], what: str) -> None:
        self._request("POST", "/servers/%s/action" % server_id, what, server_id, json=body)

    def _request(self, method: str, path: str, what: str, resource: str, json: Any = None,
                 ok_404: bool = False) -> Any:
        with api_call(what, resource=resource):
            response = self.adapter.request(path, method, json=json, microversion=MICROVERSION,
                                            headers={"Accept": "application/json"}, raise_exc=False)
        if response.status_code == 404 and ok_404:
            return None
        return raise_for_response(response, what, resource)


def server_host(server: Dict[str, Any]) -> Optional[str]:
    return server.get("OS-EXT-SRV-ATTR:host")


def task_state(server: Dict[str, Any]) -> Optional[str]:
    return server.get("OS-EXT-STS:task_state")
