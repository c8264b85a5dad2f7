"""Start and stop the lab's daemons by PID file, with one log file each.

Every daemon is started in its own session (process group) so that stopping it
stops its children too (gunicorn workers, ipmi_sim helpers). A failed start
raises LabError naming the service with the tail of its log.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Mapping, Optional, Sequence

from .paths import LOG_DIR, RUN_DIR, ensure_dirs


class LabError(Exception):
    """A lab step failed; ``service`` names what failed, ``detail`` says why."""

    def __init__(self, service: str, detail: str) -> None:
        super().__init__(f"{service}: {detail}")
        self.service = service
        self.detail = detail


def pidfile(name: str) -> Path:
    return RUN_DIR / f"{name}.pid"


def logfile(name: str) -> Path:
    return LOG_DIR / f"{name}.log"


def read_pid(name: str) -> Optional[int]:
    try:
        pid = int(pidfile(name).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of ours counts as dead
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return False


def tail(path: Path, lines: int = 30) -> str:
    try:
        data = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(data[-lines:])


def start(name: str, argv: Sequence[str], env: Optional[Mapping[str, str]] = None,
          cwd: Optional[Path] = None) -> int:
    """Start ``argv`` as daemon ``name`` unless it already runs; return its PID."""
    ensure_dirs()
    pid = read_pid(name)
    if pid:
        return pid
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    log = open(logfile(name), "ab")
    log.write(f"\n--- {time.strftime('%Y-%m-%dT%H:%M:%S')} start {' '.join(argv)}\n".encode())
    log.flush()
    proc = subprocess.Popen(list(argv), stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, env=full_env,
                            cwd=str(cwd) if cwd else None, start_new_session=True)
    log.close()
    pidfile(name).write_text(str(proc.pid))
    return proc.pid


def stop(name: str, timeout: float = 15.0) -> bool:
    """Stop daemon ``name`` and its process group; True if something was stopped."""
    pid = read_pid(name)
    pidfile(name).unlink(missing_ok=True)
    if not pid:
        return False
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return True
        except PermissionError:
            os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _reap(pid)
            if not pid_alive(pid) and not group_alive(pid):
                return True
            time.sleep(0.2)
    return True


def _reap(pid: int) -> None:
    """Reap ``pid`` if it is a zombie child of this process (started by start()
    in the same labctl run): a zombie leader keeps its group 'alive' for killpg."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except (ChildProcessError, OSError):
        pass


def group_alive(pgid: int) -> bool:
    """Whether any process of process group ``pgid`` is still there."""
    try:
        os.killpg(pgid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def running(name: str) -> bool:
    return read_pid(name) is not None


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def wait_port(name: str, port: int, timeout: float = 120.0) -> None:
    """Wait until ``port`` accepts connections while daemon ``name`` is alive."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port):
            return
        if not running(name):
            raise LabError(name, f"exited before listening on {port}; log tail:\n{tail(logfile(name))}")
        time.sleep(0.3)
    raise LabError(name, f"not listening on {port} after {timeout:.0f}s; log tail:\n{tail(logfile(name))}")


def run(argv: Sequence[str], what: str, env: Optional[Mapping[str, str]] = None,
        cwd: Optional[Path] = None, timeout: float = 1800.0) -> str:
    """Run a one-shot command; raise LabError(what, output tail) on failure."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    try:
        res = subprocess.run(list(argv), capture_output=True, text=True, env=full_env,
                             cwd=str(cwd) if cwd else None, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise LabError(what, f"timed out after {timeout:.0f}s: {' '.join(argv)}")
    if res.returncode != 0:
        out = (res.stdout + res.stderr).splitlines()[-30:]
        raise LabError(what, f"exit {res.returncode}: {' '.join(argv)}\n" + "\n".join(out))
    return res.stdout


def managed() -> list:
    """Names of every daemon with a PID file (alive or not)."""
    if not RUN_DIR.exists():
        return []
    return sorted(p.stem for p in RUN_DIR.glob("*.pid"))
