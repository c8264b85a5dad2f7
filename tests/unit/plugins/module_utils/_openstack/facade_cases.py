# -*- coding: utf-8 -*-
"""One facade call as a table row, and the three things every row is tested for.

* ``check_call``: the request on the wire (method, path, query, JSON body, the
  microversion header) and what the facade made of the answer;
* ``check_refusal``: the service's own error body becomes a CloudError whose
  message names the call and the resource and carries the service's words,
  with its status and request id;
* ``check_missing``: a 404 is what the method promises (None, NotFoundError,
  or nothing at all for a delete of something already gone).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError, NotFoundError
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.bodies import ERRORS, NOT_FOUND
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import (
    microversion,
    path_of,
    query,
)

ANY = object()
#: what a 404 gives: the method returns None, raises NotFoundError, or shrugs (a delete of what is gone)
NONE, NOT_FOUND_ERROR, IGNORED = "none", "not_found", "ignored"


@dataclass
class Case:
    name: str
    call: Callable[[Any], Any]
    method: str
    service: str
    path: str
    answer: Any = None
    status: int = 200
    query: Any = ANY            # the query as parse_qs gives it ({} for none)
    json: Any = ANY             # the JSON body sent (None for no body)
    mv: Any = ANY               # the microversion header's value (None: no header)
    check: Callable[[Any], Any] = lambda result: result is None  # what the result must satisfy
    missing: Optional[str] = NOT_FOUND_ERROR
    refusal: int = 409           # the status of the refusal test; 0: this call swallows refusals (by design)
    routes: List[tuple] = field(default_factory=list)  # other (method, service, path, answer, status) it needs
    resource: Optional[str] = None  # what the error message must name (default: the last path segment)

    def __str__(self):
        return self.name


def ids(cases):
    return [c.name for c in cases]


def _route_extra(stub, case):
    for method, service, path, answer, status in case.routes:
        stub.route(method, service, path, answer, status=status)


def sent(stub, case):
    """The requests the case's call made to its own path."""
    return [r for r in stub.calls(case.service) if r.method == case.method and path_of(r) == case.path]


def check_call(stub, cloud, case: Case) -> None:
    _route_extra(stub, case)
    stub.route(case.method, case.service, case.path, case.answer, status=case.status)
    result = case.call(cloud)
    requests = sent(stub, case)
    assert len(requests) == 1, [(r.method, r.url) for r in stub.calls()]
    request = requests[0]
    if case.query is not ANY:
        assert query(request) == case.query, request.url
    if case.json is not ANY:
        body = json.loads(request.body) if request.body else None
        assert body == case.json
    if case.mv is not ANY:
        assert microversion(request, _header_service(case.service)) == case.mv, dict(request.headers)
    assert case.check(result), result


def check_refusal(stub, cloud, case: Case) -> None:
    status = case.refusal or 409
    body, words = ERRORS[case.service]
    _route_extra(stub, case)
    stub.fail(case.method, case.service, case.path, status, body, request_id="req-refused-1")
    if not case.refusal:
        assert case.call(cloud) is None
        return
    with pytest.raises(CloudError) as err:
        case.call(cloud)
    error = err.value
    assert error.status_code == status and error.request_id == "req-refused-1"
    assert words in error.message and "(HTTP %d)" % status in error.message
    assert error.call and error.message.startswith(error.call)
    resource = case.path.rstrip("/").split("/")[-1] if case.resource is None else case.resource
    assert resource in error.message and error.resource == (resource or None)
    assert error.to_result()["details"] == {"call": error.call, "status_code": status,
                                            "request_id": "req-refused-1"}


def check_missing(stub, cloud, case: Case) -> None:
    _route_extra(stub, case)
    stub.fail(case.method, case.service, case.path, 404, NOT_FOUND[case.service], request_id="req-gone-1")
    if case.missing == NONE:
        assert case.call(cloud) is None
    elif case.missing == IGNORED:
        case.call(cloud)
    else:
        with pytest.raises(NotFoundError) as err:
            case.call(cloud)
        assert "not found" in err.value.message
        assert err.value.details["status_code"] == 404 and err.value.details["request_id"] == "req-gone-1"


def _header_service(service: str) -> str:
    return {"block-storage": "volume"}.get(service, service)


def with_404(cases):
    return [c for c in cases if c.missing is not None]


def body_of(request) -> Dict[str, Any]:
    return json.loads(request.body) if request.body else {}
