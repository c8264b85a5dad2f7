"""Count the HTTP requests a process makes (benchmarks only).

Put this directory on PYTHONPATH and set OSFLEET_COUNT_REQUESTS=<file>: every
request sent through `requests` (which keystoneauth and openstacksdk use) is
counted, and at exit one JSON line {"requests": N, "by_path": {...}, "by_host":
{...}} is appended to the file (by_host: per host:port, so that a benchmark can
tell which requests went where). Both inventory plugins are measured by the
same hook.
"""
import atexit
import json
import os
import re
from urllib.parse import urlsplit

_target = os.environ.get("OSFLEET_COUNT_REQUESTS")
if _target:
    try:
        import requests.adapters

        _counts = {}
        _hosts = {}
        _orig_send = requests.adapters.HTTPAdapter.send

        def _send(self, request, *args, **kwargs):
            path = re.sub(r"[0-9a-f]{32}|[0-9a-f-]{36}", "{id}", request.path_url.split("?")[0])
            key = "%s %s" % (request.method, path)
            _counts[key] = _counts.get(key, 0) + 1
            host = urlsplit(request.url).netloc
            _hosts[host] = _hosts.get(host, 0) + 1
            return _orig_send(self, request, *args, **kwargs)

        requests.adapters.HTTPAdapter.send = _send

        @atexit.register
        def _write():
            with open(_target, "a") as fh:
                fh.write(json.dumps({"requests": sum(_counts.values()), "by_path": _counts, "by_host": _hosts}) + "\n")
    except ImportError:
        pass
