# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Evidence of a quarantined server: collect, hash, share and verify it.

Each artifact is named after the case (``osfleet-case-<case>-<kind>``) so a
second run finds what a killed first run made instead of taking it again. A
hash is always computed over data downloaded by us: metadata checksums come
from the service that might be compromised, the bytes are what a court sees.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._openstack.connection import api_call
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError, ConflictError
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.volumes import verify_volume
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.record import (
    artifact_name,
    canonical_json,
    find_image,
    hash_image,
    put_blob,
    read_blob,
)

WAIT_STEP = 2


def wait_image_active(conn: Any, image_id: str, timeout: int) -> Any:
    deadline = time.time() + timeout
    while True:
        with api_call("get image", resource=image_id):
            image = conn.image.get_image(image_id)
        if image.status == "active":
            return image
        if image.status in ("killed", "deleted", "deactivated"):
            raise CloudError("evidence image %s went %s" % (image_id, image.status), resource=image_id)
        if time.time() > deadline:
            raise CloudError("evidence image %s still %s after %ds" % (image_id, image.status, timeout),
                             resource=image_id)
        time.sleep(WAIT_STEP)


def server_image(conn: Any, server: Any, case_id: str, timeout: int) -> Dict[str, Any]:
    """createImage of the server (or the one an earlier run started), waited for until active."""
    name = artifact_name(case_id, "server_image")
    image = find_image(conn, name)
    if image is not None and image.status in ("killed", "deleted", "deactivated"):
        with api_call("delete failed image", resource=name):
            conn.image.delete_image(image)
        image = None
    if image is None:
        with api_call("create server image", resource=server.id):
            image = conn.compute.create_server_image(server, name, metadata={"osfleet_case": case_id})
    image = wait_image_active(conn, image.id, timeout)
    return {"kind": "server_image", "store": "glance", "id": image.id, "name": name}


def snapshot_name(case_id: str, volume_id: str) -> str:
    return artifact_name(case_id, "volume-%s" % volume_id)


def volume_snapshots(conn: Any, case_id: str, volumes: List[Dict[str, Any]], timeout: int) -> List[Dict[str, Any]]:
    """A forced snapshot of every attached volume (hashed through the evidence volume made from it)."""
    out = []
    for volume in volumes:
        name = snapshot_name(case_id, volume["id"])
        with api_call("list volume snapshots", resource=name):
            found = [s for s in conn.block_storage.snapshots(details=True, all_projects=True, name=name)
                     if s.name == name]
        snap = found[0] if found else None
        if snap is not None and snap.status == "error":
            with api_call("delete failed snapshot", resource=name):
                conn.block_storage.delete_snapshot(snap)
            snap = None
        if snap is None:
            with api_call("snapshot volume", resource=volume["id"]):
                snap = conn.block_storage.create_snapshot(volume_id=volume["id"], name=name, force=True,
                                                          description="osfleet quarantine case %s" % case_id,
                                                          metadata={"osfleet_case": case_id})
        with api_call("wait for volume snapshot", resource=name):
            snap = conn.block_storage.wait_for_status(snap, "available", failures=["error"], interval=WAIT_STEP,
                                                      wait=timeout)
        out.append({"kind": "volume_snapshot", "store": "cinder", "id": snap.id, "name": name,
                    "volume_id": volume["id"], "size_gb": snap.size, "sha256": None})
    return out


def console_log(conn: Any, server: Any) -> bytes:
    with api_call("get console log", resource=server.id):
        output = conn.compute.get_server_console_output(server).get("output") or ""
    return output.encode("utf-8")


def action_history(conn: Any, server: Any) -> bytes:
    with api_call("list instance actions", resource=server.id):
        actions = [a.to_dict(computed=False) for a in conn.compute.server_actions(server)]
    return canonical_json([{k: v for k, v in a.items() if k not in ("location", "id")} for a in actions])


def diagnostics(conn: Any, server: Any) -> Optional[bytes]:
    """Hypervisor diagnostics, or None where the driver has none (not an error: noted in the manifest)."""
    try:
        with api_call("get diagnostics", resource=server.id):
            diag = conn.compute.get_server_diagnostics(server)
    except CloudError:
        return None
    return canonical_json({k: v for k, v in diag.to_dict(computed=False).items() if k not in ("location",)})


def collect_blob(conn: Any, case_id: str, kind: str, data: bytes, evidence_dir: Optional[str]) -> Dict[str, Any]:
    """Upload one small artifact (unless an earlier run did) and keep a local copy if asked."""
    image = find_image(conn, artifact_name(case_id, kind))
    if image is not None and image.status == "active":
        saved = read_blob(conn, image.id)
        entry = {"kind": kind, "store": "glance", "id": image.id, "name": image.name,
                 "sha256": hashlib.sha256(saved).hexdigest(), "size": len(saved)}
        data = saved
    else:
        entry = put_blob(conn, case_id, kind, data)
    if evidence_dir:
        entry["file"] = save_file(evidence_dir, case_id, kind, data)
    return entry


