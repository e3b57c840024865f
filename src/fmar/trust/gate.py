"""The pull-request gate (``fmar check --base REF``): judge a change by the authority of its base.

What a change may do is decided from the base revision only: parties, keys, products and
ownership are read from there, never from the change. The change's records are checked by
the core rules, and the cross-record rules run on the neighbourhood of the change (the
records it touches and those that refer to them) before and after it; only the findings the
change brings are reported. The cost follows the size of the change, not of the registry.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fmar.core.catalogue import (
    ANCHOR_CHANGE_NOT_BY_OPERATOR,
    APPEND_ONLY_DELETED,
    APPEND_ONLY_MODIFIED,
    ATTESTATION_FOR_MERGED_RECORD,
    BAD_FILE_NAME,
    COMMENT_IN_RECORD,
    DATA_MIXED_WITH_CODE,
    GOVERNANCE_MIXED_WITH_DATA,
    ID_REUSED,
    KEY_NOT_PUBLISHED,
    MERGED_FILE_CHANGED,
    MISPLACED_FILE,
    RECORD_OUTSIDE_REGISTRY,
    RECORD_RENAMED,
    REFERENCE_RECORD_DELETED,
    SELF_GRANTED_AUTHORITY,
    SIGNATURE_COPIED,
    SIGNATURE_INVALID,
    SIGNED_FILE_TEXT,
    SIGNED_WITH_KEY_IT_ADDS,
    UNKNOWN_KIND_FOLDER,
)
from fmar.core.findings import Finding, Problem
from fmar.core.model import KINDS, Application, ImportAttestation, MarketUnit, Party, Product
from fmar.core.record_paths import is_id, kinds_of
from fmar.core.registry import Registry
from fmar.core.rules.registry import check_registry
from fmar.gitrepo import DiffEntry, changes, deleted_later, merge_base, resolve
from fmar.loading.comments import comments
from fmar.loading.layout import wrong_path
from fmar.loading.record_file import locate, parse_text
from fmar.loading.strict_yaml import parse_strict
from fmar.loading.text import decode
from fmar.signing.canonical import canonical_bytes
from fmar.trust import anchor as trust_anchor
from fmar.trust import migration
from fmar.trust.authorization import AUTHORITY_KINDS, check_authorization
from fmar.trust.checkout import checkout_problems, full_folders, listed_folders
from fmar.trust.refindex import References
from fmar.trust.revision import (
    REGISTRY,
    RecordBlobs,
    RecordFile,
    Revision,
    diff_sides,
    kind_of,
    record_path,
)
from fmar.trust.signatures import check_signature, find_key, verifies_over
from fmar.trust.times import stated_time_problems
from fmar.trust.withdrawn import withdrawn_problems
from fmar.validation.pipeline import finding

#: Kinds whose merged records are history: never modified, never deleted.
APPEND_ONLY = ("application", "outcome", "event", "import_attestation")
#: Documentation folders: the only files that may go with a data change.
_DOC_FOLDERS = ("docs/", "site/docs/")
#: Governance files: the registry operator approves them, never beside a data change. GitHub
#: reads CODEOWNERS at the root, in .github/ or in docs/.
_GOVERNANCE_FOLDERS = ("audit/", ".github/", ".ci/", "scripts/", "requirements/")
_GOVERNANCE_FILES = (trust_anchor.ANCHOR_PATH, "CODEOWNERS", "docs/CODEOWNERS", "pyproject.toml")


@dataclass
class GateResult:
    findings: list[Finding]
    #: Paths the change touches.
    files: int
    base: str
    head: str
    merge_base: str
    #: Git objects read to decide: follows the size of the change, not of the registry.
    objects_read: int = 0


@dataclass
class _Context:
    root: Path
    base: Revision
    before: Revision
    after: Revision
    #: The time of the check (the CI runner's clock), never a commit or author date.
    now: datetime
    #: The registry's identity, from the base's trust anchor: every signature must name it.
    registry: str
    out: dict[str, list[Problem]] = field(default_factory=dict)

    def add(self, path: str, *problems: Problem) -> None:
        self.out.setdefault(path, []).extend(problems)


class _AuthorityView:
    """The base revision, plus units and applications the change adds (their own signers are checked)."""

    def __init__(self, base: Revision, after: Revision, added: set[str]) -> None:
        self.base = base
        self.after = after
        self.added = added

    @property
    def parties(self) -> Mapping[str, Party]:
        return self.base.parties

    def product(self, product_id: str) -> Product | None:
        return self.base.product(product_id)

    def record(self, kind: str, record_id: str) -> Any:
        """A record of the base revision, or one the change adds."""
        return self._either(kind, record_id)

    def _either(self, kind: str, record_id: str) -> Any:
        found = self.base.record(kind, record_id)
        if found is None and record_path(kind, record_id) in self.added:
            found = self.after.record(kind, record_id)
        return found

    def unit(self, unit_id: str) -> MarketUnit | None:
        found = self._either("market_unit", unit_id)
        return found if isinstance(found, MarketUnit) else None

    def application(self, application_id: str) -> Application | None:
        found = self._either("application", application_id)
        return found if isinstance(found, Application) else None


def _is_data(path: str) -> bool:
    return path.startswith(f"{REGISTRY}/") or path == trust_anchor.ANCHOR_PATH


def _is_governance(path: str) -> bool:
    return path.startswith(_GOVERNANCE_FOLDERS) or path in _GOVERNANCE_FILES


def _is_doc(path: str) -> bool:
    return path.startswith(_DOC_FOLDERS) and not _is_governance(path)


def _layout_problem(path: str) -> Problem | None:
    parts = path.split("/")
    if len(parts) < 3:
        return Problem(
            MISPLACED_FILE, "not a record in the folders of its kind", "see docs/layout.md: move or remove it", (), 1, 1
        )
    kind, name = parts[1], parts[-1]
    if kind not in KINDS:
        return Problem(
            UNKNOWN_KIND_FOLDER,
            f"unknown record kind folder {kind!r}",
            f"use one of: {', '.join(sorted(KINDS))}",
            (),
            1,
            1,
        )
    if not name.endswith(".yaml") or not is_id(kind, name[:-5]):
        return Problem(
            BAD_FILE_NAME, f"{name!r} is not <id>.yaml for a {kind} id", "name the file after the record's id", (), 1, 1
        )
    if path != record_path(kind, name[:-5]):
        return wrong_path(kind, name[:-5])
    return None


def _pretends(path: str, raw: bytes | None) -> bool:
    """A file outside registry/ that looks like a record: a kind folder in its path or a record's kind inside."""
    if not path.endswith((".yaml", ".yml", ".json")) or path == trust_anchor.ANCHOR_PATH:
        return False
    parts = path.split("/")
    if any(parts[at] == REGISTRY and parts[at + 1] in KINDS for at in range(len(parts) - 2)):
        return True
    if raw is None:
        return False
    text, _ = decode(raw)
    if text is None:
        return False
    data: Any
    if path.endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError:
            return False
    else:
        data, _, _ = parse_text(text)
    return isinstance(data, dict) and data.get("kind") in KINDS and "signature" in data


