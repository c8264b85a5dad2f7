# -*- coding: utf-8 -*-
"""One error shape: every service's error body parsed by one function, and both ways of reaching a
service (SDK exceptions, raw responses) ending in the same NotFoundError / CloudError."""
from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import (
    CloudError,
    ConflictError,
    NotFoundError,
    ValidationError,
)
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.errors import (
    MESSAGE_LIMIT,
    api_call,
    error_message,
    raise_for_response,
    request_id,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack import bodies as b


def response(status, body, headers=None, reason=None):
    """A real requests.Response, as keystoneauth hands it over."""
    resp = requests.Response()
    resp.status_code = status
    resp.reason = reason
    if isinstance(body, (dict, list)):
        resp._content = json.dumps(body).encode()
        resp.headers["Content-Type"] = "application/json"
    else:
        resp._content = (body or "").encode()
        resp.headers["Content-Type"] = "text/html; charset=UTF-8"
    resp.headers.update(headers or {})
    resp.encoding = "utf-8"
    return resp


@pytest.mark.parametrize("service", sorted(b.ERRORS))
def test_every_services_error_body_gives_its_own_words(service):
    body, words = b.ERRORS[service]
    assert words in error_message(response(409, body))


@pytest.mark.parametrize("body, message", [
    ({"itemNotFound": {"code": 404, "message": "Instance x could not be found."}}, "Instance x could not be found."),
    ({"NeutronError": {"type": "PortNotFound", "message": "Port p could not be found.", "detail": ""}},
     "Port p could not be found."),
    ({"error": {"code": 401, "message": "The request you have made requires authentication.",
                "title": "Unauthorized"}}, "The request you have made requires authentication."),
    ({"error_message": json.dumps({"faultstring": "Node n is locked by host c1.", "faultcode": "Client",
                                   "debuginfo": None})}, "Node n is locked by host c1."),
    ({"error_message": "a plain string, not JSON"}, "a plain string, not JSON"),
    ({"error_message": {"faultstring": "already decoded", "faultcode": "Client"}}, "already decoded"),
    ({"errors": [{"status": 400, "title": "Bad Request", "detail": "JSON does not validate"},
                 {"status": 400, "title": "Bad Request", "detail": "a second one"}]},
     "JSON does not validate; a second one"),
    ({"message": "top-level message", "code": 400}, "top-level message"),
    ("Request Entity Too Large", "Request Entity Too Large"),
    ("<html><head><title>503 Service Unavailable</title></head><body><h1>503 Service Unavailable</h1>\n"
     "No server is available to handle this request.\n</body></html>",
     "503 Service Unavailable No server is available to handle this request."),
])
def test_error_bodies(body, message):
    assert error_message(response(400, body)) == message


def test_an_empty_body_gives_the_reason():
    assert error_message(response(502, "", reason="Bad Gateway")) == "Bad Gateway"
    assert error_message(response(502, "")) == "no message"


def test_a_json_body_without_a_message_is_shown_as_text():
    assert error_message(response(400, {"weird": [1, 2]})) == '{"weird": [1, 2]}'


def test_long_messages_are_cut():
    text = error_message(response(500, "x" * 5000))
    assert len(text) == MESSAGE_LIMIT and text.endswith("...")


@pytest.mark.parametrize("headers, expected", [
    ({"x-openstack-request-id": "req-a", "x-compute-request-id": "req-b"}, "req-a"),
    ({"x-compute-request-id": "req-b"}, "req-b"),
    ({}, None),
])
def test_the_request_id(headers, expected):
    assert request_id(response(500, "", headers)) == expected


def test_raise_for_response_lets_a_success_through():
    ok = response(200, {"servers": []})
    assert raise_for_response(ok, "list servers") is ok


def test_raise_for_response_404_is_not_found_with_status_and_request_id():
    with pytest.raises(NotFoundError) as err:
        raise_for_response(response(404, b.NOT_FOUND["compute"], {"x-openstack-request-id": "req-404"}),
                           "show server", "s-1")
    assert err.value.message == "show server (s-1): not found: Instance %s could not be found." % b.SERVER_ID
    assert err.value.resource == "s-1"
    assert err.value.details == {"call": "show server", "status_code": 404, "request_id": "req-404"}


def test_raise_for_response_of_a_refusal_is_a_cloud_error():
    body, _words = b.ERRORS["placement"]
    with pytest.raises(CloudError) as err:
        raise_for_response(response(409, body, {"x-openstack-request-id": "req-409"}), "set inventory", "rp-1")
    assert err.value.message.startswith("set inventory (rp-1) failed (HTTP 409): There was a conflict")
    assert (err.value.call, err.value.resource, err.value.status_code, err.value.request_id) == (
        "set inventory", "rp-1", 409, "req-409")


# -- api_call: the SDK and keystoneauth exceptions ----------------------------------------------------------

def test_an_sdk_http_error_is_read_from_its_response_like_a_raw_one():
    from openstack import exceptions as sdk_exc
    body, _words = b.ERRORS["network"]
    resp = response(409, body, {"x-openstack-request-id": "req-n"})
    with pytest.raises(CloudError) as err:
        with api_call("update port", "p-1"):
            sdk_exc.raise_from_response(resp)
    assert err.value.message == "update port (p-1) failed (HTTP 409): Port %s is still in use." % b.PORT_ID
    assert err.value.request_id == "req-n" and err.value.status_code == 409


def test_an_sdk_404_is_not_found():
    from openstack import exceptions as sdk_exc
    with pytest.raises(NotFoundError) as err:
        with api_call("get server", resource="vm-1"):
            raise sdk_exc.NotFoundException(message="No Server found for vm-1")
    assert err.value.message == "get server (vm-1): not found: No Server found for vm-1"


def test_an_sdk_duplicate_is_a_conflict():
    from openstack import exceptions as sdk_exc
    with pytest.raises(ConflictError) as err:
        with api_call("find server", "web"):
            raise sdk_exc.DuplicateResource("More than one Server exists with the name 'web'.")
    assert err.value.resource == "web" and "More than one" in err.value.message


def test_an_sdk_timeout_is_a_cloud_error_naming_the_call():
    from openstack import exceptions as sdk_exc
    with pytest.raises(CloudError) as err:
        with api_call("wait for server ACTIVE", "s-1"):
            raise sdk_exc.ResourceTimeout("Timeout waiting for Server:s-1 to transition to ACTIVE")
    assert err.value.message == "wait for server ACTIVE (s-1) failed: Timeout waiting for Server:s-1 to transition " \
                                "to ACTIVE"
    assert err.value.status_code is None


def test_a_keystoneauth_http_error_is_read_from_its_response():
    from keystoneauth1 import exceptions as ksa
    resp = response(401, {"error": {"code": 401, "message": "The request you have made requires authentication.",
                                    "title": "Unauthorized"}}, {"x-openstack-request-id": "req-k"})
    with pytest.raises(CloudError) as err:
        with api_call("connect", "cloud lab"):
            raise ksa.from_response(resp, "POST", "http://keystone/v3/auth/tokens")
    assert err.value.message == "connect (cloud lab) failed (HTTP 401): The request you have made requires " \
                                "authentication."
    assert err.value.request_id == "req-k"


def test_a_keystoneauth_transport_error_is_a_cloud_error():
    from keystoneauth1 import exceptions as ksa
    with pytest.raises(CloudError) as err:
        with api_call("connect", resource="cloud lab"):
            raise ksa.ConnectFailure("Unable to establish connection to http://127.0.0.1:1")
    assert err.value.call == "connect" and "Unable to establish connection" in err.value.message


def test_our_own_errors_pass_through_unchanged():
    original = ValidationError("bad", field="host")
    with pytest.raises(ValidationError) as err:
        with api_call("x"):
            raise original
    assert err.value is original


def test_programming_errors_are_not_hidden():
    with pytest.raises(KeyError):
        with api_call("x"):
            raise KeyError("bug")


def test_connection_still_offers_api_call_to_its_callers():
    from ansible_collections.osfleet.day2.plugins.module_utils._openstack import connection
    assert connection.api_call is api_call
