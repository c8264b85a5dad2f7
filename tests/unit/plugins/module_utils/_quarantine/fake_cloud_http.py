# -*- coding: utf-8 -*-
"""The quarantine's cloud (fake_cloud.QuarantineCloud) served over HTTP behind the stubbed cloud's endpoints.

requests-mock routes answer the Nova (2.80), Neutron, Glance v2, Cinder v3 and
Keystone v3 calls a quarantine case makes, in the shape each service writes
them, over the in-memory state; so the core runs through the real facades of
the access layer and openstacksdk underneath them (requests, microversions,
pagination, waits, error bodies). A refusal is the service's own error body
(Nova's ``conflictingRequest`` for an action during a task, Glance's HTML
404 page...). Keystone hands out one token per project (``tok-<project id>``)
so Cinder knows which project accepts a volume transfer.

A request nothing here serves fails the test (an AssertionError naming it).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import requests_mock

from ansible_collections.osfleet.day2.plugins.module_utils._openstack.connection import connect_cloud
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import (
    API,
    CINDER,
    KEYSTONE,
    PROJECT_ID,
    StubCloud,
    query,
    token_body,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._quarantine.fake_cloud import (
    OPERATOR_PROJECT,
    QuarantineCloud,
    R,
)


class Refused(Exception):
    """A service refusing the request: the status and the service's words."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def not_found(what: str) -> Refused:
    return Refused(404, "%s could not be found." % what)


_ID = r"([^/?]+)"
Answer = Tuple[Any, ...]  # (status, body) or (status, body, headers)


