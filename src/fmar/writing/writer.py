"""Write records as YAML in the registry's house style: block style, fields in schema order.

Everything fmar writes reads back through the strict reader unchanged and through the fast
reader, and means the same to YAML 1.1 and 1.2 tools (PyYAML quotes the ambiguous).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from fmar.core.model import Record
from fmar.core.record_paths import path_of
from fmar.loading.fast_yaml import lookalike


class _Dumper(yaml.CSafeDumper):
    pass


def _str(dumper: _Dumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if lookalike(value):  # PyYAML quotes a real date; a month such as 2025-05 only looks like one
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def record_data(record: Record) -> dict[str, Any]:
    """The record as plain data in schema order, leaving out absent values and empty lists."""
    data = record.model_dump(mode="json", exclude_none=True)
    return _prune(data)


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def dumps(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def record_path(registry: Path, kind: str, record_id: str) -> Path:
    """The file of the record in the registry folder ``registry`` (``fmar.core.record_paths``)."""
    return registry / path_of(kind, record_id)
