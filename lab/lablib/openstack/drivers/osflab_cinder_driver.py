"""Cinder volume driver for the lab: Cinder's fake driver plus file-backed
"disks" that can be listed as manageable, managed and unmanaged.

The disks live in a JSON file (``osflab_disks_file``, by default
<lab>/data/cinder-manageable.json)::

    {"cinder_host": "lab-storage@labfake#labfake",
     "disks": [{"name": "legacy-01-legacy-web-01-disk0", "size_gb": 10,
                "vm": "legacy-web-01", "source_host": "legacy-01",
                "cinder_id": null}, ...]}

``cinder_id`` is set while Cinder manages a disk. Unmanaging a volume (managed
or created in Cinder) puts it back on the list. Loaded through PYTHONPATH as
``osflab_cinder_driver.FileBackedFakeDriver``.
"""
import json
import os
import threading

from oslo_config import cfg
from oslo_log import log as logging

from cinder import exception
from cinder.tests import fake_driver
from cinder.volume import configuration
from cinder.volume import volume_utils

LOG = logging.getLogger(__name__)

OPTS = [cfg.StrOpt("osflab_disks_file", default="",
                   help="JSON file holding the lab's manageable disks")]
cfg.CONF.register_opts(OPTS, group=configuration.SHARED_CONF_GROUP)

_LOCK = threading.RLock()


class FileBackedFakeDriver(fake_driver.FakeLoggingVolumeDriver):
    VERSION = "1.0.0-osflab"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.configuration.append_config_values(OPTS)
        self.backend_name = (self.configuration.safe_get("volume_backend_name")
                             or "labfake")
        self._disks_file = (self.configuration.safe_get("osflab_disks_file")
                            or os.path.join(os.environ.get("OSFLAB_DIR", "."), "data",
                                            "cinder-manageable.json"))

    # ------------------------------------------------------------ the file
    def _load(self):
        try:
            with open(self._disks_file) as fh:
                data = json.load(fh)
        except FileNotFoundError:
            data = {}
        data.setdefault("disks", [])
        return data

    def _save(self, data):
        tmp = self._disks_file + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.write("\n")
        os.replace(tmp, self._disks_file)

    @staticmethod
    def _ref_name(existing_ref):
        if not isinstance(existing_ref, dict):
            return existing_ref
        return existing_ref.get("source-name") or existing_ref.get("source-id")

    def _find(self, data, existing_ref):
        name = self._ref_name(existing_ref)
        for disk in data["disks"]:
            if disk["name"] == name:
                return disk
        raise exception.ManageExistingInvalidReference(
            existing_ref=existing_ref, reason="no such disk on the lab backend")

    # -------------------------------------------------------------- stats
    def _update_volume_stats(self):
        super()._update_volume_stats()
        for pool in self._stats["pools"]:
            pool.update({"reserved_percentage": 0, "multiattach": True,
                         "thin_provisioning_support": True,
                         "max_over_subscription_ratio": 20.0})

    # ------------------------------------------------------------- manage
    def get_manageable_volumes(self, cinder_volumes, marker, limit, offset,
                               sort_keys, sort_dirs):
        with _LOCK:
            data = self._load()
        entries = []
        for disk in data["disks"]:
            managed = disk.get("cinder_id")
            extra = {k: disk[k] for k in ("source_host", "vm") if disk.get(k)}
            entries.append({
                "reference": {"source-name": disk["name"]},
                "size": int(disk.get("size_gb", 1)),
                "safe_to_manage": not managed,
                "reason_not_safe": "already managed" if managed else None,
                "cinder_id": managed or None,
                "extra_info": extra or None,
            })
        return volume_utils.paginate_entries_list(entries, marker, limit, offset,
                                                  sort_keys, sort_dirs)

    def get_manageable_snapshots(self, cinder_snapshots, marker, limit, offset,
                                 sort_keys, sort_dirs):
        return []

    def manage_existing_get_size(self, volume, existing_ref):
        with _LOCK:
            disk = self._find(self._load(), existing_ref)
        if disk.get("cinder_id"):
            raise exception.ManageExistingInvalidReference(
                existing_ref=existing_ref,
                reason=f"already managed as volume {disk['cinder_id']}")
        return int(disk.get("size_gb", 1))

    def manage_existing(self, volume, existing_ref):
        with _LOCK:
            data = self._load()
            disk = self._find(data, existing_ref)
            disk["cinder_id"] = volume.id
            self._save(data)
        LOG.info("managed lab disk %s as volume %s", disk["name"], volume.id)
        return {"provider_location": f"osflab:{disk['name']}"}

    def unmanage(self, volume):
        with _LOCK:
            data = self._load()
            for disk in data["disks"]:
                if disk.get("cinder_id") == volume.id:
                    disk["cinder_id"] = None
                    break
            else:
                data["disks"].append({"name": volume.name, "size_gb": volume.size,
                                      "cinder_id": None})
            self._save(data)
        LOG.info("unmanaged volume %s", volume.id)

    def delete_volume(self, volume):
        with _LOCK:
            data = self._load()
            kept = [d for d in data["disks"] if d.get("cinder_id") != volume.id]
            if len(kept) != len(data["disks"]):
                data["disks"] = kept
                self._save(data)
        return super().delete_volume(volume)
