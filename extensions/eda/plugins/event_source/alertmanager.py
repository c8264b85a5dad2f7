# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""osfleet.day2.alertmanager: Alertmanager webhooks into ansible-rulebook, authenticated.

ansible.eda's own alertmanager source takes any request from anyone and copies every request
header (an Authorization header included) into the event, where it ends up in the extra vars
of every playbook the rulebook starts. This one refuses to run without authentication, checks
a bearer token and/or an HMAC signature in constant time, serves TLS (and client certificates)
when configured, validates the webhook payload (version 4) before anything reaches the rules,
and never puts a request header into an event.

ansible-rulebook loads a source plugin with ``runpy.run_path``, outside the collection's
package, so this file imports nothing of osfleet.day2: it is self-contained by design.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import re
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit, urlunsplit

from aiohttp import web

DOCUMENTATION = r"""
---
short_description: Receive Alertmanager webhooks (payload version 4), authenticated.
description:
  - An ansible-rulebook event source plugin for Prometheus Alertmanager's webhook receiver.
  - Every request must be authenticated, by a shared bearer token (C(Authorization: Bearer <token>),
    what Alertmanager's C(http_config.authorization) sends), by an HMAC-SHA256 signature of the
    raw body (for a relay in front of Alertmanager, which cannot sign), or by both. The plugin
    refuses to start with neither, unless O(insecure_no_auth=true).
  - Failed authentication answers 401 with the body C(unauthorized) and nothing else; the reason
    is logged on the rulebook side only. A body that is not an Alertmanager version 4 payload
    answers 400 naming the first missing or wrong field; a body over O(max_body_bytes) answers 413.
    An accepted payload answers 202.
  - No request header is ever copied into an event. URLs in the payload (C(externalURL),
    C(generatorURL)) lose any user:password part before they reach the event.
  - "Events: with O(events=payload) one event per webhook, C({alertmanager: <payload>, osfleet: {...}, meta: {...}}),
    with O(events=alerts) one event per alert, C({alertmanager: <group fields, no alerts[]> + alert, alertIndex, alertCount},
    osfleet: {...}, meta: {...}}). C(osfleet) carries C(hosts) (the host label values, sorted),
    C(host_key) (them joined by a comma, empty when no alert has a host label), C(firing), C(resolved)
    (alert counts) and C(dedup_key) (a digest that is the same for a re-delivery of the same state).
    C(meta) carries C(received_at) and C(source.type) C(osfleet.day2.alertmanager); ansible-rulebook
    adds C(source.name) and C(uuid). See docs/eda.md."
  - GET /healthz answers 200 C(ok) without authentication, so a supervisor can wait for the
    listener (ansible-rulebook's JVM takes seconds to start).
options:
  host:
    description:
      - The address to listen on. Use 0.0.0.0 (or ::) to listen on every interface, and then use TLS.
    type: str
    default: "127.0.0.1"
  port:
    description:
      - The TCP port to listen on. 0 picks a free port (logged).
    type: int
    default: 5000
  path:
    description:
      - The URL path Alertmanager posts to; any other path answers 404.
    type: str
    default: "/alerts"
  token:
    description:
      - The shared bearer token. A request must carry C(Authorization: Bearer <token>).
      - An empty string means unset (so a rulebook can default it from a variable).
    type: str
  token_file:
    description:
      - Read the token from this file (surrounding whitespace stripped) instead of O(token),
        like Alertmanager's C(credentials_file).
    type: path
  hmac_secret:
    description:
      - The shared HMAC secret. A request must carry O(hmac_header) with the hex
        HMAC-SHA256 of the raw request body under this key, as C(sha256=<hex>) (a bare C(<hex>) is
        also accepted). With O(token) as well, both must be right.
    type: str
  hmac_secret_file:
    description:
      - Read the HMAC secret from this file (surrounding whitespace stripped) instead of O(hmac_secret).
    type: path
  hmac_header:
    description:
      - The request header that carries the signature.
    type: str
    default: "X-Osfleet-Alert-Signature"
  certfile:
    description:
      - PEM certificate (chain) to serve HTTPS with. Without it the plugin speaks plain HTTP.
    type: path
  keyfile:
    description:
      - PEM private key of O(certfile), when it is not in O(certfile).
    type: path
  password:
    description:
      - Password of an encrypted O(keyfile).
    type: str
  cafile:
    description:
      - PEM CA bundle; when set, a client must present a certificate signed by it (mutual TLS).
        Needs O(certfile).
    type: path
  max_body_bytes:
    description:
      - Bodies larger than this answer 413 without being read.
      - Alertmanager sends every alert of a group in each webhook; set C(max_alerts) on the
        receiver to bound a payload.
    type: int
    default: 1048576
  events:
    description:
      - C(payload) puts one event per webhook on the queue, C(alerts) one event per alert with its
        group's context.
    type: str
    choices: [payload, alerts]
    default: payload
  host_labels:
    description:
      - The alert labels that name the host, tried in this order for each alert; the first
        present gives the host. C(instance) values lose their C(:port) (IPv6 C([addr]:port) too).
      - A list or a comma-separated string.
    type: list
    elements: str
    default: [host, hostname, instance]
  insecure_no_auth:
    description:
      - Accept unauthenticated requests. Only for a throw-away test on a loopback address; a
        warning is logged when set.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Alertmanager alerts
  hosts: all
  sources:
    - osfleet.day2.alertmanager:
        host: 0.0.0.0
        port: 5000
        token_file: /etc/osfleet/eda-token
        certfile: /etc/osfleet/eda.crt
        keyfile: /etc/osfleet/eda.key
  rules:
    - name: Show firing payloads
      condition: event.alertmanager.status == "firing"
      action:
        print_event:
          pretty: true
"""

