# -*- coding: utf-8 -*-
"""The quarantine core against an in-memory cloud: plan, resume, idempotence, release, verification."""
from __future__ import annotations

import copy
import hashlib
import itertools
import json

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._quarantine import evidence as ev
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine import volumes as qv
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ConflictError, ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import QUARANTINE_META_KEY, QUARANTINE_TAG
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.case import (
    QUARANTINE_STEPS,
    Case,
    Options,
    StopAfter,
    list_cases,
)

_ids = itertools.count(1)


class R:
    """A resource: attributes, and to_dict like openstacksdk's."""

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def to_dict(self, computed=True):
        return dict(self.__dict__)


class Response:
    def __init__(self, data):
        self.content = data

    def iter_content(self, chunk_size):
        for i in range(0, len(self.content), chunk_size):
            yield self.content[i:i + chunk_size]


def _id(x):
    return x if isinstance(x, str) else x.id


class FakeCloud:
    def __init__(self):
        self.calls = []
        self.server = R(id="srv-1", name="web-1", project_id="tenant-a", status="ACTIVE", is_locked=False,
                        locked_reason=None, metadata={"owner": "alice"}, tags=["web"], compute_host="compute-01",
                        task_state=None)
        self._ports = {p.id: p for p in (
            R(id="port-1", network_id="net", device_id="srv-1", security_group_ids=["sg-default"],
              is_port_security_enabled=True, is_admin_state_up=True, fixed_ips=[{"ip_address": "10.0.0.5"}]),
            R(id="port-2", network_id="net", device_id="srv-1", security_group_ids=[],
              is_port_security_enabled=False, is_admin_state_up=True, fixed_ips=[{"ip_address": "10.0.0.6"}]))}
        self.fips = {"fip-1": R(id="fip-1", floating_ip_address="203.0.113.7", port_id="port-1",
                                fixed_ip_address="10.0.0.5")}
        self.groups, self.rules, self._images, self._snapshots, self._members = {}, {}, {}, {}, {}
        self._volumes = {"vol-1": R(id="vol-1", name="data", status="in-use", size=1, project_id="tenant-a",
                                    data=b"vol-1 blocks")}
        self._transfers = {}
        self.can_upload = True  # False: the backend's copy_volume_to_image fails (Cinder deletes the image)
        self.busy = 0
        self.current_project_id = "ops"
        self.compute, self.network, self.image, self.block_storage, self.identity = self, self, self, self, self

    def _log(self, name):
        self.calls.append(name)

    # compute
    def find_server(self, ref, ignore_missing=True, all_projects=False):
        return copy.deepcopy(self.server) if ref in (self.server.id, self.server.name) else None

    def get_server(self, sid):
        if self.busy:  # another tool's task (a live migration) ends after a few reads
            self.busy -= 1
            self.server.task_state = "migrating" if self.busy else None
        return copy.deepcopy(self.server)

    def servers(self, **query):
        return [copy.deepcopy(self.server)]

    def volume_attachments(self, server):
        return [R(volume_id="vol-1", device="/dev/vdb")]

    def lock_server(self, server, locked_reason=None):
        self._log("lock")
        self.server.is_locked, self.server.locked_reason = True, locked_reason

    def update_server(self, server, **attrs):
        self._log("update")
        for key, value in attrs.items():
            setattr(self.server, key, value)

    def unlock_server(self, server):
        self._log("unlock")
        self.server.is_locked, self.server.locked_reason = False, None

    def set_server_metadata(self, server, **meta):
        self._log("set_metadata")
        self.server.metadata.update(meta)

    def delete_server_metadata(self, server, keys):
        for k in keys:
            self.server.metadata.pop(k, None)

    def add_tag_to_server(self, server, tag):
        self.server.tags = sorted(set(self.server.tags) | {tag})

    def remove_tag_from_server(self, server, tag):
        self.server.tags = [t for t in self.server.tags if t != tag]

    def create_server_image(self, server, name, metadata=None):
        self._log("create_server_image")
        return self.create_image(name=name, data=b"disk-bytes" * 100)

    def get_server_console_output(self, server):
        return {"output": "login: root\n"}

    def server_actions(self, server):
        return [R(action="create", request_id="req-1", start_time="t0")]

    def get_server_diagnostics(self, server):
        from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError
        raise CloudError("not implemented", status_code=501)

    def pause_server(self, server):
        assert self.server.task_state is None, "Nova: 409 Cannot 'pause' instance while it is in task_state"
        self._log("pause")
        self.server.status = "PAUSED"

    def unpause_server(self, server):
        self.server.status = "ACTIVE"

    def stop_server(self, server):
        self.server.status = "SHUTOFF"

    def start_server(self, server):
        self.server.status = "ACTIVE"

    # network
    def ports(self, device_id=None):
        return [copy.deepcopy(p) for p in self.ports_of(device_id)]

    def ports_of(self, device_id):
        return [p for p in self._ports.values() if p.device_id == device_id]

    def update_port(self, port, **attrs):
        self._log("update_port")
        p = self._ports[_id(port)]
        for key, value in attrs.items():
            setattr(p, {"port_security_enabled": "is_port_security_enabled",
                        "admin_state_up": "is_admin_state_up"}.get(key, key), value)

    def ips(self, port_id=None, **query):
        return [copy.deepcopy(f) for f in self.fips.values() if port_id is None or f.port_id == port_id]

    def get_ip(self, fid):
        return copy.deepcopy(self.fips[fid])

    def update_ip(self, fip, port_id=None, fixed_ip_address=None):
        self._log("update_ip")
        f = self.fips[_id(fip)]
        f.port_id, f.fixed_ip_address = port_id, fixed_ip_address

    def security_groups(self, name=None, project_id=None):
        return [g for g in self.groups.values() if g.name == name]

    def create_security_group(self, name, project_id, description):
        g = R(id="sg-%d" % next(_ids), name=name, project_id=project_id, description=description)
        self.groups[g.id] = g
        self.rules["r-%d" % next(_ids)] = R(id="r-egress", security_group_id=g.id, direction="egress",
                                            ether_type="IPv4", remote_ip_prefix=None, protocol=None)
        return g

    def delete_security_group(self, group):
        del self.groups[_id(group)]

    def security_group_rules(self, security_group_id):
        return [r for r in self.rules.values() if r.security_group_id == security_group_id]

    def delete_security_group_rule(self, rule):
        self.rules = {k: r for k, r in self.rules.items() if r is not rule}

    def create_security_group_rule(self, **attrs):
        self.rules["r-%d" % next(_ids)] = R(protocol=None, **{k: v for k, v in attrs.items() if k != "project_id"})

    # image
    def images(self, name=None, **query):
        return [copy.deepcopy(i) for i in self._images.values() if name is None or i.name == name]

    def create_image(self, name, data=b"", **kw):
        image = R(id="img-%d" % next(_ids), name=name, status="active", visibility="private", data=bytes(data))
        self._images[image.id] = image
        return copy.deepcopy(image)

    def get_image(self, iid):
        return copy.deepcopy(self._images[iid])

    def download_image(self, iid, stream=False):
        return Response(self._images[_id(iid)].data)

    def update_image(self, image, **attrs):
        self._images[_id(image)].__dict__.update(attrs)

    def delete_image(self, image):
        self._images.pop(_id(image), None)

    def members(self, iid):
        return list(self._members.get(iid, {}).values())

    def add_member(self, iid, member):
        self._members.setdefault(iid, {})[member] = R(member_id=member, status="pending")

    def update_member(self, member, iid, status):
        self._members[iid][member].status = status

    # block storage
    def snapshots(self, name=None, **query):
        return [copy.deepcopy(s) for s in self._snapshots.values() if name is None or s.name == name]

    def create_snapshot(self, volume_id, name, force, description, metadata):
        self._log("create_snapshot")
        snap = R(id="snap-%d" % next(_ids), name=name, status="available", size=1, volume_id=volume_id,
                 data=self._volumes[volume_id].data)
        self._snapshots[snap.id] = snap
        return snap

    def volumes(self, details=True, all_projects=False, name=None):
        return [copy.deepcopy(v) for v in self._volumes.values() if name is None or v.name == name]

    def create_volume(self, name, snapshot_id, size, description, metadata):
        self._log("create_volume")
        vol = R(id="vol-%d" % next(_ids), name=name, status="available", size=size, project_id="ops",
                data=self._snapshots[snapshot_id].data)
        self._volumes[vol.id] = vol
        return copy.deepcopy(vol)

    def get_volume(self, vid):
        return copy.deepcopy(self._volumes[_id(vid)])

    def delete_volume(self, volume):
        self._log("delete_volume")
        assert self._volumes[_id(volume)].status in ("available", "error")
        del self._volumes[_id(volume)]

    def upload_volume_to_image(self, volume, name, disk_format, container_format, visibility):
        self._log("upload_volume_to_image")
        assert disk_format == "raw" and self._volumes[_id(volume)].status == "available"
        if self.can_upload:
            self.create_image(name=name, data=self._volumes[_id(volume)].data)

    def transfers(self, all_projects=False):
        return list(self._transfers.values())

    def create_transfer(self, volume_id, name):
        self._log("create_transfer")
        transfer = R(id="xfer-%d" % next(_ids), volume_id=volume_id, name=name, auth_key="key-%d" % next(_ids))
        self._transfers[transfer.id] = transfer
        self._volumes[volume_id].status = "awaiting-transfer"
        return copy.deepcopy(transfer)

    def delete_transfer(self, transfer):
        self._volumes[self._transfers.pop(_id(transfer)).volume_id].status = "available"

    def accept(self, project_id, transfer_id, auth_key):
        transfer = self._transfers[transfer_id]
        assert auth_key == transfer.auth_key
        self.delete_transfer(transfer_id)
        self._volumes[transfer.volume_id].project_id = project_id
        self._log("accept_transfer by %s" % project_id)

    def connect_as(self, project_id):
        return Receiver(self, project_id)

    def wait_for_status(self, res, status, **kw):
        return res

    def get_snapshot(self, sid):
        return self._snapshots[sid]

    def delete_snapshot(self, snap):
        del self._snapshots[_id(snap)]

    # identity
    def find_project(self, name, ignore_missing=True):
        return R(id="proj-" + name)

    def state(self):
        return copy.deepcopy((self.server.__dict__, {k: p.__dict__ for k, p in self._ports.items()},
                              {k: f.__dict__ for k, f in self.fips.items()}))


