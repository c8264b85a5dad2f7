# -*- coding: utf-8 -*-
"""The playbooks' flat variables, without a cloud: one convention (osfleet_<name>), documented once (README.md,
"Playbook variables", a table per playbook that must list exactly what the playbook reads), and a blank answer
(what an AWX survey sends) meaning the same as no answer.

The variables a playbook reads are found by parsing its Jinja expressions (and its templates); the role variables it
sets are rendered with Ansible's own templar and validated against the role's meta/argument_specs.yml, as the role
itself does when it starts.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set

import jinja2
import jinja2.meta
import pytest
import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

ROOT = Path(__file__).resolve().parents[3]
PLAYBOOKS = sorted((ROOT / "playbooks").glob("*.yml"))
PREFIX = "osfleet_"
# read by the playbooks but set by Ansible or AWX, not by the operator
NOT_INPUTS = {"omit", "lookup", "awx_user_name", "ansible_check_mode",
              # Ansible's own: the inventory, a host's facts, what failed in a block (its rescue reads it)
              "groups", "hostvars", "inventory_hostname", "ansible_facts", "ansible_failed_task",
              "ansible_failed_result"}
#: short forms a playbook also takes, each only as the default of its osfleet_ variable (README.md says so):
#: ``-e host=compute-03`` for the host playbooks (remediate, host_hold, host_release)
ALIASES = {"host": "osfleet_host"}
COMMON = ["osfleet_cloud", "osfleet_clouds_yaml", "osfleet_audit_log", "osfleet_audit_actor"]


def strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from strings(item)


IMPORT = "ansible.builtin.import_playbook"


def own_plays(plays: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The playbook's own plays; an import_playbook entry (another playbook of the collection run after, when its
    condition holds) is documented with that playbook, and only its condition is read here."""
    return [p for p in plays if IMPORT not in p]


def tasks(play: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Every task of the play, those in a block, its rescue and always sections too."""
    out: List[Dict[str, Any]] = []

    def walk(items: List[Dict[str, Any]]) -> None:
        for task in items or []:
            out.append(task)
            for section in ("block", "rescue", "always"):
                walk(task.get(section) or [])
    for section in ("pre_tasks", "tasks", "post_tasks", "handlers"):
        walk(play.get(section) or [])
    return out


class _AnyName(dict):
    """Filters and tests of every name exist, as far as finding the variables a template reads is concerned."""

    def __contains__(self, name):
        return True

    def get(self, name, default=None):
        return super().get(name) or (lambda *args, **kwargs: None)


JINJA = jinja2.Environment()
JINJA.filters = _AnyName(JINJA.filters)
JINJA.tests = _AnyName(JINJA.tests)


def names_read(source: str) -> Set[str]:
    return set(jinja2.meta.find_undeclared_variables(JINJA.parse(source)))


def inputs(path: Path) -> Set[str]:
    """The variables an operator can give the playbook: every name its expressions and templates read, less what
    the playbook itself registers and what Ansible or AWX set."""
    plays = yaml.safe_load(path.read_text())
    read: Set[str] = set()
    made: Set[str] = set()
    for entry in plays:
        if IMPORT in entry:
            assert entry[IMPORT].startswith("osfleet.day2."), "%s imports %s" % (path.name, entry[IMPORT])
            read |= names_read("{{ %s }}" % entry["when"]) if entry.get("when") else set()
            if entry.get("vars"):
                # a playbook made of another with some variables set (rollback is rolling_patch with
                # osfleet_patch_rollback): the other's inputs, less those it sets, are its own
                imported = path.parent / (entry[IMPORT].split(".")[-1] + ".yml")
                read |= inputs(imported) - set(entry["vars"])
    plays = own_plays(plays)
    for source in strings(plays):
        read |= names_read(source)
    for template in re.findall(r"templates/[\w.-]+\.j2", path.read_text()):
        read |= names_read((path.parent / template).read_text())
    for play in plays:
        made |= {t["register"] for t in tasks(play) if "register" in t}
        # a task's own vars are set by the playbook (their values are still read)
        made |= {k for t in tasks(play) for k in (t.get("vars") or {})}
        # include_vars with a name makes that variable
        made |= {t[m]["name"] for t in tasks(play) for m in ("ansible.builtin.include_vars", "include_vars")
                 if isinstance(t.get(m), dict) and "name" in t[m]}
        # what set_fact sets is made by the playbook too (its value's expression is still read)
        made |= {k for t in tasks(play) for module in ("ansible.builtin.set_fact", "set_fact")
                 for k in (t.get(module) or {}) if isinstance(t.get(module), dict) and k != "cacheable"}
        # a looping task's variable (item, or loop_control.loop_var) is set by Ansible for that task
        made |= {(t.get("loop_control") or {}).get("loop_var", "item") for t in tasks(play)
                 if "loop" in t or any(k.startswith("with_") for k in t)}
    return read - made - NOT_INPUTS - set(ALIASES)


def readme_tables() -> Dict[str, Set[str]]:
    """playbook name -> the osfleet_* variables its README subsection names (its table and its common variables)."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Playbook variables\n", 1)[1].split("\n## ", 1)[0]
    tables = {}
    for part in re.split(r"\n### ", section)[1:]:
        heading, body = part.split("\n", 1)
        [name] = re.findall(r"`osfleet\.day2\.(\w+)`", heading)
        tables[name] = set(re.findall(r"`(%s\w+)`" % PREFIX, body))
    return tables


