# -*- coding: utf-8 -*-
"""Day2Module.write_output: a reader never sees half a file, and AnsibleModule.atomic_move puts it in place."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module


class Writer(Day2Module):
    uses_cloud = False
    changes_state = False


@pytest.fixture
def module():
    with patch_module_args({}):
        return Writer()


@pytest.fixture
def moves(monkeypatch):
    """Every atomic_move: (temp file's text, destination's text at that moment, temp file's directory)."""
    seen = []
    real = AnsibleModule.atomic_move

    def spy(self, src, dest, *args, **kwargs):
        seen.append((Path(src).read_text(), Path(dest).read_text() if os.path.exists(dest) else None,
                     os.path.dirname(src)))
        return real(self, src, dest, *args, **kwargs)
    monkeypatch.setattr(AnsibleModule, "atomic_move", spy)
    return seen


def test_replaces_the_whole_file_through_atomic_move(module, moves, tmp_path):
    path = tmp_path / "bmc.prom"
    path.write_text("old\n")
    os.chmod(path, 0o600)
    module.write_output(str(path), "new\n" * 1000)
    assert path.read_text() == "new\n" * 1000
    assert oct(os.stat(path).st_mode & 0o777) == "0o644"
    assert [p.name for p in tmp_path.iterdir()] == ["bmc.prom"]  # no temporary left behind
    # the whole text was in a file beside the target, and the target untouched, until the one move
    assert moves == [("new\n" * 1000, "old\n", str(tmp_path))]


def test_a_new_file_gets_the_mode_asked_for(module, moves, tmp_path):
    path = tmp_path / "scan.json"
    module.write_output(str(path), "{}\n", mode=0o640)
    assert path.read_text() == "{}\n" and oct(os.stat(path).st_mode & 0o777) == "0o640"
    assert moves[0][1] is None


def test_a_failure_names_the_option_and_leaves_no_temporary(module, monkeypatch, tmp_path):
    with pytest.raises(ValidationError) as err:
        module.write_output(str(tmp_path / "missing" / "scan.json"), "{}", field="json_path")
    assert err.value.field == "json_path" and "missing" in err.value.message

    def refuse(self, src, dest, *args, **kwargs):
        raise Exception("Could not replace %r" % dest)
    monkeypatch.setattr(AnsibleModule, "atomic_move", refuse)
    with pytest.raises(ValidationError) as err:
        module.write_output(str(tmp_path / "scan.json"), "{}", field="json_path")
    assert "Could not replace" in err.value.message
    assert list(tmp_path.iterdir()) == []
