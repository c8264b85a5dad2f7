# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""A small Prometheus HTTP API client: instant queries (``GET /api/v1/query``), nothing else.

What the fleet's utilization needs from a Prometheus the operator already runs: node_exporter's CPU and memory
and the power our hardware scan exports, one fleet-wide query per figure (never one per node). TLS is verified
unless the caller turns it off; a bearer token is sent when given (a Prometheus behind an authenticating proxy);
every call has a timeout.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error
from ansible_collections.osfleet.day2.plugins.module_utils._common.http_api import HttpApi


class PrometheusError(Day2Error):
    """A Prometheus API call failed: ``query`` names it, ``status_code`` is the HTTP status (None: no answer)."""

    def __init__(self, message: str, query: str, status_code: Optional[int] = None) -> None:
        super().__init__(message, field="prometheus_url", details={"query": query, "status_code": status_code})
        self.query = query
        self.status_code = status_code


class Prometheus(HttpApi):
    """One Prometheus server (or anything serving its query API: Thanos Query, VictoriaMetrics, Mimir)."""

    NAME = "Prometheus"
    FIELD = "prometheus_url"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queries = 0

    def query(self, expr: str) -> List[Dict[str, Any]]:
        """An instant query's vector: ``[{"metric": {labels}, "value": [unix time, "text"]}, ...]``."""
        url = self.url + "/api/v1/query"
        self.queries += 1
        try:
            resp = self.session.get(url, params={"query": expr}, headers=self.headers, timeout=self.timeout,
                                    verify=self.verify)
        except Exception as exc:  # pylint: disable=broad-except  # requests' ConnectionError, SSLError, Timeout
            raise PrometheusError("Prometheus query %r (%s): no answer: %s" % (expr, url, exc), query=expr) from None
        try:
            body = resp.json()
        except ValueError:
            body = None
        if resp.status_code >= 400 or not isinstance(body, dict) or body.get("status") != "success":
            why = (body or {}).get("error") if isinstance(body, dict) else (resp.text or "")[:300].strip()
            raise PrometheusError("Prometheus query %r (%s): HTTP %d: %s" % (expr, url, resp.status_code, why),
                                  query=expr, status_code=resp.status_code)
        data = body.get("data") or {}
        if data.get("resultType") != "vector" or not isinstance(data.get("result"), list):
            raise PrometheusError("Prometheus query %r: expected an instant vector, got %r"
                                  % (expr, data.get("resultType")), query=expr, status_code=resp.status_code)
        return data["result"]
