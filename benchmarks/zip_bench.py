"""Benchmark of the bulk zip: a fresh write against an incremental one after a few changes.

Writes N JSON documents of about 2 KB into a folder (once, kept in --dir), then measures:

- fresh: ``write_zip`` of every file, with 1 and with 2 deflate threads;
- incremental: the same files with ``--changed`` of them rewritten, the rest copied raw from the
  fresh zip (checked byte-identical to a fresh zip of the new contents);
- the CPython baseline: ``ZipFile.open(info, "w")`` per file at the same level, as ``write_zip``
  did before.

Run: ``python benchmarks/zip_bench.py [--files 200000] [--changed 20] [--dir PATH] [--repeat N]
[--no-baseline]``; prints JSON. With ``--repeat``, each write is timed N times, alternating, and
the median reported.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from fmar.publish.zip_writer import ZIP_LEVEL, entry_info, write_zip


def _document(rng: random.Random, i: int) -> bytes:
    fields = {
        "id": f"MU-{i:06d}",
        "name": f"Unit {i} " + "".join(rng.choices("abcdefghijklmnopqrstuvwxyz ", k=24)),
        "fsp": f"FSP-{rng.randrange(300):03d}",
        "qualifications": [
            {
                "product": f"P{p}",
                "so": rng.choice(["NESO", "UKPN", "SSEN", "ENWL"]),
                "status": "qualified",
                "kw": p * 37,
            }
            for p in range(rng.randrange(20, 40))
        ],
    }
    return (json.dumps(fields, sort_keys=True, separators=(",", ":")) + "\n").encode()


def _prepare(folder: Path, files: int) -> list[str]:
    rng = random.Random(0)
    names = [f"api/v2/units/MU-{i:06d}.json" for i in range(files)]
    marker = folder / f".complete-{files}"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "api/v2/units").mkdir(parents=True)
        for i, name in enumerate(names):
            (folder / name).write_bytes(_document(rng, i))
        marker.touch()
    return names


def _baseline(target: Path, folder: Path, names: list[str]) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as archive:
        for name in names:
            info = entry_info(name)
            info._compresslevel = ZIP_LEVEL
            with (folder / name).open("rb") as source, archive.open(info, "w") as entry:
                shutil.copyfileobj(source, entry, 1 << 20)


def _timed(action: Any) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _medians(actions: dict[str, Any], repeat: int) -> dict[str, float]:
    """Median seconds of each action, the actions run in turn ``repeat`` times."""
    times: dict[str, list[float]] = {key: [] for key in actions}
    for _ in range(repeat):
        for key, action in actions.items():
            times[key].append(_timed(action))
    return {key: round(statistics.median(values), 3) for key, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200_000)
    parser.add_argument("--changed", type=int, default=20)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "fmar-zip-bench")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-baseline", action="store_true", help="skip the zipfile baseline (slow)")
    args = parser.parse_args()
    folder = args.dir / "files"
    names = _prepare(folder, args.files)
    sizes = [(folder / name).stat().st_size for name in names]
    out = args.dir
    result: dict[str, Any] = {"files": len(names), "bytes": sum(sizes), "changed": args.changed}
    if not args.no_baseline:
        result["baseline_zipfile_open_s"] = round(_timed(lambda: _baseline(out / "baseline.zip", folder, names)), 2)
    fresh = {
        "fresh_1_thread_s": lambda: write_zip(out / "fresh1.zip", folder, names, workers=1),
        "fresh_2_threads_s": lambda: write_zip(out / "fresh.zip", folder, names, workers=2),
    }
    result.update(_medians(fresh, args.repeat))
    assert (out / "fresh1.zip").read_bytes() == (out / "fresh.zip").read_bytes()
    result["zip_bytes"] = (out / "fresh.zip").stat().st_size

    rng = random.Random(1)
    changed = set(rng.sample(names, args.changed))
    originals = {name: (folder / name).read_bytes() for name in changed}
    try:
        for name in changed:
            (folder / name).write_bytes(originals[name].replace(b"qualified", b"suspended"))
        unchanged = set(names) - changed
        stats: list[Any] = []

        def incremental() -> None:
            stats.append(
                write_zip(out / "incremental.zip", folder, names, previous=out / "fresh.zip", unchanged=unchanged)
            )

        result.update(_medians({"incremental_s": incremental}, args.repeat))
        result["incremental_stats"] = {"copied": stats[0].copied, "compressed": stats[0].compressed}
        fresh_new = {"fresh_of_new_contents_s": lambda: write_zip(out / "fresh-new.zip", folder, names)}
        result.update(_medians(fresh_new, 1))
        assert (out / "incremental.zip").read_bytes() == (out / "fresh-new.zip").read_bytes()
        result["identical"] = True
    finally:
        for name, data in originals.items():
            (folder / name).write_bytes(data)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
