# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Nova (compute): every call the collection makes to it.

Two kinds of call, each for a reason:

* **openstacksdk proxy calls** (``conn.compute``) for everything that acts
  on or reads a few servers, services or aggregates. They return the SDK's
  objects (``openstack.compute.v2`` Server, Migration, Aggregate, Service...),
  so callers read ``server.compute_host``, not ``"OS-EXT-SRV-ATTR:host"``.
  They run at one pinned microversion, :data:`MICROVERSION` (2.80), set as
  the compute proxy's ``default_microversion``: 2.80 has everything used
  here (lock with a reason 2.73, live migration with ``block_migration:
  auto`` and an optional host 2.30, cold migration to a host 2.56, services
  by id 2.53, migration records filtered by server and paged 2.59/2.80) and
  is in every Nova since Ussuri (2020). A pin, not "the newest the cloud
  has": the API a cloud answers does not change under us when it is
  upgraded. Two SDK helpers name their own, lower microversion for the body
  they build and keep it under the pin: live migration is sent at 2.30 and
  createImage at 2.45 (same request, same answer as at 2.80); aggregate
  actions are sent without a microversion (Nova's 2.1; same answer but for
  the aggregate's ``uuid``).
* **raw JSON pages** (``listing``) for the fleet-wide listings only: an SDK
  Resource per server costs more than Nova's own answer at thousands of
  servers (docs/openstack-access.md), so those stay dicts, each at the
  microversion its reader needs.

Every call is wrapped by ``api_call`` naming the call and the resource, so a
failure reads ``live-migrate server (<id>) failed (HTTP 409): <Nova's
message>`` with Nova's request id.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, Iterable, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import (
    CloudError,
    ConflictError,
    NotFoundError,
)
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.errors import api_call
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.listing import get_page, list_json, list_json_sliced

try:
    from openstack.compute.v2.server import Server
    from openstack.compute.v2.service import Service as ServiceResource
except ImportError:  # pragma: no cover - exercised by the import sanity test
    Server = None
    ServiceResource = None

#: the one microversion of every SDK call (see the module docstring)
MICROVERSION = "2.80"
# SERVER_MICROVERSION: see docs/inventory.md. What a microversion adds to a
# server listing is not free: 2.73 (locked_reason) makes Nova join every
# server's system metadata, 2.96 (pinned_availability_zone) makes it load and
# deserialise every server's request spec. 2.72 carries everything the
# inventory returns except locked_reason, at a fraction of Nova's time.
SERVER_MICROVERSION = "2.72"
# 2.87 is the last microversion whose hypervisor details carry the resource
# tracker's totals and usage (2.88 moved them to Placement only).
HYPERVISOR_MICROVERSION = "2.87"
#: services with their id as a UUID (2.53): the id the SDK's update calls take
SERVICE_MICROVERSION = "2.53"
#: server groups with ``project_id``/``user_id`` and the 2.64 policy/rules shape
SERVER_GROUP_MICROVERSION = "2.64"
#: flavors with their ``extra_specs`` in the listing (2.61), so no call per flavor
FLAVOR_MICROVERSION = "2.61"
#: Nova's default [api]max_limit
PAGE_SIZE = 1000
#: a server booted onto a named host (``host`` in POST /servers, admin only; 2.37 ``networks: none``)
BOOT_ON_HOST_MICROVERSION = "2.74"

Run = Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]]