SOURCE_TYPE = "osfleet.day2.alertmanager"
HEALTH_PATH = "/healthz"
ALERT_STATUSES = ("firing", "resolved")
EVENT_MODES = ("payload", "alerts")
DEFAULT_HOST_LABELS = ("host", "hostname", "instance")
DEFAULT_HMAC_HEADER = "X-Osfleet-Alert-Signature"
DEFAULT_MAX_BODY = 1024 * 1024
#: what a version 4 payload must carry, in the order they are checked (so a reply names the first one)
GROUP_FIELDS: Tuple[Tuple[str, type], ...] = (
    ("version", str), ("groupKey", str), ("status", str), ("receiver", str), ("groupLabels", dict),
    ("commonLabels", dict), ("commonAnnotations", dict), ("externalURL", str), ("alerts", list),
)
ALERT_FIELDS: Tuple[Tuple[str, type], ...] = (
    ("status", str), ("labels", dict), ("annotations", dict), ("startsAt", str), ("endsAt", str),
    ("fingerprint", str),
)
#: ansible-rulebook adds this argument itself (the source feedback queue)
RUNTIME_ARG_PREFIX = "eda_"
OPTIONS = {
    "host", "port", "path", "token", "token_file", "hmac_secret", "hmac_secret_file", "hmac_header",
    "certfile", "keyfile", "password", "cafile", "max_body_bytes", "events", "host_labels",
    "insecure_no_auth",
}
BRACKETED_V6 = re.compile(r"^\[([^\]]+)\](?::\d+)?$")
HOST_PORT = re.compile(r"^([^:]+):\d+$")
HEX_SIG = re.compile(r"^(?:sha256=)?([0-9a-fA-F]{64})$")

logger = logging.getLogger("osfleet.day2.alertmanager")
QUEUE_KEY: "web.AppKey[Any]" = web.AppKey("osfleet_queue", object)
SETTINGS_KEY: "web.AppKey[Settings]" = web.AppKey("osfleet_settings", object)


class PayloadError(ValueError):
    """The body is not an Alertmanager version 4 payload; ``field`` names what is missing or wrong."""

    def __init__(self, field_name: str, problem: str) -> None:
        super().__init__(f"{field_name}: {problem}")
        self.field = field_name


@dataclass(frozen=True)
class Settings:
    """The plugin's arguments, checked once at start so a typo fails the rulebook, not a request."""

    host: str = "127.0.0.1"
    port: int = 5000
    path: str = "/alerts"
    token: Optional[bytes] = field(default=None, repr=False)
    hmac_secret: Optional[bytes] = field(default=None, repr=False)
    hmac_header: str = DEFAULT_HMAC_HEADER
    certfile: Optional[str] = None
    keyfile: Optional[str] = None
    password: Optional[str] = field(default=None, repr=False)
    cafile: Optional[str] = None
    max_body_bytes: int = DEFAULT_MAX_BODY
    events: str = "payload"
    host_labels: Tuple[str, ...] = DEFAULT_HOST_LABELS
    insecure_no_auth: bool = False
    warnings: List[str] = field(default_factory=list, compare=False)


def _unset(value: Any) -> bool:
    # a rulebook writes `token: "{{ osfleet_eda_token | default('') }}"`: empty means "not given"
    return value is None or (isinstance(value, str) and not value.strip())


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("", "0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}: expected a boolean, got {value!r}")


