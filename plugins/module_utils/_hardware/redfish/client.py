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
every request by the call's deadline and turns connection failures into
typed errors before sushy's own fixed retry loop (3 x 2 s) would run. HTTP
503 is retried by urllib3's ``Retry`` (:class:`DeadlineRetry`) mounted on the
session's http and https adapters. Its HTTPS goes through one TLS context per
verification setting for the whole process (:mod:`redfish_tls`), not a new
one per connection.

sushy has no public way to hand it a session: ``Connector._session`` is the
one private attribute used, checked on every login (:func:`_sushy_session`,
and that sushy's requests did go through it); everything else is public API.
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
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.deadline import Deadline
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import (
    BmcAuthError,
    BmcError,
    BmcTimeout,
    BmcUnreachable,
    BmcUnsupported,
)
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.library_versions import unsupported
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
    from requests.adapters import HTTPAdapter
    from sushy import auth as sushy_auth
    from sushy import connector as sushy_connector
    from sushy import exceptions as sushy_exc
    from urllib3.exceptions import InvalidHeader
    from urllib3.util import Retry, Timeout

    HAS_SUSHY = True
    SUSHY_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the import sanity test
    HAS_SUSHY = False
    SUSHY_IMPORT_ERROR = traceback.format_exc()
    requests = None

#: statuses worth retrying: the BMC is busy, not broken
RETRY_STATUSES = (503,)
MAX_RETRIES = 6
#: first back-off delay and its cap when the BMC gives no Retry-After
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 8.0
#: logging out is allowed this long even after the deadline: a leaked session costs more
LOGOUT_GRACE = 5.0
#: at most this many log entries are fetched one by one when the collection is not expanded
MAX_LOG_FETCH = 200

RESET_TYPES = {"on": "On", "off": "ForceOff", "graceful_shutdown": "GracefulShutdown",
               "graceful_restart": "GracefulRestart", "force_restart": "ForceRestart", "power_cycle": "PowerCycle"}


if HAS_SUSHY:
    class DeadlineRetry(Retry):
        """urllib3's Retry for HTTP 503, on any method, at most MAX_RETRIES times, honouring Retry-After
        (seconds or HTTP date); the last response is returned, not raised. Connection and read errors
        are not retried: they become BmcUnreachable / BmcTimeout at once (connect=0, read=False, other=0).

        What is ours, and why:

        * :meth:`sleep` asks the call's Deadline first: a wait that would pass it raises BmcTimeout at
          once instead of sleeping into a task that has already failed (urllib3 sleeps whatever it is
          told). A Retry-After that is no number or date is a back-off, not an error (urllib3 raises
          InvalidHeader, which ended the call).
        * :meth:`get_backoff_time` waits 0.5 s before the first retry, then 1, 2, 4, 8, 8 s. urllib3's
          formula waits nothing before the first retry: it would ask a BMC that just said it is busy
          again at once.
        * only 503 is retried, also with a Retry-After (urllib3 also retries 413 and 429 then): those
          are answers about the request, which a retry does not change.
        """

        RETRY_AFTER_STATUS_CODES = frozenset(RETRY_STATUSES)

        def __init__(self, deadline: Optional[Deadline] = None, **kwargs: Any) -> None:
            self.deadline = deadline
            super().__init__(**kwargs)

        @classmethod
        def for_deadline(cls, deadline: Deadline) -> "DeadlineRetry":
            return cls(deadline=deadline, total=MAX_RETRIES, status=MAX_RETRIES, connect=0, read=False, other=0,
                       allowed_methods=None, status_forcelist=RETRY_STATUSES, raise_on_status=False,
                       respect_retry_after_header=True)

        def new(self, **kw: Any) -> "DeadlineRetry":
            kw.setdefault("deadline", self.deadline)
            return super().new(**kw)

        def get_backoff_time(self) -> float:
            errors = max(1, len(self.history))
            return min(BACKOFF_MAX, BACKOFF_FIRST * (2 ** (errors - 1)))

        def sleep(self, response=None) -> None:
            wait = None
            if response is not None:
                try:
                    wait = self.get_retry_after(response)
                except InvalidHeader:
                    wait = None
            if wait is None:
                wait = self.get_backoff_time()
            last = self.history[-1] if self.history else None
            doing = ("waiting to retry %s %s after HTTP %s" % (last.method, last.url, last.status) if last
                     else "waiting to retry")
            if self.deadline is None:  # pragma: no cover - every DeadlineSession gives one
                raise BmcTimeout("no deadline to retry within")
            self.deadline.sleep(wait, doing)

    class DeadlineTimeout(Timeout):
        """A request's connect and read timeout: ``limit`` cut to what is left of the deadline, worked out
        again for each attempt. urllib3 clones the timeout object for every attempt, retries included, so
        a plain Timeout gives a retry the first attempt's timeout again: measured in
        test_redfish_retry.py, a call with a 3 s deadline, a 503 asking for 1 s and a slow answer to the
        retry took 4.0 s with one, 3.0 s with this."""

        def __init__(self, deadline: Deadline, limit: float) -> None:
            self.deadline = deadline
            self.limit = limit
            self.first = deadline.bound(limit)
            super().__init__(connect=self.first, read=self.first)

        def clone(self) -> "Timeout":
            bound = self.deadline.bound(self.limit)
            return Timeout(connect=bound, read=bound)

    class DeadlineSession(requests.Session):
        """requests.Session whose every request is bounded by a Deadline, retried on HTTP 503 by its
        adapters (:class:`DeadlineRetry`), and whose failures are typed BMC errors."""

        def __init__(self, deadline: Deadline, request_timeout: float = REQUEST_TIMEOUT) -> None:
            super().__init__()
            self.deadline = deadline
            self.request_timeout = request_timeout
            self.closing = False
            self.requests_made = 0
            self.retry = DeadlineRetry.for_deadline(deadline)
            self.mount("http://", HTTPAdapter(max_retries=self.retry))
            self.mount("https://", HTTPAdapter(max_retries=self.retry))

        def mount_tls(self, context) -> None:
            """HTTPS through ``context`` (redfish_tls), with the same retries as plain HTTP."""
            self.mount("https://", SharedContextAdapter(context, max_retries=self.retry))

        def start_closing(self) -> None:
            """From now on: no retries, and LOGOUT_GRACE per request whatever the deadline says."""
            self.closing = True
            for adapter in self.adapters.values():
                adapter.max_retries = Retry(0, read=False)  # requests' own default

        def request(self, method, url, *args, **kwargs):  # pylint: disable=arguments-differ
            what = "%s %s" % (method, url)
            if self.closing:
                kwargs["timeout"] = seconds = LOGOUT_GRACE
            else:
                self.deadline.check(what)
                kwargs["timeout"] = DeadlineTimeout(self.deadline, self.request_timeout)
                seconds = kwargs["timeout"].first
            self.requests_made += 1
            try:
                return super().request(method, url, *args, **kwargs)
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
                raise BmcTimeout("%s: no answer to %s within %.1fs" % (self.deadline.address, what, seconds),
                                 resource=self.deadline.address)

    def _sushy_session(conn) -> "requests.Session":
        """sushy's requests.Session, which we replace; DependencyError if this sushy keeps none."""
        session = getattr(conn, "_session", None)
        if not isinstance(session, requests.Session):
            raise unsupported("sushy", "the Redfish backend bounds every request by the task's deadline through "
                                       "sushy's Connector._session (a requests.Session), which this sushy has not")
        return session


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
            self.session.mount_tls(context)
        conn = sushy_connector.Connector(where.base_url, verify=verify, server_side_retries=0)
        theirs = _sushy_session(conn)
        self.session.headers.update(theirs.headers)  # sushy's defaults (Connection: close)
        theirs.close()
        conn._session = self.session  # pylint: disable=protected-access  # guarded by _sushy_session
        self.conn = conn
        self.root = None
        # ours, so that close() logs out through its public API (sushy keeps its reference private)
        self.auth = sushy_auth.SessionOrBasicAuth(username, password)
        self._system_path = where.system_path
        self._system_doc: Optional[Dict[str, Any]] = None
        try:
            with self._errors("log in"):
                self.root = sushy.Sushy(where.base_url, auth=self.auth, connector=conn, verify=verify,
                                        server_side_retries=0)
            if not self.session.requests_made:
                raise unsupported("sushy", "sushy logged in without the HTTP session the Redfish backend gave "
                                           "it (Connector._session), so no request was bounded by the deadline")
            with self._errors("log in"):
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
        members = self.get(self._link(self.root.json, "Systems") or "/redfish/v1/Systems").get("Members") or []
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
        self.session.start_closing()
        self.root = None
        auth, self.auth = self.auth, None
        try:
            if auth is not None:
                try:
                    auth.close()
                except (BmcError, sushy_exc.SushyError):
                    pass  # the BMC went away; nothing left to log out of
                finally:
                    if auth.get_session_resource_id() is not None:
                        # the DELETE failed: forget the session, so sushy's __del__ does not try again later
                        auth.reset_session_attrs()
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
