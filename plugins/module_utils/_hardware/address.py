# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""BMC addresses: the one scheme table and the one parser.

Every place that reads a BMC address goes through here: the modules' ``address`` option
(:func:`parse_address`), each entry of a BMC map file (``bmc_map.parse_bmc_map``) and the
addresses built from Ironic's ``driver_info`` (``ironic_bmcs``, with :func:`split_host_port`
and :meth:`BmcAddress.address`). They used to have a parser each, and the map's refused
``http://`` while the modules took it, so a map could not hold an address a module accepted.
The schemes are documented once, in docs/hardware.md (Addresses).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Dict, Optional, Tuple
from urllib.parse import urlparse

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

BMC_TYPES = ("redfish", "ipmi")
IPMI_PORT = 623
#: address scheme -> (protocol, transport): what each scheme means
SCHEMES: Dict[str, Tuple[str, Optional[str]]] = {
    "redfish": ("redfish", "https"),
    "redfish+https": ("redfish", "https"),
    "https": ("redfish", "https"),
    "redfish+http": ("redfish", "http"),
    "http": ("redfish", "http"),
    "ipmi": ("ipmi", None),
}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOSTNAME = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$")


@dataclass(frozen=True)
class BmcAddress:
    """Where a BMC is: protocol, host, port and (Redfish) the base URL and system path."""

    protocol: str
    host: str
    port: Optional[int]
    scheme: Optional[str] = None  # http | https (Redfish)
    system_path: Optional[str] = None  # /redfish/v1/Systems/<id>, if the address names one

    @property
    def base_url(self) -> str:
        netloc = bracket(self.host)
        if self.port:
            netloc += ":%d" % self.port
        return "%s://%s" % (self.scheme, netloc)

    @property
    def address(self) -> str:
        """The address written the one way :func:`parse_address` reads back to this object
        (``redfish+<scheme>://host[:port][/system path]``, ``ipmi://host:port``); a port that is
        the scheme's default is left out."""
        if self.protocol == "ipmi":
            return "ipmi://%s:%d" % (bracket(self.host), self.port or IPMI_PORT)
        netloc = bracket(self.host)
        if self.port and self.port != _DEFAULT_PORTS.get(self.scheme or ""):
            netloc += ":%d" % self.port
        return "redfish+%s://%s%s" % (self.scheme, netloc, self.system_path or "")


def parse_address(address: str, bmc_type: Optional[str] = None) -> BmcAddress:
    """Read ``<scheme>://host[:port][/redfish/v1/Systems/<id>]`` (schemes: :data:`SCHEMES`), or a
    bare host with ``bmc_type``.

    An explicit ``bmc_type`` wins over the scheme: ``https://bmc`` may be asked to speak IPMI
    (some BMCs are known by their web address). ValidationError names ``address`` or ``bmc_type``.
    """
    if not address:
        raise ValidationError("a BMC address is required", field="address")
    if bmc_type is not None and bmc_type not in BMC_TYPES:
        raise ValidationError("bmc_type must be redfish or ipmi, not %r" % bmc_type, field="bmc_type")
    address = str(address)
    if "://" not in address:
        if bmc_type is None:
            raise ValidationError("BMC address %r has no scheme (redfish://, redfish+http://, redfish+https://, "
                                  "ipmi://): give one or set bmc_type" % address, field="address")
        address = ("redfish://" if bmc_type == "redfish" else "ipmi://") + address
    url = urlparse(address)
    if url.scheme not in SCHEMES:
        raise ValidationError("BMC address %r: scheme must be one of %s" % (address, ", ".join(sorted(SCHEMES))),
                              field="address")
    protocol, scheme = SCHEMES[url.scheme]
    if bmc_type is not None and bmc_type != protocol:
        protocol = bmc_type
        scheme = scheme or "https"
    try:
        port = url.port
    except ValueError:
        raise ValidationError("BMC address %r: bad port" % address, field="address")
    if not url.hostname:
        raise ValidationError("BMC address %r names no host" % address, field="address")
    if protocol == "ipmi":
        return BmcAddress("ipmi", url.hostname, port or IPMI_PORT)
    path = url.path.rstrip("/")
    system_path = path if "/Systems/" in path else None
    return BmcAddress("redfish", url.hostname, port, scheme=scheme, system_path=system_path)


def split_host_port(text: str) -> Optional[Tuple[Optional[str], str, Optional[int]]]:
    """``[scheme://]host[:port][/path]`` -> (scheme or None, host, port or None); None if it is none.

    For addresses other programs write, such as Ironic's ``driver_info`` (``10.0.0.1``,
    ``10.0.0.1:623``, ``https://bmc:8443/redfish/v1``, ``fd00::1``): a bare IPv6 address is
    a host, not a host and port; any path is dropped; an address with credentials in it
    (``user@host``) is refused rather than copied.
    """
    text = text.strip()
    scheme = None
    if "://" in text:
        scheme, text = text.split("://", 1)
        scheme = scheme.lower()
    authority = text.split("/", 1)[0]
    if "@" in authority:
        return None
    host, port = authority, None
    if ip_address(authority) is not None:
        host = authority
    elif authority.startswith("["):
        end = authority.find("]")
        host, rest = authority[1:end], authority[end + 1:]
        if end < 0 or ip_address(host) is None or (rest and not rest.startswith(":")):
            return None
        port = port_number(rest[1:]) if rest else None
    elif ":" in authority:
        host, _sep, port_text = authority.rpartition(":")
        port = port_number(port_text)
    if port is False or not host or (ip_address(host) is None and not _HOSTNAME.match(host)):
        return None
    return scheme, host, port or None


def port_number(value: object) -> object:
    """An int port, None when unset, False when it is not a port (so callers can tell the two apart)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return False
    try:
        port = int(str(value).strip())
    except ValueError:
        return False
    return port if 0 < port < 65536 else False


def ip_address(text: str) -> Optional[object]:
    """The address if ``text`` is an IPv4/IPv6 address, else None."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def bracket(host: str) -> str:
    """An IPv6 host in brackets, as URLs write it."""
    return "[%s]" % host if ":" in host else host
