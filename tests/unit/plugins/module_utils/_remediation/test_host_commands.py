# -*- coding: utf-8 -*-
"""Commands for a host: presets, units, the operator's own argument list, and running a real tiny command."""
from __future__ import annotations

import sys
import time

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._remediation.host_commands import (
    BMC_RESET,
    HostCommands,
    run_command,
)

PY = sys.executable


def test_systemd_is_the_default():
    cmds = HostCommands.from_options(None)
    assert cmds.service_manager == "systemd"
    assert cmds.restart_argv("compute-01", "nova-compute") == [
        "ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "compute-01", "sudo", "systemctl", "restart",
        "nova-compute"]
    assert cmds.bmc_reset_argv("compute-01") == [a.format(host="compute-01") for a in BMC_RESET]


def test_kolla_maps_services_to_containers():
    cmds = HostCommands.from_options({"service_manager": "kolla"})
    assert cmds.restart_argv("c1", "nova-compute")[-3:] == ["docker", "restart", "nova_compute"]
    assert cmds.unit("libvirtd") == "nova_libvirt" and cmds.unit("neutron-openvswitch-agent") == \
        "neutron_openvswitch_agent"
    assert cmds.unit("something-else") == "something-else"


def test_units_override_the_preset():
    cmds = HostCommands.from_options({"units": {"nova-compute": "openstack-nova-compute"}})
    assert cmds.restart_argv("c1", "nova-compute")[-1] == "openstack-nova-compute"
    assert cmds.unit("libvirtd") == "libvirtd"


def test_the_operators_command_with_placeholders():
    cmds = HostCommands.from_options({"service_manager": "command",
                                      "restart_command": ["labctl", "compute", "restart", "{host}", "{service}",
                                                          "--unit={unit}"],
                                      "units": {"nova-compute": "nc"},
                                      "bmc_reset_command": ["labctl", "bmc", "reset", "{host}"]})
    assert cmds.restart_argv("compute-02", "nova-compute") == ["labctl", "compute", "restart", "compute-02",
                                                               "nova-compute", "--unit=nc"]
    assert cmds.bmc_reset_argv("compute-02") == ["labctl", "bmc", "reset", "compute-02"]


@pytest.mark.parametrize("options, field, words", [
    ({"service_manager": "command"}, "host_commands.restart_command", "non-empty list of strings"),
    ({"service_manager": "command", "restart_command": "systemctl restart {unit}"}, "host_commands.restart_command",
     "not a shell line"),
    ({"service_manager": "command", "restart_command": ["x", 1]}, "host_commands.restart_command", "list of strings"),
    ({"restart_command": ["x"]}, "host_commands.restart_command", "is for service_manager=command"),
    ({"service_manager": "ansible"}, "host_commands.service_manager", "systemd, kolla or command, not 'ansible'"),
    ({"units": ["nova-compute"]}, "host_commands.units", "map a service to its unit"),
    ({"bmc_reset_command": "ipmitool mc reset cold"}, "host_commands.bmc_reset_command", "not a shell line"),
    ({"restart": ["x"]}, "host_commands.restart", "unknown setting 'restart'"),
])
def test_bad_host_commands_are_refused_naming_the_key(options, field, words):
    with pytest.raises(ValidationError) as err:
        HostCommands.from_options(options)
    assert err.value.field == field and words in err.value.message


@pytest.mark.parametrize("template", [["labctl", "{hostname}"], ["sh", "-c", "echo {}"], ["x", "{host"]])
def test_a_placeholder_that_is_not_known_is_refused_up_front(template):
    """Not a KeyError/IndexError in the middle of a remediation, after the host left the pool."""
    with pytest.raises(ValidationError) as err:
        HostCommands.from_options({"service_manager": "command", "restart_command": template})
    assert err.value.field == "host_commands.restart_command" and "{host}, {service}, {unit}" in err.value.message
    with pytest.raises(ValidationError) as err:
        HostCommands.from_options({"bmc_reset_command": template})
    assert err.value.field == "host_commands.bmc_reset_command"


def test_literal_braces_are_written_doubled():
    cmds = HostCommands.from_options({"service_manager": "command",
                                      "restart_command": ["sh", "-c", "echo {{}} {host}"]})
    assert cmds.restart_argv("c1", "x") == ["sh", "-c", "echo {} c1"]


@pytest.mark.parametrize("unit", [None, 5, "", ["nova_compute"]])
def test_a_unit_that_is_not_a_name_is_refused(unit):
    with pytest.raises(ValidationError) as err:
        HostCommands.from_options({"units": {"nova-compute": unit}})
    assert err.value.field == "host_commands.units.nova-compute"


# -- running -------------------------------------------------------------------------------------------------

def test_run_command_ok_keeps_the_output():
    result = run_command([PY, "-c", "print('restarted')"], timeout=30)
    assert result.rc == 0 and result.output.strip() == "restarted"
    assert result.to_dict() == {"argv": [PY, "-c", "print('restarted')"], "rc": 0, "output": "restarted\n"}


def test_run_command_non_zero_with_stderr():
    result = run_command([PY, "-c", "import sys; sys.stderr.write('unit not found'); sys.exit(5)"], timeout=30)
    assert result.rc == 5 and "unit not found" in result.output


def test_run_command_timeout():
    result = run_command([PY, "-c", "import time; print('started', flush=True); time.sleep(30)"], timeout=1)
    assert result.rc == -1 and result.output.startswith("timed out after 1s")


def test_run_command_not_found():
    result = run_command(["/nonexistent/labctl", "compute", "restart"], timeout=5)
    assert result.rc == 127 and result.output == "/nonexistent/labctl: command not found"


def test_run_command_not_executable(tmp_path):
    script = tmp_path / "restart.sh"
    script.write_text("#!/bin/sh\nexit 0\n")  # not chmod +x
    result = run_command([str(script)], timeout=5)
    assert result.rc == 126 and "cannot run" in result.output


def test_the_output_tail_is_kept():
    result = run_command([PY, "-c", "print('x' * 5000 + 'END')"], timeout=30)
    assert len(result.output) == 2000 and result.output.strip().endswith("END")


def test_a_timeout_does_not_wait_for_a_grandchild_holding_the_output():
    """ssh or a wrapper script leaving a process behind: the step still ends at its timeout."""
    began = time.monotonic()
    result = run_command(["sh", "-c", "sleep 20 & sleep 20"], timeout=1)
    assert result.rc == -1 and time.monotonic() - began < 10
