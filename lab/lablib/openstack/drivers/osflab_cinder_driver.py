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

Volume *data* is a few bytes per volume, so upload-to-image and volume-from-image
work: a volume's bytes are ``osflab volume <id>\n`` until something is written
(an image copied in, or the bytes of the snapshot or volume it was made from),
kept in ``<dir of osflab_disks_file>/volume-data/<volume or snapshot id>``.
Snapshots and clones copy their source's bytes, so a volume made from a
snapshot uploads the same bytes as the original volume had when snapshotted.
"""
import io
import json
import os
import threading

from oslo_config import cfg
from oslo_log import log as logging

from cinder import exception
from cinder.tests import fake_driver
from cinder.volume import configuration
from cinder.volume import volume_utils

MAX_DATA = 1 << 20  # a lab image copied into a volume is kept up to 1 MiB

LOG = logging.getLogger(__name__)

OPTS = [cfg.StrOpt("osflab_disks_file", default="",
                   help="JSON file holding the lab's manageable disks"),
        cfg.IntOpt("osflab_total_capacity_gb", default=0,
                   help="report a pool of this size (free = size - what the backend's volumes take); "
                        "0: 'infinite', as Cinder's fake driver reports")]
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

    # --------------------------------------------------------- volume data
    def _data_path(self, res_id):
        return os.path.join(os.path.dirname(os.path.abspath(self._disks_file)), "volume-data", res_id)

    def _read_data(self, res_id):
        try:
            with open(self._data_path(res_id), "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            return ("osflab volume %s\n" % res_id).encode()

    def _write_data(self, res_id, data):
        path = self._data_path(res_id)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "wb") as fh:
            fh.write(data)
        os.replace(path + ".tmp", path)

    def _drop_data(self, res_id):
        try:
            os.unlink(self._data_path(res_id))
        except FileNotFoundError:
            pass

    def create_snapshot(self, snapshot):
        super().create_snapshot(snapshot)
        self._write_data(snapshot.id, self._read_data(snapshot.volume_id))

    def delete_snapshot(self, snapshot):
        super().delete_snapshot(snapshot)
        self._drop_data(snapshot.id)

    def create_volume_from_snapshot(self, volume, snapshot):
        super().create_volume_from_snapshot(volume, snapshot)
        self._write_data(volume.id, self._read_data(snapshot.id))

    def create_cloned_volume(self, volume, src_vref):
        super().create_cloned_volume(volume, src_vref)
        self._write_data(volume.id, self._read_data(src_vref["id"]))

    def copy_volume_to_image(self, context, volume, image_service, image_meta):
        """Upload the volume's bytes (raw only: there is no qemu-img conversion here)."""
        if image_meta.get("disk_format") != "raw":
            raise exception.ImageUnacceptable(
                image_id=image_meta.get("id"),
                reason="the lab backend uploads disk_format raw only")
        volume_utils.upload_volume(context, image_service, image_meta, self._data_path(volume.id), volume,
                                   run_as_root=False, volume_fd=io.BytesIO(self._read_data(volume.id)))

    def copy_image_to_volume(self, context, volume, image_service, image_id, disable_sparse=False):
        data = bytearray()
        for chunk in image_service.download(context, image_id):
            data += chunk
            if len(data) > MAX_DATA:
                raise exception.ImageTooBig(image_id=image_id,
                                            reason="the lab backend keeps at most %d bytes" % MAX_DATA)
        self._write_data(volume.id, bytes(data))

    # -------------------------------------------------------------- stats
    def _update_volume_stats(self):
        super()._update_volume_stats()
        for pool in self._stats["pools"]:
            pool.update({"reserved_percentage": 0, "multiattach": True,
                         "thin_provisioning_support": True,
                         "max_over_subscription_ratio": 20.0})
            size = self.configuration.safe_get("osflab_total_capacity_gb") or 0
            if size > 0:
                # thin and a few bytes per volume: physically the pool stays free; what is allocated and
                # provisioned on it Cinder's volume manager counts and reports itself
                pool.update({"total_capacity_gb": size, "free_capacity_gb": size})

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
        self._drop_data(volume.id)
        return super().delete_volume(volume)
