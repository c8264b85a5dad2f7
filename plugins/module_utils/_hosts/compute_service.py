# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Enable, disable and force down a compute service, idempotently.

The plan is computed from the current and desired state before anything is
changed, so check mode, diff mode and the real run all share it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Callable, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
)

# Nova stores disabled_reason in a VARCHAR(255).
MAX_REASON_LENGTH = 255


@dataclass(frozen=True)
class ComputeService:
    """The part of a Nova service record that operators act on."""

    id: str
    host: str
    binary: str
    zone: Optional[str]
    status: str  # enabled | disabled
    state: Optional[str]  # up | down
    disabled_reason: Optional[str]
    forced_down: bool
    updated_at: Optional[str]

    @classmethod
    def from_sdk(cls, svc: Any) -> "ComputeService":
        return cls(
            id=str(svc.id),
            host=svc.host,
            binary=svc.binary,
            zone=getattr(svc, "availability_zone", None),
            status=svc.status,
            state=svc.state,
            disabled_reason=svc.disabled_reason,
            forced_down=bool(getattr(svc, "is_forced_down", False)),
            updated_at=svc.updated_at,
        )

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)

    @property
    def label(self) -> str:
        return "%s@%s" % (self.binary, self.host)


@dataclass(frozen=True)
class Desired:
    """What the user asked for; None means "leave as it is"."""

    status: Optional[str] = None
    disabled_reason: Optional[str] = None
    forced_down: Optional[bool] = None

    def validate(self) -> None:
        if self.status not in (None, "enabled", "disabled"):
            raise ValidationError("status must be enabled or disabled, not %r" % self.status, field="status")
        if self.status is None and self.forced_down is None:
            raise ValidationError("nothing to do: set status and/or forced_down", field="status")
        if self.disabled_reason is not None:
            if self.status != "disabled":
                raise ValidationError("disabled_reason is only valid with status=disabled", field="disabled_reason")
            if len(self.disabled_reason) > MAX_REASON_LENGTH:
                raise ValidationError("disabled_reason is %d characters; Nova keeps at most %d"
                                      % (len(self.disabled_reason), MAX_REASON_LENGTH), field="disabled_reason")


@dataclass(frozen=True)
class Step:
    """One API change: ``action`` is disable, enable, force_down or clear_force_down."""

    action: str
    reason: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"action": self.action}
        if self.reason is not None:
            out["reason"] = self.reason
        return out


def find_compute_service(nova: Any, host: str, binary: str = "nova-compute") -> ComputeService:
    """The one ``binary`` service on ``host`` (``nova`` is the access layer's Nova); NotFoundError names the
    hosts that exist."""
    if not host:
        raise ValidationError("host is required", field="host")
    found = nova.compute_services(host=host, binary=binary)
    if not found:
        known = sorted({s.host for s in nova.compute_services(binary=binary)})
        raise NotFoundError("no %s service on host %r; known hosts: %s" % (binary, host, ", ".join(known) or "none"),
                            field="host", resource="%s@%s" % (binary, host))
    if len(found) > 1:
        raise ConflictError("%d %s services are named %r (several cells?); refusing to guess"
                            % (len(found), binary, host), field="host", resource="%s@%s" % (binary, host))
    return ComputeService.from_sdk(found[0])


def plan(current: ComputeService, desired: Desired) -> List[Step]:
    """The ordered changes that take ``current`` to ``desired`` (empty: nothing to do).

    Disabling comes before forcing down so the scheduler stops placing servers
    first; clearing force-down comes before enabling for the same reason.
    """
    desired.validate()
    steps: List[Step] = []
    if desired.forced_down is False and current.forced_down:
        steps.append(Step("clear_force_down"))
    if desired.status == "disabled":
        reason_differs = desired.disabled_reason is not None and desired.disabled_reason != current.disabled_reason
        if current.status != "disabled" or reason_differs:
            steps.append(Step("disable", reason=desired.disabled_reason))
    elif desired.status == "enabled" and current.status != "enabled":
        steps.append(Step("enable"))
    if desired.forced_down is True and not current.forced_down:
        steps.append(Step("force_down"))
    return steps


def predict(current: ComputeService, steps: List[Step]) -> ComputeService:
    """The state ``steps`` will leave behind (for check mode and diff)."""
    state = current
    for step in steps:
        if step.action == "disable":
            state = replace(state, status="disabled",
                            disabled_reason=step.reason if step.reason is not None else state.disabled_reason)
        elif step.action == "enable":
            state = replace(state, status="enabled", disabled_reason=None)
        elif step.action == "force_down":
            state = replace(state, forced_down=True, state="down")
        elif step.action == "clear_force_down":
            state = replace(state, forced_down=False)
    return state


def apply(nova: Any, current: ComputeService, steps: List[Step],
          on_step: Optional[Callable[[Step, ComputeService, ComputeService], None]] = None) -> ComputeService:
    """Carry out ``steps`` through the access layer's Nova; ``on_step(step, before, after)`` runs after each one."""
    state = current
    service = current  # the access layer takes anything with the service's id, host and binary
    for step in steps:
        if step.action == "disable":
            svc = nova.disable_service(service, reason=step.reason)
        elif step.action == "enable":
            svc = nova.enable_service(service)
        elif step.action == "force_down":
            svc = nova.set_forced_down(service, True)
        elif step.action == "clear_force_down":
            svc = nova.set_forced_down(service, False)
        else:  # pragma: no cover - plan() makes only the four above
            raise ValueError(step.action)
        after = ComputeService.from_sdk(svc) if svc is not None else predict(state, [step])
        if on_step is not None:
            on_step(step, state, after)
        state = after
    return state
