# -*- coding: utf-8 -*-
"""Vendor-shaped Redfish services (fixtures/*.json, written by fixtures/build.py) served on loopback."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._hardware.conftest import FakeRedfish

VENDORS = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def vendor():
    """vendor(name) -> a started FakeRedfish serving fixtures/<name>.json."""
    started = []

    def _start(name):
        fake = FakeRedfish(json.loads((VENDORS / ("%s.json" % name)).read_text()))
        fake.thread.start()
        started.append(fake)
        return fake
    yield _start
    for fake in started:
        fake.server.shutdown()
        fake.server.server_close()
