# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""An append-only, hash-chained audit log (JSON lines).

Every state-changing module appends one entry per change it makes::

    {"seq": 7, "time": "2026-11-21T22:40:01.123456Z", "actor": "ops@bastion",
     "action": "compute_service.disable", "target": "nova-compute@compute-01",
     "before": {...}, "after": {...}, "details": {...},
     "prev": "<hash of entry 6>", "hash": "<sha256 of this entry without 'hash'>"}

Why a chain: an edited entry no longer matches its own ``hash`` and the next
entry's ``prev``; a removed entry breaks ``seq`` and ``prev``. Removing the
*last* entries leaves a valid chain, so the head (``seq`` and ``hash`` of the
last entry) is also written to ``<log>.head`` and returned by every module as
``audit``: the verifier compares the log with the head file, or with a head an
operator kept elsewhere (an AWX job log, a ticket), and reports truncation.
Someone able to rewrite the whole file and the head file can forge a log;
keeping the returned heads outside the machine is what closes that gap.
"""

from __future__ import annotations

import datetime
import getpass
import hashlib
import json
import os
import socket
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import AuditLogError

try:
    import fcntl

    HAS_FCNTL = True
except ImportError:  # pragma: no cover - not POSIX
    HAS_FCNTL = False

GENESIS = "0" * 64
ENV_PATH = "OSFLEET_AUDIT_LOG"
ENV_ACTOR = "OSFLEET_AUDIT_ACTOR"


def default_path() -> str:
    """``$OSFLEET_AUDIT_LOG``, else ``$XDG_STATE_HOME/osfleet/audit.jsonl``."""
    if os.environ.get(ENV_PATH):
        return os.environ[ENV_PATH]
    state_home = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(state_home, "osfleet", "audit.jsonl")


def default_actor() -> str:
    if os.environ.get(ENV_ACTOR):
        return os.environ[ENV_ACTOR]
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry in some containers
        user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return "%s@%s" % (user, socket.gethostname())


def canonical(entry: Dict[str, Any]) -> bytes:
    """The bytes an entry's hash is computed over: sorted keys, no spaces, without ``hash``."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")


def entry_hash(entry: Dict[str, Any]) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def _utcnow() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Head:
    seq: int
    hash: str

    def to_dict(self) -> Dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash}


