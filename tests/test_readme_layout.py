"""The README's layout table is the tree's own account of itself: it must match the packages' docstrings."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_readme_layout_table_matches_the_tree() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "readme_layout.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
