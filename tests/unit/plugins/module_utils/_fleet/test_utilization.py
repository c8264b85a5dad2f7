# -*- coding: utf-8 -*-
"""Utilization from a Prometheus query API (stubbed HTTP) and from the hardware scan: placing series on nodes,
source and age of each figure, one fleet-wide query per figure, failures as warnings."""
from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests_mock

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.prometheus import Prometheus, PrometheusError
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.utilization import NodeNames, utilization

URL = "https://prometheus.example.org:9090"
NODES = ["compute-01", "compute-02", "lab-network", "lab-storage"]


def vector(*samples):
    return {"status": "success", "data": {"resultType": "vector", "result": [
        {"metric": labels, "value": [1764750000.0, str(value)]} for labels, value in samples]}}


class FakePrometheus:
    """Answers each instant query by the metric it names, as Prometheus would for these series."""

    def __init__(self, mocker, answers):
        self.answers = answers
        self.seen = []
        mocker.get(URL + "/api/v1/query", json=self._answer)

    def _answer(self, request, context):
        expr = parse_qs(urlparse(request.url).query)["query"][0]
        self.seen.append((expr, request.headers.get("Authorization"), request.verify))
        for needle, body in self.answers:
            if needle in expr:
                if isinstance(body, int):
                    context.status_code = body
                    return {"status": "error", "errorType": "bad_data", "error": "parse error"}
                return body
        return vector()


def answers():
    cpu = vector(({"instance": "compute-01:9100", "job": "node"}, 12.5),
                 ({"instance": "compute-02.example.org:9100"}, 80.0),
                 ({"instance": "10.0.0.99:9100"}, 5.0))  # an address of no node: unmatched
    return [
        ("time() - max by (instance, host) (timestamp(node_cpu",
         vector(({"instance": "compute-01:9100"}, 4.2), ({"instance": "compute-02.example.org:9100"}, 400))),
        ("node_cpu_seconds_total", cpu),
        ("time() - timestamp(node_memory", vector(({"instance": "lab-network:9100"}, 3.0))),
        ("node_memory_MemAvailable_bytes", vector(({"instance": "lab-network:9100"}, 41.25))),
        ("time() - max by (instance, host) (timestamp(osfleet_power", vector(({"host": "compute-01"}, 9.0))),
        ("osfleet_power_watts", vector(({"host": "compute-01", "instance": "127.0.0.1:9100"}, 231.0))),
    ]


def test_each_figure_with_its_source_and_age_one_query_each_token_and_tls():
    with requests_mock.Mocker() as m:
        fake = FakePrometheus(m, answers())
        client = Prometheus(URL, token="s3cret", verify="/etc/ca.pem")
        got = utilization(NODES, prometheus=client).to_dict()
    assert got["nodes"]["compute-01"]["cpu_percent"] == {"value": 12.5, "source": "prometheus", "age_seconds": 4.2}
    assert got["nodes"]["compute-02"]["cpu_percent"]["age_seconds"] == 400  # stale, and says so
    assert got["nodes"]["lab-network"]["memory_percent"] == {
        "value": 41.25, "source": "prometheus", "age_seconds": 3.0}
    assert got["nodes"]["compute-01"]["power_watts"]["value"] == 231.0
    assert "lab-storage" not in got["nodes"]  # no source has it: left out, never zero
    assert got["unmatched"] == {"cpu_percent": ["10.0.0.99:9100"]}
    assert got["queries"] == 6 and len(fake.seen) == 6  # value and age per figure, whatever the fleet's size
    assert {(auth, verify) for _expr, auth, verify in fake.seen} == {("Bearer s3cret", "/etc/ca.pem")}
    assert got["warnings"] == [] and got["sources"] == ["prometheus"]


