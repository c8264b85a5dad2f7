# -*- coding: utf-8 -*-
"""host_audit over a stubbed cloud and Redfish servers on loopback (the compliance_audit module tests' two hosts):
the rules pass or the task fails naming host and rule; bad options are refused before anything is read."""
from __future__ import annotations

import json

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common import module_base
from ansible_collections.osfleet.day2.plugins.modules import host_audit
from ansible_collections.osfleet.day2.tests.unit.plugins.modules.test_compliance_audit_module import BASELINE
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._audit.gather_stubs import (
    pass_local,
    redfish_docs,
    route_cloud,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._hardware.conftest import FakeRedfish


@pytest.fixture
def bmcs(monkeypatch, stub):
    """Two hosts behind the stubbed cloud, a Redfish server per BMC (compute-02's with plain HTTP on)."""
    route_cloud(stub)
    pass_local(stub)
    made = stub.cloud()
    monkeypatch.setattr(module_base.Day2Module, "conn", property(lambda self: made.conn))
    fakes = {"compute-01": FakeRedfish(redfish_docs()), "compute-02": FakeRedfish(redfish_docs(http_on=True))}
    for fake in fakes.values():
        fake.thread.start()
    yield {h: {"address": f.address(), "username": "admin", "password": "secret"} for h, f in fakes.items()}
    for fake in fakes.values():
        fake.server.shutdown()
        fake.server.server_close()
    made.close()


def run(module_main, bmcs, **args):
    return module_main(host_audit, dict(dict(cloud="lab", bmcs=bmcs, params=BASELINE, bmc_timeout=5), **args))


def test_rules_that_pass_on_the_host_pass(module_main, bmcs):
    out = run(module_main, bmcs, hosts=["compute-01"], rules=["BMC-04", "HW-14"])
    assert "failed" not in out, out.get("msg")
    assert out["statuses"] == {"compute-01": {"BMC-04": "pass", "HW-14": "pass"}} and out["failing"] == {}
    assert "secret" not in json.dumps(out)


def test_a_rule_that_fails_on_a_host_fails_the_task_naming_both(module_main, bmcs):
    out = run(module_main, bmcs, hosts=["compute-01", "compute-02"], rules=["BMC-04"])
    assert out["failed"] is True and out["msg"].startswith("rules not passing: compute-02: BMC-04 fail")
    assert list(out["failing"]) == ["compute-02"] and out["statuses"]["compute-01"]["BMC-04"] == "pass"


def test_a_host_the_audit_does_not_know_is_no_pass(module_main, bmcs):
    out = run(module_main, bmcs, hosts=["compute-99"], rules=["NOVA-16"])
    assert out["failed"] is True and out["statuses"] == {"compute-99": {"NOVA-16": "not evaluated"}}


def test_an_unknown_rule_is_refused_naming_it(module_main, bmcs):
    out = run(module_main, bmcs, hosts=["compute-01"], rules=["NOVA-16", "NOPE-1"])
    assert out["failed"] is True and "rules: NOPE-1 not in the packs compute_hosts" in out["msg"]
