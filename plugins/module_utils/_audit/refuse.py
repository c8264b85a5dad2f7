# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""How the loaders refuse: one ValidationError shape naming the file, the rule and the key."""

from __future__ import annotations

from typing import NoReturn, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError


class Refuse:
    """Raises the loader's ValidationError: file, rule and key in the message, the field and the details."""

    def __init__(self, source: str, rule: Optional[str] = None, prefix: str = "") -> None:
        self.source = source
        self.rule = rule
        self.prefix = prefix

    def __call__(self, where: str, message: str) -> NoReturn:
        key = self.prefix + where
        what = "%s: rule %s: %s" % (self.source, self.rule, key) if self.rule else "%s: %s" % (self.source, key)
        fld = "rules[%s].%s" % (self.rule, key) if self.rule else key
        raise ValidationError("%s: %s" % (what, message), field=fld,
                              details={"file": self.source, "rule": self.rule, "key": key})
