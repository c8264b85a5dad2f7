"""The lab's Redfish BMC emulator: sushy-tools' sushy-emulator, extended.

Run with the BMC virtualenv's python:  redfish_app.py CONFIG.json

CONFIG lists one or more BMCs ({host, port, uuid, scenario, htpasswd, hook}).
Every BMC gets its own TCP port (its own werkzeug server thread) in front of
the one shared sushy-emulator Flask app with the fake systems driver:

* a per-port gate does authentication (HTTP basic against that BMC's bcrypt
  htpasswd file, re-read on each request, or an X-Auth-Token from the
  SessionService it implements) and pins requests to that BMC's system, so a
  client of one port sees exactly one System, Manager and Chassis ("1");
* routes of the lab's own serve Chassis Power/Thermal/Sensors, the SEL
  (Managers/<id>/LogServices/SEL/Entries, also under Systems/<id>),
  UpdateService/FirmwareInventory, and add BiosVersion, Manufacturer, Model,
  SerialNumber and a health rollup to the System, from the BMC's scenario
  JSON, re-read on every request so faults show at once;
* ComputerSystem.Reset runs ``labctl compute stop|start HOST`` in the
  background for BMCs with ``hook`` set (power coupling with nova-compute);
* a watcher closes / reopens a BMC's port when its scenario says ``down``
  (bmc_down for BMCs that share a process).
"""
from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

CFG = json.loads(Path(sys.argv[1]).read_text())
sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario as scn  # noqa: E402  (stdlib module next to this file)

os.makedirs(CFG["state_dir"], exist_ok=True)

import flask  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from sushy_tools import error  # noqa: E402
from sushy_tools.emulator import auth_basic  # noqa: E402
from sushy_tools.emulator import main as emu  # noqa: E402
from sushy_tools.emulator.resources.systems import fakedriver  # noqa: E402

app = emu.app
LOG = app.logger
logging.getLogger("werkzeug").setLevel(logging.WARNING)   # no per-request lines

BMCS = CFG["bmcs"]
app.config.update({
    "SUSHY_EMULATOR_FAKE_DRIVER": True,
    "SUSHY_EMULATOR_STATE_DIR": CFG["state_dir"],
    "SUSHY_EMULATOR_FAKE_SYSTEMS": [{
        "uuid": b["uuid"], "name": b["host"], "power_state": "On",
        "external_notifier": False,
        "nics": [{"mac": b.get("mac", "52:54:00:00:00:01"), "ip": b.get("ip", "192.0.2.10")}],
    } for b in BMCS],
})

# Power transitions of the fake driver land 1-11 s after the request; the lab
# keeps them realistic but shorter (CONFIG power_delay, default 1-3 s).
_lo, _hi = CFG.get("power_delay", [1, 3])
_rand = fakedriver.random.Random()
fakedriver.random = type("R", (), {"randint": staticmethod(lambda a, b: _rand.randint(_lo, _hi))})

R = "/redfish/v1"


# ---- per-port gate: auth, sessions, pinning -------------------------------------

