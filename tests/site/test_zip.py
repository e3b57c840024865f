"""The bulk zip writer: an incremental rebuild gives the bytes of a fresh one, whatever changed."""

from __future__ import annotations

import io
import json
import random
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import AS_OF, PAGE_SIZE, spy_zip
from fmar.publish import formats, zip_records
from fmar.publish.build import build
from fmar.publish.output import load_manifest, seal_of, store_manifest
from fmar.publish.zip_writer import ZIP_LEVEL, ZipStats, deflate_ahead, entry_info, write_zip, zip_format

BIG = (1 << 20) + 4321


def _document(rng: random.Random, size: int) -> bytes:
    """JSON-like bytes that compress about as well as the exports do."""
    words = [b'"status":"qualified"', b'"kw":%d' % rng.randrange(10_000), b'"id":"MU-%06d"' % rng.randrange(10**6)]
    out = bytearray()
    while len(out) < size:
        out += b"{" + b",".join(rng.sample(words, 3)) + b"}\n"
    return bytes(out[:size])


def _write(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _initial(rng: random.Random) -> dict[str, bytes]:
    files = {f"api/v2/units/MU-{i:04d}.json": _document(rng, rng.randrange(50, 3000)) for i in range(150)}
    files["api/v2/empty.json"] = b""
    files["api/v2/qualifications.json"] = _document(rng, BIG)
    files["api/v2/parties/Ünïcode-שלום.json"] = _document(rng, 700)
    files["schemas/export-unit.schema.json"] = _document(rng, 5000)
    return files


def _mutate(rng: random.Random, files: dict[str, bytes]) -> tuple[dict[str, bytes], set[str]]:
    """Files after some additions, removals and edits, and the names whose bytes did not change."""
    after = dict(files)
    names = sorted(after)
    for name in rng.sample(names, 8):
        del after[name]
    for name in rng.sample(sorted(after), 8):
        after[name] = _document(rng, rng.choice([0, 10, 1500, BIG]))
    for i in range(6):
        after[f"api/v2/units/MU-{rng.randrange(10**6):06d}-new{i}.json"] = _document(rng, rng.choice([0, 900, BIG]))
    unchanged = {name for name in after if files.get(name) == after[name]}
    return after, unchanged


def _fresh(tmp: Path, files: dict[str, bytes], level: int = ZIP_LEVEL) -> bytes:
    folder = tmp / "fresh-src"
    shutil.rmtree(folder, ignore_errors=True)
    _write(folder, files)
    target = tmp / "fresh.zip"
    write_zip(target, folder, files, level)
    return target.read_bytes()


def _incremental(
    tmp: Path, files: dict[str, bytes], previous: Path, unchanged: set[str], **options: object
) -> tuple[bytes, ZipStats]:
    folder = tmp / "incr-src"
    shutil.rmtree(folder, ignore_errors=True)
    _write(folder, files)
    target = tmp / "incremental.zip"
    stats = write_zip(target, folder, files, previous=previous, unchanged=unchanged, **options)  # type: ignore[arg-type]
    return target.read_bytes(), stats


def _contents(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_entries_are_what_zipfile_itself_writes(tmp_path: Path) -> None:
    """Guards ``zip_records``, which writes the bytes zipfile would: if CPython changes how it writes
    entries or the central directory, this fails."""
    files = _initial(random.Random(1))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as archive:
        archive.comment = zip_format().encode()
        for name in sorted(files):
            archive.writestr(entry_info(name), files[name], compresslevel=ZIP_LEVEL)
    assert _fresh(tmp_path, files) == buffer.getvalue()


def test_level_is_applied(tmp_path: Path) -> None:
    files = {"a.json": _document(random.Random(2), 200_000)}
    fast, small = _fresh(tmp_path, files, 1), _fresh(tmp_path, files, 9)
    assert len(fast) != len(small)
    assert _contents(fast) == _contents(small) == files


@pytest.mark.parametrize("seed", range(4))
def test_incremental_equals_fresh_after_random_changes(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    files = _initial(rng)
    previous = tmp_path / "previous.zip"
    previous.write_bytes(_fresh(tmp_path, files))
    for _ in range(2):  # the second round copies from an incrementally written zip
        files, unchanged = _mutate(rng, files)
        data, stats = _incremental(tmp_path, files, previous, unchanged, workers=1 + seed % 3)
        assert data == _fresh(tmp_path, files)
        assert _contents(data) == files
        assert stats == ZipStats(copied=len(unchanged), compressed=len(files) - len(unchanged))
        previous.write_bytes(data)


def test_unchanged_may_be_a_predicate(tmp_path: Path) -> None:
    files = _initial(random.Random(5))
    previous = tmp_path / "previous.zip"
    previous.write_bytes(_fresh(tmp_path, files))
    target = tmp_path / "out.zip"
    _write(tmp_path / "src", files)
    stats = write_zip(target, tmp_path / "src", files, previous=previous, unchanged=lambda name: "units/" in name)
    assert stats.copied == sum("units/" in name for name in files)
    assert target.read_bytes() == previous.read_bytes()


def test_threads_do_not_change_the_bytes(tmp_path: Path) -> None:
    files = _initial(random.Random(6))
    _write(tmp_path / "src", files)
    outputs = set()
    for workers in (1, 2, 4):
        target = tmp_path / f"w{workers}.zip"
        write_zip(target, tmp_path / "src", files, workers=workers)
        outputs.add(target.read_bytes())
    assert len(outputs) == 1


def _corrupt(previous: Path, good: bytes, how: str) -> None:
    if how == "missing":
        previous.unlink(missing_ok=True)
    elif how == "garbage":
        previous.write_bytes(random.Random(7).randbytes(5000))
    elif how == "truncated":
        previous.write_bytes(good[: len(good) // 2])
    elif how == "data-cut":  # central directory intact, but entries' bytes shifted away
        previous.write_bytes(good[:100] + good[200:])


@pytest.mark.parametrize("how", ["missing", "garbage", "truncated", "data-cut"])
def test_unusable_previous_falls_back_to_compressing(tmp_path: Path, how: str) -> None:
    files = _initial(random.Random(8))
    good = _fresh(tmp_path, files)
    previous = tmp_path / "previous.zip"
    _corrupt(previous, good, how)
    data, stats = _incremental(tmp_path, files, previous, set(files))
    assert data == good
    assert stats.copied < len(files) if how == "data-cut" else stats.copied == 0


def test_previous_written_at_another_level_is_not_copied(tmp_path: Path) -> None:
    files = _initial(random.Random(9))
    previous = tmp_path / "previous.zip"
    previous.write_bytes(_fresh(tmp_path, files, level=6))
    data, stats = _incremental(tmp_path, files, previous, set(files))
    assert (data, stats.copied) == (_fresh(tmp_path, files), 0)


def test_entries_written_otherwise_are_compressed_again(tmp_path: Path) -> None:
    """Same comment, but entries stored, timed differently or missing: each is deflated afresh."""
    files = _initial(random.Random(10))
    names = sorted(files)
    stored, retimed, missing = names[3], names[40], names[41]
    previous = tmp_path / "previous.zip"
    with zipfile.ZipFile(previous, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as archive:
        archive.comment = zip_format().encode()
        for name in names:
            info = entry_info(name, zipfile.ZIP_STORED if name == stored else zipfile.ZIP_DEFLATED)
            if name == retimed:
                info.date_time = (2020, 1, 1, 0, 0, 0)
            if name != missing:
                archive.writestr(info, files[name], compresslevel=ZIP_LEVEL)
    data, stats = _incremental(tmp_path, files, previous, set(files))
    assert data == _fresh(tmp_path, files)
    assert stats == ZipStats(copied=len(files) - 3, compressed=3)


def test_build_rezips_only_changed_entries(built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """A rebuild in which one document is rewritten copies every other entry from the live zip."""
    repo, site = built
    out = tmp_path / "site"
    shutil.copytree(site, out)
    manifest = load_manifest(site)
    stale = "api/v2/units/MU-KESTREL-000099.json"
    manifest[stale] = "stale"
    manifest["api/v2/all.zip"] = "stale"
    store_manifest(out, manifest, seal_of(out, manifest, []))  # the copy, trusted as the site was
    seen = tmp_path / "zip-stats.json"  # the zip is written in a child process: it reports here
    spy_zip(monkeypatch, seen)
    build(repo.path, repo.path / "registry", out, AS_OF, jobs=1, page_size=PAGE_SIZE)
    monkeypatch.undo()
    assert (out / "api/v2/all.zip").read_bytes() == (site / "api/v2/all.zip").read_bytes()
    (line,) = seen.read_text(encoding="utf-8").splitlines()
    copied, compressed = json.loads(line)
    assert compressed == 1
    assert copied > 40


def test_a_zip_that_cannot_be_written_stops_the_build(built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """all.zip is written by a child process: its failure still fails the build, which publishes nothing."""
    repo, site = built
    out = tmp_path / "site"
    shutil.copytree(site, out)
    manifest = load_manifest(site)
    manifest["api/v2/all.zip"] = "stale"  # so the zip must be written again
    store_manifest(out, manifest, seal_of(out, manifest, []))
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(formats, "write_zip", broken)
    with pytest.raises(RuntimeError, match=r"all\.zip could not be written: .*No space left"):
        build(repo.path, repo.path / "registry", out, AS_OF, jobs=1, page_size=PAGE_SIZE)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def _entries(count: int, size: int, start: int) -> list[tuple[bytes, int, int, int, int]]:
    """Name, CRC, size, compressed size and offset of ``count`` entries back to back from ``start``."""
    out = []
    for i in range(count):
        name = f"api/v2/units/MU-{i:05d}.json".encode() if i % 3 else f"api/v2/parties/Ünï-{i}.json".encode()
        out.append((name, 0x12345678 + i, size + i, size - i % 7, start))
        start += zip_records.LOCAL_SIZE + len(name) + size - i % 7
    return out


def _zipfile_directory(path: Path, entries: list[tuple[bytes, int, int, int, int]], start: int) -> bytes:
    """The central directory and end records ``zipfile`` writes for ``entries`` when it starts at ``start``
    (a sparse file: only its tail holds bytes)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.comment = zip_format().encode()
        for name, crc, size, compressed, offset in entries:
            info = entry_info(name.decode())
            info.CRC, info.file_size, info.compress_size, info.header_offset = crc, size, compressed, offset
            archive.filelist.append(info)
        archive.start_dir = start
        archive._didModify = True
    with path.open("rb") as handle:
        handle.seek(start)
        return handle.read()


@pytest.mark.parametrize(
    ("count", "start", "size"),
    [(12, 1 << 20, 1 << 20), (12, zip_records.LIMIT - (3 << 29), 1 << 28), (12, 5 << 30, 1 << 30), (66_000, 0, 99)],
)
def test_directory_is_what_zipfile_writes(tmp_path: Path, count: int, start: int, size: int) -> None:
    """Entries at offsets past 2 GiB get a ZIP64 extra; a directory past 2 or 4 GiB, or of more than
    65,535 entries, ZIP64 end records."""
    entries = _entries(count, size, start)
    directory_at = entries[-1][4] + zip_records.LOCAL_SIZE + len(entries[-1][0]) + entries[-1][3]
    records = b"".join(zip_records.central_record(*entry) for entry in entries)
    ends = zip_records.end_records(len(entries), directory_at, directory_at + len(records), zip_format().encode())
    assert records + ends == _zipfile_directory(tmp_path / "sparse.zip", entries, directory_at)


@pytest.mark.parametrize("delta", [0, 12345, -(1 << 30), 3 << 30])
def test_moved_records_cross_2_gib(delta: int) -> None:
    """Unchanged entries that move across the ZIP64 offset limit, either way, get the records of a fresh write."""
    entries = _entries(6, 700 << 20, 1 << 30)
    directory_at = entries[-1][4] + zip_records.LOCAL_SIZE + len(entries[-1][0]) + entries[-1][3]
    data = b"".join(zip_records.central_record(*entry) for entry in entries)
    directory = zip_records.parse_directory(data, directory_at)
    assert directory is not None and all(directory.ours)
    moved = [(*entry[:4], entry[4] + delta) for entry in entries]
    for first, count in [(0, 6), (1, 4), (5, 1)]:
        expected = b"".join(zip_records.central_record(*entry) for entry in moved[first : first + count])
        assert directory.moved(first, count, delta) == expected


def test_directory_is_read_by_columns_as_record_by_record(tmp_path: Path) -> None:
    files = _initial(random.Random(11))
    data = _fresh(tmp_path, files)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        start = archive.start_dir
        end = start + sum(46 + len(info.filename.encode()) for info in archive.infolist())
    split, walked = zip_records._split(data[start:end], start), zip_records._walk(data[start:end], start)
    assert split is not None and split == walked and all(split.ours)
    assert split.names == sorted(name.encode() for name in files)


def test_wrong_local_header_at_a_copied_run_is_deflated_again(tmp_path: Path) -> None:
    files = _initial(random.Random(12))
    good = _fresh(tmp_path, files)
    first = sorted(files)[0].encode()
    at = good.index(b"PK\x03\x04")
    assert good[at + 30 : at + 30 + len(first)] == first
    previous = tmp_path / "previous.zip"
    previous.write_bytes(good[: at + 14] + b"\xff" + good[at + 15 :])  # the first entry's CRC
    data, stats = _incremental(tmp_path, files, previous, set(files))
    assert data == good
    assert stats == ZipStats(copied=len(files) - 1, compressed=1)


def test_more_than_65535_entries(tmp_path: Path) -> None:
    """ZIP64 end records (the entry count does not fit 16 bits), written fresh and incrementally."""
    folder = tmp_path / "src"
    (folder / "u").mkdir(parents=True)
    shared = [tmp_path / "a.json", tmp_path / "b.json"]
    shared[0].write_bytes(b'{"status":"qualified"}\n')
    shared[1].write_bytes(b'{"status":"suspended"}\n')
    names = [f"u/{i:05d}.json" for i in range(66_000)]
    for i, name in enumerate(names):  # links: creating 66,000 files is what would take time
        (folder / name).hardlink_to(shared[i % 2])
    previous = tmp_path / "previous.zip"
    write_zip(previous, folder, names)
    changed, added = "u/00007.json", "u/70000.json"
    (folder / changed).unlink()
    _write(folder, {changed: b"{}\n", added: b"[]\n"})
    names = [*names[:-1], added]  # and one removed
    target = tmp_path / "incremental.zip"
    stats = write_zip(target, folder, names, previous=previous, unchanged=set(names) - {changed, added})
    assert stats == ZipStats(copied=len(names) - 2, compressed=2)
    write_zip(tmp_path / "fresh.zip", folder, names)
    assert target.read_bytes() == (tmp_path / "fresh.zip").read_bytes()
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist() == sorted(names)
        assert archive.read(changed) == b"{}\n" and archive.read(names[1]) == shared[1].read_bytes()
    if shutil.which("unzip"):
        subprocess.run(["unzip", "-tq", str(target)], check=True, capture_output=True)


def test_an_entry_added_first_leaves_the_rest_copied(tmp_path: Path) -> None:
    files = _initial(random.Random(13))
    previous = tmp_path / "previous.zip"
    previous.write_bytes(_fresh(tmp_path, files))
    unchanged = set(files)
    files["!first.json"] = b"{}\n"
    data, stats = _incremental(tmp_path, files, previous, unchanged)
    assert data == _fresh(tmp_path, files)
    assert stats == ZipStats(copied=len(unchanged), compressed=1)


def test_entries_deflated_ahead_give_the_same_zip(tmp_path: Path) -> None:
    """A full build deflates its record documents before the zip is written: same bytes as deflating then."""
    rng = random.Random(5)
    files = {f"api/v2/units/MU-{i:04d}.json": rng.randbytes(rng.randrange(0, 3000)) * 2 for i in range(300)}
    files["api/v2/index.json"] = b'{"late": true}'
    expected = _fresh(tmp_path, files)
    folder = tmp_path / "fresh-src"  # where _fresh wrote the files
    ahead = deflate_ahead([f"{folder}/{name}" for name in sorted(files) if name.startswith("api/v2/units/")])
    assert len(ahead) == 300
    target = tmp_path / "ahead.zip"
    stats = write_zip(target, folder, list(files), deflated=ahead)
    assert target.read_bytes() == expected
    assert stats == ZipStats(copied=0, compressed=len(files))
