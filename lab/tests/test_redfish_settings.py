"""The lab BMC's Redfish settings routes (redfish_settings.py), through the real redfish_app stack.

No lab needed and no lab port bound: redfish_app.py is imported with a config of
its own (state and scenarios under pytest's tmp dir) and requests go through its
per-BMC gate (authentication, pinning) with werkzeug's test client; the HTTPS
listener is started on an ephemeral port with a certificate of a CA made here
by tls.py, and a verifying client talks to it. Run with the BMC virtualenv, in a pytest
process of its own (the emulator is sushy's module-level Flask app, which test_redfish_app.py
loads with other BMCs):

    .lab/venv-bmc/bin/python -m pytest lab/tests/test_redfish_settings.py
"""
from __future__ import annotations

import base64
import http.client
import importlib
import json
import os
import ssl
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

pytest.importorskip("flask", reason="flask not installed: use .lab/venv-bmc/bin/python")
pytest.importorskip("sushy_tools", reason="sushy-tools not installed: use .lab/venv-bmc/bin/python")
pytest.importorskip("bcrypt", reason="bcrypt not installed: use .lab/venv-bmc/bin/python")
import bcrypt  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402
from werkzeug.test import Client  # noqa: E402
from werkzeug.wrappers import Response  # noqa: E402

LAB = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(LAB))
sys.path.insert(0, str(LAB / "lablib" / "bmc"))
from lablib.bmc import scenario as scn, tls  # noqa: E402

HOST, PLAIN = "compute-01", "bench-bmc-001"
PASSWORD = "osfleet-test"
R = "/redfish/v1"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """redfish_app imported over two BMCs: HOST with HTTPS (lab CA), PLAIN without."""
    d = tmp_path_factory.mktemp("bmc")
    files = tls.ensure_host(d / "tls", HOST)
    bmcs = []
    for i, host in enumerate((HOST, PLAIN)):
        (d / host).mkdir()
        scn.save(d / host / "scenario.json", scn.healthy(host))
        (d / host / "htpasswd").write_text(
            "admin:" + bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode() + "\n")
        entry = {"host": host, "port": 18101 + i, "uuid": scn.system_uuid(host), "hook": False,
                 "scenario": str(d / host / "scenario.json"), "htpasswd": str(d / host / "htpasswd")}
        if host == HOST:
            entry.update(https_port=0, tls_cert=files["cert"], tls_key=files["key"], tls_info=files["info"])
        bmcs.append(entry)
    cfg = d / "config.json"
    cfg.write_text(json.dumps({"state_dir": str(d / "state"), "labctl": "/bin/true",
                               "hook_log": str(d / "hooks.log"), "bmcs": bmcs}))
    from sushy_tools.emulator.resources.systems import fakedriver
    if not hasattr(fakedriver.random, "Random"):   # redfish_app.py patched it already
        pytest.skip("test_redfish_app.py loaded the emulator in this process (sushy's Flask app is a "
                    "singleton): run this file in a pytest process of its own")
    os.environ["OSFLEET_REDFISH_APP_CONFIG"] = str(cfg)  # read at import only; must not leak (test_redfish_app.py)
    try:
        app_mod = importlib.import_module("redfish_app")
    finally:
        del os.environ["OSFLEET_REDFISH_APP_CONFIG"]
    app_mod.app.systems  # noqa: B018  (the fake driver's state)
    return {"dir": d, "app": app_mod, "tls": files}


