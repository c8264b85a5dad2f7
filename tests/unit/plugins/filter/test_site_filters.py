# -*- coding: utf-8 -*-
"""osfleet.day2.site_compare and site_html: the comparison and the page as filters over site snapshots."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.osfleet.day2.plugins.filter.site_compare import FilterModule as CompareFilters
from ansible_collections.osfleet.day2.plugins.filter.site_html import FilterModule as HtmlFilters
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._sites.site_fixtures import drifted, new_site, production

site_compare = CompareFilters().filters()["site_compare"]
site_html = HtmlFilters().filters()["site_html"]


def test_the_first_site_is_the_reference_unless_named():
    sites = [drifted(), production()]
    sites[0]["cloud"] = "new"
    first = site_compare(sites)
    assert first["reference"] == "new/RegionOne" and [s["site"] for s in first["sites"]] == ["prod/RegionOne"]
    assert first["sites"][0]["categories"]["flavors"]["extra"] == ["gpu.a100"]  # seen from the new site
    named = site_compare(sites, reference="prod/RegionOne")
    assert named["reference"] == "prod/RegionOne" and named["sites"][0]["categories"]["flavors"]["lacks"] == ["gpu.a100"]
    assert site_compare(sites, reference="prod")["reference"] == "prod/RegionOne"  # a cloud one site has


def test_ignore_reaches_the_comparison():
    found = site_compare([production(), drifted()], ignore={"flavors": ["*"]})
    assert found["sites"][0]["categories"]["flavors"]["lacks"] == []


@pytest.mark.parametrize("sites, kwargs, words", [
    ("not a list", {}, "list of site snapshots"),
    ([{"cloud": "a"}], {}, "two or more"),
    ([{"cloud": "a", "region": "r"}, {"cloud": "b", "region": "r"}], {"reference": "c"}, "none of the sites"),
    ([{"cloud": "a", "region": "r1"}, {"cloud": "a", "region": "r2"}], {"reference": "a"}, "names 2 sites"),
    ([{"cloud": "a"}, {"cloud": "b"}], {"ignore": {"flavour": ["x"]}}, "unknown category"),
])
def test_bad_input_is_a_filter_error(sites, kwargs, words):
    with pytest.raises(AnsibleFilterError, match=words):
        site_compare(sites, **kwargs)


def test_the_page_from_snapshots_and_their_comparison():
    sites = [production(), new_site()]
    html = site_html(sites, comparison=site_compare(sites), generated_at="2026-12-03T10:00:00Z")
    assert html.startswith("<!DOCTYPE html>") and 'data-site="edge/RegionOne"' in html
    assert 'data-identical="true"' in html and "2026-12-03T10:00:00Z" in html
    assert "no comparison given" in site_html(sites)
    with pytest.raises(AnsibleFilterError, match="comparison"):
        site_html(sites, comparison="x")
