"""The toolkit, machine-readable: toolkit.json against its published schema, and toolkit.jsonld
expanded by a real JSON-LD processor (pyld) into exactly the triples the records say, with stable
URNs, SKOS types and the journey's links."""

from __future__ import annotations

import json

import jsonschema
from pyld import jsonld

from fmar.core.model.process import PHASES
from fmar.publish.documents import schema_file
from fmar.publish.urls import API_ROOT
from fmar.validation.pipeline import Pipeline

SKOS = "http://www.w3.org/2004/02/skos/core#"
FMAR = "https://w3id.org/fmar/toolkit#"
Q7 = "<urn:fmar:toolkit:block:Q.7>"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def test_toolkit_json_is_the_records_and_validates_against_its_schema(built) -> None:  # type: ignore[no-untyped-def]
    repo, site = built
    registry = Pipeline(repo.path, repo.path / "registry", use_cache=False).load()[0]
    document = json.loads((site / API_ROOT / "toolkit.json").read_bytes())
    schema = json.loads((site / "schemas" / schema_file("toolkit")).read_bytes())
    jsonschema.Draft202012Validator(schema).validate(document)
    assert [b["code"] for b in document["blocks"]][:5] == ["E.1", "E.2", "E.3", "E.4", "Q.1"]
    assert {b["code"] for b in document["blocks"]} == set(registry.processes)
    assert {d["id"] for d in document["data_objects"]} == set(registry.data_objects)
    q7 = next(b for b in document["blocks"] if b["code"] == "Q.7")
    assert q7["inputs"] == list(registry.processes["Q.7"].inputs) and "application" in q7["record_kinds"]


def test_toolkit_jsonld_expands_to_the_triples_the_records_say(built) -> None:  # type: ignore[no-untyped-def]
    repo, site = built
    registry = Pipeline(repo.path, repo.path / "registry", use_cache=False).load()[0]
    document = json.loads((site / API_ROOT / "toolkit.jsonld").read_bytes())
    quads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    triples = {line for line in quads.splitlines() if line}
    expected = 2 + len(registry.toolkits)  # the scheme: its type, label and the toolkit's version
    expected += 5 * len(PHASES)  # type, notation, label, inScheme, topConceptOf
    for b in registry.processes.values():
        expected += 5 + (1 if b.description else 0)  # type, notation, label, inScheme, broader (+ definition)
        lists = (b.actors, b.preconditions, b.postconditions, b.inputs, b.outputs, b.systems, b.follows, b.leads_to)
        expected += sum(len(set(values)) for values in lists) + len(set(b.record_kinds))
    for d in registry.data_objects.values():
        expected += 5 + len({f"{c.kind}.{f}" for c in d.carried_by for f in c.fields})
    assert len(triples) == expected
    # Stable URNs, SKOS types, and the journey's links as the records give them.
    assert f"<urn:fmar:toolkit:block:Q.7> <{RDF_TYPE}> <{SKOS}Concept> ." in triples
    assert f"<urn:fmar:toolkit:block:Q.7> <{SKOS}broader> <urn:fmar:toolkit:phase:qualification> ." in triples
    for code in registry.processes["Q.7"].leads_to:
        assert (
            f"<urn:fmar:toolkit:block:Q.7> <https://w3id.org/fmar/toolkit#leadsTo> <urn:fmar:toolkit:block:{code}> ."
            in triples
        )
    first = registry.processes["Q.7"].inputs[0]
    assert (
        f"<urn:fmar:toolkit:block:Q.7> <https://w3id.org/fmar/toolkit#input> <urn:fmar:toolkit:data-object:{first}> ."
        in triples
    )
    current = next(iter(registry.toolkits.values())).current.version
    assert f'<urn:fmar:toolkit> <http://www.w3.org/2002/07/owl#versionInfo> "{current}" .' in triples
    # The published context is the one inline.
    context = json.loads((site / API_ROOT / "toolkit.context.jsonld").read_bytes())
    assert context["@context"] == document["@context"]
