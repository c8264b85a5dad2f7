# -*- coding: utf-8 -*-
"""Fixtures of the quarantine core's tests: the case's cloud in memory, served over stubbed HTTP.

``fake`` is the in-memory state (fake_cloud.QuarantineCloud), ``cloud`` the
real access layer (a ``Cloud`` on an openstacksdk Connection) whose requests
reach it through requests-mock (fake_cloud_http).
"""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._quarantine.fake_cloud_http import served


@pytest.fixture
def served_cloud(monkeypatch):
    with served(monkeypatch) as pair:
        yield pair


@pytest.fixture
def stub(served_cloud):
    return served_cloud[0]


@pytest.fixture
def fake(served_cloud):
    return served_cloud[1]


@pytest.fixture
def cloud(stub):
    made = stub.cloud()
    yield made
    made.close()
