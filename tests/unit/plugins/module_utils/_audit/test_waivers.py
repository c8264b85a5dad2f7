# -*- coding: utf-8 -*-
"""Waivers: refused without reason, owner or end date; waive a failure only; stop at expiry and say so."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._audit import engine, policy, waivers
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
GOOD = {"rule": "BMC-0*", "target": "compute-0[12]", "reason": "vendor fix due in Q1", "who": "alice@example.org",
        "expires": "2026-12-31"}
PACK = policy.load_pack({"pack": "demo", "version": "1", "target": "host", "rules": [
    {"id": "BMC-03", "title": "IPMI off", "severity": "high", "facts": ["ipmi"],
     "condition": {"key": "ipmi", "value": False}, "rationale": "r", "references": [], "runbook": "rb"},
    {"id": "NOVA-16", "title": "up", "severity": "critical", "facts": ["state"],
     "condition": {"key": "state", "value": "up"}, "rationale": "r", "references": [], "runbook": "rb"}]}, "demo.yml")
TARGETS = {"host": [{"id": "compute-01", "ipmi": True, "state": "down"},
                    {"id": "compute-02", "ipmi": False, "state": "up"},
                    {"id": "compute-03", "ipmi": True, "state": "up"},
                    {"id": "compute-04", "_errors": {"ipmi": "unreachable"}, "state": "up"}]}


def evaluate(items, now=NOW):
    doc = engine.evaluate([PACK], TARGETS, waivers=waivers.load_waivers(items, "waivers.yml"), now=now)
    return {(r["rule"], r["target"]): r for r in doc["results"]}, doc


def test_a_valid_waiver_file_loads():
    loaded = waivers.load_waivers({"waivers": [GOOD]}, "waivers.yml")
    assert loaded[0].expires == datetime(2027, 1, 1, tzinfo=timezone.utc)  # through the end of the day
    assert loaded[0].to_dict()["source"] == "waivers.yml#0"
    assert waivers.load_waivers(None) == [] and waivers.load_waivers({"waivers": None}) == []


@pytest.mark.parametrize("missing", ["rule", "target", "reason", "who", "expires"])
def test_a_waiver_without_rule_target_reason_who_or_expiry_is_refused(missing):
    item = dict(GOOD)
    del item[missing]
    with pytest.raises(ValidationError) as err:
        waivers.load_waivers([item], "waivers.yml")
    assert err.value.field == "waivers[0].%s" % missing
    assert err.value.message.startswith("waivers.yml: waivers[0].%s: missing or empty" % missing)


@pytest.mark.parametrize("change, key, words", [
    ({"reason": "   "}, "reason", "missing or empty"),
    ({"expires": "next year"}, "expires", "is not a date"),
    ({"expires": 2026}, "expires", "is not a date"),
    ({"until": "2026-12-31"}, "until", "unknown key 'until'"),
    ({"kind": "hosts"}, "kind", "unknown target kind"),
    ({"who": 7}, "who", "a text"),
])
def test_bad_waivers_are_refused_naming_the_key(change, key, words):
    with pytest.raises(ValidationError) as err:
        waivers.load_waivers([dict(GOOD, **change)], "waivers.yml")
    assert err.value.details == {"file": "waivers.yml", "waiver": 0, "key": key}
    assert words in err.value.message


def test_unknown_top_level_key_is_refused():
    with pytest.raises(ValidationError):
        waivers.load_waivers({"waiver": [GOOD]}, "waivers.yml")


@pytest.mark.parametrize("expires, expected", [
    (date(2026, 11, 22), datetime(2026, 11, 23, tzinfo=timezone.utc)),
    (datetime(2026, 11, 22, 13, 0), datetime(2026, 11, 22, 13, 0, tzinfo=timezone.utc)),
    ("2026-11-22T13:00:00Z", datetime(2026, 11, 22, 13, 0, tzinfo=timezone.utc)),
    ("2026-11-22T13:00:00+01:00", datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)),
])
def test_expiry_forms(expires, expected):
    assert waivers.parse_expiry(expires) == expected


def test_an_active_waiver_turns_a_failure_into_waived_and_keeps_the_message():
    results, doc = evaluate([GOOD])
    waived = results[("BMC-03", "compute-01")]
    assert waived["status"] == "waived"
    assert waived["waiver"]["who"] == "alice@example.org" and waived["waiver"]["active"] is True
    assert waived["message"].startswith("waived by alice@example.org until 2026-12-31 (vendor fix due in Q1): ipmi = true")
    assert results[("BMC-03", "compute-03")]["status"] == "fail"  # target pattern does not match
    assert doc["waivers"][0]["waived"] == 1 and doc["waivers"][0]["status"] == "active"


def test_a_waiver_never_hides_an_error_and_ignores_a_pass():
    results, _doc = evaluate([dict(GOOD, target="*")])
    assert results[("BMC-03", "compute-04")]["status"] == "error"
    assert "waiver" not in results[("BMC-03", "compute-04")]
    assert results[("BMC-03", "compute-02")]["status"] == "pass"


def test_an_expired_waiver_stops_waiving_and_says_so():
    results, doc = evaluate([dict(GOOD, expires="2026-11-21")])
    failed = results[("BMC-03", "compute-01")]
    assert failed["status"] == "fail"
    assert failed["waiver"]["expired"] is True and failed["waiver"]["active"] is False
    assert "(waiver by alice@example.org expired 2026-11-21: vendor fix due in Q1)" in failed["message"]
    assert doc["waivers"][0]["status"] == "expired" and doc["waivers"][0]["expired_matches"] == 1


def test_the_day_of_expiry_still_waives():
    results, _doc = evaluate([dict(GOOD, expires="2026-11-22")], now=NOW + timedelta(hours=11))
    assert results[("BMC-03", "compute-01")]["status"] == "waived"
    results, _doc = evaluate([dict(GOOD, expires="2026-11-22")], now=NOW + timedelta(hours=12))
    assert results[("BMC-03", "compute-01")]["status"] == "fail"


def test_kind_and_pack_narrow_a_waiver():
    results, _doc = evaluate([dict(GOOD, kind="server")])
    assert results[("BMC-03", "compute-01")]["status"] == "fail"
    results, _doc = evaluate([dict(GOOD, pack="other")])
    assert results[("BMC-03", "compute-01")]["status"] == "fail"
    results, _doc = evaluate([dict(GOOD, pack="demo", kind="host", rule="*")])
    assert results[("NOVA-16", "compute-01")]["status"] == "waived"


def test_an_unused_waiver_is_reported():
    _results, doc = evaluate([dict(GOOD, rule="NOPE-*")])
    assert doc["waivers"][0]["waived"] == 0


def test_waivers_match_the_target_name_too():
    w = waivers.load_waivers([dict(GOOD, target="web-*")])[0]
    assert w.matches("demo", "BMC-03", "host", "0b1c-uuid", "web-7")
    assert not w.matches("demo", "BMC-03", "host", "0b1c-uuid", None)


def test_waiver_file_on_disk(tmp_path):
    path = tmp_path / "waivers.yml"
    path.write_text("waivers:\n  - rule: BMC-03\n    target: compute-01\n    reason: r\n    who: bob\n"
                    "    expires: 2026-12-01\n")
    loaded = waivers.load_waivers_file(str(path))
    assert loaded[0].expires_text == "2026-12-01" and loaded[0].source == str(path)
