"""The SOs' practices of each building block side by side on the site, with exactly the differences
the comparison finds marked, linked from the catalogue (which shows the toolkit's version history),
and in toolkit.json against its published schema."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import jsonschema

from fmar.core.practices import compare
from fmar.publish.documents import schema_file
from fmar.publish.urls import API_ROOT
from fmar.validation.pipeline import Pipeline


class _Marks(HTMLParser):
    """The practices page's sections: per block, the SOs (column heads) and each row's marked texts."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: dict[str, dict[str, Any]] = {}
        self._block: str | None = None
        self._in: list[str] = []
        self._row: list[list[str]] | None = None
        self._label = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section" and "fmar-practice" in (found.get("class") or ""):
            self._block = found["id"]
            self.blocks[str(self._block)] = {"sos": [], "marked": {}}
        self._in.append(tag)
        if tag == "tr":
            self._row, self._label = [], ""
        elif tag == "td" and self._row is not None:
            self._row.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._block and self._row is not None and self._label:
            self.blocks[self._block]["marked"][self._label] = self._row
        while self._in and self._in.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if not self._block or not data.strip():
            return
        if self._in[-2:] == ["th", "a"]:
            self.blocks[self._block]["sos"].append(data.strip())
        elif "th" in self._in and "em" not in self._in and self._row is not None:
            self._label += data.strip()
        elif self._in[-1] == "mark" and self._row:
            self._row[-1].append(data)


def test_the_site_sets_the_practices_side_by_side_with_the_differences_marked(built: Any) -> None:
    repo, site = built
    registry = Pipeline(repo.path, repo.path / "registry", use_cache=False).load()[0]
    names = {d.id: d.name for d in registry.data_objects.values()}
    page = _Marks()
    page.feed((site / "practices.html").read_text(encoding="utf-8"))
    assert set(page.blocks) == {p.block for p in registry.practices.values()} == {"Q.1", "Q.7"}
    for block, shown in page.blocks.items():
        comparison = compare(block, registry.practices.values(), names)
        assert shown["sos"] == list(comparison.sos)
        for row in comparison.rows:
            expected = [[item.text for item in cell if item.differs] for cell in row.cells]
            assert shown["marked"][row.label] == expected, (block, row.label)
    catalogue = (site / "catalogue.html").read_text(encoding="utf-8")
    assert 'href="practices.html#Q.7"' in catalogue and "Version history (4 versions)" in catalogue
    # toolkit.json carries the practices and the version history, valid against its schema.
    document = json.loads((site / API_ROOT / "toolkit.json").read_bytes())
    jsonschema.Draft202012Validator(json.loads((site / "schemas" / schema_file("toolkit")).read_bytes())).validate(
        document
    )
    assert document["version"] == "2.1"
    assert [p["id"] for p in document["practices"]][:3] == ["PRAC-NESO-Q.1", "PRAC-NGED-Q.1", "PRAC-UKPN-Q.1"]
    assert {p["id"] for p in document["practices"]} == set(registry.practices)
