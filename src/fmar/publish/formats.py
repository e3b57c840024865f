"""Serialisations of the exports: JSON, CSV (formula-safe), Atom, a deterministic zip, a data package.

Every function returns bytes and depends only on its arguments, so the same registry commit
and as-of time give the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import orjson
from pydantic import BaseModel

from fmar.publish.zip_writer import ZIP_LEVEL, ZipStats, entry_info, write_zip, zip_format

__all__ = ["ZIP_LEVEL", "ZipStats", "write_zip", "zip_format"]

#: Cells a spreadsheet would run as a formula start with one of these.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


#: Key-sorted; dates, dataclasses and ``str`` subclasses are not turned into JSON by orjson's own rules.
_ORJSON = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


@cache
def _omitted(model: type[BaseModel]) -> frozenset[str]:
    """The fields of ``model`` left out of its JSON when null (declared with ``exclude_if``)."""
    return frozenset(name for name, field in model.model_fields.items() if field.exclude_if is not None)


def _model_fields(value: Any) -> dict[str, Any]:
    """A document model (``publish.documents``: no aliases or serializers) as its field values
    (and extra values, where its model allows them), which the encoder then encodes in turn: a
    model built by ``model_construct`` is encoded without pydantic's serializer (several times
    slower), to the same JSON as ``model_dump(mode="json")`` (a test holds them equal)."""
    if isinstance(value, BaseModel):
        fields = value.__dict__
        omitted = _omitted(type(value))
        if omitted:  # fields left out when null, as pydantic's exclude_if does
            fields = {name: v for name, v in fields.items() if v is not None or name not in omitted}
        extra = value.__pydantic_extra__
        return {**fields, **extra} if extra else fields
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def compact_json(value: Any) -> bytes:
    """Compact, key-sorted UTF-8 JSON, by orjson (about three times the standard encoder's speed:
    a national build encodes half a million documents). What orjson refuses (integers beyond 64
    bits, keys that are not strings) is encoded by the standard library with the same layout.
    Document models are encoded as their fields (``_model_fields``)."""
    try:
        return orjson.dumps(value, default=_model_fields, option=_ORJSON)
    except orjson.JSONEncodeError:
        return json.dumps(
            value, default=_model_fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ).encode()


def json_bytes(document: Any) -> bytes:
    """A JSON file: ``compact_json`` and a newline."""
    return compact_json(document) + b"\n"


def neutralise(cell: Any) -> str:
    """A CSV cell as text; text a spreadsheet would evaluate gets a leading apostrophe."""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return f"{cell:.2f}"
    text = str(cell)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    return csv_lines([columns]) + csv_lines(rows)


def csv_lines(rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV lines (no header): ``csv_bytes`` is the header's line followed by these, so lines
    prepared apart can be joined into one file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue().encode()


#: Attributes a dict has as an object (``items``, ``get``...): for these jinja2's own lookup order stays.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """jinja2 with ``d.name`` on a dict looked up as ``d["name"]`` first, as jinja2 itself would end up doing.

    jinja2 tries the attribute first and falls back to the item on AttributeError; the pages read
    export documents (dicts) field by field, and that raise-and-catch was a tenth of a page's cost.
    The result is the same: a dict has no attribute besides ``dict``'s own.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


@cache
def _templates() -> jinja2.Environment:
    return _Environment(
        loader=jinja2.PackageLoader("fmar.publish", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.ChainableUndefined,
        auto_reload=False,
    )


def templates() -> jinja2.Environment:
    """The jinja2 environment of the site and feeds: autoescaping everywhere, templates included."""
    return _templates()


def atom_bytes(
    feed_id: str, title: str, updated: str, self_url: str, entries: list[dict[str, Any]], *, alternate: str
) -> bytes:
    """An Atom feed; ``entries`` carry id, title, updated, author, link, link_type and summary (all
    escaped here); ``alternate``: the page the feed is the changes of."""
    text = (
        templates()
        .get_template("feed.atom.j2")
        .render(feed_id=feed_id, title=title, updated=updated, self_url=self_url, alternate=alternate, entries=entries)
    )
    return text.encode()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip of ``files`` (name -> bytes) with sorted entries, fixed times and fixed permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name in sorted(files):
            archive.writestr(entry_info(name), files[name])
    return buffer.getvalue()


def file_sha256(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a file, read in blocks."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            h.update(block)
            size += len(block)
    return size, h.hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
