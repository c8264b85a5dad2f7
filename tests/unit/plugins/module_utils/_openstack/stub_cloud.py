# -*- coding: utf-8 -*-
"""A whole OpenStack cloud stubbed at the HTTP level (requests-mock), for the access layer's tests.

A real openstacksdk Connection is built against it: Keystone v3 answers the
password authentication with a token whose catalog lists compute, network,
block-storage, image, identity, placement and baremetal, and every endpoint
answers version discovery as the service does (Nova 2.1-2.100, Cinder
3.0-3.71, Placement 1.0-1.39, Ironic 1.1-1.96). So nothing in the layer is
swapped out: the SDK proxies, keystoneauth's discovery, microversion headers,
the session's timing collection and our own error parsing all run.

Tests register the API answers they need with :meth:`StubCloud.route` and read
what was sent from :meth:`StubCloud.calls` (discovery and auth left out).
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable, Dict, List, Optional, Union
from urllib.parse import parse_qs, urlparse

import requests_mock

from ansible_collections.osfleet.day2.plugins.module_utils._openstack.connection import CloudOptions, connect_cloud

PROJECT_ID = "0c3f6b1a2d4e4f5a8b9c0d1e2f3a4b5c"
USER_ID = "9d8e7f6a5b4c4d3e2f1a0b9c8d7e6f5a"
TOKEN = "gAAAAABstub-token"
KEYSTONE = "http://keystone.example.test:5000"
NOVA = "http://nova.example.test:8774"
NEUTRON = "http://neutron.example.test:9696"
CINDER = "http://cinder.example.test:8776"
GLANCE = "http://glance.example.test:9292"
PLACEMENT = "http://placement.example.test:8778"
IRONIC = "http://ironic.example.test:6385"

#: where each service's API lives (the catalog URL, as a real cloud lists it)
ENDPOINTS = {
    "identity": KEYSTONE + "/v3",
    "compute": NOVA + "/v2.1",
    "network": NEUTRON,
    "block-storage": CINDER + "/v3/" + PROJECT_ID,
    "image": GLANCE,
    "placement": PLACEMENT,
    "baremetal": IRONIC,
}
#: the base of the paths tests route (version prefix included)
API = {
    "identity": KEYSTONE + "/v3",
    "compute": NOVA + "/v2.1",
    "network": NEUTRON + "/v2.0",
    "block-storage": CINDER + "/v3/" + PROJECT_ID,
    "image": GLANCE + "/v2",
    "placement": PLACEMENT,
    "baremetal": IRONIC + "/v1",
}
#: requests that are discovery or authentication, not the API calls a test asserts on
_PLUMBING = re.compile(r"^(%s)/?$" % "|".join(re.escape(u) for u in (
    KEYSTONE, KEYSTONE + "/v3", NOVA, NOVA + "/v2.1", NEUTRON, NEUTRON + "/v2.0", CINDER, CINDER + "/v3",
    CINDER + "/v3/" + PROJECT_ID, GLANCE, GLANCE + "/v2", PLACEMENT, IRONIC, IRONIC + "/v1")))


def _catalog() -> List[Dict[str, Any]]:
    names = {"identity": "keystone", "compute": "nova", "network": "neutron", "block-storage": "cinderv3",
             "image": "glance", "placement": "placement", "baremetal": "ironic"}
    catalog = []
    for n, (service_type, url) in enumerate(sorted(ENDPOINTS.items())):
        endpoints = [{"id": "ep-%d-%s" % (n, interface), "interface": interface, "region": "RegionOne",
                      "region_id": "RegionOne", "url": url} for interface in ("public", "internal", "admin")]
        catalog.append({"id": "svc-%d" % n, "type": service_type, "name": names[service_type],
                        "endpoints": endpoints})
    # Cinder is still listed under its old type in many clouds: the SDK finds it by either
    catalog.append({"id": "svc-volumev3", "type": "volumev3", "name": "cinderv3", "endpoints": [
        {"id": "ep-v3-public", "interface": "public", "region": "RegionOne", "region_id": "RegionOne",
         "url": ENDPOINTS["block-storage"]}]})
    return catalog


def token_body(project_id: str = PROJECT_ID, project_name: str = "admin") -> Dict[str, Any]:
    return {"token": {
        "methods": ["password"], "expires_at": "2099-01-01T00:00:00.000000Z", "issued_at": "2026-01-01T00:00:00Z",
        "audit_ids": ["stub-audit"], "is_domain": False,
        "user": {"id": USER_ID, "name": "admin", "domain": {"id": "default", "name": "Default"},
                 "password_expires_at": None},
        "project": {"id": project_id, "name": project_name, "domain": {"id": "default", "name": "Default"}},
        "roles": [{"id": "r-admin", "name": "admin"}, {"id": "r-reader", "name": "reader"}],
        "catalog": _catalog(),
    }}


_VERSIONS = {
    KEYSTONE + "/v3": {"version": {
        "id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
        "links": [{"rel": "self", "href": KEYSTONE + "/v3/"}],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]}},
    NOVA + "/v2.1": {"version": {
        "id": "v2.1", "status": "CURRENT", "version": "2.100", "min_version": "2.1",
        "updated": "2013-07-23T11:33:21Z", "links": [{"rel": "self", "href": NOVA + "/v2.1/"}],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}]}},
    NOVA: {"versions": [
        {"id": "v2.0", "status": "DEPRECATED", "version": "", "min_version": "", "updated": "2025-07-04T12:00:00Z",
         "links": [{"rel": "self", "href": NOVA + "/v2/"}]},
        {"id": "v2.1", "status": "CURRENT", "version": "2.100", "min_version": "2.1",
         "updated": "2013-07-23T11:33:21Z", "links": [{"rel": "self", "href": NOVA + "/v2.1/"}]}]},
    NEUTRON: {"versions": [{"id": "v2.0", "status": "CURRENT",
                            "links": [{"rel": "self", "href": NEUTRON + "/v2.0/"}]}]},
    CINDER: {"versions": [{
        "id": "v3.0", "status": "CURRENT", "version": "3.71", "min_version": "3.0", "updated": "2023-08-31T00:00:00Z",
        "links": [{"rel": "describedby", "type": "text/html", "href": "https://docs.openstack.org/"},
                  {"rel": "self", "href": CINDER + "/v3/"}],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.volume+json;version=3"}]}]},
    GLANCE: {"versions": [
        {"id": "v2.17", "status": "CURRENT", "links": [{"rel": "self", "href": GLANCE + "/v2/"}]},
        {"id": "v2.0", "status": "SUPPORTED", "links": [{"rel": "self", "href": GLANCE + "/v2/"}]}]},
    # Placement's own self link is empty (it serves one version at its root)
    PLACEMENT: {"versions": [{"id": "v1.0", "max_version": "1.39", "min_version": "1.0", "status": "CURRENT",
                              "links": [{"rel": "self", "href": ""}]}]},
    IRONIC: {"name": "OpenStack Ironic API", "description": "Ironic is an OpenStack project...",
             "default_version": {"id": "v1", "links": [{"href": IRONIC + "/v1/", "rel": "self"}],
                                 "status": "CURRENT", "min_version": "1.1", "version": "1.96"},
             "versions": [{"id": "v1", "links": [{"href": IRONIC + "/v1/", "rel": "self"}], "status": "CURRENT",
                           "min_version": "1.1", "version": "1.96"}]},
}
_VERSIONS[CINDER + "/v3"] = {"version": dict(_VERSIONS[CINDER]["versions"][0])}
_VERSIONS[IRONIC + "/v1"] = {"id": "v1", "version": _VERSIONS[IRONIC]["default_version"],
                             "links": [{"href": IRONIC + "/v1/", "rel": "self"}]}
_VERSIONS[NEUTRON + "/v2.0"] = {"resources": [{"name": "port", "collection": "ports",
                                               "links": [{"href": NEUTRON + "/v2.0/ports", "rel": "self"}]}]}
_VERSIONS[GLANCE + "/v2"] = _VERSIONS[GLANCE]


Body = Union[Dict[str, Any], List[Any], str, None]
Answer = Union[Body, Callable[[Any, Any], Body]]


class StubCloud:
    """One cloud at RegionOne; ``route()`` what a test needs, ``cloud()`` connects the layer to it."""

    def __init__(self, mocker: requests_mock.Mocker) -> None:
        self.mocker = mocker
        self.auth_requests = 0
        #: service types the token's catalog leaves out (a cloud without Ironic, say)
        self.hidden: set = set()
        mocker.post(KEYSTONE + "/v3/auth/tokens", status_code=201, json=self._token,
                    headers={"X-Subject-Token": TOKEN, "x-openstack-request-id": "req-keystone-auth"})
        for url, doc in _VERSIONS.items():
            for variant in (url, url + "/"):
                mocker.get(variant, json=doc, status_code=200,
                           headers={"Content-Type": "application/json"})

    def _token(self, request, context):
        self.auth_requests += 1
        scope = (request.json().get("auth") or {}).get("scope") or {}
        project = scope.get("project") or {}
        body = token_body(project.get("id") or PROJECT_ID, project.get("name") or "admin")
        body["token"]["catalog"] = [s for s in body["token"]["catalog"] if s["type"] not in self.hidden]
        return body

    # -- connecting -------------------------------------------------------------------------------
    def options(self, **more: Any) -> CloudOptions:
        auth = {"auth_url": KEYSTONE + "/v3", "username": "admin", "password": "stub-secret",
                "project_name": "admin", "user_domain_name": "Default", "project_domain_name": "Default"}
        return CloudOptions(auth=auth, auth_type="password", region_name="RegionOne",
                            extra=dict({"load_yaml_config": False, "load_envvars": False}, **more))

    def cloud(self, **more: Any):
        return connect_cloud(self.options(**more))

    # -- the API -----------------------------------------------------------------------------------
    def route(self, method: str, service: str, path: str, answer: Answer = None, status: int = 200,
              headers: Optional[Dict[str, str]] = None, request_id: str = "req-stub-1", **kwargs: Any):
        """Answer ``method`` on ``path`` of ``service`` (a regex when it contains ``(``); returns the matcher."""
        base = API[service]
        url: Any = re.compile(re.escape(base) + path + r"(\?.*)?$") if "(" in path else base + path
        head = {"x-openstack-request-id": request_id}
        if service == "compute":
            head["x-compute-request-id"] = request_id
        head.update(headers or {})
        if callable(answer):
            fn = answer

            def body(request, context):
                got = fn(request, context)
                return _encode(got, context)
            return self.mocker.register_uri(method, url, text=body, status_code=status, headers=head, **kwargs)
        if isinstance(answer, bytes):
            head.setdefault("Content-Type", "application/octet-stream")
            return self.mocker.register_uri(method, url, content=answer, status_code=status, headers=head, **kwargs)
        if isinstance(answer, (dict, list)):
            head.setdefault("Content-Type", "application/json")
            return self.mocker.register_uri(method, url, json=answer, status_code=status, headers=head, **kwargs)
        return self.mocker.register_uri(method, url, text=answer or "", status_code=status, headers=head,
                                        **kwargs)

    def fail(self, method: str, service: str, path: str, status: int, body: Body,
             request_id: str = "req-stub-err", content_type: Optional[str] = None):
        default = "application/json" if isinstance(body, (dict, list)) else "text/html; charset=UTF-8"
        headers = {"Content-Type": content_type or default}
        if isinstance(body, (dict, list)):
            return self.route(method, service, path, json.dumps(body), status=status, headers=headers,
                              request_id=request_id)
        return self.route(method, service, path, body, status=status, headers=headers, request_id=request_id)

    def calls(self, service: Optional[str] = None) -> List[Any]:
        """The API requests made so far (not discovery, not authentication), oldest first."""
        out = []
        for request in self.mocker.request_history:
            url = request.url.split("?", 1)[0]
            if _PLUMBING.match(url) or url.endswith("/auth/tokens"):
                continue
            if service is not None and not url.startswith(API[service]):
                continue
            out.append(request)
        return out

    def last(self, service: Optional[str] = None):
        return self.calls(service)[-1]


def _encode(got: Body, context) -> str:
    if isinstance(got, (dict, list)):
        context.headers["Content-Type"] = "application/json"
        return json.dumps(got)
    return got or ""


def path_of(request) -> str:
    """The request's path below its service's API base."""
    url = request.url.split("?", 1)[0]
    for base in sorted(API.values(), key=len, reverse=True):
        if url.startswith(base):
            return url[len(base):]
    return urlparse(url).path


def query(request) -> Dict[str, List[str]]:
    """The request's query, every value a list (as sent, case kept)."""
    return parse_qs(urlparse(request.url).query, keep_blank_values=True)


def microversion(request, service: str = "compute") -> Optional[str]:
    """The microversion the request asked for (``OpenStack-API-Version: <service> <version>``); None if none."""
    header = request.headers.get("OpenStack-API-Version")
    if not header:
        return None
    name, _sep, version = header.partition(" ")
    assert name == service, header
    return version
