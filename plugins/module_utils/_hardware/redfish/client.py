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

import json
import re
import traceback
from typing import Any, Callable, Dict, Iterable, List, Optional

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
    BmcNotRedfish,
    BmcTimeout,
    BmcTlsError,
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
#: at most this many log entries are fetched one by one when the collection is not expanded (and no log_limit)
MAX_LOG_FETCH = 200
#: a crawl (log pages, link-only members) stops when less than this (or a tenth of the deadline) is left
CRAWL_RESERVE = 2.0
#: a chassis tree larger than this is cut (a loop in Links.Contains, a rack manager listing every node)
MAX_CHASSIS = 16
#: keys of a collection member that carry no more than the link to it
LINK_KEYS = frozenset(("@odata.id", "@odata.type", "@odata.etag"))
#: log services that are no event log: diagnostic dumps, the BMC's own syslog journal
SKIP_LOGS = re.compile(r"dump|journal|crash|diag", re.I)

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
                response = super().request(method, url, *args, **kwargs)
            except requests.exceptions.SSLError as exc:
                if _PLAIN_ON_TLS.search(str(exc)):
                    raise BmcTlsError("%s: the port answers plain HTTP, not TLS (use redfish+http:// or the BMC's "
                                      "HTTPS port): %s" % (self.deadline.address, _reason(exc)),
                                      resource=self.deadline.address) from None
                raise BmcTlsError("%s: TLS error (certificate not trusted? set ca_path, or validate_certs=false "
                                  "for a lab): %s" % (self.deadline.address, exc), resource=self.deadline.address)
            except requests.exceptions.ConnectTimeout as exc:
                raise BmcUnreachable("%s: unreachable (connect timed out): %s" % (self.deadline.address, exc),
                                     resource=self.deadline.address)
            except requests.exceptions.ConnectionError as exc:
                raise BmcUnreachable("%s: unreachable: %s" % (self.deadline.address, _reason(exc)),
                                     resource=self.deadline.address)
            except requests.exceptions.Timeout:
                if seconds < self.request_timeout and not self.closing:
                    raise BmcTimeout("%s: the deadline of %gs was reached waiting for %s (%.1fs were left for it)"
                                     % (self.deadline.address, self.deadline.seconds, what, seconds),
                                     resource=self.deadline.address)
                raise BmcTimeout("%s: no answer to %s within %.1fs" % (self.deadline.address, what, seconds),
                                 resource=self.deadline.address)
            return _checked(response, what, self.deadline.address)

    class OneLoginAuth(sushy_auth.SessionOrBasicAuth):
        """sushy's session-or-basic login that does not try Basic after the session login was refused:
        wrong credentials cost one failed login (BMC lock-out counts), not two. Basic is still used where
        the service has no session login (404, 405, a 5xx)."""

        def _do_authenticate(self):
            try:
                sushy_auth.SessionAuth._do_authenticate(self)  # pylint: disable=protected-access
            except (sushy_exc.AccessError, sushy_exc.ConnectionError):
                raise
            except sushy_exc.SushyError:
                self._fallback_to_basic_authentication()

    def _sushy_session(conn) -> "requests.Session":
        """sushy's requests.Session, which we replace; DependencyError if this sushy keeps none."""
        session = getattr(conn, "_session", None)
        if not isinstance(session, requests.Session):
            raise unsupported("sushy", "the Redfish backend bounds every request by the task's deadline through "
                                       "sushy's Connector._session (a requests.Session), which this sushy has not")
        return session


#: what OpenSSL says when TLS meets a plain-HTTP server
_PLAIN_ON_TLS = re.compile(r"WRONG_VERSION_NUMBER|wrong version number|record layer failure|UNKNOWN_PROTOCOL|"
                           r"http request|packet length too long", re.I)


