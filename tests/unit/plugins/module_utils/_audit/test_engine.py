# -*- coding: utf-8 -*-
"""The engine: error is never pass nor fail, the order of the checks, targets refused, the run document."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._audit import engine, policy
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


def pack(rules, **extra):
    data = {"pack": "demo", "version": "2.0", "target": "host", "rules": rules}
    data.update(extra)
    return policy.load_pack(data, "demo.yml")


def rule(**spec):
    out = {"id": "R-1", "title": "t", "severity": "medium", "rationale": "r", "references": [], "runbook": "rb"}
    out.update(spec)
    return out


HTTPS = rule(facts=["bmc_access.protocol", "bmc.network.https"],
             applies_when={"key": "bmc_access.protocol", "value": "redfish"},
             condition={"key": "bmc.network.https", "value": True})


def results(p, targets, **kw):
    doc = engine.evaluate([p], {"host": targets}, now=NOW, **kw)
    return {r["target"]: r for r in doc["results"]}


@pytest.mark.parametrize("target, status, words", [
    ({"id": "a", "bmc_access": {"protocol": "redfish"}, "bmc": {"network": {"https": True}}}, "pass", "ok"),
    ({"id": "b", "bmc_access": {"protocol": "redfish"}, "bmc": {"network": {"https": False}}}, "fail", "wanted eq true"),
    ({"id": "c", "bmc_access": {"protocol": "ipmi"}, "bmc": {}}, "not_applicable", "not applicable"),
    # not gathered: error, whatever the condition would say of a null
    ({"id": "d", "bmc_access": {"protocol": "redfish"}, "bmc": {}}, "error", "fact bmc.network.https was not gathered"),
    ({"id": "e", "bmc_access": {"protocol": "redfish"}, "bmc": {"network": {"https": None}}}, "error", "is null"),
    # the source failed: error before anything else, even applies_when
    ({"id": "f", "bmc_access": {"protocol": "ipmi"}, "_errors": {"bmc": "unreachable: timed out"}}, "error",
     "could not gather bmc: unreachable: timed out"),
    ({"id": "g", "bmc_access": {"protocol": "redfish"}, "bmc": {"network": {"https": True}},
      "_errors": {"bmc.network": "HTTP 404"}}, "error", "could not gather bmc.network: HTTP 404"),
    # what applies_when reads is missing: error, not "not applicable"
    ({"id": "h", "bmc": {"network": {"https": True}}}, "error", "fact bmc_access.protocol was not gathered"),
])
def test_error_is_never_pass_nor_fail(target, status, words):
    r = results(pack([HTTPS]), [target])[target["id"]]
    assert r["status"] == status
    assert words in r["message"]


def test_an_error_under_an_unrelated_fact_does_not_matter():
    target = {"id": "a", "bmc_access": {"protocol": "redfish"}, "bmc": {"network": {"https": True}},
              "_errors": {"hardware.log": "not gathered", "bmc.accounts": "HTTP 403"}}
    assert results(pack([HTTPS]), [target])["a"]["status"] == "pass"


def test_an_error_on_an_optional_fact_is_still_an_error():
    spec = rule(facts=["network"], optional_facts=["network.telnet"],
                condition={"key": "network.telnet", "op": "ne", "value": True})
    r = results(pack([spec]), [{"id": "a", "network": {}, "_errors": {"network.telnet": "timeout"}},
                               {"id": "b", "network": {}}])
    assert r["a"]["status"] == "error"
    assert r["b"]["status"] == "pass"  # listed and absent: the BMC has no telnet


def test_an_unknown_condition_is_an_error_with_the_reason():
    spec = rule(facts=["since"], condition={"key": "since", "value_type": "age_days", "op": "gt", "value": 3})
    r = results(pack([spec]), [{"id": "a", "since": "last tuesday"}])["a"]
    assert r["status"] == "error"
    assert "cannot tell whether gt 3" in r["message"] and "not an ISO 8601 time" in r["message"]


def test_unknown_applies_when_is_an_error():
    spec = rule(facts=["since", "x"], applies_when={"key": "since", "value_type": "age_days", "op": "gt", "value": 1},
                condition={"key": "x", "value": 1})
    r = results(pack([spec]), [{"id": "a", "since": "soon", "x": 1}])["a"]
    assert r["status"] == "error" and r["message"].startswith("cannot tell whether the rule applies")


def test_pack_level_guard_applies_to_every_rule():
    p = pack([rule(facts=["x"], condition={"key": "x", "value": 1})], facts=["held"],
             applies_when={"key": "held", "value": False})
    r = results(p, [{"id": "a", "held": True, "x": 2}, {"id": "b", "held": False, "x": 2}, {"id": "c", "x": 2}])
    assert r["a"]["status"] == "not_applicable"
    assert r["b"]["status"] == "fail"
    assert r["c"]["status"] == "error" and "fact held was not gathered" in r["c"]["message"]


def test_evidence_and_age_of_a_finding():
    spec = rule(facts=["status", "since"], age_from="since",
                condition={"or": [{"key": "status", "op": "ne", "value": "SHUTOFF"},
                                  {"key": "since", "value_type": "age_days", "op": "le", "value": 30}]})
    r = results(pack([spec]), [{"id": "srv", "name": "vm-1", "status": "SHUTOFF", "since": "2026-10-08T12:00:00Z"}])
    r = r["srv"]
    assert r["status"] == "fail" and r["age_days"] == 45.0 and r["since"].startswith("2026-10-08")
    assert r["target_name"] == "vm-1"
    assert [t["key"] for t in r["evidence"]["tests"]] == ["status", "since"]
    assert r["evidence"]["facts"] == {"status": "SHUTOFF", "since": "2026-10-08T12:00:00Z"}
    assert "age_days 45" in r["message"]


def test_a_pass_carries_its_tests_but_not_the_facts():
    r = results(pack([HTTPS]), [{"id": "a", "bmc_access": {"protocol": "redfish"}, "bmc": {"network": {"https": True}}}])
    assert "facts" not in r["a"]["evidence"] and r["a"]["evidence"]["tests"][0]["outcome"] is True


@pytest.mark.parametrize("targets, field", [
    ({"hosts": []}, "targets.hosts"),
    ({"host": {}}, "targets.host"),
    ({"host": [{"name": "no id"}]}, "targets.host[0].id"),
    ({"host": [{"id": "a"}, {"id": "a"}]}, "targets.host[1].id"),
])
def test_targets_are_refused_when_they_cannot_be_told_apart(targets, field):
    with pytest.raises(ValidationError) as err:
        engine.evaluate([pack([HTTPS])], targets, now=NOW)
    assert err.value.field == field


def test_params_for_a_pack_not_in_the_run_are_refused():
    with pytest.raises(ValidationError) as err:
        engine.evaluate([pack([HTTPS])], {}, params={"compute_hosts": {}}, now=NOW)
    assert err.value.field == "params.compute_hosts"


def test_the_same_pack_twice_is_refused():
    p = pack([HTTPS])
    with pytest.raises(ValidationError):
        engine.evaluate([p, p], {}, now=NOW)


def test_the_run_document():
    p = pack([HTTPS, dict(HTTPS, id="R-2", severity="critical")])
    doc = engine.evaluate([p], {"host": [{"id": "a", "bmc_access": {"protocol": "redfish"},
                                          "bmc": {"network": {"https": False}}}], "port": []},
                          now=NOW, run=engine.RunInfo(who="alice", controller="bastion-1", run_id="r-42",
                                                      tool_version="0.3.0"))
    assert doc["format"] == "osfleet.day2.compliance/v1"
    assert doc["run"]["who"] == "alice" and doc["run"]["id"] == "r-42" and doc["run"]["controller"] == "bastion-1"
    assert doc["run"]["evaluated_at"] == "2026-11-22T12:00:00+00:00"
    assert doc["packs"][0]["name"] == "demo" and doc["packs"][0]["version"] == "2.0"
    assert len(doc["packs"][0]["sha256"]) == 64 and doc["packs"][0]["rules_detail"][1]["severity"] == "critical"
    assert doc["targets"] == {"host": 1, "port": 0}
    assert doc["summary"]["by_status"]["fail"] == 2
    assert doc["summary"]["by_severity"]["critical"]["fail"] == 1
    assert doc["summary"]["by_kind"]["host"]["fail"] == 2
    assert engine.explain(doc["results"][0]).startswith("FAIL R-1 [medium] host a: ")
