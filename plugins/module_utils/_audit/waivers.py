# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Waivers: a known, accepted failure, with a reason, an owner and an end date.

A waiver turns a ``fail`` into ``waived``; it never hides an ``error`` (the
waiver accepts a known state, and an unreadable fact is not known) and never
touches a pass. A waiver without reason, who or expiry is refused at load:
an exception nobody owns and nobody reviews is how "temporary" becomes
forever. Once expired it stops waiving and the result says which waiver
expired when, so the failure comes back as a new one for the cron job.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._audit.evidence import show
from ansible_collections.osfleet.day2.plugins.module_utils._audit.policy import TARGETS
from ansible_collections.osfleet.day2.plugins.module_utils._audit.source import read_file
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

WAIVER_KEYS = ("rule", "target", "reason", "who", "expires", "kind", "pack")
WAIVER_REQUIRED = ("rule", "target", "reason", "who", "expires")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Waiver:
    rule: str
    target: str
    reason: str
    who: str
    expires: datetime
    expires_text: str
    kind: Optional[str] = None
    pack: Optional[str] = None
    source: str = "<waivers>"
    index: int = 0

    def matches(self, pack: str, rule_id: str, kind: str, target_id: str, target_name: Optional[str]) -> bool:
        if self.pack is not None and self.pack != pack:
            return False
        if self.kind is not None and self.kind != kind:
            return False
        if not fnmatch.fnmatchcase(rule_id, self.rule):
            return False
        return fnmatch.fnmatchcase(target_id, self.target) or (
            target_name is not None and fnmatch.fnmatchcase(str(target_name), self.target))

    def active(self, now: datetime) -> bool:
        return now < self.expires

    def ref(self) -> str:
        return "%s#%d" % (self.source, self.index)

    def to_dict(self) -> Dict[str, Any]:
        out = {"rule": self.rule, "target": self.target, "reason": self.reason, "who": self.who,
               "expires": self.expires_text, "source": self.ref()}
        if self.kind:
            out["kind"] = self.kind
        if self.pack:
            out["pack"] = self.pack
        return out


def parse_expiry(value: Any) -> datetime:
    """A date waives through the end of that day (UTC); a time waives until that instant."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc) + timedelta(days=1)
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if _DATE_ONLY.match(text):
            return parse_expiry(date.fromisoformat(text))
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        return parse_expiry(datetime.fromisoformat(text))
    raise ValueError("not a date")


def load_waivers_file(path: str) -> List[Waiver]:
    data, _digest = read_file(path)
    return load_waivers(data, path)


def load_waivers(data: Any, source: str = "<waivers>") -> List[Waiver]:
    """Waivers from ``{waivers: [...]}`` or a bare list (None or empty: no waivers)."""
    if data is None:
        return []
    if isinstance(data, dict):
        unknown = [k for k in data if k != "waivers"]
        if unknown:
            _refuse(source, None, str(unknown[0]), "unknown key %r (a waiver file has one key, waivers)" % unknown[0])
        data = data.get("waivers") or []
    if not isinstance(data, list):
        _refuse(source, None, "waivers", "a list of waivers")
    return [_waiver(item, i, source) for i, item in enumerate(data)]


def _refuse(source: str, index: Optional[int], key: str, message: str) -> None:
    where = "waivers[%d].%s" % (index, key) if index is not None else key
    raise ValidationError("%s: %s: %s" % (source, where, message), field=where,
                          details={"file": source, "waiver": index, "key": key})


def _waiver(item: Any, index: int, source: str) -> Waiver:
    if not isinstance(item, dict):
        _refuse(source, index, "", "a waiver is a mapping with %s" % ", ".join(WAIVER_REQUIRED))
    for key in item:
        if key not in WAIVER_KEYS:
            _refuse(source, index, str(key), "unknown key %r (known: %s)" % (key, ", ".join(WAIVER_KEYS)))
    for key in WAIVER_REQUIRED:
        value = item.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            _refuse(source, index, key, "missing or empty: every waiver says which rule and target, why, who "
                    "accepted it and until when")
    for key in ("rule", "target", "reason", "who"):
        if not isinstance(item[key], str):
            _refuse(source, index, key, "a text, got %s" % show(item[key]))
    try:
        expires = parse_expiry(item["expires"])
    except (TypeError, ValueError):
        _refuse(source, index, "expires", "%s is not a date (YYYY-MM-DD) or ISO 8601 time" % show(item["expires"]))
    kind = item.get("kind")
    if kind is not None and kind not in TARGETS:
        _refuse(source, index, "kind", "unknown target kind %s (one of %s)" % (show(kind), ", ".join(TARGETS)))
    expires_text = item["expires"].isoformat() if isinstance(item["expires"], (date, datetime)) else str(item["expires"])
    return Waiver(rule=item["rule"], target=item["target"], reason=item["reason"].strip(), who=item["who"].strip(),
                  expires=expires, expires_text=expires_text, kind=kind, pack=item.get("pack"), source=source,
                  index=index)
