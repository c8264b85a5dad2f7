# -*- coding: utf-8 -*-
"""The Nova facade over a stubbed cloud: every call's request on the wire (method, path, query, body,
``OpenStack-API-Version``), its result, its 404 and Nova's own error body turned into a CloudError."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError, ConflictError
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.nova import MICROVERSION
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack import bodies as b
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.facade_cases import (
    IGNORED,
    NONE,
    Case,
    check_call,
    check_missing,
    check_refusal,
    ids,
    with_404,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import (
    microversion,
    path_of,
    query,
)

try:
    from openstack.compute.v2.service import Service
except ImportError:  # pragma: no cover
    Service = None

SID = b.SERVER_ID
ACTION = "/servers/%s/action" % SID
HIDDEN = "11111111-2222-4333-8444-555555555555"


def service(**changes):
    """A Service as a listing returns it (nothing dirty), to hand to the update calls."""
    return Service.existing(**dict(b.SERVICE, **changes))


def action(name, body, call, mv=MICROVERSION, answer=None, status=202, **more):
    return Case(name, call, "POST", "compute", ACTION, answer if answer is not None else "", status=status,
                json=body, mv=mv, query={}, resource=SID, **more)


def migrations_body():
    older = dict(b.MIGRATION, id=40, uuid="12341234-aaaa-4bbb-8ccc-000000000040", status="error",
                 created_at="2026-11-20T08:00:00.000000")
    same_time = dict(b.MIGRATION, id=42, uuid="02341234-aaaa-4bbb-8ccc-000000000042", status="running")
    return {"migrations": [older, b.MIGRATION, same_time]}


AGG_PATH = "/os-aggregates/7/action"
SERVICE_PATH = "/os-services/" + b.SERVICE_ID

CASES = [
    # -- reads ---------------------------------------------------------------------------------------------
    Case("get_server", lambda c: c.nova.get_server(SID), "GET", "compute", "/servers/" + SID, {"server": b.SERVER},
         query={}, mv=MICROVERSION, missing=NONE,
         check=lambda s: (s.id, s.compute_host, s.task_state, s.project_id, s.metadata, s.tags)
         == (SID, b.HOST, None, b.PROJECT, {"owner": "shop"}, ["web"])),
    Case("servers_on_host", lambda c: c.nova.servers_on_host(b.HOST), "GET", "compute", "/servers/detail",
         {"servers": [b.SERVER, b.server(id=b.OTHER_ID, **{"OS-EXT-SRV-ATTR:host": "compute-02"}),
                      b.server(id=HIDDEN, **{"OS-EXT-SRV-ATTR:host": None})]},
         query={"host": [b.HOST], "all_tenants": ["True"]}, mv=MICROVERSION, resource="host " + b.HOST,
         check=lambda found: [s.id for s in found] == [SID, HIDDEN]),
    Case("servers_tagged", lambda c: c.nova.servers_tagged("osfleet-quarantine"), "GET", "compute",
         "/servers/detail", {"servers": [b.server(tags=["osfleet-quarantine"])]},
         query={"tags": ["osfleet-quarantine"], "all_tenants": ["True"]}, mv=MICROVERSION,
         resource="tagged osfleet-quarantine", check=lambda found: [s.tags for s in found] == [["osfleet-quarantine"]]),
    Case("migrations", lambda c: c.nova.migrations(SID), "GET", "compute", "/os-migrations", migrations_body(),
         query={"instance_uuid": [SID]}, mv=MICROVERSION, resource=SID,
         check=lambda found: [(m.status, m.source_compute, m.dest_compute, m.migration_type) for m in found]
         == [("running", b.HOST, "compute-02", "live-migration"), ("completed", b.HOST, "compute-02", "live-migration"),
             ("error", b.HOST, "compute-02", "live-migration")]),
    Case("server_group_members", lambda c: c.nova.server_group_members(), "GET", "compute", "/os-server-groups",
         {"server_groups": [
             {"id": "g1", "name": "web-aa", "policy": "anti-affinity", "rules": {"max_server_per_host": 1},
              "members": [SID, b.OTHER_ID], "project_id": b.PROJECT, "user_id": "u1"},
             {"id": "g2", "name": "db", "policy": "affinity", "rules": {}, "members": [SID], "project_id": b.PROJECT,
              "user_id": "u1"}]},
         query={"all_projects": ["True"]}, mv=MICROVERSION, resource="all projects",
         check=lambda members: members == {SID: ["g1", "g2"], b.OTHER_ID: ["g1"]}),
    Case("console_output", lambda c: c.nova.console_output(SID), "POST", "compute", ACTION,
         {"output": "Ubuntu 24.04 web-1 ttyS0\n\nweb-1 login: "}, json={"os-getConsoleOutput": {}}, mv=MICROVERSION,
         resource=SID, check=lambda text: text.endswith("login: ")),
    Case("actions", lambda c: c.nova.actions(SID), "GET", "compute", "/servers/%s/os-instance-actions" % SID,
         {"instanceActions": [
             {"action": "lock", "instance_uuid": SID, "request_id": "req-lock", "user_id": "u1", "project_id": b.PROJECT,
              "start_time": "2026-11-20T10:00:00.000000", "message": None, "updated_at": "2026-11-20T10:00:00.000000"},
             {"action": "create", "instance_uuid": SID, "request_id": "req-boot", "user_id": "u1",
              "project_id": b.PROJECT, "start_time": "2026-11-20T08:00:00.000000", "message": None,
              "updated_at": "2026-11-20T08:01:09.000000"}]},
         query={}, mv=MICROVERSION, resource=SID,
         check=lambda found: [a["action"] for a in found] == ["lock", "create"]
         and all("location" not in a and "id" not in a for a in found) and found[0]["request_id"] == "req-lock"),
    Case("diagnostics", lambda c: c.nova.diagnostics(SID), "GET", "compute", "/servers/%s/diagnostics" % SID,
         {"state": "running", "driver": "libvirt", "hypervisor": "kvm", "hypervisor_os": "ubuntu", "uptime": 46664,
          "config_drive": True, "num_cpus": 1, "num_nics": 1, "num_disks": 1,
          "memory_details": {"maximum": 524288, "used": 0}, "cpu_details": [{"id": 0, "time": 17300000000,
                                                                            "utilisation": 15}],
          "nic_details": [], "disk_details": [{"read_bytes": 262144, "read_requests": 112, "write_bytes": 5778432,
                                               "write_requests": 488, "errors_count": 1}]},
         query={}, mv=MICROVERSION, refusal=0,
         check=lambda diag: diag["driver"] == "libvirt" and diag["state"] == "running" and "location" not in diag),
    Case("volume_attachments", lambda c: c.nova.volume_attachments(SID), "GET", "compute",
         "/servers/%s/os-volume_attachments" % SID,
         {"volumeAttachments": [{"id": b.VOLUME_ID, "serverId": SID, "volumeId": b.VOLUME_ID, "device": "/dev/vdb",
                                 "tag": None, "delete_on_termination": False,
                                 "attachment_id": "3f5e7c1a-1111-4222-8333-444455556666",
                                 "bdm_uuid": "a1b2c3d4-1111-4222-8333-444455556666"}]},
         query={}, mv=MICROVERSION, resource=SID,
         check=lambda found: found == [{"volume_id": b.VOLUME_ID, "device": "/dev/vdb"}]),
    # -- server actions ---------------------------------------------------------------------------------------
    # the SDK's live migration helper names 2.30 itself (the oldest with this body); under the 2.80 pin it
    # still takes that path, not the 2.25 one that would need force=True with a host
    action("live_migrate", {"os-migrateLive": {"host": None, "block_migration": "auto"}},
           lambda c: c.nova.live_migrate(SID), mv="2.30"),
    action("live_migrate_to_host", {"os-migrateLive": {"host": "compute-02", "block_migration": "auto"}},
           lambda c: c.nova.live_migrate(SID, "compute-02"), mv="2.30"),
    action("cold_migrate", {"migrate": None}, lambda c: c.nova.cold_migrate(SID)),
    action("cold_migrate_to_host", {"migrate": {"host": "compute-02"}}, lambda c: c.nova.cold_migrate(SID, "compute-02")),
    action("confirm_resize", {"confirmResize": None}, lambda c: c.nova.confirm_resize(SID), status=204),
    action("stop", {"os-stop": None}, lambda c: c.nova.stop(SID)),
    action("start", {"os-start": None}, lambda c: c.nova.start(SID)),
    action("pause", {"pause": None}, lambda c: c.nova.pause(SID)),
    action("unpause", {"unpause": None}, lambda c: c.nova.unpause(SID)),
    action("lock", {"lock": {"locked_reason": "osfleet quarantine case c1"}},
           lambda c: c.nova.lock(SID, "osfleet quarantine case c1")),
    action("unlock", {"unlock": None}, lambda c: c.nova.unlock(SID)),
    # createImage: the SDK names 2.45 (the image id in the body), then reads the image from Glance
    action("create_image", {"createImage": {"name": "osfleet-case-c1-server-image", "metadata": {"osfleet_case": "c1"}}},
           lambda c: c.nova.create_image(SID, "osfleet-case-c1-server-image", {"osfleet_case": "c1"}), mv="2.45",
           answer={"image_id": b.IMAGE_ID},
           routes=[("GET", "image", "/images/" + b.IMAGE_ID, b.image(status="queued"), 200)],
           check=lambda image_id: image_id == b.IMAGE_ID),
    Case("rename", lambda c: c.nova.rename(SID, "web-1"), "PUT", "compute", "/servers/" + SID,
         {"server": b.SERVER}, json={"server": {"name": "web-1"}}, mv=MICROVERSION, query={}),
    Case("set_metadata", lambda c: c.nova.set_metadata(SID, {"osfleet_notice": "sent"}), "POST", "compute",
         "/servers/%s/metadata" % SID, {"metadata": {"owner": "shop", "osfleet_notice": "sent"}},
         json={"metadata": {"osfleet_notice": "sent"}}, mv=MICROVERSION, resource=SID),
    Case("delete_metadata", lambda c: c.nova.delete_metadata(SID, ["osfleet_notice"]), "DELETE", "compute",
         "/servers/%s/metadata/osfleet_notice" % SID, "", status=204, json=None, mv=MICROVERSION, missing=IGNORED,
         resource=SID),
    Case("add_tag", lambda c: c.nova.add_tag(SID, "osfleet-quarantine"), "PUT", "compute",
         "/servers/%s/tags/osfleet-quarantine" % SID, "", status=201, json=None, mv=MICROVERSION, resource=SID),
    Case("remove_tag", lambda c: c.nova.remove_tag(SID, "osfleet-quarantine"), "DELETE", "compute",
         "/servers/%s/tags/osfleet-quarantine" % SID, "", status=204, json=None, mv=MICROVERSION, resource=SID),
    # -- aggregates (the SDK sends aggregate actions without a microversion: Nova's 2.1, the same answer) ------
    Case("aggregates", lambda c: c.nova.aggregates(), "GET", "compute", "/os-aggregates", {"aggregates": [b.AGGREGATE]},
         query={}, mv=MICROVERSION, resource="",
         check=lambda found: [(a.id, a.name, a.hosts, a.metadata) for a in found]
         == [(7, "osfleet-maint-w1", [b.HOST], {"osfleet_state": "scheduled"})]),
    Case("create_aggregate", lambda c: c.nova.create_aggregate("osfleet-maint-w1"), "POST", "compute", "/os-aggregates",
         {"aggregate": dict(b.AGGREGATE, hosts=[], metadata={})}, json={"aggregate": {"name": "osfleet-maint-w1"}},
         mv=MICROVERSION, resource="osfleet-maint-w1", check=lambda agg: (agg.id, agg.hosts) == (7, [])),
    Case("add_aggregate_host", lambda c: c.nova.add_aggregate_host(7, "compute-02"), "POST", "compute", AGG_PATH,
         {"aggregate": dict(b.AGGREGATE, hosts=[b.HOST, "compute-02"])}, json={"add_host": {"host": "compute-02"}},
         mv=None, resource="7", check=lambda agg: agg.hosts == [b.HOST, "compute-02"]),
    Case("remove_aggregate_host", lambda c: c.nova.remove_aggregate_host("7", b.HOST), "POST", "compute", AGG_PATH,
         {"aggregate": dict(b.AGGREGATE, hosts=[])}, json={"remove_host": {"host": b.HOST}}, mv=None, resource="7",
         check=lambda agg: agg.hosts == []),
    Case("set_aggregate_metadata",
         lambda c: c.nova.set_aggregate_metadata("7", {"osfleet_state": "started", "osfleet_old": None}), "POST",
         "compute", AGG_PATH, {"aggregate": dict(b.AGGREGATE, metadata={"osfleet_state": "started"})},
         json={"set_metadata": {"metadata": {"osfleet_state": "started", "osfleet_old": None}}}, mv=None, resource="7",
         check=lambda agg: agg.metadata == {"osfleet_state": "started"}),
    # -- compute services --------------------------------------------------------------------------------------
    Case("compute_services_of_host", lambda c: c.nova.compute_services(b.HOST), "GET", "compute", "/os-services",
         {"services": [b.SERVICE, dict(b.SERVICE, id="other", host="compute-02")]},
         query={"binary": ["nova-compute"], "host": [b.HOST]}, mv=MICROVERSION, resource="nova-compute@" + b.HOST,
         check=lambda found: [(s.id, s.host, s.status, s.state, s.is_forced_down) for s in found]
         == [(b.SERVICE_ID, b.HOST, "enabled", "up", False)]),
    Case("compute_services", lambda c: c.nova.compute_services(), "GET", "compute", "/os-services",
         {"services": [b.SERVICE, dict(b.SERVICE, id="other", host="compute-02"),
                       dict(b.SERVICE, id="sched", binary="nova-scheduler", host="ctl-01")]},
         query={"binary": ["nova-compute"]}, mv=MICROVERSION, resource="nova-compute",
         check=lambda found: [s.host for s in found] == [b.HOST, "compute-02"]),
    Case("disable_service", lambda c: c.nova.disable_service(service(), "osfleet-maintenance:w1 CHG-1"), "PUT",
         "compute", SERVICE_PATH,
         {"service": dict(b.SERVICE, status="disabled", disabled_reason="osfleet-maintenance:w1 CHG-1")},
         json={"status": "disabled", "disabled_reason": "osfleet-maintenance:w1 CHG-1"}, mv=MICROVERSION,
         resource="nova-compute@" + b.HOST,
         check=lambda svc: (svc.status, svc.disabled_reason) == ("disabled", "osfleet-maintenance:w1 CHG-1")),
    Case("enable_service", lambda c: c.nova.enable_service(service(status="disabled")), "PUT", "compute",
         SERVICE_PATH, {"service": b.SERVICE}, json={"status": "enabled"}, mv=MICROVERSION,
         resource="nova-compute@" + b.HOST, check=lambda svc: svc.status == "enabled"),
    Case("set_forced_down", lambda c: c.nova.set_forced_down(service(), True), "PUT", "compute", SERVICE_PATH,
         {"service": dict(b.SERVICE, forced_down=True, state="down")}, json={"forced_down": True}, mv=MICROVERSION,
         resource="nova-compute@" + b.HOST, check=lambda svc: (svc.is_forced_down, svc.state) == (True, "down")),
    Case("clear_forced_down", lambda c: c.nova.set_forced_down(service(forced_down=True), False), "PUT", "compute",
         SERVICE_PATH, {"service": b.SERVICE}, json={"forced_down": False}, mv=MICROVERSION,
         resource="nova-compute@" + b.HOST, check=lambda svc: svc.is_forced_down is False),
    # -- fleet-wide raw JSON listings: dicts, each at its own microversion ---------------------------------------
    Case("list_servers_json", lambda c: c.nova.list_servers_json(page_size=500), "GET", "compute", "/servers/detail",
         {"servers": [b.SERVER]}, query={"all_tenants": ["1"], "limit": ["500"]}, mv="2.72", resource="",
         check=lambda found: found == [b.SERVER]),
    Case("list_hypervisors_json", lambda c: c.nova.list_hypervisors_json(), "GET", "compute", "/os-hypervisors/detail",
         {"hypervisors": [{"id": "4f2b3c1d-0000-4000-8000-000000000001", "hypervisor_hostname": b.HOST,
                           "service": {"host": b.HOST, "id": b.SERVICE_ID, "disabled_reason": None},
                           "hypervisor_type": "QEMU", "hypervisor_version": 8002000, "state": "up",
                           "status": "enabled", "vcpus": 8, "vcpus_used": 2, "memory_mb": 16000,
                           "memory_mb_used": 1024, "local_gb": 100, "local_gb_used": 2, "running_vms": 2,
                           "host_ip": "192.168.0.11", "free_ram_mb": 14976, "free_disk_gb": 98,
                           "current_workload": 0, "disk_available_least": 90, "cpu_info": "{}"}]},
         query={"limit": ["1000"]}, mv="2.87", resource="",
         check=lambda found: [h["vcpus_used"] for h in found] == [2]),
    Case("list_services_json", lambda c: c.nova.list_services_json(), "GET", "compute", "/os-services",
         {"services": [b.SERVICE]}, query={"binary": ["nova-compute"]}, mv="2.53", resource="",
         check=lambda found: found == [b.SERVICE]),
    Case("list_aggregates_json", lambda c: c.nova.list_aggregates_json(), "GET", "compute", "/os-aggregates",
         {"aggregates": [b.AGGREGATE]}, query={}, mv=None, resource="", check=lambda found: found == [b.AGGREGATE]),
    Case("list_server_groups_json", lambda c: c.nova.list_server_groups_json(), "GET", "compute",
         "/os-server-groups", {"server_groups": [{"id": "g1", "name": "web-aa", "members": [SID]}]},
         query={"all_projects": ["1"]}, mv="2.64", resource="",
         check=lambda found: found == [{"id": "g1", "name": "web-aa", "members": [SID]}]),
    # -- acting on unused capacity --------------------------------------------------------------------------
    Case("delete_server", lambda c: c.nova.delete_server(SID), "DELETE", "compute", "/servers/" + SID, "", status=204,
         json=None, mv=MICROVERSION, missing=IGNORED),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_the_request_on_the_wire_and_its_result(stub, cloud, case):
    check_call(stub, cloud, case)


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_novas_refusal_is_a_cloud_error_with_its_message_and_request_id(stub, cloud, case):
    check_refusal(stub, cloud, case)


@pytest.mark.parametrize("case", with_404(CASES), ids=ids(with_404(CASES)))
def test_a_404(stub, cloud, case):
    check_missing(stub, cloud, case)


def test_every_sdk_call_is_pinned_even_on_a_cloud_that_speaks_newer(stub, cloud):
    """Nova here speaks up to 2.100; the SDK would ask for up to that without the pin."""
    stub.route("GET", "compute", "/servers/" + SID, {"server": b.SERVER})
    cloud.nova.get_server(SID)
    assert cloud.conn.compute.default_microversion == MICROVERSION
    assert stub.last("compute").headers["OpenStack-API-Version"] == "compute 2.80"


def test_the_refusal_reads_as_nova_wrote_it(stub, cloud):
    body, _words = b.ERRORS["compute"]
    stub.fail("POST", "compute", ACTION, 409, body, request_id="req-7f1c")
    with pytest.raises(CloudError) as err:
        cloud.nova.live_migrate(SID)
    assert err.value.message == ("live-migrate server (%s) failed (HTTP 409): Cannot 'os-migrateLive' instance %s "
                                 "while it is in task_state migrating" % (SID, SID))
    assert err.value.call == "live-migrate server" and err.value.resource == SID


# -- calls of several requests -----------------------------------------------------------------------------------

def test_find_server_by_id_is_one_request(stub, cloud):
    stub.route("GET", "compute", "/servers/" + SID, {"server": b.SERVER})
    assert cloud.nova.find_server(SID).name == "web-1"
    assert [path_of(r) for r in stub.calls()] == ["/servers/" + SID]


def test_find_server_by_name_lists_every_project_and_takes_the_exact_name(stub, cloud):
    stub.fail("GET", "compute", "/servers/web-1", 404, b.NOT_FOUND["compute"])
    # Nova's name filter is a regular expression: web-1 also matches web-10
    stub.route("GET", "compute", "/servers/detail", {"servers": [b.server(name="web-10", id=b.OTHER_ID), b.SERVER]})
    found = cloud.nova.find_server("web-1")
    assert found.id == SID
    listing = stub.last("compute")
    assert query(listing) == {"name": ["web-1"], "all_tenants": ["True"]}
    assert microversion(listing) == MICROVERSION


def test_find_server_of_a_name_two_servers_carry_is_a_conflict_on_the_server_field(stub, cloud):
    stub.fail("GET", "compute", "/servers/web-1", 404, b.NOT_FOUND["compute"])
    stub.route("GET", "compute", "/servers/detail", {"servers": [b.SERVER, b.server(id=b.OTHER_ID)]})
    with pytest.raises(ConflictError) as err:
        cloud.nova.find_server("web-1")
    assert err.value.field == "server" and err.value.resource == "web-1"
    assert "More than one Server exists with the name 'web-1'" in err.value.message


def test_find_server_of_nothing_is_none(stub, cloud):
    stub.fail("GET", "compute", "/servers/web-1", 404, b.NOT_FOUND["compute"])
    stub.route("GET", "compute", "/servers/detail", {"servers": []})
    assert cloud.nova.find_server("web-1") is None


def test_sdk_listings_follow_novas_pages(stub, cloud):
    def pages(request, context):
        if "marker" not in query(request):
            return {"servers": [b.SERVER], "servers_links": [
                {"rel": "next", "href": "http://nova.example.test:8774/v2.1/servers/detail?host=%s&marker=%s"
                                        % (b.HOST, SID)}]}
        return {"servers": [b.server(id=b.OTHER_ID)]}

    stub.route("GET", "compute", "/servers/detail", pages)
    assert [s.id for s in cloud.nova.servers_on_host(b.HOST)] == [SID, b.OTHER_ID]
    assert [query(r).get("marker") for r in stub.calls()] == [None, [SID]]


def test_delete_metadata_deletes_each_key_and_a_key_already_gone_is_no_error(stub, cloud):
    stub.fail("DELETE", "compute", "/servers/%s/metadata/gone" % SID, 404,
              {"itemNotFound": {"code": 404, "message": "Metadata item was not found"}})
    stub.route("DELETE", "compute", "/servers/%s/metadata/osfleet_notice" % SID, "", status=204)
    cloud.nova.delete_metadata(SID, ["osfleet_notice", "gone", "osfleet_notice"])
    deleted = sorted(path_of(r) for r in stub.calls())
    assert deleted == ["/servers/%s/metadata/gone" % SID, "/servers/%s/metadata/osfleet_notice" % SID]


def test_wait_for_server_looks_until_the_status(stub, cloud):
    answers = iter([b.server(status="MIGRATING", **{"OS-EXT-STS:task_state": "migrating"}), b.server(status="ACTIVE")])
    stub.route("GET", "compute", "/servers/" + SID, lambda request, context: {"server": next(answers)})
    server = cloud.nova.wait_for_server(SID, "ACTIVE", interval=0, wait=5)
    assert server.status == "ACTIVE" and len(stub.calls()) == 2
    assert all(microversion(r) == MICROVERSION for r in stub.calls())


def test_wait_for_server_that_fails_names_the_server(stub, cloud):
    stub.route("GET", "compute", "/servers/" + SID, {"server": b.server(status="ERROR")})
    with pytest.raises(CloudError) as err:
        cloud.nova.wait_for_server(SID, "ACTIVE", interval=0, wait=5)
    assert err.value.resource == SID and SID in err.value.message and "ERROR" in err.value.message


def test_wait_for_server_out_of_time_names_the_server(stub, cloud):
    stub.route("GET", "compute", "/servers/" + SID, {"server": b.server(status="SHUTOFF")})
    with pytest.raises(CloudError) as err:
        cloud.nova.wait_for_server(SID, "ACTIVE", interval=0.01, wait=0.05)
    assert err.value.call == "wait for server ACTIVE" and SID in err.value.message
    assert "Timeout" in err.value.message


def test_a_sliced_server_listing_reads_the_index_then_the_slices_at_2_72(stub, cloud):
    servers = [b.server(id="s%03d" % i) for i in range(8)]

    def listing(request, context):
        q = query(request)
        start = 0
        if "marker" in q:
            start = [s["id"] for s in servers].index(q["marker"][0]) + 1
        page = servers[start:start + int(q["limit"][0])]
        if path_of(request) == "/servers":
            page = [{"id": s["id"], "name": s["name"], "links": []} for s in page]
        return {"servers": page}

    stub.route("GET", "compute", "/servers", listing)
    stub.route("GET", "compute", "/servers/detail", listing)
    found = cloud.nova.list_servers_json(page_size=1000, slices=2)
    assert [s["id"] for s in found] == [s["id"] for s in servers]
    calls = stub.calls("compute")
    assert [path_of(r) for r in calls].count("/servers") == 1 and len(calls) == 3
    assert all(microversion(r) == "2.72" and query(r)["all_tenants"] == ["1"] for r in calls)
    assert sorted(str(query(r).get("marker")) for r in calls if path_of(r) == "/servers/detail") == \
        ["None", "['s003']"]