def _checked(response, what: str, address: str):
    """The response, made safe for sushy: an error body that is no Redfish error (``{"error": "busy"}``,
    an HTML page) is replaced by a Redfish-shaped one carrying its text, which sushy's HTTPError reads
    without an AttributeError; a success that is no JSON document is BmcNotRedfish."""
    body = response.content or b""
    if response.status_code >= 400:
        try:
            doc = response.json()
        except ValueError:
            doc = None
        error = doc.get("error") if isinstance(doc, dict) else None
        if not (isinstance(error, dict) and all(isinstance(error.get(k, ""), str) for k in ("code", "message"))
                and isinstance(error.get("@Message.ExtendedInfo", []), list)
                and all(isinstance(i, dict) for i in error.get("@Message.ExtendedInfo", []))):
            text = _text_of(body, error)
            response._content = json.dumps(  # pylint: disable=protected-access
                {"error": {"code": "Base.1.0.GeneralError", "message": text}}).encode()
        return response
    if response.request is not None and response.request.method == "GET" and body.strip():
        try:
            doc = response.json()
        except ValueError:
            doc = None
        if not isinstance(doc, dict):
            kind = ("an HTML page" if body.lstrip()[:1] == b"<" else
                    "JSON that is no Redfish document" if doc is not None else "no JSON")
            raise BmcNotRedfish("%s: not a Redfish service: %s answered %s (HTTP %s, Content-Type %s)"
                                % (address, what, kind, response.status_code,
                                   response.headers.get("Content-Type") or "not given"), resource=address)
    return response


def _text_of(body: bytes, error: Any) -> str:
    if isinstance(error, str) and error:
        return error[:200]
    text = body.decode("utf-8", "replace").strip()
    if text[:1] == "<":
        title = re.search(r"<title>(.*?)</title>", text, re.I | re.S)
        return "not a Redfish error: an HTML page%s" % (" (%s)" % title.group(1).strip()[:100] if title else "")
    return ("not a Redfish error: %s" % text[:200]) if text else "no error body"


def _reason(exc: Exception) -> str:
    text = str(exc)
    for hint in ("Connection refused", "No route to host", "Name or service not known", "timed out",
                 "Network is unreachable", "Connection reset"):
        if hint in text:
            return hint.lower()
    return text[:200]


