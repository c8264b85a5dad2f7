# -*- coding: utf-8 -*-
"""compare_sites over inline snapshots: what a new site lacks, has extra and runs differently, per category, and
what the comparison must not claim (natural differences, data it could not read)."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._sites.compare import CATEGORIES, compare_release, compare_sites
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._sites.site_fixtures import (
    by_name,
    drifted,
    new_site,
    production,
)


def only(result):
    assert len(result["sites"]) == 1
    return result["sites"][0]


def test_a_copy_with_its_own_urls_ids_and_addresses_is_identical():
    found = only(compare_sites(production(), [new_site()]))
    assert found["site"] == "edge/RegionOne"
    assert found["summary"] == {"lacks": 0, "extra": 0, "different": 0, "uncertain": 0, "unknown": [], "identical": True}
    assert all(found["categories"][c]["status"] == "compared" for c in CATEGORIES)


def test_what_the_new_site_lacks_has_extra_and_runs_differently():
    result = compare_sites(production(), [drifted()])
    assert result["reference"] == "prod/RegionOne"
    cats = only(result)["categories"]
    assert cats["flavors"]["lacks"] == ["gpu.a100"] and cats["flavors"]["extra"] == []
    assert cats["flavors"]["different"] == [
        {"name": "m1.large", "field": "ram", "reference": 8192, "value": 4096},
        {"name": "m1.small", "field": "extra_specs.hw:cpu_policy", "reference": "shared", "value": "dedicated"}]
    assert cats["images"]["different"] == [
        {"name": "ubuntu-24.04", "field": "checksum", "reference": "sha-ubuntu", "value": "sha-rebuilt"}]
    assert cats["networks"]["lacks"] == ["shared-net"] and cats["networks"]["different"] == []
    assert cats["quotas"]["different"] == [{"name": "compute/cores", "field": "limit", "reference": 20, "value": 8}]
    assert cats["availability_zones"]["lacks"] == ["compute/az2"]
    assert cats["services"]["extra"] == ["load-balancer"] and cats["services"]["lacks"] == []
    release = [d for d in cats["versions"]["different"] if d["field"] == "release"]
    assert release == [{"name": "compute", "field": "release",
                        "reference": {"series": "2025.1", "candidates": ["2025.1"], "confidence": "exact"},
                        "value": {"series": "2024.1", "candidates": ["2024.1"], "confidence": "exact"}}]
    assert {"name": "compute", "field": "max_microversion", "reference": "2.100", "value": "2.96"} in \
        cats["versions"]["different"]
    assert "load-balancer" not in str(cats["versions"])  # only in one site: a services finding, not a version one
    summary = only(result)["summary"]
    assert summary["identical"] is False
    assert (summary["lacks"], summary["extra"], summary["different"]) == (3, 1, 6)


def test_the_reference_lacking_something_is_the_others_extra_and_a_service_only_in_production_is_lacked():
    prod = production()
    other = new_site()
    other["services"] = [s for s in other["services"] if s["type"] != "image"]
    other["offerings"]["flavors"].append(dict(by_name(other["offerings"]["flavors"], "m1.small"), name="m1.tiny"))
    cats = only(compare_sites(prod, [other]))["categories"]
    assert cats["services"]["lacks"] == ["image"]
    assert cats["flavors"]["extra"] == ["m1.tiny"]


def test_an_unreadable_category_is_unknown_never_nothing_lacking():
    other = new_site()
    other["offerings"]["flavors"] = None
    other["offerings"]["errors"]["flavors"] = "list flavors failed (HTTP 403): Policy doesn't allow"
    other["offerings"]["quotas"]["volume"] = None
    del other["offerings"]["quotas"]["compute"]["cores"]  # would be a finding, but compute's quotas are known
    found = only(compare_sites(production(), [other]))
    flavors = found["categories"]["flavors"]
    assert flavors["status"] == "unknown" and flavors["lacks"] == [] and "Policy doesn't allow" in flavors["unknown"][0]
    quotas = found["categories"]["quotas"]
    assert quotas["status"] == "partial" and quotas["unknown"] == ["volume"]
    assert quotas["lacks"] == ["compute/cores"]
    assert not any(k.startswith("volume/") for k in quotas["lacks"])
    assert found["summary"]["unknown"] == ["flavors", "quotas"] and found["summary"]["identical"] is False


def test_a_site_that_did_not_answer_is_unknown_everywhere_and_an_unread_reference_too():
    down = {"cloud": "dr", "region": "RegionTwo", "ok": False, "error": "keystone unreachable", "services": [],
            "agents": [], "hypervisors": []}
    found = only(compare_sites(production(), [down]))
    assert found["summary"]["unknown"] == list(CATEGORIES) and found["summary"]["identical"] is False
    assert found["categories"]["services"]["unknown"] == ["site not read: keystone unreachable"]
    assert found["categories"]["flavors"]["unknown"] == ["offerings not read"]
    ref = production()
    ref["offerings"]["images"] = None
    back = only(compare_sites(ref, [new_site()]))["categories"]["images"]
    assert back["status"] == "unknown" and back["unknown"] == ["reference: images not read"]


def test_a_service_whose_version_was_not_read_is_unknown_in_versions():
    other = new_site()
    by_name(other["services"], "compute")["version"] = None
    versions = only(compare_sites(production(), [other]))["categories"]["versions"]
    assert versions["status"] == "partial" and versions["unknown"] == ["compute"] and versions["different"] == []


@pytest.mark.parametrize("ref, other, verdict", [
    ("2025.1", "2025.1", "same"), ("2025.1", "2024.1", "different"),
    (("2024.2", "2025.1"), ("2024.2", "2025.1"), "same"),        # the same evidence
    (("2024.2", "2025.1"), ("2023.1", "2023.2"), "different"),   # ranges that cannot hold the same series
    ("2025.1", ("2024.2", "2025.1"), "uncertain"),               # may be the same: never claimed either way
    (("2024.1", "2024.2"), ("2024.2", "2025.1"), "uncertain"),
    ("2025.1", (), "uncertain"),                                 # unknown is not the same
    ((), (), "same"),                                            # nothing known on either side: no finding
])
def test_a_release_range_is_compared_as_a_range(ref, other, verdict):
    def release(spec):
        if isinstance(spec, str):
            return {"series": spec, "candidates": [spec], "confidence": "exact"}
        return {"series": None, "candidates": list(spec), "confidence": "range" if spec else "unknown"}
    assert compare_release(release(ref), release(other)) == verdict


def test_ranges_that_may_differ_are_uncertain_and_keep_the_site_from_being_identical():
    other = new_site()
    neutron = by_name(other["services"], "network")
    neutron["release"] = {"series": "2025.1", "candidates": ["2025.1"], "confidence": "exact", "evidence": "x"}
    found = only(compare_sites(production(), [other]))
    assert found["categories"]["versions"]["uncertain"][0]["name"] == "network"
    assert found["categories"]["versions"]["different"] == []
    assert found["summary"]["uncertain"] == 1 and found["summary"]["identical"] is False


def test_ignore_patterns_exclude_names_per_category():
    result = compare_sites(production(), [drifted()],
                           ignore={"flavors": ["gpu.*", "m1.lar?e"], "quotas": "cores", "services": ["load-*"]})
    cats = only(result)["categories"]
    assert cats["flavors"]["lacks"] == [] and [d["name"] for d in cats["flavors"]["different"]] == ["m1.small"]
    assert cats["flavors"]["ignored"] == ["gpu.a100", "m1.large"]
    assert cats["quotas"]["different"] == [] and cats["quotas"]["ignored"] == ["compute/cores"]
    assert cats["services"]["extra"] == []
    assert cats["images"]["different"]  # patterns are per category
    assert result["ignore"]["quotas"] == ["cores"]


@pytest.mark.parametrize("ignore", [{"flavour": ["x"]}, ["flavors"], {"flavors": [1]}])
def test_a_bad_ignore_is_refused_naming_it(ignore):
    with pytest.raises(ValidationError) as err:
        compare_sites(production(), [new_site()], ignore=ignore)
    assert err.value.field == "ignore"


def test_several_sites_each_against_the_reference():
    result = compare_sites(production(), [new_site(), drifted()])
    verdicts = [(s["site"], s["summary"]["identical"]) for s in result["sites"]]
    assert verdicts == [("edge/RegionOne", True), ("edge/RegionOne", False)]
