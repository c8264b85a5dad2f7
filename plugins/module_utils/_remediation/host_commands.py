# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Commands run for a host: restart a service through whatever its service manager is, reset its BMC
from the host (in-band, when the BMC does not answer on the network).

A command is an argument list (never a shell line) with ``{host}``, ``{service}`` and ``{unit}``
placeholders, run on the controller with a timeout. Presets cover the usual deployments:
``systemd`` (ssh to the host, ``systemctl restart <unit>``), ``kolla`` (``docker restart
<container>``); ``command`` is the operator's own argument list (the lab's is ``labctl compute
restart {host}``).
"""

from __future__ import annotations

import string
import subprocess  # nosec B404 - argument lists, never a shell
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

SSH = ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "{host}"]
PRESETS: Dict[str, List[str]] = {
    "systemd": SSH + ["sudo", "systemctl", "restart", "{unit}"],
    "kolla": SSH + ["sudo", "docker", "restart", "{unit}"],
}
#: service -> unit (systemd on Debian/Ubuntu packages; RHEL's RDO packages call it openstack-nova-compute)
UNITS = {"systemd": {"nova-compute": "nova-compute", "neutron-openvswitch-agent": "neutron-openvswitch-agent",
                     "libvirtd": "libvirtd"},
         "kolla": {"nova-compute": "nova_compute", "neutron-openvswitch-agent": "neutron_openvswitch_agent",
                   "libvirtd": "nova_libvirt"}}
BMC_RESET = SSH + ["sudo", "ipmitool", "mc", "reset", "cold"]
OUTPUT_LIMIT = 2000


@dataclass(frozen=True)
class CommandResult:
    argv: Tuple[str, ...]
    rc: int
    output: str

    def to_dict(self) -> Dict[str, Any]:
        return {"argv": list(self.argv), "rc": self.rc, "output": self.output}


PLACEHOLDERS = ("host", "service", "unit")


def _argv(template: Sequence[Any], where: str) -> List[str]:
    if not isinstance(template, (list, tuple)) or not template or not all(isinstance(a, str) for a in template):
        raise ValidationError("%s must be a non-empty list of strings (an argument list, not a shell line)" % where,
                              field=where)
    for arg in template:  # here, not as a KeyError in the middle of a remediation
        try:
            fields = [name for _text, name, _spec, _conv in string.Formatter().parse(arg) if name is not None]
        except ValueError as exc:
            raise ValidationError("%s: %r: %s (the placeholders are {host}, {service}, {unit}; a literal brace is "
                                  "written twice)" % (where, arg, exc), field=where) from None
        bad = [name for name in fields if name not in PLACEHOLDERS]
        if bad:
            raise ValidationError("%s: %r: unknown placeholder {%s} (the placeholders are {host}, {service}, {unit}; "
                                  "a literal brace is written twice)" % (where, arg, bad[0]), field=where)
    return list(template)


@dataclass(frozen=True)
class HostCommands:
    """``service_manager``: systemd | kolla | command; ``restart_command`` the argument list for ``command``;
    ``units`` service -> unit or container name; ``bmc_reset_command`` the in-band BMC reset."""

    service_manager: str = "systemd"
    restart_command: Tuple[str, ...] = ()
    units: Tuple[Tuple[str, str], ...] = ()
    bmc_reset_command: Tuple[str, ...] = tuple(BMC_RESET)
    run: Any = field(default=None, compare=False)

    @classmethod
    def from_options(cls, options: Optional[Mapping[str, Any]]) -> "HostCommands":
        o = dict(options or {})
        known = {"service_manager", "restart_command", "units", "bmc_reset_command"}
        unknown = sorted(set(o) - known)
        if unknown:
            raise ValidationError("host_commands: unknown setting %r (known: %s)" % (unknown[0], ", ".join(
                sorted(known))), field="host_commands.%s" % unknown[0])
        manager = o.get("service_manager") or "systemd"
        if manager not in ("systemd", "kolla", "command"):
            raise ValidationError("host_commands.service_manager must be systemd, kolla or command, not %r"
                                  % manager, field="host_commands.service_manager")
        restart = o.get("restart_command") or ()
        if manager == "command":
            restart = _argv(restart, "host_commands.restart_command")
        elif restart:
            raise ValidationError("host_commands.restart_command is for service_manager=command",
                                  field="host_commands.restart_command")
        units = o.get("units") or {}
        if not isinstance(units, Mapping):
            raise ValidationError("host_commands.units must map a service to its unit", field="host_commands.units")
        for service, unit in units.items():  # str(None) would restart a unit called "None"
            if not isinstance(unit, str) or not unit.strip():
                raise ValidationError("host_commands.units.%s must be a unit or container name, not %r"
                                      % (service, unit), field="host_commands.units.%s" % service)
        reset = _argv(o["bmc_reset_command"], "host_commands.bmc_reset_command") if o.get("bmc_reset_command") \
            else BMC_RESET
        return cls(manager, tuple(restart), tuple(sorted((str(k), str(v)) for k, v in units.items())),
                   tuple(reset))

    def unit(self, service: str) -> str:
        own = dict(self.units)
        return own.get(service) or UNITS.get(self.service_manager, {}).get(service) or service

    def restart_argv(self, host: str, service: str) -> List[str]:
        template = list(self.restart_command) if self.service_manager == "command" else PRESETS[self.service_manager]
        values = {"host": host, "service": service, "unit": self.unit(service)}
        return [a.format(**values) for a in template]

    def bmc_reset_argv(self, host: str) -> List[str]:
        return [a.format(host=host, service="bmc", unit="bmc") for a in self.bmc_reset_command]


def run_command(argv: Sequence[str], timeout: float) -> CommandResult:
    """Run ``argv`` (no shell), at most ``timeout`` seconds; the output's tail kept for the record."""
    try:
        # the core has no AnsibleModule (and its run_command no timeout): a plain argument list, no shell
        proc = subprocess.run(list(argv), stdout=subprocess.PIPE,  # nosec B603 pylint: disable=ansible-bad-function
                              stderr=subprocess.STDOUT, timeout=timeout, check=False)
    except FileNotFoundError:
        return CommandResult(tuple(argv), 127, "%s: command not found" % argv[0])
    except OSError as exc:  # not executable, a directory, ...: a failed step, not a crash of the run
        return CommandResult(tuple(argv), 126, "%s: cannot run: %s" % (argv[0], exc.strerror or exc))
    except subprocess.TimeoutExpired as exc:
        out = (exc.output or b"").decode("utf-8", "replace")
        return CommandResult(tuple(argv), -1, ("timed out after %ds; " % timeout + out)[-OUTPUT_LIMIT:])
    return CommandResult(tuple(argv), proc.returncode, proc.stdout.decode("utf-8", "replace")[-OUTPUT_LIMIT:])
