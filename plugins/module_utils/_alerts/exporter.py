# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""A small Prometheus exporter of the fleet: ``GET /metrics`` serves the last snapshot.

Each source (the cloud, and optionally the BMCs of a BMC map) is refreshed in
its own background loop every ``interval`` seconds; a scrape only joins the
texts last built, so it is cheap and never reaches the cloud or a BMC, and a
slow BMC scan never delays the cloud's figures. A source that cannot be read
says so: ``osfleet_exporter_up{source=...} 0`` and none of its last figures
(stale "all fine" would hide the outage), while the per-service request
figures stay, since they show the errors that made it fail.

Runnable without Ansible::

    python -m ansible_collections.osfleet.day2.plugins.module_utils._alerts.exporter \\
        --cloud NAME [--clouds-yaml F] --listen 127.0.0.1:9180 [--bmc-map F --bmc-ca-path F] [--interval S]
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._alerts.exposition import CONTENT_TYPE, Family, render
from ansible_collections.osfleet.day2.plugins.module_utils._alerts.fleet_metrics import (
    fleet_families,
    request_families,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.discover import discover
from ansible_collections.osfleet.day2.plugins.module_utils._hardware import scan as hardware_scan
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.connection import CloudOptions, connect
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.request_stats import RequestStats

try:
    import yaml

    HAS_YAML = True
    YAML_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the import sanity test
    HAS_YAML = False
    YAML_IMPORT_ERROR = traceback.format_exc()

LOG = logging.getLogger("osfleet.exporter")
#: what a hardware refresh reads from each BMC: the log too, for osfleet_sel_*
HARDWARE_GATHER = ("power", "sensors", "log")


class Source:
    """One thing the exporter reads; ``read()`` returns its metric text or raises."""

    name = "source"

    def __init__(self) -> None:
        self.text = ""
        self.up = 0
        self.seconds = 0.0
        self.refreshes = 0
        self.failures = 0
        self.last_success: Optional[float] = None
        self.last_error: Optional[str] = None
        self._lock = threading.Lock()

    def read(self) -> str:  # pragma: no cover - every source overrides it
        raise NotImplementedError

    def extra_text(self) -> str:
        """Figures kept whether or not the last read worked (the request errors that made it fail)."""
        return ""

    def refresh(self) -> None:
        """One read; never raises (an exporter loop that died would look like a healthy, silent fleet)."""
        start = time.monotonic()
        try:
            text, up, error = self.read(), 1, None
        except Exception as exc:  # pylint: disable=broad-except  # any failure is up=0, said in the log
            text, up = "", 0
            error = getattr(exc, "message", None) or "%s: %s" % (type(exc).__name__, exc)
            LOG.warning("%s: refresh failed: %s", self.name, error)
        seconds = time.monotonic() - start
        with self._lock:
            self.text, self.up, self.seconds, self.last_error = text, up, seconds, error
            self.refreshes += 1
            if up:
                self.last_success = time.time()
            else:
                self.failures += 1

    def snapshot(self) -> Tuple[str, int, float, int, int, Optional[float]]:
        with self._lock:
            return self.text, self.up, self.seconds, self.refreshes, self.failures, self.last_success


class CloudSource(Source):
    """The fleet snapshot of one cloud region (``_fleet.discover``, servers counted from the hypervisors)."""

    name = "cloud"

    def __init__(self, options: CloudOptions, connector: Callable[[CloudOptions], Any] = connect,
                 workers: int = 8) -> None:
        super().__init__()
        self.options = options
        self.connector = connector
        self.workers = workers
        self.stats = RequestStats()
        self._cloud: Optional[Cloud] = None

    def read(self) -> str:
        if self._cloud is None:
            conn = self.connector(self.options)
            self.stats.attach(conn)
            self._cloud = Cloud(conn)
        try:
            fleet = discover(self._cloud, vms=False, workers=self.workers)
        except Exception:
            # a fresh connection next time: a token revoked or a catalog changed is not kept
            self._close()
            raise
        finally:
            self.stats.collect()
            # the session's own timings (the request counter) would grow for as long as the exporter runs
            session = getattr(self._cloud.conn, "session", None) if self._cloud else None
            if session is not None and hasattr(session, "reset_timings"):
                session.reset_timings()
        if fleet.warnings:
            for warning in fleet.warnings:
                LOG.warning("cloud: %s", warning)
        return render(fleet_families(fleet))

    def extra_text(self) -> str:
        return render(request_families(self.stats.totals()))

    def _close(self) -> None:
        cloud, self._cloud = self._cloud, None
        if cloud is not None:
            try:
                cloud.close()
            except Exception:  # pylint: disable=broad-except  # closing a broken connection may fail too
                pass

    def close(self) -> None:
        self._close()


class HardwareSource(Source):
    """The hardware scan of the BMCs of a BMC map, as the hardware scan's own textfile."""

    name = "hardware"

    def __init__(self, targets: List[hardware_scan.ScanTarget], ca_path: Optional[str] = None,
                 workers: int = 16, timeout: float = 30.0, opener: Callable[..., Any] = hardware_scan.open_bmc
                 ) -> None:
        super().__init__()
        self.targets = targets
        self.ca_path = ca_path
        self.workers = workers
        self.timeout = timeout
        self.opener = opener
        self.status: Dict[str, str] = {}

    def read(self) -> str:
        results = hardware_scan.scan(self.targets, workers=self.workers, timeout=self.timeout,
                                     gather=HARDWARE_GATHER, ca_path=self.ca_path, opener=self.opener)
        for host, result in sorted(results.items()):  # a BMC that stops answering, or answers again, is logged once
            status = result.get("status") or "error"
            if status != self.status.get(host, "ok"):
                LOG.warning("hardware: %s %s -> %s%s", host, self.status.get(host, "ok"), status,
                            (": %s" % result["error"]) if result.get("error") else "")
            self.status[host] = status
        return hardware_scan.prometheus_text(results, with_log=True)


def exporter_families(sources: List[Source]) -> List[Family]:
    up = Family("osfleet_exporter_up", "gauge",
                "1 if the source's last refresh read it; 0 if not (its figures are then left out)")
    seconds = Family("osfleet_exporter_scrape_seconds", "gauge", "Seconds the source's last refresh took")
    refreshes = Family("osfleet_exporter_refreshes_total", "counter", "Refreshes of the source")
    failures = Family("osfleet_exporter_refresh_failures_total", "counter", "Refreshes that could not read it")
    last = Family("osfleet_exporter_last_success_timestamp_seconds", "gauge",
                  "When the source was last read (Unix seconds)")
    for src in sources:
        _text, is_up, took, n, failed, success = src.snapshot()
        up.add(is_up, source=src.name)
        seconds.add(took, source=src.name)
        refreshes.add(n, source=src.name)
        failures.add(failed, source=src.name)
        if success is not None:
            last.add(success, source=src.name)
    return [up, seconds, refreshes, failures, last]


class Exporter:
    """The sources, their refresh loops and the HTTP server."""

    def __init__(self, sources: List[Source], interval: float = 60.0) -> None:
        self.sources = sources
        self.interval = interval
        self._stop = threading.Event()
        self._threads: List[threading.Thread] = []
        self.server: Optional[ThreadingHTTPServer] = None

    def metrics(self) -> str:
        """What a scrape gets: every source's last text, its kept figures, the exporter's own."""
        parts = [render(exporter_families(self.sources))]
        for src in self.sources:
            parts.append(src.snapshot()[0])
            parts.append(src.extra_text())
        return "".join(parts)

    def _loop(self, src: Source) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            src.refresh()
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))

    def start(self, host: str = "127.0.0.1", port: int = 0) -> Tuple[str, int]:
        """Start the refresh loops and serve; returns the address bound (``port`` 0: any free one)."""
        handler = _handler_for(self)
        server_class = _IPv6Server if ":" in host else ThreadingHTTPServer
        self.server = server_class((host, port), handler)
        self.server.daemon_threads = True
        for src in self.sources:
            t = threading.Thread(target=self._loop, args=(src,), name="refresh-%s" % src.name, daemon=True)
            t.start()
            self._threads.append(t)
        serving = threading.Thread(target=self.server.serve_forever, name="http", daemon=True)
        serving.start()
        self._threads.append(serving)
        bound = self.server.server_address
        return str(bound[0]), int(bound[1])

    @property
    def url(self) -> str:
        """Where /metrics is served (after :meth:`start`)."""
        host, port = self.server.server_address[:2] if self.server else ("127.0.0.1", 0)
        return "http://%s:%d" % ("[%s]" % host if ":" in str(host) else host, port)

    def wait_refreshed(self, timeout: float) -> bool:
        """Whether every source finished a first refresh within ``timeout`` seconds (tests, start-up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(src.snapshot()[3] > 0 for src in self.sources):
                return True
            time.sleep(0.02)
        return False

    def stop(self) -> None:
        self._stop.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        for t in self._threads:
            t.join(timeout=5)
        for src in self.sources:
            close = getattr(src, "close", None)
            if close is not None:
                close()


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def _handler_for(exporter: Exporter):
    class Handler(BaseHTTPRequestHandler):
        server_version = "osfleet-exporter"

        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, CONTENT_TYPE, exporter.metrics())
            elif path == "/":
                self._send(200, "text/html; charset=utf-8",
                           '<html><body><a href="/metrics">/metrics</a></body></html>\n')
            else:
                self._send(404, "text/plain; charset=utf-8", "not found\n")

        def _send(self, status: int, content_type: str, body: str) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # pylint: disable=redefined-builtin
            LOG.debug("%s %s", self.address_string(), format % args)

    return Handler


def load_targets(path: str) -> List[hardware_scan.ScanTarget]:
    """The BMC map file (plain YAML: an exporter has no vault password) as scan targets."""
    if not HAS_YAML:
        raise Day2Error("PyYAML is required to read a BMC map (pip install PyYAML)")
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return hardware_scan.targets_from_map(data, path)


def parse_listen(text: str) -> Tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError("--listen takes HOST:PORT, e.g. 127.0.0.1:9180")
    return host.strip("[]") or "127.0.0.1", int(port)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="osfleet-exporter", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--cloud", required=True, help="the cloud's name in clouds.yaml")
    parser.add_argument("--clouds-yaml", help="the clouds.yaml file (else the standard locations)")
    parser.add_argument("--listen", type=parse_listen, default=("127.0.0.1", 9180), help="HOST:PORT")
    parser.add_argument("--bmc-map", help="a BMC map (bmcs.yml, not vault-encrypted) to scan as well")
    parser.add_argument("--bmc-ca-path", help="CA bundle to verify the BMCs' certificates with")
    parser.add_argument("--bmc-timeout", type=float, default=30.0, help="deadline per BMC, seconds")
    parser.add_argument("--bmc-workers", type=int, default=16, help="BMCs read at once")
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between refreshes of each source")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if args.interval <= 0:
        parser.error("--interval must be more than 0")
    if args.clouds_yaml:
        # openstacksdk's own override, read when the connection's config is loaded
        os.environ["OS_CLIENT_CONFIG_FILE"] = args.clouds_yaml
    sources: List[Source] = [CloudSource(CloudOptions(cloud=args.cloud))]
    if args.bmc_map:
        sources.append(HardwareSource(load_targets(args.bmc_map), ca_path=args.bmc_ca_path,
                                      workers=args.bmc_workers, timeout=args.bmc_timeout))
    exporter = Exporter(sources, interval=args.interval)
    host, port = exporter.start(*args.listen)
    LOG.info("serving http://%s:%d/metrics (sources: %s, every %gs)", host, port,
             ", ".join(s.name for s in sources), args.interval)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        exporter.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