def test_prometheus_first_then_the_bmc_for_power():
    hardware = {"compute-01": {"status": "ok", "state": {"power_draw_watts": 199.0}},
                "compute-02": {"status": "ok", "state": {"power_draw_watts": 180.5}},
                "lab-storage": {"status": "unreachable", "state": None}}
    with requests_mock.Mocker() as m:
        FakePrometheus(m, answers())
        got = utilization(NODES, prometheus=Prometheus(URL), hardware=hardware).to_dict()
    assert got["nodes"]["compute-01"]["power_watts"]["source"] == "prometheus"  # the better source wins
    assert got["nodes"]["compute-02"]["power_watts"] == {"value": 180.5, "source": "bmc", "age_seconds": None,
                                                         "measure": "PowerControl / EnvironmentMetrics / DCMI"}
    assert "power_watts" not in got["nodes"].get("lab-storage", {})
    assert got["sources"] == ["prometheus", "bmc"]


def test_a_failed_query_is_a_warning_for_its_figure_and_the_others_stand():
    broken = [("node_memory", 400)] + answers()
    with requests_mock.Mocker() as m:
        FakePrometheus(m, broken)
        got = utilization(NODES, prometheus=Prometheus(URL)).to_dict()
    assert len(got["warnings"]) == 1 and got["warnings"][0].startswith("memory_percent: ")
    assert "HTTP 400: parse error" in got["warnings"][0]
    assert got["nodes"]["compute-01"]["cpu_percent"]["value"] == 12.5


def test_no_answer_is_a_typed_error_naming_the_query():
    with requests_mock.Mocker() as m:
        m.get(URL + "/api/v1/query", exc=ConnectionError("refused"))
        with pytest.raises(PrometheusError) as err:
            Prometheus(URL).query("up")
    assert err.value.query == "up" and err.value.field == "prometheus_url" and "no answer" in str(err.value)


def test_a_matrix_is_not_read_as_a_vector():
    with requests_mock.Mocker() as m:
        m.get(URL + "/api/v1/query", json={"status": "success", "data": {"resultType": "matrix", "result": []}})
        with pytest.raises(PrometheusError, match="expected an instant vector"):
            Prometheus(URL).query("up[5m]")


def test_the_url_must_be_http():
    with pytest.raises(ValidationError) as err:
        Prometheus("prometheus:9090")
    assert err.value.field == "prometheus_url"


@pytest.mark.parametrize("labels, node", [
    ({"host": "compute-01"}, "compute-01"),
    ({"instance": "compute-01:9100"}, "compute-01"),
    ({"instance": "COMPUTE-01.example.org:9100"}, "compute-01"),
    ({"instance": "[2001:db8::1]:9100"}, None),
    ({"instance": "10.1.2.3:9100"}, None),
    ({"instance": "compute-09:9100"}, None),
    ({"host": "nowhere", "instance": "compute-02:9100"}, "compute-02.example.org"),
])
def test_a_series_is_placed_by_host_then_instance(labels, node):
    assert NodeNames(["compute-01", "compute-02.example.org"]).place(labels) == node


def test_an_ambiguous_short_name_places_nothing():
    names = NodeNames(["compute-01.site-a.example.org", "compute-01.site-b.example.org"])
    assert names.place({"instance": "compute-01:9100"}) is None
    assert names.place({"instance": "compute-01.site-b.example.org:9100"}) == "compute-01.site-b.example.org"


def test_the_bmc_gives_cpu_and_memory_bandwidth_with_the_age_of_its_reading():
    read_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 30))
    hardware = {"compute-01": {"status": "ok", "read_at": read_at,
                               "state": {"power_draw_watts": 212, "cpu_bandwidth_percent": 41.5,
                                         "memory_bandwidth_percent": 9.0}},
                "lab-network": {"status": "ok", "read_at": read_at,
                                "state": {"power_draw_watts": None, "cpu_bandwidth_percent": 3.0}}}
    got = utilization(NODES, hardware=hardware).to_dict()
    cpu = got["nodes"]["compute-01"]["cpu_percent"]
    assert (cpu["value"], cpu["source"], cpu["measure"]) == (41.5, "bmc", "ProcessorMetrics.BandwidthPercent")
    assert 29 <= cpu["age_seconds"] <= 60
    assert got["nodes"]["compute-01"]["memory_bandwidth_percent"]["value"] == 9.0
    assert "memory_percent" not in got["nodes"]["compute-01"]  # bandwidth is not memory in use
    assert set(got["nodes"]["lab-network"]) == {"cpu_percent"}  # no power reading: no figure, never 0
    assert got["sources"] == ["bmc"] and got["queries"] == 0
