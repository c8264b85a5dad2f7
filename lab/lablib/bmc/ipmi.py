"""IPMI BMCs of the lab: OpenIPMI ``ipmi_sim`` configured from the scenario.

Per host, under .lab/bmc/<host>/ipmi/: lan.conf (LAN channel on UDP
127.0.0.1:PORT, user, chassis_control hook, command console on TCP
127.0.0.1:PORT), sim.emu (MC, sensors with thresholds and their current
readings, SEL, FRU), sim.sdrs compiled by ``sdrcomp`` into the state dir,
fru.bin. Everything is generated from the scenario, so a restart shows the
scenario; live changes (faults) are pushed through the console with
``sensor_set_value`` / ``sensor_set_bit`` / ``sel_add`` and make ipmi_sim
log threshold events in its SEL by itself.

Sensor numbers: temperatures 0x01.., fans 0x10.., PSU status 0x20..,
total power 0x30. IDs are mixed-case on purpose: sdrcomp packs all-caps
short names as 6-bit ASCII, which pyghmi 1.6.19 cannot decode (it loops).
"""
from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

from . import scenario as scn

MC = "0x20"
TEMP_BASE, FAN_BASE, PSU_BASE, POWER_SENSOR = 0x01, 0x10, 0x20, 0x30
FAN_M = 100       # fan raw * 100 = RPM
WATT_M = 8        # power raw * 8 = W


def fw_bytes(version: str):
    """'7.10' -> (7, 0x10): Get Device ID major (binary) and minor (BCD)."""
    major, _, minor = version.partition(".")
    minor = (minor + "00")[:2]
    return int(major) & 0x7F, int(minor[0]) * 16 + int(minor[1])


def _tl(text: str) -> bytes:
    b = text.encode("ascii")[:63]
    return bytes([0xC0 | len(b)]) + b


