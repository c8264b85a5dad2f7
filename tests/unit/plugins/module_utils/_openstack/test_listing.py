# -*- coding: utf-8 -*-
"""Raw JSON listings: plain pagination and the sliced detailed listing, over stubbed HTTP answered by an
API in memory that pages like Nova (``limit``, ``marker`` looked up among deleted
items too, a ``next`` link when a page is full)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._openstack.listing import list_json, list_json_sliced
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.json_response import Response
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import (
    microversion,
    path_of,
    query,
)


class PagedApi:
    """Items newest first, as Nova sorts servers (created_at desc)."""

    MAX_LIMIT = 1000

    def __init__(self, n):
        self.items = [{"id": "s%04d" % i, "detail": True} for i in range(n, 0, -1)]
        self.deleted = set()
        self.requests = []
        self.lock = threading.Lock()
        self.before_detail = None  # called once, before the first detailed page is served

    def create(self, item_id):
        self.items.insert(0, {"id": item_id, "detail": True})

    def delete(self, item_id):
        self.deleted.add(item_id)

    def get(self, path, params=None, microversion=None, headers=None, raise_exc=True):
        params = dict(params or {})
        with self.lock:
            self.requests.append((path, params))
            if path.endswith("/detail") and self.before_detail:
                hook, self.before_detail = self.before_detail, None
                hook(self)
            order = [item["id"] for item in self.items]
            start = 0
            if params.get("marker"):
                if params["marker"] not in order:
                    return Response(400, {"badRequest": {"message": "marker [%s] not found" % params["marker"]}})
                start = order.index(params["marker"]) + 1
            live = [item for item in self.items[start:] if item["id"] not in self.deleted]
            limit = min(int(params.get("limit", self.MAX_LIMIT)), self.MAX_LIMIT)
            page = live[:limit]
            if not path.endswith("/detail"):
                page = [{"id": item["id"]} for item in page]
            body = {"servers": page}
            if len(page) == limit:
                body["servers_links"] = [{"rel": "next", "href": "http://nova/v2.1%s?limit=%d&marker=%s"
                                          % (path, limit, page[-1]["id"])}]
            return Response(200, body)


def serve(stub, api):
    """Answer the stubbed Nova's /servers and /servers/detail from ``api`` (a PagedApi)."""
    def answer(request, context):
        params = {k: v[0] for k, v in query(request).items()}
        got = api.get(path_of(request), params)
        context.status_code = got.status_code
        return got._body

    stub.route("GET", "compute", "/servers", answer)
    stub.route("GET", "compute", "/servers/detail", answer)
    return api


@pytest.fixture
def over_http(stub, cloud):
    """over_http(api): ``api`` (a PagedApi) behind the stubbed Nova; returns (the compute adapter, a count of
    the listing's requests: the connection's own, after authentication and discovery)."""
    def _serve(api):
        serve(stub, api)
        cloud.conn.compute.get("/")  # authenticate and discover first: the count is the listing's
        before = cloud.requests()
        return cloud.conn.compute, lambda: cloud.requests() - before
    return _serve


def sliced(adapter, slices, page_size=1000):
    def run(fn, args):
        with ThreadPoolExecutor(max_workers=slices) as pool:
            return list(pool.map(fn, args))
    return list_json_sliced(adapter, "/servers", "/servers/detail", "servers", "list servers", "2.72",
                            {"all_tenants": 1}, page_size, slices, run)


def ids(items):
    return [item["id"] for item in items]


def test_sliced_listing_returns_what_pagination_returns_in_the_same_order(stub, over_http):
    api = PagedApi(1000)
    adapter, requests = over_http(api)
    got = sliced(adapter, 4)
    # two index pages (a full page of 1,000 has a next link, like Nova's), then one detailed page per slice;
    # counted by the connection, as many as the API answered
    assert requests() == 2 + 4 == len(api.requests)
    assert all(microversion(r) == "2.72" for r in stub.calls("compute")[-6:])
    assert ids(got) == ids(list_json(adapter, "/servers/detail", "servers", "list servers", page_size=1000))
    assert all(item["detail"] for item in got)
    detail = [params for path, params in api.requests if path == "/servers/detail"]
    assert sorted(params.get("marker", "") for params in detail[:4]) == sorted(["", "s0751", "s0501", "s0251"])


