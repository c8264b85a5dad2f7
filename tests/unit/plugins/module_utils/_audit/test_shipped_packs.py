# -*- coding: utf-8 -*-
"""The packs shipped in extensions/audit/packs: complete rules, facts that facts.py really builds, and the
fact schema of docs/audit.md naming every fact they read."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._audit import facts, keys
from ansible_collections.osfleet.day2.plugins.module_utils._audit.packs import SHIPPED, load_packs, shipped_dir, shipped_path
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._audit.audit_fixtures import gathered, shipped

ROOT = Path(__file__).resolve().parents[5]
DOC = (ROOT / "docs" / "audit.md").read_text()
RULES = [(name, r) for name in SHIPPED for r in shipped(name).rules]


def test_packs_are_where_the_collection_ships_them():
    assert Path(shipped_dir()).resolve() == ROOT / "extensions" / "audit" / "packs"
    assert sorted(p.name for p in Path(shipped_dir()).glob("*.yml")) == ["compute_hosts.yml", "unused_capacity.yml"]
    with pytest.raises(ValidationError):
        shipped_path("nope")


def test_pack_sizes():
    assert len(shipped("compute_hosts").rules) >= 20
    assert len(shipped("unused_capacity").rules) >= 8


def test_rule_ids_unique_across_packs():
    ids = [r.id for _name, r in RULES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("pack, rule", RULES, ids=[r.id for _n, r in RULES])
def test_every_shipped_rule_is_complete(pack, rule):
    assert rule.references, "%s has no framework reference" % rule.id
    assert all(ref["framework"] and ref["id"] for ref in rule.references)
    assert rule.runbook and len(rule.rationale) > 40


@pytest.mark.parametrize("pack, rule", RULES, ids=[r.id for _n, r in RULES])
def test_every_fact_a_rule_reads_is_built_by_facts_py(pack, rule, cloud):
    # one host in a maintenance window, so that the window facts exist too
    cloud["fleet"]["hosts"]["compute-03"]["service"].update(status="disabled", disabled_reason="osfleet-maintenance:w-1")
    cloud["maintenance_windows"].append({"name": "w-1", "state": "draining", "start_at": "2026-11-21T00:00:00Z",
                                         "hosts": ["compute-03"]})
    targets = facts.build_targets(gathered(cloud))[rule.target]
    p = shipped(pack)
    for fact in p.facts + rule.facts + rule.optional_facts:
        assert any(keys.lookup(t, fact)[0] for t in targets), "%s reads %s, which no %s target has" % (
            rule.id, fact, rule.target)


@pytest.mark.parametrize("pack, rule", RULES, ids=[r.id for _n, r in RULES])
def test_every_fact_a_rule_reads_is_in_the_documented_schema(pack, rule):
    for fact in shipped(pack).facts + rule.facts + rule.optional_facts:
        assert "`%s`" % fact in DOC, "docs/audit.md does not describe %s (read by %s)" % (fact, rule.id)


def test_the_rule_table_of_the_docs_lists_every_rule():
    for _pack, rule in RULES:
        assert re.search(r"^\| %s \|" % re.escape(rule.id), DOC, re.M), rule.id


def test_load_packs_by_path(tmp_path):
    copy = tmp_path / "mine.yml"
    copy.write_text(Path(shipped_path("unused_capacity")).read_text().replace("pack: unused_capacity", "pack: mine"))
    assert [p.name for p in load_packs(["compute_hosts", str(copy)])] == ["compute_hosts", "mine"]
