# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Doing a plan: each action its calls, then its mark, then one audit-log entry; the first failure stops.

Order within an action is what makes a re-run resume: the stop is asked of
Nova before the stopped mark is written (a run killed between the two finds
the server shut off and only marks it), a notice's mark is written only once
its webhook (if the project has one) took it, and a delete is the last thing
that happens to a resource. What was done before a failure stays marked on
the resources, so the next run plans from there.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._audit.actions import kinds as K
from ansible_collections.osfleet.day2.plugins.module_utils._audit.actions.planner import Action, Plan, check_caps
from ansible_collections.osfleet.day2.plugins.module_utils._audit.actions.settings import CLEAR, DELETE, NOTIFY, STOP
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import AuditLogError, Day2Error, ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import UNUSED_NOTICE, UNUSED_NOTIFIED
from ansible_collections.osfleet.day2.plugins.module_utils._common.webhook import deliver

AUDIT_PREFIX = "unused_capacity."
EVENT = "unused_capacity.notice"


class ActionFailedError(Day2Error):
    """An action failed mid-way; ``done`` lists what this run finished before it (all marked on the resources)."""

    def __init__(self, message: str, done: List[Dict[str, Any]], cause: Day2Error, action: Action) -> None:
        details = dict(cause.details or {})
        details.update({"stage": action.stage, "kind": action.kind, "done": len(done)})
        super().__init__(message, field=cause.field, resource=action.ref, details=details)
        self.done = done
        self.cause = cause


class Applied(list):
    """The actions done (dicts, in order), with ``warnings`` (notices a webhook did not take: sent next run)."""

    def __init__(self) -> None:
        super().__init__()
        self.warnings: List[str] = []


def apply(cloud: Any, plan: Plan, audit_log: Any, check_mode: bool = False) -> Applied:
    """Do the plan's actions in order; in check mode (or with ``dry_run``) do nothing and return them all.

    ``audit_log``: an ``_common.audit_log.AuditLog`` (not used in check mode).
    The caps are checked again first, so a plan edited after ``plan()`` cannot
    slip past them. See :func:`plan` for the call as a module makes it.
    """
    check_caps(plan)
    done = Applied()
    dry = check_mode or plan.settings.dry_run
    if not dry and plan.actions and audit_log is None:
        raise ValidationError("acting on unused capacity needs an audit log: every action is an entry",
                              field="audit_log")
    for action in plan.actions:
        entry = dict(action.to_dict(), changed=True, check_mode=dry)
        if dry:
            done.append(entry)
            continue
        try:
            detail = _do(cloud, plan, action, done)
        except Day2Error as exc:
            raise ActionFailedError(
                "%s of %s (%s) failed after %d of %d actions: %s. What was done is marked on the resources: "
                "a re-run resumes from there" % (action.stage, action.ref, action.name, len(done),
                                                 len(plan.actions), exc.message), done=list(done), cause=exc,
                action=action)
        if detail is None:
            continue
        entry.update(detail)
        try:
            log = audit_log.append(AUDIT_PREFIX + action.stage, action.ref, before=action.before,
                                   after=action.after(),
                                   details={"name": action.name, "project_id": action.project_id,
                                            "owner": action.owner, "rules": action.rules, "why": action.why,
                                            "marks": action.marks, "settings": plan.settings.to_dict(), **detail})
        except AuditLogError as exc:
            raise ActionFailedError(
                "%s of %s (%s) was done but could not be written to the audit log: %s; stopped after it"
                % (action.stage, action.ref, action.name, exc.message), done=list(done) + [entry], cause=exc,
                action=action)
        entry["audit_seq"] = log.get("seq")
        done.append(entry)
    return done


def _do(cloud: Any, plan: Plan, action: Action, done: Applied) -> Optional[Dict[str, Any]]:
    """The stage's calls; what the audit entry adds; None: not done this run (a warning says why)."""
    kind = K.KINDS[action.kind]
    if action.stage == NOTIFY:
        sent = _webhook(plan, action, done)
        if sent is False:
            return None
        K.write_marks(cloud, kind, action.target, action.marks)
        return {"webhook": sent}
    if action.stage == STOP:
        asked = (action.status or "").upper() in K.STOPPABLE
        if asked:
            K.stop(cloud, action.target)
        K.write_marks(cloud, kind, action.target, action.marks)
        return {"stop_requested": asked, "status_before": action.status}
    if action.stage == DELETE:
        K.delete(cloud, kind, action.target)
        return {}
    if action.stage == CLEAR:
        K.clear_marks(cloud, kind, action.target, action.remove)
        return {"removed": list(action.remove)}
    raise ValidationError("unknown stage %r" % action.stage, field="stages")  # pragma: no cover


def _webhook(plan: Plan, action: Action, done: Applied) -> Any:
    """None: the project has no webhook; True: it took the notice; False: it did not (retried next run)."""
    hooks = plan.settings.webhooks
    target = hooks.get(action.project_id or "") or hooks.get(action.owner or "")
    if target is None:
        return None
    delivery_id = "unused:%s:%s:notify:%s" % (action.kind, action.target, ",".join(action.rules))
    payload = {"id": delivery_id, "type": EVENT, "time": action.marks.get(UNUSED_NOTIFIED),
               "project_id": action.project_id,
               "resource": {"kind": action.kind, "id": action.target, "name": action.name},
               "rules": action.rules, "notice": action.marks.get(UNUSED_NOTICE),
               "why": [{k: w.get(k) for k in ("rule", "title", "message", "age_days", "since")} for w in action.why],
               "keep_with": {"tag": plan.settings.exclusion_tag}}
    result = deliver(target, EVENT, delivery_id, payload, timeout=plan.settings.webhook_timeout,
                     validate_certs=plan.settings.validate_certs, ca_path=plan.settings.ca_path)
    if not result.ok:
        done.warnings.append("the webhook of project %s did not take the notice of %s (%s): not marked notified, "
                             "sent again on the next run" % (action.project_id, action.ref,
                                                             result.error or result.status))
        return False
    return True
