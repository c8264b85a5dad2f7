# -*- coding: utf-8 -*-
"""FakeNova served over HTTP: requests-mock routes in front of the in-memory Nova (fake_nova.FakeNova).

So the access layer's real ``Nova`` facade (SDK proxy calls, pinned microversion,
error parsing) drives the same simulation the drain and maintenance tests use
in-process: a live migration that takes a few looks and ends ``completed``, a
cold migration that waits for its confirmation, HTTP 409 for a server in the
wrong state, and so on. Every answer is shaped as Nova 2.80 writes it, and
every refusal as Nova's error body with a request id.

Routes: ``GET /servers/{id}`` (one look: the simulation moves on), ``GET
/servers/detail`` (``host`` filter), ``POST /servers/{id}/action``
(os-migrateLive, migrate, confirmResize, os-stop, os-start), ``POST
/servers/{id}/metadata``, ``DELETE /servers/{id}/metadata/{key}``, ``GET
/os-migrations?instance_uuid=``, ``GET /os-server-groups``, ``GET|POST
/os-aggregates``, ``POST /os-aggregates/{id}/action``, ``DELETE /os-aggregates/{id}``, ``GET /os-services``,
``GET /os-hypervisors/detail`` and ``PUT /os-services/{id}``. ``requests`` lists (method, path) of each call.
"""
from __future__ import annotations

import copy
import itertools
import json
import re
from typing import Any, Dict, List, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError, NotFoundError
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.fake_nova import HOST_KEY, TASK_KEY
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import (
    NOVA,
    path_of,
    query,
)

#: Nova's error body key for each status
_FAULTS = {400: "badRequest", 403: "forbidden", 404: "itemNotFound", 409: "conflictingRequest"}
_SID = r"([^/?]+)"


