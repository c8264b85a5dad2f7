# -*- coding: utf-8 -*-
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._hardware import address as address_mod
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.address import (
    SCHEMES,
    BmcAddress,
    split_host_port,
)
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import open_bmc, parse_address
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc_map import parse_bmc_map
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.ironic_bmcs import bmc_from_node
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


def test_bmc_py_is_the_same_parser():
    """The modules import parse_address from bmc.py: it is address.py's, not a copy."""
    assert parse_address is address_mod.parse_address


# -- the BMC map takes what the modules take (it refused http:// and redfish+http is the lab's) ---------------

@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_a_map_entry_takes_every_scheme_the_modules_take(scheme):
    address = "%s://10.0.0.1:8000/redfish/v1/Systems/1" % scheme
    entry = parse_bmc_map({"h": {"address": address}}, "bmcs.yml")["h"]
    assert entry["type"] == parse_address(address).protocol == SCHEMES[scheme][0]


def test_a_map_entry_follows_the_explicit_type_rule():
    entry = parse_bmc_map({"h": {"address": "https://10.0.0.5", "type": "ipmi"},
                           "bare": {"address": "10.0.0.6", "type": "redfish"}}, "bmcs.yml")
    assert entry["h"]["type"] == parse_address("https://10.0.0.5", "ipmi").protocol == "ipmi"
    assert entry["bare"]["type"] == "redfish"


@pytest.mark.parametrize("entry, field, says", [
    ({"address": "ftp://x"}, "address", "scheme must be one of"),
    ({"address": "redfish://"}, "address", "names no host"),
    ({"address": "ipmi://x:99999"}, "address", "bad port"),
    ({"address": "10.0.0.1"}, "address", "has no scheme"),
    ({"address": "ipmi://x", "type": "snmp"}, "type", "must be redfish or ipmi"),
])
def test_a_bad_map_entry_gets_the_modules_error_naming_the_entry_and_key(entry, field, says):
    with pytest.raises(ValidationError) as err:
        parse_bmc_map({"compute-07": entry}, "bmcs.yml")
    assert err.value.field == field
    assert err.value.resource == "bmcs.yml#compute-07"
    assert err.value.message.startswith("bmcs.yml: entry 'compute-07', %s: " % field)
    assert says in err.value.message
    if field == "address":  # the very message the modules give for that address
        with pytest.raises(ValidationError) as direct:
            parse_address(entry["address"])
        assert err.value.message.endswith(direct.value.message)


# -- written one way, read back the same ----------------------------------------------------------------

@pytest.mark.parametrize("where, text", [
    (BmcAddress("redfish", "10.0.0.1", None, "https", "/redfish/v1/Systems/1"),
     "redfish+https://10.0.0.1/redfish/v1/Systems/1"),
    (BmcAddress("redfish", "10.0.0.1", 443, "https"), "redfish+https://10.0.0.1"),
    (BmcAddress("redfish", "fd00::1", 8000, "http"), "redfish+http://[fd00::1]:8000"),
    (BmcAddress("ipmi", "bmc.example", 623), "ipmi://bmc.example:623"),
])
def test_address_text_reads_back(where, text):
    assert where.address == text
    back = parse_address(text)
    assert (back.protocol, back.host, back.scheme, back.system_path) == (where.protocol, where.host, where.scheme,
                                                                         where.system_path)
    assert back.port in (where.port, None)


@pytest.mark.parametrize("driver, info", [
    ("redfish", {"redfish_address": "https://10.0.0.11:8443", "redfish_system_id": "/redfish/v1/Systems/1"}),
    ("redfish", {"redfish_address": "fd00::11"}),
    ("ipmi", {"ipmi_address": "10.0.1.11", "ipmi_port": "6230"}),
    ("idrac", {"drac_address": "10.0.2.13", "drac_protocol": "http"}),
    ("irmc", {"irmc_address": "10.0.2.17", "irmc_port": 80}),
])
def test_addresses_from_ironic_are_addresses_the_modules_take(driver, info):
    bmc, _why = bmc_from_node({"driver": driver, "driver_info": info})
    where = parse_address(bmc["address"])
    assert where.protocol == bmc["type"]
    assert parse_bmc_map({"h": bmc}, "x")["h"]["type"] == bmc["type"]


@pytest.mark.parametrize("text, expected", [
    ("10.0.0.1", (None, "10.0.0.1", None)),
    ("10.0.0.1:623", (None, "10.0.0.1", 623)),
    ("https://bmc.example.net:8443/redfish/v1", ("https", "bmc.example.net", 8443)),
    ("fd00::1", (None, "fd00::1", None)),
    ("[fd00::1]", (None, "fd00::1", None)),
    ("http://[fd00::1]:8000", ("http", "fd00::1", 8000)),
    ("[fd00::1", None),
    ("[not-an-ip]:80", None),
    ("bmc:notaport", None),
    ("", None),
    ("user@10.0.0.1", None),
])
def test_split_host_port(text, expected):
    assert split_host_port(text) == expected
