# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  audit_log:
    description:
      - Path of the append-only, hash-chained audit log (JSON lines) on the host the module runs on.
      - Every change the module makes is appended there with actor, action, target, before, after and time;
        nothing is written in check mode.
      - Defaults to C($OSFLEET_AUDIT_LOG), else C($XDG_STATE_HOME/osfleet/audit.jsonl)
        (C(~/.local/state/osfleet/audit.jsonl)).
    type: path
  audit_actor:
    description:
      - Who is acting, as written in the audit log, for example the AWX user (C({{ awx_user_name }})).
      - Defaults to C($OSFLEET_AUDIT_ACTOR), else C(user@host) of the process running the module.
    type: str
notes:
  - The result key C(audit) (when something changed) gives the log path and the sequence number and hash
    of the last entry written; keep it in the job log to detect a log truncated later.
"""