class Gate:
    def __init__(self, bmc: dict) -> None:
        self.bmc = bmc
        self.sessions: dict = {}           # token -> session dict
        self.lock = threading.Lock()
        self._auth_mtime = None
        self.server = None

    # credentials are re-read: bmc_badauth rewrites the file, sessions die with it
    def _check_auth_file(self) -> None:
        try:
            m = os.stat(self.bmc["htpasswd"]).st_mtime_ns
        except OSError:
            m = None
        if m != self._auth_mtime:
            if self._auth_mtime is not None:
                with self.lock:
                    self.sessions.clear()
            self._auth_mtime = m

    def check_password(self, user: str, password: str) -> bool:
        try:
            auth_basic.authenticate(self.bmc["htpasswd"], user, password.encode())
            return True
        except error.FishyError:
            return False

    def __call__(self, environ, start_response):
        environ["osfleet.gate"] = self
        path = environ.get("PATH_INFO", "").rstrip("/")
        method = environ.get("REQUEST_METHOD", "GET")
        self._check_auth_file()
        if path in ("", "/redfish", R):
            return app(environ, start_response)
        if path == f"{R}/SessionService/Sessions" and method == "POST":
            return self.login(environ, start_response)
        token = environ.get("HTTP_X_AUTH_TOKEN")
        if token:
            with self.lock:
                sess = self.sessions.get(token)
            if sess:
                environ["osfleet.session"] = sess
                return app(environ, start_response)
            return _json_error(start_response, 401, "Invalid or expired X-Auth-Token")
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if auth.lower().startswith("basic "):
            try:
                user, _, pw = base64.b64decode(auth[6:].strip()).decode().partition(":")
            except Exception:
                return _json_error(start_response, 400, "Could not decode authorization")
            if self.check_password(user, pw):
                environ.pop("HTTP_AUTHORIZATION", None)
                return app(environ, start_response)
        return _json_error(start_response, 401, "Incorrect username or password",
                           [("WWW-Authenticate", 'Basic realm="osfleet-lab-bmc"')])

    def login(self, environ, start_response):
        try:
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(size) or b"{}")
            user, pw = body.get("UserName", ""), body.get("Password", "")
        except Exception:
            return _json_error(start_response, 400, "Body must be JSON with UserName and Password")
        if not self.check_password(str(user), str(pw)):
            return _json_error(start_response, 401, "Incorrect username or password")
        token = secrets.token_hex(16)
        with self.lock:
            sid = str(max((int(s["Id"]) for s in self.sessions.values()), default=0) + 1)
            sess = {"Id": sid, "UserName": user, "token": token, "Created": scn.now_iso()}
            self.sessions[token] = sess
        loc = f"{R}/SessionService/Sessions/{sid}"
        data = json.dumps(_session_json(sess)).encode()
        start_response("201 Created", [("Content-Type", "application/json"),
                                       ("X-Auth-Token", token), ("Location", loc),
                                       ("Content-Length", str(len(data)))])
        return [data]


def _json_error(start_response, code, message, headers=()):
    status = {400: "400 Bad Request", 401: "401 Unauthorized", 404: "404 Not Found",
              503: "503 Service Unavailable"}[code]
    data = json.dumps({"error": {"code": "Base.1.0.GeneralError", "message": message}}).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(data)))] + list(headers))
    return [data]


def _session_json(sess: dict) -> dict:
    return {"@odata.type": "#Session.v1_3_0.Session",
            "@odata.id": f"{R}/SessionService/Sessions/{sess['Id']}",
            "Id": sess["Id"], "Name": "User Session", "UserName": sess["UserName"],
            "CreatedTime": sess["Created"]}


def gate() -> Gate:
    return flask.request.environ["osfleet.gate"]


def bmc() -> dict:
    return gate().bmc


def scen() -> dict:
    return scn.load(Path(bmc()["scenario"]))


def sys_uuid() -> str:
    return bmc()["uuid"]


@app.before_request
def _pin_to_port_system():
    """A port serves one system: other systems/managers of the process are 404."""
    args = flask.request.view_args or {}
    ident = args.get("identity")
    rule = flask.request.url_rule.rule if flask.request.url_rule else ""
    if ident is None or "osfleet.gate" not in flask.request.environ:
        return None
    if rule.startswith(f"{R}/Chassis/"):
        if ident != "1":
            raise error.NotFound(f"Chassis {ident} not found")
    elif rule.startswith((f"{R}/Systems/", f"{R}/Managers/")):
        if ident not in (bmc()["uuid"], bmc()["host"]):
            raise error.NotFound(f"{ident} not found")
    return None


def _doc(obj: dict, odata_type: str, odata_id: str) -> flask.Response:
    out = {"@odata.type": odata_type, "@odata.id": odata_id}
    out.update(obj)
    return flask.jsonify(out)


