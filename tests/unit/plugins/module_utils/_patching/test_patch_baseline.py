# -*- coding: utf-8 -*-
"""The last tested configuration per host model: stored in chunks with its sha256, audited, tamper found,
a host compared against it."""
from __future__ import annotations

import hashlib

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
)
from ansible_collections.osfleet.day2.plugins.module_utils._patching import baseline as bl

MODEL = "PowerEdge R650"
VERSIONS = {"firmware": {"BIOS": "2.19.1", "iDRAC": "7.00.30.00", "NIC.Slot.3": "22.31.6"},
            "packages": {"nova-compute": "29.2.0-1", "openvswitch-switch": "3.1.0-2"},
            "kernel": "6.1.0-28-amd64"}


def verified(versions=None, model=MODEL):
    return bl.Baseline(model=model, versions=versions or VERSIONS, run="p1", wave=1,
                       verified_at="2026-12-04T12:00:00Z")


def record(fake, model=MODEL):
    return next(a for a in fake.aggregates() if a["name"] == bl.AGGREGATE_PREFIX + bl.model_slug(model))


class Audit:
    def __init__(self, log):
        self.log = log

    def __call__(self, action, target, before, after, details):
        self.log.append(action, target, before, after, details)


def test_a_saved_baseline_reads_back_and_its_sha256_is_in_the_audit_log(nova_fake, tmp_path):
    log = AuditLog(str(tmp_path / "audit.jsonl"), actor="test")
    store = bl.BaselineStore(nova_fake.api, audit=Audit(log))
    sha = store.save(verified())
    md = record(nova_fake)["metadata"]
    text = "".join(md["%s%d" % (bl.CHUNK_KEY, n)] for n in range(int(md[bl.B_CHUNKS])))
    assert sha == md[bl.B_SHA] == hashlib.sha256(text.encode()).hexdigest()
    assert '"kernel":{"kernel":"6.1.0-28-amd64"}' in text  # canonical: sorted keys, no spaces
    entries = log.entries()
    assert [(e["action"], e["target"], e["after"]) for e in entries] == [("patching.baseline", MODEL, sha)]
    assert entries[0]["details"]["sha256"] == sha and log.verify().ok
    back = store.load(MODEL, expected_sha=bl.audited_sha(log.entries(), MODEL))
    assert back == bl.Baseline(MODEL, bl.normalize(VERSIONS), "p1", 1, "2026-12-04T12:00:00Z")
    assert back.sha256() == sha


def test_a_big_baseline_is_split_into_chunks_within_nova_s_limits(nova_fake):
    packages = {"python3-package-number-%03d" % n: "1.%d.0-1ubuntu0.%d" % (n, n) for n in range(120)}
    sha = bl.BaselineStore(nova_fake.api).save(verified({"packages": packages}))
    md = record(nova_fake)["metadata"]
    assert int(md[bl.B_CHUNKS]) > 20 and all(len(v) <= 255 and len(k) <= 255 for k, v in md.items())
    assert bl.BaselineStore(nova_fake.api).load(MODEL).versions["packages"] == packages
    assert bl.BaselineStore(nova_fake.api).load(MODEL).sha256() == sha


def test_a_new_baseline_replaces_the_old_and_drops_its_extra_chunks(nova_fake):
    audit = []
    store = bl.BaselineStore(nova_fake.api, audit=lambda *a: audit.append(a))
    first = store.save(verified({"packages": {"p%03d" % n: "1.0" for n in range(60)}}))
    second = store.save(verified({"kernel": "6.1.0-29-amd64"}))
    md = record(nova_fake)["metadata"]
    assert md[bl.B_CHUNKS] == "1" and not [k for k in md if k.startswith(bl.CHUNK_KEY) and k != bl.CHUNK_KEY + "0"]
    assert [(a[2], a[3]) for a in audit] == [(None, first), (first, second)]
    assert store.load(MODEL).versions == {"kernel": {"kernel": "6.1.0-29-amd64"}}


def test_saving_the_same_baseline_again_writes_and_audits_nothing(nova_fake):
    audit = []
    store = bl.BaselineStore(nova_fake.api, audit=lambda *a: audit.append(a))
    store.save(verified())
    writes = len(nova_fake.writes)
    store.save(verified())
    assert len(nova_fake.writes) == writes and len(audit) == 1


