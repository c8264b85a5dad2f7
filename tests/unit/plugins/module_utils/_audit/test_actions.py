# -*- coding: utf-8 -*-
"""Acting on unused capacity, from the shipped pack's real results on the fixture cloud to the requests on the
wire (stubbed HTTP under a real Cloud): opt-in stages, marks on the resource, caps before any request, holds,
exclusion and errors left alone, one audit entry per action, and a re-run resuming after a failure."""
from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._audit import actions
from ansible_collections.osfleet.day2.plugins.module_utils._audit import facts
from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import (
    UNUSED_NOTICE,
    UNUSED_NOTIFIED,
    UNUSED_STOPPED,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.timeutil import format_time
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._audit.audit_fixtures import (
    NOW,
    fresh_cloud,
    gathered,
    run,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.bodies import ERRORS
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import path_of
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.loopback_receiver import Receiver

#: the fixture's failing unused_capacity resources (UNUSED-09 is a host: no action acts on hosts)
FAILING = {("floating_ip", "fip-idle"), ("floating_ip", "fip-orphan"), ("image", "img-old"),
           ("port", "port-gone"), ("port", "port-orphan"), ("server", "srv-2"), ("server", "srv-4"),
           ("snapshot", "snap-orphan"), ("volume", "vol-idle"), ("volume", "vol-orphan")}
OPEN = dict(max_resources=50, max_percent=100)
SECRET = "alpha-webhook-secret-0123"
LISTS = {"volume": "volumes", "snapshot": "snapshots", "port": "ports", "floating_ip": "floating_ips",
         "image": "images"}


def audit(cloud_json):
    """(results document, targets) of the unused_capacity pack over the fixture, as the module would have them."""
    targets = facts.build_targets(gathered(cloud_json))
    return run(cloud_json, packs=("unused_capacity",)), targets


def settings(**kw):
    return actions.Settings.from_options(dict(OPEN, **kw))


def resource(cloud_json, kind, rid):
    if kind == "server":
        return cloud_json["fleet"]["servers"][rid]
    return next(r for r in cloud_json[LISTS[kind]] if r["id"] == rid)


def mark(cloud_json, kind, rid, key, when):
    """What a stage left on the resource, as the next run's listing shows it."""
    r = resource(cloud_json, kind, rid)
    if kind in ("server", "volume", "snapshot"):
        r.setdefault("metadata", {})[key] = format_time(when)
    else:
        r.setdefault("tags", []).append("%s:%s" % (key, format_time(when)))


def answer_everything(stub):
    """Every call an action makes, answered as the service does."""
    stub.route("POST", "compute", r"/servers/([^/]+)/metadata", lambda req, ctx: {"metadata": req.json()["metadata"]})
    stub.route("POST", "compute", r"/servers/([^/]+)/action", "", status=202)
    stub.route("DELETE", "compute", r"/servers/([^/]+)", "", status=204)
    for what in ("volumes", "snapshots"):
        stub.route("POST", "block-storage", r"/%s/([^/]+)/metadata" % what,
                   lambda req, ctx: {"metadata": req.json()["metadata"]})
        stub.route("DELETE", "block-storage", r"/%s/([^/]+)" % what, "", status=202)
    for what in ("ports", "floatingips"):
        stub.route("PUT", "network", r"/%s/([^/]+)/tags/(.+)" % what, "", status=201)
        stub.route("DELETE", "network", r"/%s/([^/]+)" % what, "", status=204)
    stub.route("PUT", "image", r"/images/([^/]+)/tags/(.+)", "", status=204)
    stub.route("DELETE", "image", r"/images/([^/]+)", "", status=204)


def sent(stub):
    return [(r.method, path_of(r)) for r in stub.calls()]


@pytest.fixture
def log(tmp_path):
    return AuditLog(str(tmp_path / "audit.jsonl"), actor="tester")


# -- settings ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("options, field", [
    ({"stages": ["notify", "destroy"]}, "stages"),
    ({"stages": "notify"}, "stages"),
    ({"max_resources": -1}, "max_resources"),
    ({"max_resources": True}, "max_resources"),
    ({"max_percent": 150}, "max_percent"),
    ({"grace_stop_days": "a week"}, "grace_stop_days"),
    ({"grace_delete_days": -2}, "grace_delete_days"),
    ({"exclusion_tag": " "}, "exclusion_tag"),
    ({"dry_run": "yes"}, "dry_run"),
    ({"max_resource": 5}, "max_resource"),
    ({"webhooks": {"alpha": {"url": "file:///etc/passwd", "secret": "s" * 20}}}, "webhooks"),
    ({"webhooks": {"alpha": {"url": "https://hook.example.org"}}}, "webhooks"),
])
def test_a_bad_setting_is_refused_naming_it(options, field):
    with pytest.raises(ValidationError) as err:
        actions.Settings.from_options(options)
    assert err.value.field == field and field.rstrip("s").split("_")[0] in err.value.message


