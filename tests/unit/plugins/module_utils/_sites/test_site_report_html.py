# -*- coding: utf-8 -*-
"""The site report page in plain Python: everything escaped, a release shown only as exact as it is known, a state
always a word, and the comparison's findings each on the page."""
from __future__ import annotations

import copy
import re

from ansible_collections.osfleet.day2.plugins.module_utils._sites import report_html
from ansible_collections.osfleet.day2.plugins.module_utils._sites.compare import compare_sites
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._sites.site_fixtures import (
    GENERATED_AT,
    by_name,
    drifted,
    new_site,
    production,
)

EVIL = '<script>alert("x")</script>'


def hostile():
    site = new_site()
    site["cloud"] = EVIL
    site["error"] = "<img src=x onerror=alert(1)>"
    nova = by_name(site["services"], "compute")
    nova["name"] = EVIL
    nova["endpoints"][0]["url"] = 'https://"><b>x</b>'
    nova["release"]["evidence"] = "<b>bold</b> & co"
    site["agents"][0].update(host=EVIL, state="down", up=False)
    site["offerings"]["flavors"][0]["name"] = EVIL
    return site


def page(sites, comparison=None):
    return report_html.to_html(sites, comparison, GENERATED_AT)


def test_every_value_from_a_cloud_is_escaped():
    sites = [production(), hostile()]
    html = page(sites, compare_sites(sites[0], sites[1:]))
    assert "<script" not in html and "<img" not in html and "<b>x</b>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    assert 'data-site="&lt;script&gt;' in html  # attributes too


def test_a_release_is_shown_only_as_exact_as_it_is_known():
    site = production()
    html = page([site])
    row = {m.group(1): m.group(0) for m in re.finditer(r'<tr data-service-type="([^"]+)".*?</tr>', html)}
    assert 'class=series>2025.1</span> <span class="badge exact">exact</span>' in row["compute"]
    assert 'class=series>2024.2 or 2025.1</span> <span class="badge range">range</span>' in row["network"]
    assert 'class=series>unknown</span> <span class="badge unknown">unknown</span>' in row["image"]
    assert 'data-currency="unknown"' in row["network"] and '<span class="badge unknown">unknown</span>' in row["network"]
    # a series claimed without confidence "exact" is not shown as exact
    claimed = copy.deepcopy(site)
    claimed_release = {"series": None, "candidates": ["2023.1", "2023.2", "2024.1"], "confidence": "exact"}
    by_name(claimed["services"], "image")["release"] = claimed_release
    assert "2023.1 to 2024.1" in page([claimed]) and 'badge exact">exact</span>' not in \
        re.search(r'<tr data-service-type="image".*?</tr>', page([claimed])).group(0)


def test_states_are_words_and_agents_down_are_listed():
    site = production()
    by_name(site["services"], "network")["health"] = "degraded"
    by_name(site["services"], "image")["health"] = "down"
    by_name(site["services"], "image")["endpoints"][0].update(reachable=False, error="connection refused")
    site["agents"].append({"service_type": "compute", "binary": "nova-compute", "host": "compute-09", "zone": "az2",
                           "up": False, "enabled": True, "forced_down": False, "state": "down", "disabled_reason": None,
                           "updated_at": "2026-12-03T08:00:00Z"})
    html = page([site])
    assert '<span class="badge degraded">degraded</span>' in html and '<span class="badge down">down</span>' in html
    assert "public unreachable" in html and "connection refused" in html
    assert 'data-agent="nova-compute@compute-09" data-state="down"' in html
    assert "compute-01" not in re.search(r"<table class=agents>.*?</table>", html).group(0)  # an agent up is not listed
    assert "Agents not up (1 of 2)" in html
    assert "p50 3.1 ms &middot; p95 5.0 ms" in html


def test_the_comparison_lists_every_finding_and_what_it_could_not_compare():
    other = drifted()
    other["offerings"]["images"] = None
    comparison = compare_sites(production(), [other])
    html = page([production(), other], comparison)
    rows = set(re.findall(r'<tr data-category="([^"]+)" data-kind="([^"]+)" data-name="([^"]+)"', html))
    assert ("flavors", "lacks", "gpu.a100") in rows and ("flavors", "different", "m1.large") in rows
    assert ("networks", "lacks", "shared-net") in rows and ("quotas", "different", "compute/cores") in rows
    assert ("services", "extra", "load-balancer") in rows and ("versions", "different", "compute") in rows
    assert ("images", "unknown", "images not read") in rows
    assert '<section class=category data-category="images" data-status="unknown">' in html
    assert "2025.1 (exact)" in html and "2024.1 (exact)" in html
    assert 'data-identical="false"' in html
    assert '<span class="badge differs">differs</span>' in html


def test_an_identical_site_says_so_and_the_page_stands_alone():
    html = page([production(), new_site()], compare_sites(production(), [new_site()]))
    assert 'data-identical="true"' in html and '<span class="badge identical">identical</span>' in html
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    assert not re.search(r'(src|href)=["\']?(https?:)?//', html)  # nothing fetched
    assert page([production(), new_site()], compare_sites(production(), [new_site()])) == html  # deterministic
