# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Runbooks as data: what they match, their steps from a fixed catalogue, what must pass after.

A runbook is one YAML file (one mapping). It is validated strictly, before anything runs:
an unknown key or step type is refused naming the file and the key, so a typo never turns
into a runbook that silently does less. The shipped runbooks are in
``extensions/remediation/runbooks/``; an operator adds their own in a directory of theirs
(``runbook_dirs``), with no Python: a runbook of theirs with the name of a shipped one
replaces it.

::

    name: compute_down
    description: nova-compute is down; restart it through the host's service manager
    priority: 50                 # the highest-priority runbook that matches is the one run
    match:
      rules: [NOVA-16]           # audit rule ids that fail on the host ...
      alerts:                    # ... and/or alerts about it (name and exact label values)
        - {name: OsfleetNovaComputeDown, labels: {severity: critical}}
      facts:                     # optional: the host's audit facts must have one of these values
        bmc_access.status: [unreachable]
    steps:
      - type: restart_service
        service: nova-compute
        timeout: 120             # seconds for the step (a wait's condition included)
        retries: 1               # tries after the first failure, 15 s apart
        on_failure: hold         # hold (default) | continue
        disruptive: false        # a disruptive step is checked by every guard first
        approval: none           # required: the run stops until an operator approves
    verify:
      rules: [NOVA-16]           # must pass (an error is not a pass); default: the matched rules
      timeout: 180
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._audit.source import load_yaml
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
RULE_RE = re.compile(r"^[A-Z][A-Z0-9]*-[0-9A-Za-z.-]+$")

ON_FAILURE = ("hold", "continue")
APPROVAL = ("none", "required")

#: step type -> (its own keys with their types, required keys, disruptive by default)
#: every step also takes the common keys below. ``drain`` goes through a maintenance window (owners are told,
#: their answers kept); ``power`` and ``bmc_reset`` through the BMC; ``restart_service`` through the host's
#: service manager; ``playbook`` runs an operator playbook with the host as a variable.
CATALOGUE: Dict[str, Tuple[Dict[str, type], Tuple[str, ...], bool]] = {
    "drain": ({"default_action": str, "max_parallel": int, "reply_minutes": int}, (), True),
    "power": ({"action": str}, ("action",), True),
    "bmc_reset": ({"method": str}, (), False),
    "clear_sel": ({}, (), False),
    "restart_service": ({"service": str}, ("service",), False),
    "wait": ({"until": str, "rules": list, "seconds": int}, ("until",), False),
    "playbook": ({"path": str, "extra_vars": dict}, ("path",), False),
    "hold": ({"reason": str}, ("reason",), False),
}
COMMON_STEP_KEYS: Dict[str, type] = {"type": str, "name": str, "timeout": int, "retries": int, "on_failure": str,
                                     "disruptive": bool, "approval": str}
POWER_ACTIONS = ("graceful_restart", "force_restart", "power_cycle", "graceful_shutdown", "off", "on")
#: ``host``: in-band from the host (host_commands.bmc_reset_command), the one way that reaches a BMC that does not
#: answer on the network
BMC_RESET_METHODS = ("host",)
DRAIN_ACTIONS = ("live_migrate", "migrate", "shutdown")
WAIT_UNTIL = ("service_up", "rules_pass", "seconds")
TOP_KEYS = {"name", "description", "priority", "match", "steps", "verify", "enabled"}
MATCH_KEYS = {"rules", "alerts", "facts"}
ALERT_KEYS = {"name", "labels"}
VERIFY_KEYS = {"rules", "timeout", "interval"}
DEFAULT_STEP_TIMEOUT = 300
MAX_TIMEOUT = 24 * 3600


@dataclass(frozen=True)
class AlertMatch:
    name: str
    labels: Tuple[Tuple[str, str], ...] = ()

    def matches(self, alertname: str, labels: Mapping[str, Any]) -> bool:
        return alertname == self.name and all(str(labels.get(k)) == v for k, v in self.labels)

    def to_dict(self) -> Dict[str, Any]:
        return {"name": self.name, "labels": dict(self.labels)}


@dataclass(frozen=True)
class Step:
    type: str
    name: str
    params: Tuple[Tuple[str, Any], ...] = ()
    timeout: int = DEFAULT_STEP_TIMEOUT
    retries: int = 0
    on_failure: str = "hold"
    disruptive: bool = False
    approval: str = "none"

    def param(self, key: str, default: Any = None) -> Any:
        return dict(self.params).get(key, default)

    def to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"type": self.type, "name": self.name}
        out.update(dict(self.params))
        out.update(timeout=self.timeout, retries=self.retries, on_failure=self.on_failure,
                   disruptive=self.disruptive, approval=self.approval)
        return out


