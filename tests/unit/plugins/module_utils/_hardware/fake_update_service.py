# -*- coding: utf-8 -*-
"""An UpdateService for FakeRedfish (conftest.py): SimpleUpdate starts a task that ends after a few polls
and then changes the inventory the way the lab's emulator does (the replaced image kept as <Id>-Previous).
Independent of the collection's code: what it parses, it parses itself."""
from __future__ import annotations

import re

FW = "/redfish/v1/UpdateService/FirmwareInventory"
ACTION = "/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate"
TASKS = "/redfish/v1/TaskService/Tasks"


class FakeUpdateService:
    """``outcome``: ok, fail (Exception/Critical at the end) or hang (Running for ever); ``polls``: the GETs
    a task takes to end; ``retry_after``: the header a running task is answered with (None: none)."""

    def __init__(self, fake, outcome="ok", polls=2, retry_after="0", post_status=202):
        self.fake = fake
        self.outcome = outcome
        self.polls = polls
        self.retry_after = retry_after
        self.post_status = post_status
        self.posted = []
        self.tasks = {}
        fake.handlers[("POST", ACTION)] = self.simple_update

    def version(self, ident):
        doc = self.fake.docs.get("%s/%s" % (FW, ident))
        return doc["Version"] if doc else None

    def simple_update(self, body):
        self.posted.append(body)
        uri = body.get("ImageURI", "")
        if uri.startswith(FW + "/") and uri.endswith("-Previous"):
            ident = uri.rsplit("/", 1)[-1][:-len("-Previous")]
            version = self.version(ident + "-Previous")
        else:
            m = re.match(r"^([a-z]+)-(.+)\.bin$", uri.rsplit("/", 1)[-1])
            ident, version = (m.group(1).upper(), m.group(2)) if m else (None, None)
        tid = str(len(self.tasks) + 1)
        path = "%s/%s" % (TASKS, tid)
        self.tasks[tid] = {"ident": ident, "version": version, "polls": 0, "uri": uri}
        self.fake.handlers[("GET", path)] = lambda _body, tid=tid: self.task(tid)
        return self.post_status, self._doc(tid, "New", "OK", 0, []), [("Location", path)] + self._retry()

    def _retry(self):
        return [("Retry-After", self.retry_after)] if self.retry_after is not None else []

    def _doc(self, tid, state, status, percent, messages):
        return {"@odata.id": "%s/%s" % (TASKS, tid), "Id": tid, "TaskState": state, "TaskStatus": status,
                "PercentComplete": percent, "Messages": [{"MessageId": "Lab.1.0.X", "Message": m} for m in messages]}

    def task(self, tid):
        t = self.tasks[tid]
        t["polls"] += 1
        if self.outcome == "hang" or t["polls"] < self.polls:
            return 200, self._doc(tid, "Running", "OK", 50, ["applying %s" % t["uri"]]), self._retry()
        if self.outcome == "fail" or t["version"] is None:
            return 200, self._doc(tid, "Exception", "Critical", 100,
                                  ["applying %s" % t["uri"], "flash write failed on %s" % t["uri"]]), []
        if not t.get("done"):
            self._apply(t["ident"], t["version"])
            t["done"] = True
        return 200, self._doc(tid, "Completed", "OK", 100, ["%s updated to %s" % (t["ident"], t["version"])]), []

    def _apply(self, ident, version):
        docs = self.fake.docs
        current = docs["%s/%s" % (FW, ident)]
        prev_path = "%s/%s-Previous" % (FW, ident)
        docs[prev_path] = dict(current, **{"@odata.id": prev_path, "Id": ident + "-Previous", "Updateable": False,
                                           "Name": current["Name"] + " (previous)",
                                           "Status": {"State": "StandbyOffline", "Health": "OK"}})
        current["Version"] = version
        members = docs[FW]["Members"]
        if {"@odata.id": prev_path} not in members:
            members.append({"@odata.id": prev_path})
        docs[FW]["Members@odata.count"] = len(members)
