# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Connect to OpenStack with the same options as the openstack.cloud collection.

Users switch between openstack.cloud and osfleet.day2 modules with the same
``cloud``/``auth`` settings, so the option names and their meaning are copied
from openstack.cloud. Every SDK call the core makes goes through
:func:`api_call`, which turns SDK and keystoneauth errors into
:class:`CloudError` naming the call and the resource.
"""

from __future__ import annotations

import contextlib
import traceback
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import (
    CloudError,
    DependencyError,
    NotFoundError,
    ValidationError,
)

try:
    import openstack
    from openstack import exceptions as sdk_exceptions

    HAS_OPENSTACKSDK = True
    OPENSTACKSDK_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the import sanity test
    openstack = None
    sdk_exceptions = None
    HAS_OPENSTACKSDK = False
    OPENSTACKSDK_IMPORT_ERROR = traceback.format_exc()

try:
    from keystoneauth1 import exceptions as ksa_exceptions
except ImportError:  # pragma: no cover
    ksa_exceptions = None

# The argument spec shared by every module that talks to a cloud; the
# documentation is the ``osfleet.day2.cloud`` doc fragment.
CLOUD_ARGUMENT_SPEC: Dict[str, Dict[str, Any]] = dict(
    cloud=dict(type="raw"),
    auth=dict(type="dict", no_log=True),
    auth_type=dict(type="str"),
    region_name=dict(type="str"),
    validate_certs=dict(type="bool", aliases=["verify"]),
    ca_cert=dict(type="path", aliases=["cacert"]),
    client_cert=dict(type="path", aliases=["cert"]),
    client_key=dict(type="path", no_log=False, aliases=["key"]),
    interface=dict(type="str", default="public", choices=["admin", "internal", "public"],
                   aliases=["endpoint_type"]),
    api_timeout=dict(type="int"),
)
CLOUD_OPTION_NAMES = tuple(CLOUD_ARGUMENT_SPEC)


@dataclass
class CloudOptions:
    """Connection settings, as a module or the inventory plugin received them."""

    cloud: Any = None
    auth: Optional[Dict[str, Any]] = None
    auth_type: Optional[str] = None
    region_name: Optional[str] = None
    validate_certs: Optional[bool] = None
    ca_cert: Optional[str] = None
    client_cert: Optional[str] = None
    client_key: Optional[str] = None
    interface: str = "public"
    api_timeout: Optional[int] = None
    extra: Dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: Dict[str, Any]) -> "CloudOptions":
        return cls(**{name: params.get(name) for name in CLOUD_OPTION_NAMES if params.get(name) is not None})

    def connect_kwargs(self) -> Dict[str, Any]:
        """Keyword arguments for ``openstack.connect``, as openstack.cloud builds them."""
        if self.cloud is not None and not isinstance(self.cloud, (str, dict)):
            raise ValidationError("cloud must be a cloud name or a dict of cloud settings", field="cloud")
        if self.client_key and not self.client_cert:
            raise ValidationError("client_key needs client_cert", field="client_key")
        kwargs: Dict[str, Any] = dict(self.extra)
        if isinstance(self.cloud, dict):
            kwargs.update(self.cloud)
        elif self.cloud:
            kwargs["cloud"] = self.cloud
        for name, sdk_name in (("auth", "auth"), ("auth_type", "auth_type"),
                               ("region_name", "region_name"), ("validate_certs", "verify"),
                               ("ca_cert", "cacert"), ("client_cert", "cert"), ("client_key", "key"),
                               ("api_timeout", "api_timeout")):
            value = getattr(self, name)
            if value is not None:
                kwargs[sdk_name] = value
        kwargs["interface"] = self.interface or "public"
        return kwargs


def require_openstacksdk() -> None:
    if not HAS_OPENSTACKSDK:
        raise DependencyError(
            "the openstacksdk Python library is required (pip install openstacksdk)",
            details={"import_error": OPENSTACKSDK_IMPORT_ERROR},
        )


def connect(options: CloudOptions, app_name: str = "osfleet.day2"):
    """Return an ``openstack.connection.Connection`` for these options."""
    require_openstacksdk()
    kwargs = options.connect_kwargs()
    with api_call("connect", resource=_cloud_label(options)):
        return openstack.connect(app_name=app_name, app_version="0.1.0", **kwargs)


def _cloud_label(options: CloudOptions) -> str:
    if isinstance(options.cloud, str) and options.cloud:
        return "cloud %s" % options.cloud
    if options.auth and options.auth.get("auth_url"):
        return "cloud at %s" % options.auth["auth_url"]
    return "the default cloud"


@contextlib.contextmanager
def api_call(call: str, resource: Optional[str] = None) -> Iterator[None]:
    """Turn any SDK/keystoneauth error raised inside into a CloudError.

    ``call`` is what we were doing ("disable compute service"), ``resource``
    what we did it to ("nova-compute on compute-01"); both end up in the
    message so an operator reading a failed task knows where to look.
    """
    try:
        yield
    except (CloudError, NotFoundError, ValidationError):
        raise
    except Exception as exc:  # classified below; anything else propagates
        translated = _translate(exc, call, resource)
        if translated is None:
            raise
        raise translated from exc


def _translate(exc: Exception, call: str, resource: Optional[str]):
    where = "%s (%s)" % (call, resource) if resource else call
    if sdk_exceptions is not None:
        if isinstance(exc, sdk_exceptions.NotFoundException):
            return NotFoundError("%s: not found: %s" % (where, _detail(exc)), resource=resource,
                                 details={"call": call})
        if isinstance(exc, sdk_exceptions.HttpException):
            status = getattr(exc, "status_code", None)
            return CloudError("%s failed%s: %s" % (where, " (HTTP %s)" % status if status else "", _detail(exc)),
                              call=call, resource=resource, status_code=status,
                              request_id=getattr(exc, "request_id", None))
        if isinstance(exc, sdk_exceptions.SDKException):
            return CloudError("%s failed: %s" % (where, _detail(exc)), call=call, resource=resource)
    if ksa_exceptions is not None and isinstance(exc, ksa_exceptions.ClientException):
        status = getattr(exc, "http_status", None)
        return CloudError("%s failed%s: %s" % (where, " (HTTP %s)" % status if status else "", exc),
                          call=call, resource=resource, status_code=status)
    return None


def _detail(exc: Exception) -> str:
    details = getattr(exc, "details", None)
    message = getattr(exc, "message", None) or str(exc)
    if details and details not in message:
        return "%s: %s" % (message, details)
    return message