def test_check_mode_writes_nothing(nova_fake):
    audit = []
    sha = bl.BaselineStore(nova_fake.api, audit=lambda *a: audit.append(a), check_mode=True).save(verified())
    assert sha == verified().sha256() and not audit
    with pytest.raises(NotFoundError, match="no baseline for host model PowerEdge R650"):
        bl.BaselineStore(nova_fake.api).load(MODEL)


def test_a_baseline_edited_outside_a_run_is_found(nova_fake):
    bl.BaselineStore(nova_fake.api).save(verified())
    md = nova_fake._aggregates[record(nova_fake)["id"]]["metadata"]
    md[bl.CHUNK_KEY + "0"] = md[bl.CHUNK_KEY + "0"].replace("2.19.1", "2.18.0")
    with pytest.raises(ConflictError, match="changed outside a patch run: its content hashes to sha256"):
        bl.BaselineStore(nova_fake.api).load(MODEL)


def test_a_baseline_rewritten_with_a_matching_sha256_is_found_by_the_audit_log(nova_fake, tmp_path):
    log = AuditLog(str(tmp_path / "audit.jsonl"), actor="test")
    bl.BaselineStore(nova_fake.api, audit=Audit(log)).save(verified())
    forged = verified({"firmware": {"BIOS": "2.18.0"}}).to_metadata()
    md = nova_fake._aggregates[record(nova_fake)["id"]]["metadata"]
    md.clear()
    md.update(forged)
    assert bl.BaselineStore(nova_fake.api).load(MODEL).versions == {"firmware": {"BIOS": "2.18.0"}}
    with pytest.raises(ConflictError, match="is not the one the audit log recorded") as err:
        bl.BaselineStore(nova_fake.api).load(MODEL, expected_sha=bl.audited_sha(log.entries(), MODEL))
    assert err.value.details["audited"] == bl.audited_sha(log.entries(), MODEL)


def test_a_baseline_missing_a_chunk_is_found(nova_fake):
    bl.BaselineStore(nova_fake.api).save(verified({"packages": {"p%03d" % n: "1.0" for n in range(60)}}))
    md = nova_fake._aggregates[record(nova_fake)["id"]]["metadata"]
    del md[bl.CHUNK_KEY + "1"]
    with pytest.raises(ConflictError, match="lacks osfleet_patch_base_json_1"):
        bl.BaselineStore(nova_fake.api).load(MODEL)


def test_what_a_rollback_would_change():
    current = {"firmware": {"BIOS": "2.20.0", "iDRAC": "7.00.30.00", "NIC.Slot.3": "22.31.6", "PSU.1": "00.3D"},
               "packages": {"nova-compute": "29.2.1-1", "openvswitch-switch": "3.1.0-2"},
               "kernel": "6.1.0-29-amd64"}
    found = bl.compare(verified(), "compute-07", MODEL, current)
    assert not found.matches
    assert [(c.label, c.current, c.baseline) for c in found.rollback()] == [
        ("firmware BIOS", "2.20.0", "2.19.1"), ("kernel", "6.1.0-29-amd64", "6.1.0-28-amd64"),
        ("packages nova-compute", "29.2.1-1", "29.2.0-1")]
    assert found.extra == (("firmware", "PSU.1"),)
    assert found.to_dict()["baseline_sha256"] == verified().sha256()
    assert bl.compare(verified(), "compute-08", MODEL, VERSIONS).matches


def test_a_rollback_is_refused_naming_what_the_host_does_not_report():
    found = bl.compare(verified(), "compute-07", MODEL, {"firmware": {"BIOS": "2.20.0"}, "kernel": "6.1.0-28-amd64"})
    with pytest.raises(ConflictError) as err:
        found.rollback()
    assert err.value.message == ("cannot roll compute-07 back to the baseline of model PowerEdge R650: the host "
                                 "does not report firmware NIC.Slot.3, firmware iDRAC, packages nova-compute, "
                                 "packages openvswitch-switch")
    assert {"kind": "firmware", "component": "iDRAC"} in err.value.details["missing"]


def test_a_host_of_another_model_is_not_compared():
    with pytest.raises(ConflictError, match="compute-07 is a R750, the baseline is for PowerEdge R650"):
        bl.compare(verified(), "compute-07", "R750", VERSIONS)


def test_model_slugs_are_readable_and_never_shared():
    assert bl.model_slug(MODEL).startswith("poweredge-r650-")
    assert bl.model_slug("PowerEdge R650") != bl.model_slug("PowerEdge/R650")
    assert len(bl.model_slug("x" * 300)) == 49


