"""The bytes of fmar's zips, exactly as ``zipfile`` writes them, and the central directory of a previous one.

Every entry is deflated, dated 1980-01-01 00:00, mode 0644, made on Unix, without extra field
or comment, its CRC and sizes in its local header (no data descriptor); a name that is not
ASCII is UTF-8 with flag bit 11. ZIP64 appears only where ``zipfile`` puts it: an extra field
in the central record of an entry whose local header lies past ``LIMIT``, and the ZIP64 end
records when there are more than 65,535 entries or the central directory lies or reaches past
``LIMIT``. ``tests/site/test_zip.py`` compares these bytes with ``zipfile``'s own.
"""

from __future__ import annotations

import os
import struct
import zipfile
from bisect import bisect_right
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, repeat
from operator import add, mul, sub

#: Offsets and sizes above this need ZIP64 (zipfile's limit: 2 GiB - 1, not 4 GiB).
LIMIT = zipfile.ZIP64_LIMIT
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
#: A central record: signature, versions to flags to date, CRC and sizes, name/extra/comment
#: lengths, disk/attributes, offset of the local header.
_RECORD = struct.Struct("<4s12s3L3H8sL")
_OFFSET = struct.Struct("<L")
_ZIP64_OFFSET = struct.Struct("<HHQ")
_END = struct.Struct("<4s4H2LH")
_END64 = struct.Struct("<4sQ2H2L4Q")
_LOCATOR64 = struct.Struct("<4sLQL")
LOCAL_SIZE, CENTRAL_SIZE = _LOCAL.size, _CENTRAL.size
_DOS_TIME, _DOS_DATE = 0, 1 << 5 | 1  # 1980-01-01 00:00:00
_VERSION, _VERSION64, _UNIX, _MODE, _UTF8 = 20, 45, 3, 0o644 << 16, 0x800


def _flags(name: bytes) -> int:
    return 0 if name.isascii() else _UTF8


def local_header(name: bytes, crc: int, size: int, compressed: int) -> bytes:
    """The local header of an entry named ``name`` (UTF-8), sizes below ``LIMIT``."""
    fields = (_VERSION, 0, _flags(name), zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE, crc, compressed, size)
    return _LOCAL.pack(b"PK\x03\x04", *fields, len(name), 0) + name


def central_record(name: bytes, crc: int, size: int, compressed: int, offset: int) -> bytes:
    """The central directory record of an entry whose local header is at ``offset``."""
    extra, version = b"", _VERSION
    if offset > LIMIT:
        extra, version, offset = _ZIP64_OFFSET.pack(1, 8, offset), _VERSION64, 0xFFFFFFFF
    head = (version, _UNIX, version, 0, _flags(name), zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE)
    return _CENTRAL.pack(b"PK\x01\x02", *head, crc, compressed, size, len(name), len(extra), 0, 0, 0, _MODE, offset) + (
        name + extra
    )


def end_records(count: int, start: int, end: int, comment: bytes) -> bytes:
    """The end records of a zip of ``count`` entries whose central directory spans ``start``..``end``."""
    size = end - start
    out = b""
    if count > 0xFFFF or start > LIMIT or size > LIMIT:
        out = _END64.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, start)
        out += _LOCATOR64.pack(b"PK\x06\x07", 0, end, 1)
        count, size, start = min(count, 0xFFFF), min(size, 0xFFFFFFFF), min(start, 0xFFFFFFFF)
    return out + _END.pack(b"PK\x05\x06", 0, 0, count, count, size, start, len(comment)) + comment


def _head(version: int, flags: int) -> bytes:
    return _CENTRAL.pack(b"PK\x01\x02", version, _UNIX, version, 0, flags, 8, 0, _DOS_DATE, *[0] * 10)[4:16]


#: The fields of a central record that do not depend on the entry, by (ZIP64 offset, UTF-8 name).
_HEADS = {
    (big, utf8): _head(_VERSION64 if big else _VERSION, _UTF8 if utf8 else 0) for big in (0, 1) for utf8 in (0, 1)
}
_TAIL = _CENTRAL.pack(b"PK\x01\x02", *[0] * 16, _MODE, 0)[34:42]


