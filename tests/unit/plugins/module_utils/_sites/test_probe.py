# -*- coding: utf-8 -*-
"""Percentiles, the version documents services write, hypervisor versions, the round trip's URL."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._sites.agents import hypervisor_version
from ansible_collections.osfleet.day2.plugins.module_utils._sites.probe import latency, percentile
from ansible_collections.osfleet.day2.plugins.module_utils._sites.round_trip import call_url
from ansible_collections.osfleet.day2.plugins.module_utils._sites.versions import from_document, from_version_data


def test_percentiles_are_measured_values_by_nearest_rank():
    samples = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert percentile(samples, 0.5) == 3.0
    assert percentile(samples, 0.95) == 5.0
    twenty = [float(n) for n in range(20, 0, -1)]
    assert latency(twenty) == {"p50": 10.0, "p95": 19.0}
    assert latency([7.5]) == {"p50": 7.5, "p95": 7.5}
    assert latency([]) == {"p50": None, "p95": None}


@pytest.mark.parametrize("number, text", [(8002000, "8.2.0"), (6002000, "6.2.0"), (10000000, "10.0.0"),
                                          (1001, "0.1.1"), (None, None), ("8002000", None), (True, None)])
def test_hypervisor_version_is_decoded(number, text):
    assert hypervisor_version(number) == text


def test_version_documents_as_services_write_them():
    nova = {"version": {"id": "v2.1", "status": "CURRENT", "version": "2.96", "min_version": "2.1"}}
    assert from_document(nova) == {"id": "v2.1", "status": "CURRENT", "min_microversion": "2.1",
                                   "max_microversion": "2.96", "exact": None}
    placement = {"versions": [{"id": "v1.0", "max_version": "1.39", "min_version": "1.0", "status": "CURRENT"}]}
    assert from_document(placement)["max_microversion"] == "1.39"
    keystone = {"versions": {"values": [{"id": "v3.14", "status": "stable"}, {"id": "v2.0", "status": "deprecated"}]}}
    assert from_document(keystone)["id"] == "v3.14"
    neutron = {"versions": [{"id": "v2.0", "status": "CURRENT", "version": ""}]}
    assert from_document(neutron)["max_microversion"] is None
    assert from_document(None)["id"] is None and from_document({"x": 1})["id"] is None


def test_version_data_prefers_the_current_version():
    data = [{"version": "2.0", "status": "DEPRECATED", "max_microversion": None, "min_microversion": None},
            {"version": "2.1", "status": "CURRENT", "raw_status": "CURRENT", "max_microversion": "2.96",
             "min_microversion": "2.1"}]
    assert from_version_data(data) == {"id": "v2.1", "status": "CURRENT", "min_microversion": "2.1",
                                       "max_microversion": "2.96", "exact": None}
    assert from_version_data([]) is None


def test_the_round_trip_adds_the_version_prefix_only_where_the_catalog_lacks_it():
    assert call_url("http://neutron:9696", "/v2.0", "/networks?limit=1") == (
        "http://neutron:9696/v2.0/networks?limit=1", "/v2.0/networks?limit=1")
    assert call_url("http://keystone:5000/v3/", "/v3", "/projects/p") == ("http://keystone:5000/v3/projects/p",
                                                                          "/v3/projects/p")
    assert call_url("http://cinder:8776/v3/abc", "/v3", "/types")[0] == "http://cinder:8776/v3/abc/types"
    assert call_url("https://lb.example/compute/v2.1", "/v2.1", "/flavors?limit=1")[0] == (
        "https://lb.example/compute/v2.1/flavors?limit=1")
