"""The lab's own Debian packages, at two versions each, and the flat apt repository that serves them.

Real ``.deb`` files built with ``dpkg-deb --build`` from generated trees, so that an upgrade and a downgrade
run dpkg for real: files replaced, a conffile kept, maintainer scripts run (each one logs to
``/var/log/osfleet-lab/maintscripts.log`` inside the host). They install under ``/opt`` and ``/etc`` only:
a package host's ``/usr`` is the machine's, read-only (see ``root.py``).
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

from .. import procs

#: package -> (versions, the one file of /opt/osfleet-lab/bin it ships, what it says it is)
PACKAGES = {
    "osfleet-lab-agent": (("1.0", "2.0"), "osfleet-lab-agent", "the lab's node agent"),
    "osfleet-lab-firmware-tools": (("1.0", "2.0"), "osfleet-lab-fwtool", "the lab's firmware flashing tools"),
}
#: the version each host starts at
START_VERSION = "1.0"
MAINTAINER = "osfleet.day2 lab <lab@osfleet.invalid>"


def deb_name(package: str, version: str) -> str:
    return f"{package}_{version}_all.deb"


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


def _tree(top: Path, package: str, version: str, exe: str, summary: str) -> None:
    """The package's tree: DEBIAN/ (control, conffiles, maintainer scripts) and its files."""
    _write(top / "DEBIAN" / "control",
           f"Package: {package}\nVersion: {version}\nArchitecture: all\nMaintainer: {MAINTAINER}\n"
           f"Section: admin\nPriority: optional\nDescription: {summary} (osfleet.day2 lab, version {version})\n"
           f" Built by lab/lablib/hosts/debs.py for the rolling patching tests: it does nothing but say\n"
           f" its version.\n")
    conf = f"/etc/osfleet-lab/{package}.conf"
    _write(top / "DEBIAN" / "conffiles", conf + "\n")
    for script in ("preinst", "postinst", "prerm", "postrm"):
        _write(top / "DEBIAN" / script,
               "#!/bin/sh\nset -e\nmkdir -p /var/log/osfleet-lab\n"
               f'echo "{package} {version} {script} $*" >> /var/log/osfleet-lab/maintscripts.log\n', 0o755)
    _write(top / "opt" / "osfleet-lab" / "bin" / exe,
           f"#!/bin/sh\n# {summary}\necho \"{exe} {version}\"\n", 0o755)
    _write(top / "opt" / "osfleet-lab" / "share" / package / "VERSION", version + "\n")
    _write(top / conf.lstrip("/"), f"# {summary}: written at install, kept as the admin left it on upgrade\n"
                                   f"interval = 60\n")


def build(repo: Path) -> bool:
    """Build every missing package into ``repo`` and index it; True when something was built."""
    repo.mkdir(parents=True, exist_ok=True)
    built = False
    for package, (versions, exe, summary) in PACKAGES.items():
        for version in versions:
            target = repo / deb_name(package, version)
            if target.exists():
                continue
            with tempfile.TemporaryDirectory(prefix="osfleet-deb-") as tmp:
                top = Path(tmp) / f"{package}_{version}"
                _tree(top, package, version, exe, summary)
                # root-owned files in the package whoever builds it (dpkg-deb >= 1.19)
                procs.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(top), str(target) + ".new"],
                          f"hosts: dpkg-deb {package} {version}")
                os.replace(str(target) + ".new", target)
            built = True
    if built or not (repo / "Release").exists():
        _index(repo)
    return built


def _index(repo: Path) -> None:
    """A flat repository (``deb [trusted=yes] file:/srv/osfleet-lab-repo ./``): ``Packages`` with the fields
    dpkg-scanpackages writes (each control with Filename, Size and checksums; read with dpkg-deb, so dpkg-dev is
    not needed) and a ``Release`` with the index checksums, as apt-ftparchive would write (nor apt-utils)."""
    stanzas = []
    for deb in sorted(repo.glob("*.deb")):
        control = procs.run(["dpkg-deb", "--field", str(deb)], f"hosts: dpkg-deb --field {deb.name}").rstrip("\n")
        blob = deb.read_bytes()
        stanzas.append(control + f"\nFilename: ./{deb.name}\nSize: {len(blob)}\n"
                       f"MD5sum: {hashlib.md5(blob).hexdigest()}\nSHA256: {hashlib.sha256(blob).hexdigest()}\n")
    data = "\n".join(stanzas).encode()
    (repo / "Packages").write_bytes(data)
    lines = ["Origin: osfleet-lab", "Label: osfleet-lab", "Suite: lab", "Codename: lab",
             "Date: " + time.strftime("%a, %d %b %Y %H:%M:%S UTC", time.gmtime()),
             "Architectures: all amd64 arm64", "Description: the osfleet.day2 lab's packages"]
    for field, algo in (("MD5Sum", "md5"), ("SHA256", "sha256")):
        lines.append(f"{field}:")
        lines.append(f" {hashlib.new(algo, data).hexdigest()} {len(data)} Packages")
    (repo / "Release").write_text("\n".join(lines) + "\n")