def _same_data(a: RecordFile | None, b: RecordFile | None) -> bool:
    return a is not None and b is not None and a.data is not None and a.data == b.data


def _append_only(ctx: _Context, change: DiffEntry, kind: str) -> None:
    path = change.path
    if change.status == "D":
        rule = APPEND_ONLY_DELETED if kind in APPEND_ONLY else REFERENCE_RECORD_DELETED
        what = "merged history" if kind in APPEND_ONLY else "a record others rely on"
        ctx.add(
            path,
            Problem(
                rule,
                f"deletes {path}, {what}",
                "restore the file; correct an outcome or event with a new record that supersedes it, withdraw an "
                "application with a withdrawal event, revoke a key or disconnect a unit instead of deleting",
                (),
                1,
                1,
            ),
        )
    elif change.status in ("M", "T") and kind in APPEND_ONLY:
        if not _same_data(ctx.before.file(path), ctx.after.file(path)):
            ctx.add(
                path,
                Problem(
                    APPEND_ONLY_MODIFIED,
                    f"modifies the merged {kind} {path.rsplit('/', 1)[-1][:-5]}",
                    "restore the file and record the correction as a new record that supersedes it",
                    (),
                    1,
                    1,
                ),
            )
        elif change.old_mode == change.new_mode:  # a change of type or mode is FILE_TYPE_CHANGED's
            ctx.add(path, _merged_file_changed(kind, path))
    elif change.status in ("R", "C"):
        ctx.add(
            path,
            Problem(
                RECORD_RENAMED,
                f"renames or copies {change.old_path} to {path}",
                "records keep their path for ever: restore the old file and add a new record with a new id",
                (),
                1,
                1,
            ),
        )