@dataclass(frozen=True)
class Runbook:
    name: str
    source: str
    description: str = ""
    priority: int = 50
    rules: Tuple[str, ...] = ()
    alerts: Tuple[AlertMatch, ...] = ()
    facts: Tuple[Tuple[str, Tuple[Any, ...]], ...] = ()
    steps: Tuple[Step, ...] = ()
    verify_rules: Tuple[str, ...] = ()
    verify_timeout: int = 300
    verify_interval: int = 10
    enabled: bool = True

    # -- matching --------------------------------------------------------------
    def matches_rules(self, failing: Sequence[str]) -> List[str]:
        """The rules of ``failing`` this runbook is for."""
        return [r for r in failing if r in self.rules]

    def matches_facts(self, target: Optional[Mapping[str, Any]]) -> bool:
        """``match.facts`` against the host's audit target (no facts asked: any host; no target, as in alert
        triage before any audit: not known yet, so not excluded: the remediation confirms with the audit)."""
        if not self.facts or target is None:
            return True
        return all(fact_value(target, key) in values for key, values in self.facts)

    def matches_alert(self, alertname: str, labels: Optional[Mapping[str, Any]] = None) -> bool:
        return any(a.matches(alertname, labels or {}) for a in self.alerts)

    @property
    def holds(self) -> bool:
        """A runbook whose steps end in a hold is a manual path: it never returns the host by itself."""
        return any(s.type == "hold" for s in self.steps)

    @property
    def drains(self) -> bool:
        return any(s.type == "drain" for s in self.steps)

    @property
    def verify(self) -> Tuple[str, ...]:
        return self.verify_rules or self.rules

    def to_dict(self) -> Dict[str, Any]:
        return {"name": self.name, "source": self.source, "description": self.description,
                "priority": self.priority, "match": {"rules": list(self.rules),
                                                     "alerts": [a.to_dict() for a in self.alerts],
                                                     "facts": {k: list(v) for k, v in self.facts}},
                "steps": [s.to_dict() for s in self.steps],
                "verify": {"rules": list(self.verify), "timeout": self.verify_timeout,
                           "interval": self.verify_interval}}


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------
def _refuse(source: str, where: str, why: str) -> ValidationError:
    return ValidationError("%s: %s: %s" % (source, where, why), field=where, details={"file": source})


def _unknown(source: str, where: str, data: Mapping[str, Any], allowed: Any) -> None:
    extra = sorted(str(k) for k in data if k not in allowed)
    if extra:
        raise _refuse(source, "%s.%s" % (where, extra[0]) if where else extra[0],
                      "unknown key %r (allowed: %s)" % (extra[0], ", ".join(sorted(allowed))))


def _typed(source: str, where: str, value: Any, kind: type) -> Any:
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise _refuse(source, where, "must be a whole number, not %r" % (value,))
    if kind is not int and not isinstance(value, kind):
        raise _refuse(source, where, "must be a %s, not %r" % (kind.__name__.replace("str", "string"), value))
    return value


def _rules(source: str, where: str, value: Any) -> Tuple[str, ...]:
    _typed(source, where, value, list)
    for i, rule in enumerate(value):
        if not isinstance(rule, str) or not RULE_RE.match(rule):
            raise _refuse(source, "%s[%d]" % (where, i), "%r is not an audit rule id (like NOVA-16)" % (rule,))
    return tuple(value)


def _choice(source: str, where: str, value: Any, choices: Sequence[str]) -> str:
    if value not in choices:
        raise _refuse(source, where, "%r is not one of %s" % (value, ", ".join(choices)))
    return value


def _timeout(source: str, where: str, value: Any) -> int:
    _typed(source, where, value, int)
    if not 1 <= value <= MAX_TIMEOUT:
        raise _refuse(source, where, "must be between 1 and %d seconds, not %d" % (MAX_TIMEOUT, value))
    return value


