# -*- coding: utf-8 -*-
"""A small Redfish server on loopback serving recorded lab documents, for the transport tests.

It implements what the backend relies on: the service root without auth,
SessionService login/logout (counted, to catch leaked sessions), basic auth,
ComputerSystem.Reset and Boot PATCH, and scripted HTTP 503 answers with
Retry-After. ``handlers`` serves what a test makes up as it goes (firmware
update tasks: fake_update_service.py).
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
    def __init__(self, docs, username="admin", password="secret", tls=None):
        self.docs = {k.rstrip("/") or "/": v for k, v in docs.items()}
        self.username, self.password = username, password
        self.sessions = {}
        self.sessions_created = 0
        self.requests = []
        self.busy = []  # scripted answers: (status, retry_after) popped per GET
        self.busy_post = []  # the same, popped per POST
        self.delay = 0.0  # seconds before each GET that is not a scripted answer
        self.raw = {}  # path -> (status, content type, body bytes): answered as is, before any auth check
        self.failed_logins = 0  # refused session logins and refused Basic credentials
        self.ignore_reset = False  # accept ComputerSystem.Reset but leave the power state as it was
        self.expand = True  # honour $expand on collections (the root says whether the client may ask)
        self.refuse_expand = False  # answer 501 to any request with $expand
        self.handlers = {}  # (method, path) -> fn(body) -> (status, doc, headers): dynamic resources (tasks)
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

            def _busy(self, status, retry):
                return self._send(status, {"error": {"message": "busy"}},
                                  [("Retry-After", str(retry))] if retry is not None else [])

            def _authorised(self):
                tok = self.headers.get("X-Auth-Token")
                if tok:
                    return tok in fake.sessions
                auth = self.headers.get("Authorization", "")
                if auth.startswith("Basic "):
                    import base64
                    user, _sep, pw = base64.b64decode(auth[6:]).decode().partition(":")
                    if (user, pw) != (fake.username, fake.password):
                        fake.failed_logins += 1
                        return False
                    return True
                return False

            def _body(self):
                n = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(n) or b"{}")

            def do_GET(self):
                base, _sep, query = self.path.partition("?")
                base = base.rstrip("/") or "/"
                params = [q for q in query.split("&") if q]
                expand = any(q.startswith("$expand") for q in params)
                rest = [q for q in params if not q.startswith("$expand")]
                path = base + ("?" + "&".join(rest) if rest else "")
                fake.requests.append(("GET", base + ("?" + query if query else "")))
                if base in fake.raw:
                    status, ctype, data = fake.raw[base]
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return None
                with fake.lock:
                    scripted = fake.busy.pop(0) if fake.busy else None
                if scripted:
                    return self._busy(*scripted)
                if fake.delay:
                    time.sleep(fake.delay)
                if path != "/redfish/v1" and not self._authorised():
                    return self._send(401, {"error": {"message": "unauthorised"}})
                if ("GET", path) in fake.handlers:
                    return self._send(*fake.handlers[("GET", path)](None))
                if path == "/redfish/v1/SessionService/Sessions":
                    return self._send(200, {"Members": [{"@odata.id": "%s/%s" % (path, s)}
                                                        for s in fake.sessions.values()]})
                if path not in fake.docs:
                    return self._send(404, {"error": {"message": "not found"}})
                if expand and fake.refuse_expand:
                    return self._send(501, {"error": {"code": "Base.1.0.NotImplemented", "message": "no $expand"}})
                doc = fake.docs[path]
                if expand and fake.expand and isinstance(doc.get("Members"), list):
                    doc = dict(doc, Members=[fake.docs.get(str(m.get("@odata.id") or "").rstrip("/"), m)
                                             if isinstance(m, dict) else m for m in doc["Members"]])
                return self._send(200, doc)

            def do_POST(self):
                path = self.path.rstrip("/")
                fake.requests.append(("POST", path))
                body = self._body()
                with fake.lock:
                    scripted = fake.busy_post.pop(0) if fake.busy_post else None
                if scripted:
                    return self._busy(*scripted)
                if path == "/redfish/v1/SessionService/Sessions":
                    if (body.get("UserName"), body.get("Password")) != (fake.username, fake.password):
                        fake.failed_logins += 1
                        if "unauthorised_body" in fake.raw:
                            status, ctype, data = fake.raw["unauthorised_body"]
                            self.send_response(401)
                            self.send_header("Content-Type", ctype)
                            self.send_header("Content-Length", str(len(data)))
                            self.end_headers()
                            self.wfile.write(data)
                            return None
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
                if ("POST", path) in fake.handlers:
                    return self._send(*fake.handlers[("POST", path)](body))
                if path.endswith("/Actions/ComputerSystem.Reset"):
                    system = fake.docs[path.rsplit("/Actions", 1)[0]]
                    kind = body.get("ResetType")
                    if not fake.ignore_reset:
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
        self.scheme = "http"
        if tls is not None:  # an ssl.SSLContext: serve HTTPS, handshake in the handler thread
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True,
                                                 do_handshake_on_connect=False)
            self.scheme = "https"
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def address(self, system_path=None):
        system_path = system_path or next(p for p in self.docs if "/Systems/" in p and p.count("/") == 4
                                          and "?" not in p)
        return "redfish+%s://127.0.0.1:%d%s" % (self.scheme, self.port, system_path)


@pytest.fixture
def fake_redfish():
    docs = load("redfish_raw_healthy.json")
    fake = FakeRedfish(docs)
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def self_signed_cert(directory: Path, name: str, san_ip: str = None, san_dns: str = None):
    """A self-signed certificate and key (PEM files) for ``name``; returns (cert path, key path)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    alt = [x509.IPAddress(ipaddress.ip_address(san_ip))] if san_ip else []
    alt += [x509.DNSName(san_dns)] if san_dns else []
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / ("%s.crt" % name), directory / ("%s.key" % name)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def https_redfish(tmp_path):
    """https_redfish(cert_name="bmc", san_ip="127.0.0.1", san_dns=None) -> (FakeRedfish over TLS, cert path)."""
    import ssl

    started = []

    def _start(cert_name="bmc", san_ip="127.0.0.1", san_dns=None):
        cert, key = self_signed_cert(tmp_path, cert_name, san_ip, san_dns)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(cert), str(key))
        fake = FakeRedfish(load("redfish_raw_healthy.json"), tls=ctx)
        fake.thread.start()
        started.append(fake)
        return fake, str(cert)
    yield _start
    for fake in started:
        fake.server.shutdown()
        fake.server.server_close()
