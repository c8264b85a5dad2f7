# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""What a small client of an HTTP JSON API needs: its URL checked, a requests session, TLS verified unless the
caller turns it off, a bearer token when given, a timeout on every call. The Alertmanager and Prometheus clients
are built on it; each keeps its own calls and error type."""

from __future__ import annotations

import traceback
from typing import Any, Dict, Optional, Union

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error, ValidationError

try:
    import requests

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the import sanity test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()


class HttpApi:
    """One API behind one URL. ``NAME`` is what messages call it, ``FIELD`` the option its URL came from."""

    NAME = "the API"
    FIELD = "url"

    def __init__(self, url: str, token: Optional[str] = None, verify: Union[bool, str] = True,
                 timeout: float = 10.0, session: Any = None) -> None:
        if not url or not str(url).startswith(("http://", "https://")):
            raise ValidationError("%s %r: an http:// or https:// URL" % (self.FIELD, url), field=self.FIELD)
        if session is None and not HAS_REQUESTS:
            raise Day2Error("the requests library is needed to talk to %s" % self.NAME,
                            details={"import_error": REQUESTS_IMPORT_ERROR})
        self.url = str(url).rstrip("/")
        self.timeout = timeout
        self.verify = verify
        self.session = session or requests.Session()
        self.headers: Dict[str, str] = {"Accept": "application/json"}
        if token:
            self.headers["Authorization"] = "Bearer %s" % token
