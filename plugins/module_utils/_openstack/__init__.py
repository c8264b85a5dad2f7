# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The one OpenStack access layer: connection options, every call the core makes to Nova, Neutron,
Cinder, Glance, Keystone, Placement and Ironic, one error shape, one request counter.

Private to the osfleet.day2 collection: not a public API. Names here may change
in any release; other collections must not import them (docs/architecture.md).
"""
