"""nova-compute launcher for the lab: Nova's fake driver with its gaps patched.

``compute_driver`` only accepts classes under ``nova.virt``, so behaviour changes
are made here, before ``nova.cmd.compute.main`` runs:

* post_live_migration destroys the instance on the source (otherwise the source
  keeps it and a later migration back fails with "already exists");
* get_host_uptime answers (hypervisor list/uptime tracebacks otherwise);
* init_host re-creates the fake guests of the instances Nova has on this host
  (fake VMs live in memory: without this a restarted compute leaves its
  servers NOSTATE until hard-rebooted);
* snapshot uploads a few bytes so the image goes ``active`` (the stock fake
  leaves it ``queued`` and unshelve breaks).

Run as: python osflab_nova_compute.py --config-file nova.conf --config-file compute-X.conf
"""
from nova.cmd import compute  # noqa: E402  (applies nova's monkey patching first)

import io  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from oslo_log import log as logging  # noqa: E402

from nova.virt import fake  # noqa: E402

LOG = logging.getLogger('osflab_nova_compute')

_STARTED = time.time()


def _post_live_migration(self, context, instance, block_device_info, migrate_data=None):
    if instance.uuid in self.instances:
        self.destroy(context, instance, None, block_device_info, destroy_disks=False)


def _get_host_uptime(self):
    up = int(time.time() - _STARTED)
    days, rem = divmod(up, 86400)
    return (time.strftime(" %H:%M:%S") +
            f" up {days} days, {rem // 3600:2d}:{rem % 3600 // 60:02d},  0 users,  "
            "load average: 0.05, 0.03, 0.01")


def _snapshot(self, context, instance, image_id, update_task_state):
    from nova.compute import task_states
    from nova import exception
    from nova.image import glance
    if instance.uuid not in self.instances:
        raise exception.InstanceNotRunning(instance_id=instance.uuid)
    update_task_state(task_state=task_states.IMAGE_UPLOADING)
    meta = {"disk_format": "raw", "container_format": "bare"}
    glance.API().update(context, image_id, meta, data=io.BytesIO(b"\0" * 4096),
                        purge_props=False)


_orig_init_host = fake.FakeDriver.init_host


def _init_host(self, host):
    _orig_init_host(self, host)
    from nova import context as nova_context
    from nova import objects
    from nova.compute import power_state, vm_states
    running = {vm_states.ACTIVE, vm_states.PAUSED, vm_states.SUSPENDED, vm_states.RESCUED,
               vm_states.RESIZED}
    stopped = {vm_states.STOPPED}
    try:
        ctx = nova_context.get_admin_context()
        insts = objects.InstanceList.get_by_host(ctx, host, expected_attrs=["flavor"])
    except Exception:  # never block the compute from starting
        LOG.exception("osflab: cannot list instances of %s", host)
        return
    for inst in insts:
        if inst.vm_state in running:
            state = power_state.RUNNING
        elif inst.vm_state in stopped:
            state = power_state.SHUTDOWN
        else:
            continue
        if inst.uuid not in self.instances:
            self.instances[inst.uuid] = fake.FakeInstance(inst.name, state, inst.uuid)
            fl = inst.flavor
            self.resources.claim(vcpus=fl.vcpus, mem=fl.memory_mb, disk=fl.root_gb)
    LOG.info("osflab: %d fake guests restored on %s", len(self.instances), host)


fake.FakeDriver.init_host = _init_host
fake.FakeDriver.post_live_migration = _post_live_migration
fake.FakeDriver.get_host_uptime = _get_host_uptime
fake.FakeDriver.snapshot = _snapshot

if __name__ == "__main__":
    sys.argv[0] = "nova-compute"
    sys.exit(compute.main())
