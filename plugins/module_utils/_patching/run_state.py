# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Where a patch run stands, kept in the cloud: the host aggregate ``osfleet-patch-<run>``.

Like a maintenance window (_maintenance/record.py), there is no database of ours: the aggregate's
metadata is the run. ``osfleet_patch_*`` keys hold the settings (batch, canary, max_per_zone,
max_failures and the budget they gave), the run's state and why it stopped; one key per host,
``osfleet_patch_h_<host>`` = ``<wave>|<zone>|<model>|<status>``, holds the targets, the waves and where
each host stands (``pending``, ``in_flight:<step>``, ``done``, ``failed:<reason>``,
``skipped:<reason>``); one key per host model, ``osfleet_patch_base_<model slug>`` = ``<sha256>|<model>``,
the baseline the run started from. Every key and value stays within Nova's 255 characters, keys within
the characters Nova takes in a metadata key (letters, digits, ``_ - . :`` and space).

The hosts are *not* added to the aggregate: that would be one API call per host, and membership is what
Nova's scheduler filters read; the host lines are enough for ``openstack aggregate show`` to tell the run.

A run killed anywhere is resumed by reading the aggregate again: :meth:`RunState.next_hosts` never
returns a ``done`` host, and returns an ``in_flight`` host with the step it was in, to continue there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.timeutil import format_time
from ansible_collections.osfleet.day2.plugins.module_utils._patching.baseline import model_slug
from ansible_collections.osfleet.day2.plugins.module_utils._patching.waves import Plan, natural_key

AGGREGATE_PREFIX = "osfleet-patch-"
K = "osfleet_patch_"
HOST_KEY = K + "h_"
BASE_KEY = K + "base_"
MAX_META = 255
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$")
#: the characters Nova accepts in an aggregate metadata key
KEY_RE = re.compile(r"^[A-Za-z0-9_.: -]{1,255}$")
STEP_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
MAX_ZONE = 64
MAX_MODEL = 80

# a host's status
PENDING, IN_FLIGHT, DONE, FAILED, SKIPPED = "pending", "in_flight", "done", "failed", "skipped"
HOST_STATUSES = (PENDING, IN_FLIGHT, DONE, FAILED, SKIPPED)
# the run's state
PLANNED, RUNNING, STOPPED, COMPLETE = "planned", "running", "stopped", "complete"
RUN_STATES = (PLANNED, RUNNING, STOPPED, COMPLETE)

R_NAME, R_STATE, R_STOP = K + "run", K + "state", K + "stop_reason"
R_BATCH, R_CANARY, R_ZONE_CAP = K + "batch", K + "canary", K + "max_per_zone"
R_MAX_FAILURES, R_BUDGET, R_SELECTED = K + "max_failures", K + "budget", K + "selected"
R_CREATED, R_UPDATED = K + "created_at", K + "updated_at"
#: what a resumed run must be started with again: changing them mid-run would re-plan the waves
SETTINGS = ("batch", "canary", "max_per_zone", "max_failures")


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def aggregate_name(run: str) -> str:
    return AGGREGATE_PREFIX + run


@dataclass(frozen=True)
class HostState:
    """One host of the run: its wave (None: skipped, in no wave), zone, model and status."""

    host: str
    wave: Optional[int]
    zone: str = ""
    model: str = ""
    status: str = PENDING
    #: the step of an ``in_flight`` host, the reason of a ``failed`` or ``skipped`` one
    detail: str = ""

    @property
    def label(self) -> str:
        return "%s:%s" % (self.status, self.detail) if self.detail else self.status

    def encode(self) -> str:
        wave = "" if self.wave is None else str(self.wave)
        return "|".join([wave, self.zone, self.model, self.label])[:MAX_META]

    @classmethod
    def decode(cls, host: str, value: str) -> "HostState":
        parts = (value.split("|", 3) + ["", "", "", ""])[:4]
        status, _sep, detail = parts[3].partition(":")
        if status not in HOST_STATUSES:
            status, detail = PENDING, ""
        try:
            wave: Optional[int] = int(parts[0]) if parts[0] != "" else None
        except ValueError:
            wave = None
        return cls(host=host, wave=wave, zone=parts[1], model=parts[2], status=status, detail=detail)

    def to_dict(self) -> Dict[str, Any]:
        return {"host": self.host, "wave": self.wave, "zone": self.zone, "model": self.model,
                "status": self.status, "detail": self.detail}


