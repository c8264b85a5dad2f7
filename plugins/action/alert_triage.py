# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""alert_triage on the controller: the runbooks (the shipped ones, which live in the collection's
``extensions/`` and so are not shipped with the module, and the operator's ``runbook_dirs``) are read here and
handed to the module as their texts (``runbook_sources``), so the module needs no file of the controller's."""

from __future__ import annotations

import os

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error
from ansible_collections.osfleet.day2.plugins.module_utils._remediation.runbook import read_sources
from ansible_collections.osfleet.day2.plugins.plugin_utils.bmc_map import BmcMapAction


class ActionModule(BmcMapAction):

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        args = dict(self._task.args)
        if args.get("runbook_sources") is None:
            dirs = args.get("runbook_dirs") or []
            if isinstance(dirs, str):
                dirs = [d.strip() for d in dirs.split(",") if d.strip()]
            try:
                args["runbook_sources"] = read_sources([os.path.expandvars(os.path.expanduser(str(d)))
                                                        for d in dirs])
            except Day2Error as exc:
                return self.failed(result, exc)
        return self.run_module(result, args, task_vars)
