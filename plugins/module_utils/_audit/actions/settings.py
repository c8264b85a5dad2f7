# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""What the unused-capacity actions may do: the stages turned on, the grace periods, the caps.

Everything is off unless asked for (a pack's finding is a candidate, not an
order), and the caps are on by default: Cloud Custodian's users lost
resources to safety limits that were off unless set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.webhook import Target

NOTIFY = "notify"
STOP = "stop"
DELETE = "delete"
STAGES = (NOTIFY, STOP, DELETE)
#: not a stage one enables: a resource used again loses its marks whenever any stage is on
CLEAR = "clear"
PACK = "unused_capacity"
#: the unused_capacity pack's own default ``exclusion_tag``
EXCLUSION_TAG = "osfleet-keep"


@dataclass(frozen=True)
class Settings:
    """``Settings.from_options(dict)`` validates a module's or a playbook's options, naming the bad one."""

    stages: Tuple[str, ...] = ()
    grace_stop_days: float = 7.0
    grace_delete_days: float = 14.0
    max_resources: int = 10
    max_percent: float = 10.0
    exclusion_tag: str = EXCLUSION_TAG
    dry_run: bool = False
    #: rule ids (globs) whose failures are acted on; empty: every rule of the pack
    rules: Tuple[str, ...] = ()
    pack: str = PACK
    #: project id or name -> its webhook for the notices (optional; the notice on the resource is always written)
    webhooks: Dict[str, Target] = field(default_factory=dict)
    webhook_timeout: float = 10.0
    validate_certs: bool = True
    ca_path: Optional[str] = None

    def __post_init__(self) -> None:
        stages = self.stages
        if isinstance(stages, str) or not isinstance(stages, (list, tuple)):
            raise ValidationError("stages must be a list of %s, not %r" % (", ".join(STAGES), stages), field="stages")
        for stage in stages:
            if stage not in STAGES:
                raise ValidationError("stages: unknown stage %r (known: %s)" % (stage, ", ".join(STAGES)),
                                      field="stages")
        object.__setattr__(self, "stages", tuple(s for s in STAGES if s in stages))
        for name in ("grace_stop_days", "grace_delete_days"):
            _number(self, name, minimum=0)
        _number(self, "max_percent", minimum=0, maximum=100)
        value = getattr(self, "max_resources")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError("max_resources must be a whole number >= 0, not %r" % (value,), field="max_resources")
        if not isinstance(self.exclusion_tag, str) or not self.exclusion_tag.strip():
            raise ValidationError("exclusion_tag must be a non-empty text", field="exclusion_tag")
        if not isinstance(self.dry_run, bool):
            raise ValidationError("dry_run must be true or false, not %r" % (self.dry_run,), field="dry_run")
        if isinstance(self.rules, str) or not all(isinstance(r, str) and r for r in self.rules):
            raise ValidationError("rules must be a list of rule ids or globs", field="rules")
        object.__setattr__(self, "rules", tuple(self.rules))
        for project, target in self.webhooks.items():
            if not isinstance(target, Target):
                raise ValidationError("webhooks.%s must be a webhook target" % project, field="webhooks")
            target.validate(project)

    @classmethod
    def from_options(cls, options: Optional[Mapping[str, Any]]) -> "Settings":
        """From plain options (a module's ``actions`` dict); unknown keys are refused, by name.

        A None value is the default (an argument spec's unset suboption).
        """
        options = {k: v for k, v in (options or {}).items() if v is not None}
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(options) - known)
        if unknown:
            raise ValidationError("unknown action setting %s (known: %s)" % (unknown[0], ", ".join(sorted(known))),
                                  field=unknown[0])
        hooks = options.pop("webhooks", None) or {}
        if not isinstance(hooks, Mapping):
            raise ValidationError("webhooks must be a mapping of project -> {url, secret}", field="webhooks")
        targets: Dict[str, Target] = {}
        for project, spec in hooks.items():
            if isinstance(spec, Target):
                targets[str(project)] = spec
                continue
            if not isinstance(spec, Mapping) or not spec.get("url") or not spec.get("secret"):
                raise ValidationError("webhooks.%s needs url and secret" % project, field="webhooks")
            targets[str(project)] = Target(str(spec["url"]), str(spec["secret"]))
        for name in ("stages", "rules"):
            if name in options and isinstance(options[name], list):
                options[name] = tuple(options[name])
        return cls(webhooks=targets, **options)

    def enabled(self, stage: str) -> bool:
        return stage in self.stages

    def to_dict(self) -> Dict[str, Any]:
        """What a report or an audit entry shows (webhook secrets left out)."""
        return {"stages": list(self.stages), "grace_stop_days": self.grace_stop_days,
                "grace_delete_days": self.grace_delete_days, "max_resources": self.max_resources,
                "max_percent": self.max_percent, "exclusion_tag": self.exclusion_tag, "dry_run": self.dry_run,
                "rules": list(self.rules), "pack": self.pack, "webhooks": sorted(self.webhooks)}


def _number(settings: Settings, name: str, minimum: float, maximum: Optional[float] = None) -> None:
    value = getattr(settings, name)
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= minimum
    if ok and maximum is not None:
        ok = value <= maximum
    if not ok:
        bounds = ">= %s" % minimum if maximum is None else "between %s and %s" % (minimum, maximum)
        raise ValidationError("%s must be a number %s, not %r" % (name, bounds, value), field=name)
