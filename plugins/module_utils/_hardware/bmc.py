# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""One BMC interface, two backends: Redfish (sushy) and IPMI (pyghmi).

:func:`open_bmc` picks the backend from the address scheme (or ``bmc_type``)
and returns a :class:`Bmc` to use as a context manager, so the Redfish
session is logged out and the IPMI session closed whatever happens::

    with open_bmc("redfish+https://10.0.0.11/redfish/v1/Systems/1", "admin", pw, timeout=30) as bmc:
        state = bmc.read_state(gather=["power", "sensors"])

``timeout`` is a deadline for everything done through that object: requests,
retries (HTTP 503 honouring Retry-After) and waits for a power state.
"""

from __future__ import annotations

import abc
from typing import Iterable, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.address import (
    BMC_TYPES,
    IPMI_PORT,
    BmcAddress,
    parse_address,
)
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.deadline import Deadline
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import BmcUnsupported
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.state import (
    GATHER_CHOICES,
    BootOverride,
    HardwareState,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

DEFAULT_TIMEOUT = 60.0
#: one request (or IPMI command) never waits longer than this, whatever is left of the deadline
REQUEST_TIMEOUT = 15.0
POWER_ACTIONS = ("on", "off", "graceful_shutdown", "graceful_restart", "force_restart", "power_cycle")
#: the power state each action ends in
POWER_TARGET = {"on": "on", "off": "off", "graceful_shutdown": "off", "graceful_restart": "on",
                "force_restart": "on", "power_cycle": "on"}

#: what the backends and modules import from here; the addresses themselves are address.py's
__all__ = ["BMC_TYPES", "IPMI_PORT", "BmcAddress", "parse_address", "Bmc", "open_bmc", "open_from_params",
           "BMC_ARGUMENT_SPEC", "BMC_ARGUMENT_SPEC_WITH_CLOUD", "DEFAULT_TIMEOUT", "REQUEST_TIMEOUT",
           "POWER_ACTIONS", "POWER_TARGET"]


class Bmc(abc.ABC):
    """What every backend offers. Use it as a context manager; :meth:`close` is idempotent."""

    protocol = ""

    def __init__(self, address: str, deadline: Deadline) -> None:
        self.address = address
        self.deadline = deadline

    def __enter__(self) -> "Bmc":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @abc.abstractmethod
    def read_state(self, gather: Iterable[str] = GATHER_CHOICES, log_since: Optional[str] = None,
                   log_limit: Optional[int] = None) -> HardwareState:
        """The parts of the HardwareState named in ``gather``; the log newest first, cut to ``log_since``
        and ``log_limit`` (a warning in ``warnings`` says what was left out)."""

    @abc.abstractmethod
    def power_state(self) -> str:
        """on, off, powering_on, powering_off or unknown."""

    @abc.abstractmethod
    def power(self, action: str) -> None:
        """Start power ``action`` (one of POWER_ACTIONS); does not wait for it to finish."""

    @abc.abstractmethod
    def boot_override(self) -> BootOverride:
        """The boot override now set."""

    @abc.abstractmethod
    def set_boot_override(self, target: str, persistent: bool, mode: Optional[str] = None) -> None:
        """Boot ``target`` next time (or every time when ``persistent``); ``none`` clears the override."""

    def clear_log(self) -> List[str]:
        """Clear the system event log(s); the logs cleared. Backends that cannot say BmcUnsupported."""
        raise BmcUnsupported("%s: clearing the event log is not supported by this backend" % self.address,
                             resource=self.address)

    @abc.abstractmethod
    def close(self) -> None:
        """Log out; safe to call twice, and after the deadline."""


def open_bmc(address: str, username: Optional[str], password: Optional[str], bmc_type: Optional[str] = None,
             validate_certs: bool = True, ca_path: Optional[str] = None, timeout: float = DEFAULT_TIMEOUT,
             deadline: Optional[Deadline] = None) -> Bmc:
    """A logged-in BMC of the right backend. Raises BmcAuthError, BmcUnreachable, BmcTimeout or BmcError."""
    where = parse_address(address, bmc_type)
    deadline = deadline or Deadline(timeout, address)
    if where.protocol == "redfish":
        from ansible_collections.osfleet.day2.plugins.module_utils._hardware.redfish.client import RedfishBmc
        return RedfishBmc(address, where, username, password, deadline, validate_certs=validate_certs,
                          ca_path=ca_path)
    from ansible_collections.osfleet.day2.plugins.module_utils._hardware.ipmi.client import IpmiBmc
    return IpmiBmc(address, where, username, password, deadline)


#: the options of doc fragment osfleet.day2.bmc
BMC_ARGUMENT_SPEC = dict(
    address=dict(type="str", required=True),
    username=dict(type="str", required=True),
    password=dict(type="str", required=True, no_log=True),
    bmc_type=dict(type="str", choices=list(BMC_TYPES)),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    timeout=dict(type="float", default=DEFAULT_TIMEOUT),
)


#: the same for a module that also takes the cloud options: the BMC's TLS options get a ``bmc_`` prefix
BMC_ARGUMENT_SPEC_WITH_CLOUD = {k: v for k, v in BMC_ARGUMENT_SPEC.items() if k not in ("validate_certs", "ca_path")}
BMC_ARGUMENT_SPEC_WITH_CLOUD.update(bmc_validate_certs=BMC_ARGUMENT_SPEC["validate_certs"],
                                    bmc_ca_path=BMC_ARGUMENT_SPEC["ca_path"])


def open_from_params(params, tls_prefix: str = "") -> Bmc:
    """open_bmc() with the options of doc fragment osfleet.day2.bmc (TLS options named ``tls_prefix`` + name)."""
    if params["timeout"] <= 0:
        raise ValidationError("timeout must be more than 0 seconds", field="timeout")
    return open_bmc(params["address"], params["username"], params["password"], bmc_type=params["bmc_type"],
                    validate_certs=params[tls_prefix + "validate_certs"], ca_path=params[tls_prefix + "ca_path"],
                    timeout=params["timeout"])