def test_unset_options_are_the_defaults():
    s = actions.Settings.from_options({"stages": ["delete", "notify"], "max_resources": None, "webhooks": None})
    assert s.stages == ("notify", "delete") and s.max_resources == 10 and s.webhooks == {}


def test_nothing_is_on_by_default_and_the_caps_are(stub):
    doc, targets = audit(fresh_cloud())
    s = actions.Settings()
    assert s.stages == () and s.max_resources == 10 and s.max_percent == 10
    p = actions.plan(doc, targets, s, NOW)
    assert p.actions == [] and {(x["kind"], x["target"]) for x in p.skipped} >= FAILING
    assert all("no action stage is enabled" in x["reason"] for x in p.skipped)


# -- the first stage ---------------------------------------------------------------------------------------------
def test_notify_marks_every_failing_resource_and_each_is_one_audit_entry(stub, log):
    doc, targets = audit(fresh_cloud())
    p = actions.plan(doc, targets, settings(stages=["notify", "stop", "delete"]), NOW)
    assert {(a.kind, a.target) for a in p.actions} == FAILING
    assert {a.stage for a in p.actions} == {"notify"}
    answer_everything(stub)
    done = actions.apply(stub.cloud(), p, log)
    stamp = format_time(NOW)
    calls = sent(stub)
    assert ("POST", "/servers/srv-2/metadata") in calls and ("POST", "/volumes/vol-idle/metadata") in calls
    assert ("PUT", "/ports/port-orphan/tags/%s:%s" % (UNUSED_NOTIFIED, stamp)) in calls
    assert ("PUT", "/floatingips/fip-idle/tags/%s:%s" % (UNUSED_NOTIFIED, stamp)) in calls
    assert ("PUT", "/images/img-old/tags/%s:%s" % (UNUSED_NOTIFIED, stamp)) in calls
    assert not [c for c in calls if c[0] == "DELETE" or c[1].endswith("/action")]
    body = json.loads(next(r for r in stub.calls() if path_of(r) == "/servers/srv-2/metadata").body)["metadata"]
    assert body[UNUSED_NOTIFIED] == stamp and "UNUSED-01" in body[UNUSED_NOTICE] and "osfleet-keep" in body[UNUSED_NOTICE]
    entries = log.entries()
    assert len(entries) == len(done) == len(FAILING) and log.verify().ok
    srv = next(e for e in entries if e["target"] == "server/srv-2")
    assert srv["action"] == "unused_capacity.notify" and srv["details"]["owner"] == "alpha"
    assert srv["details"]["rules"] == ["UNUSED-01"] and srv["details"]["why"][0]["age_days"] == 45.0
    assert srv["details"]["why"][0]["evidence"]["tests"]
    assert srv["after"][UNUSED_NOTIFIED] == stamp


def test_check_mode_makes_no_request_writes_no_entry_and_says_what_it_would_do(stub, log):
    doc, targets = audit(fresh_cloud())
    p = actions.plan(doc, targets, settings(stages=["notify"]), NOW)
    cloud = stub.cloud()
    done = actions.apply(cloud, p, log, check_mode=True)
    assert sent(stub) == [] and not __import__("os").path.exists(log.path)
    assert len(done) == len(FAILING) and all(d["check_mode"] and d["changed"] for d in done)
    diff = p.diff()
    assert "server/srv-2 (vm-2): status=SHUTOFF\n" in diff["before"]
    assert "server/srv-2 (vm-2): %s=%s, status=SHUTOFF\n" % (UNUSED_NOTIFIED, format_time(NOW)) in diff["after"]
    assert "volume/vol-idle (vol-idle): no marks\n" in diff["before"]
    dry = actions.plan(doc, targets, settings(stages=["notify"], dry_run=True), NOW)
    assert len(actions.apply(cloud, dry, log)) == len(FAILING) and sent(stub) == []


