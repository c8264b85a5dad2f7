# -*- coding: utf-8 -*-
"""The Neutron facade over a stubbed cloud: request, result, 404 and Neutron's own error body."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack import bodies as b
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.facade_cases import (
    IGNORED,
    Case,
    check_call,
    check_missing,
    check_refusal,
    ids,
    with_404,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import query

CASES = [
    Case("ports", lambda c: c.neutron.ports(b.SERVER_ID), "GET", "network", "/ports",
         {"ports": [dict(b.PORT, id=b.PORT2_ID), b.PORT]}, query={"device_id": [b.SERVER_ID]}, resource=b.SERVER_ID,
         check=lambda found: [(p.id, p.security_group_ids, p.is_port_security_enabled, p.is_admin_state_up)
                              for p in found] == [(b.PORT_ID, ["sg-default"], True, True),
                                                  (b.PORT2_ID, ["sg-default"], True, True)]),
    Case("update_port", lambda c: c.neutron.update_port(b.PORT_ID, security_group_ids=[b.GROUP_ID],
                                                        port_security_enabled=True),
         "PUT", "network", "/ports/" + b.PORT_ID, {"port": dict(b.PORT, security_groups=[b.GROUP_ID])},
         json={"port": {"security_groups": [b.GROUP_ID], "port_security_enabled": True}}, query={},
         check=lambda port: port.security_group_ids == [b.GROUP_ID]),
    # one listing for every port: Neutron takes a filter repeated as "any of these"
    Case("floating_ips", lambda c: c.neutron.floating_ips([b.PORT2_ID, b.PORT_ID]), "GET", "network", "/floatingips",
         {"floatingips": [b.FIP]}, query={"port_id": [b.PORT_ID, b.PORT2_ID]},
         resource="%s, %s" % (b.PORT_ID, b.PORT2_ID),
         check=lambda found: [(f.id, f.floating_ip_address, f.port_id, f.fixed_ip_address) for f in found]
         == [(b.FIP_ID, "203.0.113.10", b.PORT_ID, "10.0.0.5")]),
    Case("get_floating_ip", lambda c: c.neutron.get_floating_ip(b.FIP_ID), "GET", "network",
         "/floatingips/" + b.FIP_ID, {"floatingip": b.FIP}, query={},
         check=lambda fip: (fip.port_id, fip.fixed_ip_address) == (b.PORT_ID, "10.0.0.5")),
    Case("disassociate_floating_ip", lambda c: c.neutron.update_floating_ip(b.FIP_ID, None), "PUT", "network",
         "/floatingips/" + b.FIP_ID, {"floatingip": dict(b.FIP, port_id=None, fixed_ip_address=None)},
         json={"floatingip": {"port_id": None}}, check=lambda fip: fip.port_id is None),
    Case("associate_floating_ip", lambda c: c.neutron.update_floating_ip(b.FIP_ID, b.PORT_ID, "10.0.0.5"), "PUT",
         "network", "/floatingips/" + b.FIP_ID, {"floatingip": b.FIP},
         json={"floatingip": {"port_id": b.PORT_ID, "fixed_ip_address": "10.0.0.5"}},
         check=lambda fip: fip.port_id == b.PORT_ID),
    Case("security_groups", lambda c: c.neutron.security_groups("osfleet-quarantine-case-1", b.PROJECT), "GET",
         "network", "/security-groups",
         {"security_groups": [b.GROUP, dict(b.GROUP, id="other", name="osfleet-quarantine-case-10")]},
         query={"name": ["osfleet-quarantine-case-1"], "project_id": [b.PROJECT]}, resource="osfleet-quarantine-case-1",
         check=lambda found: [g.id for g in found] == [b.GROUP_ID]),
    Case("create_security_group",
         lambda c: c.neutron.create_security_group("osfleet-quarantine-case-1", b.PROJECT, "no egress"), "POST",
         "network", "/security-groups", {"security_group": b.GROUP}, status=201,
         json={"security_group": {"name": "osfleet-quarantine-case-1", "project_id": b.PROJECT,
                                  "description": "no egress"}},
         resource="osfleet-quarantine-case-1", check=lambda group: group.id == b.GROUP_ID),
    Case("delete_security_group", lambda c: c.neutron.delete_security_group(b.GROUP_ID), "DELETE", "network",
         "/security-groups/" + b.GROUP_ID, "", status=204, missing=IGNORED),
    Case("security_group_rules", lambda c: c.neutron.security_group_rules(b.GROUP_ID), "GET", "network",
         "/security-group-rules", {"security_group_rules": [b.RULE, dict(b.RULE, id="r6", ethertype="IPv6")]},
         query={"security_group_id": [b.GROUP_ID]}, resource=b.GROUP_ID,
         check=lambda found: [(r.direction, r.ether_type, r.remote_ip_prefix, r.protocol) for r in found]
         == [("egress", "IPv4", None, None), ("egress", "IPv6", None, None)]),
    Case("create_security_group_rule",
         lambda c: c.neutron.create_security_group_rule(b.GROUP_ID, "ingress", "IPv4", "192.0.2.0/24", b.PROJECT),
         "POST", "network", "/security-group-rules",
         {"security_group_rule": dict(b.RULE, direction="ingress", remote_ip_prefix="192.0.2.0/24")}, status=201,
         json={"security_group_rule": {"security_group_id": b.GROUP_ID, "direction": "ingress", "ethertype": "IPv4",
                                       "remote_ip_prefix": "192.0.2.0/24", "project_id": b.PROJECT}},
         resource=b.GROUP_ID, check=lambda rule: rule.remote_ip_prefix == "192.0.2.0/24"),
    Case("delete_security_group_rule", lambda c: c.neutron.delete_security_group_rule(b.RULE_ID), "DELETE",
         "network", "/security-group-rules/" + b.RULE_ID, "", status=204, missing=IGNORED),
    # -- acting on unused capacity --------------------------------------------------------------------------
    Case("delete_port", lambda c: c.neutron.delete_port(b.PORT_ID), "DELETE", "network", "/ports/" + b.PORT_ID, "",
         status=204, missing=IGNORED),
    Case("add_port_tag", lambda c: c.neutron.add_port_tag(b.PORT_ID, "osfleet-unused-notified-at:2026-12-02T13:00:00Z"),
         "PUT", "network", "/ports/%s/tags/osfleet-unused-notified-at:2026-12-02T13:00:00Z" % b.PORT_ID, "",
         status=201, json=None, resource=b.PORT_ID, check=lambda result: True),
    Case("delete_floating_ip", lambda c: c.neutron.delete_floating_ip(b.FIP_ID), "DELETE", "network",
         "/floatingips/" + b.FIP_ID, "", status=204, missing=IGNORED),
    Case("add_floating_ip_tag",
         lambda c: c.neutron.add_floating_ip_tag(b.FIP_ID, "osfleet-unused-notified-at:2026-12-02T13:00:00Z"),
         "PUT", "network", "/floatingips/%s/tags/osfleet-unused-notified-at:2026-12-02T13:00:00Z" % b.FIP_ID, "",
         status=201, json=None, resource=b.FIP_ID, check=lambda result: True),
    Case("remove_port_tag", lambda c: c.neutron.remove_port_tag(b.PORT_ID, "osfleet-unused-notified-at:2026-12-02T13:00:00Z"), "DELETE", "network",
         "/ports/%s/tags/osfleet-unused-notified-at:2026-12-02T13:00:00Z" % b.PORT_ID, "", status=204, json=None, resource=b.PORT_ID, missing=IGNORED),
    Case("remove_floating_ip_tag", lambda c: c.neutron.remove_floating_ip_tag(b.FIP_ID, "osfleet-unused-notified-at:2026-12-02T13:00:00Z"), "DELETE",
         "network", "/floatingips/%s/tags/osfleet-unused-notified-at:2026-12-02T13:00:00Z" % b.FIP_ID, "", status=204, json=None, resource=b.FIP_ID,
         missing=IGNORED),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_the_request_on_the_wire_and_its_result(stub, cloud, case):
    check_call(stub, cloud, case)


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_neutrons_refusal_is_a_cloud_error_with_its_message_and_request_id(stub, cloud, case):
    check_refusal(stub, cloud, case)


@pytest.mark.parametrize("case", with_404(CASES), ids=ids(with_404(CASES)))
def test_a_404(stub, cloud, case):
    check_missing(stub, cloud, case)


def test_floating_ips_of_no_port_is_no_call_not_every_floating_ip_of_the_cloud(stub, cloud):
    assert cloud.neutron.floating_ips([]) == []
    assert stub.calls("network") == []


def test_floating_ips_keeps_only_those_on_the_ports_asked_for(stub, cloud):
    """A Neutron (or a proxy in front of it) that ignores the filter must not hand over other servers' addresses."""
    stub.route("GET", "network", "/floatingips", {"floatingips": [b.FIP, dict(b.FIP, id="x", port_id="elsewhere")]})
    assert [f.id for f in cloud.neutron.floating_ips([b.PORT_ID])] == [b.FIP_ID]
    assert query(stub.last("network")) == {"port_id": [b.PORT_ID]}