class QuarantineOverHttp:
    """The routes; ``fake`` is the state behind them."""

    def __init__(self, stub: StubCloud, fake: QuarantineCloud) -> None:
        self.stub = stub
        self.fake = fake
        self.routes: Dict[str, List[Tuple[str, Any, Callable]]] = {}
        for service, method, pattern, handler in self._table():
            self.routes.setdefault(service, []).append((method, re.compile("^" + pattern + "$"), handler))
        for service in self.routes:
            stub.mocker.register_uri(requests_mock.ANY, re.compile(_base(service) + r"/.+"),
                                     content=self._respond(service))

    def _table(self):
        nova = [("GET", "/servers/detail", self.servers_detail), ("GET", "/servers/" + _ID, self.show_server),
                ("PUT", "/servers/" + _ID, self.update_server), ("POST", "/servers/%s/action" % _ID, self.action),
                ("POST", "/servers/%s/metadata" % _ID, self.set_metadata),
                ("DELETE", "/servers/%s/metadata/%s" % (_ID, _ID), self.delete_metadata),
                ("PUT", "/servers/%s/tags/%s" % (_ID, _ID), self.add_tag),
                ("DELETE", "/servers/%s/tags/%s" % (_ID, _ID), self.remove_tag),
                ("GET", "/servers/%s/os-instance-actions" % _ID, self.instance_actions),
                ("GET", "/servers/%s/diagnostics" % _ID, self.diagnostics),
                ("GET", "/servers/%s/os-volume_attachments" % _ID, self.volume_attachments)]
        neutron = [("GET", "/ports", self.ports), ("PUT", "/ports/" + _ID, self.update_port),
                   ("GET", "/floatingips", self.floating_ips), ("GET", "/floatingips/" + _ID, self.floating_ip),
                   ("PUT", "/floatingips/" + _ID, self.update_floating_ip),
                   ("GET", "/security-groups", self.security_groups),
                   ("POST", "/security-groups", self.create_security_group),
                   ("DELETE", "/security-groups/" + _ID, self.delete_security_group),
                   ("GET", "/security-group-rules", self.security_group_rules),
                   ("POST", "/security-group-rules", self.create_security_group_rule),
                   ("DELETE", "/security-group-rules/" + _ID, self.delete_security_group_rule)]
        glance = [("GET", "/images", self.images), ("POST", "/images", self.create_image),
                  ("GET", "/images/" + _ID, self.show_image), ("PATCH", "/images/" + _ID, self.update_image),
                  ("DELETE", "/images/" + _ID, self.delete_image), ("PUT", "/images/%s/file" % _ID, self.put_data),
                  ("GET", "/images/%s/file" % _ID, self.get_data), ("GET", "/images/%s/members" % _ID, self.members),
                  ("POST", "/images/%s/members" % _ID, self.add_member),
                  ("PUT", "/images/%s/members/%s" % (_ID, _ID), self.update_member)]
        cinder = [("GET", "/snapshots/detail", self.snapshots), ("POST", "/snapshots", self.create_snapshot),
                  ("GET", "/snapshots/" + _ID, self.show_snapshot),
                  ("DELETE", "/snapshots/" + _ID, self.delete_snapshot),
                  ("GET", "/volumes/detail", self.volumes), ("POST", "/volumes", self.create_volume),
                  ("GET", "/volumes/" + _ID, self.show_volume), ("DELETE", "/volumes/" + _ID, self.delete_volume),
                  ("POST", "/volumes/%s/action" % _ID, self.volume_action),
                  ("GET", "/volume-transfers/detail", self.transfers),
                  ("POST", "/volume-transfers", self.create_transfer),
                  ("DELETE", "/volume-transfers/" + _ID, self.delete_transfer),
                  ("POST", "/volume-transfers/%s/accept" % _ID, self.accept_transfer)]
        keystone = [("POST", "/auth/tokens", self.token), ("GET", "/projects", self.projects),
                    ("GET", "/projects/" + _ID, self.project)]
        for service, table in (("compute", nova), ("network", neutron), ("image", glance),
                               ("block-storage", cinder), ("identity", keystone)):
            for method, pattern, handler in table:
                yield service, method, pattern, handler

    # -- plumbing ----------------------------------------------------------------------------------------
    def _respond(self, service: str):
        def respond(request, context):
            path = re.sub("^" + _base(service), "", request.url.split("?", 1)[0])
            for method, regex, handler in self.routes[service]:
                match = regex.match(path)
                if method == request.method and match:
                    break
            else:
                raise AssertionError("the fake cloud serves no %s %s (%s)" % (request.method, path, service))
            if request.method != "GET" and not path.endswith("/auth/tokens"):
                self.fake.writes.append((request.method, path))
            context.headers["x-openstack-request-id"] = "req-fake-%d" % len(self.stub.mocker.request_history)
            if service == "compute":
                context.headers["x-compute-request-id"] = context.headers["x-openstack-request-id"]
            try:
                status, answer, *headers = handler(request, *match.groups())
            except Refused as exc:
                status, answer, headers = exc.status, _error(service, exc.status, exc.message), []
            context.status_code = status
            for more in headers:
                context.headers.update(more)
            if isinstance(answer, bytes):
                context.headers["Content-Type"] = "application/octet-stream"
                context.headers["Content-MD5"] = hashlib.md5(answer, usedforsecurity=False).hexdigest()
                return answer
            if isinstance(answer, str):
                context.headers["Content-Type"] = "text/html; charset=UTF-8"
                return answer.encode()
            context.headers["Content-Type"] = "application/json"
            return b"" if answer is None else json.dumps(answer).encode()
        return respond

    @staticmethod
    def _get(table: Dict[str, R], resource_id: str, what: str) -> R:
        """The resource, or the service's 404 (Glance words it its own way)."""
        found = table.get(resource_id)
        if found is None:
            raise Refused(404, "No image found with ID %s" % resource_id) if what == "image" else \
                not_found("%s %s" % (what, resource_id))
        return found

    def project_of(self, request) -> str:
        token = request.headers.get("X-Auth-Token") or ""
        return token[len("tok-"):] if token.startswith("tok-") else OPERATOR_PROJECT

    # -- Keystone ------------------------------------------------------------------------------------------
    def token(self, request) -> Answer:
        self.stub.auth_requests += 1
        scope = (request.json().get("auth") or {}).get("scope") or {}
        project = (scope.get("project") or {}).get("id") or OPERATOR_PROJECT
        body = token_body(project, self.fake.projects.get(project, "admin"))
        for service in body["token"]["catalog"]:  # as Keystone fills in $(project_id)s: Cinder's URL names it
            for endpoint in service["endpoints"]:
                endpoint["url"] = endpoint["url"].replace(PROJECT_ID, project)
        return 201, body, {"X-Subject-Token": "tok-" + project}

    def projects(self, request) -> Answer:
        name = _first(request, "name")
        return 200, {"projects": [_project(pid, n) for pid, n in self.fake.projects.items() if name in (None, n)],
                     "links": {"self": KEYSTONE + "/v3/projects", "previous": None, "next": None}}

    def project(self, request, project_id) -> Answer:
        if project_id not in self.fake.projects:
            raise not_found("project: %s" % project_id)
        return 200, {"project": _project(project_id, self.fake.projects[project_id])}

    # -- Nova ----------------------------------------------------------------------------------------------
    def servers_detail(self, request) -> Answer:
        name, tags = _first(request, "name"), _first(request, "tags")
        found = [s for s in self.fake.servers.values() if (name is None or s.name == name)
                 and (tags is None or set(tags.split(",")) <= set(s.tags))]
        return 200, {"servers": [_server_body(s) for s in found]}

    def show_server(self, request, server_id) -> Answer:
        server = self._get(self.fake.servers, server_id, "Instance")
        if server_id == "srv-1" and self.fake.busy:  # another tool's task (a live migration) ends after a few looks
            self.fake.busy -= 1
            server.task_state = "migrating" if self.fake.busy else None
        return 200, {"server": _server_body(server)}

    def update_server(self, request, server_id) -> Answer:
        server = self._get(self.fake.servers, server_id, "Instance")
        self.fake.calls.append("update")
        server.name = request.json()["server"].get("name", server.name)
        return 200, {"server": _server_body(server)}

    def action(self, request, server_id) -> Answer:
        server = self._get(self.fake.servers, server_id, "Instance")
        (name, args), = request.json().items()
        if name == "os-getConsoleOutput":
            return 200, {"output": "login: root\n"}
        if server.task_state:
            raise Refused(409, "Cannot '%s' instance %s while it is in task_state %s"
                          % (name, server_id, server.task_state))
        if name == "createImage":
            self.fake.calls.append("create_server_image")
            image = self.fake.create_image(args["name"], data=b"disk-bytes" * 100,
                                           status=self.fake.server_image_status)
            return 202, {"image_id": image.id}
        if name == "lock":
            self.fake.calls.append("lock")
            server.is_locked, server.locked_reason = True, (args or {}).get("locked_reason")
        elif name == "unlock":
            self.fake.calls.append("unlock")
            server.is_locked, server.locked_reason = False, None
        elif name in ("pause", "unpause", "os-stop", "os-start"):
            self.fake.calls.append(name)
            server.status = {"pause": "PAUSED", "unpause": "ACTIVE", "os-stop": "SHUTOFF", "os-start": "ACTIVE"}[name]
            if self.fake.task_after.get(name):  # another tool starts a task on the server right after
                self.fake.busy, server.task_state = self.fake.task_after.pop(name) + 1, "migrating"
        else:
            raise AssertionError("the fake Nova serves no action %s" % name)
        return 202, None

    def set_metadata(self, request, server_id) -> Answer:
        server = self._get(self.fake.servers, server_id, "Instance")
        self.fake.calls.append("set_metadata")
        server.metadata.update(request.json()["metadata"])
        return 200, {"metadata": dict(server.metadata)}

    def delete_metadata(self, request, server_id, key) -> Answer:
        server = self._get(self.fake.servers, server_id, "Instance")
        if key not in server.metadata:
            raise not_found("Metadata item %s" % key)
        del server.metadata[key]
        return 204, None

    def add_tag(self, request, server_id, tag) -> Answer:
        server = self._get(self.fake.servers, server_id, "Instance")
        server.tags = sorted(set(server.tags) | {tag})
        return 201, None

    def remove_tag(self, request, server_id, tag) -> Answer:
        server = self._get(self.fake.servers, server_id, "Instance")
        if tag not in server.tags:
            raise not_found("Tag %s" % tag)
        server.tags = [t for t in server.tags if t != tag]
        return 204, None

    def instance_actions(self, request, server_id) -> Answer:
        self._get(self.fake.servers, server_id, "Instance")
        return 200, {"instanceActions": [{"action": "create", "instance_uuid": server_id, "request_id": "req-1",
                                          "user_id": "u1", "project_id": "tenant-a", "start_time": "t0",
                                          "updated_at": "t0", "message": None}]}

    def diagnostics(self, request, server_id) -> Answer:
        self._get(self.fake.servers, server_id, "Instance")
        if self.fake.diagnostics is None:
            raise Refused(501, "Unable to get diagnostics, functionality not implemented")
        return 200, self.fake.diagnostics

    def volume_attachments(self, request, server_id) -> Answer:
        self._get(self.fake.servers, server_id, "Instance")
        return 200, {"volumeAttachments": [{"id": a.volume_id, "serverId": server_id, "volumeId": a.volume_id,
                                            "device": a.device, "tag": None, "delete_on_termination": False}
                                           for a in self.fake.attachments.get(server_id, [])]}

    # -- Neutron -------------------------------------------------------------------------------------------
    def ports(self, request) -> Answer:
        device = _first(request, "device_id")
        return 200, {"ports": [_port_body(p) for p in self.fake._ports.values() if device in (None, p.device_id)]}

    def update_port(self, request, port_id) -> Answer:
        port = self.fake._ports.get(port_id)
        if port is None:
            raise not_found("Port %s" % port_id)
        self.fake.calls.append("update_port")
        names = {"security_groups": "security_group_ids", "port_security_enabled": "is_port_security_enabled",
                 "admin_state_up": "is_admin_state_up"}
        for key, value in request.json()["port"].items():
            setattr(port, names[key], value)
        return 200, {"port": _port_body(port)}

    def floating_ips(self, request) -> Answer:
        ports = query(request).get("port_id")
        return 200, {"floatingips": [_fip_body(f) for f in self.fake.fips.values()
                                     if ports is None or f.port_id in ports]}

    def floating_ip(self, request, fip_id) -> Answer:
        return 200, {"floatingip": _fip_body(self._get(self.fake.fips, fip_id, "Floating IP"))}

    def update_floating_ip(self, request, fip_id) -> Answer:
        fip = self._get(self.fake.fips, fip_id, "Floating IP")
        self.fake.calls.append("update_ip")
        sent = request.json()["floatingip"]
        fip.port_id = sent["port_id"]
        if fip.port_id is None:
            fip.fixed_ip_address = None
        else:
            fip.fixed_ip_address = sent.get("fixed_ip_address") or \
                self.fake._ports[fip.port_id].fixed_ips[0]["ip_address"]
        return 200, {"floatingip": _fip_body(fip)}

    def security_groups(self, request) -> Answer:
        asked = query(request)
        found = [g for g in self.fake.groups.values() if g.name == asked["name"][0]
                 and ("project_id" not in asked or g.project_id == asked["project_id"][0])]
        return 200, {"security_groups": [_group_body(g) for g in found]}

    def create_security_group(self, request) -> Answer:
        sent = request.json()["security_group"]
        group = R(id=self.fake.new_id("sg"), name=sent["name"], project_id=sent.get("project_id") or OPERATOR_PROJECT,
                  description=sent.get("description", ""))
        self.fake.groups[group.id] = group
        for ether_type in ("IPv4", "IPv6"):  # Neutron gives every new group allow-all egress
            rule = R(id=self.fake.new_id("rule"), security_group_id=group.id, direction="egress",
                     ether_type=ether_type, remote_ip_prefix=None, protocol=None)
            self.fake.rules[rule.id] = rule
        return 201, {"security_group": _group_body(group)}

    def delete_security_group(self, request, group_id) -> Answer:
        if self.fake.groups.pop(group_id, None) is None:
            raise not_found("Security group %s" % group_id)
        self.fake.rules = {k: r for k, r in self.fake.rules.items() if r.security_group_id != group_id}
        return 204, None

    def security_group_rules(self, request) -> Answer:
        group_id = query(request)["security_group_id"][0]
        return 200, {"security_group_rules": [_rule_body(r) for r in self.fake.security_group_rules(group_id)]}

    def create_security_group_rule(self, request) -> Answer:
        sent = request.json()["security_group_rule"]
        rule = R(id=self.fake.new_id("rule"), security_group_id=sent["security_group_id"],
                 direction=sent["direction"], ether_type=sent["ethertype"],
                 remote_ip_prefix=sent.get("remote_ip_prefix"), protocol=sent.get("protocol"))
        self.fake.rules[rule.id] = rule
        return 201, {"security_group_rule": _rule_body(rule)}

    def delete_security_group_rule(self, request, rule_id) -> Answer:
        if self.fake.rules.pop(rule_id, None) is None:
            raise not_found("Security group rule %s" % rule_id)
        return 204, None

    # -- Glance --------------------------------------------------------------------------------------------
    def images(self, request) -> Answer:
        name = _first(request, "name")
        return 200, {"images": [_image_body(i) for i in self.fake._images.values() if name in (None, i.name)],
                     "first": "/v2/images", "schema": "/v2/schemas/images"}

    def create_image(self, request) -> Answer:
        sent = request.json()
        image = self.fake.create_image(sent["name"], status="queued", tags=sent.get("tags") or ())
        self.fake._images[image.id].data = None
        self.fake._images[image.id].visibility = sent.get("visibility", "shared")
        return 201, _image_body(self.fake._images[image.id])

    def show_image(self, request, image_id) -> Answer:
        return 200, _image_body(self._get(self.fake._images, image_id, "image"))

    def update_image(self, request, image_id) -> Answer:
        image = self._get(self.fake._images, image_id, "image")
        for op in json.loads(request.body):
            assert op["op"] in ("add", "replace") and op["path"] == "/visibility", op
            image.visibility = op["value"]
        return 200, _image_body(image)

    def delete_image(self, request, image_id) -> Answer:
        self._get(self.fake._images, image_id, "image")
        del self.fake._images[image_id]
        self.fake._members.pop(image_id, None)
        return 204, None

    def put_data(self, request, image_id) -> Answer:
        image = self._get(self.fake._images, image_id, "image")
        if image.status != "queued":
            raise Refused(409, "Image status transition from %s to saving is not allowed" % image.status)
        image.data, image.status = bytes(request.body or b""), "active"
        return 204, None

    def get_data(self, request, image_id) -> Answer:
        image = self._get(self.fake._images, image_id, "image")
        if image.data is None:
            return 204, None  # Glance: an image without data
        return 200, image.data

    def members(self, request, image_id) -> Answer:
        self._get(self.fake._images, image_id, "image")
        return 200, {"members": [_member_body(image_id, m) for m in self.fake.members(image_id)],
                     "schema": "/v2/schemas/members"}

    def add_member(self, request, image_id) -> Answer:
        image = self._get(self.fake._images, image_id, "image")
        if image.visibility != "shared":
            raise Refused(403, "Only shared images have members.")
        member = R(member_id=request.json()["member"], status="pending")
        self.fake._members.setdefault(image_id, {})[member.member_id] = member
        return 200, _member_body(image_id, member)

    def update_member(self, request, image_id, member_id) -> Answer:
        member = self.fake._members.get(image_id, {}).get(member_id)
        if member is None:
            raise Refused(404, "%s is not a member of image %s" % (member_id, image_id))
        member.status = request.json()["status"]
        return 200, _member_body(image_id, member)

    # -- Cinder --------------------------------------------------------------------------------------------
    def snapshots(self, request) -> Answer:
        name = _first(request, "name")
        return 200, {"snapshots": [_snapshot_body(s) for s in self.fake._snapshots.values() if name in (None, s.name)]}

    def create_snapshot(self, request) -> Answer:
        sent = request.json()["snapshot"]
        volume = self._get(self.fake._volumes, sent["volume_id"], "Volume")
        if volume.status == "in-use" and not sent.get("force"):
            raise Refused(400, "Invalid volume: Volume %s status must be available, but current status is: in-use"
                          % volume.id)
        self.fake.calls.append("create_snapshot")
        snap = R(id=self.fake.new_id("snap"), name=sent["name"], status="available", size=volume.size,
                 volume_id=volume.id, data=volume.data, metadata=sent.get("metadata") or {},
                 description=sent.get("description"), project_id=self.project_of(request))
        self.fake._snapshots[snap.id] = snap
        return 202, {"snapshot": dict(_snapshot_body(snap), status="creating")}  # available on the next look

    def show_snapshot(self, request, snapshot_id) -> Answer:
        return 200, {"snapshot": _snapshot_body(self._get(self.fake._snapshots, snapshot_id, "Snapshot"))}

    def delete_snapshot(self, request, snapshot_id) -> Answer:
        snap = self._get(self.fake._snapshots, snapshot_id, "Snapshot")
        if any(getattr(v, "snapshot_id", None) == snap.id for v in self.fake._volumes.values()):
            raise Refused(400, "Invalid snapshot: Snapshot %s has dependent volumes" % snap.id)
        del self.fake._snapshots[snapshot_id]
        return 202, None

    def volumes(self, request) -> Answer:
        name = _first(request, "name")
        return 200, {"volumes": [_volume_body(v) for v in self.fake._volumes.values() if name in (None, v.name)]}

    def create_volume(self, request) -> Answer:
        sent = request.json()["volume"]
        self._get(self.fake._snapshots, sent["snapshot_id"], "Snapshot")
        volume = self.fake.create_volume(sent["name"], sent["snapshot_id"], sent["size"], sent.get("description"),
                                         sent.get("metadata") or {}, project_id=self.project_of(request))
        self.fake._volumes[volume.id].snapshot_id = sent["snapshot_id"]
        return 202, {"volume": dict(_volume_body(self.fake._volumes[volume.id]), status="creating")}

    def show_volume(self, request, volume_id) -> Answer:
        return 200, {"volume": _volume_body(self._get(self.fake._volumes, volume_id, "Volume"))}

    def delete_volume(self, request, volume_id) -> Answer:
        volume = self._get(self.fake._volumes, volume_id, "Volume")
        if volume.status not in ("available", "error"):
            raise Refused(400, "Invalid volume: Volume status must be available or error, but current status "
                               "is: %s" % volume.status)
        self.fake.calls.append("delete_volume")
        del self.fake._volumes[volume_id]
        return 202, None

    def volume_action(self, request, volume_id) -> Answer:
        volume = self._get(self.fake._volumes, volume_id, "Volume")
        (name, args), = request.json().items()
        assert name == "os-volume_upload_image", name
        assert args["disk_format"] == "raw" and volume.status == "available", (args, volume.status)
        self.fake.calls.append("upload_volume_to_image")
        image = self.fake.create_image(args["image_name"], data=volume.data)
        if not self.fake.can_upload:  # copy_volume_to_image failed: Cinder deletes the image it made
            del self.fake._images[image.id]
        return 202, {"os-volume_upload_image": {"id": volume.id, "status": "uploading", "image_id": image.id,
                                                "image_name": args["image_name"], "disk_format": "raw",
                                                "container_format": "bare", "visibility": "private",
                                                "size": volume.size}}

    def transfers(self, request) -> Answer:
        project = self.project_of(request)  # a project sees the transfers it offers
        return 200, {"transfers": [_transfer_body(t) for t in self.fake._transfers.values() if t.project_id == project]}

    def create_transfer(self, request) -> Answer:
        sent = request.json()["transfer"]
        if self._get(self.fake._volumes, sent["volume_id"], "Volume").status != "available":
            raise Refused(400, "Invalid volume: Status of volume must be available")
        transfer = self.fake.create_transfer(sent["volume_id"], sent["name"], project_id=self.project_of(request))
        return 202, {"transfer": dict(_transfer_body(transfer), auth_key=transfer.auth_key)}

    def delete_transfer(self, request, transfer_id) -> Answer:
        if transfer_id not in self.fake._transfers:
            raise not_found("Transfer %s" % transfer_id)
        self.fake.delete_transfer(transfer_id)
        return 202, None

    def accept_transfer(self, request, transfer_id) -> Answer:
        transfer = self.fake._transfers.get(transfer_id)
        if transfer is None:
            raise not_found("Transfer %s" % transfer_id)
        if request.json()["accept"]["auth_key"] != transfer.auth_key:
            raise Refused(400, "Invalid auth key: Attempt to transfer %s with invalid auth key." % transfer_id)
        project = self.project_of(request)
        self.fake.delete_transfer(transfer_id)
        self.fake._volumes[transfer.volume_id].project_id = project
        self.fake.calls.append("accept_transfer by %s" % project)
        return 202, {"transfer": {"id": transfer_id, "name": transfer.name, "volume_id": transfer.volume_id}}


