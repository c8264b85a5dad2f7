# -*- coding: utf-8 -*-
"""The shipped alert rules: promtool check rules, promtool test rules (the *.test.yml files here), the lab copy.

promtool is required, not optional: these tests fail without it (``make test-deps`` installs Debian's
prometheus package, which has it), since rules nobody ran are rules that may never fire.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from ansible_collections.osfleet.day2.plugins.module_utils._alerts import rules as rules_mod

HERE = Path(__file__).resolve().parent
COLLECTION = HERE.parents[2]
RULES_DIR = COLLECTION / "extensions" / "prometheus" / "rules"
RULE_FILES = sorted(RULES_DIR.glob("*.yml"))
TEST_FILES = sorted(p for p in HERE.glob("*.test.yml") if p.name != "lab.test.yml")
#: the names other parts of the project (triage, rulebooks) refer to
ALERTS = ("OsfleetHostOvertemperature", "OsfleetFanFailed", "OsfleetPsuFailed", "OsfleetBmcUnreachable",
          "OsfleetSelCritical", "OsfleetNovaComputeDown", "OsfleetComputeDisabledUnmarked", "OsfleetHypervisorDown",
          "OsfleetCapacityLow", "OsfleetApiLatencyHigh", "OsfleetApiErrors")
SEVERITIES = {"critical", "warning", "info"}
COMPONENTS = {"hardware", "compute", "capacity", "api"}


def promtool(*args: str, cwd: Path = HERE, stdin: str = None) -> subprocess.CompletedProcess:
    exe = shutil.which("promtool")
    if exe is None:
        pytest.fail("promtool is not installed: `make test-deps` installs it (Debian's prometheus package); "
                    "the alert rules are checked and tested with it")
    return subprocess.run([exe, *args], cwd=str(cwd), input=stdin, capture_output=True, text=True, timeout=120,
                          check=False)


def all_rules():
    out = []
    for path in RULE_FILES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            out += group["rules"]
    return out


def test_rules_files_are_shipped():
    assert RULE_FILES == [RULES_DIR / "osfleet.rules.yml"]


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_promtool_check_rules(path):
    done = promtool("check", "rules", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: p.name)
def test_promtool_test_rules(path):
    done = promtool("test", "rules", path.name)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_lab_copy_fires_each_lab_fault_within_seconds(tmp_path):
    text = (RULES_DIR / "osfleet.rules.yml").read_text()
    (tmp_path / "osfleet.lab.rules.yml").write_text(rules_mod.render(text, maximum=10))
    shutil.copy(HERE / "lab.test.yml", tmp_path / "lab.test.yml")
    checked = promtool("check", "rules", "osfleet.lab.rules.yml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    done = promtool("test", "rules", "lab.test.yml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_named_alert_is_there_and_tested():
    names = {r["alert"] for r in all_rules()}
    assert set(ALERTS) <= names
    tested = set()
    for path in TEST_FILES:
        for test in yaml.safe_load(path.read_text())["tests"]:
            for case in test.get("alert_rule_test", []):
                if case.get("exp_alerts"):
                    tested.add(case["alertname"])
    assert names <= tested, names - tested


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: "%s-%s" % (r["alert"], r["labels"]["severity"]))
def test_every_alert_has_severity_component_and_words(rule):
    assert rule["labels"]["severity"] in SEVERITIES
    assert rule["labels"]["component"] in COMPONENTS
    assert rule["annotations"]["summary"] and rule["annotations"]["description"]
    rules_mod.parse_duration(rule["for"])
    if rule["labels"]["component"] in ("hardware", "compute") and rule["alert"] != "OsfleetExporterSourceDown":
        # a host alert keeps the host label through its aggregation
        assert re.search(r"by \(host\b", rule["expr"]), rule["expr"]
        assert "{{ $labels.host }}" in rule["annotations"]["summary"]


# ---- the for: renderer -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, seconds", [("0m", 0), ("10s", 10), ("5m", 300), ("1h30m", 5400), ("2d", 172800),
                                           ("500ms", 0.5)])
def test_durations(text, seconds):
    assert rules_mod.parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "5", "5 m", "m5", "1.5h"])
def test_bad_durations_are_refused(bad):
    with pytest.raises(ValueError):
        rules_mod.parse_duration(bad)


@pytest.mark.parametrize("seconds, text", [(0, "0s"), (10, "10s"), (90, "1m30s"), (3600, "1h"), (93784, "1d2h3m4s")])
def test_formatted_durations(seconds, text):
    assert rules_mod.format_duration(seconds) == text


def test_only_the_for_lines_change():
    text = (RULES_DIR / "osfleet.rules.yml").read_text()
    lab = rules_mod.render(text, scale=0.1, maximum=20)
    before, after = text.splitlines(), lab.splitlines()
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert changed and all(a.strip().startswith("for:") for a, _b in changed)
    fors = [rules_mod.parse_duration(r["for"]) for g in yaml.safe_load(lab)["groups"] for r in g["rules"]]
    assert max(fors) == 20 and min(fors) == 0
    assert rules_mod.render(text) == text  # scale 1, no cap: the file as shipped
