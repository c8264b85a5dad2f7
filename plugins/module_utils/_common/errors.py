# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Typed errors of the osfleet.day2 core.

The core never calls ``fail_json``: it raises one of these, each naming the
field or resource it concerns, and the module base turns it into a clean
failure. Keeping them free of Ansible lets the core be tested on its own.
"""

from __future__ import annotations


class Day2Error(Exception):
    """Base of every error the core raises on purpose."""

    def __init__(self, message, field=None, resource=None, details=None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.resource = resource
        self.details = details or {}

    def to_result(self):
        """The extra keys a failed task returns besides ``msg``."""
        result = {"error_type": type(self).__name__}
        if self.field:
            result["field"] = self.field
        if self.resource:
            result["resource"] = self.resource
        if self.details:
            result["details"] = self.details
        return result


class ValidationError(Day2Error):
    """Bad input: ``field`` names the option or key that is wrong."""


class NotFoundError(Day2Error):
    """The named resource does not exist (or is not visible to these credentials)."""


class ConflictError(Day2Error):
    """The resource exists but is in a state that forbids the request."""


class CloudError(Day2Error):
    """An OpenStack API call failed; ``call`` names it, ``resource`` what it acted on."""

    def __init__(self, message, call=None, resource=None, status_code=None, request_id=None):
        details = {}
        if call:
            details["call"] = call
        if status_code is not None:
            details["status_code"] = status_code
        if request_id:
            details["request_id"] = request_id
        super().__init__(message, resource=resource, details=details)
        self.call = call
        self.status_code = status_code
        self.request_id = request_id


class DependencyError(Day2Error):
    """A Python library the feature needs is not installed."""


class AuditLogError(Day2Error):
    """The audit log cannot be written, or does not verify."""
