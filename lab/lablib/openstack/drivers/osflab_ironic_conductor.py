"""Run ironic-conductor in ONE process (no cotyledon master + forked worker).

ironic-conductor's own main() hands the service to oslo.service's launcher,
which forks a worker under a master process (~2x the memory). Start the same
RPCService in this process instead and stop it on SIGTERM/SIGINT.

    python osflab_ironic_conductor.py --config-file ironic.conf
"""
import os
import signal
import sys
import threading
import traceback

from ironic.command import conductor as ironic_conductor
from ironic.common import service as ironic_service
from ironic.conductor import rpc_service
from oslo_config import cfg

CONF = cfg.CONF


def main() -> int:
    sys.argv[0] = "ironic-conductor"
    assert "ironic.conductor.manager" not in sys.modules   # see ironic.command.conductor
    ironic_service.prepare_service("ironic_conductor", sys.argv)
    ironic_service.ensure_rpc_transport(CONF)
    mgr = rpc_service.RPCService(CONF.host, "ironic.conductor.manager", "ConductorManager")
    ironic_conductor.issue_startup_warnings(CONF)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    try:
        mgr.start()
    except BaseException:
        # the JSON-RPC server thread may already run and would keep a plain exit waiting
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
    while not done.wait(1.0):
        pass
    mgr.stop()       # deregisters the conductor
    return 0


if __name__ == "__main__":
    rc = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(rc)     # worker/periodic threads that outlive stop() must not keep it up
