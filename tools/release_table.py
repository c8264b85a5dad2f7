# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Build the OpenStack release table that the sites capability ships.

Two steps, so that the shipped table can be rebuilt and checked without GitHub
(CI has no access to it):

``extract``
    reads checkouts or bare git directories of openstack/releases,
    openstack/service-types-authority and, optionally, openstack/ironic, nova,
    cinder and manila, and writes ``tools/release-data/upstream.json``: the source
    commits, the series with status and SLURP flag, and every version string
    upstream lists for the service deliverables (rc, beta and end-of-life tags
    included, so the build's filtering is tested on the real data).
``build``
    reads that extract and writes ``plugins/module_utils/_sites/release_table.py``,
    a Python literal (module_utils must be Python so that AnsiballZ ships it).
    ``build --check`` exits 1 naming the first difference instead of writing.

Standard library and PyYAML only.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import subprocess
import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EXTRACT_PATH = os.path.join(HERE, "release-data", "upstream.json")
TABLE_PATH = os.path.join(ROOT, "plugins", "module_utils", "_sites", "release_table.py")

SERIES_WINDOW = 14
"""How many series (newest first, future ones left out) the table covers."""

RELEASE_VERSION = re.compile(r"^\d+(?:\.\d+)*$")
"""A final release: dotted numbers only. Everything else upstream lists is a tag we skip:
``29.0.0.0rc1``, ``1.0.0.0b1``, ``zed-eol``, ``wallaby-em``, ``2024.1-eom``, ``xena-last``."""

MAXIMUM_HEADING = re.compile(r"^(\d+\.\d+) \(Maximum in (.+)\)\s*$")
"""A heading of a REST API version history that names the series it was the maximum of:
``2.96 (Maximum in 2024.1 Caracal and 2024.2 Dalmatian)``."""

MICROVERSION_SOURCES = {
    # deliverable: (repository, history file). Placement's history names no release after
    # Stein, so it is left out rather than guessed; Ironic's comes from release_mappings.py.
    "nova": ("openstack/nova", "nova/api/openstack/compute/rest_api_version_history.rst"),
    "cinder": ("openstack/cinder", "cinder/api/openstack/rest_api_version_history.rst"),
    "manila": ("openstack/manila", "manila/api/openstack/rest_api_version_history.rst"),
}


class Source:
    """A checkout or a bare git directory, read the same way."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.bare = os.path.isfile(os.path.join(path, "HEAD")) and os.path.isdir(os.path.join(path, "objects"))

    def _git(self, *args: str) -> str:
        where = ["--git-dir", self.path] if self.bare else ["-C", self.path]
        return subprocess.run(["git"] + where + list(args), check=True, capture_output=True, text=True).stdout

    def commit(self) -> str:
        try:
            return self._git("rev-parse", "HEAD").strip()
        except (OSError, subprocess.CalledProcessError):
            return "unknown"

    def read(self, path: str) -> str:
        if self.bare:
            return self._git("show", "HEAD:" + path)
        with open(os.path.join(self.path, path), encoding="utf-8") as handle:
            return handle.read()

    def list_dir(self, path: str) -> List[str]:
        if self.bare:
            out = self._git("ls-tree", "--name-only", "HEAD", path.rstrip("/") + "/")
            return sorted(os.path.basename(line) for line in out.splitlines() if line)
        full = os.path.join(self.path, path)
        return sorted(os.listdir(full)) if os.path.isdir(full) else []


def _yaml():
    import yaml  # pylint: disable=import-outside-toplevel
    return yaml


def series_key(entry: Dict[str, Any]) -> str:
    """The name the table uses for a series: its release id (``2024.1``) since 2023, else its name."""
    return str(entry.get("release-id") or entry["name"])


def read_series(releases: Source) -> List[Dict[str, Any]]:
    """The last SERIES_WINDOW series, oldest first; future series have no release yet."""
    status = _yaml().safe_load(releases.read("data/series_status.yaml"))
    chosen = [entry for entry in status if entry.get("status") != "future"][:SERIES_WINDOW]
    return [{"series": series_key(entry), "name": entry["name"], "status": entry["status"],
             "slurp": bool(entry.get("slurp", False))} for entry in reversed(chosen)]


def read_service_types(authority: Source) -> Dict[str, Dict[str, Any]]:
    """project -> {service_type, aliases} from the service-types authority."""
    data = _yaml().safe_load(authority.read("service-types.yaml"))
    out: Dict[str, Dict[str, Any]] = {}
    for service in data["services"]:
        out.setdefault(service["project"], {"service_type": service["service_type"], "aliases": list(service.get("aliases", []))})
    return out


def read_ironic_mapping(ironic: Source) -> Dict[str, str]:
    """RELEASE_MAPPING key -> Bare Metal API version, read with ast (the file is code, not data)."""
    tree = ast.parse(ironic.read("ironic/common/release_mappings.py"))
    mapping: Dict[str, Any] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == "RELEASE_MAPPING":
            mapping = ast.literal_eval(node.value)
        elif (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id == "RELEASE_MAPPING"
              and isinstance(node.value, ast.Subscript)):
            mapping[ast.literal_eval(target.slice)] = mapping[ast.literal_eval(node.value.slice)]
    return {key: value["api"] for key, value in mapping.items()}


def read_maximum_headings(text: str) -> List[str]:
    """The history's headings that name a series, as upstream writes them."""
    return [line.strip() for line in text.splitlines() if MAXIMUM_HEADING.match(line.strip())]


def extract(releases_path: str, authority_path: str, ironic_path: Optional[str], history_paths: Dict[str, str]) -> Dict[str, Any]:
    """Everything the build needs, read from the upstream repositories."""
    releases, authority = Source(releases_path), Source(authority_path)
    series = read_series(releases)
    types = read_service_types(authority)
    names = {entry["series"]: entry["name"] for entry in series}
    deliverables: Dict[str, Any] = {}
    for key in (entry["series"] for entry in series):
        folder = "deliverables/" + names[key]
        for filename in releases.list_dir(folder):
            name = filename[:-len(".yaml")] if filename.endswith(".yaml") else None
            if name not in types:
                continue
            data = _yaml().safe_load(releases.read(folder + "/" + filename))
            if data.get("type") != "service":
                continue
            entry = deliverables.setdefault(name, {"service_type": types[name]["service_type"], "aliases": types[name]["aliases"], "versions": {}})
            entry["versions"][key] = [str(release["version"]) for release in data.get("releases") or []]
    sources = {
        "releases": {"url": "https://opendev.org/openstack/releases", "commit": releases.commit(), "licence": "Apache-2.0"},
        "service-types-authority": {"url": "https://opendev.org/openstack/service-types-authority", "commit": authority.commit(),
                                    "licence": "Apache-2.0"},
    }
    result: Dict[str, Any] = {"sources": sources, "series": series, "deliverables": dict(sorted(deliverables.items()))}
    if ironic_path:
        ironic = Source(ironic_path)
        sources["ironic"] = {"url": "https://opendev.org/openstack/ironic", "commit": ironic.commit(), "licence": "Apache-2.0",
                             "path": "ironic/common/release_mappings.py"}
        result["ironic_release_mapping"] = read_ironic_mapping(ironic)
    histories: Dict[str, Any] = {}
    for deliverable, path in sorted(history_paths.items()):
        repo, file_path = MICROVERSION_SOURCES[deliverable]
        source = Source(path)
        sources[deliverable] = {"url": "https://opendev.org/" + repo, "commit": source.commit(), "licence": "Apache-2.0", "path": file_path}
        histories[deliverable] = read_maximum_headings(source.read(file_path))
    if histories:
        result["microversion_headings"] = histories
    return result


# ---------------------------------------------------------------------------------------------
# build


def version_key(version: str) -> Tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def release_range(versions: Sequence[str]) -> Optional[Dict[str, str]]:
    """First and last final release of one deliverable in one series, tags skipped."""
    final = sorted((v for v in versions if RELEASE_VERSION.match(v)), key=version_key)
    return {"first": final[0], "last": final[-1]} if final else None


def _series_lookup(series: Sequence[Dict[str, Any]]) -> Dict[str, str]:
    """Every way upstream names a series (release id, name, any case) -> the table's key."""
    lookup: Dict[str, str] = {}
    for entry in series:
        lookup[entry["series"].lower()] = entry["series"]
        lookup[entry["name"].lower()] = entry["series"]
    return lookup


def parse_maximum_headings(headings: Sequence[str], series: Sequence[Dict[str, Any]]) -> Dict[str, str]:
    """series -> maximum microversion, from headings such as ``3.70 (Maximum in Zed, 2023.1 and 2023.2)``.

    Series outside the table's window are dropped; a heading naming nothing known adds nothing.
    """
    lookup = _series_lookup(series)
    out: Dict[str, str] = {}
    for heading in headings:
        match = MAXIMUM_HEADING.match(heading)
        if not match:
            continue
        for token in re.split(r"[\s,/]+", match.group(2)):
            key = lookup.get(token.strip().lower())
            if key:
                out[key] = match.group(1)
    order = [entry["series"] for entry in series]
    return {key: out[key] for key in order if key in out}


def ironic_api(mapping: Dict[str, str], series: Sequence[Dict[str, Any]]) -> Dict[str, List[str]]:
    """Bare Metal API version -> the series whose release it is (several when the API did not move)."""
    lookup = _series_lookup(series)
    by_series: Dict[str, str] = {}
    for key, api in mapping.items():
        if key.lower() in lookup:
            by_series[lookup[key.lower()]] = api
    out: Dict[str, List[str]] = {}
    for entry in series:
        if entry["series"] in by_series:
            out.setdefault(by_series[entry["series"]], []).append(entry["series"])
    return dict(sorted(out.items(), key=lambda item: version_key(item[0])))


def build_table(data: Dict[str, Any]) -> Dict[str, Any]:
    """The shipped table's contents from the extract."""
    series = data["series"]
    deliverables: Dict[str, Dict[str, Dict[str, str]]] = {}
    service_types: Dict[str, str] = {}
    for name, entry in sorted(data["deliverables"].items()):
        ranges = {}
        for entry_series in (s["series"] for s in series):
            found = release_range(entry["versions"].get(entry_series, []))
            if found:
                ranges[entry_series] = found
        if not ranges:
            continue
        deliverables[name] = ranges
        for service_type in [entry["service_type"]] + list(entry["aliases"]):
            service_types.setdefault(service_type, name)
    microversions = {name: parse_maximum_headings(headings, series) for name, headings in sorted(data.get("microversion_headings", {}).items())}
    return {
        "SOURCES": data["sources"],
        "SERIES": [dict(entry) for entry in series],
        "DELIVERABLES": deliverables,
        "SERVICE_TYPES": dict(sorted(service_types.items())),
        "IRONIC_API": ironic_api(data.get("ironic_release_mapping", {}), series),
        "MAX_MICROVERSION": {name: found for name, found in microversions.items() if found},
    }


HEADER = '''# -*- coding: utf-8 -*-
# GENERATED FILE - do not edit. Made by tools/release_table.py build from tools/release-data/upstream.json
# (regenerate: docs/sites.md, "Currency").
# Data from openstack/releases {releases}
# and openstack/service-types-authority {authority},
# Apache License 2.0 (https://www.apache.org/licenses/LICENSE-2.0); see SOURCES for every repository used.
"""The OpenStack release table: series, the service deliverables' releases per series, and API maxima.

Generated so that it is Python: module_utils files are what AnsiballZ ships with a module,
and a data file next to them would not reach the managed node. Private to osfleet.day2.
"""

from __future__ import annotations
'''

DOCS = {
    "SOURCES": "Where each part comes from: repository, commit, licence.",
    "SERIES": "The series, oldest first: key (release id since 2023.1, else name), name, upstream status, SLURP flag.",
    "DELIVERABLES": "deliverable -> series -> first and last final release (rc, betas, -eol/-em/-eom/-last tags skipped).",
    "SERVICE_TYPES": "catalog service type or alias (service-types authority) -> deliverable.",
    "IRONIC_API": "Bare Metal API version -> the series that release (Ironic's release_mappings.py).",
    "MAX_MICROVERSION": "deliverable -> series -> maximum microversion, as the project's REST API history names it.",
}


def _literal(value: Any, indent: int = 0) -> str:
    """Deterministic Python literal in upstream's order: a mapping or sequence on one line when it fits
    in pep8's 160 columns (ansible-test), else one item per line under a hanging indent."""
    flat = repr(value)
    if len(flat) + indent + 8 <= 150 or not isinstance(value, (dict, tuple)) or not value:
        return flat
    pad = " " * (indent + 4)
    if isinstance(value, dict):
        items = ["%r: %s," % (key, _literal(item, indent + 4)) for key, item in value.items()]
        return "{\n%s\n%s}" % (_pack(items, pad), " " * indent)
    items = ["%s," % _literal(item, indent + 4) for item in value]
    return "(\n%s\n%s)" % (_pack(items, pad), " " * indent)


def _pack(items: Sequence[str], pad: str) -> str:
    """Items on as few lines as fit in 150 columns; an item that is itself several lines stands alone."""
    lines: List[str] = []
    for item in items:
        if "\n" not in item and lines and "\n" not in lines[-1] and len(lines[-1]) + 1 + len(item) <= 150:
            lines[-1] += " " + item
        else:
            lines.append(pad + item)
    return "\n".join(lines)


def _tuples(value: Any) -> Any:
    """Lists become tuples: the shipped table is read-only data."""
    if isinstance(value, dict):
        return {key: _tuples(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return tuple(_tuples(item) for item in value)
    return value


def render_table(table: Dict[str, Any]) -> str:
    out = [HEADER.format(releases=table["SOURCES"]["releases"]["commit"], authority=table["SOURCES"]["service-types-authority"]["commit"])]
    for name in ("SOURCES", "SERIES", "DELIVERABLES", "SERVICE_TYPES", "IRONIC_API", "MAX_MICROVERSION"):
        out.append("\n%s = %s\n%s\n" % (name, _literal(_tuples(table[name])), '"""%s"""' % DOCS[name]))
    return "\n".join(out)


def first_difference(expected: str, actual: str) -> Optional[str]:
    want, have = expected.splitlines(), actual.splitlines()
    for number, (line_want, line_have) in enumerate(zip(want, have), 1):
        if line_want != line_have:
            return "line %d: expected %r, found %r" % (number, line_want, line_have)
    if len(want) != len(have):
        return "expected %d lines, found %d" % (len(want), len(have))
    return None


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ext = sub.add_parser("extract", help="read upstream repositories, write the extract")
    ext.add_argument("--releases", required=True, help="openstack/releases checkout or bare git dir")
    ext.add_argument("--service-types", required=True, help="openstack/service-types-authority checkout or git dir")
    ext.add_argument("--ironic", help="openstack/ironic checkout or git dir (release_mappings.py)")
    for name in sorted(MICROVERSION_SOURCES):
        ext.add_argument("--" + name, help="openstack/%s checkout or git dir (REST API version history)" % name)
    ext.add_argument("--output", default=EXTRACT_PATH)
    bld = sub.add_parser("build", help="write the shipped table from the extract")
    bld.add_argument("--extract", default=EXTRACT_PATH)
    bld.add_argument("--output", default=TABLE_PATH)
    bld.add_argument("--check", action="store_true", help="exit 1 naming the first difference instead of writing")
    args = parser.parse_args(argv)
    if args.command == "extract":
        histories = {name: getattr(args, name) for name in MICROVERSION_SOURCES if getattr(args, name)}
        data = extract(args.releases, args.service_types, args.ironic, histories)
        os.makedirs(os.path.dirname(args.output), exist_ok=True)
        with open(args.output, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=False)
            handle.write("\n")
        return 0
    with open(args.extract, encoding="utf-8") as handle:
        text = render_table(build_table(json.load(handle)))
    if args.check:
        try:
            with open(args.output, encoding="utf-8") as handle:
                current = handle.read()
        except FileNotFoundError:
            current = ""
        difference = first_difference(text, current)
        if difference:
            print("%s differs from what %s gives: %s" % (args.output, args.extract, difference), file=sys.stderr)
            return 1
        return 0
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
