# -*- coding: utf-8 -*-
"""A fake API adapter served over the stubbed cloud's HTTP.

Some tests describe an API as a small object whose ``get(path, params=...,
microversion=...)`` answers with a :class:`json_response.Response` (the
recorded shape of each listing). :func:`serve_adapter` puts such an object
behind the stubbed endpoints of one or more services, so the code under test
runs the real access layer, keystoneauth and the SDK's adapters, and the fake
only answers what arrives over HTTP: path, query (numbers as numbers, as the
callers wrote them) and the microversion header.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterable

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import (
    API,
    path_of,
    query,
)


def _value(text: str) -> Any:
    return int(text) if text.isdigit() else text


def serve_adapter(stub, services: Iterable[str], fake) -> None:
    """Answer every GET to ``services`` (service types of the stub's catalog) with ``fake.get(...)``."""
    def respond(request, context):
        params = {k: _value(v[0]) if len(v) == 1 else [_value(x) for x in v] for k, v in query(request).items()}
        header = request.headers.get("OpenStack-API-Version")
        microversion = header.split(" ", 1)[1] if header else None
        answer = fake.get(path_of(request), params=params, microversion=microversion)
        context.status_code = answer.status_code
        context.headers.update(answer.headers)
        context.headers["Content-Type"] = "application/json"
        body = answer._body  # pylint: disable=protected-access  # the fake's own response object
        return body if isinstance(body, str) else json.dumps(body)

    for service in services:
        stub.mocker.register_uri("GET", re.compile(re.escape(API[service]) + r"/.+"), text=respond)
