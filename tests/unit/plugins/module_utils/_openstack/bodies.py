# -*- coding: utf-8 -*-
"""Response bodies in the shape each service writes them (Nova 2.80, Neutron, Cinder 3.x, Glance v2,
Keystone v3, Placement 1.14, Ironic 1.42), and each service's own error body."""
from __future__ import annotations

import copy
import json

SERVER_ID = "9c1e2f3a-4b5c-4d6e-8f70-1a2b3c4d5e6f"
OTHER_ID = "0d2f3a4b-5c6d-4e7f-8a91-2b3c4d5e6f70"
PROJECT = "3f2a1b0c9d8e4f7a6b5c4d3e2f1a0b9c"
HOST = "compute-01"
SERVICE_ID = "f6a5b4c3-2d1e-4f0a-9b8c-7d6e5f4a3b2c"
VOLUME_ID = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
SNAPSHOT_ID = "7c8d9e0f-1a2b-4c3d-9e4f-5a6b7c8d9e0f"
IMAGE_ID = "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b"
PORT_ID = "8d9e0f1a-2b3c-4d4e-8f5a-6b7c8d9e0f1a"
PORT2_ID = "9e0f1a2b-3c4d-4e5f-9a6b-7c8d9e0f1a2b"
FIP_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
GROUP_ID = "4b5c6d7e-8f9a-4b0c-9d1e-2f3a4b5c6d7e"
RULE_ID = "6d7e8f9a-0b1c-4d2e-8f3a-4b5c6d7e8f9a"
TRANSFER_ID = "0f1a2b3c-4d5e-4f6a-9b7c-8d9e0f1a2b3c"

SERVER = {
    "id": SERVER_ID, "name": "web-1", "status": "ACTIVE", "tenant_id": PROJECT,
    "user_id": "6e5d4c3b2a1f4e0d9c8b7a6f5e4d3c2b", "metadata": {"owner": "shop"},
    "hostId": "1b5c9a0e2f6d3c7a8b4e0f1d2c3b4a5e6f7d8c9b0a1e2d3c4b5a6f7e", "image": {
        "id": "70a599e0-31e7-49b7-b260-868f441e862b",
        "links": [{"rel": "bookmark", "href": "http://nova.example.test:8774/images/70a599e0"}]},
    "flavor": {"vcpus": 1, "ram": 512, "disk": 1, "ephemeral": 0, "swap": 0, "original_name": "m1.tiny",
               "extra_specs": {"hw_rng:allowed": "True"}},
    "created": "2026-11-20T08:00:00Z", "updated": "2026-11-20T08:01:10Z",
    "addresses": {"private": [{"version": 4, "addr": "10.0.0.5", "OS-EXT-IPS:type": "fixed",
                               "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:11:22:33"}]},
    "accessIPv4": "", "accessIPv6": "",
    "links": [{"rel": "self", "href": "http://nova.example.test:8774/v2.1/servers/" + SERVER_ID},
              {"rel": "bookmark", "href": "http://nova.example.test:8774/servers/" + SERVER_ID}],
    "OS-DCF:diskConfig": "MANUAL", "progress": 0, "OS-EXT-AZ:availability_zone": "az1", "config_drive": "",
    "key_name": None, "OS-SRV-USG:launched_at": "2026-11-20T08:01:09.000000", "OS-SRV-USG:terminated_at": None,
    "OS-EXT-SRV-ATTR:host": HOST, "OS-EXT-SRV-ATTR:instance_name": "instance-00000007",
    "OS-EXT-SRV-ATTR:hypervisor_hostname": HOST, "OS-EXT-SRV-ATTR:reservation_id": "r-3fhpjulh",
    "OS-EXT-SRV-ATTR:launch_index": 0, "OS-EXT-SRV-ATTR:hostname": "web-1", "OS-EXT-SRV-ATTR:kernel_id": "",
    "OS-EXT-SRV-ATTR:ramdisk_id": "", "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
    "OS-EXT-SRV-ATTR:user_data": None, "OS-EXT-STS:task_state": None, "OS-EXT-STS:vm_state": "active",
    "OS-EXT-STS:power_state": 1, "os-extended-volumes:volumes_attached": [
        {"id": VOLUME_ID, "delete_on_termination": False}],
    "locked": False, "description": None, "tags": ["web"], "trusted_image_certificates": None,
    "host_status": "UP", "security_groups": [{"name": "default"}],
}


def server(**changes):
    body = copy.deepcopy(SERVER)
    body.update(changes)
    return body


