# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""One site's snapshot: every service of its catalog probed, its round trip made, its agents and hypervisors read.

Catalog-driven on purpose: nothing is configured per service, so a service
added to the catalog is in the next run's snapshot, probed and round-tripped
like the rest (an unknown type gets a GET of its endpoint with the token).
The services, the agent listings and the hypervisor listing are read at the
same time; whatever has not answered by the site's deadline is reported as
such, and the rest of the snapshot stands.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.catalog import official_type
from ansible_collections.osfleet.day2.plugins.module_utils._sites.agents import agent_readers, read_hypervisors
from ansible_collections.osfleet.day2.plugins.module_utils._sites.currency import currency_of, release_of
from ansible_collections.osfleet.day2.plugins.module_utils._sites.parallel import run_parallel
from ansible_collections.osfleet.day2.plugins.module_utils._sites.probe import probe_endpoint
from ansible_collections.osfleet.day2.plugins.module_utils._sites.round_trip import round_trip, swift_info
from ansible_collections.osfleet.day2.plugins.module_utils._sites.versions import from_document, from_version_data

HEALTH = ("up", "degraded", "down")
#: services of one site probed at the same time
SERVICE_WORKERS = 8


@dataclass
class ProbeOptions:
    """What the module was asked: the endpoint interface, probes per endpoint, the deadline, the newest series."""

    interface: str = "public"
    probes: int = 5
    timeout: float = 30.0
    current_series: Optional[str] = None
    #: reads a site's offerings (``read_offerings(cloud)``); None leaves ``offerings`` out of the snapshot
    offerings: Optional[Callable[[Any], Dict[str, Any]]] = None


def health_of(endpoints: List[Dict[str, Any]], trip: Dict[str, Any]) -> str:
    """``down`` when no endpoint answers; ``degraded`` when one does but the round trip or a probe failed; else ``up``."""
    if not any(e["reachable"] for e in endpoints):
        return "down"
    if not trip["ok"] or any(e["errors"] or not e["reachable"] for e in endpoints):
        return "degraded"
    return "up"


def empty_site(cloud: Any, region: Optional[str], error: Optional[str], elapsed: float) -> Dict[str, Any]:
    """A site that could not be read (no connection, no catalog, past its deadline): ``ok`` false and why."""
    return {"cloud": cloud, "region": region, "ok": error is None, "error": error, "elapsed_seconds": round(elapsed, 3),
            "services": [], "agents": [], "hypervisors": [], "warnings": []}


def read_site(cloud: Any, options: ProbeOptions, deadline: float) -> Dict[str, Any]:
    """The snapshot of the site ``cloud`` (a Cloud of the access layer, connected to one region).

    Raises Day2Error only when the catalog itself cannot be read (no token):
    then there is no site to describe. Past ``deadline`` (time.monotonic())
    a service not yet probed is reported ``down`` with the reason, and a
    listing not yet read is a warning.
    """
    started = time.monotonic()
    catalog = cloud.catalog
    services = catalog.services()
    site = empty_site(cloud.name, cloud.region, None, 0.0)
    warnings: List[str] = site["warnings"]
    try:
        version_data = catalog.version_data(options.interface, cloud.region)
    except Day2Error as exc:
        warnings.append("version data not read, each endpoint asked itself: %s" % exc.message)
        version_data = {}
    project_id = _project_id(cloud, warnings)
    wanted = []
    for service in services:
        endpoints = [e for e in service["endpoints"] if e["interface"] == options.interface
                     and e["url"] and (cloud.region is None or e["region"] == cloud.region)]
        if endpoints:
            wanted.append((service, endpoints))
    types = sorted({official_type(s["type"]) for s, _e in wanted})
    tasks: List[Callable[[], Any]] = [
        (lambda s=s, e=e: read_service(catalog, s, e, version_data, project_id, options)) for s, e in wanted]
    readers = agent_readers(cloud, types)
    tasks += [reader for _what, reader in readers]
    if "compute" in types:
        tasks.append(lambda: read_hypervisors(cloud, warnings))
    if options.offerings is not None:
        tasks.append(lambda: options.offerings(cloud))
    outcomes = run_parallel(tasks, deadline, workers=SERVICE_WORKERS)
    for (service, endpoints), (finished, entry, exc) in zip(wanted, outcomes):
        if exc is not None and not isinstance(exc, Day2Error):
            raise exc
        if not finished or exc is not None:
            why = exc.message if exc is not None else "no answer within %g s" % options.timeout
            entry = unanswered_service(service, endpoints, why, options)
        site["services"].append(entry)
    rest = outcomes[len(wanted):]
    for (what, _reader), (finished, found, exc) in zip(readers, rest):
        if finished and exc is None:
            site["agents"].extend(found)
        elif exc is not None and not isinstance(exc, Day2Error):
            raise exc
        else:
            warnings.append("%s not read: %s" % (what, exc.message if exc is not None else "no answer within %g s"
                                                 % options.timeout))
    rest = rest[len(readers):]
    if "compute" in types:
        finished, found, exc = rest.pop(0)
        if finished and exc is None:
            site["hypervisors"] = found
        else:
            warnings.append("hypervisors not read: %s" % (exc or "no answer within %g s" % options.timeout))
    if options.offerings is not None:
        finished, found, exc = rest.pop(0)
        site["offerings"] = found if finished and exc is None else None
        if not (finished and exc is None):
            warnings.append("offerings not read: %s" % (exc or "no answer within %g s" % options.timeout))
    site["elapsed_seconds"] = round(time.monotonic() - started, 3)
    return site