def _step(source: str, where: str, data: Any) -> Step:
    if not isinstance(data, Mapping):
        raise _refuse(source, where, "a step is a mapping with a type, not %r" % (data,))
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in CATALOGUE:  # a list or a mapping is no type (nor hashable)
        raise _refuse(source, where + ".type", "unknown step type %r (the catalogue: %s)"
                      % (kind, ", ".join(sorted(CATALOGUE))))
    own, required, disruptive_default = CATALOGUE[kind]
    _unknown(source, where, data, set(COMMON_STEP_KEYS) | set(own))
    for key in required:
        if key not in data:
            raise _refuse(source, "%s.%s" % (where, key), "a %s step needs %s" % (kind, key))
    for key, value in data.items():
        _typed(source, "%s.%s" % (where, key), value, {**COMMON_STEP_KEYS, **own}[key])
    params = {k: data[k] for k in own if k in data}
    if kind == "power":
        _choice(source, where + ".action", params["action"], POWER_ACTIONS)
        disruptive_default = params["action"] != "on"
    if kind == "bmc_reset":
        params.setdefault("method", "host")
        _choice(source, where + ".method", params["method"], BMC_RESET_METHODS)
    if kind == "drain":
        params.setdefault("default_action", "live_migrate")
        _choice(source, where + ".default_action", params["default_action"], DRAIN_ACTIONS)
        if not 1 <= params.setdefault("max_parallel", 4) <= 100:
            raise _refuse(source, where + ".max_parallel", "must be between 1 and 100")
        if params.setdefault("reply_minutes", 0) < 0:
            raise _refuse(source, where + ".reply_minutes", "must be 0 or more")
    if kind == "wait":
        _choice(source, where + ".until", params["until"], WAIT_UNTIL)
        if params["until"] == "rules_pass":
            params["rules"] = list(_rules(source, where + ".rules", params.get("rules")))
        if params["until"] == "seconds":
            if "seconds" not in params:
                raise _refuse(source, where + ".seconds", "a wait until seconds needs seconds")
            _timeout(source, where + ".seconds", params["seconds"])  # a negative sleep raises mid-run
    if kind == "playbook" and not params["path"].strip():
        raise _refuse(source, where + ".path", "an empty playbook path")
    step = Step(
        type=kind, name=str(data.get("name") or kind), params=tuple(sorted(params.items(), key=lambda kv: kv[0])),
        timeout=_timeout(source, where + ".timeout", data.get("timeout", DEFAULT_STEP_TIMEOUT)),
        retries=data.get("retries", 0),
        on_failure=_choice(source, where + ".on_failure", data.get("on_failure", "hold"), ON_FAILURE),
        disruptive=data.get("disruptive", disruptive_default),
        approval=_choice(source, where + ".approval", data.get("approval", "none"), APPROVAL),
    )
    if not 0 <= step.retries <= 10:
        raise _refuse(source, where + ".retries", "must be between 0 and 10, not %d" % step.retries)
    if kind in CATALOGUE and disruptive_default and data.get("disruptive") is False:
        raise _refuse(source, where + ".disruptive", "a %s step is disruptive to the servers on the host; it "
                      "cannot be declared disruptive: false" % kind)
    return step


def load_runbook(data: Any, source: str) -> Runbook:
    """One runbook from parsed YAML; every error names ``source`` and the key."""
    if not isinstance(data, Mapping):
        raise _refuse(source, "runbook", "a runbook file holds one mapping, not %s" % type(data).__name__)
    _unknown(source, "", data, TOP_KEYS)
    name = data.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise _refuse(source, "name", "%r: use lowercase letters, digits, '_', '.' or '-'" % (name,))
    match = data.get("match")
    if isinstance(match, Mapping):  # first: a typo (``rule:``) is named, not reported as no rules at all
        _unknown(source, "match", match, MATCH_KEYS)
    if not isinstance(match, Mapping) or not (match.get("rules") or match.get("alerts")):
        raise _refuse(source, "match", "a runbook matches audit rules and/or alerts (match.rules, match.alerts)")
    rules = _rules(source, "match.rules", match.get("rules", []))
    alerts = []
    for i, item in enumerate(_typed(source, "match.alerts", match.get("alerts", []), list)):
        where = "match.alerts[%d]" % i
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise _refuse(source, where, "an alert match is {name: AlertName, labels: {...}}")
        _unknown(source, where, item, ALERT_KEYS)
        labels = _typed(source, where + ".labels", item.get("labels", {}), dict)
        alerts.append(AlertMatch(item["name"], tuple(sorted((str(k), str(v)) for k, v in labels.items()))))
    facts = []
    for key, values in sorted(_typed(source, "match.facts", match.get("facts", {}), dict).items()):
        if not isinstance(values, list) or not values:
            raise _refuse(source, "match.facts.%s" % key, "a list of the values that match")
        facts.append((str(key), tuple(values)))
    steps_data = data.get("steps")
    if not isinstance(steps_data, list) or not steps_data:
        raise _refuse(source, "steps", "a runbook needs at least one step")
    steps = tuple(_step(source, "steps[%d]" % i, s) for i, s in enumerate(steps_data))
    holds = [i for i, s in enumerate(steps) if s.type == "hold"]
    if holds and holds[0] != len(steps) - 1:
        raise _refuse(source, "steps[%d]" % holds[0], "a hold step ends the runbook: the steps after it never run")
    verify = data.get("verify", {})
    _typed(source, "verify", verify, dict)
    _unknown(source, "verify", verify, VERIFY_KEYS)
    verify_rules = _rules(source, "verify.rules", verify.get("rules", []))
    if not (verify_rules or rules) and not holds:
        raise _refuse(source, "verify.rules", "a runbook that returns the host must name the rules that prove "
                      "it fixed (verify.rules, or match.rules)")
    priority = _typed(source, "priority", data.get("priority", 50), int)
    description = _typed(source, "description", data.get("description", ""), str)
    return Runbook(name=name, source=source, description=description.strip(), priority=priority, rules=rules,
                   alerts=tuple(alerts), facts=tuple(facts), steps=steps, verify_rules=verify_rules,
                   verify_timeout=_timeout(source, "verify.timeout", verify.get("timeout", 300)),
                   verify_interval=_timeout(source, "verify.interval", verify.get("interval", 10)),
                   enabled=bool(_typed(source, "enabled", data.get("enabled", True), bool)))


