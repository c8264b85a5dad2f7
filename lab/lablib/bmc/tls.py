"""The lab BMCs' TLS: a lab CA and one server certificate per Redfish compute BMC.

A real BMC's HTTPS certificate is what the compute_hosts pack's BMC-06 (trusted,
not self-signed, not SHA-1) and BMC-07 (not near expiry) judge, and only a
verified handshake can say "trusted". So the lab makes, once (kept until
``labctl reset``), under ``.lab/bmc/tls/``:

* ``ca.pem`` / ``ca.key``: "Osfleet Lab BMC CA" (RSA 2048, SHA-256, 10 years), the
  CA bundle a client passes to verify the lab BMCs (``bmcs-https.yml`` names it);
* ``<host>.pem`` / ``<host>.key``: the BMC's certificate, signed by that CA, subject
  CN=<host>, SAN IP:127.0.0.1 + DNS:<host> + DNS:localhost, serverAuth, 1 year;
* ``<host>.json``: the certificate's fields as the Redfish Certificate resource
  shows them (read by redfish_settings.py, which runs in the BMC venv and so
  does not parse X.509 itself).

Stdlib + the openssl CLI only: labctl's python runs this.
"""
from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path

CA_SUBJECT = "/O=Osfleet Lab/CN=Osfleet Lab BMC CA"
HOST_DAYS = 365
CA_DAYS = 3650


def _openssl(*args: str, cwd: Path) -> str:
    proc = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args[:2])}: {proc.stderr.strip()[-400:]}")
    return proc.stdout


def ensure_ca(tls_dir: Path) -> Path:
    """The lab CA's certificate (made when missing)."""
    tls_dir.mkdir(parents=True, exist_ok=True)
    ca, key = tls_dir / "ca.pem", tls_dir / "ca.key"
    if not (ca.exists() and key.exists()):
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", str(CA_DAYS),
                 "-subj", CA_SUBJECT, "-keyout", key.name, "-out", ca.name,
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=tls_dir)
        key.chmod(0o600)
    return ca


def ensure_host(tls_dir: Path, host: str) -> dict:
    """{cert, key, info} paths of ``host``'s certificate (made, with the CA, when missing)."""
    ensure_ca(tls_dir)
    cert, key, info = tls_dir / f"{host}.pem", tls_dir / f"{host}.key", tls_dir / f"{host}.json"
    if not (cert.exists() and key.exists() and info.exists()):
        ext = tls_dir / f"{host}.ext"
        ext.write_text("basicConstraints=critical,CA:FALSE\n"
                       "keyUsage=critical,digitalSignature,keyEncipherment\n"
                       "extendedKeyUsage=serverAuth\n"
                       f"subjectAltName=IP:127.0.0.1,DNS:{host},DNS:localhost\n"
                       "subjectKeyIdentifier=hash\n"
                       "authorityKeyIdentifier=keyid,issuer\n")
        csr = tls_dir / f"{host}.csr"
        _openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-sha256",
                 "-subj", f"/O=Osfleet Lab/OU=BMC/CN={host}", "-keyout", key.name, "-out", csr.name,
                 cwd=tls_dir)
        key.chmod(0o600)
        _openssl("x509", "-req", "-in", csr.name, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-sha256", "-days", str(HOST_DAYS), "-extfile", ext.name, "-out", cert.name, cwd=tls_dir)
        csr.unlink()
        ext.unlink()
        info.write_text(json.dumps(cert_info(cert), indent=1))
    return {"cert": str(cert), "key": str(key), "info": str(info)}


_ATTR = {"CN": "CommonName", "O": "Organization", "OU": "OrganizationalUnit", "L": "City",
         "ST": "State", "C": "Country", "emailAddress": "Email"}


def _name(text: str) -> dict:
    """``O = Osfleet Lab, CN = x`` (openssl -nameopt oneline-ish) -> Redfish Identifier."""
    out = {}
    for part in re.split(r",\s*(?=[A-Za-z]+\s*=)", text.strip()):
        k, _, v = part.partition("=")
        if k.strip() in _ATTR:
            out[_ATTR[k.strip()]] = v.strip()
    return out


def _time(text: str) -> str:
    """openssl's ``Dec  2 13:00:00 2027 GMT`` -> ISO 8601 UTC."""
    t = datetime.strptime(" ".join(text.split()), "%b %d %H:%M:%S %Y GMT").replace(tzinfo=timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def cert_info(cert: Path) -> dict:
    """The fields of a PEM certificate the Redfish Certificate resource carries (DMTF Certificate.v1_5)."""
    out = _openssl("x509", "-in", str(cert), "-noout", "-nameopt", "sep_comma_plus_space,space_eq",
                   "-subject", "-issuer", "-startdate", "-enddate", "-serial", "-fingerprint", "-sha256",
                   cwd=cert.parent)
    fields = {}
    for line in out.splitlines():
        k, _, v = line.partition("=")
        fields.setdefault(k.strip().lower(), v.strip())
    text = _openssl("x509", "-in", str(cert), "-noout", "-text", cwd=cert.parent)
    algo = re.search(r"Signature Algorithm:\s*(\S+)", text)
    bits = re.search(r"Public-Key:\s*\((\d+) bit\)", text)
    fp = next(v for k, v in fields.items() if k.endswith("fingerprint"))
    return {"Subject": _name(fields["subject"]), "Issuer": _name(fields["issuer"]),
            "ValidNotBefore": _time(fields["notbefore"]), "ValidNotAfter": _time(fields["notafter"]),
            "SerialNumber": fields["serial"], "Fingerprint": fp, "FingerprintHashAlgorithm": "TPM_ALG_SHA256",
            "SignatureAlgorithm": algo.group(1) if algo else None,
            "KeyBitLength": int(bits.group(1)) if bits else None,
            "CertificateString": cert.read_text()}
