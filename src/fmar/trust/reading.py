"""Read a registry as the read commands see it: every valid record, then only those that stand.

The edge around ``fmar.trust.standing``: loads the files (with their seals) through the
validation pipeline, the trust anchor from the repository root, and locates each refusal in
its file, so a reader can say which records it did not count, where and why.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from fmar.core.findings import Finding
from fmar.core.model import Record
from fmar.core.registry import Registry
from fmar.signing.seal import Seal
from fmar.trust.files import load_anchor
from fmar.trust.signatures import key_fingerprint
from fmar.trust.standing import Standing, stand
from fmar.validation.pipeline import Pipeline, Progress, Validation, located_findings


@dataclass
class Verified:
    """A registry read with every record judged."""

    #: Every valid record, whether it stands or not (to say what a refused record was about).
    everything: Registry
    standing: Standing
    #: The findings of each file alone and of the rules across records (with the judgement too, when
    #: those of an earlier ``fmar validate`` of the same files are reused).
    findings: list[Finding]
    #: One finding or more for each record that does not stand, located in its file.
    refusals: list[Finding]

    @property
    def registry(self) -> Registry:
        """The records that stand: the only ones any status, list or count is derived from."""
        return self.standing.registry

    def refused_about(self, units: Iterable[str] | None = None, so: str | None = None) -> list[Finding]:
        """Refusals of records about ``units`` (the units, their applications and the answers to
        those), or about applications to products of ``so``; every refusal when neither is given."""
        if (units is None and so is None) or not self.refusals:
            return self.refusals
        paths = {self.everything.path_of(record) for record in self._about(set(units or ()), so)}
        return [f for f in self.refusals if f.path in paths]

    def _about(self, units: set[str], so: str | None) -> Iterable[Record]:
        everything = self.everything
        applications = [
            application
            for application in everything.applications.values()
            if application.unit in units
            or (so is not None and (product := everything.products.get(application.product)) and product.so == so)
        ]
        yield from (everything.units[u] for u in units if u in everything.units)
        for application in applications:
            yield application
            yield from everything.answers.get(application.id, ())


def read_verified(
    root: Path,
    registry_dir: Path,
    *,
    recorded: Callable[[Registry], None] | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
) -> Verified:
    """The registry in ``registry_dir`` with each record judged; ``recorded`` fills in when the
    registry accepted each record (``Registry.recorded_at``, from Git) before the judgement, so
    a record recorded after its key was revoked does not stand."""
    pipeline = Pipeline(root, registry_dir, use_cache=use_cache)
    read = pipeline.read(progress)
    # The records live as long as the command: no collection need ever look at them again (with
    # hundreds of thousands of them, each later collection would otherwise scan them all).
    gc.freeze()
    # What fmar validate found for these very files, when it ran since they last changed.
    findings = pipeline.reusable_findings()
    if findings is None:
        findings = sorted([*read.findings, *pipeline.registry_findings(read.registry)])
    if recorded is not None:
        recorded(read.registry)
    standing = judged(pipeline, read.registry, read.seals)
    return Verified(read.registry, standing, findings, refusal_findings(root, standing))


def judged(pipeline: Pipeline, registry: Registry, seals: dict[str, Seal]) -> Standing:
    """``stand`` under the anchor at the pipeline's root, or what it said last time for the same files
    (``registry`` is every record the pipeline read), anchor and recorded times that matter."""
    key = hashlib.sha256(pipeline.digest.encode())
    revoked = {key_fingerprint(k.public_key) for party in registry.parties.values() for k in party.keys if k.revoked_at}
    if revoked:  # when a record was recorded decides only whether a revoked key signed it in time
        for record in registry.records():
            if record.signature.key_fingerprint in revoked:
                key.update(f"{record.id}\0{registry.recorded_at.get(record.id)}\n".encode())
    name, digest = "standing.pickle", key.hexdigest()
    saved = pipeline.cache.load(name)
    if saved is not None and saved[0] == digest:
        return Standing.of(registry, saved[1])
    standing = stand(registry, seals, load_anchor(pipeline.root)[1])
    pipeline.cache.save(name, (digest, standing.refused))
    return standing


def validate(pipeline: Pipeline, progress: Progress | None = None) -> Validation:
    """Every finding of ``fmar validate``: each file alone, the rules across records and, when the
    ``pipeline`` seals records (its default), every record that does not stand (signature, key,
    entitlement). Reuses the findings of an earlier run when nothing changed."""
    root, files = pipeline.root, len(pipeline.layout.files)
    reused = pipeline.reusable_findings()
    if reused is not None:
        return Validation(reused, files, reused=True)
    read = pipeline.read(progress)
    findings = [*read.findings, *pipeline.registry_findings(read.registry)]
    if pipeline.seal:
        findings.extend(refusal_findings(root, judged(pipeline, read.registry, read.seals)))
    findings = sorted(set(findings))
    pipeline.remember(findings)
    return Validation(findings, files, reused=False)


def refusal_findings(root: Path, standing: Standing) -> list[Finding]:
    """The refusals of ``standing`` as findings, each at its line and column in the file."""
    return sorted(located_findings(root, standing.refused))