@dataclass
class Verification:
    path: str
    entries: int = 0
    head: Optional[Head] = None
    errors: List[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> Dict[str, Any]:
        return {"path": self.path, "ok": self.ok, "entries": self.entries,
                "head": self.head.to_dict() if self.head else None, "errors": list(self.errors)}


class AuditLog:
    """Append entries to, and verify, one audit log file."""

    def __init__(self, path: Optional[str] = None, actor: Optional[str] = None) -> None:
        self.path = os.path.abspath(os.path.expanduser(path or default_path()))
        self.actor = actor or default_actor()
        self.head_path = self.path + ".head"

    # -- writing -----------------------------------------------------------
    def append(self, action: str, target: str, before: Any = None, after: Any = None,
               details: Optional[Dict[str, Any]] = None, actor: Optional[str] = None) -> Dict[str, Any]:
        """Append one entry under an exclusive lock and return it."""
        if not action or not target:
            raise AuditLogError("an audit entry needs an action and a target", field="action" if not action else "target")
        directory = os.path.dirname(self.path)
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError as exc:
            raise AuditLogError("cannot open audit log %s: %s" % (self.path, exc.strerror), field="audit_log")
        with os.fdopen(fd, "r+b") as fh:
            if HAS_FCNTL:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                last = self._last_entry(fh)
                entry = {
                    "seq": (last["seq"] + 1) if last else 1,
                    "time": _utcnow(),
                    "actor": actor or self.actor,
                    "action": action,
                    "target": target,
                    "before": before,
                    "after": after,
                    "prev": last["hash"] if last else GENESIS,
                }
                if details:
                    entry["details"] = details
                entry["hash"] = entry_hash(entry)
                line = json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str) + "\n"
                fh.seek(0, os.SEEK_END)
                fh.write(line.encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
                self._write_head(Head(entry["seq"], entry["hash"]))
            finally:
                if HAS_FCNTL:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        return entry

    def _last_entry(self, fh) -> Optional[Dict[str, Any]]:
        """The last complete entry; reads only the file's tail."""
        size = fh.seek(0, os.SEEK_END)
        if size == 0:
            return None
        chunk = 65536
        data = b""
        pos = size
        while pos > 0:
            step = min(chunk, pos)
            pos -= step
            fh.seek(pos)
            data = fh.read(step) + data
            if data.rstrip(b"\n").count(b"\n") >= 1 or pos == 0:
                break
        if not data.endswith(b"\n"):
            raise AuditLogError("audit log %s ends in a partial entry (truncated?); verify it before writing"
                                % self.path, field="audit_log")
        line = data.rstrip(b"\n").rsplit(b"\n", 1)[-1]
        try:
            entry = json.loads(line)
            return {"seq": int(entry["seq"]), "hash": str(entry["hash"])}
        except (ValueError, KeyError, TypeError):
            raise AuditLogError("the last entry of audit log %s is not valid; verify it before writing" % self.path,
                                field="audit_log")

    def _write_head(self, head: Head) -> None:
        tmp = self.head_path + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(head.to_dict(), fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.head_path)

    def head(self) -> Optional[Head]:
        try:
            with open(self.head_path) as fh:
                data = json.load(fh)
            return Head(int(data["seq"]), str(data["hash"]))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):
            raise AuditLogError("audit log head %s is not valid" % self.head_path, field="audit_log")

    # -- reading -----------------------------------------------------------
    def entries(self) -> List[Dict[str, Any]]:
        """All entries, parsed; raises AuditLogError on an unreadable line."""
        out = []
        try:
            with open(self.path, "rb") as fh:
                for number, raw in enumerate(fh, 1):
                    try:
                        out.append(json.loads(raw))
                    except ValueError:
                        raise AuditLogError("line %d of %s is not JSON" % (number, self.path), field="audit_log")
        except FileNotFoundError:
            return []
        return out

    def verify(self, expected_head: Optional[Dict[str, Any]] = None) -> Verification:
        """Check every entry's hash, the chain, the sequence and the head.

        ``expected_head`` is a head kept elsewhere (``{"seq": .., "hash": ..}``);
        without it the head file beside the log is used.
        """
        result = Verification(path=self.path)
        prev = GENESIS
        last: Optional[Head] = None
        try:
            fh = open(self.path, "rb")
        except FileNotFoundError:
            fh = None
        if fh is not None:
            with fh:
                data = fh.read()
            if data and not data.endswith(b"\n"):
                result.errors.append("the log ends in a partial entry: it was truncated or is being written")
            for number, raw in enumerate(data.splitlines(), 1):
                try:
                    entry = json.loads(raw)
                    seq, recorded = int(entry["seq"]), entry["hash"]
                except (ValueError, KeyError, TypeError):
                    result.errors.append("line %d: not a valid entry" % number)
                    prev = None
                    continue
                if seq != number:
                    result.errors.append("line %d: sequence %d, expected %d (entries removed or reordered)"
                                         % (number, seq, number))
                if entry_hash(entry) != recorded:
                    result.errors.append("line %d (seq %d): content does not match its hash (entry altered)"
                                         % (number, seq))
                if prev is not None and entry.get("prev") != prev:
                    result.errors.append("line %d (seq %d): previous-entry hash does not match line %d"
                                         % (number, seq, number - 1))
                prev = recorded
                last = Head(seq, recorded)
                result.entries += 1
        result.head = last
        expected = Head(int(expected_head["seq"]), str(expected_head["hash"])) if expected_head else self.head()
        if expected is None:
            if last is not None:
                result.errors.append("no head recorded for a non-empty log (%s missing)" % self.head_path)
        elif last is None or (last.seq, last.hash) != (expected.seq, expected.hash):
            if last is not None and last.seq < expected.seq:
                result.errors.append("log ends at seq %d but the head records seq %d: entries were removed "
                                     "from the end (truncated)" % (last.seq, expected.seq))
            elif last is None:
                result.errors.append("log is empty or missing but the head records seq %d" % expected.seq)
            else:
                result.errors.append("last entry (seq %d) does not match the head (seq %d)" % (last.seq, expected.seq))
        return result
