"""Emulated BMCs of the lab: Redfish (sushy-tools) and IPMI (ipmi_sim).

* compute-01, compute-02: Redfish, one ``redfish_app.py`` process each
  (sushy-emulator fake driver + lab routes), TCP 18101 / 18102, and HTTPS with a
  certificate of the lab CA (tls.py) on TCP 18103 / 18104.
* compute-03, compute-04: IPMI, one ``ipmi_sim`` each, UDP 18403 / 18404
  (its emulator console listens on TCP 127.0.0.1 of the same number).
* lab-network, lab-storage, lab-storage-02 (NODE_HOSTS): the network and storage
  nodes' BMCs, Redfish, TCP 18108-18110, all three in one process ``bmc-nodes``;
  listed in ``.lab/bmcs-nodes.yml``, and with the compute BMCs in ``.lab/bmcs-all.yml``
  (the whole fleet's map: what ``make demo`` reads). Not in bmcs.yml: the compute
  tests keep their four hosts.
* bench-bmc-NNN (seed_bmcs): Redfish, each on its own TCP port from 18120 up,
  served 50 per ``redfish_app.py`` process.
* bmc-new-01, bmc-multi-01, bmc-sel-01 (VENDOR_HOSTS): Redfish BMCs shaped like
  the services vendors ship (scenario profiles: only the 2020.4+ resources; a
  blade board with a contained chassis and an enclosure; a 600-entry SEL paged
  with nextLink), TCP 18105-18107, all three in one process ``bmc-vendor``. They
  are no compute hosts: listed in ``.lab/bmcs-vendor.yml``, not in bmcs.yml, so
  the fleet (inventory, Ironic nodes, whole-map scans) keeps its four hosts.

Every BMC serves its scenario (.lab/bmc/<host>/scenario.json, see
scenario.py); faults edit the scenario (and for IPMI push it to ipmi_sim).
``.lab/bmcs.yml`` lists the compute and bench BMCs, ``.lab/bmcs-vendor.yml`` the
vendor-shaped ones (written by hand: labctl stays stdlib). ``set_profile`` (labctl
profile HOST PROFILE) switches any Redfish BMC's profile until the next one.
``.lab/bmcs-https.yml`` lists the four compute BMCs with the Redfish ones on
HTTPS (CA bundle ``.lab/bmc/tls/ca.pem``), for clients that verify TLS (the
compliance audit); audit_params.py writes the audit's parameters next to it.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from .. import paths, procs
from ..procs import LabError
from . import ipmi, scenario as scn, tls

HERE = Path(__file__).resolve().parent
BMC_DIR = paths.LAB_DIR / "bmc"
VENV = paths.LAB_DIR / "venv-bmc"
VENV_PY = VENV / "bin" / "python"
PYTHON = "/root/.pyenv/versions/3.11.7/bin/python3.11"
REQUIREMENTS = HERE / "requirements.txt"
STAMP = VENV / ".osfleet-requirements"
LABCTL = paths.LAB_SRC / "labctl"
HOOK_LOG = paths.LOG_DIR / "bmc-power-hooks.log"
BENCH_JSON = BMC_DIR / "bench.json"

USERNAME = "admin"
REDFISH_HOSTS = {"compute-01": paths.REDFISH_PORT_BASE + 1, "compute-02": paths.REDFISH_PORT_BASE + 2}
IPMI_HOSTS = {"compute-03": paths.IPMI_PORT_BASE + 3, "compute-04": paths.IPMI_PORT_BASE + 4}
#: the Redfish compute BMCs' HTTPS listeners (same process, same gate as their HTTP port)
HTTPS_HOSTS = {"compute-01": paths.REDFISH_PORT_BASE + 3, "compute-02": paths.REDFISH_PORT_BASE + 4}
TLS_DIR = BMC_DIR / "tls"
CA_PEM = TLS_DIR / "ca.pem"
BMCS_HTTPS_YML = paths.LAB_DIR / "bmcs-https.yml"
BENCH_PORT_BASE = paths.REDFISH_PORT_BASE + 20       # bench-bmc-001 -> 18120
BENCH_MAX = paths.REDFISH_PORT_BASE + 300 - BENCH_PORT_BASE
BENCH_PER_PROCESS = 50
# host: (port, profile, long_sel); served together by one process (cheap: a
# werkzeug listener thread per BMC)
VENDOR_HOSTS = {
    "bmc-new-01": (paths.REDFISH_PORT_BASE + 5, "new_resources_only", False),
    "bmc-multi-01": (paths.REDFISH_PORT_BASE + 6, "multi_chassis", False),
    "bmc-sel-01": (paths.REDFISH_PORT_BASE + 7, "default", True),
}
VENDOR_PROC = "bmc-vendor"
BMCS_VENDOR_YML = paths.LAB_DIR / "bmcs-vendor.yml"
#: the network and storage nodes' BMCs (the lab's node names, lablib.openstack.common); one process
NODE_HOSTS = {"lab-network": paths.REDFISH_PORT_BASE + 8, "lab-storage": paths.REDFISH_PORT_BASE + 9,
              "lab-storage-02": paths.REDFISH_PORT_BASE + 10}
NODE_PROC = "bmc-nodes"
BMCS_NODES_YML = paths.LAB_DIR / "bmcs-nodes.yml"
BMCS_ALL_YML = paths.LAB_DIR / "bmcs-all.yml"
APT_PACKAGES = ("openipmi", "ipmitool")


def password(host: str) -> str:
    return "osfleet-bench" if host.startswith("bench-") else f"osfleet-{host}"


def _rotated(host: str) -> str:
    return "rot-" + host[-12:]      # IPMI passwords are at most 20 bytes


# ---- registry -------------------------------------------------------------------

def _bench_count() -> int:
    try:
        return int(json.loads(BENCH_JSON.read_text())["count"])
    except (OSError, ValueError, KeyError):
        return 0


def bench_hosts() -> list:
    return [f"bench-bmc-{i:03d}" for i in range(1, _bench_count() + 1)]


def _bench_port(host: str) -> int:
    return BENCH_PORT_BASE + int(host.rsplit("-", 1)[1]) - 1


def _bench_proc(host: str) -> str:
    return f"bmc-bench-{(int(host.rsplit('-', 1)[1]) - 1) // BENCH_PER_PROCESS + 1:02d}"


def hosts() -> list:
    """Every host that has a BMC in the lab (compute hosts, network and storage nodes, vendor-shaped and seeded
    bench BMCs)."""
    return list(REDFISH_HOSTS) + list(IPMI_HOSTS) + list(NODE_HOSTS) + list(VENDOR_HOSTS) + bench_hosts()


def kind(host: str) -> str:
    if host in REDFISH_HOSTS:
        return "redfish"
    if host in IPMI_HOSTS:
        return "ipmi"
    if host in VENDOR_HOSTS:
        return "vendor"
    if host in NODE_HOSTS:
        return "node"
    if host in bench_hosts():
        return "bench"
    raise LabError("bmc", f"unknown BMC host {host!r}; known: "
                   f"{', '.join(list(REDFISH_HOSTS) + list(IPMI_HOSTS) + list(NODE_HOSTS) + list(VENDOR_HOSTS))}"
                   " and seeded bench-bmc-NNN")


def _proc_name(host: str) -> str:
    k = kind(host)
    if k == "bench":
        return _bench_proc(host)
    return {"vendor": VENDOR_PROC, "node": NODE_PROC}.get(k, f"bmc-{host}")


def _shared(host: str) -> bool:
    """Served by a process with other BMCs: bmc_down closes its port, not the process."""
    return kind(host) in ("bench", "vendor", "node")


def _port(host: str) -> int:
    k = kind(host)
    if k == "redfish":
        return REDFISH_HOSTS[host]
    if k == "ipmi":
        return IPMI_HOSTS[host]
    if k == "vendor":
        return VENDOR_HOSTS[host][0]
    if k == "node":
        return NODE_HOSTS[host]
    return _bench_port(host)


def _scenario_path(host: str) -> Path:
    return scn.path(host, BMC_DIR)


# ---- install ------------------------------------------------------------------

def install() -> None:
    missing = [p for p, exe in zip(APT_PACKAGES, ("ipmi_sim", "ipmitool")) if not shutil.which(exe)]
    if missing or not shutil.which("sdrcomp"):
        missing = list(APT_PACKAGES)
        if not Path("/var/lib/apt/lists").exists() or not any(Path("/var/lib/apt/lists").glob("*Packages*")):
            procs.run(["apt-get", "update"], "bmc: apt-get update", timeout=600)
        procs.run(["apt-get", "install", "-y", "--no-install-recommends", *missing],
                  "bmc: apt-get install", env={"DEBIAN_FRONTEND": "noninteractive"}, timeout=900)
    want = REQUIREMENTS.read_text()
    if STAMP.exists() and STAMP.read_text() == want and VENV_PY.exists():
        return
    if not VENV_PY.exists():
        py = PYTHON if Path(PYTHON).exists() else "python3.11"
        procs.run([py, "-m", "venv", str(VENV)], "bmc: create venv-bmc")
    procs.run([str(VENV_PY), "-m", "pip", "install", "-q", "--disable-pip-version-check",
               "-r", str(REQUIREMENTS)], "bmc: pip install", timeout=1800)
    STAMP.write_text(want)


# ---- redfish --------------------------------------------------------------------

_HASHES: dict = {}


def _write_htpasswd(path: Path, user: str, pw: str) -> None:
    if pw not in _HASHES:
        _HASHES[pw] = _bcrypt(pw)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(f"{user}:{_HASHES[pw]}\n")
    tmp.replace(path)


def _bcrypt(pw: str) -> str:
    out = procs.run([str(VENV_PY), "-c",
                     "import bcrypt,sys; print(bcrypt.hashpw(sys.argv[1].encode(), "
                     "bcrypt.gensalt(rounds=4)).decode())", pw], "bmc: bcrypt")
    return out.strip()


def _bmc_entry(host: str, port: int, hook: bool) -> dict:
    d = BMC_DIR / host
    return {"host": host, "port": port, "uuid": scn.system_uuid(host),
            "scenario": str(_scenario_path(host)), "htpasswd": str(d / "htpasswd"),
            "hook": hook, "mac": "52:54:00:%02x:%02x:%02x" % tuple(scn.system_uuid(host).encode()[:3]),
            "ip": "192.0.2.%d" % (10 + port % 200)}


def _base_profile(host: str) -> dict:
    """The profile ``host`` comes up with (a vendor BMC's own, else default)."""
    if host in VENDOR_HOSTS:
        _port_, profile, long_sel = VENDOR_HOSTS[host]
        return {"profile": profile, "long_sel": long_sel}
    return {"profile": "default", "long_sel": False}


def _current_profile(host: str) -> dict:
    """The profile of ``host``'s scenario now (what clear() keeps), else its base one."""
    try:
        s = scn.load(_scenario_path(host))
    except (OSError, ValueError):
        return _base_profile(host)
    return {"profile": scn.profile_of(s), "long_sel": bool(s.get("long_sel")),
            "expand_query": s.get("expand_query")}


def _prepare_host(host: str, profile: dict | None = None) -> None:
    """Fresh healthy scenario (of ``profile``, default: the host's base one) and credentials."""
    (BMC_DIR / host).mkdir(parents=True, exist_ok=True)
    scn.save(_scenario_path(host), scn.healthy(host, **(profile or _base_profile(host))))
    if kind(host) != "ipmi":
        _write_htpasswd(BMC_DIR / host / "htpasswd", USERNAME, password(host))


def _start_redfish(name: str, entries: list) -> None:
    run_dir = BMC_DIR / "run" / name
    state = run_dir / "sushy-state"
    shutil.rmtree(state, ignore_errors=True)          # fake-driver state wiped on start
    run_dir.mkdir(parents=True, exist_ok=True)
    cfg = {"state_dir": str(state), "labctl": str(LABCTL), "hook_log": str(HOOK_LOG),
           "power_delay": [1, 3], "bmcs": entries}
    cfg_path = run_dir / "config.json"
    cfg_path.write_text(json.dumps(cfg, indent=1))
    procs.start(name, [str(VENV_PY), str(HERE / "redfish_app.py"), str(cfg_path)])
    for e in entries:
        if not scn.load(Path(e["scenario"])).get("down"):
            procs.wait_port(name, e["port"], timeout=60)
            if e.get("https_port"):
                procs.wait_port(name, e["https_port"], timeout=60)


def _start_compute_redfish(host: str) -> None:
    entry = _bmc_entry(host, REDFISH_HOSTS[host], hook=True)
    if host in HTTPS_HOSTS:
        try:
            files = tls.ensure_host(TLS_DIR, host)
        except (OSError, RuntimeError) as exc:
            raise LabError(f"bmc-{host}", f"TLS certificate: {exc}")
        entry.update(https_port=HTTPS_HOSTS[host], tls_cert=files["cert"], tls_key=files["key"],
                     tls_info=files["info"])
    _start_redfish(f"bmc-{host}", [entry])


def _start_vendor() -> None:
    procs.stop(VENDOR_PROC)
    _start_redfish(VENDOR_PROC, [_bmc_entry(h, VENDOR_HOSTS[h][0], hook=False) for h in VENDOR_HOSTS])


def _start_nodes() -> None:
    """The network and storage nodes' BMCs: no power hook (their services are no Nova compute to stop)."""
    procs.stop(NODE_PROC)
    _start_redfish(NODE_PROC, [_bmc_entry(h, NODE_HOSTS[h], hook=False) for h in NODE_HOSTS])


# ---- ipmi ------------------------------------------------------------------------

def _start_ipmi(host: str, wipe: bool = True) -> None:
    name = f"bmc-{host}"
    port = IPMI_HOSTS[host]
    d = BMC_DIR / host / "ipmi"
    state = d / "state"
    if wipe:
        shutil.rmtree(state, ignore_errors=True)
        (d / "power").parent.mkdir(parents=True, exist_ok=True)
        (d / "power").write_text("1")
    sdir = state / "ipmi_sim" / host
    sdir.mkdir(parents=True, exist_ok=True)
    s = scn.load(_scenario_path(host))
    pw = _rotated(host) if s.get("reject_auth") else password(host)
    (d / "fru.bin").write_bytes(ipmi.fru_bin(s))
    (d / "sim.sdrs").write_text(ipmi.sdrs(s))
    procs.run(["sdrcomp", "-o", str(sdir / "sdr.20.main"), str(d / "sim.sdrs")], f"{name}: sdrcomp")
    (sdir / "users.mc20").unlink(missing_ok=True)     # users always from lan.conf
    (d / "sim.emu").write_text(ipmi.emu(s, d / "fru.bin"))
    (d / "lan.conf").write_text(ipmi.lan_conf(
        host, port, USERNAME, pw, ipmi.chassis_cmd(host, d / "power", LABCTL, HOOK_LOG)))
    # SIGPIPE ignored (inherited through exec): a console client that hangs up
    # before reading the banner would otherwise kill ipmi_sim.
    procs.start(name, [sys.executable, "-c", _IGNORE_SIGPIPE_EXEC, "ipmi_sim", "-n", "-c", str(d / "lan.conf"), "-f", str(d / "sim.emu"),
                       "-s", str(state)])
    _wait_ipmi(name, port)


_IGNORE_SIGPIPE_EXEC = ("import os, signal, sys; signal.signal(signal.SIGPIPE, signal.SIG_IGN); "
                        "os.execvp(sys.argv[1], sys.argv[1:])")


def _wait_ipmi(name: str, port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ipmi.rmcp_ping(port):
            return
        if not procs.running(name):
            raise LabError(name, f"exited before answering on udp/{port}; log tail:\n"
                           f"{procs.tail(procs.logfile(name))}")
        time.sleep(0.2)
    raise LabError(name, f"no RMCP pong on udp/{port} after {timeout:.0f}s; log tail:\n"
                   f"{procs.tail(procs.logfile(name))}")


def _restart_ipmi(host: str) -> None:
    procs.stop(f"bmc-{host}")
    _start_ipmi(host, wipe=False)


# ---- bmcs.yml ----------------------------------------------------------------------

def _q(v: str) -> str:
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def address(host: str) -> str:
    if kind(host) == "ipmi":
        return f"ipmi://127.0.0.1:{IPMI_HOSTS[host]}"
    return f"redfish+http://127.0.0.1:{_port(host)}/redfish/v1/Systems/{scn.system_uuid(host)}"


def https_address(host: str) -> str:
    return f"redfish+https://127.0.0.1:{HTTPS_HOSTS[host]}/redfish/v1/Systems/{scn.system_uuid(host)}"


def write_bmcs_https_yml() -> None:
    """The compute BMCs as a verifying client reaches them: Redfish over HTTPS (lab CA), IPMI as is."""
    lines = ["# Lab compute BMCs, Redfish over HTTPS; generated by lab/lablib/bmc (do not edit).",
             f"# CA bundle of the lab BMC certificates: {CA_PEM}",
             "# Same hosts and credentials as bmcs.yml (which keeps plain HTTP for the lab's tests)."]
    for host in list(REDFISH_HOSTS) + list(IPMI_HOSTS):
        lines.append(f"{host}:")
        if host in HTTPS_HOSTS:
            lines += ["  type: redfish", f"  address: {_q(https_address(host))}"]
        else:
            lines += ["  type: ipmi", f"  address: {_q(address(host))}"]
        lines.append(f"  username: {_q(USERNAME)}")
        lines.append(f"  password: {_q(password(host))}")
        if host in HTTPS_HOSTS:
            lines.append(f"  system_id: {_q(scn.system_uuid(host))}")
    tmp = BMCS_HTTPS_YML.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(BMCS_HTTPS_YML)


def write_bmcs_yml() -> None:
    _write_map(paths.BMCS_YML, list(REDFISH_HOSTS) + list(IPMI_HOSTS) + bench_hosts(), [])
    _write_map(BMCS_NODES_YML, list(NODE_HOSTS), ["# The network and storage nodes' BMCs (see lab/lablib/bmc)."])
    _write_map(BMCS_ALL_YML, list(REDFISH_HOSTS) + list(IPMI_HOSTS) + list(NODE_HOSTS), [
        "# Every node of the lab fleet with its BMC: the compute hosts (as bmcs.yml, without bench BMCs)",
        "# and the network and storage nodes (as bmcs-nodes.yml)."])
    _write_map(BMCS_VENDOR_YML, list(VENDOR_HOSTS), [
        "# Redfish BMCs shaped like vendors' services (no compute hosts; see lab/lablib/bmc):"] + [
        f"#   {h}: profile {p}{', long SEL' if ls else ''}" for h, (_port_, p, ls) in VENDOR_HOSTS.items()])


def _write_map(target: Path, hosts_: list, extra: list) -> None:
    lines = ["# Lab BMCs, generated by lab/lablib/bmc (do not edit).",
             "# host: {type: redfish|ipmi, address, username, password[, system_id]}",
             "# redfish address = redfish+http://HOST:PORT/redfish/v1/Systems/<system_id>;",
             "# ipmi address = ipmi://HOST:UDP-PORT (RMCP+ / lanplus)."] + extra
    for host in hosts_:
        k = "ipmi" if kind(host) == "ipmi" else "redfish"
        lines.append(f"{host}:")
        lines.append(f"  type: {k}")
        lines.append(f"  address: {_q(address(host))}")
        lines.append(f"  username: {_q(USERNAME)}")
        lines.append(f"  password: {_q(password(host))}")
        if k == "redfish":
            lines.append(f"  system_id: {_q(scn.system_uuid(host))}")
    tmp = target.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(target)


# ---- lifecycle ------------------------------------------------------------------------

def up() -> None:
    paths.ensure_dirs()
    BMC_DIR.mkdir(parents=True, exist_ok=True)
    # A BMC that already runs is left as it is (state, scenario, injected
    # faults): `up` on a running lab changes nothing.
    for host in REDFISH_HOSTS:
        if not procs.running(f"bmc-{host}"):
            _prepare_host(host)
            _start_compute_redfish(host)
    for host in IPMI_HOSTS:
        if not procs.running(f"bmc-{host}"):
            _prepare_host(host)
            _start_ipmi(host)
    if not procs.running(VENDOR_PROC):
        for host in VENDOR_HOSTS:
            _prepare_host(host)
        _start_vendor()
    if not procs.running(NODE_PROC):
        for host in NODE_HOSTS:
            _prepare_host(host)
        _start_nodes()
    bench = bench_hosts()
    if bench and not all(procs.running(n) for n in {_bench_proc(h) for h in bench}):
        _start_bench(bench, fresh=False)
    write_bmcs_yml()
    write_bmcs_https_yml()
    from .. import audit_params
    audit_params.write()


def _all_proc_names() -> list:
    names = [f"bmc-{h}" for h in list(REDFISH_HOSTS) + list(IPMI_HOSTS)] + [VENDOR_PROC, NODE_PROC]
    names += sorted({_bench_proc(h) for h in bench_hosts()})
    names += [n for n in procs.managed() if n.startswith("bmc-") and n not in names]
    return names


def down() -> None:
    names = _all_proc_names()
    for name in names:                       # SIGTERM them all at once, then reap
        pid = procs.read_pid(name)
        if pid:
            try:
                os.killpg(pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
    for name in names:
        procs.stop(name)


def status() -> list:
    out = []
    for host in list(REDFISH_HOSTS) + list(IPMI_HOSTS):
        name = f"bmc-{host}"
        try:
            s = scn.load(_scenario_path(host))
        except (OSError, ValueError):
            s = {"faults": []}
        faults = ",".join(s.get("faults", [])) or "healthy"
        if host in REDFISH_HOSTS:
            port, sport = REDFISH_HOSTS[host], HTTPS_HOSTS.get(host)
            ok = procs.running(name) and procs.port_open(port) and (not sport or procs.port_open(sport))
            out.append((f"bmc {host}", ok, f"redfish tcp/{port}" + (f" https tcp/{sport}" if sport else "")
                        + f" [{faults}]"))
        else:
            port = IPMI_HOSTS[host]
            ok = procs.running(name) and ipmi.rmcp_ping(port)
            out.append((f"bmc {host}", ok, f"ipmi udp/{port} [{faults}]"))
    downs = [h for h in VENDOR_HOSTS if _scenario_path(h).exists() and scn.load(_scenario_path(h)).get("down")]
    closed = [h for h in VENDOR_HOSTS if h not in downs and not procs.port_open(VENDOR_HOSTS[h][0])]
    out.append((f"bmc vendor x{len(VENDOR_HOSTS)}", procs.running(VENDOR_PROC) and not closed,
                f"redfish tcp/{min(v[0] for v in VENDOR_HOSTS.values())}-"
                f"{max(v[0] for v in VENDOR_HOSTS.values())} in one process: "
                + ", ".join(f"{h} [{_current_profile(h)['profile']}]" for h in VENDOR_HOSTS)
                + (f"; {len(downs)} down by fault" if downs else "")
                + (f"; NOT LISTENING: {', '.join(closed)}" if closed else "")))
    downs = [h for h in NODE_HOSTS if _scenario_path(h).exists() and scn.load(_scenario_path(h)).get("down")]
    closed = [h for h in NODE_HOSTS if h not in downs and not procs.port_open(NODE_HOSTS[h])]
    out.append((f"bmc nodes x{len(NODE_HOSTS)}", procs.running(NODE_PROC) and not closed,
                f"redfish tcp/{min(NODE_HOSTS.values())}-{max(NODE_HOSTS.values())} in one process: "
                + ", ".join(NODE_HOSTS) + (f"; {len(downs)} down by fault" if downs else "")
                + (f"; NOT LISTENING: {', '.join(closed)}" if closed else "")))
    hosts = bench_hosts()
    if hosts:
        names = sorted({_bench_proc(h) for h in hosts})
        alive = [n for n in names if procs.running(n)]
        downs = [h for h in hosts if scn.load(_scenario_path(h)).get("down")]
        closed = [h for h in hosts if h not in downs and not procs.port_open(_bench_port(h))]
        ok = len(alive) == len(names) and not closed
        out.append((f"bmc bench x{len(hosts)}", ok,
                    f"redfish tcp/{_bench_port(hosts[0])}-{_bench_port(hosts[-1])} in "
                    f"{len(alive)}/{len(names)} processes; {len(downs)} down by fault"
                    + (f"; NOT LISTENING: {', '.join(closed[:5])}" if closed else "")))
    return out


def reset() -> None:
    down()
    shutil.rmtree(BMC_DIR, ignore_errors=True)
    paths.BMCS_YML.unlink(missing_ok=True)
    BMCS_HTTPS_YML.unlink(missing_ok=True)
    BMCS_VENDOR_YML.unlink(missing_ok=True)
    BMCS_NODES_YML.unlink(missing_ok=True)
    BMCS_ALL_YML.unlink(missing_ok=True)


# ---- faults ----------------------------------------------------------------------------

def fault(host: str, kind_: str) -> None:
    k = kind(host)
    if kind_ not in scn.FAULT_KINDS:
        raise LabError("bmc", f"unknown BMC fault {kind_!r}; one of {', '.join(scn.FAULT_KINDS)}")
    if k == "ipmi" and kind_ in scn.SETTINGS_FAULTS:
        raise LabError("bmc", f"fault {kind_} changes Redfish settings (NetworkProtocol, AccountService): "
                       f"{host} is an IPMI BMC; use {', '.join(REDFISH_HOSTS)}")
    if k == "ipmi" and kind_ in scn.UPDATE_FAULTS:
        raise LabError("bmc", f"fault {kind_} concerns the Redfish UpdateService (SimpleUpdate): "
                       f"{host} is an IPMI BMC, and IPMI has no UpdateService; use {', '.join(REDFISH_HOSTS)}")
    if k == "ipmi" and kind_ in scn.REDFISH_ONLY_FAULTS:
        raise LabError("bmc", f"fault {kind_} is Redfish-only (ipmi_sim's PSU sensor has no "
                       f"degraded state); {host} is an IPMI BMC")
    p = _scenario_path(host)
    before = scn.load(p)
    after = scn.apply_fault(before, kind_)
    scn.save(p, after)
    if kind_ == "bmc_down":
        if not _shared(host):
            procs.stop(f"bmc-{host}")
        else:
            _wait_port(_port(host), open_=False)
        return
    if kind_ == "bmc_badauth":
        if k == "ipmi":
            _restart_ipmi(host)
        else:
            _write_htpasswd(BMC_DIR / host / "htpasswd", USERNAME, _rotated(host))
        return
    if k != "ipmi":
        return                                   # Redfish re-reads the scenario per request
    if kind_ == "old_firmware":
        _restart_ipmi(host)                      # Get Device ID / FRU are fixed at start
    elif kind_ == "sel_critical":
        _console(host, [ipmi.sel_record_cmd("memory_uce")])
    else:                                        # overtemp, fan_failed, psu_failed
        _console(host, ipmi.value_cmds(after, 1))


def _console(host: str, cmds: list) -> None:
    if not procs.running(f"bmc-{host}"):
        raise LabError(f"bmc-{host}", "ipmi_sim is not running (bmc_down?); clear it first")
    try:
        ipmi.console(IPMI_HOSTS[host], cmds)
    except (OSError, RuntimeError) as exc:
        raise LabError(f"bmc-{host}", f"console: {exc}")


def _wait_port(port: int, open_: bool, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if procs.port_open(port) == open_:
            return
        time.sleep(0.2)
    raise LabError("bmc", f"port {port} still {'closed' if open_ else 'open'} after {timeout:.0f}s")


def clear(host: str) -> None:
    """Healthy again, in the profile the host has now (set_profile's stays)."""
    k = kind(host)
    was_down = scn.load(_scenario_path(host)).get("down") if _scenario_path(host).exists() else False
    _prepare_host(host, _current_profile(host))  # healthy scenario + real credentials
    if k == "redfish":
        if not procs.running(f"bmc-{host}"):
            _start_compute_redfish(host)
    elif k == "ipmi":
        procs.stop(f"bmc-{host}")
        _start_ipmi(host, wipe=True)             # fresh SEL, sensors, firmware, users
    elif k == "vendor" and not procs.running(VENDOR_PROC):
        _start_vendor()
    elif k == "node" and not procs.running(NODE_PROC):
        _start_nodes()
    elif was_down:
        _wait_port(_port(host), open_=True)


def bmc_reset(host: str) -> None:
    """What ``ipmitool mc reset cold`` from the host does to a hung BMC: it answers again, with the
    scenario it had (other faults stay; only bmc_down ends). A BMC that answers is left alone."""
    p = _scenario_path(host)
    if not p.exists():
        raise LabError("bmc", f"{host} has no scenario yet: bring the lab up first")
    s = scn.load(p)
    if not s.get("down"):
        return
    s["down"] = False
    scn.save(p, s)
    k = kind(host)
    if k == "redfish" and not procs.running(f"bmc-{host}"):
        _start_compute_redfish(host)
    elif k == "ipmi" and not procs.running(f"bmc-{host}"):
        _start_ipmi(host, wipe=False)
    elif _shared(host):
        _wait_port(_port(host), open_=True)


def set_profile(host: str, profile: str, long_sel: bool = False,
                expand_query: bool | None = None) -> None:
    """Serve ``profile`` (scenario.PROFILES) on Redfish BMC ``host`` from now on, healthy
    and with a fresh SEL; ``default`` without long_sel is how every non-vendor BMC comes
    up. The emulator re-reads the scenario per request: no restart."""
    if kind(host) == "ipmi":
        raise LabError("bmc", f"profiles are Redfish-only; {host} is an IPMI BMC")
    if profile not in scn.PROFILES:
        raise LabError("bmc", f"unknown BMC profile {profile!r}; one of {', '.join(scn.PROFILES)}")
    if not _scenario_path(host).exists():
        raise LabError("bmc", f"{host} has no scenario yet: bring the lab up first")
    was_down = scn.load(_scenario_path(host)).get("down")
    _prepare_host(host, {"profile": profile, "long_sel": long_sel, "expand_query": expand_query})
    if kind(host) == "redfish" and not procs.running(f"bmc-{host}"):
        _start_compute_redfish(host)             # bmc_down had stopped it
    elif kind(host) == "vendor" and not procs.running(VENDOR_PROC):
        _start_vendor()
    elif kind(host) == "node" and not procs.running(NODE_PROC):
        _start_nodes()
    elif was_down and _shared(host):
        _wait_port(_port(host), open_=True)


# ---- bench -------------------------------------------------------------------------------

def _start_bench(hosts: list, fresh: bool) -> None:
    groups: dict = {}
    for h in hosts:
        groups.setdefault(_bench_proc(h), []).append(h)
    for name, members in sorted(groups.items()):
        for h in members:
            if fresh or not _scenario_path(h).exists():
                _prepare_host(h)
        entries = [_bmc_entry(h, _bench_port(h), hook=False) for h in members]
        procs.stop(name)
        _start_redfish(name, entries)


def seed_bmcs(count: int) -> None:
    """Add ``count`` Redfish BMCs bench-bmc-NNN, each on its own port (18120 up),
    served BENCH_PER_PROCESS per process, with the full lab extensions."""
    old = _bench_count()
    new = old + int(count)
    if new > BENCH_MAX:
        raise LabError("bmc", f"at most {BENCH_MAX} bench BMCs (ports {BENCH_PORT_BASE}-"
                       f"{BENCH_PORT_BASE + BENCH_MAX - 1}); asked for {new}")
    BMC_DIR.mkdir(parents=True, exist_ok=True)
    added = [f"bench-bmc-{i:03d}" for i in range(old + 1, new + 1)]
    for h in added:
        _prepare_host_bench(h)
    BENCH_JSON.write_text(json.dumps({"count": new}))
    touched = sorted({_bench_proc(h) for h in added})
    _start_bench([h for h in bench_hosts() if _bench_proc(h) in touched], fresh=False)
    write_bmcs_yml()
    print(f"[lab] bmc: {new} bench BMCs (bench-bmc-001..{new:03d}) on tcp/{BENCH_PORT_BASE}-"
          f"{BENCH_PORT_BASE + new - 1}; {paths.BMCS_YML}", flush=True)


def _prepare_host_bench(host: str) -> None:
    (BMC_DIR / host).mkdir(parents=True, exist_ok=True)
    scn.save(_scenario_path(host), scn.healthy(host))
    _write_htpasswd(BMC_DIR / host / "htpasswd", USERNAME, password(host))
