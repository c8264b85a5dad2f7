# -*- coding: utf-8 -*-
"""Pack loading: what is refused (file, rule and key named), YAML pitfalls, parameters of a run."""
from __future__ import annotations

import copy

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._audit import policy
from ansible_collections.osfleet.day2.plugins.module_utils._audit.source import load_yaml
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

RULE = {"id": "R-1", "title": "service up", "severity": "high", "facts": ["service.state"],
        "condition": {"key": "service.state", "op": "eq", "value": "up"}, "rationale": "why",
        "references": [{"framework": "NIST SP 800-53 Rev. 5", "id": "SI-4"}], "runbook": "nova-compute-restart"}
PACK = {"pack": "demo", "version": "1.0.0", "target": "host", "params": {"limit": 3}, "rules": [RULE]}


def pack_with(**changes):
    data = copy.deepcopy(PACK)
    rule_changes = changes.pop("rule", None)
    data.update(changes)
    if rule_changes is not None:
        rule = data["rules"][0]
        for key, value in rule_changes.items():
            if value is None:
                rule.pop(key, None)
            else:
                rule[key] = value
    return data


def refused(data, source="demo.yml"):
    with pytest.raises(ValidationError) as err:
        policy.load_pack(data, source)
    return err.value


def test_a_valid_pack_loads_with_metadata():
    pack = policy.load_pack(copy.deepcopy(PACK), "demo.yml")
    assert pack.name == "demo" and pack.version == "1.0.0" and pack.rules[0].target == "host"
    assert len(pack.sha256) == 64
    assert pack.metadata()["rules"] == 1
    assert pack.rule("R-1").references[0]["id"] == "SI-4"


def test_the_custodian_filter_typo_is_refused():
    # cloud-custodian#9153: 'filter:' for 'filters:' matched every bucket; here 'condtion' is not a key
    err = refused(pack_with(rule={"condtion": {"key": "x"}, "condition": None}))
    assert "unknown key 'condtion' in a rule" in err.message
    assert err.details == {"file": "demo.yml", "rule": "R-1", "key": "condtion"}
    assert err.message.startswith("demo.yml: rule R-1: condtion:")


@pytest.mark.parametrize("changes, key, words", [
    ({"rules": None}, "rules", "missing"),
    ({"pack": "Demo Pack"}, "pack", "lower-case"),
    ({"version": ""}, "version", "version is a string"),
    ({"target": "hosts"}, "target", "unknown target"),
    ({"rules": []}, "rules", "non-empty list"),
    ({"filters": []}, "filters", "unknown key 'filters' in a pack"),
    ({"params": {"Bad-Name": 1}}, "params.Bad-Name", "parameter name"),
    ({"facts": ["OK.path"]}, "facts[0]", "not a dotted fact path"),
])
def test_pack_level_refusals(changes, key, words):
    data = pack_with(**{k: v for k, v in changes.items() if v is not None})
    for k, v in changes.items():
        if v is None:
            data.pop(k)
    err = refused(data)
    assert err.details["key"] == key and err.details["file"] == "demo.yml"
    assert words in err.message


@pytest.mark.parametrize("rule, key, words", [
    ({"severity": "severe"}, "severity", "unknown severity"),
    ({"target": "hypervisors"}, "target", "unknown target"),
    ({"facts": []}, "facts", "at least one fact"),
    ({"facts": ["service.state", "service.state"]}, "facts[1]", "listed twice"),
    ({"optional_facts": ["service.state"]}, "optional_facts", "required and as optional"),
    ({"runbook": "Restart Nova!"}, "runbook", "runbook id"),
    ({"runbook": None}, "runbook", "missing"),
    ({"rationale": ""}, "rationale", "non-empty"),
    ({"references": "NIST"}, "references", "a list"),
    ({"references": [{"framework": "NIST"}]}, "references[0].id", "missing or empty"),
    ({"references": [{"framework": "NIST", "id": "SI-4", "section": 2}]}, "references[0].section", "unknown key"),
    ({"params": {"limit": 4}}, "params.limit", "already a pack parameter"),
    ({"age_from": "created"}, "age_from", "not one of the rule's facts"),
    ({"applies_when": {"key": "bmc.protocol", "op": "eq", "value": "redfish"}}, "applies_when.key",
     "not among the rule's facts"),
    ({"condition": {"key": "service.state", "op": "==", "value": "up"}}, "condition.op", "unknown operator"),
])
def test_rule_level_refusals_name_file_rule_and_key(rule, key, words):
    err = refused(pack_with(rule=rule))
    assert err.details == {"file": "demo.yml", "rule": "R-1", "key": key}
    assert err.field == "rules[R-1].%s" % key
    assert words in err.message


