# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The BMC map, read on the controller for the modules that take ``bmc_map``.

A BMC map holds BMC passwords, so it belongs in ansible-vault: encrypted as a whole or with
``!vault`` values. A module cannot decrypt it (the vault secrets are the controller's), and
``yaml.safe_load`` on the managed host cannot even read it. So the action plugins of
``hardware_scan`` and ``fleet_info`` read it here, on the controller, through Ansible's
loader (``DataLoader.load_from_file``, as the fleet inventory does), and check every entry
with the parser the modules use (``_hardware.bmc_map.parse_bmc_map``) before any module runs.

Private to the osfleet.day2 collection: not a public API.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Dict, List, Optional, Tuple

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.osfleet.day2.plugins.module_utils._audit import packs as audit_packs
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error, ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc_map import parse_bmc_map


def plain(value: Any) -> Any:
    """What the loader gave, as plain JSON types: ``!vault`` values decrypted (their ``str()``),
    the loader's own string and mapping types as str and dict, so a module gets ordinary values."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


class BmcMapAction(ActionBase):
    """An action plugin for a module with a ``bmc_map`` option: :meth:`read_bmc_map` reads the file,
    :meth:`run_module` runs the module as the ``normal`` action plugin would."""

    _supports_check_mode = True
    _supports_async = True

    def read_bmc_map(self, path: str) -> Tuple[Dict[str, Any], str]:
        """(the map's content as plain data, the path as the task gave it: the map's name in
        ``credentials_ref`` and messages). ValidationError naming ``bmc_map`` (or the entry's key)."""
        source = os.path.expandvars(os.path.expanduser(str(path)))
        try:
            found = self._find_needle("files", source)
            data = self._loader.load_from_file(found)
            data = plain(data)
        except AnsibleError as exc:
            raise ValidationError("cannot read bmc_map %s: %s" % (source, to_native(exc)), field="bmc_map")
        parse_bmc_map(data, source, with_credentials=True)  # every entry, before any module runs
        return data or {}, source

    def run_module(self, result: Dict[str, Any], module_args: Dict[str, Any],
                   task_vars: Optional[Dict[str, Any]]) -> Dict[str, Any]:
        """Run the task's module with ``module_args``, merged into ``result`` (the ``normal`` action's way)."""
        wrap_async = self.wraps_async()
        result = merge_hash(result, self._execute_module(module_args=module_args, task_vars=task_vars,
                                                         wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)  # pylint: disable=protected-access
        return result

    def wraps_async(self) -> bool:
        """Whether the module runs as an async job (ansible-core < 2.19 leaves it to connections with native async)."""
        return bool(self._task.async_val) and not getattr(self._connection, "has_native_async", False)

    def bmcs_from_map(self, args: Dict[str, Any]) -> None:
        """``args`` with its ``bmc_map`` read into ``bmcs`` (a blank ``bmc_map``, as ``"{{ unset | default('') }}"``
        renders, is no map; with both or neither given the module says what is wrong). ValidationError when the
        map lists no BMC."""
        if args.get("bmc_map") in ("", None):
            args.pop("bmc_map", None)
        if args.get("bmc_map") is not None and args.get("bmcs") is None:
            args["bmcs"], source = self.read_bmc_map(args.pop("bmc_map"))
            if not args["bmcs"]:
                raise ValidationError("%s lists no BMCs" % source, field="bmc_map")

    def pack_sources(self, args: Dict[str, Any], default: List[str]) -> None:
        """``args["pack_sources"]`` from ``packs`` (a list or comma-separated text; ``default`` when not given),
        unless the task gave the texts itself."""
        if args.get("pack_sources"):
            return
        names = args.get("packs") or default
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",") if n.strip()]
        args["pack_sources"] = [self.pack_source(str(n)) for n in names]

    def read_text(self, path: str, field: str) -> Dict[str, str]:
        """``{source, text}`` of a file of the controller's (vault-encrypted ones decrypted), for a module that
        must not read files of the controller itself; ValidationError naming ``field``."""
        source = os.path.expandvars(os.path.expanduser(str(path)))
        try:
            found = self._find_needle("files", source)
            data, _shown = self._loader._get_file_contents(found)  # pylint: disable=protected-access
        except AnsibleError as exc:
            raise ValidationError("cannot read %s %s: %s" % (field, source, to_native(exc)), field=field)
        return {"source": source, "text": to_text(data, errors="surrogate_or_strict")}

    def pack_source(self, item: str) -> Dict[str, str]:
        """An audit pack by path (read here) or by shipped name (ValidationError naming the shipped packs)."""
        if "/" in item or item.endswith((".yml", ".yaml", ".json")):
            return self.read_text(item, "packs")
        path = audit_packs.shipped_path(item)
        with open(path, encoding="utf-8") as fh:
            return {"source": path, "text": fh.read()}

    @staticmethod
    def failed(result: Dict[str, Any], exc: Day2Error) -> Dict[str, Any]:
        """``result`` failed with ``exc``, in the shape Day2Module gives a failed module."""
        result.update(failed=True, msg=exc.message, **exc.to_result())
        return result