def role_import(path: Path) -> Dict[str, Any]:
    """The playbook's import_role task, loaded as ansible-playbook loads it (its strings trusted as templates)."""
    [play] = own_plays(DataLoader().load_from_file(str(path)))
    [task] = [t for t in tasks(play) if "ansible.builtin.import_role" in t]
    return dict(task, play=play)


def with_role() -> List[Path]:
    return [p for p in PLAYBOOKS if "ansible.builtin.import_role" in p.read_text()]


def role_vars(path: Path, variables: Dict[str, Any]) -> Dict[str, Any]:
    """The role variables the playbook sets, rendered as the role sees them. They must pass the role's argument
    spec, which the role checks when it starts (and which does not convert them for the role's tasks)."""
    task = role_import(path)
    role = task["ansible.builtin.import_role"]
    spec = yaml.safe_load((ROOT / "roles" / role["name"].split(".")[-1] / "meta/argument_specs.yml").read_text())
    options = spec["argument_specs"][role.get("tasks_from", "main")]["options"]
    templar = Templar(loader=DataLoader(), variables=variables)
    rendered = {name: templar.template(trust_as_template(value)) if isinstance(value, str) else value
                for name, value in task["vars"].items()}
    result = ArgumentSpecValidator(options).validate(dict(rendered))
    assert not result.error_messages, "%s with %s: %s" % (path.name, variables, result.error_messages)
    return rendered


def test_the_playbooks_are_found():
    assert len(PLAYBOOKS) >= 7 and len(with_role()) >= 6


@pytest.mark.parametrize("path", PLAYBOOKS, ids=lambda p: p.stem)
def test_every_flat_variable_is_prefixed(path):
    """osfleet_ keeps them apart from inventory host variables (an AWX inventory's `cloud` or `server` would
    otherwise feed a playbook run on localhost) and from the roles' own <role>_ variables."""
    unprefixed = sorted(n for n in inputs(path) if not n.startswith(PREFIX))
    assert not unprefixed, "%s reads %s: name them %s<name> (README.md, Playbook variables)" % (
        path.name, unprefixed, PREFIX)


@pytest.mark.parametrize("path", PLAYBOOKS, ids=lambda p: p.stem)
def test_readme_lists_exactly_the_variables_of_each_playbook(path):
    tables = readme_tables()
    assert path.stem in tables, "README.md, Playbook variables, has no table for %s" % path.stem
    assert tables[path.stem] == inputs(path), "README.md lists %s for %s, the playbook reads %s" % (
        sorted(tables[path.stem]), path.stem, sorted(inputs(path)))


def test_readme_tables_are_for_playbooks_that_exist():
    assert sorted(readme_tables()) == sorted(p.stem for p in PLAYBOOKS)


def test_readme_documents_the_common_variables_once():
    section = (ROOT / "README.md").read_text().split("\n## Playbook variables\n", 1)[1].split("\n### ", 1)[0]
    for name in COMMON:
        assert "| `%s` |" % name in section, name


@pytest.mark.parametrize("path", with_role(), ids=lambda p: p.stem)
def test_the_role_variables_set_are_the_roles(path):
    """A misspelt role variable would be set and ignored; the role validates only the ones it declares."""
    task = role_import(path)
    role = task["ansible.builtin.import_role"]
    spec = yaml.safe_load((ROOT / "roles" / role["name"].split(".")[-1] / "meta/argument_specs.yml").read_text())
    declared = set(spec["argument_specs"][role.get("tasks_from", "main")]["options"])
    assert set(task["vars"]) <= declared, sorted(set(task["vars"]) - declared)


@pytest.mark.parametrize("path", with_role(), ids=lambda p: p.stem)
def test_a_blank_answer_is_no_answer(path):
    """AWX sends an empty string for a question left blank: the role must then get what it gets when the variable
    is not passed at all (its default, or the AWX user for the audit actor)."""
    awx = {"awx_user_name": "alice"}
    blank = dict(awx, **{name: "" for name in inputs(path)})
    assert role_vars(path, blank) == role_vars(path, awx)


@pytest.mark.parametrize("path", with_role(), ids=lambda p: p.stem)
def test_the_audit_actor_is_the_awx_user_unless_given(path):
    actor = [n for n in role_vars(path, {}) if n.endswith("_audit_actor")]
    assert actor, "%s does not pass the audit actor on" % path.name
    assert role_vars(path, {"awx_user_name": "alice"})[actor[0]] == "alice"
    assert role_vars(path, {"awx_user_name": "alice", "osfleet_audit_actor": "bob"})[actor[0]] == "bob"


@pytest.mark.parametrize("path", PLAYBOOKS, ids=lambda p: p.stem)
def test_clouds_yaml_sets_os_client_config_file(path):
    plays = own_plays(DataLoader().load_from_file(str(path)))
    assert all("environment" in play for play in plays), "%s: a play without the clouds.yaml environment" % path.name
    for play in plays:
        defaults = {k: v for k, v in (play.get("vars") or {}).items() if k.startswith(PREFIX) and v == ""}

        def environment(variables, play=play, defaults=defaults):
            return Templar(loader=DataLoader(), variables=dict(defaults, **variables)).template(
                trust_as_template(play["environment"]))

        assert environment({"osfleet_clouds_yaml": "/etc/osfleet/clouds.yaml"}) == {
            "OS_CLIENT_CONFIG_FILE": "/etc/osfleet/clouds.yaml"}
        assert environment({"osfleet_clouds_yaml": ""}) == {}