class Nova:
    """Nova seen through one connection's compute proxy, pinned at :data:`MICROVERSION`."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.compute = conn.compute
        # the pin: every SDK call that does not name its own microversion is sent at 2.80
        self.compute.default_microversion = MICROVERSION

    # -- servers: reads ----------------------------------------------------------------------------
    def get_server(self, server_id: str) -> Optional[Any]:
        """The server, or None when it no longer exists."""
        try:
            with api_call("show server", server_id):
                return self.compute.get_server(server_id)
        except NotFoundError:
            return None

    def find_server(self, ref: str) -> Optional[Any]:
        """The server of this id or (exact) name in any project; None if there is none.

        A name that several servers carry is a ConflictError on ``server``: acting on one of
        them by guess is how the wrong machine gets quarantined.
        """
        try:
            with api_call("find server", ref):
                return self.compute.find_server(ref, ignore_missing=False, all_projects=True)
        except NotFoundError:
            return None
        except ConflictError as exc:
            raise ConflictError("%s; give the server's id" % exc.message, field="server", resource=ref,
                                details=exc.details)

    def servers_on_host(self, host: str) -> List[Any]:
        """Every server on ``host``, with details, in every project.

        The SDK's name of Nova's ``host`` filter is ``compute_host``: given
        ``host=``, it sends the filter but then also keeps only the servers
        whose ``host`` attribute (a field Nova never lists) equals it, which
        is none. Nova drops its admin-only ``host`` filter for a caller whose
        policy does not allow it and then answers with the whole project, so
        the answer is filtered again here. A server whose host the policy
        hides (``compute_host`` None) is kept: it may be on the host, and the
        callers (the interlock before a power-off) must not miss one.
        """
        with api_call("list servers", "host %s" % host):
            found = list(self.compute.servers(details=True, all_projects=True, compute_host=host))
        return [s for s in found if getattr(s, "compute_host", None) in (None, host)]

    def servers_tagged(self, tag: str) -> List[Any]:
        """Every server carrying ``tag`` (Nova's ``tags`` filter), with details, in every project."""
        with api_call("list servers", "tagged %s" % tag):
            return list(self.compute.servers(details=True, all_projects=True, tags=tag))

    def migrations(self, server_id: str) -> List[Any]:
        """The server's migration records (``/os-migrations?instance_uuid=``), newest first."""
        with api_call("list migrations", server_id):
            found = list(self.compute.migrations(server_id=server_id))
        return sorted(found, key=_migration_order, reverse=True)

    def server_group_members(self) -> Dict[str, List[str]]:
        """server id -> ids of the server groups it belongs to (every project)."""
        with api_call("list server groups", "all projects"):
            groups = list(self.compute.server_groups(all_projects=True))
        members: Dict[str, List[str]] = {}
        for group in groups:
            for member in group.member_ids or []:
                members.setdefault(member, []).append(group.id)
        return members

    def console_output(self, server_id: str) -> str:
        with api_call("get console log", server_id):
            return self.compute.get_server_console_output(server_id).get("output") or ""

    def actions(self, server_id: str) -> List[Dict[str, Any]]:
        """The server's instance actions as plain dicts (without the SDK's ``location`` and ``id``)."""
        with api_call("list instance actions", server_id):
            found = [a.to_dict(computed=False) for a in self.compute.server_actions(server_id)]
        return [{k: v for k, v in a.items() if k not in ("location", "id")} for a in found]

    def diagnostics(self, server_id: str) -> Optional[Dict[str, Any]]:
        """Hypervisor diagnostics, or None where the driver has none (Nova answers 501, or 409 when stopped)."""
        try:
            with api_call("get diagnostics", server_id):
                diag = self.compute.get_server_diagnostics(server_id)
        except CloudError:
            return None
        return {k: v for k, v in diag.to_dict(computed=False).items() if k not in ("location", "id")}

    def volume_attachments(self, server_id: str) -> List[Dict[str, Any]]:
        with api_call("list volume attachments", server_id):
            found = list(self.compute.volume_attachments(server_id))
        return [{"volume_id": a.volume_id, "device": getattr(a, "device", None)} for a in found]

    def wait_for_server(self, server_id: str, status: str, failures: Iterable[str] = ("ERROR",),
                        interval: float = 2, wait: float = 600) -> Any:
        """The server once it is ``status``; CloudError naming it when it fails or time runs out."""
        with api_call("wait for server %s" % status, server_id):
            return self.compute.wait_for_server(Server.existing(id=server_id), status=status,
                                                failures=list(failures), interval=interval, wait=wait)

    # -- servers: actions -------------------------------------------------------------------------------
    def live_migrate(self, server_id: str, host: Optional[str] = None) -> None:
        """Live-migrate, block migration when the storage needs it (``auto``), to ``host`` or the scheduler's pick."""
        with api_call("live-migrate server", server_id):
            self.compute.live_migrate_server(server_id, host=host, block_migration="auto")

    def cold_migrate(self, server_id: str, host: Optional[str] = None) -> None:
        with api_call("migrate server", server_id):
            self.compute.migrate_server(server_id, host=host)

    def confirm_resize(self, server_id: str) -> None:
        with api_call("confirm migration", server_id):
            self.compute.confirm_server_resize(server_id)

    def stop(self, server_id: str) -> None:
        with api_call("stop server", server_id):
            self.compute.stop_server(server_id)

    def boot_on_host(self, name: str, flavor: str, image: str, host: str, network: Optional[str] = None,
                     metadata: Optional[Dict[str, str]] = None) -> str:
        """Boot a server onto ``host`` (``flavor`` and ``image`` ids; no network unless ``network``, an id);
        the new server's id. Nova schedules it to that host only, through the scheduler's filters."""
        body = {"server": {"name": name, "flavorRef": flavor, "imageRef": image, "host": host,
                           "networks": [{"uuid": network}] if network else "none", "metadata": dict(metadata or {})}}
        with api_call("create server", name):
            resp = self.compute.post("/servers", json=body, microversion=BOOT_ON_HOST_MICROVERSION)
            return resp.json()["server"]["id"]

    def find_flavor(self, ref: str) -> Optional[Any]:
        """The flavor of this id or name; None if there is none."""
        with api_call("find flavor", ref):
            return self.compute.find_flavor(ref, ignore_missing=True)

    def delete_server(self, server_id: str) -> None:
        """Ask Nova to delete the server (it goes on in the background); one already gone is not an error."""
        with api_call("delete server", server_id):
            self.compute.delete_server(server_id, ignore_missing=True)

    def start(self, server_id: str) -> None:
        with api_call("start server", server_id):
            self.compute.start_server(server_id)

    def pause(self, server_id: str) -> None:
        with api_call("pause server", server_id):
            self.compute.pause_server(server_id)

    def unpause(self, server_id: str) -> None:
        with api_call("unpause server", server_id):
            self.compute.unpause_server(server_id)

    def lock(self, server_id: str, reason: Optional[str]) -> None:
        with api_call("lock server", server_id):
            self.compute.lock_server(server_id, locked_reason=reason)

    def unlock(self, server_id: str) -> None:
        with api_call("unlock server", server_id):
            self.compute.unlock_server(server_id)

    def rename(self, server_id: str, name: str) -> None:
        with api_call("rename server", server_id):
            self.compute.update_server(server_id, name=name)

    def set_metadata(self, server_id: str, items: Dict[str, str]) -> None:
        """Add or replace these keys (others are left alone)."""
        with api_call("set server metadata", server_id):
            self.compute.set_server_metadata(server_id, **items)

    def delete_metadata(self, server_id: str, keys: Iterable[str]) -> None:
        """Delete these keys, one request each; a key already gone is not an error."""
        for key in sorted(set(keys)):
            try:
                with api_call("delete server metadata %s" % key, server_id):
                    self.compute.delete_server_metadata(server_id, [key])
            except NotFoundError:
                continue

    def add_tag(self, server_id: str, tag: str) -> None:
        with api_call("tag server %s" % tag, server_id):
            self.compute.add_tag_to_server(server_id, tag)

    def remove_tag(self, server_id: str, tag: str) -> None:
        with api_call("untag server %s" % tag, server_id):
            self.compute.remove_tag_from_server(server_id, tag)

    def create_image(self, server_id: str, name: str, metadata: Optional[Dict[str, str]] = None) -> str:
        """createImage of the server; the new image's id (Glance fills it in the background)."""
        with api_call("create server image", server_id):
            return self.compute.create_server_image(server_id, name, metadata=metadata).id

    # -- aggregates -----------------------------------------------------------------------------------------
    def aggregates(self) -> List[Any]:
        with api_call("list host aggregates"):
            return list(self.compute.aggregates())

    def create_aggregate(self, name: str) -> Any:
        with api_call("create host aggregate", name):
            return self.compute.create_aggregate(name=name)

    def delete_aggregate(self, aggregate_id: str) -> None:
        """Delete an aggregate with no hosts (Nova refuses one that has hosts, HTTP 400)."""
        with api_call("delete host aggregate", str(aggregate_id)):
            self.compute.delete_aggregate(str(aggregate_id), ignore_missing=False)

    def add_aggregate_host(self, aggregate_id: str, host: str) -> Any:
        with api_call("add host %s to aggregate" % host, str(aggregate_id)):
            return self.compute.add_host_to_aggregate(str(aggregate_id), host)

    def remove_aggregate_host(self, aggregate_id: str, host: str) -> Any:
        with api_call("remove host %s from aggregate" % host, str(aggregate_id)):
            return self.compute.remove_host_from_aggregate(str(aggregate_id), host)

    def set_aggregate_metadata(self, aggregate_id: str, metadata: Dict[str, Optional[str]]) -> Any:
        """Add or replace these keys; a None value deletes that key (Nova's own rule)."""
        with api_call("set aggregate metadata", str(aggregate_id)):
            return self.compute.set_aggregate_metadata(str(aggregate_id), **metadata)

    # -- compute services -----------------------------------------------------------------------------------
    def compute_services(self, host: Optional[str] = None, binary: str = "nova-compute") -> List[Any]:
        """The ``binary`` services (of ``host``); filtered again here, as Nova's filters are only hints."""
        query: Dict[str, str] = {"binary": binary}
        if host is not None:
            query["host"] = host
        with api_call("list compute services", "%s@%s" % (binary, host) if host else binary):
            found = list(self.compute.services(**query))
        return [s for s in found if s.binary == binary and (host is None or s.host == host)]

    def disable_service(self, service: Any, reason: Optional[str] = None) -> Any:
        """``service``: an SDK Service, or any record with its ``id``, ``host`` and ``binary``."""
        with api_call("disable compute service", _service_label(service)):
            return self.compute.disable_service(_sdk_service(service), disabled_reason=reason)

    def enable_service(self, service: Any) -> Any:
        with api_call("enable compute service", _service_label(service)):
            return self.compute.enable_service(_sdk_service(service))

    def set_forced_down(self, service: Any, forced: bool) -> Any:
        call = "force down compute service" if forced else "clear force down compute service"
        with api_call(call, _service_label(service)):
            return self.compute.update_service_forced_down(_sdk_service(service), forced=forced)

    # -- fleet-wide raw JSON listings (dicts; see the module docstring) ------------------------------------
    def list_servers_json(self, page_size: int = PAGE_SIZE, slices: int = 1,
                          run: Optional[Run] = None) -> List[Dict[str, Any]]:
        """Every server of every project with details, at :data:`SERVER_MICROVERSION`.

        ``slices`` > 1 reads the listing as that many concurrent slices after
        the ID-only listing (``listing.list_json_sliced``), for a Nova with
        several API workers; ``run(fn, args)`` maps them concurrently
        (default: a thread pool of ``slices`` threads).
        """
        params = {"all_tenants": 1}
        if slices <= 1:
            return list_json(self.compute, "/servers/detail", "servers", "list servers", SERVER_MICROVERSION,
                             params=params, page_size=page_size)
        if run is None:
            def run(fn, args):
                with ThreadPoolExecutor(max_workers=slices) as pool:
                    return list(pool.map(fn, args))
        return list_json_sliced(self.compute, "/servers", "/servers/detail", "servers", "list servers",
                                SERVER_MICROVERSION, params, page_size, slices, run)

    def list_hypervisors_json(self, page_size: int = PAGE_SIZE) -> List[Dict[str, Any]]:
        return list_json(self.compute, "/os-hypervisors/detail", "hypervisors", "list hypervisors",
                         HYPERVISOR_MICROVERSION, page_size=page_size)

    def list_services_json(self) -> List[Dict[str, Any]]:
        return list_json(self.compute, "/os-services", "services", "list compute services", SERVICE_MICROVERSION,
                         params={"binary": "nova-compute"})

    def list_aggregates_json(self) -> List[Dict[str, Any]]:
        # no microversion, as the inventory always asked (name, hosts, availability_zone are in 2.1)
        return list_json(self.compute, "/os-aggregates", "aggregates", "list aggregates", None)

    def list_server_groups_json(self) -> List[Dict[str, Any]]:
        return list_json(self.compute, "/os-server-groups", "server_groups", "list server groups",
                         SERVER_GROUP_MICROVERSION, params={"all_projects": 1})

    # -- what the site offers its users (the site comparison's; raw JSON, one listing each) ----------------
    def list_flavors_json(self) -> List[Dict[str, Any]]:
        """Every flavor, public and private (``is_public=None``), at 2.61: the listing carries ``extra_specs``.

        Before 2.61 the extra specs are one call per flavor; the comparison
        needs them for every flavor of every site, so it asks at 2.61.
        """
        return list_json(self.compute, "/flavors/detail", "flavors", "list flavors", FLAVOR_MICROVERSION,
                         params={"is_public": "None"}, page_size=PAGE_SIZE)

    def list_availability_zones_json(self) -> List[Dict[str, Any]]:
        """Nova's availability zones (``zoneName``, ``zoneState.available``), without the hosts of ``detail``."""
        return list_json(self.compute, "/os-availability-zone", "availabilityZoneInfo", "list compute availability zones",
                         None)

    def default_quotas_json(self) -> Dict[str, Any]:
        """The default quota class (``os-quota-class-sets/default``): what a new project gets."""
        body = get_page(self.compute, "/os-quota-class-sets/default", "show default compute quotas", None, {}, "default")
        return dict(body.get("quota_class_set") or {})


def _migration_order(migration: Any):
    """Newest first by ``created_at``, then by Nova's integer id (the SDK's ``id`` is the 2.59 uuid)."""
    raw = migration.to_dict(computed=False) if hasattr(migration, "to_dict") else {}
    number = raw.get("id")
    return (getattr(migration, "created_at", None) or "",
            number if isinstance(number, int) else 0, str(getattr(migration, "id", "") or ""))


def _sdk_service(service: Any) -> Any:
    """The SDK's Service for a record of the core (``ComputeService``): the same id, host and binary."""
    if ServiceResource is None or isinstance(service, ServiceResource):
        return service
    return ServiceResource.existing(id=service.id, host=service.host, binary=service.binary)


def _service_label(service: Any) -> str:
    return "%s@%s" % (getattr(service, "binary", None) or "service", getattr(service, "host", None) or service)
