# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: site_html
short_description: The site report as one self-contained HTML page
version_added: 0.1.0
description:
  - Renders the C(sites) of M(osfleet.day2.control_plane_info) and their comparison (the result of the
    P(osfleet.day2.site_compare#filter) filter) as one HTML page that needs no network (inline CSS, no script, no
    fonts or images fetched).
  - Each site - its services with endpoint health and latency (p50 and p95), the API version, the release series
    with its confidence (an exact series as the series, a range as the range, unknown as unknown, never a guess
    shown as fact), the currency (a word in a coloured badge, never colour alone), the agents not up. Then the
    comparison - what each site lacks, has extra, runs differently or could not be compared, per category.
  - Every value is HTML-escaped. The output depends only on the input and O(generated_at).
author:
  - osfleet.day2 contributors (@osfleet)
options:
  _input:
    description:
      - The site snapshots, a list (the C(sites) of M(osfleet.day2.control_plane_info)).
    type: list
    elements: dict
    required: true
  comparison:
    description:
      - The result of the P(osfleet.day2.site_compare#filter) filter over the same sites; omitted - no comparison
        section.
    type: dict
  generated_at:
    description:
      - The time to print as the report's generation time (ISO 8601); default now (UTC).
    type: str
"""

EXAMPLES = r"""
- name: Write the site report as a page
  ansible.builtin.copy:
    content: "{{ cp.sites | osfleet.day2.site_html(comparison=cp.sites | osfleet.day2.site_compare) }}"
    dest: /var/lib/osfleet/reports/sites.html
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

from ansible_collections.osfleet.day2.plugins.module_utils._sites.report_html import to_html


def site_html(sites, comparison=None, generated_at=None):
    """sites | osfleet.day2.site_html(comparison=sites | osfleet.day2.site_compare)"""
    if not isinstance(sites, list) or not all(isinstance(s, dict) for s in sites):
        raise AnsibleFilterError("osfleet.day2.site_html: the input must be a list of site snapshots "
                                 "(control_plane_info's sites)")
    if comparison is not None and not isinstance(comparison, dict):
        raise AnsibleFilterError("osfleet.day2.site_html: comparison must be the result of osfleet.day2.site_compare")
    when = generated_at or datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return to_html(list(sites), comparison, str(when))


class FilterModule:
    def filters(self):
        return {"site_html": site_html}
