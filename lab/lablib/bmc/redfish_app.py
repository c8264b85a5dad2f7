"""The lab's Redfish BMC emulator: sushy-tools' sushy-emulator, extended.

Run with the BMC virtualenv's python:  redfish_app.py CONFIG.json

CONFIG lists one or more BMCs ({host, port, uuid, scenario, htpasswd, hook}).
Every BMC gets its own TCP port (its own werkzeug server thread) in front of
the one shared sushy-emulator Flask app with the fake systems driver:

* a per-port gate does authentication (HTTP basic against that BMC's bcrypt
  htpasswd file, re-read on each request, or an X-Auth-Token from the
  SessionService it implements) and pins requests to that BMC's system, so a
  client of one port sees exactly one System, Manager and Chassis ("1");
* routes of the lab's own serve the chassis, their sensors, the logs,
  UpdateService (FirmwareInventory with the kept previous images, a SimpleUpdate
  that updates BMC firmware or BIOS after the scenario's update_seconds, its
  TaskService tasks and task monitors), and add BiosVersion, Manufacturer, Model,
  SerialNumber and a health rollup to the System, from the BMC's scenario
  JSON, re-read on every request so faults show at once. The scenario's
  profile (scenario.PROFILES) lays the chassis out: one chassis with
  Thermal/Power/Sensors (default), one with only ThermalSubsystem/
  PowerSubsystem/Sensors/EnvironmentMetrics (new_resources_only), or a blade
  that contains a Baseboard, in an Enclosure (multi_chassis). The SEL is
  Managers/<id>/LogServices/SEL (also under Systems/<id>, or a BIOS log there
  with long_sel, whose SEL is paged with nextLink); $expand is honoured where
  the scenario offers it (ServiceRoot.ProtocolFeaturesSupported);
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

CFG = json.loads(Path(os.environ.get("OSFLEET_REDFISH_APP_CONFIG") or sys.argv[1]).read_text())
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


_SETTLE = threading.Lock()


def scen() -> dict:
    """The BMC's scenario, with the firmware updates whose tasks have completed applied (and saved)."""
    p = Path(bmc()["scenario"])
    d = scn.load(p)
    if scn.updates_pending(d):
        with _SETTLE:
            d = scn.load(p)
            if scn.settle_updates(d):
                scn.save(p, d)
    return d


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
        if ident not in _chassis_specs(scen()):
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
    if not expand and _expand_asked():
        members = _expanded(members)
        expand = True
    return _doc({"Name": name, "Members@odata.count": len(members),
                 "Members": members if expand else [{"@odata.id": m} for m in members]},
                odata_type, odata_id)


# $expand (DSP0266 7.3): only on a BMC whose scenario offers it (ServiceRoot then
# advertises ProtocolFeaturesSupported.ExpandQuery); ".", "*" and "~" all expand a
# collection's Members (they are not under Links), one level ($levels > 1 is not offered).
_EXPAND_VALUES = (".", "*", "~")


def _expand_asked() -> bool:
    if "osfleet.gate" not in flask.request.environ:
        return False
    value = flask.request.args.get("$expand")
    if value is None or not scen().get("expand_query"):
        return False
    return value.split("(", 1)[0] in _EXPAND_VALUES


def _expanded(paths: list) -> list:
    """The member documents, fetched through the app itself (same BMC, same pinning)."""
    out = []
    env = {"osfleet.gate": gate()}
    with app.test_client() as client:
        for path in paths:
            resp = client.get(path, environ_overrides=env)
            out.append(resp.get_json() if resp.status_code == 200 else {"@odata.id": path})
    return out


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
    if "osfleet.gate" in flask.request.environ:
        s = scen()
        if scn.profile_of(s) != "default":
            doc["RedfishVersion"] = "1.17.0"
            doc["Product"] += f", profile {scn.profile_of(s)}"
        if s.get("expand_query"):
            doc["ProtocolFeaturesSupported"] = {
                "ExpandQuery": {"ExpandAll": True, "Levels": True, "MaxLevels": 1,
                                "Links": True, "NoLinks": True},
                "FilterQuery": False, "SelectQuery": False, "OnlyMemberQuery": False,
                "ExcerptQuery": False}
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
    # ComputerSystem 1.7+: the summaries link ProcessorMetrics / MemoryMetrics (utilization)
    if s.get("cpu_bandwidth_percent") is not None:
        doc.setdefault("ProcessorSummary", {})["Metrics"] = {
            "@odata.id": f"{R}/Systems/{u}/ProcessorSummary/ProcessorMetrics"}
    if s.get("memory_bandwidth_percent") is not None:
        doc.setdefault("MemorySummary", {})["Metrics"] = {
            "@odata.id": f"{R}/Systems/{u}/MemorySummary/MemoryMetrics"}
    links = doc.setdefault("Links", {})
    links["Chassis"] = [{"@odata.id": f"{R}/Chassis/{i}"}
                        for i, c in _chassis_specs(s).items() if c["system"]]
    links["ManagedBy"] = [{"@odata.id": f"{R}/Managers/{u}"}]
    return doc


