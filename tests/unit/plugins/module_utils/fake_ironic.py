# -*- coding: utf-8 -*-
"""An Ironic node listing in memory, answering GET /v1/nodes like Ironic does: full node records cut down
to the ``fields`` asked for, passwords masked (unless its ``show_password`` policy allows them), ``limit``
capped by ``[api]max_limit``, a top-level ``next`` URL when a page is full, ``fields`` refused with
``detail`` (HTTP 400) or below its microversion (HTTP 406), errors wrapped as Ironic wraps them.

``FakeIronic.get`` is the baremetal adapter's ``get`` (for the BMC mapping tests); :func:`serve` puts the
same fake behind the stubbed cloud's HTTP, so the access layer's ``Ironic`` facade reads it for real.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.json_response import Response

SECRET = "s3cr3t-Pa55"
#: the microversion each field needs (ironic/api/controllers/v1/utils.py)
FIELD_VERSIONS = {"name": 5, "fault": 42, "conductor_group": 46, "owner": 50, "lessee": 65}


def ironic_error(status, faultstring):
    """Ironic's error body: a JSON string inside ``error_message``."""
    return Response(status, {"error_message": json.dumps({"faultstring": faultstring, "faultcode": "Client",
                                                          "debuginfo": None})})


def node(uuid, name=None, driver="redfish", driver_info=None, **more):
    """A node as Ironic stores it (the listing with ``detail`` shows all of this)."""
    record = {
        "uuid": uuid, "name": name, "driver": driver, "driver_info": driver_info or {},
        "driver_internal_info": {"last_power_state_change": "2026-01-05T10:00:00"},
        "extra": {}, "instance_info": {}, "instance_uuid": None, "properties": {"cpus": 64},
        "power_state": "power on", "provision_state": "active", "maintenance": False,
        "maintenance_reason": None, "fault": None, "last_error": None, "resource_class": "baremetal",
        "links": [{"href": "http://127.0.0.1:6385/v1/nodes/%s" % uuid, "rel": "self"},
                  {"href": "http://127.0.0.1:6385/nodes/%s" % uuid, "rel": "bookmark"}],
    }
    record.update(more)
    return record


def uid(n):
    return "%08d-1111-4222-8333-%012d" % (n, n)


def redfish_info(address="https://10.0.0.11", system="/redfish/v1/Systems/1", **more):
    info = {"redfish_address": address, "redfish_username": "admin", "redfish_password": SECRET}
    if system is not None:
        info["redfish_system_id"] = system
    info.update(more)
    return info


def ipmi_info(address="10.0.1.11", **more):
    info = {"ipmi_address": address, "ipmi_username": "ADMIN", "ipmi_password": SECRET,
            "deploy_kernel": "file:///var/lib/ironic/ipa.kernel"}
    info.update(more)
    return info


class FakeIronic:
    """The baremetal proxy's ``get``, as far as the node listing goes."""

    def __init__(self, nodes, max_limit=1000, show_password=False, max_version=95,
                 public_url="https://ironic.public.example:443"):
        self.nodes = nodes
        self.max_limit = max_limit
        self.show_password = show_password
        self.max_version = max_version
        self.public_url = public_url
        self.requests = []
        self.fail = {}  # request number (1-based) -> Response

    def get(self, path, params=None, microversion=None, headers=None, raise_exc=True):
        params = dict(params or {})
        self.requests.append({"path": path, "params": params, "microversion": microversion,
                              "headers": headers, "raise_exc": raise_exc})
        if len(self.requests) in self.fail:
            return self.fail[len(self.requests)]
        assert path == "/nodes"
        minor = int(str(microversion or "1.1").split(".")[1])
        if minor > self.max_version:
            return ironic_error(406, "Version 1.%d was requested but the maximum is 1.%d"
                                % (minor, self.max_version))
        fields = params.get("fields")
        if fields is not None:
            assert isinstance(fields, str), "Ironic reads fields as one comma-separated string"
            fields = fields.split(",")
            if minor < 8:
                return ironic_error(406, "fields not allowed")
            for field in fields:
                if minor < FIELD_VERSIONS.get(field, 0):
                    return ironic_error(406, "field %s needs a newer microversion" % field)
        if params.get("detail") not in (None, False, "False", "false"):
            if minor < 43:
                return ironic_error(400, "Invalid query parameter ?detail=True received.")
            if fields is not None:
                return ironic_error(400, "Can not specify ?detail=True and fields in the same request.")
        if fields is None and params.get("detail") in (None, False, "False", "false"):
            fields = ["uuid", "name", "instance_uuid", "power_state", "provision_state", "maintenance", "links"]
        order = [n["uuid"] for n in self.nodes]
        start = 0
        if params.get("marker"):
            if params["marker"] not in order:
                return ironic_error(404, "Node %s could not be found." % params["marker"])
            start = order.index(params["marker"]) + 1
        limit = min(int(params.get("limit") or self.max_limit), self.max_limit)
        page = [self._show(n, fields) for n in self.nodes[start:start + limit]]
        body = {"nodes": page}
        if page and len(page) == limit:
            query = {"fields": ",".join(fields)} if params.get("fields") else {}
            query.update(limit=limit, marker=page[-1]["uuid"])
            body["next"] = "%s/v1/nodes?%s" % (self.public_url, urlencode(query))
        return Response(200, body)

    def _show(self, record, fields):
        shown = {k: json.loads(json.dumps(v)) for k, v in record.items() if fields is None or k in fields}
        if isinstance(shown.get("driver_info"), dict) and not self.show_password:
            shown["driver_info"] = {k: ("******" if "password" in k else v) for k, v in shown["driver_info"].items()}
        return shown


def serve(stub, fake):
    """Answer the stubbed cloud's ``GET /v1/nodes`` from ``fake`` (a FakeIronic); returns the fake."""
    from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import (
        microversion,
        query,
    )

    def nodes(request, context):
        params = {k: v[0] for k, v in query(request).items()}
        answer = fake.get("/nodes", params, microversion=microversion(request, "baremetal"),
                          headers={"Accept": request.headers.get("Accept")}, raise_exc=False)
        context.status_code = answer.status_code
        context.headers["x-openstack-request-id"] = answer.headers["x-openstack-request-id"]
        context.headers["Content-Type"] = "application/json" if answer.text.startswith(("{", "[")) else "text/html"
        return answer.text

    stub.route("GET", "baremetal", "/nodes", nodes)
    return fake
