# -*- coding: utf-8 -*-
"""The probe server of a done host's post-checks, over Nova and Glance stubbed at the HTTP level."""
from __future__ import annotations

import json
import re

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._patching.probe import Probe, ProbeSpec, probe_name
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._patching.test_patch_run import Clock

FLAVOR = {"id": "f-nano", "name": "c1.nano", "ram": 64, "vcpus": 1, "disk": 1, "links": []}
IMAGE = {"id": "11111111-2222-3333-4444-555555555555", "name": "cirros-lab", "status": "active"}


@pytest.fixture
def probe_cloud(stub, nova_fake):
    """Nova boots a posted server onto the host it names, as ``status`` (ACTIVE by default); deletes it."""
    state = {"status": "ACTIVE", "posted": [], "deleted": []}

    def create(request, context):
        body = json.loads(request.body)["server"]
        state["posted"].append((body, request.headers.get("OpenStack-API-Version")))
        sid = "probe-%d" % len(state["posted"])
        nova_fake.add_server(sid, host=state.get("lands_on") or body["host"], status=state["status"],
                             name=body["name"], metadata=body["metadata"])
        context.status_code = 202
        return {"server": {"id": sid, "links": []}}

    def delete(request, context):
        sid = request.path.rsplit("/", 1)[-1]
        state["deleted"].append(sid)
        nova_fake.delete(sid)
        context.status_code = 204
        return ""
    stub.route("POST", "compute", "/servers", create)
    stub.route("DELETE", "compute", r"/servers/([\w-]+)", delete)
    stub.route("GET", "compute", "/flavors/c1.nano", {"itemNotFound": {"code": 404, "message": "no"}}, status=404)
    stub.route("GET", "compute", r"/flavors(/detail)?", {"flavors": [FLAVOR]})
    stub.route("GET", "image", "/images", lambda request, context: {
        "images": [IMAGE] if "name=cirros-lab" in (request.query or "") else []})
    stub.route("GET", "image", "/images/nothing-such", "404 Not Found: no image", status=404)
    nova_fake.probe_state = state
    return nova_fake


def probe(fake, **spec):
    clock = Clock()
    return Probe(fake.api, fake.cloud.glance, ProbeSpec(flavor="c1.nano", image="cirros-lab", **spec),
                 monotonic=clock.monotonic, sleep=clock.sleep)


def test_a_probe_is_booted_onto_the_host_and_deleted(probe_cloud):
    assert probe(probe_cloud).check("june", "compute-02") == ""
    (body, version), = probe_cloud.probe_state["posted"]
    assert body == {"name": "osfleet-probe-june-compute-02", "flavorRef": "f-nano", "imageRef": IMAGE["id"],
                    "host": "compute-02", "networks": "none", "metadata": {"osfleet_probe": "june"}}
    assert version == "compute 2.74"
    assert probe_cloud.probe_state["deleted"] == ["probe-1"] and probe_cloud.server("probe-1") is None


def test_a_probe_in_error_fails_the_host_and_is_deleted(probe_cloud):
    probe_cloud.probe_state["status"] = "ERROR"
    problem = probe(probe_cloud).check("june", "compute-02")
    assert problem == "the probe server probe-1 is ERROR: boom"
    assert probe_cloud.probe_state["deleted"] == ["probe-1"]


def test_a_probe_that_never_becomes_active_meets_its_deadline(probe_cloud):
    probe_cloud.probe_state["status"] = "BUILD"
    problem = probe(probe_cloud, timeout=10).check("june", "compute-02")
    assert problem == "the probe server probe-1 is still BUILD after 10s"
    assert probe_cloud.probe_state["deleted"] == ["probe-1"]


def test_a_probe_left_by_a_killed_run_is_deleted_first(probe_cloud):
    probe_cloud.add_server("old", host="compute-02", name=probe_name("june", "compute-02"))
    assert probe(probe_cloud).check("june", "compute-02") == ""
    assert probe_cloud.probe_state["deleted"] == ["old", "probe-1"]


def test_a_flavor_or_image_that_is_not_there_is_named(probe_cloud):
    with pytest.raises(ValidationError, match="probe_image: no images named nothing-such"):
        Probe(probe_cloud.api, probe_cloud.cloud.glance, ProbeSpec("c1.nano", "nothing-such")).resolve()
    assert probe_cloud.probe_state["posted"] == []


def test_the_options_need_both_a_flavor_and_an_image():
    assert ProbeSpec.from_options(None, None, None, 300) is None
    with pytest.raises(ValidationError, match="probe_image: a probe server needs both"):
        ProbeSpec.from_options("c1.nano", None, None, 300)
    assert ProbeSpec.from_options("c1.nano", "cirros", "", 60) == ProbeSpec("c1.nano", "cirros", None, 60.0)


def test_a_done_host_whose_probe_fails_is_failed_with_the_reason(probe_cloud):
    from ansible_collections.osfleet.day2.plugins.module_utils._patching.run import PatchRuns
    from datetime import datetime, timezone
    svc = probe_cloud.services._services
    svc.clear()
    svc["svc-2"] = dict(id="svc-2", host="compute-02", binary="nova-compute", zone="az1", status="enabled",
                        state="up")
    probe_cloud.probe_state["status"] = "ERROR"
    runs = PatchRuns(probe_cloud.api, "ops@bastion", clock=lambda: datetime(2026, 12, 4, tzinfo=timezone.utc),
                     settle_timeout=0, probe=probe(probe_cloud))
    runs.plan("june", hosts=["compute-02"])
    out = runs.host("june", "compute-02", "done")
    host = [h for h in out.run["hosts"] if h["host"] == "compute-02"][0]
    assert host["status"] == "failed" and re.search("post-check: the probe server probe-1 is ERROR", host["detail"])