def _summary_metrics(identity: str, key: str, doc_id: str, name: str, odata_type: str, path: str):
    """ProcessorMetrics / MemoryMetrics of the system summary: the scenario's ``key`` while powered on, 0 off."""
    s = scen()
    if s.get(key) is None:
        flask.abort(404)
    on = app.systems.get_power_state(sys_uuid()) == "On"
    return _doc({"Id": doc_id, "Name": name, "BandwidthPercent": s[key] if on else 0}, odata_type,
                f"{R}/Systems/{identity}/{path}")


@_route(f"{R}/Systems/<identity>/ProcessorSummary/ProcessorMetrics")
def processor_metrics(identity):
    return _summary_metrics(identity, "cpu_bandwidth_percent", "ProcessorMetrics", "Processor Summary Metrics",
                            "#ProcessorMetrics.v1_6_1.ProcessorMetrics", "ProcessorSummary/ProcessorMetrics")


@_route(f"{R}/Systems/<identity>/MemorySummary/MemoryMetrics")
def memory_metrics(identity):
    return _summary_metrics(identity, "memory_bandwidth_percent", "MemoryMetrics", "Memory Summary Metrics",
                            "#MemoryMetrics.v1_7_0.MemoryMetrics", "MemorySummary/MemoryMetrics")


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


# ---- chassis: laid out by the scenario's profile ---------------------------------
#
# A chassis spec: id, name, type, gens ("old": Thermal/Power, "new": ThermalSubsystem/
# PowerSubsystem/EnvironmentMetrics; both serve Sensors), the sensor lists it carries
# (temperatures/fans/psus, the scenario's own dicts so faults show at once), whether
# it carries the system's power draw, and its Links.

def _chassis_specs(s: dict) -> dict:
    board = {"temperatures": s["temperatures"], "fans": s["fans"], "psus": s["psus"], "draw": True}
    profile = scn.profile_of(s)
    if profile == "new_resources_only":
        return {"1": dict(board, id="1", name="Computer System Chassis", type="RackMount",
                          gens=("new",), system=True)}
    if profile == "multi_chassis":
        enc = s["enclosure"]
        return {
            "1": {"id": "1", "name": "Blade 1", "type": "Blade", "gens": (), "system": True,
                  "temperatures": [], "fans": [], "psus": [], "draw": False,
                  "contains": ["Baseboard"], "contained_by": "Enclosure"},
            "Baseboard": dict(board, id="Baseboard", name="Blade 1 Baseboard", type="Module",
                              gens=("old",), system=False, contained_by="1"),
            "Enclosure": {"id": "Enclosure", "name": "Blade Enclosure", "type": "Enclosure",
                          "gens": ("old", "new"), "system": True, "temperatures": [],
                          "fans": enc["fans"], "psus": enc["psus"], "draw": False,
                          "contains": ["1"]},
        }
    return {"1": dict(board, id="1", name="Computer System Chassis", type="RackMount",
                      gens=("old",), system=True)}


def _spec(identity: str, gen: str | None = None) -> dict:
    spec = _chassis_specs(scen()).get(identity)
    if spec is None:
        raise error.NotFound(f"Chassis {identity} not found")
    if gen is not None and gen not in spec["gens"]:
        raise error.NotFound(f"Chassis {identity} does not offer this resource")
    return spec


def _chassis_health(spec: dict) -> str:
    return scn.worst([scn.thermal_health(spec), scn.power_health(spec)])


def _ref(path: str) -> dict:
    return {"@odata.id": path}


@_replace("chassis_collection_resource")
def _chassis_collection():
    return _collection("#ChassisCollection.ChassisCollection", f"{R}/Chassis",
                       "Chassis Collection", [f"{R}/Chassis/{i}" for i in _chassis_specs(scen())])


