"""A few stdlib calls to the lab's APIs (health checks without the venv)."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Optional

from .common import ADMIN_PASSWORD, KEYSTONE_URL, url

_TOKEN: dict = {}


def _request(method: str, u: str, body: Optional[dict] = None, headers: Optional[dict] = None,
             timeout: float = 10.0):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(u, data=data, method=method,
                                 headers={"Content-Type": "application/json",
                                          "Accept": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        raw = resp.read()
        return resp.status, dict(resp.headers), (json.loads(raw) if raw else None)


def token() -> str:
    if _TOKEN.get("exp", 0) > time.time():
        return _TOKEN["id"]
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "domain": {"id": "default"}, "password": ADMIN_PASSWORD}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
    _, headers, _ = _request("POST", KEYSTONE_URL + "/auth/tokens", body)
    _TOKEN.update(id=headers.get("X-Subject-Token") or headers.get("x-subject-token"),
                  exp=time.time() + 3000)
    return _TOKEN["id"]


def get(service: str, path: str, microversion: Optional[str] = None, timeout: float = 10.0):
    headers = {"X-Auth-Token": token()}
    if microversion:
        headers["OpenStack-API-Version"] = microversion
    return _request("GET", url(service) + path, headers=headers, timeout=timeout)[2]


def answers(service: str, timeout: float = 3.0) -> bool:
    """The API answers HTTP at all (any status code counts)."""
    try:
        _request("GET", url(service) + "/", timeout=timeout)
        return True
    except urllib.error.HTTPError:
        return True
    except Exception:
        return False


def compute_state() -> dict:
    """{host: (service_up_and_enabled, hypervisor_up, service_updated_at)} of nova-computes."""
    out: dict = {}
    svcs = get("nova", "/v2.1/os-services?binary=nova-compute", "compute 2.53")["services"]
    for s in svcs:
        out[s["host"]] = [s["state"] == "up", False, s.get("updated_at") or ""]
    hyps = get("nova", "/v2.1/os-hypervisors/detail", "compute 2.53")["hypervisors"]
    for h in hyps:
        host = (h.get("service") or {}).get("host") or h.get("hypervisor_hostname")
        if host in out:
            out[host][1] = h.get("state") == "up"
    return {k: tuple(v) for k, v in out.items()}


def volume_services() -> list:
    return get("cinder", "/v3/os-services", "volume 3.0")["services"]
