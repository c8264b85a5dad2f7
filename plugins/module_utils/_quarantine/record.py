# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The case record of a quarantine: the server's pre-state, kept in the cloud.

Why Glance: the record must outlive the machine that ran the playbook (a run
killed half-way is finished by another run, maybe from another bastion), must
hold a few kilobytes (every port, floating IP and volume), and must not be
editable by the server's owner. Server metadata values stop at 255 characters
and the owner can read them; a security group description stops at 255 too.
A private Glance image whose *data* is the JSON record has no size limit worth
the name, is owned by the operator's project (invisible to the tenant), and its
data cannot be replaced once uploaded: Glance refuses a second upload to an
active image. The same "blob" store holds the small evidence artifacts
(console log, action history, manifest), so one mechanism finds, hashes and
shares everything.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import (
    CloudError,
    ConflictError,
    NotFoundError,
    ValidationError,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import QUARANTINE_META_KEY, QUARANTINE_TAG
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.artifacts import ensure

CASE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
CASE_TAG_PREFIX = "osfleet-case:"
BLOB_KINDS = ("record", "console_log", "actions", "diagnostics", "manifest")


def validate_case_id(case_id: Optional[str]) -> str:
    if not case_id or not CASE_ID_RE.match(case_id):
        raise ValidationError("case_id must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or "
                              "digit; got %r" % case_id, field="case_id")
    return case_id


def artifact_name(case_id: str, kind: str) -> str:
    """Every artifact of a case is named after it, so a second run finds what the first made."""
    return "osfleet-case-%s-%s" % (case_id, kind.replace("_", "-"))


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")


@dataclass
class PortState:
    id: str
    network_id: str
    security_group_ids: List[str]
    port_security_enabled: Optional[bool]
    admin_state_up: bool
    fixed_ips: List[Dict[str, Any]]


@dataclass
class FloatingIpState:
    id: str
    floating_ip_address: str
    port_id: str
    fixed_ip_address: Optional[str]


@dataclass
class PreState:
    """Everything quarantine changes, as it was before; release puts it back."""

    case_id: str
    server_id: str
    server_name: str
    project_id: str
    status: str
    host: Optional[str]
    locked: bool
    locked_reason: Optional[str]
    metadata: Dict[str, str]
    tags: List[str]
    ports: List[PortState] = field(default_factory=list)
    floating_ips: List[FloatingIpState] = field(default_factory=list)
    volumes: List[Dict[str, Any]] = field(default_factory=list)
    recorded_at: str = ""

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "PreState":
        data = dict(data)
        data["ports"] = [PortState(**p) for p in data.get("ports", [])]
        data["floating_ips"] = [FloatingIpState(**f) for f in data.get("floating_ips", [])]
        return cls(**data)


# -- reading the server -------------------------------------------------------
def find_server(cloud: Cloud, ref: str) -> Any:
    """A server by id or name across all projects (a name must be unique), with its details."""
    if not ref:
        raise ValidationError("server is required", field="server")
    server = cloud.nova.find_server(ref)
    if server is None:
        raise NotFoundError("no server %r (by id or name, in any project)" % ref, field="server", resource=ref)
    return server


def capture(cloud: Cloud, server: Any, case_id: str) -> PreState:
    """Read the pre-state. Our own mark is left out so release cannot restore it."""
    ports = cloud.neutron.ports(server.id)
    fips = cloud.neutron.floating_ips([p.id for p in ports])
    metadata = {k: v for k, v in (server.metadata or {}).items() if k != QUARANTINE_META_KEY}
    return PreState(
        case_id=case_id, server_id=server.id, server_name=server.name, project_id=server.project_id,
        status=server.status, host=getattr(server, "compute_host", None) or getattr(server, "hypervisor_hostname", None),
        locked=bool(server.is_locked), locked_reason=getattr(server, "locked_reason", None),
        metadata=metadata, tags=sorted(t for t in (server.tags or []) if t != QUARANTINE_TAG),
        ports=[PortState(id=p.id, network_id=p.network_id, security_group_ids=sorted(p.security_group_ids or []),
                         port_security_enabled=p.is_port_security_enabled, admin_state_up=bool(p.is_admin_state_up),
                         fixed_ips=list(p.fixed_ips or [])) for p in ports],
        floating_ips=[FloatingIpState(id=f.id, floating_ip_address=f.floating_ip_address, port_id=f.port_id,
                                      fixed_ip_address=f.fixed_ip_address) for f in fips],
        volumes=[{"id": a["volume_id"], "device": a["device"]} for a in cloud.nova.volume_attachments(server.id)],
        recorded_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )


# -- the blob store (small Glance images) -----------------------------------------
def find_image(cloud: Cloud, name: str) -> Optional[Any]:
    """The one image of that name; a second one is refused (someone forged or duplicated it)."""
    found = cloud.glance.images_named(name)
    if len(found) > 1:
        raise ConflictError("%d images are named %r; a case artifact must be unique" % (len(found), name),
                            resource=name)
    return found[0] if found else None


def put_blob(cloud: Cloud, case_id: str, kind: str, data: bytes) -> Tuple[Dict[str, Any], bytes]:
    """``data`` as a private raw image: (its artifact entry, the bytes the image holds).

    An unfinished upload of an earlier run is replaced; a finished one is kept
    (Glance refuses a second upload to an active image, so its data is what
    that run stored) and its entry hashes what it holds, read back.
    """
    name = artifact_name(case_id, kind)
    kept = ensure(find=lambda: find_image(cloud, name), failed=lambda image: image.status != "active",
                  delete=lambda image: cloud.glance.delete_image(image.id),
                  create=lambda: cloud.glance.upload_image(name, data, [CASE_TAG_PREFIX + case_id, "osfleet-" + kind]),
                  wait=lambda image: image)
    stored = data if kept.made else read_blob(cloud, kept.resource.id)
    return blob_entry(kind, kept.resource.id, name, stored), stored


def blob_entry(kind: str, image_id: str, name: str, data: bytes) -> Dict[str, Any]:
    return {"kind": kind, "store": "glance", "id": image_id, "name": name,
            "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def read_blob(cloud: Cloud, image_id: str) -> bytes:
    return cloud.glance.download(image_id)


def hash_image(cloud: Cloud, image_id: str) -> Tuple[str, int]:
    """SHA-256 and size of the data Glance hands out now, streamed; its own checksums are not trusted."""
    return cloud.glance.sha256(image_id)


def load_record(cloud: Cloud, case_id: str) -> Optional[Tuple[PreState, Dict[str, Any]]]:
    """The stored pre-state of a case and its artifact entry, or None if none was written."""
    image = find_image(cloud, artifact_name(case_id, "record"))
    if image is None or image.status != "active":
        return None
    data = read_blob(cloud, image.id)
    try:
        record = PreState.from_dict(json.loads(data))
    except (ValueError, TypeError) as exc:
        raise CloudError("case record %s is unreadable: %s" % (image.id, exc), resource=image.id)
    return record, blob_entry("record", image.id, image.name, data)
