# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations


class ModuleDocFragment:
    # How to reach one BMC: every hardware module uses it.
    DOCUMENTATION = r"""
options:
  address:
    description:
      - Where the BMC is, C(SCHEME://HOST[:PORT][/redfish/v1/Systems/ID]); the scheme picks the protocol, for
        example C(redfish+https://10.0.0.11/redfish/v1/Systems/1) (Redfish over HTTPS) or C(ipmi://10.0.0.13)
        (IPMI 2.0 RMCP+, UDP port 623 by default). Every scheme and what it means is listed once, in
        C(docs/hardware.md) (Addresses); a BMC map's entries take the same addresses.
      - Without a system path, a Redfish BMC must manage exactly one system.
      - A bare host name needs O(bmc_type).
    type: str
    required: true
  username:
    description:
      - BMC user name.
    type: str
    required: true
  password:
    description:
      - BMC password. Never logged.
    type: str
    required: true
  bmc_type:
    description:
      - Speak this protocol whatever the address scheme says (for a bare host name, or C(https://) to an IPMI BMC);
        the explicit type wins over the scheme.
    type: str
    choices: [redfish, ipmi]
  timeout:
    description:
      - Deadline in seconds for the whole call, including logging in, every request, retries after
        HTTP 503 (honouring C(Retry-After)) and, for M(osfleet.day2.hardware_power), waiting for the power state.
        The task fails when it passes.
    type: float
    default: 60
notes:
  - The Redfish backend needs the C(sushy) Python library and the IPMI backend C(pyghmi), on the host the task
    runs on (usually C(localhost) or a jump host that reaches the management network).
  - Redfish sessions are always logged out, also when the call fails or times out.
"""

    # TLS verification of Redfish BMCs, for modules whose validate_certs is the BMC's
    # (hardware_power takes the cloud options too and names them bmc_validate_certs/bmc_ca_path).
    TLS = r"""
options:
  validate_certs:
    description:
      - Verify the Redfish BMC's TLS certificate. Turn off only for a lab; prefer O(ca_path).
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle file (or a directory of CA certificates) to verify the BMC's certificate with, for BMCs
        whose certificates are signed by an internal CA.
    type: path
"""