MIGRATION = {
    "id": 41, "uuid": "12341234-aaaa-4bbb-8ccc-000000000041", "instance_uuid": SERVER_ID,
    "source_compute": HOST, "dest_compute": "compute-02", "source_node": HOST, "dest_node": "compute-02",
    "dest_host": "192.168.0.12", "old_instance_type_id": 1, "new_instance_type_id": 1,
    "status": "completed", "migration_type": "live-migration", "created_at": "2026-11-20T09:00:00.000000",
    "updated_at": "2026-11-20T09:00:30.000000", "project_id": PROJECT, "user_id": "u1",
    "links": [{"rel": "self", "href": "http://nova.example.test:8774/v2.1/servers/%s/migrations/41" % SERVER_ID}],
}

AGGREGATE = {"id": 7, "uuid": "a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d", "name": "osfleet-maint-w1",
             "availability_zone": None, "hosts": [HOST], "metadata": {"osfleet_state": "scheduled"},
             "created_at": "2026-11-20T09:00:00.000000", "updated_at": None, "deleted_at": None, "deleted": False}

SERVICE = {"id": SERVICE_ID, "binary": "nova-compute", "host": HOST, "zone": "az1", "status": "enabled",
           "state": "up", "disabled_reason": None, "forced_down": False,
           "updated_at": "2026-11-20T09:10:00.000000"}

PORT = {"id": PORT_ID, "name": "", "network_id": "net-1", "tenant_id": PROJECT, "project_id": PROJECT,
        "mac_address": "fa:16:3e:11:22:33", "admin_state_up": True, "status": "ACTIVE", "device_id": SERVER_ID,
        "device_owner": "compute:az1", "fixed_ips": [{"subnet_id": "sub-1", "ip_address": "10.0.0.5"}],
        "security_groups": ["sg-default"], "port_security_enabled": True, "binding:host_id": HOST,
        "binding:vnic_type": "normal", "allowed_address_pairs": [], "extra_dhcp_opts": [], "tags": [],
        "description": "", "revision_number": 4, "created_at": "2026-11-20T08:00:30Z",
        "updated_at": "2026-11-20T08:01:00Z"}

FIP = {"id": FIP_ID, "floating_ip_address": "203.0.113.10", "floating_network_id": "ext-net",
       "router_id": "r-1", "port_id": PORT_ID, "fixed_ip_address": "10.0.0.5", "status": "ACTIVE",
       "tenant_id": PROJECT, "project_id": PROJECT, "description": "", "tags": [], "port_details": None,
       "revision_number": 2, "created_at": "2026-11-20T08:02:00Z", "updated_at": "2026-11-20T08:02:05Z"}

GROUP = {"id": GROUP_ID, "name": "osfleet-quarantine-case-1", "tenant_id": PROJECT, "project_id": PROJECT,
         "description": "osfleet quarantine case case-1", "stateful": True, "shared": False, "tags": [],
         "security_group_rules": [], "revision_number": 1, "created_at": "2026-11-20T10:00:00Z",
         "updated_at": "2026-11-20T10:00:00Z"}

RULE = {"id": RULE_ID, "security_group_id": GROUP_ID, "direction": "egress", "ethertype": "IPv4",
        "protocol": None, "port_range_min": None, "port_range_max": None, "remote_ip_prefix": None,
        "remote_group_id": None, "remote_address_group_id": None, "normalized_cidr": None,
        "tenant_id": PROJECT, "project_id": PROJECT, "description": "", "belongs_to_default_sg": False,
        "revision_number": 0, "created_at": "2026-11-20T10:00:00Z", "updated_at": "2026-11-20T10:00:00Z"}

VOLUME = {"id": VOLUME_ID, "name": "osfleet-case-case-1-volume-x-copy", "status": "available", "size": 1,
          "availability_zone": "nova", "bootable": "false", "encrypted": False, "multiattach": False,
          "volume_type": "lvmdriver-1", "snapshot_id": SNAPSHOT_ID, "source_volid": None,
          "description": "copy", "metadata": {"osfleet_case": "case-1"}, "attachments": [],
          "os-vol-tenant-attr:tenant_id": PROJECT, "user_id": "u1", "created_at": "2026-11-20T10:00:00.000000",
          "updated_at": None, "consistencygroup_id": None, "replication_status": None,
          "links": [{"rel": "self", "href": "http://cinder.example.test:8776/v3/volumes/" + VOLUME_ID}]}

SNAPSHOT = {"id": SNAPSHOT_ID, "name": "osfleet-case-case-1-volume-x", "status": "available", "size": 1,
            "volume_id": VOLUME_ID, "description": "osfleet quarantine case case-1",
            "metadata": {"osfleet_case": "case-1"}, "created_at": "2026-11-20T10:00:00.000000",
            "updated_at": None, "os-extended-snapshot-attributes:project_id": PROJECT,
            "os-extended-snapshot-attributes:progress": "100%", "group_snapshot_id": None,
            "user_id": "u1", "consumes_quota": True}

TRANSFER = {"id": TRANSFER_ID, "name": "osfleet-case-case-1", "volume_id": VOLUME_ID,
            "created_at": "2026-11-20T11:00:00.000000", "source_project_id": PROJECT,
            "destination_project_id": None, "accepted": False, "no_snapshots": False,
            "links": [{"rel": "self", "href": "http://cinder.example.test:8776/v3/volume-transfers/" + TRANSFER_ID}]}

