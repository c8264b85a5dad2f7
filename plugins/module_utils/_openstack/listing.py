# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Fast list calls: raw JSON pages through an SDK service adapter.

Building an openstacksdk Resource object per server costs more than the HTTP
call at thousands of servers, so fleet-wide listings read the API's JSON
directly, follow its ``*_links`` pagination, and leave the objects as dicts.
"""

from __future__ import annotations

import threading
from typing import Any, Dict, Iterator, List, Optional
from urllib.parse import parse_qs, urlparse

from ansible_collections.osfleet.day2.plugins.module_utils._openstack.connection import api_call
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError

_COUNT_LOCK = threading.Lock()


def count_requests(stats: Optional[Dict[str, int]], n: int = 1) -> None:
    """Add ``n`` to ``stats["requests"]``; safe when several threads share ``stats``."""
    if stats is not None:
        with _COUNT_LOCK:
            stats["requests"] = stats.get("requests", 0) + n


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
        body = _get_page(adapter, path, what, microversion, query, stats)
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


def list_json_sliced(adapter: Any, index_path: str, detail_path: str, key: str, what: str,
                     microversion: Optional[str], params: Optional[Dict[str, Any]], page_size: int,
                     slices: int, run: Any, stats: Optional[Dict[str, int]] = None) -> List[Dict[str, Any]]:
    """A detailed listing read as ``slices`` pieces at the same time.

    An API that spends most of a detailed listing building each item (Nova's
    ``servers/detail``) answers one big page on one API worker, while its
    other workers sit idle. This reads the cheap index listing first (IDs
    only, same order), cuts it into contiguous slices and fetches each slice
    of the detailed listing at once, starting after the item before it
    (``marker``) and stopping at the slice's last item. ``run(fn, args)`` maps
    ``fn`` over ``args`` concurrently (an executor's ``map``).

    Complete under the same terms as plain pagination: items created after
    the index was read are kept wherever they appear, deleted ones are simply
    absent, and an item seen by two slices is returned once.
    """
    index = [item["id"] for item in iter_json(adapter, index_path, key, what + " (index)", microversion,
                                              params, page_size, stats)]
    if slices <= 1 or len(index) < 2 * slices:
        return list_json(adapter, detail_path, key, what, microversion, params, page_size, stats)
    position = {item_id: n for n, item_id in enumerate(index)}
    size = -(-len(index) // slices)
    bounds = [(start, min(start + size, len(index))) for start in range(0, len(index), size)]

    def read_slice(bound):
        start, end = bound
        query = dict(params or {})
        if start:
            query["marker"] = index[start - 1]
        # a little over the slice, so servers created meanwhile do not cost another page
        limit = end - start + max(5, (end - start) // 20)
        if page_size:
            limit = min(page_size, limit)
        found = []
        while True:
            body = _get_page(adapter, detail_path, what, microversion, dict(query, limit=limit), stats)
            page = body.get(key) or []
            for item in page:
                at = position.get(item["id"])
                if at is not None and at >= end:
                    return found  # the next slice's first item: this slice is complete
                found.append(item)
            marker = _next_marker(body.get(key + "_links"))
            if not page or not marker:
                return found  # the end of the listing
            query["marker"] = marker

    seen = set()
    items = []
    for found in run(read_slice, bounds):
        for item in found:
            if item["id"] not in seen:
                seen.add(item["id"])
                items.append(item)
    return items


def _get_page(adapter, path, what, microversion, query, stats) -> Dict[str, Any]:
    count_requests(stats)
    with api_call(what):
        response = adapter.get(path, params=query, microversion=microversion,
                               headers={"Accept": "application/json"}, raise_exc=False)
    if response.status_code >= 400:
        raise CloudError("%s failed (HTTP %s): %s" % (what, response.status_code, _error_text(response)),
                         call=what, status_code=response.status_code,
                         request_id=response.headers.get("x-openstack-request-id"))
    return response.json()
