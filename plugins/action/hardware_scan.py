# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""hardware_scan on the controller: ``bmc_map`` is read here (vault decrypted) and handed to the
module as ``bmcs``, which the module keeps out of every log (no_log)."""

from __future__ import annotations

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error
from ansible_collections.osfleet.day2.plugins.plugin_utils.bmc_map import BmcMapAction


class ActionModule(BmcMapAction):

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        args = dict(self._task.args)
        try:
            self.bmcs_from_map(args)
        except Day2Error as exc:
            return self.failed(result, exc)
        return self.run_module(result, args, task_vars)