def load_runbook_text(text: str, source: str) -> Runbook:
    return load_runbook(load_yaml(text, source), source)


def shipped_dir() -> str:
    """<collection>/extensions/remediation/runbooks (this file is <collection>/plugins/module_utils/_remediation/)."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "..", "extensions", "remediation", "runbooks"))


def runbook_files(directory: str) -> List[str]:
    if not os.path.isdir(directory):
        raise ValidationError("runbook directory %s does not exist" % directory, field="runbook_dirs")
    return sorted(os.path.join(directory, f) for f in os.listdir(directory) if f.endswith((".yml", ".yaml")))


def read_sources(dirs: Sequence[str], include_shipped: bool = True) -> List[Dict[str, str]]:
    """``[{source, text}]`` of every runbook file (shipped first), as the controller hands them to a module."""
    out = []
    for directory in ([shipped_dir()] if include_shipped else []) + list(dirs):
        for path in runbook_files(directory):
            with open(path, encoding="utf-8") as fh:
                out.append({"source": path, "text": fh.read(), "shipped": directory == shipped_dir()})
    return out


def load_sources(sources: Sequence[Mapping[str, Any]]) -> List[Runbook]:
    """Runbooks from ``[{source, text}]``; a later one with the same name replaces an earlier (the operator's
    own replace the shipped ones); two of the operator's files with one name are refused."""
    by_name: Dict[str, Runbook] = {}
    own: Dict[str, str] = {}
    for src in sources:
        book = load_runbook_text(src["text"], src["source"])
        if not src.get("shipped") and book.name in own:
            raise ValidationError("runbook %r is defined twice: %s and %s"
                                  % (book.name, own[book.name], src["source"]),
                                  field="runbook_dirs", details={"file": src["source"]})
        if not src.get("shipped"):
            own[book.name] = src["source"]
        by_name[book.name] = book
    return sorted((b for b in by_name.values() if b.enabled), key=lambda b: (-b.priority, b.name))


def load_runbooks(dirs: Sequence[str] = (), include_shipped: bool = True) -> List[Runbook]:
    return load_sources(read_sources(dirs, include_shipped))


def fact_value(target: Mapping[str, Any], key: str) -> Any:
    """``a.b.c`` of a target (None where a part is missing)."""
    value: Any = target
    for part in key.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def select(runbooks: Sequence[Runbook], failing: Sequence[str], alerts: Sequence[Mapping[str, Any]] = (),
           target: Optional[Mapping[str, Any]] = None) -> Optional[Runbook]:
    """The highest-priority runbook for what fails on a host (rule ids) or what alerts about it (``alerts``:
    ``{name, labels}``), whose ``match.facts`` the host's audit target has; None: no runbook knows this
    pattern."""
    for book in runbooks:  # sorted by priority
        if not book.matches_facts(target):
            continue
        if book.matches_rules(failing):
            return book
        if any(book.matches_alert(a.get("name", ""), a.get("labels") or {}) for a in alerts):
            return book
    return None
