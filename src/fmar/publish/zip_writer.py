"""A deterministic zip of many files, rebuilt cheaply: unchanged entries are copied raw from the previous zip.

Entries are sorted by name; each is deflated here (one compressor call per file, on a thread
pool) and written with the headers of ``zip_records``, which are the bytes ``zipfile`` writes.
An entry whose file did not change (the caller's ``unchanged`` says so) is instead copied, local
header and compressed bytes, from the previous zip, a whole run of neighbours in one kernel
copy, and its central record is the previous one with its offset moved. So a zip written from
scratch and one copied mostly from the previous zip are the same bytes, as long as the deflate
implementation and level are the same: the archive comment records both (``zip_format``), and
a previous zip with another comment is not reused.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from operator import sub
from pathlib import Path

from fmar.publish.zip_records import LIMIT, Directory, central_record, end_records, local_header, read_directory

#: The modification time written into every zip entry (zip cannot store times before 1980).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: Deflate level of the bulk zip: 1 is several times faster than 6 and about 10% larger on JSON.
ZIP_LEVEL = 1
#: Files handed to one deflate worker at a time; bytes gathered before one write.
_BATCH_FILES, _FLUSH_BYTES = 64, 8 << 20


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


def zip_bytes(files: dict[str, bytes], level: int = 6) -> bytes:
    """A small zip made in memory of ``files`` (name -> bytes), in name order, with fixed entry
    metadata (``entry_info``): the same files give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name in sorted(files):
            archive.writestr(entry_info(name), files[name], compresslevel=level)
    return out.getvalue()


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
    """Raw deflate in one call: the bytes of zipfile's ``compressobj`` (``test_zip`` checks)."""
    return zlib.compress(data, level, -15)


def _read_and_deflate(paths: list[str], level: int) -> list[tuple[int, int, bytes]]:
    """CRC, size and deflated bytes of each file (zlib and file reads release the GIL)."""
    out = []
    for path in paths:
        with open(path, "rb", buffering=0) as handle:  # noqa: PTH123 (a str: no Path per file)
            data = handle.read()
        out.append((zlib.crc32(data), len(data), _deflate(data, level)))
    return out


#: A file deflated ahead of its zip: CRC, size and deflated bytes, by the file's path.
Deflated = dict[str, tuple[int, int, bytes]]


def deflate_ahead(paths: list[str], level: int = ZIP_LEVEL, workers: int | None = None) -> Deflated:
    """Deflate ``paths`` now (on a thread pool), for a ``write_zip`` that comes later (its ``deflated``)."""
    with _Deflater(paths, level, workers or min(4, os.cpu_count() or 1)) as deflater:
        return {path: deflater.next() for path in paths}


class _Deflater:
    """Deflated files in the order asked for, read and compressed ahead on a thread pool (those
    deflated already are taken as they are)."""

    def __init__(self, paths: list[str], level: int, workers: int, deflated: Deflated | None = None) -> None:
        self.level = level
        if deflated:
            known = [deflated.get(path) for path in paths]
            self._known: Iterator[tuple[int, int, bytes] | None] = iter(known)
            paths = [path for path, done in zip(paths, known, strict=True) if done is None]
        else:
            self._known = iter(())
        batches = [paths[i : i + _BATCH_FILES] for i in range(0, len(paths), _BATCH_FILES)]
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
        done = next(self._known, None)
        return done if done is not None else self._next_read()

    def _next_read(self) -> tuple[int, int, bytes]:
        for item in self._ready:
            return item
        if self._pool is None:
            self._ready = iter(_read_and_deflate(next(self._batches), self.level))
            return self._next_read()
        while len(self._ahead) < self._depth and (batch := next(self._batches, None)) is not None:
            self._ahead.append(self._pool.submit(_read_and_deflate, batch, self.level))
        self._ready = iter(self._ahead.popleft().result())
        return self._next_read()


class _Sink:
    """The zip being written: small writes gathered into large ones, runs copied file to file."""

    def __init__(self, fd: int) -> None:
        self.fd, self.position = fd, 0
        self._pending: list[bytes | bytearray] = []
        self._size = 0

    def write(self, *pieces: bytes | bytearray) -> None:
        self._pending.extend(pieces)
        size = sum(map(len, pieces))
        self._size += size
        self.position += size
        if self._size >= _FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        view = memoryview(self._pending[0] if len(self._pending) == 1 else b"".join(self._pending))
        while view:
            view = view[os.write(self.fd, view) :]
        self._pending, self._size = [], 0

    def copy(self, source: int, start: int, length: int) -> None:
        """Append ``length`` bytes of the file ``source`` from ``start``, in the kernel if it can."""
        self.flush()
        end = start + length
        while start < end:
            try:
                done = os.copy_file_range(source, self.fd, end - start, start)
            except (AttributeError, OSError):
                done = os.write(self.fd, os.pread(source, min(end - start, _FLUSH_BYTES), start))
            if done <= 0:
                raise OSError(f"the previous zip ended {end - start} bytes early")
            start += done
        self.position += length


