# -*- coding: utf-8 -*-
"""remediation's action plugin reads the runbooks (shipped and the operator's, vaulted ones decrypted), the BMC
map and the packs on the controller and hands their contents to the module; a bad runbook fails before it."""
from __future__ import annotations

from ansible_collections.osfleet.day2.plugins.action import remediation as remediation_action
from ansible_collections.osfleet.day2.plugins.module_utils._remediation import runbook as rb
from ansible_collections.osfleet.day2.tests.unit.plugins.action.test_bmc_map_actions import (  # noqa: F401  pylint: disable=unused-import
    BMCS,
    make_action,
    vault_encrypt,
    vaulted_map,
)

MINE = "name: mine\nmatch: {rules: [NOVA-16]}\nsteps: [{type: restart_service, service: nova-compute}]\n"


def run(tmp_path, **args):
    args.setdefault("host", "compute-01")
    action, calls = make_action(remediation_action, "remediation", args, tmp_path)
    return action.run(task_vars={}), calls


def test_the_runbooks_map_and_packs_reach_the_module_as_their_contents(vaulted_map, tmp_path):
    ops = tmp_path / "runbooks"
    ops.mkdir()
    (ops / "mine.yml").write_text(MINE)
    vault_encrypt(ops / "secret.yml", MINE.replace("mine", "secret"))  # a vaulted runbook is decrypted too
    result, calls = run(tmp_path, runbook_dirs=[str(ops)], bmc_map=str(vaulted_map))
    assert "failed" not in result, result
    sent = calls[0]["module_args"]
    assert sent["bmcs"] == BMCS and "bmc_map" not in sent and "runbook_dirs" not in sent
    shipped = [s for s in sent["runbook_sources"] if s["shipped"]]
    assert len(shipped) == 6 and all(s["source"].startswith(rb.shipped_dir()) for s in shipped)
    own = [s for s in sent["runbook_sources"] if not s["shipped"]]
    assert [(s["source"], s["text"]) for s in own] == [(str(ops / "mine.yml"), MINE),
                                                       (str(ops / "secret.yml"), MINE.replace("mine", "secret"))]
    assert [p["source"].rsplit("/", 1)[-1] for p in sent["pack_sources"]] == ["compute_hosts.yml"]
    assert [b.name for b in rb.load_sources(sent["runbook_sources"])][-2:] == ["mine", "secret"]


def test_runbook_dirs_as_a_comma_separated_string(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / ("%s.yml" % name)).write_text(MINE.replace("mine", name))
    result, calls = run(tmp_path, runbook_dirs="%s, %s" % (tmp_path / "a", tmp_path / "b"))
    assert "failed" not in result, result
    assert [s["source"] for s in calls[0]["module_args"]["runbook_sources"] if not s["shipped"]] == [
        str(tmp_path / "a" / "a.yml"), str(tmp_path / "b" / "b.yml")]


def test_a_bad_runbook_fails_before_the_module_naming_the_file(tmp_path):
    (tmp_path / "ops").mkdir()
    (tmp_path / "ops" / "bad.yml").write_text(MINE + "rollback: []\n")
    result, calls = run(tmp_path, runbook_dirs=[str(tmp_path / "ops")])
    assert result["failed"] and result["field"] == "rollback" and calls == []
    assert result["msg"].startswith(str(tmp_path / "ops" / "bad.yml") + ": rollback: unknown key")


def test_two_operator_runbooks_with_one_name_fail(tmp_path):
    (tmp_path / "ops").mkdir()
    (tmp_path / "ops" / "one.yml").write_text(MINE)
    (tmp_path / "ops" / "two.yml").write_text(MINE)
    result, calls = run(tmp_path, runbook_dirs=[str(tmp_path / "ops")])
    assert result["failed"] and result["field"] == "runbook_dirs" and "defined twice" in result["msg"]
    assert calls == []


def test_a_missing_runbook_dir_fails(tmp_path):
    result, calls = run(tmp_path, runbook_dirs=[str(tmp_path / "nope")])
    assert result["failed"] and result["field"] == "runbook_dirs" and "is not a directory" in result["msg"]
    assert calls == []


def test_given_runbook_sources_are_passed_through(tmp_path):
    sources = [{"source": "/x/mine.yml", "text": MINE, "shipped": False}]
    result, calls = run(tmp_path, runbook_sources=sources, pack_sources=[{"source": "p", "text": "pack: p\n"}])
    assert "failed" not in result
    assert calls[0]["module_args"]["runbook_sources"] == sources
    assert calls[0]["module_args"]["pack_sources"] == [{"source": "p", "text": "pack: p\n"}]
