# -*- coding: utf-8 -*-
"""Whatever a BMC answers: a typed error with a clear message, or the rest of the read with a warning."""
from __future__ import annotations

import json
import socket

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import open_bmc
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import (
    BmcAuthError,
    BmcError,
    BmcNotRedfish,
    BmcTimeout,
    BmcTlsError,
)


def test_a_json_error_body_that_is_not_redfish_is_an_http_error_not_a_crash(vendor):
    fake = vendor("ami_megarac")
    fake.raw["/redfish/v1/Chassis/Self/Power"] = (500, "application/json", json.dumps({"error": "busy"}).encode())
    with open_bmc(fake.address(), "admin", "secret", timeout=10) as bmc:
        s = bmc.read_state(gather=["sensors"])
    assert s.temperatures and not s.power_supplies
    assert len(s.warnings) == 1 and "Power not read" in s.warnings[0] and "busy" in s.warnings[0]


def test_503_with_a_non_redfish_body_ends_in_a_typed_error(vendor):
    fake = vendor("ami_megarac")
    fake.raw["/redfish/v1/Systems/Self"] = (503, "application/json", json.dumps({"error": "busy"}).encode())
    with pytest.raises(BmcError) as err:
        with open_bmc(fake.address(), "admin", "secret", timeout=30) as bmc:
            bmc.read_state(gather=["power"])
    assert "HTTP 503" in err.value.message and "busy" in err.value.message
    assert err.value.to_result()["error_type"] == "BmcError"


def test_wrong_credentials_one_login_attempt_and_an_auth_error(vendor):
    fake = vendor("ami_megarac")
    fake.raw["unauthorised_body"] = (401, "application/json", json.dumps({"error": "Unauthorized"}).encode())
    with pytest.raises(BmcAuthError) as err:
        open_bmc(fake.address(), "admin", "wrong", timeout=10)
    assert "authentication failed" in err.value.message
    assert fake.failed_logins == 1  # no Basic attempt after the refused session login


@pytest.mark.parametrize("body,ctype,kind", [
    (b"<html><head><title>Web Console</title></head><body>login</body></html>", "text/html", "an HTML page"),
    (b"OK", "text/plain", "no JSON"),
    (b"[1, 2]", "application/json", "JSON that is no Redfish document"),
])
def test_not_a_redfish_service(vendor, body, ctype, kind):
    fake = vendor("ilo5")
    fake.raw["/redfish/v1"] = (200, ctype, body)
    with pytest.raises(BmcNotRedfish) as err:
        open_bmc(fake.address(), "admin", "secret", timeout=10)
    assert "not a Redfish service" in err.value.message and kind in err.value.message
    assert err.value.to_result()["error_type"] == "BmcNotRedfish"


def test_https_to_a_plain_http_port_says_so(vendor):
    fake = vendor("ilo5")
    address = fake.address().replace("redfish+http://", "redfish+https://")
    with pytest.raises(BmcTlsError) as err:
        open_bmc(address, "admin", "secret", timeout=10, validate_certs=False)
    assert "plain HTTP, not TLS" in err.value.message
    assert "certificate not trusted" not in err.value.message


def test_a_missing_firmware_member_leaves_the_rest_of_the_inventory(vendor):
    fake = vendor("ami_megarac")
    del fake.docs["/redfish/v1/UpdateService/FirmwareInventory/BIOS"]
    fake.expand = False  # the members are fetched one by one
    with open_bmc(fake.address(), "admin", "secret", timeout=10) as bmc:
        s = bmc.read_state(gather=["firmware"])
    assert [(f.component, f.version) for f in s.firmware] == [("BMC", "12.61")]
    assert any("FirmwareInventory/BIOS not read" in w for w in s.warnings)


def test_a_404_sub_resource_is_a_warning_and_the_rest_is_returned(vendor):
    fake = vendor("intel_board")
    del fake.docs["/redfish/v1/Chassis/RackMount/Baseboard/Power"]
    with open_bmc(fake.address(), "admin", "secret", timeout=10) as bmc:
        s = bmc.read_state(gather=["power", "sensors", "log"])
    assert s.power_state == "on" and s.temperatures and s.fans and s.log
    assert s.power_supplies == []
    assert any("Baseboard Power not read" in w and "404" in w for w in s.warnings)


def test_the_deadline_is_named_not_the_bmc(vendor):
    fake = vendor("ilo5")
    with open_bmc(fake.address(), "admin", "secret", timeout=1.5) as bmc:
        fake.delay = 3
        with pytest.raises(BmcTimeout) as err:
            bmc.read_state(gather=["power"])
        fake.delay = 0
    assert "deadline of 1.5s" in err.value.message


def test_garbage_documents_never_raise_anything_untyped(vendor):
    fake = vendor("openbmc")
    fake.docs["/redfish/v1/Chassis/chassis"]["Links"] = "nonsense"
    fake.docs["/redfish/v1/Chassis/chassis/PowerSubsystem/PowerSupplies"]["Members"] = ["x", 3, None]
    fake.docs["/redfish/v1/Chassis/chassis/ThermalSubsystem"]["Fans"] = {"@odata.id": 7}
    fake.docs["/redfish/v1/Chassis/chassis/Sensors/temperature_CPU0"]["Thresholds"] = [1]
    fake.docs["/redfish/v1/Systems/system/LogServices/EventLog/Entries/3"]["Severity"] = {"x": 1}
    with open_bmc(fake.address(), "admin", "secret", timeout=10) as bmc:
        s = bmc.read_state()
    assert s.power_state == "on" and s.temperatures


def test_closed_port_is_unreachable_not_a_traceback():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(BmcError) as err:
        open_bmc("redfish+https://127.0.0.1:%d" % port, "admin", "x", timeout=5)
    assert err.value.to_result()["error_type"] == "BmcUnreachable"
