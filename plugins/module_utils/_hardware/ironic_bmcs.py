# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Which BMC reaches each compute host, read from OpenStack Ironic.

A cloud whose compute hosts are enrolled in Ironic already knows every BMC
address: reading it from there saves keeping a BMC map file in step. One
paginated node listing is read, each node is matched to a compute host by
name, and its ``driver_info`` becomes the same entry :func:`parse_bmc_map`
gives, with Ironic's view of the node beside it.

Credentials are never copied, not even masked ones: the entry names them by
reference (``ironic:<source>/<node uuid>``). Ironic masks passwords with
``******`` only as long as its ``show_password`` policy says so.

What a node's ``driver_info`` becomes:

* ``redfish_address`` (any driver: redfish, idrac-redfish, ilo5 with Redfish
  interfaces...) -> ``redfish+https://host[:port][/redfish_system_id]``;
  the scheme follows the address (Ironic assumes https when it has none).
* ``ipmi_address`` -> ``ipmi://host:port`` (``ipmi_port``, default 623).
  Drivers ``ipmi`` and ``intel-ipmi`` prefer it when both are set, every other
  driver prefers ``redfish_address``.
* Only a vendor address (``drac_address`` of ``idrac``, ``ilo_address`` of
  ``ilo``/``ilo5``, ``irmc_address`` of ``irmc``): these BMCs serve Redfish on
  the same web server, so the entry is ``redfish+https://host`` without a
  system path (the Redfish backend then picks the BMC's only system) and says
  ``derived_from`` which key it came from. The scheme and port are the
  vendor's own (``drac_protocol``/``drac_port``, ``irmc_port`` 80 = http,
  ``client_port``); nothing else is guessed.
* Drivers without a BMC (``fake-hardware``, ``manual-management``), any other
  vendor-only address (``ibmc_address``, ``xclarity_manager_ip``, SNMP PDUs)
  and redacted or unparsable addresses: no entry.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Tuple
from urllib.parse import urlparse

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.address import (
    IPMI_PORT,
    BmcAddress,
    port_number,
    split_host_port,
)
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.address import ip_address as _ip
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.ironic import NODE_FIELDS, PAGE_SIZE

#: the key of ``extra`` that names the compute host a node is, when its name does not
HOST_EXTRA_KEY = "osfleet_host"

#: drivers whose native protocol is IPMI: ``ipmi_address`` first when both are set
_IPMI_FIRST = frozenset(("ipmi", "intel-ipmi"))
#: drivers that never talk to a BMC, whatever their driver_info says
_NO_BMC = frozenset(("fake-hardware", "manual-management"))
#: driver -> (address key, port key, protocol key): vendor BMCs that also serve Redfish on that address
_VENDOR_REDFISH = {
    "idrac": ("drac_address", "drac_port", "drac_protocol"),
    "ilo": ("ilo_address", "client_port", None),
    "ilo5": ("ilo_address", "client_port", None),
    "irmc": ("irmc_address", "irmc_port", None),
}
_WEB_SCHEMES = ("http", "https")
_FALSE = frozenset(("0", "false", "no", "off", "n", "f"))
#: how a node was matched to a host, best first: the winner when two nodes claim one host
MATCH_RANK = {"extra": 0, "name": 1, "short_name": 2, "uuid": 3}


