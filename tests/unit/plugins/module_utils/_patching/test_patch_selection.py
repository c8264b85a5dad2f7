# -*- coding: utf-8 -*-
"""Which hosts a patch run may take: read from the cloud in fleet-wide listings, each refusal with its reason.

read_facts runs over the access layer's real Nova facade, with conftest's FakeNova behind stubbed HTTP.
"""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._patching import selection as sel
from ansible_collections.osfleet.day2.plugins.module_utils._patching.waves import plan_waves
from ansible_collections.osfleet.day2.plugins.module_utils._remediation import record as rr


def services(nova_fake):
    return nova_fake.services._services


def test_facts_come_from_the_service_listing_with_zone_state_and_reason(nova_fake):
    facts = {f.host: f for f in sel.read_facts(nova_fake.api)}
    assert sorted(facts) == ["compute-01", "compute-02", "compute-03"]
    assert (facts["compute-01"].zone, facts["compute-01"].status, facts["compute-01"].state) == ("az1", "enabled", "up")
    assert facts["compute-02"].disabled_reason == "old reason"
    assert facts["compute-03"].forced_down and facts["compute-03"].state == "down"


def test_each_reason_a_host_is_not_taken(nova_fake):
    svc = services(nova_fake)
    svc["svc-2"]["disabled_reason"] = "osfleet-maintenance:rack-7 fans"
    nova_fake.add_server("q1", host="compute-01", metadata={"osfleet_quarantine_case": "CASE-9"})
    by = {t.host: t for t in sel.targets(sel.read_facts(nova_fake.api))}
    assert by["compute-01"].reason == "1 server(s) under quarantine on it: q1"
    assert by["compute-02"].reason == "in maintenance window rack-7"
    assert by["compute-03"].reason == "nova-compute is forced down"
    assert not any(t.eligible for t in by.values())


def test_a_plain_server_does_not_count_as_quarantined(nova_fake):
    nova_fake.add_server("s1", host="compute-01", metadata={"role": "web"})
    by = {t.host: t for t in sel.targets(sel.read_facts(nova_fake.api))}
    assert by["compute-01"].eligible and by["compute-01"].reason == ""


def test_someone_elses_disable_and_a_remediation_marker_are_theirs(nova_fake):
    svc = services(nova_fake)
    svc["svc-3"].update(state="up", forced_down=False, disabled_reason="osfleet-remediation:fixing compute_down")
    by = {t.host: t for t in sel.targets(sel.read_facts(nova_fake.api))}
    assert by["compute-02"].reason == "disabled by someone else: old reason"
    assert by["compute-03"].reason == "under remediation (fixing)"


def test_a_held_record_keeps_the_host_out_even_while_its_service_is_enabled(nova_fake):
    rr.Store(nova_fake.api).save(rr.Record("compute-01", state="held", reason="burn-in after a fan swap"))
    by = {t.host: t for t in sel.targets(sel.read_facts(nova_fake.api))}
    assert by["compute-01"].reason == "held by remediation: burn-in after a fan swap"


def test_a_returned_record_is_history_and_the_host_is_taken(nova_fake):
    rr.Store(nova_fake.api).save(rr.Record("compute-01", state="returned"))
    by = {t.host: t for t in sel.targets(sel.read_facts(nova_fake.api))}
    assert by["compute-01"].eligible


def test_the_runs_own_window_is_continued_on_resume_and_another_runs_is_not():
    facts = [sel.HostFacts("compute-01", "az1", status="disabled",
                           disabled_reason="osfleet-maintenance:patch-june-compute-01 patch run june")]
    assert sel.targets(facts, run="june")[0].eligible
    other = sel.targets(facts, run="july")[0]
    assert not other.eligible and other.reason == "in maintenance window patch-june-compute-01"


def test_a_selected_host_nova_does_not_know_is_refused_by_name():
    facts = [sel.HostFacts("compute-01", "az1"), sel.HostFacts("compute-02", "az1")]
    with pytest.raises(ValidationError) as err:
        sel.targets(facts, selection=["compute-01", "compute-9"])
    assert err.value.field == "hosts" and "compute-9 is not a compute host" in err.value.message
    assert "known: compute-01, compute-02" in err.value.message


def test_the_selection_keeps_its_hosts_once_with_models_and_unknown_for_the_rest():
    facts = [sel.HostFacts("compute-%02d" % n, "az%d" % (n % 2)) for n in range(1, 5)]
    out = sel.targets(facts, selection=["compute-02", "compute-01", "compute-02"], models={"compute-01": "R650"})
    assert [(t.host, t.model) for t in out] == [("compute-02", "unknown"), ("compute-01", "R650")]
    assert len(sel.targets(facts)) == 4


def test_the_targets_plan_into_waves_that_skip_the_ineligible_with_their_reason():
    facts = [sel.HostFacts("compute-%02d" % n, "az%d" % (1 + n % 2)) for n in range(1, 7)]
    facts[2] = sel.HostFacts("compute-03", "az2", state="down")
    plan = plan_waves(sel.targets(facts), batch=2)
    assert plan.skipped == (("compute-03", "nova-compute is down"),)
    assert sorted(h for w in plan.waves for h in w.hosts) == ["compute-01", "compute-02", "compute-04",
                                                              "compute-05", "compute-06"]


def test_three_listings_whatever_the_number_of_hosts(nova_fake, monkeypatch):
    calls = []
    for name in ("servers_tagged", "aggregates", "compute_services", "servers_on_host"):
        real = getattr(nova_fake.api, name)
        monkeypatch.setattr(nova_fake.api, name, lambda *a, _r=real, _n=name, **k: calls.append(_n) or _r(*a, **k))
    sel.read_facts(nova_fake.api)
    assert sorted(calls) == ["aggregates", "compute_services", "servers_tagged"]