def _area(body: bytes) -> bytes:
    body = body + b"\xc1"
    while (len(body) + 1) % 8:
        body += b"\x00"
    body = bytes([body[0], (len(body) + 1) // 8]) + body[2:]
    return body + bytes([(-sum(body)) & 0xFF])


def fru_bin(s: dict) -> bytes:
    """FRU: board area (mfr, product, serial, part) and product area (mfr,
    name, model, version = BIOS version, serial, asset tag = host)."""
    board = _area(b"\x01\x00\x00" + b"\x00\x00\x00" + _tl(s["manufacturer"]) +
                  _tl("Lab mainboard") + _tl(s["serial_number"] + "MB") + _tl("LAB-MB-0001") +
                  _tl("lab-fru"))
    product = _area(b"\x01\x00\x00" + _tl(s["manufacturer"]) + _tl(s["model"]) +
                    _tl("LabServer-R640e") + _tl(s["bios_version"]) + _tl(s["serial_number"]) +
                    _tl(s["host"]) + _tl("lab-fru"))
    board_off = 1
    prod_off = board_off + len(board) // 8
    header = bytes([1, 0, 0, board_off, prod_off, 0, 0])
    header += bytes([(-sum(header)) & 0xFF])
    return header + board + product


def _analog_sdr(num, name, stype, entity, unit, m, lower: bool, thr: dict) -> str:
    lines = [
        "sdr type 1",
        f"\tsensor_owner_id {MC}", "\tsensor_owner_lun 0", "\tchannel_number 0",
        f"\tsensor_number {num}", f"\tentity_id {entity}", "\tentity_instance 1",
        f"\tsensor_type {stype}", "\tinit_scanning true", "\tinit_events true",
        "\tinit_sensor_type true", "\tdefault_event_gen_on true",
        "\tdefault_sensor_scan_on true", "\tevent_reading_type_code 1",
        "\tanalog_data_format unsigned", "\trate_unit none", "\tmodifier_unit none",
        "\tpercentage false", f"\tbase_unit {unit}", "\tmodifier_unit_code unspecified",
        "\tlinearization linear", f"\tm {m}", "\ttolerance 0", "\tb 0", "\taccuracy 1",
        "\taccuracy_exp 0", "\tsensor_direction input", "\tr_exp 0", "\tb_exp 0",
        "\tsensor_maximum 255", "\tsensor_minimum 0",
    ]
    for key, val in thr.items():          # unc_thresh 80 ... (raw values)
        lines.append(f"\t{key}_thresh {val}")
        lines.append(f"\t{key}_thrsh_readable true")
    lines += [f'\tid_string "{name}"', "endsdr", ""]
    return "\n".join(lines)


def _discrete_sdr(num, name, stype, entity) -> str:
    return "\n".join([
        "sdr type 1",
        f"\tsensor_owner_id {MC}", "\tsensor_owner_lun 0", "\tchannel_number 0",
        f"\tsensor_number {num}", f"\tentity_id {entity}", "\tentity_instance 1",
        f"\tsensor_type {stype}", "\tinit_scanning true", "\tinit_events true",
        "\tinit_sensor_type true", "\tdefault_event_gen_on true",
        "\tdefault_sensor_scan_on true", "\tevent_reading_type_code 0x6f",
        "\tanalog_data_format unsigned", "\trate_unit none", "\tmodifier_unit none",
        "\tpercentage false", "\tbase_unit unspecified", "\tmodifier_unit_code unspecified",
        "\tlinearization linear", "\tm 1", "\tb 0", "\tsensor_direction input",
        f'\tid_string "{name}"', "endsdr", ""])


def sdrs(s: dict) -> str:
    out = ["sdr type 18", f"\tdevice_slave_address {MC}", "\tdevice_channel_number 0",
           "\tchassis true", "\tipmb_event_gen false", "\tipmb_event_recv false",
           "\tfru_inventory true", "\tsel true", "\tsdr true", "\tsensor true",
           "\tentity_id system_board", "\tentity_instance 1",
           f'\tid_string "Lab bmc {s["host"]}"', "endsdr", ""]
    for i, t in enumerate(s["temperatures"]):
        out.append(_analog_sdr(TEMP_BASE + i, t["name"], "Temperature", "system_board",
                               "degrees_C", 1, False,
                               {"unc": t["unc"], "uc": t["uc"], "unr": t["unr"]}))
    for i, f in enumerate(s["fans"]):
        out.append(_analog_sdr(FAN_BASE + i, f"{f['name']} Speed", "Fan",
                               "fan_cooling_device", "RPM", FAN_M, True,
                               {"lnc": f["lnc"] // FAN_M, "lc": f["lc"] // FAN_M,
                                "lnr": f["lnr"] // FAN_M}))
    for i, p in enumerate(s["psus"]):
        out.append(_discrete_sdr(PSU_BASE + i, f"{p['name']} Status", "Power_Supply",
                                 "power_supply"))
    out.append(_analog_sdr(POWER_SENSOR, "Total Power", "Other_Units_Based_Sensor",
                           "power_unit", "Watts", WATT_M, False, {}))
    return "\n".join(out)


def _psu_bits(p: dict) -> str:
    # sensor-specific offsets: 0 presence detected, 1 power supply failure detected
    return "failed" if p["health"] == "Critical" else "ok"


def value_cmds(s: dict, gen_event: int) -> list:
    """Console/emu commands that set every sensor to the scenario's reading."""
    cmds = []
    for i, t in enumerate(s["temperatures"]):
        cmds.append(f"sensor_set_value {MC} 0 {TEMP_BASE + i:#x} {int(t['reading']):#x} {gen_event}")
    for i, f in enumerate(s["fans"]):
        cmds.append(f"sensor_set_value {MC} 0 {FAN_BASE + i:#x} "
                    f"{int(f['reading']) // FAN_M:#x} {gen_event}")
    for i, p in enumerate(s["psus"]):
        n = PSU_BASE + i
        cmds.append(f"sensor_set_bit {MC} 0 {n:#x} 0 1 0")
        cmds.append(f"sensor_set_bit {MC} 0 {n:#x} 1 {1 if _psu_bits(p) == 'failed' else 0} "
                    f"{gen_event}")
    watts = min(255, int(s["power_consumed_watts"]) // WATT_M)
    cmds.append(f"sensor_set_value {MC} 0 {POWER_SENSOR:#x} {watts:#x} 0")
    return cmds


def emu(s: dict, fru_path: Path) -> str:
    major, minor = fw_bytes(s["bmc_firmware"])
    lines = [
        f"# generated for {s['host']} by lab/lablib/bmc/ipmi.py",
        f"mc_setbmc {MC}",
        # ipmb, device id, sdrs, device rev, FW major, FW minor (BCD), support, mfr, product
        f"mc_add {MC} 0x20 no-device-sdrs 0x01 {major:#x} {minor:#x} 0x9f 0x00b2a1 0x0640 persist_sdr",
        f"sel_enable {MC} 1000 0x0a",
    ]
    thr_event = "000111111000000"   # upper nc/c/nr going high (and low)
    low_event = "000000000111111"   # lower nc/c/nr going low/high
    for i, t in enumerate(s["temperatures"]):
        n = TEMP_BASE + i
        lines += [f"sensor_add {MC} 0 {n:#x} 0x01 0x01",
                  f"sensor_set_threshold {MC} 0 {n:#x} settable 111000 "
                  f"{t['unr']:#x} {t['uc']:#x} {t['unc']:#x} 0 0 0",
                  f"sensor_set_event_support {MC} 0 {n:#x} enable scanning per-state "
                  f"{thr_event} {thr_event} {thr_event} {thr_event}"]
    for i, f in enumerate(s["fans"]):
        n = FAN_BASE + i
        lines += [f"sensor_add {MC} 0 {n:#x} 0x04 0x01",
                  f"sensor_set_threshold {MC} 0 {n:#x} settable 000111 0 0 0 "
                  f"{f['lnr'] // FAN_M:#x} {f['lc'] // FAN_M:#x} {f['lnc'] // FAN_M:#x}",
                  f"sensor_set_event_support {MC} 0 {n:#x} enable scanning per-state "
                  f"{low_event} {low_event} {low_event} {low_event}"]
    psu_event = "000000000000011"
    for i, _p in enumerate(s["psus"]):
        n = PSU_BASE + i
        lines += [f"sensor_add {MC} 0 {n:#x} 0x08 0x6f",
                  f"sensor_set_event_support {MC} 0 {n:#x} enable scanning per-state "
                  f"{psu_event} {psu_event} {psu_event} {psu_event}"]
    lines.append(f"sensor_add {MC} 0 {POWER_SENSOR:#x} 0x0b 0x01")
    lines += value_cmds(s, 0)
    lines.append(f"mc_add_fru_data {MC} 0 {len(fru_bin(s)):#x} file 0 \"{fru_path}\"")
    lines.append(f"mc_enable {MC}")
    return "\n".join(lines) + "\n"


def lan_conf(host: str, port: int, username: str, password: str, chassis_cmd: str) -> str:
    return f"""# generated for {host} by lab/lablib/bmc/ipmi.py
name "{host}"
set_working_mc {MC}
  startlan 1
    addr 127.0.0.1 {port}
    priv_limit admin
    allowed_auths_callback md5
    allowed_auths_user md5
    allowed_auths_operator md5
    allowed_auths_admin md5
    guid "{scn.system_uuid(host).replace('-', '')[:16]}"
  endlan
  chassis_control "{chassis_cmd}"
  user 2 true "{username}" "{password}" admin 10 md5
console 127.0.0.1 {port}
"""


# ---- SEL records --------------------------------------------------------------------

def sel_record_cmd(kind: str) -> str:
    """A system event record (type 0x02) for ``sel_add``: 13 bytes after the type.

    bytes: timestamp(4, filled by the BMC) generator(2) evm-rev sensor-type
    sensor-num event-dir/type data1 data2 data3"""
    if kind == "memory_uce":      # Memory (0x0c), sensor-specific (0x6f), offset 1 = Uncorrectable ECC
        body = "0 0 0 0 0x20 0 0x04 0x0c 0x40 0x6f 0x01 0xff 0x01"
    else:
        raise ValueError(kind)
    return f"sel_add {MC} 0x02 {body}"


def rmcp_ping(port: int, timeout: float = 0.5) -> bool:
    """ASF presence ping (RMCP) on UDP 127.0.0.1:port; True on a pong."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendto(bytes([6, 0, 0xFF, 6, 0, 0, 0x11, 0xBE, 0x80, 0x01, 0, 0]),
                        ("127.0.0.1", port))
            data, _ = sock.recvfrom(512)
        except OSError:
            return False
    return len(data) > 8 and data[8] == 0x40


# ---- console --------------------------------------------------------------------------

def console(port: int, commands: list, timeout: float = 5.0) -> str:
    """Run ipmi_sim emulator commands through its console (TCP 127.0.0.1:port)."""
    out = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        out += _until_prompt(sock)
        for cmd in commands:
            sock.sendall(cmd.encode() + b"\n")
            out += _until_prompt(sock)
    text = out.decode(errors="replace")
    if "**" in text:
        raise RuntimeError(f"ipmi_sim console on {port}: {text.strip()[-400:]}")
    return text


def _until_prompt(sock) -> bytes:
    buf = b""
    deadline = time.monotonic() + 5
    while not buf.rstrip().endswith(b">") and time.monotonic() < deadline:
        chunk = sock.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf


def chassis_cmd(host: str, power_file: Path, labctl: Path, hook_log: Path) -> str:
    here = Path(__file__).resolve().parent / "ipmi_chassis.py"
    return f"{sys.executable} {here} {host} {power_file} {labctl} {hook_log}"
