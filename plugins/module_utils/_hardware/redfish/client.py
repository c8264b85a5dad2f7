# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The Redfish backend: sushy for the session and actions, raw JSON for the rest.

sushy 5.14 has no classes for LogServices, Sensors or FirmwareInventory
members we need, and building its resource objects costs more than the
reads, so documents are read as JSON through sushy's connector and mapped
by :mod:`redfish_map`. Power and boot changes go through sushy's System,
which checks the values against what the BMC allows.

sushy's HTTP session is replaced by :class:`DeadlineSession`, which bounds
every request by the call's deadline, retries HTTP 503 honouring
Retry-After, and turns connection failures into typed errors before sushy's
own fixed retry loop (3 x 2 s) would run. Its HTTPS goes through one TLS
context per verification setting for the whole process (:mod:`redfish_tls`),
not a new one per connection.
"""

from __future__ import annotations

import traceback
from typing import Any, Dict, Iterable, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import (
    REQUEST_TIMEOUT,
    Bmc,
    BmcAddress,
)
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.redfish import mapping as redfish_map
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.deadline import Deadline, backoff, retry_after
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import (
    BmcAuthError,
    BmcError,
    BmcTimeout,
    BmcUnreachable,
    BmcUnsupported,
)
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.redfish.tls import SharedContextAdapter, tls_context
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.state import (
    GATHER_CHOICES,
    BootOverride,
    HardwareState,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import DependencyError

try:
    import requests
    import sushy
    from sushy import auth as sushy_auth
    from sushy import connector as sushy_connector
    from sushy import exceptions as sushy_exc

    HAS_SUSHY = True
    SUSHY_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the import sanity test
    HAS_SUSHY = False
    SUSHY_IMPORT_ERROR = traceback.format_exc()
    requests = None

#: statuses worth retrying: the BMC is busy, not broken
RETRY_STATUSES = (503,)
MAX_RETRIES = 6
#: logging out is allowed this long even after the deadline: a leaked session costs more
LOGOUT_GRACE = 5.0
#: at most this many log entries are fetched one by one when the collection is not expanded
MAX_LOG_FETCH = 200

RESET_TYPES = {"on": "On", "off": "ForceOff", "graceful_shutdown": "GracefulShutdown",
               "graceful_restart": "GracefulRestart", "force_restart": "ForceRestart", "power_cycle": "PowerCycle"}


if HAS_SUSHY:
    class DeadlineSession(requests.Session):
        """requests.Session whose every request is bounded by a Deadline and retried on HTTP 503."""

        def __init__(self, deadline: Deadline, request_timeout: float = REQUEST_TIMEOUT) -> None:
            super().__init__()
            self.deadline = deadline
            self.request_timeout = request_timeout
            self.closing = False
            self.requests_made = 0

        def request(self, method, url, *args, **kwargs):  # pylint: disable=arguments-differ
            attempt = 0
            what = "%s %s" % (method, url)
            while True:
                if self.closing:
                    kwargs["timeout"] = LOGOUT_GRACE
                else:
                    self.deadline.check(what)
                    kwargs["timeout"] = self.deadline.bound(self.request_timeout)
                try:
                    self.requests_made += 1
                    resp = super().request(method, url, *args, **kwargs)
                except requests.exceptions.SSLError as exc:
                    raise BmcError("%s: TLS error (certificate not trusted? set ca_path, or validate_certs=false "
                                   "for a lab): %s" % (self.deadline.address, exc), resource=self.deadline.address)
                except requests.exceptions.ConnectTimeout as exc:
                    raise BmcUnreachable("%s: unreachable (connect timed out): %s" % (self.deadline.address, exc),
                                         resource=self.deadline.address)
                except requests.exceptions.ConnectionError as exc:
                    raise BmcUnreachable("%s: unreachable: %s" % (self.deadline.address, _reason(exc)),
                                         resource=self.deadline.address)
                except requests.exceptions.Timeout:
                    raise BmcTimeout("%s: no answer to %s within %.1fs" % (self.deadline.address, what,
                                                                           kwargs["timeout"]),
                                     resource=self.deadline.address)
                if resp.status_code not in RETRY_STATUSES or self.closing or attempt >= MAX_RETRIES:
                    return resp
                attempt += 1
                delay = retry_after(resp.headers.get("Retry-After"))
                delay = backoff(attempt) if delay is None else delay
                resp.close()
                self.deadline.sleep(delay, "waiting to retry %s after HTTP %d" % (what, resp.status_code))


def _reason(exc: Exception) -> str:
    text = str(exc)
    for hint in ("Connection refused", "No route to host", "Name or service not known", "timed out",
                 "Network is unreachable", "Connection reset"):
        if hint in text:
            return hint.lower()
    return text[:200]


class RedfishBmc(Bmc):
    protocol = "redfish"

    def __init__(self, address: str, where: BmcAddress, username: Optional[str], password: Optional[str],
                 deadline: Deadline, validate_certs: bool = True, ca_path: Optional[str] = None) -> None:
        if not HAS_SUSHY:
            raise DependencyError("the Redfish backend needs the sushy Python library: %s" % SUSHY_IMPORT_ERROR)
        super().__init__(address, deadline)
        self.where = where
        verify: Any = (ca_path or True) if validate_certs else False
        self.session = DeadlineSession(deadline)
        if where.scheme == "https":
            try:
                context = tls_context(validate_certs, ca_path)
            except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
                raise BmcError("%s: cannot load CA certificates from %s: %s"
                               % (address, ca_path or "the default bundle", exc), resource=address)
            self.session.mount("https://", SharedContextAdapter(context))
        conn = sushy_connector.Connector(where.base_url, verify=verify, server_side_retries=0)
        self.session.headers.update(conn._session.headers)  # sushy's defaults (Connection: close)
        conn._session.close()
        conn._session = self.session  # sushy 5.14 keeps its requests.Session here
        self.conn = conn
        self.root = None
        self._system_path = where.system_path
        self._system_doc: Optional[Dict[str, Any]] = None
        try:
            with self._errors("log in"):
                self.root = sushy.Sushy(where.base_url, auth=sushy_auth.SessionOrBasicAuth(username, password),
                                        connector=conn, verify=verify, server_side_retries=0)
                if not self._system_path:
                    self._system_path = self._only_system()
        except BaseException:
            self.close()
            raise

    # -- plumbing --------------------------------------------------------------
    def _errors(self, doing: str):
        return _SushyErrors(self.address, doing)

    def get(self, path: str) -> Dict[str, Any]:
        with self._errors("GET %s" % path):
            return self.conn.get(path).json()

    def _only_system(self) -> str:
        members = self.get(self.root._systems_path or "/redfish/v1/Systems").get("Members") or []
        if len(members) != 1:
            raise BmcError("%s: the BMC manages %d systems; put the one meant in the address "
                           "(.../redfish/v1/Systems/<id>)" % (self.address, len(members)), resource=self.address)
        return members[0]["@odata.id"]

    def system_doc(self, fresh: bool = False) -> Dict[str, Any]:
        if self._system_doc is None or fresh:
            self._system_doc = self.get(self._system_path)
        return self._system_doc

    @staticmethod
    def _link(doc: Dict[str, Any], key: str) -> Optional[str]:
        val = doc.get(key)
        return val.get("@odata.id") if isinstance(val, dict) else None

    def _members(self, path: str, limit: int = MAX_LOG_FETCH) -> List[Dict[str, Any]]:
        """Members of a collection, fetching each one only if the BMC did not expand them."""
        out = []
        for m in (self.get(path).get("Members") or [])[:limit]:
            if set(m) - {"@odata.id"}:
                out.append(m)
            else:
                out.append(self.get(m["@odata.id"]))
        return out

    # -- reads ---------------------------------------------------------------------
    def fetch(self, gather: Iterable[str]) -> Dict[str, Any]:
        """The documents ``gather`` needs, keyed by role (what the unit-test fixtures record)."""
        gather = set(gather)
        docs: Dict[str, Any] = {"system": self.system_doc(fresh=True)}
        system = docs["system"]
        if "sensors" in gather:
            chassis = ((system.get("Links") or {}).get("Chassis") or [{}])[0].get("@odata.id")
            if chassis:
                doc = self.get(chassis)
                thermal, power = self._link(doc, "Thermal"), self._link(doc, "Power")
                docs["thermal"] = self.get(thermal) if thermal else {}
                docs["power"] = self.get(power) if power else {}
        if "log" in gather:
            docs["log_entries"] = self._log_entries(system)
        if "firmware" in gather:
            docs["firmware"] = self._firmware()
            if not docs["firmware"]:
                manager = ((system.get("Links") or {}).get("ManagedBy") or [{}])[0].get("@odata.id")
                docs["manager"] = self.get(manager) if manager else {}
        return docs

    def _log_entries(self, system: Dict[str, Any]) -> List[Dict[str, Any]]:
        services = self._link(system, "LogServices")
        if not services:
            return []
        members = self.get(services).get("Members") or []
        paths = [m["@odata.id"] for m in members]
        # the SEL is the hardware event log; fall back to the first service
        paths.sort(key=lambda p: 0 if p.rstrip("/").endswith("/SEL") else 1)
        if not paths:
            return []
        entries = self._link(self.get(paths[0]), "Entries")
        return self._members(entries) if entries else []

    def _firmware(self) -> List[Dict[str, Any]]:
        update = self._link(self.root.json, "UpdateService")
        if not update:
            return []
        try:
            inventory = self._link(self.get(update), "FirmwareInventory")
            return self._members(inventory) if inventory else []
        except BmcUnsupported:
            return []

    def read_state(self, gather: Iterable[str] = GATHER_CHOICES, log_since: Optional[str] = None) -> HardwareState:
        gather = list(gather)
        return redfish_map.to_state(self.fetch(gather), gather, log_since)

    def power_state(self) -> str:
        return redfish_map.power_state(self.system_doc(fresh=True).get("PowerState"))

    def boot_override(self) -> BootOverride:
        return redfish_map.boot_override(self.system_doc(fresh=True))

    # -- changes -----------------------------------------------------------------------
    def _system(self):
        with self._errors("read the system"):
            return self.root.get_system(self._system_path)

    def power(self, action: str) -> None:
        reset = RESET_TYPES[action]
        with self._errors("reset the system (%s)" % reset):
            system = self._system()
            allowed = {v.value for v in system.get_allowed_reset_system_values()}
            if reset not in allowed:
                raise BmcUnsupported("%s: the BMC does not offer ResetType %s (it offers %s)"
                                     % (self.address, reset, ", ".join(sorted(allowed))), resource=self.address)
            system.reset_system(sushy.ResetType(reset))

    def set_boot_override(self, target: str, persistent: bool, mode: Optional[str] = None) -> None:
        source = redfish_map.BOOT_TARGETS_REVERSE.get(target)
        if source is None:
            raise BmcUnsupported("%s: boot target %r has no Redfish equivalent" % (self.address, target),
                                 resource=self.address)
        enabled = "Disabled" if target == "none" else ("Continuous" if persistent else "Once")
        with self._errors("set the boot override"):
            system = self._system()
            allowed = {v.value for v in system.get_allowed_system_boot_source_values()}
            if source not in allowed:
                raise BmcUnsupported("%s: the BMC does not offer boot target %s (it offers %s)"
                                     % (self.address, source, ", ".join(sorted(allowed))), resource=self.address)
            kwargs: Dict[str, Any] = dict(target=sushy.BootSource(source),
                                          enabled=sushy.BootSourceOverrideEnabled(enabled))
            if mode:
                kwargs["mode"] = sushy.BootSourceOverrideMode({"uefi": "UEFI", "legacy": "Legacy"}[mode])
            system.set_system_boot_options(**kwargs)

    def close(self) -> None:
        """Delete the Redfish session (even after the deadline), then drop the HTTP connections."""
        self.session.closing = True
        root, self.root = self.root, None
        try:
            if root is not None and root._auth is not None:
                auth, root._auth = root._auth, None  # so sushy's __del__ does not log out twice
                try:
                    auth.close()
                except (BmcError, sushy_exc.SushyError):
                    pass  # the BMC went away; nothing left to log out of
        finally:
            self.conn.close()


class _SushyErrors:
    """Context manager: sushy exceptions -> typed BMC errors naming the address."""

    def __init__(self, address: str, doing: str) -> None:
        self.address = address
        self.doing = doing

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None or isinstance(exc, BmcError) or not isinstance(exc, Exception):
            return False
        if isinstance(exc, sushy_exc.AccessError):
            raise BmcAuthError("authentication failed for %s" % self.address, resource=self.address) from None
        if isinstance(exc, sushy_exc.ResourceNotFoundError):
            raise BmcUnsupported("%s: %s: not found (HTTP 404): %s" % (self.address, self.doing, exc.message),
                                 resource=self.address) from None
        if isinstance(exc, sushy_exc.HTTPError):
            raise BmcError("%s: %s failed (HTTP %s): %s" % (self.address, self.doing, exc.status_code, exc.message),
                           resource=self.address, details={"status_code": exc.status_code}) from None
        if isinstance(exc, sushy_exc.ConnectionError):
            raise BmcUnreachable("%s: unreachable: %s" % (self.address, exc), resource=self.address) from None
        if isinstance(exc, (sushy_exc.SushyError, ValueError, KeyError, TypeError)):
            raise BmcError("%s: %s failed: %s" % (self.address, self.doing, exc), resource=self.address) from None
        return False
