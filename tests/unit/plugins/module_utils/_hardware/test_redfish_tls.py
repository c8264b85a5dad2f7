# -*- coding: utf-8 -*-
"""Redfish over HTTPS: certificates are verified by default, through one TLS context per process."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._hardware import scan as hs
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import open_bmc
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.redfish import tls as redfish_tls
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import BmcError


@pytest.fixture(autouse=True)
def fresh_contexts(monkeypatch):
    monkeypatch.setattr(redfish_tls, "_CONTEXTS", {})


def test_an_untrusted_certificate_is_refused_by_default_before_any_credentials_are_sent(https_redfish):
    fake, _cert = https_redfish()
    with pytest.raises(BmcError) as err:
        open_bmc(fake.address(), "admin", "secret", timeout=10)
    assert "TLS error" in err.value.message
    assert fake.sessions_created == 0 and fake.requests == []


def test_ca_path_trusts_the_bmc_certificate(https_redfish):
    fake, cert = https_redfish()
    with open_bmc(fake.address(), "admin", "secret", ca_path=cert, timeout=10) as bmc:
        state = bmc.read_state(["power", "sensors"])
    assert state.power_state == "on" and state.temperatures
    assert fake.sessions_created == 1 and fake.sessions == {}  # logged out


def test_the_host_name_is_checked_against_the_certificate(https_redfish):
    fake, cert = https_redfish("other-bmc", san_ip=None, san_dns="other-bmc.example")
    with pytest.raises(BmcError) as err:
        open_bmc(fake.address(), "admin", "secret", ca_path=cert, timeout=10)
    assert "TLS error" in err.value.message
    assert fake.sessions_created == 0


def test_validate_certs_false_skips_verification(https_redfish):
    fake, _cert = https_redfish()
    with open_bmc(fake.address(), "admin", "secret", validate_certs=False, timeout=10) as bmc:
        assert bmc.power_state() == "on"
    assert fake.sessions == {}


def test_a_missing_ca_path_is_a_clear_error(https_redfish, tmp_path):
    fake, _cert = https_redfish()
    with pytest.raises(BmcError) as err:
        open_bmc(fake.address(), "admin", "secret", ca_path=str(tmp_path / "nope.pem"), timeout=10)
    assert "cannot load CA certificates from %s" % (tmp_path / "nope.pem") in err.value.message


def test_many_bmcs_share_one_context_built_once(https_redfish, monkeypatch):
    """Loading a CA bundle costs ~20 ms; with one per connection a 200-BMC scan spent most of its time there."""
    built = []
    real = redfish_tls.build_context
    monkeypatch.setattr(redfish_tls, "build_context", lambda *a: built.append(a) or real(*a))
    fakes = [https_redfish("bmc-%d" % i) for i in range(3)]
    bundle = fakes[0][1]
    with open(bundle, "a") as fh:  # one CA file that trusts all three
        for _fake, cert in fakes[1:]:
            fh.write(open(cert).read())
    targets = hs.targets_from_map({"h%d" % i: {"address": f.address(), "username": "admin", "password": "secret"}
                                   for i, (f, _c) in enumerate(fakes)}, "test")
    results = hs.scan(targets, workers=3, timeout=10, gather=["power", "sensors"], ca_path=bundle)
    results.update(hs.scan(targets[:1], workers=1, timeout=10, gather=["power"], ca_path=bundle))
    assert {h: r["status"] for h, r in results.items()} == {"h0": "ok", "h1": "ok", "h2": "ok"}
    assert len(built) == 1
    assert all(f.sessions == {} and f.sessions_created >= 1 for f, _c in fakes)


def test_scan_reports_an_untrusted_bmc_per_host_and_reads_the_others(https_redfish):
    fake, _cert = https_redfish()
    bmcs = {"lab": {"address": fake.address(), "username": "admin", "password": "secret", "verify": False},
            "prod": {"address": fake.address(), "username": "admin", "password": "secret"}}
    results = hs.scan(hs.targets_from_map(bmcs, "test"), workers=2, timeout=10, gather=["power"])
    assert results["lab"]["status"] == "ok"
    assert results["prod"]["status"] == "error" and "TLS error" in results["prod"]["error"]
    assert fake.sessions == {}
