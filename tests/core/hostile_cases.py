"""The hostile-file manifest (hostile/cases.yaml) and how to plant its cases in a registry copy."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from fmar.core.record_paths import path_of
from fmar.loading.text import MAX_FILE_BYTES

HERE = Path(__file__).resolve().parent / "hostile"
FILES = HERE / "files"


@dataclass(frozen=True)
class Case:
    name: str
    at: str
    code: str  # "none": a valid file, about which nothing may be reported
    line: int = 0
    column: int = 0
    json_path: str = "$"
    group: str = "single"
    make: str | None = None
    expect_at: str | None = None
    with_: dict[str, str] = field(default_factory=dict)

    @property
    def finding_path(self) -> str:
        return f"registry/{self.expect_at or self.at}"

    @property
    def passes(self) -> bool:
        """The file is valid (a look-alike of a hostile one): no finding names it."""
        return self.code == "none"


def load_cases() -> list[Case]:
    raw = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))["cases"]
    return [Case(**{("with_" if k == "with" else k): v for k, v in item.items()}) for item in raw]


def _oversized(registry: Path) -> bytes:
    """A record that is valid but for its size: a real unit padded with comment lines past the limit."""
    text = (registry / path_of("market_unit", "MU-KESTREL-000004")).read_text(encoding="utf-8")
    text = text.replace("MU-KESTREL-000004", "MU-KESTREL-000917")
    padding = "# padding to push the file over the size limit\n" * (MAX_FILE_BYTES // 40)
    return (padding + text).encode()


def plant(registry: Path, case: Case) -> None:
    """Put the case's file (and its companions) into ``registry``."""
    target = registry / case.at
    target.parent.mkdir(parents=True, exist_ok=True)
    if case.make == "symlink":
        target.symlink_to(os.path.relpath(registry / path_of("party", "KESTREL"), target.parent))
    elif case.make == "oversized":
        target.write_bytes(_oversized(registry))
    else:
        shutil.copyfile(FILES / f"{case.name}.yaml", target)
    for name, rel in case.with_.items():
        companion = registry / rel
        companion.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FILES / f"{name}.yaml", companion)
