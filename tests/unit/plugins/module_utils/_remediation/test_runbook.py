# -*- coding: utf-8 -*-
"""Runbooks as data: the shipped ones load, a bad one is refused naming its file and the key, selection."""
from __future__ import annotations

import copy
import os

import pytest
import yaml

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._remediation import runbook as rb

SRC = "/ops/runbooks/mine.yml"
GOOD = {
    "name": "mine",
    "description": "nova-compute is down",
    "priority": 40,
    "match": {"rules": ["NOVA-16"], "alerts": [{"name": "OsfleetNovaComputeDown", "labels": {"severity": "critical"}}]},
    "steps": [{"type": "restart_service", "service": "nova-compute", "timeout": 60, "retries": 2},
              {"type": "wait", "until": "service_up", "timeout": 120}],
    "verify": {"rules": ["NOVA-16"], "timeout": 90, "interval": 5},
}


def good(**changes):
    data = copy.deepcopy(GOOD)
    data.update(changes)
    return data


def with_step(step, index=0):
    data = good()
    data["steps"][index] = step
    return data


def refused(data, source=SRC):
    with pytest.raises(ValidationError) as err:
        rb.load_runbook(data, source)
    assert err.value.message.startswith(source + ": "), err.value.message
    assert err.value.details["file"] == source
    return err.value


def source(name, text, shipped=False):
    return {"source": "/dir/%s.yml" % name, "text": text, "shipped": shipped}


def text_of(**changes):
    return yaml.safe_dump(good(**changes))


# -- the shipped runbooks -------------------------------------------------------------------------------------

SHIPPED = sorted(f for f in os.listdir(rb.shipped_dir()) if f.endswith(".yml"))


def test_the_shipped_directory_has_the_six_runbooks():
    assert SHIPPED == ["bmc_badauth.yml", "bmc_down.yml", "compute_down.yml", "fan_failed.yml", "overtemp.yml",
                       "psu_failed.yml"]


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_runbook_loads_and_names_its_file(name):
    path = os.path.join(rb.shipped_dir(), name)
    with open(path, encoding="utf-8") as fh:
        book = rb.load_runbook_text(fh.read(), path)
    assert book.name == name[:-4] and book.source == path and book.enabled
    assert book.verify, "a shipped runbook proves its fix with rules"
    assert book.rules and book.alerts


def test_load_runbooks_returns_the_shipped_ones_by_priority():
    books = rb.load_runbooks()
    assert [b.name for b in books] == ["bmc_badauth", "fan_failed", "overtemp", "psu_failed", "bmc_down",
                                       "compute_down"]
    sources = rb.read_sources([])
    assert all(s["shipped"] for s in sources) and len(sources) == 6


def test_the_shipped_hardware_runbooks_drain_then_hold():
    books = {b.name: b for b in rb.load_runbooks()}
    for name in ("fan_failed", "overtemp", "psu_failed"):
        assert [s.type for s in books[name].steps] == ["drain", "hold"]
        assert books[name].holds and books[name].drains
        assert books[name].steps[0].disruptive is True
    assert not books["compute_down"].holds and not books["compute_down"].drains
    assert books["bmc_down"].steps[0].param("method") == "host"


def test_a_good_runbook_keeps_every_value():
    book = rb.load_runbook(good(), SRC)
    assert book.name == "mine" and book.priority == 40 and book.rules == ("NOVA-16",)
    assert book.alerts == (rb.AlertMatch("OsfleetNovaComputeDown", (("severity", "critical"),)),)
    restart, wait = book.steps
    assert (restart.type, restart.name, restart.timeout, restart.retries, restart.on_failure, restart.disruptive,
            restart.approval) == ("restart_service", "restart_service", 60, 2, "hold", False, "none")
    assert restart.param("service") == "nova-compute"
    assert wait.timeout == 120 and wait.param("until") == "service_up"
    assert (book.verify, book.verify_timeout, book.verify_interval) == (("NOVA-16",), 90, 5)
    as_dict = book.to_dict()
    assert as_dict["steps"][0]["service"] == "nova-compute" and as_dict["verify"]["rules"] == ["NOVA-16"]


