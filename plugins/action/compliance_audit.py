# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""compliance_audit on the controller: ``bmc_map`` is read here (vault decrypted) and handed to the module as
``bmcs`` (no_log); the packs (builtin names or paths) and the waiver files are read here too and handed over as
their texts, so the module needs no file of the controller's."""

from __future__ import annotations

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error
from ansible_collections.osfleet.day2.plugins.plugin_utils.bmc_map import BmcMapAction

DEFAULT_PACKS = ["compute_hosts", "unused_capacity"]


class ActionModule(BmcMapAction):

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        args = dict(self._task.args)
        try:
            self.bmcs_from_map(args)
            self.pack_sources(args, DEFAULT_PACKS)
            if args.get("waivers") and not args.get("waiver_sources"):
                items = args["waivers"]
                if isinstance(items, str):
                    items = [f.strip() for f in items.split(",") if f.strip()]
                # files are read here (vaulted ones decrypted); inline waivers (mappings) go to the module as they are
                args["waiver_sources"] = [self.read_text(str(f), "waivers") for f in items if isinstance(f, str)]
                args["waivers"] = [w for w in items if not isinstance(w, str)]
        except Day2Error as exc:
            return self.failed(result, exc)
        return self.run_module(result, args, task_vars)