def _collection(odata_type: str, odata_id: str, name: str, members: list,
                expand: bool = False) -> flask.Response:
    return _doc({"Name": name, "Members@odata.count": len(members),
                 "Members": members if expand else [{"@odata.id": m} for m in members]},
                odata_type, odata_id)


def _status(health: str, state: str = "Enabled") -> dict:
    return {"State": state, "Health": health, "HealthRollup": health}


def _wrap(endpoint: str):
    """Replace view ``endpoint`` by a function that edits its JSON output."""
    orig = app.view_functions[endpoint]

    def deco(fn):
        def view(**kwargs):
            resp = orig(**kwargs)
            if not isinstance(resp, flask.Response) or resp.status_code != 200 or not resp.is_json:
                return resp
            out = fn(resp.get_json(), **kwargs)
            return flask.jsonify(out)
        view.__name__ = endpoint
        app.view_functions[endpoint] = view
        return fn
    return deco


def _route(rule: str, methods=("GET",)):
    def deco(fn):
        app.add_url_rule(rule, f"lab_{fn.__name__}", fn, methods=list(methods))
        return fn
    return deco


def _replace(endpoint: str):
    def deco(fn):
        app.view_functions[endpoint] = fn
        return fn
    return deco


# ---- service root, systems ------------------------------------------------------

@_wrap("root_resource")
def _root(doc):
    doc["SessionService"] = {"@odata.id": f"{R}/SessionService"}
    doc.setdefault("Links", {})["Sessions"] = {"@odata.id": f"{R}/SessionService/Sessions"}
    doc["UpdateService"] = {"@odata.id": f"{R}/UpdateService"}
    doc["Vendor"] = "Osfleet Lab"
    doc["Product"] = "Osfleet lab BMC (sushy-tools 2.2.0 + lab routes)"
    return doc


@_replace("system_collection_resource")
def _systems():
    return _collection("#ComputerSystemCollection.ComputerSystemCollection",
                       f"{R}/Systems", "Computer System Collection",
                       [f"{R}/Systems/{sys_uuid()}"])


@_wrap("system_resource")
def _system(doc, identity):
    s = scen()
    u = sys_uuid()
    health = scn.rollup(s)
    doc.update({
        "Manufacturer": s["manufacturer"], "Model": s["model"],
        "SerialNumber": s["serial_number"], "UUID": s["uuid"],
        "BiosVersion": s["bios_version"], "HostName": s["host"],
        "Status": {"State": "Enabled", "Health": health, "HealthRollup": health},
        "LogServices": {"@odata.id": f"{R}/Systems/{u}/LogServices"},
    })
    doc.pop("Memory", None)          # sushy-emulator 404s on it; do not advertise it
    links = doc.setdefault("Links", {})
    links["Chassis"] = [{"@odata.id": f"{R}/Chassis/1"}]
    links["ManagedBy"] = [{"@odata.id": f"{R}/Managers/{u}"}]
    return doc


def _power_hook(action: str, reset_type: str) -> None:
    b = bmc()
    if not b.get("hook"):
        return
    argv = [CFG["labctl"], "compute", action, b["host"]]
    if action == "restart":
        argv = ["/bin/sh", "-c", f'"{CFG["labctl"]}" compute stop {b["host"]} && '
                f'"{CFG["labctl"]}" compute start {b["host"]}']
    try:
        log = open(CFG["hook_log"], "ab")
        log.write(f"--- {scn.now_iso()} {b['host']} Reset {reset_type}: {' '.join(argv)}\n".encode())
        log.flush()
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME")}
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, start_new_session=True)
        log.close()
        threading.Thread(target=proc.wait, daemon=True).start()   # reap it
    except Exception as exc:  # the BMC never dies of its hook
        LOG.error("power hook %s failed: %s", argv, exc)


_orig_reset = app.view_functions["system_reset_action"]


