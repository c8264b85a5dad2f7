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

import traceback
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import DependencyError, ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.version import COLLECTION_VERSION
# api_call lives with the error shape; imported here too because callers outside the layer take it from here
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.errors import api_call  # noqa: F401  pylint: disable=unused-import

try:
    import openstack
    import openstack.config

    HAS_OPENSTACKSDK = True
    OPENSTACKSDK_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the import sanity test
    openstack = None
    HAS_OPENSTACKSDK = False
    OPENSTACKSDK_IMPORT_ERROR = traceback.format_exc()

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
    """Return an ``openstack.connection.Connection`` for these options, counting its requests.

    ``timing=True`` is openstacksdk's name for keystoneauth's
    ``collect_timing``: the CloudRegion hands it to the Session it builds, and
    the Session then keeps one record per HTTP request it sends (see
    :func:`requests_made`).
    """
    require_openstacksdk()
    kwargs = options.connect_kwargs()
    kwargs["timing"] = True
    with api_call("connect", resource=_cloud_label(options)):
        return openstack.connect(app_name=app_name, app_version=COLLECTION_VERSION, **kwargs)


def configured_regions(cloud: Any) -> Optional[List[str]]:
    """The regions clouds.yaml lets the named cloud use (its ``region_name``, or its ``regions``); None when it
    pins none (any region of the catalog), or when ``cloud`` is no clouds.yaml name. openstacksdk refuses a
    region outside these, so a reader of "every region" reads the catalog's regions that are also here."""
    if not isinstance(cloud, str) or not cloud or not HAS_OPENSTACKSDK:
        return None
    try:
        config = openstack.config.OpenStackConfig()
        if cloud not in config.get_cloud_names():
            return None
        # the loader's own reading of region_name / regions (get_all() would give the same, but fails on any
        # other cloud of the file that has no settings)
        regions = [r.get("name") for r in config._get_known_regions(cloud)]  # pylint: disable=protected-access
    except Exception:  # pylint: disable=broad-except  # unreadable config: the connection says so itself
        return None
    named = [r for r in regions if r]
    return named or None


def connect_cloud(options: CloudOptions, app_name: str = "osfleet.day2"):
    """The :class:`~._openstack.cloud.Cloud` (every facade of the access layer) for these options."""
    from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud  # a cycle otherwise

    return Cloud(connect(options, app_name=app_name))


def count_requests_of(region: Any) -> Any:
    """Make a connection built from this CloudRegion count its requests, as :func:`connect` does.

    For connections built outside :func:`connect`, like the inventory plugin's
    ``openstack.connection.Connection(config=region)`` from an
    ``OpenStackConfig``: call it on the region before the connection (so the
    keystoneauth Session) is made. Returns the region.
    """
    region.config["timing"] = True
    session = getattr(region, "_keystone_session", None)
    if session is not None and not getattr(session, "_collect_timing", True):
        # already built without it: keystoneauth reads the flag on every request
        session._collect_timing = True  # pylint: disable=protected-access
    return region


def requests_made(conn: Any) -> int:
    """HTTP requests this connection's session has sent so far: API calls, discovery and authentication.

    keystoneauth appends one timing record per response it gets (redirects
    included) in ``Session.request``, which every SDK proxy call, every raw
    adapter call, every version discovery and every token request goes
    through; a list append is atomic, so threads sharing the connection are
    counted right without a lock of ours. 0 for a connection that does not
    collect timings.
    """
    session = getattr(conn, "session", None)
    get_timings = getattr(session, "get_timings", None)
    return len(get_timings()) if get_timings is not None else 0


def _cloud_label(options: CloudOptions) -> str:
    if isinstance(options.cloud, str) and options.cloud:
        return "cloud %s" % options.cloud
    if options.auth and options.auth.get("auth_url"):
        return "cloud at %s" % options.auth["auth_url"]
    return "the default cloud"
