# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Remediation: a state machine per host that confirms a signal with the audit, takes the host out of the
pool, fixes it by a runbook (or holds it for a person), verifies with the audit and returns it.

The state lives in the cloud (the compute service's disabled reason and the host aggregate
``osfleet-remed-<host>``), so a killed run resumes; every step is one audit-log entry. Runbooks are YAML
data (``extensions/remediation/runbooks/`` and the operator's own directories), their steps a fixed
catalogue built on the collection's own capabilities. Guards are checked before every disruptive step.

Private to the osfleet.day2 collection: not a public API. Names here may change
in any release; other collections must not import them (docs/architecture.md).
"""