def _merged_file_changed(kind: str, path: str) -> Problem:
    """A merged history file whose data is the same but whose bytes (comments, layout) are not."""
    return Problem(
        MERGED_FILE_CHANGED,
        f"changes the file of the merged {kind} {path.rsplit('/', 1)[-1][:-5]} (its data is the same, its bytes "
        "or mode are not: comments, quoting, spacing)",
        "restore the file exactly as merged (git checkout <base> -- <path>); merged history is immutable byte for byte",
        (),
        1,
        1,
    )


def _comments(ctx: _Context, registry_changes: list[DiffEntry]) -> None:
    """Added or changed record files hold no comments: nobody signs them (COMMENT_IN_RECORD)."""
    for change in registry_changes:
        current = ctx.after.file(change.path) if change.status != "D" and kind_of(change.path) else None
        if current is None or current.text is None:
            continue
        for line, column in comments(current.text):
            ctx.add(
                change.path,
                Problem(
                    COMMENT_IN_RECORD,
                    "a YAML comment in a record file: it is not signed, and it is not checked like the record's text",
                    "remove the comment; put what it says in a text field of the record, which the signer signs",
                    (),
                    line,
                    column,
                ),
            )


def _copied_from(ctx: _Context, path: str, value: str, others: Iterable[RecordFile]) -> str | None:
    lines = [line for line in value.strip().splitlines()[1:-1] if line]
    if not lines:
        return None
    needle = lines[-2] if len(lines) >= 3 else lines[-1]
    for other in others:
        if other.path != path and other.text and needle in other.text:
            return other.path
    kinds = sorted(KINDS)
    for found in ctx.base.mentioning([needle], kinds):
        if found != path:
            return found
    return None


def _signature_problems(ctx: _Context, current: RecordFile, raw: bytes, changed: list[RecordFile]) -> list[Problem]:
    data = current.data
    assert data is not None
    unchanged = _same_data(ctx.before.file(current.path), current)
    problems = check_signature(data, ctx.base.parties, registry=ctx.registry, now=None if unchanged else ctx.now)
    block = data.get("signature") if isinstance(data.get("signature"), dict) else {}
    assert isinstance(block, dict)
    signer = block.get("signer")
    out = []
    for problem in problems:
        if problem.rule == KEY_NOT_PUBLISHED:
            party = ctx.after.parties.get(str(signer))
            if party is not None and find_key(party, str(block.get("key_fingerprint"))) is not None:
                problem = Problem(
                    SIGNED_WITH_KEY_IT_ADDS,
                    f"signed with key {block.get('key_fingerprint')}, which this same change adds to {signer}",
                    "merge the key first (signed by the operator), then sign records with it in a later change",
                    ("signature", "key_fingerprint"),
                )
        elif problem.rule == SIGNATURE_INVALID:
            party = ctx.base.parties[str(signer)]
            key = find_key(party, str(block.get("key_fingerprint")))
            assert key is not None
            value = str(block.get("value"))
            other_bytes = (raw, canonical_bytes({k: v for k, v in data.items() if k != "signature"}))
            if any(verifies_over(candidate, value, key.public_key) for candidate in other_bytes):
                problem = Problem(
                    SIGNED_FILE_TEXT,
                    "the signature covers the file's text (or the record without its signature block), "
                    "not the record's canonical form",
                    "sign with fmar sign, or sign the output of fmar canonical with ssh-keygen -Y sign",
                    ("signature", "value"),
                )
            else:
                source = _copied_from(ctx, current.path, value, changed)
                if source:
                    problem = Problem(
                        SIGNATURE_COPIED,
                        f"the signature is copied from {source}",
                        "a signature belongs to one record: have the signer sign this record",
                        ("signature", "value"),
                    )
        out.append(problem)
    return out


def _name(value: Any) -> str:
    """An id or name as the record's data holds it, "" when it is not text (an invalid record's data
    can hold anything there; its schema findings say so)."""
    return value if isinstance(value, str) else ""


