# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Sites: control-plane health and software currency per cloud and region.

Private to the osfleet.day2 collection: not a public API. Names here may change
in any release; other collections must not import them (docs/architecture.md).
"""
