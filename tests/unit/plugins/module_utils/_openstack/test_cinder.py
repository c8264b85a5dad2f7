# -*- coding: utf-8 -*-
"""The Cinder facade over a stubbed cloud (Cinder 3.0-3.71): request, microversion the SDK negotiates,
result, 404 and Cinder's own error body."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack import bodies as b
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.facade_cases import (
    IGNORED,
    Case,
    check_call,
    check_missing,
    check_refusal,
    ids,
    with_404,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import microversion

CASE = "osfleet-case-case-1-volume-x"
COPY = "osfleet-case-case-1-volume-x-copy"
T0 = "2026-12-02T13:00:00Z"

CASES = [
    Case("snapshots_named", lambda c: c.cinder.snapshots_named(CASE), "GET", "block-storage", "/snapshots/detail",
         {"snapshots": [b.SNAPSHOT, dict(b.SNAPSHOT, id="other", name=CASE + "-copy")]},
         query={"name": [CASE], "all_tenants": ["True"]}, mv="3.65", resource=CASE,
         check=lambda found: [(s.id, s.status, s.size, s.volume_id) for s in found]
         == [(b.SNAPSHOT_ID, "available", 1, b.VOLUME_ID)]),
    Case("create_snapshot",
         lambda c: c.cinder.create_snapshot(b.VOLUME_ID, CASE, "osfleet quarantine case case-1", {"osfleet_case": "case-1"}),
         "POST", "block-storage", "/snapshots", {"snapshot": dict(b.SNAPSHOT, status="creating")}, status=202,
         json={"snapshot": {"volume_id": b.VOLUME_ID, "name": CASE, "force": True,
                            "description": "osfleet quarantine case case-1", "metadata": {"osfleet_case": "case-1"}}},
         mv="3.65", resource=b.VOLUME_ID, check=lambda snap: (snap.id, snap.status) == (b.SNAPSHOT_ID, "creating")),
    Case("get_snapshot", lambda c: c.cinder.get_snapshot(b.SNAPSHOT_ID), "GET", "block-storage",
         "/snapshots/" + b.SNAPSHOT_ID, {"snapshot": b.SNAPSHOT}, query={}, mv="3.65",
         check=lambda snap: snap.status == "available"),
    Case("delete_snapshot", lambda c: c.cinder.delete_snapshot(b.SNAPSHOT_ID), "DELETE", "block-storage",
         "/snapshots/" + b.SNAPSHOT_ID, "", status=202, missing=IGNORED),
    Case("volumes_named", lambda c: c.cinder.volumes_named(COPY), "GET", "block-storage", "/volumes/detail",
         {"volumes": [b.VOLUME, dict(b.VOLUME, id="other", name=COPY + "-2")]},
         query={"name": [COPY], "all_tenants": ["True"]}, mv="3.71", resource=COPY,
         check=lambda found: [(v.id, v.project_id, v.size) for v in found] == [(b.VOLUME_ID, b.PROJECT, 1)]),
    Case("create_volume",
         lambda c: c.cinder.create_volume(COPY, b.SNAPSHOT_ID, 1, "copy", {"osfleet_case": "case-1"}), "POST",
         "block-storage", "/volumes", {"volume": dict(b.VOLUME, status="creating")}, status=202,
         json={"volume": {"name": COPY, "snapshot_id": b.SNAPSHOT_ID, "size": 1, "description": "copy",
                          "metadata": {"osfleet_case": "case-1"}}},
         mv="3.71", resource=b.SNAPSHOT_ID, check=lambda volume: volume.status == "creating"),
    Case("get_volume", lambda c: c.cinder.get_volume(b.VOLUME_ID), "GET", "block-storage", "/volumes/" + b.VOLUME_ID,
         {"volume": b.VOLUME}, query={}, mv="3.71", check=lambda volume: volume.project_id == b.PROJECT),
    Case("delete_volume", lambda c: c.cinder.delete_volume(b.VOLUME_ID), "DELETE", "block-storage",
         "/volumes/" + b.VOLUME_ID, "", status=202, query={"cascade": ["False"], "force": ["False"]}, missing=IGNORED),
    Case("upload_volume_to_image", lambda c: c.cinder.upload_volume_to_image(b.VOLUME_ID, CASE + "-data"), "POST",
         "block-storage", "/volumes/%s/action" % b.VOLUME_ID,
         {"os-volume_upload_image": {"id": b.VOLUME_ID, "updated_at": "2026-11-20T10:10:00.000000",
                                     "status": "uploading", "display_description": "copy", "size": 1,
                                     "volume_type": None, "image_id": b.IMAGE_ID, "container_format": "bare",
                                     "disk_format": "raw", "image_name": CASE + "-data", "visibility": "private",
                                     "protected": False}}, status=202,
         json={"os-volume_upload_image": {"image_name": CASE + "-data", "force": False, "disk_format": "raw",
                                          "container_format": "bare", "visibility": "private"}},
         mv="3.71", resource=b.VOLUME_ID, check=lambda answer: answer["image_id"] == b.IMAGE_ID),
    Case("transfers", lambda c: c.cinder.transfers(b.VOLUME_ID), "GET", "block-storage", "/volume-transfers/detail",
         {"transfers": [b.TRANSFER, dict(b.TRANSFER, id="other", volume_id="another-volume")]}, query={}, mv="3.55",
         resource=b.VOLUME_ID, check=lambda found: [t.id for t in found] == [b.TRANSFER_ID]),
    Case("create_transfer", lambda c: c.cinder.create_transfer(b.VOLUME_ID, "osfleet-case-case-1"), "POST",
         "block-storage", "/volume-transfers", {"transfer": dict(b.TRANSFER, auth_key="b7b1f00c9b5e4c0d")},
         status=202, json={"transfer": {"volume_id": b.VOLUME_ID, "name": "osfleet-case-case-1"}}, mv="3.55",
         resource=b.VOLUME_ID,
         check=lambda transfer: (transfer.id, transfer.auth_key) == (b.TRANSFER_ID, "b7b1f00c9b5e4c0d")),
    Case("delete_transfer", lambda c: c.cinder.delete_transfer(b.TRANSFER_ID), "DELETE", "block-storage",
         "/volume-transfers/" + b.TRANSFER_ID, "", status=202, missing=IGNORED),
    Case("accept_transfer", lambda c: c.cinder.accept_transfer(b.TRANSFER_ID, "b7b1f00c9b5e4c0d"), "POST",
         "block-storage", "/volume-transfers/%s/accept" % b.TRANSFER_ID,
         {"transfer": {"id": b.TRANSFER_ID, "name": "osfleet-case-case-1", "volume_id": b.VOLUME_ID}}, status=202,
         json={"accept": {"auth_key": "b7b1f00c9b5e4c0d"}}, mv="3.55", resource=b.TRANSFER_ID,
         check=lambda transfer: transfer.volume_id == b.VOLUME_ID),
    Case("set_volume_metadata", lambda c: c.cinder.set_volume_metadata(b.VOLUME_ID, {"osfleet-unused-notified-at": T0}),
         "POST", "block-storage", "/volumes/%s/metadata" % b.VOLUME_ID,
         {"metadata": {"owner": "shop", "osfleet-unused-notified-at": T0}},
         json={"metadata": {"osfleet-unused-notified-at": T0}}, resource=b.VOLUME_ID),
    Case("set_snapshot_metadata",
         lambda c: c.cinder.set_snapshot_metadata(b.SNAPSHOT_ID, {"osfleet-unused-notified-at": T0}),
         "POST", "block-storage", "/snapshots/%s/metadata" % b.SNAPSHOT_ID,
         {"metadata": {"osfleet-unused-notified-at": T0}},
         json={"metadata": {"osfleet-unused-notified-at": T0}}, resource=b.SNAPSHOT_ID),
    Case("delete_volume_metadata",
         lambda c: c.cinder.delete_volume_metadata(b.VOLUME_ID, ["osfleet-unused-notified-at"]), "DELETE",
         "block-storage", "/volumes/%s/metadata/osfleet-unused-notified-at" % b.VOLUME_ID, "", json=None,
         resource=b.VOLUME_ID, missing=IGNORED),
    Case("delete_snapshot_metadata",
         lambda c: c.cinder.delete_snapshot_metadata(b.SNAPSHOT_ID, ["osfleet-unused-notified-at"]), "DELETE",
         "block-storage", "/snapshots/%s/metadata/osfleet-unused-notified-at" % b.SNAPSHOT_ID, "", json=None,
         resource=b.SNAPSHOT_ID, missing=IGNORED),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_the_request_on_the_wire_and_its_result(stub, cloud, case):
    check_call(stub, cloud, case)


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_cinders_refusal_is_a_cloud_error_with_its_message_and_request_id(stub, cloud, case):
    check_refusal(stub, cloud, case)


@pytest.mark.parametrize("case", with_404(CASES), ids=ids(with_404(CASES)))
def test_a_404(stub, cloud, case):
    check_missing(stub, cloud, case)


def _volume(stub, cloud, statuses):
    answers = iter(statuses)
    stub.route("GET", "block-storage", "/volumes/" + b.VOLUME_ID,
               lambda request, context: {"volume": dict(b.VOLUME, status=next(answers))})
    return cloud.cinder.get_volume(b.VOLUME_ID)


def test_wait_for_status_looks_until_the_status(stub, cloud):
    volume = _volume(stub, cloud, ["creating", "creating", "available"])
    assert cloud.cinder.wait_for_status(volume, "available", interval=0, wait=5).status == "available"
    assert len(stub.calls()) == 3 and all(microversion(r, "volume") == "3.71" for r in stub.calls())


def test_wait_for_status_that_fails_names_the_volume(stub, cloud):
    volume = _volume(stub, cloud, ["creating", "error"])
    with pytest.raises(CloudError) as err:
        cloud.cinder.wait_for_status(volume, "available", interval=0, wait=5)
    assert err.value.call == "wait for volume available" and err.value.resource == b.VOLUME_ID
    assert "error" in err.value.message


def test_wait_for_status_out_of_time_names_the_volume(stub, cloud):
    volume = _volume(stub, cloud, ["creating"] * 100)
    with pytest.raises(CloudError) as err:
        cloud.cinder.wait_for_status(volume, "available", interval=0.01, wait=0.05)
    assert b.VOLUME_ID in err.value.message and "Timeout" in err.value.message
