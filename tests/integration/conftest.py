# -*- coding: utf-8 -*-
"""Integration tests run the collection's modules through ansible against the lab.

They need the lab up (`make lab-up`; `make integration` does it). Each test
checks the cloud through openstacksdk directly, not only through the module's
own answer.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAB_DIR = Path(os.environ.get("OSFLEET_LAB_DIR", REPO / ".lab"))
CLOUDS_YAML = LAB_DIR / "clouds.yaml"
ANSIBLE = Path(sys.executable).parent / "ansible"


def _keystone_up() -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", 18000)) == 0


@pytest.fixture(scope="session")
def lab():
    if not CLOUDS_YAML.exists() or not _keystone_up():
        if os.environ.get("CI"):
            pytest.fail("the lab is not up (run `make lab-up`); CI must not skip integration tests")
        pytest.skip("the lab is not up: run `make lab-up` first")
    os.environ["OS_CLIENT_CONFIG_FILE"] = str(CLOUDS_YAML)
    return LAB_DIR


@pytest.fixture(scope="session")
def admin_conn(lab):
    import openstack
    return openstack.connect(cloud="lab-admin")


@pytest.fixture(scope="session")
def delete_servers(admin_conn):
    """Force-delete servers a test made (one already gone is fine), then wait until each is gone."""
    import openstack

    def _delete(server_ids, wait=60):
        for sid in server_ids:
            try:
                admin_conn.compute.delete_server(sid, force=True)
            except openstack.exceptions.ResourceNotFound:
                pass
        for sid in server_ids:
            try:
                admin_conn.compute.wait_for_delete(admin_conn.compute.get_server(sid), wait=wait)
            except openstack.exceptions.ResourceNotFound:
                pass
    return _delete


@pytest.fixture
def run_module(lab, tmp_path):
    """Run one module on localhost through `ansible` and return its result dict."""
    audit_log = tmp_path / "audit.jsonl"

    def _run(module: str, check: bool = False, diff: bool = False, **args):
        takes = module_options(module)
        if "cloud" in takes:
            args.setdefault("cloud", "lab-admin")
        if "audit_log" in takes:
            args.setdefault("audit_log", str(audit_log))
        cmd = [str(ANSIBLE), "localhost", "-c", "local", "-m", "osfleet.day2." + module, "-a", json.dumps(args),
               "-e", "ansible_python_interpreter=" + sys.executable]
        if check:
            cmd.append("--check")
        if diff:
            cmd.append("--diff")
        tree = tmp_path / ("tree-%d" % len(list(tmp_path.glob("tree-*"))))
        env = dict(os.environ, ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_CALLBACKS_ENABLED="ansible.builtin.tree",
                   ANSIBLE_CALLBACK_TREE_DIR=str(tree), OS_CLIENT_CONFIG_FILE=str(CLOUDS_YAML))
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, check=False)
        try:
            result = json.loads((tree / "localhost").read_text())
        except (OSError, ValueError):
            raise AssertionError("ansible wrote no result (rc %d):\n%s\n%s"
                                 % (proc.returncode, proc.stdout, proc.stderr))
        # the tree callback drops the task's "failed" flag; ansible's exit code carries it
        result.setdefault("failed", proc.returncode != 0)
        return result
    _run.audit_log = audit_log
    return _run


def module_options(module: str) -> set:
    """Which of the shared option sets a module takes, from its own documentation."""
    source = (REPO / "plugins" / "modules" / (module + ".py")).read_text()
    takes = set()
    if "osfleet.day2.cloud" in source:
        takes.add("cloud")
    if "osfleet.day2.audit" in source:
        takes.add("audit_log")
    return takes