def _authority_uses(data: dict[str, Any], view: _AuthorityView, parties: set[str], products: set[str]) -> str | None:
    """The authority record changed in the same change that ``data`` relies on, if any."""
    block = data.get("signature")
    signer = _name(block.get("signer")) if isinstance(block, dict) else ""
    record_id = _name(data.get("id"))
    if _name(data.get("kind")) in AUTHORITY_KINDS and record_id in (parties | products):
        parties = parties - {record_id}
    names = {signer, _name(data.get("so")), _name(data.get("fsp"))}
    product_names = {_name(data.get("product"))}
    application = view.application(_name(data.get("application")))
    if application is not None:
        names.add(application.so)
        product_names.add(application.product)
    for name in names:
        if name in parties:
            return f"party {name}"
    for name in product_names:
        if name in products:
            return f"product {name}"
    return None


def _grants(ctx: _Context, current: RecordFile, fields: tuple[str, ...] | None) -> bool:
    """True when the change creates the authority record or changes ``fields`` of it (all fields when None)."""
    if current.data is None or "id" not in current.data:
        return False
    previous = ctx.base.file(current.path)
    if previous is None or previous.data is None:
        return True
    if fields is None:
        return unsigned_body(previous.data) != unsigned_body(current.data)
    return any(previous.data.get(name) != current.data.get(name) for name in fields)


def unsigned_body(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "signature"}


def _prefetch_named(base: Revision, records: list[RecordFile]) -> None:
    """Read the units, applications and corrected records that ``records`` name, and the units of those
    applications, in two batches: authorization and the stated-time rules ask for them one by one."""
    paths = []
    for record in records:
        data = record.data or {}
        for name, kind in (("unit", "market_unit"), ("application", "application"), ("supersedes", record.kind)):
            value = data.get(name)
            if isinstance(value, str) and value:
                paths.append(record_path(kind, value))
    base.prefetch(paths)
    applications = [found.record for path in paths if (found := base.file(path))]
    base.prefetch([record_path("market_unit", a.unit) for a in applications if isinstance(a, Application)])


def _check_records(ctx: _Context, registry_changes: list[DiffEntry]) -> list[RecordFile]:
    added = {c.path for c in registry_changes if c.status in ("A", "R", "C")}
    view = _AuthorityView(ctx.base, ctx.after, added)
    current_files: list[tuple[RecordFile, bytes]] = []
    for change in registry_changes:
        if change.status == "D":
            continue
        layout = _layout_problem(change.path)
        if layout:
            ctx.add(change.path, layout)
            continue
        current = ctx.after.file(change.path)
        if current is None:
            continue
        raw = current.text.encode("utf-8") if current.text is not None else b""
        if current.problems:
            ctx.add(change.path, *current.problems)
        if current.data is not None:
            current_files.append((current, raw))
    changed = [item for item, _ in current_files]
    _prefetch_named(ctx.base, changed)
    changed_parties = {
        _name(f.data["id"])
        for f in changed
        if f.data is not None and f.kind == "party" and _grants(ctx, f, ("role", "licence_areas"))
    } - {""}
    changed_products = {
        _name(f.data["id"]) for f in changed if f.data is not None and f.kind == "product" and _grants(ctx, f, None)
    } - {""}
    # What an import attestation the change adds says of the records it adds (the gate holds it to them).
    attested = {
        entry.id: entry.recorded_at
        for f in changed
        if isinstance(f.record, ImportAttestation) and f.path in added
        for entry in f.record.records
        if any(record_path(kind, entry.id) in added for kind in kinds_of(entry.id))
    }
    for current, raw in current_files:
        data = current.data
        assert data is not None
        problems = _signature_problems(ctx, current, raw, changed)
        previous = ctx.before.file(current.path)
        problems += check_authorization(
            data, view, previous=previous.data if previous and current.path not in added else None
        )
        if current.path in added and current.record is not None:
            problems += stated_time_problems(current.record, view.record, ctx.now, attested)
        uses = _authority_uses(data, view, changed_parties, changed_products)
        if uses:
            problems.append(
                Problem(
                    SELF_GRANTED_AUTHORITY,
                    f"this change also changes {uses}, which this record relies on",
                    f"split the change: merge the change of {uses} first, then this record",
                    ("signature", "signer"),
                )
            )
        ctx.add(current.path, *problems)
    return changed


