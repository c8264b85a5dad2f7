# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Every site at once: each cloud connected, its regions found, each region read, all under one deadline.

A site is one cloud in one region. A cloud given without a region is read in
every region its catalog lists (or the ones asked for), so a region added to
the catalog is read next time with nothing configured. Clouds and regions are
read at the same time; one that hangs is reported with the deadline as its
error when it passes, and never holds the others' answers back.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error, ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.connection import (
    CloudOptions,
    configured_regions,
    connect_cloud,
)
from ansible_collections.osfleet.day2.plugins.module_utils._sites.currency import currency_of, default_current_series
from ansible_collections.osfleet.day2.plugins.module_utils._sites.parallel import run_parallel
from ansible_collections.osfleet.day2.plugins.module_utils._sites.site import HEALTH, ProbeOptions, empty_site, read_site

CURRENCY = ("current", "n-1", "older", "newer", "unknown")
#: after the deadline, how long a cloud's own thread gets to hand back the regions it finished
GRACE_SECONDS = 0.5


@dataclass
class SiteSpec:
    """A cloud as the module was given it (a clouds.yaml name, a dict of settings, or None for the module's own)."""

    label: Optional[str]
    cloud: Any = None
    region: Optional[str] = None


#: connect(spec, region) -> a Cloud of the access layer (region None: the cloud's configured one)
Connect = Callable[[SiteSpec, Optional[str]], Any]


def read_sites(specs: List[SiteSpec], connect: Connect, options: ProbeOptions,
               regions: Optional[List[str]] = None) -> Dict[str, Any]:
    """``{"sites": [...], "summary": {...}}`` for every cloud and region; never raises for one site's failure.

    A ``current_series`` the release table does not know is refused before any
    cloud is asked (ValidationError naming it); None is the table's current one.
    """
    if options.current_series is None:
        options.current_series = default_current_series()
    currency_of({"confidence": "unknown", "candidates": []}, options.current_series)  # refuses an unknown series
    deadline = time.monotonic() + options.timeout
    outcomes = run_parallel([(lambda s=s: _read_cloud(s, connect, options, regions, deadline)) for s in specs],
                            deadline + GRACE_SECONDS)
    sites: List[Dict[str, Any]] = []
    for spec, (finished, found, exc) in zip(specs, outcomes):
        if finished and exc is None:
            sites.extend(found)
        elif exc is not None and not isinstance(exc, Day2Error):
            raise exc
        else:
            why = exc.message if exc is not None else "no answer within %g s" % options.timeout
            sites.append(empty_site(spec.label, spec.region, why, options.timeout))
    return {"sites": sites, "summary": summarize(sites)}


def _read_cloud(spec: SiteSpec, connect: Connect, options: ProbeOptions, regions: Optional[List[str]],
                deadline: float) -> List[Dict[str, Any]]:
    started = time.monotonic()
    listed: List[str] = []
    try:
        first = connect(spec, spec.region)
        label = first.name or spec.label
        if spec.region:
            wanted = [spec.region]
        else:
            listed = first.catalog.regions()
            allowed = None if regions else configured_regions(spec.cloud)
            if allowed is not None:  # clouds.yaml pins the cloud's regions: the catalog's other ones are not its
                listed = [r for r in listed if r in allowed]
            wanted = [r for r in regions if r] if regions else (listed or [first.region])
    except Day2Error as exc:
        return [empty_site(spec.label, spec.region, exc.message, time.monotonic() - started)]
    listed_set = set(listed) if not spec.region and regions else None

    def one(region: Optional[str]) -> Dict[str, Any]:
        began = time.monotonic()
        if listed_set is not None and region not in listed_set:
            return empty_site(label, region, "the catalog of %s has no region %s" % (label, region), 0.0)
        try:
            cloud = first if region in (None, first.region) else connect(spec, region)
            return read_site(cloud, options, deadline)
        except Day2Error as exc:
            return empty_site(label, region, exc.message, time.monotonic() - began)

    outcomes = run_parallel([(lambda r=r: one(r)) for r in wanted], deadline)
    out = []
    for region, (finished, site, exc) in zip(wanted, outcomes):
        if exc is not None:
            raise exc
        out.append(site if finished else empty_site(label, region, "no answer within %g s" % options.timeout,
                                                    options.timeout))
    return out


def summarize(sites: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Counts: sites and the ones read, services by health, services by currency status."""
    health = {name: 0 for name in HEALTH}
    currency = {name: 0 for name in CURRENCY}
    for site in sites:
        for service in site["services"]:
            health[service["health"]] = health.get(service["health"], 0) + 1
            status = (service.get("currency") or {}).get("status") or "unknown"
            currency[status] = currency.get(status, 0) + 1
    return {"sites": len(sites), "sites_ok": sum(1 for s in sites if s["ok"]),
            "sites_failed": sum(1 for s in sites if not s["ok"]), "health": health, "currency": currency}


#: the options of the module's own cloud that every listed cloud keeps: how to talk TLS and which endpoints
SHARED_OPTIONS = ("validate_certs", "ca_cert", "client_cert", "client_key", "interface", "api_timeout")


def site_specs(clouds: Optional[List[Any]], own: CloudOptions) -> List[SiteSpec]:
    """The sites asked for: each ``clouds`` item (a clouds.yaml name or ``{cloud, region_name}``), else the module's own.

    A bad item is a ValidationError naming ``clouds``.
    """
    if not clouds:
        label = own.cloud if isinstance(own.cloud, str) else None
        return [SiteSpec(label=label, cloud=own.cloud, region=own.region_name)]
    specs = []
    for number, item in enumerate(clouds):
        if isinstance(item, str) and item:
            specs.append(SiteSpec(label=item, cloud=item))
            continue
        if not isinstance(item, dict) or not item.get("cloud") or set(item) - {"cloud", "region_name"}:
            raise ValidationError("clouds[%d] must be a cloud name or a dict with cloud and optionally region_name"
                                  % number, field="clouds")
        cloud = item["cloud"]
        label = cloud if isinstance(cloud, str) else None
        specs.append(SiteSpec(label=label, cloud=cloud, region=item.get("region_name") or None))
    return specs


def connector(own: CloudOptions, listed: bool, timeout: float) -> Connect:
    """``connect(spec, region)`` for :func:`read_sites`: the access layer connected to that cloud and region.

    The module's own cloud keeps all its options; a listed cloud takes its
    credentials from clouds.yaml and only :data:`SHARED_OPTIONS` from the
    module. Every request times out at ``timeout`` (unless ``api_timeout``
    says otherwise), so a thread left behind at the deadline ends too.
    """
    def connect(spec: SiteSpec, region: Optional[str]) -> Any:
        if listed:
            options = CloudOptions(**{name: getattr(own, name) for name in SHARED_OPTIONS})
            options.extra = dict(own.extra)
        else:
            options = replace(own, extra=dict(own.extra))
        options.cloud = spec.cloud
        options.region_name = region or spec.region
        if options.api_timeout is None:
            options.api_timeout = max(1, int(math.ceil(timeout)))
        cloud = connect_cloud(options)
        if spec.label:  # a clouds.yaml name; a dict of settings keeps the SDK's name for it
            cloud.name = spec.label
        return cloud
    return connect
