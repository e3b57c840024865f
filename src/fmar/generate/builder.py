"""Write a registry record by record, as its parties would: signed, validated, in dependency order."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fmar.core.ids import new_id as new_id_
from fmar.core.model import KINDS, Application, MarketUnit, Outcome, Record
from fmar.core.model.capabilities import REQUIREMENTS
from fmar.core.model.process import PHASES
from fmar.core.registry import Registry
from fmar.core.workflow import forms
from fmar.generate.reference import (
    CATALOGUE,
    DSO_PRODUCTS,
    NESO_PRODUCTS,
    OPERATOR_ID,
    OPERATOR_NAME,
    SERVICE_LEVEL_STEPS,
    SYSTEM_OPERATORS,
    ProductSpec,
    service_levels,
    toolkit_content,
)
from fmar.signing.records import iso
from fmar.signing.sshsig import PrivateKey, public_key_line
from fmar.trust.anchor import ANCHOR_PATH, anchor_data
from fmar.writing.authoring import author, write
from fmar.writing.writer import dumps

KeyFor = Callable[[str], PrivateKey]
#: When the example keys of reference parties become valid.
KEYS_FROM = datetime(2020, 1, 1, tzinfo=UTC)


class Builder:
    """Authors records into ``registry`` (a folder) for the registry whose identity is
    ``registry_id``, and keeps them in memory for later steps."""

    def __init__(
        self,
        registry: Path,
        key_for: KeyFor,
        rng: random.Random,
        *,
        registry_id: str,
        write_files: bool = True,
        atomic: bool = True,
        new_id: Callable[[str, int], str] | None = None,
    ) -> None:
        self.dir = registry
        self.registry_id = registry_id
        self.key_for = key_for
        self.rng = rng
        self.write_files = write_files
        self.atomic = atomic
        self.new_id: Callable[[str, int], str] = new_id or (lambda kind, year: new_id_(kind, year, self.rng))
        self.registry = Registry()
        self.texts: dict[str, str] = {}

    def add(self, kind: str, fields: dict[str, Any], signer: str, at: datetime) -> Record:
        authored = author(
            kind, fields, key=self.key_for(signer), signer=signer, signed_at=at, registry=self.registry_id
        )
        if self.write_files:
            write(self.dir, authored, atomic=self.atomic)
        self.registry.add(authored.record)
        return authored.record

    def anchor_text(self) -> str:
        """The trust anchor of this registry: its identity and the operator's keys, signed by the
        operator when it signed its own party record."""
        operator = self.registry.parties[OPERATOR_ID]
        anchor = anchor_data(
            operator, self.key_for(OPERATOR_ID), operator.signature.signed_at, registry=self.registry_id
        )
        return dumps(anchor)

    def write_anchor(self, root: Path) -> Path:
        """Write the trust anchor at ``root`` (the repository root, beside the registry folder)."""
        path = root / ANCHOR_PATH
        path.write_text(self.anchor_text(), encoding="utf-8")
        return path

    def key_entry(self, party: str, key_id: str | None = None) -> dict[str, Any]:
        return {
            "id": key_id or f"{party.lower()}-1",
            "public_key": public_key_line(self.key_for(party)),
            "valid_from": iso(KEYS_FROM),
        }

    # --- reference data -------------------------------------------------------------------
    def catalogue(self, at: datetime) -> None:
        served: dict[str, list[str]] = {}
        for kind, model in KINDS.items():
            served.setdefault(model.BUILDING_BLOCK, []).append(kind)
        phase_of = {p.phase.value: p.phase for p in PHASES}
        toolkit = toolkit_content()
        for data_object in toolkit["data_objects"]:
            self.add("data_object", dict(data_object), OPERATOR_ID, at)
        for phase, blocks in CATALOGUE:
            for order, (code, name) in enumerate(blocks, 1):
                fields: dict[str, Any] = {"id": code, "phase": phase_of[phase].value, "order": order, "name": name}
                if code in served:
                    fields["record_kinds"] = sorted(served[code])
                fields.update((k, v) for k, v in toolkit["blocks"][code].items() if v != [])  # [] is the default
                self.add("process", fields, OPERATOR_ID, at)
        self.add("toolkit", dict(toolkit["toolkit"]), OPERATOR_ID, at)

    def practices(self, at: datetime) -> None:
        """The SOs' practices of building blocks, each signed by its SO: the timescales of Q.7 are
        the service levels of the SO's own products, and each links the SO's website."""
        operators = {so.id: so for so in SYSTEM_OPERATORS}
        for practice in toolkit_content()["practices"]:
            so = operators[practice["so"]]
            fields: dict[str, Any] = {"id": f"PRAC-{so.id}-{practice['block']}", **practice}
            if practice["block"] == "Q.7":
                fields["timescales"] = [
                    {"step": step, "days": days, "basis": "calendar"}
                    for step, days in zip(SERVICE_LEVEL_STEPS, service_levels(so.id).values(), strict=True)
                ]
            fields["documents"] = [{"title": f"{so.name} website", "url": so.website}]
            self.add("practice", fields, so.id, at)

    def operator(self, at: datetime) -> None:
        self.add(
            "party",
            {
                "id": OPERATOR_ID,
                "name": OPERATOR_NAME,
                "role": "operator",
                "contact": {"email": "registry@fmar.example"},
                "github_team": "@fmar-registry/operators",
                "keys": [self.key_entry(OPERATOR_ID)],
            },
            OPERATOR_ID,
            at,
        )

    def system_operators(self, at: datetime, product_from: str = "2024-04-01") -> None:
        for so in SYSTEM_OPERATORS:
            fields: dict[str, Any] = {"id": so.id, "name": so.name, "role": so.role}
            if so.licence_areas:
                fields["licence_areas"] = [str(area) for area in so.licence_areas]
            fields["contact"] = {"website": so.website}
            fields["github_team"] = f"@fmar-registry/{so.id.lower()}"
            fields["keys"] = [self.key_entry(so.id)]
            self.add("party", fields, OPERATOR_ID, at)
        for so in SYSTEM_OPERATORS:
            specs = NESO_PRODUCTS if so.role == "neso" else DSO_PRODUCTS
            for spec in specs:
                self.product(so.id, spec, at + timedelta(hours=1), product_from)

    def product(self, so: str, spec: ProductSpec, at: datetime, effective_from: str) -> None:
        levels = service_levels(so)
        version = {
            "version": 1,
            "effective_from": effective_from,
            "direction": spec.direction,
            "min_capacity_kw": float(spec.min_capacity_kw),
            "full_delivery_s": float(spec.full_delivery_s),
            "duration_min": spec.duration_min,
            "metering_resolution_s": float(spec.metering_resolution_s),
            "max_validity_days": 1826,
            "service_levels": levels,
            "material_change": {"capacity_change_pct": spec.capacity_change_pct, "category_change": True},
        }
        fields: dict[str, Any] = {
            "id": f"{so}-{spec.code}",
            "name": spec.name,
            "so": so,
            "service": spec.service,
            "description": spec.description,
            "versions": [version],
        }
        if spec.equivalent_to:
            fields["equivalent_to"] = [{"product": f"{so}-{code}"} for code in spec.equivalent_to]
        self.add("product", fields, so, at)

    # --- FSP side ---------------------------------------------------------------------------
    def fsp(self, party: str, name: str, at: datetime, email: str) -> None:
        self.add(
            "party",
            {
                "id": party,
                "name": name,
                "role": "fsp",
                "contact": {"email": email},
                "keys": [self.key_entry(party)],
            },
            OPERATOR_ID,
            at,
        )

    def unit(self, fields: dict[str, Any], at: datetime) -> MarketUnit:
        record = self.add("market_unit", fields, fields["fsp"], at)
        assert isinstance(record, MarketUnit)
        return record

    def apply(
        self,
        unit: MarketUnit,
        product: str,
        at: datetime,
        *,
        up: float,
        down: float = 0.0,
        capabilities: dict[str, Any] | None = None,
    ) -> Application:
        spec = self.registry.products[product]
        version = spec.versions[-1]
        # The generated FSPs declare that their units meet the version's requirements, unless told
        # otherwise: a choice of the example data (fmar apply never assumes it).
        declared = capabilities or {r.field: getattr(version, r.field) for r in REQUIREMENTS}
        fields = forms.application_fields(
            unit,
            spec,
            version,
            at,
            capacity_up_kw=up,
            capacity_down_kw=down,
            capabilities=declared,
            evidence=[],
            record_id=self.new_id("application", at.year),
        )
        record = self.add("application", fields, unit.fsp, at)
        assert isinstance(record, Application)
        return record

    def decide(
        self,
        application: Application,
        result: str,
        at: datetime,
        *,
        days: int = 1095,
        conditions: list[str] | None = None,
        reasons: list[str] | None = None,
        share: float = 1.0,
        supersedes: str | None = None,
        valid_from: datetime | None = None,
    ) -> Outcome:
        fields = forms.outcome_fields(
            application,
            result,
            at,
            valid_from=valid_from,
            days=days,
            capacity_up_kw=round(application.capacity_up_kw * share, 2),
            capacity_down_kw=round(application.capacity_down_kw * share, 2),
            conditions=tuple(conditions or ()),
            reasons=tuple(reasons or ()),
            supersedes=supersedes,
            record_id=self.new_id("outcome", at.year),
        )
        record = self.add("outcome", fields, application.so, at)
        assert isinstance(record, Outcome)
        return record

    def event(
        self,
        application: Application,
        event_type: str,
        at: datetime,
        *,
        reason: str | None = None,
        respond_by: datetime | None = None,
    ) -> Record:
        side_fsp = event_type in ("information_supplied", "withdrawn")
        signer = self.registry.units[application.unit].fsp if side_fsp else application.so
        fields = forms.event_fields(
            application, event_type, at, reason=reason, respond_by=respond_by, record_id=self.new_id("event", at.year)
        )
        return self.add("event", fields, signer, at)