# -- caps --------------------------------------------------------------------------------------------------------
def test_max_resources_refuses_the_whole_run_before_any_request(stub):
    doc, targets = audit(fresh_cloud())
    with pytest.raises(actions.CapExceededError) as err:
        actions.plan(doc, targets, settings(stages=["notify"], max_resources=9), NOW)
    e = err.value
    assert e.field == "max_resources" and "10 resources" in e.message and "max_resources 9" in e.message
    assert e.details["count"] == 10 and e.details["by_kind"]["server"] == 2
    assert sent(stub) == []


def test_max_percent_is_of_the_kinds_population(stub):
    doc, targets = audit(fresh_cloud())
    with pytest.raises(actions.CapExceededError) as err:
        actions.plan(doc, targets, settings(stages=["notify"], max_percent=30), NOW)
    e = err.value  # 2 of 4 floating IPs is the first kind over 30 %
    assert e.field == "max_percent" and "2 of 4 floating_ips (50.0%)" in e.message and "max_percent 30" in e.message
    assert (e.details["kind"], e.details["count"], e.details["population"]) == ("floating_ip", 2, 4)


def test_apply_checks_the_caps_again_before_any_request(stub, log):
    doc, targets = audit(fresh_cloud())
    p = actions.plan(doc, targets, settings(stages=["notify"]), NOW)
    p.settings = dataclasses.replace(p.settings, max_resources=1)
    answer_everything(stub)
    with pytest.raises(actions.CapExceededError):
        actions.apply(stub.cloud(), p, log)
    assert sent(stub) == [] and log.entries() == []


# -- the stages --------------------------------------------------------------------------------------------------
def test_a_server_is_stopped_only_after_notice_and_grace_then_deleted_after_another(stub, log):
    cloud_json = fresh_cloud()
    mark(cloud_json, "server", "srv-4", UNUSED_NOTIFIED, NOW - timedelta(days=8))   # grace 7 over: stop
    mark(cloud_json, "server", "srv-2", UNUSED_NOTIFIED, NOW - timedelta(days=3))   # grace 7 not over: wait
    mark(cloud_json, "volume", "vol-idle", UNUSED_NOTIFIED, NOW - timedelta(days=15))  # grace 14 over: delete
    mark(cloud_json, "port", "port-orphan", UNUSED_NOTIFIED, NOW - timedelta(days=2))
    doc, targets = audit(cloud_json)
    p = actions.plan(doc, targets, settings(stages=["notify", "stop", "delete"], rules=["UNUSED-0[1-5]"]), NOW)
    stages = {a.ref: a.stage for a in p.actions}
    assert stages["server/srv-4"] == "stop" and stages["volume/vol-idle"] == "delete"
    assert [a.stage for a in p.actions] == sorted((a.stage for a in p.actions),
                                                  key=["notify", "stop", "delete"].index)  # gentlest first
    assert "server/srv-2" not in stages and "port/port-orphan" not in stages
    waiting = {w["target"]: w for w in p.waiting}
    assert waiting["srv-2"]["next"] == "stop" and waiting["srv-2"]["due_at"] == format_time(NOW + timedelta(days=4))
    assert waiting["port-orphan"]["next"] == "delete"
    assert "vol-orphan" not in stages.values() and "volume/vol-orphan" not in stages  # UNUSED-10: not in rules
    answer_everything(stub)
    done = actions.apply(stub.cloud(), p, log)
    calls = sent(stub)
    stop = [r for r in stub.calls() if path_of(r) == "/servers/srv-4/action"]
    assert len(stop) == 1 and json.loads(stop[0].body) == {"os-stop": None}
    assert ("POST", "/servers/srv-4/metadata") in calls and ("DELETE", "/volumes/vol-idle") in calls
    assert calls.index(("POST", "/servers/srv-4/action")) < calls.index(("POST", "/servers/srv-4/metadata"))
    assert {e["action"] for e in log.entries()} >= {"unused_capacity.stop", "unused_capacity.delete"}
    assert next(d for d in done if d["target"] == "srv-4")["stop_requested"] is True

    # the next run, 15 days after the stop: delete the server; the stage is read back from its marks
    mark(cloud_json, "server", "srv-4", UNUSED_STOPPED, NOW)
    later = NOW + timedelta(days=15)
    doc, targets = audit(cloud_json)
    p = actions.plan(doc, targets, settings(stages=["notify", "stop", "delete"], rules=["UNUSED-02"]), later)
    assert [(a.ref, a.stage) for a in p.actions] == [("server/srv-4", "delete")]


