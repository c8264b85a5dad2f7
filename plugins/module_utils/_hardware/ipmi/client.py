# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The IPMI backend (pyghmi, RMCP+ / lanplus).

pyghmi keeps process-wide state: one I/O thread for every session, and a
registry that hands an existing session to anyone who asks for the same
BMC and credentials. Two of our objects on one BMC would therefore share a
session, and the first to close would log the other out. A per-BMC lock
keeps one of our sessions per BMC at a time; different BMCs run in
parallel (pyghmi's I/O thread multiplexes them).

pyghmi calls cannot be interrupted, so the deadline is checked between
commands; one command's own retries (a few seconds) bound the overrun.

Only pyghmi's public API is used, except for logging out: its Command has no
logout, so :meth:`IpmiBmc.close` calls its session's (``Command.ipmi_session``,
a ``pyghmi.ipmi.private.session.Session``). :func:`check_pyghmi` makes sure
that is there before a session is opened.
"""

from __future__ import annotations

import threading
import traceback
import uuid as uuidlib
from typing import Any, Dict, Iterable, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import Bmc, BmcAddress
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.ipmi import mapping as ipmi_map
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.deadline import Deadline
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import (
    BmcAuthError,
    BmcError,
    BmcTimeout,
    BmcUnreachable,
    BmcUnsupported,
)
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.ipmi.fru import FruReadError, read_fru_bytes
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.library_versions import unsupported
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.state import (
    GATHER_CHOICES,
    BootOverride,
    HardwareState,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import DependencyError

try:
    from pyghmi import exceptions as pyghmi_exc
    from pyghmi.ipmi import command as pyghmi_command
    from pyghmi.ipmi import fru as pyghmi_fru
    from pyghmi.ipmi.private import session as pyghmi_session

    HAS_PYGHMI = True
    PYGHMI_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the import sanity test
    HAS_PYGHMI = False
    PYGHMI_IMPORT_ERROR = traceback.format_exc()

AUTH_HINTS = ("password", "unauthorized", "privilege", "name", "rakp", "integrity")
THRESHOLD_KEYS = ("lower_non_critical", "lower_critical", "lower_non_recoverable",
                  "upper_non_critical", "upper_critical", "upper_non_recoverable")
POWER_POLL = 1.0

_LOCKS: Dict[Any, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _bmc_lock(host: str, port: int) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault((host, port), threading.Lock())


def check_pyghmi() -> None:
    """DependencyError unless this pyghmi has what the backend uses beyond its public API."""
    if not callable(getattr(pyghmi_session.Session, "logout", None)):
        raise unsupported("pyghmi", "the IPMI backend logs its sessions out with pyghmi's "
                                    "pyghmi.ipmi.private.session.Session.logout, which this pyghmi has not")
    if not callable(getattr(pyghmi_command.Command, "raw_command", None)):
        raise unsupported("pyghmi", "the IPMI backend needs pyghmi's Command.raw_command, which this pyghmi has not")


def _login_error(address: str, exc: Exception) -> BmcError:
    text = str(getattr(exc, "message", None) or exc or "")
    if any(h in text.lower() for h in AUTH_HINTS):
        return BmcAuthError("authentication failed for %s (%s)" % (address, text), resource=address)
    detail = ": " + text if text and text != "None" else ""
    return BmcUnreachable("%s: unreachable (no valid RMCP+ answer%s)" % (address, detail), resource=address)


class IpmiBmc(Bmc):
    protocol = "ipmi"

    def __init__(self, address: str, where: BmcAddress, username: Optional[str], password: Optional[str],
                 deadline: Deadline) -> None:
        if not HAS_PYGHMI:
            raise DependencyError("the IPMI backend needs the pyghmi Python library: %s" % PYGHMI_IMPORT_ERROR)
        check_pyghmi()
        super().__init__(address, deadline)
        self.where = where
        self.cmd = None
        self._lock = _bmc_lock(where.host, where.port)
        if not self._lock.acquire(timeout=max(0.0, deadline.remaining())):
            raise BmcTimeout("%s: another call to this BMC held it past the deadline" % address, resource=address)
        try:
            deadline.check("logging in")
            try:
                self.cmd = pyghmi_command.Command(bmc=where.host, port=where.port, userid=username or "",
                                                  password=password or "", keepalive=False)
            except pyghmi_exc.IpmiException as exc:
                raise _login_error(address, exc) from None
            except OSError as exc:
                raise BmcUnreachable("%s: unreachable: %s" % (address, exc), resource=address) from None
        except BaseException:
            self._lock.release()
            raise

    # -- plumbing ---------------------------------------------------------------------
    def _call(self, doing: str, fn, *args, **kwargs):
        self.deadline.check(doing)
        try:
            return fn(*args, **kwargs)
        except pyghmi_exc.IpmiException as exc:
            text = str(exc) or "no answer"
            if "timeout" in text.lower() or "no longer connected" in text.lower():
                raise BmcTimeout("%s: %s: %s" % (self.address, doing, text), resource=self.address) from None
            raise BmcError("%s: %s failed: %s" % (self.address, doing, text), resource=self.address) from None
        except pyghmi_exc.PyghmiException as exc:
            raise BmcError("%s: %s failed: %s" % (self.address, doing, exc), resource=self.address) from None

    def raw(self, doing: str, netfn: int, command: int, data=()) -> Dict[str, Any]:
        return self._call(doing, self.cmd.raw_command, netfn=netfn, command=command, data=data)

    # -- reads -------------------------------------------------------------------------
    def fetch(self, gather: Iterable[str]) -> Dict[str, Any]:
        """Plain records for ``gather`` (what the unit-test fixtures record)."""
        gather = set(gather)
        rec: Dict[str, Any] = {}
        if "power" in gather:
            rec["power"] = self.power_state()
        if "identity" in gather or "firmware" in gather:
            rec["fru"] = self._fru()
        if "identity" in gather:
            rec["guid"] = self._guid()
        if "firmware" in gather:
            dev = self._call("Get Device ID", self._device_id)
            rec["device"] = {"firmware_version": dev["firmware_version"], "manufacturer_id": dev["manufacturer_id"],
                             "product_id": dev["product_id"]}
        if "sensors" in gather:
            rec["sensors"] = self._sensors()
        if "log" in gather:
            rec["sel"] = [_plain(e) for e in self._call("read the SEL", lambda: list(self.cmd.get_event_log()))]
        if "boot" in gather:
            rec["bootdev"] = _plain(self._call("Get System Boot Options", self.cmd.get_bootdev))
        return rec

    def _device_id(self) -> Dict[str, Any]:
        rsp = self.cmd.raw_command(netfn=0x06, command=0x01)
        if "error" in rsp:  # as pyghmi's own Get Device ID does: _call makes it a BmcError
            raise pyghmi_exc.IpmiException(rsp["error"], code=rsp.get("code"))
        try:
            return ipmi_map.device_id(rsp.get("data") or b"")
        except ValueError as exc:
            raise BmcError("%s: %s" % (self.address, exc), resource=self.address) from None

    def _fru(self) -> Dict[str, Any]:
        try:
            raw = self._call("read FRU 0", read_fru_bytes, self.cmd.raw_command, 0)
            info = pyghmi_fru.FRU(rawdata=raw).info or {}
        except (FruReadError, ValueError, IndexError) as exc:
            return {"error": str(exc)}
        return {k: v for k, v in info.items() if isinstance(v, (str, int, float)) and v not in ("", None)}

    def _guid(self) -> Optional[str]:
        rsp = self.raw("Get System GUID", 0x06, 0x37)
        if rsp.get("code") or len(rsp.get("data", b"")) < 16:
            return None
        return str(uuidlib.UUID(bytes_le=bytes(rsp["data"][:16])))

    def _sensors(self) -> List[Dict[str, Any]]:
        readings = self._call("read the sensors", lambda: list(self.cmd.get_sensor_data()))
        sdr = self.cmd.init_sdr()
        entries = {e.name: e for e in sdr.sensors.values()}
        out = []
        for r in readings:
            item = {"name": r.name, "type": r.type, "value": r.value, "units": r.units, "health": r.health,
                    "states": list(r.states or []), "unavailable": bool(r.unavailable)}
            entry = entries.get(r.name)
            if entry is not None and r.type in ("Temperature", "Fan") and r.value is not None:
                item["thresholds"] = self._thresholds(entry)
            out.append(item)
        return out

    def _thresholds(self, entry) -> Dict[str, float]:
        rsp = self.raw("Get Sensor Thresholds %s" % entry.name, 0x04, 0x27, (entry.sensor_number,))
        data = rsp.get("data") or b""
        if rsp.get("code") or len(data) < 7:
            return {}
        out = {}
        for bit, key in enumerate(THRESHOLD_KEYS):
            if data[0] & (1 << bit):
                try:
                    out[key] = round(entry.decode_value(self.cmd, data[1 + bit]), 3)
                except Exception:  # an SDR formula pyghmi cannot apply: leave the threshold out
                    continue
        return out

    def read_state(self, gather: Iterable[str] = GATHER_CHOICES, log_since: Optional[str] = None,
                   log_limit: Optional[int] = None) -> HardwareState:
        gather = list(gather)
        return ipmi_map.to_state(self.fetch(gather), gather, log_since, log_limit)

    def power_state(self) -> str:
        return self._call("Get Chassis Status", self.cmd.get_power).get("powerstate", "unknown")

    def boot_override(self) -> BootOverride:
        return ipmi_map.boot_override(self._call("Get System Boot Options", self.cmd.get_bootdev))

    # -- changes ---------------------------------------------------------------------------
    def power(self, action: str) -> None:
        if action == "power_cycle":
            rsp = self.raw("Chassis Control power cycle", 0x00, 0x02, (0x02,))
            if rsp.get("code"):
                raise BmcError("%s: power cycle failed: %s" % (self.address, rsp.get("error")), resource=self.address)
            return
        if action == "graceful_restart":
            # IPMI has no graceful restart: soft-off, wait for off, then on
            self.power("graceful_shutdown")
            while self.power_state() != "off":
                self.deadline.sleep(POWER_POLL, "waiting for the graceful shutdown of a graceful restart")
            action = "on"
        state = {"on": "on", "off": "off", "graceful_shutdown": "shutdown", "force_restart": "reset"}[action]
        self._call("Chassis Control %s" % state, self.cmd.set_power, state, wait=False)

    def set_boot_override(self, target: str, persistent: bool, mode: Optional[str] = None) -> None:
        dev = ipmi_map.BOOTDEV_REVERSE.get(target)
        if dev is None:
            raise BmcUnsupported("%s: boot target %r has no IPMI equivalent" % (self.address, target),
                                 resource=self.address)
        self._call("Set System Boot Options", self.cmd.set_bootdev, dev, persist=persistent,
                   uefiboot=(mode == "uefi"))

    def clear_log(self) -> List[str]:
        """Read the SEL with pyghmi's clear flag (Clear SEL after reading, IPMI 2.0 31.9)."""
        self._call("clear the SEL", lambda: list(self.cmd.get_event_log(clear=True)))
        return ["SEL"]

    def close(self) -> None:
        cmd, self.cmd = self.cmd, None
        if cmd is None:
            return
        try:
            session = getattr(cmd, "ipmi_session", None)
            if session is not None and not getattr(session, "broken", False):
                session.logout()  # pyghmi's Command has no logout (check_pyghmi)
                # pyghmi keeps the logged-out session in its per-BMC cache, and the next Command for the same
                # BMC in this process picks it up half logged in (its raw_command then compares the time with
                # logoutexpiry None: TypeError). Retire it so the next one logs in afresh; a long-running
                # process (the exporter) opens the same BMC every few seconds. Private, hence guarded.
                _retire(session)
        except Exception:  # pylint: disable=broad-except
            pass  # the BMC went away mid-call; the session dies with it
        finally:
            self._lock.release()


def _retire(session: Any) -> None:
    """Drop a logged-out pyghmi session from pyghmi's class-level caches (``initting_sessions`` is keyed with the
    ``kg`` given, None, while ``_mark_broken`` deletes the key with the effective one, the password, so it stays)."""
    cache = getattr(type(session), "initting_sessions", None)
    if isinstance(cache, dict):
        for key in [k for k, v in list(cache.items()) if v is session]:
            cache.pop(key, None)
    retire = getattr(session, "_mark_broken", None)
    if callable(retire):
        retire()


def _plain(obj: Any) -> Any:
    """pyghmi answers with bytearrays and odd types here and there: make them JSON-able."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items() if k != "oem_handler"}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (bytes, bytearray)):
        return list(obj)
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)


__all__ = ["IpmiBmc"]
