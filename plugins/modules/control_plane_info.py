#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: control_plane_info
short_description: Health, latency, versions, agents and software currency of every cloud and region's control plane
version_added: 0.1.0
description:
  - Reads each site (one cloud in one region) and returns a snapshot of its control plane. Every service of the
    catalog is read, with nothing configured per service, so a service added to the catalog is in the next run.
  - Per endpoint of the chosen O(interface), O(probes) unauthenticated GETs of its version document give its
    reachability and latency (p50 and p95, in milliseconds) and how many probes failed (no answer or HTTP 5xx).
    The version and microversion range come from keystoneauth's version data of every endpoint (one call), or
    from the endpoint's own version document where that has nothing.
  - Per service, one real authenticated API read (the round trip) - compute C(GET /flavors?limit=1), network
    C(GET /v2.0/networks?limit=1), volume C(GET /types), image C(GET /v2/images?limit=1), identity the token's
    own project, placement C(GET /resource_providers?name=...), baremetal C(GET /v1/nodes?limit=1), object-store an account
    C(HEAD) (and its C(/info) for the Swift release); other types a GET of the endpoint with the token.
  - The services' agents, one fleet-wide listing each - Nova's services, Neutron's agents, Cinder's services,
    Ironic's conductors - with C(up), C(enabled) and C(forced_down) kept apart; Nova's hypervisors with their
    type and version.
  - The release series each service runs, from its version (see docs/sites.md, Currency), and how it compares
    with O(current_series). A guess is never given as fact - without exact evidence C(release.series) is null
    and C(release.candidates) lists the possible series.
  - Sites are read at the same time; a site that does not answer within O(timeout) is returned with C(ok=false)
    and the reason, and does not delay the others.
  - Service and agent listings need admin (or reader) credentials; a refused listing is a warning and the rest
    of the snapshot stands.
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.cloud
attributes:
  check_mode:
    support: full
    description: Only reads (the O(prometheus_path) file is written in check mode too - it is a report, not a change).
  diff_mode:
    support: none
    description: Only reads.
notes:
  - O(interface) chooses the endpoints probed (V(public), V(internal) or V(admin)).
options:
  clouds:
    description:
      - The clouds to read, each a cloud name from C(clouds.yaml) or a dict with C(cloud) (a name, or a dict of
        cloud settings) and optionally C(region_name).
      - A listed cloud takes its credentials from C(clouds.yaml); of this module's cloud options it keeps only
        O(validate_certs), O(ca_cert), O(client_cert), O(client_key), O(interface) and O(api_timeout).
      - Empty means one cloud - the one this module's own cloud options (O(cloud), O(auth), ...) name.
    type: list
    elements: raw
    default: []
  regions:
    description:
      - The regions to read of each cloud given without a region (C(region_name) of an item, or O(region_name)).
      - Empty means every region the cloud's catalog lists, so a region added to the catalog is read next time;
        of a C(clouds.yaml) cloud that names its C(region_name) (or C(regions)), only those (openstacksdk would
        refuse the others).
      - A region asked for that the catalog does not list is returned as a site with C(ok=false).
    type: list
    elements: str
    default: []
  probes:
    description:
      - Unauthenticated GETs of each endpoint's version document, for its latency and error count.
    type: int
    default: 5
  current_series:
    description:
      - The release series (C(2025.1)) or name (C(epoxy)) a service's series is compared with for its
        C(currency.status).
      - Default - the newest series the shipped release table calls maintained.
    type: str
  timeout:
    description:
      - Seconds a site may take, from connecting to its last listing. Each HTTP request times out after it too
        (unless O(api_timeout) is set).
    type: float
    default: 30
  offerings:
    description:
      - Also read what each site offers its users, for comparing sites (the filter P(osfleet.day2.site_compare#filter))
        - flavors with their extra specs, public and community images, shared and external networks with their
        subnets, availability zones, default quotas and the catalog's service types; one listing each, under the
        site's deadline. A category a site refuses is null, with the reason in C(offerings.errors).
    type: bool
    default: false
  prometheus_path:
    description:
      - Also write the snapshot as Prometheus metrics to this file (for node exporter's textfile collector;
        the file is replaced whole, never seen half-written). See docs/sites.md for the metrics and the shipped
        alert rules.
    type: path
"""

EXAMPLES = r"""
- name: Control plane of the default cloud, every region of its catalog
  osfleet.day2.control_plane_info:
    cloud: lab-admin
  register: cp

- name: Two clouds, internal endpoints, metrics for the textfile collector
  osfleet.day2.control_plane_info:
    clouds:
      - lab-admin
      - cloud: edge
        region_name: EdgeOne
    interface: internal
    probes: 3
    timeout: 20
    prometheus_path: /var/lib/node_exporter/textfile/osfleet_control_plane.prom

- name: Fail when a service is down anywhere
  ansible.builtin.assert:
    that: cp.summary.health.down == 0
    fail_msg: "{{ cp.sites | map(attribute='services') | flatten | selectattr('health', 'eq', 'down')
                  | map(attribute='type') | list }} down"
