# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Hardware over the BMC: one BMC interface with Redfish (sushy) and IPMI (pyghmi) backends, the
HardwareState model, power and boot plans, fleet scans, and where each host's BMC is (map file,
Ironic).

Private to the osfleet.day2 collection: not a public API. Names here may change
in any release; other collections must not import them (docs/architecture.md).
"""
