# -*- coding: utf-8 -*-
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import open_bmc, parse_address
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError


@pytest.mark.parametrize("address, bmc_type, expected", [
    ("redfish://bmc.example", None, ("redfish", "https", "bmc.example", None, None, "https://bmc.example")),
    ("redfish+https://10.0.0.1:8443/redfish/v1/Systems/1", None,
     ("redfish", "https", "10.0.0.1", 8443, "/redfish/v1/Systems/1", "https://10.0.0.1:8443")),
    ("redfish+http://127.0.0.1:18101/redfish/v1/Systems/abc/", None,
     ("redfish", "http", "127.0.0.1", 18101, "/redfish/v1/Systems/abc", "http://127.0.0.1:18101")),
    ("bmc.example", "redfish", ("redfish", "https", "bmc.example", None, None, "https://bmc.example")),
])
def test_redfish_addresses(address, bmc_type, expected):
    a = parse_address(address, bmc_type)
    assert (a.protocol, a.scheme, a.host, a.port, a.system_path, a.base_url) == expected


@pytest.mark.parametrize("address, bmc_type, host, port", [
    ("ipmi://10.0.0.13", None, "10.0.0.13", 623),
    ("ipmi://127.0.0.1:18403", None, "127.0.0.1", 18403),
    ("10.0.0.13", "ipmi", "10.0.0.13", 623),
    ("https://10.0.0.13", "ipmi", "10.0.0.13", 623),  # explicit type wins over the scheme
])
def test_ipmi_addresses(address, bmc_type, host, port):
    a = parse_address(address, bmc_type)
    assert (a.protocol, a.host, a.port) == ("ipmi", host, port)


@pytest.mark.parametrize("address, bmc_type, field", [
    ("bmc.example", None, "address"),
    ("ftp://bmc", None, "address"),
    ("redfish://", None, "address"),
    ("ipmi://h", "snmp", "bmc_type"),
    ("", None, "address"),
])
def test_bad_addresses_name_the_field(address, bmc_type, field):
    with pytest.raises(ValidationError) as err:
        parse_address(address, bmc_type)
    assert err.value.field == field


def test_open_bmc_picks_the_backend_by_scheme(monkeypatch):
    from ansible_collections.osfleet.day2.plugins.module_utils._hardware.ipmi import client as ipmi
    from ansible_collections.osfleet.day2.plugins.module_utils._hardware.redfish import client as redfish
    seen = []
    monkeypatch.setattr(redfish, "RedfishBmc", lambda *a, **k: seen.append(("redfish", a[1].base_url, k)) or "R")
    monkeypatch.setattr(ipmi, "IpmiBmc", lambda *a, **k: seen.append(("ipmi", a[1].host, a[1].port)) or "I")
    assert open_bmc("redfish://b", "u", "p", ca_path="/ca.pem") == "R"
    assert open_bmc("ipmi://b:700", "u", "p") == "I"
    assert seen[0][:2] == ("redfish", "https://b")
    assert seen[0][2] == {"validate_certs": True, "ca_path": "/ca.pem"}  # TLS verified by default
    assert seen[1] == ("ipmi", "b", 700)
