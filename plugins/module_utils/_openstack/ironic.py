# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Ironic (bare metal), as far as the collection reads it: the node listing.

Raw JSON pages (``listing.iter_json``), not SDK Node objects: one listing of
every node of a cloud, with ``fields`` keeping each page small. Ironic pages
with a top-level ``next`` URL; only its ``marker`` is taken and the same path
asked again (the URL's host is Ironic's idea of its public endpoint, which
behind a TLS proxy is often not the catalog's).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Iterator, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._openstack.listing import iter_json, list_json

# 1.42 is the oldest microversion that has every field read here: ``fields`` (1.8), node names (1.5) and
# ``fault`` (1.42, why Ironic itself put a node in maintenance). It is Rocky's (2018), so every supported
# cloud speaks it. ``detail=True`` (1.43) is not used: Ironic refuses ``detail`` together with ``fields``
# (HTTP 400), and ``fields`` keeps each page small (no properties, instance_info, driver_internal_info).
NODE_MICROVERSION = "1.42"
NODE_FIELDS = ("uuid", "name", "driver", "driver_info", "extra", "power_state", "provision_state",
               "maintenance", "maintenance_reason", "fault")
#: Ironic's default [api]max_limit; a smaller server limit just means more pages
PAGE_SIZE = 1000
LIST_CALL = "list baremetal nodes"
#: the conductor listing came with 1.49 (Stein)
CONDUCTOR_MICROVERSION = "1.49"


class Ironic:
    """Ironic seen through the SDK's baremetal adapter (``conn.baremetal``).

    ``label`` (``cloud/region``) names the cloud in error messages.
    """

    def __init__(self, adapter: Any, label: Optional[str] = None) -> None:
        self.adapter = adapter
        self.label = label

    def nodes(self, fields: Iterable[str] = NODE_FIELDS, page_size: int = PAGE_SIZE) -> Iterator[Dict[str, Any]]:
        """Every node, page after page, with only ``fields`` (one comma-separated value, as Ironic reads it)."""
        params = {"fields": ",".join(fields)}
        return iter_json(self.adapter, "/nodes", "nodes", LIST_CALL, NODE_MICROVERSION, params=params,
                         page_size=page_size, resource=self.label)

    def list_conductors_json(self) -> List[Dict[str, Any]]:
        """Every conductor with ``hostname``, ``conductor_group`` and ``alive`` (Ironic 1.49, Stein)."""
        return list_json(self.adapter, "/conductors", "conductors", "list baremetal conductors",
                         CONDUCTOR_MICROVERSION, resource=self.label)
