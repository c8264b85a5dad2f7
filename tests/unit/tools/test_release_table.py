# -*- coding: utf-8 -*-
"""tools/release_table.py: the shipped table is what the committed extract gives, and the build keeps
only final releases. No network: the extract is committed, the small cases are inline."""
from __future__ import annotations

import importlib.util
import json
import os
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TOOL = os.path.join(ROOT, "tools", "release_table.py")
EXTRACT = os.path.join(ROOT, "tools", "release-data", "upstream.json")
SHIPPED = os.path.join(ROOT, "plugins", "module_utils", "_sites", "release_table.py")


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("release_table_tool", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_table_is_what_the_committed_extract_gives(tool):
    with open(EXTRACT, encoding="utf-8") as handle:
        expected = tool.render_table(tool.build_table(json.load(handle)))
    with open(SHIPPED, encoding="utf-8") as handle:
        shipped = handle.read()
    assert tool.first_difference(expected, shipped) is None, "run: .venv/bin/python tools/release_table.py build"


def test_build_check_names_the_first_difference(tool, tmp_path, capsys):
    copy = tmp_path / "release_table.py"
    with open(SHIPPED, encoding="utf-8") as handle:
        lines = handle.read().splitlines(True)
    assert tool.main(["build", "--extract", EXTRACT, "--output", str(SHIPPED), "--check"]) == 0
    changed = [line.replace("'2.96'", "'2.97'") for line in lines]
    copy.write_text("".join(changed), encoding="utf-8")
    assert tool.main(["build", "--extract", EXTRACT, "--output", str(copy), "--check"]) == 1
    message = capsys.readouterr().err
    number = next(i for i, line in enumerate(lines, 1) if "'2.96'" in line)
    assert "line %d:" % number in message and "2.97" in message


def test_build_writes_an_importable_table(tool, tmp_path):
    out = tmp_path / "table.py"
    assert tool.main(["build", "--extract", EXTRACT, "--output", str(out)]) == 0
    namespace = {}
    exec(compile(out.read_text(encoding="utf-8"), str(out), "exec"), namespace)  # pylint: disable=exec-used
    assert namespace["SERVICE_TYPES"]["compute"] == "nova"
    assert [entry["series"] for entry in namespace["SERIES"]][-3:] == ["2025.2", "2026.1", "2026.2"]


def test_committed_extract_holds_the_raw_tags(tool):
    """The filtering is tested on the real thing: the extract still has rc, eol and em tags."""
    with open(EXTRACT, encoding="utf-8") as handle:
        data = json.load(handle)
    every = [v for entry in data["deliverables"].values() for versions in entry["versions"].values() for v in versions]
    assert any("rc" in v for v in every) and any(v.endswith("-eol") for v in every) and any(v.endswith("-em") for v in every)
    table = tool.build_table(data)
    kept = [r[k] for ranges in table["DELIVERABLES"].values() for r in ranges.values() for k in ("first", "last")]
    assert kept and all(tool.RELEASE_VERSION.match(v) for v in kept)
    assert table["DELIVERABLES"]["nova"]["2024.1"]["first"] == "29.0.0"
    assert len(table["DELIVERABLES"]) >= 30


@pytest.mark.parametrize("versions, expected", [
    (["29.0.0.0rc1", "29.0.0.0rc2", "29.0.0", "29.0.1", "29.1.0", "2024.1-eom"], {"first": "29.0.0", "last": "29.1.0"}),
    (["1.0.0.0b1", "1.0.0.0b2", "1.0.0", "wallaby-em", "wallaby-eol"], {"first": "1.0.0", "last": "1.0.0"}),
    (["2.9.0", "2.10.0", "2.10.1", "xena-last"], {"first": "2.9.0", "last": "2.10.1"}),  # by number, not string
    (["3.0.0.0a1", "zed-eom", "zed-eol"], None),
    ([], None),
])
def test_release_range_skips_tags(tool, versions, expected):
    assert tool.release_range(versions) == expected


SERIES = [{"series": "zed", "name": "zed", "status": "unmaintained", "slurp": False},
          {"series": "2023.1", "name": "antelope", "status": "unmaintained", "slurp": True},
          {"series": "2023.2", "name": "bobcat", "status": "end of life", "slurp": False}]


def test_maximum_headings_name_series_in_every_spelling(tool):
    headings = ["2.93 (Maximum in Zed)", "3.70 (Maximum in Zed, 2023.1 and 2023.2)",
                "2.82 (Maximum in 2023.2/Bobcat)", "2.60 (Maximum in Train)", "not a heading"]
    assert tool.parse_maximum_headings(headings[:1], SERIES) == {"zed": "2.93"}
    assert tool.parse_maximum_headings(headings[1:2], SERIES) == {"zed": "3.70", "2023.1": "3.70", "2023.2": "3.70"}
    assert tool.parse_maximum_headings(headings[2:], SERIES) == {"2023.2": "2.82"}


def test_small_extract_builds(tool):
    data = {
        "sources": {"releases": {"commit": "abc"}, "service-types-authority": {"commit": "def"}},
        "series": SERIES,
        "deliverables": {
            "nova": {"service_type": "compute", "aliases": [], "versions": {"zed": ["26.0.0.0rc1", "26.0.0", "26.3.0", "zed-eom"],
                                                                           "2023.1": ["27.0.0", "27.5.1"]}},
            "cinder": {"service_type": "block-storage", "aliases": ["volumev3", "volume"], "versions": {"zed": ["zed-eol"]}},
        },
        "ironic_release_mapping": {"21.1": "1.80", "zed": "1.80", "2023.1": "1.82", "antelope": "1.82", "master": "1.99"},
        "microversion_headings": {"nova": ["2.93 (Maximum in Zed)"], "cinder": ["3.0 (Maximum in Mitaka)"]},
    }
    table = tool.build_table(data)
    assert table["DELIVERABLES"] == {"nova": {"zed": {"first": "26.0.0", "last": "26.3.0"}, "2023.1": {"first": "27.0.0", "last": "27.5.1"}}}
    assert table["SERVICE_TYPES"] == {"compute": "nova"}  # cinder had no final release in the window
    assert table["IRONIC_API"] == {"1.80": ["zed"], "1.82": ["2023.1"]}
    assert table["MAX_MICROVERSION"] == {"nova": {"zed": "2.93"}}
    assert "abc" in tool.render_table(table).splitlines()[3]


def test_extract_reads_a_checkout(tool, tmp_path):
    releases = tmp_path / "releases"
    (releases / "data").mkdir(parents=True)
    (releases / "data" / "series_status.yaml").write_text(textwrap.dedent("""\
        - name: bobcat
          release-id: 2023.2
          status: future
        - name: antelope
          release-id: 2023.1
          status: maintained
          slurp: yes
        - name: zed
          status: unmaintained
        """), encoding="utf-8")
    for name, body in (("antelope/nova.yaml", "type: service\nreleases:\n  - version: 27.0.0.0rc1\n  - version: 27.0.0\n"),
                       ("antelope/oslo.config.yaml", "type: library\nreleases:\n  - version: 9.1.0\n"),
                       ("antelope/python-novaclient.yaml", "type: client-library\nreleases:\n  - version: 18.3.0\n"),
                       ("zed/nova.yaml", "type: service\nreleases:\n  - version: 26.0.0\n  - version: zed-eom\n")):
        path = releases / "deliverables" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    authority = tmp_path / "authority"
    authority.mkdir()
    (authority / "service-types.yaml").write_text("services:\n- service_type: compute\n  project: nova\n"
                                                  "- service_type: block-storage\n  project: cinder\n  aliases: [volumev3]\n",
                                                  encoding="utf-8")
    ironic = tmp_path / "ironic"
    (ironic / "ironic" / "common").mkdir(parents=True)
    (ironic / "ironic" / "common" / "release_mappings.py").write_text(textwrap.dedent("""\
        from ironic.common.i18n import _
        RELEASE_MAPPING = {
            '21.1': {'api': '1.80', 'rpc': '1.55', 'objects': {'Node': ['1.36']}},
            '21.4': {'api': '1.82', 'rpc': '1.55', 'objects': {}},
        }
        RELEASE_MAPPING['zed'] = RELEASE_MAPPING['21.1']
        RELEASE_MAPPING['2023.1'] = RELEASE_MAPPING['21.4']
        """), encoding="utf-8")
    data = tool.extract(str(releases), str(authority), str(ironic), {})
    assert data["series"] == [{"series": "zed", "name": "zed", "status": "unmaintained", "slurp": False},
                              {"series": "2023.1", "name": "antelope", "status": "maintained", "slurp": True}]
    assert data["deliverables"] == {"nova": {"service_type": "compute", "aliases": [],
                                             "versions": {"zed": ["26.0.0", "zed-eom"], "2023.1": ["27.0.0.0rc1", "27.0.0"]}}}
    assert data["ironic_release_mapping"] == {"21.1": "1.80", "21.4": "1.82", "zed": "1.80", "2023.1": "1.82"}
    assert data["sources"]["releases"]["licence"] == "Apache-2.0"
