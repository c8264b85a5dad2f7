# -*- coding: utf-8 -*-
from __future__ import annotations

import json

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import GENESIS, AuditLog, entry_hash
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import AuditLogError


@pytest.fixture
def log(tmp_path):
    return AuditLog(str(tmp_path / "sub" / "audit.jsonl"), actor="tester@here")


def _fill(log, n=3):
    return [log.append("thing.change", "target-%d" % i, {"v": i}, {"v": i + 1}) for i in range(n)]


def test_entries_are_chained_and_verify(log):
    entries = _fill(log)
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert entries[0]["prev"] == GENESIS
    assert entries[1]["prev"] == entries[0]["hash"]
    assert entries[2]["prev"] == entries[1]["hash"]
    for e in entries:
        assert e["hash"] == entry_hash(e)
        assert e["actor"] == "tester@here"
        assert set(e) >= {"time", "action", "target", "before", "after"}
    result = log.verify()
    assert result.ok, result.errors
    assert result.entries == 3
    assert result.head.hash == entries[-1]["hash"]


def test_chain_continues_across_instances(log):
    _fill(log, 2)
    again = AuditLog(log.path)
    third = again.append("x", "y")
    assert third["seq"] == 3
    assert again.verify().ok


def test_file_is_private(log):
    import os
    import stat
    _fill(log, 1)
    assert stat.S_IMODE(os.stat(log.path).st_mode) == 0o600


def _rewrite(path, mutate):
    lines = open(path).read().splitlines()
    mutate(lines)
    with open(path, "w") as fh:
        fh.write("".join(line + "\n" for line in lines))


def test_edited_entry_is_detected(log):
    _fill(log)

    def edit(lines):
        entry = json.loads(lines[1])
        entry["after"] = {"v": 999}
        lines[1] = json.dumps(entry, sort_keys=True)
    _rewrite(log.path, edit)
    result = log.verify()
    assert not result.ok
    assert any("line 2" in e and "altered" in e for e in result.errors)


def test_edited_entry_with_recomputed_hash_breaks_the_chain(log):
    _fill(log)

    def forge(lines):
        entry = json.loads(lines[0])
        entry["actor"] = "someone-else"
        entry["hash"] = entry_hash(entry)
        lines[0] = json.dumps(entry, sort_keys=True)
    _rewrite(log.path, forge)
    result = log.verify()
    assert any("line 2" in e and "previous-entry hash" in e for e in result.errors)


def test_removed_middle_entry_is_detected(log):
    _fill(log, 4)
    _rewrite(log.path, lambda lines: lines.pop(1))
    errors = log.verify().errors
    assert any("sequence" in e for e in errors)


def test_truncated_tail_is_detected_through_the_head(log):
    entries = _fill(log, 4)
    _rewrite(log.path, lambda lines: lines.pop())
    result = log.verify()
    assert any("truncated" in e for e in result.errors)
    # also against a head kept elsewhere, with the head file gone
    import os
    os.remove(log.head_path)
    result = log.verify(expected_head={"seq": entries[-1]["seq"], "hash": entries[-1]["hash"]})
    assert any("truncated" in e for e in result.errors)


def test_partial_last_line_is_detected_and_blocks_appends(log):
    _fill(log, 2)
    with open(log.path, "rb+") as fh:
        data = fh.read()
        fh.seek(0)
        fh.truncate()
        fh.write(data[:-20])
    assert any("partial" in e for e in log.verify().errors)
    with pytest.raises(AuditLogError, match="partial"):
        log.append("x", "y")


def test_missing_head_for_non_empty_log_is_reported(log):
    import os
    _fill(log, 1)
    os.remove(log.head_path)
    assert any("no head" in e for e in log.verify().errors)


def test_empty_log_verifies(log):
    assert log.verify().ok
    assert log.entries() == []


def test_default_path_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("OSFLEET_AUDIT_LOG", str(tmp_path / "env.jsonl"))
    monkeypatch.setenv("OSFLEET_AUDIT_ACTOR", "awx:job-42")
    log = AuditLog()
    assert log.path == str(tmp_path / "env.jsonl")
    assert log.append("a", "b")["actor"] == "awx:job-42"


def test_append_needs_action_and_target(log):
    with pytest.raises(AuditLogError) as err:
        log.append("", "t")
    assert err.value.field == "action"
