# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Typed errors of the BMC adapters.

Each names the BMC address in ``resource`` so a fleet-wide scan can sort its
failures (unreachable, wrong credentials, slow, anything else) without
parsing messages.
"""

from __future__ import annotations

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error


class BmcError(Day2Error):
    """A BMC call failed; ``resource`` is the BMC address."""

    #: the ``status`` hardware_scan reports for this kind of failure
    scan_status = "error"


class BmcAuthError(BmcError):
    """The BMC refused the credentials."""

    scan_status = "auth_failed"


class BmcUnreachable(BmcError):
    """Nothing answered at the BMC address (refused, no route, no reply)."""

    scan_status = "unreachable"


class BmcTimeout(BmcError):
    """The call's deadline passed before the BMC finished (or reached the state asked for)."""


class BmcUnsupported(BmcError):
    """The BMC does not offer what was asked (an action, a boot device, a resource)."""


class BmcNotRedfish(BmcError):
    """What answered is not a Redfish service: an HTML page, a body that is no JSON, a JSON that is no
    Redfish document, plain HTTP where TLS was asked for (or the reverse)."""


class BmcTlsError(BmcError):
    """The TLS handshake failed: a certificate not trusted, or no TLS on the port."""


class BmcTaskFailed(BmcError):
    """A task the BMC ran (a firmware update) ended in Exception, Killed or Cancelled, or with a Critical
    TaskStatus; ``details`` carries the task, its state and the BMC's messages."""
