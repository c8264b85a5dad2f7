# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Keystone (identity): projects, and a connection scoped to another project.

The project listing is raw JSON because projects carry extra properties an
operator sets on them (``osfleet_maintenance_webhook``, its secret) that the
SDK's Project object drops.
"""

from __future__ import annotations

from typing import Any, Dict, List

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError, NotFoundError
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.errors import api_call
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.listing import list_json


class Keystone:
    """Keystone seen through one connection (its identity adapter, and the connection to re-scope)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.identity = conn.identity

    def projects_json(self) -> List[Dict[str, Any]]:
        """Every project the credentials may list, as Keystone returns them (extra properties kept)."""
        return list_json(self.identity, "/projects", "projects", "list projects")

    def project_names(self) -> Dict[str, str]:
        """project id -> name; {} when the projects cannot be listed (a reader without
        ``identity:list_projects`` still gets the fleet, without project names)."""
        try:
            projects = self.projects_json()
        except (CloudError, NotFoundError):
            return {}
        return {p["id"]: p.get("name") for p in projects if p.get("id")}

    def find_project(self, name_or_id: str) -> Any:
        """The project of this id or name (an SDK Project); NotFoundError naming it otherwise."""
        with api_call("find project", name_or_id):
            return self.identity.find_project(name_or_id, ignore_missing=False)

    def connect_as(self, project_id: str) -> Any:
        """A :class:`~.cloud.Cloud` on the same credentials scoped to ``project_id`` (a new token)."""
        from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud  # a cycle otherwise

        with api_call("connect to project", project_id):
            return Cloud(self.conn.connect_as(project_id=project_id))