@_replace("system_reset_action")
def _reset(identity):
    reset_type = (flask.request.get_json(silent=True) or {}).get("ResetType")
    before = app.systems.get_power_state(sys_uuid())
    resp = _orig_reset(identity=identity)
    if getattr(resp, "status_code", 500) < 300:
        if reset_type in ("ForceOff", "GracefulShutdown", "PushPowerButton") and before == "On":
            _power_hook("stop", reset_type)
        elif reset_type in ("On", "ForceOn") and before != "On":
            _power_hook("start", reset_type)
        elif reset_type in ("ForceRestart", "GracefulRestart", "PowerCycle"):
            _power_hook("restart", reset_type)
    return resp


# ---- chassis: thermal, power, sensors -------------------------------------------

@_replace("chassis_collection_resource")
def _chassis_collection():
    return _collection("#ChassisCollection.ChassisCollection", f"{R}/Chassis",
                       "Chassis Collection", [f"{R}/Chassis/1"])


@_replace("chassis_resource")
def _chassis(identity):
    if flask.request.method != "GET":
        raise error.BadRequest("Chassis is read-only in the lab")
    s = scen()
    u = sys_uuid()
    c = f"{R}/Chassis/1"
    return _doc({
        "Id": "1", "Name": "Computer System Chassis", "ChassisType": "RackMount",
        "Manufacturer": s["manufacturer"], "Model": s["model"],
        "SerialNumber": s["serial_number"], "UUID": s["uuid"],
        "PowerState": app.systems.get_power_state(u),
        "Status": _status(scn.worst([scn.thermal_health(s), scn.power_health(s)])),
        "Thermal": {"@odata.id": f"{c}/Thermal"}, "Power": {"@odata.id": f"{c}/Power"},
        "Sensors": {"@odata.id": f"{c}/Sensors"},
        "Links": {"ComputerSystems": [{"@odata.id": f"{R}/Systems/{u}"}],
                  "ManagedBy": [{"@odata.id": f"{R}/Managers/{u}"}]},
    }, "#Chassis.v1_14_0.Chassis", c)


def _temps(s, base):
    return [{"@odata.id": f"{base}#/Temperatures/{i}", "MemberId": str(i), "Name": t["name"],
             "SensorNumber": 1 + i, "ReadingCelsius": t["reading"],
             "UpperThresholdNonCritical": t["unc"], "UpperThresholdCritical": t["uc"],
             "UpperThresholdFatal": t["unr"], "PhysicalContext": t.get("context", "SystemBoard"),
             "Status": _status(scn.temp_health(t))} for i, t in enumerate(s["temperatures"])]


def _fans(s, base):
    return [{"@odata.id": f"{base}#/Fans/{i}", "MemberId": str(i), "Name": f["name"],
             "SensorNumber": 10 + i, "Reading": f["reading"], "ReadingUnits": "RPM",
             "LowerThresholdNonCritical": f["lnc"], "LowerThresholdCritical": f["lc"],
             "LowerThresholdFatal": f["lnr"], "PhysicalContext": "Fan",
             "Status": _status(scn.fan_health(f))} for i, f in enumerate(s["fans"])]


@_replace("thermal_resource")
def _thermal(identity):
    s = scen()
    base = f"{R}/Chassis/1/Thermal"
    return _doc({"Id": "Thermal", "Name": "Thermal", "Status": _status(scn.thermal_health(s)),
                 "Temperatures": _temps(s, base), "Fans": _fans(s, base)},
                "#Thermal.v1_7_0.Thermal", base)


def _watts(s) -> int:
    return s["power_consumed_watts"] if app.systems.get_power_state(sys_uuid()) == "On" else 0


