"""The process toolkit, machine-readable: the whole model (phases, building blocks, data objects) as
JSON (``toolkit.json``, with its JSON Schema) and as JSON-LD (``toolkit.jsonld``): SKOS concepts
with stable URNs, in one concept scheme, with the context inline and published beside it
(``toolkit.context.jsonld``).

Pure: records in, documents out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fmar.core.model import DataObject, Practice, Process, Toolkit
from fmar.core.model.process import PHASES

FORMAT = "fmar-toolkit/v1"
#: The stable identifiers: the scheme, and a URN per phase, block and data object.
SCHEME = "urn:fmar:toolkit"
_VOCAB = "https://w3id.org/fmar/toolkit#"


def phase_urn(phase: str) -> str:
    return f"{SCHEME}:phase:{phase}"


def block_urn(code: str) -> str:
    return f"{SCHEME}:block:{code}"


def data_object_urn(object_id: str) -> str:
    return f"{SCHEME}:data-object:{object_id}"


#: The JSON-LD context: SKOS for the concepts, the toolkit's own terms for what SKOS has no word for.
CONTEXT: dict[str, Any] = {
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "fmar": _VOCAB,
    "id": "@id",
    "type": "@type",
    "notation": "skos:notation",
    "label": "skos:prefLabel",
    "definition": "skos:definition",
    "inScheme": {"@id": "skos:inScheme", "@type": "@id"},
    "topConceptOf": {"@id": "skos:topConceptOf", "@type": "@id"},
    "broader": {"@id": "skos:broader", "@type": "@id"},
    "follows": {"@id": "fmar:follows", "@type": "@id"},
    "leadsTo": {"@id": "fmar:leadsTo", "@type": "@id"},
    "input": {"@id": "fmar:input", "@type": "@id"},
    "output": {"@id": "fmar:output", "@type": "@id"},
    "actor": "fmar:actor",
    "precondition": "fmar:precondition",
    "postcondition": "fmar:postcondition",
    "system": "fmar:system",
    "recordKind": "fmar:recordKind",
    "carriedBy": "fmar:carriedBy",
    "version": "owl:versionInfo",
    "owl": "http://www.w3.org/2002/07/owl#",
    "concepts": "@graph",
}


def _blocks(processes: Mapping[str, Process]) -> list[Process]:
    phases = [p.phase for p in PHASES]
    return sorted(processes.values(), key=lambda b: (phases.index(b.phase), b.order, b.id))


def practices_in_order(processes: Mapping[str, Process], practices: Mapping[str, Practice]) -> list[Practice]:
    """The practices by block in journey order, then by SO."""
    place = {b.id: n for n, b in enumerate(_blocks(processes))}
    return sorted(practices.values(), key=lambda p: (place.get(p.block, len(place)), p.block, p.so))


def toolkit_json(
    processes: Mapping[str, Process],
    data_objects: Mapping[str, DataObject],
    toolkit: Toolkit | None = None,
    practices: Mapping[str, Practice] | None = None,
) -> dict[str, Any]:
    """The model as plain JSON: the toolkit's versions, phases in order, each block's fields as its
    record states them, the data objects and the SOs' practices."""
    about = None
    if toolkit is not None:
        about = toolkit.model_dump(mode="json", include={"id", "name", "description", "aims", "discussion"})
        about["versions"] = [
            {**v.model_dump(mode="json", exclude={"edits"}), "edits": [e.model_dump(mode="json") for e in v.edits]}
            for v in toolkit.versions
        ]
    return {
        "format": FORMAT,
        "version": toolkit.current.version if toolkit is not None else None,
        "toolkit": about,
        "phases": [
            {"phase": str(phase), "title": title, "letter": letter, "urn": phase_urn(str(phase))}
            for phase, title, letter, _ in PHASES
        ],
        "blocks": [
            {
                "code": b.id,
                "urn": block_urn(b.id),
                "phase": str(b.phase),
                "order": b.order,
                "name": b.name,
                "description": b.description,
                "actors": [str(a) for a in b.actors],
                "preconditions": list(b.preconditions),
                "postconditions": list(b.postconditions),
                "inputs": list(b.inputs),
                "outputs": list(b.outputs),
                "systems": list(b.systems),
                "follows": list(b.follows),
                "leads_to": list(b.leads_to),
                "record_kinds": list(b.record_kinds),
            }
            for b in _blocks(processes)
        ],
        "data_objects": [
            {
                "id": d.id,
                "urn": data_object_urn(d.id),
                "name": d.name,
                "description": d.description,
                "carried_by": [{"kind": c.kind, "fields": list(c.fields)} for c in d.carried_by],
            }
            for d in sorted(data_objects.values(), key=lambda d: d.id)
        ],
        "practices": [
            p.model_dump(mode="json", exclude={"schema_version", "kind", "signature"})
            for p in practices_in_order(processes, practices or {})
        ],
    }


def toolkit_jsonld(
    processes: Mapping[str, Process], data_objects: Mapping[str, DataObject], toolkit: Toolkit | None = None
) -> dict[str, Any]:
    """The model as JSON-LD: a SKOS concept scheme (with the toolkit's current version) whose top
    concepts are the phases, each block a concept narrower than its phase, each data object a
    concept; the context inline."""
    scheme: dict[str, Any] = {"id": SCHEME, "type": "skos:ConceptScheme", "label": "Common End-to-End Process toolkit"}
    if toolkit is not None:
        scheme["version"] = toolkit.current.version
    concepts: list[dict[str, Any]] = [scheme]
    for phase, title, letter, _ in PHASES:
        concepts.append(
            {
                "id": phase_urn(str(phase)),
                "type": "skos:Concept",
                "notation": letter,
                "label": title,
                "inScheme": SCHEME,
                "topConceptOf": SCHEME,
            }
        )
    for b in _blocks(processes):
        concept: dict[str, Any] = {
            "id": block_urn(b.id),
            "type": "skos:Concept",
            "notation": b.id,
            "label": b.name,
            "inScheme": SCHEME,
            "broader": phase_urn(str(b.phase)),
            "actor": [str(a) for a in b.actors],
            "precondition": list(b.preconditions),
            "postcondition": list(b.postconditions),
            "input": [data_object_urn(d) for d in b.inputs],
            "output": [data_object_urn(d) for d in b.outputs],
            "system": list(b.systems),
            "follows": [block_urn(c) for c in b.follows],
            "leadsTo": [block_urn(c) for c in b.leads_to],
            "recordKind": list(b.record_kinds),
        }
        if b.description:
            concept["definition"] = b.description
        concepts.append(concept)
    for d in sorted(data_objects.values(), key=lambda d: d.id):
        concepts.append(
            {
                "id": data_object_urn(d.id),
                "type": "skos:Concept",
                "notation": d.id,
                "label": d.name,
                "definition": d.description,
                "inScheme": SCHEME,
                "carriedBy": [f"{c.kind}.{field}" for c in d.carried_by for field in c.fields],
            }
        )
    return {"@context": CONTEXT, "concepts": concepts}
