# -*- coding: utf-8 -*-
"""A host's drain pre-check before a patch: the remediation's own capacity and quarantine guards, over Nova and
Placement stubbed at the HTTP level (the remediation tests' six-host lab)."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._patching.prechecks import room_to_drain
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._remediation.test_machine import HOSTS, Lab


@pytest.fixture
def lab(fake_conn, nova_cloud, stub, tmp_path, monkeypatch):
    made = Lab(fake_conn, nova_cloud, stub, tmp_path, monkeypatch)
    made.nova.add_server("s1", host="compute-01")
    made.nova.add_server("s2", host="compute-01")
    return made


def test_a_host_whose_servers_fit_elsewhere_may_be_drained(lab):
    assert room_to_drain(lab.layer, "compute-01") == ""


def test_a_host_whose_servers_do_not_fit_elsewhere_is_refused_naming_them(lab):
    lab.nova.capacity = {h: (0, 0) for h in HOSTS}
    problem = room_to_drain(lab.layer, "compute-01")
    assert problem.startswith("Placement has no room elsewhere for s1") and "s2" in problem, problem


def test_a_host_with_a_quarantined_server_is_refused(lab):
    lab.nova.raw("s1")["metadata"]["osfleet_quarantine_case"] = "CASE-1"
    assert "quarantine" in room_to_drain(lab.layer, "compute-01")
