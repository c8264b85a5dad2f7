# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet_html
short_description: The fleet report as one self-contained HTML page
version_added: 0.1.0
description:
  - Renders the result of M(osfleet.day2.fleet_info) and the C(results) of M(osfleet.day2.hardware_scan) as one
    HTML page that needs no network (inline CSS, no script, no fonts or images fetched).
  - Every node by kind (compute, network, storage) with its zone, aggregates and state (a word and a colour);
    Placement allocation against capacity as bars (vCPU, memory, disk), measured use beside it when a node has
    C(utilization); the BMC's power, health, temperatures, fans and power supplies; a drill-down per node with its
    servers, agents or pools. C(network_nodes) and C(storage_nodes), when the result has them, are rendered;
    absent, the page says none reported.
  - Every value is HTML-escaped. The output depends only on the input and O(generated_at).
author:
  - osfleet.day2 contributors (@osfleet)
options:
  _input:
    description:
      - The result of M(osfleet.day2.fleet_info) (its C(hosts), C(servers), and C(network_nodes) and
        C(storage_nodes) when present).
    type: dict
    required: true
  hardware:
    description:
      - The C(results) of M(osfleet.day2.hardware_scan), one entry per host; omitted - no hardware section.
    type: dict
    default: {}
  generated_at:
    description:
      - The time to print as the report's generation time (ISO 8601); default now (UTC).
    type: str
"""

EXAMPLES = r"""
- name: Write the fleet report as a page
  ansible.builtin.copy:
    content: "{{ fleet | osfleet.day2.fleet_html(hardware=scan.results | default({})) }}"
    dest: /var/lib/osfleet/reports/fleet.html
    mode: "0640"
"""

RETURN = r"""
_value:
  description:
    - The HTML page, a complete document starting with C(<!DOCTYPE html>).
  type: str
"""

from datetime import datetime, timezone

from ansible.errors import AnsibleFilterError

from ansible_collections.osfleet.day2.plugins.module_utils._fleet.report_html import to_html


def fleet_html(data, hardware=None, generated_at=None):
    """fleet_info_result | osfleet.day2.fleet_html(hardware=scan.results)"""
    if not isinstance(data, dict):
        raise AnsibleFilterError("osfleet.day2.fleet_html: the input must be a fleet_info result (hosts, servers)")
    if hardware is not None and not isinstance(hardware, dict):
        raise AnsibleFilterError("osfleet.day2.fleet_html: hardware must be hardware_scan's results (a dict per host)")
    when = generated_at or datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return to_html(dict(data), dict(hardware or {}), str(when))


class FilterModule:
    def filters(self):
        return {"fleet_html": fleet_html}