"""

RETURN = r"""
sites:
  description:
    - One snapshot per cloud and region - C(cloud), C(region), C(ok) (false when the site could not be read, or
      not within O(timeout)), C(error) (why), C(elapsed_seconds), C(services), C(agents), C(hypervisors) and
      C(warnings) (listings refused or not answered); with O(offerings), C(offerings) (docs/sites.md, Site
      comparison; null when not read within O(timeout)).
    - C(services[]) - C(type) and C(name) as the catalog lists them; C(endpoints[]) (C(interface), C(url),
      C(reachable), C(latency_ms.p50) and C(latency_ms.p95) (null when no probe answered), C(probes),
      C(errors), C(error)); C(version) (C(id), C(status), C(min_microversion), C(max_microversion), C(exact));
      C(release) (C(series), C(candidates), C(confidence) - V(exact), V(range) or V(unknown) - and
      C(evidence)); C(currency) (C(status) - V(current), V(n-1), V(older), V(newer) or V(unknown) -
      C(current_series), C(slurp_reach)); C(round_trip) (C(ok), C(call), C(status), C(ms), C(error)); and
      C(health) - V(up) (reachable and round trip ok), V(degraded) (reachable, but the round trip or some probes
      failed), V(down) (no endpoint reachable).
    - C(agents[]) - C(service_type), C(binary), C(host), C(zone), C(up), C(enabled), C(forced_down) (null where the
      service has no such notion), C(state) (V(disabled) when an operator took it out, else V(down) when not
      alive, else V(up)), C(disabled_reason), C(updated_at).
    - C(hypervisors[]) - C(host), C(type), C(version) (Nova's integer decoded, 8002000 is C(8.2.0)).
  returned: success
  type: list
  elements: dict
  sample:
    - cloud: lab
      region: RegionOne
      ok: true
      error: null
      elapsed_seconds: 1.2
      services:
        - type: compute
          name: nova
          endpoints:
            - {interface: public, url: "http://nova.example:8774/v2.1", reachable: true,
               latency_ms: {p50: 3.1, p95: 5.0}, probes: 5, errors: 0, error: null}
          version: {id: v2.1, status: CURRENT, min_microversion: "2.1", max_microversion: "2.96", exact: null}
          release: {series: null, candidates: ["2024.1", "2024.2"], confidence: range,
                    evidence: "compute max microversion 2.96 is the maximum of 2024.1 and 2024.2"}
          currency: {status: unknown, current_series: "2025.2", slurp_reach: null}
          round_trip: {ok: true, call: "GET /v2.1/flavors?limit=1", status: 200, ms: 4.2, error: null}
          health: up
      agents:
        - {service_type: compute, binary: nova-compute, host: compute-01, zone: az1, up: true, enabled: true,
           forced_down: false, state: up, disabled_reason: null, updated_at: "2026-12-03T10:00:00.000000"}
      hypervisors:
        - {host: compute-01, type: QEMU, version: 8.2.0}
      warnings: []
summary:
  description:
    - Counts - C(sites), C(sites_ok), C(sites_failed), C(health) (services by V(up), V(degraded), V(down)) and
      C(currency) (services by currency status).
  returned: success
  type: dict
  sample:
    sites: 2
    sites_ok: 2
    sites_failed: 0
    health: {up: 15, degraded: 1, down: 0}
    currency: {current: 0, n-1: 4, older: 0, newer: 0, unknown: 12}
"""

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.connection import CloudOptions
from ansible_collections.osfleet.day2.plugins.module_utils._sites.control_plane import connector, read_sites, site_specs
from ansible_collections.osfleet.day2.plugins.module_utils._sites.metrics import exposition
from ansible_collections.osfleet.day2.plugins.module_utils._sites.offerings import read_offerings
from ansible_collections.osfleet.day2.plugins.module_utils._sites.site import ProbeOptions


class ControlPlaneInfoModule(Day2Module):
    changes_state = False
    argument_spec = dict(
        clouds=dict(type="list", elements="raw", default=[]),
        regions=dict(type="list", elements="str", default=[]),
        probes=dict(type="int", default=5),
        current_series=dict(type="str"),
        timeout=dict(type="float", default=30),
        offerings=dict(type="bool", default=False),
        prometheus_path=dict(type="path"),
    )
    module_kwargs = dict(mutually_exclusive=[("clouds", "cloud"), ("clouds", "auth")])

    def execute(self):
        p = self.params
        if p["probes"] < 1:
            raise ValidationError("probes must be at least 1", field="probes")
        if p["timeout"] <= 0:
            raise ValidationError("timeout must be more than 0 seconds", field="timeout")
        own = CloudOptions.from_params(p)
        options = ProbeOptions(interface=p["interface"] or "public", probes=p["probes"], timeout=p["timeout"],
                               current_series=p["current_series"],
                               offerings=read_offerings if p["offerings"] else None)
        result = read_sites(site_specs(p["clouds"], own), connector(own, bool(p["clouds"]), p["timeout"]),
                            options, regions=p["regions"])
        for site in result["sites"]:
            for warning in site["warnings"]:
                self.warn("%s/%s: %s" % (site["cloud"] or "-", site["region"] or "-", warning))
        if p["prometheus_path"]:
            self.write_output(p["prometheus_path"], exposition(result["sites"]), field="prometheus_path")
        result["changed"] = False
        return result


def main():
    ControlPlaneInfoModule().run()


if __name__ == "__main__":
    main()