def _base(service: str) -> str:
    """The API base (a regex) a route's path is below; Cinder's names the project, any project's is served."""
    if service == "block-storage":
        return re.escape(CINDER + "/v3/") + "[^/]+"
    return re.escape(API[service])


def serve(stub: StubCloud, fake: QuarantineCloud) -> QuarantineOverHttp:
    """Put ``fake`` behind the stubbed cloud's Nova, Neutron, Glance, Cinder and Keystone endpoints."""
    return QuarantineOverHttp(stub, fake)


@contextlib.contextmanager
def served(monkeypatch) -> Iterator[Tuple[StubCloud, QuarantineCloud]]:
    """A stubbed cloud with a fresh QuarantineCloud behind it; nothing else is reachable (no OS_* settings)."""
    for name in list(os.environ):
        if name.startswith("OS_"):
            monkeypatch.delenv(name)
    with requests_mock.Mocker() as mocker:
        stub = StubCloud(mocker)
        fake = QuarantineCloud()
        serve(stub, fake)
        yield stub, fake


def scoped_options(stub: StubCloud, project_id: str):
    """Connection options of credentials scoped to ``project_id`` (the investigators', another project's)."""
    options = stub.options()
    auth = {k: v for k, v in options.auth.items() if k not in ("project_name", "project_domain_name")}
    options.auth = dict(auth, project_id=project_id)
    return options