def test_a_server_already_shut_off_is_only_marked_stopped(stub, log):
    cloud_json = fresh_cloud()
    mark(cloud_json, "server", "srv-2", UNUSED_NOTIFIED, NOW - timedelta(days=8))
    doc, targets = audit(cloud_json)
    p = actions.plan(doc, targets, settings(stages=["stop"], rules=["UNUSED-01"]), NOW)
    answer_everything(stub)
    done = actions.apply(stub.cloud(), p, log)
    assert sent(stub) == [("POST", "/servers/srv-2/metadata")]
    assert done[0]["stop_requested"] is False and done[0]["status_before"] == "SHUTOFF"


def test_no_stop_or_delete_without_a_notice_and_a_stage_not_enabled_waits(stub):
    cloud_json = fresh_cloud()
    mark(cloud_json, "server", "srv-4", UNUSED_NOTIFIED, NOW - timedelta(days=30))
    doc, targets = audit(cloud_json)
    p = actions.plan(doc, targets, settings(stages=["stop", "delete"]), NOW)
    assert [(a.ref, a.stage) for a in p.actions] == [("server/srv-4", "stop")]
    reasons = {x["target"]: x["reason"] for x in p.skipped}
    assert "notify stage is not enabled" in reasons["vol-idle"]
    p = actions.plan(doc, targets, settings(stages=["notify"]), NOW)
    assert "server/srv-4" not in {a.ref for a in p.actions}
    assert {w["target"]: w["reason"] for w in p.waiting}["srv-4"] == "stage stop is not enabled"


def test_an_unreadable_mark_is_left_for_a_person(stub):
    cloud_json = fresh_cloud()
    resource(cloud_json, "volume", "vol-idle")["metadata"][UNUSED_NOTIFIED] = "last tuesday"
    doc, targets = audit(cloud_json)
    p = actions.plan(doc, targets, settings(stages=["notify", "delete"]), NOW)
    assert "volume/vol-idle" not in {a.ref for a in p.actions}
    assert "is not a time" in {x["target"]: x["reason"] for x in p.skipped}["vol-idle"]


# -- what is never touched ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("change, reason", [
    (lambda t: t.update(held=True, hold={"quarantine": "case-9", "maintenance": None}), "held (quarantine case-9)"),
    (lambda t: t.pop("held"), "its hold is not known"),
    (lambda t: t["tags"].append("osfleet-keep"), "exclusion tag osfleet-keep"),
    (lambda t: t["metadata"].update({"osfleet-keep": "yes"}), "exclusion tag osfleet-keep"),
])
def test_held_or_excluded_resources_are_left_alone_even_if_a_result_says_fail(stub, change, reason):
    """The pack already keeps them out; the actions check again (a site pack may not)."""
    doc, targets = audit(fresh_cloud())
    change(next(t for t in targets["volume"] if t["id"] == "vol-idle"))
    p = actions.plan(doc, targets, settings(stages=["notify"]), NOW)
    assert "volume/vol-idle" not in {a.ref for a in p.actions}
    assert reason in {x["target"]: x["reason"] for x in p.skipped}["vol-idle"]


def test_a_target_with_an_error_result_is_skipped(stub):
    doc, targets = audit(fresh_cloud())
    doc["results"].append(dict(next(r for r in doc["results"] if r["target"] == "vol-idle"), rule="SITE-01",
                               pack="site", status="error", message="could not gather project"))
    p = actions.plan(doc, targets, settings(stages=["notify"]), NOW)
    assert "volume/vol-idle" not in {a.ref for a in p.actions}
    assert "SITE-01 could not be evaluated" in {x["target"]: x["reason"] for x in p.skipped}["vol-idle"]


