"""Regenerate the bundled example registry (registry/), its trust anchor (registry-trust.yaml, beside
the registry folder) and its example keys (examples/keys/).

Deterministic: running it twice gives the same files, and a test holds registry/ to it.
Usage: python scripts/build_bundled_registry.py [--out DIR] [--keys DIR]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from fmar.generate import bundled
from fmar.generate.keys import EXAMPLE_KEY_WARNING, example_key, write_private_key

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "registry")
    parser.add_argument("--keys", type=Path, default=ROOT / "examples" / "keys")
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    builder = bundled.build(args.out)
    args.keys.mkdir(parents=True, exist_ok=True)
    parties = sorted(builder.registry.parties)
    for party in parties:
        write_private_key(example_key(party, bundled.SEED), args.keys / f"{party}.key")
    (args.keys / "README.md").write_text(
        f"# {EXAMPLE_KEY_WARNING}\n\n"
        "Private keys of the parties of the bundled example registry, derived from public text by\n"
        "`fmar.generate.keys.example_key`. Anyone can recompute them: they sign example and test\n"
        "data only and must never sign a real record. Real parties make their own keys with\n"
        "`ssh-keygen -t ed25519` and publish only the public half in their party record.\n",
        encoding="utf-8",
    )
    builder.write_anchor(args.out.parent)
    print(f"wrote {len(builder.registry)} records to {args.out} and {len(parties)} example keys to {args.keys}")


if __name__ == "__main__":
    main()
