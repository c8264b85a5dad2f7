# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The Redfish backend of the BMC interface (sushy for sessions and actions, raw JSON for the rest).

Private to the osfleet.day2 collection: not a public API. Names here may change
in any release; other collections must not import them (docs/architecture.md).
"""
