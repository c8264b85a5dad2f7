# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""One cloud region as the core sees it: a facade per service over one connection, and its request count.

The core asks ``cloud.nova.live_migrate(...)`` or ``cloud.glance.sha256(...)``;
it never reaches for an SDK proxy itself. Each facade is built on first use
(building one touches nothing on the network, but its proxy may need version
discovery on its first call), so a module that only talks to Nova never
discovers Glance.
"""

from __future__ import annotations

from typing import Any, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._openstack.catalog import Catalog
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cinder import Cinder
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.connection import requests_made
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.errors import api_call
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.glance import Glance
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.ironic import Ironic
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.keystone import Keystone
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.neutron import Neutron
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.nova import Nova
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.placement import Placement


class Cloud:
    """The access layer over one openstacksdk connection (``conn``, for the few things that need it)."""

    def __init__(self, conn: Any, name: Optional[str] = None) -> None:
        self.conn = conn
        config = getattr(conn, "config", None)
        self.name = name or getattr(config, "name", None)
        self.region = getattr(config, "region_name", None)
        self._facades: dict = {}

    @property
    def label(self) -> str:
        """``cloud/region``, as messages and BMC ``credentials_ref`` name a region."""
        return "%s/%s" % (self.name or "-", self.region or "-")

    @property
    def project_id(self) -> Optional[str]:
        """The project the connection's token is scoped to (authenticates on first use)."""
        return self.conn.current_project_id

    def requests(self) -> int:
        """HTTP requests this connection has made so far (API calls, discovery, authentication)."""
        return requests_made(self.conn)

    def has_service(self, service_type: str) -> bool:
        """Whether the catalog lists ``service_type`` (e.g. ``baremetal``); asks Keystone's token, no API."""
        return bool(self.conn.endpoint_for(service_type))

    def close(self) -> None:
        self.conn.close()

    def _facade(self, name: str, build):
        if name not in self._facades:
            self._facades[name] = build()
        return self._facades[name]

    @property
    def nova(self) -> Nova:
        return self._facade("nova", lambda: Nova(self.conn))

    @property
    def neutron(self) -> Neutron:
        return self._facade("neutron", lambda: Neutron(self.conn))

    @property
    def cinder(self) -> Cinder:
        return self._facade("cinder", lambda: Cinder(self.conn))

    @property
    def glance(self) -> Glance:
        return self._facade("glance", lambda: Glance(self.conn))

    @property
    def keystone(self) -> Keystone:
        return self._facade("keystone", lambda: Keystone(self.conn))

    @property
    def placement(self) -> Placement:
        return self._facade("placement", lambda: Placement(self.conn))

    @property
    def ironic(self) -> Ironic:
        return self._facade("ironic", lambda: Ironic(self.conn.baremetal, self.label))

    def catalog_service_types(self) -> list:
        """The service types the token's catalog lists, sorted (Keystone's answer to the authentication, no API call)."""
        with api_call("read the service catalog", self.label):
            catalog = self.conn.service_catalog or []
        return sorted({str(entry.get("type")) for entry in catalog if isinstance(entry, dict) and entry.get("type")})

    @property
    def catalog(self) -> Catalog:
        """The token's catalog, version data and plain requests, for probing services without a facade."""
        return self._facade("catalog", lambda: Catalog(self.conn, self.label))
