# -*- coding: utf-8 -*-
"""Fixtures of the access layer's tests: the access layer connected to the stubbed cloud (``stub``: tests/unit/conftest.py)."""
from __future__ import annotations

import pytest


@pytest.fixture
def cloud(stub):
    """The access layer connected to the stub (``Cloud``), closed after the test."""
    made = stub.cloud()
    yield made
    made.close()
