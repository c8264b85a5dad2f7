# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Refuse to take down a compute host that Nova may still schedule to or that still runs servers.

Powering off a hypervisor under running servers is the accident this
collection exists to prevent. The check asks Nova, not the BMC: the
nova-compute service must be disabled and the host must hold no servers
(all projects), unless the caller forces it.
"""

from __future__ import annotations

from typing import Any, Dict, List

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ConflictError
from ansible_collections.osfleet.day2.plugins.module_utils._hosts.compute_service import find_compute_service

MAX_LISTED = 10


def servers_on(nova: Any, host: str) -> List[Dict[str, str]]:
    return [{"id": s.id, "name": s.name, "status": s.status} for s in nova.servers_on_host(host)]


def check(nova: Any, host: str, action: str) -> Dict[str, Any]:
    """What Nova says about ``host``; ConflictError if ``action`` must be refused."""
    service = find_compute_service(nova, host)
    servers = servers_on(nova, host)
    reasons = []
    if service.status == "enabled":
        reasons.append("its nova-compute service is enabled (disable it first: osfleet.day2.compute_service)")
    if servers:
        names = ", ".join("%s (%s)" % (s["name"], s["status"]) for s in servers[:MAX_LISTED])
        more = " and %d more" % (len(servers) - MAX_LISTED) if len(servers) > MAX_LISTED else ""
        reasons.append("it still runs %d server(s): %s%s" % (len(servers), names, more))
    found = {"host": host, "compute_service": service.status, "servers": len(servers)}
    if reasons:
        raise ConflictError("refusing to %s %s: %s; set force=true to do it anyway"
                            % (action.replace("_", " "), host, "; ".join(reasons)),
                            field="host", resource=host, details=found)
    return found