def scoped_cloud(stub: StubCloud, project_id: str):
    """The access layer on credentials scoped to ``project_id``."""
    return connect_cloud(scoped_options(stub, project_id))


def _first(request, key: str) -> Optional[str]:
    """The first value of a query parameter, None when it is not sent."""
    return query(request).get(key, [None])[0]


# -- bodies, as each service writes them -------------------------------------------------------------------
def _error(service: str, status: int, message: str) -> Any:
    if service == "image":
        title = {404: "404 Not Found", 409: "409 Conflict", 403: "403 Forbidden"}.get(status, str(status))
        return "<html>\n <head>\n  <title>%s</title>\n </head>\n <body>\n  <h1>%s</h1>\n  %s<br /><br />\n\n\n\n " \
               "</body>\n</html>" % (title, title, message)
    if service == "network":
        return {"NeutronError": {"type": "NotFound" if status == 404 else "Conflict", "message": message, "detail": ""}}
    if service == "identity":
        return {"error": {"code": status, "message": message, "title": "Not Found" if status == 404 else "Error"}}
    key = {400: "badRequest", 404: "itemNotFound", 409: "conflictingRequest", 501: "notImplemented"}.get(
        status, "computeFault")
    return {key: {"code": status, "message": message}}


def _project(project_id: str, name: str) -> Dict[str, Any]:
    return {"id": project_id, "name": name, "domain_id": "default", "enabled": True, "parent_id": "default",
            "is_domain": False, "description": "", "tags": [], "options": {},
            "links": {"self": KEYSTONE + "/v3/projects/" + project_id}}


