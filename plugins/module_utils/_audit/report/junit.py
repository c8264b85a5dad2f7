# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""compliance.junit.xml: one test suite per pack, one test case per (rule, target).

JUnit has no single schema (Jenkins, GitLab and pytest read slightly
different flavours); this writes what all three read: ``testsuites`` >
``testsuite`` > ``testcase`` with ``failure``, ``error`` and ``skipped``
children and the counts as attributes. A case is named
``[severity] RULE-ID title`` and classed ``kind.target``, so CI and AWX
group the results by host. Waived and not-applicable results are skipped,
with the reason as the message.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any, Dict, List

from ansible_collections.osfleet.day2.plugins.module_utils._audit import results as R

#: characters XML 1.0 cannot carry (control characters from a BMC's log message, for one)
_INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: Any) -> str:
    return _INVALID_XML.sub("\ufffd", "" if text is None else str(text))


def _case_name(r: Dict[str, Any]) -> str:
    return "[%s] %s %s" % (r["severity"], r["rule"], r.get("title") or "")


def _counts(results: List[Dict[str, Any]]) -> Dict[str, str]:
    fail = sum(1 for r in results if r["status"] == R.FAIL)
    err = sum(1 for r in results if r["status"] == R.ERROR)
    skip = sum(1 for r in results if r["status"] in (R.WAIVED, R.NOT_APPLICABLE))
    return {"tests": str(len(results)), "failures": str(fail), "errors": str(err), "skipped": str(skip)}


def to_junit(document: Dict[str, Any]) -> str:
    run = document.get("run", {})
    root = ET.Element("testsuites", dict(name="osfleet.day2 compliance", time="%.3f" % run.get("evaluation_seconds", 0),
                                         timestamp=_clean(run.get("evaluated_at")), **_counts(document["results"])))
    by_pack: Dict[str, List[Dict[str, Any]]] = {}
    for r in document["results"]:
        by_pack.setdefault(r["pack"], []).append(r)
    for pack in document.get("packs", []):
        results = by_pack.get(pack["name"], [])
        suite = ET.SubElement(root, "testsuite", dict(name=_clean(pack["name"]), time="0",
                                                      timestamp=_clean(run.get("evaluated_at")),
                                                      hostname=_clean(run.get("controller") or "localhost"),
                                                      **_counts(results)))
        props = ET.SubElement(suite, "properties")
        for name, value in (("pack_version", pack.get("version")), ("pack_sha256", pack.get("sha256")),
                            ("run_id", run.get("id")), ("who", run.get("who"))):
            ET.SubElement(props, "property", name=name, value=_clean(value))
        for r in results:
            case = ET.SubElement(suite, "testcase", classname=_clean("%s.%s" % (r["kind"], r["target"])),
                                 name=_clean(_case_name(r)), time="0")
            if r["status"] == R.FAIL:
                node = ET.SubElement(case, "failure", message=_clean(r["message"]), type=r["severity"])
                node.text = _clean(json.dumps(r.get("evidence", {}), indent=1, default=str))
            elif r["status"] == R.ERROR:
                node = ET.SubElement(case, "error", message=_clean(r["message"]), type="error")
                node.text = _clean(json.dumps(r.get("evidence", {}), indent=1, default=str))
            elif r["status"] in (R.WAIVED, R.NOT_APPLICABLE):
                ET.SubElement(case, "skipped", message=_clean(r["message"]))
            if r.get("runbook"):
                ET.SubElement(case, "system-out").text = _clean("runbook: %s" % r["runbook"])
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