def read_ironic_bmcs(ironic: Any, hosts: Iterable[str], source_label: str, page_size: int = PAGE_SIZE,
                     skipped: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Dict[str, Any]]:
    """Host name -> BMC entry, for the ``hosts`` some Ironic node is.

    ``ironic`` is the access layer's Ironic (``cloud.ironic``). ``source_label``
    (``cloud/region``) goes into each ``credentials_ref``. A node is a host
    when ``extra.osfleet_host`` names it (authoritative: such a node matches
    nothing else), else when its name is the host's name, its short name or
    its FQDN, else when its UUID is the host's name (Nova's ironic driver
    names hypervisors by node UUID). Nodes that are no host are ignored.

    Two nodes claiming one host: the better match wins (``MATCH_RANK``), then
    the node Ironic lists first (enrollment order). Losers, matched nodes
    without a usable BMC address and names matching several hosts are added
    to ``skipped`` (when given) as ``{node, node_name, host, reason}``.

    Raises CloudError (with ``status_code``; NotFoundError for a 404) when the listing fails, 403 for
    credentials without ``baremetal:node:list``, so the caller decides
    whether a cloud without readable Ironic is an error.
    """
    index = _HostIndex(hosts)
    claims: Dict[str, List[Tuple[int, int, str, Dict[str, Any]]]] = {}
    for position, node in enumerate(ironic.nodes(NODE_FIELDS, page_size)):
        host, how, ambiguous = index.match(node)
        if ambiguous:
            _note(skipped, node, None, "name matches several hosts (%s); set extra.%s"
                  % (", ".join(ambiguous), HOST_EXTRA_KEY))
        if host is None:
            continue
        claims.setdefault(host, []).append((MATCH_RANK[how], position, how, node))
    out = {}
    for host, found in claims.items():
        found.sort(key=lambda claim: claim[:2])
        _rank, _position, how, node = found[0]
        for _r, _p, _h, other in found[1:]:
            _note(skipped, other, host, "host already matched by node %s" % node.get("uuid"))
        bmc, reason = bmc_from_node(node)
        if bmc is None:
            _note(skipped, node, host, reason)
            continue
        bmc["matched_by"] = how
        bmc.update(_node_view(node, source_label))
        out[host] = bmc
    return out


def bmc_from_node(node: Dict[str, Any]) -> Tuple[Optional[Dict[str, Any]], str]:
    """(BMC entry without the node's view, "") or (None, why there is none)."""
    driver = str(node.get("driver") or "")
    info = node.get("driver_info")
    if driver in _NO_BMC:
        return None, "driver %s has no BMC" % driver
    if not isinstance(info, dict) or not info:
        return None, "no driver_info"
    if "content" in info and len(info) == 1:
        return None, "driver_info redacted (needs baremetal:node:get:driver_info)"
    readers = (_ipmi, _redfish) if driver in _IPMI_FIRST else (_redfish, _ipmi)
    problems = []
    for reader in readers + (_vendor,):
        bmc, problem = reader(driver, info)
        if bmc is not None:
            return bmc, ""
        if problem:
            problems.append(problem)
    return None, "; ".join(problems) or "driver %s: no redfish or ipmi address in driver_info" % driver


def _redfish(driver: str, info: Dict[str, Any]) -> Tuple[Optional[Dict[str, Any]], str]:
    if not info.get("redfish_address"):
        return None, ""
    parsed = split_host_port(str(info["redfish_address"]))
    if parsed is None or parsed[0] not in (None,) + _WEB_SCHEMES:
        return None, "redfish_address is not an http(s) address"
    scheme, host, port = parsed
    scheme = scheme or "https"  # Ironic's default
    bmc: Dict[str, Any] = {"type": "redfish"}
    system_path = _system_path(info.get("redfish_system_id"))
    bmc["address"] = BmcAddress("redfish", host, port, scheme, system_path).address
    if system_path:
        bmc["system_id"] = system_path.rsplit("/", 1)[-1]
    if _is_false(info.get("redfish_verify_ca")):
        bmc["verify"] = False
    return bmc, ""


def _ipmi(driver: str, info: Dict[str, Any]) -> Tuple[Optional[Dict[str, Any]], str]:
    if not info.get("ipmi_address"):
        return None, ""
    parsed = split_host_port(str(info["ipmi_address"]))
    port = port_number(info.get("ipmi_port"))
    if parsed is None or parsed[0] is not None or port is False:
        return None, "ipmi_address/ipmi_port is not a host and port"
    _scheme, host, address_port = parsed
    port = port or address_port or IPMI_PORT
    return {"type": "ipmi", "address": BmcAddress("ipmi", host, port).address}, ""


