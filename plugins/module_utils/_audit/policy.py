# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Rule packs: the rules as data, checked when loaded, compiled once per run with that run's parameters.

Nothing in a pack is code. Everything a pack can say is listed here and in
condition.py; a key, operator or value type that is not is refused with the
file, the rule and the key named (Cloud Custodian issue 9153: ``filter:``
for ``filters:`` matched every bucket). The loader compiles every rule with
its default parameters, so a bad regex or JMESPath fails the load, not the
3 a.m. run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Set, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._audit import condition as cond
from ansible_collections.osfleet.day2.plugins.module_utils._audit import keys as keys_mod
from ansible_collections.osfleet.day2.plugins.module_utils._audit import nodes
from ansible_collections.osfleet.day2.plugins.module_utils._audit.params import resolve_params
from ansible_collections.osfleet.day2.plugins.module_utils._audit.refuse import Refuse
from ansible_collections.osfleet.day2.plugins.module_utils._audit.evidence import show
from ansible_collections.osfleet.day2.plugins.module_utils._audit.source import canonical_hash, read_file

SEVERITIES = ("info", "low", "medium", "high", "critical")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
TARGETS = ("host", "bmc", "hypervisor", "aggregate", "server", "port", "volume", "floating_ip", "snapshot",
           "image", "project", "network", "router", "security_group")
PACK_KEYS = ("pack", "version", "title", "description", "target", "facts", "applies_when", "params", "rules")
PACK_REQUIRED = ("pack", "version", "rules")
RULE_KEYS = ("id", "title", "severity", "target", "facts", "optional_facts", "condition", "applies_when",
             "rationale", "references", "runbook", "params", "age_from", "description")
RULE_REQUIRED = ("id", "title", "severity", "facts", "condition", "rationale", "references", "runbook")
REFERENCE_KEYS = ("framework", "id", "title", "url")
#: facts every target has, which a key may read without declaring them
ALWAYS = ("id", "name", "kind")

PACK_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
PARAM_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
RUNBOOK_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
FACT_PATH = re.compile(r"^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*$")


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    target: str
    facts: Tuple[str, ...]
    optional_facts: Tuple[str, ...]
    condition: Any
    rationale: str
    references: Tuple[Dict[str, str], ...]
    runbook: str
    applies_when: Any = None
    params: Dict[str, Any] = field(default_factory=dict)
    age_from: Optional[str] = None
    description: str = ""

    def summary(self) -> Dict[str, Any]:
        return {"id": self.id, "title": self.title, "severity": self.severity, "target": self.target,
                "references": [dict(r) for r in self.references], "runbook": self.runbook}


@dataclass
class CompiledRule:
    """A rule ready to evaluate: its conditions compiled with the run's parameters."""

    pack: "Pack"
    rule: Rule
    condition: Any
    guard: Any
    required: Tuple[str, ...]
    optional: Tuple[str, ...]
    guard_facts: Tuple[str, ...]
    params: Dict[str, Any]


@dataclass
class Pack:
    name: str
    version: str
    rules: List[Rule]
    source: str
    sha256: str
    title: str = ""
    description: str = ""
    target: Optional[str] = None
    facts: Tuple[str, ...] = ()
    applies_when: Any = None
    params: Dict[str, Any] = field(default_factory=dict)
    file_sha256: Optional[str] = None

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def metadata(self) -> Dict[str, Any]:
        out = {"name": self.name, "version": self.version, "title": self.title, "source": self.source,
               "sha256": self.sha256, "rules": len(self.rules)}
        if self.file_sha256:
            out["file_sha256"] = self.file_sha256
        return out

    def compile(self, overrides: Optional[Mapping[str, Any]] = None) -> List[CompiledRule]:
        """Every rule compiled with its defaults, overridden by ``overrides`` (see resolve_params)."""
        per_rule = resolve_params(self, overrides or {})
        return [compile_rule(self, r, per_rule[r.id]) for r in self.rules]


# ---- loading -----------------------------------------------------------------------


def load_pack_file(path: str) -> Pack:
    data, digest = read_file(path)
    return load_pack(data, path, file_sha256=digest)