def _attestations(ctx: _Context, changed: list[RecordFile], added: set[str]) -> None:
    """An import attestation names only records the same change adds (``ATTESTATION_FOR_MERGED_RECORD``):
    a record already on the base branch was first recorded here, and keeps that time."""
    for current in changed:
        attestation = current.record
        if not isinstance(attestation, ImportAttestation):
            continue
        for index, entry in enumerate(attestation.records):
            paths = [record_path(kind, entry.id) for kind in kinds_of(entry.id)]
            if any(path in added for path in paths):
                continue
            merged = any(ctx.base.file(path) is not None for path in paths)
            ctx.add(
                current.path,
                Problem(
                    ATTESTATION_FOR_MERGED_RECORD,
                    f"{entry.id} is already on the base branch: it was first recorded here, and keeps that time"
                    if merged
                    else f"{entry.id} is not added by this change",
                    "attest only the records of the earlier register that this change adds",
                    ("records", index, "id"),
                ),
            )


def _reused_ids(ctx: _Context, added: list[str], deleted: set[str]) -> None:
    """``deleted``: those of ``added`` that the base's history ever deleted."""
    for path in added:
        if ctx.base.file(path) is not None:
            ctx.add(path, _reuse(path, "already exists on the base branch"))
    for path in sorted(deleted):
        ctx.add(path, _reuse(path, "was deleted earlier in the registry's history"))


def _reuse(path: str, why: str) -> Problem:
    record_id = path.rsplit("/", 1)[-1].removesuffix(".yaml")
    return Problem(
        ID_REUSED,
        f"id {record_id} {why}",
        "ids are never reused: make a new id (fmar new ... does) and supersede the old record if needed",
        ("id",),
    )


Mentions = Callable[[list[str], list[str]], list[str]]


#: The kinds of the process toolkit: blocks, data objects, the toolkit's versions and the SOs' practices.
TOOLKIT_KINDS = frozenset({"process", "data_object", "toolkit", "practice"})


def _neighbourhood(side: Revision, seeds: list[RecordFile], mentioning: Mentions) -> Registry:
    """The records the seeds touch and those that refer to them, at ``side``, with all reference tables."""
    units: set[str] = set()
    applications: set[str] = set()
    attestations: list[tuple[str, ImportAttestation]] = []
    answers: set[str] = set()  # outcomes and events an attestation names
    for seed in seeds:
        data = seed.data or {}
        record_id = str(data.get("id", ""))
        if isinstance(seed.record, ImportAttestation):  # with what it names, to judge it across records
            attestations.append((seed.path, seed.record))
            for entry in seed.record.records:
                kind = (kinds_of(entry.id) or [""])[0]
                {"market_unit": units, "application": applications}.get(kind, answers).add(entry.id)
        elif seed.kind == "market_unit":
            units.add(record_id)
        elif seed.kind == "application":
            applications.add(record_id)
            units.add(str(data.get("unit", "")))
        elif seed.kind in ("outcome", "event"):
            applications.add(str(data.get("application", "")))
    # Outcomes and events need their application's history, not the unit's other applications;
    # a changed unit or a new application needs every application of the unit (open ones, re-assessment).
    expand = set(units)
    side.prefetch([record_path("application", a) for a in sorted(applications)])
    for application_id in list(applications):
        found = side.application(application_id)
        if found is not None:
            units.add(found.unit)
    units.discard("")
    expand.discard("")
    referring = mentioning(sorted(expand), ["application"]) if expand else []
    side.prefetch(referring)
    for path in referring:
        found_file = side.file(path)
        if found_file and isinstance(found_file.record, Application) and found_file.record.unit in units:
            applications.add(found_file.record.id)
    applications.discard("")
    registry = Registry()
    # The toolkit's other tables only for a change of the toolkit: the rules that read them judge
    # the toolkit's records alone.
    toolkit = any(seed.kind in TOOLKIT_KINDS for seed in seeds)
    tables = (side.data_objects, side.toolkits, side.practices) if toolkit else ()
    for table in (side.parties, side.products, side.processes, *tables):
        for record in table.values():
            registry.add(record, record_path(record.KIND, record.id))
    paths = [record_path("market_unit", u) for u in units if is_id("market_unit", u)]
    paths += [record_path("application", a) for a in applications if is_id("application", a)]
    paths += mentioning(sorted(applications), ["outcome", "event"]) if applications else []
    paths += [record_path(kind, a) for a in sorted(answers) for kind in kinds_of(a) if kind in ("outcome", "event")]
    side.prefetch(paths)
    for path in paths:
        found_file = side.file(path)
        if found_file and found_file.record is not None:
            registry.add(found_file.record, path)
    for path, attestation in attestations:
        if side.file(path) is not None:
            registry.add(attestation, path)
    return registry


