# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Reading pack and waiver files: YAML that refuses a key written twice, and the file's hash.

PyYAML keeps the last of two equal keys in a mapping without a word, so a
rule with ``op: eq`` and, further down, ``op: ne`` would silently test the
second; here it is refused like any other ambiguity, naming the file and line.
"""

from __future__ import annotations

import hashlib
import json
import traceback
from typing import Any, Tuple

try:
    import yaml

    HAS_YAML = True
    YAML_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the import sanity test
    HAS_YAML = False
    YAML_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import DependencyError, ValidationError


def _loader_class() -> Any:
    class StrictLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
        """SafeLoader that refuses duplicate mapping keys."""

    def construct_mapping(loader: Any, node: Any, deep: bool = False) -> Any:
        seen = {}
        for key_node, _value in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    "key %r appears twice (line %d and line %d)" % (key, seen[key] + 1, key_node.start_mark.line + 1),
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return StrictLoader


def load_yaml(text: str, source: str) -> Any:
    """Parse YAML text; a syntax error or a duplicate key is a ValidationError naming ``source``."""
    if not HAS_YAML:
        raise DependencyError("PyYAML is needed to read %s" % source, details={"import_error": YAML_IMPORT_ERROR})
    try:
        return yaml.load(text, Loader=_loader_class())  # nosec B506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ValidationError("%s: not valid YAML: %s" % (source, str(exc).replace("\n", " ")), field=source,
                              details={"file": source}) from None


def read_file(path: str) -> Tuple[Any, str]:
    """(parsed data, sha256 of the file's bytes) of a YAML or JSON file."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ValidationError("%s: cannot read: %s" % (path, exc.strerror or exc), field=path,
                              details={"file": path}) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("%s: not UTF-8 text" % path, field=path, details={"file": path}) from None
    return load_yaml(text, path), hashlib.sha256(raw).hexdigest()


def canonical_hash(data: Any) -> str:
    """sha256 of the data as canonical JSON: equal for the same content however the YAML was written."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
