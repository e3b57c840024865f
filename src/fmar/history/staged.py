"""Git's index file (the staging area) read directly: for each staged path, its blob and the stat data
git recorded when it last found the working copy identical to that blob.

Reading the file costs one pass over its bytes; asking ``git diff-files`` instead costs a second
``lstat`` of every file, which the layout scan has already done. Only the index formats git writes
without optional features this reader does not follow (versions 2 to 4, no split or sparse index)
are read; for any other ``clean`` returns None and the caller asks git.
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Callable, Sequence

#: The hash of an empty blob in each object format (a smudged entry of an empty file keeps it).
EMPTY_BLOB = {
    20: bytes.fromhex("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"),
    32: bytes.fromhex("473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813"),
}
#: Extensions whose presence means the entries listed are not all the staged files.
_INCOMPLETE = (b"link", b"sdir")
_REGULAR = 0o100000
_EXTENDED = 0x4000
_INTENT_TO_ADD = 0x2000

#: (path relative to the repository root, kind, size, stamp), sorted by path: ``Layout.files``.
Files = Sequence[tuple[str, str, int, int]]


def clean(
    data: bytes, hash_size: int, top: str, files: Files, stamp: Callable[[int, int, int], int], written_ns: int
) -> tuple[list[str | None], list[tuple[int, str]]] | None:
    """(blobs, unsure): the blob id of each of ``files`` its stat data vouches for (None for the
    others), and (position, staged blob id) of each file staged whose stat data cannot tell, from the
    index ``data`` (last written at ``written_ns``).

    A staged file (stage 0, a regular file, not merely intended to add) is vouched for when its size
    and stamp (``stamp(mtime_ns, ctime_ns, inode)``, the layout scan's stamp) are those of the stat
    data git recorded when it last found the file equal to the blob. It is unsure when they differ
    (written since, or stat data git keeps otherwise, such as inode numbers cut to 32 bits) or when
    the file is racy: modified no earlier than the index was written, it may have changed within the
    clock tick after git looked. ``top``: the repository root's path in the worktree ("" or ending
    with ``/``). None when the index is not one this reader follows.
    """
    try:
        return _clean(data, hash_size, top, files, stamp, written_ns)
    except (struct.error, IndexError, ValueError):
        return None


def _clean(
    data: bytes, hash_size: int, top: str, files: Files, stamp: Callable[[int, int, int], int], written_ns: int
) -> tuple[list[str | None], list[tuple[int, str]]] | None:
    if data[:4] != b"DIRC":
        return None
    version, count = struct.unpack_from(">II", data, 4)
    if version not in (2, 3, 4):
        return None
    unpack = struct.Struct(f">IIII4xII8xI{hash_size}sH").unpack_from
    path_at = struct.calcsize(f">10I{hash_size}sH")
    empty = EMPTY_BLOB[hash_size]
    encoding, errors = sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()
    # Every record file lies under the folder the first one is in (the registry folder).
    under = (top + files[0][0].split("/", 1)[0] + "/").encode(encoding, errors) if files else b"\0"
    cut = len(top.encode(encoding, errors))
    blobs: list[str | None] = [None] * len(files)
    unsure: list[tuple[int, str]] = []
    at, last = 0, len(files)
    position = 12
    previous = b""
    find = data.index
    for _ in range(count):  # once per staged file: kept to the fewest Python operations
        ctime_s, ctime_ns, mtime_s, mtime_ns, inode, mode, size, blob, flags = unpack(data, position)
        start = position + path_at
        extended = 0
        if flags & _EXTENDED:
            (extended,) = struct.unpack_from(">H", data, start)
            start += 2
        if version == 4:
            strip, start = _varint(data, start)
            end = find(b"\0", start)
            path = previous[: len(previous) - strip] + data[start:end]
            previous = path
            position = end + 1
        else:
            length = flags & 0xFFF
            end = find(b"\0", start) if length == 0xFFF else start + length
            path = data[start:end]
            position += (end - position + 8) & ~7
        if not path.startswith(under):
            continue
        # The index and ``files`` are both sorted by path: walk them side by side.
        rel = path[cut:].decode(encoding, errors)
        while at < last and files[at][0] < rel:
            at += 1
        if at == last or files[at][0] != rel:
            continue
        if flags & 0x3000 or extended & _INTENT_TO_ADD or mode & 0o170000 != _REGULAR:
            continue  # a conflict's stages 1 to 3, a file only intended to add, a link or submodule
        _, _, file_size, file_stamp = files[at]
        modified = mtime_s * 1_000_000_000 + mtime_ns
        if (
            file_size == size
            and (size != 0 or blob == empty)  # else smudged: git wrote the entry while the file was racy
            and file_stamp == stamp(modified, ctime_s * 1_000_000_000 + ctime_ns, inode)
            and modified < written_ns
        ):
            blobs[at] = blob.hex()
        else:
            unsure.append((at, blob.hex()))
    if _extensions(data, position, hash_size) & set(_INCOMPLETE):
        return None
    return blobs, unsure


def _varint(data: bytes, position: int) -> tuple[int, int]:
    """Git's offset varint (``varint.c``) at ``position``: (value, position after it)."""
    byte = data[position]
    value = byte & 0x7F
    while byte & 0x80:
        position += 1
        byte = data[position]
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, position + 1


def _extensions(data: bytes, position: int, hash_size: int) -> set[bytes]:
    """The signatures of the extensions between the entries (ending at ``position``) and the checksum."""
    found = set()
    end = len(data) - hash_size
    while position + 8 <= end:
        signature = data[position : position + 4]
        (size,) = struct.unpack_from(">I", data, position + 4)
        found.add(signature)
        position += 8 + size
    if position != end:
        raise ValueError("the index's extensions do not end at its checksum")
    return found