def test_defaults():
    book = rb.load_runbook({"name": "d", "match": {"rules": ["HW-1"]},
                            "steps": [{"type": "drain"}, {"type": "power", "action": "on"},
                                      {"type": "bmc_reset"}]}, SRC)
    drain, power_on, reset = book.steps
    assert drain.params == (("default_action", "live_migrate"), ("max_parallel", 4), ("reply_minutes", 0))
    assert drain.disruptive is True and drain.timeout == rb.DEFAULT_STEP_TIMEOUT
    assert power_on.disruptive is False  # powering on hurts no server
    assert reset.param("method") == "host"  # in-band: the one way to a BMC that does not answer
    assert book.priority == 50 and book.verify == ("HW-1",) and book.verify_timeout == 300


# -- strict validation: every error names the file and the key ------------------------------------------------

@pytest.mark.parametrize("data, field, words", [
    (good(rollback=[]), "rollback", "unknown key 'rollback'"),
    (good(match={"rules": ["NOVA-16"], "rule": ["X-1"]}), "match.rule", "unknown key 'rule'"),
    (good(match={"rules": ["NOVA-16"], "alerts": [{"name": "A", "label": {}}]}), "match.alerts[0].label",
     "unknown key 'label'"),
    (good(verify={"rules": ["NOVA-16"], "timout": 5}), "verify.timout", "unknown key 'timout'"),
    (with_step({"type": "restart_service", "service": "x", "retry": 1}), "steps[0].retry", "unknown key 'retry'"),
    (with_step({"type": "reboot"}), "steps[0].type", "unknown step type 'reboot'"),
    (with_step({"service": "x"}), "steps[0].type", "unknown step type None"),
    (with_step({"type": "restart_service"}), "steps[0].service", "a restart_service step needs service"),
    (with_step({"type": "power"}, 1), "steps[1].action", "a power step needs action"),
    (with_step({"type": "hold"}, 1), "steps[1].reason", "a hold step needs reason"),
    (with_step({"type": "playbook"}), "steps[0].path", "a playbook step needs path"),
    (with_step({"type": "wait"}), "steps[0].until", "a wait step needs until"),
    (with_step({"type": "restart_service", "service": "x", "retries": "2"}), "steps[0].retries",
     "must be a whole number, not '2'"),
    (with_step({"type": "restart_service", "service": "x", "retries": 11}), "steps[0].retries",
     "between 0 and 10"),
    (with_step({"type": "restart_service", "service": "x", "retries": True}), "steps[0].retries",
     "must be a whole number"),
    (with_step({"type": "restart_service", "service": "x", "timeout": 0}), "steps[0].timeout",
     "between 1 and 86400 seconds, not 0"),
    (with_step({"type": "restart_service", "service": "x", "timeout": 86401}), "steps[0].timeout",
     "between 1 and 86400 seconds"),
    (with_step({"type": "restart_service", "service": "x", "disruptive": "yes"}), "steps[0].disruptive",
     "must be a bool, not 'yes'"),
    (with_step({"type": "restart_service", "service": 5}), "steps[0].service", "must be a string, not 5"),
    (with_step({"type": "restart_service", "service": "x", "on_failure": "ignore"}), "steps[0].on_failure",
     "'ignore' is not one of hold, continue"),
    (with_step({"type": "restart_service", "service": "x", "approval": "maybe"}), "steps[0].approval",
     "'maybe' is not one of none, required"),
    (with_step({"type": "power", "action": "reboot"}), "steps[0].action", "'reboot' is not one of"),
    (with_step({"type": "bmc_reset", "method": "cold"}), "steps[0].method", "'cold' is not one of host"),
    (with_step({"type": "bmc_reset", "method": "bmc"}), "steps[0].method", "'bmc' is not one of host"),
    (with_step({"type": "drain", "default_action": "evacuate"}), "steps[0].default_action", "'evacuate'"),
    (with_step({"type": "drain", "max_parallel": 0}), "steps[0].max_parallel", "between 1 and 100"),
    (with_step({"type": "drain", "reply_minutes": -1}), "steps[0].reply_minutes", "0 or more"),
    (with_step({"type": "drain", "disruptive": False}), "steps[0].disruptive", "cannot be declared disruptive"),
    (with_step({"type": "power", "action": "off", "disruptive": False}), "steps[0].disruptive",
     "a power step is disruptive"),
    (with_step({"type": "wait", "until": "ever"}), "steps[0].until", "'ever' is not one of"),
    (with_step({"type": "wait", "until": "rules_pass"}), "steps[0].rules", "must be a list, not None"),
    (with_step({"type": "wait", "until": "rules_pass", "rules": ["nova16"]}), "steps[0].rules[0]",
     "'nova16' is not an audit rule id"),
    (with_step({"type": "wait", "until": "seconds"}), "steps[0].seconds", "needs seconds"),
    (with_step({"type": "playbook", "path": "  "}), "steps[0].path", "an empty playbook path"),
    (with_step("restart nova"), "steps[0]", "a step is a mapping"),
    (with_step({"type": "hold", "reason": "hands"}, 0), "steps[0]", "a hold step ends the runbook"),
    (good(match={"alerts": []}), "match", "a runbook matches audit rules and/or alerts"),
    (good(match=None), "match", "match.rules, match.alerts"),
    (good(match={"rules": ["NOVA-16"], "facts": {"bmc_access.status": "unreachable"}}),
     "match.facts.bmc_access.status", "a list of the values"),
    (good(match={"rules": ["NOVA-16"], "alerts": [{"labels": {}}]}), "match.alerts[0]", "an alert match is"),
    (good(match={"rules": "NOVA-16"}), "match.rules", "must be a list"),
    (good(steps=[]), "steps", "at least one step"),
    (good(steps=None), "steps", "at least one step"),
    (good(name="Compute Down"), "name", "use lowercase letters"),
    (good(name=None), "name", "None: use lowercase"),
    (good(priority="high"), "priority", "must be a whole number"),
    (good(enabled="no"), "enabled", "must be a bool"),
    (good(description=["x"]), "description", "must be a string"),
    (good(verify=[]), "verify", "must be a dict"),
    (good(verify={"rules": ["NOVA-16"], "timeout": 0}), "verify.timeout", "between 1 and"),
    (good(verify={"rules": ["NOVA-16"], "interval": "5s"}), "verify.interval", "must be a whole number"),
])
def test_a_bad_runbook_is_refused_naming_the_file_and_the_key(data, field, words):
    err = refused(data)
    assert err.field == field, err.message
    assert "%s: %s: " % (SRC, field) in err.message
    assert words in err.message


