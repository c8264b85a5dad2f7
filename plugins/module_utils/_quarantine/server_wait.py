# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Waiting for a server Nova may still be busy with: our own loop, and why.

The SDK's ``wait_for_server`` compares one attribute with one value
(``status``). What the quarantine's next step needs is two on the same look:
the status it asked for *and* no task state. Nova shows a server PAUSED,
SHUTOFF or ACTIVE while another task on it (an image snapshot, a migration by
other tooling) still runs, and refuses the next action (pause, stop,
createImage) with 409 until that task is over; waiting for the status and then
for the task can see the status change again while waiting for the second.
The SDK's generic ``wait_for_status(attribute="task_state", status=None)``
cannot stand in for the idle half alone either: given a server whose task
state reads None it returns at once, without looking again. So the loop is
ours, over the Nova facade's ``get_server``.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError, NotFoundError
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine import artifacts

Check = Callable[[Any], bool]


def task_of(server: Any) -> Optional[str]:
    """The task Nova is running on the server (``OS-EXT-STS:task_state``), or None."""
    return getattr(server, "task_state", None)


def get_server(cloud: Cloud, server_id: str) -> Any:
    """The server; NotFoundError naming it once it is gone."""
    server = cloud.nova.get_server(server_id)
    if server is None:
        raise NotFoundError("server %s no longer exists" % server_id, field="server", resource=server_id)
    return server


def wait_server(cloud: Cloud, server_id: str, timeout: int, ready: Check, explain: Callable[[Any], str],
                failed: Optional[Check] = None) -> Any:
    """The server at the first look where ``ready(server)``; CloudError ``server <id> <explain>`` when
    ``failed(server)`` or after ``timeout`` seconds. One look every ``artifacts.WAIT_STEP`` seconds."""
    deadline = time.time() + timeout
    server = get_server(cloud, server_id)
    while not ready(server):
        if (failed is not None and failed(server)) or time.time() > deadline:
            raise CloudError("server %s %s" % (server_id, explain(server)), resource=server_id)
        time.sleep(artifacts.WAIT_STEP)
        server = get_server(cloud, server_id)
    return server
