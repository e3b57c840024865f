"""A deterministic zip of many files, rebuilt cheaply: unchanged entries are copied raw from the previous zip.

Every entry is deflated here (one compressor call per file, optionally on a thread pool) and
appended with its local header through ``_append``, the only function that touches
``zipfile`` internals; ``zipfile`` itself writes the central directory and the (ZIP64) end
records at close. So a zip written from scratch and one that copies most entries' compressed
bytes from the previous zip are the same bytes, as long as the copied entries' files did not
change (the caller's ``unchanged`` says so) and the deflate implementation and level are the
same. The archive comment records both (``zip_format``); a previous zip with another comment
is not reused.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, nullcontext
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import BinaryIO

#: The modification time written into every zip entry (zip cannot store times before 1980).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: Deflate level of the bulk zip: 1 is several times faster than 6 and about 10% larger on JSON.
ZIP_LEVEL = 1
#: Fresh entries handed to one worker at a time, and the most bytes read for one copy run.
_BATCH_FILES, _BATCH_BYTES = 64, 8 << 20
_COPY_SPAN = 16 << 20
#: Bits of the general-purpose flags a reusable entry may carry: only "name is UTF-8".
_NAME_FLAG = 0x800


@dataclass(frozen=True)
class ZipStats:
    """What one ``write_zip`` did: entries whose compressed bytes were copied, and deflated."""

    copied: int = 0
    compressed: int = 0


def entry_info(name: str, compress_type: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    """A zip entry with fixed time, mode and creator, so the bytes depend on the contents only."""
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = compress_type
    info.external_attr = 0o644 << 16
    info.create_system = 3
    return info


@cache
def zip_format(level: int = ZIP_LEVEL) -> str:
    """The archive comment: deflate level and implementation, whose output copied entries must share.

    The probe is the CRC of a fixed sample deflated at ``level``: another zlib (or zlib-ng) that
    reports the same version but deflates differently still gives another comment.
    """
    sample = b"".join(b'{"id":"MU-%06d","kw":%d,"status":"qualified"}\n' % (i, i * 37 % 1000) for i in range(2000))
    probe = zlib.crc32(_deflate(sample, level))
    return f"fmar zip; deflate level {level}; zlib {zlib.ZLIB_RUNTIME_VERSION}; probe {probe:08x}"


def _deflate(data: bytes, level: int) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _read_and_deflate(paths: list[Path], level: int) -> list[tuple[int, int, bytes]]:
    """CRC, size and deflated bytes of each file (zlib and file reads release the GIL)."""
    out = []
    for path in paths:
        data = path.read_bytes()
        out.append((zlib.crc32(data), len(data), _deflate(data, level)))
    return out


def _append(
    archive: zipfile.ZipFile, entries: Sequence[tuple[zipfile.ZipInfo, int]], chunks: Sequence[bytes | memoryview]
) -> None:
    """Append finished entries to ``archive``: ``chunks`` hold their local headers and compressed
    bytes back to back, each entry starting at its offset into them.

    The one place that uses ``zipfile`` internals, as ``ZipFile._open_to_write`` and
    ``_ZipWriteFile.close`` do for a seekable file: entries start at ``start_dir``, a header is
    ``info.FileHeader(False)`` with CRC and sizes already known (so it is never rewritten), and
    the entries join ``filelist``/``NameToInfo`` for the central directory that ``close()``
    writes. ``tests/site/test_zip.py`` checks this gives the bytes of ``ZipFile.writestr``; if
    CPython changes how it writes entries, that test fails.
    """
    base = archive.start_dir
    for info, offset in entries:
        info.header_offset = base + offset
        archive.filelist.append(info)
        archive.NameToInfo[info.filename] = info
    for chunk in chunks:
        archive.fp.write(chunk)  # type: ignore[union-attr]
        base += len(chunk)
    archive.start_dir = base
    archive._didModify = True


def _finished(name: str, crc: int, size: int, compress_size: int) -> tuple[zipfile.ZipInfo, bytes]:
    """The entry's info and local header once its CRC and sizes are known (no ZIP64 local headers)."""
    if size > zipfile.ZIP64_LIMIT or compress_size > zipfile.ZIP64_LIMIT:
        raise ValueError(f"{name}: entries over 4 GiB are not supported")
    info = entry_info(name)
    info.CRC, info.file_size, info.compress_size = crc, size, compress_size
    info.flag_bits = 0
    return info, info.FileHeader(False)


def _reusable(
    previous: Path | None, names: list[str], level: int
) -> tuple[BinaryIO | None, dict[str, zipfile.ZipInfo]]:
    """The previous zip, open, and its entries among ``names`` that can be copied; none when it is
    missing, unreadable or written with another deflate (its comment differs)."""
    if previous is None or not names:
        return None, {}
    handle: BinaryIO | None = None
    try:
        handle = previous.open("rb")
        with zipfile.ZipFile(handle) as old:
            if old.comment.decode("utf-8", "replace") != zip_format(level):
                raise ValueError("another deflate")
            found = {}
            for name in names:
                info = old.NameToInfo.get(name)
                if (
                    info is not None
                    and info.compress_type == zipfile.ZIP_DEFLATED
                    and not info.flag_bits & ~_NAME_FLAG
                    and not info.extra
                ):
                    found[name] = info
        if found:
            return handle, found
    except (OSError, ValueError, EOFError, struct.error, zipfile.BadZipFile):
        pass
    if handle is not None:
        handle.close()
    return None, {}