@_route(f"{R}/Chassis/<identity>/Power")
def power(identity):
    s = scen()
    base = f"{R}/Chassis/1/Power"
    w = _watts(s)
    on = w > 0
    psus = [{"@odata.id": f"{base}#/PowerSupplies/{i}", "MemberId": str(i), "Name": p["name"],
             "Model": p["model"], "SerialNumber": p["serial"], "PowerSupplyType": "AC",
             "PowerCapacityWatts": p["capacity_watts"],
             "LastPowerOutputWatts": p["output_watts"] if on else 0,
             "Status": _status(p["health"], p["state"])} for i, p in enumerate(s["psus"])]
    return _doc({"Id": "Power", "Name": "Power", "Status": _status(scn.power_health(s)),
                 "PowerControl": [{
                     "@odata.id": f"{base}#/PowerControl/0", "MemberId": "0",
                     "Name": "System Power Control", "PowerConsumedWatts": w,
                     "PowerCapacityWatts": s["power_capacity_watts"],
                     "PowerMetrics": {"IntervalInMin": 1, "AverageConsumedWatts": w,
                                      "MinConsumedWatts": w, "MaxConsumedWatts": w},
                     "Status": _status("OK")}],
                 "PowerSupplies": psus, "Voltages": []},
                "#Power.v1_6_0.Power", base)


def _sensors(s) -> dict:
    out = {}
    for i, t in enumerate(s["temperatures"]):
        out[t["name"].replace(" ", "")] = {
            "Name": t["name"], "Reading": t["reading"], "ReadingUnits": "Cel",
            "ReadingType": "Temperature", "PhysicalContext": t.get("context", "SystemBoard"),
            "Thresholds": {"UpperCaution": {"Reading": t["unc"]},
                           "UpperCritical": {"Reading": t["uc"]},
                           "UpperFatal": {"Reading": t["unr"]}},
            "Status": _status(scn.temp_health(t))}
    for f in s["fans"]:
        out[f["name"].replace(" ", "")] = {
            "Name": f["name"], "Reading": f["reading"], "ReadingUnits": "RPM",
            "ReadingType": "Rotational", "PhysicalContext": "Fan",
            "Thresholds": {"LowerCaution": {"Reading": f["lnc"]},
                           "LowerCritical": {"Reading": f["lc"]},
                           "LowerFatal": {"Reading": f["lnr"]}},
            "Status": _status(scn.fan_health(f))}
    for p in s["psus"]:
        out[p["name"] + "Output"] = {
            "Name": f"{p['name']} Output", "Reading": p["output_watts"] if _watts(s) else 0,
            "ReadingUnits": "W", "ReadingType": "Power", "PhysicalContext": "PowerSupply",
            "Status": _status(p["health"], p["state"])}
    out["TotalPower"] = {"Name": "Total Power", "Reading": _watts(s), "ReadingUnits": "W",
                         "ReadingType": "Power", "PhysicalContext": "Chassis",
                         "Status": _status("OK")}
    return out


@_route(f"{R}/Chassis/<identity>/Sensors")
def sensors(identity):
    base = f"{R}/Chassis/1/Sensors"
    return _collection("#SensorCollection.SensorCollection", base, "Sensors",
                       [f"{base}/{k}" for k in _sensors(scen())])


@_route(f"{R}/Chassis/<identity>/Sensors/<sensor>")
def sensor(identity, sensor):
    data = _sensors(scen()).get(sensor)
    if data is None:
        raise error.NotFound(f"Sensor {sensor} not found")
    data["Id"] = sensor
    return _doc(data, "#Sensor.v1_2_0.Sensor", f"{R}/Chassis/1/Sensors/{sensor}")


# ---- managers, SEL ----------------------------------------------------------------

@_replace("manager_collection_resource")
def _managers():
    return _collection("#ManagerCollection.ManagerCollection", f"{R}/Managers",
                       "Manager Collection", [f"{R}/Managers/{sys_uuid()}"])


@_wrap("manager_resource")
def _manager(doc, identity):
    s = scen()
    u = sys_uuid()
    doc.update({"FirmwareVersion": s["bmc_firmware"], "Model": "Lab BMC 3000",
                "Status": {"State": "Enabled", "Health": "OK"},
                "LogServices": {"@odata.id": f"{R}/Managers/{u}/LogServices"}})
    doc.setdefault("Links", {})["ManagerForChassis"] = [{"@odata.id": f"{R}/Chassis/1"}]
    return doc


