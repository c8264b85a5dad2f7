# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""How osfleet.day2 marks state in the cloud itself, so that any tool sees it.

There is no database of ours: a host in a maintenance window is a compute
service disabled with a reason starting with MAINTENANCE_PREFIX; a server under
a legal or security hold carries QUARANTINE_TAG and QUARANTINE_META_KEY (the
case id). The inventory plugin and fleet_info read these; the maintenance and
quarantine features write them. A resource the unused-capacity actions have
acted on carries the time of each stage (UNUSED_NOTIFIED, UNUSED_STOPPED) as a
metadata key with the time as its value, or, on resources that only have tags
(ports, floating IPs, images), as a tag ``<key>:<time>``.

A host taken out of the pool by remediation is a compute service disabled with
a reason ``osfleet-remediation:<state> <runbook> <words>`` (state one of
REMEDIATION_STATES), next to its record, the host aggregate
``osfleet-remed-<host>`` (see _remediation/record.py). ``held`` is the manual
path: no runbook touches the host and alerts about it are suppressed as held.
While a remediation drains the host through a maintenance window, the reason is
that window's (MAINTENANCE_PREFIX) and the record still says where it stands.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

MAINTENANCE_PREFIX = "osfleet-maintenance:"
REMEDIATION_PREFIX = "osfleet-remediation:"
#: the states a remediation record passes through (returned: back in the pool, the record kept as history)
REMEDIATION_STATES = ("detected", "confirmed", "out_of_pool", "fixing", "verifying", "returned", "held",
                      "dismissed")
QUARANTINE_TAG = "osfleet-quarantine"
QUARANTINE_META_KEY = "osfleet_quarantine_case"
UNUSED_NOTIFIED = "osfleet-unused-notified-at"
UNUSED_STOPPED = "osfleet-unused-stopped-at"
#: metadata only: the notice in words (why, and what comes next when)
UNUSED_NOTICE = "osfleet-unused-notice"


def maintenance_window(disabled_reason: Optional[str]) -> Optional[str]:
    """The window name a compute service's disabled reason records, if any."""
    if disabled_reason and disabled_reason.startswith(MAINTENANCE_PREFIX):
        rest = disabled_reason[len(MAINTENANCE_PREFIX):].strip()
        return rest.split()[0] if rest else ""
    return None


def quarantine_case(tags: Any, metadata: Optional[Dict[str, Any]]) -> Optional[str]:
    """The case id a server is quarantined under, if any."""
    metadata = metadata or {}
    if metadata.get(QUARANTINE_META_KEY):
        return str(metadata[QUARANTINE_META_KEY])
    if tags and QUARANTINE_TAG in tags:
        return ""
    return None


def remediation_state(disabled_reason: Optional[str]) -> Optional[str]:
    """The remediation state a compute service's disabled reason records (``held``, ``fixing`` ...), if any."""
    if disabled_reason and disabled_reason.startswith(REMEDIATION_PREFIX):
        rest = disabled_reason[len(REMEDIATION_PREFIX):].strip()
        return rest.split()[0] if rest else ""
    return None
