# -*- coding: utf-8 -*-
"""The Glance facade over a stubbed cloud: request, result, 404 and Glance's own (HTML) error page."""
from __future__ import annotations

import hashlib
import json

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError
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
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import path_of, query

IMG = b.IMAGE_ID
DATA = b"hello world"


def holding(data, **changes):
    """The image record of an image holding ``data`` (the SDK checks a download against its hash)."""
    return b.image(size=len(data), checksum=hashlib.md5(data).hexdigest(), os_hash_algo="sha512",  # nosec
                   os_hash_value=hashlib.sha512(data).hexdigest(), **changes)


SHOW = ("GET", "image", "/images/" + IMG, holding(DATA), 200)

CASES = [
    Case("images_named", lambda c: c.glance.images_named("osfleet-case-case-1-record"), "GET", "image", "/images",
         {"images": [b.IMAGE, b.image(id="other", name="osfleet-case-case-1-record-old")],
          "first": "/v2/images?name=osfleet-case-case-1-record", "schema": "/v2/schemas/images"},
         query={"name": ["osfleet-case-case-1-record"]}, resource="osfleet-case-case-1-record",
         check=lambda found: [(i.id, i.status, i.visibility) for i in found] == [(IMG, "active", "private")]),
    Case("get_image", lambda c: c.glance.get_image(IMG), "GET", "image", "/images/" + IMG, b.IMAGE, query={},
         check=lambda image: (image.id, image.owner, image.tags) == (IMG, b.PROJECT, b.IMAGE["tags"])),
    Case("delete_image", lambda c: c.glance.delete_image(IMG), "DELETE", "image", "/images/" + IMG, "", status=204,
         missing=IGNORED),
    # the SDK shows the image first (its download follows the image's ``file`` link), then reads the data
    Case("download", lambda c: c.glance.download(IMG), "GET", "image", "/images/%s/file" % IMG, DATA, routes=[SHOW],
         resource=IMG, check=lambda data: data == DATA),
    Case("sha256", lambda c: c.glance.sha256(IMG), "GET", "image", "/images/%s/file" % IMG, DATA, routes=[SHOW],
         resource=IMG, check=lambda got: got == (hashlib.sha256(DATA).hexdigest(), len(DATA))),
    # Glance v2 updates are JSON patches
    Case("set_visibility", lambda c: c.glance.set_visibility(IMG, "shared"), "PATCH", "image", "/images/" + IMG,
         b.image(visibility="shared"), json=[{"op": "add", "path": "/visibility", "value": "shared"}],
         check=lambda image: image.visibility == "shared"),
    Case("members", lambda c: c.glance.members(IMG), "GET", "image", "/images/%s/members" % IMG,
         {"members": [b.MEMBER], "schema": "/v2/schemas/members"}, query={}, resource=IMG,
         check=lambda found: [(m.member_id, m.status) for m in found] == [("evidence-project", "pending")]),
    Case("add_member", lambda c: c.glance.add_member(IMG, "evidence-project"), "POST", "image",
         "/images/%s/members" % IMG, b.MEMBER, json={"member": "evidence-project"},
         resource="%s for evidence-project" % IMG, check=lambda member: member.status == "pending"),
    Case("accept_member", lambda c: c.glance.accept_member(IMG, "evidence-project"), "PUT", "image",
         "/images/%s/members/evidence-project" % IMG, dict(b.MEMBER, status="accepted"),
         json={"member": "evidence-project", "status": "accepted"}, resource="%s for evidence-project" % IMG,
         check=lambda member: member.status == "accepted"),
    Case("add_tag", lambda c: c.glance.add_tag(IMG, "osfleet-unused-notified-at:2026-12-02T13:00:00Z"), "PUT", "image",
         "/images/%s/tags/osfleet-unused-notified-at:2026-12-02T13:00:00Z" % IMG, "", status=204, json=None,
         resource=IMG),
    Case("remove_tag", lambda c: c.glance.remove_tag(IMG, "osfleet-unused-notified-at:2026-12-02T13:00:00Z"), "DELETE", "image",
         "/images/%s/tags/osfleet-unused-notified-at:2026-12-02T13:00:00Z" % IMG, "", status=204, json=None, resource=IMG, missing=IGNORED),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_the_request_on_the_wire_and_its_result(stub, cloud, case):
    check_call(stub, cloud, case)


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_glances_refusal_is_a_cloud_error_with_its_message_and_request_id(stub, cloud, case):
    check_refusal(stub, cloud, case)


@pytest.mark.parametrize("case", with_404(CASES), ids=ids(with_404(CASES)))
def test_a_404(stub, cloud, case):
    check_missing(stub, cloud, case)


def test_upload_image_creates_a_private_raw_image_puts_its_data_and_waits_until_active(stub, cloud):
    stub.route("POST", "image", "/images", b.image(status="queued", size=None, checksum=None), status=201)
    stub.route("PUT", "image", "/images/%s/file" % IMG, "", status=204)
    stub.route("GET", "image", "/images/" + IMG, b.image(status="active"))
    image = cloud.glance.upload_image("osfleet-case-case-1-record", DATA, ["osfleet-case:case-1", "osfleet-record"],
                                      timeout=30)
    assert image.status == "active"
    create, put, show = stub.calls()
    assert (create.method, put.method, show.method) == ("POST", "PUT", "GET")
    sent = json.loads(create.body)
    assert {k: sent[k] for k in ("name", "disk_format", "container_format", "visibility", "tags")} == {
        "name": "osfleet-case-case-1-record", "disk_format": "raw", "container_format": "bare",
        "visibility": "private", "tags": ["osfleet-case:case-1", "osfleet-record"]}
    assert put.body == DATA and put.headers["Content-Type"] == "application/octet-stream"


def test_sha256_streams_data_larger_than_one_chunk(stub, cloud):
    data = bytes(range(256)) * 10000  # 2.5 MB
    stub.route("GET", "image", "/images/" + IMG, holding(data))
    stub.route("GET", "image", "/images/%s/file" % IMG, data)
    assert cloud.glance.sha256(IMG) == (hashlib.sha256(data).hexdigest(), len(data))


def test_wait_for_active_looks_until_active(stub, cloud):
    answers = iter(["queued", "saving", "active"])
    stub.route("GET", "image", "/images/" + IMG, lambda request, context: b.image(status=next(answers)))
    assert cloud.glance.wait_for_active(IMG, timeout=5, interval=0).status == "active"
    assert [path_of(r) for r in stub.calls()] == ["/images/" + IMG] * 3


@pytest.mark.parametrize("status", ["killed", "deactivated"])
def test_wait_for_active_of_an_image_gone_bad_names_it(stub, cloud, status):
    stub.route("GET", "image", "/images/" + IMG, b.image(status=status))
    with pytest.raises(CloudError) as err:
        cloud.glance.wait_for_active(IMG, timeout=5, interval=0)
    assert err.value.resource == IMG and status in err.value.message


def test_images_named_asks_glance_to_filter(stub, cloud):
    stub.route("GET", "image", "/images", {"images": []})
    assert cloud.glance.images_named("a name") == []
    assert query(stub.last()) == {"name": ["a name"]}


def test_a_download_that_does_not_match_glances_checksum_is_an_error(stub, cloud):
    stub.route(*SHOW[:4])
    stub.route("GET", "image", "/images/%s/file" % IMG, b"tampered!!!",
               headers={"Content-MD5": hashlib.md5(DATA).hexdigest()})  # nosec - Glance's own checksum
    with pytest.raises(CloudError) as err:
        cloud.glance.download(IMG)
    assert "does not match Glance's checksum" in err.value.message and err.value.resource == IMG


def test_an_error_page_is_never_hashed_as_the_image_data(stub, cloud):
    """The SDK hands a streamed error page back as the data; evidence must not get its hash."""
    stub.route(*SHOW[:4])
    stub.fail("GET", "image", "/images/%s/file" % IMG, 502, "<html><body><h1>502 Bad Gateway</h1>"
              "No server is available to handle this request.</body></html>")
    with pytest.raises(CloudError) as err:
        cloud.glance.sha256(IMG)
    assert err.value.status_code == 502 and "No server is available" in err.value.message
