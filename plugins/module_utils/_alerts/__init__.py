# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Alerting: the fleet and control-plane metrics in Prometheus text, the exporter that serves them, the
alert rules' renderer (the rules themselves are YAML in ``extensions/prometheus/rules/``), and triage:
Alertmanager payloads in, incidents out.

Triage (``triage.py``) takes what Alertmanager sends (webhook payload version 4, or a plain list of alerts,
``payload.py``), places every alert on the resource it is about through an index of the fleet snapshot
(``correlate.py``), and returns incidents: deduplicated, grouped per host, symptoms inhibited by their cause,
suppressed with a reason code while a host is in a maintenance window, held or quarantined, and re-released at
once when that ends. ``alertmanager.py`` is the small Alertmanager API v2 client, ``silences.py`` plans the
silences that make Alertmanager's UI agree with what triage suppresses.

Private to the osfleet.day2 collection: not a public API. Names here may change
in any release; other collections must not import them (docs/architecture.md).
"""
