# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The BMC map: which BMC reaches each host, read from a YAML file.

    compute-01:
      address: redfish+http://10.0.0.11/redfish/v1/Systems/1   # or ipmi://10.0.0.13:623
      username: admin
      password: secret
      type: redfish            # optional; follows the address scheme otherwise

Credentials are referenced (``credentials_ref``), not copied, unless asked.
"""

from __future__ import annotations

from typing import Any, Dict, Optional
from urllib.parse import urlparse

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

SCHEMES = {"redfish": "redfish", "redfish+http": "redfish", "redfish+https": "redfish", "https": "redfish",
           "ipmi": "ipmi"}


def bmc_type(address: str, explicit: Optional[str] = None) -> str:
    if explicit:
        if explicit not in ("redfish", "ipmi"):
            raise ValidationError("BMC type must be redfish or ipmi, not %r" % explicit, field="type")
        return explicit
    scheme = urlparse(address).scheme
    if scheme not in SCHEMES:
        raise ValidationError("BMC address %r: scheme must be one of %s" % (address, ", ".join(sorted(SCHEMES))),
                              field="address")
    return SCHEMES[scheme]


def parse_bmc_map(data: Any, source: str, with_credentials: bool = False) -> Dict[str, Dict[str, Any]]:
    """Host name -> {address, type, credentials_ref[, username, password]}."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValidationError("%s: a BMC map is a mapping of host name to BMC" % source, field="bmc_map")
    out = {}
    for host, entry in data.items():
        if not isinstance(entry, dict) or not entry.get("address"):
            raise ValidationError("%s: entry %r needs an address" % (source, host), field="bmc_map")
        bmc = {"address": entry["address"], "type": bmc_type(entry["address"], entry.get("type")),
               "credentials_ref": "%s#%s" % (source, host)}
        for key in ("system_id", "verify"):
            if key in entry:
                bmc[key] = entry[key]
        if with_credentials:
            bmc["username"] = entry.get("username")
            bmc["password"] = entry.get("password")
        out[str(host)] = bmc
    return out
