# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The patch lock: one run at a time patches a scope (by default the whole region), with an owner and a TTL.

The lock is a host aggregate of its own, ``osfleet-patch-lock-<scope>``, and holding it is that
aggregate existing: Nova keeps aggregate names unique, so of two runs creating it at once one gets
HTTP 409, which is the compare-and-set that aggregate metadata alone does not have. Its metadata says who
holds it (``osfleet_patch_lock_run``, ``_owner``, ``_taken_at``, ``_expires_at``); a run renews it before
the TTL runs out and deletes the aggregate when it releases. A lock whose TTL passed is *stale* (its run
died, or hangs): it is reported and taken over only when the caller says ``take_over=True``; the take-over
rewrites the metadata and reads it back (two take-overs at once: the later write wins, and the reader of
the earlier one finds it is not the holder). An aggregate without an owner (its taker died between
creating it and writing the owner) is stale from the start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import (
    CloudError,
    ConflictError,
    NotFoundError,
    ValidationError,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.timeutil import format_time, parse_time_or_none

AGGREGATE_PREFIX = "osfleet-patch-lock-"
K = "osfleet_patch_lock_"
L_RUN, L_OWNER, L_TAKEN, L_EXPIRES = K + "run", K + "owner", K + "taken_at", K + "expires_at"
MAX_META = 255
MAX_TTL = timedelta(hours=24)


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


@dataclass(frozen=True)
class LockInfo:
    """Who holds the lock (``run`` by ``owner``) until ``expires_at``."""

    scope: str
    run: str
    owner: str
    taken_at: Optional[datetime]
    expires_at: Optional[datetime]
    aggregate_id: Optional[str] = None

    def stale(self, at: datetime) -> bool:
        return self.expires_at is None or at >= self.expires_at

    def held_by(self, run: str, owner: str) -> bool:
        return self.run == run and self.owner == owner

    def words(self, at: datetime) -> str:
        who = "run %s of %s" % (self.run or "?", self.owner or "?") if self.owner else "nobody (no owner recorded)"
        if self.expires_at is None:
            return "%s, no expiry" % who
        left = int((self.expires_at - at).total_seconds())
        when = "expires %s (in %s)" % (format_time(self.expires_at), _span(left)) if left > 0 else \
            "expired %s (%s ago)" % (format_time(self.expires_at), _span(-left))
        return "%s, %s" % (who, when)

    def to_dict(self) -> Dict[str, Any]:
        return {"scope": self.scope, "run": self.run, "owner": self.owner, "taken_at": format_time(self.taken_at),
                "expires_at": format_time(self.expires_at)}


def _span(seconds: int) -> str:
    if seconds < 120:
        return "%d s" % seconds
    if seconds < 7200:
        return "%d min" % (seconds // 60)
    return "%.1f h" % (seconds / 3600.0)


class RunLock:
    """The lock of ``scope`` over the access layer's Nova; ``clock`` gives the time (tests pass their own)."""

    def __init__(self, nova: Any, scope: str = "fleet", clock: Callable[[], datetime] = now_utc,
                 check_mode: bool = False) -> None:
        if not scope or len(scope) > 60:
            raise ValidationError("lock scope must be 1-60 characters", field="scope")
        self.nova = nova
        self.scope = scope
        self.clock = clock
        self.check_mode = check_mode

    @property
    def name(self) -> str:
        return AGGREGATE_PREFIX + self.scope

    def holder(self) -> Optional[LockInfo]:
        """Who holds the lock now (None: nobody)."""
        for agg in self.nova.aggregates():
            if agg.name == self.name:
                md = dict(agg.metadata or {})
                return LockInfo(self.scope, md.get(L_RUN, ""), md.get(L_OWNER, ""),
                                parse_time_or_none(md.get(L_TAKEN)), parse_time_or_none(md.get(L_EXPIRES)),
                                str(agg.id))
        return None

    def take(self, run: str, owner: str, ttl: timedelta, take_over: bool = False) -> LockInfo:
        """Take the lock for ``run`` by ``owner`` for ``ttl``; ConflictError naming the holder and its expiry
        when another run holds it, or when it is stale and ``take_over`` is not set."""
        self._check(run, owner, ttl)
        at = self.clock()
        current = self.holder()
        if current is None:
            if self.check_mode:
                return self._info(run, owner, at, ttl, None)
            try:
                agg = self.nova.create_aggregate(self.name)
            except (CloudError, ConflictError) as exc:
                if getattr(exc, "status_code", 409) != 409:
                    raise
                current = self.holder()  # another run created it between our look and our create
                if current is None:
                    raise
            else:
                return self._write(run, owner, at, ttl, str(agg.id))
        if current.held_by(run, owner) and not current.stale(at):
            return self.renew(run, owner, ttl)
        if not current.stale(at):
            raise ConflictError("the patch lock %s is held by %s; wait for it or release it" % (
                self.scope, current.words(at)), field="lock", resource=self.name, details=current.to_dict())
        if not take_over:
            raise ConflictError("the patch lock %s is stale: %s; take it over with take_over=True once that run "
                                "is known to be gone" % (self.scope, current.words(at)), field="take_over",
                                resource=self.name, details=current.to_dict())
        if self.check_mode:
            return self._info(run, owner, at, ttl, current.aggregate_id)
        taken = self._write(run, owner, at, ttl, str(current.aggregate_id))
        return taken

    def renew(self, run: str, owner: str, ttl: timedelta) -> LockInfo:
        """Extend the lock ``run`` holds to ``ttl`` from now; ConflictError when it does not hold it (any more)."""
        self._check(run, owner, ttl)
        at = self.clock()
        current = self.holder()
        if current is None:
            raise ConflictError("run %s cannot renew the patch lock %s: nobody holds it (released or never "
                                "taken)" % (run, self.scope), field="lock", resource=self.name)
        if not current.held_by(run, owner):
            raise ConflictError("run %s of %s cannot renew the patch lock %s: it is held by %s" % (
                run, owner, self.scope, current.words(at)), field="lock", resource=self.name,
                details=current.to_dict())
        if self.check_mode:
            return self._info(run, owner, current.taken_at or at, ttl, current.aggregate_id, at)
        return self._write(run, owner, current.taken_at or at, ttl, str(current.aggregate_id), at)

    def release(self, run: str, owner: str) -> bool:
        """Release the lock ``run`` holds (even stale: nobody took it over); False when nobody held it.
        ConflictError when another run holds it."""
        current = self.holder()
        if current is None:
            return False
        if not current.held_by(run, owner):
            raise ConflictError("run %s of %s cannot release the patch lock %s: it is held by %s" % (
                run, owner, self.scope, current.words(self.clock())), field="lock", resource=self.name,
                details=current.to_dict())
        if not self.check_mode:
            try:
                self.nova.delete_aggregate(str(current.aggregate_id))
            except NotFoundError:
                return False
        return True

    # -- helpers ----------------------------------------------------------------------------------
    def _check(self, run: str, owner: str, ttl: timedelta) -> None:
        if not run:
            raise ValidationError("the lock needs the run's name", field="run")
        if not owner or len(owner) > MAX_META:
            raise ValidationError("the lock needs an owner of at most %d characters" % MAX_META, field="owner")
        if not timedelta(seconds=60) <= ttl <= MAX_TTL:
            raise ValidationError("lock_ttl must be between 60 s and 24 h, not %d s" % ttl.total_seconds(),
                                  field="lock_ttl")

    def _info(self, run: str, owner: str, taken: datetime, ttl: timedelta, agg_id: Optional[str],
              renewed: Optional[datetime] = None) -> LockInfo:
        return LockInfo(self.scope, run, owner, taken, (renewed or taken) + ttl, agg_id)

    def _write(self, run: str, owner: str, taken: datetime, ttl: timedelta, agg_id: str,
               renewed: Optional[datetime] = None) -> LockInfo:
        info = self._info(run, owner, taken, ttl, agg_id, renewed)
        self.nova.set_aggregate_metadata(agg_id, {L_RUN: run[:MAX_META], L_OWNER: owner,
                                                  L_TAKEN: format_time(info.taken_at),
                                                  L_EXPIRES: format_time(info.expires_at)})
        back = self.holder()
        if back is None or not back.held_by(run, owner):
            raise ConflictError("the patch lock %s was taken by %s at the same time" % (
                self.scope, back.words(self.clock()) if back else "nobody (it was released)"), field="lock",
                resource=self.name)
        return back
