# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""host_audit on the controller: the BMC map (vault decrypted) and the audit packs are read here and handed to
the module as data."""

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
            self.pack_sources(args, ["compute_hosts"])
        except Day2Error as exc:
            return self.failed(result, exc)
        return self.run_module(result, args, task_vars)
