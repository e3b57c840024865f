"""No record a contributor can write makes fmar fail with an internal error.

Bundled records, mutated by ``tests.core.mutations`` (any YAML value in any field, fields deleted
or added, the text truncated, bytes, tags, anchors, byte-order marks...), are fed to
``fmar validate``, ``fmar verify``, ``fmar canonical`` and ``fmar sign`` in process. Each must
answer with a documented exit status (0, 1 or 2, ``fmar.cli.common``) through a finding or a usage
message: never an exception, which the command line reports as "internal error" (``fmar.cli.main``).
``tests/trust/test_gate_no_internal_errors.py`` does the same for ``fmar check``.

Deterministic (``derandomize``, no example database), so CI runs the same examples every time;
``FMAR_HYPOTHESIS_EXAMPLES=5000`` runs that many random ones when hunting.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hypothesis import given
from tests.conftest import BUNDLED_REGISTRY, EXAMPLE_KEYS
from tests.core.mutations import Mutant, handled, hostile_settings, invoke, mutants, signer_of

from fmar.cli.common import EXIT_OK

SIGNED_AT = "2026-11-20T10:00:00Z"  # within every bundled signer's key window


@contextlib.contextmanager
def _registry() -> Iterator[Path]:
    """A repository-like folder with a copy of the bundled registry (no function-scoped fixture: hypothesis
    runs many examples in one test call); each example puts its file in and takes it out again."""
    with tempfile.TemporaryDirectory(prefix="fmar-hostile-") as folder:
        root = Path(folder)
        shutil.copytree(BUNDLED_REGISTRY, root / "registry")
        yield root


@contextlib.contextmanager
def _planted(root: Path, mutant: Mutant) -> Iterator[Path]:
    path = root / mutant.path
    original = path.read_bytes()
    path.write_bytes(mutant.raw)
    try:
        yield path
    finally:
        path.write_bytes(original)


def test_validate_never_fails_internally() -> None:
    with _registry() as root:

        @hostile_settings(250)
        @given(mutant=mutants())
        def check(mutant: Mutant) -> None:
            with _planted(root, mutant):
                handled(invoke("validate", "--registry", str(root / "registry"), "--format", "json"), mutant, (0, 1))

        check()


def test_verify_canonical_and_sign_never_fail_internally() -> None:
    with _registry() as root, contextlib.chdir(root):

        @hostile_settings(400)
        @given(mutant=mutants())
        def check(mutant: Mutant) -> None:
            with _planted(root, mutant) as path:
                handled(invoke("verify", "--registry", str(root / "registry"), str(path)), mutant)
                handled(invoke("canonical", str(path)), mutant, (0, 1))
                signer = signer_of(mutant)
                key = str(EXAMPLE_KEYS / f"{signer}.key")
                signed = invoke("sign", str(path), "--key", key, "--signer", signer, "--at", SIGNED_AT)
                handled(signed, mutant)
                if signed.exit_code == EXIT_OK:  # what sign writes verifies
                    handled(invoke("verify", "--registry", str(root / "registry"), str(path)), mutant, (0,))

        check()
