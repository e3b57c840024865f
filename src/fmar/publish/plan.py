"""What a build must derive: the whole registry, or only the unit groups that changed.

A build with a usable ``BuildState`` reads only the files that changed (by stamp, or touched by
commits since the state's head), the reference records and the files of the unit groups they
belong to, plus the groups whose facts expire at the new as-of time (``facts.next_change``).
Anything the state cannot vouch for (a removed file, a changed reference record, history that
moved other than forward, an as-of time earlier than the state's, many groups at once) makes it
a full build. Either way the registry must be valid: a build never publishes from records with
errors, and says which and where.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from fmar.core.findings import Finding
from fmar.core.model import REFERENCE_KINDS, Record
from fmar.core.registry import Registry
from fmar.loading.record_file import LoadedFile, read_record
from fmar.publish.background import Background
from fmar.publish.facts import ChangeRow, UnitFacts, change_row
from fmar.publish.inputs import History
from fmar.publish.state import BuildState
from fmar.publish.survey import Survey
from fmar.signing.seal import Seal
from fmar.trust.files import load_anchor
from fmar.trust.reading import refusal_findings
from fmar.trust.standing import stand
from fmar.validation.pipeline import Pipeline, data_json, finding

#: A partial build re-derives at most this share of the units; more is a full build.
PARTIAL_SHARE = 0.2


class RegistryInvalid(Exception):
    """The registry has errors: nothing is built."""

    def __init__(self, findings: list[Finding], files: int) -> None:
        self.findings = findings
        #: Record files in the registry (what a report says was checked).
        self.files = files
        errors = [f for f in findings if f.severity == "error"]
        super().__init__(f"the registry has {len(errors)} error(s); run 'fmar validate' to see them all")


@dataclass
class Inputs:
    registry: Registry
    #: Units whose facts are derived in this build (all of them in a full build).
    units: set[str]
    full: bool
    #: Facts carried over from the previous build (empty in a full build).
    kept: dict[str, UnitFacts] = field(default_factory=dict)
    #: Why the build is full (for the log), or what the partial build read.
    reason: str = ""
    files_read: int = 0
    #: Path -> JSON of the record's data, for the records read in this build (what their documents
    #: quote; a record missing here is read again from its file).
    data: dict[str, bytes] = field(default_factory=dict)
    #: The cross-record rules, still running (a full build checks them while it reads history).
    checking: Callable[[], None] = lambda: None
    #: Path -> the seal of each record's signature (``refuse_unverified`` judges them).
    seals: dict[str, Seal] = field(default_factory=dict)
    #: Every finding of the files and of the rules across records, once a full build has checked them.
    found: list[Finding] | None = None


def errors_in(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def refuse_errors(findings: list[Finding], files: int) -> None:
    if errors_in(findings):
        raise RegistryInvalid(sorted(findings), files)


def full(
    pipeline: Pipeline, reason: str, progress: Callable[[int], None] | None = None, *, start_method: str = "fork"
) -> Inputs:
    """Every record. The files' own findings are checked here; the cross-record rules run in a
    child process until the caller calls ``Inputs.checking`` (which refuses errors)."""
    files = len(pipeline.layout.files)
    read = pipeline.read(progress, with_data=True)
    registry, findings = read.registry, read.findings
    refuse_errors(findings, files)
    rules = Background("cross-record rules", pipeline.registry_findings, registry, start_method=start_method)

    def checking() -> None:
        try:
            found = sorted([*findings, *rules.result()])
        finally:
            rules.cancel()
        inputs.found = found  # remembered with the judgement of the records (``refuse_unverified``)
        refuse_errors(found, files)

    inputs = Inputs(
        registry,
        set(registry.units),
        True,
        reason=reason,
        files_read=files,
        data=read.data,
        checking=checking,
        seals=read.seals,
    )
    return inputs


def group_of(registry: Registry, record: Record, application_unit: dict[str, str]) -> str | None:
    """The unit whose group ``record`` belongs to ("" for reference records; None when unknown)."""
    kind = record.KIND
    if kind in REFERENCE_KINDS:
        return ""
    if kind == "market_unit":
        return record.id
    if kind == "application":
        return record.unit  # type: ignore[attr-defined]
    application = record.application  # type: ignore[attr-defined]
    known = registry.applications.get(application)
    return known.unit if known is not None else application_unit.get(application)


def partial(
    pipeline: Pipeline,
    state: BuildState,
    *,
    moment_of: Callable[[list[Record]], datetime | None],
    committed: set[str] | None,
    survey: Survey,
) -> Inputs | str:
    """The inputs of a partial build, or why it must be a full one.

    ``moment_of(changed records)`` is this build's as-of time; ``committed``: files touched by
    commits since the state's head (None when history did not simply move forward); ``survey``:
    the registry folder now, and which files changed since the state's build.
    """
    if committed is None:
        return "the registry's history was rewritten"
    if pipeline.layout.problems:
        return "the registry folder has misplaced files"
    if survey.changed is None:
        return "the previous build's file stamps are missing"
    kinds = {rel: kind for rel, kind, _, _ in pipeline.layout.files}
    if survey.removed or committed - kinds.keys():
        return "record files were removed"
    changed = sorted({*survey.changed, *(committed & kinds.keys())})
    if any(kinds[rel] in REFERENCE_KINDS for rel in changed):
        return "reference records (parties, products, the toolkit, import attestations) changed"
    root = pipeline.root
    data: dict[str, bytes] = {}

    def load(rel: str) -> LoadedFile:
        loaded, values = read_record(root, rel, kinds[rel])
        if (found := data_json(values)) is not None:
            data[rel] = found
        return loaded

    loaded = {rel: load(rel) for rel in changed}
    refuse_errors([finding(rel, p) for rel, f in loaded.items() for p in f.problems], len(kinds))
    records = [f.record for f in loaded.values() if f.record is not None]
    moment = moment_of(records)
    if moment is None or moment < state.as_of:
        return "the as-of time moved back"
    scratch = Registry.of((f.path, f.record) for f in loaded.values() if f.record is not None)
    units: set[str] = set()
    for rel, f in loaded.items():
        assert f.record is not None  # refused above otherwise
        unit = group_of(scratch, f.record, state.application_unit)
        if not unit:
            return f"{rel} belongs to no known Market Unit"
        units.add(unit)
        if rel in state.group_of:
            units.add(state.group_of[rel])
    units |= {u for u, facts in state.facts.items() if facts.next_change is not None and facts.next_change <= moment}
    if len(units) > max(50, PARTIAL_SHARE * len(state.facts)):
        return f"{len(units)} Market Units to derive again"
    wanted = sorted(set(state.members(units)) - loaded.keys())
    loaded.update({rel: load(rel) for rel in wanted})
    refuse_errors([finding(rel, p) for rel, f in loaded.items() for p in f.problems], len(kinds))
    files: list[LoadedFile] = sorted([*state.reference.values(), *loaded.values()], key=lambda f: f.path)
    registry = Registry.of((f.path, f.record) for f in files if f.record is not None)
    refuse_errors(pipeline.registry_findings(registry), len(kinds))
    kept = {u: facts for u, facts in state.facts.items() if u not in units}
    seals = {f.path: f.seal for f in files if f.seal is not None}
    return Inputs(registry, units & set(registry.units), False, kept, files_read=len(loaded), data=data, seals=seals)


def refuse_unverified(pipeline: Pipeline, inputs: Inputs) -> None:
    """Refuse to build (``RegistryInvalid``) when any record read does not stand: a published
    status is never derived from a record whose signature, key or signer's entitlement fails.
    ``inputs.registry.recorded_at`` must hold the recorded times (``history_source`` fills them).
    A full build remembers every finding, the judgement included, for ``fmar validate``."""
    root, files = pipeline.root, len(pipeline.layout.files)
    _, anchor, _ = load_anchor(root)
    refusals = refusal_findings(root, stand(inputs.registry, inputs.seals, anchor))
    if inputs.found is not None:
        pipeline.remember(sorted({*inputs.found, *refusals}))
    refuse_errors(refusals, files)


def reference_files(registry: Registry, seals: dict[str, Seal]) -> dict[str, LoadedFile]:
    """The reference records as loaded files, with their seals (a partial build judges them again)."""
    return {
        path: LoadedFile(path, r.KIND, r, [], seals.get(path))
        for r in registry.records()
        if r.KIND in REFERENCE_KINDS
        for path in (registry.path_of(r),)
    }


def groups(registry: Registry, application_unit: dict[str, str]) -> dict[str, str]:
    """rel -> unit group ("" for reference records) of every record in ``registry``."""
    out = {}
    for record in registry.records():
        unit = group_of(registry, record, application_unit)
        if unit is not None:
            out[registry.path_of(record)] = unit
    return out


def removed_changes(history: History, registry: Registry) -> list[ChangeRow]:
    """Changes of records no longer in the registry (they belong to no group)."""
    known = {r.id for r in registry.records()}
    return [
        change_row(c) for record_id, timeline in history.timelines.items() if record_id not in known for c in timeline
    ]


__all__ = ["Inputs", "RegistryInvalid", "full", "partial"]
