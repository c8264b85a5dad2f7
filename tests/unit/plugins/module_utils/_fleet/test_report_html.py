# -*- coding: utf-8 -*-
"""fleet.html from a realistic fleet: every node with its state word, escaping, nothing fetched."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from ansible_collections.osfleet.day2.plugins.filter.fleet_html import fleet_html
from ansible_collections.osfleet.day2.plugins.module_utils._fleet import report_html
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._fleet.report_fixtures import (
    GENERATED_AT,
    fleet,
    hardware,
)


class Nodes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.nodes = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article" and "data-name" in attrs:
            self.nodes.append((attrs["data-kind"], attrs["data-name"], attrs["data-state"]))


def nodes_of(text):
    parser = Nodes()
    parser.feed(text)
    return parser.nodes


def page():
    return report_html.to_html(fleet(), hardware(), GENERATED_AT)


def test_every_node_is_listed_once_by_kind_with_its_state():
    assert sorted(nodes_of(page())) == sorted([
        ("compute", "compute-01", "up"), ("compute", "compute-02", "down"), ("compute", "compute-03", "maintenance"),
        ("compute", "<script>alert(1)</script>", "up"), ("network", "network-01", "up"),
        ("storage", "storage-01", "up"), ("storage", "storage-02", "down")])


def test_state_is_a_word_not_only_a_colour():
    text = page()
    for state in ("up", "down", "maintenance"):
        assert '<span class="badge %s">%s</span>' % (state, state) in text
    assert '<span class="badge h-critical">critical</span>' in text
    assert "97 &deg;C" in text


def test_values_are_escaped():
    text = page()
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<b>x</b>" not in text and "web-2 &lt;i&gt;" in text


def test_nothing_is_fetched():
    text = page()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert "<script" not in text.lower() and "<link" not in text.lower() and "@import" not in text


def test_compute_agents_go_in_the_drill_down_not_a_second_node():
    text = page()
    assert [n for n in nodes_of(text) if n[1] == "compute-01"] == [("compute", "compute-01", "up")]
    compute_01 = text.split('id="compute-compute-01"')[1].split("</article>")[0]
    assert "neutron-openvswitch-agent" in compute_01 and "web-1" in compute_01


def test_allocation_use_and_sources_are_shown():
    text = page()
    compute_01 = text.split('id="compute-compute-01"')[1].split("</article>")[0]
    assert "220 / 256 (86%)" in compute_01
    assert "prometheus, 30s old" in compute_01 and "412 W" in compute_01
    assert "Placement" in text and "BMC" in text and "Nova" in text
    assert "no route to 10.0.0.13" in text  # compute-03's BMC


def test_header_counts_clouds_and_regions():
    text = page()
    assert "lab" in text and "RegionOne" in text and GENERATED_AT in text
    assert '<div class="card down"><span class=n>2</span>' in text
    assert '<div class="card up"><span class=n>4</span>' in text


def test_without_network_and_storage_keys_it_says_none_reported():
    data = fleet()
    del data["network_nodes"], data["storage_nodes"]
    text = report_html.to_html(data, {}, GENERATED_AT)
    assert text.count("none reported") >= 2
    assert {k for k, _n, _s in nodes_of(text)} == {"compute"}


def test_deterministic_and_the_filter_gives_the_same_page():
    assert page() == page()
    assert fleet_html(fleet(), hardware=hardware(), generated_at=GENERATED_AT) == page()
