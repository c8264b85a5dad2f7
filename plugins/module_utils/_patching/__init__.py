# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Rolling patching of compute hosts: the waves of a run, the whole-run failure budget, the run's state and
lock in the cloud, and the last tested configuration (baseline) per host model.

Private to the osfleet.day2 collection: not a public API. Names here may change
in any release; other collections must not import them (docs/architecture.md).
"""
