# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The collection's version, for code that reports it (the openstacksdk user agent, ...).

galaxy.yml is the source of the version. It is a constant here, and not read from galaxy.yml or
MANIFEST.json, because modules run on a remote host where only the module and its module_utils
arrive (AnsiballZ): neither file is there, and reading it would work on the controller and fail in
production. tests/unit/plugins/module_utils/_common/test_version.py fails when the two disagree,
so a release bumps both in one commit.

Private to the osfleet.day2 collection: not a public API.
"""

from __future__ import annotations

COLLECTION_VERSION: str = "0.1.0"
