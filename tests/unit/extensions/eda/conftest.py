# -*- coding: utf-8 -*-
"""Fixtures for the EDA tests (the helpers are in eda_support.py)."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.tests.unit.extensions.eda.eda_support import load_payload, load_plugin


@pytest.fixture(scope="session")
def plugin():
    return load_plugin()


@pytest.fixture
def payload():
    return load_payload()
