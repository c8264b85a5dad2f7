# -*- coding: utf-8 -*-
"""Fixtures of the access layer's tests: a stubbed cloud (requests-mock under a real openstacksdk Connection)."""
from __future__ import annotations

import pytest
import requests_mock

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import StubCloud


@pytest.fixture
def stub(monkeypatch):
    """The stubbed cloud; nothing outside it is reachable (requests-mock refuses unknown URLs)."""
    for name in list(__import__("os").environ):
        if name.startswith("OS_"):
            monkeypatch.delenv(name)
    with requests_mock.Mocker() as mocker:
        yield StubCloud(mocker)


@pytest.fixture
def cloud(stub):
    """The access layer connected to the stub (``Cloud``), closed after the test."""
    made = stub.cloud()
    yield made
    made.close()


def pytest_collection_modifyitems(items):
    """The SDK's notes to itself (deprecations raised and caught inside openstacksdk) are not ours to fix;
    a deprecation raised by a call of ours (its warning points into our code) still shows."""
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.filterwarnings("ignore::PendingDeprecationWarning:openstack"))
            item.add_marker(pytest.mark.filterwarnings("ignore::DeprecationWarning:openstack"))