def _server_body(server: R) -> Dict[str, Any]:
    return {"id": server.id, "name": server.name, "status": server.status, "tenant_id": server.project_id,
            "user_id": "u1", "metadata": dict(server.metadata), "tags": list(server.tags),
            "locked": server.is_locked, "locked_reason": server.locked_reason,
            "OS-EXT-STS:task_state": server.task_state, "OS-EXT-STS:vm_state": server.status.lower(),
            "OS-EXT-SRV-ATTR:host": server.compute_host, "OS-EXT-SRV-ATTR:hypervisor_hostname": server.compute_host,
            "hostId": "h1", "image": "", "flavor": {"original_name": "m1.tiny", "vcpus": 1, "ram": 512, "disk": 1},
            "addresses": {}, "links": [], "created": "2026-11-20T08:00:00Z", "updated": "2026-11-20T08:01:10Z"}


def _port_body(port: R) -> Dict[str, Any]:
    return {"id": port.id, "name": "", "network_id": port.network_id, "device_id": port.device_id,
            "device_owner": "compute:az1", "project_id": "tenant-a", "tenant_id": "tenant-a",
            "security_groups": list(port.security_group_ids), "port_security_enabled": port.is_port_security_enabled,
            "admin_state_up": port.is_admin_state_up, "fixed_ips": list(port.fixed_ips), "status": "ACTIVE"}


