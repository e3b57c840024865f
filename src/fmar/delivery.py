"""Webhook deliveries over HTTPS: each signed request POSTed with retries and backoff, each outcome kept.

The I/O edge of ``core.workflow.webhooks``. urllib3's ``Retry`` retries a request that fails to
connect, times out or is answered 429 or 5xx, waiting ``backoff * 2**n`` seconds between tries
(and a ``Retry-After`` the server sends); a 4xx other than 429 is final. One endpoint failing
never stops the others: every request is tried, and each one's outcome (delivered or not, the
attempts, the last status or error) is returned, for the record the workflow keeps.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import urllib3
from urllib3.exceptions import HTTPError, MaxRetryError
from urllib3.util import Retry, Timeout

from fmar.core.workflow.webhooks import WebhookRequest

#: Statuses that are worth trying again.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Outcome:
    """How the delivery of one request went."""

    recipient: str
    url: str
    topic: str
    idempotency_key: str
    delivery: str
    delivered: bool
    attempts: int
    status: int | None
    error: str | None
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _retry(attempts: int, backoff: float) -> Retry:
    return Retry(
        total=attempts - 1,
        connect=attempts - 1,
        read=attempts - 1,
        status=attempts - 1,
        other=0,
        redirect=0,
        allowed_methods=frozenset({"POST"}),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff,
        backoff_max=300,
        raise_on_status=False,
        raise_on_redirect=False,
        respect_retry_after_header=True,
    )


def deliver(
    requests: Iterable[WebhookRequest],
    secrets: Mapping[str, str],
    *,
    attempts: int = 5,
    backoff: float = 2.0,
    timeout: float = 10.0,
    ca_bundle: Path | None = None,
    delivery_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> list[Outcome]:
    """POST each request, signed with the secret it names (``secrets``: name -> value); one
    ``Outcome`` per request, in order. A request whose secret is missing is not sent."""
    pool = urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=str(ca_bundle) if ca_bundle else None, retries=False)
    outcomes = []
    for request in requests:
        delivery = delivery_id()
        started = time.monotonic()
        key = secrets.get(request.secret)
        status: int | None = None
        error: str | None = None
        tries = 0
        if not key:
            error = f"no secret {request.secret}: add it to the CI secret store (nothing was sent)"
        else:
            try:
                response = pool.request(
                    "POST",
                    request.url,
                    body=request.body,
                    headers=request.headers(key.encode(), delivery),
                    retries=_retry(attempts, backoff),
                    timeout=Timeout(connect=timeout, read=timeout),
                    redirect=False,
                )
                status = response.status
                history = response.retries.history if response.retries else ()
                tries = len(history) + 1
                if not 200 <= status < 300:
                    error = f"answered {status}"
            except MaxRetryError as exc:
                tries = attempts
                error = f"gave up after {attempts} attempts: {exc.reason}"
            except HTTPError as exc:
                tries = max(tries, 1)
                error = f"{type(exc).__name__}: {exc}"
        outcomes.append(
            Outcome(
                recipient=request.recipient,
                url=request.url,
                topic=request.topic,
                idempotency_key=request.idempotency_key,
                delivery=delivery,
                delivered=status is not None and 200 <= status < 300,
                attempts=tries,
                status=status,
                error=error,
                seconds=round(time.monotonic() - started, 3),
            )
        )
    return outcomes