@_replace("chassis_resource")
def _chassis(identity):
    if flask.request.method != "GET":
        raise error.BadRequest("Chassis is read-only in the lab")
    s = scen()
    spec = _spec(identity)
    u = sys_uuid()
    c = f"{R}/Chassis/{identity}"
    links = {"ManagedBy": [_ref(f"{R}/Managers/{u}")]}
    if spec["system"]:
        links["ComputerSystems"] = [_ref(f"{R}/Systems/{u}")]
    if spec.get("contains"):
        links["Contains"] = [_ref(f"{R}/Chassis/{i}") for i in spec["contains"]]
    if spec.get("contained_by"):
        links["ContainedBy"] = _ref(f"{R}/Chassis/{spec['contained_by']}")
    health = _chassis_health(spec)
    doc = {"Id": identity, "Name": spec["name"], "ChassisType": spec["type"],
           "Manufacturer": s["manufacturer"], "Model": s["model"],
           "SerialNumber": s["serial_number"] + ("" if identity == "1" else f"-{identity[:3].upper()}"),
           "PowerState": app.systems.get_power_state(u),
           "Status": {"State": "Enabled", "Health": "OK" if spec["gens"] and "new" in spec["gens"]
                      else health, "HealthRollup": health},
           "Links": links}
    if identity == "1":
        doc["UUID"] = s["uuid"]
    if "old" in spec["gens"]:
        doc["Thermal"] = _ref(f"{c}/Thermal")
        doc["Power"] = _ref(f"{c}/Power")
    if "new" in spec["gens"]:
        doc["ThermalSubsystem"] = _ref(f"{c}/ThermalSubsystem")
        doc["PowerSubsystem"] = _ref(f"{c}/PowerSubsystem")
        if spec["draw"] or spec["temperatures"]:
            doc["EnvironmentMetrics"] = _ref(f"{c}/EnvironmentMetrics")
    if spec["gens"]:
        doc["Sensors"] = _ref(f"{c}/Sensors")
    return _doc(doc, "#Chassis.v1_21_0.Chassis", c)


def _temps(spec, base):
    return [{"@odata.id": f"{base}#/Temperatures/{i}", "MemberId": str(i), "Name": t["name"],
             "SensorNumber": 1 + i, "ReadingCelsius": t["reading"],
             "UpperThresholdNonCritical": t["unc"], "UpperThresholdCritical": t["uc"],
             "UpperThresholdFatal": t["unr"], "PhysicalContext": t.get("context", "SystemBoard"),
             "Status": _status(scn.temp_health(t))} for i, t in enumerate(spec["temperatures"])]


def _fans(spec, base):
    return [{"@odata.id": f"{base}#/Fans/{i}", "MemberId": str(i), "Name": f["name"],
             "SensorNumber": 10 + i, "Reading": f["reading"], "ReadingUnits": "RPM",
             "LowerThresholdNonCritical": f["lnc"], "LowerThresholdCritical": f["lc"],
             "LowerThresholdFatal": f["lnr"], "PhysicalContext": "Fan",
             "Status": _status(scn.fan_health(f))} for i, f in enumerate(spec["fans"])]


@_replace("thermal_resource")
def _thermal(identity):
    spec = _spec(identity, "old")
    base = f"{R}/Chassis/{identity}/Thermal"
    return _doc({"Id": "Thermal", "Name": "Thermal", "Status": _status(scn.thermal_health(spec)),
                 "Temperatures": _temps(spec, base), "Fans": _fans(spec, base)},
                "#Thermal.v1_7_0.Thermal", base)


def _watts(s) -> int:
    return s["power_consumed_watts"] if app.systems.get_power_state(sys_uuid()) == "On" else 0


def _psu_out(spec, p, on: bool) -> int:
    return p["output_watts"] if on else 0


@_route(f"{R}/Chassis/<identity>/Power")
def power(identity):
    s = scen()
    spec = _spec(identity, "old")
    base = f"{R}/Chassis/{identity}/Power"
    w = _watts(s)
    on = app.systems.get_power_state(sys_uuid()) == "On"
    psus = [{"@odata.id": f"{base}#/PowerSupplies/{i}", "MemberId": str(i), "Name": p["name"],
             "Model": p["model"], "SerialNumber": p["serial"], "PowerSupplyType": "AC",
             "PowerCapacityWatts": p["capacity_watts"],
             "LastPowerOutputWatts": _psu_out(spec, p, on),
             "Status": _status(p["health"], p["state"])} for i, p in enumerate(spec["psus"])]
    control = []
    if spec["draw"]:
        control = [{
            "@odata.id": f"{base}#/PowerControl/0", "MemberId": "0",
            "Name": "System Power Control", "PowerConsumedWatts": w,
            "PowerCapacityWatts": s["power_capacity_watts"],
            "PowerMetrics": {"IntervalInMin": 1, "AverageConsumedWatts": w,
                             "MinConsumedWatts": w, "MaxConsumedWatts": w},
            "Status": _status("OK")}]
    return _doc({"Id": "Power", "Name": "Power", "Status": _status(scn.power_health(spec)),
                 "PowerControl": control, "PowerSupplies": psus, "Voltages": []},
                "#Power.v1_6_0.Power", base)


def _sid(name: str) -> str:
    return name.replace(" ", "")


def _percent(rpm) -> int:
    return round(rpm * 100 / scn.FAN_MAX_RPM)


