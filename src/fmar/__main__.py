"""``python -m fmar``: the same command line as ``fmar``."""

from fmar.cli import main

if __name__ == "__main__":
    main()
