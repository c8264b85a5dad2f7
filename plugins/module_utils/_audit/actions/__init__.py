# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Acting on unused capacity: notify the owner, stop after a grace period, delete after another.

Opt-in (no stage is on by default), staged (the stage reached is marked on
the resource, so a re-run resumes), capped (``max_resources``,
``max_percent``: checked on the whole plan before anything is done), never on
a held or excluded resource, and each action one audit-log entry. Usage::

    from ansible_collections.osfleet.day2.plugins.module_utils._audit import actions

    settings = actions.Settings.from_options({"stages": ["notify", "stop"], "max_resources": 20})
    todo = actions.plan(results_doc, targets, settings, now)   # CapExceededError: nothing is done
    done = actions.apply(cloud, todo, audit_log, check_mode)   # ActionFailedError(.done) on a failure

Private to the osfleet.day2 collection: not a public API (docs/architecture.md).
"""

from ansible_collections.osfleet.day2.plugins.module_utils._audit.actions.executor import (  # noqa: F401
    ActionFailedError,
    Applied,
    apply,
)
from ansible_collections.osfleet.day2.plugins.module_utils._audit.actions.planner import (  # noqa: F401
    Action,
    CapExceededError,
    Plan,
    check_caps,
    plan,
)
from ansible_collections.osfleet.day2.plugins.module_utils._audit.actions.settings import (  # noqa: F401
    DELETE,
    NOTIFY,
    STAGES,
    STOP,
    Settings,
)
