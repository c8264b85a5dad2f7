# -*- coding: utf-8 -*-
"""hardware_scan with a vault-encrypted BMC map, through ansible-playbook on localhost (no lab): the map
is decrypted on the controller, the BMC (a loopback Redfish server) accepts the password, and the
password is nowhere in the output, the result or the files written."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._hardware.conftest import FakeRedfish, load

VAULT_PASSWORD = "correct horse battery staple"
BMC_PASSWORD = "pw-Vaulted-7Qz"
PLAYBOOK = """
- name: Scan with vault-encrypted BMC maps
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: A map encrypted as a whole, by absolute path
      osfleet.day2.hardware_scan:
        bmc_map: "{{ whole }}"
        timeout: 10
        json_path: "{{ out }}/scan.json"
      register: whole_file

    - name: A map with a !vault password, by a path relative to the playbook
      osfleet.day2.hardware_scan:
        bmc_map: inline.yml
        timeout: 10
      register: inline

    - name: Keep the results
      ansible.builtin.copy:
        content: "{{ {'whole': whole_file, 'inline': inline} | to_json }}"
        dest: "{{ out }}/results.json"
        mode: "0600"
"""


def collections_root() -> str:
    """The directory holding ansible_collections/osfleet/day2 (make unit runs from that link)."""
    here = Path(os.path.abspath(__file__))
    for parent in here.parents:
        if parent.name == "ansible_collections":
            return str(parent.parent)
    return os.environ.get("ANSIBLE_COLLECTIONS_PATH", "")


@pytest.fixture
def bmc():
    fake = FakeRedfish(load("redfish_raw_healthy.json"), password=BMC_PASSWORD)
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def test_a_vault_encrypted_map_is_read_on_the_controller(bmc, tmp_path):
    vault = VaultLib([("default", VaultSecret(VAULT_PASSWORD.encode()))])
    entry = {"address": bmc.address(), "username": "admin"}
    (tmp_path / "bmcs.yml").write_bytes(vault.encrypt(json.dumps({"compute-02": dict(entry, password=BMC_PASSWORD)})))
    encrypted = vault.encrypt(BMC_PASSWORD).decode()
    (tmp_path / "inline.yml").write_text(
        "compute-02:\n  address: %s\n  username: admin\n  password: !vault |\n%s\n"
        % (entry["address"], "\n".join("    " + line for line in encrypted.splitlines())))
    (tmp_path / "pw.txt").write_text(VAULT_PASSWORD + "\n")
    (tmp_path / "scan.yml").write_text(PLAYBOOK)
    out = tmp_path / "out"
    out.mkdir()
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_root(), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_DEPRECATION_WARNINGS="0")
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-vvv",
         "--vault-password-file", str(tmp_path / "pw.txt"), str(tmp_path / "scan.yml"),
         "-e", "ansible_python_interpreter=" + sys.executable,
         "-e", json.dumps({"whole": str(tmp_path / "bmcs.yml"), "out": str(out)})],
        cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=240, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = json.loads((out / "results.json").read_text())
    for name in ("whole", "inline"):
        scanned = results[name]["results"]["compute-02"]
        assert scanned["status"] == "ok", scanned  # the BMC took the decrypted password
        assert scanned["address"] == entry["address"]  # only the password is masked
    assert bmc.sessions_created == 2 and bmc.sessions == {}
    everything = proc.stdout + proc.stderr + (out / "results.json").read_text() + (out / "scan.json").read_text()
    assert BMC_PASSWORD not in everything
