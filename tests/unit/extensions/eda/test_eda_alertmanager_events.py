# -*- coding: utf-8 -*-
"""The source plugin's plain parts: its options, the events a payload becomes, the dedup key, host labels."""
from __future__ import annotations

import copy

import pytest


def test_dedup_key_is_the_same_for_a_redelivery_and_changes_with_the_state(plugin, payload):
    settings = plugin.parse_args({"token": "t"})

    def key(p):
        return plugin.payload_events(p, settings)[0]["osfleet"]["dedup_key"]

    second = copy.deepcopy(payload["alerts"][0])
    second.update(fingerprint="0b1c", startsAt="2026-12-02T15:12:00Z")
    two = copy.deepcopy(payload)
    two["alerts"].append(second)
    reordered = copy.deepcopy(two)
    reordered["alerts"].reverse()
    reannotated = copy.deepcopy(payload)
    reannotated["commonAnnotations"]["summary"] = "reworded"   # annotations are not identity (as in Alertmanager)
    resolved = copy.deepcopy(payload)
    resolved["status"] = resolved["alerts"][0]["status"] = "resolved"
    restarted = copy.deepcopy(payload)
    restarted["alerts"][0]["startsAt"] = "2026-12-02T16:00:00Z"  # the same alert firing again later

    assert key(payload) == key(copy.deepcopy(payload)) == key(reannotated)
    assert key(two) == key(reordered)
    assert len({key(payload), key(two), key(resolved), key(restarted)}) == 4


@pytest.mark.parametrize("labels, expected", [
    ({"host": "compute-01", "instance": "10.0.0.5:9100"}, "compute-01"),
    ({"hostname": "compute-01"}, "compute-01"),
    ({"instance": "10.0.0.5:9100"}, "10.0.0.5"),
    ({"instance": "[2001:db8::5]:9100"}, "2001:db8::5"),
    ({"instance": "2001:db8::5"}, "2001:db8::5"),   # a bare IPv6 address keeps its colons
    ({"host": " ", "instance": "compute-04"}, "compute-04"),
    ({"job": "nova"}, None),
])
def test_host_of_reads_the_host_labels_in_order(plugin, labels, expected):
    assert plugin.host_of(labels, plugin.DEFAULT_HOST_LABELS) == expected


def test_a_payload_across_hosts_names_every_host(plugin, payload):
    other = copy.deepcopy(payload["alerts"][0])
    other["labels"]["host"] = "compute-01"
    payload["alerts"].append(other)
    summary = plugin.payload_events(payload, plugin.parse_args({"token": "t"}))[0]["osfleet"]
    assert summary["hosts"] == ["compute-01", "compute-02"] and summary["host_key"] == "compute-01,compute-02"


def test_no_host_label_gives_an_empty_host_key(plugin, payload):
    for alert in payload["alerts"]:
        alert["labels"] = {"alertname": "OsfleetCloudWide"}
    summary = plugin.payload_events(payload, plugin.parse_args({"token": "t"}))[0]["osfleet"]
    assert (summary["hosts"], summary["host_key"]) == ([], "")   # an empty lock name: ansible-rulebook takes no lock


def test_validation_tolerates_what_older_and_newer_alertmanagers_send(plugin, payload):
    payload.pop("truncatedAlerts")                  # not every sender has it
    payload["alerts"][0].pop("generatorURL")
    payload["notification_reason"] = "first notification"   # 0.32+
    assert plugin.validate_payload(payload) is payload


@pytest.mark.parametrize("url, expected", [
    ("http://admin:pw@am.example:9093/", "http://am.example:9093/"),
    ("https://am.example/path?q=1", "https://am.example/path?q=1"),
    ("", ""),
])
def test_redact_url_drops_credentials(plugin, url, expected):
    assert plugin.redact_url(url) == expected


@pytest.mark.parametrize("args, message", [
    ({"token": "t", "tokne": "x"}, "unknown option"),
    ({"token": "t", "token_file": "/x"}, "give one, not both"),
    ({"token_file": "/nonexistent/token"}, "cannot read"),
    ({"token": "t", "port": "http"}, "port: expected an integer"),
    ({"token": "t", "port": 70000}, "port: expected an integer from 0 to 65535"),
    ({"token": "t", "path": "alerts"}, "path: must start with /"),
    ({"token": "t", "path": "/healthz"}, "path: must start with /"),
    ({"token": "t", "events": "each"}, "events: one of payload, alerts"),
    ({"token": "t", "keyfile": __file__}, "keyfile and cafile need certfile"),
    ({"token": "t", "certfile": "/nonexistent.crt"}, "certfile: no such file"),
    ({"token": "t", "hmac_header": "Authorization", "hmac_secret": "s"}, "hmac_header"),
    ({"token": "t", "max_body_bytes": 10}, "max_body_bytes"),
    ({"insecure_no_auth": "maybe"}, "insecure_no_auth: expected a boolean"),
    ({}, "no authentication"),
])
def test_bad_options_fail_at_start_naming_the_option(plugin, args, message):
    with pytest.raises(ValueError, match=message):
        plugin.parse_args(args)


def test_options_come_as_strings_from_a_rulebook(plugin):
    settings = plugin.parse_args({"token": "t", "port": "5001", "max_body_bytes": "2048", "host_labels": "a, b",
                                  "insecure_no_auth": "false", "eda_feedback_queue": object()})
    assert (settings.port, settings.max_body_bytes, settings.host_labels) == (5001, 2048, ("a", "b"))
    assert "b't'" not in repr(settings)   # secrets stay out of a logged repr


def test_a_token_on_a_public_address_without_tls_is_warned_about(plugin):
    assert any("in clear" in w for w in plugin.parse_args({"token": "t", "host": "0.0.0.0"}).warnings)
    assert not plugin.parse_args({"token": "t"}).warnings