@dataclass
class Directory:
    """The central directory of a previous zip: where each record and entry lies, and which entries
    this module could have written (``ours``) and lie back to back, so their bytes can be copied."""

    data: bytes
    start: int  # where ``data`` lies in the zip, just after the last entry
    records: list[int]  # where each record starts in ``data``, then where the last one ends
    offsets: list[int]  # where each entry's local header starts in the zip
    ours: list[bool]
    names: list[bytes]  # UTF-8

    def copyable(self, names: list[bytes], wanted: list[bool]) -> list[int]:
        """For each of ``names``, the entry of that name if it is ``wanted`` and ours, else -1."""
        found: Sequence[int]
        if names == self.names:  # usually: no index needed
            found, ours = range(len(names)), self.ours
        else:
            index = {name: k for k, name in enumerate(self.names)}
            found = [index.get(name, -1) for name in names]
            ours = [self.ours[k] for k in found]
        # (k + 1) * wanted * ours - 1, computed in C rather than a Python loop (k + 1 is 0 if not found)
        plus_one = map(mul, map(mul, map(add, found, repeat(1)), wanted), ours)
        return list(map(sub, plus_one, repeat(1)))

    def span(self, k: int, count: int) -> tuple[int, int]:
        """Where entries ``k``..``k + count - 1`` (ours) lie in the zip, local headers included."""
        return self.offsets[k], self.offsets[k + count] if k + count < len(self.offsets) else self.start

    def entry(self, k: int) -> tuple[bytes, int, int, int]:
        """Name, CRC, size and compressed size of entry ``k``."""
        _, _, crc, compressed, size, _, _, _, _, _ = _RECORD.unpack_from(self.data, self.records[k])
        return self.names[k], crc, size, compressed

    def moved(self, k: int, count: int, delta: int) -> bytes | bytearray:
        """Central records of entries ``k``..``k + count - 1`` (ours) once their bytes moved by ``delta``."""
        first, last = self.records[k], self.records[k + count]
        if delta == 0:
            return self.data[first:last]
        offsets = self.offsets[k : k + count]
        patched = bisect_right(offsets, LIMIT - max(delta, 0))  # these keep a 4-byte offset field
        out = bytearray(self.data[first : self.records[k + patched]])
        fields = map(sub, self.records[k : k + patched], repeat(first - 42))
        # pack_into each record's offset field, the loop run in C (deque of no length consumes the map)
        deque(map(_OFFSET.pack_into, repeat(out), fields, map(add, offsets[:patched], repeat(delta))), maxlen=0)
        for i in range(k + patched, k + count):
            out += central_record(*self.entry(i), self.offsets[i] + delta)
        return out


def parse_directory(data: bytes, start: int) -> Directory | None:
    """The records of the central directory ``data``, which starts at ``start`` in its zip."""
    return _split(data, start) or _walk(data, start)


def _walk(data: bytes, start: int) -> Directory | None:
    """Any central directory, record by record."""
    records, offsets, ends, ours, names = [], [], [], [], []
    unpack, pos, size = _RECORD.unpack_from, 0, len(data)
    try:
        while pos < size:
            sig, head, _, compressed, _, length, extra, note, tail, offset = unpack(data, pos)
            if sig != b"PK\x01\x02":
                return None
            at = pos + CENTRAL_SIZE + length
            name = data[pos + CENTRAL_SIZE : at]
            big = extra == 12 and offset == 0xFFFFFFFF and data[at : at + 4] == b"\1\0\x08\0"
            if big:
                (offset,) = struct.unpack_from("<Q", data, at + 4)
            records.append(pos)
            offsets.append(offset)
            ends.append(offset + LOCAL_SIZE + length + compressed)
            plain = not extra or (big and offset > LIMIT)
            ours.append(plain and not note and head == _HEADS[big, not name.isascii()] and tail == _TAIL)
            names.append(name)
            pos += CENTRAL_SIZE + length + extra + note
    except struct.error:
        return None
    if pos != size:
        return None
    records.append(pos)
    # An entry's bytes are known only if the next entry (or the directory) starts where they end.
    ours = [mine and end == after for mine, end, after in zip(ours, ends, [*offsets[1:], start], strict=True)]
    return Directory(data, start, records, offsets, ours, names)


