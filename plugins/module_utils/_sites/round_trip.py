# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""A real, authenticated API call per service: the proof a healthcheck alone is not.

A load balancer can answer a version document while every API worker is
stuck on its database or message queue; a cheap authenticated read goes
through token validation, the policy engine and the service's own storage.
Each call is the cheapest read the service has; a type not listed gets a GET
of its endpoint with the token.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple
from urllib.parse import urlparse

#: official service type -> (the version prefix the catalog URL may lack, the path below it, method)
ROUND_TRIPS: Dict[str, Tuple[str, str, str]] = {
    "compute": ("/v2.1", "/flavors?limit=1", "GET"),
    "network": ("/v2.0", "/networks?limit=1", "GET"),
    "block-storage": ("/v3", "/types", "GET"),
    "image": ("/v2", "/images?limit=1", "GET"),
    "identity": ("/v3", "/projects/{project_id}", "GET"),
    # at the microversion a request without a header gets (Placement 1.0, Ironic 1.1): /resource_classes is a 404
    # before Placement 1.2; /v1/drivers needs a system-scoped token under Ironic's scoped policies (the lab's
    # project-scoped admin got HTTP 500 for it), a node listing answers any reader, empty or not
    "placement": ("", "/resource_providers?name=osfleet-round-trip", "GET"),
    "baremetal": ("/v1", "/nodes?limit=1", "GET"),
    "object-store": ("", "", "HEAD"),
    "key-manager": ("/v1", "/secrets?limit=1", "GET"),
    "load-balancer": ("/v2", "/lbaas/loadbalancers?limit=1", "GET"),
}


def call_url(endpoint_url: str, prefix: str, path: str) -> Tuple[str, str]:
    """(the URL to ask, the call as reported): the prefix is added only where the catalog URL lacks it.

    Catalogs disagree: Nova is listed at ``/v2.1``, Neutron at its root,
    Keystone with or without ``/v3``, Cinder at ``/v3/<project>``.
    """
    base = endpoint_url.rstrip("/")
    segments = base.split("/")[3:]
    if prefix and prefix.strip("/") not in segments:
        base += prefix
        shown = prefix + path
    else:
        shown = (prefix or "") + path
    return base + path, shown


def round_trip(catalog: Any, service_type: str, endpoint_url: str, project_id: Optional[str],
               timeout: float) -> Dict[str, Any]:
    """The ``round_trip`` entry of a service: ``ok``, ``call``, ``status``, ``ms``, ``error``."""
    prefix, path, method = ROUND_TRIPS.get(service_type, ("", "", "GET"))
    url, shown = call_url(endpoint_url, prefix, path.replace("{project_id}", project_id or ""))
    if not path:  # the endpoint itself (Swift's account, an unknown type's root): name it by its path
        shown = urlparse(endpoint_url).path.rstrip("/") or "/"
    got = catalog.request(method, url, timeout=timeout, authenticated=True)
    ok = got["status"] is not None and got["status"] < 400
    return {"ok": ok, "call": "%s %s" % (method, shown or "/"), "status": got["status"], "ms": got["ms"],
            "error": None if ok else got["error"]}


def swift_info(catalog: Any, endpoint_url: str, timeout: float) -> Optional[str]:
    """Swift's own release (``2.33.0``) from its unauthenticated ``/info`` at the endpoint's root; None if none."""
    root = "/".join(endpoint_url.split("/")[:3])
    got = catalog.request("GET", root + "/info", timeout=timeout, authenticated=False)
    body = got["json"] if isinstance(got["json"], dict) else {}
    swift = body.get("swift") if isinstance(body.get("swift"), dict) else {}
    version = swift.get("version")
    return str(version) if version else None
