# -*- coding: utf-8 -*-
"""Redfish documents (DMTF property names) mapped to the BMC settings facts."""
from __future__ import annotations

from ansible_collections.osfleet.day2.plugins.module_utils._audit import redfish_settings as rs


def test_network_protocols():
    snmp = {"ProtocolEnabled": True, "EnableSNMPv1": False, "EnableSNMPv2c": True}
    net = rs.network({"HTTP": {"ProtocolEnabled": True, "Port": 80}, "HTTPS": {"ProtocolEnabled": True},
                      "IPMI": {"ProtocolEnabled": False}, "SNMP": snmp,
                      "NTP": {"ProtocolEnabled": True, "NTPServers": ["ntp1", "", None, "ntp2"]}})
    assert net["http"] is True and net["https"] is True and net["ipmi"] is False
    assert net["snmp_v1"] is False and net["snmp_v2c"] is True and net["snmp_v3"] is None
    assert net["telnet"] is None  # not listed: the BMC has no such service (rules read it as "not on")
    assert net["ntp_servers"] == ["ntp1", "ntp2"]


def test_snmp_off_means_every_version_off():
    net = rs.network({"SNMP": {"ProtocolEnabled": False, "EnableSNMPv2c": True}})
    assert net["snmp"] is False and net["snmp_v1"] is False and net["snmp_v2c"] is False and net["snmp_v3"] is False


def test_accounts_skip_empty_slots():
    accounts = rs.accounts([{"Id": "1", "UserName": "", "Enabled": False},
                            {"Id": "2", "UserName": "root", "Enabled": True, "RoleId": "Administrator",
                             "PasswordChangeRequired": True},
                            {"Id": "3", "UserName": "ops", "Enabled": True, "Locked": True}])
    assert [a["username"] for a in accounts] == ["root", "ops"]
    assert accounts[0]["password_change_required"] is True and accounts[1]["locked"] is True
    assert accounts[1]["password_change_required"] is False


def test_certificate():
    same = {"CommonName": "bmc-1"}
    cert = rs.certificate([{"Issuer": same, "Subject": dict(same), "ValidNotAfter": "2027-01-01T00:00:00Z",
                            "SignatureAlgorithm": "sha256WithRSAEncryption"}], tls_verified=False)
    assert cert["self_signed"] is True and cert["trusted"] is False and cert["not_after"] == "2027-01-01T00:00:00Z"
    cert = rs.certificate([{"Issuer": {"CommonName": "CA"}, "Subject": same}], tls_verified=None)
    assert cert["self_signed"] is False and cert["trusted"] is None  # unknown stays unknown
    assert rs.certificate([], True)["self_signed"] is None and rs.certificate([], True)["count"] == 0


def test_clock_offset():
    assert rs.clock_offset({"DateTime": "2026-11-22T12:01:00+00:00"}, "2026-11-22T12:00:00Z") == 60.0
    assert rs.clock_offset({"DateTime": "2026-11-22T13:00:00+02:00"}, "2026-11-22T12:00:00Z") == -3600.0
    assert rs.clock_offset({}, "2026-11-22T12:00:00Z") is None


def test_sel_fullness():
    assert rs.sel({"MaxNumberOfRecords": 512, "OverWritePolicy": "NeverOverWrites"}, 461)["free_percent"] == 10.0
    assert rs.sel({}, 10)["free_percent"] is None
    assert rs.sel({"MaxNumberOfRecords": 100}, 120)["free_percent"] == 0.0


def test_settings_with_errors():
    out = rs.settings_from_redfish({"network_protocol": {"HTTPS": {"ProtocolEnabled": True}},
                                    "system": {"PowerRestorePolicy": "AlwaysOn"},
                                    "_errors": {"accounts": "HTTP 403 Forbidden", "sel_service": "timeout"}})
    assert out["network"]["https"] is True and out["power_restore_policy"] == "AlwaysOn"
    assert out["_errors"] == {"accounts": "HTTP 403 Forbidden", "sel": "timeout"}
    assert "accounts" not in out and "sel" not in out and "certificate" not in out
