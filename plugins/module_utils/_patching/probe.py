# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The probe server of a patched host's post-checks: a small server booted onto the host, which must become
ACTIVE there, then deleted - nova-compute answering and the scheduler seeing the host are not proof that the
host can run a server after its patch (a broken libvirt, a missing kernel module, a bad firmware setting).

Booted by name ``osfleet-probe-<run>-<host>`` with metadata ``osfleet_probe=<run>`` onto the host (``host`` in
POST /servers, microversion 2.74, admin only), no network unless one is given. A probe a killed run left on the
host is deleted before the next is booted; every probe is deleted whatever happens, and its deletion waited on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError, NotFoundError, ValidationError

PREFIX = "osfleet-probe-"
POLL_SECONDS = 2.0


def probe_name(run: str, host: str) -> str:
    return ("%s%s-%s" % (PREFIX, run, host))[:255]


@dataclass(frozen=True)
class ProbeSpec:
    """What a probe server is: a flavor and an image (ids or names), a network id (or none), how long it may
    take to become ACTIVE."""

    flavor: str
    image: str
    network: Optional[str] = None
    timeout: float = 300.0

    @classmethod
    def from_options(cls, flavor: Optional[str], image: Optional[str], network: Optional[str],
                     timeout: float) -> Optional["ProbeSpec"]:
        if not flavor and not image:
            return None
        if not flavor or not image:
            missing = "probe_flavor" if not flavor else "probe_image"
            raise ValidationError("%s: a probe server needs both probe_flavor and probe_image" % missing,
                                  field=missing)
        if timeout <= 0:
            raise ValidationError("probe_timeout must be more than 0 seconds", field="probe_timeout")
        return cls(flavor=flavor, image=image, network=network or None, timeout=float(timeout))


class Probe:
    """Boots ``spec``'s server onto a host through the access layer (``nova``, ``glance``) and says what is wrong."""

    def __init__(self, nova: Any, glance: Any, spec: ProbeSpec, monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.nova = nova
        self.glance = glance
        self.spec = spec
        self.monotonic = monotonic
        self.sleep = sleep
        self._ids: Optional[tuple] = None

    def resolve(self) -> tuple:
        """(flavor id, image id); ValidationError naming the option when either is not found."""
        if self._ids is None:
            flavor = self.nova.find_flavor(self.spec.flavor)
            if flavor is None:
                raise ValidationError("probe_flavor: no flavor %s" % self.spec.flavor, field="probe_flavor")
            images = self.glance.images_named(self.spec.image)
            if not images:
                try:
                    images = [self.glance.get_image(self.spec.image)]
                except (CloudError, NotFoundError):  # not an id either (Glance answers 404, or 400 for no UUID): named below
                    images = []
            if len(images) != 1:
                raise ValidationError("probe_image: %s images named %s; give its id" % (
                    "no" if not images else len(images), self.spec.image), field="probe_image")
            self._ids = (str(flavor.id), str(images[0].id))
        return self._ids

    def check(self, run: str, host: str) -> str:
        """What is wrong with a probe server on ``host``, or "" once one became ACTIVE there (and is deleted)."""
        flavor, image = self.resolve()
        name = probe_name(run, host)
        for left in self.nova.servers_on_host(host):
            if left.name == name:  # left by a killed run
                self.nova.delete_server(left.id)
        sid = self.nova.boot_on_host(name, flavor, image, host, network=self.spec.network,
                                     metadata={"osfleet_probe": run})
        try:
            return self._wait_active(sid, host)
        finally:
            self.nova.delete_server(sid)
            self._wait_gone(sid)

    def _wait_active(self, sid: str, host: str) -> str:
        deadline = self.monotonic() + self.spec.timeout
        while True:
            server = self.nova.get_server(sid)
            status = getattr(server, "status", None) if server is not None else "gone"
            if status == "ACTIVE":
                where = getattr(server, "compute_host", None)
                if where not in (None, host):
                    return "the probe server %s went to %s, not %s" % (sid, where, host)
                return ""
            if status in ("ERROR", "gone"):
                fault = (getattr(server, "fault", None) or {}) if server is not None else {}
                return "the probe server %s is %s%s" % (sid, status, ": %s" % fault.get("message")
                                                        if fault.get("message") else "")
            if self.monotonic() >= deadline:
                return "the probe server %s is still %s after %ds" % (sid, status, self.spec.timeout)
            self.sleep(POLL_SECONDS)

    def _wait_gone(self, sid: str) -> None:
        deadline = self.monotonic() + self.spec.timeout
        while self.nova.get_server(sid) is not None and self.monotonic() < deadline:
            self.sleep(POLL_SECONDS)