class Receiver:
    """A connection scoped to another project: accepts volume transfers into it."""

    def __init__(self, cloud, project_id):
        self.cloud, self.current_project_id = cloud, project_id
        self.block_storage = self

    def accept_transfer(self, transfer_id, auth_key):
        self.cloud.accept(self.current_project_id, transfer_id, auth_key)


@pytest.fixture
def cloud():
    return FakeCloud()


# a first run has no name to restore (the recorded name is the current one)
FIRST_RUN = [s for s in QUARANTINE_STEPS if s != "restore_name"]


def opts(**kw):
    base = dict(case_id="SEC-1", forensic_cidr="192.0.2.0/24", evidence_project="investigators", power="pause")
    base.update(kw)
    return Options(**base)


def test_plan_is_every_step_and_planning_changes_nothing(cloud):
    before = cloud.state()
    assert Case(cloud, "web-1", opts()).plan() == FIRST_RUN
    assert cloud.state() == before and cloud.calls == [] and cloud._images == {}


def test_quarantine_isolates_marks_preserves_and_second_run_changes_nothing(cloud):
    steps = []
    ran = Case(cloud, "web-1", opts()).apply(on_step=lambda name, out: steps.append(name))
    assert ran == steps == FIRST_RUN
    s = cloud.server
    assert s.is_locked and s.locked_reason == "osfleet quarantine case SEC-1"
    assert s.metadata[QUARANTINE_META_KEY] == "SEC-1" and QUARANTINE_TAG in s.tags and s.status == "PAUSED"
    (group,) = cloud.groups.values()
    assert group.project_id == "tenant-a"
    assert [(r.direction, r.remote_ip_prefix) for r in cloud.security_group_rules(group.id)] == \
        [("ingress", "192.0.2.0/24")]  # Neutron's default egress rule is gone
    assert all(p.security_group_ids == [group.id] and p.is_port_security_enabled for p in cloud._ports.values())
    assert cloud.fips["fip-1"].port_id is None
    manifest = ev.load_manifest(cloud, "SEC-1")
    assert {a["kind"] for a in manifest["artifacts"]} == {"server_image", "volume_snapshot", "evidence_volume",
                                                          "volume_data", "console_log", "actions", "record"}
    image = next(a for a in manifest["artifacts"] if a["kind"] == "server_image")
    assert image["sha256"] == hashlib.sha256(b"disk-bytes" * 100).hexdigest()
    assert all(m.status == "accepted" for ms in cloud._members.values() for m in ms.values())
    assert set(cloud._members) == {a["id"] for a in manifest["artifacts"] if a["store"] == "glance"} | \
        {manifest["_self"]["id"]}
    cloud.calls.clear()
    again = Case(cloud, "web-1", opts())
    assert again.plan() == [] and again.apply() == [] and cloud.calls == []


