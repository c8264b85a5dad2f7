"""Run nova-conductor or nova-scheduler in ONE process (no forked worker).

With ``workers = 1`` oslo.service still forks a master plus one worker (~125 MiB
each); like nova-compute, serve in the main process instead.

    python osflab_nova_service.py conductor|scheduler --config-file nova.conf
"""
import importlib
import sys

which = sys.argv.pop(1)
cmd = importlib.import_module(f"nova.cmd.{which}")   # applies nova's monkey patching first

from nova import service  # noqa: E402

_serve = service.serve


def _serve_no_fork(server, workers=None, no_fork=False):
    return _serve(server, workers=1, no_fork=(workers or 1) <= 1 or no_fork)


service.serve = _serve_no_fork

if __name__ == "__main__":
    sys.argv[0] = f"nova-{which}"
    sys.exit(cmd.main())
