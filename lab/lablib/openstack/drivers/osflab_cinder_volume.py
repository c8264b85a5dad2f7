"""Run cinder-volume in ONE process (its one backend served in the main process).

cinder-volume forks one child per backend under a ProcessLauncher parent
(~125 MiB each); the lab has one backend, so use a ServiceLauncher instead.

    python osflab_cinder_volume.py --config-file cinder.conf
"""
import sys

from cinder.cmd import volume  # applies cinder's monkey patching first

from oslo_config import cfg  # noqa: E402
from oslo_service import service as oslo_service  # noqa: E402

volume.service.process_launcher = lambda: oslo_service.ServiceLauncher(cfg.CONF)

if __name__ == "__main__":
    sys.argv[0] = "cinder-volume"
    sys.exit(volume.main())