def _sensors(s, spec) -> dict:
    """Sensor Id -> Sensor body of a chassis. On the new resources fans are percent
    sensors (with SpeedRPM), as on bmcweb and iLO 6; on the old ones RPM."""
    new = "new" in spec["gens"]
    on = app.systems.get_power_state(sys_uuid()) == "On"
    out = {}
    for t in spec["temperatures"]:
        out[_sid(t["name"])] = {
            "Name": t["name"], "Reading": t["reading"], "ReadingUnits": "Cel",
            "ReadingType": "Temperature", "PhysicalContext": t.get("context", "SystemBoard"),
            "Thresholds": {"UpperCaution": {"Reading": t["unc"]},
                           "UpperCritical": {"Reading": t["uc"]},
                           "UpperFatal": {"Reading": t["unr"]}},
            "Status": _status(scn.temp_health(t))}
    for f in spec["fans"]:
        if new:
            out[_sid(f["name"])] = {
                "Name": f["name"], "Reading": _percent(f["reading"]), "ReadingUnits": "%",
                "ReadingType": "Percent", "SpeedRPM": f["reading"], "PhysicalContext": "Fan",
                "Thresholds": {"LowerCaution": {"Reading": _percent(f["lnc"])},
                               "LowerCritical": {"Reading": _percent(f["lc"])},
                               "LowerFatal": {"Reading": _percent(f["lnr"])}},
                "Status": _status(scn.fan_health(f))}
        else:
            out[_sid(f["name"])] = {
                "Name": f["name"], "Reading": f["reading"], "ReadingUnits": "RPM",
                "ReadingType": "Rotational", "PhysicalContext": "Fan",
                "Thresholds": {"LowerCaution": {"Reading": f["lnc"]},
                               "LowerCritical": {"Reading": f["lc"]},
                               "LowerFatal": {"Reading": f["lnr"]}},
                "Status": _status(scn.fan_health(f))}
    for p in spec["psus"]:
        out[_sid(p["name"]) + "Output"] = {
            "Name": f"{p['name']} Output", "Reading": _psu_out(spec, p, on),
            "ReadingUnits": "W", "ReadingType": "Power", "PhysicalContext": "PowerSupply",
            "Status": _status(p["health"], p["state"])}
    if spec["draw"]:
        out["TotalPower"] = {"Name": "Total Power", "Reading": _watts(s), "ReadingUnits": "W",
                             "ReadingType": "Power", "PhysicalContext": "Chassis",
                             "Status": _status("OK")}
    return out


@_route(f"{R}/Chassis/<identity>/Sensors")
def sensors(identity):
    spec = _spec(identity)
    if not spec["gens"]:
        raise error.NotFound(f"Chassis {identity} has no sensors")
    base = f"{R}/Chassis/{identity}/Sensors"
    return _collection("#SensorCollection.SensorCollection", base, "Sensors",
                       [f"{base}/{k}" for k in _sensors(scen(), spec)])


@_route(f"{R}/Chassis/<identity>/Sensors/<sensor>")
def sensor(identity, sensor):
    spec = _spec(identity)
    data = _sensors(scen(), spec).get(sensor) if spec["gens"] else None
    if data is None:
        raise error.NotFound(f"Sensor {sensor} not found")
    data["Id"] = sensor
    return _doc(data, "#Sensor.v1_7_0.Sensor", f"{R}/Chassis/{identity}/Sensors/{sensor}")


# ---- chassis: the 2020.4+ resources ---------------------------------------------

def _excerpt(identity: str, sensor_id: str, reading, **extra) -> dict:
    out = {"DataSourceUri": f"{R}/Chassis/{identity}/Sensors/{sensor_id}", "Reading": reading}
    out.update(extra)
    return out


@_route(f"{R}/Chassis/<identity>/ThermalSubsystem")
def thermal_subsystem(identity):
    spec = _spec(identity, "new")
    base = f"{R}/Chassis/{identity}/ThermalSubsystem"
    doc = {"Id": "ThermalSubsystem", "Name": "Thermal Subsystem",
           "Status": _status(scn.thermal_health(spec)), "Fans": _ref(f"{base}/Fans")}
    if spec["temperatures"]:
        doc["ThermalMetrics"] = _ref(f"{base}/ThermalMetrics")
    return _doc(doc, "#ThermalSubsystem.v1_3_0.ThermalSubsystem", base)


