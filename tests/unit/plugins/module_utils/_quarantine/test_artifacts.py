# -*- coding: utf-8 -*-
"""artifacts.ensure: the one find -> replace-if-failed -> make -> wait sequence of every case artifact."""
from __future__ import annotations

from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.artifacts import ensure


def run(found):
    """ensure() over one resource (or none) that a killed run may have left; what it did, in order."""
    did = []
    kept = ensure(find=lambda: did.append("find") or found,
                  failed=lambda res: res["status"] == "error",
                  delete=lambda res: did.append("delete %s" % res["id"]),
                  create=lambda: did.append("create") or {"id": "new", "status": "creating"},
                  wait=lambda res: did.append("wait %s" % res["id"]) or dict(res, status="available"))
    return kept, did


def test_nothing_found_is_made_and_waited_for():
    kept, did = run(None)
    assert did == ["find", "create", "wait new"]
    assert kept.made is True and kept.resource == {"id": "new", "status": "available"}


def test_what_an_earlier_run_left_is_kept_and_waited_for():
    kept, did = run({"id": "old", "status": "creating"})
    assert did == ["find", "wait old"]
    assert kept.made is False and kept.resource == {"id": "old", "status": "available"}


def test_a_failed_one_is_deleted_then_made_again():
    kept, did = run({"id": "old", "status": "error"})
    assert did == ["find", "delete old", "create", "wait new"]
    assert kept.made is True and kept.resource["id"] == "new"