@pytest.mark.parametrize("versions, words", [({"bios": {"x": "1"}}, "'bios' is not one of"), ([], "a mapping"),
                                             ({}, "at least one version")])
def test_bad_versions_are_refused(nova_fake, versions, words):
    with pytest.raises(ValidationError, match=words):
        bl.BaselineStore(nova_fake.api).save(bl.Baseline(MODEL, versions))


# ---- the previous baseline, and what a rollback goes back to ---------------------------------------------

def test_a_new_baseline_keeps_the_one_it_replaced_and_a_third_drops_the_first(nova_fake):
    store = bl.BaselineStore(nova_fake.api)
    old = verified({"packages": {"p%03d" % n: "1.0" for n in range(60)}})
    store.save(old)
    assert store.load_both(MODEL) == (old, None)
    new = verified({"packages": {"agent": "2.0"}})
    store.save(new)
    assert store.load_both(MODEL) == (new, old)
    third = verified({"packages": {"agent": "3.0"}})
    store.save(third)
    md = record(nova_fake)["metadata"]
    assert store.load_both(MODEL) == (third, new)
    assert not [k for k in md if k.startswith(bl.PREV + "json_") and k != bl.PREV + "json_0"], "stale chunks"


def test_a_rollback_s_baseline_keeps_no_previous(nova_fake):
    store = bl.BaselineStore(nova_fake.api)
    store.save(verified({"packages": {"agent": "1.0"}}))
    store.save(verified({"packages": {"agent": "2.0"}}))
    back = verified({"packages": {"agent": "1.0"}})
    store.save(back, keep_previous=False)
    assert store.load_both(MODEL) == (back, None)
    assert not [k for k in record(nova_fake)["metadata"] if k.startswith(bl.PREV)]


def test_an_edited_previous_baseline_is_found(nova_fake):
    store = bl.BaselineStore(nova_fake.api)
    store.save(verified({"packages": {"agent": "1.0"}}))
    store.save(verified({"packages": {"agent": "2.0"}}))
    md = nova_fake._aggregates[record(nova_fake)["id"]]["metadata"]
    md[bl.PREV + "json_0"] = md[bl.PREV + "json_0"].replace("1.0", "0.9")
    with pytest.raises(ConflictError, match="changed outside a patch run"):
        store.load_both(MODEL)


ONE = verified({"packages": {"agent": "1.0"}, "firmware": {"BMC": "7.10"}})
TWO = verified({"packages": {"agent": "2.0"}, "firmware": {"BMC": "7.20"}})


def test_a_host_off_its_baseline_goes_back_to_it():
    base, cmp = bl.rollback_target(ONE, None, "compute-01", MODEL,
                                   {"packages": {"agent": "2.0"}, "firmware": {"BMC": "7.20"}, "kernel": "6.1"})
    assert base is ONE and [(c.kind, c.component, c.current, c.baseline) for c in cmp.changes] == [
        ("firmware", "BMC", "7.20", "7.10"), ("packages", "agent", "2.0", "1.0")]


def test_a_host_on_its_baseline_goes_back_to_the_previous_one():
    base, cmp = bl.rollback_target(TWO, ONE, "compute-01", MODEL,
                                   {"packages": {"agent": "2.0"}, "firmware": {"BMC": "7.20"}})
    assert base is ONE and len(cmp.changes) == 2


def test_a_rollback_with_nothing_to_go_back_to_is_refused_naming_why():
    with pytest.raises(ConflictError, match="has no baseline"):
        bl.rollback_target(None, None, "compute-01", MODEL, {"packages": {"agent": "1.0"}})
    with pytest.raises(ConflictError, match="runs the baseline of model PowerEdge R650 .* no earlier one"):
        bl.rollback_target(ONE, None, "compute-01", MODEL, {"packages": {"agent": "1.0"}, "firmware": {"BMC": "7.10"}})
    with pytest.raises(ConflictError, match="does not report firmware BMC"):
        bl.rollback_target(ONE, None, "compute-01", MODEL, {"packages": {"agent": "2.0"}})


def test_the_same_configuration_verified_by_a_later_wave_keeps_the_previous(nova_fake):
    store = bl.BaselineStore(nova_fake.api)
    one = verified({"packages": {"agent": "1.0"}})
    store.save(one)
    store.save(verified({"packages": {"agent": "2.0"}}))
    later = bl.Baseline(model=MODEL, versions={"packages": {"agent": "2.0"}}, run="p1", wave=2)
    store.save(later)
    assert store.load_both(MODEL) == (later, one)