def test_a_runbook_that_returns_the_host_must_name_its_verify_rules():
    data = good(match={"alerts": [{"name": "OsfleetNovaComputeDown"}]}, verify={})
    err = refused(data)
    assert err.field == "verify.rules" and "must name the rules that prove it fixed" in err.message
    # a manual path (ending in a hold) needs none: the release verifies what is high and critical
    held = good(match={"alerts": [{"name": "A"}]}, verify={}, steps=[{"type": "hold", "reason": "hands"}])
    assert rb.load_runbook(held, SRC).verify == ()
    # the alert match alone is enough with verify.rules
    assert rb.load_runbook(good(match={"alerts": [{"name": "A"}]}), SRC).verify == ("NOVA-16",)


def test_a_power_on_step_may_be_declared_not_disruptive_and_any_step_disruptive():
    book = rb.load_runbook(good(steps=[{"type": "power", "action": "on", "disruptive": False},
                                       {"type": "restart_service", "service": "x", "disruptive": True}]), SRC)
    assert [s.disruptive for s in book.steps] == [False, True]


def test_not_a_mapping():
    err = refused(["name", "x"])
    assert err.field == "runbook" and "holds one mapping, not list" in err.message


def test_an_unhashable_step_type_is_refused_not_a_crash():
    err = refused(with_step({"type": ["drain"]}))
    assert err.field == "steps[0].type" and "unknown step type" in err.message


