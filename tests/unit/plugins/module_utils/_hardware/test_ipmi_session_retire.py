# -*- coding: utf-8 -*-
"""A logged-out pyghmi session leaves pyghmi's caches: the next Command for the same BMC in the same process (the
exporter's next refresh) must log in afresh, not pick up a half-logged-in session (seen on the lab: TypeError
comparing the time with logoutexpiry None on the second open of an IPMI BMC)."""
from __future__ import annotations

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.ipmi.client import _retire


class FakeSession:
    initting_sessions = {}

    def __init__(self):
        self.broken = False

    def _mark_broken(self):
        self.broken = True


def test_a_retired_session_is_no_longer_cached_under_any_key():
    mine, other = FakeSession(), FakeSession()
    FakeSession.initting_sessions.clear()
    FakeSession.initting_sessions.update({("127.0.0.1", "admin", "pw", 18403, None): mine,
                                          ("127.0.0.1", "admin", "pw", 18404, None): other})
    _retire(mine)
    assert list(FakeSession.initting_sessions.values()) == [other] and mine.broken and not other.broken


def test_a_session_without_pyghmi_internals_is_left_alone():
    class Bare:
        pass
    _retire(Bare())  # nothing to drop, no error