def test_waived_and_other_packs_failures_are_not_acted_on(stub):
    doc, targets = audit(fresh_cloud())
    for r in doc["results"]:
        if r["target"] == "vol-idle" and r["status"] == "fail":
            r["status"] = "waived"
    p = actions.plan(doc, targets, settings(stages=["notify"], pack="compute_hosts"), NOW)
    assert p.actions == []
    p = actions.plan(doc["results"], targets, settings(stages=["notify"]), NOW)
    assert "volume/vol-idle" not in {a.ref for a in p.actions} and len(p.actions) == len(FAILING) - 1


# -- failure mid-way and the re-run ------------------------------------------------------------------------------
def test_a_failure_mid_way_stops_and_the_rerun_resumes_from_the_marks(stub, log):
    cloud_json = fresh_cloud()
    doc, targets = audit(cloud_json)
    p = actions.plan(doc, targets, settings(stages=["notify"]), NOW)
    order = [a.ref for a in p.actions]
    assert order.index("snapshot/snap-orphan") > 0
    answer_everything(stub)
    stub.fail("POST", "block-storage", "/snapshots/snap-orphan/metadata", 400, ERRORS["block-storage"][0])
    with pytest.raises(actions.ActionFailedError) as err:
        actions.apply(stub.cloud(), p, log)
    e = err.value
    first = order[:order.index("snapshot/snap-orphan")]
    assert [d["kind"] + "/" + d["target"] for d in e.done] == first
    assert "notify of snapshot/snap-orphan" in e.message and "a re-run resumes" in e.message
    assert "Volume status must be available" in e.message and e.details["status_code"] == 400
    assert [x["target"] for x in log.entries()] == first
    assert not [r for r in stub.calls() if path_of(r).startswith("/volumes/")]  # nothing after the failure

    # the next run sees the marks the first one left, and does only the rest
    for ref in first:
        kind, rid = ref.split("/")
        mark(cloud_json, kind, rid, UNUSED_NOTIFIED, NOW)
    doc, targets = audit(cloud_json)
    again = actions.plan(doc, targets, settings(stages=["notify"]), NOW + timedelta(hours=1))
    assert [a.ref for a in again.actions] == order[len(first):]
    assert {w["kind"] + "/" + w["target"] for w in again.waiting} == set(first)


@pytest.fixture
def receiver():
    r = Receiver(secrets={"alpha": SECRET})
    yield r
    r.close()


def with_webhook(receiver, **kw):
    return settings(stages=["notify"], rules=["UNUSED-05"], webhook_timeout=5,
                    webhooks={"alpha": {"url": receiver.url + "alpha", "secret": SECRET}}, **kw)


def test_a_project_with_a_webhook_gets_a_signed_notice_before_the_mark(stub, log, receiver):
    doc, targets = audit(fresh_cloud())
    p = actions.plan(doc, targets, with_webhook(receiver), NOW)
    answer_everything(stub)
    done = actions.apply(stub.cloud(), p, log)
    assert [d["target"] for d in done] == ["vol-idle"] and done[0]["webhook"] is True
    [notice] = receiver.notices
    assert notice["verified"] and notice["event"] == "unused_capacity.notice"
    assert notice["delivery"] == "unused:volume:vol-idle:notify:UNUSED-05"
    body = notice["body"]
    assert body["resource"] == {"kind": "volume", "id": "vol-idle", "name": "vol-idle"} and body["rules"] == ["UNUSED-05"]
    assert body["why"][0]["age_days"] == 60.0 and body["keep_with"] == {"tag": "osfleet-keep"}
    assert sent(stub) == [("POST", "/volumes/vol-idle/metadata")]
    assert log.entries()[0]["details"]["webhook"] is True
    assert SECRET not in json.dumps(log.entries()) and SECRET not in json.dumps(p.to_dict())


def test_a_webhook_that_does_not_take_the_notice_leaves_the_resource_unmarked(stub, log, receiver):
    receiver.status = 503
    doc, targets = audit(fresh_cloud())
    p = actions.plan(doc, targets, with_webhook(receiver), NOW)
    answer_everything(stub)
    done = actions.apply(stub.cloud(), p, log)
    assert len(receiver.notices) == 1
    assert list(done) == [] and sent(stub) == [] and log.entries() == []
    assert "did not take the notice of volume/vol-idle (HTTP 503)" in done.warnings[0]
    assert "sent again on the next run" in done.warnings[0]


