# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""One error shape for every OpenStack call: what we did, to what, and what the service said.

A failed call becomes a :class:`CloudError` (a :class:`NotFoundError` for
HTTP 404) whose message reads ``<call> (<resource>) failed (HTTP <status>):
<the service's own message>`` and which carries ``status_code`` and the
``request_id`` an operator greps the service's logs for. Both ways we reach
a service end here: an SDK proxy call raises an openstacksdk or keystoneauth
exception, which :func:`api_call` translates; a raw JSON call looks at its
response with :func:`raise_for_response`. Either way the message comes from
:func:`error_message`, the one parser of the error bodies OpenStack services
write, so the same failure reads the same whichever way it was reached.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any, Iterator, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import (
    CloudError,
    ConflictError,
    Day2Error,
    NotFoundError,
)

try:
    from openstack import exceptions as sdk_exceptions
except ImportError:  # pragma: no cover - exercised by the import sanity test
    sdk_exceptions = None

try:
    from keystoneauth1 import exceptions as ksa_exceptions
except ImportError:  # pragma: no cover
    ksa_exceptions = None

#: how much of a service's message goes into ours (an HTML error page can be long)
MESSAGE_LIMIT = 300
_TAGS = re.compile(r"<[^>]+>")
_HEAD = re.compile(r"<head.*?</head>", re.IGNORECASE | re.DOTALL)  # the <title> repeats the page's <h1>
_SPACE = re.compile(r"\s+")


def where(call: str, resource: Optional[str]) -> str:
    """``call (resource)``: the start of every message."""
    return "%s (%s)" % (call, resource) if resource else call


def request_id(response: Any) -> Optional[str]:
    """The id the service logged the request under (Nova also sends it as ``x-compute-request-id``)."""
    headers = getattr(response, "headers", None) or {}
    return headers.get("x-openstack-request-id") or headers.get("x-compute-request-id") or None


def error_message(response: Any) -> str:
    """The service's own words from an error response, as every OpenStack service writes them.

    * Nova, Cinder and most others: ``{"itemNotFound": {"code": 404, "message": "..."}}``
    * Neutron: ``{"NeutronError": {"type": ..., "message": "...", "detail": ""}}``
    * Keystone: ``{"error": {"code": 403, "message": "...", "title": "Forbidden"}}``
    * Ironic: ``{"error_message": "{\\"faultstring\\": \\"...\\", ...}"}`` (JSON inside a string)
    * Placement: ``{"errors": [{"status": 409, "title": "Conflict", "detail": "..."}]}``
    * Glance, proxies and load balancers: plain text or an HTML page.
    """
    try:
        body = response.json()
    except (ValueError, TypeError, AttributeError):
        body = None
    if body is not None:
        message = _from_json(body)
        if message:
            return _cut(message)
    text = getattr(response, "text", "") or ""
    if text.lstrip().startswith("<"):
        text = _TAGS.sub(" ", _HEAD.sub(" ", text))
    text = _SPACE.sub(" ", text).strip()
    if text:
        return _cut(text)
    return getattr(response, "reason", None) or "no message"


def _from_json(body: Any) -> Optional[str]:
    if isinstance(body, str):  # Ironic's error_message, or a service answering a bare JSON string
        try:
            inner = json.loads(body)
        except ValueError:
            return body
        return _from_json(inner) if isinstance(inner, (dict, list)) else str(inner)
    if isinstance(body, list):
        details = [_from_json(item) for item in body]
        return "; ".join(d for d in details if d) or None
    if not isinstance(body, dict):
        return None
    if "error_message" in body:
        return _from_json(body["error_message"])
    if isinstance(body.get("errors"), list):
        return _from_json(body["errors"])
    for key in ("message", "faultstring", "detail"):
        if isinstance(body.get(key), str) and body[key]:
            return body[key]
    for value in body.values():  # {"itemNotFound": {...}}, {"NeutronError": {...}}, {"error": {...}}
        if isinstance(value, dict):
            found = _from_json(value)
            if found:
                return found
    return None


def _cut(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT - 3] + "..."


def raise_for_response(response: Any, call: str, resource: Optional[str] = None) -> Any:
    """Return ``response`` when it succeeded; else raise NotFoundError (404) or CloudError."""
    status = response.status_code
    if status < 400:
        return response
    raise http_error(status, error_message(response), request_id(response), call, resource)


def http_error(status: Optional[int], message: str, req_id: Optional[str], call: str,
               resource: Optional[str]) -> Day2Error:
    """The error for a failed HTTP call (NotFoundError is a 404; it keeps status and request id in details)."""
    if status == 404:
        details = {"call": call, "status_code": 404}
        if req_id:
            details["request_id"] = req_id
        return NotFoundError("%s: not found: %s" % (where(call, resource), message), resource=resource,
                             details=details)
    return CloudError("%s failed%s: %s" % (where(call, resource), " (HTTP %s)" % status if status else "", message),
                      call=call, resource=resource, status_code=status, request_id=req_id)


@contextlib.contextmanager
def api_call(call: str, resource: Optional[str] = None) -> Iterator[None]:
    """Turn any SDK/keystoneauth error raised inside into a CloudError.

    ``call`` is what we were doing ("disable compute service"), ``resource``
    what we did it to ("nova-compute on compute-01"); both end up in the
    message so an operator reading a failed task knows where to look. Our
    own errors (already shaped) pass through; programming errors propagate.
    """
    try:
        yield
    except Day2Error:
        raise
    except Exception as exc:  # classified below; anything else propagates
        translated = translate(exc, call, resource)
        if translated is None:
            raise
        raise translated from exc


def translate(exc: Exception, call: str, resource: Optional[str]) -> Optional[Day2Error]:
    """The Day2Error for an openstacksdk or keystoneauth exception; None for anything else."""
    if sdk_exceptions is not None:
        if isinstance(exc, sdk_exceptions.HttpException):
            response = getattr(exc, "response", None)
            if response is not None:
                return http_error(response.status_code, error_message(response), request_id(response), call,
                                  resource)
            status = getattr(exc, "status_code", None)
            if status is None and isinstance(exc, sdk_exceptions.NotFoundException):
                status = 404
            return http_error(status, _sdk_detail(exc), getattr(exc, "request_id", None), call, resource)
        if isinstance(exc, sdk_exceptions.DuplicateResource):
            return ConflictError("%s: %s" % (where(call, resource), exc.message), resource=resource,
                                 details={"call": call})
        if isinstance(exc, sdk_exceptions.SDKException):
            return CloudError("%s failed: %s" % (where(call, resource), _sdk_detail(exc)), call=call,
                              resource=resource)
    if ksa_exceptions is not None and isinstance(exc, ksa_exceptions.ClientException):
        response = getattr(exc, "response", None)
        if response is not None and getattr(response, "status_code", None):
            return http_error(response.status_code, error_message(response), request_id(response), call, resource)
        status = getattr(exc, "http_status", None)
        return http_error(status, str(exc), getattr(exc, "request_id", None), call, resource)
    return None


def _sdk_detail(exc: Exception) -> str:
    details = getattr(exc, "details", None)
    message = getattr(exc, "message", None) or str(exc)
    if details and str(details) not in message:
        return "%s: %s" % (message, details)
    return message
