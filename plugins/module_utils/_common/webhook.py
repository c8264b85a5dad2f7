# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Signed JSON notices to a project's webhook.

The receiver checks ``X-Osfleet-Signature: sha256=<hex>``, the HMAC-SHA256
with the shared secret over ``<X-Osfleet-Timestamp>.<raw body>`` (the
timestamp is signed too, so an old notice cannot be replayed as new), and
drops duplicates by ``X-Osfleet-Delivery`` (the same notice keeps the same id
when a re-run sends it again: delivery is at least once).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import urllib.error
from dataclasses import dataclass
from typing import Any, Dict, Optional

from ansible.module_utils.urls import open_url

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

SIGNATURE_HEADER = "X-Osfleet-Signature"
TIMESTAMP_HEADER = "X-Osfleet-Timestamp"
DELIVERY_HEADER = "X-Osfleet-Delivery"
EVENT_HEADER = "X-Osfleet-Event"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, tolerance: Optional[float] = 300.0,
           now: Optional[float] = None) -> bool:
    """What a receiver does: constant-time compare, and refuse old timestamps."""
    if tolerance is not None:
        try:
            age = abs((now if now is not None else time.time()) - float(timestamp))
        except ValueError:
            return False
        if age > tolerance:
            return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")


@dataclass(frozen=True)
class Target:
    url: str
    secret: str

    def validate(self, name: str) -> None:
        if not self.url.startswith(("https://", "http://")):
            raise ValidationError("webhook of %s: url must start with https:// or http://, not %r"
                                  % (name, self.url[:40]), field="webhooks")
        if len(self.secret) < 16:
            raise ValidationError("webhook of %s: the secret must be at least 16 characters" % name,
                                  field="webhooks")


@dataclass
class Delivery:
    ok: bool
    status: Optional[int]
    error: str = ""

    def to_dict(self) -> Dict[str, Any]:
        return {"ok": self.ok, "status": self.status, "error": self.error}


def deliver(target: Target, event_type: str, delivery_id: str, payload: Dict[str, Any], timeout: float = 10.0,
            validate_certs: bool = True, ca_path: Optional[str] = None) -> Delivery:
    """POST one notice; never raises for the receiver's failure (the caller records it and retries later)."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8")
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        EVENT_HEADER: event_type,
        DELIVERY_HEADER: delivery_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(target.secret, timestamp, body),
    }
    if ca_path and not os.path.isfile(ca_path):
        return Delivery(ok=False, status=None, error="ca_path %s is not a readable file" % ca_path)
    try:
        # ansible's open_url: proxies from the environment, TLS verified unless told otherwise, ca_path
        response = open_url(target.url, data=body, headers=headers, method="POST", timeout=timeout,
                            validate_certs=validate_certs, ca_path=ca_path, follow_redirects="none",
                            http_agent="osfleet.day2-maintenance")
        with response:
            return Delivery(ok=200 <= response.status < 300, status=response.status)
    except urllib.error.HTTPError as exc:
        return Delivery(ok=False, status=exc.code, error="HTTP %s" % exc.code)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return Delivery(ok=False, status=None, error=str(getattr(exc, "reason", exc)))
