# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""One TLS context per verification setting, shared by every Redfish connection of the process.

For each new HTTPS connection requests (2.34) has urllib3 build a fresh
SSLContext and load the CA bundle into it: about 20 ms of CPU. sushy asks
the BMC to close the connection after every request (some BMCs choke on
persistent connections), so that is every request: a scan of 200 BMCs made
1,400 of them and spent most of its time re-reading certifi's bundle.

:class:`SharedContextAdapter` gives urllib3 a context prepared once instead.
Verification does not change: the context is built from the same
``validate_certs`` / ``ca_path`` the request would have used (certifi's
bundle by default, as requests does; ``ca_path`` instead of it), with
hostname checking on whenever certificates are verified.
"""

from __future__ import annotations

import os
import ssl
import threading
from typing import Dict, Optional, Tuple

try:
    from requests.adapters import HTTPAdapter
    from requests.utils import DEFAULT_CA_BUNDLE_PATH, extract_zipped_paths
    from urllib3.util.ssl_ import create_urllib3_context

    HAS_REQUESTS = True
except ImportError:  # pragma: no cover - the Redfish backend reports the missing dependency
    HAS_REQUESTS = False
    HTTPAdapter = object

_CONTEXTS: Dict[Tuple, ssl.SSLContext] = {}
_LOCK = threading.Lock()


def _key(validate_certs: bool, ca_path: Optional[str]) -> Tuple:
    if not validate_certs:
        return (False,)
    if not ca_path:
        return (True, None)
    try:
        changed = os.stat(ca_path).st_mtime_ns  # a CA file rewritten in a long-lived process is re-read
    except OSError:
        changed = None
    return (True, ca_path, changed)


def build_context(validate_certs: bool, ca_path: Optional[str] = None) -> ssl.SSLContext:
    """A new client context: urllib3's defaults, verifying against ``ca_path`` or certifi's bundle."""
    if not validate_certs:
        return create_urllib3_context(cert_reqs=ssl.CERT_NONE)
    context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)  # check_hostname on
    where = ca_path or extract_zipped_paths(DEFAULT_CA_BUNDLE_PATH)
    if os.path.isdir(where):
        context.load_verify_locations(capath=where)
    else:
        context.load_verify_locations(cafile=where)
    return context


def tls_context(validate_certs: bool, ca_path: Optional[str] = None) -> ssl.SSLContext:
    """The process's context for these settings, built on first use. Raises OSError/ssl.SSLError for a bad
    ``ca_path``."""
    key = _key(validate_certs, ca_path)
    with _LOCK:
        context = _CONTEXTS.get(key)
        if context is None:
            context = _CONTEXTS[key] = build_context(validate_certs, ca_path)
    return context


class SharedContextAdapter(HTTPAdapter):
    """HTTPS through one prepared SSLContext, with requests' per-connection CA loading turned off.

    The context alone decides verification; ``verify`` as passed to requests is not consulted, so mount
    this adapter only with the context built from the same settings (:func:`tls_context`)."""

    def __init__(self, context: ssl.SSLContext, **kwargs) -> None:
        """``kwargs`` go to HTTPAdapter (``max_retries``: the Redfish session's Retry)."""
        self.context = context
        self._cert_reqs = "CERT_NONE" if context.verify_mode == ssl.CERT_NONE else "CERT_REQUIRED"
        super().__init__(**kwargs)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):  # pylint: disable=arguments-differ
        pool_kwargs["ssl_context"] = self.context
        super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        pool_kwargs.pop("ca_certs", None)
        pool_kwargs.pop("ca_cert_dir", None)
        pool_kwargs["cert_reqs"] = self._cert_reqs  # urllib3 sets it on the context: keep it what it is
        return host_params, pool_kwargs

    def cert_verify(self, conn, url, verify, cert):
        conn.cert_reqs = self._cert_reqs
        conn.ca_certs = None
        conn.ca_cert_dir = None
