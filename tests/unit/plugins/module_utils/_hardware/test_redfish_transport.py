# -*- coding: utf-8 -*-
"""The Redfish backend against a local server serving recorded lab documents."""
from __future__ import annotations

import socket
import time

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import open_bmc
from ansible_collections.osfleet.day2.plugins.module_utils._hardware import power
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import BmcAuthError, BmcTimeout, BmcUnreachable


def test_reads_state_and_always_logs_out(fake_redfish):
    with open_bmc(fake_redfish.address(), "admin", "secret", timeout=10) as bmc:
        state = bmc.read_state()
        assert len(fake_redfish.sessions) == 1
    assert state.power_state == "on" and state.health == "ok"
    assert [t.name for t in state.temperatures] == ["Inlet Temp", "CPU1 Temp", "CPU2 Temp"]
    assert fake_redfish.sessions_created == 1
    assert fake_redfish.sessions == {}  # logged out
    assert ("DELETE", "/redfish/v1/SessionService/Sessions/1") in fake_redfish.requests


def test_logs_out_when_the_read_fails(fake_redfish):
    with pytest.raises(ZeroDivisionError):
        with open_bmc(fake_redfish.address(), "admin", "secret", timeout=10) as bmc:
            bmc.power_state()
            1 / 0
    assert fake_redfish.sessions == {}


def test_wrong_password_is_a_typed_error_naming_the_address(fake_redfish):
    address = fake_redfish.address()
    with pytest.raises(BmcAuthError) as err:
        with open_bmc(address, "admin", "wrong", timeout=10) as bmc:
            bmc.read_state(["power"])
    assert err.value.message == "authentication failed for %s" % address
    assert fake_redfish.sessions == {}


def test_unreachable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    with pytest.raises(BmcUnreachable) as err:
        open_bmc("redfish+http://127.0.0.1:%d" % port, "admin", "x", timeout=10)
    assert "unreachable" in err.value.message
    assert time.monotonic() - start < 2  # no fixed retry loop before giving up


def test_503_is_retried_after_retry_after(fake_redfish):
    fake_redfish.busy = [(503, 1), (503, 0)]
    start = time.monotonic()
    with open_bmc(fake_redfish.address(), "admin", "secret", timeout=10) as bmc:
        assert bmc.power_state() == "on"
    assert 1.0 <= time.monotonic() - start < 3
    assert fake_redfish.sessions == {}


def test_503_retry_after_past_the_deadline_fails_at_once(fake_redfish):
    fake_redfish.busy = [(503, 30)]
    start = time.monotonic()
    with pytest.raises(BmcTimeout) as err:
        open_bmc(fake_redfish.address(), "admin", "secret", timeout=5)
    assert time.monotonic() - start < 1.5
    assert "503" in err.value.message


def test_slow_bmc_is_bounded_by_the_deadline(fake_redfish):
    with open_bmc(fake_redfish.address(), "admin", "secret", timeout=1.5) as bmc:
        fake_redfish.delay = 3
        start = time.monotonic()
        with pytest.raises(BmcTimeout):
            bmc.read_state()
        assert time.monotonic() - start < 2.5
        fake_redfish.delay = 0
    assert fake_redfish.sessions == {}  # logged out after the deadline too


def test_power_off_and_boot_override(fake_redfish):
    with open_bmc(fake_redfish.address(), "admin", "secret", timeout=10) as bmc:
        final = power.apply(bmc, power.plan(bmc.power_state(), "off"))
        bmc.set_boot_override("pxe", persistent=False)
        boot = bmc.boot_override()
    assert final == "off"
    assert ("RESET", "ForceOff") in fake_redfish.requests
    assert (boot.target, boot.enabled) == ("pxe", "once")
    assert fake_redfish.sessions == {}
