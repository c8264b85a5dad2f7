# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations


class ModuleDocFragment:
    # The same connection options as the openstack.cloud collection, so a
    # playbook can move between the two without changing its settings.
    DOCUMENTATION = r"""
options:
  cloud:
    description:
      - Named cloud from C(clouds.yaml), or a dict of cloud settings (as openstack.cloud accepts).
      - If not given, openstacksdk uses C(OS_CLOUD) or the C(OS_*) environment variables.
      - Set it once for all modules of this collection with
        C(module_defaults) and the action group C(group/osfleet.day2.fleet).
    type: raw
  auth:
    description:
      - Dictionary of authentication settings (C(auth_url), C(username), C(password), C(project_name), ...)
        that override or replace those of O(cloud).
    type: dict
  auth_type:
    description:
      - Name of the keystoneauth plugin to use, for example C(password), C(v3applicationcredential) or C(token).
    type: str
  region_name:
    description:
      - Region of the cloud to act on.
    type: str
  validate_certs:
    description:
      - Whether to verify TLS certificates of the API endpoints.
      - If unset, the C(verify) setting of the cloud in C(clouds.yaml) applies, and certificates are verified
        when that is unset too. Turning verification off is for labs only.
    type: bool
    aliases: [verify]
  ca_cert:
    description:
      - A CA bundle to verify the API endpoints' certificates against.
    type: path
    aliases: [cacert]
  client_cert:
    description:
      - A client certificate for TLS client authentication.
    type: path
    aliases: [cert]
  client_key:
    description:
      - The key of O(client_cert), if it is not in the same file.
    type: path
    aliases: [key]
  interface:
    description:
      - Which endpoint type of the service catalog to use.
    type: str
    default: public
    choices: [admin, internal, public]
    aliases: [endpoint_type]
  api_timeout:
    description:
      - Seconds to wait for one API request before giving up.
    type: int
requirements:
  - python >= 3.9
  - openstacksdk >= 4.0.0
notes:
  - Connection errors and failed API calls end the task with a message naming the call and the resource.
"""
