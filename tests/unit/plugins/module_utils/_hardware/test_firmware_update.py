# -*- coding: utf-8 -*-
"""_hardware.firmware against a loopback Redfish server (FakeRedfish + FakeUpdateService): only HTTP is stubbed."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._hardware import firmware
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import open_bmc
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.deadline import Deadline
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import (
    BmcTaskFailed,
    BmcTimeout,
    BmcUnsupported,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._hardware.fake_update_service import (
    FW,
    FakeUpdateService,
)


class FakeTime:
    """A clock that moves only when slept: the deadline's, so a test that waits minutes takes none."""

    def __init__(self):
        self.now = 0.0
        self.slept = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def bmc_at(fake_redfish, fake_time):
    opened = []

    def _open(seconds=60):
        deadline = Deadline(seconds, fake_redfish.address(), clock=fake_time.clock, sleep=fake_time.sleep)
        bmc = open_bmc(fake_redfish.address(), "admin", "secret", deadline=deadline)
        opened.append(bmc)
        return bmc
    yield _open
    for bmc in opened:
        bmc.close()


def test_update_waits_for_the_task_honours_retry_after_and_keeps_the_previous(fake_redfish, bmc_at, fake_time):
    service = FakeUpdateService(fake_redfish, polls=3, retry_after="4")
    bmc = bmc_at()
    result = firmware.simple_update(bmc, "http://fw.example/R640e/bmc-7.20.bin", targets=["/redfish/v1/Managers/1"],
                                    transfer_protocol="HTTP")
    assert service.posted == [{"ImageURI": "http://fw.example/R640e/bmc-7.20.bin",
                               "Targets": ["/redfish/v1/Managers/1"], "TransferProtocol": "HTTP"}]
    assert result.task == "/redfish/v1/TaskService/Tasks/1"
    assert (result.task_state, result.task_status) == ("Completed", "OK")
    assert result.before["BMC"] == "7.10" and result.after["BMC"] == "7.20"
    assert result.messages == ["BMC updated to 7.20"]
    assert fake_time.slept == [4.0, 4.0, 4.0]           # Retry-After of the 202 and of each running poll
    images = firmware.inventory(bmc)
    kept = firmware.rollback_target(images, "BMC")
    assert (kept.id, kept.version, kept.previous, kept.updateable) == ("BMC-Previous", "7.10", True, False)
    assert firmware.versions(images) == {"BIOS": "2.19.1", "BMC": "7.20"}


def test_without_retry_after_polls_every_second(fake_redfish, bmc_at, fake_time):
    FakeUpdateService(fake_redfish, polls=2, retry_after=None)
    firmware.simple_update(bmc_at(), "http://fw.example/bios-2.20.0.bin")
    assert fake_time.slept == [1.0, 1.0]


def test_a_failed_task_is_an_error_with_the_bmcs_message_and_nothing_changed(fake_redfish, bmc_at):
    FakeUpdateService(fake_redfish, outcome="fail")
    bmc = bmc_at()
    with pytest.raises(BmcTaskFailed) as err:
        firmware.simple_update(bmc, "http://fw.example/bmc-7.20.bin")
    assert "Tasks/1 ended Exception/Critical" in err.value.message
    assert "flash write failed" in err.value.message
    assert err.value.details["messages"][-1] == "flash write failed on http://fw.example/bmc-7.20.bin"
    assert firmware.versions(firmware.inventory(bmc))["BMC"] == "7.10"
    with pytest.raises(BmcUnsupported, match="no previous image of BMC is kept"):
        firmware.rollback_target(firmware.inventory(bmc), "BMC", bmc.address)


def test_a_hung_task_times_out_naming_the_task_and_its_last_state(fake_redfish, bmc_at, fake_time):
    FakeUpdateService(fake_redfish, outcome="hang", retry_after="5")
    bmc = bmc_at(seconds=30)
    with pytest.raises(BmcTimeout) as err:
        firmware.simple_update(bmc, "http://fw.example/bmc-7.20.bin")
    msg = err.value.message
    assert "/redfish/v1/TaskService/Tasks/1 is still Running (50%) at the deadline (30s)" in msg
    assert err.value.details["timed_out"] is True and err.value.details["task_state"] == "Running"
    assert fake_time.now <= 30 and sum(fake_time.slept) <= 30


def test_rollback_posts_the_kept_image_and_swaps_the_versions(fake_redfish, bmc_at):
    service = FakeUpdateService(fake_redfish)
    bmc = bmc_at()
    firmware.simple_update(bmc, "http://fw.example/bios-2.20.0.bin")
    firmware.simple_update(bmc, "http://fw.example/bios-2.21.0.bin")
    images = firmware.inventory(bmc)
    assert [i.version for i in images if i.previous] == ["2.20.0"]      # one previous per component
    plan = firmware.plan_rollback(images, "bios", version="2.20.0")
    assert plan.image_uri == FW + "/BIOS-Previous" and plan.changed
    result = firmware.simple_update(bmc, plan.image_uri)
    assert service.posted[-1] == {"ImageURI": FW + "/BIOS-Previous"}
    assert (result.before["BIOS"], result.after["BIOS"]) == ("2.21.0", "2.20.0")
    images = firmware.inventory(bmc)
    assert not firmware.plan_rollback(images, "BIOS", version="2.20.0").changed    # already there
    with pytest.raises(BmcUnsupported, match="kept image of BIOS is version 2.21.0, not 1.0.3"):
        firmware.plan_rollback(images, "BIOS", version="1.0.3")


def test_plan_update_reads_component_and_version_from_the_image_name(fake_redfish, bmc_at):
    images = firmware.inventory(bmc_at())
    assert not firmware.plan_update(images, "http://fw.example/bmc-7.10.bin").changed
    plan = firmware.plan_update(images, "http://fw.example/bmc-7.20.bin")
    assert (plan.component, plan.current, plan.target, plan.changed) == ("BMC", "7.10", "7.20", True)
    assert firmware.plan_update(images, "http://fw.example/iDRAC_7.20_A00.EXE", component="BMC",
                                version="7.10").image_uri is None
    with pytest.raises(ValidationError, match="set component and version"):
        firmware.plan_update(images, "http://fw.example/iDRAC_7.20_A00.EXE")
    with pytest.raises(ValidationError, match=r"no running firmware component 'nic'.*BIOS, BMC"):
        firmware.plan_update(images, "http://fw.example/nic-1.0.bin")


def test_ipmi_has_no_update_service():
    class Ipmi:
        protocol = "ipmi"
        address = "ipmi://10.0.0.13"
    with pytest.raises(BmcUnsupported, match="IPMI has no UpdateService"):
        firmware.inventory(Ipmi())


def test_a_bmc_without_simple_update_is_refused_before_posting(fake_redfish, bmc_at):
    del fake_redfish.docs["/redfish/v1/UpdateService"]["Actions"]
    service = FakeUpdateService(fake_redfish)
    with pytest.raises(BmcUnsupported, match="no #UpdateService.SimpleUpdate"):
        firmware.simple_update(bmc_at(), "http://fw.example/bmc-7.20.bin")
    assert service.posted == []
