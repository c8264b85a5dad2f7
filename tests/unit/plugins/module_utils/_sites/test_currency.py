# -*- coding: utf-8 -*-
"""Currency: which series an API shows, how it compares with the current one, where one upgrade reaches,
and third-party versions against baselines. Against the shipped table (real upstream data) and small
inline tables (so a rule is seen without the table's particulars)."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._sites import release_table
from ansible_collections.osfleet.day2.plugins.module_utils._sites.currency import (
    baseline_check, currency_of, default_current_series, parse_version, release_of, slurp_reach)

RELEASE_KEYS = {"series", "candidates", "confidence", "evidence"}
CURRENCY_KEYS = {"status", "current_series", "slurp_reach"}


def series(key, status="maintained", slurp=False, name=None):
    return {"series": key, "name": name or key, "status": status, "slurp": slurp}


SMALL = {
    "SERIES": [series("a", "end of life", slurp=True), series("b", "end of life"), series("c", "unmaintained", slurp=True),
               series("d"), series("e", slurp=True), series("f", "development")],
    "DELIVERABLES": {"svc": {"b": {"first": "2.0.0", "last": "2.3.1"}, "c": {"first": "3.0.0", "last": "3.2.0"},
                             "d": {"first": "4.0.0", "last": "4.0.2"}}},
    "SERVICE_TYPES": {"thing": "svc", "thing-alias": "svc", "baremetal": "ironic", "compute": "nova"},
    "IRONIC_API": {"1.80": ["b"], "1.85": ["c", "d"], "1.90": ["e"]},
    "MAX_MICROVERSION": {"nova": {"a": "2.9", "b": "2.10", "c": "2.10", "d": "2.100"}},
}


# --------------------------------------------------------------------------------------------
# the shipped table, the cases the issue names


def test_nova_2_96_is_the_range_caracal_dalmatian():
    found = release_of("compute", {"id": "v2.1", "min_microversion": "2.1", "max_microversion": "2.96", "exact": None})
    assert set(found) == RELEASE_KEYS
    assert found["series"] is None and found["confidence"] == "range"
    assert found["candidates"] == ["2024.1", "2024.2"]
    assert "2.96" in found["evidence"] and "2024.1" in found["evidence"]


def test_nova_max_microversion_of_one_series_is_exact():
    found = release_of("compute", {"max_microversion": "2.103"})
    assert (found["series"], found["confidence"]) == ("2026.1", "exact")


def test_exact_swift_version_is_exact():
    found = release_of("object-store", {"id": "v1", "exact": "2.33.1"})
    assert (found["series"], found["candidates"], found["confidence"]) == ("2024.1", ["2024.1"], "exact")
    assert "2.33.1" in found["evidence"]


def test_exact_version_wins_over_the_microversion():
    found = release_of("compute", {"max_microversion": "2.96", "exact": "30.0.0"})
    assert (found["series"], found["confidence"]) == ("2024.2", "exact")


def test_ironic_api_version_of_a_series():
    found = release_of("baremetal", {"id": "v1", "min_microversion": "1.1", "max_microversion": "1.90"})
    assert (found["series"], found["confidence"]) == ("2024.1", "exact")


def test_ironic_intermediate_release_belongs_to_the_next_cycle():
    # 1.91 is Ironic 25.0, listed upstream under dalmatian (2024.2), between 2024.1's 1.90 and 2024.2's 1.93
    found = release_of("baremetal", {"max_microversion": "1.91"})
    assert (found["series"], found["confidence"]) == ("2024.2", "exact")
    assert "intermediate" in found["evidence"]


def test_alias_of_a_service_type_is_found():
    assert release_of("volumev3", {"max_microversion": "3.71"})["candidates"][:2] == ["2024.1", "2024.2"]
    assert release_of("block-storage", {"max_microversion": "3.66"})["series"] == "xena"


def test_service_type_not_in_the_table_is_unknown():
    found = release_of("no-such-service", {"max_microversion": "2.96", "exact": "1.0.0"})
    assert found == {"series": None, "candidates": [], "confidence": "unknown",
                     "evidence": "service type no-such-service is not in the release table"}


def test_nothing_usable_is_unknown_and_says_so():
    found = release_of("compute", {"id": "v2.1", "min_microversion": None, "max_microversion": None, "exact": None})
    assert (found["series"], found["candidates"], found["confidence"]) == (None, [], "unknown")
    assert "no exact version" in found["evidence"]


def test_placement_has_no_microversion_table():
    # placement's history names no release after Stein: the table leaves it out rather than guess
    assert "placement" not in release_table.MAX_MICROVERSION
    assert release_of("placement", {"max_microversion": "1.39"})["confidence"] == "unknown"


def test_default_current_series_is_the_newest_maintained():
    current = default_current_series()
    statuses = {entry["series"]: entry["status"] for entry in release_table.SERIES}
    assert statuses[current] == "maintained"
    newer = [entry["status"] for entry in release_table.SERIES[[e["series"] for e in release_table.SERIES].index(current) + 1:]]
    assert "maintained" not in newer


def test_currency_of_the_shipped_table():
    exact = release_of("compute", {"max_microversion": "2.100", "exact": "31.0.0"})
    assert exact["series"] == "2025.1"
    assert currency_of(exact, "2025.1") == {"status": "current", "current_series": "2025.1", "slurp_reach": "2026.1"}
    assert currency_of(exact, "flamingo")["status"] == "n-1"
    assert currency_of(exact, "2025.2")["current_series"] == "2025.2"
    assert currency_of(exact, "2024.2")["status"] == "newer"


def test_range_with_one_status_keeps_it():
    found = release_of("compute", {"max_microversion": "2.96"})
    assert currency_of(found, "2026.1") == {"status": "older", "current_series": "2026.1", "slurp_reach": "2025.1"}
    assert currency_of(found, "2025.1")["status"] == "unknown"  # 2024.2 is n-1, 2024.1 older


# --------------------------------------------------------------------------------------------
# small tables: the rules themselves


def test_exact_version_within_and_after_a_series():
    assert release_of("thing", {"exact": "3.1.0"}, SMALL)["series"] == "c"
    assert release_of("thing-alias", {"exact": "2.0.0"}, SMALL)["series"] == "b"
    later = release_of("thing", {"exact": "3.2.7"}, SMALL)  # a stable release newer than the table knows
    assert (later["series"], later["confidence"]) == ("c", "exact")
    assert "later" in later["evidence"]


def test_exact_version_between_majors_is_a_range():
    table = dict(SMALL, DELIVERABLES={"svc": {"b": {"first": "2.30.0", "last": "2.31.0"}, "c": {"first": "2.33.0", "last": "2.34.0"}}})
    found = release_of("thing", {"exact": "2.32.0"}, table)
    assert (found["series"], found["candidates"], found["confidence"]) == (None, ["b", "c"], "range")


def test_exact_version_outside_the_table_falls_back_to_unknown():
    found = release_of("thing", {"exact": "1.0.0"}, SMALL)
    assert found["confidence"] == "unknown"


def test_microversion_compares_by_number():
    # "2.100" sorts before "2.9" as a string; by number it is the newest
    # the newest maximum the history records holds for the released series after it too (e; f is in development)
    assert release_of("compute", {"max_microversion": "2.100"}, SMALL)["candidates"] == ["d", "e"]
    assert release_of("compute", {"max_microversion": "2.10"}, SMALL)["candidates"] == ["b", "c"]
    between = release_of("compute", {"max_microversion": "2.50"}, SMALL)
    assert between["confidence"] == "unknown" and "between" in between["evidence"]
    assert "newer" in release_of("compute", {"max_microversion": "2.101"}, SMALL)["evidence"]
    assert "older" in release_of("compute", {"max_microversion": "2.1"}, SMALL)["evidence"]


def test_ironic_shared_api_version_is_a_range_and_outside_is_unknown():
    assert release_of("baremetal", {"max_microversion": "1.85"}, SMALL)["candidates"] == ["c", "d"]
    assert release_of("baremetal", {"max_microversion": "1.87"}, SMALL)["series"] == "e"
    assert release_of("baremetal", {"max_microversion": "1.99"}, SMALL)["confidence"] == "unknown"
    assert release_of("baremetal", {"max_microversion": "1.2"}, SMALL)["confidence"] == "unknown"


@pytest.mark.parametrize("found, status", [("e", "current"), ("d", "n-1"), ("c", "older"), ("a", "older"), ("f", "newer")])
def test_currency_statuses(found, status):
    release = {"series": found, "candidates": [found], "confidence": "exact", "evidence": ""}
    result = currency_of(release, "e", SMALL)
    assert set(result) == CURRENCY_KEYS
    assert result["status"] == status


def test_range_with_different_statuses_is_unknown():
    release = {"series": None, "candidates": ["c", "d"], "confidence": "range", "evidence": ""}
    assert currency_of(release, "e", SMALL) == {"status": "unknown", "current_series": "e", "slurp_reach": "e"}
    assert currency_of(release, "f", SMALL)["status"] == "older"
    apart = {"series": None, "candidates": ["a", "d"], "confidence": "range", "evidence": ""}
    assert currency_of(apart, "f", SMALL) == {"status": "older", "current_series": "f", "slurp_reach": None}


def test_unknown_release_is_unknown():
    release = {"series": None, "candidates": [], "confidence": "unknown", "evidence": ""}
    assert currency_of(release, "e", SMALL) == {"status": "unknown", "current_series": "e", "slurp_reach": None}


def test_current_series_not_in_the_table_names_the_field():
    with pytest.raises(ValidationError) as caught:
        currency_of({"series": "e", "candidates": ["e"], "confidence": "exact"}, "zz", SMALL)
    assert caught.value.field == "current_series"


@pytest.mark.parametrize("start, reach", [
    ("a", "c"),      # SLURP: skips b to the next SLURP
    ("b", "c"),      # not SLURP: only the next
    ("c", "e"),      # SLURP: skips d to e
    ("d", "e"),
    ("e", None),     # f is in development: no release to reach
    ("f", None),
    ("zz", None),
])
def test_slurp_reach(start, reach):
    assert slurp_reach(start, SMALL) == reach


def test_slurp_without_a_slurp_after_next_goes_one_step():
    table = dict(SMALL, SERIES=[dict(entry, slurp=entry["series"] == "c") for entry in SMALL["SERIES"]])
    assert slurp_reach("c", table) == "d"


def test_slurp_reach_of_the_shipped_table():
    assert slurp_reach("2024.1") == "2025.1"
    assert slurp_reach("2024.2") == "2025.1"
    assert slurp_reach("2023.2") == "2024.1"
    assert slurp_reach("zed") == "2023.1"


def test_default_current_series_of_a_small_table():
    assert default_current_series(SMALL) == "e"
    with pytest.raises(ValidationError):
        default_current_series({"SERIES": [series("x", "development")]})


# --------------------------------------------------------------------------------------------
# third-party versions


def test_parse_version_is_numeric():
    assert parse_version("2.100") > parse_version("2.9")
    assert parse_version("8.2") == parse_version("8.2.0")
    assert parse_version(8002000) == (8, 2)
    assert parse_version("v1.2.3-rc1") == (1, 2, 3)
    assert parse_version("none") is None and parse_version(None) is None


def test_baseline_check():
    items = [{"host": "compute-01", "type": "QEMU", "version": "8.2.0"},
             {"host": "compute-02", "type": "QEMU", "version": "8.10.0"},
             {"host": "compute-03", "type": "QEMU", "version": "8.1.9"},
             {"host": "compute-04", "type": "QEMU", "version": 7002000},
             {"bmc": "10.0.0.1", "component": "BMC firmware", "version": "7.00.00.171"},
             {"bmc": "10.0.0.2", "component": "BIOS", "version": "2.19.1"},
             {"host": "compute-05", "type": "QEMU", "version": "unknown"}]
    results = baseline_check(items, {"qemu": "8.9", "BMC firmware": "6.10.30.00"})
    assert [r["status"] for r in results] == ["below", "ok", "below", "below", "ok", "unknown", "unknown"]
    assert results[1]["host"] == "compute-02" and results[1]["baseline"] == "8.9" and results[1]["version"] == "8.10.0"
    assert results[3]["version"] == "7.2.0"
    assert results[5]["baseline"] is None and "no baseline" in results[5]["reason"]
    assert "no number" in results[6]["reason"]


def test_the_newest_recorded_maximum_is_open_ended_so_a_current_cinder_is_not_called_older():
    """Cinder's history names no series after 2024.2 because its maximum has stayed 3.71 (seen on the lab: Cinder
    29.0.0, 2026.2, answers 3.71); that maximum is any series from 2024.1 on, not "2024.1 or 2024.2"."""
    found = release_of("block-storage", {"max_microversion": "3.71"})
    assert found["series"] is None and found["confidence"] == "range"
    assert found["candidates"][0] == "2024.1" and default_current_series() in found["candidates"]
    assert currency_of(found, default_current_series())["status"] == "unknown"  # never "older"
    # a maximum that moved later is still its series: Nova 2.96 is 2024.1 or 2024.2 only
    assert release_of("compute", {"max_microversion": "2.96"})["candidates"] == ["2024.1", "2024.2"]