def test_an_unknown_match_key_is_named_even_when_it_hides_the_rules():
    """``match: {rule: [...]}`` (a typo of rules): the error names the typo, not only 'match'."""
    err = refused(good(match={"rule": ["NOVA-16"]}))
    assert err.field == "match.rule" and "unknown key 'rule'" in err.message


@pytest.mark.parametrize("seconds", [-5, 0, rb.MAX_TIMEOUT + 1])
def test_a_wait_of_seconds_must_be_a_sensible_number(seconds):
    err = refused(with_step({"type": "wait", "until": "seconds", "seconds": seconds}))
    assert err.field == "steps[0].seconds" and "between 1 and" in err.message


def test_duplicate_keys_in_the_yaml_are_refused():
    text = "name: a\nname: b\nmatch: {rules: [NOVA-16]}\nsteps: [{type: clear_sel}]\n"
    with pytest.raises(ValidationError) as err:
        rb.load_runbook_text(text, SRC)
    assert err.value.message.startswith(SRC + ": not valid YAML") and "name" in err.value.message
    assert err.value.details["file"] == SRC


def test_not_yaml_is_refused_naming_the_file():
    with pytest.raises(ValidationError) as err:
        rb.load_runbook_text("name: [a\n", SRC)
    assert err.value.field == SRC and SRC in err.value.message


# -- several files -------------------------------------------------------------------------------------------

def test_two_operator_files_with_one_name_are_refused():
    with pytest.raises(ValidationError) as err:
        rb.load_sources([source("a", text_of()), source("b", text_of())])
    assert err.value.field == "runbook_dirs" and err.value.details["file"] == "/dir/b.yml"
    assert "'mine' is defined twice: /dir/a.yml and /dir/b.yml" in err.value.message


def test_an_operator_runbook_replaces_a_shipped_one_by_name():
    sources = rb.read_sources([])
    shipped = next(s for s in sources if s["source"].endswith("compute_down.yml"))
    mine = source("compute_down", text_of(name="compute_down", priority=10))
    books = {b.name: b for b in rb.load_sources(sources + [mine])}
    assert books["compute_down"].source == "/dir/compute_down.yml" and books["compute_down"].priority == 10
    assert len(books) == 6
    assert shipped["shipped"] is True


def test_a_shipped_runbook_twice_is_not_a_duplicate_of_the_operator():
    # the operator's one after a shipped one of that name is a replacement, not a duplicate
    books = rb.load_sources([source("x", text_of(), shipped=True), source("y", text_of(priority=1))])
    assert [(b.name, b.priority) for b in books] == [("mine", 1)]


def test_disabled_runbooks_are_left_out():
    books = rb.load_sources([source("a", text_of(name="a")), source("b", text_of(name="b", enabled=False))])
    assert [b.name for b in books] == ["a"]
    # an operator's disabled one of a shipped name switches the shipped one off
    sources = rb.read_sources([]) + [source("c", text_of(name="compute_down", enabled=False))]
    assert "compute_down" not in [b.name for b in rb.load_sources(sources)]


def test_a_bad_file_among_many_is_named():
    with pytest.raises(ValidationError) as err:
        rb.load_sources([source("a", text_of(name="a")), source("broken", text_of(name="b", bogus=1))])
    assert err.value.message.startswith("/dir/broken.yml: bogus: unknown key")