def _fip_body(fip: R) -> Dict[str, Any]:
    return {"id": fip.id, "floating_ip_address": fip.floating_ip_address, "port_id": fip.port_id,
            "fixed_ip_address": fip.fixed_ip_address, "floating_network_id": "ext-net", "router_id": "r-1",
            "project_id": "tenant-a", "tenant_id": "tenant-a", "status": "ACTIVE" if fip.port_id else "DOWN"}


def _group_body(group: R) -> Dict[str, Any]:
    return {"id": group.id, "name": group.name, "project_id": group.project_id, "tenant_id": group.project_id,
            "description": group.description, "stateful": True, "security_group_rules": []}


def _rule_body(rule: R) -> Dict[str, Any]:
    return {"id": rule.id, "security_group_id": rule.security_group_id, "direction": rule.direction,
            "ethertype": rule.ether_type, "protocol": rule.protocol, "remote_ip_prefix": rule.remote_ip_prefix,
            "port_range_min": None, "port_range_max": None, "remote_group_id": None}


def _image_body(image: R) -> Dict[str, Any]:
    data: Optional[bytes] = image.data
    body = {"id": image.id, "name": image.name, "status": image.status, "visibility": image.visibility,
            "owner": image.owner, "tags": list(image.tags), "disk_format": "raw", "container_format": "bare",
            "size": None, "checksum": None, "os_hash_algo": None, "os_hash_value": None, "protected": False,
            "os_hidden": False, "min_ram": 0, "min_disk": 0, "created_at": "2026-11-20T10:00:00Z",
            "updated_at": "2026-11-20T10:00:01Z", "self": "/v2/images/" + image.id,
            "file": "/v2/images/%s/file" % image.id, "schema": "/v2/schemas/image"}
    if data is not None and image.status == "active":
        body.update(size=len(data), checksum=hashlib.md5(data, usedforsecurity=False).hexdigest(),
                    os_hash_algo="sha512", os_hash_value=hashlib.sha512(data).hexdigest())
    return body


