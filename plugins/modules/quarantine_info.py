#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: quarantine_info
short_description: List quarantine cases and verify a case's evidence and chain of custody
version_added: 0.1.0
description:
  - Lists the servers carrying the quarantine tag C(osfleet-quarantine) with their case IDs (metadata
    C(osfleet_quarantine_case)), in one Nova listing filtered by the tag. A server whose tag was removed is listed
    again once M(osfleet.day2.server_quarantine) runs for its case (its C(mark) step puts the tag back); O(case_id)
    verifies it meanwhile.
  - With O(case_id), loads the case's evidence manifest and re-downloads and re-hashes every evidence image (the
    uploaded data of the evidence volumes included), checks every volume snapshot is still available and every
    evidence volume still exists (available, or attached by the investigators) and, with O(evidence_dir), compares
    the local copies.
  - With O(audit_log), verifies the hash chain of that audit log and that the manifest's SHA-256 is the one the
    log recorded when the evidence was taken (a replaced manifest is detected).
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.cloud
attributes:
  check_mode:
    support: full
    description: Reads only.
  diff_mode:
    support: none
    description: Changes nothing, so there is no diff.
options:
  case_id:
    description: The case to verify. Omit to only list the cases.
    type: str
  evidence_dir:
    description: Where O(osfleet.day2.server_quarantine#module:evidence_dir) wrote the local copies.
    type: path
  audit_log:
    description: The audit log the quarantine run wrote; its chain is verified.
    type: path
  audit_head:
    description: A head kept elsewhere (C({seq, hash}), the C(audit) a run returned) to detect a truncated log.
    type: dict
notes:
  - Needs admin credentials (servers of all projects, the case's images).
"""

EXAMPLES = r"""
- name: Which servers are quarantined?
  osfleet.day2.quarantine_info:
    cloud: lab-admin
  register: cases

- name: Verify the evidence and the custody chain of a case
  osfleet.day2.quarantine_info:
    cloud: lab-admin
    case_id: SEC-2026-042
    audit_log: /var/log/osfleet/audit.jsonl
  register: check
  failed_when: not check.verification.ok
"""

RETURN = r"""
cases:
  description: Servers carrying the quarantine tag; C(case_id) is empty for a tagged server without the case key.
  returned: always
  type: list
  elements: dict
  sample: [{"case_id": "SEC-2026-042", "server_id": "...", "server_name": "tenant-a-vm01", "status": "PAUSED",
            "locked": true, "locked_reason": "osfleet quarantine case SEC-2026-042", "project_id": "..."}]
manifest:
  description: The case's evidence manifest.
  returned: when O(case_id) is given and the evidence exists
  type: dict
verification:
  description: C(ok), and the C(problems) found in the evidence (C(evidence)) and the audit log (C(audit)).
  returned: when O(case_id) is given
  type: dict
"""

from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.info import list_cases, verify_case


class QuarantineInfoModule(Day2Module):
    changes_state = False
    argument_spec = dict(
        case_id=dict(type="str"),
        evidence_dir=dict(type="path"),
        audit_log=dict(type="path"),
        audit_head=dict(type="dict"),
    )

    def execute(self):
        p = self.params
        result = dict(changed=False, cases=list_cases(self.cloud))
        if p["case_id"]:
            manifest, result["verification"] = verify_case(self.cloud, p["case_id"], p["evidence_dir"],
                                                           p["audit_log"], p["audit_head"])
            if manifest is not None:
                result["manifest"] = manifest
        return result


def main():
    QuarantineInfoModule().run()


if __name__ == "__main__":
    main()
