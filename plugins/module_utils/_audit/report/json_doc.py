# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""compliance.json: the results document itself, and reading back the previous one."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._audit.results import FORMAT
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError


def to_json(document: Dict[str, Any], diff: Optional[Dict[str, Any]] = None) -> str:
    """The document (with the diff against the previous run when given) as JSON text."""
    out = dict(document)
    if diff is not None:
        out["changes"] = diff
    return json.dumps(out, indent=1, ensure_ascii=False, default=str) + "\n"


def from_json(text: str, source: str = "compliance.json") -> Dict[str, Any]:
    """A previous run's document; refuses a file that is not one (rather than diffing against garbage)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValidationError("%s: not JSON: %s" % (source, exc), field=source) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("results"), list):
        raise ValidationError("%s: not an osfleet.day2 compliance report (format %s)" % (source, FORMAT),
                              field=source)
    return data
