# -*- coding: utf-8 -*-
"""The quarantine core through the real access layer, against the case's cloud served over stubbed HTTP:
plan, resume, idempotence, release, verification, volume evidence and its transfer."""
from __future__ import annotations

import hashlib
import json

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import (
    CloudError,
    ConflictError,
    ValidationError,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import QUARANTINE_META_KEY, QUARANTINE_TAG
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine import artifacts
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine import evidence as ev
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.case import (
    QUARANTINE_STEPS,
    Case,
    Options,
    StopAfter,
)
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.info import list_cases
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import path_of, query
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._quarantine.fake_cloud import R
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._quarantine.fake_cloud_http import scoped_cloud

# the SDK's notes to itself (deprecations raised and caught inside openstacksdk) are not ours to fix
pytestmark = [pytest.mark.filterwarnings("ignore::PendingDeprecationWarning:openstack"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning:openstack")]

# a first run has no name to restore (the recorded name is the current one)
FIRST_RUN = [s for s in QUARANTINE_STEPS if s != "restore_name"]


def opts(**kw):
    base = dict(case_id="SEC-1", forensic_cidr="192.0.2.0/24", evidence_project="investigators", power="pause")
    base.update(kw)
    return Options(**base)


def _artifact(manifest, kind):
    return next(a for a in manifest["artifacts"] if a["kind"] == kind)


def test_plan_is_every_step_and_planning_changes_nothing(fake, cloud):
    before = fake.state()
    assert Case(cloud, "web-1", opts()).plan() == FIRST_RUN
    assert fake.state() == before and fake.calls == [] and fake._images == {}
    assert fake.writes == []  # not one request that changes anything


def test_quarantine_isolates_marks_preserves_and_second_run_changes_nothing(fake, cloud):
    steps = []
    ran = Case(cloud, "web-1", opts()).apply(on_step=lambda name, out: steps.append(name))
    assert ran == steps == FIRST_RUN
    s = fake.server
    assert s.is_locked and s.locked_reason == "osfleet quarantine case SEC-1"
    assert s.metadata[QUARANTINE_META_KEY] == "SEC-1" and QUARANTINE_TAG in s.tags and s.status == "PAUSED"
    (group,) = fake.groups.values()
    assert group.project_id == "tenant-a"
    assert [(r.direction, r.remote_ip_prefix) for r in fake.security_group_rules(group.id)] == \
        [("ingress", "192.0.2.0/24")]  # Neutron's default egress rules are gone
    assert all(p.security_group_ids == [group.id] and p.is_port_security_enabled for p in fake._ports.values())
    assert fake.fips["fip-1"].port_id is None
    manifest = ev.load_manifest(cloud, "SEC-1")
    assert {a["kind"] for a in manifest["artifacts"]} == {"server_image", "volume_snapshot", "evidence_volume",
                                                          "volume_data", "console_log", "actions", "record"}
    image = next(a for a in manifest["artifacts"] if a["kind"] == "server_image")
    assert image["sha256"] == hashlib.sha256(b"disk-bytes" * 100).hexdigest()
    assert all(m.status == "accepted" for ms in fake._members.values() for m in ms.values())
    assert set(fake._members) == {a["id"] for a in manifest["artifacts"] if a["store"] == "glance"} | \
        {manifest["_self"]["id"]}
    fake.calls.clear()
    del fake.writes[:]
    again = Case(cloud, "web-1", opts())
    assert again.plan() == [] and again.apply() == [] and fake.calls == [] and fake.writes == []


def test_a_run_killed_after_isolation_is_finished_by_the_next(fake, cloud):
    with pytest.raises(StopAfter):
        Case(cloud, "web-1", opts()).apply(stop_after="detach_floating_ips")
    assert not fake._snapshots and fake.server.status == "ACTIVE"
    case = Case(cloud, "web-1", opts())
    assert case.record.ports[0].security_group_ids == ["sg-default"]  # the record holds the pre-state, not now
    assert case.plan() == ["evidence", "share", "power"]
    assert case.apply() == ["evidence", "share", "power"]
    assert fake.calls.count("create_server_image") == 1 and fake.calls.count("lock") == 1


def test_release_restores_the_recorded_state_and_keeps_evidence(fake, cloud):
    before = fake.state()
    Case(cloud, "web-1", opts()).apply()
    ran = Case(cloud, "web-1", opts(state="released")).apply()
    assert ran == ["restore_power", "restore_ports", "restore_floating_ips", "delete_group", "restore_lock",
                   "restore_marks"]
    assert fake.state() == before
    assert fake.groups == {} and ev.load_manifest(cloud, "SEC-1") is not None and fake._snapshots
    assert Case(cloud, "web-1", opts(state="released")).plan() == []


def test_release_deletes_evidence_when_told(fake, cloud):
    Case(cloud, "web-1", opts()).apply()
    Case(cloud, "web-1", opts(state="released", delete_evidence=True)).apply()
    assert fake._images == {} and fake._snapshots == {}
    assert Case(cloud, "web-1", opts(state="released", delete_evidence=True)).apply() == []


def test_port_down_isolation(fake, cloud):
    Case(cloud, "web-1", opts(isolation="port_down", power="keep")).apply()
    assert all(not p.is_admin_state_up for p in fake._ports.values()) and fake.groups == {}
    Case(cloud, "web-1", opts(state="released")).apply()
    assert all(p.is_admin_state_up for p in fake._ports.values())


def test_verification_detects_a_replaced_artifact_and_a_changed_local_copy(fake, cloud, tmp_path):
    Case(cloud, "web-1", opts(evidence_dir=str(tmp_path))).apply()
    manifest = ev.load_manifest(cloud, "SEC-1")
    assert ev.verify_manifest(cloud, manifest, str(tmp_path)) == []
    console = next(a for a in manifest["artifacts"] if a["kind"] == "console_log")
    fake._images[console["id"]].data = b"edited\n"
    (tmp_path / "SEC-1" / "actions.json").chmod(0o600)
    (tmp_path / "SEC-1" / "actions.json").write_text(json.dumps([]))
    problems = ev.verify_manifest(cloud, manifest, str(tmp_path))
    assert any(p.startswith("console_log %s: SHA-256" % console["id"]) for p in problems)
    assert any("actions.json" in p for p in problems)


def test_cases_are_listed_and_bad_input_names_the_field(fake, cloud):
    Case(cloud, "web-1", opts(power="keep")).apply()
    assert [(c["case_id"], c["server_id"]) for c in list_cases(cloud)] == [("SEC-1", "srv-1")]
    with pytest.raises(ValidationError) as err:
        Case(cloud, "web-1", opts(forensic_cidr="not-a-cidr"))
    assert err.value.field == "forensic_cidr"
    with pytest.raises(ValidationError) as err:
        Case(cloud, "web-1", opts(case_id="../x"))
    assert err.value.field == "case_id"


def _server(sid, name, tags, metadata):
    return R(id=sid, name=name, project_id="tenant-b", status="ACTIVE", is_locked=False, locked_reason=None,
             metadata=metadata, tags=tags, compute_host="compute-02", task_state=None)


def test_cases_are_novas_tag_listing_not_every_server_of_the_cloud(fake, stub, cloud):
    """One listing with Nova's tag filter; a server without the tag is not read, whatever its metadata."""
    Case(cloud, "web-1", opts(power="keep")).apply()
    fake.servers["srv-2"] = _server("srv-2", "db-1", ["db"], {})
    fake.servers["srv-3"] = _server("srv-3", "old-1", [], {QUARANTINE_META_KEY: "SEC-0"})  # its tag was removed
    fake.servers["srv-4"] = _server("srv-4", "odd-1", [QUARANTINE_TAG], {})  # tagged by hand, no case key
    seen = len(stub.calls("compute"))
    cases = list_cases(cloud)
    (listing,) = stub.calls("compute")[seen:]
    assert path_of(listing) == "/servers/detail"
    assert query(listing) == {"tags": [QUARANTINE_TAG], "all_tenants": ["True"]}
    assert [(c["case_id"], c["server_id"]) for c in cases] == [("", "srv-4"), ("SEC-1", "srv-1")]
    assert cases[1] == {"case_id": "SEC-1", "server_id": "srv-1", "server_name": "web-1", "project_id": "tenant-a",
                        "status": "ACTIVE", "locked": True, "locked_reason": "osfleet quarantine case SEC-1"}


def test_a_case_whose_tag_was_removed_is_listed_again_once_the_next_run_marks_it(fake, cloud):
    Case(cloud, "web-1", opts()).apply()
    fake.server.tags.remove(QUARANTINE_TAG)
    assert list_cases(cloud) == []
    outcomes = []
    assert Case(cloud, "web-1", opts()).apply(on_step=lambda n, out: outcomes.append(out)) == ["mark"]
    assert outcomes == [{"after": {"metadata": {QUARANTINE_META_KEY: "SEC-1"}, "tag": QUARANTINE_TAG}}]
    assert [c["case_id"] for c in list_cases(cloud)] == ["SEC-1"]


def test_floating_ips_are_read_by_the_servers_ports_never_the_whole_cloud(fake, stub, cloud):
    """Every floating IP listing names the server's ports (one listing for both); a recorded one moved elsewhere
    is read by its id for the diff."""
    fake.fips["fip-9"] = R(id="fip-9", floating_ip_address="198.51.100.9", port_id="port-of-another-server",
                           fixed_ip_address="10.9.9.9")
    case = Case(cloud, "web-1", opts(power="keep"))
    assert case.state()["floating_ips"] == ["203.0.113.7"]
    case.apply()
    listings = [r for r in stub.calls("network") if r.method == "GET" and path_of(r) == "/floatingips"]
    assert len(listings) >= 3  # the diff, the record, detach (done? and doing)
    assert all(sorted(query(r)["port_id"]) == ["port-1", "port-2"] for r in listings)
    assert fake.fips["fip-9"].port_id == "port-of-another-server" and fake.fips["fip-1"].port_id is None
    fake.fips["fip-1"].port_id = "port-of-another-server"  # the owner gave the recorded address to another server
    seen = len(stub.calls("network"))
    assert Case(cloud, "web-1", opts(power="keep")).state()["floating_ips"] == ["203.0.113.7"]
    assert [path_of(r) for r in stub.calls("network")[seen:] if "floatingips" in r.url] == \
        ["/floatingips", "/floatingips/fip-1"]


def test_volume_evidence_is_hashed_and_transferred_to_the_investigators(fake, stub, cloud):
    """Snapshot -> evidence volume -> raw image hashed; the volume is accepted by the investigators' credentials."""
    receivers = []

    def investigators():
        receivers.append(scoped_cloud(stub, "proj-investigators"))
        return receivers[-1]
    Case(cloud, "web-1", opts(), evidence_cloud=investigators).apply()
    manifest = ev.load_manifest(cloud, "SEC-1")
    copy_ = _artifact(manifest, "evidence_volume")
    data = _artifact(manifest, "volume_data")
    snap = _artifact(manifest, "volume_snapshot")
    assert copy_["snapshot_id"] == snap["id"] and copy_["volume_id"] == data["volume_id"] == "vol-1"
    assert copy_["name"] == "osfleet-case-SEC-1-volume-vol-1-copy" and copy_["data_image"] == data["name"]
    assert data["sha256"] == hashlib.sha256(b"vol-1 blocks").hexdigest() and data["size"] == len(b"vol-1 blocks")
    assert fake._volumes[copy_["id"]].project_id == "proj-investigators" and len(receivers) == 1
    assert fake._transfers == {} and fake._volumes["vol-1"].project_id == "tenant-a"
    assert any(m.member_id == "proj-investigators" and m.status == "accepted" for m in fake.members(data["id"]))
    assert ev.verify_manifest(cloud, manifest) == []
    assert Case(cloud, "web-1", opts(), evidence_cloud=investigators).plan() == [] and len(receivers) == 1
    (accept,) = [r for r in stub.mocker.request_history if r.url.endswith("/accept")]
    assert accept.headers["X-Auth-Token"] == "tok-proj-investigators"  # the investigators' token accepted it
    assert "/v3/proj-investigators/volume-transfers/" in accept.url


def test_without_evidence_credentials_the_operator_is_rescoped_to_the_evidence_project(fake, stub, cloud):
    Case(cloud, "web-1", opts()).apply()
    copy_ = _artifact(ev.load_manifest(cloud, "SEC-1"), "evidence_volume")
    assert fake._volumes[copy_["id"]].project_id == "proj-investigators"
    assert "accept_transfer by proj-investigators" in fake.calls
    scopes = [json.loads(r.body)["auth"].get("scope") for r in stub.mocker.request_history
              if r.url.endswith("/auth/tokens")]
    assert {"project": {"id": "proj-investigators"}} in scopes  # keystone.connect_as: a token scoped there


def test_credentials_of_another_project_are_refused_before_any_transfer(fake, stub, cloud):
    with pytest.raises(ValidationError) as err:
        Case(cloud, "web-1", opts(), evidence_cloud=lambda: scoped_cloud(stub, "tenant-b")).apply()
    assert err.value.field == "evidence_cloud" and "tenant-b" in err.value.message
    assert fake._transfers == {} and all(v.project_id != "tenant-b" for v in fake._volumes.values())
    assert Case(cloud, "web-1", opts()).plan() == ["share", "power"]  # the evidence is kept; share is retried


def test_volume_evidence_resumes_what_a_killed_run_left(fake, cloud):
    """A killed run left the evidence volume, a dead upload and an unaccepted transfer: each is reused or redone."""
    with pytest.raises(StopAfter):
        Case(cloud, "web-1", opts()).apply(stop_after="detach_floating_ips")
    ev.volume_snapshots(cloud, "SEC-1", [{"id": "vol-1"}], 10)
    snap = next(iter(fake._snapshots.values()))
    left = fake.create_volume("osfleet-case-SEC-1-volume-vol-1-copy", snap.id, 1, "", {})
    dead = fake.create_image(name="osfleet-case-SEC-1-volume-vol-1-data")
    fake._images[dead.id].status = "queued"
    fake.calls.clear()
    with pytest.raises(StopAfter):
        Case(cloud, "web-1", opts()).apply(stop_after="evidence")
    manifest = ev.load_manifest(cloud, "SEC-1")
    assert _artifact(manifest, "evidence_volume")["id"] == left.id and dead.id not in fake._images
    assert "create_volume" not in fake.calls and fake.calls.count("upload_volume_to_image") == 1
    assert "create_snapshot" not in fake.calls  # the snapshot the killed run took is the evidence
    stale = fake.create_transfer(left.id, "from a killed run")  # its auth key died with that run
    assert Case(cloud, "web-1", opts()).apply() == ["share", "power"]
    assert stale.id not in fake._transfers and fake._volumes[left.id].project_id == "proj-investigators"


def test_failed_artifacts_of_a_killed_run_are_replaced(fake, cloud):
    """A server image Glance killed and a snapshot in error are deleted and taken again (artifacts.ensure)."""
    with pytest.raises(StopAfter):
        Case(cloud, "web-1", opts()).apply(stop_after="detach_floating_ips")
    killed = fake.create_image("osfleet-case-SEC-1-server-image", status="killed")
    fake._snapshots["snap-bad"] = R(id="snap-bad", name="osfleet-case-SEC-1-volume-vol-1", status="error", size=1,
                                    volume_id="vol-1", data=b"", metadata={}, description="", project_id="x")
    Case(cloud, "web-1", opts()).apply()
    manifest = ev.load_manifest(cloud, "SEC-1")
    assert killed.id not in fake._images and _artifact(manifest, "server_image")["id"] != killed.id
    assert "snap-bad" not in fake._snapshots and _artifact(manifest, "volume_snapshot")["id"] in fake._snapshots
    assert fake.calls.count("create_server_image") == 1 and fake.calls.count("create_snapshot") == 1


def test_a_server_image_glance_kills_fails_the_evidence_naming_it(fake, cloud):
    """The wait is the SDK's (through Glance.wait_for_active): a killed image is a failure, not a timeout."""
    fake.server_image_status = "killed"
    with pytest.raises(CloudError) as err:
        Case(cloud, "web-1", opts()).apply()
    assert err.value.call == "wait for image active" and "killed" in err.value.message
    assert Case(cloud, "web-1", opts()).plan() == ["evidence", "share", "power"]


def test_a_backend_that_cannot_upload_leaves_the_volume_unhashed_and_says_so(fake, cloud, monkeypatch):
    monkeypatch.setattr(artifacts, "WAIT_STEP", 0)
    fake.can_upload = False
    assert Case(cloud, "web-1", opts()).apply() == FIRST_RUN
    manifest = ev.load_manifest(cloud, "SEC-1")
    copy_ = _artifact(manifest, "evidence_volume")
    assert copy_["sha256"] is None and copy_["data_image"] is None and "copy_volume_to_image" in copy_["note"]
    assert "volume_data" not in {a["kind"] for a in manifest["artifacts"]}
    assert fake._volumes[copy_["id"]].project_id == "proj-investigators"  # still given to the investigators
    assert ev.verify_manifest(cloud, manifest) == []


def test_verification_reports_a_deleted_evidence_volume_and_replaced_volume_data(fake, cloud):
    Case(cloud, "web-1", opts()).apply()
    manifest = ev.load_manifest(cloud, "SEC-1")
    copy_, data = _artifact(manifest, "evidence_volume"), _artifact(manifest, "volume_data")
    fake._images[data["id"]].data = b"other blocks"
    del fake._volumes[copy_["id"]]
    problems = ev.verify_manifest(cloud, manifest)
    assert any(p.startswith("volume_data %s: SHA-256" % data["id"]) for p in problems)
    assert any(p.startswith("evidence volume %s" % copy_["id"]) for p in problems)


def test_deleting_the_evidence_takes_the_transferred_volume_but_not_an_attached_one(fake, cloud):
    Case(cloud, "web-1", opts()).apply()
    copy_ = _artifact(ev.load_manifest(cloud, "SEC-1"), "evidence_volume")
    fake._volumes[copy_["id"]].status = "in-use"  # an investigator attached it
    with pytest.raises(ConflictError):
        Case(cloud, "web-1", opts(state="released", delete_evidence=True)).apply()
    fake._volumes[copy_["id"]].status = "available"
    Case(cloud, "web-1", opts(state="released", delete_evidence=True)).apply()
    assert set(fake._volumes) == {"vol-1"} and fake._images == {} and fake._snapshots == {}


def test_power_waits_out_another_tools_task_instead_of_failing(fake, cloud, monkeypatch):
    monkeypatch.setattr(artifacts, "WAIT_STEP", 0)
    with pytest.raises(StopAfter):
        Case(cloud, "web-1", opts()).apply(stop_after="share")
    fake.server.task_state, fake.busy = "migrating", 4  # an admin's live migration started meanwhile
    assert Case(cloud, "web-1", opts()).apply() == ["power"]
    assert fake.server.status == "PAUSED" and fake.busy == 0


def test_power_waits_for_the_status_and_no_task_on_the_same_look(fake, cloud, monkeypatch):
    """PAUSED while another tool's task runs on the server is not done: the next action would get Nova's 409."""
    monkeypatch.setattr(artifacts, "WAIT_STEP", 0)
    with pytest.raises(StopAfter):
        Case(cloud, "web-1", opts()).apply(stop_after="share")
    fake.task_after["pause"] = 3  # an admin tool starts a task on the server right as it pauses
    outcomes = []
    assert Case(cloud, "web-1", opts()).apply(on_step=lambda n, out: outcomes.append(out)) == ["power"]
    assert fake.busy == 0 and fake.server.task_state is None  # every look of the task was waited out
    assert outcomes == [{"before": {"status": "ACTIVE"}, "after": {"status": "PAUSED"}}]


def test_a_rename_while_quarantined_is_put_back_by_the_next_run(fake, cloud):
    Case(cloud, "web-1", opts()).apply()
    fake.server.name = "renamed-by-owner"  # Nova's lock does not stop PUT /servers/{id}
    outcomes = []
    assert Case(cloud, fake.server.id, opts()).apply(on_step=lambda n, out: outcomes.append(out)) == ["restore_name"]
    assert fake.server.name == "web-1"
    assert outcomes[0]["before"] == {"name": "renamed-by-owner"} and outcomes[0]["after"] == {"name": "web-1"}
