# -*- coding: utf-8 -*-
"""Webhook notices: the signature a receiver checks, and delivery to a real HTTP server on loopback."""
from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common import webhook as wh
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.loopback_receiver import Receiver

SECRET = "tenant-a-secret-0123456789"
BODY = b'{"id":"w1:scheduled:tenant-a","type":"maintenance.scheduled"}'


def test_signature_is_hmac_sha256_over_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert wh.sign(SECRET, "1700000000", BODY) == "sha256=" + expected


def test_verify_accepts_a_fresh_genuine_notice():
    now = time.time()
    ts = str(int(now))
    assert wh.verify(SECRET, ts, BODY, wh.sign(SECRET, ts, BODY), now=now)


@pytest.mark.parametrize("case", ["tampered body", "wrong secret", "stale", "future", "timestamp changed",
                                  "not a number", "no signature", "bare hex"])
def test_verify_refuses(case):
    now = 1_800_000_000.0
    ts = str(int(now))
    sig = wh.sign(SECRET, ts, BODY)
    args = dict(secret=SECRET, timestamp=ts, body=BODY, signature=sig, now=now)
    if case == "tampered body":
        args["body"] = BODY.replace(b"scheduled", b"completed")
    elif case == "wrong secret":
        args["secret"] = "someone-elses-secret-000"
    elif case == "stale":  # a genuine notice replayed ten minutes later
        args["now"] = now + 600
    elif case == "future":
        args["now"] = now - 600
    elif case == "timestamp changed":  # the timestamp is signed too: it cannot be refreshed on a replay
        args["timestamp"] = str(int(now) + 1)
    elif case == "not a number":
        args["timestamp"] = "yesterday"
    elif case == "no signature":
        args["signature"] = ""
    elif case == "bare hex":
        args["signature"] = sig[len("sha256="):]
    assert wh.verify(**args) is False


def test_tolerance_none_checks_the_signature_only():
    sig = wh.sign(SECRET, "1", BODY)
    assert wh.verify(SECRET, "1", BODY, sig, tolerance=None)
    assert not wh.verify(SECRET, "1", BODY, sig)


@pytest.mark.parametrize("target, message", [
    (wh.Target("ftp://hooks.example.com/x", SECRET), "url must start with https:// or http://"),
    (wh.Target("file:///etc/passwd", SECRET), "url must start with"),
    (wh.Target("https://hooks.example.com/x", "short"), "at least 16 characters"),
])
def test_target_validation_names_the_webhooks_option(target, message):
    with pytest.raises(ValidationError) as err:
        target.validate("shop")
    assert err.value.field == "webhooks"
    assert message in err.value.message and "shop" in err.value.message


@pytest.fixture
def receiver():
    rx = Receiver({"tenant-a": SECRET})
    yield rx
    rx.close()


def test_deliver_posts_a_signed_notice_the_receiver_verifies(receiver):
    payload = {"type": "maintenance.scheduled", "servers": [{"id": "s1", "name": "web-1"}], "id": "w1:x"}
    result = wh.deliver(wh.Target(receiver.url + "tenant-a", SECRET), "maintenance.scheduled", "w1:x", payload)
    assert result.ok and result.status == 204 and result.error == ""
    assert result.to_dict() == {"ok": True, "status": 204, "error": ""}
    [notice] = receiver.notices
    assert notice["verified"] is True
    headers = notice["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Osfleet-Event"] == "maintenance.scheduled"
    assert headers["X-Osfleet-Delivery"] == "w1:x"
    assert abs(int(headers["X-Osfleet-Timestamp"]) - time.time()) < 5
    assert notice["body"] == payload
    assert notice["raw"] == json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def test_deliver_with_the_wrong_secret_is_refused_by_the_receiver(receiver):
    receiver.status = 401
    result = wh.deliver(wh.Target(receiver.url + "tenant-a", "not-the-shared-secret"), "e", "d1", {"a": 1})
    assert receiver.notices[0]["verified"] is False
    assert result.ok is False and result.status == 401 and result.error == "HTTP 401"


def test_deliver_reports_a_server_error_without_raising(receiver):
    receiver.status = 500
    result = wh.deliver(wh.Target(receiver.url + "tenant-a", SECRET), "e", "d1", {})
    assert (result.ok, result.status, result.error) == (False, 500, "HTTP 500")


def test_deliver_reports_a_closed_port_without_raising():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    result = wh.deliver(wh.Target("http://127.0.0.1:%d/" % port, SECRET), "e", "d1", {}, timeout=2)
    assert result.ok is False and result.status is None and "refused" in result.error.lower()


def test_deliver_gives_up_at_its_timeout():
    rx = Receiver({"tenant-a": SECRET}, delay=2.0)
    try:
        started = time.monotonic()
        result = wh.deliver(wh.Target(rx.url + "tenant-a", SECRET), "e", "d1", {}, timeout=0.3)
        assert time.monotonic() - started < 1.5
        assert result.ok is False and result.status is None and "timed out" in result.error
    finally:
        rx.close()