class RedfishAnswer:
    """What :meth:`RedfishBmc.request` got: the HTTP status, the headers (lower-case names), the JSON body."""

    __slots__ = ("status", "headers", "doc")

    def __init__(self, status: int, headers: Dict[str, str], doc: Dict[str, Any]) -> None:
        self.status = status
        self.headers = headers
        self.doc = doc


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
        self.auth = OneLoginAuth(username, password)
        self._system_path = where.system_path
        self._system_doc: Optional[Dict[str, Any]] = None
        self._expand_refused = False
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

    def request(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> "RedfishAnswer":
        """A GET or POST whose status and headers matter (an action's 202 and Location, a task's
        Retry-After), through the same session, deadline and error handling as :meth:`get`."""
        with self._errors("%s %s" % (method, path)):
            if method == "POST":
                resp = self.conn.post(path, data=body if body is not None else {})
            else:
                resp = self.conn.get(path)
        try:
            doc = resp.json() if resp.content and resp.content.strip() else {}
        except ValueError:
            doc = {}
        return RedfishAnswer(resp.status_code, {k.lower(): v for k, v in resp.headers.items()},
                             doc if isinstance(doc, dict) else {})

    def update_service_path(self) -> Optional[str]:
        """The service root's UpdateService link (None: this BMC offers no firmware updates)."""
        return self._link(self.root.json, "UpdateService")

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
        val = doc.get(key) if isinstance(doc, dict) else None
        link = val.get("@odata.id") if isinstance(val, dict) else None
        return link if isinstance(link, str) and link else None

    # -- collections ---------------------------------------------------------------------
    def _expand_query(self) -> Optional[str]:
        """The ``$expand`` this service offers for a collection's Members, from the service root's
        ProtocolFeaturesSupported.ExpandQuery (none said: none asked, a service may answer 400 or 501)."""
        feats = (self.root.json.get("ProtocolFeaturesSupported") or {}) if self.root is not None else {}
        expand = feats.get("ExpandQuery") if isinstance(feats, dict) else None
        if not isinstance(expand, dict):
            return None
        levels = "($levels=1)" if expand.get("Levels") else ""
        if expand.get("NoLinks"):
            return "$expand=." + levels
        if expand.get("ExpandAll"):
            return "$expand=*" + levels
        return None

    def _low_on_time(self) -> bool:
        """True when the deadline leaves too little for another crawl request and the logout after it."""
        return self.deadline.remaining() < min(CRAWL_RESERVE, self.deadline.seconds * 0.1)

    def _collection(self, path: str, what: str, warnings: List[str], fetch_limit: Optional[int] = None,
                    newest_last: bool = False) -> List[Dict[str, Any]]:
        """Every member of a collection: its pages (``Members@odata.nextLink``), expanded where the service
        offers ``$expand``, each link-only member fetched on its own where it does not (at most
        ``fetch_limit``, the newest first when ``newest_last`` says the collection lists oldest first).

        The deadline ends the crawl, not the call: what was read is returned, with a warning."""
        query = None if self._expand_refused else self._expand_query()
        url = "%s%s%s" % (path, "&" if "?" in path else "?", query) if query else path
        try:
            doc = self.get(url)
        except (BmcAuthError, BmcUnreachable, BmcTimeout):
            raise
        except BmcError:
            if not query:
                raise
            # offered in the service root but refused here (400, 501): ask plainly, and no more on this BMC
            self._expand_refused = True
            query, url = None, path
            doc = self.get(url)
        members = [m for m in doc.get("Members") or [] if isinstance(m, dict)]
        total = doc.get("Members@odata.count")
        seen = {url}
        nxt = doc.get("Members@odata.nextLink")
        while isinstance(nxt, str) and nxt and nxt not in seen:
            if self._low_on_time():
                warnings.append("%s: stopped at the deadline after %d of %s members (next page %s not read)"
                                % (what, len(members), total if total is not None else "?", nxt))
                return self._fill(members, what, warnings, fetch_limit, newest_last)
            seen.add(nxt)
            if query and "$expand" not in nxt:  # a next page link that dropped the query asked for
                nxt = "%s%s%s" % (nxt, "&" if "?" in nxt else "?", query)
            try:
                doc = self.get(nxt)
            except BmcTimeout:
                warnings.append("%s: stopped at the deadline after %d of %s members"
                                % (what, len(members), total if total is not None else "?"))
                return self._fill(members, what, warnings, fetch_limit, newest_last)
            members += [m for m in doc.get("Members") or [] if isinstance(m, dict)]
            nxt = doc.get("Members@odata.nextLink")
        return self._fill(members, what, warnings, fetch_limit, newest_last)

    def _fill(self, members: List[Dict[str, Any]], what: str, warnings: List[str], fetch_limit: Optional[int],
              newest_last: bool) -> List[Dict[str, Any]]:
        """Members as documents: expanded ones as given, link-only ones fetched one request each."""
        if all(set(m) - LINK_KEYS for m in members):
            return members
        order = list(range(len(members)))
        if newest_last:
            order.reverse()
        out: Dict[int, Dict[str, Any]] = {}
        fetched = skipped = 0
        for i in order:
            m = members[i]
            if set(m) - LINK_KEYS:
                out[i] = m
                continue
            if not m.get("@odata.id"):
                continue
            if fetch_limit is not None and fetched >= fetch_limit:
                skipped += 1
                continue
            if self._low_on_time():
                skipped += 1
                continue
            try:
                out[i] = self.get(m["@odata.id"])
                fetched += 1
            except BmcTimeout:
                skipped += 1
            except (BmcUnsupported, BmcNotRedfish) as exc:
                warnings.append("%s: member %s not read: %s" % (what, m["@odata.id"], exc.message))
            except BmcError as exc:
                if isinstance(exc, (BmcAuthError, BmcUnreachable)):
                    raise
                warnings.append("%s: member %s not read: %s" % (what, m["@odata.id"], exc.message))
        if skipped:
            why = ("the deadline" if fetch_limit is None or fetched < fetch_limit
                   else "the %d read one request each (the service offers no $expand)" % fetch_limit)
            warnings.append("%s: %d of %d members not read, for %s" % (what, skipped, len(members), why))
        return [out[i] for i in sorted(out)]

    def _optional(self, what: str, warnings: List[str], read: Callable[[], Any], default: Any = None) -> Any:
        """A sub-resource that may fail on its own: its error becomes a warning, the rest is still read.
        Wrong credentials, an unreachable BMC and the deadline still end the call."""
        try:
            return read()
        except (BmcAuthError, BmcUnreachable, BmcTimeout):
            raise
        except BmcError as exc:
            warnings.append("%s not read: %s" % (what, exc.message))
            return default

    # -- reads ---------------------------------------------------------------------
    def fetch(self, gather: Iterable[str], log_limit: Optional[int] = None) -> Dict[str, Any]:
        """The documents ``gather`` needs, keyed by role (what the unit-test fixtures record)."""
        gather = set(gather)
        warnings: List[str] = []
        docs: Dict[str, Any] = {"system": self.system_doc(fresh=True), "warnings": warnings}
        system = docs["system"]
        if "sensors" in gather:
            docs["chassis"] = self._all_chassis(system, warnings)
        if "firmware" in gather:
            docs["firmware"] = self._optional("the firmware inventory", warnings, lambda: self._firmware(warnings), [])
            if not docs["firmware"]:
                manager = self._manager_path(system)
                docs["manager"] = (self._optional("the manager", warnings, lambda: self.get(manager), {})
                                   if manager else {})
        if "utilization" in gather:
            docs["metrics"] = self._summary_metrics(system, warnings)
        if "log" in gather:  # last: the longest crawl, cut short by the deadline without losing the rest
            docs["logs"] = self._logs(system, log_limit, warnings)
        return docs

    def _summary_metrics(self, system: Dict[str, Any], warnings: List[str]) -> Dict[str, Any]:
        """ProcessorSummary.Metrics and MemorySummary.Metrics (ComputerSystem 1.7+, ProcessorMetrics and
        MemoryMetrics), where the system links them: one request each, none when it does not."""
        out: Dict[str, Any] = {}
        for key, role in (("ProcessorSummary", "processor"), ("MemorySummary", "memory")):
            summary = system.get(key)
            path = self._link(summary, "Metrics") if isinstance(summary, dict) else None
            if path:
                doc = self._optional("%s.Metrics" % key, warnings, lambda path=path: self.get(path))
                if isinstance(doc, dict):
                    out[role] = doc
        return out

    @staticmethod
    def _links(doc: Dict[str, Any], key: str) -> List[str]:
        links = (doc.get("Links") or {}).get(key) if isinstance(doc.get("Links"), dict) else None
        if isinstance(links, dict):  # Links.ContainedBy is one link, not a list
            links = [links]
        return [m["@odata.id"] for m in links or [] if isinstance(m, dict) and isinstance(m.get("@odata.id"), str)]

    def _manager_path(self, system: Dict[str, Any]) -> Optional[str]:
        managers = self._links(system, "ManagedBy")
        return managers[0] if managers else None

    def _all_chassis(self, system: Dict[str, Any], warnings: List[str]) -> List[Dict[str, Any]]:
        """Every chassis the System links, the chassis they contain (Links.Contains), and the enclosure
        they sit in (Links.ContainedBy, not its other blades), each read once."""
        queue = [(p, True) for p in self._links(system, "Chassis")]
        seen = set()
        out = []
        while queue:
            path, down = queue.pop(0)
            if path.rstrip("/") in seen:
                continue
            seen.add(path.rstrip("/"))
            doc = self._optional("chassis %s" % path, warnings, lambda: self.get(path))
            if not isinstance(doc, dict):
                continue
            out.append(self._chassis(doc, warnings))
            if down:
                queue += [(p, True) for p in self._links(doc, "Contains")]
            queue += [(p, False) for p in self._links(doc, "ContainedBy") if len(seen) < MAX_CHASSIS]
            if len(seen) >= MAX_CHASSIS:
                warnings.append("sensors: more than %d chassis linked; the rest not read" % MAX_CHASSIS)
                break
        return out

    def _chassis(self, doc: Dict[str, Any], warnings: List[str]) -> Dict[str, Any]:
        """One chassis' sensor documents: the 2020.4+ resources where the chassis links them, else the old
        Thermal and Power (so a BMC with only those costs no request more than before)."""
        cid = doc.get("Id") or doc.get("@odata.id")
        read: Dict[str, Any] = {"chassis": doc}

        def one(key: str, what: str) -> Dict[str, Any]:
            link = self._link(doc, key)
            return self._optional("chassis %s %s" % (cid, what), warnings, lambda: self.get(link), {}) if link else {}

        def members(parent: Dict[str, Any], key: str, what: str) -> List[Dict[str, Any]]:
            link = self._link(parent, key)
            if not link:
                return []
            name = "chassis %s %s" % (cid, what)
            return self._optional(name, warnings, lambda: self._collection(link, name, warnings), [])

        ts_link, ps_link = self._link(doc, "ThermalSubsystem"), self._link(doc, "PowerSubsystem")
        if self._link(doc, "Sensors") and (ts_link or ps_link or not self._link(doc, "Thermal")):
            read["sensors"] = members(doc, "Sensors", "Sensors")
        if ts_link:
            read["thermal_subsystem"] = ts = one("ThermalSubsystem", "ThermalSubsystem")
            read["fans"] = members(ts, "Fans", "ThermalSubsystem Fans")
            if not read.get("sensors") and self._link(ts, "ThermalMetrics"):
                read["thermal_metrics"] = self._optional(
                    "chassis %s ThermalMetrics" % cid, warnings, lambda: self.get(self._link(ts, "ThermalMetrics")), {})
        elif self._link(doc, "Thermal"):
            read["thermal"] = one("Thermal", "Thermal")
        if ps_link:
            read["power_subsystem"] = ps = one("PowerSubsystem", "PowerSubsystem")
            read["power_supplies"] = supplies = members(ps, "PowerSupplies", "PowerSupplies")
            metrics = {}
            for psu in supplies:
                link = self._link(psu, "Metrics")
                if link:
                    got = self._optional("chassis %s %s" % (cid, link), warnings, lambda: self.get(link), None)
                    if isinstance(got, dict):
                        metrics[link.rstrip("/")] = got
            read["psu_metrics"] = metrics
            if self._link(doc, "EnvironmentMetrics"):
                read["environment"] = one("EnvironmentMetrics", "EnvironmentMetrics")
        elif self._link(doc, "Power"):
            read["power"] = one("Power", "Power")
        elif self._link(doc, "EnvironmentMetrics"):
            read["environment"] = one("EnvironmentMetrics", "EnvironmentMetrics")
        return read

    def _log_services(self, owner: Dict[str, Any], warnings: List[str], what: str) -> List[str]:
        link = self._link(owner, "LogServices")
        if not link:
            return []
        doc = self._optional("%s LogServices" % what, warnings, lambda: self.get(link), {})
        out = []
        for m in doc.get("Members") or []:
            path = m.get("@odata.id") if isinstance(m, dict) else None
            if isinstance(path, str) and not SKIP_LOGS.search(path.rstrip("/").rsplit("/", 1)[-1]):
                out.append(path)
        return out

    def _logs(self, system: Dict[str, Any], log_limit: Optional[int], warnings: List[str]) -> List[Dict[str, Any]]:
        """The event logs of the System and of its Manager (where BMCs keep the SEL), each service once;
        dumps and the BMC's own journal are not event logs and are not read."""
        paths = self._log_services(system, warnings, "the system's")
        manager = self._manager_path(system)
        if manager:
            mdoc = self._optional("the manager", warnings, lambda: self.get(manager), {})
            paths += [p for p in self._log_services(mdoc, warnings, "the manager's") if p not in paths]
        out = []
        fetch_limit = log_limit if log_limit is not None else MAX_LOG_FETCH
        for path in paths:
            if self._low_on_time():
                warnings.append("log %s: not read, the deadline is near" % path)
                continue
            service = self._optional("log %s" % path, warnings, lambda: self.get(path), {})
            if service.get("ServiceEnabled") is False or service.get("LogEntryType") == "Dump":
                continue
            entries = self._link(service, "Entries")
            if not entries:
                continue
            newest_last = str(service.get("OverWritePolicy") or "") != "NewestFirst"
            got = self._optional("log %s" % path, warnings,
                                 lambda: self._collection(entries, "log %s" % path, warnings, fetch_limit, newest_last),
                                 [])
            out.append({"service": path, "entries": got})
        return out

    def _firmware(self, warnings: List[str]) -> List[Dict[str, Any]]:
        update = self._link(self.root.json, "UpdateService")
        if not update:
            return []
        try:
            inventory = self._link(self.get(update), "FirmwareInventory")
        except BmcUnsupported:
            return []
        return self._collection(inventory, "the firmware inventory", warnings) if inventory else []

    def read_state(self, gather: Iterable[str] = GATHER_CHOICES, log_since: Optional[str] = None,
                   log_limit: Optional[int] = None) -> HardwareState:
        gather = list(gather)
        docs = self.fetch(gather, log_limit)
        try:
            return redfish_map.to_state(docs, gather, log_since, log_limit)
        except (TypeError, KeyError, AttributeError, ValueError) as exc:
            # a document shaped like no schema says: the BMC's fault, told as such, never a traceback
            raise BmcError("%s: the BMC answered a document this module cannot read (%s: %s)"
                           % (self.address, type(exc).__name__, exc), resource=self.address) from None

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

    def clear_log(self) -> List[str]:
        """POST each event log's ``#LogService.ClearLog`` (System and Manager logs, as _logs reads them)."""
        warnings: List[str] = []
        system = self.system_doc(fresh=True)
        paths = self._log_services(system, warnings, "the system's")
        manager = self._manager_path(system)
        if manager:
            paths += [p for p in self._log_services(self.get(manager), warnings, "the manager's") if p not in paths]
        cleared = []
        for path in paths:
            service = self.get(path)
            if service.get("ServiceEnabled") is False or service.get("LogEntryType") == "Dump":
                continue
            action = ((service.get("Actions") or {}).get("#LogService.ClearLog") or {}).get("target")
            if not action:
                continue
            with self._errors("clear the log %s" % path):
                self.conn.post(action, data={})
            cleared.append(path)
        if not cleared:
            raise BmcUnsupported("%s: no event log offers #LogService.ClearLog" % self.address, resource=self.address)
        return cleared

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
        if isinstance(exc, ValueError) and "Expecting" in str(exc) or isinstance(exc, json.JSONDecodeError):
            raise BmcNotRedfish("%s: not a Redfish service: %s got an answer that is no JSON"
                                % (self.address, self.doing), resource=self.address) from None
        if isinstance(exc, (sushy_exc.SushyError, ValueError, KeyError, TypeError, AttributeError)):
            raise BmcError("%s: %s failed: %s" % (self.address, self.doing, exc), resource=self.address) from None
        return False
