"""Signed webhooks delivered over real HTTPS to servers on 127.0.0.1: a healthy one, one that fails
then recovers, one that is slow, one that answers errors forever. Each receiver checks the
signature; the rest are delivered whatever one endpoint does, and nothing is lost."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from tests.conftest import GitRepo
from tests.workflow.cli import fmar, key

from fmar.core.workflow.webhooks import DELIVERY_HEADER, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, verify

#: Party -> the endpoint's behaviour (the path it is served at) and its secret.
ENDPOINTS = {"ENWL": "healthy", "NGED": "flaky", "HEATSHIFT": "slow", "KESTREL": "broken"}
SECRETS = {party: f"s3cret-{party.lower()}-{'x' * 20}" for party in ENDPOINTS}


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a certificate for 127.0.0.1 it signed: (CA pem, server cert pem, server key pem)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fmar test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return paths


class Receivers:
    """What the endpoints received: (path, headers, body), in arrival order."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[tuple[str, dict[str, str], bytes]] = []

    def count(self, path: str) -> int:
        with self.lock:
            return sum(1 for p, _, _ in self.received if p == path)


@pytest.fixture
def endpoints(tmp_path: Path) -> Iterator[tuple[str, Path, Receivers]]:
    """The four endpoints on one HTTPS server on 127.0.0.1: (base URL, CA file, what they received)."""
    ca, cert, private = _certificates(tmp_path)
    receivers = Receivers()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            path = self.path.strip("/")
            with receivers.lock:
                receivers.received.append((path, dict(self.headers.items()), body))
                seen = sum(1 for p, _, _ in receivers.received if p == path)
            if path == "flaky" and seen % 3 in (1, 2):  # fails twice, then recovers, for each notification
                self.send_response(503)
            elif path == "slow":
                time.sleep(1.5 if seen == 1 else 0.3)  # the first answer comes after the client gave up
                self.send_response(200)
            elif path == "broken":
                self.send_response(500)
            else:
                self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, private)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/", ca, receivers
    finally:
        server.shutdown()
        server.server_close()


def _give_webhooks(repo: GitRepo, base: str, topics: dict[str, list[str]] | None = None) -> None:
    """Each party of ENDPOINTS gets its endpoint in its record, signed again by the operator."""
    registry = repo.path / "registry"
    for party, path in ENDPOINTS.items():
        file = registry / "party" / party[0] / f"{party}.yaml"
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        data.pop("signature")
        hook: dict[str, Any] = {"url": base + path, "secret": f"FMAR_WEBHOOK_{party}"}
        if topics and party in topics:
            hook["topics"] = topics[party]
        data["webhooks"] = [hook]
        file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        signed = fmar(repo.path, "sign", file, "--key", key("FMAR"), "--at", "2026-11-01T00:00:00Z")
        assert signed.exit_code == 0, signed.output


def _notifications(repo: GitRepo, out: Path) -> dict[str, Any]:
    written = fmar(repo.path, "remind", "--since", "2026-11-01", "--until", "2027-12-31", "--out", out)
    assert written.exit_code == 0, written.output
    return {p: json.loads((out / f"{p}.json").read_text()) for p in ENDPOINTS if (out / f"{p}.json").exists()}


