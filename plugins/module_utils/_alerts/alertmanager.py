# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""A small Alertmanager API v2 client: the active alerts, and silences (list, create, expire).

Only what triage needs: ``GET /api/v2/alerts`` (still-firing alerts to re-evaluate when a window or a hold
ends: Alertmanager does not send them again until ``repeat_interval``), ``GET /api/v2/silences``,
``POST /api/v2/silences`` and ``DELETE /api/v2/silence/{id}``. TLS is verified unless the caller turns it off;
a bearer token is sent when given (an Alertmanager behind an authenticating proxy); every call has a timeout.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ansible_collections.osfleet.day2.plugins.module_utils._alerts.payload import format_am_time
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error
from ansible_collections.osfleet.day2.plugins.module_utils._common.http_api import HttpApi

CREATED_BY = "osfleet.day2"


class AlertmanagerError(Day2Error):
    """An Alertmanager API call failed: ``call`` names it, ``status_code`` is the HTTP status (None: no answer)."""

    def __init__(self, message: str, call: str, status_code: Optional[int] = None) -> None:
        super().__init__(message, field="alertmanager_url", details={"call": call, "status_code": status_code})
        self.call = call
        self.status_code = status_code


def matcher(name: str, value: str) -> Dict[str, Any]:
    """An equality matcher (``name=value``) as API v2 takes it."""
    return {"name": name, "value": value, "isRegex": False, "isEqual": True}


class Alertmanager(HttpApi):
    """One Alertmanager (or the HA cluster behind one URL)."""

    NAME = "Alertmanager"
    FIELD = "alertmanager_url"

    def _call(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        url = self.url + path
        try:
            resp = self.session.request(method, url, headers=self.headers, timeout=self.timeout, verify=self.verify,
                                        **kwargs)
        except Exception as exc:  # pylint: disable=broad-except  # requests' ConnectionError, SSLError, Timeout
            raise AlertmanagerError("Alertmanager %s (%s %s): no answer: %s" % (what, method, url, exc),
                                    call="%s %s" % (method, path)) from None
        if resp.status_code >= 400:
            text = (resp.text or "")[:300].strip()
            raise AlertmanagerError("Alertmanager %s (%s %s): HTTP %d: %s" % (what, method, url, resp.status_code, text),
                                    call="%s %s" % (method, path), status_code=resp.status_code)
        if not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            raise AlertmanagerError("Alertmanager %s (%s %s): the answer is not JSON" % (what, method, url),
                                    call="%s %s" % (method, path), status_code=resp.status_code) from None

    # -- alerts -----------------------------------------------------------------
    def alerts(self, silenced: bool = True, inhibited: bool = True, filters: Sequence[str] = ()) -> List[Dict[str, Any]]:
        """Active alerts (``GET /api/v2/alerts``), silenced and inhibited ones included by default: triage
        decides itself what is suppressed, and an alert our own silence hides is still firing."""
        params: List[Any] = [("active", "true"), ("silenced", str(silenced).lower()),
                             ("inhibited", str(inhibited).lower()), ("unprocessed", "true")]
        params.extend(("filter", f) for f in filters)
        data = self._call("GET", "/api/v2/alerts", "list alerts", params=params)
        if not isinstance(data, list):
            raise AlertmanagerError("Alertmanager list alerts: expected a list", call="GET /api/v2/alerts")
        return data

    # -- silences -----------------------------------------------------------------
    def silences(self) -> List[Dict[str, Any]]:
        data = self._call("GET", "/api/v2/silences", "list silences")
        if not isinstance(data, list):
            raise AlertmanagerError("Alertmanager list silences: expected a list", call="GET /api/v2/silences")
        return data

    def ours(self) -> List[Dict[str, Any]]:
        """Our silences that are not expired (created by osfleet.day2)."""
        return [s for s in self.silences() if s.get("createdBy") == CREATED_BY
                and (s.get("status") or {}).get("state") != "expired"]

    def create_silence(self, matchers: Sequence[Mapping[str, Any]], starts_at: datetime, ends_at: datetime,
                       comment: str, created_by: str = CREATED_BY) -> str:
        body = {"matchers": list(matchers), "startsAt": format_am_time(starts_at), "endsAt": format_am_time(ends_at),
                "createdBy": created_by, "comment": comment}
        data = self._call("POST", "/api/v2/silences", "create a silence", json=body)
        if not isinstance(data, Mapping) or not data.get("silenceID"):
            raise AlertmanagerError("Alertmanager create a silence: no silenceID in the answer",
                                    call="POST /api/v2/silences")
        return str(data["silenceID"])

    def expire_silence(self, silence_id: str) -> None:
        """Expire a silence (``DELETE /api/v2/silence/{id}``); one already gone is not an error."""
        try:
            self._call("DELETE", "/api/v2/silence/%s" % silence_id, "expire silence %s" % silence_id)
        except AlertmanagerError as exc:
            if exc.status_code != 404:
                raise
