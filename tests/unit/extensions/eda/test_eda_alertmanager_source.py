# -*- coding: utf-8 -*-
"""The source plugin as Alertmanager meets it: its real main() on 127.0.0.1, real HTTP(S) requests.

Each test starts the coroutine ansible-rulebook would start, on a free ephemeral port (never the
lab's 18000-18999), and checks what a sender sees (status, body) and what the rules would see
(the events on the queue): authentication by token and by HMAC, TLS and client certificates,
the body limit, payload validation, and that no request header ever reaches an event.
"""
from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import ssl

import aiohttp
import pytest

from ansible_collections.osfleet.day2.tests.unit.extensions.eda.eda_support import drain, serving

TOKEN = "lab-token-5f1c"
SECRET = "lab-hmac-secret-9a2e"


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


async def post(base, body, headers=None, ssl_ctx=None, path="/alerts"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with aiohttp.ClientSession() as session:
        async with session.post(base + path, data=data, ssl=ssl_ctx,
                                headers=dict({"Content-Type": "application/json"}, **(headers or {}))) as resp:
            return resp.status, await resp.text()


def bearer(token=TOKEN):
    return {"Authorization": f"Bearer {token}"}


# -- bearer token -------------------------------------------------------------------------------------------

def test_good_token_is_accepted_and_the_payload_becomes_one_event(plugin, payload):
    async def scenario():
        async with serving(plugin, {"token": TOKEN}) as (base, queue):
            status, text = await post(base, payload, bearer())
            return status, text, drain(queue)

    status, text, events = run(scenario())
    assert (status, text) == (202, "accepted")
    assert len(events) == 1
    event = events[0]
    assert set(event) == {"alertmanager", "osfleet", "meta"}
    assert event["alertmanager"]["groupKey"] == payload["groupKey"]
    assert event["alertmanager"]["alerts"][0]["labels"]["alertname"] == "OsfleetNovaComputeDown"
    assert event["osfleet"]["hosts"] == ["compute-02"] and event["osfleet"]["host_key"] == "compute-02"
    assert (event["osfleet"]["firing"], event["osfleet"]["resolved"]) == (1, 0)
    assert event["meta"]["source"] == {"type": "osfleet.day2.alertmanager"}
    assert event["meta"]["received_at"].endswith("Z")


@pytest.mark.parametrize("headers", [
    {},                                              # no Authorization at all
    {"Authorization": "Bearer wrong-token"},         # wrong token
    {"Authorization": f"Bearer {TOKEN}x"},           # a longer token that starts with the right one
    {"Authorization": f"Basic {TOKEN}"},             # right secret, wrong scheme
    {"Authorization": "Bearer "},                    # empty
], ids=["none", "wrong", "prefix", "basic", "empty"])
def test_missing_or_wrong_token_answers_401_and_says_nothing_more(plugin, payload, headers, caplog):
    async def scenario():
        async with serving(plugin, {"token": TOKEN}) as (base, queue):
            status, text = await post(base, payload, headers)
            return status, text, drain(queue)

    status, text, events = run(scenario())
    assert (status, text) == (401, "unauthorized")
    assert events == []
    assert "bearer token missing or wrong" in caplog.text   # the reason is for the operator's log only
    assert TOKEN not in caplog.text


def test_token_is_read_from_a_file_like_credentials_file(plugin, payload, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")

    async def scenario():
        async with serving(plugin, {"token_file": str(token_file)}) as (base, queue):
            return (await post(base, payload, bearer()))[0], (await post(base, payload, bearer("x")))[0]

    assert run(scenario()) == (202, 401)


# -- HMAC ---------------------------------------------------------------------------------------------------

def test_hmac_signature_of_the_raw_body_is_accepted(plugin, payload):
    body = json.dumps(payload).encode()
    signature = plugin.body_signature(SECRET.encode(), body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64

    async def scenario():
        async with serving(plugin, {"hmac_secret": SECRET}) as (base, queue):
            signed = await post(base, body, {"X-Osfleet-Alert-Signature": signature})
            bare_hex = await post(base, body, {"X-Osfleet-Alert-Signature": signature[7:].upper()})
            return signed, bare_hex, drain(queue)

    signed, bare_hex, events = run(scenario())
    assert signed == (202, "accepted") and bare_hex[0] == 202
    assert len(events) == 2


@pytest.mark.parametrize("case", ["missing", "wrong_secret", "body_changed", "garbage"])
def test_missing_or_wrong_hmac_answers_401(plugin, payload, case):
    body = json.dumps(payload).encode()
    headers = {
        "missing": {},
        "wrong_secret": {"X-Osfleet-Alert-Signature": plugin.body_signature(b"other", body)},
        "body_changed": {"X-Osfleet-Alert-Signature": plugin.body_signature(SECRET.encode(), body + b" ")},
        "garbage": {"X-Osfleet-Alert-Signature": "sha256=not-hex"},
    }[case]

    async def scenario():
        async with serving(plugin, {"hmac_secret": SECRET}) as (base, queue):
            return await post(base, body, headers), drain(queue)

    (status, text), events = run(scenario())
    assert (status, text, events) == (401, "unauthorized", [])


def test_token_and_hmac_together_need_both(plugin, payload):
    body = json.dumps(payload).encode()
    signature = {"X-Relay-Signature": plugin.body_signature(SECRET.encode(), body)}

    async def scenario():
        args = {"token": TOKEN, "hmac_secret": SECRET, "hmac_header": "X-Relay-Signature"}
        async with serving(plugin, args) as (base, queue):
            both = await post(base, body, dict(bearer(), **signature))
            token_only = await post(base, body, bearer())
            signature_only = await post(base, body, signature)
            return both[0], token_only[0], signature_only[0]

    assert run(scenario()) == (202, 401, 401)


# -- headers never reach an event ---------------------------------------------------------------------------

def test_no_request_header_reaches_an_event(plugin, payload):
    body = json.dumps(payload).encode()
    headers = dict(bearer(), **{
        "X-Osfleet-Alert-Signature": plugin.body_signature(SECRET.encode(), body),
        "Cookie": "session=cookie-value-77", "X-Forwarded-For": "203.0.113.99",
        "User-Agent": "Alertmanager/0.25.0-ua-marker",
    })

    async def scenario():
        async with serving(plugin, {"token": TOKEN, "hmac_secret": SECRET, "events": "alerts"}) as (base, queue):
            one = await post(base, body, headers)
            return one, drain(queue)

    (status, _text), events = run(scenario())
    assert status == 202 and len(events) == 1
    dumped = json.dumps(events)
    for needle in (TOKEN, SECRET, "Bearer", "cookie-value-77", "203.0.113.99", "ua-marker", "headers",
                   headers["X-Osfleet-Alert-Signature"][7:]):
        assert needle not in dumped
    # the credentials in a payload URL (here generatorURL) are dropped too
    assert "s3cret" not in dumped
    assert events[0]["alertmanager"]["alert"]["generatorURL"].startswith("http://prometheus.lab:9090/graph?")


# -- per-alert events ---------------------------------------------------------------------------------------

def test_alerts_mode_gives_one_event_per_alert_with_its_group(plugin, payload):
    second = json.loads(json.dumps(payload["alerts"][0]))
    second["labels"]["host"] = "compute-03"
    second["labels"]["instance"] = "[2001:db8::3]:9100"
    second["fingerprint"] = "77aa"
    second["status"] = "resolved"
    payload["alerts"].append(second)

    async def scenario():
        async with serving(plugin, {"token": TOKEN, "events": "alerts", "host_labels": "instance"}) as (base, q):
            return (await post(base, payload, bearer()))[0], drain(q)

    status, events = run(scenario())
    assert status == 202 and len(events) == 2
    first, last = events
    assert "alerts" not in first["alertmanager"]
    assert first["alertmanager"]["groupKey"] == payload["groupKey"]
    assert (first["alertmanager"]["alertIndex"], first["alertmanager"]["alertCount"]) == (0, 2)
    assert first["osfleet"]["hosts"] == ["compute-02"]           # instance compute-02:9100 without its port
    assert last["osfleet"]["hosts"] == ["2001:db8::3"]           # and an IPv6 instance without [] and port
    assert (last["osfleet"]["firing"], last["osfleet"]["resolved"]) == (0, 1)
    assert first["osfleet"]["dedup_key"] != last["osfleet"]["dedup_key"]


# -- size and shape -----------------------------------------------------------------------------------------

def test_a_body_over_the_limit_answers_413(plugin, payload):
    payload["commonAnnotations"]["description"] = "x" * 5000

    async def scenario():
        async with serving(plugin, {"token": TOKEN, "max_body_bytes": 4096}) as (base, queue):
            too_big = await post(base, payload, bearer())
            return too_big, drain(queue)

    (status, text), events = run(scenario())
    assert status == 413 and "4096" in text and events == []


def test_a_chunked_body_over_the_limit_answers_413(plugin, payload):
    body = json.dumps(payload).encode() + b" " * 8192

    async def chunks():
        for start in range(0, len(body), 1000):
            yield body[start:start + 1000]

    async def scenario():
        async with serving(plugin, {"token": TOKEN, "max_body_bytes": 4096}) as (base, queue):
            async with aiohttp.ClientSession() as session:
                async with session.post(base + "/alerts", data=chunks(), headers=bearer()) as resp:
                    return resp.status, drain(queue)

    assert run(scenario()) == (413, [])


@pytest.mark.parametrize("mutate, field", [
    (lambda p: p.pop("groupKey"), "groupKey"),
    (lambda p: p.update(version="3"), "version"),
    (lambda p: p.update(status="pending"), "status"),
    (lambda p: p.update(alerts=[]), "alerts"),
    (lambda p: p.update(commonLabels=["a"]), "commonLabels"),
    (lambda p: p["alerts"][0].pop("fingerprint"), "alerts[0].fingerprint"),
    (lambda p: p["alerts"][0].update(labels={"host": 7}), "alerts[0].labels"),
    (lambda p: p.update(truncatedAlerts=-1), "truncatedAlerts"),
], ids=["no-groupKey", "version-3", "bad-status", "no-alerts", "labels-not-object", "no-fingerprint",
        "label-not-string", "negative-truncated"])
def test_a_payload_that_is_not_v4_answers_400_naming_the_field(plugin, payload, mutate, field):
    mutate(payload)

    async def scenario():
        async with serving(plugin, {"token": TOKEN}) as (base, queue):
            return await post(base, payload, bearer()), drain(queue)

    (status, text), events = run(scenario())
    assert status == 400 and events == []
    assert text.startswith(f"bad payload: {field}:"), text


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"\xff\xfe"], ids=["text", "array", "not-utf8"])
def test_a_body_that_is_no_json_object_answers_400(plugin, body):
    async def scenario():
        async with serving(plugin, {"token": TOKEN}) as (base, queue):
            return await post(base, body, bearer()), drain(queue)

    (status, text), events = run(scenario())
    assert status == 400 and text.startswith("bad payload: (body):") and events == []


def test_the_token_is_checked_before_the_body_is_judged(plugin):
    """An unauthenticated sender learns nothing about the payload format (401, not 400)."""
    async def scenario():
        async with serving(plugin, {"token": TOKEN}) as (base, _queue):
            return await post(base, b"not json", {})

    assert run(scenario()) == (401, "unauthorized")


def test_only_the_configured_path_takes_posts(plugin, payload):
    async def scenario():
        async with serving(plugin, {"token": TOKEN, "path": "/am"}) as (base, queue):
            wrong = await post(base, payload, bearer(), path="/alerts")
            right = await post(base, payload, bearer(), path="/am")
            return wrong[0], right[0]

    assert run(scenario()) == (404, 202)


# -- TLS ----------------------------------------------------------------------------------------------------

def _certificates(tmp_path):
    """A CA, a server certificate for 127.0.0.1 and a client certificate, all made here."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def write(stem, key, cert):
        (tmp_path / f"{stem}.key").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        (tmp_path / f"{stem}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return str(tmp_path / f"{stem}.crt"), str(tmp_path / f"{stem}.key")

    def issue(cn, issuer_name, issuer_key, key, ca=False, usage=None, san=None):
        builder = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(issuer_name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if usage:
            builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = issue("osfleet test CA", name("osfleet test CA"), ca_key, ca_key, ca=True)
    server_key, client_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    server = issue("127.0.0.1", ca.subject, ca_key, server_key, usage=ExtendedKeyUsageOID.SERVER_AUTH,
                   san=[x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    client = issue("alertmanager", ca.subject, ca_key, client_key, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    (tmp_path / "ca.crt").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return str(tmp_path / "ca.crt"), write("server", server_key, server), write("client", client_key, client)


def _client_context(cafile, client=None):
    context = ssl.create_default_context(cafile=cafile)
    if client:
        context.load_cert_chain(*client)
    return context


def test_tls_serves_https_with_the_given_certificate(plugin, payload, tmp_path):
    cafile, (certfile, keyfile), _client = _certificates(tmp_path)
    trusted = _client_context(cafile)

    async def scenario():
        args = {"token": TOKEN, "certfile": certfile, "keyfile": keyfile}
        async with serving(plugin, args, scheme="https", ssl_ctx=trusted) as (base, queue):
            ok = await post(base, payload, bearer(), ssl_ctx=trusted)
            with pytest.raises(aiohttp.ClientConnectorCertificateError):
                await post(base, payload, bearer(), ssl_ctx=ssl.create_default_context())  # not our CA
            with pytest.raises(aiohttp.ClientError):
                await post(base.replace("https:", "http:"), payload, bearer())  # plain HTTP is not served
            return ok, drain(queue)

    ok, events = run(scenario())
    assert ok == (202, "accepted") and len(events) == 1


def test_cafile_requires_a_client_certificate(plugin, payload, tmp_path):
    cafile, (certfile, keyfile), client = _certificates(tmp_path)
    with_cert, without_cert = _client_context(cafile, client), _client_context(cafile)

    async def scenario():
        args = {"token": TOKEN, "certfile": certfile, "keyfile": keyfile, "cafile": cafile}
        async with serving(plugin, args, scheme="https", ssl_ctx=with_cert) as (base, queue):
            ok = await post(base, payload, bearer(), ssl_ctx=with_cert)
            with pytest.raises(aiohttp.ClientError):
                await post(base, payload, bearer(), ssl_ctx=without_cert)
            return ok, drain(queue)

    ok, events = run(scenario())
    assert ok[0] == 202 and len(events) == 1


# -- start-up -----------------------------------------------------------------------------------------------

def test_it_refuses_to_start_without_authentication(plugin):
    with pytest.raises(ValueError, match="no authentication"):
        run(plugin.main(asyncio.Queue(), {"port": 0}))
    with pytest.raises(ValueError, match="no authentication"):
        run(plugin.main(asyncio.Queue(), {"port": 0, "token": "", "hmac_secret": "  "}))  # empty = unset


def test_insecure_no_auth_starts_and_warns(plugin, payload, caplog):
    async def scenario():
        async with serving(plugin, {"insecure_no_auth": "true"}) as (base, queue):
            return (await post(base, payload))[0], drain(queue)

    status, events = run(scenario())
    assert status == 202 and len(events) == 1
    assert "insecure_no_auth is set" in caplog.text
