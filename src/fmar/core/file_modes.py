"""What registry data may be on disk and in Git: a regular, non-executable file (Git mode 100644).

The one wording for ``fmar check`` (Git modes of a change) and ``fmar validate`` (what ``lstat``
finds in the working tree, named by the Git mode a commit of it would hold): a symbolic link's blob
is its link text, a submodule (gitlink) has no blob at all, and an executable bit is no part of a record.
"""

from __future__ import annotations

from fmar.core.catalogue import EXECUTABLE_FILE, NOT_A_REGULAR_FILE
from fmar.core.findings import Problem

REGULAR = "100644"
EXECUTABLE = "100755"
SYMLINK = "120000"
GITLINK = "160000"
#: Any other kind of file (a named pipe, a device): no Git mode holds it.
SPECIAL = "special"

_WHAT = {
    EXECUTABLE: "an executable file",
    SYMLINK: "a symbolic link",
    GITLINK: "a Git submodule (gitlink)",
    SPECIAL: "a special file (a pipe, a socket or a device)",
}
_HINT = {
    EXECUTABLE: "clear the executable bit (chmod -x, and git update-index --chmod=-x)",
    SYMLINK: "replace the link with the record itself, committed as a plain file",
    GITLINK: "remove the submodule (git rm --cached <path>, and its folder); commit the record itself as a plain file",
}


def describe(mode: str) -> str:
    """``a symbolic link``, ``a file`` ...: what an entry of Git mode ``mode`` is."""
    return "a file" if mode == REGULAR else _WHAT.get(mode, f"a Git entry of mode {mode}")


def mode_problem(path: str, mode: str) -> Problem | None:
    """The finding on registry data at ``path`` of mode ``mode``; None for a regular file."""
    if mode == REGULAR:
        return None
    return Problem(
        EXECUTABLE_FILE if mode == EXECUTABLE else NOT_A_REGULAR_FILE,
        f"{path} is {describe(mode)}: registry data is regular files only (mode {REGULAR})",
        _HINT.get(mode, "commit the record itself as a plain file"),
        (),
        1,
        1,
    )