@dataclass(frozen=True)
class RunState:
    """A patch run: its settings, each host's state and the baselines it started from."""

    name: str
    batch: str = "1"
    canary: int = 1
    max_per_zone: str = ""
    max_failures: str = "0"
    budget: int = 0
    selected: int = 0
    state: str = PLANNED
    stop_reason: str = ""
    created_at: str = ""
    updated_at: str = ""
    hosts: Dict[str, HostState] = field(default_factory=dict)
    #: host model -> sha256 of the baseline the run started from
    baselines: Dict[str, str] = field(default_factory=dict)
    aggregate_id: Optional[str] = None

    @classmethod
    def from_plan(cls, name: str, plan: Plan, batch: Any, max_failures: Any, budget: int,
                  max_per_zone: Any = None, baselines: Optional[Dict[str, str]] = None,
                  at: Optional[datetime] = None) -> "RunState":
        hosts = {}
        for host, target in plan.targets.items():
            wave = plan.wave_of(host)
            if wave is None:
                hosts[host] = HostState(host, None, target.zone, target.model, SKIPPED,
                                        target.reason or "not eligible")
            else:
                hosts[host] = HostState(host, wave, target.zone, target.model)
        stamp = format_time(at or now_utc())
        run = cls(name=name, batch=str(batch), canary=len(plan.canaries),
                  max_per_zone="" if max_per_zone is None else str(max_per_zone), max_failures=str(max_failures),
                  budget=budget, selected=plan.selected, hosts=hosts, baselines=dict(baselines or {}),
                  created_at=stamp, updated_at=stamp)
        run.validate()
        return run

    def validate(self) -> None:
        if not NAME_RE.match(self.name or ""):
            raise ValidationError("run %r: use 1-60 letters, digits, '.', '_' or '-', starting with a letter or "
                                  "digit" % (self.name,), field="run")
        for host, rec in self.hosts.items():
            if not KEY_RE.match(HOST_KEY + host):
                raise ValidationError("hosts: %r cannot name a Nova metadata key (letters, digits, _ - . : and "
                                      "space; at most %d characters)" % (host, MAX_META - len(HOST_KEY)),
                                      field="hosts")
            if len(rec.zone) > MAX_ZONE:
                raise ValidationError("hosts: %s's zone is longer than %d characters" % (host, MAX_ZONE),
                                      field="hosts")
            if "|" in rec.zone + rec.model:
                raise ValidationError("hosts: %s's zone or model has a '|', which separates the fields of its line"
                                      % host, field="hosts")
            if len(rec.model) > MAX_MODEL:
                raise ValidationError("hosts: %s's model %r is longer than %d characters" % (
                    host, rec.model, MAX_MODEL), field="hosts")

    # -- the aggregate's metadata ----------------------------------------------------------------------
    def to_metadata(self) -> Dict[str, str]:
        md = {R_NAME: self.name, R_STATE: self.state, R_STOP: self.stop_reason[:MAX_META],
              R_BATCH: self.batch, R_CANARY: str(self.canary), R_ZONE_CAP: self.max_per_zone,
              R_MAX_FAILURES: self.max_failures, R_BUDGET: str(self.budget), R_SELECTED: str(self.selected),
              R_CREATED: self.created_at, R_UPDATED: self.updated_at}
        for host, rec in self.hosts.items():
            md[HOST_KEY + host] = rec.encode()
        for model, sha in self.baselines.items():
            md[BASE_KEY + model_slug(model)] = ("%s|%s" % (sha, model))[:MAX_META]
        return md

    @classmethod
    def from_aggregate(cls, agg: Dict[str, Any]) -> "RunState":
        md = agg.get("metadata") or {}
        hosts = {}
        baselines = {}
        for key, value in md.items():
            if key.startswith(HOST_KEY):
                host = key[len(HOST_KEY):]
                hosts[host] = HostState.decode(host, value or "")
            elif key.startswith(BASE_KEY):
                sha, _sep, model = (value or "").partition("|")
                baselines[model] = sha
        name = md.get(R_NAME) or str(agg.get("name", ""))[len(AGGREGATE_PREFIX):]
        state = md.get(R_STATE) if md.get(R_STATE) in RUN_STATES else PLANNED
        return cls(name=name, batch=md.get(R_BATCH) or "1", canary=_int(md.get(R_CANARY), 1),
                   max_per_zone=md.get(R_ZONE_CAP) or "", max_failures=md.get(R_MAX_FAILURES) or "0",
                   budget=_int(md.get(R_BUDGET), 0), selected=_int(md.get(R_SELECTED), len(hosts)), state=state,
                   stop_reason=md.get(R_STOP) or "", created_at=md.get(R_CREATED) or "",
                   updated_at=md.get(R_UPDATED) or "", hosts=hosts, baselines=baselines,
                   aggregate_id=str(agg["id"]) if agg.get("id") is not None else None)

    def settings(self) -> Dict[str, str]:
        return {"batch": self.batch, "canary": str(self.canary), "max_per_zone": self.max_per_zone,
                "max_failures": self.max_failures}

    # -- reading where the run stands ------------------------------------------------------------------
    def waves(self) -> Dict[int, List[str]]:
        out: Dict[int, List[str]] = {}
        for rec in self.hosts.values():
            if rec.wave is not None:
                out.setdefault(rec.wave, []).append(rec.host)
        return {number: sorted(hosts, key=natural_key) for number, hosts in sorted(out.items())}

    def with_status(self, status: str) -> List[str]:
        return sorted((h for h, rec in self.hosts.items() if rec.status == status), key=natural_key)

    def current_wave(self) -> Optional[int]:
        """The first wave with a host still to do (pending or in flight); None when every wave is through."""
        for number, hosts in self.waves().items():
            if any(self.hosts[h].status in (PENDING, IN_FLIGHT) for h in hosts):
                return number
        return None

    def next_hosts(self) -> List[Tuple[str, Optional[str]]]:
        """``(host, step)`` of the current wave still to do: in-flight hosts first with the step to continue
        from, then the pending ones (step None). A ``done`` host is never among them."""
        number = self.current_wave()
        if number is None:
            return []
        hosts = self.waves()[number]
        flying = [(h, self.hosts[h].detail or None) for h in hosts if self.hosts[h].status == IN_FLIGHT]
        return flying + [(h, None) for h in hosts if self.hosts[h].status == PENDING]

    def progress(self) -> Dict[str, int]:
        counts: Dict[str, int] = {}
        for rec in self.hosts.values():
            counts[rec.status] = counts.get(rec.status, 0) + 1
        return counts

    # -- changing it ---------------------------------------------------------------------------------
    def mark(self, host: str, status: str, detail: str = "") -> "RunState":
        """A copy with ``host`` at ``status`` (``detail``: the step in flight, or the reason)."""
        rec = self.hosts.get(host)
        if rec is None:
            raise NotFoundError("host %s is not in patch run %s" % (host, self.name), field="host", resource=host)
        if status not in HOST_STATUSES:
            raise ValidationError("status must be one of %s, not %r" % (", ".join(HOST_STATUSES), status),
                                  field="status")
        if rec.status == DONE and status != DONE:
            raise ConflictError("host %s is done in patch run %s; a done host is never patched again"
                                % (host, self.name), field="host", resource=host)
        if status == IN_FLIGHT and not STEP_RE.match(detail or ""):
            raise ValidationError("step %r: use 1-40 lower-case letters, digits, '_', '.' or '-'" % (detail,),
                                  field="step")
        if status in (FAILED, SKIPPED) and not detail:
            raise ValidationError("a %s host needs a reason" % status, field="reason")
        if status in (PENDING, DONE):
            detail = ""
        hosts = dict(self.hosts)
        hosts[host] = replace(rec, status=status, detail=detail.replace("\n", " "))
        return replace(self, hosts=hosts)

    def with_state(self, state: str, stop_reason: str = "") -> "RunState":
        if state not in RUN_STATES:
            raise ValidationError("state must be one of %s, not %r" % (", ".join(RUN_STATES), state), field="state")
        return replace(self, state=state, stop_reason=stop_reason)

    def to_dict(self) -> Dict[str, Any]:
        return {"run": self.name, "state": self.state, "stop_reason": self.stop_reason,
                "settings": self.settings(), "budget": self.budget, "selected": self.selected,
                "waves": [{"wave": n, "hosts": hosts} for n, hosts in self.waves().items()],
                "hosts": [self.hosts[h].to_dict() for h in sorted(self.hosts, key=natural_key)],
                "progress": self.progress(), "baselines": dict(self.baselines),
                "created_at": self.created_at, "updated_at": self.updated_at}


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def check_same_settings(found: RunState, wanted: RunState) -> None:
    """ConflictError naming the first setting in which ``wanted`` differs from the recorded run ``found``: other
    settings would plan other waves under hosts already patched."""
    differ = [k for k in SETTINGS if found.settings()[k] != wanted.settings()[k]]
    if differ:
        raise ConflictError("patch run %s was started with %s; resume it with the same settings or start a new run"
                            % (found.name, ", ".join("%s=%s" % (k, found.settings()[k] or "(none)") for k in differ)),
                            field=differ[0], resource=aggregate_name(found.name))