def test_a_run_killed_after_isolation_is_finished_by_the_next(cloud):
    with pytest.raises(StopAfter):
        Case(cloud, "web-1", opts()).apply(stop_after="detach_floating_ips")
    assert not cloud._snapshots and cloud.server.status == "ACTIVE"
    case = Case(cloud, "web-1", opts())
    assert case.record.ports[0].security_group_ids == ["sg-default"]  # the record holds the pre-state, not now
    assert case.plan() == ["evidence", "share", "power"]
    assert case.apply() == ["evidence", "share", "power"]
    assert cloud.calls.count("create_server_image") == 1 and cloud.calls.count("lock") == 1


def test_release_restores_the_recorded_state_and_keeps_evidence(cloud):
    before = cloud.state()
    Case(cloud, "web-1", opts()).apply()
    ran = Case(cloud, "web-1", opts(state="released")).apply()
    assert ran == ["restore_power", "restore_ports", "restore_floating_ips", "delete_group", "restore_lock",
                   "restore_marks"]
    assert cloud.state() == before
    assert cloud.groups == {} and ev.load_manifest(cloud, "SEC-1") is not None and cloud._snapshots
    assert Case(cloud, "web-1", opts(state="released")).plan() == []


def test_release_deletes_evidence_when_told(cloud):
    Case(cloud, "web-1", opts()).apply()
    Case(cloud, "web-1", opts(state="released", delete_evidence=True)).apply()
    assert cloud._images == {} and cloud._snapshots == {}
    assert Case(cloud, "web-1", opts(state="released", delete_evidence=True)).apply() == []


