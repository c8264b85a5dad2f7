# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""A service's API version and microversion range, from keystoneauth's version data or its own document.

The microversion range is what says which release a service runs (Nova's
2.96 is 2024.1's maximum), so it is kept exactly as the service wrote it.
The current version wins (``CURRENT``, Keystone's ``stable``); a service
that lists several is read at its highest.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

_CURRENT = ("CURRENT", "STABLE")
_EMPTY = {"id": None, "status": None, "min_microversion": None, "max_microversion": None, "exact": None}


def _key(version: Any) -> tuple:
    parts = []
    for piece in str(version or "").lstrip("vV").split("."):
        parts.append(int(piece) if piece.isdigit() else -1)
    return tuple(parts)


def _vid(version: Any) -> Optional[str]:
    if version in (None, ""):
        return None
    text = str(version)
    return text if text.lower().startswith("v") else "v" + text


def from_version_data(versions: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The version dict from keystoneauth's VersionData dicts of one service; None when there are none."""
    if not versions:
        return None
    current = [v for v in versions if str(v.get("status") or "").upper() in _CURRENT] or list(versions)
    best = max(current, key=lambda v: _key(v.get("version")))
    return {"id": _vid(best.get("version")), "status": best.get("raw_status") or best.get("status"),
            "min_microversion": best.get("min_microversion") or None,
            "max_microversion": best.get("max_microversion") or None, "exact": None}


def from_document(document: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """The version dict from a version document as services write it (``version``, ``versions``, Ironic's ``default_version``).

    Nova and Cinder write the range as ``min_version``/``version``, Placement
    as ``min_version``/``max_version``; a document with neither has no range.
    """
    if not isinstance(document, dict):
        return dict(_EMPTY)
    candidates: List[Dict[str, Any]] = []
    if isinstance(document.get("version"), dict):
        candidates.append(document["version"])
    if isinstance(document.get("default_version"), dict):
        candidates.append(document["default_version"])
    versions = document.get("versions")
    if isinstance(versions, dict):  # Keystone's {"versions": {"values": [...]}}
        versions = versions.get("values")
    if isinstance(versions, list):
        candidates.extend(v for v in versions if isinstance(v, dict))
    if not candidates:
        return dict(_EMPTY)
    current = [v for v in candidates if str(v.get("status") or "").upper() in _CURRENT] or candidates
    best = max(current, key=lambda v: _key(v.get("id")))
    high = best.get("max_version") or best.get("version") or None
    return {"id": _vid(best.get("id")), "status": best.get("status"), "min_microversion": best.get("min_version") or None,
            "max_microversion": high if isinstance(high, str) else None, "exact": None}
