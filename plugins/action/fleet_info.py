# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""fleet_info on the controller: ``bmc_map`` is read here (vault decrypted) and merged into the module's
``hosts`` the inventory's way (the map first, Ironic's entries for the hosts it lacks). The map's
credentials never reach the module, nor the result."""

from __future__ import annotations

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error, ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc_map import merge_bmcs, parse_bmc_map
from ansible_collections.osfleet.day2.plugins.plugin_utils.bmc_map import BmcMapAction


class ActionModule(BmcMapAction):

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        args = dict(self._task.args)
        if args.get("bmc_map") in ("", None):  # bmc_map: "{{ unset | default('') }}" is no map
            args.pop("bmc_map", None)
        from_map = None
        if args.get("bmc_map") is not None and args.get("bmc_source", "auto") != "ironic":
            try:
                if self.wraps_async():
                    raise ValidationError("bmc_map cannot be used with async: the map is merged into the result on "
                                          "the controller when the module returns", field="bmc_map")
                data, source = self.read_bmc_map(args["bmc_map"])
                from_map = parse_bmc_map(data, source)  # no credentials
            except Day2Error as exc:
                return self.failed(result, exc)
        result = self.run_module(result, args, task_vars)
        if from_map and isinstance(result.get("hosts"), dict) and not result.get("failed"):
            merge_bmcs(result["hosts"], from_map)
            for kind in ("network_nodes", "storage_nodes"):  # lists of nodes, each with its name
                nodes = result.get(kind)
                if isinstance(nodes, list):
                    merge_bmcs({n["name"]: n for n in nodes if isinstance(n, dict) and n.get("name")}, from_map)
        return result