def _project_id(cloud: Any, warnings: List[str]) -> Optional[str]:
    try:
        return cloud.project_id
    except Exception as exc:  # pylint: disable=broad-except  # keystoneauth, after the catalog was read: unlikely
        warnings.append("the token's project not read: %s" % exc)
        return None


def read_service(catalog: Any, service: Dict[str, Any], endpoints: List[Dict[str, Any]],
                 version_data: Dict[str, List[Dict[str, Any]]], project_id: Optional[str],
                 options: ProbeOptions) -> Dict[str, Any]:
    """One service's entry: probes of each endpoint, its version, one round trip, release and currency."""
    service_type = official_type(service["type"])
    versions = version_data.get(service["type"]) or version_data.get(service_type) or []
    version = from_version_data(versions)
    probe_url = _version_url(versions)
    probed = []
    document = None
    for endpoint in endpoints:
        entry = probe_endpoint(catalog, endpoint["interface"], probe_url or endpoint["url"], options.probes,
                               options.timeout)
        entry["url"] = endpoint["url"]
        document = document or entry.pop("_document")
        entry.pop("_document", None)
        probed.append(entry)
    if version is None:
        version = from_document(document)
    reachable = [e for e in probed if e["reachable"]]
    if reachable:
        trip = round_trip(catalog, service_type, reachable[0]["url"], project_id, options.timeout)
        if service_type == "object-store":
            version["exact"] = swift_info(catalog, reachable[0]["url"], options.timeout)
            version["id"] = version["id"] or "v1"
    else:
        trip = {"ok": False, "call": None, "status": None, "ms": None, "error": "not tried: no endpoint answered"}
    return _service(service, service_type, probed, version, trip, options)


def unanswered_service(service: Dict[str, Any], endpoints: List[Dict[str, Any]], why: str,
                       options: ProbeOptions) -> Dict[str, Any]:
    """A service whose probes did not finish: down, every endpoint unreachable with the reason."""
    probed = [{"interface": e["interface"], "url": e["url"], "reachable": False,
               "latency_ms": {"p50": None, "p95": None}, "probes": 0, "errors": 0, "error": why} for e in endpoints]
    version = from_document(None)
    trip = {"ok": False, "call": None, "status": None, "ms": None, "error": why}
    return _service(service, official_type(service["type"]), probed, version, trip, options)


def _service(service: Dict[str, Any], service_type: str, probed: List[Dict[str, Any]], version: Dict[str, Any],
             trip: Dict[str, Any], options: ProbeOptions) -> Dict[str, Any]:
    release = release_of(service_type, version)
    return {"type": service["type"], "name": service["name"], "endpoints": probed, "version": version,
            "release": release, "currency": currency_of(release, options.current_series), "round_trip": trip,
            "health": health_of(probed, trip)}


def _version_url(versions: List[Dict[str, Any]]) -> Optional[str]:
    current = [v for v in versions if str(v.get("status") or "").upper() == "CURRENT" and v.get("url")]
    chosen = current or [v for v in versions if v.get("url")]
    return chosen[-1]["url"] if chosen else None
