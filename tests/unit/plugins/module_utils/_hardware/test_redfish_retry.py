# -*- coding: utf-8 -*-
"""HTTP 503 retries: urllib3's Retry on the Redfish session's adapters, its waits bounded by the deadline."""
from __future__ import annotations

import email.utils
import time

import pytest
from urllib3.exceptions import MaxRetryError
from urllib3.response import HTTPResponse

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import open_bmc
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.deadline import Deadline
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import BmcError, BmcTimeout
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.redfish import client
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.redfish import tls as redfish_tls


class Clock:
    def __init__(self):
        self.now = 100.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, s):
        self.slept.append(s)
        self.now += s


def busy(retry_after=None, status=503):
    return HTTPResponse(body=b"", status=status, preload_content=False,
                        headers={"Retry-After": retry_after} if retry_after is not None else {})


def retry_on(seconds=100.0):
    clock = Clock()
    return client.DeadlineRetry.for_deadline(Deadline(seconds, "redfish://b", clock=clock, sleep=clock.sleep)), clock


def test_it_is_urllib3s_retry():
    from urllib3.util import Retry
    retry, _clock = retry_on()
    assert isinstance(retry, Retry)
    assert (retry.total, retry.status, retry.connect, retry.read, retry.other) == (6, 6, 0, False, 0)
    assert retry.raise_on_status is False and retry.allowed_methods is None


def test_retry_after_seconds_and_http_date():
    retry, clock = retry_on()
    retry = retry.increment("GET", "/redfish/v1", response=busy("7"))
    retry.sleep(busy("7"))
    date = email.utils.formatdate(time.time() + 30, usegmt=True)
    retry.sleep(busy(date))
    assert clock.slept[0] == 7.0
    assert clock.slept[1] == pytest.approx(30, abs=1.5)


def test_backoff_doubles_from_half_a_second_and_is_capped_when_the_bmc_does_not_say():
    retry, clock = retry_on(1000)
    for _attempt in range(6):
        retry = retry.increment("GET", "/redfish/v1", response=busy())
        retry.sleep(busy())
    assert clock.slept == [0.5, 1, 2, 4, 8, 8]
    with pytest.raises(MaxRetryError):  # a seventh retry: urllib3 hands back the last 503 instead
        retry.increment("GET", "/redfish/v1", response=busy())


def test_a_retry_after_that_is_no_time_backs_off():
    retry, clock = retry_on()
    retry = retry.increment("GET", "/redfish/v1", response=busy("soon"))
    retry.sleep(busy("soon"))
    assert clock.slept == [0.5]


def test_a_wait_past_the_deadline_fails_at_once():
    retry, clock = retry_on(10)
    retry = retry.increment("GET", "/redfish/v1/Systems/1", response=busy("30"))
    with pytest.raises(BmcTimeout) as err:
        retry.sleep(busy("30"))
    assert clock.slept == []
    assert "redfish://b" in err.value.message and "503" in err.value.message
    assert "GET /redfish/v1/Systems/1" in err.value.message


def test_503_on_any_method_and_nothing_else():
    retry, _clock = retry_on()
    assert retry.is_retry("POST", 503) and retry.is_retry("PATCH", 503) and retry.is_retry("DELETE", 503)
    assert not retry.is_retry("GET", 429, has_retry_after=True)  # urllib3 alone would retry it
    assert not retry.is_retry("GET", 500)


def test_the_retry_is_on_the_http_and_the_https_adapter():
    session = client.DeadlineSession(Deadline(10, "redfish://b"))
    assert session.get_adapter("http://b/").max_retries is session.retry
    session.mount_tls(redfish_tls.tls_context(False))
    adapter = session.get_adapter("https://b/")
    assert isinstance(adapter, redfish_tls.SharedContextAdapter) and adapter.max_retries is session.retry
    session.start_closing()
    assert session.get_adapter("https://b/").max_retries.total == 0  # logging out: no retries


# -- against the loopback Redfish server -------------------------------------------------------------------

def test_a_busy_post_is_retried(fake_redfish):
    with open_bmc(fake_redfish.address(), "admin", "secret", timeout=10) as bmc:
        fake_redfish.busy_post = [(503, 0)]
        bmc.power("off")
    resets = [r for r in fake_redfish.requests if r[0] == "POST" and r[1].endswith("ComputerSystem.Reset")]
    assert len(resets) == 2 and ("RESET", "ForceOff") in fake_redfish.requests
    assert fake_redfish.sessions == {}


def test_six_retries_then_the_last_503_is_the_answer(fake_redfish):
    with open_bmc(fake_redfish.address(), "admin", "secret", timeout=10) as bmc:
        system = fake_redfish.address().split(str(fake_redfish.port), 1)[1]
        before = fake_redfish.requests.count(("GET", system))
        fake_redfish.busy = [(503, 0)] * 10
        with pytest.raises(BmcError) as err:
            bmc.power_state()
        fake_redfish.busy = []
    assert "HTTP 503" in err.value.message
    assert fake_redfish.requests.count(("GET", system)) - before == 7
    assert fake_redfish.sessions == {}


def test_a_retry_gets_only_what_is_left_of_the_deadline(fake_redfish):
    """The request after a 1 s wait must not get the first request's timeout again."""
    with open_bmc(fake_redfish.address(), "admin", "secret", timeout=3) as bmc:
        left = bmc.deadline.remaining()
        fake_redfish.busy, fake_redfish.delay = [(503, 1)], 5
        start = time.monotonic()
        with pytest.raises(BmcTimeout):
            bmc.power_state()
        took = time.monotonic() - start
        fake_redfish.delay = 0
    assert 1.0 <= took < left + 0.4


def test_https_503_is_retried_too(https_redfish, monkeypatch):
    monkeypatch.setattr(redfish_tls, "_CONTEXTS", {})
    fake, cert = https_redfish()
    fake.busy = [(503, 0), (503, 0)]
    with open_bmc(fake.address(), "admin", "secret", ca_path=cert, timeout=10) as bmc:
        assert bmc.power_state() == "on"
    assert fake.requests[:3] == [("GET", "/redfish/v1")] * 3
    assert fake.sessions == {}
