# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The service catalog and the plain HTTP a health probe needs: what the token lists, version data, one GET.

The control-plane probe (``_sites``) asks about services the collection has no
facade for (a service added to the catalog yesterday must show up today), so
this facade works on URLs, not on SDK proxies: the token's catalog as
Keystone wrote it, keystoneauth's version data for every endpoint in one call,
and single requests that come back as data (status, milliseconds, the
service's message) instead of raising, because a failed probe is a finding,
not an error. Every request goes through the connection's keystoneauth
Session, so the request counter counts them like any other call.
"""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._openstack.errors import api_call, error_message, request_id

try:
    import os_service_types

    _SERVICE_TYPES: Any = os_service_types.ServiceTypes()
except Exception:  # pylint: disable=broad-except  # ImportError, or its data file missing: types stay as listed
    _SERVICE_TYPES = None


def official_type(service_type: str) -> str:
    """``volumev3`` -> ``block-storage``: the name keystoneauth keys version data by; unknown types unchanged."""
    if _SERVICE_TYPES is None:
        return service_type
    try:
        return _SERVICE_TYPES.get_service_type(service_type) or service_type
    except Exception:  # pylint: disable=broad-except  # a malformed type is just not an alias of anything
        return service_type


class Catalog:
    """The token's catalog and unparsed HTTP over one connection's keystoneauth Session."""

    def __init__(self, conn: Any, label: Optional[str] = None) -> None:
        self.conn = conn
        self.label = label

    @property
    def session(self) -> Any:
        return self.conn.session

    def services(self) -> List[Dict[str, Any]]:
        """Every service of the token's catalog: ``type``, ``name``, ``endpoints`` (``interface``, ``region``, ``url``).

        Read from the token (authenticates on first use), not from Keystone's
        ``/v3/services``, which only an admin may list.
        """
        with api_call("read the service catalog", self.label):
            access = self.session.auth.get_access(self.session)
            entries = access.service_catalog.catalog or []
        out = []
        for entry in entries:
            endpoints = [{"interface": ep.get("interface"), "region": ep.get("region_id") or ep.get("region"),
                          "url": ep.get("url")} for ep in entry.get("endpoints") or []]
            out.append({"type": entry.get("type"), "name": entry.get("name"), "endpoints": endpoints})
        return out

    def regions(self) -> List[str]:
        """The regions the catalog has endpoints in, sorted."""
        return sorted({ep["region"] for svc in self.services() for ep in svc["endpoints"] if ep["region"]})

    def version_data(self, interface: str, region: Optional[str]) -> Dict[str, List[Dict[str, Any]]]:
        """Service type -> the versions each endpoint's discovery document lists, in one keystoneauth call.

        ``Session.get_all_version_data`` asks every endpoint of the catalog for
        its version document (cached per URL by keystoneauth), and skips an
        endpoint that does not answer: a service missing here is read from its
        own GET by the caller. Each version is keystoneauth's ``VersionData``
        as a dict (``version``, ``url``, ``min_microversion``,
        ``max_microversion``, ``status``, ``raw_status``).
        """
        with api_call("read version data", self.label):
            found = self.session.get_all_version_data(interface=interface, region_name=region)
        out: Dict[str, List[Dict[str, Any]]] = {}
        for interfaces in found.values():
            for services in interfaces.values():
                for service_type, versions in services.items():
                    out.setdefault(service_type, []).extend(dict(v) for v in versions)
        return out

    def request(self, method: str, url: str, timeout: float, authenticated: bool = True,
                headers: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
        """One request as data: ``status`` (None when no answer came), ``ms``, ``error``, ``json``, ``request_id``.

        Never raises for the service's answer or a network failure: a probe
        reports what happened. ``error`` is None for a status below 400.
        """
        started = time.monotonic()
        try:
            response = self.session.request(url, method, authenticated=authenticated, raise_exc=False,
                                            timeout=timeout, headers=headers or {}, connect_retries=0)
        except Exception as exc:  # pylint: disable=broad-except  # keystoneauth's ConnectFailure, timeouts, SSL
            return {"status": None, "ms": _ms(started), "error": _network_error(exc), "json": None,
                    "request_id": None}
        ms = _ms(started)
        body = None
        try:
            body = response.json()
        except ValueError:
            body = None
        error = None
        if response.status_code >= 400:
            error = "HTTP %s: %s" % (response.status_code, error_message(response))
        return {"status": response.status_code, "ms": ms, "error": error, "json": body,
                "request_id": request_id(response)}


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000.0, 3)


def _network_error(exc: Exception) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return "%s: %s" % (type(exc).__name__, text)