class RunStore:
    """Reads and writes patch runs as host aggregates (``nova``: the access layer's Nova, ``cloud.nova``).

    A save writes only the keys changed since the run was last read or written, in one call; check mode
    writes nothing and says what it would write in ``writes``.
    """

    def __init__(self, nova: Any, check_mode: bool = False,
                 clock: Callable[[], datetime] = now_utc) -> None:
        self.nova = nova
        self.check_mode = check_mode
        self.clock = clock
        self.writes: List[Dict[str, Any]] = []
        self._stored: Dict[str, Dict[str, str]] = {}

    def find(self, run: str) -> Optional[RunState]:
        wanted = aggregate_name(run)
        for agg in self.nova.aggregates():
            if agg.name == wanted:
                state = RunState.from_aggregate({"id": agg.id, "name": agg.name,
                                                 "metadata": dict(agg.metadata or {})})
                self._stored[run] = state.to_metadata()
                return state
        return None

    def load(self, run: str) -> RunState:
        state = self.find(run)
        if state is None:
            raise NotFoundError("no patch run %r (no host aggregate %s)" % (run, aggregate_name(run)), field="run",
                                resource=aggregate_name(run))
        return state

    def start(self, planned: RunState) -> Tuple[RunState, bool]:
        """The run as recorded, resumed (``False``), or ``planned`` recorded as a new run (``True``).

        A resumed run must be given the settings it was started with: other settings would plan other
        waves under hosts already patched.
        """
        found = self.find(planned.name)
        if found is not None:
            check_same_settings(found, planned)
            return found, False
        return self.save(planned), True

    def save(self, state: RunState) -> RunState:
        """Write what changed of ``state`` (creating its aggregate the first time)."""
        state.validate()
        old = self._stored.get(state.name, {}) if state.aggregate_id else {}
        new = state.to_metadata()
        changed: Dict[str, Optional[str]] = {k: v for k, v in new.items() if old.get(k) != v and k != R_UPDATED}
        changed.update({k: None for k in old if k not in new})
        if not changed and state.aggregate_id:
            return state
        state = replace(state, updated_at=format_time(self.clock()))
        new[R_UPDATED] = state.updated_at
        changed[R_UPDATED] = state.updated_at
        self.writes.append({"run": state.name, "keys": sorted(changed)})
        if self.check_mode:
            return state
        if state.aggregate_id is None:
            agg = self.nova.create_aggregate(aggregate_name(state.name))
            state = replace(state, aggregate_id=str(agg.id))
            changed = dict(new)
        self.nova.set_aggregate_metadata(state.aggregate_id, changed)
        self._stored[state.name] = new
        return state