def test_port_down_isolation(cloud):
    Case(cloud, "web-1", opts(isolation="port_down", power="keep")).apply()
    assert all(not p.is_admin_state_up for p in cloud._ports.values()) and cloud.groups == {}
    Case(cloud, "web-1", opts(state="released")).apply()
    assert all(p.is_admin_state_up for p in cloud._ports.values())


def test_verification_detects_a_replaced_artifact_and_a_changed_local_copy(cloud, tmp_path):
    Case(cloud, "web-1", opts(evidence_dir=str(tmp_path))).apply()
    manifest = ev.load_manifest(cloud, "SEC-1")
    assert ev.verify_manifest(cloud, manifest, str(tmp_path)) == []
    console = next(a for a in manifest["artifacts"] if a["kind"] == "console_log")
    cloud._images[console["id"]].data = b"edited\n"
    (tmp_path / "SEC-1" / "actions.json").chmod(0o600)
    (tmp_path / "SEC-1" / "actions.json").write_text(json.dumps([]))
    problems = ev.verify_manifest(cloud, manifest, str(tmp_path))
    assert any(p.startswith("console_log %s: SHA-256" % console["id"]) for p in problems)
    assert any("actions.json" in p for p in problems)


def test_cases_are_listed_and_bad_input_names_the_field(cloud):
    Case(cloud, "web-1", opts(power="keep")).apply()
    assert [(c["case_id"], c["server_id"]) for c in list_cases(cloud)] == [("SEC-1", "srv-1")]
    with pytest.raises(ValidationError) as err:
        Case(cloud, "web-1", opts(forensic_cidr="not-a-cidr"))
    assert err.value.field == "forensic_cidr"
    with pytest.raises(ValidationError) as err:
        Case(cloud, "web-1", opts(case_id="../x"))
    assert err.value.field == "case_id"