def _log_base(kind: str) -> str:
    return f"{R}/{kind}/{sys_uuid()}/LogServices"


def _entry(e: dict, base: str) -> dict:
    out = {"@odata.type": "#LogEntry.v1_4_0.LogEntry", "@odata.id": f"{base}/SEL/Entries/{e['Id']}",
           "Name": f"Log Entry {e['Id']}", "EntryType": "SEL", "EntryCode": "Assert"}
    out.update(e)
    return out


def _log_routes(kind: str) -> None:
    prefix = f"{R}/{kind}/<identity>/LogServices"

    def services(identity):
        b = _log_base(kind)
        return _collection("#LogServiceCollection.LogServiceCollection", b,
                           "Log Service Collection", [f"{b}/SEL"])

    def sel(identity):
        b = _log_base(kind)
        return _doc({"Id": "SEL", "Name": "System Event Log", "LogEntryType": "SEL",
                     "MaxNumberOfRecords": 1000, "OverWritePolicy": "WrapsWhenFull",
                     "ServiceEnabled": True, "Status": _status("OK"),
                     "Entries": {"@odata.id": f"{b}/SEL/Entries"},
                     "Actions": {"#LogService.ClearLog": {
                         "target": f"{b}/SEL/Actions/LogService.ClearLog"}}},
                    "#LogService.v1_1_3.LogService", f"{b}/SEL")

    def entries(identity):
        b = _log_base(kind)
        return _collection("#LogEntryCollection.LogEntryCollection", f"{b}/SEL/Entries",
                           "System Event Log Entries",
                           [_entry(e, b) for e in scen()["sel"]], expand=True)

    def entry(identity, entry_id):
        b = _log_base(kind)
        for e in scen()["sel"]:
            if str(e["Id"]) == entry_id:
                return flask.jsonify(_entry(e, b))
        raise error.NotFound(f"Log entry {entry_id} not found")

    def clear(identity):
        p = Path(bmc()["scenario"])
        s = scn.load(p)
        s["sel"] = [{"Id": "1", "Created": scn.now_iso(), "Severity": "OK",
                     "Message": "Event log cleared", "MessageId": "Lab.1.0.LogCleared",
                     "SensorType": "Event Logging Disabled"}]
        scn.save(p, s)
        return "", 204

    for rule, fn, methods in ((prefix, services, ["GET"]), (f"{prefix}/SEL", sel, ["GET"]),
                              (f"{prefix}/SEL/Entries", entries, ["GET"]),
                              (f"{prefix}/SEL/Entries/<entry_id>", entry, ["GET"]),
                              (f"{prefix}/SEL/Actions/LogService.ClearLog", clear, ["POST"])):
        app.add_url_rule(rule, f"lab_{kind}_{fn.__name__}", fn, methods=methods)


_log_routes("Managers")
_log_routes("Systems")


# ---- firmware inventory -------------------------------------------------------------

@_wrap("UpdateService.update_service_resource")
def _update_service(doc):
    doc["FirmwareInventory"] = {"@odata.id": f"{R}/UpdateService/FirmwareInventory"}
    return doc


def _firmware() -> dict:
    s = scen()
    u = sys_uuid()
    return {
        "BIOS": {"Name": "System BIOS", "Version": s["bios_version"], "Updateable": True,
                 "SoftwareId": "BIOS", "RelatedItem": [{"@odata.id": f"{R}/Systems/{u}"}]},
        "BMC": {"Name": "BMC Firmware", "Version": s["bmc_firmware"], "Updateable": True,
                "SoftwareId": "BMC", "RelatedItem": [{"@odata.id": f"{R}/Managers/{u}"}]},
    }


