# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Alertmanager's alerts, read and checked: the webhook payload (version 4), a plain list, the API v2 answer.

Everything that comes in is checked before triage sees it; a bad item is refused with the path of the field
(``payload.alerts[3].startsAt``), never skipped: an alert silently dropped is an incident nobody gets.

An alert's identity is its fingerprint, which Alertmanager computes from the alert's labels: FNV-1a 64 over the
label names in sorted order, each name and each value followed by the byte 0xff, written as 16 hex digits
(``labelSetToFingerprint`` in prometheus/common ``model/signature.go``). An alert without one (a plain list
written by hand or by another tool) gets it computed the same way from its labels, so it is the fingerprint
Alertmanager would give the same labels; ``fingerprint_source`` says ``computed`` rather than ``alertmanager``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

PAYLOAD_VERSION = "4"
STATUSES = ("firing", "resolved")
#: API v2 alert states that mean "still firing" (suppressed: silenced or inhibited by Alertmanager)
ACTIVE_STATES = ("active", "suppressed", "unprocessed")
_FNV_OFFSET = 14695981039346656037
_FNV_PRIME = 1099511628211
_MASK = 0xFFFFFFFFFFFFFFFF
_FRACTION = re.compile(r"(\.\d{1,6})\d*")
#: Go's zero time: what Alertmanager writes as endsAt of an alert still firing
_ZERO_YEAR = 1


def fingerprint(labels: Mapping[str, str]) -> str:
    """Alertmanager's fingerprint of a label set (prometheus/common ``labelSetToFingerprint``)."""
    value = _FNV_OFFSET
    for name in sorted(labels):
        for part in (name.encode("utf-8"), b"\xff", str(labels[name]).encode("utf-8"), b"\xff"):
            for byte in part:
                value = ((value ^ byte) * _FNV_PRIME) & _MASK
    return "%016x" % value


def parse_am_time(value: Any, where: str, required: bool = False) -> Optional[datetime]:
    """An RFC 3339 time as Alertmanager writes it (nanoseconds, ``Z``); Go's zero time and "" are None."""
    if value in (None, ""):
        if required:
            raise ValidationError("%s: missing (an RFC 3339 time such as 2026-12-02T15:00:00Z)" % where, field=where)
        return None
    if isinstance(value, datetime):
        when = value
    else:
        text = _FRACTION.sub(lambda m: m.group(1), str(value).strip())
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError("%s: %r is not an RFC 3339 time such as 2026-12-02T15:00:00Z" % (where, value),
                                  field=where) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    if when.year <= _ZERO_YEAR:
        return None
    return when.astimezone(timezone.utc)


def format_am_time(when: Optional[datetime]) -> str:
    """``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``, or "" (the form the dedup key and the state file keep)."""
    if when is None:
        return ""
    text = when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    if when.microsecond:
        text += ".%06d" % when.microsecond
    return text + "Z"


@dataclass
class Alert:
    """One alert, whatever shape it came in."""

    labels: Dict[str, str]
    status: str
    starts_at: Optional[datetime]
    ends_at: Optional[datetime] = None
    annotations: Dict[str, str] = field(default_factory=dict)
    fingerprint: str = ""
    fingerprint_source: str = "alertmanager"
    generator_url: str = ""
    source: str = "payload"  # payload | list | alertmanager (GET /api/v2/alerts)

    @property
    def name(self) -> str:
        return self.labels.get("alertname", "")

    @property
    def firing(self) -> bool:
        return self.status == "firing"

    @property
    def key(self) -> str:
        """The dedup key: one firing of one alert (a new firing of the same labels has a new startsAt)."""
        return "%s|%s" % (self.fingerprint, self.starts_text)

    @property
    def starts_text(self) -> str:
        text = self.__dict__.get("_starts_text")
        if text is None:
            text = self.__dict__["_starts_text"] = format_am_time(self.starts_at)
        return text

    @property
    def severity(self) -> str:
        return self.labels.get("severity", "")

    def brief(self) -> Dict[str, Any]:
        """What an incident lists of each of its alerts."""
        return {"name": self.name, "fingerprint": self.fingerprint, "status": self.status,
                "severity": self.severity, "starts_at": self.starts_text,
                "labels": dict(self.labels), "summary": self.annotations.get("summary", "")}


@dataclass
class Parsed:
    alerts: List[Alert]
    warnings: List[str] = field(default_factory=list)
    group_key: str = ""
    receiver: str = ""
    external_url: str = ""


def _strings(value: Any, where: str, required: bool = False) -> Dict[str, str]:
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError("%s: must be a mapping of names to strings, not %s" % (where, type(value).__name__),
                              field=where)
    out = {}
    for key, val in value.items():
        if not isinstance(key, str) or not key:
            raise ValidationError("%s: label names are non-empty strings, not %r" % (where, key), field=where)
        if isinstance(val, (Mapping, list)):
            raise ValidationError("%s.%s: must be a string, not %s" % (where, key, type(val).__name__),
                                  field="%s.%s" % (where, key))
        out[key] = "" if val is None else str(val)
    return out