# -- a resource used again loses its marks -----------------------------------------------------------------------
def test_a_server_started_again_loses_its_marks_and_that_is_not_capped(stub, log):
    cloud_json = fresh_cloud()
    mark(cloud_json, "server", "srv-2", UNUSED_NOTIFIED, NOW - timedelta(days=20))
    resource(cloud_json, "server", "srv-2")["metadata"][UNUSED_NOTICE] = "unused (UNUSED-01): ..."
    resource(cloud_json, "server", "srv-2").update(status="ACTIVE", power_state="running", vm_state="active")
    cloud_json["server_times"]["srv-2"]["state_since"] = format_time(NOW - timedelta(days=2))
    doc, targets = audit(cloud_json)
    p = actions.plan(doc, targets, settings(stages=["notify"], rules=["UNUSED-01"], max_resources=0), NOW)
    assert [(a.ref, a.stage) for a in p.actions] == [("server/srv-2", "clear")]
    answer_everything(stub)
    stub.route("DELETE", "compute", r"/servers/srv-2/metadata/(.+)", "", status=204)
    actions.apply(stub.cloud(), p, log)
    assert sent(stub) == [("DELETE", "/servers/srv-2/metadata/%s" % UNUSED_NOTICE),
                          ("DELETE", "/servers/srv-2/metadata/%s" % UNUSED_NOTIFIED)]
    [entry] = log.entries()
    assert entry["action"] == "unused_capacity.clear" and entry["before"] == {
        UNUSED_NOTIFIED: format_time(NOW - timedelta(days=20)), "status": "ACTIVE"}
    assert entry["after"] == {"status": "ACTIVE"}


@pytest.mark.parametrize("changed_after, cleared", [(timedelta(minutes=10), False), (timedelta(days=2), True)])
def test_a_port_passing_again_only_because_of_our_own_tag_keeps_it(stub, changed_after, cleared):
    """Neutron moves updated_at when a tag is added: that must not read as 'in use again'."""
    cloud_json = fresh_cloud()
    notified = NOW - timedelta(days=3)
    mark(cloud_json, "port", "port-orphan", UNUSED_NOTIFIED, notified)
    resource(cloud_json, "port", "port-orphan")["updated_at"] = format_time(notified + changed_after)
    doc, targets = audit(cloud_json)
    p = actions.plan(doc, targets, settings(stages=["notify", "delete"], rules=["UNUSED-03"]), NOW)
    clears = [a for a in p.actions if a.ref == "port/port-orphan"]
    if cleared:
        assert [a.stage for a in clears] == ["clear"]
        assert clears[0].remove == ["%s:%s" % (UNUSED_NOTIFIED, format_time(notified))]
    else:
        assert clears == []
        assert "has not changed since our mark" in {x["target"]: x["reason"] for x in p.skipped}["port-orphan"]


def test_a_held_resource_keeps_its_marks_too(stub):
    cloud_json = fresh_cloud()
    mark(cloud_json, "server", "srv-3", UNUSED_NOTIFIED, NOW - timedelta(days=20))  # quarantined (case-7)
    cloud_json["server_times"]["srv-3"]["state_since"] = format_time(NOW - timedelta(days=1))
    doc, targets = audit(cloud_json)
    p = actions.plan(doc, targets, settings(stages=["notify"]), NOW)
    assert "server/srv-3" not in {a.ref for a in p.actions}


def test_an_audit_log_that_cannot_be_written_stops_the_run_after_that_action(stub, tmp_path):
    blocked = tmp_path / "ro"
    blocked.write_text("a file where the log's directory should be")
    doc, targets = audit(fresh_cloud())
    p = actions.plan(doc, targets, settings(stages=["notify"], rules=["UNUSED-05"]), NOW)
    answer_everything(stub)
    with pytest.raises(actions.ActionFailedError) as err:
        actions.apply(stub.cloud(), p, AuditLog(str(blocked / "audit.jsonl")))
    assert "was done but could not be written to the audit log" in err.value.message
    assert [d["target"] for d in err.value.done] == ["vol-idle"]
    assert sent(stub) == [("POST", "/volumes/vol-idle/metadata")]
