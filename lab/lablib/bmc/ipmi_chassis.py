#!/usr/bin/env python3
"""ipmi_sim ``chassis_control`` program of a lab IPMI BMC (stdlib only).

    ipmi_chassis.py HOST POWER_FILE LABCTL HOOK_LOG get [power|boot ...]
    ipmi_chassis.py HOST POWER_FILE LABCTL HOOK_LOG set [power 0|1] [reset 1] [boot X]

ipmi_sim appends ``get ...`` / ``set ...``. Power state lives in POWER_FILE
("1"/"0"). A change of power runs ``LABCTL compute stop|start HOST`` in the
background with its output in HOOK_LOG; the BMC never waits for it and a
failing labctl never fails the IPMI command.
"""
import os
import subprocess
import sys
import time


def spawn(argv, host, what, log_path):
    try:
        with open(log_path, "ab") as log:
            log.write(f"--- {time.strftime('%Y-%m-%dT%H:%M:%S')} {host} IPMI {what}: "
                      f"{' '.join(argv)}\n".encode())
            log.flush()
            subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    except Exception as exc:  # never fail the BMC command
        sys.stderr.write(f"hook failed: {exc}\n")


def main(argv):
    host, power_file, labctl, log_path, op = argv[:5]
    args = argv[5:]
    try:
        power = open(power_file).read().strip() or "1"
    except OSError:
        power = "1"
    if op == "get":
        for parm in args:
            if parm == "power":
                print(f"power:{power}")
            elif parm == "boot":
                print("boot:default")
        return 0
    if op == "set":
        while args:
            parm, val = args[0], (args[1] if len(args) > 1 else "")
            args = args[2:]
            if parm == "identify":      # identify takes interval and force
                args = args[1:]
                continue
            if parm == "power" and val in ("0", "1") and val != power:
                with open(power_file, "w") as fh:
                    fh.write(val)
                power = val
                action = "start" if val == "1" else "stop"
                spawn([labctl, "compute", action, host], host, f"power {val}", log_path)
            elif parm == "reset" and val == "1":
                spawn(["/bin/sh", "-c", f'"{labctl}" compute stop {host} && '
                       f'"{labctl}" compute start {host}'], host, "reset", log_path)
        return 0
    print(f"Unknown operation: {op}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