class NovaOverHttp:
    """The routes; ``fake`` is the FakeNova behind them."""

    def __init__(self, stub, fake) -> None:
        self.stub = stub
        self.fake = fake
        self.requests: List[Tuple[str, str]] = []
        self._request_ids = itertools.count(1)
        routes = [
            ("GET", r"/servers/" + _SID, self.show_server),
            ("GET", r"/servers/detail", self.servers_detail),  # after the line above: the later route wins
            ("POST", r"/servers/%s/action" % _SID, self.server_action),
            ("POST", r"/servers/%s/metadata" % _SID, self.set_metadata),
            ("DELETE", r"/servers/%s/metadata/%s" % (_SID, _SID), self.delete_metadata),
            ("GET", r"/os-migrations", self.migrations),
            ("GET", r"/os-server-groups", self.server_groups),
            ("GET", r"/os-aggregates", self.aggregates),
            ("POST", r"/os-aggregates", self.create_aggregate),
            ("POST", r"/os-aggregates/%s/action" % _SID, self.aggregate_action),
            ("DELETE", r"/os-aggregates/" + _SID, self.delete_aggregate),
            ("GET", r"/os-services", self.services),
            ("GET", r"/os-hypervisors/detail", self.hypervisors),
            ("PUT", r"/os-services/" + _SID, self.update_service),
        ]
        for method, pattern, handler in routes:
            stub.mocker.register_uri(method, re.compile(re.escape(NOVA + "/v2.1") + pattern + r"(\?.*)?$"),
                                     text=self._wrap(pattern, handler))

    # -- plumbing ------------------------------------------------------------------------------------------
    def _wrap(self, pattern, handler):
        regex = re.compile("^" + pattern + "$")

        def respond(request, context):
            path = path_of(request)
            self.requests.append((request.method, path))
            context.headers["x-openstack-request-id"] = context.headers["x-compute-request-id"] = \
                "req-fake-nova-%d" % next(self._request_ids)
            context.headers["Content-Type"] = "application/json"
            body = json.loads(request.body) if request.body else None
            try:
                status, answer = handler(request, body, *regex.match(path).groups())
            except NotFoundError as exc:
                status, answer = 404, {"itemNotFound": {"code": 404, "message": exc.message}}
            except CloudError as exc:
                code = exc.status_code or 500
                status, answer = code, {_FAULTS.get(code, "computeFault"): {"code": code,
                                                                            "message": _nova_words(exc.message)}}
            context.status_code = status
            return "" if answer is None else json.dumps(answer)
        return respond

    def _server(self, raw: Dict[str, Any]) -> Dict[str, Any]:
        """A server as Nova 2.80 shows it (the fake's private keys left out)."""
        server = {k: copy.deepcopy(v) for k, v in raw.items() if not k.startswith("_")}
        server.update({"OS-EXT-SRV-ATTR:hypervisor_hostname": raw.get(HOST_KEY),
                       "OS-EXT-STS:vm_state": (raw.get("status") or "").lower(), "locked": False,
                       "tags": [], "user_id": "fake-user", "flavor": {"original_name": "m1.tiny", "vcpus": 1},
                       "links": []})
        server.setdefault(TASK_KEY, None)
        return server

    # -- servers -------------------------------------------------------------------------------------------
    def servers_detail(self, request, body):
        host = query(request).get("host", [None])[0]
        found = self.fake.servers_on_host(host) if host else self.fake.servers()
        return 200, {"servers": [self._server(s) for s in found]}

    def show_server(self, request, body, server_id):
        server = self.fake.server(server_id)
        if server is None:
            raise NotFoundError("Instance %s could not be found." % server_id)
        return 200, {"server": self._server(server)}

    def server_action(self, request, body, server_id):
        (name, args), = body.items()
        if name == "os-migrateLive":
            assert args["block_migration"] == "auto", args
            self.fake.live_migrate(server_id, args.get("host"))
        elif name == "migrate":
            self.fake.cold_migrate(server_id, (args or {}).get("host"))
        elif name == "confirmResize":
            self.fake.confirm_resize(server_id)
            return 204, None
        elif name == "os-stop":
            self.fake.stop(server_id)
        elif name == "os-start":
            self.fake.start(server_id)
        else:
            raise CloudError("Action %s is not served by the fake Nova" % name, status_code=400)
        return 202, None

    def set_metadata(self, request, body, server_id):
        self.fake.set_metadata(server_id, body["metadata"])
        return 200, {"metadata": dict(self.fake.raw(server_id)["metadata"])}

    def delete_metadata(self, request, body, server_id, key):
        if server_id not in self.fake._servers:
            raise NotFoundError("Instance %s could not be found." % server_id)
        if key not in self.fake.raw(server_id)["metadata"]:
            raise NotFoundError("Metadata item was not found")
        self.fake.delete_metadata(server_id, key)
        return 204, None

    def migrations(self, request, body):
        server_id = query(request)["instance_uuid"][0]
        found = [dict(m, uuid="00000000-0000-4000-8000-%012d" % m["id"], source_node=m["source_compute"],
                      dest_node=m["dest_compute"], updated_at=m["created_at"], links=[])
                 for m in self.fake.migrations(server_id)]
        return 200, {"migrations": found}

    def server_groups(self, request, body):
        groups = [{"id": gid, "name": gid, "policy": "anti-affinity", "rules": {}, "members": list(members),
                   "project_id": "tenant-a", "user_id": "fake-user"} for gid, members in self.fake._groups.items()]
        return 200, {"server_groups": groups}

    # -- aggregates ------------------------------------------------------------------------------------------
    def aggregates(self, request, body):
        return 200, {"aggregates": [_aggregate(a) for a in self.fake.aggregates()]}

    def create_aggregate(self, request, body):
        return 200, {"aggregate": _aggregate(self.fake.create_aggregate(body["aggregate"]["name"]))}

    def aggregate_action(self, request, body, aggregate_id):
        (action, value), = body.items()
        what = {"add_host": "add host to aggregate", "remove_host": "remove host from aggregate",
                "set_metadata": "set aggregate metadata"}[action]
        return 200, {"aggregate": _aggregate(self.fake.aggregate_action(aggregate_id, action, value, what))}

    def delete_aggregate(self, request, body, aggregate_id):
        self.fake.delete_aggregate(aggregate_id)
        return 200, None

    # -- compute services -------------------------------------------------------------------------------------
    def services(self, request, body):
        wanted = {k: v[0] for k, v in query(request).items() if k in ("host", "binary")}
        found = [s for s in self.fake.compute_services() if all(s.get(k) == v for k, v in wanted.items())]
        return 200, {"services": found}

    def hypervisors(self, request, body):
        return 200, {"hypervisors": self.fake.hypervisors()}

    def update_service(self, request, body, service_id):
        return 200, {"service": self.fake.update_service(service_id, body)}


def serve_projects(stub, identity) -> None:
    """Keystone's ``GET /v3/projects`` from a FakeIdentity: its projects (extra properties kept), or HTTP 403
    when ``identity.fail``."""
    def projects(request, context):
        identity.gets += 1
        if identity.fail:
            context.status_code = 403
            return {"error": {"code": 403, "title": "Forbidden", "message": "You are not authorized to perform the "
                              "requested action: identity:list_projects."}}
        return {"projects": copy.deepcopy(identity.projects), "links": {"self": None, "next": None, "previous": None}}

    stub.route("GET", "identity", "/projects", projects)


def serve(stub, fake) -> NovaOverHttp:
    """Put ``fake`` (a FakeNova) behind the stubbed cloud's Nova endpoint."""
    return NovaOverHttp(stub, fake)


def _aggregate(agg: Dict[str, Any]) -> Dict[str, Any]:
    return dict(agg, id=int(agg["id"]), uuid="00000000-aaaa-4000-8000-%012d" % int(agg["id"]),
                availability_zone=None, created_at="2026-12-04T10:00:00.000000", updated_at=None,
                deleted_at=None, deleted=False)


def _nova_words(message: str) -> str:
    """The fake's CloudError messages are ours ("<call> <id> failed (HTTP n): <Nova's words>"): keep Nova's."""
    return message.split("): ", 1)[1] if "): " in message else message