IMAGE = {"id": IMAGE_ID, "name": "osfleet-case-case-1-record", "status": "active", "visibility": "private",
         "protected": False, "os_hidden": False, "owner": PROJECT, "disk_format": "raw", "container_format": "bare",
         "size": 11, "virtual_size": None, "checksum": "5eb63bbbe01eeed093cb22bb8f5acdc3", "os_hash_algo": "sha512",
         "os_hash_value": "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff49",
         "min_ram": 0, "min_disk": 0, "tags": ["osfleet-case:case-1", "osfleet-record"],
         "created_at": "2026-11-20T10:00:00Z", "updated_at": "2026-11-20T10:00:01Z",
         "self": "/v2/images/" + IMAGE_ID, "file": "/v2/images/%s/file" % IMAGE_ID, "schema": "/v2/schemas/image",
         "stores": "file"}


def image(**changes):
    body = copy.deepcopy(IMAGE)
    body.update(changes)
    return body


MEMBER = {"member_id": "evidence-project", "image_id": IMAGE_ID, "status": "pending",
          "created_at": "2026-11-20T10:05:00Z", "updated_at": "2026-11-20T10:05:00Z",
          "schema": "/v2/schemas/member"}

PROJECTS = [
    {"id": PROJECT, "name": "shop", "domain_id": "default", "enabled": True, "parent_id": "default",
     "is_domain": False, "description": "", "tags": [], "options": {},
     "osfleet_maintenance_webhook": "https://hooks.shop.example/maint",
     "links": {"self": "http://keystone.example.test:5000/v3/projects/" + PROJECT}},
    {"id": "b1c2d3e4f5a64b7c8d9e0f1a2b3c4d5e", "name": "lab", "domain_id": "default", "enabled": True,
     "parent_id": "default", "is_domain": False, "description": "", "tags": [], "options": {},
     "links": {"self": "http://keystone.example.test:5000/v3/projects/b1c2d3e4f5a64b7c8d9e0f1a2b3c4d5e"}},
]

#: each service's error body for a refused request, and the message an operator must see from it
ERRORS = {
    "compute": ({"conflictingRequest": {"code": 409, "message": "Cannot 'os-migrateLive' instance %s while it is "
                                                                "in task_state migrating" % SERVER_ID}},
                "while it is in task_state migrating"),
    "network": ({"NeutronError": {"type": "PortInUse", "message": "Port %s is still in use." % PORT_ID,
                                  "detail": ""}}, "is still in use"),
    "block-storage": ({"badRequest": {"code": 400, "message": "Invalid volume: Volume status must be available "
                                                              "or in-use."}}, "Volume status must be available"),
    "image": ("<html>\n <head>\n  <title>409 Conflict</title>\n </head>\n <body>\n  <h1>409 Conflict</h1>\n  "
              "Image status transition from active to active is not allowed<br /><br />\n\n\n\n </body>\n</html>",
              "Image status transition from active to active is not allowed"),
    "identity": ({"error": {"code": 403, "message": "You are not authorized to perform the requested action: "
                                                    "identity:list_projects.", "title": "Forbidden"}},
                 "identity:list_projects"),
    "placement": ({"errors": [{"status": 409, "title": "Conflict", "detail": "There was a conflict when trying to "
                               "complete your request.\n\n resource provider generation conflict",
                               "code": "placement.concurrent_update", "request_id": "req-p"}]},
                  "resource provider generation conflict"),
    "baremetal": ({"error_message": json.dumps({"faultstring": "Access was denied to the following resource: "
                                                               "baremetal:node:list", "faultcode": "Client",
                                                "debuginfo": None})}, "baremetal:node:list"),
}

#: each service's 404 body
NOT_FOUND = {
    "compute": {"itemNotFound": {"code": 404, "message": "Instance %s could not be found." % SERVER_ID}},
    "network": {"NeutronError": {"type": "PortNotFound", "message": "Port %s could not be found." % PORT_ID,
                                 "detail": ""}},
    "block-storage": {"itemNotFound": {"code": 404, "message": "Volume %s could not be found." % VOLUME_ID}},
    "image": "<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n  "
             "No image found with ID %s<br /><br />\n\n\n\n </body>\n</html>" % IMAGE_ID,
    "identity": {"error": {"code": 404, "message": "Could not find project: nope.", "title": "Not Found"}},
    "placement": {"errors": [{"status": 404, "title": "Not Found", "detail": "No resource provider with uuid x "
                              "found", "request_id": "req-p"}]},
    "baremetal": {"error_message": json.dumps({"faultstring": "Node x could not be found.", "faultcode": "Client",
                                               "debuginfo": None})},
}