def load_pack(data: Any, source: str = "<pack>", file_sha256: Optional[str] = None) -> Pack:
    """A Pack from parsed YAML/JSON; refuses anything it does not know, naming source, rule and key."""
    refuse = Refuse(source)
    if not isinstance(data, dict):
        refuse("pack", "a pack is a mapping with pack, version and rules")
    _known_keys(data, PACK_KEYS, "", refuse, "a pack")
    for key in PACK_REQUIRED:
        if key not in data:
            refuse(key, "missing (a pack needs %s)" % ", ".join(PACK_REQUIRED))
    name = data["pack"]
    if not isinstance(name, str) or not PACK_NAME.match(name):
        refuse("pack", "the pack name is lower-case letters, digits and _ (got %s)" % show(name))
    version = data["version"]
    if not isinstance(version, (str, int, float)) or isinstance(version, bool) or not str(version).strip():
        refuse("version", "the pack version is a string such as 1.0.0")
    default_target = data.get("target")
    if default_target is not None and default_target not in TARGETS:
        refuse("target", "unknown target %r (one of %s)" % (default_target, ", ".join(TARGETS)))
    params = _params(data.get("params"), "params", refuse)
    pack_facts = _fact_list(data.get("facts"), "facts", refuse)
    rules_data = data["rules"]
    if not isinstance(rules_data, list) or not rules_data:
        refuse("rules", "a non-empty list of rules")
    pack = Pack(name=name, version=str(version), rules=[], source=source, sha256=canonical_hash(data),
                title=_text(data.get("title", ""), "title", refuse), target=default_target,
                description=_text(data.get("description", ""), "description", refuse),
                facts=pack_facts, applies_when=data.get("applies_when"), params=params, file_sha256=file_sha256)
    seen: Set[str] = set()
    for index, raw in enumerate(rules_data):
        rule = _load_rule(raw, index, pack, refuse)
        if rule.id in seen:
            Refuse(source, rule.id)("id", "rule id %s appears twice in the pack" % rule.id)
        seen.add(rule.id)
        pack.rules.append(rule)
    pack.compile()  # every condition compiled with the defaults: errors surface at load
    return pack


def _known_keys(data: Dict[str, Any], known: Tuple[str, ...], prefix: str, refuse: Refuse, what: str) -> None:
    for key in data:
        if key not in known:
            refuse(prefix + str(key), "unknown key %r in %s (known: %s)" % (key, what, ", ".join(known)))


def _text(value: Any, where: str, refuse: Refuse, required: bool = False) -> str:
    if not isinstance(value, str) or (required and not value.strip()):
        refuse(where, "a %stext" % ("non-empty " if required else ""))
    return value


def _params(value: Any, where: str, refuse: Refuse) -> Dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        refuse(where, "params is a mapping of name: default value")
    for name in value:
        if not isinstance(name, str) or not PARAM_NAME.match(name):
            refuse("%s.%s" % (where, name), "a parameter name is lower-case letters, digits and _")
    return dict(value)


