"""A registry repository with a merged base and a pull-request branch, for gate scenarios."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fmar.core.record_paths import path_of
from fmar.generate.builder import Builder
from fmar.generate.keys import example_key
from fmar.loading.record_file import parse_text
from fmar.signing.records import iso, sign_data
from fmar.signing.sshsig import PrivateKey
from fmar.trust.gate import GateResult, check
from fmar.validation.pipeline import Pipeline
from fmar.writing.writer import dumps

#: The base branch is merged at this time, after every bundled signature.
BASE_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
#: Records of the pull request are signed at this time and committed an hour later.
PR_AT = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)


def key(party: str) -> PrivateKey:
    return example_key(party, "bundled")


def rel_of(kind: str, record_id: str) -> str:
    """The record's path relative to the repository: ``registry/`` and its own path (``path_of``)."""
    return f"registry/{path_of(kind, record_id)}"


class Scenario:
    """The bundled registry committed on main, and a branch ``pr`` checked out for the change."""

    def __init__(self, repo: Any) -> None:
        self.repo = repo
        self.root: Path = repo.path
        repo.copy_registry()  # with the bundled trust anchor: registry fmar-gb
        repo.commit_all("bundled registry", when=BASE_AT)
        repo.git("checkout", "-q", "-b", "pr")
        self._builder: Builder | None = None

    # --- files ------------------------------------------------------------------------------
    def path(self, rel: str) -> Path:
        return self.root / rel

    @property
    def identity(self) -> str:
        """The registry's identity, as the trust anchor in the working tree names it."""
        return str(self.data("registry-trust.yaml")["registry"])

    def data(self, rel: str) -> dict[str, Any]:
        data, _, problems = parse_text(self.path(rel).read_text(encoding="utf-8"))
        assert data is not None, problems
        return data

    def write(self, rel: str, data: dict[str, Any]) -> None:
        target = self.path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dumps(data), encoding="utf-8")

    def sign(
        self,
        rel: str,
        signer: str,
        *,
        at: datetime = PR_AT,
        change: Callable[[dict[str, Any]], None] | None = None,
        with_key: PrivateKey | None = None,
        data: dict[str, Any] | None = None,
        registry: str | None = None,
    ) -> dict[str, Any]:
        """Change (optionally) and sign the record at ``rel`` as ``signer`` for the registry ``registry``
        (default: this one, as its trust anchor names it), and write it."""
        body = data if data is not None else self.data(rel)
        body = {k: v for k, v in body.items() if k != "signature"}
        if change:
            change(body)
        signed = sign_data(body, with_key or key(signer), signer, at, registry=registry or self.identity)
        self.write(rel, signed)
        return signed

    @property
    def builder(self) -> Builder:
        """A Builder over the base registry, to author new records as the parties would."""
        if self._builder is None:
            registry, _ = Pipeline(self.root, self.root / "registry", use_cache=False).load()
            self._builder = Builder(self.root / "registry", key, random.Random(7), registry_id=self.identity)
            self._builder.registry = registry
        return self._builder

    # --- git --------------------------------------------------------------------------------
    def merge_to_main(self, message: str = "merged", when: datetime = BASE_AT + timedelta(days=1)) -> None:
        """Commit what is staged on ``pr`` and fast-forward main to it (a merged earlier change)."""
        self.repo.commit_all(message, when=when)
        self.repo.git("checkout", "-q", "main")
        self.repo.git("merge", "-q", "--ff-only", "pr")
        self.repo.git("checkout", "-q", "pr")

    def check(
        self,
        when: datetime = PR_AT + timedelta(hours=1),
        *,
        now: datetime | None = None,
        author_when: datetime | None = None,
    ) -> GateResult:
        """Commit the change at ``when`` (the dates its submitter chose) and check it at ``now``.

        The gate judges time by ``now`` only; it defaults to ``when`` so that a test states
        one time when the commit's dates are not what it is about.
        """
        self.repo.commit_all("the change", when=when, author_when=author_when)
        return check(self.root, "main", "pr", now=now or when)

    def codes(
        self,
        when: datetime = PR_AT + timedelta(hours=1),
        *,
        now: datetime | None = None,
        path: str | None = None,
        author_when: datetime | None = None,
    ) -> set[str]:
        """The codes of the findings the change gets (only those about ``path`` when given)."""
        found = self.check(when, now=now, author_when=author_when).findings
        return {f.code for f in found if path is None or f.path == path}

    def acknowledge(self, at: datetime = PR_AT) -> str:
        """NESO acknowledges APP-2026-XNHPJ1N3 at ``at``; returns the new event's path."""
        b = self.builder
        record = b.event(b.registry.applications["APP-2026-XNHPJ1N3"], "acknowledged", at)
        return rel_of("event", record.id)

    def write_reused_event(self, rel: str, at: datetime = PR_AT + timedelta(hours=3)) -> None:
        """A new acknowledgement by NESO at ``rel``, whose id is that of a record once merged and removed."""
        data = self.data("registry/event/2026/1/1Q/EVT-2026-1QG245MN.yaml")
        data["id"] = rel.rsplit("/", 1)[-1][:-5]
        data["application"] = "APP-2026-XNHPJ1N3"
        data["type"] = "acknowledged"
        data.pop("respond_by", None)
        data["effective_at"] = iso(at)
        self.write(rel, sign_data(data, key("NESO"), "NESO", at, registry=self.identity))
