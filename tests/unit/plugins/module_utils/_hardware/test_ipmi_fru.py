# -*- coding: utf-8 -*-
"""FRU reads back off to smaller chunks when the BMC answers 0xC8 (as the lab's ipmi_sim does)."""
from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.ipmi.fru import FruReadError, read_fru_bytes

FRU = bytes.fromhex((Path(__file__).parent / "fixtures" / "ipmi_fru_healthy.hex").read_text().strip())


class FruBmc:
    """Answers Get FRU Inventory Area Info / Read FRU Data like a BMC that takes at most ``limit`` bytes."""

    def __init__(self, data: bytes, limit: int, code: int = 0xC8):
        self.data, self.limit, self.code = data, limit, code
        self.reads = []

    def __call__(self, netfn, command, data):
        assert netfn == 0x0A
        if command == 0x10:
            return {"code": 0, "data": bytearray([len(self.data) & 0xFF, len(self.data) >> 8, 0])}
        fruid, lo, hi, count = data
        self.reads.append(count)
        if count > self.limit:
            return {"code": self.code, "error": "Request data field length limit exceeded"}
        off = lo | (hi << 8)
        chunk = self.data[off:off + count]
        return {"code": 0, "data": bytearray([len(chunk)]) + bytearray(chunk)}


@pytest.mark.parametrize("code", [0xC8, 0xC9, 0xCA])
def test_backs_off_and_reads_everything(code):
    bmc = FruBmc(FRU, limit=32, code=code)
    assert read_fru_bytes(bmc) == FRU
    assert bmc.reads[:4] == [min(224, len(FRU)), 112, 56, 28]
    assert max(bmc.reads[4:]) <= 28


def test_parsed_by_pyghmi():
    from pyghmi.ipmi import fru
    info = fru.FRU(rawdata=read_fru_bytes(FruBmc(FRU, limit=32))).info
    assert info["Manufacturer"] == "Osfleet Lab Systems"
    assert info["Product name"] == "LabServer R640e"
    assert info["Hardware Version"] == "2.19.1"


def test_gives_up_below_the_smallest_read():
    with pytest.raises(FruReadError):
        read_fru_bytes(FruBmc(FRU, limit=4))
