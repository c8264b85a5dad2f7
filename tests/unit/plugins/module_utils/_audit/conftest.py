# -*- coding: utf-8 -*-
"""The ``cloud`` fixture of the audit tests (the helpers are in audit_fixtures.py)."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._audit.audit_fixtures import fresh_cloud


@pytest.fixture
def cloud():
    """A fresh deep copy of fixtures/cloud.json to break facts in."""
    return fresh_cloud()
