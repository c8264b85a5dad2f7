# -*- coding: utf-8 -*-
"""fleet.html in a real browser: headless Chromium loads the page from a file, the DOM it leaves lists
every node with its state, and a screenshot is kept for a person to look at (/tmp/fleet-report.png)."""
from __future__ import annotations

import shutil
from html.parser import HTMLParser

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._fleet import report_html
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._fleet.report_fixtures import (
    GENERATED_AT,
    fleet,
    hardware,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.headless_chromium import chromium, needs_chromium

pytestmark = needs_chromium


class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.nodes = {}
        self._node = None
        self._badge = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article" and "data-name" in attrs:
            self._node = attrs["data-name"]
            self.nodes[self._node] = {"kind": attrs["data-kind"], "state": attrs["data-state"], "word": None}
        elif tag == "span" and self._node and "badge" in (attrs.get("class") or "") and self.nodes[self._node]["word"] is None:
            self._badge = True

    def handle_data(self, data):
        if self._badge:
            self.nodes[self._node]["word"] = data
            self._badge = False

    def handle_endtag(self, tag):
        if tag == "article":
            self._node = None


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    path = tmp_path_factory.mktemp("fleet") / "fleet.html"
    path.write_text(report_html.to_html(fleet(), hardware(), GENERATED_AT))
    return path


def test_the_browser_lists_every_node_with_its_state(page, tmp_path):
    parser = Dom()
    parser.feed(chromium(tmp_path, "--dump-dom", page.as_uri()))
    assert {n: (v["kind"], v["word"]) for n, v in parser.nodes.items()} == {
        "compute-01": ("compute", "up"), "compute-02": ("compute", "down"), "compute-03": ("compute", "maintenance"),
        "<script>alert(1)</script>": ("compute", "up"), "network-01": ("network", "up"),
        "storage-01": ("storage", "up"), "storage-02": ("storage", "down")}


def test_screenshot_for_a_person_to_read(page, tmp_path):
    shot = tmp_path / "fleet-report.png"
    chromium(tmp_path, "--screenshot=%s" % shot, "--hide-scrollbars", page.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20000  # a rendered page, not a blank one
    shutil.copy(shot, "/tmp/fleet-report.png")
