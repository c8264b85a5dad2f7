# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The cloud side of a host's pre-checks before it is drained for a patch: its servers must fit elsewhere and
none may be quarantined - the remediation's own guards (``_remediation/guards.py``), so that a patch and a
remediation refuse the same host for the same reasons.

``room_to_drain`` reads the fleet once (zones, service states, Placement capacity of every host; no server
listing) and the host's servers, and fits them first-fit, largest first, over the free capacity of the enabled,
up hosts other than it. It says what is wrong, or "" when the host may be drained.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.osfleet.day2.plugins.module_utils._fleet.discover import discover
from ansible_collections.osfleet.day2.plugins.module_utils._remediation import guards


def room_to_drain(cloud: Any, host: str) -> str:
    """What stops ``host`` from being drained (a quarantined server, no room elsewhere), or ""."""
    servers = cloud.nova.servers_on_host(host)
    refusal = guards.quarantine(servers)
    if refusal is None:
        fleet = discover(cloud, vms=False, placement=True).to_dict()
        refusal = guards.capacity(fleet, host, servers, {})
    return "" if refusal is None else refusal.reason
