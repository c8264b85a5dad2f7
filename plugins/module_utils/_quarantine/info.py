# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""What quarantine_info reports: the cases (servers tagged by the quarantine), and a case verified.

The cases are Nova's answer to one listing filtered by the quarantine tag
(:func:`list_cases`), not every server of every project read and sorted here.

A case is verified by two independent checks, so that neither the cloud nor the controller alone can
make a tampered case look sound: every artifact is downloaded and hashed again
(:func:`.evidence.verify_manifest`), and the audit log's hash chain is
verified and must hold the manifest's SHA-256 as recorded when the evidence
was taken (a manifest replaced in Glance no longer matches).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import QUARANTINE_META_KEY, QUARANTINE_TAG
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.evidence import load_manifest, verify_manifest
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.record import validate_case_id

EVIDENCE_ACTION = "server_quarantine.evidence"


def list_cases(cloud: Cloud) -> List[Dict[str, Any]]:
    """The servers carrying the quarantine tag, with their case id, in every project.

    One Nova listing filtered by the tag (``servers_tagged``): Nova has no
    filter on a metadata key, and reading every server of the cloud to find a
    handful costs more than Nova's own answer (docs/openstack-access.md). So
    the tag is what lists a case. A server whose tag was removed but which
    still carries the case's metadata key is not listed; it is still the
    case's (``server_quarantine`` finds it by its case record, and its
    ``mark`` step puts the tag back on the next run, reported as a change),
    and ``case_id`` verifies it. A tagged server without the key is listed
    with case id ``""``.
    """
    out = []
    for s in cloud.nova.servers_tagged(QUARANTINE_TAG):
        out.append({"case_id": (s.metadata or {}).get(QUARANTINE_META_KEY) or "", "server_id": s.id,
                    "server_name": s.name, "project_id": s.project_id, "status": s.status,
                    "locked": bool(s.is_locked), "locked_reason": getattr(s, "locked_reason", None)})
    return sorted(out, key=lambda c: (c["case_id"], c["server_id"]))


def verify_case(cloud: Cloud, case_id: str, evidence_dir: Optional[str] = None, audit_log: Optional[str] = None,
                audit_head: Optional[Dict[str, Any]] = None) -> Tuple[Optional[Dict[str, Any]], Dict[str, Any]]:
    """(the manifest or None, {ok, evidence: [problems], audit: [problems]})."""
    validate_case_id(case_id)
    manifest = load_manifest(cloud, case_id)
    if manifest is None:
        evidence = ["no evidence manifest for case %s" % case_id]
    else:
        evidence = verify_manifest(cloud, manifest, evidence_dir)
    audit = audit_problems(AuditLog(audit_log), case_id, manifest, audit_head) if audit_log else []
    return manifest, {"ok": not evidence and not audit, "evidence": evidence, "audit": audit}


def audit_problems(log: AuditLog, case_id: str, manifest: Optional[Dict[str, Any]],
                   head: Optional[Dict[str, Any]] = None) -> List[str]:
    """What is wrong with the log's chain, and whether it recorded this manifest's hash."""
    problems = list(log.verify(head).errors)
    recorded = [e.get("after", {}).get("manifest", {}) for e in log.entries()
                if e.get("action") == EVIDENCE_ACTION and "(case %s)" % case_id in e.get("target", "")]
    if not recorded:
        problems.append("the audit log has no evidence entry for case %s" % case_id)
    elif manifest is not None and recorded[-1].get("sha256") != manifest["_self"]["sha256"]:
        problems.append("manifest %s has SHA-256 %s, the audit log recorded %s (manifest replaced)"
                        % (manifest["_self"]["id"], manifest["_self"]["sha256"], recorded[-1].get("sha256")))
    return problems