def save_file(evidence_dir: str, case_id: str, kind: str, data: bytes) -> str:
    directory = os.path.join(evidence_dir, case_id)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    path = os.path.join(directory, kind + (".json" if kind != "console_log" else ".log"))
    with open(path, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o400)
    return path


def build_manifest(conn: Any, case_id: str, server_id: str, artifacts: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The manifest names every artifact with a hash of its downloaded data (images re-downloaded here)."""
    listed = []
    for art in artifacts:
        art = {k: v for k, v in art.items() if k != "file"}
        if art["store"] == "glance" and not art.get("sha256"):
            art["sha256"], art["size"] = hash_image(conn, art["id"])
        listed.append(art)
    return {"case_id": case_id, "server_id": server_id, "hash": "sha256",
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "artifacts": sorted(listed, key=lambda a: (a["kind"], a["name"]))}


def share_image(conn: Any, image_id: str, project_id: str) -> bool:
    """Make ``project_id`` an accepted member of the image; True if anything changed."""
    changed = False
    with api_call("get image", resource=image_id):
        image = conn.image.get_image(image_id)
    if image.visibility == "private":
        with api_call("set image visibility shared", resource=image_id):
            conn.image.update_image(image, visibility="shared")
        changed = True
    with api_call("list image members", resource=image_id):
        members = {m.member_id: m for m in conn.image.members(image_id)}
    if project_id not in members:
        with api_call("add image member", resource=image_id):
            conn.image.add_member(image_id, member=project_id)
        changed = True
    if members.get(project_id) is None or members[project_id].status != "accepted":
        with api_call("accept image member", resource="%s for %s" % (image_id, project_id)):
            conn.image.update_member(project_id, image_id, status="accepted")
        changed = True
    return changed


def image_shared(conn: Any, image_id: str, project_id: str) -> bool:
    with api_call("get image", resource=image_id):
        if conn.image.get_image(image_id).visibility != "shared":
            return False  # Glance lists members of shared images only
    with api_call("list image members", resource=image_id):
        return any(m.member_id == project_id and m.status == "accepted" for m in conn.image.members(image_id))


def verify_manifest(conn: Any, manifest: Dict[str, Any], evidence_dir: Optional[str] = None) -> List[str]:
    """Re-download and re-hash every artifact; the list of problems (empty: all match)."""
    problems = []
    for art in manifest.get("artifacts", []):
        if art["store"] == "glance":
            try:
                sha, size = hash_image(conn, art["id"])
            except Exception as exc:  # a missing artifact is a finding, not a crash
                problems.append("%s %s: cannot be downloaded: %s" % (art["kind"], art["id"], exc))
                continue
            if sha != art["sha256"]:
                problems.append("%s %s: SHA-256 %s, manifest says %s" % (art["kind"], art["id"], sha, art["sha256"]))
        elif art["kind"] == "evidence_volume":
            problems += verify_volume(conn, art)
        elif art["store"] == "cinder":
            try:
                with api_call("get volume snapshot", resource=art["id"]):
                    snap = conn.block_storage.get_snapshot(art["id"])
                if snap.status != "available":
                    problems.append("volume snapshot %s is %s" % (art["id"], snap.status))
            except Exception as exc:
                problems.append("volume snapshot %s: %s" % (art["id"], exc))
        if evidence_dir and art["store"] == "glance" and art["kind"] in ("console_log", "actions", "diagnostics"):
            path = os.path.join(evidence_dir, manifest["case_id"],
                                art["kind"] + (".json" if art["kind"] != "console_log" else ".log"))
            try:
                with open(path, "rb") as fh:
                    local = hashlib.sha256(fh.read()).hexdigest()
            except OSError as exc:
                problems.append("local copy %s: %s" % (path, exc.strerror))
                continue
            if local != art["sha256"]:
                problems.append("local copy %s: SHA-256 %s, manifest says %s" % (path, local, art["sha256"]))
    return problems


def load_manifest(conn: Any, case_id: str) -> Optional[Dict[str, Any]]:
    image = find_image(conn, artifact_name(case_id, "manifest"))
    if image is None or image.status != "active":
        return None
    data = read_blob(conn, image.id)
    try:
        manifest = json.loads(data)
    except ValueError:
        raise ConflictError("manifest %s is not JSON" % image.id, resource=image.id)
    manifest["_self"] = {"id": image.id, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    return manifest
