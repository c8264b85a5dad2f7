# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: site_compare
short_description: What each site lacks, has extra or runs differently compared with a reference site
version_added: 0.1.0
description:
  - The "copy production to the new site" scan over the C(sites) of M(osfleet.day2.control_plane_info) (site
    snapshots, read with their offerings). One site is the reference; every other site is compared with it.
  - Per category - services (by catalog type), versions (API version, maximum microversion and release series of
    each service type both sites run), flavors (by name, with their extra specs), images (by name, compared by
    checksum), networks (by name, with their subnets), availability zones and default quotas (by service and
    resource) - what the site C(lacks) (in the reference, not in it), has C(extra), and runs C(different)
    (field, the reference's value, its value).
  - What sites naturally differ in is never reported - ids, URLs, timestamps, counts, subnet CIDRs and gateways,
    health and latency.
  - Missing data is not equality. A category a site could not read is C(unknown) for that site, with the reason,
    and the site is not C(identical). A release known only as a range is compared as a range - ranges that cannot
    hold the same series are C(different), ranges that may are C(uncertain).
  - No network - the snapshots are the input.
author:
  - osfleet.day2 contributors (@osfleet)
options:
  _input:
    description:
      - The site snapshots, a list (the C(sites) of M(osfleet.day2.control_plane_info), read with C(offerings)).
        Two or more.
    type: list
    elements: dict
    required: true
  reference:
    description:
      - The reference site, as C(<cloud>/<region>) or, when only one of the snapshots is of that cloud, the cloud's
        name. Omitted - the first snapshot.
    type: str
  ignore:
    description:
      - Names to leave out, per category - a mapping of a category (C(services), C(versions), C(flavors),
        C(images), C(networks), C(availability_zones), C(quotas)) to a list of fnmatch patterns. Zones and quotas
        are named C(<service>/<name>) (C(compute/cores)); a pattern may match either that or the bare name.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: What the new site lacks compared with production
  ansible.builtin.set_fact:
    comparison: "{{ cp.sites | osfleet.day2.site_compare(reference='prod/RegionOne', ignore={'flavors': ['test-*']}) }}"

- name: Fail when a site is not a copy of production
  ansible.builtin.assert:
    that: comparison.sites | map(attribute='summary.identical') | select('equalto', false) | list | length == 0
    fail_msg: "{{ comparison.sites | map(attribute='summary') | list }}"
"""

RETURN = r"""
_value:
  description:
    - The comparison - C(reference) (the reference site's C(<cloud>/<region>)), C(categories), C(ignore), and
      C(sites), one entry per other site with C(site), C(cloud), C(region), C(categories) (per category its
      C(status) - compared, partial or unknown -, C(lacks), C(extra), C(different), C(uncertain), C(unknown) and
      C(ignored)) and C(summary) (C(lacks), C(extra), C(different), C(uncertain) counts, C(unknown) categories,
      C(identical)).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._sites.compare import compare_sites, site_label


def pick_reference(sites, reference=None):
    """The index of the reference snapshot: by ``<cloud>/<region>``, else by a cloud name only one snapshot has."""
    if reference is None:
        return 0
    labels = [site_label(s) for s in sites]
    if reference in labels:
        return labels.index(reference)
    of_cloud = [n for n, s in enumerate(sites) if s.get("cloud") == reference]
    if len(of_cloud) == 1:
        return of_cloud[0]
    if of_cloud:
        raise AnsibleFilterError("osfleet.day2.site_compare: reference %r names %d sites; give <cloud>/<region>"
                                 % (reference, len(of_cloud)))
    raise AnsibleFilterError("osfleet.day2.site_compare: reference %r is none of the sites (%s)"
                             % (reference, ", ".join(labels)))


def site_compare(sites, reference=None, ignore=None):
    """sites | osfleet.day2.site_compare(reference='prod/RegionOne')"""
    if not isinstance(sites, list) or not all(isinstance(s, dict) for s in sites):
        raise AnsibleFilterError("osfleet.day2.site_compare: the input must be a list of site snapshots "
                                 "(control_plane_info's sites)")
    if len(sites) < 2:
        raise AnsibleFilterError("osfleet.day2.site_compare: give two or more sites to compare")
    at = pick_reference(sites, reference)
    try:
        return compare_sites(sites[at], sites[:at] + sites[at + 1:], ignore or None)
    except ValidationError as exc:
        raise AnsibleFilterError("osfleet.day2.site_compare: %s" % exc.message)


class FilterModule:
    def filters(self):
        return {"site_compare": site_compare}
