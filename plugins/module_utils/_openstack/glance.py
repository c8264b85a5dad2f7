# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Glance (image): the private images quarantine keeps its records and evidence in.

openstacksdk proxy calls (``conn.image``) returning SDK Image and Member
objects; waits are the SDK's ``wait_for_status``. Glance has no
microversions. Data is hashed by us over what Glance hands out
(:meth:`Glance.sha256`), never taken from Glance's own checksum fields.
"""

from __future__ import annotations

import hashlib
from typing import Any, Dict, Iterable, List, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError, NotFoundError
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.errors import (
    api_call,
    raise_for_response,
    request_id,
)
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.listing import list_json

try:
    from openstack.image.v2.image import Image
except ImportError:  # pragma: no cover - exercised by the import sanity test
    Image = None

#: bytes read at a time when hashing an image
CHUNK = 1 << 20


class Glance:
    """Glance seen through one connection's image proxy."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.image = conn.image

    def images_named(self, name: str) -> List[Any]:
        """The images of exactly this name (that the credentials see)."""
        with api_call("list images", name):
            return [i for i in self.image.images(name=name) if i.name == name]

    def get_image(self, image_id: str) -> Any:
        with api_call("get image", image_id):
            return self.image.get_image(image_id)

    def delete_image(self, image_id: str) -> None:
        """Delete the image; one already gone is not an error."""
        with api_call("delete image", image_id):
            self.image.delete_image(image_id, ignore_missing=True)

    def add_tag(self, image_id: str, tag: str) -> None:
        """Tag the image (Glance keeps a tag once: adding it again changes nothing)."""
        with api_call("tag image %s" % tag, image_id):
            self.image.add_tag(image_id, tag)

    def remove_tag(self, image_id: str, tag: str) -> None:
        """Untag the image; a tag (or an image) already gone is not an error."""
        try:
            with api_call("untag image %s" % tag, image_id):
                self.image.remove_tag(image_id, tag)
        except NotFoundError:
            return

    def upload_image(self, name: str, data: bytes, tags: Iterable[str], timeout: int = 300) -> Any:
        """A private raw/bare image holding ``data``, once it is active.

        Created, then its data PUT (one request each; no listing for
        duplicates: names are ours). The SDK's ``wait=True`` does not wait on
        that path, so the wait is ours: the image the SDK returns is the one
        the POST answered (``queued``), and Glance has it active once the PUT
        is answered, so it is one more look in the usual case.
        """
        with api_call("upload image", name):
            image = self.image.create_image(name=name, data=data, disk_format="raw", container_format="bare",
                                            visibility="private", tags=list(tags), allow_duplicates=True,
                                            timeout=timeout)
        if image.status == "active":
            return image
        return self.wait_for_active(image.id, timeout)

    def download(self, image_id: str) -> bytes:
        """The image's data, checked against the ``Content-MD5`` Glance sends with it.

        Streamed for the same reason as :meth:`sha256`: unstreamed, the SDK
        hashes whatever came back before anyone looks at the status, and an
        error page fails as "checksum mismatch" instead of naming the error.
        """
        with api_call("download image", image_id):
            response = self.image.download_image(image_id, stream=True)
            raise_for_response(response, "download image", image_id)
            data = response.content
        expected = response.headers.get("Content-MD5")
        if expected and hashlib.md5(data, usedforsecurity=False).hexdigest() != expected:
            raise CloudError("download image (%s) failed: the data does not match Glance's checksum %s"
                             % (image_id, expected), call="download image", resource=image_id,
                             status_code=response.status_code, request_id=request_id(response))
        return data

    def sha256(self, image_id: str) -> Tuple[str, int]:
        """SHA-256 and size of the data Glance hands out now, streamed (not its own checksum fields).

        The SDK's download does not look at the status of the data request:
        streamed, a 404 or 503 page would come back as the image's data and
        be hashed as evidence. So the status is checked here first.
        """
        digest = hashlib.sha256()
        size = 0
        with api_call("download image", image_id):
            response = self.image.download_image(image_id, stream=True)
            raise_for_response(response, "download image", image_id)
            for chunk in response.iter_content(chunk_size=CHUNK):
                digest.update(chunk)
                size += len(chunk)
        return digest.hexdigest(), size

    def set_visibility(self, image_id: str, visibility: str) -> Any:
        with api_call("set image visibility %s" % visibility, image_id):
            return self.image.update_image(image_id, visibility=visibility)

    def members(self, image_id: str) -> List[Any]:
        with api_call("list image members", image_id):
            return list(self.image.members(image_id))

    def add_member(self, image_id: str, project_id: str) -> Any:
        with api_call("add image member", "%s for %s" % (image_id, project_id)):
            return self.image.add_member(image_id, member=project_id)

    def accept_member(self, image_id: str, project_id: str) -> Any:
        with api_call("accept image member", "%s for %s" % (image_id, project_id)):
            return self.image.update_member(project_id, image_id, status="accepted")

    def wait_for_active(self, image_id: str, timeout: int,
                        failures: Iterable[str] = ("killed", "deleted", "deactivated"), interval: float = 2) -> Any:
        """The image once active; CloudError naming it when it fails or time runs out."""
        with api_call("wait for image active", image_id):
            return self.image.wait_for_status(Image.existing(id=image_id), "active", failures=list(failures),
                                              interval=interval, wait=timeout)

    def list_images_json(self, page_size: int = 1000) -> List[Dict[str, Any]]:
        """Every image the credentials see, raw JSON (custom properties at the top level, as Glance gives them).

        ``member_status=all`` so shared images are listed whatever their members answered."""
        return list_json(self.image, "/images", "images", "list images", params={"member_status": "all"},
                         page_size=page_size)

    def list_images_visible_json(self, visibility: str, page_size: int = 1000) -> List[Dict[str, Any]]:
        """The images of one ``visibility`` (``public``, ``community``...): what every project of the site can boot."""
        return list_json(self.image, "/images", "images", "list %s images" % visibility,
                         params={"visibility": visibility}, page_size=page_size)