def _mentions_after(ctx: _Context, before: Mentions, changed_paths: set[str]) -> Mentions:
    """Search the revision after the change as the one before it, corrected by the changed files only.

    Saves a second search of the whole registry: files the change does not touch are the same.
    """

    def mentioning(needles: list[str], kinds: list[str]) -> list[str]:
        unchanged = [p for p in before(needles, kinds) if p not in changed_paths]
        touched = []
        for path in sorted(changed_paths):
            found = ctx.after.file(path) if kind_of(path) in kinds else None
            if found is not None and found.text is not None and any(n in found.text for n in needles):
                touched.append(path)
        return unchanged + touched

    return mentioning


def _cross_record(ctx: _Context, seeds: list[RecordFile], changed_paths: set[str], referring: Mentions) -> None:
    """Cross-record findings the change brings: those after it that were not there before.

    ``referring`` answers, for the revision before the change, which records refer to given ids.
    """

    def hits(side: Revision, mentioning: Mentions) -> set[tuple[str, Problem]]:
        registry = _neighbourhood(side, seeds, mentioning)
        return {(registry.path_of(record), problem) for record, problem in check_registry(registry)}

    before = {(path, p.code, p.message) for path, p in hits(ctx.before, referring)}
    for path, problem in sorted(hits(ctx.after, _mentions_after(ctx, referring, changed_paths))):
        if (path, problem.code, problem.message) not in before:
            ctx.add(path, problem)


def _mixed(ctx: _Context, all_changes: list[DiffEntry]) -> None:
    data = [c.path for c in all_changes if _is_data(c.path)]
    code = [c.path for c in all_changes if not _is_data(c.path) and not _is_doc(c.path) and not _is_governance(c.path)]
    if data and code:
        shown = ", ".join(code[:5]) + (f" and {len(code) - 5} more" if len(code) > 5 else "")
        for path in code:
            ctx.add(
                path,
                Problem(
                    DATA_MIXED_WITH_CODE,
                    f"this change edits registry data ({len(data)} files) and code, schemas or workflows ({shown})",
                    "split it: data changes are judged by the rules already merged; a maintainer reviews code apart",
                    (),
                    1,
                    1,
                ),
            )


def _governance_mixed(ctx: _Context, all_changes: list[DiffEntry]) -> None:
    """Governance files never go with data (GOVERNANCE_MIXED_WITH_DATA). The one pairing the rules sanction: the
    trust anchor with the operator's party record (they change together, ANCHOR_KEYS_MISMATCH)."""
    paths = [c.path for c in all_changes] + [c.old_path for c in all_changes if c.old_path]
    records = sorted({p for p in paths if p.startswith(f"{REGISTRY}/")})
    anchor = trust_anchor.ANCHOR_PATH in paths
    governance = sorted({p for p in paths if _is_governance(p) and p != trust_anchor.ANCHOR_PATH})
    operators = {p.id: p for p in ctx.base.parties.values() if p.role.value == "operator"}
    operator_records = {record_path("party", party_id) for party_id in operators}
    refused = governance if (records or anchor) else []
    if anchor and (governance or any(p not in operator_records for p in records)):
        refused = [trust_anchor.ANCHOR_PATH, *refused]
    if not refused:
        return
    teams = sorted({str(p.github_team) for p in operators.values() if p.github_team})
    approver = f"the registry operator's team ({', '.join(teams)})" if teams else "the registry operator"
    data = f"registry data ({len(records)} files)" if records else "the trust anchor"
    for path in refused:
        ctx.add(
            path,
            Problem(
                GOVERNANCE_MIXED_WITH_DATA,
                f"this change edits {data} and the governance file {path}",
                f"split it: open a pull request with the governance part alone, which {approver} must approve; "
                "the data part is judged by the rules already merged",
                (),
                1,
                1,
            ),
        )


