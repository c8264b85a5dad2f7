# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Alerting: the fleet and control-plane metrics in Prometheus text, the exporter that serves them, and the
alert rules' renderer (the rules themselves are YAML in ``extensions/prometheus/rules/``).

Private to the osfleet.day2 collection: not a public API. Names here may change
in any release; other collections must not import them (docs/architecture.md).
"""
