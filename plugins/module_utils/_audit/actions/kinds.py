# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Per resource kind: where the stage marks live, how they are read back, and the calls of each stage.

The marks live on the resource itself, so the next run (a fresh AWX
container, another operator's controller) finds them in the facts it gathers
anyway and resumes: servers, volumes and snapshots carry metadata keys
(``osfleet-unused-notified-at: 2026-12-02T13:00:00Z`` and a notice in words);
ports, floating IPs and images only have tags, so there the mark is the tag
``osfleet-unused-notified-at:2026-12-02T13:00:00Z`` (the newest one counts).
Every call goes through the cloud facade (``cloud.nova``, ``cloud.neutron``...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import (
    UNUSED_NOTICE,
    UNUSED_NOTIFIED,
    UNUSED_STOPPED,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.timeutil import parse_time_or_none

METADATA = "metadata"
TAGS = "tags"
#: Nova accepts os-stop only in these states; a server already shut off (or paused...) is only marked stopped
STOPPABLE = ("ACTIVE", "ERROR")


@dataclass(frozen=True)
class Kind:
    name: str
    marks: str           # METADATA or TAGS
    can_stop: bool = False


KINDS: Dict[str, Kind] = {
    "server": Kind("server", METADATA, can_stop=True),
    "volume": Kind("volume", METADATA),
    "snapshot": Kind("snapshot", METADATA),
    "port": Kind("port", TAGS),
    "floating_ip": Kind("floating_ip", TAGS),
    "image": Kind("image", TAGS),
}


def read_mark(kind: Kind, target: Dict[str, Any], key: str) -> Tuple[Optional[datetime], Optional[str]]:
    """(time, raw) of one stage mark on the target; (None, raw) when it is there but unreadable."""
    if kind.marks == METADATA:
        raw = (target.get("metadata") or {}).get(key)
        if raw is None:
            return None, None
        return parse_time_or_none(raw), str(raw)
    found: Optional[datetime] = None
    raw_found: Optional[str] = None
    for tag in target.get("tags") or []:
        if isinstance(tag, str) and tag.startswith(key + ":"):
            when = parse_time_or_none(tag[len(key) + 1:])
            raw_found = raw_found or tag
            if when is not None and (found is None or when > found):
                found, raw_found = when, tag
    return found, raw_found


def marks_on(kind: Kind, target: Dict[str, Any]) -> List[str]:
    """Every stage mark on the target: metadata keys, or whole tags."""
    if kind.marks == METADATA:
        return sorted(k for k in (target.get("metadata") or {}) if k in (UNUSED_NOTIFIED, UNUSED_STOPPED, UNUSED_NOTICE))
    prefixes = tuple(key + ":" for key in (UNUSED_NOTIFIED, UNUSED_STOPPED))
    return sorted(t for t in target.get("tags") or [] if isinstance(t, str) and t.startswith(prefixes))


def carries(target: Dict[str, Any], tag: str) -> bool:
    """The exclusion tag, as a tag or a metadata key (the pack's own test reads both)."""
    return tag in (target.get("tags") or []) or tag in (target.get("metadata") or {})


def write_marks(cloud: Any, kind: Kind, target_id: str, marks: Dict[str, str]) -> None:
    """Write stage marks (key -> value); other metadata and tags are left alone."""
    if kind.marks == METADATA:
        if kind.name == "server":
            cloud.nova.set_metadata(target_id, marks)
        elif kind.name == "volume":
            cloud.cinder.set_volume_metadata(target_id, marks)
        else:
            cloud.cinder.set_snapshot_metadata(target_id, marks)
        return
    for key, value in sorted(marks.items()):
        if key == UNUSED_NOTICE:
            continue  # a tag is no place for a sentence
        tag = "%s:%s" % (key, value)
        if kind.name == "port":
            cloud.neutron.add_port_tag(target_id, tag)
        elif kind.name == "floating_ip":
            cloud.neutron.add_floating_ip_tag(target_id, tag)
        else:
            cloud.glance.add_tag(target_id, tag)


def clear_marks(cloud: Any, kind: Kind, target_id: str, marks: List[str]) -> None:
    """Remove stage marks (metadata keys or whole tags, as :func:`marks_on` lists them); one gone is fine."""
    if kind.name == "server":
        cloud.nova.delete_metadata(target_id, marks)
    elif kind.name == "volume":
        cloud.cinder.delete_volume_metadata(target_id, marks)
    elif kind.name == "snapshot":
        cloud.cinder.delete_snapshot_metadata(target_id, marks)
    else:
        for tag in marks:
            if kind.name == "port":
                cloud.neutron.remove_port_tag(target_id, tag)
            elif kind.name == "floating_ip":
                cloud.neutron.remove_floating_ip_tag(target_id, tag)
            else:
                cloud.glance.remove_tag(target_id, tag)


def stop(cloud: Any, target_id: str) -> None:
    cloud.nova.stop(target_id)


def delete(cloud: Any, kind: Kind, target_id: str) -> None:
    """Delete the resource; one already gone is not an error (every facade's delete ignores a 404)."""
    if kind.name == "server":
        cloud.nova.delete_server(target_id)
    elif kind.name == "volume":
        cloud.cinder.delete_volume(target_id)
    elif kind.name == "snapshot":
        cloud.cinder.delete_snapshot(target_id)
    elif kind.name == "port":
        cloud.neutron.delete_port(target_id)
    elif kind.name == "floating_ip":
        cloud.neutron.delete_floating_ip(target_id)
    else:
        cloud.glance.delete_image(target_id)