def _artifact(manifest, kind):
    return next(a for a in manifest["artifacts"] if a["kind"] == kind)


def test_volume_evidence_is_hashed_and_transferred_to_the_investigators(cloud):
    """Snapshot -> evidence volume -> raw image hashed; the volume is accepted by the investigators' credentials."""
    receivers = []

    def investigators():
        receivers.append(Receiver(cloud, "proj-investigators"))
        return receivers[-1]
    Case(cloud, "web-1", opts(), evidence_conn=investigators).apply()
    manifest = ev.load_manifest(cloud, "SEC-1")
    copy_ = _artifact(manifest, "evidence_volume")
    data = _artifact(manifest, "volume_data")
    snap = _artifact(manifest, "volume_snapshot")
    assert copy_["snapshot_id"] == snap["id"] and copy_["volume_id"] == data["volume_id"] == "vol-1"
    assert copy_["name"] == "osfleet-case-SEC-1-volume-vol-1-copy" and copy_["data_image"] == data["name"]
    assert data["sha256"] == hashlib.sha256(b"vol-1 blocks").hexdigest() and data["size"] == len(b"vol-1 blocks")
    assert cloud._volumes[copy_["id"]].project_id == "proj-investigators" and len(receivers) == 1
    assert cloud._transfers == {} and cloud._volumes["vol-1"].project_id == "tenant-a"
    assert any(m.member_id == "proj-investigators" and m.status == "accepted" for m in cloud.members(data["id"]))
    assert ev.verify_manifest(cloud, manifest) == []
    assert Case(cloud, "web-1", opts(), evidence_conn=investigators).plan() == [] and len(receivers) == 1


def test_without_evidence_credentials_the_operator_is_rescoped_to_the_evidence_project(cloud):
    Case(cloud, "web-1", opts()).apply()
    copy_ = _artifact(ev.load_manifest(cloud, "SEC-1"), "evidence_volume")
    assert cloud._volumes[copy_["id"]].project_id == "proj-investigators"
    assert "accept_transfer by proj-investigators" in cloud.calls


def test_credentials_of_another_project_are_refused_before_any_transfer(cloud):
    with pytest.raises(ValidationError) as err:
        Case(cloud, "web-1", opts(), evidence_conn=lambda: Receiver(cloud, "tenant-b")).apply()
    assert err.value.field == "evidence_cloud" and "tenant-b" in err.value.message
    assert cloud._transfers == {} and all(v.project_id != "tenant-b" for v in cloud._volumes.values())
    assert Case(cloud, "web-1", opts()).plan() == ["share", "power"]  # the evidence is kept; share is retried


