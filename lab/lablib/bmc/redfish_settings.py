"""The lab BMC's own settings over Redfish: network protocols, accounts, TLS certificate, clock,
power-restore policy and SEL capacity, as the DMTF schemas name them.

These are the documents the compute_hosts audit pack reads
(plugins/module_utils/_audit/redfish_settings.py): every value comes from the
BMC's scenario (``bmc_settings``, scenario.healthy_settings()), re-read on each
request, so ``labctl fault HOST ipmi_on|http_on|password_change_required``
shows at once. The certificate is the one the BMC's HTTPS listener really
presents (tls.py made it; its fields are read from ``<host>.json``).

=========================================================  ==========================================
route                                                      DMTF schema
=========================================================  ==========================================
/redfish/v1/Managers/{id}/NetworkProtocol                  ManagerNetworkProtocol.v1_9_0
.../NetworkProtocol/HTTPS/Certificates[/{cert id}]         CertificateCollection, Certificate.v1_5_0
/redfish/v1/AccountService                                 AccountService.v1_12_0
/redfish/v1/AccountService/Accounts[/{account id}]         ManagerAccountCollection, ManagerAccount.v1_10_0
Managers/{id} (+ DateTime, DateTimeLocalOffset, link)      Manager
Systems/{id} (+ PowerRestorePolicy)                        ComputerSystem
{Systems,Managers}/{id}/LogServices/SEL (capacity, policy) LogService
ServiceRoot (+ AccountService link)                        ServiceRoot
=========================================================  ==========================================

HTTP vs HTTPS: every lab BMC keeps its plain-HTTP port, which the lab's tests and
``bmcs.yml`` use; ``HTTP.ProtocolEnabled`` says what the scenario says (off when
healthy, on with ``http_on``), as a BMC's setting the audit judges, not whether
that test port listens. ``HTTPS.ProtocolEnabled`` is true only where the BMC has
an HTTPS listener (compute-01, compute-02) and the scenario has HTTPS on.

``register(app, scen, bmc)`` is called once by redfish_app.py with the Flask app
and two callables giving the current request's scenario and BMC entry;
``serve_https()`` starts the BMC's HTTPS listener in front of the same gate.
"""
from __future__ import annotations

import json
import ssl
import threading
import time
from pathlib import Path
from typing import Callable

import flask

import scenario as scn

R = "/redfish/v1"
#: conventional ports of the protocols the lab BMC does not really listen on
PORTS = {"IPMI": 623, "SSH": 22, "Telnet": 23, "SNMP": 161, "NTP": 123, "KVMIP": 5900, "VirtualMedia": 623}


def _doc(obj: dict, odata_type: str, odata_id: str) -> flask.Response:
    out = {"@odata.type": odata_type, "@odata.id": odata_id}
    out.update(obj)
    return flask.jsonify(out)


def _collection(odata_type: str, odata_id: str, name: str, members: list) -> flask.Response:
    return _doc({"Name": name, "Members@odata.count": len(members),
                 "Members": [{"@odata.id": m} for m in members]}, odata_type, odata_id)


def _wrap(app: flask.Flask, endpoint: str, edit: Callable) -> None:
    """Replace view ``endpoint`` by one that passes its JSON through ``edit(doc, **view_args)``."""
    orig = app.view_functions[endpoint]

    def view(**kwargs):
        resp = flask.make_response(orig(**kwargs))
        if resp.status_code != 200 or not resp.is_json:
            return resp
        return flask.jsonify(edit(resp.get_json(), **kwargs))
    view.__name__ = endpoint
    app.view_functions[endpoint] = view


def _not_found(what: str):
    return flask.make_response(flask.jsonify(
        {"error": {"code": "Base.1.0.ResourceMissingAtURI", "message": f"{what} not found"}}), 404)


def cert_info(b: dict):
    """The Certificate fields of the BMC's HTTPS certificate, None without an HTTPS listener."""
    if b.get("https_port") is None or not b.get("tls_info"):
        return None
    try:
        return json.loads(Path(b["tls_info"]).read_text())
    except (OSError, ValueError):
        return None