def _fan_doc(identity: str, i: int, f: dict) -> dict:
    fid = _sid(f["name"])
    return {"@odata.type": "#Fan.v1_5_0.Fan",
            "@odata.id": f"{R}/Chassis/{identity}/ThermalSubsystem/Fans/{fid}",
            "Id": fid, "Name": f["name"], "PhysicalContext": "Fan", "HotPluggable": True,
            "Location": {"PartLocation": {"ServiceLabel": f["name"], "LocationType": "Bay",
                                          "LocationOrdinalValue": i}},
            "SpeedPercent": _excerpt(identity, fid, _percent(f["reading"]), SpeedRPM=f["reading"]),
            "Status": _status(scn.fan_health(f))}


@_route(f"{R}/Chassis/<identity>/ThermalSubsystem/Fans")
def fans(identity):
    spec = _spec(identity, "new")
    base = f"{R}/Chassis/{identity}/ThermalSubsystem/Fans"
    return _collection("#FanCollection.FanCollection", base, "Fans",
                       [f"{base}/{_sid(f['name'])}" for f in spec["fans"]])


@_route(f"{R}/Chassis/<identity>/ThermalSubsystem/Fans/<fan>")
def fan(identity, fan):
    spec = _spec(identity, "new")
    for i, f in enumerate(spec["fans"]):
        if _sid(f["name"]) == fan:
            return flask.jsonify(_fan_doc(identity, i, f))
    raise error.NotFound(f"Fan {fan} not found")


@_route(f"{R}/Chassis/<identity>/ThermalSubsystem/ThermalMetrics")
def thermal_metrics(identity):
    spec = _spec(identity, "new")
    base = f"{R}/Chassis/{identity}/ThermalSubsystem/ThermalMetrics"
    temps = spec["temperatures"]
    readings = [_excerpt(identity, _sid(t["name"]), t["reading"], DeviceName=t["name"],
                         PhysicalContext=t.get("context", "SystemBoard")) for t in temps]
    doc = {"Id": "ThermalMetrics", "Name": "Chassis Thermal Metrics",
           "TemperatureReadingsCelsius": readings,
           "TemperatureReadingsCelsius@odata.count": len(readings)}
    intake = [t for t in temps if t.get("context") == "Intake"]
    if intake:
        doc["TemperatureSummaryCelsius"] = {
            "Intake": _excerpt(identity, _sid(intake[0]["name"]), intake[0]["reading"])}
    return _doc(doc, "#ThermalMetrics.v1_3_1.ThermalMetrics", base)


@_route(f"{R}/Chassis/<identity>/PowerSubsystem")
def power_subsystem(identity):
    s = scen()
    spec = _spec(identity, "new")
    base = f"{R}/Chassis/{identity}/PowerSubsystem"
    doc = {"Id": "PowerSubsystem", "Name": "Power Subsystem",
           "CapacityWatts": sum(p["capacity_watts"] for p in spec["psus"]),
           "Status": _status(scn.power_health(spec)),
           "PowerSupplies": _ref(f"{base}/PowerSupplies")}
    if spec["draw"]:
        doc["Allocation"] = {"AllocatedWatts": s["power_capacity_watts"],
                             "RequestedWatts": s["power_capacity_watts"]}
    return _doc(doc, "#PowerSubsystem.v1_1_2.PowerSubsystem", base)


def _psu_index(spec: dict, psu: str) -> int:
    for i, p in enumerate(spec["psus"]):
        if _sid(p["name"]) == psu:
            return i
    raise error.NotFound(f"PowerSupply {psu} not found")


@_route(f"{R}/Chassis/<identity>/PowerSubsystem/PowerSupplies")
def power_supplies(identity):
    spec = _spec(identity, "new")
    base = f"{R}/Chassis/{identity}/PowerSubsystem/PowerSupplies"
    return _collection("#PowerSupplyCollection.PowerSupplyCollection", base,
                       "Power Supplies", [f"{base}/{_sid(p['name'])}" for p in spec["psus"]])


@_route(f"{R}/Chassis/<identity>/PowerSubsystem/PowerSupplies/<psu>")
def power_supply(identity, psu):
    spec = _spec(identity, "new")
    i = _psu_index(spec, psu)
    p = spec["psus"][i]
    base = f"{R}/Chassis/{identity}/PowerSubsystem/PowerSupplies/{psu}"
    return _doc({"Id": psu, "Name": p["name"], "Model": p["model"], "SerialNumber": p["serial"],
                 "Manufacturer": "Osfleet Lab Power", "PowerSupplyType": "AC",
                 "PowerCapacityWatts": p["capacity_watts"], "HotPluggable": True,
                 "LineInputStatus": "Normal",
                 "Location": {"PartLocation": {"ServiceLabel": p["name"], "LocationType": "Bay",
                                               "LocationOrdinalValue": i}},
                 "Metrics": _ref(f"{base}/Metrics"),
                 "Status": _status(p["health"], p["state"])},
                "#PowerSupply.v1_5_3.PowerSupply", base)


