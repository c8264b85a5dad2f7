# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Firmware updates through the Redfish UpdateService: inventory, SimpleUpdate, rollback.

:func:`inventory` reads the FirmwareInventory, the running images and the
ones the BMC keeps (Dell's ``Previous-...``, an inactive slot: not
updateable, or named ``previous``). :func:`plan_update` and
:func:`plan_rollback` decide from it whether anything needs doing, so check
mode and the real run share one decision and a second run does nothing.
:func:`simple_update` posts ``UpdateService.SimpleUpdate`` and follows the
task it starts (the Location of the 202: a Task or a TaskMonitor), honouring
Retry-After, until the task ends or the BMC call's deadline passes.

A rollback is a SimpleUpdate whose ImageURI is the kept image's
FirmwareInventory member (what Dell's iDRAC takes). IPMI has no UpdateService:
every function here refuses an IPMI BMC with BmcUnsupported.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import Bmc
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.state import PREVIOUS_IMAGE
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import (
    BmcError,
    BmcTaskFailed,
    BmcTimeout,
    BmcUnsupported,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

#: poll a task this often when the BMC gives no Retry-After, and never wait longer than MAX_POLL between polls
POLL_SECONDS = 1.0
MAX_POLL = 10.0
#: TaskState values after which a task changes no more (Redfish Task.v1 TaskState)
FINAL_STATES = ("Completed", "Exception", "Killed", "Cancelled")
#: an image file named <component>-<version>.<ext>: what the version and component are read from
IMAGE_NAME = re.compile(r"^(?P<component>[A-Za-z][A-Za-z0-9_]*)-(?P<version>[0-9][0-9A-Za-z._]*?)\.(bin|img|exe|fw)$")
PREVIOUS = PREVIOUS_IMAGE


@dataclass(frozen=True)
class FirmwareImage:
    """One FirmwareInventory member."""

    id: str
    name: str
    version: Optional[str]
    software_id: Optional[str]
    updateable: bool
    previous: bool
    path: str

    def matches(self, component: str) -> bool:
        """``component`` names this image's component: its Id (without a previous marker) or SoftwareId."""
        want = component.lower()
        base = PREVIOUS.sub("", self.id).strip("-_ ").lower()
        return want in (base, (self.software_id or "").lower(), self.id.lower())


@dataclass
class UpdateResult:
    """What :func:`simple_update` did: the task, how it ended, and the versions before and after."""

    image_uri: str
    task: Optional[str]
    task_state: str
    task_status: Optional[str]
    percent_complete: Optional[int]
    messages: List[str] = field(default_factory=list)
    before: Dict[str, Optional[str]] = field(default_factory=dict)
    after: Dict[str, Optional[str]] = field(default_factory=dict)

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FirmwarePlan:
    """What to do for one component: ``image_uri`` to post, or None when it already runs ``target``."""

    component: str
    current: Optional[str]
    target: Optional[str]
    image_uri: Optional[str]

    @property
    def changed(self) -> bool:
        return self.image_uri is not None


def _redfish(bmc: Bmc):
    if getattr(bmc, "protocol", "") != "redfish" or not hasattr(bmc, "request"):
        raise BmcUnsupported("%s: firmware updates need Redfish (UpdateService); IPMI has no UpdateService"
                             % bmc.address, resource=bmc.address)
    return bmc


def _update_service(bmc) -> Dict[str, Any]:
    path = bmc.update_service_path()
    if not path:
        raise BmcUnsupported("%s: the BMC offers no UpdateService" % bmc.address, resource=bmc.address)
    return bmc.get(path)


def _image(doc: Dict[str, Any]) -> FirmwareImage:
    ident = str(doc.get("Id") or doc.get("@odata.id", "?").rstrip("/").rsplit("/", 1)[-1])
    name = str(doc.get("Name") or ident)
    state = (doc.get("Status") or {}).get("State") if isinstance(doc.get("Status"), dict) else None
    previous = bool(PREVIOUS.search(ident) or PREVIOUS.search(name) or
                    (doc.get("Updateable") is False and state in ("StandbyOffline", "Disabled")))
    version = doc.get("Version")
    return FirmwareImage(id=ident, name=name, version=str(version) if version is not None else None,
                         software_id=doc.get("SoftwareId"), updateable=doc.get("Updateable") is not False,
                         previous=previous, path=str(doc.get("@odata.id") or ""))


def inventory(bmc: Bmc) -> List[FirmwareImage]:
    """Every FirmwareInventory member, the kept (previous) images included."""
    bmc = _redfish(bmc)
    link = (_update_service(bmc).get("FirmwareInventory") or {}).get("@odata.id")
    if not link:
        raise BmcUnsupported("%s: the UpdateService has no FirmwareInventory" % bmc.address, resource=bmc.address)
    out = []
    for member in bmc.get(link).get("Members") or []:
        if not isinstance(member, dict) or not member.get("@odata.id"):
            continue
        doc = member if set(member) - {"@odata.id", "@odata.type", "@odata.etag"} else bmc.get(member["@odata.id"])
        out.append(_image(doc))
    return out


def versions(images: List[FirmwareImage]) -> Dict[str, Optional[str]]:
    """Running image Id -> version (the kept ones left out)."""
    return {i.id: i.version for i in images if not i.previous}


def image_name(image_uri: str) -> Tuple[Optional[str], Optional[str]]:
    """(component, version) read from an image named ``<component>-<version>.bin``; (None, None) otherwise."""
    name = str(image_uri or "").split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    m = IMAGE_NAME.match(name)
    return (m.group("component"), m.group("version")) if m else (None, None)


def running(images: List[FirmwareImage], component: str, address: str = "") -> FirmwareImage:
    """The running image of ``component``; ValidationError listing the components there are."""
    found = [i for i in images if not i.previous and i.matches(component)]
    if not found:
        raise ValidationError("%s: no running firmware component %r in the inventory (there are: %s)"
                              % (address, component, ", ".join(i.id for i in images if not i.previous) or "none"),
                              field="component")
    return found[0]


def rollback_target(images: List[FirmwareImage], component: str, address: str = "") -> FirmwareImage:
    """The kept (previous) image of ``component``; BmcUnsupported naming the reason when there is none."""
    current = running(images, component, address)
    kept = [i for i in images if i.previous and i.matches(component)]
    if not kept:
        raise BmcUnsupported("%s: no previous image of %s is kept (the inventory has %s): nothing to roll back to"
                             % (address, current.id, ", ".join(i.id for i in images)), resource=address)
    if not kept[0].path:
        raise BmcUnsupported("%s: the previous image of %s has no @odata.id to post as ImageURI"
                             % (address, current.id), resource=address)
    return kept[0]


def plan_update(images: List[FirmwareImage], image_uri: str, component: Optional[str] = None,
                version: Optional[str] = None, address: str = "") -> FirmwarePlan:
    """Update ``component`` to ``version`` with ``image_uri`` unless it runs that version already; both
    default to what the image's name says."""
    named_component, named_version = image_name(image_uri)
    component = component or named_component
    version = version or named_version
    if not component or not version:
        missing = " and ".join(w for w, v in (("component", component), ("version", version)) if not v)
        raise ValidationError("cannot tell the %s from image_uri %r (not named <component>-<version>.bin): set %s"
                              % (missing, image_uri, missing), field="version" if component else "component")
    current = running(images, component, address)
    return FirmwarePlan(current.id, current.version, version,
                        None if current.version == version else image_uri)


def plan_rollback(images: List[FirmwareImage], component: str, version: Optional[str] = None,
                  address: str = "") -> FirmwarePlan:
    """Roll ``component`` back to its kept image; nothing to do when it already runs ``version`` (which, when
    given, must be the kept image's)."""
    current = running(images, component, address)
    if version is not None and current.version == version:
        return FirmwarePlan(current.id, current.version, version, None)
    kept = rollback_target(images, component, address)
    if version is not None and kept.version != version:
        raise BmcUnsupported("%s: the kept image of %s is version %s, not %s: cannot roll back to %s"
                             % (address, current.id, kept.version, version, version), resource=address)
    return FirmwarePlan(current.id, current.version, kept.version, kept.path)


def _messages(task: Dict[str, Any]) -> List[str]:
    out = []
    for m in task.get("Messages") or []:
        if isinstance(m, dict) and (m.get("Message") or m.get("MessageId")):
            out.append(str(m.get("Message") or m.get("MessageId")))
    return out


def _retry_after(headers: Dict[str, str], default: float) -> float:
    try:
        wait = float(headers.get("retry-after", ""))
    except ValueError:
        return default
    return min(MAX_POLL, max(0.0, wait))


def simple_update(bmc: Bmc, image_uri: str, targets: Optional[List[str]] = None,
                  transfer_protocol: Optional[str] = None, poll: float = POLL_SECONDS) -> UpdateResult:
    """POST SimpleUpdate and wait for its task to end, within the BMC's deadline.

    Raises BmcTaskFailed when the task ends in anything but Completed (or with TaskStatus Critical), with the
    BMC's messages; BmcTimeout naming the task and its last state when the deadline passes first."""
    bmc = _redfish(bmc)
    service = _update_service(bmc)
    action = ((service.get("Actions") or {}).get("#UpdateService.SimpleUpdate") or {}).get("target")
    if not action:
        raise BmcUnsupported("%s: the UpdateService offers no #UpdateService.SimpleUpdate" % bmc.address,
                             resource=bmc.address)
    before = versions(inventory(bmc))
    body: Dict[str, Any] = {"ImageURI": image_uri}
    if targets:
        body["Targets"] = list(targets)
    if transfer_protocol:
        body["TransferProtocol"] = transfer_protocol
    answer = bmc.request("POST", action, body)
    task_path = answer.headers.get("location") or answer.doc.get("@odata.id")
    task = answer.doc if answer.doc.get("TaskState") else {}
    result = UpdateResult(image_uri=image_uri, task=task_path, task_state=task.get("TaskState") or "New",
                          task_status=task.get("TaskStatus"), percent_complete=task.get("PercentComplete"),
                          messages=_messages(task), before=before)
    if answer.status != 202 and not task_path:  # done at once (200/204 without a task)
        result.task_state = "Completed"
    wait = _retry_after(answer.headers, poll)
    while result.task_state not in FINAL_STATES:
        try:
            bmc.deadline.sleep(min(wait, max(0.05, bmc.deadline.remaining() / 2)),
                               "waiting for task %s" % task_path)
            answer = bmc.request("GET", task_path)
        except BmcTimeout:
            raise BmcTimeout("%s: firmware update task %s is still %s%s at the deadline (%gs): %s not known to be "
                             "applied; the BMC may still be working on it"
                             % (bmc.address, task_path, result.task_state,
                                " (%s%%)" % result.percent_complete if result.percent_complete is not None else "",
                                bmc.deadline.seconds, image_uri),
                             resource=bmc.address, details=dict(result.to_dict(), timed_out=True)) from None
        task = answer.doc
        if task.get("TaskState"):
            result.task_state = task["TaskState"]
            result.task_status = task.get("TaskStatus")
            result.percent_complete = task.get("PercentComplete")
            result.messages = _messages(task) or result.messages
        elif answer.status in (200, 201, 204):  # a TaskMonitor that answers the action's own result when done
            result.task_state = "Completed"
        wait = _retry_after(answer.headers, poll)
    if result.task_state != "Completed" or result.task_status == "Critical":
        raise BmcTaskFailed("%s: firmware update task %s ended %s/%s: %s"
                            % (bmc.address, task_path, result.task_state, result.task_status or "-",
                               "; ".join(result.messages[-2:]) or "the BMC gave no message"),
                            resource=bmc.address, details=result.to_dict())
    try:
        result.after = versions(inventory(bmc))
    except BmcError:
        result.after = {}
    return result
