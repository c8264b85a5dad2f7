# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Compliance audits: rule packs as data, evaluated over facts the collection gathers, and their reports.

Read-only by design: nothing here changes a cloud or a BMC, except ``actions/``,
the opt-in, capped and staged acting on unused capacity, which changes only
what the cloud facade it is handed lets it (docs/audit.md). The language is in
docs/audit.md; the shipped packs are YAML files in extensions/audit/packs/.

Private to the osfleet.day2 collection: not a public API. Names here may change
in any release; other collections must not import them (docs/architecture.md).
"""