class _Deflater:
    """Deflated files in the order asked for, read and compressed ahead on a thread pool."""

    def __init__(self, folder: Path, names: list[str], level: int, workers: int) -> None:
        self.level = level
        batches: list[list[Path]] = []
        batch: list[Path] = []
        weight = 0
        for name in names:
            path = folder / name
            batch.append(path)
            weight += _size(path)
            if len(batch) >= _BATCH_FILES or weight >= _BATCH_BYTES:
                batches.append(batch)
                batch, weight = [], 0
        if batch:
            batches.append(batch)
        self._batches = iter(batches)
        self._pool = ThreadPoolExecutor(workers) if workers > 1 and len(batches) > 1 else None
        self._ahead: deque[Future[list[tuple[int, int, bytes]]]] = deque()
        self._ready: Iterator[tuple[int, int, bytes]] = iter(())
        self._depth = 2 * workers

    def __enter__(self) -> _Deflater:
        return self

    def __exit__(self, *_: object) -> None:
        if self._pool:
            for future in self._ahead:
                future.cancel()
            self._pool.shutdown(wait=True)

    def next(self) -> tuple[int, int, bytes]:
        """CRC, size and deflated bytes of the next file."""
        for item in self._ready:
            return item
        if self._pool is None:
            self._ready = iter(_read_and_deflate(next(self._batches), self.level))
            return self.next()
        while len(self._ahead) < self._depth and (batch := next(self._batches, None)) is not None:
            self._ahead.append(self._pool.submit(_read_and_deflate, batch, self.level))
        self._ready = iter(self._ahead.popleft().result())
        return self.next()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _copy_runs(order: list[str], reuse: dict[str, zipfile.ZipInfo]) -> dict[int, list[str]]:
    """Runs of copied entries by the index in ``order`` where each starts: entries that lie back to
    back in the previous zip, read in one go (up to ``_COPY_SPAN`` bytes)."""
    runs: dict[int, list[str]] = {}
    i = 0
    while i < len(order):
        if order[i] not in reuse:
            i += 1
            continue
        run = [order[i]]
        start = reuse[order[i]].header_offset
        end = _end(reuse[order[i]])
        while i + len(run) < len(order) and end - start < _COPY_SPAN:
            info = reuse.get(order[i + len(run)])
            if info is None or info.header_offset != end:
                break
            run.append(info.filename)
            end = _end(info)
        runs[i] = run
        i += len(run)
    return runs


def _encoded(name: str) -> bytes:
    try:
        return name.encode("ascii")
    except UnicodeEncodeError:
        return name.encode("utf-8")


def _end(info: zipfile.ZipInfo) -> int:
    """Where an entry ends in its zip, if its local header is the one ``_finished`` writes."""
    return info.header_offset + zipfile.sizeFileHeader + len(_encoded(info.filename)) + info.compress_size


def _copy_run(
    archive: zipfile.ZipFile, old: BinaryIO, run: list[str], reuse: dict[str, zipfile.ZipInfo], folder: Path, level: int
) -> int:
    """Append the entries of ``run`` copied raw from ``old``; an entry whose local header there is
    not the one a fresh write gives (or that was cut short) is deflated from its file instead.
    Returns how many were copied."""
    start = reuse[run[0]].header_offset
    try:
        old.seek(start)
        span = memoryview(old.read(_end(reuse[run[-1]]) - start))
    except (OSError, ValueError):
        span = memoryview(b"")
    group: list[tuple[zipfile.ZipInfo, int]] = []  # verified entries back to back from ``first``
    first = copied = 0
    for name in run:
        was = reuse[name]
        info, header = _finished(name, was.CRC, was.file_size, was.compress_size)
        at = was.header_offset - start
        if span[at : at + len(header)] == header and at + len(header) + was.compress_size <= len(span):
            group.append((info, at - first))
            copied += 1
            continue
        _append(archive, group, (span[first:at],))
        ((crc, size, data),) = _read_and_deflate([folder / name], level)
        info, header = _finished(name, crc, size, len(data))
        _append(archive, [(info, 0)], (header, data))
        group, first = [], _end(was) - start
    _append(archive, group, (span[first:],))
    return copied


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def write_zip(
    target: Path,
    folder: Path,
    names: Iterable[str],
    level: int = ZIP_LEVEL,
    *,
    previous: Path | None = None,
    unchanged: Callable[[str], bool] | Collection[str] | None = None,
    workers: int | None = None,
) -> ZipStats:
    """Write a zip of the files ``folder/<name>`` to ``target``: entries sorted, fixed times and modes.

    Deterministic: the same file contents give the same bytes, whatever their times on disk.
    Entries named in ``unchanged`` (their files hold the bytes they had when ``previous`` was
    written) are copied compressed from the zip ``previous``; any that cannot be (no such zip,
    unreadable, another deflate, entry missing or written otherwise) are deflated like the rest.
    ``workers`` threads read and deflate the others (default: one per core, at most 4).
    """
    order = sorted(names)
    if unchanged is None or previous is None or _same_file(target, previous):
        candidates = []
    elif callable(unchanged):
        candidates = [name for name in order if unchanged(name)]
    else:
        candidates = [name for name in order if name in unchanged]
    old, reuse = _reusable(previous, candidates, level)
    runs = _copy_runs(order, reuse)
    fresh = [name for name in order if name not in reuse]
    copied = 0
    with (
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as archive,
        _Deflater(folder, fresh, level, workers or min(4, os.cpu_count() or 1)) as deflater,
        closing(old) if old else nullcontext(),
    ):
        archive.comment = zip_format(level).encode()
        i = 0
        while i < len(order):
            if i in runs and old is not None:
                copied += _copy_run(archive, old, runs[i], reuse, folder, level)
                i += len(runs[i])
                continue
            crc, size, data = deflater.next()
            info, header = _finished(order[i], crc, size, len(data))
            _append(archive, [(info, 0)], (header, data))
            i += 1
    return ZipStats(copied, len(order) - copied)