@_route(f"{R}/Chassis/<identity>/PowerSubsystem/PowerSupplies/<psu>/Metrics")
def power_supply_metrics(identity, psu):
    spec = _spec(identity, "new")
    p = spec["psus"][_psu_index(spec, psu)]
    on = app.systems.get_power_state(sys_uuid()) == "On"
    base = f"{R}/Chassis/{identity}/PowerSubsystem/PowerSupplies/{psu}/Metrics"
    return _doc({"Id": "Metrics", "Name": f"{p['name']} Metrics",
                 "OutputPowerWatts": _excerpt(identity, _sid(p["name"]) + "Output",
                                              _psu_out(spec, p, on)),
                 "Status": _status(p["health"], p["state"])},
                "#PowerSupplyMetrics.v1_1_0.PowerSupplyMetrics", base)


@_route(f"{R}/Chassis/<identity>/EnvironmentMetrics")
def environment_metrics(identity):
    s = scen()
    spec = _spec(identity, "new")
    base = f"{R}/Chassis/{identity}/EnvironmentMetrics"
    doc = {"Id": "EnvironmentMetrics", "Name": "Chassis Environment Metrics"}
    if spec["draw"]:
        doc["PowerWatts"] = _excerpt(identity, "TotalPower", _watts(s))
    intake = [t for t in spec["temperatures"] if t.get("context") == "Intake"]
    if intake:
        doc["TemperatureCelsius"] = _excerpt(identity, _sid(intake[0]["name"]), intake[0]["reading"])
    if spec["fans"]:
        doc["FanSpeedsPercent"] = [_excerpt(identity, _sid(f["name"]), _percent(f["reading"]),
                                            DeviceName=f["name"], SpeedRPM=f["reading"])
                                   for f in spec["fans"]]
    return _doc(doc, "#EnvironmentMetrics.v1_3_2.EnvironmentMetrics", base)


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
    doc.setdefault("Links", {})["ManagerForChassis"] = [{"@odata.id": f"{R}/Chassis/{i}"}
                                                        for i in _chassis_specs(s)]
    return doc


def _log_base(kind: str) -> str:
    return f"{R}/{kind}/{sys_uuid()}/LogServices"


# LogService Id -> (Name, LogEntryType, EntryType, scenario key). Default: the one SEL
# under both the Manager and the System, as before. long_sel: the SEL is the Manager's,
# the System has a short BIOS event log of its own (AMI MegaRAC's layout).
_SEL = ("System Event Log", "SEL", "SEL", "sel")
_BIOS = ("BIOS Event Log", "Event", "Event", "bios_log")


def _log_services(kind: str, s: dict) -> dict:
    if s.get("long_sel") and kind == "Systems":
        return {"BIOS": _BIOS}
    return {"SEL": _SEL}


def _log_service(kind: str, service: str) -> tuple:
    s = scen()
    svc = _log_services(kind, s).get(service)
    if svc is None:
        raise error.NotFound(f"LogService {service} not found")
    return s, svc


def _entry(e: dict, base: str, service: str = "SEL", entry_type: str = "SEL") -> dict:
    out = {"@odata.type": "#LogEntry.v1_4_0.LogEntry",
           "@odata.id": f"{base}/{service}/Entries/{e['Id']}",
           "Name": f"Log Entry {e['Id']}", "EntryType": entry_type}
    if entry_type == "SEL":
        out["EntryCode"] = "Assert"
    out.update(e)
    return out


def _int_arg(name: str, default: int) -> int:
    raw = flask.request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise error.BadRequest(f"{name} must be a non-negative integer, not {raw!r}")
    if value < 0:
        raise error.BadRequest(f"{name} must be a non-negative integer, not {raw!r}")
    return value


