"""The bundled registry is reproducible: its build script writes the committed files byte for byte."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import BUNDLED_REGISTRY, EXAMPLE_KEYS, ROOT


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()
    }


def test_build_script_reproduces_the_committed_registry(tmp_path: Path) -> None:
    out, keys = tmp_path / "registry", tmp_path / "keys"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_bundled_registry.py"), "--out", str(out), "--keys", str(keys)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    built, committed = _tree(out), _tree(BUNDLED_REGISTRY)
    assert sorted(built) == sorted(committed)
    assert [name for name in built if built[name] != committed[name]] == []
    assert _tree(keys) == _tree(EXAMPLE_KEYS)
