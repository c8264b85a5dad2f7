# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The sushy and pyghmi versions the BMC backends are tested with, and the error for one that differs.

The backends use public API wherever the libraries have it. Where they do not (sushy has no way
to hand its Connector a requests.Session; pyghmi's Command has no logout), the backend checks
that what it relies on is there before it relies on it, and fails with :func:`unsupported`
rather than with an AttributeError halfway through a call to a BMC.
"""

from __future__ import annotations

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import DependencyError

#: the versions of requirements.txt
TESTED = {"sushy": "5.14.0", "pyghmi": "1.6.19"}


def installed(library: str) -> str:
    """The installed version of ``library``, or "an unknown version"."""
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover - Python < 3.8
        return "an unknown version"
    try:
        return version(library)
    except PackageNotFoundError:
        return "an unknown version"


def unsupported(library: str, what: str) -> DependencyError:
    """DependencyError: ``what`` the backend needs is not in this version of ``library``."""
    return DependencyError("%s; %s %s is installed, osfleet.day2 supports %s %s (requirements.txt)"
                           % (what, library, installed(library), library, TESTED[library]))