def _member_body(image_id: str, member: R) -> Dict[str, Any]:
    return {"member_id": member.member_id, "image_id": image_id, "status": member.status,
            "created_at": "2026-11-20T10:05:00Z", "updated_at": "2026-11-20T10:05:00Z", "schema": "/v2/schemas/member"}


def _snapshot_body(snap: R) -> Dict[str, Any]:
    return {"id": snap.id, "name": snap.name, "status": snap.status, "size": snap.size, "volume_id": snap.volume_id,
            "description": snap.description, "metadata": dict(snap.metadata),
            "os-extended-snapshot-attributes:project_id": snap.project_id, "created_at": "2026-11-20T10:00:00.000000"}


def _volume_body(volume: R) -> Dict[str, Any]:
    return {"id": volume.id, "name": volume.name, "status": volume.status, "size": volume.size,
            "os-vol-tenant-attr:tenant_id": volume.project_id, "description": volume.description,
            "metadata": dict(volume.metadata), "snapshot_id": getattr(volume, "snapshot_id", None),
            "attachments": [], "bootable": "false", "created_at": "2026-11-20T10:00:00.000000"}


def _transfer_body(transfer: R) -> Dict[str, Any]:
    return {"id": transfer.id, "name": transfer.name, "volume_id": transfer.volume_id,
            "created_at": "2026-11-20T11:00:00.000000", "source_project_id": transfer.project_id,
            "destination_project_id": None, "accepted": False, "no_snapshots": False}
