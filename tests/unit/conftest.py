# -*- coding: utf-8 -*-
"""Shared fixtures: a cloud stubbed at the HTTP level, Nova in memory behind it, the compute services records."""
from __future__ import annotations

import json
import os
import types

import pytest
import requests_mock

from ansible.module_utils.testing import patch_module_args

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import StubCloud
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.fake_nova import FakeNova
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.fake_nova_http import serve, serve_projects


@pytest.fixture
def module_main(capsys):
    """module_main(module, args): run a module's main() with these args and return its JSON result."""
    def _main(module, args):
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                module.main()
        return json.loads(capsys.readouterr().out)
    return _main


class FakeComputeProxy:
    """Keeps service records like Nova does and records every write call."""

    def __init__(self, services):
        self._services = {s["id"]: dict(s) for s in services}
        self.calls = []

    def _obj(self, rec):
        return types.SimpleNamespace(
            id=rec["id"], host=rec["host"], binary=rec["binary"], availability_zone=rec.get("zone"),
            status=rec["status"], state=rec.get("state", "up"), disabled_reason=rec.get("disabled_reason"),
            is_forced_down=rec.get("forced_down", False), updated_at=rec.get("updated_at"))

    def services(self, **query):
        for rec in self._services.values():
            if all(rec.get(k) == v for k, v in query.items()):
                yield self._obj(rec)

    def disable_service(self, service, host=None, binary=None, disabled_reason=None):
        self.calls.append(("disable", service, disabled_reason))
        rec = self._services[service]
        rec["status"] = "disabled"
        if disabled_reason:
            rec["disabled_reason"] = disabled_reason
        return self._obj(rec)

    def enable_service(self, service, host=None, binary=None):
        self.calls.append(("enable", service))
        rec = self._services[service]
        rec.update(status="enabled", disabled_reason=None)
        return self._obj(rec)

    def update_service_forced_down(self, service, host=None, binary=None, forced=True):
        self.calls.append(("forced_down", service, forced))
        rec = self._services[service]
        rec["forced_down"] = forced
        if forced:
            rec["state"] = "down"
        return self._obj(rec)


@pytest.fixture
def fake_conn():
    compute = FakeComputeProxy([
        dict(id="svc-1", host="compute-01", binary="nova-compute", zone="az1", status="enabled"),
        dict(id="svc-2", host="compute-02", binary="nova-compute", zone="az1", status="disabled",
             disabled_reason="old reason"),
        dict(id="svc-3", host="compute-03", binary="nova-compute", zone="az2", status="disabled",
             disabled_reason="fenced", forced_down=True, state="down"),
    ])
    return types.SimpleNamespace(compute=compute)


@pytest.fixture
def stub(monkeypatch):
    """The stubbed cloud; nothing outside it is reachable (requests-mock refuses unknown URLs)."""
    for name in list(os.environ):
        if name.startswith("OS_"):
            monkeypatch.delenv(name)
    with requests_mock.Mocker() as mocker:
        yield StubCloud(mocker)


@pytest.fixture
def nova_cloud(stub):
    """nova_cloud(fake_nova, identity=None): the access layer (a real Cloud) over the stub, with the FakeNova
    behind Nova and, when given, a FakeIdentity's projects behind Keystone."""
    made = []

    def _cloud(fake, identity=None):
        serve(stub, fake)
        if identity is not None:
            serve_projects(stub, identity)
        cloud = stub.cloud()
        made.append(cloud)
        return cloud

    yield _cloud
    for cloud in made:
        cloud.close()


@pytest.fixture
def nova_fake(fake_conn, nova_cloud):
    """A FakeNova whose compute services are ``fake_conn``'s, with ``cloud`` (the access layer over stubbed HTTP
    in front of it) and ``api`` (``cloud.nova``)."""
    fake = FakeNova(hosts=("compute-01", "compute-02", "compute-03"), services=fake_conn.compute)
    fake.cloud = nova_cloud(fake)
    fake.api = fake.cloud.nova
    return fake


def pytest_collection_modifyitems(items):
    """The SDK's notes to itself (deprecations raised and caught inside openstacksdk) are not ours to fix;
    a deprecation raised by a call of ours (its warning points into our code) still shows."""
    for item in items:
        item.add_marker(pytest.mark.filterwarnings("ignore::PendingDeprecationWarning:openstack"))
        item.add_marker(pytest.mark.filterwarnings("ignore::DeprecationWarning:openstack"))
