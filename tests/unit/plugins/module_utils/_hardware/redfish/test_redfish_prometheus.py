# -*- coding: utf-8 -*-
"""hardware_scan's Prometheus textfile, from real reads of the vendor services, passes promtool."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._hardware import scan as hardware_scan

PROMTOOL = shutil.which("promtool")


def scan_vendors(vendor, names):
    targets = []
    for name in names:
        fake = vendor(name)
        targets.append(hardware_scan.ScanTarget(name, fake.address(), "admin", "secret"))
    return hardware_scan.scan(targets, workers=4, timeout=20, gather=["power", "sensors"])


VENDORS = ["ilo5", "ami_megarac", "intel_board", "openbmc", "dmtf_new_only", "dmtf_enclosure"]


def test_no_series_repeats_within_a_host(vendor):
    results = scan_vendors(vendor, VENDORS)
    assert {h: r["status"] for h, r in results.items()} == {n: "ok" for n in VENDORS}
    series = [line.rsplit(" ", 1)[0] for line in hardware_scan.prometheus_text(results).splitlines()
              if not line.startswith("#")]
    assert len(series) == len(set(series))
    text = hardware_scan.prometheus_text(results)
    assert 'osfleet_fan_percent{host="ilo5",fan="Fan 1"} 23' in text
    assert 'psu="Power Supply [Self/2]"' in text  # the placeholder: unknown, so not ok
    assert 'osfleet_psu_ok{host="ami_megarac",psu="Power Supply [Self/2]"} 0' in text


@pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed (Debian/Ubuntu: apt-get install prometheus)")
def test_promtool_accepts_the_textfile(vendor, tmp_path):
    results = scan_vendors(vendor, VENDORS)
    text = hardware_scan.prometheus_text(results)
    out = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60,
                         check=False)
    assert out.returncode == 0, out.stdout + out.stderr
