# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Per-service request durations and error answers of a connection, for the fleet exporter.

The request counter (``connection.requests_made``) counts every request but
knows neither its answer's status nor which service it went to, and
keystoneauth records no timing for a request it raises on (``raise_exc`` and a
status >= 400), so errors would be missing from the very figures meant to
show them. :class:`RequestStats` therefore listens on the connection's
``requests.Session`` (a ``response`` hook, which every response keystoneauth
gets passes through: SDK calls, raw pages, discovery, authentication, each
redirect) and keeps only URL, status and elapsed time. Which service a URL
belongs to is decided later, in :meth:`RequestStats.collect`, from the
token's catalog: deciding inside the hook would ask for the catalog while the
token request itself is being answered.

The totals are cumulative (Prometheus counters and a summary's ``_sum`` and
``_count``), and survive a reconnect: :meth:`attach` a new connection to the
same object.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

#: a path segment that is an API version (``v2.1``, ``v3``, ``v2.0``): the service's root is before it
_VERSION_SEGMENT = re.compile(r"^v\d+(\.\d+)?$")
UNKNOWN_SERVICE = "unknown"


@dataclass
class ServiceStats:
    """One service's totals since the exporter started."""

    requests: int = 0
    seconds: float = 0.0
    #: the slowest request of the last :meth:`RequestStats.collect`
    last_max_seconds: float = 0.0
    #: status class (``4xx``, ``5xx``) -> answers in it
    errors: Dict[str, int] = field(default_factory=dict)


class RequestStats:
    """Durations and error answers per service type (``compute``, ``placement``, ``identity`` ...)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: List[Tuple[str, int, float]] = []
        self._catalog: List[Tuple[str, str]] = []  # (URL prefix, service type), longest first
        self._conn: Any = None
        self.services: Dict[str, ServiceStats] = {}

    def attach(self, conn: Any) -> "RequestStats":
        """Listen to ``conn``'s responses from now on (a new connection after a failure: call again)."""
        session = getattr(getattr(conn, "session", None), "session", None)  # keystoneauth Session -> requests
        if session is None:
            raise TypeError("the connection has no keystoneauth session to listen on")
        session.hooks.setdefault("response", []).append(self._on_response)
        with self._lock:
            self._conn = conn
            self._catalog = []
        return self

    def _on_response(self, response: Any, *args: Any, **kwargs: Any) -> None:
        elapsed = getattr(response, "elapsed", None)
        seconds = elapsed.total_seconds() if elapsed is not None else 0.0
        self._pending.append((str(response.url), int(response.status_code), seconds))  # atomic append

    def collect(self) -> Dict[str, ServiceStats]:
        """Fold the responses seen since the last call into the per-service totals; returns them."""
        with self._lock:
            pending, self._pending = self._pending, []
            if pending and not self._catalog:
                self._catalog = _catalog_prefixes(self._conn)
            touched: Dict[str, float] = {}
            for url, status, seconds in pending:
                service = service_of(url, self._catalog)
                stats = self.services.setdefault(service, ServiceStats())
                stats.requests += 1
                stats.seconds += seconds
                touched[service] = max(touched.get(service, 0.0), seconds)
                if status >= 400:
                    status_class = "%dxx" % min(status // 100, 5)
                    stats.errors[status_class] = stats.errors.get(status_class, 0) + 1
            for service, stats in self.services.items():
                stats.last_max_seconds = touched.get(service, 0.0)
            return self.services

    def totals(self) -> Dict[str, ServiceStats]:
        """A copy of the per-service totals (a scrape reads them while a refresh may fold more in)."""
        with self._lock:
            return {name: ServiceStats(s.requests, s.seconds, s.last_max_seconds, dict(s.errors))
                    for name, s in self.services.items()}


def service_of(url: str, catalog: List[Tuple[str, str]]) -> str:
    """The service type whose endpoint (or the root above its version) is the longest prefix of ``url``."""
    for prefix, service in catalog:
        if url == prefix or url.startswith(prefix.rstrip("/") + "/") or url.startswith(prefix + "?"):
            return service
    return UNKNOWN_SERVICE


def _catalog_prefixes(conn: Any) -> List[Tuple[str, str]]:
    """(prefix, service type) from the token's catalog: each endpoint URL and the root above its version."""
    try:
        session = conn.session
        catalog = session.auth.get_access(session).service_catalog.catalog
    except Exception:  # pylint: disable=broad-except  # no token (yet): every URL is "unknown"
        return []
    pairs: Dict[str, str] = {}
    for service in catalog or []:
        kind = service.get("type")
        for endpoint in service.get("endpoints") or []:
            url = str(endpoint.get("url") or "").rstrip("/")
            if not kind or not url:
                continue
            pairs.setdefault(url, kind)
            root = _root_of(url)
            if root:
                pairs.setdefault(root, kind)
    return sorted(pairs.items(), key=lambda p: len(p[0]), reverse=True)


def _root_of(url: str) -> Optional[str]:
    """``http://nova:8774/v2.1`` -> ``http://nova:8774``: where the service answers version discovery."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return None
    parts = rest.split("/")
    for i, part in enumerate(parts[1:], start=1):
        if _VERSION_SEGMENT.match(part):
            return "%s://%s" % (scheme, "/".join(parts[:i]))
    return None
