# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Test-only stdout callback: every task's result on localhost by task name, and the stats, as one JSON document.

ansible-core has no JSON stdout callback (it moved to ansible.posix); the
quarantine and maintenance playbook tests read results by task name from this one.
"""
from __future__ import annotations

import json

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: playbook_results
type: stdout
short_description: task results by name as JSON (tests of the playbooks)
description: Prints one JSON document at the end of the run.
author: osfleet.day2 contributors (@osfleet)
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "playbook_results"

    def __init__(self):
        super().__init__()
        self.tasks = {}

    def _record(self, result, **flags):
        data = dict(result._result, **flags)
        self.tasks[result._task.get_name().split(" : ", 1)[-1]] = data

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True)

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_playbook_on_stats(self, stats):
        summary = {h: stats.summarize(h) for h in stats.processed}
        self._display.display(json.dumps({"tasks": self.tasks, "stats": summary}, default=str))
