# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The packs shipped with the collection, and how a run names the packs it evaluates.

Shipped packs are YAML data in ``extensions/audit/packs/`` of the
collection: ``extensions/`` is part of the built collection (galaxy.yml does
not ignore it), is not a plugin directory Ansible would try to load, and
is found from this file on the controller, where the action plugin (or a
module running on localhost) reads it. A module shipped to a remote host by
AnsiballZ does not carry data files: there the caller passes the parsed
packs instead (``load_pack(data)``).
"""

from __future__ import annotations

import os
from typing import List, Sequence

from ansible_collections.osfleet.day2.plugins.module_utils._audit.policy import Pack, load_pack_file
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

SHIPPED = ("compute_hosts", "unused_capacity")


def shipped_dir() -> str:
    """<collection>/extensions/audit/packs (this file is <collection>/plugins/module_utils/_audit/packs.py)."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "..", "extensions", "audit", "packs"))


def shipped_path(name: str) -> str:
    if name not in SHIPPED:
        raise ValidationError("no shipped pack %r (shipped: %s)" % (name, ", ".join(SHIPPED)), field="packs")
    return os.path.join(shipped_dir(), name + ".yml")


def load_packs(names_or_paths: Sequence[str]) -> List[Pack]:
    """Packs by shipped name (``compute_hosts``) or by file path (anything with a / or a .yml/.yaml/.json end)."""
    out = []
    for item in names_or_paths:
        if "/" in item or item.endswith((".yml", ".yaml", ".json")):
            out.append(load_pack_file(item))
        else:
            out.append(load_pack_file(shipped_path(item)))
    return out