@_route(f"{R}/UpdateService/FirmwareInventory")
def firmware_inventory():
    base = f"{R}/UpdateService/FirmwareInventory"
    return _collection("#SoftwareInventoryCollection.SoftwareInventoryCollection", base,
                       "Firmware Inventory", [f"{base}/{k}" for k in _firmware()])


@_route(f"{R}/UpdateService/FirmwareInventory/<item>")
def firmware_item(item):
    data = _firmware().get(item)
    if data is None:
        raise error.NotFound(f"Firmware {item} not found")
    data.update({"Id": item, "Status": _status("OK")})
    return _doc(data, "#SoftwareInventory.v1_2_0.SoftwareInventory",
                f"{R}/UpdateService/FirmwareInventory/{item}")


# ---- session service ---------------------------------------------------------------

@_route(f"{R}/SessionService")
def session_service():
    return _doc({"Id": "SessionService", "Name": "Session Service", "ServiceEnabled": True,
                 "SessionTimeout": 1800, "Status": _status("OK"),
                 "Sessions": {"@odata.id": f"{R}/SessionService/Sessions"}},
                "#SessionService.v1_1_8.SessionService", f"{R}/SessionService")


@_route(f"{R}/SessionService/Sessions")
def sessions():
    g = gate()
    with g.lock:
        ids = sorted((s["Id"] for s in g.sessions.values()), key=int)
    return _collection("#SessionCollection.SessionCollection", f"{R}/SessionService/Sessions",
                       "Session Collection", [f"{R}/SessionService/Sessions/{i}" for i in ids])


@_route(f"{R}/SessionService/Sessions/<sid>", methods=("GET", "DELETE"))
def session(sid):
    g = gate()
    with g.lock:
        match = [t for t, s in g.sessions.items() if s["Id"] == sid]
        if not match:
            raise error.NotFound(f"Session {sid} not found")
        if flask.request.method == "DELETE":
            del g.sessions[match[0]]
            return "", 204
        return flask.jsonify(_session_json(g.sessions[match[0]]))


import redfish_settings  # noqa: E402  (network protocols, accounts, certificate, clock: scenario)
redfish_settings.register(app, scen, bmc)


# ---- serving: one werkzeug server per BMC port ---------------------------------------

GATES = {b["host"]: Gate(b) for b in BMCS}


def _serve(g: Gate) -> None:
    g.server = make_server(CFG.get("listen", "127.0.0.1"), g.bmc["port"], g, threaded=True)
    threading.Thread(target=g.server.serve_forever, name=g.bmc["host"], daemon=True).start()
    redfish_settings.serve_https(g.bmc, g, CFG.get("listen", "127.0.0.1"), make_server)


def _watch() -> None:
    """Close / reopen a BMC's port as its scenario's ``down`` flag says."""
    while True:
        time.sleep(0.5)
        for g in GATES.values():
            try:
                down = scn.load(Path(g.bmc["scenario"])).get("down", False)
            except (OSError, ValueError):
                continue
            try:
                if down and g.server is not None:
                    srv, g.server = g.server, None
                    srv.shutdown()
                    srv.server_close()
                    with g.lock:
                        g.sessions.clear()
                    LOG.info("%s: port %s closed (bmc_down)", g.bmc["host"], g.bmc["port"])
                elif not down and g.server is None:
                    _serve(g)
                    LOG.info("%s: port %s reopened", g.bmc["host"], g.bmc["port"])
            except OSError as exc:
                LOG.error("%s: %s", g.bmc["host"], exc)


def main() -> None:
    app.systems  # initialise the fake driver (state dir) before serving  # noqa: B018
    for g in GATES.values():
        if not scn.load(Path(g.bmc["scenario"])).get("down", False):
            _serve(g)
    LOG.info("serving %d BMC(s): %s", len(GATES),
             ", ".join(f"{b['host']}:{b['port']}" for b in BMCS))
    _watch()


if __name__ == "__main__":
    main()