def _log_routes(kind: str) -> None:
    prefix = f"{R}/{kind}/<identity>/LogServices"

    def services(identity):
        b = _log_base(kind)
        return _collection("#LogServiceCollection.LogServiceCollection", b,
                           "Log Service Collection",
                           [f"{b}/{sid}" for sid in _log_services(kind, scen())])

    def service(identity, service):
        s, (name, log_type, _etype, key) = _log_service(kind, service)
        b = _log_base(kind)
        return _doc({"Id": service, "Name": name, "LogEntryType": log_type,
                     "MaxNumberOfRecords": 1000 if key == "sel" else 100,
                     "OverWritePolicy": "WrapsWhenFull",
                     "ServiceEnabled": True, "Status": _status("OK"),
                     "Entries": {"@odata.id": f"{b}/{service}/Entries"},
                     "Actions": {"#LogService.ClearLog": {
                         "target": f"{b}/{service}/Actions/LogService.ClearLog"}}},
                    "#LogService.v1_1_3.LogService", f"{b}/{service}")

    def entries(identity, service):
        s, (name, _lt, etype, key) = _log_service(kind, service)
        b = _log_base(kind)
        docs = [_entry(e, b, service, etype) for e in s.get(key, [])]
        coll = f"{b}/{service}/Entries"
        body = {"Name": f"{name} Entries", "Members@odata.count": len(docs)}
        page = s.get("sel_page_size")
        if not page:                          # as before: one page, members inline
            body["Members"] = docs
            return _doc(body, "#LogEntryCollection.LogEntryCollection", coll)
        skip = _int_arg("$skip", 0)
        top = min(_int_arg("$top", page), page)
        chunk = docs[skip:skip + top]
        expand = _expand_asked()
        body["Members"] = chunk if expand else [{"@odata.id": d["@odata.id"]} for d in chunk]
        if skip + top < len(docs):
            query = f"$skip={skip + top}"
            if flask.request.args.get("$top") is not None:
                query += f"&$top={top}"
            if expand:
                query += "&$expand=" + flask.request.args["$expand"]
            body["Members@odata.nextLink"] = f"{coll}?{query}"
        return _doc(body, "#LogEntryCollection.LogEntryCollection", coll)

    def entry(identity, service, entry_id):
        s, (_n, _lt, etype, key) = _log_service(kind, service)
        b = _log_base(kind)
        for e in s.get(key, []):
            if str(e["Id"]) == entry_id:
                return flask.jsonify(_entry(e, b, service, etype))
        raise error.NotFound(f"Log entry {entry_id} not found")

    def clear(identity, service):
        _s, (_n, _lt, _et, key) = _log_service(kind, service)
        p = Path(bmc()["scenario"])
        s = scn.load(p)
        s[key] = [{"Id": "1", "Created": scn.now_iso(), "EventTimestamp": scn.now_iso(),
                   "Severity": "OK", "Message": "Event log cleared",
                   "MessageId": "Lab.1.0.LogCleared", "SensorType": "Event Logging Disabled"}]
        scn.save(p, s)
        return "", 204

    for rule, fn, methods in ((prefix, services, ["GET"]), (f"{prefix}/<service>", service, ["GET"]),
                              (f"{prefix}/<service>/Entries", entries, ["GET"]),
                              (f"{prefix}/<service>/Entries/<entry_id>", entry, ["GET"]),
                              (f"{prefix}/<service>/Actions/LogService.ClearLog", clear, ["POST"])):
        app.add_url_rule(rule, f"lab_{kind}_{fn.__name__}", fn, methods=methods)


_log_routes("Managers")
_log_routes("Systems")


# ---- firmware: inventory, SimpleUpdate, tasks (scenario.py: catalog, task states) -----------

_SIMPLE_UPDATE = f"{R}/UpdateService/Actions/UpdateService.SimpleUpdate"


@_wrap("UpdateService.update_service_resource")
def _update_service(doc):
    doc["FirmwareInventory"] = {"@odata.id": f"{R}/UpdateService/FirmwareInventory"}
    doc["Actions"] = {"#UpdateService.SimpleUpdate": {
        "target": _SIMPLE_UPDATE, "TransferProtocol@Redfish.AllowableValues": ["HTTP", "HTTPS"]}}
    doc.pop("SoftwareInventory", None)      # sushy-tools' template links one it does not serve
    doc.pop("HttpPushUri", None)
    return doc


def _firmware() -> dict:
    """The running images, then the kept (previous) ones: ``<Id>-Previous``, not updateable, inactive."""
    s = scen()
    u = sys_uuid()
    related = {"BIOS": f"{R}/Systems/{u}", "BMC": f"{R}/Managers/{u}"}
    out = {
        "BIOS": {"Name": "System BIOS", "Version": s["bios_version"], "Updateable": True,
                 "SoftwareId": "BIOS", "RelatedItem": [{"@odata.id": related["BIOS"]}]},
        "BMC": {"Name": "BMC Firmware", "Version": s["bmc_firmware"], "Updateable": True,
                "SoftwareId": "BMC", "RelatedItem": [{"@odata.id": related["BMC"]}]},
    }
    for comp, version in sorted((s.get("firmware_previous") or {}).items()):
        ident = scn.FIRMWARE_CATALOG[comp][1]
        out[ident + scn.PREVIOUS_SUFFIX] = {
            "Name": out[ident]["Name"] + " (previous)", "Version": version, "Updateable": False,
            "SoftwareId": ident, "RelatedItem": [{"@odata.id": related[ident]}], "_state": "StandbyOffline"}
    return out


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
    data.update({"Id": item, "Status": _status("OK", data.pop("_state", "Enabled"))})
    return _doc(data, "#SoftwareInventory.v1_2_0.SoftwareInventory",
                f"{R}/UpdateService/FirmwareInventory/{item}")


