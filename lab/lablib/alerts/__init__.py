"""The lab's alerting: Prometheus, Alertmanager and node_exporter from Debian's packages, the collection's
exporter, and the route from Alertmanager to the EDA source (ansible-rulebook, started by the test that needs it).

Not part of ``labctl up`` (start only what a test needs): ``labctl alerts up|down|status``.

    exporter      127.0.0.1:18603   python -m ...module_utils._alerts.exporter (the toolchain venv): the fleet and
                                    control-plane metrics and the hardware scan of the HTTPS BMC map, every 5 s
    node_exporter 127.0.0.1:18602   with the textfile collector on <lab>/alerts/textfile
    prometheus    127.0.0.1:18600   scrape and evaluation every 5 s; the shipped rules with for: capped at 10 s
    alertmanager  127.0.0.1:18601   group_by [alertname, host], group_wait 2 s, group_interval 10 s; the webhook
                                    receiver is the EDA source on 127.0.0.1:18500/alerts with a bearer token
                                    (<lab>/alerts/eda-token, written here)
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

from .. import paths, procs
from ..procs import LabError

ALERTS_DIR = paths.LAB_DIR / "alerts"
TEXTFILE_DIR = ALERTS_DIR / "textfile"
TOKEN_FILE = ALERTS_DIR / "eda-token"
RULES_FILE = ALERTS_DIR / "osfleet.rules.yml"
PROMETHEUS_PORT, ALERTMANAGER_PORT, NODE_EXPORTER_PORT, EXPORTER_PORT, EDA_PORT = 18600, 18601, 18602, 18603, 18500
APT_PACKAGES = {"prometheus": "prometheus", "prometheus-alertmanager": "prometheus-alertmanager",
                "prometheus-node-exporter": "prometheus-node-exporter"}
TOOLCHAIN_PY = paths.REPO / ".venv" / "bin" / "python"
#: every node of the lab's cloud: the computes, the network node and the two storage nodes
LAB_NODES = tuple(paths.COMPUTES) + ("lab-network", "lab-storage", "lab-storage-02")
COLLECTIONS = paths.REPO / ".cache" / "collections"
SHIPPED_RULES = paths.REPO / "extensions" / "prometheus" / "rules" / "osfleet.rules.yml"
SERVICES = ("osfleet-exporter", "node-exporter", "prometheus", "alertmanager")


def install() -> None:
    missing = [pkg for exe, pkg in APT_PACKAGES.items() if not shutil.which(exe)]
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    try:
        procs.run(sudo + ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
                  "alerts: apt-get install", env=env, timeout=900)
    except LabError:
        procs.run(sudo + ["apt-get", "update", "-q"], "alerts: apt-get update", timeout=600)
        procs.run(sudo + ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
                  "alerts: apt-get install", env=env, timeout=900)
    # Debian's packages start their own daemons (9090, 9093, 9100) where an init system runs; ours are separate


def _write_configs() -> None:
    ALERTS_DIR.mkdir(parents=True, exist_ok=True)
    TEXTFILE_DIR.mkdir(exist_ok=True)
    if not TOKEN_FILE.exists():
        TOKEN_FILE.write_text(secrets.token_hex(24))
        TOKEN_FILE.chmod(0o600)
    rendered = subprocess.run([str(TOOLCHAIN_PY), "-m", "ansible_collections.osfleet.day2.plugins.module_utils._alerts.rules",
                               str(SHIPPED_RULES), "--for-max", "10s"], capture_output=True, text=True,
                              env=dict(os.environ, PYTHONPATH=str(COLLECTIONS)), check=False)
    if rendered.returncode != 0:
        raise LabError("alerts: rules", rendered.stderr[-2000:])
    RULES_FILE.write_text(rendered.stdout)
    (ALERTS_DIR / "prometheus.yml").write_text(json.dumps({
        "global": {"scrape_interval": "5s", "evaluation_interval": "5s", "scrape_timeout": "4s"},
        "rule_files": [str(RULES_FILE)],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": ["127.0.0.1:%d" % ALERTMANAGER_PORT]}]}]},
        "scrape_configs": [
            {"job_name": "osfleet-exporter", "static_configs": [{"targets": ["127.0.0.1:%d" % EXPORTER_PORT]}]},
            {"job_name": "node", "static_configs": [{"targets": ["127.0.0.1:%d" % NODE_EXPORTER_PORT]}]},
            # a stand-in for a node_exporter on every lab node: the machine's one node_exporter scraped once per
            # node under that node's instance name, its CPU and memory series only (so the fleet's utilization
            # has a series per node to place; every node shows this machine's figures)
            {"job_name": "lab-nodes", "scrape_interval": "5s", "static_configs": [
                {"targets": ["127.0.0.1:%d" % NODE_EXPORTER_PORT], "labels": {"instance": "%s:9100" % node}}
                for node in LAB_NODES],
             "metric_relabel_configs": [{"source_labels": ["__name__"], "action": "keep",
                                         "regex": "node_cpu_seconds_total|node_memory_MemAvailable_bytes|"
                                                  "node_memory_MemTotal_bytes"}]},
        ],
    }, indent=2))
    (ALERTS_DIR / "alertmanager.yml").write_text(json.dumps({
        "route": {"receiver": "osfleet-eda", "group_by": ["alertname", "host"], "group_wait": "2s",
                  "group_interval": "10s", "repeat_interval": "1h"},
        "receivers": [{"name": "osfleet-eda", "webhook_configs": [{
            "url": "http://127.0.0.1:%d/alerts" % EDA_PORT, "send_resolved": True, "max_alerts": 0,
            "http_config": {"authorization": {"type": "Bearer", "credentials_file": str(TOKEN_FILE)}}}]}],
    }, indent=2))


def up() -> None:
    if not TOOLCHAIN_PY.exists():
        raise LabError("alerts", "the exporter runs on the toolchain venv: run `make venv collection-link` first")
    install()
    _write_configs()
    # the lab's alert history is of no use to the next run: a fresh TSDB has no 'for' state to restore (a restart
    # restoring it held alerts back for about a minute, seen in the pipeline test)
    if not procs.running("prometheus"):
        shutil.rmtree(ALERTS_DIR / "tsdb", ignore_errors=True)
    # and Alertmanager's notification log: an alert of the last run that fired and was not told resolved (the run
    # ended first) is "already notified" for repeat_interval when it fires again, and the EDA source never hears it
    if not procs.running("alertmanager"):
        shutil.rmtree(ALERTS_DIR / "alertmanager", ignore_errors=True)
    from .. import bmc
    procs.start("osfleet-exporter", [
        str(TOOLCHAIN_PY), "-m", "ansible_collections.osfleet.day2.plugins.module_utils._alerts.exporter",
        "--cloud", "lab-admin", "--clouds-yaml", str(paths.CLOUDS_YAML),
        "--listen", "127.0.0.1:%d" % EXPORTER_PORT, "--bmc-map", str(bmc.BMCS_HTTPS_YML),
        "--bmc-ca-path", str(bmc.CA_PEM), "--bmc-timeout", "10", "--interval", "5"],
        env={"PYTHONPATH": str(COLLECTIONS)})
    procs.start("node-exporter", ["prometheus-node-exporter", "--web.listen-address=127.0.0.1:%d" % NODE_EXPORTER_PORT,
                                  "--collector.textfile.directory=%s" % TEXTFILE_DIR])
    procs.start("prometheus", ["prometheus", "--config.file=%s" % (ALERTS_DIR / "prometheus.yml"),
                               "--storage.tsdb.path=%s" % (ALERTS_DIR / "tsdb"),
                               "--web.listen-address=127.0.0.1:%d" % PROMETHEUS_PORT, "--web.enable-lifecycle",
                               "--rules.alert.for-grace-period=1s", "--rules.alert.resend-delay=5s"])
    procs.start("alertmanager", ["prometheus-alertmanager", "--config.file=%s" % (ALERTS_DIR / "alertmanager.yml"),
                                 "--storage.path=%s" % (ALERTS_DIR / "alertmanager"),
                                 "--web.listen-address=127.0.0.1:%d" % ALERTMANAGER_PORT,
                                 "--cluster.listen-address="])
    for name, port in (("osfleet-exporter", EXPORTER_PORT), ("node-exporter", NODE_EXPORTER_PORT),
                       ("prometheus", PROMETHEUS_PORT), ("alertmanager", ALERTMANAGER_PORT)):
        procs.wait_port(name, port, timeout=60)
    _wait_ready()


def _wait_ready(timeout: float = 60.0) -> None:
    """Until Prometheus has scraped the exporter once (its rules then have data to evaluate)."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/api/v1/targets" % PROMETHEUS_PORT, timeout=3) as r:
                targets = json.load(r)["data"]["activeTargets"]
            health = {t["labels"]["job"]: t["health"] for t in targets}
            if health.get("osfleet-exporter") == "up" and _lab_nodes_rated():
                return
            last = "%s; CPU rate of every lab node: %s" % (health, _lab_nodes_rated())
        except OSError as exc:
            last = str(exc)
        time.sleep(1)
    raise LabError("alerts: prometheus", "the exporter is not scraped up after %ds: %s" % (timeout, last))


def _lab_nodes_rated() -> bool:
    """Every lab node has a CPU rate (two scrapes of lab-nodes): utilization read right after up has all of it."""
    query = urllib.parse.quote('count(rate(node_cpu_seconds_total{job="lab-nodes",mode="idle"}[2m]) >= 0)')
    with urllib.request.urlopen("http://127.0.0.1:%d/api/v1/query?query=%s" % (PROMETHEUS_PORT, query), timeout=3) as r:
        result = json.load(r)["data"]["result"]
    ncpu = os.cpu_count() or 1
    return bool(result) and float(result[0]["value"][1]) >= len(LAB_NODES) * ncpu


def down() -> None:
    for name in reversed(SERVICES):
        procs.stop(name)


def status() -> list:
    rows = []
    for name, port in (("osfleet-exporter", EXPORTER_PORT), ("node-exporter", NODE_EXPORTER_PORT),
                       ("prometheus", PROMETHEUS_PORT), ("alertmanager", ALERTMANAGER_PORT)):
        pid = procs.read_pid(name)
        ok = bool(pid) and procs.port_open(port)
        rows.append((name, ok, f"pid {pid}, port {port}" if pid else "stopped"))
    return rows
