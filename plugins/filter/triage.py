# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: triage
short_description: Incidents from Alertmanager alerts and a fleet snapshot, with no state and no network
version_added: 0.1.0
description:
  - The triage of M(osfleet.day2.alert_triage) as a pure function - an Alertmanager webhook payload (version 4)
    or a list of alerts in, incidents out - deduplicated within the input, grouped per host, correlated through
    the fleet snapshot (host names, C(instance) C(host:port), hypervisor IPs, BMC addresses, servers), suppressed
    with a reason code (maintenance window, hold, remediation, quarantine), symptoms inhibited by their cause.
  - No state, so no dedup across calls, no flap hold and no re-release; no network, so no silences. Use the module
    for those.
author:
  - osfleet.day2 contributors (@osfleet)
options:
  _input:
    description:
      - A webhook payload (version 4, a mapping with C(alerts)) or a list of alerts (each with C(labels), and
        optionally C(status), C(startsAt), C(fingerprint)).
    type: raw
    required: true
  inventory:
    description:
      - The fleet snapshot - the result of M(osfleet.day2.fleet_info) (its C(hosts) and C(servers)).
    type: dict
    required: true
  windows:
    description:
      - Maintenance windows as M(osfleet.day2.maintenance_info) returns them (C(name), C(state), C(hosts),
        C(start_at), C(end_at)).
    type: list
    elements: dict
    default: []
  runbooks:
    description:
      - The runbooks to match - a list of runbooks as mappings (a runbook file's content), or of C(source) and
        C(text). Omitted - the shipped runbooks. An empty list - none.
    type: list
    elements: dict
  now:
    description:
      - The time to judge windows and holds at (ISO 8601); default now.
    type: str
  only_actionable:
    description:
      - Return only the actionable incidents.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: What needs doing, from an event's payload
  ansible.builtin.set_fact:
    incidents: "{{ ansible_eda.event.payload | osfleet.day2.triage(inventory=fleet, only_actionable=true) }}"

- name: Hosts with an actionable incident and a runbook
  ansible.builtin.debug:
    msg: "{{ incidents | selectattr('runbook') | map(attribute='resource.host') | list }}"
"""

RETURN = r"""
_value:
  description:
    - The incidents, actionable first; each with C(id), C(resource), C(alerts), C(inhibited), C(severity),
      C(servers) and C(projects) (C(count) and C(items)), C(runbook), C(actionable), C(suppressed) (the reason
      code), C(cause) - as the module's RV(osfleet.day2.alert_triage#module:incidents).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.osfleet.day2.plugins.module_utils._alerts.correlate import FleetIndex
from ansible_collections.osfleet.day2.plugins.module_utils._alerts.payload import parse_any
from ansible_collections.osfleet.day2.plugins.module_utils._alerts.triage import triage as run_triage
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error
from ansible_collections.osfleet.day2.plugins.module_utils._common.timeutil import parse_time
from ansible_collections.osfleet.day2.plugins.module_utils._remediation.runbook import (
    load_runbook,
    load_runbooks,
    load_sources,
)


def _runbooks(given):
    if given is None:
        return load_runbooks()
    if all(isinstance(item, dict) and "text" in item for item in given):
        return load_sources(given)
    books = [load_runbook(item, "runbooks[%d]" % i) for i, item in enumerate(given)]
    return sorted((b for b in books if b.enabled), key=lambda b: (-b.priority, b.name))


def triage(data, inventory=None, windows=None, runbooks=None, now=None, only_actionable=False):
    """payload | osfleet.day2.triage(inventory=fleet_info_result)"""
    if not isinstance(inventory, dict):
        raise AnsibleFilterError("osfleet.day2.triage: inventory must be a fleet_info result (hosts, servers)")
    try:
        parsed = parse_any(data) if not isinstance(data, list) else parse_any(None, data)
        result = run_triage(parsed.alerts, FleetIndex.build(inventory, windows or []), _runbooks(runbooks),
                            now=parse_time(now, "now"))
    except Day2Error as exc:
        raise AnsibleFilterError("osfleet.day2.triage: %s" % exc.message)
    return [i.to_dict() for i in (result.actionable if only_actionable else result.incidents)]


class FilterModule:
    def filters(self):
        return {"triage": triage}
