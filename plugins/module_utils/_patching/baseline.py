# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The last tested configuration of a host model: what a verified wave ran, and what a rollback goes back to.

A baseline is the versions a wave verified on hosts of one model - firmware components, packages, the
kernel - kept in the cloud as the host aggregate ``osfleet-patch-base-<model slug>``: its canonical JSON
(sorted keys, no spaces, ASCII) in 255-character chunks ``osfleet_patch_base_json_<n>``, and the JSON's
sha256 in ``osfleet_patch_base_sha256``. Saving one writes the sha256 into the audit log entry too
(``patching.baseline``), so a baseline changed outside a run is found twice over: its JSON no longer
matches its own sha256, or (rewritten with a matching sha256) no longer matches the sha256 the audit
log recorded. A host's current versions compare against it: what a rollback would change, and a refusal
naming what the host does not report (a rollback that cannot see a component cannot put it back).

The record keeps the baseline it replaced too, under ``osfleet_patch_prev_*`` (same layout): a wave that
verified a patch moves the last tested configuration on, and the one before stays what a rollback of that
wave goes back to (``rollback_target``). A rollback's own verified wave replaces the rejected configuration
and keeps no previous one, so a second rollback never rolls forward again; the rejected one stays in the
audit log, with its sha256. A kernel is no part of a baseline: it is rolled back as its package, and the
running kernel of each host is in the audit log's pre- and post-state.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
)

AGGREGATE_PREFIX = "osfleet-patch-base-"
K = "osfleet_patch_base_"
#: the baseline the current one replaced, same layout
PREV = "osfleet_patch_prev_"
B_MODEL, B_SHA, B_CHUNKS = K + "model", K + "sha256", K + "chunks"
B_RUN, B_WAVE, B_VERIFIED = K + "run", K + "wave", K + "verified_at"
CHUNK_KEY = K + "json_"
MAX_META = 255
KINDS = ("firmware", "packages", "kernel")
#: what a baseline keeps (the kernel is rolled back as its package)
BASELINE_KINDS = ("firmware", "packages")
AUDIT_ACTION = "patching.baseline"

Versions = Dict[str, Dict[str, str]]
Audit = Callable[[str, str, Any, Any, Optional[Dict[str, Any]]], None]


def model_slug(model: str) -> str:
    """A host model as a name part: letters, digits and '-' (at most 40), and 8 hex of its sha256, so
    ``PowerEdge R650`` and ``PowerEdge/R650`` never share a record."""
    readable = re.sub(r"[^A-Za-z0-9]+", "-", model).strip("-").lower()[:40] or "model"
    return "%s-%s" % (readable, hashlib.sha256(model.encode("utf-8")).hexdigest()[:8])


def normalize(versions: Dict[str, Any], field_name: str = "versions") -> Versions:
    """``{"firmware": {...}, "packages": {...}, "kernel": "6.1.0-28"}`` as kind -> component -> version
    (a kind given as one string is its own single component: ``kernel`` -> ``{"kernel": "6.1.0-28"}``)."""
    if not isinstance(versions, dict):
        raise ValidationError("%s: a mapping of %s, not %r" % (field_name, ", ".join(KINDS), type(versions).__name__),
                              field=field_name)
    out: Versions = {}
    for kind, value in versions.items():
        if kind not in KINDS:
            raise ValidationError("%s: %r is not one of %s" % (field_name, kind, ", ".join(KINDS)), field=field_name)
        if value is None:
            continue
        if isinstance(value, dict):
            out[kind] = {str(c): str(v) for c, v in value.items() if v is not None}
        else:
            out[kind] = {kind: str(value)}
    return out