def parse_alert(item: Any, where: str, source: str = "list") -> Alert:
    """One alert: a webhook alert, an API v2 alert (``status`` a mapping), or a plain one (``name`` allowed for
    ``labels.alertname``, ``status`` firing by default)."""
    if not isinstance(item, Mapping):
        raise ValidationError("%s: an alert is a mapping with labels, not %s" % (where, type(item).__name__),
                              field=where)
    labels = _strings(item.get("labels"), where + ".labels", required=True)
    if item.get("name") and not labels.get("alertname"):
        labels["alertname"] = str(item["name"])
    if not labels.get("alertname"):
        raise ValidationError("%s.labels.alertname: missing (every alert has one)" % where,
                              field=where + ".labels.alertname")
    status = item.get("status", "firing")
    if isinstance(status, Mapping):  # API v2: {state: active|suppressed|unprocessed, silencedBy, inhibitedBy}
        state = status.get("state")
        if state not in ACTIVE_STATES + ("resolved",):
            raise ValidationError("%s.status.state: %r is not one of %s" % (where, state, ", ".join(
                ACTIVE_STATES + ("resolved",))), field=where + ".status.state")
        status = "resolved" if state == "resolved" else "firing"
        source = "alertmanager"
    if status not in STATUSES:
        raise ValidationError("%s.status: %r is not firing or resolved" % (where, status), field=where + ".status")
    starts = parse_am_time(item.get("startsAt"), where + ".startsAt", required=source != "list")
    ends = parse_am_time(item.get("endsAt"), where + ".endsAt")
    fp = item.get("fingerprint")
    if fp is not None and (not isinstance(fp, str) or not fp):
        raise ValidationError("%s.fingerprint: must be a non-empty string" % where, field=where + ".fingerprint")
    return Alert(labels=labels, status=status, starts_at=starts, ends_at=ends,
                 annotations=_strings(item.get("annotations"), where + ".annotations"),
                 fingerprint=fp or fingerprint(labels), fingerprint_source="alertmanager" if fp else "computed",
                 generator_url=str(item.get("generatorURL") or ""), source=source)


def parse_payload(payload: Any, where: str = "payload") -> Parsed:
    """A webhook payload, version 4 (``version``, ``groupKey``, ``truncatedAlerts``, ``status``, ``receiver``,
    ``groupLabels``, ``commonLabels``, ``commonAnnotations``, ``externalURL``, ``alerts``)."""
    if not isinstance(payload, Mapping):
        raise ValidationError("%s: a webhook payload is a mapping, not %s" % (where, type(payload).__name__),
                              field=where)
    version = payload.get("version")
    if str(version) != PAYLOAD_VERSION:
        raise ValidationError("%s.version: %r; only webhook payload version 4 is read" % (where, version),
                              field=where + ".version")
    alerts = payload.get("alerts")
    if not isinstance(alerts, list):
        raise ValidationError("%s.alerts: must be a list of alerts" % where, field=where + ".alerts")
    for key in ("groupLabels", "commonLabels", "commonAnnotations"):
        _strings(payload.get(key), "%s.%s" % (where, key))
    if payload.get("status") not in STATUSES:
        raise ValidationError("%s.status: %r is not firing or resolved" % (where, payload.get("status")),
                              field=where + ".status")
    parsed = Parsed([parse_alert(a, "%s.alerts[%d]" % (where, i), source="payload") for i, a in enumerate(alerts)],
                    group_key=str(payload.get("groupKey") or ""), receiver=str(payload.get("receiver") or ""),
                    external_url=str(payload.get("externalURL") or ""))
    truncated = payload.get("truncatedAlerts") or 0
    if not isinstance(truncated, int) or isinstance(truncated, bool) or truncated < 0:
        raise ValidationError("%s.truncatedAlerts: must be a whole number" % where, field=where + ".truncatedAlerts")
    if truncated:
        parsed.warnings.append("%s: Alertmanager left out %d alert(s) of group %s (max_alerts); fetch_active reads "
                               "them from its API" % (where, truncated, parsed.group_key or "?"))
    return parsed


def parse_alerts(items: Any, where: str = "alerts") -> Parsed:
    """A plain list of alerts (or the answer of GET /api/v2/alerts)."""
    if not isinstance(items, list):
        raise ValidationError("%s: must be a list of alerts" % where, field=where)
    return Parsed([parse_alert(a, "%s[%d]" % (where, i)) for i, a in enumerate(items)])


def parse_any(payload: Any = None, alerts: Optional[Sequence[Any]] = None) -> Parsed:
    """Both inputs of the module and the filter: a payload (or a list given where a payload is), plus a list."""
    out = Parsed([])
    if isinstance(payload, str):  # a payload handed over as the webhook's body text
        try:
            payload = json.loads(payload)
        except ValueError as exc:
            raise ValidationError("payload: not JSON: %s" % exc, field="payload") from None
    if payload is not None:
        part = parse_alerts(payload, "payload") if isinstance(payload, list) else parse_payload(payload)
        out.alerts.extend(part.alerts)
        out.warnings.extend(part.warnings)
        out.group_key, out.receiver, out.external_url = part.group_key, part.receiver, part.external_url
    if alerts is not None:
        part = parse_alerts(list(alerts))
        out.alerts.extend(part.alerts)
    return out
