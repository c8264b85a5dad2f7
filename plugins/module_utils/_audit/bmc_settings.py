# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Read one BMC's settings documents over Redfish, for ``redfish_settings.settings_from_redfish``.

Each document is read on its own: one the BMC does not serve (sushy-tools
has no NetworkProtocol, many BMCs no certificate collection) is an
``_errors`` entry of its role, and the others are still read. The
certificate's trust comes from a TLS handshake of our own to the BMC's HTTPS
address with verification on (the CA bundle the run uses), never from what
the BMC says about itself; over plain http there is no certificate to check,
and the certificate facts are an ``_errors`` entry saying so.
"""

from __future__ import annotations

import socket
import ssl
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.address import parse_address
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import open_bmc
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.redfish.tls import build_context

#: every role settings_from_redfish reads (an unreachable BMC makes each an _errors entry)
ROLES = ("network_protocol", "accounts", "certificates", "manager", "system", "sel_service")
#: how many account slots are read at most (BMCs list 16 empty ones)
MAX_ACCOUNTS = 64
PLAIN_HTTP = "the BMC is reached over plain http: there is no TLS certificate to check (use redfish+https)"


def _link(doc: Dict[str, Any], key: str) -> Optional[str]:
    val = (doc or {}).get(key)
    return val.get("@odata.id") if isinstance(val, dict) else None


def _members(bmc: Any, path: str, limit: int) -> List[Dict[str, Any]]:
    out = []
    for m in (bmc.get(path).get("Members") or [])[:limit]:
        out.append(m if set(m) - {"@odata.id"} else bmc.get(m["@odata.id"]))
    return out


def _why(exc: Exception) -> str:
    return exc.message if isinstance(exc, Day2Error) else "%s: %s" % (type(exc).__name__, exc)


def verify_tls(host: str, port: int, timeout: float, ca_path: Optional[str] = None) -> Dict[str, Any]:
    """A handshake with the chain and the name verified: ``{"verified": bool, "error", "cert"}``.

    ``cert`` is the peer certificate as ``ssl`` decodes it (only a verified
    one is decoded). A refused connection is not a verdict on the certificate:
    it raises OSError for the caller to record as unreadable.
    """
    context = build_context(True, ca_path)
    with socket.create_connection((host, port), timeout=timeout) as sock:
        try:
            with context.wrap_socket(sock, server_hostname=host) as tls:
                return {"verified": True, "error": None, "cert": tls.getpeercert()}
        except ssl.SSLCertVerificationError as exc:
            return {"verified": False, "error": exc.verify_message or str(exc), "cert": None}


def _cert_doc(cert: Dict[str, Any]) -> Dict[str, Any]:
    """A decoded peer certificate in the Redfish Certificate shape settings_from_redfish reads."""
    def names(part):
        return {k: v for rdn in part or () for (k, v) in rdn}

    def when(text):
        return datetime.fromtimestamp(ssl.cert_time_to_seconds(text), timezone.utc).isoformat() if text else None

    subject, issuer = names(cert.get("subject")), names(cert.get("issuer"))
    return {"Subject": {"CommonName": subject.get("commonName")}, "Issuer": {"CommonName": issuer.get("commonName")},
            "ValidNotBefore": when(cert.get("notBefore")), "ValidNotAfter": when(cert.get("notAfter"))}


def read_settings(address: str, username: Optional[str], password: Optional[str], bmc_type: Optional[str] = None,
                  validate_certs: bool = True, ca_path: Optional[str] = None, timeout: float = 30.0,
                  opener: Callable[..., Any] = open_bmc, tls_check: Callable[..., Dict[str, Any]] = verify_tls,
                  now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> Dict[str, Any]:
    """The documents of one Redfish BMC, keyed by role (redfish_settings' module docstring)."""
    where = parse_address(address, bmc_type)
    docs: Dict[str, Any] = {"_errors": {}}
    errors = docs["_errors"]
    if where.protocol != "redfish":
        # BMC-08/10 and HW-15 from IPMI are still to come: say so rather than leave them silently absent
        for role in ("manager", "sel_service", "system"):
            errors[role] = "not read over IPMI yet"
        return docs
    try:
        bmc = opener(address, username, password, bmc_type=bmc_type, validate_certs=validate_certs,
                     ca_path=ca_path, timeout=timeout)
    except Exception as exc:  # pylint: disable=broad-except  # one BMC must not end the others' reads
        why = _why(exc)
        for role in ROLES:
            errors[role] = why
        return docs
    with bmc:
        root = bmc.root.json if getattr(bmc, "root", None) is not None else {}

        def read(role: str, fn: Callable[[], Any]) -> Any:
            try:
                docs[role] = fn()
                return docs[role]
            except Exception as exc:  # pylint: disable=broad-except
                errors[role] = _why(exc)
                return None

        system = read("system", lambda: bmc.system_doc(fresh=True)) or {}
        manager_path = (((system.get("Links") or {}).get("ManagedBy") or [{}])[0] or {}).get("@odata.id")

        def manager():
            path = manager_path or ((bmc.get(_link(root, "Managers") or "/redfish/v1/Managers").get("Members")
                                     or [{}])[0].get("@odata.id"))
            doc = bmc.get(path)
            docs["read_at"] = now().isoformat()
            return doc

        mgr = read("manager", manager) or {}

        def network_protocol():
            path = _link(mgr, "NetworkProtocol")
            if not path:
                raise LookupError("the manager links no NetworkProtocol")
            return bmc.get(path)

        proto = read("network_protocol", network_protocol)

        def accounts():
            service = _link(root, "AccountService")
            if not service:
                raise LookupError("the service root links no AccountService")
            path = _link(bmc.get(service), "Accounts")
            if not path:
                raise LookupError("the AccountService links no Accounts")
            return _members(bmc, path, MAX_ACCOUNTS)

        read("accounts", accounts)

        def sel_service():
            services = _link(system, "LogServices")
            if not services:
                raise LookupError("the system links no LogServices")
            paths = [m["@odata.id"] for m in bmc.get(services).get("Members") or []]
            sel = [p for p in paths if p.rstrip("/").endswith("/SEL")] or paths[:1]
            if not sel:
                raise LookupError("the system has no log service")
            doc = bmc.get(sel[0])
            entries = _link(doc, "Entries")
            if entries:
                body = bmc.get(entries)
                docs["sel_entries"] = body.get("Members@odata.count", len(body.get("Members") or []))
            return doc

        read("sel_service", sel_service)

        if where.scheme != "https":
            errors["certificates"] = PLAIN_HTTP
            return docs
        try:
            tls = tls_check(where.host, where.port or 443, timeout, ca_path)
        except OSError as exc:
            errors["certificates"] = "TLS handshake with %s:%s failed: %s" % (where.host, where.port or 443, exc)
            return docs
        docs["tls_verified"] = tls["verified"]
        https = (proto or {}).get("HTTPS") or {}
        path = _link(https, "Certificates")
        listed: List[Dict[str, Any]] = []
        if path:
            try:
                listed = _members(bmc, path, 8)
            except Exception:  # pylint: disable=broad-except  # the handshake's certificate stands in
                listed = []
        docs["certificates"] = listed or ([_cert_doc(tls["cert"])] if tls.get("cert") else [])
        if not docs["certificates"] and not tls["verified"]:
            # an unverified certificate is not decoded by ssl: trust is known (false), its dates are not
            docs["certificates"] = [{}]
    return docs
