"""Rules across records: references, roles, one open application, capacities, lifecycle.

Pure: a registry in, (record, problem) pairs out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

from fmar.core.catalogue import (
    APPLICATION_NOT_BY_OWNER,
    APPLICATION_SO_MISMATCH,
    ATTESTED_AFTER_SIGNING,
    ATTESTED_NOT_IMPORTED,
    ATTESTED_OUT_OF_ORDER,
    ATTESTED_TWICE,
    ATTESTED_UNKNOWN,
    CAPABILITIES_SHORT,
    CAPACITY_ABOVE_APPLIED,
    CAPACITY_ABOVE_UNIT,
    CAPACITY_UNFIT_FOR_PRODUCT,
    COMPOSITION_MISMATCH,
    DUPLICATE_OPEN_APPLICATION,
    EVENT_CORRECTS_OTHER_APPLICATION,
    EVENT_WRONG_SIGNER,
    KEY_NOT_UNIQUE,
    KIND_BLOCK_MISMATCH,
    MATERIAL_CHANGE,
    ONE_OPERATOR_ONE_NESO,
    OUTCOME_CORRECTS_OTHER_APPLICATION,
    OUTCOME_NOT_BY_SO,
    OUTSIDE_LICENCE_AREA,
    PRODUCT_OWNER_NOT_SO,
    SUPERSEDED_TWICE,
    UNIT_OWNER_NOT_FSP,
    UNKNOWN_PRODUCT_VERSION,
    UNRESOLVED_REFERENCE,
    VALIDITY_TOO_LONG,
    WRONG_ROLE_REFERENCED,
)
from fmar.core.findings import Problem
from fmar.core.lifecycle import OPEN, replay
from fmar.core.model import KINDS, Application, Event, MarketUnit, Outcome, PartyRole, Product, Record
from fmar.core.model.capabilities import shortfalls
from fmar.core.model.event import EVENT_AUTHOR
from fmar.core.model.product import Direction
from fmar.core.registry import Registry
from fmar.core.rules import toolkit
from fmar.core.status import material_change

Hit = tuple[Record, Problem]


def _ref(record: Record, field: str, kind: str, target: str) -> Hit:
    return (
        record,
        Problem(
            UNRESOLVED_REFERENCE,
            f"{field} {target!r} is not a {kind} in the registry",
            f"check the id, or add the {kind} record first",
            (field,),
        ),
    )


def _role(record: Record, field: str, target: str, role: str, hint: str) -> Hit:
    return (record, Problem(WRONG_ROLE_REFERENCED, f"{field} {target!r} is not {role}", hint, (field,)))


def parties(registry: Registry) -> Iterator[Hit]:
    owners: dict[str, str] = {}
    roles = Counter(party.role for party in registry.parties.values())
    for party in registry.parties.values():
        for index, key in enumerate(party.keys):
            other = owners.setdefault(key.public_key, party.id)
            if other != party.id:
                yield (
                    party,
                    Problem(
                        KEY_NOT_UNIQUE,
                        f"public key {key.id!r} is also published by {other}",
                        "every party signs with keys of its own",
                        ("keys", index, "public_key"),
                    ),
                )
    if registry.parties and (roles[PartyRole.OPERATOR] != 1 or roles[PartyRole.NESO] > 1):
        first = min(registry.parties.values(), key=lambda p: p.id)
        yield (
            first,
            Problem(
                ONE_OPERATOR_ONE_NESO,
                f"the registry has {roles[PartyRole.OPERATOR]} registry operators "
                f"and {roles[PartyRole.NESO]} NESO parties",
                "keep exactly one party with role operator and at most one with role neso",
                ("role",),
            ),
        )


def products(registry: Registry) -> Iterator[Hit]:
    for product in registry.products.values():
        so = registry.parties.get(product.so)
        if so is None:
            yield _ref(product, "so", "party", product.so)
        elif not so.role.is_system_operator:
            yield (
                product,
                Problem(
                    PRODUCT_OWNER_NOT_SO,
                    f"{product.so} is a {so.role}, not a system operator",
                    "name a DSO or NESO",
                    ("so",),
                ),
            )
        for index, equivalence in enumerate(product.equivalent_to):
            if equivalence.product not in registry.products:
                hit = _ref(product, "product", "product", equivalence.product)
                yield (hit[0], hit[1]._replace(location=("equivalent_to", index, "product")))


def units(registry: Registry) -> Iterator[Hit]:
    for unit in registry.units.values():
        fsp = registry.parties.get(unit.fsp)
        if fsp is None:
            yield _ref(unit, "fsp", "party", unit.fsp)
        elif fsp.role is not PartyRole.FSP:
            yield (
                unit,
                Problem(
                    UNIT_OWNER_NOT_FSP, f"{unit.fsp} is a {fsp.role}, not an FSP", "only an FSP owns units", ("fsp",)
                ),
            )


def _direction_problems(application: Application, product: Product) -> Iterator[Problem]:
    version = product.version(application.product_version)
    if version is None:
        return
    needed = {Direction.UP: ("capacity_up_kw",), Direction.DOWN: ("capacity_down_kw",)}.get(
        version.direction, ("capacity_up_kw", "capacity_down_kw")
    )
    for field in needed:
        value = getattr(application, field)
        if value < version.min_capacity_kw:
            yield Problem(
                CAPACITY_UNFIT_FOR_PRODUCT,
                f"{field} {value:.2f} kW is below the product's minimum {version.min_capacity_kw:.2f} kW",
                "apply for at least the minimum, or choose a product for smaller units",
                (field,),
            )
    for field in ("capacity_up_kw", "capacity_down_kw"):
        if field not in needed and getattr(application, field) > 0:
            yield Problem(
                CAPACITY_UNFIT_FOR_PRODUCT,
                f"{product.id} is a {version.direction} product; {field} must be 0",
                f"set {field}: 0",
                (field,),
            )
    for requirement, _ in shortfalls(application.capabilities, version):
        yield Problem(
            CAPABILITIES_SHORT,
            f"declared {requirement.field} does not meet version {version.version} of {product.id} "
            f"({requirement.wanted(version)})",
            "the SO decides, but expect a failed outcome unless the unit meets the requirement",
            ("capabilities", requirement.field),
        )


def applications(registry: Registry) -> Iterator[Hit]:
    for application in registry.applications.values():
        unit = registry.units.get(application.unit)
        product = registry.products.get(application.product)
        if unit is None:
            yield _ref(application, "unit", "market_unit", application.unit)
        if product is None:
            yield _ref(application, "product", "product", application.product)
            continue
        if product.version(application.product_version) is None:
            yield (
                application,
                Problem(
                    UNKNOWN_PRODUCT_VERSION,
                    f"{product.id} has no version {application.product_version}",
                    f"apply for one of versions {', '.join(str(v.version) for v in product.versions)}",
                    ("product_version",),
                ),
            )
        if application.so != product.so:
            yield (
                application,
                Problem(
                    APPLICATION_SO_MISMATCH,
                    f"{product.id} is procured by {product.so}, not {application.so}",
                    f"write so: {product.so}",
                    ("so",),
                ),
            )
        for problem in _direction_problems(application, product):
            yield (application, problem)
        if unit is None:
            continue
        if application.signature.signer != unit.fsp:
            yield (
                application,
                Problem(
                    APPLICATION_NOT_BY_OWNER,
                    f"signed by {application.signature.signer}, but {unit.id} belongs to {unit.fsp}",
                    "an FSP applies only for its own units; sign with the owning FSP's key",
                    ("signature", "signer"),
                ),
            )
        deliverable = unit.composition.import_capacity_kw + unit.composition.export_capacity_kw
        for field in ("capacity_up_kw", "capacity_down_kw"):
            value = getattr(application, field)
            if value > deliverable:
                yield (
                    application,
                    Problem(
                        CAPACITY_ABOVE_UNIT,
                        f"{field} {value:.2f} kW exceeds what {unit.id} can deliver "
                        f"({deliverable:.2f} kW import plus export)",
                        "apply for no more than the unit's import plus export capacity",
                        (field,),
                    ),
                )
        so = registry.parties.get(product.so)
        if so is not None and so.role is PartyRole.DSO and unit.licence_area not in so.licence_areas:
            yield (
                application,
                Problem(
                    OUTSIDE_LICENCE_AREA,
                    f"{unit.id} is in {unit.licence_area}, outside {so.id}'s licence areas",
                    "apply to a product of the DSO whose network the unit is connected to",
                    ("product",),
                ),
            )


def _signer_problem(registry: Registry, record: Outcome | Event, application: Application) -> Problem | None:
    signer = record.signature.signer
    product = registry.products.get(application.product)
    unit = registry.units.get(application.unit)
    side = "so" if isinstance(record, Outcome) else EVENT_AUTHOR[record.type]
    if side == "so" and product is not None and signer != product.so:
        what = "an outcome" if isinstance(record, Outcome) else f"a {record.type} event"
        rule = OUTCOME_NOT_BY_SO if isinstance(record, Outcome) else EVENT_WRONG_SIGNER
        return Problem(
            rule,
            f"{what} for {product.id} is signed by {signer}, not by its SO {product.so}",
            f"only {product.so} records {what} for its products",
            ("signature", "signer"),
        )
    if side == "fsp" and isinstance(record, Event) and unit is not None and signer != unit.fsp:
        return Problem(
            EVENT_WRONG_SIGNER,
            f"a {record.type} event is signed by {signer}, not by the unit's FSP {unit.fsp}",
            f"only {unit.fsp} records this for its unit",
            ("signature", "signer"),
        )
    return None


def answers(registry: Registry) -> Iterator[Hit]:
    """Outcomes and events: references, signers, validity, capacity, corrections, lifecycle."""
    times_superseded: Counter[str] = Counter()
    items: list[Outcome | Event] = [*registry.outcomes.values(), *registry.events.values()]
    for item in items:
        application = registry.applications.get(item.application)
        if application is None:
            yield _ref(item, "application", "application", item.application)
            continue
        problem = _signer_problem(registry, item, application)
        if problem:
            yield (item, problem)
        if item.supersedes:
            times_superseded[item.supersedes] += 1
            table = registry.outcomes if isinstance(item, Outcome) else registry.events
            target = table.get(item.supersedes)
            rule = OUTCOME_CORRECTS_OTHER_APPLICATION if isinstance(item, Outcome) else EVENT_CORRECTS_OTHER_APPLICATION
            if target is None or target.application != item.application:
                yield (
                    item,
                    Problem(
                        rule,
                        f"supersedes {item.supersedes}, which is not a {item.KIND} of {item.application}",
                        f"name a {item.KIND} of the same application",
                        ("supersedes",),
                    ),
                )
            elif isinstance(item, Event) and isinstance(target, Event) and target.type != item.type:
                yield (
                    item,
                    Problem(
                        rule,
                        "a correcting event keeps the type of the event it corrects",
                        f"write type: {target.type}",
                        ("type",),
                    ),
                )
        if isinstance(item, Outcome):
            yield from _outcome_against_application(registry, item, application)
    for record_id, count in times_superseded.items():
        if count > 1:
            for item in items:
                if item.supersedes == record_id:
                    yield (
                        item,
                        Problem(
                            SUPERSEDED_TWICE,
                            f"{record_id} is superseded by {count} records",
                            "correct the latest correction instead",
                            ("supersedes",),
                        ),
                    )


def _outcome_against_application(registry: Registry, outcome: Outcome, application: Application) -> Iterator[Hit]:
    product = registry.products.get(application.product)
    version = product.version(application.product_version) if product else None
    if version is not None and outcome.valid_from and outcome.valid_until:
        days = (outcome.valid_until - outcome.valid_from).total_seconds() / 86_400
        if days > version.max_validity_days:
            yield (
                outcome,
                Problem(
                    VALIDITY_TOO_LONG,
                    f"validity of {days:.0f} days exceeds {version.max_validity_days} days allowed by "
                    f"{application.product} version {version.version}",
                    "shorten the validity; re-assess for a longer period",
                    ("valid_until",),
                ),
            )
    for field in ("capacity_up_kw", "capacity_down_kw"):
        granted, applied = getattr(outcome, field), getattr(application, field)
        if granted > applied:
            yield (
                outcome,
                Problem(
                    CAPACITY_ABOVE_APPLIED,
                    f"{field} {granted:.2f} kW exceeds the {applied:.2f} kW applied for",
                    "qualify at most the capacity applied for",
                    (field,),
                ),
            )


def lifecycle(registry: Registry) -> Iterator[Hit]:
    """Replay each application; open applications per unit, product and SO; material changes."""
    open_apps: dict[tuple[str, str, str], list[Application]] = defaultdict(list)
    for application in registry.applications.values():
        run = replay(registry.answers.get(application.id, []), registry.made_at(application))
        for item, rule, message in run.refused:
            yield (
                item,
                Problem(
                    rule,
                    f"{item.id} on {application.id}: {message}",
                    f"record only a step the application's state allows: 'fmar history {application.id}' shows "
                    "its steps so far; the SO guide's 'Record each step' (docs/so-guide.md) lists the steps",
                    ("type",) if isinstance(item, Event) else ("result",),
                ),
            )
        if run.state in OPEN:
            open_apps[(application.unit, application.product, application.so)].append(application)
            current = registry.units.get(application.unit)
            if current is not None and current.composition != application.unit_composition:
                yield (
                    application,
                    Problem(
                        COMPOSITION_MISMATCH,
                        f"the unit's composition changed since {application.id} was made",
                        "withdraw and re-apply with the unit's current composition, or tell the SO",
                        ("unit_composition",),
                    ),
                )
        elif run.outcome is not None and run.state.value in ("qualified", "conditionally_qualified"):
            yield from _reassessment_hits(registry, application)
    for (unit, product, so), apps in open_apps.items():
        if len(apps) > 1:
            apps.sort(key=lambda a: (a.signature.signed_at, a.id))
            for later in apps[1:]:
                yield (
                    later,
                    Problem(
                        DUPLICATE_OPEN_APPLICATION,
                        f"{unit} already has an open application for {product} with {so}: {apps[0].id}",
                        f"wait for the SO's outcome on {apps[0].id}, or withdraw it first",
                        ("unit",),
                    ),
                )


def _reassessment_hits(registry: Registry, application: Application) -> Iterator[Hit]:
    unit: MarketUnit | None = registry.units.get(application.unit)
    product = registry.products.get(application.product)
    version = product.version(application.product_version) if product else None
    if unit is None or version is None:
        return
    reason = material_change(version.material_change, application.unit_composition, unit.composition)
    if reason:
        yield (
            unit,
            Problem(
                MATERIAL_CHANGE,
                f"material change for {application.product}: {reason}; qualification via {application.id} "
                "now requires re-assessment",
                f"{application.so} has been told; apply again for re-assessment with the new composition",
                ("composition",),
            ),
        )


def catalogue(registry: Registry) -> Iterator[Hit]:
    if not registry.processes:
        return
    for kind, model in KINDS.items():
        block = registry.processes.get(model.BUILDING_BLOCK)
        if block is None or kind not in block.record_kinds:
            anchor = block or min(registry.processes.values(), key=lambda p: p.id)
            yield (
                anchor,
                Problem(
                    KIND_BLOCK_MISMATCH,
                    f"record kind {kind} serves building block {model.BUILDING_BLOCK}, which does not list it",
                    f"add {kind} to record_kinds of {model.BUILDING_BLOCK}",
                    ("record_kinds",),
                ),
            )
    known = set(KINDS)
    for process in registry.processes.values():
        for index, kind in enumerate(process.record_kinds):
            if kind not in known or process.id != KINDS[kind].BUILDING_BLOCK:
                yield (
                    process,
                    Problem(
                        KIND_BLOCK_MISMATCH,
                        f"{process.id} lists record kind {kind!r}, which does not serve it",
                        f"record kinds: {', '.join(sorted(known))}",
                        ("record_kinds", index),
                    ),
                )


def _attested(registry: Registry, record_id: str) -> Record | None:
    """The unit, application, outcome or event ``record_id`` names, if it is in the registry."""
    for table in (registry.units, registry.applications, registry.outcomes, registry.events):
        found = table.get(record_id)
        if found is not None:
            return found
    return None


def imports(registry: Registry) -> Iterator[Hit]:
    """Import attestations: what they name is in the registry, attested once, no later than the
    attestation was signed, came in with it, and keeps the order of what it refers to."""
    named: dict[str, str] = {}
    for attestation in sorted(registry.import_attestations.values(), key=lambda a: a.id):
        arrived = registry.recorded_at.get(attestation.id)
        for index, entry in enumerate(attestation.records):
            record = _attested(registry, entry.id)
            if record is None:
                yield (
                    attestation,
                    Problem(
                        ATTESTED_UNKNOWN,
                        f"{entry.id} is not a Market Unit, application, outcome or event of the registry",
                        "add the record in the same change, or leave it out of the attestation",
                        ("records", index, "id"),
                    ),
                )
                continue
            if entry.id in named:
                yield (
                    attestation,
                    Problem(
                        ATTESTED_TWICE,
                        f"{entry.id} is given an original recorded time already, by {named[entry.id]}",
                        "name each record once, in one attestation",
                        ("records", index, "id"),
                    ),
                )
                continue
            named[entry.id] = attestation.id
            if entry.recorded_at > attestation.signature.signed_at:
                yield (
                    attestation,
                    Problem(
                        ATTESTED_AFTER_SIGNING,
                        f"{entry.id} is attested as recorded at {entry.recorded_at.isoformat()}, after the "
                        f"attestation was signed ({attestation.signature.signed_at.isoformat()})",
                        "give the time the earlier register recorded it, which is in the past",
                        ("records", index, "recorded_at"),
                    ),
                )
            entered = registry.recorded_at.get(entry.id)
            if arrived is not None and entered is not None and entered != arrived:
                yield (
                    attestation,
                    Problem(
                        ATTESTED_NOT_IMPORTED,
                        f"{entry.id} entered the registry at {entered.isoformat()}, not with this attestation "
                        f"({arrived.isoformat()}): it was first recorded here",
                        "attest only the records the import adds, in the change that adds them",
                        ("records", index, "id"),
                    ),
                )
    yield from _attested_order(registry)


def _attested_order(registry: Registry) -> Iterator[Hit]:
    """An attested record recorded before the record it refers to (its application, its unit)."""
    attested = registry.attested
    if not attested:
        return
    pairs: list[tuple[Record, Record]] = []
    for record_id in attested:
        record = _attested(registry, record_id)
        if isinstance(record, Outcome | Event):
            application = registry.applications.get(record.application)
            if application is not None:
                pairs.append((record, application))
        elif isinstance(record, Application):
            unit = registry.units.get(record.unit)
            if unit is not None:
                pairs.append((record, unit))
    for record in registry.records():  # records attested as before the (attested) record referring to them
        if isinstance(record, Outcome | Event) and record.id not in attested:
            application = registry.applications.get(record.application)
            if application is not None and application.id in attested:
                pairs.append((record, application))
        elif isinstance(record, Application) and record.id not in attested and record.unit in attested:
            unit = registry.units.get(record.unit)
            if unit is not None:
                pairs.append((record, unit))
    for later, earlier in pairs:
        if registry.submitted_at(later) < registry.submitted_at(earlier):
            found = attested.get(later.id) or attested[earlier.id]
            attestation = registry.import_attestations.get(found.attestation)
            if attestation is None:
                continue
            index = next(i for i, e in enumerate(attestation.records) if e.id in (later.id, earlier.id))
            yield (
                attestation,
                Problem(
                    ATTESTED_OUT_OF_ORDER,
                    f"{later.KIND} {later.id} would count from {registry.submitted_at(later).isoformat()}, before "
                    f"{earlier.KIND} {earlier.id} it refers to ({registry.submitted_at(earlier).isoformat()})",
                    "attest the times the earlier register recorded both, in their order",
                    ("records", index, "recorded_at"),
                ),
            )


CHECKS = (parties, products, units, applications, answers, lifecycle, catalogue, toolkit.check, imports)


def check_registry(registry: Registry) -> Iterator[Hit]:
    for check in CHECKS:
        yield from check(registry)