def test_read_sources_from_directories(tmp_path):
    (tmp_path / "one.yml").write_text(text_of(name="one"))
    (tmp_path / "two.yaml").write_text(text_of(name="two"))
    (tmp_path / "notes.txt").write_text("not a runbook")
    sources = rb.read_sources([str(tmp_path)], include_shipped=False)
    assert [os.path.basename(s["source"]) for s in sources] == ["one.yml", "two.yaml"]
    assert not any(s["shipped"] for s in sources)
    assert [b.name for b in rb.load_runbooks([str(tmp_path)], include_shipped=False)] == ["one", "two"]
    with pytest.raises(ValidationError) as err:
        rb.read_sources([str(tmp_path / "missing")])
    assert err.value.field == "runbook_dirs" and "does not exist" in err.value.message


# -- select --------------------------------------------------------------------------------------------------

def book(name, priority=50, rules=("NOVA-16",), alerts=(), facts=None):
    match = {"rules": list(rules)} if rules else {}
    if alerts:
        match["alerts"] = list(alerts)
    if facts:
        match["facts"] = facts
    return rb.load_runbook({"name": name, "priority": priority, "match": match,
                            "steps": [{"type": "clear_sel"}], "verify": {"rules": ["NOVA-16"]}}, "/x/%s.yml" % name)


def ordered(*books):
    return rb.load_sources([]) if not books else sorted(books, key=lambda b: (-b.priority, b.name))


def test_select_takes_the_highest_priority_that_matches():
    books = ordered(book("low", 10), book("high", 90), book("other", 99, rules=("HW-13",)))
    assert rb.select(books, ["NOVA-16"]).name == "high"
    assert rb.select(books, ["HW-13", "NOVA-16"]).name == "other"
    assert rb.select(books, ["HW-99"]) is None
    assert rb.select(books, []) is None


def test_select_by_alert_with_labels():
    books = ordered(book("crit", 60, rules=(), alerts=[{"name": "Down", "labels": {"severity": "critical"}}]),
                    book("any", 50, rules=(), alerts=[{"name": "Down"}]))
    assert rb.select(books, [], [{"name": "Down", "labels": {"severity": "critical", "host": "c1"}}]).name == "crit"
    assert rb.select(books, [], [{"name": "Down", "labels": {"severity": "warning"}}]).name == "any"
    assert rb.select(books, [], [{"name": "Down"}]).name == "any"
    assert rb.select(books, [], [{"name": "Up", "labels": {"severity": "critical"}}]) is None


def test_select_with_match_facts_and_without_a_target():
    books = rb.load_runbooks()
    unreachable = {"bmc_access": {"status": "unreachable"}}
    badauth = {"bmc_access": {"status": "auth_failed"}}
    assert rb.select(books, ["HOST-25"], target=unreachable).name == "bmc_down"
    assert rb.select(books, ["HOST-25"], target=badauth).name == "bmc_badauth"
    assert rb.select(books, ["HOST-25"], target={"bmc_access": {"status": "ok"}}) is None
    assert rb.select(books, ["HOST-25"], target={}) is None
    # no target (triage before any audit): not excluded, the highest priority wins, the audit confirms later
    assert rb.select(books, ["HOST-25"]).name == "bmc_badauth"
    assert rb.select(books, [], [{"name": "OsfleetBmcUnreachable", "labels": {"status": "auth_failed"}}],
                     target=unreachable).name == "bmc_down"


def test_fact_value():
    assert rb.fact_value({"a": {"b": {"c": 3}}}, "a.b.c") == 3
    assert rb.fact_value({"a": {"b": 1}}, "a.b.c") is None
    assert rb.fact_value({}, "a") is None


def test_matches_rules_keeps_the_order_of_the_failing_rules():
    b = book("two", rules=("HW-12", "HW-13"))
    assert b.matches_rules(["HW-13", "NOVA-16", "HW-12"]) == ["HW-13", "HW-12"]
