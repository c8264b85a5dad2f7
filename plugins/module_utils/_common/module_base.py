# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The base every osfleet.day2 module is built on.

A module subclasses :class:`Day2Module`, declares its own ``argument_spec``
and implements :meth:`Day2Module.execute`, which calls one service of the core
and returns the result dict. The base merges the cloud and audit options,
connects lazily, writes one audit entry per change (never in check mode) and
turns the core's typed errors into ``fail_json`` with the field or resource
they name.

There is one way to fail: raise. The core raises a :class:`Day2Error`; a
module that decides from a result that the task failed (a window that ended
``failed``) calls :meth:`Day2Module.fail`, which raises too. :meth:`run` is
the only place that calls ``fail_json``, so every failure carries the audit
entries written before it.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any, Dict, Iterable, Iterator, List, NoReturn, Optional

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import ENV_ACTOR, ENV_PATH, AuditLog
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.connection import (
    CLOUD_ARGUMENT_SPEC,
    HAS_OPENSTACKSDK,
    OPENSTACKSDK_IMPORT_ERROR,
    CloudOptions,
    connect,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import (
    Day2Error,
    DependencyError,
    ValidationError,
)

AUDIT_ARGUMENT_SPEC: Dict[str, Dict[str, Any]] = dict(
    audit_log=dict(type="path", fallback=(env_fallback, [ENV_PATH])),
    audit_actor=dict(type="str", fallback=(env_fallback, [ENV_ACTOR])),
)


class TaskFailed(Exception):
    """Raised by :meth:`Day2Module.fail`: the task fails with ``msg`` and the result gathered so far."""

    def __init__(self, msg: str, result: Dict[str, Any]) -> None:
        super().__init__(msg)
        self.msg = msg
        self.result = result


class Day2Module:
    """Thin glue between an Ansible task and one core service."""

    #: the module's own options
    argument_spec: Dict[str, Dict[str, Any]] = {}
    #: extra AnsibleModule keyword arguments (mutually_exclusive, required_if, ...)
    module_kwargs: Dict[str, Any] = {}
    #: add the cloud connection options (doc fragment osfleet.day2.cloud)
    uses_cloud = True
    #: add the audit options (doc fragment osfleet.day2.audit); set on every module that changes things
    changes_state = True

    def __init__(self) -> None:
        spec: Dict[str, Dict[str, Any]] = {}
        if self.uses_cloud:
            spec.update(CLOUD_ARGUMENT_SPEC)
        if self.changes_state:
            spec.update(AUDIT_ARGUMENT_SPEC)
        spec.update(self.argument_spec)
        self.ansible = AnsibleModule(argument_spec=spec, supports_check_mode=True, **self.module_kwargs)
        self.params = self.ansible.params
        self.check_mode = self.ansible.check_mode
        self.diff_mode = self.ansible._diff
        self._conn = None
        self._cloud: Optional[Cloud] = None
        self._audit: Optional[AuditLog] = None
        self.audit_entries: List[Dict[str, Any]] = []
        self._spec = spec

    # -- services for execute() ---------------------------------------------
    @property
    def conn(self):
        """The openstacksdk connection, made on first use."""
        if self._conn is None:
            if not HAS_OPENSTACKSDK:
                raise DependencyError(missing_required_lib("openstacksdk"),
                                      details={"import_error": OPENSTACKSDK_IMPORT_ERROR})
            self._conn = connect(CloudOptions.from_params(self.params))
        return self._conn

    @property
    def cloud(self) -> Cloud:
        """The OpenStack access layer over :attr:`conn` (what the core takes)."""
        if self._cloud is None:
            name = self.params.get("cloud") if isinstance(self.params.get("cloud"), str) else None
            self._cloud = Cloud(self.conn, name=name)
        return self._cloud

    @property
    def audit(self) -> AuditLog:
        if self._audit is None:
            self._audit = AuditLog(self.params.get("audit_log"), self.params.get("audit_actor"))
        return self._audit

    def record(self, action: str, target: str, before: Any = None, after: Any = None,
               details: Optional[Dict[str, Any]] = None) -> None:
        """Write one audit entry for a change just made (nothing in check mode)."""
        if self.check_mode:
            return
        self.audit_entries.append(self.audit.append(action, target, before, after, details))

    def mask_only(self, option: str, secrets: Iterable[Any]) -> None:
        """Of a no_log option that is a whole document (a BMC map), keep only ``secrets`` masked.

        Ansible masks every string of a no_log option wherever it appears in the result, so a BMC map's host
        names and addresses would come out as ``********``. This unmasks the strings of ``option`` that are
        not ``secrets`` - and not secrets of any other option (a cloud password stays masked even when the
        same text is in the map)."""
        keep = {str(s) for s in secrets if s}
        others = set(_secret_strings({k: v for k, v in self._spec.items() if k != option}, self.params))
        self.ansible.no_log_values.difference_update(set(_strings(self.params.get(option))) - keep - set(others))
        self.ansible.no_log_values.update(keep)

    def inline_bmc_map(self, plugin: str) -> Optional[Dict[str, Any]]:
        """The ``bmcs`` option (a BMC map's content, passwords masked), or None; ``bmc_map`` (a path) must have
        been read by the module's action plugin ``plugin`` on the controller."""
        if self.params.get("bmc_map") is not None:
            raise ValidationError("bmc_map is read on the controller by the %s action plugin, which did not run; "
                                  "give the map's content as bmcs" % plugin, field="bmc_map")
        bmcs = self.params.get("bmcs")
        if not bmcs:
            return None
        self.mask_only("bmcs", [b.get("password") for b in bmcs.values() if isinstance(b, dict)])
        return bmcs

    def fail(self, msg: str, **result: Any) -> NoReturn:
        """Fail the task with ``msg``; ``result`` (what the run found and did) is returned with it."""
        raise TaskFailed(msg, result)

    def warn(self, msg: str) -> None:
        self.ansible.warn(msg)

    def write_output(self, path: str, text: str, mode: int = 0o644, field: Optional[str] = None) -> None:
        """Replace the file at ``path`` with ``text`` so that a reader never sees half of it.

        The text goes to a temporary file in the destination's directory (the same file system, so
        the move is a rename), fsynced, then ``AnsibleModule.atomic_move`` puts it in place: a rename,
        with Ansible's handling of SELinux contexts and of file systems where a rename is refused.
        The file ends with ``mode`` whether it existed or not. An error is a ValidationError naming
        ``field`` (the option that gave ``path``).
        """
        directory = os.path.dirname(os.path.abspath(path))
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), suffix=".tmp", dir=directory)
            with os.fdopen(fd, "w") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            self.ansible.atomic_move(tmp, path, unsafe_writes=False, keep_dest_attrs=False)
            tmp = None
            os.chmod(path, mode)  # atomic_move gives a new file the umask's mode
        except Exception as exc:  # pylint: disable=broad-except  # OSError, or atomic_move's plain Exception
            raise ValidationError("cannot write %s: %s" % (path, exc), field=field) from None
        finally:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)

    # -- to implement ---------------------------------------------------------
    def execute(self) -> Dict[str, Any]:
        """Do the work; return the result (``changed`` and the module's keys)."""
        raise NotImplementedError

    # -- running ----------------------------------------------------------------
    def run(self) -> None:
        try:
            result = self.execute()
        except TaskFailed as exc:
            self._fail(exc.msg, exc.result)
        except Day2Error as exc:
            self._fail(exc.message, exc.to_result())
        self.ansible.exit_json(**self._audit_result(result))

    def _fail(self, msg: str, result: Dict[str, Any]) -> NoReturn:
        self.ansible.fail_json(msg=msg, **self._audit_result(result))

    def _audit_result(self, result: Dict[str, Any]) -> Dict[str, Any]:
        """Add where the audit entries of this run went and the new head."""
        if self.audit_entries:
            last = self.audit_entries[-1]
            result["audit"] = {"path": self.audit.path, "seq": last["seq"], "hash": last["hash"],
                               "entries": len(self.audit_entries)}
        return result

    def add_diff(self, result: Dict[str, Any], before: Any, after: Any) -> Dict[str, Any]:
        """Put ``diff`` into ``result`` when the user asked for --diff; return ``result``."""
        if self.diff_mode:
            result["diff"] = {"before": before, "after": after}
        return result


def _strings(value: Any) -> Iterator[str]:
    """Every string leaf of a document (what Ansible's no_log masks of it)."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from _strings(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def _secret_strings(spec: Dict[str, Dict[str, Any]], params: Any) -> Iterator[str]:
    """The strings of ``params`` that ``spec`` marks no_log (an option, or a sub-option of one)."""
    if not isinstance(params, dict):
        return
    for name, option in spec.items():
        value = params.get(name)
        if value is None:
            continue
        if option.get("no_log"):
            yield from _strings(value)
        elif option.get("options"):
            for item in value if isinstance(value, list) else [value]:
                yield from _secret_strings(option["options"], item)