def _as_int(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{name}: expected an integer, got {value!r}")
    try:
        number = value if isinstance(value, int) else int(str(value).strip())
    except ValueError:
        raise ValueError(f"{name}: expected an integer, got {value!r}") from None
    if not low <= number <= high:
        raise ValueError(f"{name}: expected an integer from {low} to {high}, got {value!r}")
    return number


def _secret(args: Dict[str, Any], name: str) -> Optional[bytes]:
    value, path = args.get(name), args.get(name + "_file")
    if not _unset(value) and not _unset(path):
        raise ValueError(f"{name} and {name}_file: give one, not both")
    if not _unset(path):
        try:
            with open(str(path), "rb") as handle:
                value = handle.read().decode("utf-8").strip()
        except OSError as exc:
            raise ValueError(f"{name}_file: cannot read {path}: {exc.strerror}") from None
        if not value:
            raise ValueError(f"{name}_file: {path} is empty")
    return None if _unset(value) else str(value).encode("utf-8")


def _path_option(args: Dict[str, Any], name: str) -> Optional[str]:
    value = args.get(name)
    if _unset(value):
        return None
    if not os.path.isfile(str(value)):
        raise ValueError(f"{name}: no such file {value}")
    return str(value)


def parse_args(args: Dict[str, Any]) -> Settings:
    """Check the arguments; raise ValueError naming the option that is wrong."""
    unknown = sorted(k for k in args if k not in OPTIONS and not k.startswith(RUNTIME_ARG_PREFIX))
    if unknown:
        raise ValueError(f"unknown option(s): {', '.join(unknown)} (known: {', '.join(sorted(OPTIONS))})")
    warnings: List[str] = []
    host = "127.0.0.1" if _unset(args.get("host")) else str(args["host"]).strip()
    port = _as_int("port", args.get("port", 5000), 0, 65535)
    path = "/alerts" if _unset(args.get("path")) else str(args["path"]).strip()
    if not path.startswith("/") or path == HEALTH_PATH:
        raise ValueError(f"path: must start with / and not be {HEALTH_PATH}, got {path!r}")
    token = _secret(args, "token")
    hmac_secret = _secret(args, "hmac_secret")
    hmac_header = DEFAULT_HMAC_HEADER if _unset(args.get("hmac_header")) else str(args["hmac_header"]).strip()
    if hmac_header.lower() == "authorization":
        raise ValueError("hmac_header: Authorization carries the token; name another header")
    certfile, keyfile, cafile = (_path_option(args, n) for n in ("certfile", "keyfile", "cafile"))
    if (keyfile or cafile) and not certfile:
        raise ValueError("keyfile and cafile need certfile")
    max_body = _as_int("max_body_bytes", args.get("max_body_bytes", DEFAULT_MAX_BODY), 1024, 1024 ** 3)
    events = "payload" if _unset(args.get("events")) else str(args["events"]).strip()
    if events not in EVENT_MODES:
        raise ValueError(f"events: one of {', '.join(EVENT_MODES)}, got {events!r}")
    labels = args.get("host_labels", list(DEFAULT_HOST_LABELS))
    if isinstance(labels, str):
        labels = [p for p in (s.strip() for s in labels.split(",")) if p]
    if not isinstance(labels, (list, tuple)) or not all(isinstance(x, str) and x for x in labels):
        raise ValueError(f"host_labels: a list of label names, got {labels!r}")
    insecure = _as_bool("insecure_no_auth", args.get("insecure_no_auth", False))
    if token is None and hmac_secret is None:
        if not insecure:
            raise ValueError("no authentication: set token (or token_file) and/or hmac_secret (or hmac_secret_file); "
                             "insecure_no_auth: true accepts anyone and is for tests on loopback only")
        warnings.append("insecure_no_auth is set: any client that reaches "
                        f"{host}:{port} can start playbooks")
    elif insecure:
        warnings.append("insecure_no_auth is ignored: authentication is configured")
        insecure = False
    if certfile is None and token is not None and host not in ("127.0.0.1", "::1", "localhost"):
        warnings.append(f"the bearer token crosses the network in clear on {host}: set certfile")
    return Settings(host=host, port=port, path=path, token=token, hmac_secret=hmac_secret,
                    hmac_header=hmac_header, certfile=certfile, keyfile=keyfile,
                    password=None if _unset(args.get("password")) else str(args["password"]),
                    cafile=cafile, max_body_bytes=max_body, events=events, host_labels=tuple(labels),
                    insecure_no_auth=insecure, warnings=warnings)


def ssl_context(settings: Settings) -> Optional[ssl.SSLContext]:
    """The server's TLS context (TLS 1.2 or later), with client certificates required when cafile is set."""
    if settings.certfile is None:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(settings.certfile, settings.keyfile, settings.password)
    if settings.cafile:
        context.load_verify_locations(cafile=settings.cafile)
        context.verify_mode = ssl.CERT_REQUIRED
    return context


# -- authentication -----------------------------------------------------------------------------------------

def token_matches(header: Optional[str], token: bytes) -> bool:
    """Bearer token check in constant time: both sides are hashed first, so not even the length leaks."""
    if not header:
        return False
    scheme, _sep, given = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return False
    return hmac.compare_digest(hashlib.sha256(given.strip().encode("utf-8")).digest(),
                               hashlib.sha256(token).digest())


def body_signature(secret: bytes, body: bytes) -> str:
    """The header value a relay sends: ``sha256=`` and the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def signature_matches(header: Optional[str], secret: bytes, body: bytes) -> bool:
    match = HEX_SIG.match((header or "").strip())
    if not match:
        return False
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(match.group(1).lower().encode("ascii"), expected.encode("ascii"))


# -- the payload ---------------------------------------------------------------------------------------------

def _check_fields(obj: Dict[str, Any], fields: Tuple[Tuple[str, type], ...], where: str) -> None:
    for name, kind in fields:
        if name not in obj:
            raise PayloadError(where + name, "missing")
        if not isinstance(obj[name], kind) or isinstance(obj[name], bool):
            raise PayloadError(where + name, f"must be {'an object' if kind is dict else 'a ' + kind.__name__}")


def validate_payload(data: Any) -> Dict[str, Any]:
    """Check that ``data`` is an Alertmanager webhook payload, version 4; raise PayloadError naming the field.

    Fields Alertmanager added later (``notification_reason`` in 0.32) or may omit (``truncatedAlerts``,
    ``generatorURL``) are not required, so Debian 12's 0.25 and current releases both pass.
    """
    if not isinstance(data, dict):
        raise PayloadError("(body)", "must be a JSON object")
    _check_fields(data, GROUP_FIELDS, "")
    if data["version"] != "4":
        raise PayloadError("version", f"must be \"4\", got {data['version']!r}")
    if data["status"] not in ALERT_STATUSES:
        raise PayloadError("status", "must be firing or resolved")
    truncated = data.get("truncatedAlerts", 0)
    if not isinstance(truncated, int) or isinstance(truncated, bool) or truncated < 0:
        raise PayloadError("truncatedAlerts", "must be a non-negative integer")
    if not data["alerts"]:
        raise PayloadError("alerts", "must not be empty")
    for index, alert in enumerate(data["alerts"]):
        where = f"alerts[{index}]."
        if not isinstance(alert, dict):
            raise PayloadError(where[:-1], "must be an object")
        _check_fields(alert, ALERT_FIELDS, where)
        if alert["status"] not in ALERT_STATUSES:
            raise PayloadError(where + "status", "must be firing or resolved")
        if not all(isinstance(v, str) for v in alert["labels"].values()):
            raise PayloadError(where + "labels", "values must be strings")
        if "generatorURL" in alert and not isinstance(alert["generatorURL"], str):
            raise PayloadError(where + "generatorURL", "must be a str")
    return data


def redact_url(url: str) -> str:
    """Drop a ``user:password@`` part: a URL in an event travels into every playbook's extra vars."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _redacted_alert(alert: Dict[str, Any]) -> Dict[str, Any]:
    clean = dict(alert)
    if isinstance(clean.get("generatorURL"), str):
        clean["generatorURL"] = redact_url(clean["generatorURL"])
    return clean


def redacted_payload(data: Dict[str, Any]) -> Dict[str, Any]:
    clean = dict(data)
    clean["externalURL"] = redact_url(data["externalURL"])
    clean["alerts"] = [_redacted_alert(a) for a in data["alerts"]]
    return clean


def host_of(labels: Dict[str, str], host_labels: Tuple[str, ...]) -> Optional[str]:
    """The host an alert is about: the first host label present, an ``instance``'s port removed."""
    for name in host_labels:
        value = labels.get(name, "").strip()
        if not value:
            continue
        bracketed = BRACKETED_V6.match(value)
        if bracketed:
            return bracketed.group(1)
        with_port = HOST_PORT.match(value)
        return with_port.group(1) if with_port else value
    return None


def _digest(parts: List[Any]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()[:32]


def _alert_identity(alert: Dict[str, Any]) -> List[str]:
    # one occurrence of one alert: its label set's fingerprint, when it started, and whether it is over
    return [alert["fingerprint"], alert["startsAt"], alert["status"]]


def _summary(alerts: List[Dict[str, Any]], settings: Settings, dedup_key: str) -> Dict[str, Any]:
    hosts = sorted({h for h in (host_of(a["labels"], settings.host_labels) for a in alerts) if h})
    firing = sum(1 for a in alerts if a["status"] == "firing")
    return {"hosts": hosts, "host_key": ",".join(hosts), "firing": firing, "resolved": len(alerts) - firing,
            "dedup_key": dedup_key}


def _meta() -> Dict[str, Any]:
    # meta.source is a mapping: ansible-rulebook's insert_meta_info filter adds source.name to it
    received = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
    return {"received_at": received, "source": {"type": SOURCE_TYPE}}


def payload_events(data: Dict[str, Any], settings: Settings) -> List[Dict[str, Any]]:
    """The events one validated payload becomes (one, or one per alert); nothing of the request but the body."""
    clean = redacted_payload(data)
    alerts = clean["alerts"]
    if settings.events == "payload":
        key = _digest([clean["groupKey"], clean["status"], sorted(_alert_identity(a) for a in alerts)])
        return [{"alertmanager": clean, "osfleet": _summary(alerts, settings, key), "meta": _meta()}]
    group = {k: v for k, v in clean.items() if k != "alerts"}
    events = []
    for index, alert in enumerate(alerts):
        context = dict(group, alert=alert, alertIndex=index, alertCount=len(alerts))
        key = _digest(_alert_identity(alert))
        events.append({"alertmanager": context, "osfleet": _summary([alert], settings, key), "meta": _meta()})
    return events


# -- the server ----------------------------------------------------------------------------------------------

def _unauthorized(request: web.Request, why: str) -> web.Response:
    logger.warning("rejected %s %s from %s: %s", request.method, request.path, request.remote, why)
    return web.Response(status=401, text="unauthorized")


async def _receive(request: web.Request) -> web.Response:
    settings: Settings = request.app[SETTINGS_KEY]
    if settings.token is not None and not token_matches(request.headers.get("Authorization"), settings.token):
        return _unauthorized(request, "bearer token missing or wrong")
    if request.content_length is not None and request.content_length > settings.max_body_bytes:
        return web.Response(status=413, text=f"body over {settings.max_body_bytes} bytes")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return web.Response(status=413, text=f"body over {settings.max_body_bytes} bytes")
    if settings.hmac_secret is not None and not signature_matches(
            request.headers.get(settings.hmac_header), settings.hmac_secret, body):
        return _unauthorized(request, f"{settings.hmac_header} missing or wrong")
    try:
        data = validate_payload(json.loads(body.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return web.Response(status=400, text="bad payload: (body): not JSON")
    except PayloadError as exc:
        logger.warning("rejected a payload from %s: %s", request.remote, exc)
        return web.Response(status=400, text=f"bad payload: {exc}")
    queue = request.app[QUEUE_KEY]
    for event in payload_events(data, settings):
        await queue.put(event)
    return web.Response(status=202, text="accepted")


async def _health(_request: web.Request) -> web.Response:
    return web.Response(status=200, text="ok")


def make_app(queue: Any, settings: Settings) -> web.Application:
    # client_max_size bounds a chunked body too, where there is no Content-Length to check first
    app = web.Application(client_max_size=settings.max_body_bytes)
    app[QUEUE_KEY] = queue
    app[SETTINGS_KEY] = settings
    app.router.add_post(settings.path, _receive)
    app.router.add_get(HEALTH_PATH, _health)
    return app


async def main(queue: asyncio.Queue, args: Dict[str, Any]) -> None:
    """ansible-rulebook's entry point: serve until cancelled."""
    settings = parse_args(args)
    for warning in settings.warnings:
        logger.warning(warning)
    runner = web.AppRunner(make_app(queue, settings), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.host, settings.port, ssl_context=ssl_context(settings))
        await site.start()
        logger.info("listening on %s (%s) at %s", runner.addresses,
                    "https" if settings.certfile else "http", settings.path)
        await asyncio.Future()
    except asyncio.CancelledError:
        logger.info("alertmanager source cancelled")
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    # Run by hand: print what a POST becomes. OSFLEET_EDA_TOKEN must be set.
    class _PrintQueue(asyncio.Queue):
        async def put(self, item: Any) -> None:  # type: ignore[override]
            print(json.dumps(item, indent=2))  # noqa: T201

    asyncio.run(main(_PrintQueue(), {"token": os.environ.get("OSFLEET_EDA_TOKEN", "")}))
