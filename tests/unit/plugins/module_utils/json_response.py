# -*- coding: utf-8 -*-
"""A keystoneauth-like response for stub API adapters (``raise_exc=False`` callers)."""
from __future__ import annotations

import json


class Response:
    def __init__(self, status, body, request_id="req-1"):
        self.status_code = status
        self._body = body
        self.headers = {"x-openstack-request-id": request_id}
        self.text = body if isinstance(body, str) else json.dumps(body)

    def json(self):
        if isinstance(self._body, str):
            raise ValueError("not JSON")
        return self._body