def test_each_party_is_told_at_its_endpoints_whatever_the_others_do(
    git_repo: GitRepo, endpoints: tuple[str, Path, Receivers], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, ca, receivers = endpoints
    git_repo.copy_registry()
    _give_webhooks(git_repo, base)
    out = tmp_path / "notifications"
    payloads = _notifications(git_repo, out)
    assert set(payloads) == set(ENDPOINTS), "each party with an endpoint has notices in the window"
    for party, secret in SECRETS.items():
        monkeypatch.setenv(f"FMAR_WEBHOOK_{party}", secret)
    started = time.monotonic()
    result = fmar(
        git_repo.path, "deliver", "--from", out, "--ca-bundle", ca, "--attempts", "3", "--backoff", "0.05",
        "--timeout", "1", "--summary", tmp_path / "summary.md",
    )  # fmt: skip
    assert time.monotonic() - started < 60
    assert result.exit_code == 1, result.output  # the broken endpoint was never answered 2xx
    record = json.loads((out / "deliveries.json").read_text())["deliveries"]
    by_party: dict[str, list[dict[str, Any]]] = {}
    for delivery in record:
        by_party.setdefault(delivery["recipient"], []).append(delivery)
    for party, payload in payloads.items():  # nothing lost: one delivery per notification, delivered or not
        assert len(by_party[party]) == len(payload["notifications"])
    assert all(d["delivered"] and d["attempts"] == 1 for d in by_party["ENWL"])
    assert all(d["delivered"] and d["attempts"] == 3 for d in by_party["NGED"]), "failed twice, then recovered"
    assert all(d["delivered"] for d in by_party["HEATSHIFT"])
    assert by_party["HEATSHIFT"][0]["attempts"] == 2, "the first answer came after the timeout"
    assert not any(d["delivered"] for d in by_party["KESTREL"])
    assert all(d["attempts"] == 3 and d["status"] == 500 for d in by_party["KESTREL"])
    assert receivers.count("broken") == 3 * len(payloads["KESTREL"]["notifications"])
    summary = (tmp_path / "summary.md").read_text()
    assert "| KESTREL |" in summary and "**no**" in summary and "Re-run to deliver the rest." in summary

    # Every request is signed with its party's secret over the exact body; retries of one delivery
    # keep its delivery id, and the idempotency key is the notification's, however often it comes.
    keys: dict[str, set[str]] = {}
    with receivers.lock:
        received = list(receivers.received)
    for path, headers, body in received:
        party = next(p for p, endpoint in ENDPOINTS.items() if endpoint == path)
        assert verify(SECRETS[party].encode(), body, headers[SIGNATURE_HEADER])
        assert not verify(SECRETS["ENWL" if party != "ENWL" else "NGED"].encode(), body, headers[SIGNATURE_HEADER])
        document = json.loads(body)
        assert document["format"] == "fmar-webhook/v1" and document["recipient"] == party
        assert document["idempotency_key"] == headers[IDEMPOTENCY_HEADER]
        keys.setdefault(headers[IDEMPOTENCY_HEADER], set()).add(headers[DELIVERY_HEADER])
    assert all(len(ids) == 1 for ids in keys.values()), "one delivery id per delivery, kept across its retries"
    flaky = [h for p, h, _ in received if p == "flaky"]
    assert len(flaky) == 3 * len(payloads["NGED"]["notifications"])

    # Delivered again (a re-run): the same idempotency keys, new delivery ids.
    again = fmar(git_repo.path, "deliver", "--from", out, "--ca-bundle", ca, "--attempts", "1", "--backoff", "0")
    assert again.exit_code == 1
    with receivers.lock:
        later = receivers.received[len(received) :]
    healthy_keys = {h[IDEMPOTENCY_HEADER] for p, h, _ in later if p == "healthy"}
    assert healthy_keys == {h[IDEMPOTENCY_HEADER] for p, h, _ in received if p == "healthy"}
    assert not {h[DELIVERY_HEADER] for p, h, _ in later} & {h[DELIVERY_HEADER] for p, h, _ in received}


def test_an_endpoint_is_trusted_only_with_a_verified_certificate_and_its_secret(
    git_repo: GitRepo, endpoints: tuple[str, Path, Receivers], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, ca, receivers = endpoints
    git_repo.copy_registry()
    _give_webhooks(git_repo, base, topics={"ENWL": ["decision_target_missed"]})
    out = tmp_path / "notifications"
    payloads = _notifications(git_repo, out)
    monkeypatch.setenv("FMAR_WEBHOOK_SECRETS", json.dumps({"FMAR_WEBHOOK_ENWL": SECRETS["ENWL"], "GITHUB_TOKEN": "x"}))
    # The system's certificate authorities do not vouch for the test server: nothing is sent in clear.
    untrusted = fmar(git_repo.path, "deliver", "--from", out, "--attempts", "1", "--backoff", "0")
    assert untrusted.exit_code == 1 and receivers.count("healthy") == 0
    trusted = fmar(git_repo.path, "deliver", "--from", out, "--ca-bundle", ca, "--attempts", "1", "--backoff", "0")
    assert trusted.exit_code == 1, "the parties without a secret are not delivered"
    record = json.loads((out / "deliveries.json").read_text())["deliveries"]
    enwl = [d for d in record if d["recipient"] == "ENWL"]
    wanted = [n for n in payloads["ENWL"]["notifications"] if n["topic"] == "decision_target_missed"]
    assert wanted and len(enwl) == len(wanted) and all(d["delivered"] for d in enwl), "only the topics it asked for"
    others = [d for d in record if d["recipient"] != "ENWL"]
    assert others and all(not d["delivered"] and d["attempts"] == 0 for d in others)
    assert all("no secret FMAR_WEBHOOK_" in d["error"] for d in others)
    assert receivers.count("healthy") == len(wanted) and receivers.count("broken") == 0
