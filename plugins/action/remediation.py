# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""remediation on the controller: the BMC map (vault decrypted), the runbooks (shipped and the operator's
``runbook_dirs``) and the audit packs are read here and handed to the module as data, so a runbook
directory or a vaulted map of the controller's works wherever the module runs."""

from __future__ import annotations

import os

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error, ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._remediation import runbook as rb
from ansible_collections.osfleet.day2.plugins.plugin_utils.bmc_map import BmcMapAction


class ActionModule(BmcMapAction):

    def _runbooks(self, dirs):
        if isinstance(dirs, str):
            dirs = [d.strip() for d in dirs.split(",") if d.strip()]
        out = []
        for path in rb.runbook_files(rb.shipped_dir()):
            with open(path, encoding="utf-8") as fh:
                out.append({"source": path, "text": fh.read(), "shipped": True})
        for directory in dirs or []:
            directory = os.path.expandvars(os.path.expanduser(str(directory)))
            if not os.path.isdir(directory):
                raise ValidationError("runbook_dirs: %s is not a directory" % directory, field="runbook_dirs")
            for path in rb.runbook_files(directory):
                out.append(dict(self.read_text(path, "runbook_dirs"), shipped=False))
        rb.load_sources(out)  # every runbook validated here, naming its file, before any module runs
        return out

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        args = dict(self._task.args)
        try:
            self.bmcs_from_map(args)
            if args.get("runbook_sources") is None:
                args["runbook_sources"] = self._runbooks(args.get("runbook_dirs") or [])
                args.pop("runbook_dirs", None)
            self.pack_sources(args, ["compute_hosts"])
        except Day2Error as exc:
            return self.failed(result, exc)
        return self.run_module(result, args, task_vars)
