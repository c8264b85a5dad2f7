"""install(): the lab venv with the pinned services, plus MariaDB/RabbitMQ and the
lab's own identities on them. Idempotent and quick when nothing changed."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time
from pathlib import Path

from .. import paths, procs
from ..procs import LabError
from .common import REQUIREMENTS, VENV, VENV_STAMP, VPY, file_sha


# --------------------------------------------------------------------- python
def find_python311() -> str:
    """python3.11 from PATH, else from the pyenv root."""
    cands = []
    which = shutil.which("python3.11")
    if which:
        cands.append(which)
    roots = [os.environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv"), "/root/.pyenv"]
    for root in filter(None, roots):
        cands += sorted(glob.glob(f"{root}/versions/3.11.*/bin/python3.11"), reverse=True)
    for c in cands:
        try:
            out = subprocess.run([c, "-c", "import sys; print(sys.version_info[:2] == (3, 11))"],
                                 capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.stdout.strip() == "True":
            return c
    raise LabError("openstack-venv", "no python3.11 found on PATH or under the pyenv root")


def _venv_ok() -> bool:
    if not VPY.exists():
        return False
    try:
        return subprocess.run([str(VPY), "-c", "import sys"], timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def ensure_venv() -> None:
    want = file_sha(REQUIREMENTS)
    if _venv_ok() and VENV_STAMP.exists() and VENV_STAMP.read_text().strip() == want:
        return
    t0 = time.monotonic()
    if not _venv_ok():
        shutil.rmtree(VENV, ignore_errors=True)
        procs.run([find_python311(), "-m", "venv", str(VENV)], "openstack-venv")
        procs.run([str(VPY), "-m", "pip", "install", "-q", "-U", "pip"], "openstack-venv")
    log = paths.LOG_DIR / "openstack-pip.log"
    print(f"[lab] openstack: pip install -r {REQUIREMENTS.name} (log: {log})", flush=True)
    with open(log, "ab") as fh:
        rc = subprocess.run([str(VPY), "-m", "pip", "install", "-r", str(REQUIREMENTS)],
                            stdout=fh, stderr=subprocess.STDOUT).returncode
    if rc != 0:
        raise LabError("openstack-venv", f"pip install failed (exit {rc}); log tail:\n{procs.tail(log)}")
    VENV_STAMP.write_text(want + "\n")
    print(f"[lab] openstack: venv ready in {time.monotonic() - t0:.0f}s", flush=True)


# -------------------------------------------------------------------- mariadb
def _mysql_root(sql: str) -> subprocess.CompletedProcess:
    """Run SQL as MariaDB root: unix socket first, then TCP (empty password)."""
    res = None
    for extra in ([], ["-h", paths.HOST, "-P", "3306"]):
        res = subprocess.run(["mysql", "-uroot", *extra, "-N", "-e", sql],
                             capture_output=True, text=True, timeout=60)
        if res.returncode == 0:
            return res
    return res


def lab_mysql(sql: str, what: str = "mariadb") -> str:
    """Run SQL as the lab's own DB user over TCP."""
    return procs.run(["mysql", "-h", paths.HOST, "-P", "3306", "-u", paths.DB_USER,
                      f"-p{paths.DB_PASSWORD}", "-N", "-e", sql], what, timeout=120)


def _apt_install(*pkgs: str) -> None:
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    procs.run(["apt-get", "update"], "apt-get", env=env, timeout=900)
    procs.run(["apt-get", "install", "-y", "--no-install-recommends", *pkgs], "apt-get",
              env=env, timeout=1800)


def _wait_tcp(service: str, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if procs.port_open(port):
            return
        time.sleep(0.5)
    raise LabError(service, f"not listening on {paths.HOST}:{port} after {timeout:.0f}s")


def ensure_mariadb() -> None:
    if not procs.port_open(3306):
        if not shutil.which("mariadbd") and not os.path.exists("/usr/sbin/mariadbd"):
            _apt_install("mariadb-server", "mariadb-client")
        Path("/run/mysqld").mkdir(parents=True, exist_ok=True)
        shutil.chown("/run/mysqld", "mysql", "mysql")
        procs.run(["start-stop-daemon", "--start", "--oknodo", "--background",
                   "--chuid", "mysql", "--exec", "/usr/sbin/mariadbd"], "mariadb")
        _wait_tcp("mariadb", 3306)
    # the lab's own user: over TCP from 127.0.0.1 (and the socket, for the CLI)
    u, pw, pre = paths.DB_USER, paths.DB_PASSWORD, paths.DB_PREFIX.replace("_", "\\_")
    try:
        lab_mysql("SELECT 1")
        ok = True
    except LabError:
        ok = False
    if ok:
        return
    sql = ";".join(
        f"CREATE USER IF NOT EXISTS '{u}'@'{h}' IDENTIFIED BY '{pw}';"
        f"ALTER USER '{u}'@'{h}' IDENTIFIED BY '{pw}';"
        f"GRANT ALL PRIVILEGES ON `{pre}%`.* TO '{u}'@'{h}'"
        for h in ("127.0.0.1", "localhost")) + ";FLUSH PRIVILEGES"
    res = _mysql_root(sql)
    if res.returncode != 0:
        raise LabError("mariadb", f"cannot create the lab DB user as root: {res.stderr.strip()}")
    lab_mysql("SELECT 1")


# ------------------------------------------------------------------- rabbitmq
def ensure_rabbitmq() -> None:
    if not procs.port_open(5672):
        if not shutil.which("rabbitmq-server") and not os.path.exists("/usr/sbin/rabbitmq-server"):
            _apt_install("rabbitmq-server")
        subprocess.run(["rabbitmq-server", "-detached"], capture_output=True, timeout=120)
        _wait_tcp("rabbitmq", 5672, timeout=120)
    vhosts = procs.run(["rabbitmqctl", "-q", "list_vhosts"], "rabbitmq").split()
    users = [line.split()[0] for line in
             procs.run(["rabbitmqctl", "-q", "list_users"], "rabbitmq").splitlines() if line.split()]
    if paths.MQ_VHOST in vhosts and paths.MQ_USER in users:
        return
    if paths.MQ_USER not in users:
        procs.run(["rabbitmqctl", "add_user", paths.MQ_USER, paths.MQ_PASSWORD], "rabbitmq")
    if paths.MQ_VHOST not in vhosts:
        procs.run(["rabbitmqctl", "add_vhost", paths.MQ_VHOST], "rabbitmq")
    procs.run(["rabbitmqctl", "set_permissions", "-p", paths.MQ_VHOST, paths.MQ_USER,
               ".*", ".*", ".*"], "rabbitmq")


def install() -> None:
    paths.ensure_dirs()
    ensure_venv()
    ensure_mariadb()
    ensure_rabbitmq()
