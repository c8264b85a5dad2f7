#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: maintenance_window
short_description: Schedule, start, complete or cancel a host maintenance window, telling server owners
version_added: 0.1.0
description:
  - A maintenance window takes one or more compute hosts out of service for a while (O(kind=temporary)) or for
    good (O(kind=removal)). It goes through the states C(scheduled), C(notified), C(draining), C(ready) (hosts
    empty), C(in_maintenance) and C(complete); or C(failed) (a server could not be moved; start it again to
    retry) or C(cancelled).
  - The window lives in the cloud, not in a database of ours. It is a host aggregate named
    C(osfleet-maint-<name>) whose metadata holds the settings, the state and one line per affected server.
    Each affected server gets a notice in its metadata (C(osfleet_maint_*) keys). A host being drained has its
    nova-compute service disabled with the reason C(osfleet-maintenance:<name> <reason>).
    See docs/maintenance.md.
  - Owners answer per server by setting the metadata key C(osfleet_maint_answer) to C(migrate),
    C(live_migrate), C(keep), C(shutdown) or C(own_action). They can set C(osfleet_maint_policy) in
    advance instead. Servers nobody answered for get O(default_action) once O(reply_deadline) has passed.
  - A project with a webhook gets a JSON notice signed with HMAC-SHA256 when the window is scheduled, when
    each of its servers is acted on, and when the window ends.
  - Servers under a quarantine case (see M(osfleet.day2.server_quarantine)) are never moved nor written on;
    they are reported C(held). A O(kind=removal) window fails rather than move them.
  - A run killed at any point continues where it stopped when run again. A run in a state already reached
    changes nothing. Every transition and every server moved is written to the audit log.
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.cloud
  - osfleet.day2.audit
attributes:
  check_mode:
    support: full
    description: Reports the planned changes (notices, services, moves) in RV(changes); changes nothing.
  diff_mode:
    support: full
    description: Shows the window's state and settings before and after.
