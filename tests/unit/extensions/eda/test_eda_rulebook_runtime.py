# -*- coding: utf-8 -*-
"""Real ansible-rulebook (and its JVM) running our source plugin and our rulebook, on loopback.

These start `.lab/venv-eda/bin/ansible-rulebook` (made by `make eda-deps`) as a subprocess, on a
free ephemeral port (never the lab's 18000-18999), POST webhooks to it and read what it did:

- a tiny rulebook with a debug action: the plugin loads by its FQCN from the collection, an
  authenticated payload fires the rule, an unauthenticated one does not, a re-delivery is
  throttled; the time to a listening source, to running rules and to the first reaction is
  printed (docs/eda.md quotes it);
- extensions/eda/rulebooks/alert_remediation.yml itself, with osfleet.day2.alert_triage swapped
  for a playbook that records what it was handed: the payload as osfleet_alert_payload, firing
  payloads with osfleet_alert_remediate true, resolved ones false, duplicates dropped, and two runs
  for one host never overlapping.

Without .lab/venv-eda they are skipped, naming `make eda-deps`.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ansible_collections.osfleet.day2.tests.unit.extensions.eda.eda_support import (
    COLLECTION, RULEBOOKS, free_port, load_payload)

EDA_VENV = COLLECTION / ".lab" / "venv-eda"
RULEBOOK_BIN = EDA_VENV / "bin" / "ansible-rulebook"
TOKEN = "smoke-token-31f0"
START_TIMEOUT = 120

MISSING = f"{RULEBOOK_BIN} is missing: run `make eda-deps` (ansible-rulebook and a Java >= 17 runtime)"
# skipped on a developer's machine without it; in CI (`make unit` installs it first) a missing runtime fails
pytestmark = pytest.mark.skipif(not RULEBOOK_BIN.exists() and not os.environ.get("CI"), reason=MISSING)


@pytest.fixture(autouse=True)
def _runtime_present():
    if not RULEBOOK_BIN.exists():
        pytest.fail(MISSING)


def collections_path() -> str:
    """Where ansible-galaxy finds osfleet.day2: the collections root these tests are imported from."""
    import ansible_collections

    for root in ansible_collections.__path__:
        if (Path(root) / "osfleet" / "day2" / "galaxy.yml").exists():
            return str(Path(root).parent)
    pytest.skip("run from the collection link (make collection-link), so ansible-rulebook finds osfleet.day2")


class Rulebook:
    """One ansible-rulebook process: started here, its output in a file, stopped by its own pid."""

    def __init__(self, tmp_path: Path, rulebook, port: int, inventory: bool = True, token: str = TOKEN) -> None:
        self.port, self.log = port, tmp_path / f"ansible-rulebook-{port}.log"
        vars_file = tmp_path / f"vars-{port}.yml"
        secrets = {"osfleet_eda_token": token, "token": token} if token else {}
        vars_file.write_text(json.dumps(dict({"osfleet_eda_port": port, "port": port}, **secrets)))
        inventory_file = tmp_path / "inventory.yml"
        inventory_file.write_text(json.dumps({"all": {"hosts": {"localhost": {
            "ansible_connection": "local", "ansible_python_interpreter": str(EDA_VENV / "bin" / "python")}}}}))
        env = dict(os.environ, PATH=f"{EDA_VENV / 'bin'}:{os.environ.get('PATH', '')}",
                   ANSIBLE_COLLECTIONS_PATH=collections_path(), ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
                   OSFLEET_EDA_RECORD_DIR=str(tmp_path / "records"), ANSIBLE_NOCOLOR="1",
                   PYTHONUNBUFFERED="1")
        cmd = [str(RULEBOOK_BIN), "-r", str(rulebook), "--vars", str(vars_file), "-v"]
        if inventory:
            cmd += ["-i", str(inventory_file)]
        self.started = time.monotonic()
        self._out = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=self._out, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, predicate, what: str, timeout: float = START_TIMEOUT) -> float:
        """Seconds since start when predicate() first held; fails with the log when the process died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return time.monotonic() - self.started
            if self.proc.poll() is not None:
                pytest.fail(f"ansible-rulebook exited {self.proc.returncode} before {what}:\n{self.output()[-4000:]}")
            time.sleep(0.05)
        pytest.fail(f"no {what} after {timeout}s:\n{self.output()[-4000:]}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as resp:
                return resp.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def post(self, payload: dict, token: str | None = TOKEN) -> int:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/alerts", method="POST",
                                         data=json.dumps(payload).encode(), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: ansible-playbook children go too
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self._out.close()


@pytest.fixture
def rulebook_process(tmp_path):
    started = []

    def start(rulebook, inventory: bool = True, token: str = TOKEN) -> Rulebook:
        process = Rulebook(tmp_path, rulebook, free_port(), inventory, token)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def test_the_shipped_rulebook_loads_by_fqcn_and_refuses_to_run_without_a_secret(rulebook_process):
    without = rulebook_process("osfleet.day2.alert_remediation", token="")
    without.proc.wait(timeout=START_TIMEOUT)
    assert without.proc.returncode != 0
    assert "ValueError: no authentication" in without.output(), without.output()[-3000:]
    assert not without.healthy()

    with_token = rulebook_process("osfleet.day2.alert_notify")
    with_token.wait_for(with_token.healthy, "listening source")
    assert with_token.post(load_payload(), token="wrong") == 401


SMOKE_RULEBOOK = """---
- name: osfleet smoke
  hosts: localhost
  sources:
    - name: alertmanager
      osfleet.day2.alertmanager:
        host: 127.0.0.1
        port: "{{ port }}"
        token: "{{ token }}"
  rules:
    - name: every firing payload once
      condition: event.alertmanager.status == "firing"
      throttle:
        once_within: 1 minute
        group_by_attributes:
          - event.osfleet.dedup_key
      action:
        debug:
          msg: "OSFLEET-SMOKE fired for {{ event.osfleet.host_key }} {{ event.meta.source.type }}"
"""


def test_real_ansible_rulebook_runs_our_source_and_reacts(tmp_path, rulebook_process, capsys):
    rulebook = tmp_path / "smoke.yml"
    rulebook.write_text(SMOKE_RULEBOOK)
    process = rulebook_process(rulebook, inventory=False)

    listening = process.wait_for(process.healthy, "listening source")
    rules_ready = process.wait_for(lambda: "Waiting for events, ruleset" in process.output(), "running rules")
    assert process.post(load_payload(), token="wrong") == 401
    posted = time.monotonic()
    assert process.post(load_payload()) == 202
    process.wait_for(lambda: "OSFLEET-SMOKE fired" in process.output(), "debug action output", timeout=30)
    reaction = time.monotonic() - posted
    assert process.post(load_payload()) == 202       # a re-delivery, as Alertmanager HA peers do
    time.sleep(2)

    out = process.output()
    assert out.count("OSFLEET-SMOKE fired") == 1, out[-3000:]   # the wrong token fired nothing, the repeat neither
    assert "OSFLEET-SMOKE fired for compute-02 osfleet.day2.alertmanager" in out
    assert TOKEN not in out
    with capsys.disabled():
        print(f"\n[eda timing] source listening {listening:.1f}s, rules running {rules_ready:.1f}s after start; "
              f"POST -> debug output {reaction * 1000:.0f} ms")


RECORDER_PLAYBOOK = """---
- name: Record what the rulebook hands to osfleet.day2.alert_triage
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Note when this run started
      ansible.builtin.set_fact:
        recorder_started: "{{ now(utc=true).timestamp() }}"
    - name: Take a while, so overlapping runs would show
      ansible.builtin.pause:
        seconds: 2
    - name: Write what was received
      ansible.builtin.copy:
        dest: "{{ lookup('ansible.builtin.env', 'OSFLEET_EDA_RECORD_DIR') }}/{{ ansible_eda.event.meta.uuid }}.json"
        mode: "0600"
        content: "{{ {'payload': osfleet_alert_payload, 'remediate': osfleet_alert_remediate,
                      'event': ansible_eda.event, 'rule': ansible_eda.rule,
                      'started': recorder_started | float, 'ended': now(utc=true).timestamp()} | to_json }}"
"""


def _resolved(payload: dict) -> dict:
    payload["status"] = "resolved"
    for alert in payload["alerts"]:
        alert["status"], alert["endsAt"] = "resolved", "2026-12-02T15:20:30.123Z"
    return payload


def _other_host(payload: dict, host: str) -> dict:
    for labels in [payload["groupLabels"], payload["commonLabels"]] + [a["labels"] for a in payload["alerts"]]:
        labels["host"], labels["instance"] = host, f"{host}:9100"
    payload["groupKey"] = payload["groupKey"].replace("compute-02", host)
    payload["alerts"][0]["fingerprint"] = "9d0f33aa7e1b2c4d"
    return payload


def test_alert_remediation_rulebook_hands_payloads_to_triage(tmp_path, rulebook_process, capsys):
    recorder = tmp_path / "record_triage.yml"
    recorder.write_text(RECORDER_PLAYBOOK)
    (tmp_path / "records").mkdir()
    text = (RULEBOOKS / "alert_remediation.yml").read_text()
    assert text.count("name: osfleet.day2.alert_triage") == 2
    rulebook = tmp_path / "alert_remediation.yml"
    rulebook.write_text(text.replace("name: osfleet.day2.alert_triage", f"name: {recorder}"))
    process = rulebook_process(rulebook)
    process.wait_for(lambda: "Waiting for events, ruleset" in process.output() and process.healthy(), "rules")

    firing = load_payload()
    posted = time.time()
    assert process.post(firing) == 202
    assert process.post(firing) == 202                              # duplicate delivery: dropped
    assert process.post(_resolved(load_payload())) == 202           # same host: waits for the first run
    assert process.post(_other_host(load_payload(), "compute-03")) == 202
    records_dir = tmp_path / "records"
    process.wait_for(lambda: len(list(records_dir.glob("*.json"))) >= 3, "three triage runs", timeout=90)
    time.sleep(3)  # a fourth (the duplicate) would have shown by now

    records = [json.loads(p.read_text()) for p in records_dir.glob("*.json")]
    assert len(records) == 3, [r["event"]["osfleet"] for r in records]
    by_key = {(r["event"]["osfleet"]["host_key"], r["payload"]["status"]): r for r in records}
    assert set(by_key) == {("compute-02", "firing"), ("compute-02", "resolved"), ("compute-03", "firing")}
    assert by_key["compute-02", "firing"]["remediate"] is True
    assert by_key["compute-03", "firing"]["remediate"] is True
    assert by_key["compute-02", "resolved"]["remediate"] is False   # resolved-only never remediates
    assert by_key["compute-02", "resolved"]["rule"] == "Resolved alerts are triaged for notification only"
    assert by_key["compute-02", "firing"]["payload"]["groupKey"] == firing["groupKey"]
    assert isinstance(by_key["compute-02", "firing"]["payload"]["alerts"], list)
    first, second = sorted((by_key["compute-02", s] for s in ("firing", "resolved")), key=lambda r: r["started"])
    assert first["ended"] <= second["started"], "two runs for compute-02 overlapped"
    for record in records:
        dumped = json.dumps(record)
        assert TOKEN not in dumped and "headers" not in dumped and "Authorization" not in dumped
    with capsys.disabled():
        print(f"\n[eda timing] POST -> the triage playbook's first task {first['started'] - posted:.1f}s; "
              f"second run for the same host started {second['started'] - first['ended']:.1f}s after the first ended")
