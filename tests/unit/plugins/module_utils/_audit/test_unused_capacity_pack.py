# -*- coding: utf-8 -*-
"""The shipped unused_capacity pack: each rule passes and fails on the fixture cloud's resources, held and
excluded resources are never findings, and a listing that could not be trusted is an error, not an orphan."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._audit.audit_fixtures import by_status, fresh_cloud, result, run

EXPECTED = [
    # rule, target, status: the fixture holds a failing and a passing case of every rule
    ("UNUSED-01", "srv-2", "fail"),             # SHUTOFF, last change 45 days ago
    ("UNUSED-01", "srv-1", "pass"),             # ACTIVE
    ("UNUSED-01", "srv-3", "not_applicable"),   # quarantined (case-7): never flagged
    ("UNUSED-01", "srv-5", "not_applicable"),   # tagged osfleet-keep
    ("UNUSED-02", "srv-4", "fail"),             # project p-gone is not in Keystone
    ("UNUSED-02", "srv-1", "pass"),
    ("UNUSED-03", "port-orphan", "fail"),       # no device for 30 days
    ("UNUSED-03", "port-new", "pass"),          # no device for 2 days: pre-created
    ("UNUSED-03", "port-router", "not_applicable"),
    ("UNUSED-03", "port-dhcp", "not_applicable"),
    ("UNUSED-04", "port-gone", "fail"),         # compute port of srv-99, which does not exist
    ("UNUSED-04", "port-srv1", "pass"),
    ("UNUSED-04", "port-quarantined", "not_applicable"),  # port of the quarantined server
    ("UNUSED-04", "port-orphan", "not_applicable"),       # no compute owner
    ("UNUSED-05", "vol-idle", "fail"),          # available for 60 days
    ("UNUSED-05", "vol-fresh", "pass"),
    ("UNUSED-05", "vol-attached", "pass"),
    ("UNUSED-05", "vol-evidence", "not_applicable"),  # a quarantine evidence copy
    ("UNUSED-06", "fip-idle", "fail"),
    ("UNUSED-06", "fip-fresh", "pass"),
    ("UNUSED-06", "fip-used", "pass"),
    ("UNUSED-07", "snap-orphan", "fail"),
    ("UNUSED-07", "snap-ok", "pass"),
    ("UNUSED-07", "snap-evidence", "not_applicable"),
    ("UNUSED-08", "img-old", "fail"),           # private, 200 days, nothing uses it
    ("UNUSED-08", "img-used", "pass"),          # srv-1 runs it
    ("UNUSED-08", "img-bfv", "pass"),           # a volume was made from it
    ("UNUSED-08", "img-new", "pass"),
    ("UNUSED-08", "img-cirros", "not_applicable"),  # public catalogue
    ("UNUSED-08", "img-protected", "not_applicable"),
    ("UNUSED-08", "osfleet-case-case-7-record", "not_applicable"),  # a quarantine record
    ("UNUSED-09", "compute-04", "pass"),        # the one empty host of az1: the declared spare
    ("UNUSED-09", "compute-01", "pass"),
    ("UNUSED-10", "vol-orphan", "fail"),
    ("UNUSED-10", "vol-attached", "pass"),
    ("UNUSED-11", "fip-orphan", "fail"),
    ("UNUSED-11", "fip-used", "pass"),
]


@pytest.fixture(scope="module")
def doc():
    return run(fresh_cloud(), packs=("unused_capacity",))


@pytest.mark.parametrize("rule, target, status", EXPECTED, ids=["%s-%s" % (r, t) for r, t, _s in EXPECTED])
def test_rule_outcomes_on_the_fixture(doc, rule, target, status):
    assert result(doc, rule, target)["status"] == status


def test_every_rule_fails_somewhere_and_passes_somewhere():
    rules = {r for r, _t, _s in EXPECTED}
    fails = {r for r, _t, s in EXPECTED if s == "fail"} | {"UNUSED-09"}  # below
    passes = {r for r, _t, s in EXPECTED if s == "pass"}
    assert len(rules) == 11 and fails == rules and passes == rules


def test_no_errors_on_a_fully_listed_cloud(doc):
    assert by_status(doc, "error") == []


def test_findings_carry_age_and_evidence(doc):
    r = result(doc, "UNUSED-05", "vol-idle")
    assert r["age_days"] == 60.0 and r["since"].startswith("2026-09-23")
    assert r["evidence"]["facts"]["status"] == "available"
    assert r["runbook"] == "volume-notify-owner"
    r = result(doc, "UNUSED-01", "srv-2")
    assert r["age_days"] == 45.0 and "SHUTOFF" in r["message"]


def test_empty_hosts_beyond_the_spares_are_flagged(cloud):
    host = cloud["fleet"]["hosts"]["compute-02"]
    for sid in host["servers"]:
        cloud["fleet"]["servers"][sid]["host"] = "compute-01"
    host["servers"] = []
    doc = run(cloud, packs=("unused_capacity",))
    assert result(doc, "UNUSED-09", "compute-02")["status"] == "pass"  # rank 1: the spare
    finding = result(doc, "UNUSED-09", "compute-04")
    assert finding["status"] == "fail"
    assert finding["evidence"]["facts"]["peers.empty_enabled_hosts"] == 2
    doc = run(cloud, packs=("unused_capacity",), params={"unused_capacity": {"spare_hosts_per_zone": 2}})
    assert result(doc, "UNUSED-09", "compute-04")["status"] == "pass"


def test_an_empty_host_in_maintenance_is_not_waste(cloud):
    cloud["fleet"]["hosts"]["compute-04"]["maintenance"] = "w-1"
    cloud["fleet"]["hosts"]["compute-04"]["service"].update(status="disabled", disabled_reason="osfleet-maintenance:w-1")
    doc = run(cloud, packs=("unused_capacity",))
    assert result(doc, "UNUSED-09", "compute-04")["status"] == "not_applicable"


def test_servers_on_a_host_in_maintenance_are_held(cloud):
    cloud["fleet"]["hosts"]["compute-02"]["maintenance"] = "w-2"
    doc = run(cloud, packs=("unused_capacity",))
    assert result(doc, "UNUSED-01", "srv-2")["status"] == "not_applicable"


def test_the_exclusion_tag_is_a_parameter(cloud):
    doc = run(cloud, packs=("unused_capacity",), params={"unused_capacity": {"exclusion_tag": "keep-me"}})
    assert result(doc, "UNUSED-01", "srv-5")["status"] == "fail"  # osfleet-keep no longer excludes it
    cloud["volumes"][1]["metadata"]["keep-me"] = "yes"  # vol-idle: a metadata key counts as a tag
    doc = run(cloud, packs=("unused_capacity",), params={"unused_capacity": {"exclusion_tag": "keep-me"}})
    assert result(doc, "UNUSED-05", "vol-idle")["status"] == "not_applicable"


def test_an_empty_project_listing_is_not_trusted(cloud):
    # cloud-custodian#4949: an empty answer during a blip made every resource non-compliant, and deleted
    doc = run(cloud, packs=("unused_capacity",), projects=[])
    for rule in ("UNUSED-02", "UNUSED-10", "UNUSED-11"):
        statuses = {r["status"] for r in doc["results"] if r["rule"] == rule}
        assert statuses <= {"error", "not_applicable"}, rule
    assert "project listing is empty" in result(doc, "UNUSED-02", "srv-1")["message"]


def test_unlisted_projects_are_an_error_not_a_pass(cloud):
    doc = run(cloud, packs=("unused_capacity",), projects=None)
    assert result(doc, "UNUSED-02", "srv-4")["status"] == "error"
    assert result(doc, "UNUSED-02", "srv-4")["message"] == "fact project.exists was not gathered"


def test_a_port_device_is_gone_only_if_servers_were_listed(cloud):
    cloud["fleet"]["servers"] = {}
    for h in cloud["fleet"]["hosts"].values():
        h["servers"] = []
    doc = run(cloud, packs=("unused_capacity",))
    assert result(doc, "UNUSED-04", "port-gone")["status"] == "error"
    assert result(doc, "UNUSED-08", "img-old")["status"] == "error"  # a referrer was not listed


def test_an_image_is_unused_only_if_every_referrer_was_listed(cloud):
    doc = run(cloud, packs=("unused_capacity",), volumes=None)
    assert result(doc, "UNUSED-08", "img-old")["status"] == "error"
    assert result(doc, "UNUSED-08", "img-used")["status"] == "pass"  # a server uses it: known without volumes


def test_snapshots_of_an_unlisted_volume_set_are_not_orphans(cloud):
    doc = run(cloud, packs=("unused_capacity",), volumes=[])
    assert result(doc, "UNUSED-07", "snap-orphan")["status"] == "error"


def test_a_new_cloud_may_trust_empty_listings(cloud):
    doc = run(cloud, packs=("unused_capacity",), projects=[], trust_empty=True)
    assert result(doc, "UNUSED-02", "srv-1")["status"] == "fail"
