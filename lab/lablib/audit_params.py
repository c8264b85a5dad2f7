"""What the compliance audit needs to know about the lab: its parameters, waivers and BMC map.

Written by ``labctl up`` (lablib.bmc.up) next to clouds.yaml and bmcs.yml:

* ``<lab>/audit-params.yml``: the run parameters per pack (the value of the playbook's
  ``osfleet_audit_params``; docs/audit.md "Parameters"), so that the healthy lab is
  compliant on every compute_hosts rule and the unused resources the lab seeds are found;
* ``<lab>/audit-waivers.yml``: ``waivers:`` (docs/audit.md "Waivers"): BMC-03 on the two
  IPMI-managed lab BMCs, which speak IPMI-over-LAN by design;
* ``<lab>/audit-vars.yml``: everything above plus the cloud, clouds.yaml, the HTTPS BMC map
  and its CA bundle as flat playbook variables (``-e @<lab>/audit-vars.yml``);
* ``<lab>/remediation-vars.yml``: the same cloud, BMC map and compute_hosts parameters for the
  remediation playbooks, the lab's "service manager" (labctl restarts a compute's nova-compute and
  resets a hung BMC, as systemctl and an in-band ipmitool do on a real host) and guards tuned
  for tests that remediate one host several times a day.

The files are JSON, which is YAML: labctl stays stdlib. Every value says where it comes
from in the lab, so a change there is a change here.
"""
from __future__ import annotations

import datetime
import json

from . import paths
from .bmc import scenario

AUDIT_PARAMS_YML = paths.LAB_DIR / "audit-params.yml"
AUDIT_WAIVERS_YML = paths.LAB_DIR / "audit-waivers.yml"
AUDIT_VARS_YML = paths.LAB_DIR / "audit-vars.yml"
REMEDIATION_VARS_YML = paths.LAB_DIR / "remediation-vars.yml"
MODEL = "LabServer R640e"                       # scenario.healthy()["model"], Redfish and IPMI FRU alike
IPMI_BMC_HOSTS = ("compute-03", "compute-04")   # lablib.bmc.IPMI_HOSTS (not imported: keep this file light)


def params() -> dict:
    """pack -> parameters for a run over the lab."""
    return {
        "compute_hosts": {
            # the healthy scenario's firmware is the baseline: old_firmware (BMC 2.01, BIOS 1.0.3) fails BMC-01
            "bmc_firmware_baseline": {MODEL: scenario.HEALTHY_BMC},
            "bios_baseline": {MODEL: scenario.HEALTHY_BIOS},
            # nova.conf initial_cpu_allocation_ratio = 16.0 (ram and disk stay at Nova's 1.0)
            "max_vcpu_allocation_ratio": 16.0,
            # one stand-in "Open vSwitch agent" row per compute, alive (openstack/initdb.py fake_ovs_agents)
            "min_network_agents": 1,
            # scenario.healthy_settings()["power_restore_policy"]
            "power_restore_policy": scenario.healthy_settings()["power_restore_policy"],
        },
        "unused_capacity": {
            # the seeded unused resources are minutes old: any age is too old in the lab
            "UNUSED-01": {"max_stopped_days": 0},
            "UNUSED-03": {"max_unbound_days": 0},
            "UNUSED-05": {"max_available_days": 0},
            "UNUSED-06": {"max_unassociated_days": 0},
            # two computes per zone (az1: compute-01/02, az2: compute-03/04): both may be empty spares
            "spare_hosts_per_zone": 2,
        },
    }


def waivers(today: datetime.date = None) -> list:
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    return [{
        "rule": "BMC-03", "target": host, "kind": "host", "pack": "compute_hosts",
        "reason": "lab BMC emulated by ipmi_sim: it is managed over IPMI-over-LAN by design "
                  "(lab/lablib/bmc/ipmi.py); the Redfish lab BMCs show BMC-03 (fault ipmi_on)",
        "who": "osfleet lab (lab/lablib/audit_params.py)",
        "expires": (today + datetime.timedelta(days=365)).isoformat(),
    } for host in IPMI_BMC_HOSTS]


def variables() -> dict:
    """Flat playbook variables of a lab audit (``ansible-playbook ... -e @<lab>/audit-vars.yml``)."""
    from . import bmc
    return {
        "osfleet_cloud": "lab-admin",
        "osfleet_clouds_yaml": str(paths.CLOUDS_YAML),
        "osfleet_bmc_map": str(bmc.BMCS_HTTPS_YML),
        "osfleet_bmc_ca_path": str(bmc.CA_PEM),
        "osfleet_audit_packs": ["compute_hosts", "unused_capacity"],
        "osfleet_audit_params": params(),
        "osfleet_audit_waivers": waivers(),
    }


def remediation_variables() -> dict:
    """Flat variables of the remediation playbooks on the lab (``-e @<lab>/remediation-vars.yml``)."""
    from . import bmc
    labctl = [str(paths.REPO / "lab" / "labctl")]
    return {
        "osfleet_cloud": "lab-admin",
        "osfleet_clouds_yaml": str(paths.CLOUDS_YAML),
        "osfleet_bmc_map": str(bmc.BMCS_HTTPS_YML),
        "osfleet_bmc_ca_path": str(bmc.CA_PEM),
        "osfleet_audit_params": {"compute_hosts": params()["compute_hosts"]},
        "osfleet_host_commands": {
            "service_manager": "command",
            "restart_command": ["python3"] + labctl + ["compute", "restart", "{host}"],
            "bmc_reset_command": ["python3"] + labctl + ["bmc", "reset", "{host}"],
        },
        # the flap guard shortened (the lab's faults do not flap); no cooldown, a higher daily cap: the tests
        # remediate the same host several times an hour
        "osfleet_guards": {"confirm_seconds": 5, "cooldown_minutes": 0, "max_per_day": 50},
    }


def _write(path, data) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text("# generated by lab/lablib/audit_params.py (do not edit; JSON is YAML)\n"
                   + json.dumps(data, indent=2) + "\n")
    tmp.replace(path)


def write() -> None:
    _write(AUDIT_PARAMS_YML, params())
    _write(AUDIT_WAIVERS_YML, {"waivers": waivers()})
    _write(AUDIT_VARS_YML, variables())
    _write(REMEDIATION_VARS_YML, remediation_variables())