def _anchor(ctx: _Context, all_changes: list[DiffEntry], changed: list[RecordFile]) -> None:
    touched = {c.path: c for c in all_changes}
    change = touched.get(trust_anchor.ANCHOR_PATH)
    path = trust_anchor.ANCHOR_PATH
    new_anchor = None
    if change is not None:
        raw_new = ctx.after.blobs.read(ctx.after.rev, path) if change.status != "D" else None
        raw_old = ctx.base.blobs.read(ctx.base.rev, path)
        old_data, _, _ = parse_text(raw_old.decode("utf-8", "replace")) if raw_old else (None, None, None)
        old_anchor, _ = trust_anchor.parse(old_data) if old_data is not None else (None, [])
        if raw_new is None:
            ctx.add(
                path,
                Problem(
                    ANCHOR_CHANGE_NOT_BY_OPERATOR, "deletes the trust anchor", "restore registry-trust.yaml", (), 1, 1
                ),
            )
            return
        new_data, _, problems = parse_text(raw_new.decode("utf-8", "replace"))
        if new_data is None:
            ctx.add(path, *problems)
            return
        if old_anchor is None:
            operators = {p.id: p for p in ctx.base.parties.values() if p.role.value == "operator"}
            named, problems = trust_anchor.parse(new_data)
            if named is not None:
                signature = check_signature(new_data, operators, registry=named.registry)
                problems = [p._replace(rule=ANCHOR_CHANGE_NOT_BY_OPERATOR) for p in signature]
        else:
            problems = trust_anchor.check_change(new_data, old_anchor, ctx.now)
        ctx.add(path, *problems)
        new_anchor, _ = trust_anchor.parse(new_data)
    operator_changed = any(f.kind == "party" and f.record is not None for f in changed)
    if new_anchor is None and operator_changed:
        raw = ctx.after.blobs.read(ctx.after.rev, path)
        data, _, _ = parse_text(raw.decode("utf-8", "replace")) if raw else (None, None, None)
        new_anchor = trust_anchor.parse(data)[0] if data is not None else None
    if new_anchor is None:
        return
    target = record_path("party", new_anchor.operator)
    if change is not None or target in {f.path for f in changed}:
        ctx.add(target, *trust_anchor.check_operator(new_anchor, ctx.after.parties))


def _findings(ctx: _Context) -> list[Finding]:
    out: list[Finding] = []
    for path, problems in ctx.out.items():
        unique = list(dict.fromkeys(problems))
        if any(not p.line for p in unique):
            found = (ctx.after.file(path) or ctx.before.file(path)) if kind_of(path) else None
            raw = None if found else ctx.after.blobs.read(ctx.after.rev, path)
            text = found.text if found else (decode(raw)[0] if raw is not None else None)
            if text is not None and parse_strict(text).data is not None:
                unique = locate(unique, text, None)
        out.extend(finding(path, p) for p in unique)
    return sorted(set(out))


def _identity(blobs: RecordBlobs, base: str, base_ref: str) -> str:
    """The registry's identity as the base's trust anchor names it (NoRegistryIdentity when it names none)."""
    raw = blobs.read(base, trust_anchor.ANCHOR_PATH)
    data: Any = None
    if raw is not None:
        text = decode(raw)[0]
        data = (parse_text(text)[0] if text is not None else None) or {}
    return trust_anchor.identity(data, f"{trust_anchor.ANCHOR_PATH} of the base {base_ref}")


def check(root: Path, base_ref: str, head_ref: str = "HEAD", *, now: datetime, use_cache: bool = True) -> GateResult:
    """Check the change from the merge base of ``base_ref`` and ``head_ref`` to ``head_ref``.

    ``now`` is the time of the check (an aware datetime; the CLI passes the runner's UTC
    clock). Signing times, revocations and the times records state are judged against it,
    never against a commit or author date, which the submitter sets. Signatures must name the
    registry identity of the base's trust anchor; ``trust_anchor.NoRegistryIdentity`` when it
    names none.
    """
    if now.tzinfo is None:
        raise ValueError("the time of the check needs a time zone")
    now = now.astimezone(UTC)
    base = resolve(root, base_ref)
    head = resolve(root, head_ref)
    fork = merge_base(root, base, head)
    # The records that refer to the changed ones are looked up at the fork. On a first run that means git reads
    # every referring file of the registry, so the search starts before anything else and runs on other cores.
    references = References(root, fork, use_cache=use_cache)
    try:
        with RecordBlobs(root) as blobs:
            return _check(root, (base, base_ref), head, fork, now, blobs, references)
    finally:
        references.close()


