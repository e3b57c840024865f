"""Benchmark of ``fmar build`` (site and exports): a full build, and a rebuild after 10 records change.

Usage: .venv/bin/python benchmarks/site_build.py UNITS [UNITS ...]
Generates a synthetic registry (fmar.generate.synthetic) per size in a temporary folder.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from fmar.generate.synthetic import NOW, generate
from fmar.publish.build import build


def measure(units: int) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory(prefix="fmar-bench-site-") as tmp:
        registry = Path(tmp, "registry")
        generate(registry, units, jobs=2)
        out = Path(tmp, "site")
        build(Path(tmp), registry, out, NOW, jobs=2)  # warms the validation cache as a CI run would
        Path(tmp, "site").rename(Path(tmp, "site-warm"))
        started = time.monotonic()
        build(Path(tmp), registry, out, NOW, jobs=2)
        full = time.monotonic() - started
        changed = sorted((registry / "market_unit").glob("*.yaml"))[:10]
        for path in changed:
            path.write_text(path.read_text().replace("name: ", "name: Renamed ", 1))
        started = time.monotonic()
        result = build(Path(tmp), registry, out, NOW, jobs=2)
        return full, time.monotonic() - started, result.pages_written


def main(sizes: list[int]) -> None:
    print("| units | full build (s) | rebuild after 10 changes (s) | files rewritten |")
    print("| ---: | ---: | ---: | ---: |")
    for units in sizes:
        full, rebuild, written = measure(units)
        print(f"| {units} | {full:.1f} | {rebuild:.1f} | {written} |", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [500, 2000])