def _split(data: bytes, start: int) -> Directory | None:
    """A central directory whose records are all ours without ZIP64 (any zip under 2 GiB), read
    a column at a time instead of record by record: split at the record signature, then each
    field is a strided slice of the records' fixed parts. None if any record is otherwise (or a
    name or number holds the signature): ``_walk`` reads those."""
    parts = data.split(b"PK\x01\x02")
    if parts[0] or len(parts) < 2:
        return None
    del parts[0]
    count, width = len(parts), CENTRAL_SIZE - 4
    fixed = b"".join([part[:width] for part in parts])
    names = [part[width:] for part in parts]
    template = _HEADS[0, 0] + bytes(14) + b"\0\0\0\0" + _TAIL + bytes(4)
    constant = [*range(5), *range(6, 12), *range(26, 38)]  # byte 5: the high byte of the flags
    if len(fixed) != width * count or any(fixed[i::width] != template[i : i + 1] * count for i in constant):
        return None
    ascii = list(map(bytes.isascii, names))
    utf8 = bytes(count) if all(ascii) else bytes(0 if plain else _UTF8 >> 8 for plain in ascii)
    lengths = _column(fixed, width, 24, "H")
    if fixed[5::width] != utf8 or lengths != list(map(len, names)):
        return None
    offsets, compressed = _column(fixed, width, 38, "I"), _column(fixed, width, 16, "I")
    ends = list(map(add, map(add, offsets, compressed), map(add, lengths, repeat(LOCAL_SIZE))))  # at C speed
    if ends[:-1] == offsets[1:] and ends[-1] == start:
        ours = [True] * count
    else:
        ours = [end == after for end, after in zip(ends, [*offsets[1:], start], strict=True)]
    records = list(accumulate(map(add, lengths, repeat(CENTRAL_SIZE)), initial=0))
    return Directory(data, start, records, offsets, ours, names)


def _column(rows: bytes, width: int, at: int, code: str) -> list[int]:
    """The little-endian numbers of format ``code`` at ``at`` in each row of ``width`` bytes."""
    size = struct.calcsize(code)
    packed = bytearray(size * (len(rows) // width))
    for byte in range(size):
        packed[byte::size] = rows[at + byte :: width]
    return list(struct.unpack(f"<{len(packed) // size}{code}", packed))


def read_directory(fd: int, comment: bytes) -> Directory | None:
    """The central directory of the zip open as ``fd``, if it ends with ``comment`` and its end
    records are where they say (a zip shortened or shifted somewhere is not read)."""
    total = os.fstat(fd).st_size
    end = total - _END.size - len(comment)
    if end < 0:
        return None
    tail = os.pread(fd, _END.size + len(comment), end)
    sig, _, _, _, count, size, start, length = _END.unpack_from(tail)
    if sig != b"PK\x05\x06" or length != len(comment) or tail[_END.size :] != comment:
        return None
    records_end = end
    locator_at = end - _LOCATOR64.size
    if locator_at >= _END64.size and os.pread(fd, 4, locator_at) == b"PK\x06\x07":
        records_end = locator_at - _END64.size
        sig, _, _, _, _, _, _, count, size, start = _END64.unpack(os.pread(fd, _END64.size, records_end))
        if sig != b"PK\x06\x06":
            return None
    if start + size != records_end:
        return None
    data = os.pread(fd, size, start)
    directory = parse_directory(data, start) if len(data) == size else None
    return directory if directory is not None and len(directory.offsets) == count else None
