# -*- coding: utf-8 -*-
"""Event logs as vendors serve them: paged, oldest first, expanded or link-only, on the System and the Manager."""
from __future__ import annotations

import time

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import open_bmc


def read(fake, timeout=20, **kw):
    with open_bmc(fake.address(), "admin", "secret", timeout=timeout) as bmc:
        return bmc.read_state(gather=["log"], **kw)


def entry_gets(fake):
    return [p for m, p in fake.requests if m == "GET" and "/Entries/" in p]


def test_ami_sel_on_the_manager_is_read_beside_the_bios_log_newest_first_across_pages(vendor):
    fake = vendor("ami_megarac")
    state = read(fake)
    logs = {e.log for e in state.log}
    assert logs == {"/redfish/v1/Systems/Self/LogServices/BIOS", "/redfish/v1/Managers/Self/LogServices/SEL",
                    "/redfish/v1/Managers/Self/LogServices/AuditLog"}
    sel = [e for e in state.log if e.log.endswith("/SEL")]
    assert len(sel) == 250  # five pages of 50, every one followed
    assert state.log[0].severity == "critical" and "DIMM B2" in state.log[0].message  # the newest, listed last
    times = [e.time for e in state.log]
    assert times == sorted(times, reverse=True)
    assert entry_gets(fake) == []  # $expand: no request per entry
    sel_entries = "/redfish/v1/Managers/Self/LogServices/SEL/Entries"
    pages = [p for m, p in fake.requests if m == "GET" and p.startswith(sel_entries)]
    assert len(pages) == 5 and all("$expand=.($levels=1)" in p for p in pages)
    assert state.warnings == []


def test_log_since_and_log_limit_apply_to_everything_read_and_warn(vendor):
    fake = vendor("ami_megarac")
    state = read(fake, log_since="2026-11-29T12:00:00Z", log_limit=3)
    assert len(state.log) == 3
    assert state.log[0].severity == "critical"
    assert all(e.time >= "2026-11-29T12:00:00" for e in state.log)
    assert len(state.warnings) == 1 and "left out by log_limit=3" in state.warnings[0]


def test_ilo_pages_with_next_link_and_expand_noLinks(vendor):
    fake = vendor("ilo5")
    state = read(fake)
    iml = [e for e in state.log if e.log.endswith("/IML")]
    assert len(iml) == 120
    assert len([e for e in state.log if e.log.endswith("/IEL")]) == 5
    assert state.log[0].severity == "critical"
    assert entry_gets(fake) == []


def test_link_only_entries_are_fetched_newest_first_up_to_log_limit(vendor):
    fake = vendor("intel_board")  # no ExpandQuery in the root: nothing may be expanded
    state = read(fake, log_limit=5)
    assert [e.id for e in state.log] == ["40", "39", "38", "37", "36"]
    assert state.log[0].severity == "critical"
    gets = entry_gets(fake)
    assert len(gets) == 5 and not [p for m, p in fake.requests if "$expand" in p]
    assert any("35 of 40 members not read" in w for w in state.warnings)


def test_event_timestamp_is_the_time_and_dumps_and_journal_are_not_logs(vendor):
    fake = vendor("openbmc")
    state = read(fake)
    assert {e.log for e in state.log} == {"/redfish/v1/Systems/system/LogServices/EventLog"}
    raw = fake.docs["/redfish/v1/Systems/system/LogServices/EventLog/Entries/30"]
    assert state.log[0].time == raw["EventTimestamp"] != raw["Created"]


def test_the_deadline_ends_the_crawl_not_the_call(vendor):
    fake = vendor("intel_board")
    with open_bmc(fake.address(), "admin", "secret", timeout=3) as bmc:
        fake.delay = 0.15
        start = time.monotonic()
        state = bmc.read_state(gather=["power", "log"])
        took = time.monotonic() - start
    assert took < 3.2
    assert state.power_state == "on"
    assert 0 < len(state.log) < 40
    assert any("deadline" in w for w in state.warnings)


def test_expand_offered_but_refused_falls_back_to_plain_reads(vendor):
    fake = vendor("ami_megarac")
    fake.refuse_expand = True  # the root offers $expand, the service answers 501 to it
    state = read(fake)
    sel = [e for e in state.log if e.log.endswith("/SEL")]
    assert len(sel) == 200 and sel[0].severity == "critical"  # the newest 200, one request each
    assert any("50 of 250 members not read" in w for w in state.warnings)
    expanded = [p for m, p in fake.requests if m == "GET" and "$expand" in p]
    assert len(expanded) == 1  # asked once, then never again on this BMC