def _vendor(driver: str, info: Dict[str, Any]) -> Tuple[Optional[Dict[str, Any]], str]:
    keys = _VENDOR_REDFISH.get(driver)
    if keys is None or not info.get(keys[0]):
        return None, ""
    address_key, port_key, protocol_key = keys
    parsed = split_host_port(str(info[address_key]))
    port = port_number(info.get(port_key))
    if parsed is None or parsed[0] not in (None,) + _WEB_SCHEMES or port is False:
        return None, "%s is not a host" % address_key
    scheme, host, address_port = parsed
    port = port or address_port
    protocol = str(info.get(protocol_key) or "").lower() if protocol_key else ""
    scheme = scheme or (protocol if protocol in _WEB_SCHEMES else "http" if port == 80 else "https")
    return {"type": "redfish", "address": BmcAddress("redfish", host, port, scheme).address,
            "derived_from": address_key}, ""


def _system_path(value: Any) -> str:
    if not value:
        return ""
    path = str(value).strip()
    if "://" in path:
        path = urlparse(path).path
    path = "/" + path.strip("/")
    return "" if path == "/" else path


class _HostIndex:
    """The compute host names, looked up the ways a node name may spell them."""

    def __init__(self, hosts: Iterable[str]) -> None:
        self.exact: Dict[str, str] = {}
        self.folded: Dict[str, List[str]] = {}
        self.short: Dict[str, List[str]] = {}
        for host in hosts:
            if not host:
                continue
            host = str(host)
            self.exact[host] = host
            self.folded.setdefault(host.casefold(), []).append(host)
            if _short(host) != host:
                self.short.setdefault(_short(host).casefold(), []).append(host)

    def match(self, node: Dict[str, Any]) -> Tuple[Optional[str], str, List[str]]:
        """(host or None, how, the hosts a name matched when it matched several and nothing else did)."""
        extra = node.get("extra") if isinstance(node.get("extra"), dict) else {}
        if extra.get(HOST_EXTRA_KEY):
            hosts = self._named(str(extra[HOST_EXTRA_KEY]))
            return (hosts[0], "extra", []) if len(hosts) == 1 else (None, "", [])
        ambiguous: List[str] = []
        name = str(node.get("name") or "")
        if name:
            hosts, how = self._named(name), "name"
            if not hosts and _short(name) == name:  # a short node name, FQDN hosts
                hosts, how = self.short.get(name.casefold(), []), "short_name"
            if not hosts and _short(name) != name:  # an FQDN node name, a short host name
                hosts, how = [h for h in self._named(_short(name)) if _short(h) == h], "short_name"
            if len(hosts) == 1:
                return hosts[0], how, []
            ambiguous = sorted(hosts)
        hosts = self._named(str(node.get("uuid") or ""))
        if len(hosts) == 1:
            return hosts[0], "uuid", []
        return None, "", ambiguous

    def _named(self, name: str) -> List[str]:
        """The host spelt ``name``; else the hosts spelt so in another case (DNS names ignore case)."""
        if not name:
            return []
        if name in self.exact:
            return [name]
        return self.folded.get(name.casefold(), [])


def _node_view(node: Dict[str, Any], source_label: str) -> Dict[str, Any]:
    """What Ironic says of the node, and where its credentials are (never what they are)."""
    return {"credentials_ref": "ironic:%s/%s" % (source_label, node.get("uuid")), "source": "ironic",
            "node": node.get("uuid"), "node_name": node.get("name"), "driver": node.get("driver"),
            "power_state": node.get("power_state"), "provision_state": node.get("provision_state"),
            "maintenance": bool(node.get("maintenance")), "maintenance_reason": node.get("maintenance_reason"),
            "fault": node.get("fault")}


def _note(skipped: Optional[List[Dict[str, Any]]], node: Dict[str, Any], host: Optional[str], reason: str) -> None:
    if skipped is not None:
        skipped.append({"node": node.get("uuid"), "node_name": node.get("name"), "host": host, "reason": reason})


def _short(name: str) -> str:
    """``cmp1`` of ``cmp1.example.net``; an IP address is its own short name."""
    return name if _ip(name) is not None else name.split(".", 1)[0]


def _is_false(value: Any) -> bool:
    """``redfish_verify_ca`` off: False or a false-ish string. A CA path (on the conductor) is not copied."""
    if isinstance(value, bool):
        return value is False
    return isinstance(value, str) and value.strip().lower() in _FALSE
