# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Redfish documents -> the BMC settings facts the compute_hosts pack reads (pure functions, no I/O).

The gatherer fetches, per BMC, the documents below and hands them over keyed
by role; this maps them into the normalised ``bmc`` facts (docs/audit.md,
"Fact schema"). A document the gatherer could not read is named in
``docs["_errors"]`` and becomes an ``_errors`` entry of the matching fact,
so the rules reading it say ``error`` rather than guessing.

=================  ==============================================================
role               Redfish resource
=================  ==============================================================
network_protocol   Managers/{id}/NetworkProtocol (ManagerNetworkProtocol)
accounts           AccountService/Accounts/{id} (ManagerAccount), a list
certificates       NetworkProtocol HTTPS.Certificates members (Certificate), a list
tls_verified       bool: the HTTPS connection verified the certificate chain and name
manager            Managers/{id} (Manager): DateTime
read_at            the controller's time when ``manager`` was read (ISO 8601)
system             Systems/{id} (ComputerSystem): PowerRestorePolicy
sel_service        Systems/{id}/LogServices/SEL (LogService): MaxNumberOfRecords, OverWritePolicy
sel_entries        the SEL entry count (Entries ``Members@odata.count``)
=================  ==============================================================
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._audit.values import Unreadable, parse_time

#: which normalised fact each document feeds (for its _errors entry)
FACT_OF_DOC = {"network_protocol": "network", "accounts": "accounts", "certificates": "certificate",
               "tls_verified": "certificate", "manager": "clock_offset_seconds", "system": "power_restore_policy",
               "sel_service": "sel", "sel_entries": "sel"}


def _enabled(doc: Dict[str, Any], name: str) -> Optional[bool]:
    part = doc.get(name)
    if not isinstance(part, dict) or "ProtocolEnabled" not in part:
        return None
    return bool(part["ProtocolEnabled"])


def network(doc: Dict[str, Any]) -> Dict[str, Any]:
    """ManagerNetworkProtocol: what listens. None where the BMC does not say."""
    snmp = doc.get("SNMP") if isinstance(doc.get("SNMP"), dict) else {}
    snmp_on = _enabled(doc, "SNMP")

    def snmp_version(flag: str) -> Optional[bool]:
        if snmp_on is False:
            return False
        return None if flag not in snmp else bool(snmp[flag]) and bool(snmp_on)

    ntp = doc.get("NTP") if isinstance(doc.get("NTP"), dict) else {}
    return {
        "http": _enabled(doc, "HTTP"), "https": _enabled(doc, "HTTPS"), "ipmi": _enabled(doc, "IPMI"),
        "ssh": _enabled(doc, "SSH"), "telnet": _enabled(doc, "Telnet"), "snmp": snmp_on,
        "snmp_v1": snmp_version("EnableSNMPv1"), "snmp_v2c": snmp_version("EnableSNMPv2c"),
        "snmp_v3": snmp_version("EnableSNMPv3"), "kvmip": _enabled(doc, "KVMIP"),
        "virtual_media": _enabled(doc, "VirtualMedia"), "ntp": _enabled(doc, "NTP"),
        "ntp_servers": [s for s in ntp.get("NTPServers") or [] if isinstance(s, str) and s.strip()],
    }


def accounts(docs: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """ManagerAccount: the accounts in use (empty slots, as many BMCs list 16 of, are left out)."""
    out = []
    for a in docs:
        name = a.get("UserName") or ""
        if not name and not a.get("Enabled"):
            continue
        out.append({"id": str(a.get("Id", "")), "username": name, "role": a.get("RoleId"),
                    "enabled": bool(a.get("Enabled")), "locked": bool(a.get("Locked")),
                    "password_change_required": bool(a.get("PasswordChangeRequired")),
                    "password_expiration": a.get("PasswordExpiration")})
    return out


def certificate(certs: List[Dict[str, Any]], tls_verified: Optional[bool]) -> Dict[str, Any]:
    """The HTTPS certificate (the first one the BMC lists) and whether our TLS verification accepted it."""
    cert = certs[0] if certs else {}
    issuer, subject = cert.get("Issuer") or {}, cert.get("Subject") or {}
    return {"count": len(certs), "subject_cn": subject.get("CommonName"), "issuer_cn": issuer.get("CommonName"),
            "self_signed": (issuer == subject) if (issuer or subject) else None,
            "not_before": cert.get("ValidNotBefore"), "not_after": cert.get("ValidNotAfter"),
            "signature_algorithm": cert.get("SignatureAlgorithm"), "fingerprint": cert.get("Fingerprint"),
            "trusted": tls_verified}


def clock_offset(manager: Dict[str, Any], read_at: Any) -> Optional[float]:
    """Seconds the BMC's clock is ahead of the controller's (negative: behind)."""
    try:
        bmc_time = parse_time(manager.get("DateTime"))
        ours = parse_time(read_at) if not isinstance(read_at, datetime) else read_at
    except Unreadable:
        return None
    return round((bmc_time - ours).total_seconds(), 1)


def sel(service: Dict[str, Any], entries: Optional[int]) -> Dict[str, Any]:
    """How full the SEL is: a full log that stops when full records nothing more."""
    most = service.get("MaxNumberOfRecords")
    free = None
    if isinstance(most, int) and most > 0 and isinstance(entries, int):
        free = round(max(0.0, 100.0 * (most - entries) / most), 1)
    return {"entries": entries, "max_entries": most, "free_percent": free,
            "overwrite_policy": service.get("OverWritePolicy")}


def settings_from_redfish(docs: Dict[str, Any]) -> Dict[str, Any]:
    """The ``bmc`` facts of one host from its Redfish documents (see the module docstring)."""
    out: Dict[str, Any] = {}
    errors = {FACT_OF_DOC.get(k, k): str(v) for k, v in (docs.get("_errors") or {}).items()}
    if "network_protocol" in docs and "network" not in errors:
        out["network"] = network(docs["network_protocol"] or {})
    if "accounts" in docs and "accounts" not in errors:
        out["accounts"] = accounts(docs["accounts"] or [])
    if "certificates" in docs and "certificate" not in errors:
        out["certificate"] = certificate(docs["certificates"] or [], docs.get("tls_verified"))
    if "manager" in docs and "clock_offset_seconds" not in errors:
        out["clock_offset_seconds"] = clock_offset(docs["manager"] or {}, docs.get("read_at"))
        out["datetime"] = (docs["manager"] or {}).get("DateTime")
    if "system" in docs and "power_restore_policy" not in errors:
        out["power_restore_policy"] = (docs["system"] or {}).get("PowerRestorePolicy")
    if "sel_service" in docs and "sel" not in errors:
        out["sel"] = sel(docs["sel_service"] or {}, docs.get("sel_entries"))
    if errors:
        out["_errors"] = errors
    return out
