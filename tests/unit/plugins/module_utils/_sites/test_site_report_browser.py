# -*- coding: utf-8 -*-
"""The site report in a real browser: headless Chromium loads the page from a file, the DOM it leaves lists every
site and service with its state and every comparison with its verdict, and a screenshot is kept for a person to
look at (tests/output/sites/site-report.png)."""
from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._sites import report_html
from ansible_collections.osfleet.day2.plugins.module_utils._sites.compare import compare_sites
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._sites.site_fixtures import (
    GENERATED_AT,
    by_name,
    drifted,
    new_site,
    production,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.headless_chromium import chromium, needs_chromium

OUTPUT = Path(__file__).resolve().parents[5] / "tests" / "output" / "sites"
pytestmark = needs_chromium


class Dom(HTMLParser):
    """Sites with their services (health word, currency, confidence) and comparisons with their verdict."""

    def __init__(self) -> None:
        super().__init__()
        self.sites = {}
        self.comparisons = {}
        self._site = None
        self._service = None
        self._badges = []
        self._take = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article" and "site" in (attrs.get("class") or "").split():
            self._site = attrs["data-site"]
            self.sites[self._site] = {}
        elif tag == "article" and "comparison" in (attrs.get("class") or "").split():
            self.comparisons[attrs["data-site"]] = attrs["data-identical"]
        elif tag == "tr" and self._site and "data-service-type" in attrs:
            self._service = attrs["data-service-type"]
            self._badges = []
            self.sites[self._site][self._service] = (attrs["data-health"], attrs["data-currency"], attrs["data-confidence"],
                                                     self._badges)
        elif tag == "span" and self._service and "badge" in (attrs.get("class") or ""):
            self._take = True

    def handle_data(self, data):
        if self._take:
            self._badges.append(data)
            self._take = False

    def handle_endtag(self, tag):
        if tag == "tr":
            self._service = None
        elif tag == "article":
            self._site = None


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    prod = production()
    down = new_site()
    down["cloud"] = "dr"
    by_name(down["services"], "image")["health"] = "down"
    by_name(down["services"], "image")["endpoints"][0].update(reachable=False, error="connection refused")
    by_name(down["services"], "network")["health"] = "degraded"
    copy = new_site()
    copy["cloud"] = "copy"
    sites = [prod, drifted(), down, copy]
    path = tmp_path_factory.mktemp("sites") / "site-report.html"
    path.write_text(report_html.to_html(sites, compare_sites(prod, sites[1:]), GENERATED_AT))
    return path


def test_the_browser_shows_every_site_and_service_with_its_state(page, tmp_path):
    dom = Dom()
    dom.feed(chromium(tmp_path, "--dump-dom", page.as_uri()))
    assert sorted(dom.sites) == ["copy/RegionOne", "dr/RegionOne", "edge/RegionOne", "prod/RegionOne"]
    prod = dom.sites["prod/RegionOne"]
    assert {t: v[:3] for t, v in prod.items()} == {
        "block-storage": ("up", "current", "exact"), "compute": ("up", "current", "exact"),
        "image": ("up", "unknown", "unknown"), "network": ("up", "unknown", "range")}
    assert prod["compute"][3] == ["up", "exact", "current"]  # the words the badges say
    assert prod["network"][3] == ["up", "range", "unknown"]
    dr = dom.sites["dr/RegionOne"]
    assert dr["image"][0] == "down" and dr["image"][3][0] == "down"
    assert dr["network"][0] == "degraded" and dr["network"][3][0] == "degraded"
    assert dom.sites["edge/RegionOne"]["load-balancer"][:3] == ("up", "unknown", "unknown")
    # health is each site's own state, not a difference: the site whose image service is down is still a copy
    assert dom.comparisons == {"edge/RegionOne": "false", "dr/RegionOne": "true", "copy/RegionOne": "true"}


def test_screenshot_for_a_person_to_read(page, tmp_path):
    shot = tmp_path / "site-report.png"
    chromium(tmp_path, "--screenshot=%s" % shot, "--hide-scrollbars", page.as_uri(), window_size="1400,3400")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20000  # a rendered page, not a blank one
    OUTPUT.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, OUTPUT / "site-report.png")
    shutil.copy(page, OUTPUT / "site-report.html")
