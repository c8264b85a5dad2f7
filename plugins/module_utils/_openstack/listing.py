# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Fast list calls: raw JSON pages through an SDK service adapter.

Building an openstacksdk Resource object per item costs more than the HTTP
call at thousands of servers (docs/openstack-access.md has the measurement),
so the fleet-wide listings read the API's JSON directly, follow its
pagination and leave the items as dicts. Two pagination styles are followed:
Nova's, Cinder's and Glance's ``<key>_links`` list with a ``rel: next`` link,
and Ironic's top-level ``next`` URL. Only the ``marker`` is taken from either
link and the same path asked again: the link's host is the service's idea of
its public endpoint, which behind a TLS proxy is often not the catalog's.

Requests are counted by the connection (keystoneauth's timing collection,
see ``connection.requests_made``), not here.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Optional
from urllib.parse import parse_qs, urlparse

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.errors import (
    api_call,
    raise_for_response,
    request_id,
    where,
)


def list_json(adapter: Any, path: str, key: str, what: str, microversion: Optional[str] = None,
              params: Optional[Dict[str, Any]] = None, page_size: Optional[int] = None,
              resource: Optional[str] = None) -> List[Dict[str, Any]]:
    """Every item of a (possibly paginated) list call, as dicts."""
    return list(iter_json(adapter, path, key, what, microversion, params, page_size, resource))


def iter_json(adapter: Any, path: str, key: str, what: str, microversion: Optional[str] = None,
              params: Optional[Dict[str, Any]] = None, page_size: Optional[int] = None,
              resource: Optional[str] = None) -> Iterator[Dict[str, Any]]:
    """The items page after page; a marker seen twice (a service ignoring it) ends the listing."""
    query = dict(params or {})
    if page_size:
        query["limit"] = page_size
    seen_markers = set()
    while True:
        body = get_page(adapter, path, what, microversion, query, resource)
        items = body.get(key) or []
        yield from items
        marker = next_marker(body, key, items)
        if not marker or not items or marker in seen_markers:
            return
        seen_markers.add(marker)
        query["marker"] = marker


def next_marker(body: Dict[str, Any], key: str, items: List[Dict[str, Any]]) -> Optional[str]:
    """The marker of the next page, from ``<key>_links`` (Nova, Cinder) or a top-level ``next`` (Ironic)."""
    for link in body.get(key + "_links") or []:
        if isinstance(link, dict) and link.get("rel") == "next":
            return _marker_of(link.get("href")) or _last_id(items)
    if body.get("next"):
        return _marker_of(body["next"]) or _last_id(items)
    return None


def _marker_of(url: Any) -> Optional[str]:
    values = parse_qs(urlparse(str(url or "")).query).get("marker")
    return values[0] if values else None


def _last_id(items: List[Dict[str, Any]]) -> Optional[str]:
    if not items or not isinstance(items[-1], dict):
        return None
    return items[-1].get("uuid") or items[-1].get("id")


def list_json_sliced(adapter: Any, index_path: str, detail_path: str, key: str, what: str,
                     microversion: Optional[str], params: Optional[Dict[str, Any]], page_size: Optional[int],
                     slices: int, run: Callable[..., Any]) -> List[Dict[str, Any]]:
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
                                              params, page_size)]
    if slices <= 1 or len(index) < 2 * slices:
        return list_json(adapter, detail_path, key, what, microversion, params, page_size)
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
            body = get_page(adapter, detail_path, what, microversion, dict(query, limit=limit))
            page = body.get(key) or []
            for item in page:
                at = position.get(item["id"])
                if at is not None and at >= end:
                    return found  # the next slice's first item: this slice is complete
                found.append(item)
            marker = next_marker(body, key, page)
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


def get_page(adapter: Any, path: str, what: str, microversion: Optional[str], query: Dict[str, Any],
             resource: Optional[str] = None) -> Dict[str, Any]:
    """One GET answered with a JSON object; any other answer is a CloudError naming the call."""
    with api_call(what, resource):
        response = adapter.get(path, params=dict(query), microversion=microversion,
                               headers={"Accept": "application/json"}, raise_exc=False)
    raise_for_response(response, what, resource)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise CloudError("%s: the answer is not a JSON object" % where(what, resource), call=what,
                         resource=resource, status_code=response.status_code, request_id=request_id(response))
    return body
