# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Read the FRU inventory area, backing off to smaller reads when the BMC refuses the size.

pyghmi 1.6.19 reads FRU data 224 bytes at a time and only backs off on
completion codes 0xC9/0xCA; many BMCs (and OpenIPMI's ipmi_sim) answer
0xC8 "request data field length limit exceeded" instead, and pyghmi gives up
with no inventory. We read the bytes ourselves, halving the read size on
any of the three codes, and let pyghmi's FRU class parse them.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

TOO_BIG = (0xC8, 0xC9, 0xCA)
FIRST_CHUNK = 224
MIN_CHUNK = 8


class FruReadError(Exception):
    pass


def read_fru_bytes(raw_command: Callable[..., Dict[str, Any]], fruid: int = 0, chunk: int = FIRST_CHUNK) -> bytes:
    """The FRU area ``fruid`` as bytes; ``raw_command`` is pyghmi's Command.raw_command."""
    info = raw_command(netfn=0x0A, command=0x10, data=[fruid])  # Get FRU Inventory Area Info
    if info.get("code"):
        raise FruReadError("Get FRU Inventory Area Info: %s (0x%02X)" % (info.get("error"), info["code"]))
    size = info["data"][0] | (info["data"][1] << 8)
    data = bytearray()
    while len(data) < size:
        count = min(chunk, size - len(data))
        offset = len(data)
        rsp = raw_command(netfn=0x0A, command=0x11, data=[fruid, offset & 0xFF, offset >> 8, count])
        code = rsp.get("code", 0)
        if code in TOO_BIG:
            if chunk <= MIN_CHUNK:
                raise FruReadError("Read FRU Data: BMC refuses even %d-byte reads (0x%02X)" % (chunk, code))
            chunk = max(MIN_CHUNK, chunk // 2)
            continue
        if code:
            raise FruReadError("Read FRU Data at %d: %s (0x%02X)" % (offset, rsp.get("error"), code))
        got = rsp["data"][0]
        if got == 0:
            break
        data.extend(rsp["data"][1:1 + got])
    return bytes(data)
