"""The FSP journey page: the toolkit drawn as an SVG made at build time, every block linked to its
section of the catalogue, every link between blocks an arrow, and what the registry does for the
blocks it serves (record kinds with live counts, and commands that exist)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from fmar.cli import COMMANDS
from fmar.core.model.process import PHASES
from fmar.core.registry import Registry
from fmar.publish.journey import KIND_COUNTS
from fmar.publish.urls import API_ROOT
from fmar.validation.pipeline import Pipeline

_SVG = "{http://www.w3.org/2000/svg}"


def test_the_journey_draws_every_block_and_link_and_says_what_the_registry_does(built) -> None:  # type: ignore[no-untyped-def]
    repo, site = built
    registry: Registry = Pipeline(repo.path, repo.path / "registry", use_cache=False).load()[0]
    page = (site / "journey.html").read_text(encoding="utf-8")
    (svg_text,) = re.findall(r'<svg class="fmar-journey".*?</svg>', page, re.DOTALL)
    svg = ET.fromstring(svg_text)
    links = [a.get("href") for a in svg.iter(f"{_SVG}a")]
    assert sorted(links) == sorted(f"catalogue.html#{code}" for code in registry.processes)
    catalogue = (site / "catalogue.html").read_text(encoding="utf-8")
    assert all(f'id="{code}"' in catalogue for code in registry.processes), "every link lands on its block"
    edges = [p for p in svg.iter(f"{_SVG}path") if p.get("class") == "fmar-edge"]
    expected = {f"{b.id} leads to {t}" for b in registry.processes.values() for t in b.leads_to}
    assert {e.find(f"{_SVG}title").text for e in edges} == expected  # type: ignore[union-attr]
    assert len(edges) == len(expected)
    # What the registry does: the kinds each served block names, their live counts, real commands.
    counts = json.loads((site / API_ROOT / "index.json").read_bytes())["counts"]
    rows = re.findall(r'<tr><td><a href="catalogue.html#([A-Z]\.\d+)">.*?</tr>', page, re.DOTALL)
    phases = [p.phase for p in PHASES]
    served = [b for b in registry.processes.values() if b.record_kinds]
    assert rows == [b.id for b in sorted(served, key=lambda b: (phases.index(b.phase), b.order))]
    assert {"Q.6", "Q.7"} <= set(rows)
    q7 = page.split('href="catalogue.html#Q.7">Q.7', 1)[1].split("</tr>", 1)[0]
    for kind in registry.processes["Q.7"].record_kinds:
        key = KIND_COUNTS[kind]
        live = counts.get(key, len(registry.import_attestations) if kind == "import_attestation" else None)
        assert f"<code>{kind}</code> {live:,}" in q7, kind
    for command in re.findall(r"<code>fmar ([a-z-]+)</code>", page):
        assert command in COMMANDS, command
    assert "<code>fmar apply</code>" in q7 and "<code>fmar decide</code>" in q7