def _fact_list(value: Any, where: str, refuse: Refuse) -> Tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        refuse(where, "a list of dotted fact paths (service.state, bmc.network.http)")
    out: List[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not FACT_PATH.match(item):
            refuse("%s[%d]" % (where, i), "%s is not a dotted fact path (lower-case names and dots)" % show(item))
        if item in out:
            refuse("%s[%d]" % (where, i), "fact %s is listed twice" % item)
        out.append(item)
    return tuple(out)


def _references(value: Any, refuse: Refuse) -> Tuple[Dict[str, str], ...]:
    if not isinstance(value, list):
        refuse("references", "a list of {framework, id[, title, url]} (may be empty)")
    out = []
    for i, ref in enumerate(value):
        where = "references[%d]" % i
        if not isinstance(ref, dict):
            refuse(where, "a reference is a mapping {framework, id[, title, url]}")
        _known_keys(ref, REFERENCE_KEYS, where + ".", refuse, "a reference")
        for key in ("framework", "id"):
            if not isinstance(ref.get(key), str) or not ref[key].strip():
                refuse("%s.%s" % (where, key), "missing or empty")
        out.append({k: str(v) for k, v in ref.items()})
    return tuple(out)


def _load_rule(raw: Any, index: int, pack: Pack, pack_refuse: Refuse) -> Rule:
    if not isinstance(raw, dict):
        pack_refuse("rules[%d]" % index, "a rule is a mapping")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
        pack_refuse("rules[%d].id" % index, "a rule id is letters, digits, '.', '_' or '-' (got %s)" % show(rule_id))
    refuse = Refuse(pack.source, rule_id)
    _known_keys(raw, RULE_KEYS, "", refuse, "a rule")
    for key in RULE_REQUIRED:
        if key not in raw:
            refuse(key, "missing (a rule needs %s)" % ", ".join(RULE_REQUIRED))
    severity = raw["severity"]
    if severity not in SEVERITIES:
        refuse("severity", "unknown severity %s (one of %s)" % (show(severity), ", ".join(SEVERITIES)))
    target = raw.get("target", pack.target)
    if target is None:
        refuse("target", "missing (and the pack has no default target)")
    if target not in TARGETS:
        refuse("target", "unknown target %s (one of %s)" % (show(target), ", ".join(TARGETS)))
    facts = _fact_list(raw["facts"], "facts", refuse)
    if not facts:
        refuse("facts", "a rule reads at least one fact")
    optional = _fact_list(raw.get("optional_facts"), "optional_facts", refuse)
    for f in optional:
        if f in facts or f in pack.facts:
            refuse("optional_facts", "fact %s is listed as required and as optional" % f)
    params = _params(raw.get("params"), "params", refuse)
    for name in params:
        if name in pack.params:
            refuse("params.%s" % name, "parameter %s is already a pack parameter: use one or the other" % name)
    runbook = raw["runbook"]
    if not isinstance(runbook, str) or not RUNBOOK_ID.match(runbook):
        refuse("runbook", "a runbook id is lower-case letters, digits, '.', '_' or '-' (got %s)" % show(runbook))
    age_from = raw.get("age_from")
    if age_from is not None and age_from not in facts + optional + pack.facts:
        refuse("age_from", "%s is not one of the rule's facts" % show(age_from))
    return Rule(id=rule_id, title=_text(raw["title"], "title", refuse, required=True), severity=severity,
                target=target, facts=facts, optional_facts=optional, condition=raw["condition"],
                rationale=_text(raw["rationale"], "rationale", refuse, required=True),
                references=_references(raw["references"], refuse), runbook=runbook,
                applies_when=raw.get("applies_when"), params=params, age_from=age_from,
                description=_text(raw.get("description", ""), "description", refuse))


def compile_rule(pack: Pack, rule: Rule, params: Dict[str, Any]) -> CompiledRule:
    refuse = Refuse(pack.source, rule.id)
    required = tuple(dict.fromkeys(pack.facts + rule.facts))
    declared = keys_mod.roots(set(required + rule.optional_facts)) | set(ALWAYS)
    scope = cond.Scope(refuse, params, declared)
    condition = cond.compile_condition(rule.condition, "condition", scope)
    guards = []
    if pack.applies_when is not None:
        pack_scope = cond.Scope(Refuse(pack.source, prefix="(pack) "), params,
                                keys_mod.roots(set(pack.facts)) | set(ALWAYS))
        guards.append(cond.compile_condition(pack.applies_when, "applies_when", pack_scope))
    if rule.applies_when is not None:
        guards.append(cond.compile_condition(rule.applies_when, "applies_when", scope))
    guard = None if not guards else (guards[0] if len(guards) == 1 else nodes.AllOf(guards))
    read: Set[str] = set()
    if guard is not None:
        for test in nodes.tests_of(guard):
            read |= keys_mod.fact_paths(test.key)
    guard_facts = tuple(f for f in required if f in pack.facts or any(keys_mod.overlaps(f, p) for p in read))
    return CompiledRule(pack=pack, rule=rule, condition=condition, guard=guard, required=required,
                        optional=rule.optional_facts, guard_facts=guard_facts, params=params)
