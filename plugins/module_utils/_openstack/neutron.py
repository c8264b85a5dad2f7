# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Neutron (network): the ports, floating IPs and security groups a quarantine changes.

openstacksdk proxy calls (``conn.network``) returning SDK objects (Port,
FloatingIP, SecurityGroup, SecurityGroupRule). Neutron has no microversions.
The quarantine's listings are filtered by Neutron (device, ports, name and
project), never read whole: a cloud has tens of thousands of floating IPs and
ports. The audit's fleet-wide listings (every port, floating IP and agent) are
raw JSON pages (``listing``), as Nova's are: no SDK object per item.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import NotFoundError
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.errors import api_call
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.listing import get_page, list_json


#: Neutron pages with ``limit``/``marker`` and ``<key>_links`` like Nova
PAGE_SIZE = 1000

try:
    from openstack.network.v2.floating_ip import FloatingIP
    from openstack.network.v2.port import Port
except ImportError:  # pragma: no cover - exercised by the import sanity test
    FloatingIP = None
    Port = None


class Neutron:
    """Neutron seen through one connection's network proxy."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.network = conn.network

    # -- ports ------------------------------------------------------------------------------------------
    def ports(self, device_id: str) -> List[Any]:
        """The ports of a device (a server), sorted by id so two reads compare equal."""
        with api_call("list ports", device_id):
            return sorted(self.network.ports(device_id=device_id), key=lambda p: p.id)

    def update_port(self, port_id: str, **attrs: Any) -> Any:
        with api_call("update port", port_id):
            return self.network.update_port(port_id, **attrs)

    def delete_port(self, port_id: str) -> None:
        """Delete the port; one already gone is not an error."""
        with api_call("delete port", port_id):
            self.network.delete_port(port_id, ignore_missing=True)

    def add_port_tag(self, port_id: str, tag: str) -> None:
        """One tag more on the port (``PUT .../tags/<tag>``: the others are left alone)."""
        with api_call("tag port %s" % tag, port_id):
            self.network.add_tag(Port.existing(id=port_id), tag)

    def remove_port_tag(self, port_id: str, tag: str) -> None:
        """One tag less on the port; a tag already gone is not an error."""
        try:
            with api_call("untag port %s" % tag, port_id):
                self.network.remove_tag(Port.existing(id=port_id), tag)
        except NotFoundError:
            return

    # -- floating IPs ----------------------------------------------------------------------------------
    def floating_ips(self, port_ids: Iterable[str]) -> List[Any]:
        """The floating IPs on these ports, in ONE listing (``port_id`` repeated in the query), by id.

        No ports is no call: an unfiltered listing would be every floating IP of the cloud.
        """
        wanted = sorted(set(port_ids))
        if not wanted:
            return []
        with api_call("list floating IPs", ", ".join(wanted)):
            found = list(self.network.ips(port_id=wanted))
        return sorted((f for f in found if f.port_id in wanted), key=lambda f: f.id)

    def get_floating_ip(self, fip_id: str) -> Any:
        with api_call("get floating IP", fip_id):
            return self.network.get_ip(fip_id)

    def update_floating_ip(self, fip_id: str, port_id: Optional[str],
                           fixed_ip_address: Optional[str] = None) -> Any:
        """Associate with ``port_id`` (at ``fixed_ip_address`` when given) or, with None, disassociate."""
        attrs: dict = {"port_id": port_id}
        if port_id is not None and fixed_ip_address is not None:
            attrs["fixed_ip_address"] = fixed_ip_address
        call = "associate floating IP" if port_id else "disassociate floating IP"
        with api_call(call, fip_id):
            return self.network.update_ip(fip_id, **attrs)

    def delete_floating_ip(self, fip_id: str) -> None:
        """Release the floating IP; one already gone is not an error."""
        with api_call("delete floating IP", fip_id):
            self.network.delete_ip(fip_id, ignore_missing=True)

    def add_floating_ip_tag(self, fip_id: str, tag: str) -> None:
        """One tag more on the floating IP (the others are left alone)."""
        with api_call("tag floating IP %s" % tag, fip_id):
            self.network.add_tag(FloatingIP.existing(id=fip_id), tag)

    def remove_floating_ip_tag(self, fip_id: str, tag: str) -> None:
        """One tag less on the floating IP; a tag already gone is not an error."""
        try:
            with api_call("untag floating IP %s" % tag, fip_id):
                self.network.remove_tag(FloatingIP.existing(id=fip_id), tag)
        except NotFoundError:
            return

    # -- security groups -------------------------------------------------------------------------------
    def security_groups(self, name: str, project_id: Optional[str]) -> List[Any]:
        """The groups of exactly this name in the project (Neutron's name filter is exact, checked anyway)."""
        query = {"name": name}
        if project_id:
            query["project_id"] = project_id
        with api_call("find security group", name):
            return [g for g in self.network.security_groups(**query) if g.name == name]

    def create_security_group(self, name: str, project_id: Optional[str], description: str) -> Any:
        with api_call("create security group", name):
            return self.network.create_security_group(name=name, project_id=project_id, description=description)

    def delete_security_group(self, group_id: str) -> None:
        with api_call("delete security group", group_id):
            self.network.delete_security_group(group_id, ignore_missing=True)

    def security_group_rules(self, group_id: str) -> List[Any]:
        with api_call("list security group rules", group_id):
            return list(self.network.security_group_rules(security_group_id=group_id))

    def create_security_group_rule(self, group_id: str, direction: str, ether_type: str,
                                   remote_ip_prefix: Optional[str], project_id: Optional[str]) -> Any:
        with api_call("create security group rule", group_id):
            return self.network.create_security_group_rule(
                security_group_id=group_id, direction=direction, ether_type=ether_type,
                remote_ip_prefix=remote_ip_prefix, project_id=project_id)

    def delete_security_group_rule(self, rule_id: str) -> None:
        with api_call("delete security group rule", rule_id):
            self.network.delete_security_group_rule(rule_id, ignore_missing=True)

    # -- fleet-wide raw JSON listings (the audit's; dicts) -----------------------------------------------
    def list_ports_json(self, page_size: int = PAGE_SIZE) -> List[Dict[str, Any]]:
        """Every port the credentials see (an admin: every project's)."""
        return list_json(self.network, "/ports", "ports", "list ports", page_size=page_size)

    def list_floating_ips_json(self, page_size: int = PAGE_SIZE) -> List[Dict[str, Any]]:
        return list_json(self.network, "/floatingips", "floatingips", "list floating IPs", page_size=page_size)

    def list_agents_json(self) -> List[Dict[str, Any]]:
        """The Neutron agents (L2, DHCP, L3, metadata...) with ``host``, ``alive`` and ``admin_state_up``."""
        return list_json(self.network, "/agents", "agents", "list network agents")

    def list_agent_routers_json(self, agent_id: str) -> List[Dict[str, Any]]:
        """The routers an L3 agent hosts (``GET /v2.0/agents/{id}/l3-routers``)."""
        return list_json(self.network, "/agents/%s/l3-routers" % agent_id, "routers", "list routers of L3 agent",
                         resource=agent_id)

    def list_agent_networks_json(self, agent_id: str) -> List[Dict[str, Any]]:
        """The networks a DHCP agent serves (``GET /v2.0/agents/{id}/dhcp-networks``)."""
        return list_json(self.network, "/agents/%s/dhcp-networks" % agent_id, "networks",
                         "list networks of DHCP agent", resource=agent_id)

    # -- what the site offers its users (the site comparison's; raw JSON, one listing each) ----------------
    def list_networks_json(self, page_size: int = PAGE_SIZE) -> List[Dict[str, Any]]:
        """Every network the credentials see, with ``router:external``, ``shared``, ``mtu`` and ``provider:*``."""
        return list_json(self.network, "/networks", "networks", "list networks", page_size=page_size)

    def list_subnets_json(self, page_size: int = PAGE_SIZE) -> List[Dict[str, Any]]:
        """Every subnet the credentials see (one listing for all networks, matched by ``network_id``)."""
        return list_json(self.network, "/subnets", "subnets", "list subnets", page_size=page_size)

    def list_availability_zones_json(self) -> List[Dict[str, Any]]:
        """Neutron's availability zones (``name``, ``resource``: network or router, ``state``)."""
        return list_json(self.network, "/availability_zones", "availability_zones", "list network availability zones")

    def default_quotas_json(self, project_id: str) -> Dict[str, Any]:
        """The quotas a project gets by default (``/quotas/{project}/default``); Neutron has no quota class."""
        body = get_page(self.network, "/quotas/%s/default" % project_id, "show default network quotas", None, {},
                        project_id)
        return dict(body.get("quota") or {})
