# -*- coding: utf-8 -*-
"""sushy and pyghmi: public API where they have it; where they do not, a check that fails with a
DependencyError naming the supported versions instead of an AttributeError mid-call."""
from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import DependencyError
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.address import parse_address
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import open_bmc
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.deadline import Deadline
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.ipmi import client as ipmi_client
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.ipmi import mapping as ipmi_map
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.library_versions import TESTED
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.redfish import client as redfish_client

BACKENDS = Path(redfish_client.__file__).resolve().parents[1]
REQUIREMENTS = Path(__file__).resolve().parents[5] / "requirements.txt"


def test_the_supported_versions_are_requirements_txt():
    pins = dict(re.findall(r"^(sushy|pyghmi)==(\S+)$", REQUIREMENTS.read_text(), re.M))
    assert pins == TESTED


def test_no_private_library_attribute_is_used_unguarded():
    """sushy's Connector._session is the one private attribute left, read in _sushy_session and set once."""
    private = re.compile(r"\b(?:conn|root|cmd|self\.cmd|self\.root|self\.conn|auth|session|theirs)\._[a-z]\w*")
    found = []
    for path in sorted(BACKENDS.glob("*/*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in private.findall(line):
                found.append((path.name, match))
    assert found == [("client.py", "conn._session")]
    text = (BACKENDS / "redfish" / "client.py").read_text()
    assert 'getattr(conn, "_session", None)' in text  # the guard's read
    for gone in ("_systems_path", "_auth", "_get_device_id"):
        assert "." + gone not in text + (BACKENDS / "ipmi" / "client.py").read_text()


# -- sushy ------------------------------------------------------------------------------------------------

def test_a_sushy_without_connector_session_is_a_dependency_error(fake_redfish, monkeypatch):
    real = redfish_client.sushy_connector.Connector

    class NoSession(real):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._session.close()
            del self._session
    monkeypatch.setattr(redfish_client.sushy_connector, "Connector", NoSession)
    with pytest.raises(DependencyError) as err:
        open_bmc(fake_redfish.address(), "admin", "secret", timeout=5)
    assert "Connector._session" in err.value.message
    assert "supports sushy 5.14.0" in err.value.message
    assert fake_redfish.requests == []  # found out before anything was sent


def test_a_sushy_that_ignores_our_session_is_a_dependency_error(fake_redfish, monkeypatch):
    real = redfish_client.sushy_connector.Connector

    class KeepsItsOwn(real):
        @property
        def _session(self):
            return self.__dict__["own"]

        @_session.setter
        def _session(self, value):
            self.__dict__.setdefault("own", value)
    monkeypatch.setattr(redfish_client.sushy_connector, "Connector", KeepsItsOwn)
    with pytest.raises(DependencyError) as err:
        open_bmc(fake_redfish.address(), "admin", "secret", timeout=5)
    assert "bounded by the deadline" in err.value.message and "sushy 5.14.0" in err.value.message
    assert fake_redfish.sessions == {}  # and it logged out


def test_the_only_system_is_found_through_the_service_roots_json(fake_redfish):
    root = fake_redfish.docs["/redfish/v1"]
    system = next(p for p in fake_redfish.docs if "/Systems/" in p and p.count("/") == 4)
    fake_redfish.docs["/redfish/v1/Machines"] = fake_redfish.docs.pop("/redfish/v1/Systems")
    root["Systems"] = {"@odata.id": "/redfish/v1/Machines"}
    with open_bmc("redfish+http://127.0.0.1:%d" % fake_redfish.port, "admin", "secret", timeout=5) as bmc:
        assert bmc.power_state() == "on"
    assert ("GET", "/redfish/v1/Machines") in fake_redfish.requests
    assert ("GET", system) in fake_redfish.requests


def test_a_failed_logout_is_forgotten_so_sushy_does_not_try_again(fake_redfish):
    bmc = open_bmc(fake_redfish.address(), "admin", "secret", timeout=5)
    auth = bmc.auth
    assert auth.get_session_resource_id()
    fake_redfish.server.shutdown()
    fake_redfish.server.server_close()
    bmc.close()  # the DELETE fails (nothing listens): no error, and the session is forgotten
    assert auth.get_session_resource_id() is None
    auth.close()  # what sushy's __del__ does: nothing left to delete, no request


# -- pyghmi -----------------------------------------------------------------------------------------------

DEVICE_ID = bytes([0x20, 0x81, 0x07, 0x10, 0x02, 0xBF, 0xA1, 0xB2, 0x00, 0x40, 0x06, 0, 0, 0, 0])


class FakeCommand:
    """pyghmi's Command as far as the backend's firmware read goes."""

    made = []

    def __init__(self, bmc=None, port=None, userid=None, password=None, keepalive=True):
        self.made.append(bmc)
        self.ipmi_session = type("S", (), {"broken": False, "logout": lambda self: None})()

    def raw_command(self, netfn, command, data=()):
        if (netfn, command) == (0x06, 0x01):
            return {"code": 0, "data": DEVICE_ID}
        return {"code": 0xC1, "error": "Invalid command"}  # FRU: none

    def _get_device_id(self):
        raise AssertionError("private API")


def test_get_device_id_through_raw_command_reads_as_pyghmi_does(monkeypatch):
    monkeypatch.setattr(ipmi_client.pyghmi_command, "Command", FakeCommand)
    bmc = ipmi_client.IpmiBmc("ipmi://10.0.0.9", parse_address("ipmi://10.0.0.9"), "u", "p", Deadline(10))
    try:
        rec = bmc.fetch(["firmware"])
    finally:
        bmc.close()
    assert rec["device"] == {"firmware_version": "7.10", "manufacturer_id": 45729, "product_id": 1600}  # the lab's


def test_device_id_matches_pyghmis_own_parser():
    from pyghmi.ipmi import command
    fake = type("C", (), {"raw_command": lambda self, netfn, command: {"code": 0, "data": list(DEVICE_ID)}})()
    theirs = command.Command._get_device_id(fake)  # pylint: disable=protected-access  # the reference
    assert ipmi_map.device_id(DEVICE_ID) == theirs
    assert struct.unpack("<H", DEVICE_ID[9:11])[0] == theirs["product_id"]


def test_a_short_device_id_answer_is_a_bmc_error(monkeypatch):
    class Short(FakeCommand):
        def raw_command(self, netfn, command, data=()):
            return {"code": 0, "data": b"\x20\x81"}
    monkeypatch.setattr(ipmi_client.pyghmi_command, "Command", Short)
    bmc = ipmi_client.IpmiBmc("ipmi://10.0.0.9", parse_address("ipmi://10.0.0.9"), "u", "p", Deadline(10))
    try:
        with pytest.raises(ipmi_client.BmcError) as err:
            bmc.fetch(["firmware"])
    finally:
        bmc.close()
    assert "Get Device ID" in err.value.message


def test_a_pyghmi_without_session_logout_is_a_dependency_error_before_login(monkeypatch):
    monkeypatch.setattr(ipmi_client.pyghmi_command, "Command", FakeCommand)
    monkeypatch.setattr(ipmi_client.pyghmi_session, "Session", type("Session", (), {}))
    FakeCommand.made = []
    with pytest.raises(DependencyError) as err:
        ipmi_client.IpmiBmc("ipmi://10.0.0.9", parse_address("ipmi://10.0.0.9"), "u", "p", Deadline(10))
    assert "Session.logout" in err.value.message and "supports pyghmi 1.6.19" in err.value.message
    assert FakeCommand.made == []  # no session was opened
    assert not ipmi_client._bmc_lock("10.0.0.9", 623).locked()  # pylint: disable=protected-access
