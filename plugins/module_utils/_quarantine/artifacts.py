# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The one way a case artifact is made: find it, replace it if it failed, else make it, then wait for it.

Every artifact of a case has a name of its own (``osfleet-case-<case>-...``),
so a run killed half-way leaves something the next run can find by that name:
a server image still saving, a snapshot still creating, a dead upload. Each
kind answers the same questions (is there one, did it fail, how is it deleted,
made and waited for), so the sequence is written once, here, and a change to
it (say, how a failed artifact is replaced) is made once for every kind.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Optional

#: seconds between two looks of every wait of the quarantine (the SDK's and ours)
WAIT_STEP = 2


class Ensured(NamedTuple):
    """The artifact, and whether this run made it (False: an earlier run's was kept)."""

    resource: Any
    made: bool


def ensure(find: Callable[[], Optional[Any]], failed: Callable[[Any], bool], delete: Callable[[Any], None],
           create: Callable[[], Any], wait: Callable[[Any], Any]) -> Ensured:
    """The artifact ``find`` sees unless ``failed`` says it is dead (then deleted), else a new one; waited for.

    ``wait`` gets what ``find`` or ``create`` returned, so each kind waits the
    way its service can be waited on (the SDK's waits where they fit).
    """
    found = find()
    if found is not None and failed(found):
        delete(found)
        found = None
    if found is not None:
        return Ensured(wait(found), False)
    return Ensured(wait(create()), True)
