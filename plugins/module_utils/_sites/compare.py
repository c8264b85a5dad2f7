# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The "copy production to the new site" scan: what each site lacks, has extra, or runs differently.

One site (the reference, usually production) against the others, over whole site
snapshots (``control_plane_info``'s ``sites``; ``offerings`` read with them). Per
category, keyed by what a user names:

* ``services`` by catalog type (fields: the service's ``name``, its endpoint ``interfaces``);
* ``versions`` by service type, for types both sites run (``version``,
  ``max_microversion``, ``release``); a service only one site runs is a ``services``
  finding, not reported twice;
* ``flavors`` by name (vcpus, ram, disk, ephemeral, swap, is_public, each extra spec);
* ``images`` by name, compared by checksum (``os_hash_value``, else the MD5
  ``checksum``), disk and container format, visibility, os_distro, os_version, min_disk,
  min_ram;
* ``networks`` by name (external, shared, provider network type, MTU, the subnets'
  names and, per subnet, DHCP, IP version and prefix length);
* ``availability_zones`` as ``<service>/<zone>`` (compute, volume, network);
* ``quotas`` as ``<service>/<resource>``, the default limit.

What two sites naturally differ in is never compared: ids, URLs, timestamps, counts,
subnet CIDRs and gateways (each site has its own addressing; the prefix length, the
size users get, is compared), health and latency (the report shows those per site).

Missing data is not equality. A category a site could not read (an ``offerings``
entry that is None, offerings not read at all, services of a site that did not
answer) is ``unknown`` for that site, with the reason, and the site is not
``identical``. A part of a category (one service's zones or quotas, one service's
version) that could not be read is listed under ``unknown`` and its keys are skipped
on both sides. A release known only as a range is compared as a range: ranges that
cannot overlap are ``different``, ranges that may hold the same series or a range
against an exact series it contains are ``uncertain``, never "the same".

The result::

    {"reference": "<cloud>/<region>", "categories": [...], "ignore": {category: [pattern]},
     "sites": [{"site": "<cloud>/<region>", "cloud", "region",
                "categories": {category: {"status": "compared" | "partial" | "unknown",
                                          "lacks": [key], "extra": [key],
                                          "different": [{"name", "field", "reference", "value"}],
                                          "uncertain": [{"name", "field", "reference", "value"}],
                                          "unknown": [part or reason], "ignored": [key]}},
                "summary": {"lacks", "extra", "different", "uncertain": counts,
                            "unknown": [category], "identical": bool}}]}
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any, Callable, Dict, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

CATEGORIES = ("services", "versions", "flavors", "images", "networks", "availability_zones", "quotas")
FLAVOR_FIELDS = ("vcpus", "ram", "disk", "ephemeral", "swap", "is_public")
IMAGE_FIELDS = ("disk_format", "container_format", "visibility", "os_distro", "os_version", "min_disk", "min_ram")
NETWORK_FIELDS = ("external", "shared", "provider_network_type", "mtu")
#: the services whose zones and quotas are read (offerings.py)
ZONE_SERVICES = ("compute", "volume", "network")

#: key -> {field: value}; or None with the reason the category is unknown
Items = Dict[str, Dict[str, Any]]
Extracted = Tuple[Optional[Items], List[str], str]


def site_label(snapshot: Dict[str, Any]) -> str:
    """``<cloud>/<region>``, how the comparison and the page name a site."""
    return "%s/%s" % (snapshot.get("cloud") or "-", snapshot.get("region") or "-")


def compare_sites(reference: Dict[str, Any], others: List[Dict[str, Any]],
                  ignore: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Each of ``others`` against ``reference`` (site snapshots); see the module docstring for the result."""
    if not isinstance(reference, dict):
        raise ValidationError("the reference site must be a site snapshot (a dict)", field="reference")
    if not isinstance(others, list) or not all(isinstance(o, dict) for o in others):
        raise ValidationError("the other sites must be a list of site snapshots", field="others")
    patterns = normalize_ignore(ignore)
    ref = {category: EXTRACT[category](reference) for category in CATEGORIES}
    sites = []
    for other in others:
        categories = {}
        for category in CATEGORIES:
            categories[category] = _compare_category(category, ref[category], EXTRACT[category](other),
                                                     patterns.get(category, []))
        sites.append({"site": site_label(other), "cloud": other.get("cloud"), "region": other.get("region"),
                      "categories": categories, "summary": _summary(categories)})
    return {"reference": site_label(reference), "categories": list(CATEGORIES), "ignore": patterns, "sites": sites}


def normalize_ignore(ignore: Optional[Dict[str, Any]]) -> Dict[str, List[str]]:
    """``{category: [fnmatch pattern]}``; a single pattern may be given as a string. Unknown categories are refused:
    a misspelt category would otherwise ignore nothing, silently."""
    if ignore is None:
        return {}
    if not isinstance(ignore, dict):
        raise ValidationError("ignore must map a category to name patterns, e.g. {flavors: ['test-*']}", field="ignore")
    out: Dict[str, List[str]] = {}
    for category, patterns in ignore.items():
        if category not in CATEGORIES:
            raise ValidationError("ignore: unknown category %r (one of %s)" % (category, ", ".join(CATEGORIES)),
                                  field="ignore")
        if isinstance(patterns, str):
            patterns = [patterns]
        if not isinstance(patterns, (list, tuple)) or not all(isinstance(p, str) for p in patterns):
            raise ValidationError("ignore.%s must be a list of name patterns" % category, field="ignore")
        out[category] = list(patterns)
    return out


# -- comparing one category ------------------------------------------------------------------------------
def _compare_category(category: str, ref: Extracted, other: Extracted, patterns: List[str]) -> Dict[str, Any]:
    ref_items, ref_unknown, ref_reason = ref
    items, unknown, reason = other
    result: Dict[str, Any] = {"status": "compared", "lacks": [], "extra": [], "different": [], "uncertain": [],
                              "unknown": [], "ignored": []}
    if ref_items is None or items is None:
        result["status"] = "unknown"
        result["unknown"] = ([reason] if items is None else []) + \
            (["reference: %s" % ref_reason] if ref_items is None else [])
        return result
    skipped = set(ref_unknown) | set(unknown)
    result["unknown"] = sorted(skipped)
    if skipped:
        result["status"] = "partial"
    ignored = set()

    def keep(key: str) -> bool:
        if _part(key) in skipped or key in skipped:
            return False
        if any(fnmatchcase(key, p) or fnmatchcase(key.split("/", 1)[-1], p) for p in patterns):
            ignored.add(key)
            return False
        return True

    ref_keys = {k for k in ref_items if keep(k)}
    keys = {k for k in items if keep(k)}
    if category != "versions":  # a service only one site runs is the services category's finding
        result["lacks"] = sorted(ref_keys - keys)
        result["extra"] = sorted(keys - ref_keys)
    for key in sorted(ref_keys & keys):
        for field in sorted(set(ref_items[key]) | set(items[key])):
            verdict = _compare_value(field, ref_items[key].get(field), items[key].get(field))
            if verdict != "same":
                result[verdict].append({"name": key, "field": field, "reference": ref_items[key].get(field),
                                        "value": items[key].get(field)})
    result["ignored"] = sorted(ignored)
    return result


def _part(key: str) -> str:
    return key.split("/", 1)[0] if "/" in key else key


def _compare_value(field: str, ref: Any, value: Any) -> str:
    """``same``, ``different`` or ``uncertain`` (a release known only as a range)."""
    if field == "release":
        return compare_release(ref, value)
    return "same" if ref == value else "different"


def compare_release(ref: Any, value: Any) -> str:
    """Two ``release`` objects: exact against exact is plain equality; with a range, only disjoint is a difference.

    Two ranges with the same candidates come from the same evidence (the same API
    versions) and are not reported, nor are two unknowns (their ``version`` and
    ``max_microversion`` are still compared); anything else that may or may not be the same
    series is ``uncertain``: a guess is never presented as a fact either way.
    """
    ref_set, ref_exact = _series_set(ref)
    set_, exact = _series_set(value)
    if ref_exact and exact:
        return "same" if ref_set == set_ else "different"
    if ref_set == set_ and not ref_exact and not exact:
        return "same"  # the same evidence on both sides (also: both unknown); nothing to report either way
    if not ref_set or not set_:
        return "uncertain"
    if not ref_set & set_:
        return "different"
    return "uncertain"


def _series_set(release: Any) -> Tuple[set, bool]:
    if not isinstance(release, dict):
        return set(), False
    if release.get("confidence") == "exact" and release.get("series"):
        return {str(release["series"])}, True
    return {str(c) for c in release.get("candidates") or []}, False


def _summary(categories: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
    counts = {kind: sum(len(c[kind]) for c in categories.values()) for kind in ("lacks", "extra", "different", "uncertain")}
    unknown = [name for name, c in categories.items() if c["status"] != "compared"]
    counts["unknown"] = unknown
    counts["identical"] = not unknown and not any(counts[k] for k in ("lacks", "extra", "different", "uncertain"))
    return counts


# -- what each category compares, per site ---------------------------------------------------------------
def _services_of(snapshot: Dict[str, Any]) -> Tuple[Optional[List[Dict[str, Any]]], str]:
    services = snapshot.get("services")
    if not isinstance(services, list):
        return None, "services not read"
    if not services and snapshot.get("ok") is False:
        return None, "site not read: %s" % (snapshot.get("error") or "no answer")
    return services, ""


def _services(snapshot: Dict[str, Any]) -> Extracted:
    services, reason = _services_of(snapshot)
    if services is None:
        return None, [], reason
    items = {}
    for service in services:
        interfaces = sorted({str(e.get("interface")) for e in service.get("endpoints") or [] if isinstance(e, dict)})
        items[str(service.get("type"))] = {"name": service.get("name"), "interfaces": interfaces}
    return items, [], ""


def _versions(snapshot: Dict[str, Any]) -> Extracted:
    services, reason = _services_of(snapshot)
    if services is None:
        return None, [], reason
    items, unknown = {}, []
    for service in services:
        kind = str(service.get("type"))
        version = service.get("version")
        if not isinstance(version, dict):
            unknown.append(kind)  # the service did not say: its version is unknown, not the same
            continue
        items[kind] = {"version": version.get("id"), "max_microversion": version.get("max_microversion"),
                       "release": _release(service.get("release"))}
    return items, unknown, ""


def _release(release: Any) -> Optional[Dict[str, Any]]:
    if not isinstance(release, dict):
        return None
    return {"series": release.get("series"), "candidates": list(release.get("candidates") or []),
            "confidence": release.get("confidence") or "unknown"}


def _offering(snapshot: Dict[str, Any], category: str) -> Tuple[Any, str]:
    offerings = snapshot.get("offerings")
    if not isinstance(offerings, dict):
        return None, "offerings not read"
    value = offerings.get(category)
    if value is None:
        errors = offerings.get("errors") or {}
        return None, errors.get(category) or "%s not read" % category
    return value, ""


def _flavors(snapshot: Dict[str, Any]) -> Extracted:
    flavors, reason = _offering(snapshot, "flavors")
    if flavors is None:
        return None, [], reason
    items = {}
    for flavor in flavors:
        fields = {f: flavor.get(f) for f in FLAVOR_FIELDS}
        for key, value in (flavor.get("extra_specs") or {}).items():
            fields["extra_specs.%s" % key] = value
        items[str(flavor.get("name"))] = fields
    return items, [], ""


def _images(snapshot: Dict[str, Any]) -> Extracted:
    images, reason = _offering(snapshot, "images")
    if images is None:
        return None, [], reason
    by_name: Dict[str, List[Dict[str, Any]]] = {}
    for image in images:
        by_name.setdefault(str(image.get("name")), []).append(image)
    items = {}
    for name, found in by_name.items():
        # several images of one name (a rotation not yet cleaned up) compare as the set of their values
        fields = {"checksum": _one_or_list(_checksum(i) for i in found)}
        fields.update({f: _one_or_list(i.get(f) for i in found) for f in IMAGE_FIELDS})
        items[name] = fields
    return items, [], ""


def _checksum(image: Dict[str, Any]) -> Any:
    return image.get("os_hash_value") or image.get("checksum")


def _one_or_list(values) -> Any:
    distinct = sorted(set(values), key=lambda v: (v is None, str(v)))
    return distinct[0] if len(distinct) == 1 else distinct


def _networks(snapshot: Dict[str, Any]) -> Extracted:
    networks, reason = _offering(snapshot, "networks")
    if networks is None:
        return None, [], reason
    items = {}
    for network in networks:
        fields = {f: network.get(f) for f in NETWORK_FIELDS}
        subnets = network.get("subnets") or []
        fields["subnets"] = sorted(str(s.get("name")) for s in subnets)
        for subnet in subnets:
            prefix = "subnets.%s." % subnet.get("name")
            fields[prefix + "enable_dhcp"] = subnet.get("enable_dhcp")
            fields[prefix + "ip_version"] = subnet.get("ip_version")
            fields[prefix + "prefixlen"] = _prefixlen(subnet.get("cidr"))
        items[str(network.get("name"))] = fields
    return items, [], ""


def _prefixlen(cidr: Any) -> Optional[int]:
    try:
        return int(str(cidr).rsplit("/", 1)[1])
    except (IndexError, ValueError):
        return None


def _per_service(snapshot: Dict[str, Any], category: str,
                 entries: Callable[[Any], Dict[str, Dict[str, Any]]]) -> Extracted:
    value, reason = _offering(snapshot, category)
    if value is None:
        return None, [], reason
    items: Items = {}
    unknown = []
    for service in ZONE_SERVICES:
        part = value.get(service) if isinstance(value, dict) else None
        if part is None:
            unknown.append(service)
            continue
        for key, fields in entries(part).items():
            items["%s/%s" % (service, key)] = fields
    return items, unknown, ""


def _zones(snapshot: Dict[str, Any]) -> Extracted:
    return _per_service(snapshot, "availability_zones", lambda names: {str(n): {} for n in names})


def _quotas(snapshot: Dict[str, Any]) -> Extracted:
    return _per_service(snapshot, "quotas", lambda limits: {str(k): {"limit": v} for k, v in limits.items()})


EXTRACT: Dict[str, Callable[[Dict[str, Any]], Extracted]] = {
    "services": _services, "versions": _versions, "flavors": _flavors, "images": _images, "networks": _networks,
    "availability_zones": _zones, "quotas": _quotas,
}