def test_duplicate_rule_ids_and_bad_ids_are_refused():
    data = copy.deepcopy(PACK)
    data["rules"].append(copy.deepcopy(RULE))
    assert "appears twice" in refused(data).message
    err = refused(pack_with(rule={"id": "has space"}))
    assert err.details["key"] == "rules[0].id"


def test_pack_level_guard_reads_only_pack_facts():
    data = pack_with(facts=["held"], applies_when={"key": "hold", "op": "eq", "value": False})
    err = refused(data)
    assert "(pack) applies_when.key" in err.message and "'hold'" in err.message


def test_yaml_duplicate_keys_are_refused_with_the_line():
    text = "pack: demo\nversion: 1\nrules:\n- id: R-1\n  op: eq\n  op: ne\n"
    with pytest.raises(ValidationError) as err:
        load_yaml(text, "dup.yml")
    assert "dup.yml" in err.value.message and "'op' appears twice (line 5 and line 6)" in err.value.message


def test_yaml_syntax_error_names_the_file():
    with pytest.raises(ValidationError) as err:
        load_yaml("rules: [unclosed", "broken.yml")
    assert err.value.message.startswith("broken.yml: not valid YAML")


def test_load_from_a_file_records_both_hashes(tmp_path):
    path = tmp_path / "demo.yml"
    path.write_text("---\npack: demo\nversion: 1.0.0\ntarget: host\nrules:\n  - id: R-1\n    title: t\n"
                    "    severity: low\n    facts: [service.state]\n    condition: {key: service.state, value: up}\n"
                    "    rationale: r\n    references: []\n    runbook: rb\n")
    pack = policy.load_pack_file(str(path))
    assert pack.source == str(path) and len(pack.file_sha256) == 64 and pack.file_sha256 != pack.sha256
    reformatted = tmp_path / "same.yml"
    reformatted.write_text(path.read_text().replace("---\n", "# same content, other bytes\n"))
    assert policy.load_pack_file(str(reformatted)).sha256 == pack.sha256


def test_a_missing_file_is_a_validation_error(tmp_path):
    with pytest.raises(ValidationError) as err:
        policy.load_pack_file(str(tmp_path / "nope.yml"))
    assert "cannot read" in err.value.message


def test_a_bad_regex_in_a_default_parameter_fails_the_load():
    data = pack_with(params={"pattern": "(oops"}, rule={"condition": {"key": "service.state", "op": "regex",
                                                                      "value": {"param": "pattern"}}})
    err = refused(data)
    assert "invalid regex" in err.message and err.details["key"] == "params.pattern"


# ---- parameters of a run ---------------------------------------------------------------


def rule_params(pack, overrides):
    return {r.rule.id: r.params for r in pack.compile(overrides)}


def two_rule_pack():
    data = copy.deepcopy(PACK)
    second = copy.deepcopy(RULE)
    second.update(id="R-2", params={"days": 7},
                  condition={"key": "service.since", "value_type": "age_days", "op": "le", "value": {"param": "days"}},
                  facts=["service.since"])
    data["rules"].append(second)
    return policy.load_pack(data, "demo.yml")


def test_overrides_run_wide_and_per_rule():
    pack = two_rule_pack()
    assert rule_params(pack, {}) == {"R-1": {"limit": 3}, "R-2": {"limit": 3, "days": 7}}
    assert rule_params(pack, {"limit": 9, "days": 30})["R-2"] == {"limit": 9, "days": 30}
    assert rule_params(pack, {"days": 30, "R-2": {"days": 1}})["R-2"]["days"] == 1


@pytest.mark.parametrize("overrides, key, words", [
    ({"limt": 4}, "limit", "no parameter or rule 'limt'"),
    ({"R-2": {"dayz": 3}}, "R-2.dayz", "has no parameter 'dayz'"),
    ({"R-1": {"days": 3}}, "R-1.days", "has no parameter 'days'"),
    ({"limit": "three"}, "limit", "expected a number"),
    ({"R-2": {"days": True}}, "R-2.days", "expected a number"),
    ({"R-2": 5}, "R-2", "are a mapping"),
])
def test_override_typos_and_kinds_are_refused(overrides, key, words):
    with pytest.raises(ValidationError) as err:
        two_rule_pack().compile(overrides)
    assert words in err.value.message
    assert err.value.message.startswith("params.demo: ")
    if key != "limit":
        assert err.value.details["key"] == key


def test_guard_facts_are_the_facts_applies_when_reads():
    data = pack_with(rule={"facts": ["bmc_access.protocol", "bmc.network.https"],
                           "applies_when": {"key": "bmc_access.protocol", "value": "redfish"},
                           "condition": {"key": "bmc.network.https", "value": True}})
    compiled = policy.load_pack(data, "demo.yml").compile()[0]
    assert compiled.guard_facts == ("bmc_access.protocol",)
    assert compiled.required == ("bmc_access.protocol", "bmc.network.https")
