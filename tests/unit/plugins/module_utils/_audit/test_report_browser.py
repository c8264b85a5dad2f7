# -*- coding: utf-8 -*-
"""compliance.html in a real browser: headless Chromium (Debian's ``chromium`` package) loads the page from
a file with the network off, its script runs, and the DOM it leaves shows the failures it should; a
screenshot is kept in tests/output/audit/ for a person to look at."""
from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._audit import diff as diff_mod
from ansible_collections.osfleet.day2.plugins.module_utils._audit.report import html
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._audit.audit_fixtures import faulty, fresh_cloud, run
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.headless_chromium import chromium, needs_chromium

OUTPUT = Path(__file__).resolve().parents[5] / "tests" / "output" / "audit"
WINDOW = "1400,2400"
pytestmark = needs_chromium


class Dom(HTMLParser):
    """The findings rows (attributes), the body's attributes and the visible-count after the script ran."""

    def __init__(self) -> None:
        super().__init__()
        self.rows = []
        self.body = {}
        self.shown = None
        self._in_findings = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self.body = attrs
        elif tag == "table" and attrs.get("id") == "findings-table":
            self._in_findings = True
        elif tag == "tr" and self._in_findings and "data-status" in attrs:
            self.rows.append(attrs)
        elif tag == "span" and attrs.get("id") == "shown":
            self.shown = attrs

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_findings = False


def dom_of(text):
    parser = Dom()
    parser.feed(text)
    return parser


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    previous = run(fresh_cloud())
    current = run(faulty(fresh_cloud()))
    path = tmp / "compliance.html"
    path.write_text(html.to_html(current, diff=diff_mod.diff_runs(previous, current)))
    return path, current


def test_the_page_runs_its_script_and_shows_the_failures(page, tmp_path):
    path, doc = page
    dom = dom_of(chromium(tmp_path, "--dump-dom", path.as_uri(), window_size=WINDOW))
    assert dom.body.get("data-ready") == "1", "the page's script did not run"
    failing = {(r["data-rule"], r["data-target"]) for r in dom.rows if r["data-status"] == "fail" and "hidden" not in r}
    assert failing == {(r["rule"], r["target"]) for r in doc["results"] if r["status"] == "fail"}
    assert ("HW-14", "compute-02") in failing and ("BMC-01", "compute-01") in failing
    new = {(r["data-rule"], r["data-target"]) for r in dom.rows if r.get("data-new") == "1"}
    assert new == {("BMC-01", "compute-01"), ("HW-14", "compute-02"), ("HOST-25", "compute-03")}
    visible = [r for r in dom.rows if "hidden" not in r]
    assert dom.shown["data-count"] == str(len(visible))
    # the default view: fail, error, waived; not-applicable results are hidden until asked for
    assert {r["data-status"] for r in visible} == {"fail", "error"}
    assert all("hidden" in r for r in dom.rows if r["data-status"] == "not_applicable")


def test_a_filter_in_the_url_is_applied(page, tmp_path):
    path, _doc = page
    dom = dom_of(chromium(tmp_path, "--dump-dom", path.as_uri() + "#q=compute-02&status=fail", window_size=WINDOW))
    visible = [(r["data-rule"], r["data-target"]) for r in dom.rows if "hidden" not in r]
    assert visible == [("HW-14", "compute-02")]
    dom = dom_of(chromium(tmp_path, "--dump-dom", path.as_uri() + "#severity=high&kind=host", window_size=WINDOW))
    visible = {(r["data-rule"], r["data-target"], r["data-status"]) for r in dom.rows if "hidden" not in r}
    assert ("HW-14", "compute-02", "fail") in visible and all(int(r["data-sev"]) >= 3 for r in dom.rows
                                                              if "hidden" not in r)
    assert all(r["data-kind"] == "host" for r in dom.rows if "hidden" not in r)


def test_screenshot_for_a_person_to_read(page, tmp_path):
    path, _doc = page
    OUTPUT.mkdir(parents=True, exist_ok=True)
    shot = OUTPUT / "compliance.png"
    if shot.exists():
        shot.unlink()
    chromium(tmp_path, "--screenshot=%s" % shot, "--hide-scrollbars", path.as_uri(), window_size=WINDOW)
    assert shot.stat().st_size > 20000  # a rendered page, not a blank one
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    shutil.copy(path, OUTPUT / "compliance.html")
