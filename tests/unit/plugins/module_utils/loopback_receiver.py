# -*- coding: utf-8 -*-
"""A webhook receiver on loopback that checks signatures the way a project's receiver would."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.webhook import verify


class Receiver:
    """Records every POST; ``secrets`` maps the URL path (a project) to its secret; ``status`` is the answer."""

    def __init__(self, secrets: Optional[Dict[str, str]] = None, status: int = 204, delay: float = 0.0) -> None:
        self.secrets = dict(secrets or {})
        self.status = status
        self.delay = delay
        self.notices: List[Dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                project = self.path.strip("/")
                secret = outer.secrets.get(project)
                ok = secret is not None and verify(secret, self.headers.get("X-Osfleet-Timestamp", ""), body,
                                                   self.headers.get("X-Osfleet-Signature", ""))
                outer.notices.append({"project": project, "verified": ok, "headers": dict(self.headers),
                                      "event": self.headers.get("X-Osfleet-Event"),
                                      "delivery": self.headers.get("X-Osfleet-Delivery"),
                                      "raw": body, "body": json.loads(body)})
                if outer.delay:
                    time.sleep(outer.delay)
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d/" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def events(self, project: Optional[str] = None, window: Optional[str] = None) -> List[str]:
        """Event types received, for one project and/or one window (a project's webhook hears every window)."""
        return [n["event"] for n in self.notices if (project is None or n["project"] == project)
                and (window is None or n["body"].get("window", {}).get("name") == window)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
