# -*- coding: utf-8 -*-
"""Fixtures of the alert triage tests: a fleet snapshot and Alertmanager payloads, as JSON files."""
from __future__ import annotations

import copy
import json
import os
from datetime import datetime, timezone

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._alerts.correlate import FleetIndex
from ansible_collections.osfleet.day2.plugins.module_utils._remediation.runbook import load_runbooks

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
NOW = datetime(2026, 12, 2, 15, 5, tzinfo=timezone.utc)


def load(name):
    with open(os.path.join(HERE, name + ".json"), encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture
def fleet():
    """compute-01 healthy with 5 servers in 2 projects; compute-02 in window dec-patch (its disabled reason);
    compute-03 held (fan_failed); compute-04 with a quarantined server; compute-05 healthy (az2);
    compute-06 under remediation (fixing)."""
    return copy.deepcopy(load("fleet"))


@pytest.fixture
def index(fleet):  # pylint: disable=redefined-outer-name
    return FleetIndex.build(fleet)


@pytest.fixture(scope="session")
def runbooks():
    return load_runbooks()
