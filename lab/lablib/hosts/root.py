"""A package host's root: its own /etc, dpkg database, apt state, /opt and /usr/local; the machine's /usr.

Each host is a directory ``<lab>/hosts/<host>/root``. Commands enter it through ``<lab>/hosts/bin/enter``:
a new mount and UTS namespace per command (``unshare``) where the machine's ``/usr/{bin,sbin,lib,...}`` are
bind-mounted read-only, ``/dev`` and ``/proc`` are mounted, the lab repository is at ``/srv/osfleet-lab-repo``,
the hostname is the host's, and then ``chroot``. Nothing stays mounted and nothing runs between commands: the
mounts go with the namespace when the command exits. dpkg, apt, python3 and python3-apt are the machine's
programs; the database they read and write is the host's own (a copy of the machine's at creation, so
package_facts lists a real system, plus the lab packages).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

#: /usr entries that are the machine's (read-only); /usr/local is the host's own
USR_SHARED = ("bin", "sbin", "lib", "lib32", "lib64", "libx32", "libexec", "share", "include")
#: what of the machine's /etc a host gets (the loader cache, accounts, alternatives, python's config)
ETC_COPIED = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "passwd", "group", "nsswitch.conf",
              "hosts", "debian_version", "os-release", "localtime", "timezone", "python3", "python3.11",
              "python3.12", "python3.13", "dpkg", "mime.types", "environment", "shells", "login.defs")
REPO_MOUNT = "srv/osfleet-lab-repo"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
LAYOUT = "1"   # bump when the root's layout changes: roots of another layout are rebuilt


def build(root: Path, host: str, kernel: str, tmp: Path) -> None:
    """Create the root of ``host`` (the caller checks whether it is there already)."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for d in ("dev", "proc", "run", "tmp", "root", "boot", "opt", REPO_MOUNT, "var/tmp", "var/log",
              "var/lib/apt/lists/partial", "var/cache/apt/archives/partial", "usr/local/bin", "usr/local/sbin",
              "etc/apt/apt.conf.d", "etc/apt/sources.list.d", "etc/apt/preferences.d", "etc/apt/trusted.gpg.d",
              str(tmp).lstrip("/")):
        (root / d).mkdir(parents=True, exist_ok=True)
    (root / "tmp").chmod(0o1777)
    (root / "var/tmp").chmod(0o1777)
    for name in USR_SHARED:
        if os.path.isdir(f"/usr/{name}") and not os.path.islink(f"/usr/{name}"):
            (root / "usr" / name).mkdir()
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):   # merged /usr, as Debian 12 is
        if os.path.islink(f"/{name}"):
            os.symlink(os.readlink(f"/{name}"), root / name)
    for name in ETC_COPIED:
        src = Path("/etc") / name
        if src.is_symlink():
            os.symlink(os.readlink(src), root / "etc" / name)
        elif src.is_dir():
            shutil.copytree(src, root / "etc" / name, symlinks=True)
        elif src.exists():
            shutil.copy2(src, root / "etc" / name)
    (root / "etc/hostname").write_text(host + "\n")
    (root / "etc/machine-id").write_text(os.urandom(16).hex() + "\n")
    (root / "etc/osfleet-lab").mkdir()
    (root / "etc/osfleet-lab/kernel-release").write_text(kernel + "\n")
    (root / "etc/apt/sources.list").write_text("")
    (root / "etc/apt/sources.list.d/osfleet-lab.list").write_text(
        f"# the lab's packages (lab/lablib/hosts/debs.py), bind-mounted read-only by lab/hosts/bin/enter\n"
        f"deb [trusted=yes] file:/{REPO_MOUNT} ./\n")
    (root / "etc/apt/apt.conf.d/90osfleet-lab").write_text(
        'APT::Sandbox::User "root";\n'          # file: sources need no download sandbox
        'APT::Install-Recommends "false";\n'
        'Acquire::Languages "none";\n')
    # the machine's dpkg database, copied: the host's own from now on (no lock files, no backups)
    shutil.copytree("/var/lib/dpkg", root / "var/lib/dpkg", symlinks=True, copy_function=_link_or_copy,
                    ignore=shutil.ignore_patterns("lock", "lock-frontend", "*-old"))
    # `uname -r` says the host's (fake) kernel; every other uname is the machine's
    uname = root / "usr/local/bin/uname"
    uname.write_text('#!/bin/sh\n# the lab host\'s kernel release (/etc/osfleet-lab/kernel-release) for -r\n'
                     'if [ "$*" = "-r" ] || [ "$*" = "--kernel-release" ]; then\n'
                     '  exec cat /etc/osfleet-lab/kernel-release\nfi\nexec /usr/bin/uname "$@"\n')
    uname.chmod(0o755)
    (root / ".osfleet-lab-layout").write_text(LAYOUT + "\n")


def _link_or_copy(src: str, dst: str) -> None:
    """info/ files hard-linked where the lab is on the machine's file system (3,000+ files a host: a copy took
    3 s a host on a busy disk). Safe because dpkg never writes a database file in place: it writes ``.new`` and
    renames, so a host's change replaces its link and the machine's file stays as it was."""
    if "/info/" in src:
        try:
            os.link(src, dst)
            return
        except OSError:
            pass
    shutil.copy2(src, dst)


def current(root: Path) -> bool:
    try:
        return (root / ".osfleet-lab-layout").read_text().strip() == LAYOUT
    except OSError:
        return False


ENTER = r'''#!/bin/sh
# enter HOST COMMAND [ARG...]: run COMMAND inside the lab package host HOST (written by labctl hosts up;
# lab/lablib/hosts/root.py). A private mount + UTS namespace per command: nothing stays mounted.
set -e
HOSTS_DIR=@HOSTS_DIR@
host=$1; shift
root=$HOSTS_DIR/$host/root
if [ ! -e "$HOSTS_DIR/$host/up" ]; then
  echo "lab package host $host is down (lab/labctl hosts up)" >&2; exit 255
fi
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV
exec unshare --mount --uts --propagation private /bin/sh -c '
  set -e; r=$1; h=$2; repo=$3; tmp=$4; shift 4
  for d in @USR_SHARED@; do
    if [ -d "$r/usr/$d" ]; then mount --bind -o ro "/usr/$d" "$r/usr/$d"; fi
  done
  mount --rbind /dev "$r/dev"
  mount -t proc proc "$r/proc"
  mount --bind -o ro "$repo" "$r/@REPO_MOUNT@"
  mount --bind "$tmp" "$r$tmp"
  hostname "$h"
  PATH=@PATH@ HOME=/root exec chroot "$r" "$@"
' enter "$root" "$host" "$HOSTS_DIR/repo" "$HOSTS_DIR/tmp" "$@"
'''


def write_enter(path: Path, hosts_dir: Path) -> None:
    text = (ENTER.replace("@HOSTS_DIR@", str(hosts_dir)).replace("@USR_SHARED@", " ".join(USR_SHARED))
            .replace("@REPO_MOUNT@", REPO_MOUNT).replace("@PATH@", PATH))
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    path.chmod(0o755)
