# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Run callables at the same time and stop waiting at a deadline.

Daemon threads rather than a ThreadPoolExecutor: the executor's workers are
joined when the interpreter exits, so one site whose API never answers would
hold the module's exit until its socket timed out. A daemon thread past the
deadline is simply left behind; its result is never read.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

#: a task's outcome: (finished, result, exception)
Outcome = Tuple[bool, Any, Optional[BaseException]]


def run_parallel(tasks: Sequence[Callable[[], Any]], deadline: float, workers: Optional[int] = None) -> List[Outcome]:
    """Each task's outcome in order; a task not finished by ``deadline`` (time.monotonic()) is (False, None, None).

    At most ``workers`` run at once (all when None); a task that has not
    started by the deadline is not started.
    """
    outcomes: Dict[int, Outcome] = {}
    lock = threading.Lock()
    done = threading.Condition(lock)
    pending = list(range(len(tasks)))
    limit = workers or len(tasks) or 1

    def worker() -> None:
        while True:
            with lock:
                if not pending or time.monotonic() >= deadline:
                    return
                index = pending.pop(0)
            try:
                outcome: Outcome = (True, tasks[index](), None)
            except Exception as exc:  # pylint: disable=broad-except  # handed back to the caller as data
                outcome = (True, None, exc)
            with done:
                outcomes[index] = outcome
                done.notify_all()

    for number in range(min(limit, len(tasks))):
        threading.Thread(target=worker, name="osfleet-site-%d" % number, daemon=True).start()
    with done:
        while len(outcomes) < len(tasks):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            done.wait(left)
        return [outcomes.get(i, (False, None, None)) for i in range(len(tasks))]