def _sources(
    previous: Path | None, target: Path, encoded: list[bytes], keep: list[bool], level: int
) -> tuple[int | None, Directory | None, list[int]]:
    """The previous zip (open) and its directory, and the entry there to copy for each name (-1: none)."""
    none = -1
    if previous is None or not any(keep) or _same_file(target, previous):
        return None, None, [none] * len(encoded)
    try:
        fd = os.open(previous, os.O_RDONLY)
    except OSError:
        return None, None, [none] * len(encoded)
    try:
        directory = read_directory(fd, zip_format(level).encode())
    except (OSError, struct.error):
        directory = None
    if directory is None:
        os.close(fd)
        return None, None, [none] * len(encoded)
    return fd, directory, directory.copyable(encoded, keep)


def _runs(fd: int, directory: Directory, source: list[int], encoded: list[bytes]) -> dict[int, tuple[int, int]]:
    """Runs of entries to copy, by the index of their first name: (first entry in ``directory``,
    count) of entries that lie back to back there. The local header of each run's first entry is
    read and checked (an entry that fails is deflated instead)."""
    runs: dict[int, tuple[int, int]] = {}
    # 1 where the next name's entry follows this one's (so both are in one run), built in C
    follows = bytes(map((1).__eq__, map(sub, source[1:], source)))
    bounds, at = [0], follows.find(0)
    while at >= 0:
        bounds.append(at + 1)
        at = follows.find(0, at + 1)
    bounds.append(len(source))
    for i, end in pairwise(bounds):
        for first in range(i, end):  # -1 then entry 0 also "follow": skip to the first to copy
            if source[first] >= 0:
                name, crc, size, compressed = directory.entry(source[first])
                header = local_header(name, crc, size, compressed)
                if name == encoded[first] and os.pread(fd, len(header), directory.offsets[source[first]]) == header:
                    runs[first] = (source[first], end - first)
                    break
    return runs


def _fresh(runs: dict[int, tuple[int, int]], total: int) -> list[int]:
    """The entries outside ``runs``."""
    out: list[int] = []
    i = 0
    for start, (_, count) in sorted(runs.items()):
        out.extend(range(i, start))
        i = start + count
    out.extend(range(i, total))
    return out


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
    deflated: Deflated | None = None,
) -> ZipStats:
    """Write a zip of the files ``folder/<name>`` to ``target``: entries sorted, fixed times and modes.

    Deterministic: the same file contents give the same bytes, whatever their times on disk.
    Entries named in ``unchanged`` (their files hold the bytes they had when ``previous`` was
    written) are copied compressed from the zip ``previous``, with their central records; any
    that cannot be (no such zip, unreadable, another deflate, entry missing or written otherwise)
    are deflated like the rest. ``workers`` threads read and deflate the others (default: one per
    core, at most 4), but for the files in ``deflated`` (``deflate_ahead``: their files unchanged since).
    """
    order = sorted(names)
    encoded = list(map(str.encode, order))
    if unchanged is None or previous is None:
        keep = [False] * len(order)
    else:
        keep = list(map(unchanged if callable(unchanged) else unchanged.__contains__, order))
    old, directory, source = _sources(previous, target, encoded, keep, level)
    try:
        runs = _runs(old, directory, source, encoded) if old is not None and directory is not None else {}
        base = f"{folder}{os.sep}"
        fresh = [base + order[i] for i in _fresh(runs, len(order))]
        with (
            target.open("wb", buffering=0) as out,
            _Deflater(fresh, level, workers or min(4, os.cpu_count() or 1), deflated) as deflater,
        ):
            sink = _Sink(out.fileno())
            central: list[bytes | bytearray] = []
            i = copied = 0
            while i < len(order):
                if i in runs and old is not None and directory is not None:
                    k, count = runs[i]
                    start, end = directory.span(k, count)
                    central.append(directory.moved(k, count, sink.position - start))
                    sink.copy(old, start, end - start)
                    copied += count
                    i += count
                    continue
                crc, size, data = deflater.next()
                if size > LIMIT or len(data) > LIMIT:
                    raise ValueError(f"{order[i]}: entries over 2 GiB are not supported")
                central.append(central_record(encoded[i], crc, size, len(data), sink.position))
                sink.write(local_header(encoded[i], crc, size, len(data)), data)
                i += 1
            start = sink.position
            for record in central:
                sink.write(record)
            sink.write(end_records(len(order), start, sink.position, zip_format(level).encode()))
            sink.flush()
    finally:
        if old is not None:
            os.close(old)
    return ZipStats(copied, len(order) - copied)
