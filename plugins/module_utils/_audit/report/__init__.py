# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The reports of a compliance run, all made from one results document (engine.evaluate).

Each function returns the report's text; the caller writes the files (atomically,
next to each other in the run's report directory), so nothing here touches a disk.
"""
