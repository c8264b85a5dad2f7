# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Fast list calls: raw JSON pages through an SDK service adapter.

Building an openstacksdk Resource object per server costs more than the HTTP
call at thousands of servers, so fleet-wide listings read the API's JSON
directly, follow its ``*_links`` pagination, and leave the objects as dicts.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional
from urllib.parse import parse_qs, urlparse

from ansible_collections.osfleet.day2.plugins.module_utils.cloud import api_call
from ansible_collections.osfleet.day2.plugins.module_utils.errors import CloudError


def list_json(adapter: Any, path: str, key: str, what: str, microversion: Optional[str] = None,
              params: Optional[Dict[str, Any]] = None, page_size: Optional[int] = None,
              stats: Optional[Dict[str, int]] = None) -> List[Dict[str, Any]]:
    """Every item of a (possibly paginated) list call, as dicts.

    ``stats["requests"]`` (when given) is incremented once per HTTP request.
    """
    return list(iter_json(adapter, path, key, what, microversion, params, page_size, stats))


def iter_json(adapter: Any, path: str, key: str, what: str, microversion: Optional[str] = None,
              params: Optional[Dict[str, Any]] = None, page_size: Optional[int] = None,
              stats: Optional[Dict[str, int]] = None) -> Iterator[Dict[str, Any]]:
    query = dict(params or {})
    if page_size:
        query["limit"] = page_size
    seen_markers = set()
    while True:
        if stats is not None:
            stats["requests"] = stats.get("requests", 0) + 1
        with api_call(what):
            response = adapter.get(path, params=query, microversion=microversion,
                                   headers={"Accept": "application/json"}, raise_exc=False)
        if response.status_code >= 400:
            raise CloudError("%s failed (HTTP %s): %s" % (what, response.status_code, _error_text(response)),
                             call=what, status_code=response.status_code,
                             request_id=response.headers.get("x-openstack-request-id"))
        body = response.json()
        items = body.get(key) or []
        yield from items
        marker = _next_marker(body.get(key + "_links"))
        if not marker or not items or marker in seen_markers:
            return
        seen_markers.add(marker)
        query["marker"] = marker


def _next_marker(links: Any) -> Optional[str]:
    for link in links or []:
        if link.get("rel") == "next":
            values = parse_qs(urlparse(link.get("href", "")).query).get("marker")
            return values[0] if values else None
    return None


def _error_text(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return (response.text or "")[:300]
    if isinstance(body, dict):
        for value in body.values():
            if isinstance(value, dict) and value.get("message"):
                return value["message"]
        if body.get("message"):
            return str(body["message"])
    return str(body)[:300]