def _check(
    root: Path,
    based: tuple[str, str],
    head: str,
    fork: str,
    now: datetime,
    blobs: RecordBlobs,
    references: References,
) -> GateResult:
    """The gate's story, for the commit ``based`` (base commit, base ref as named) and ``head``."""
    base, base_ref = based
    identity = _identity(blobs, base, base_ref)
    all_changes = changes(root, fork, head)
    registry_changes = [c for c in all_changes if kind_of(c.path) or c.path.startswith(f"{REGISTRY}/")]
    kinds = {kind_of(path) for c in registry_changes for path in (c.path, c.old_path) if path} - {None}
    if not kinds or migration.is_migration(all_changes):
        references.close()  # no record changes, or only moves: nobody will ask
    if migration.is_migration(all_changes):  # the operator's move to the layout: judged as that alone
        on_base, on_fork, on_head = (Revision(root, rev, blobs) for rev in (base, fork, head))
        moved = _Context(root, on_base, on_fork, on_head, now, identity)
        for path, problem in migration.check(root, (fork, head), all_changes, moved.base.parties, now, blobs.folders):
            moved.add(path, problem)
        return GateResult(_findings(moved), len(all_changes), base, head, fork, blobs.objects_read)
    # Questions whose answers take git a while, asked now and answered in the background: the folders the
    # spelling check searches, and which added paths history ever deleted.
    blobs.folders.start(base, listed_folders(all_changes))
    added = [c.path for c in registry_changes if c.status in ("A", "R", "C") and kind_of(c.path)]
    deleted = deleted_later(root, base, added)
    old_blobs, new_blobs = diff_sides(all_changes)
    before = Revision(root, fork, blobs, known=old_blobs)
    ctx = _Context(
        root=root,
        base=before if fork == base else Revision(root, base, blobs),
        before=before,
        after=Revision(root, head, blobs, known=new_blobs, like=before),
        now=now,
        registry=identity,
    )
    touched = sorted({c.path for c in registry_changes} | {c.old_path for c in registry_changes if c.old_path})
    for side in (ctx.base, ctx.before, ctx.after):
        side.prefetch(touched)
    for change in registry_changes:
        _append_only(ctx, change, kind_of(change.path) or "")
    for change in all_changes:
        outside = change.status != "D" and not change.path.startswith(f"{REGISTRY}/")
        if outside and _pretends(change.path, blobs.read(head, change.path)):
            ctx.add(
                change.path,
                Problem(
                    RECORD_OUTSIDE_REGISTRY,
                    f"{change.path} looks like a registry record but is outside registry/",
                    "records live at registry/<kind>/<id>.yaml; move it there or remove it",
                    (),
                    1,
                    1,
                ),
            )
    _mixed(ctx, all_changes)
    for path, problem in checkout_problems(blobs.folders, base, all_changes):
        ctx.add(path, problem)
    for path, problem in full_folders(blobs.folders, head, added):
        ctx.add(path, problem)
    _governance_mixed(ctx, all_changes)
    _comments(ctx, registry_changes)
    _reused_ids(ctx, added, deleted())
    changed = _check_records(ctx, registry_changes)
    _attestations(ctx, changed, set(added))
    for path, problem in withdrawn_problems(ctx.base, ctx.before, changed):
        ctx.add(path, problem)
    old_versions = [f for c in registry_changes if c.status != "A" and (f := ctx.before.file(c.old_path or c.path))]
    seeds = changed + old_versions
    if seeds:
        index = references.index(blobs)
        _cross_record(ctx, seeds, {c.path for c in registry_changes}, index.referring)
    _anchor(ctx, all_changes, changed)
    return GateResult(_findings(ctx), len(all_changes), base, head, fork, blobs.objects_read)
