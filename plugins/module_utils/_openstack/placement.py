# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Placement: the resource providers and their inventories (the scheduler's view of capacity).

Raw JSON (the SDK's Placement objects carry nothing we need and cost a
Resource per provider), at microversion 1.14: providers with their tree
(``root_provider_uuid``, ``parent_provider_uuid``), in every Placement since
Queens.
"""

from __future__ import annotations

from typing import Any, Dict, List

from ansible_collections.osfleet.day2.plugins.module_utils._openstack.listing import get_page, list_json

MICROVERSION = "1.14"


class Placement:
    """Placement seen through one connection's placement adapter."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.adapter = conn.placement

    def resource_providers_json(self) -> List[Dict[str, Any]]:
        return list_json(self.adapter, "/resource_providers", "resource_providers", "list resource providers",
                         MICROVERSION)

    def providers_named(self, name: str) -> List[Dict[str, Any]]:
        """The resource providers called ``name`` (a compute node's is its hypervisor host name)."""
        return [rp for rp in list_json(self.adapter, "/resource_providers", "resource_providers",
                                       "list resource providers", MICROVERSION, params={"name": name}, resource=name)
                if rp.get("name") == name]

    def inventories(self, provider_uuid: str) -> Dict[str, Dict[str, Any]]:
        """Resource class -> inventory (``total``, ``reserved``, ``allocation_ratio``...) of one provider."""
        body = get_page(self.adapter, "/resource_providers/%s/inventories" % provider_uuid,
                        "get resource provider inventories", MICROVERSION, {}, provider_uuid)
        return body.get("inventories") or {}

    def traits(self, provider_uuid: str) -> List[str]:
        """The traits of one provider (``COMPUTE_STATUS_DISABLED`` among them while Nova disables the host)."""
        body = get_page(self.adapter, "/resource_providers/%s/traits" % provider_uuid,
                        "get resource provider traits", MICROVERSION, {}, provider_uuid)
        return list(body.get("traits") or [])
