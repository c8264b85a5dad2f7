# -*- coding: utf-8 -*-
"""A small Redfish server on loopback serving recorded lab documents, for the transport tests.

It implements what the backend relies on: the service root without auth,
SessionService login/logout (counted, to catch leaked sessions), basic auth,
ComputerSystem.Reset and Boot PATCH, and scripted HTTP 503 answers with
Retry-After.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def load(name: str):
    return json.loads((FIXTURES / name).read_text())


class FakeRedfish:
    def __init__(self, docs, username="admin", password="secret"):
        self.docs = {k.rstrip("/") or "/": v for k, v in docs.items()}
        self.username, self.password = username, password
        self.sessions = {}
        self.sessions_created = 0
        self.requests = []
        self.busy = []  # scripted answers: (status, retry_after) popped per GET
        self.delay = 0.0
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body=None, headers=()):
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers:
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self):
                tok = self.headers.get("X-Auth-Token")
                if tok:
                    return tok in fake.sessions
                auth = self.headers.get("Authorization", "")
                if auth.startswith("Basic "):
                    import base64
                    user, _sep, pw = base64.b64decode(auth[6:]).decode().partition(":")
                    return (user, pw) == (fake.username, fake.password)
                return False

            def _body(self):
                n = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(n) or b"{}")

            def do_GET(self):
                path = self.path.rstrip("/") or "/"
                fake.requests.append(("GET", path))
                if fake.delay:
                    time.sleep(fake.delay)
                with fake.lock:
                    scripted = fake.busy.pop(0) if fake.busy else None
                if scripted:
                    status, retry = scripted
                    return self._send(status, {"error": {"message": "busy"}},
                                      [("Retry-After", str(retry))] if retry is not None else [])
                if path != "/redfish/v1" and not self._authorised():
                    return self._send(401, {"error": {"message": "unauthorised"}})
                if path == "/redfish/v1/SessionService/Sessions":
                    return self._send(200, {"Members": [{"@odata.id": "%s/%s" % (path, s)}
                                                        for s in fake.sessions.values()]})
                if path not in fake.docs:
                    return self._send(404, {"error": {"message": "not found"}})
                return self._send(200, fake.docs[path])

            def do_POST(self):
                path = self.path.rstrip("/")
                fake.requests.append(("POST", path))
                body = self._body()
                if path == "/redfish/v1/SessionService/Sessions":
                    if (body.get("UserName"), body.get("Password")) != (fake.username, fake.password):
                        return self._send(401, {"error": {"message": "bad credentials"}})
                    with fake.lock:
                        fake.sessions_created += 1
                        sid = str(fake.sessions_created)
                        tok = "tok-" + sid
                        fake.sessions[tok] = sid
                    return self._send(201, {"Id": sid}, [("X-Auth-Token", tok),
                                                         ("Location", "%s/%s" % (path, sid))])
                if not self._authorised():
                    return self._send(401, {"error": {"message": "unauthorised"}})
                if path.endswith("/Actions/ComputerSystem.Reset"):
                    system = fake.docs[path.rsplit("/Actions", 1)[0]]
                    kind = body.get("ResetType")
                    system["PowerState"] = "Off" if kind in ("ForceOff", "GracefulShutdown") else "On"
                    fake.requests.append(("RESET", kind))
                    return self._send(204)
                return self._send(404, {"error": {"message": "no such action"}})

            def do_PATCH(self):
                path = self.path.rstrip("/")
                fake.requests.append(("PATCH", path))
                if not self._authorised():
                    return self._send(401, {"error": {"message": "unauthorised"}})
                body = self._body()
                fake.docs[path].setdefault("Boot", {}).update(body.get("Boot", {}))
                return self._send(204)

            def do_DELETE(self):
                path = self.path.rstrip("/")
                fake.requests.append(("DELETE", path))
                with fake.lock:
                    for tok, sid in list(fake.sessions.items()):
                        if path.endswith("/Sessions/" + sid):
                            del fake.sessions[tok]
                            return self._send(204)
                return self._send(404, {"error": {"message": "no session"}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.handle_error = lambda request, client_address: None  # clients that gave up
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def address(self, system_path=None):
        system_path = system_path or next(p for p in self.docs if "/Systems/" in p and p.count("/") == 4)
        return "redfish+http://127.0.0.1:%d%s" % (self.port, system_path)


@pytest.fixture
def fake_redfish():
    docs = load("redfish_raw_healthy.json")
    fake = FakeRedfish(docs)
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