def bmc_datetime(offset_seconds: float) -> str:
    """The BMC's clock: the machine's UTC time plus the scenario's offset."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + float(offset_seconds or 0)))


def register(app: flask.Flask, scen: Callable[[], dict], bmc: Callable[[], dict]) -> None:
    """Add the settings routes and fields to the lab BMC's Flask app."""

    def manager_id() -> str:
        return bmc()["uuid"]

    def proto_base() -> str:
        return f"{R}/Managers/{manager_id()}/NetworkProtocol"

    def network_protocol(identity):
        st, b = scn.settings(scen()), bmc()
        on = st["protocols"]
        base = proto_base()
        has_tls = cert_info(b) is not None
        doc = {"Id": "NetworkProtocol", "Name": "Manager Network Protocol",
               "Description": "Manager Network Service", "HostName": b["host"] + "-bmc",
               "FQDN": f"{b['host']}-bmc.lab.invalid",
               "Status": {"State": "Enabled", "Health": "OK"},
               "HTTP": {"ProtocolEnabled": bool(on.get("HTTP")), "Port": b["port"]},
               "HTTPS": {"ProtocolEnabled": bool(on.get("HTTPS")) and has_tls,
                         "Port": b.get("https_port") if has_tls else 443,
                         "Certificates": {"@odata.id": f"{base}/HTTPS/Certificates"}}}
        for name in ("IPMI", "SSH", "Telnet", "KVMIP", "VirtualMedia"):
            doc[name] = {"ProtocolEnabled": bool(on.get(name)), "Port": PORTS[name]}
        doc["SNMP"] = dict({"ProtocolEnabled": bool(on.get("SNMP")), "Port": PORTS["SNMP"]},
                           **{k: bool(v) for k, v in st["snmp"].items()})
        doc["NTP"] = {"ProtocolEnabled": bool(on.get("NTP")), "Port": PORTS["NTP"],
                      "NTPServers": list(st["ntp_servers"])}
        return _doc(doc, "#ManagerNetworkProtocol.v1_9_0.ManagerNetworkProtocol", base)

    def certificates(identity):
        base = f"{proto_base()}/HTTPS/Certificates"
        members = [f"{base}/1"] if cert_info(bmc()) else []
        return _collection("#CertificateCollection.CertificateCollection", base, "HTTPS Certificates", members)

    def certificate(identity, cert_id):
        info = cert_info(bmc())
        if info is None or cert_id != "1":
            return _not_found(f"Certificate {cert_id}")
        doc = {"Id": "1", "Name": "HTTPS Certificate", "CertificateType": "PEM",
               "KeyUsage": ["DigitalSignature", "KeyEncipherment", "ServerAuthentication"]}
        doc.update({k: v for k, v in info.items() if k != "KeyBitLength"})
        return _doc(doc, "#Certificate.v1_5_0.Certificate", f"{proto_base()}/HTTPS/Certificates/1")

    def account_service():
        return _doc({"Id": "AccountService", "Name": "Account Service", "ServiceEnabled": True,
                     "Status": {"State": "Enabled", "Health": "OK"},
                     "MinPasswordLength": 8, "MaxPasswordLength": 20,
                     "AccountLockoutThreshold": 5, "AccountLockoutDuration": 300,
                     "AccountLockoutCounterResetAfter": 300,
                     "Accounts": {"@odata.id": f"{R}/AccountService/Accounts"}},
                    "#AccountService.v1_12_0.AccountService", f"{R}/AccountService")

    def accounts():
        base = f"{R}/AccountService/Accounts"
        return _collection("#ManagerAccountCollection.ManagerAccountCollection", base, "Accounts Collection",
                           [f"{base}/{a['Id']}" for a in scn.settings(scen())["accounts"]])

    def account(account_id):
        for a in scn.settings(scen())["accounts"]:
            if str(a["Id"]) == account_id:
                doc = {"Name": "User Account", "Description": "User Account", "Password": None,
                       "AccountTypes": ["Redfish", "WebUI"]}
                doc.update(a)
                return _doc(doc, "#ManagerAccount.v1_10_0.ManagerAccount",
                            f"{R}/AccountService/Accounts/{account_id}")
        return _not_found(f"Account {account_id}")

    mgr = f"{R}/Managers/<identity>/NetworkProtocol"
    for rule, fn in ((mgr, network_protocol), (f"{mgr}/HTTPS/Certificates", certificates),
                     (f"{mgr}/HTTPS/Certificates/<cert_id>", certificate),
                     (f"{R}/AccountService", account_service), (f"{R}/AccountService/Accounts", accounts),
                     (f"{R}/AccountService/Accounts/<account_id>", account)):
        app.add_url_rule(rule, f"lab_settings_{fn.__name__}", fn, methods=["GET"])

    def root(doc):
        doc["AccountService"] = {"@odata.id": f"{R}/AccountService"}
        return doc

    def manager(doc, identity):
        st = scn.settings(scen())
        doc["DateTime"] = bmc_datetime(st.get("clock_offset_seconds", 0))
        doc["DateTimeLocalOffset"] = "+00:00"
        doc["NetworkProtocol"] = {"@odata.id": proto_base()}
        return doc

    def system(doc, identity):
        doc["PowerRestorePolicy"] = scn.settings(scen())["power_restore_policy"]
        return doc

    def sel(doc, identity, service="SEL"):
        if service != "SEL":                  # the System's BIOS log of a long_sel BMC
            return doc
        st = scn.settings(scen())
        doc["MaxNumberOfRecords"] = st["sel_max_records"]
        doc["OverWritePolicy"] = st["sel_overwrite_policy"]
        return doc

    _wrap(app, "root_resource", root)
    _wrap(app, "manager_resource", manager)
    _wrap(app, "system_resource", system)
    for endpoint in ("lab_Managers_service", "lab_Systems_service"):   # LogServices/<service>
        if endpoint in app.view_functions:
            _wrap(app, endpoint, sel)


_HTTPS: dict = {}     # port -> server: a reopened plain port does not open a second HTTPS one


def serve_https(b: dict, wsgi_app, listen: str, make_server) -> object:
    """Serve ``wsgi_app`` (the BMC's gate) over TLS on the BMC's ``https_port`` with its lab
    certificate; None for a BMC without one (bench BMCs)."""
    port = b.get("https_port")
    if port is None or not b.get("tls_cert"):
        return None
    if port and port in _HTTPS:
        return _HTTPS[port]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(b["tls_cert"], b["tls_key"])
    server = make_server(listen, int(port), wsgi_app, threaded=True, ssl_context=ctx)
    threading.Thread(target=server.serve_forever, name=f"{b['host']}-https", daemon=True).start()
    _HTTPS[port] = server
    return server
