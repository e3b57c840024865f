"""Signed webhook requests: what is POSTed to a party's endpoints for each of its notifications.

Pure: from the notification payloads (``fmar notify`` and ``fmar remind`` write them) and the
parties' ``webhooks``, the requests to make, each with its body, headers and the name of the
secret that signs it. The signature is an HMAC-SHA256 over the exact body, sent as GitHub sends
its own (``X-Fmar-Signature-256: sha256=<hex>``), so a receiver checks it the same way. Every
request carries an idempotency key that is the same however often the notification is delivered
(a retried or re-run delivery), and a delivery id of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fmar.core.model import Party

WEBHOOK_FORMAT = "fmar-webhook/v1"
#: The headers a request carries (GitHub's own webhook headers, under fmar's name).
SIGNATURE_HEADER = "X-Fmar-Signature-256"
DELIVERY_HEADER = "X-Fmar-Delivery"
TOPIC_HEADER = "X-Fmar-Event"
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class WebhookRequest:
    """One notification for one endpoint, ready to sign and send."""

    recipient: str
    url: str
    #: The name of the secret (in the CI secret store, given to the process as an environment
    #: variable of that name) whose value signs the body.
    secret: str
    topic: str
    idempotency_key: str
    body: bytes

    def headers(self, key: bytes, delivery: str) -> dict[str, str]:
        """The request's headers, signed with ``key``; ``delivery``: this delivery's id."""
        return {
            "Content-Type": "application/json",
            "User-Agent": "fmar-webhook/1",
            TOPIC_HEADER: self.topic,
            DELIVERY_HEADER: delivery,
            IDEMPOTENCY_HEADER: self.idempotency_key,
            SIGNATURE_HEADER: signature(key, self.body),
        }


def signature(key: bytes, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``body`` under ``key``."""
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify(key: bytes, body: bytes, header: str) -> bool:
    """Whether ``header`` is the signature of ``body`` under ``key`` (compared in constant time):
    what a receiver does."""
    return hmac.compare_digest(signature(key, body), header)


def idempotency_key(recipient: str, notification: Mapping[str, Any]) -> str:
    """The same for the same notification to the same party, however often it is delivered."""
    parts = (recipient, str(notification["topic"]), str(notification["record"]), str(notification["at"]))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def requests_for(parties: Mapping[str, Party], payloads: Iterable[Mapping[str, Any]]) -> list[WebhookRequest]:
    """The requests for ``payloads`` (each a recipient's payload as ``notification.recipient_json``
    writes it) to the endpoints of their recipients, in payload and notification order."""
    out = []
    for payload in payloads:
        recipient = str(payload["recipient"])
        party = parties.get(recipient)
        for hook in party.webhooks if party else ():
            for notification in payload["notifications"]:
                topic = str(notification["topic"])
                if hook.topics and topic not in hook.topics:
                    continue
                key = idempotency_key(recipient, notification)
                body = {
                    "format": WEBHOOK_FORMAT,
                    "recipient": recipient,
                    "idempotency_key": key,
                    "range": payload.get("range"),
                    "notification": notification,
                }
                out.append(
                    WebhookRequest(
                        recipient=recipient,
                        url=str(hook.url),
                        secret=hook.secret,
                        topic=topic,
                        idempotency_key=key,
                        body=json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(),
                    )
                )
    return out