def test_index_pages_and_slices_over_several_pages(over_http):
    adapter, _requests = over_http(PagedApi(2500))
    got = sliced(adapter, 3, page_size=1000)
    assert ids(got) == ["s%04d" % i for i in range(2500, 0, -1)]


def test_servers_created_after_the_index_are_kept_and_none_is_lost(over_http):
    api = PagedApi(400)
    api.before_detail = lambda a: [a.create("new-%d" % i) for i in range(30)]
    adapter, _requests = over_http(api)
    got = sliced(adapter, 4)
    assert set(ids(got)) == {"s%04d" % i for i in range(1, 401)} | {"new-%d" % i for i in range(30)}
    assert len(got) == len(set(ids(got)))


def test_deleted_servers_and_deleted_slice_boundaries_lose_nothing_else(over_http):
    api = PagedApi(400)
    gone = {"s0301", "s0300", "s0201", "s0101", "s0001"}  # the markers and a slice's last item among them
    api.before_detail = lambda a: [a.delete(g) for g in gone]
    adapter, _requests = over_http(api)
    got = sliced(adapter, 4)
    assert set(ids(got)) == {"s%04d" % i for i in range(1, 401)} - gone


def test_few_servers_are_read_page_after_page(over_http):
    api = PagedApi(5)
    adapter, requests = over_http(api)
    assert ids(sliced(adapter, 4)) == ["s0005", "s0004", "s0003", "s0002", "s0001"]
    assert [request[0] for request in api.requests] == ["/servers", "/servers/detail"] and requests() == 2


def test_an_api_error_names_the_call(over_http):
    api = PagedApi(400)
    api.before_detail = lambda a: a.items.clear()  # every marker now unknown: HTTP 400
    adapter, _requests = over_http(api)
    with pytest.raises(CloudError) as err:
        sliced(adapter, 4)
    assert "list servers failed (HTTP 400)" in str(err.value.message) and "marker" in str(err.value.message)


def test_over_http_a_page_link_to_another_host_is_followed_by_its_marker_only(stub, cloud):
    pages = iter([{"servers": [{"id": "a"}], "servers_links": [
                   {"rel": "next", "href": "https://nova.behind-the-proxy:8774/v2.1/servers/detail?marker=a"}]},
                  {"servers": [{"id": "b"}]}])
    stub.route("GET", "compute", "/servers/detail", lambda request, context: next(pages))
    assert ids(list_json(cloud.conn.compute, "/servers/detail", "servers", "list servers", "2.72")) == ["a", "b"]
    assert [query(r).get("marker") for r in stub.calls()] == [None, ["a"]]


def test_over_http_a_listing_refused_with_placements_error_body(stub, cloud):
    stub.fail("GET", "placement", "/resource_providers", 500,
              {"errors": [{"status": 500, "title": "Internal Server Error", "detail": "database is gone",
                           "request_id": "req-p"}]}, request_id="req-p")
    with pytest.raises(CloudError) as err:
        cloud.placement.resource_providers_json()
    assert err.value.message == "list resource providers failed (HTTP 500): database is gone"
    assert err.value.request_id == "req-p"


def test_over_http_an_answer_that_is_not_a_json_object_is_a_cloud_error(stub, cloud):
    stub.route("GET", "compute", "/servers/detail", "<html>the proxy's login page</html>")
    with pytest.raises(CloudError) as err:
        list_json(cloud.conn.compute, "/servers/detail", "servers", "list servers")
    assert err.value.message == "list servers: the answer is not a JSON object"