def _bad_request(message: str):
    return flask.jsonify({"error": {"code": "Base.1.0.ActionParameterUnknown", "message": message}}), 400


@_replace("UpdateService.update_service_simple_update")
def simple_update():
    """SimpleUpdate that updates for real, after the scenario's update_seconds (scenario.start_update)."""
    body = flask.request.get_json(silent=True) or {}
    image = body.get("ImageURI")
    if not isinstance(image, str) or not image:
        return _bad_request("ImageURI is required (a string)")
    proto = body.get("TransferProtocol")
    if proto is not None and proto not in ("HTTP", "HTTPS"):
        return _bad_request(f"TransferProtocol {proto!r} is not offered (HTTP, HTTPS)")
    targets = body.get("Targets")
    if targets is not None and (not isinstance(targets, list) or not all(isinstance(t, str) for t in targets)):
        return _bad_request("Targets must be a list of resource URIs")
    p = Path(bmc()["scenario"])
    with _SETTLE:
        d = scn.load(p)
        comp, _version, _why = scn.resolve_image(d, image)
        if targets and comp:
            ident = scn.FIRMWARE_CATALOG[comp][1]
            mine = {f"{R}/{'Managers' if comp == 'bmc' else 'Systems'}/{sys_uuid()}",
                    f"{R}/UpdateService/FirmwareInventory/{ident}"}
            if not {t.rstrip("/") for t in targets} & mine:
                return _bad_request(f"Targets {', '.join(targets)} do not name the {ident} the image is for "
                                    f"(one of {', '.join(sorted(mine))})")
        tid = scn.start_update(d, image)
        scn.save(p, d)
    return _task_response(tid, d["tasks"][tid], 202)


def _task_doc(tid: str, task: dict) -> dict:
    view = scn.task_view(task)
    doc = {"@odata.type": "#Task.v1_7_1.Task", "@odata.id": f"{R}/TaskService/Tasks/{tid}", "Id": tid,
           "Name": f"SimpleUpdate {task['image'].rstrip('/').rsplit('/', 1)[-1]}",
           "TaskState": view["TaskState"], "TaskStatus": view["TaskStatus"],
           "PercentComplete": view["PercentComplete"], "Messages": view["Messages"],
           "StartTime": scn.now_iso(task["created"]),
           "TaskMonitor": f"{R}/TaskService/TaskMonitors/{tid}",
           "Payload": {"TargetUri": _SIMPLE_UPDATE, "HttpOperation": "POST",
                       "JsonBody": json.dumps({"ImageURI": task["image"]})}}
    if view["done"]:
        doc["EndTime"] = scn.now_iso(task["created"] + (task["seconds"] if task["outcome"] != "unknown"
                                                        else task["seconds"] * 0.1))
    return doc


def _task_response(tid: str, task: dict, status: int):
    doc = _task_doc(tid, task)
    resp = flask.jsonify(doc)
    resp.status_code = status
    resp.headers["Location"] = doc["@odata.id"]
    if doc["TaskState"] in ("New", "Running"):
        resp.headers["Retry-After"] = "1"
    return resp


def _task(tid: str) -> dict:
    task = (scen().get("tasks") or {}).get(tid)
    if task is None:
        raise error.NotFound(f"Task {tid} not found")
    return task


@_replace("simple_task_service")
def task_service():
    return _doc({"Id": "TaskService", "Name": "Task Service", "ServiceEnabled": True,
                 "CompletedTaskOverWritePolicy": "Oldest", "DateTime": scn.now_iso(), "Status": _status("OK"),
                 "Tasks": {"@odata.id": f"{R}/TaskService/Tasks"}},
                "#TaskService.v1_2_0.TaskService", f"{R}/TaskService")


@_route(f"{R}/TaskService/Tasks")
def tasks():
    ids = sorted(scen().get("tasks") or {}, key=int)
    return _collection("#TaskCollection.TaskCollection", f"{R}/TaskService/Tasks", "Task Collection",
                       [f"{R}/TaskService/Tasks/{i}" for i in ids])


@_route(f"{R}/TaskService/Tasks/<tid>")
def task(tid):
    return _task_response(tid, _task(tid), 200)


@_replace("simple_task")
def _task_42():   # sushy-tools' fixed /Tasks/42 route wins over <tid>: serve the lab's task 42 there
    return _task_response("42", _task("42"), 200)


@_route(f"{R}/TaskService/TaskMonitors/<tid>")
def task_monitor(tid):
    """DSP0266 13.2: 202 (with Retry-After) while the task runs, then the task as it ended."""
    t = _task(tid)
    resp = _task_response(tid, t, 200)
    if resp.get_json()["TaskState"] in ("New", "Running"):
        resp.status_code = 202
    return resp


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
