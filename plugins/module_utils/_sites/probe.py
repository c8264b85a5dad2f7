# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""An endpoint's reachability and latency: several unauthenticated GETs of its version document.

Unauthenticated so that what is measured is the API's front (load balancer,
WSGI worker), not Keystone's token validation, and so that a probe works
before any credentials are checked. Any HTTP answer below 500 counts as
reachable (a version document's 300 Multiple Choices, even a 401, means the
API answered); a network failure or a 5xx is a probe error.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Sequence


def percentile(samples: Sequence[float], fraction: float) -> Optional[float]:
    """The nearest-rank percentile (``fraction`` 0.5 for p50): a value that was measured, never interpolated.

    None for no samples, so a dead endpoint has no latency rather than zero.
    """
    if not samples:
        return None
    ordered = sorted(samples)
    rank = max(1, int(math.ceil(fraction * len(ordered))))
    return ordered[min(rank, len(ordered)) - 1]


def latency(samples: Sequence[float]) -> Dict[str, Optional[float]]:
    return {"p50": percentile(samples, 0.5), "p95": percentile(samples, 0.95)}


def probe_endpoint(catalog: Any, interface: str, url: str, probes: int, timeout: float) -> Dict[str, Any]:
    """The endpoint entry of a site snapshot; ``_document`` holds the first version document read (popped later)."""
    samples: List[float] = []
    errors = 0
    last_error: Optional[str] = None
    document = None
    for _number in range(max(1, probes)):
        got = catalog.request("GET", url, timeout=timeout, authenticated=False)
        if got["status"] is None or got["status"] >= 500:
            errors += 1
            last_error = got["error"]
            continue
        samples.append(got["ms"])
        if document is None and isinstance(got["json"], dict):
            document = got["json"]
    return {"interface": interface, "url": url, "reachable": bool(samples), "latency_ms": latency(samples),
            "probes": max(1, probes), "errors": errors, "error": last_error, "_document": document}
