# -*- coding: utf-8 -*-
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._hosts import compute_service as cs
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import NotFoundError, ValidationError


def svc(**kw):
    base = dict(id="svc-1", host="compute-01", binary="nova-compute", zone="az1", status="enabled", state="up",
                disabled_reason=None, forced_down=False, updated_at=None)
    base.update(kw)
    return cs.ComputeService(**base)


@pytest.mark.parametrize("current, desired, actions", [
    (svc(), cs.Desired(status="enabled"), []),
    (svc(), cs.Desired(status="disabled", disabled_reason="r"), ["disable"]),
    (svc(status="disabled", disabled_reason="r"), cs.Desired(status="disabled", disabled_reason="r"), []),
    (svc(status="disabled", disabled_reason="r"), cs.Desired(status="disabled"), []),
    (svc(status="disabled", disabled_reason="old"), cs.Desired(status="disabled", disabled_reason="new"),
     ["disable"]),
    (svc(status="disabled"), cs.Desired(status="enabled"), ["enable"]),
    (svc(), cs.Desired(status="disabled", forced_down=True), ["disable", "force_down"]),
    (svc(status="disabled", forced_down=True), cs.Desired(status="enabled", forced_down=False),
     ["clear_force_down", "enable"]),
    (svc(forced_down=True), cs.Desired(forced_down=True), []),
    (svc(forced_down=True), cs.Desired(forced_down=False), ["clear_force_down"]),
])
def test_plan(current, desired, actions):
    assert [s.action for s in cs.plan(current, desired)] == actions


@pytest.mark.parametrize("desired, field", [
    (cs.Desired(), "status"),
    (cs.Desired(status="enabled", disabled_reason="x"), "disabled_reason"),
    (cs.Desired(status="disabled", disabled_reason="x" * 256), "disabled_reason"),
    (cs.Desired(status="paused"), "status"),
])
def test_validation_names_the_field(desired, field):
    with pytest.raises(ValidationError) as err:
        cs.plan(svc(), desired)
    assert err.value.field == field


def test_predict_matches_apply(fake_conn, nova_fake):
    nova = nova_fake.api
    current = cs.find_compute_service(nova, "compute-01")
    steps = cs.plan(current, cs.Desired(status="disabled", disabled_reason="maint", forced_down=True))
    predicted = cs.predict(current, steps)
    seen = []
    final = cs.apply(nova, current, steps, on_step=lambda s, b, a: seen.append((s.action, b.status, a.status)))
    assert final.status == predicted.status == "disabled"
    assert final.disabled_reason == predicted.disabled_reason == "maint"
    assert final.forced_down is predicted.forced_down is True
    assert seen == [("disable", "enabled", "disabled"), ("force_down", "disabled", "disabled")]
    assert fake_conn.compute.calls == [("disable", "svc-1", "maint"), ("forced_down", "svc-1", True)]
    # run again: nothing left to do
    again = cs.find_compute_service(nova, "compute-01")
    assert cs.plan(again, cs.Desired(status="disabled", disabled_reason="maint", forced_down=True)) == []


def test_unknown_host_lists_known_hosts(nova_fake):
    with pytest.raises(NotFoundError) as err:
        cs.find_compute_service(nova_fake.api, "compute-99")
    assert err.value.field == "host"
    assert "compute-01, compute-02, compute-03" in err.value.message


def test_nova_refusing_the_change_is_a_cloud_error_naming_the_service(stub, nova_fake):
    from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError

    stub.fail("PUT", "compute", r"/os-services/([^/?]+)", 403,
              {"forbidden": {"code": 403, "message": "Policy doesn't allow os_compute_api:os-services:update to be "
                                                     "performed."}}, request_id="req-denied")
    current = cs.find_compute_service(nova_fake.api, "compute-01")
    with pytest.raises(CloudError) as err:
        cs.apply(nova_fake.api, current, cs.plan(current, cs.Desired(status="disabled")))
    assert err.value.status_code == 403 and err.value.request_id == "req-denied"
    assert "disable compute service (nova-compute@compute-01)" in err.value.message
    assert "Policy" in err.value.message