def canonical_json(document: Dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


@dataclass(frozen=True)
class Baseline:
    """The versions ``wave`` of ``run`` verified on hosts of ``model``."""

    model: str
    versions: Versions
    run: str = ""
    wave: int = 0
    verified_at: str = ""
    aggregate_id: Optional[str] = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # one shape whatever the caller gave (``kernel: "6.1.0-28"``), so the sha256 is of one canonical form
        object.__setattr__(self, "versions", normalize(self.versions))

    def document(self) -> Dict[str, Any]:
        return {"model": self.model, "versions": self.versions, "run": self.run, "wave": self.wave,
                "verified_at": self.verified_at}

    def canonical(self) -> str:
        return canonical_json(self.document())

    def sha256(self) -> str:
        return hashlib.sha256(self.canonical().encode("ascii")).hexdigest()

    def versions_sha256(self) -> str:
        """The sha256 of the versions alone: the same configuration verified again by another wave or run has
        the same one (what a rollback run pins its target by)."""
        return hashlib.sha256(canonical_json(self.versions).encode("ascii")).hexdigest()

    def to_metadata(self, prefix: str = K) -> Dict[str, str]:
        text = self.canonical()
        chunks = [text[i:i + MAX_META] for i in range(0, len(text), MAX_META)]
        md = {prefix + "model": self.model[:MAX_META], prefix + "sha256": self.sha256(),
              prefix + "chunks": str(len(chunks)), prefix + "run": self.run, prefix + "wave": str(self.wave),
              prefix + "verified_at": self.verified_at}
        for number, chunk in enumerate(chunks):
            md["%sjson_%d" % (prefix, number)] = chunk
        return md

    @classmethod
    def from_metadata(cls, md: Dict[str, str], aggregate_id: Optional[str] = None,
                      expected_sha: Optional[str] = None, prefix: str = K) -> "Baseline":
        """The baseline a record holds (under ``prefix``: K the current one, PREV the one it replaced);
        ConflictError when it does not match its sha256 or ``expected_sha`` (the one the audit log recorded)."""
        if prefix != K:
            md = {K + key[len(prefix):]: value for key, value in md.items() if key.startswith(prefix)}
        model = md.get(B_MODEL) or "?"
        try:
            count = int(md.get(B_CHUNKS) or "")
        except ValueError:
            raise ConflictError("the baseline of model %s has no valid chunk count (%s); it was changed outside "
                                "a patch run" % (model, B_CHUNKS), resource=model)
        missing = ["%s%d" % (CHUNK_KEY, n) for n in range(count) if ("%s%d" % (CHUNK_KEY, n)) not in md]
        if missing:
            raise ConflictError("the baseline of model %s lacks %s; it was changed outside a patch run"
                                % (model, ", ".join(missing)), resource=model)
        text = "".join(md["%s%d" % (CHUNK_KEY, n)] for n in range(count))
        actual = hashlib.sha256(text.encode("utf-8")).hexdigest()
        recorded = md.get(B_SHA) or ""
        if actual != recorded:
            raise ConflictError("the baseline of model %s was changed outside a patch run: its content hashes to "
                                "sha256 %s, its record says %s" % (model, actual[:12], recorded[:12] or "(none)"),
                                resource=model, details={"sha256": actual, "recorded": recorded})
        if expected_sha and actual != expected_sha:
            raise ConflictError("the baseline of model %s is not the one the audit log recorded: sha256 %s, the "
                                "log says %s" % (model, actual[:12], expected_sha[:12]), resource=model,
                                details={"sha256": actual, "audited": expected_sha})
        try:
            doc = json.loads(text)
            return cls(model=str(doc["model"]), versions=doc["versions"], run=str(doc.get("run", "")),
                       wave=int(doc.get("wave", 0)), verified_at=str(doc.get("verified_at", "")),
                       aggregate_id=aggregate_id)
        except (ValueError, KeyError, TypeError, ValidationError):
            raise ConflictError("the baseline of model %s is not a valid document" % model, resource=model)


def audited_sha(entries: Iterable[Dict[str, Any]], model: str) -> Optional[str]:
    """The sha256 the last ``patching.baseline`` entry of the audit log recorded for ``model``."""
    found = None
    for entry in entries:
        if entry.get("action") == AUDIT_ACTION and entry.get("target") == model:
            found = (entry.get("details") or {}).get("sha256") or entry.get("after")
    return found


class BaselineStore:
    """Reads and writes baselines (``nova``: the access layer's Nova); ``audit`` is the module's audit hook
    (action, target, before, after, details), called for every baseline written, with its sha256."""

    def __init__(self, nova: Any, audit: Optional[Audit] = None, check_mode: bool = False) -> None:
        self.nova = nova
        self.audit = audit
        self.check_mode = check_mode

    def _record(self, model: str) -> Optional[Dict[str, Any]]:
        wanted = AGGREGATE_PREFIX + model_slug(model)
        for agg in self.nova.aggregates():
            if agg.name == wanted:
                return {"id": str(agg.id), "metadata": dict(agg.metadata or {})}
        return None

    def load(self, model: str, expected_sha: Optional[str] = None) -> Baseline:
        rec = self._record(model)
        if rec is None or not rec["metadata"].get(B_SHA):
            raise NotFoundError("no baseline for host model %s (no host aggregate %s%s)" % (
                model, AGGREGATE_PREFIX, model_slug(model)), field="model", resource=model)
        return Baseline.from_metadata(rec["metadata"], rec["id"], expected_sha)

    def load_both(self, model: str) -> Tuple[Optional[Baseline], Optional[Baseline]]:
        """The model's baseline and the one it replaced (each None when there is none)."""
        rec = self._record(model)
        md = rec["metadata"] if rec else {}
        current = Baseline.from_metadata(md, rec["id"]) if md.get(B_SHA) else None
        previous = Baseline.from_metadata(md, rec["id"], prefix=PREV) if md.get(PREV + "sha256") else None
        return current, previous

    def save(self, baseline: Baseline, keep_previous: bool = True) -> str:
        """Write ``baseline`` (replacing the model's last one, which is kept as the previous one unless
        ``keep_previous`` is false: a rollback's, whose replaced configuration was rejected); its sha256."""
        versions = baseline.versions
        if not versions:
            raise ValidationError("versions: a baseline needs at least one version", field="versions")
        rec = self._record(baseline.model)
        old = rec["metadata"] if rec else {}
        new = baseline.to_metadata()
        sha = new[B_SHA]
        if old.get(B_SHA) == sha:
            return sha
        replaced = Baseline.from_metadata(old) if old.get(B_SHA) else None
        if replaced is not None and replaced.versions == baseline.versions:
            # the same configuration verified again (a later wave): the one before it stays the previous
            new.update({key: value for key, value in old.items() if key.startswith(PREV)})
        elif keep_previous and replaced is not None:
            new.update({PREV + key[len(K):]: value for key, value in old.items() if key.startswith(K)})
        changed: Dict[str, Optional[str]] = {k: v for k, v in new.items() if old.get(k) != v}
        changed.update({k: None for k in old if k.startswith((K, PREV)) and k not in new})
        if not self.check_mode:
            agg_id = rec["id"] if rec else str(self.nova.create_aggregate(AGGREGATE_PREFIX +
                                                                          model_slug(baseline.model)).id)
            self.nova.set_aggregate_metadata(agg_id, changed)
            if self.audit is not None:
                self.audit(AUDIT_ACTION, baseline.model, old.get(B_SHA) or None, sha,
                           {"sha256": sha, "run": baseline.run, "wave": baseline.wave, "versions": versions,
                            "previous_sha256": new.get(PREV + "sha256")})
        return sha


@dataclass(frozen=True)
class Change:
    kind: str
    component: str
    current: str
    baseline: str

    @property
    def label(self) -> str:
        return self.kind if self.component == self.kind else "%s %s" % (self.kind, self.component)

    def to_dict(self) -> Dict[str, str]:
        return {"kind": self.kind, "component": self.component, "current": self.current, "baseline": self.baseline}


@dataclass(frozen=True)
class Comparison:
    """A host's versions against its model's baseline."""

    host: str
    model: str
    sha256: str
    #: what a rollback would change: (component, current version, baseline version)
    changes: Tuple[Change, ...]
    #: in the baseline but not reported by the host: a rollback cannot see them, so it refuses
    missing: Tuple[Tuple[str, str], ...]
    #: reported by the host but not in the baseline: a rollback leaves them as they are
    extra: Tuple[Tuple[str, str], ...]

    @property
    def matches(self) -> bool:
        return not self.changes and not self.missing

    def rollback(self) -> List[Change]:
        """What a rollback to the baseline would change; ConflictError naming what the host does not report."""
        if self.missing:
            names = ", ".join(kind if comp == kind else "%s %s" % (kind, comp) for kind, comp in self.missing)
            raise ConflictError("cannot roll %s back to the baseline of model %s: the host does not report %s"
                                % (self.host, self.model, names), resource=self.host,
                                details={"missing": [{"kind": k, "component": c} for k, c in self.missing]})
        return list(self.changes)

    def to_dict(self) -> Dict[str, Any]:
        return {"host": self.host, "model": self.model, "baseline_sha256": self.sha256, "matches": self.matches,
                "changes": [c.to_dict() for c in self.changes],
                "missing": [{"kind": k, "component": c} for k, c in self.missing],
                "extra": [{"kind": k, "component": c} for k, c in self.extra]}


def compare(baseline: Baseline, host: str, model: str, current: Dict[str, Any]) -> Comparison:
    """``host`` (of ``model``, reporting ``current`` versions) against ``baseline``."""
    if model != baseline.model:
        raise ConflictError("%s is a %s, the baseline is for %s" % (host, model or "host of unknown model",
                                                                    baseline.model), resource=host, field="model")
    have = normalize(current, "current")
    changes, missing, extra = [], [], []
    for kind in sorted(baseline.versions):
        for component, wanted in sorted(baseline.versions[kind].items()):
            got = have.get(kind, {}).get(component)
            if got is None:
                missing.append((kind, component))
            elif got != wanted:
                changes.append(Change(kind, component, got, wanted))
    for kind in sorted(have):
        for component in sorted(have[kind]):
            if component not in baseline.versions.get(kind, {}):
                extra.append((kind, component))
    return Comparison(host=host, model=model, sha256=baseline.sha256(), changes=tuple(changes),
                      missing=tuple(missing), extra=tuple(extra))


def baseline_versions(versions: Dict[str, Any]) -> Versions:
    """The part of a host's versions a baseline keeps (firmware and packages)."""
    return {kind: comps for kind, comps in normalize(versions).items() if kind in BASELINE_KINDS and comps}


def rollback_target(current: Optional[Baseline], previous: Optional[Baseline], host: str, model: str,
                    versions: Dict[str, Any], pinned: str = "") -> Tuple[Baseline, Comparison]:
    """What ``host`` rolls back to: the model's last tested configuration when the host does not run it (a
    patch that failed, or was never verified), else the one that configuration replaced (the patch a wave
    verified, now rejected). ``pinned``: the versions sha256 a rollback run chose for the model the first time
    (its later hosts, and a resumed host that is rolled back already, go to the same one). ConflictError
    naming the reason when there is nothing to roll back to, or the host does not report a component of it."""
    if pinned:
        chosen = [b for b in (current, previous) if b is not None and b.versions_sha256() == pinned]
        if not chosen:
            raise ConflictError("cannot roll %s back: the configuration this rollback run chose for model %s "
                                "(versions sha256 %s) is no longer a baseline of it" % (host, model, pinned[:12]),
                                resource=host)
        comparison = compare(chosen[0], host, model, baseline_versions(versions))
        comparison.rollback()
        return chosen[0], comparison
    if current is None:
        raise ConflictError("cannot roll %s back: host model %s has no baseline (no patch run recorded one)"
                            % (host, model), resource=host, field="model")
    have = baseline_versions(versions)
    first = compare(current, host, model, have)
    if not first.matches:
        first.rollback()
        return current, first
    if previous is None:
        raise ConflictError("cannot roll %s back: it runs the baseline of model %s (run %s, wave %d) and no "
                            "earlier one is kept (a rollback keeps none)"
                            % (host, model, current.run or "?", current.wave), resource=host)
    second = compare(previous, host, model, have)
    second.rollback()
    return previous, second