def test_volume_evidence_resumes_what_a_killed_run_left(cloud):
    """A killed run left the evidence volume, a dead upload and an unaccepted transfer: each is reused or redone."""
    with pytest.raises(StopAfter):
        Case(cloud, "web-1", opts()).apply(stop_after="detach_floating_ips")
    ev.volume_snapshots(cloud, "SEC-1", [{"id": "vol-1"}], 10)
    snap = next(iter(cloud._snapshots.values()))
    left = cloud.create_volume("osfleet-case-SEC-1-volume-vol-1-copy", snap.id, 1, "", {})
    dead = cloud.create_image(name="osfleet-case-SEC-1-volume-vol-1-data")
    cloud._images[dead.id].status = "queued"
    cloud.calls.clear()
    with pytest.raises(StopAfter):
        Case(cloud, "web-1", opts()).apply(stop_after="evidence")
    manifest = ev.load_manifest(cloud, "SEC-1")
    assert _artifact(manifest, "evidence_volume")["id"] == left.id and dead.id not in cloud._images
    assert "create_volume" not in cloud.calls and cloud.calls.count("upload_volume_to_image") == 1
    stale = cloud.create_transfer(left.id, "from a killed run")  # its auth key died with that run
    assert Case(cloud, "web-1", opts()).apply() == ["share", "power"]
    assert stale.id not in cloud._transfers and cloud._volumes[left.id].project_id == "proj-investigators"


def test_a_backend_that_cannot_upload_leaves_the_volume_unhashed_and_says_so(cloud, monkeypatch):
    monkeypatch.setattr(qv, "WAIT_STEP", 0)
    cloud.can_upload = False
    assert Case(cloud, "web-1", opts()).apply() == FIRST_RUN
    manifest = ev.load_manifest(cloud, "SEC-1")
    copy_ = _artifact(manifest, "evidence_volume")
    assert copy_["sha256"] is None and copy_["data_image"] is None and "copy_volume_to_image" in copy_["note"]
    assert "volume_data" not in {a["kind"] for a in manifest["artifacts"]}
    assert cloud._volumes[copy_["id"]].project_id == "proj-investigators"  # still given to the investigators
    assert ev.verify_manifest(cloud, manifest) == []


def test_verification_reports_a_deleted_evidence_volume_and_replaced_volume_data(cloud):
    Case(cloud, "web-1", opts()).apply()
    manifest = ev.load_manifest(cloud, "SEC-1")
    copy_, data = _artifact(manifest, "evidence_volume"), _artifact(manifest, "volume_data")
    cloud._images[data["id"]].data = b"other blocks"
    del cloud._volumes[copy_["id"]]
    problems = ev.verify_manifest(cloud, manifest)
    assert any(p.startswith("volume_data %s: SHA-256" % data["id"]) for p in problems)
    assert any(p.startswith("evidence volume %s" % copy_["id"]) for p in problems)


def test_deleting_the_evidence_takes_the_transferred_volume_but_not_an_attached_one(cloud):
    Case(cloud, "web-1", opts()).apply()
    copy_ = _artifact(ev.load_manifest(cloud, "SEC-1"), "evidence_volume")
    cloud._volumes[copy_["id"]].status = "in-use"  # an investigator attached it
    with pytest.raises(ConflictError):
        Case(cloud, "web-1", opts(state="released", delete_evidence=True)).apply()
    cloud._volumes[copy_["id"]].status = "available"
    Case(cloud, "web-1", opts(state="released", delete_evidence=True)).apply()
    assert set(cloud._volumes) == {"vol-1"} and cloud._images == {} and cloud._snapshots == {}


def test_power_waits_out_another_tools_task_instead_of_failing(cloud, monkeypatch):
    monkeypatch.setattr(ev, "WAIT_STEP", 0)
    with pytest.raises(StopAfter):
        Case(cloud, "web-1", opts()).apply(stop_after="share")
    cloud.server.task_state, cloud.busy = "migrating", 4  # an admin's live migration started meanwhile
    assert Case(cloud, "web-1", opts()).apply() == ["power"]
    assert cloud.server.status == "PAUSED" and cloud.busy == 0


def test_a_rename_while_quarantined_is_put_back_by_the_next_run(cloud):
    Case(cloud, "web-1", opts()).apply()
    cloud.server.name = "renamed-by-owner"  # Nova's lock does not stop PUT /servers/{id}
    outcomes = []
    assert Case(cloud, cloud.server.id, opts()).apply(on_step=lambda n, out: outcomes.append(out)) == ["restore_name"]
    assert cloud.server.name == "web-1"
    assert outcomes[0]["before"] == {"name": "renamed-by-owner"} and outcomes[0]["after"] == {"name": "web-1"}
