# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The BMC map: which BMC reaches each host, read from a YAML file.

    compute-01:
      address: redfish+http://10.0.0.11/redfish/v1/Systems/1   # or ipmi://10.0.0.13:623
      username: admin
      password: secret
      type: redfish            # optional; follows the address scheme otherwise

Each address is read by ``address.parse_address``, the parser the modules use, so the map
takes exactly the addresses the modules take (docs/hardware.md, Addresses). Credentials are
referenced (``credentials_ref``), not copied, unless asked.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.address import parse_address

#: parse_address's option names -> the key of a map entry they come from
_ENTRY_FIELDS = {"address": "address", "bmc_type": "type"}


def entry_protocol(source: str, host: Any, entry: Mapping[str, Any]) -> str:
    """The protocol (redfish, ipmi) of one map entry, as the modules would read its address.

    ValidationError: the message names the file and the entry, ``field`` the entry's key
    (``address`` or ``type``) and ``resource`` the entry (``<source>#<host>``).
    """
    try:
        return parse_address(entry["address"], entry.get("type") or None).protocol
    except ValidationError as exc:
        key = _ENTRY_FIELDS.get(exc.field, exc.field)
        raise ValidationError("%s: entry %r, %s: %s" % (source, host, key, exc.message), field=key,
                              resource="%s#%s" % (source, host))


def parse_bmc_map(data: Any, source: str, with_credentials: bool = False) -> Dict[str, Dict[str, Any]]:
    """Host name -> {address, type, credentials_ref[, system_id, verify][, username, password]}."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ValidationError("%s: a BMC map is a mapping of host name to BMC" % source, field="bmc_map")
    out = {}
    for host, entry in data.items():
        if not isinstance(entry, Mapping) or not entry.get("address"):
            raise ValidationError("%s: entry %r needs an address" % (source, host), field="bmc_map",
                                  resource="%s#%s" % (source, host))
        bmc = {"address": entry["address"], "type": entry_protocol(source, host, entry),
               "credentials_ref": "%s#%s" % (source, host)}
        for key in ("system_id", "verify"):
            if key in entry:
                bmc[key] = entry[key]
        if with_credentials:
            bmc["username"] = entry.get("username")
            bmc["password"] = entry.get("password")
        out[str(host)] = bmc
    return out


def merge_bmcs(hosts: Dict[str, Dict[str, Any]], from_map: Dict[str, Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """Set each host's ``bmc`` the inventory's way: the map's entry first, else what the host
    already has (Ironic's). ``hosts`` is a fleet snapshot's ``hosts`` (name -> host dict), changed
    in place and returned; map entries for hosts not in it are ignored.

    ``from_map`` must come from :func:`parse_bmc_map` without credentials: nothing here copies a
    username or password, and an entry that has them is refused rather than returned.
    """
    for entry in from_map.values():
        if "password" in entry or "username" in entry:
            raise ValueError("merge_bmcs takes map entries without credentials")
    for name, host in hosts.items():
        if name in from_map:
            host["bmc"] = dict(from_map[name])
    return hosts