options:
  name:
    description:
      - Name of the window, 1-60 letters, digits, C(.), C(_) or C(-). It names the host aggregate
        C(osfleet-maint-<name>).
    type: str
    required: true
  state:
    description:
      - V(scheduled) creates or updates the window and notifies the owners; the window ends C(notified).
        Once the window has started, only O(reply_deadline), O(end_at), O(max_parallel) and
        O(max_impacted_members) may still change (to extend or bring forward the deadline, say); the notices
        are updated, the webhooks are not called again.
      - V(started) disables the hosts' compute services and moves servers according to their answers until
        the hosts are empty (C(ready)). Before O(reply_deadline), only answered servers are moved.
        Started again on a C(failed) window, it retries the servers that could not move.
      - V(in_maintenance) records that work on the (empty) hosts has begun.
      - V(completed) re-enables the services (not for O(kind=removal)), starts again the servers it shut down,
        clears the notices and tells the owners.
      - V(cancelled) gives the hosts back as they are and tells the owners. Servers already moved stay where
        they are.
    type: str
    choices: [scheduled, started, in_maintenance, completed, cancelled]
    default: scheduled
  hosts:
    description:
      - Compute hosts of the window, as Nova names them. Required with O(state=scheduled).
    type: list
    elements: str
  kind:
    description:
      - V(temporary) hosts come back. With V(removal) they are removed for good, so owners cannot keep their
        servers there, and completion leaves the services disabled.
    type: str
    choices: [temporary, removal]
    default: temporary
  start_at:
    description:
      - When the work starts, ISO 8601 (UTC if no offset). It is told to owners.
      - The drain starts when you run O(state=started), for example from a job scheduled for this time.
    type: str
  end_at:
    description: Expected end of the window, ISO 8601; told to owners.
    type: str
  reply_deadline:
    description:
      - Until when owners may answer, ISO 8601. After it, unanswered servers and C(own_action) servers still
        on the host get O(default_action). Without it, owners are not waited for.
    type: str
  default_action:
    description: What is done with a server nobody answered for, once the reply deadline has passed.
    type: str
    choices: [live_migrate, migrate, keep, shutdown]
    default: live_migrate
  max_parallel:
    description: How many moves may be in flight at the same time, across the window's hosts.
    type: int
    default: 4
  max_impacted_members:
    description: How many servers of one server group may be in motion at the same time.
    type: int
    default: 1
  on_failure:
    description:
      - What happens when a server cannot be moved. V(fail) stops starting new moves and ends the window
        C(failed), with the hosts still disabled and every server accounted for. V(stop) stops that server in
        place. V(skip) leaves it running on the host.
      - A server may override this with the metadata key C(osfleet_maint_on_failure).
    type: str
    choices: [fail, stop, skip]
    default: fail
  reason:
    description: Why the hosts are taken out of service (in the service's disabled reason and the notices).
    type: str
    default: ""
  wait:
    description:
      - With O(state=started), wait until the hosts are empty (or the window failed), up to O(wait_timeout).
        That includes waiting for O(reply_deadline).
      - V(false) does what can be done now and returns; run it again to continue.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait with O(wait=true). The task fails when the hosts are not ready by then.
    type: int
    default: 3600
  migration_timeout:
    description: Seconds one server may take to move before it counts as failed.
    type: int
    default: 900
  poll_interval:
    description: Seconds between two looks at the servers in motion.
    type: float
    default: 2.0
  restart_stopped:
    description: With O(state=completed) or O(state=cancelled), start again the servers the window shut down.
    type: bool
    default: true
  webhooks:
    description:
      - Project name or ID mapped to C(url) and C(secret) (16 characters or more) of its webhook. It is used
        in addition to the projects' own C(osfleet_maintenance_webhook) and
        C(osfleet_maintenance_webhook_secret) properties, and wins over them.
    type: dict
  webhook_timeout:
    description: Seconds to wait for a webhook to answer. A webhook that fails is retried on the next run.
    type: float
    default: 10
  webhook_validate_certs:
    description: Verify the TLS certificate of HTTPS webhooks.
    type: bool
    default: true
  webhook_ca_path:
    description: CA bundle used to verify HTTPS webhooks.
    type: path
notes:
  - Needs the admin role (aggregates, services, migrations and metadata of every project's servers).
  - Webhook delivery is at least once; a receiver drops duplicates by the C(X-Osfleet-Delivery) header.
seealso:
  - module: osfleet.day2.maintenance_info
  - module: osfleet.day2.host_drain
"""

EXAMPLES = r"""
- name: Schedule a window over two hosts; owners have until Friday noon to answer
  osfleet.day2.maintenance_window:
    cloud: prod
    name: chg-4711-bios
    hosts: [compute-07, compute-08]
    start_at: "2026-12-04T22:00:00Z"
    end_at: "2026-12-05T02:00:00Z"
    reply_deadline: "2026-12-04T12:00:00Z"
    reason: CHG-4711 BIOS update
    default_action: live_migrate
    webhooks:
      shop-prod:
        url: https://hooks.example.com/maintenance
        secret: "{{ vault_shop_webhook_secret }}"

- name: Drain at the start of the window, four moves at a time
  osfleet.day2.maintenance_window:
    cloud: prod
    name: chg-4711-bios
    state: started
    wait_timeout: 7200

- name: Complete it
  osfleet.day2.maintenance_window:
    cloud: prod
    name: chg-4711-bios
    state: completed
"""

RETURN = r"""
window:
  description: The window after the run, with one entry per affected server.
  returned: always
  type: dict
  contains:
    name:
      description: Window name.
      type: str
    state:
      description: scheduled, notified, draining, ready, in_maintenance, complete, failed or cancelled.
      type: str
    hosts:
      description: The window's hosts.
      type: list
      elements: str
    failed_reason:
      description: Why the window failed, naming each server that could not move.
      type: str
    servers:
      description:
        - Each affected server with C(id), C(name), C(project_id), C(status) (pending, waiting, in_progress,
          moved, kept, shut_down, stopped, skipped, gone, held (under quarantine, not touched), failed),
          C(action), C(host) (where it is now), C(notified) (the last notice handled for its owner) and
          C(webhook) (whether it went to a webhook).
      type: list
      elements: dict
    progress:
      description: Number of servers per status.
      type: dict
  sample:
    name: chg-4711-bios
    state: ready
    hosts: [compute-07]
    failed_reason: ""
    servers: [{id: 6f1c..., name: web-1, project_id: 9a2b..., status: moved, action: live_migrate,
               host: compute-02, notified: moved, webhook: true}]
    progress: {moved: 1}
changes:
  description: What was changed (or, in check mode, would be), in order.
  returned: always
  type: list
  elements: dict
  sample: [{change: disable_service, target: compute-07}, {change: live_migrate, target: 6f1c...}]
deliveries:
  description: Webhook notices sent in this run, with C(ok), C(status), C(project_id), C(event) and C(id).
  returned: always
  type: list
  elements: dict
audit:
  description: Where this run's audit entries went and the new head of the log.
  returned: when the module changed something
  type: dict
"""

from ansible_collections.osfleet.day2.plugins.module_utils._maintenance.notify import WebhookSettings, validate_webhooks
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance.service import MaintenanceWindows, Pacing
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance.model import (
    FAILED,
    READY,
    Window,
    parse_time,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module


class MaintenanceWindowModule(Day2Module):
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="scheduled",
                   choices=["scheduled", "started", "in_maintenance", "completed", "cancelled"]),
        hosts=dict(type="list", elements="str"),
        kind=dict(type="str", default="temporary", choices=["temporary", "removal"]),
        start_at=dict(type="str"),
        end_at=dict(type="str"),
        reply_deadline=dict(type="str"),
        default_action=dict(type="str", default="live_migrate", choices=["live_migrate", "migrate", "keep", "shutdown"]),
        max_parallel=dict(type="int", default=4),
        max_impacted_members=dict(type="int", default=1),
        on_failure=dict(type="str", default="fail", choices=["fail", "stop", "skip"]),
        reason=dict(type="str", default=""),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=3600),
        migration_timeout=dict(type="int", default=900),
        poll_interval=dict(type="float", default=2.0),
        restart_stopped=dict(type="bool", default=True),
        webhooks=dict(type="dict", no_log=True),
        webhook_timeout=dict(type="float", default=10),
        webhook_validate_certs=dict(type="bool", default=True),
        webhook_ca_path=dict(type="path"),
    )
    module_kwargs = dict(required_if=[("state", "scheduled", ("hosts",))])

    def execute(self):
        p = self.params
        webhooks = WebhookSettings(validate_webhooks(p["webhooks"]), timeout=p["webhook_timeout"],
                                   validate_certs=p["webhook_validate_certs"], ca_path=p["webhook_ca_path"])
        service = MaintenanceWindows(self.cloud, check_mode=self.check_mode, audit=self.record, webhooks=webhooks,
                                     pacing=Pacing(p["poll_interval"], p["migration_timeout"]))
        before = None
        existing = service.windows(p["name"])
        if existing:
            before = existing[0].window.to_dict()
        state = p["state"]
        if state == "scheduled":
            desired = Window(
                name=p["name"], hosts=tuple(p["hosts"]), kind=p["kind"],
                start_at=parse_time(p["start_at"], "start_at"), end_at=parse_time(p["end_at"], "end_at"),
                reply_deadline=parse_time(p["reply_deadline"], "reply_deadline"),
                default_action=p["default_action"], max_parallel=p["max_parallel"],
                max_impacted_members=p["max_impacted_members"], on_failure=p["on_failure"], reason=p["reason"])
            view = service.schedule(desired)
        elif state == "started":
            view = service.start(p["name"], wait=p["wait"], wait_timeout=p["wait_timeout"])
        elif state == "in_maintenance":
            view = service.hold(p["name"])
        elif state == "completed":
            view = service.complete(p["name"], restart_stopped=p["restart_stopped"])
        else:
            view = service.cancel(p["name"], restart_stopped=p["restart_stopped"])
        for warning in service.warnings:
            self.warn(warning)
        window = view.to_dict()
        result = dict(changed=bool(service.changes), window=window, changes=service.changes,
                      deliveries=service.deliveries)
        self.add_diff(result, before, {k: v for k, v in window.items() if k not in ("servers", "progress")})
        if view.window.state == FAILED and state == "started":
            self.fail("maintenance window %s failed: %s (the hosts stay disabled; fix the cause and start the "
                      "window again to retry)" % (p["name"], view.window.failed_reason), **result)
        if state == "started" and p["wait"] and not self.check_mode and view.window.state != READY:
            self.fail("maintenance window %s is still %s after %d s: %s; run it again to continue"
                      % (p["name"], view.window.state, p["wait_timeout"], window["progress"]), **result)
        return result


def main():
    MaintenanceWindowModule().run()


if __name__ == "__main__":
    main()