AUTH = {"Authorization": "Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode()}


def get(lab, path, host=HOST, status=200):
    resp = Client(lab["app"].GATES[host], Response).get(path, headers=AUTH)
    assert resp.status_code == status, (path, resp.status_code, resp.get_data(as_text=True))
    return resp.get_json()


def fault(lab, host, kind):
    p = lab["dir"] / host / "scenario.json"
    scn.save(p, scn.apply_fault(scn.load(p), kind))


@pytest.fixture(autouse=True)
def healthy(lab):
    for host in (HOST, PLAIN):
        scn.save(lab["dir"] / host / "scenario.json", scn.healthy(host))


def manager_path(lab, host=HOST):
    return get(lab, f"{R}/Managers", host)["Members"][0]["@odata.id"]


def test_network_protocol_follows_links_and_is_hardened_when_healthy(lab):
    mgr = get(lab, manager_path(lab))
    proto = get(lab, mgr["NetworkProtocol"]["@odata.id"])
    assert proto["@odata.type"].startswith("#ManagerNetworkProtocol.")
    enabled = {k: v["ProtocolEnabled"] for k, v in proto.items() if isinstance(v, dict) and "ProtocolEnabled" in v}
    assert enabled["HTTPS"] is True and enabled["NTP"] is True
    assert not any(enabled[k] for k in ("HTTP", "IPMI", "Telnet", "SNMP"))
    assert proto["SNMP"]["EnableSNMPv1"] is False and proto["SNMP"]["EnableSNMPv2c"] is False
    assert proto["NTP"]["NTPServers"]
    assert proto["HTTP"]["Port"] == 18101


@pytest.mark.parametrize("kind,protocol", [("ipmi_on", "IPMI"), ("http_on", "HTTP")])
def test_protocol_faults_turn_exactly_their_protocol_on(lab, kind, protocol):
    before = get(lab, f"{manager_path(lab)}/NetworkProtocol")
    fault(lab, HOST, kind)
    after = get(lab, f"{manager_path(lab)}/NetworkProtocol")
    assert before[protocol]["ProtocolEnabled"] is False and after[protocol]["ProtocolEnabled"] is True
    changed = [k for k in after if after[k] != before[k]]
    assert changed == [protocol]


def accounts(lab):
    svc = get(lab, get(lab, R + "/")["AccountService"]["@odata.id"])
    coll = get(lab, svc["Accounts"]["@odata.id"])
    assert coll["Members@odata.count"] == len(coll["Members"]) >= 2
    return {a["Id"]: a for a in (get(lab, m["@odata.id"]) for m in coll["Members"])}


def test_no_enabled_account_needs_a_password_change_until_the_fault(lab):
    healthy_accounts = accounts(lab)
    assert all(a["@odata.type"].startswith("#ManagerAccount.") and a["Password"] is None
               for a in healthy_accounts.values())
    assert not [a for a in healthy_accounts.values() if a["Enabled"] and a["PasswordChangeRequired"]]
    fault(lab, HOST, "password_change_required")
    flagged = [a for a in accounts(lab).values() if a["Enabled"] and a["PasswordChangeRequired"]]
    assert [(a["UserName"], a["RoleId"]) for a in flagged] == [("root", "Administrator")]


def test_accounts_need_credentials(lab):
    resp = Client(lab["app"].GATES[HOST], Response).get(f"{R}/AccountService/Accounts")
    assert resp.status_code == 401


def test_certificate_is_the_one_the_https_listener_presents(lab):
    coll = get(lab, f"{manager_path(lab)}/NetworkProtocol/HTTPS/Certificates")
    assert coll["Members@odata.count"] == 1
    cert = get(lab, coll["Members"][0]["@odata.id"])
    assert cert["Subject"]["CommonName"] == HOST
    assert cert["Issuer"]["CommonName"] == "Osfleet Lab BMC CA" != cert["Subject"]["CommonName"]
    assert cert["SignatureAlgorithm"] == "sha256WithRSAEncryption"
    not_after = datetime.fromisoformat(cert["ValidNotAfter"])
    assert 300 < (not_after - datetime.now(timezone.utc)).days <= 366
    assert cert["CertificateString"] == Path(lab["tls"]["cert"]).read_text()


def test_a_bmc_without_https_listener_says_so(lab):
    proto = get(lab, f"{manager_path(lab, PLAIN)}/NetworkProtocol", PLAIN)
    assert proto["HTTPS"]["ProtocolEnabled"] is False
    coll = get(lab, f"{manager_path(lab, PLAIN)}/NetworkProtocol/HTTPS/Certificates", PLAIN)
    assert coll["Members"] == []
    get(lab, f"{manager_path(lab, PLAIN)}/NetworkProtocol/HTTPS/Certificates/1", PLAIN, status=404)


def test_other_bmcs_manager_is_not_served(lab):
    get(lab, f"{manager_path(lab, PLAIN)}/NetworkProtocol", HOST, status=404)


def test_clock_power_restore_and_sel_capacity_come_from_the_scenario(lab):
    mgr = get(lab, manager_path(lab))
    offset = (datetime.fromisoformat(mgr["DateTime"]) - datetime.now(timezone.utc)).total_seconds()
    assert abs(offset) < 5
    p = lab["dir"] / HOST / "scenario.json"
    s = scn.load(p)
    s["bmc_settings"].update(clock_offset_seconds=-600, power_restore_policy="AlwaysOff", sel_max_records=2)
    scn.save(p, s)
    mgr = get(lab, manager_path(lab))
    offset = (datetime.fromisoformat(mgr["DateTime"]) - datetime.now(timezone.utc)).total_seconds()
    assert -605 < offset < -595
    system_path = get(lab, f"{R}/Systems", HOST)["Members"][0]["@odata.id"]
    system = get(lab, system_path)
    assert system["PowerRestorePolicy"] == "AlwaysOff"
    for base in (system["LogServices"]["@odata.id"], mgr["LogServices"]["@odata.id"]):
        sel = get(lab, base + "/SEL")
        assert sel["MaxNumberOfRecords"] == 2 and sel["OverWritePolicy"] == "WrapsWhenFull"


def test_scenario_of_an_older_lab_is_served_as_healthy(lab):
    p = lab["dir"] / HOST / "scenario.json"
    s = scn.load(p)
    del s["bmc_settings"]
    scn.save(p, s)
    assert get(lab, f"{manager_path(lab)}/NetworkProtocol")["HTTP"]["ProtocolEnabled"] is False
    fault(lab, HOST, "http_on")
    assert get(lab, f"{manager_path(lab)}/NetworkProtocol")["HTTP"]["ProtocolEnabled"] is True


def test_https_listener_verifies_with_the_lab_ca_and_serves_the_same_gate(lab):
    g = lab["app"].GATES[HOST]
    server = lab["app"].redfish_settings.serve_https(g.bmc, g, "127.0.0.1", make_server)
    try:
        ctx = ssl.create_default_context(cafile=str(lab["dir"] / "tls" / "ca.pem"))
        ctx.verify_flags |= ssl.VERIFY_X509_STRICT
        conn = http.client.HTTPSConnection("127.0.0.1", server.server_port, context=ctx, timeout=10)
        conn.request("GET", f"{R}/AccountService/Accounts/1", headers=AUTH)
        peer = conn.sock.getpeercert()
        resp = conn.getresponse()
        assert resp.status == 200 and json.loads(resp.read())["UserName"] == "admin"
        assert dict(x[0] for x in peer["subject"])["commonName"] == HOST
        conn.close()
        with pytest.raises(ssl.SSLCertVerificationError):   # the system CAs do not know the lab CA
            bare = http.client.HTTPSConnection("127.0.0.1", server.server_port,
                                               context=ssl.create_default_context(), timeout=10)
            bare.request("GET", R + "/")
    finally:
        server.shutdown()
        server.server_close()


def test_settings_faults_are_known_and_one_setting_each():
    base = scn.healthy("compute-09")
    for kind in scn.SETTINGS_FAULTS:
        assert kind in scn.FAULT_KINDS
        after = scn.apply_fault(base, kind)
        changed = [k for k in base if k not in ("faults", "bmc_settings") and base[k] != after[k]]
        assert not changed and after["bmc_settings"] != base["bmc_settings"] and after["faults"] == [kind]


# ---- the audit's view: these documents through the collection's mapping and the pack's rules -----

REPO = LAB.parent
REPO_PY = REPO / ".venv" / "bin" / "python"
COLLECTIONS = REPO / ".cache" / "collections"
#: the compute_hosts rules that read only what these documents give (BMC-01 reads the hardware scan)
SETTINGS_RULES = ("BMC-02", "BMC-03", "BMC-04", "BMC-05", "BMC-06", "BMC-07", "BMC-08", "BMC-09", "BMC-10", "HW-15")
EVALUATE = r"""
import json, sys
from datetime import datetime, timezone
from ansible_collections.osfleet.day2.plugins.module_utils._audit import engine, packs, redfish_settings
sys.path.insert(0, sys.argv[1])
from lablib import audit_params
docs_by_case = json.load(sys.stdin)
compiled = engine.compile_packs(packs.load_packs(["compute_hosts"]),
                                {"compute_hosts": audit_params.params()["compute_hosts"]})
out = {}
for case, docs in docs_by_case.items():
    target = {"id": "compute-01", "name": "compute-01", "kind": "host",
              "bmc_access": {"protocol": "redfish", "status": "ok"},
              "bmc": redfish_settings.settings_from_redfish(docs)}
    now = datetime.now(timezone.utc)
    out[case] = {cr.rule.id: engine.evaluate_one(cr, target, now)["status"] for cr in compiled}
print(json.dumps(out))
"""


def audit_documents(lab) -> dict:
    """The documents the audit's gatherer reads, by role (plugins/module_utils/_audit/redfish_settings.py)."""
    mgr_path = manager_path(lab)
    mgr = get(lab, mgr_path)
    proto = get(lab, mgr["NetworkProtocol"]["@odata.id"])
    certs = get(lab, proto["HTTPS"]["Certificates"]["@odata.id"])
    svc = get(lab, get(lab, R + "/")["AccountService"]["@odata.id"])
    system = get(lab, get(lab, f"{R}/Systems")["Members"][0]["@odata.id"])
    sel = get(lab, system["LogServices"]["@odata.id"] + "/SEL")
    return {"network_protocol": proto, "manager": mgr, "read_at": datetime.now(timezone.utc).isoformat(),
            "accounts": [get(lab, m["@odata.id"]) for m in get(lab, svc["Accounts"]["@odata.id"])["Members"]],
            "certificates": [get(lab, m["@odata.id"]) for m in certs["Members"]],
            "tls_verified": True,   # test_https_listener_verifies_with_the_lab_ca_... makes this true
            "system": system, "sel_service": sel,
            "sel_entries": get(lab, sel["Entries"]["@odata.id"])["Members@odata.count"]}


def test_healthy_passes_every_settings_rule_and_each_fault_fails_exactly_its_rule(lab):
    import subprocess
    if not (REPO_PY.exists() and COLLECTIONS.exists()):
        pytest.skip("the collection's .venv / .cache/collections are missing: make venv collection-link")
    cases = {"healthy": audit_documents(lab)}
    for kind in scn.SETTINGS_FAULTS:
        fault(lab, HOST, kind)
        cases[kind] = audit_documents(lab)
        scn.save(lab["dir"] / HOST / "scenario.json", scn.healthy(HOST))
    proc = subprocess.run([str(REPO_PY), "-c", EVALUATE, str(LAB)], input=json.dumps(cases), capture_output=True,
                          text=True, env={"PYTHONPATH": str(COLLECTIONS), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    statuses = json.loads(proc.stdout)
    assert {r: statuses["healthy"][r] for r in SETTINGS_RULES} == {r: "pass" for r in SETTINGS_RULES}
    expected = {"ipmi_on": "BMC-03", "http_on": "BMC-04", "password_change_required": "BMC-02"}
    for kind, rule in expected.items():
        failing = sorted(r for r in SETTINGS_RULES if statuses[kind][r] != "pass")
        assert failing == [rule], (kind, {r: statuses[kind][r] for r in failing})
        assert statuses[kind][rule] == "fail"
