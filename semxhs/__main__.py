"""``python -m semxhs``: the command-line interface."""

from semxhs.cli import main

if __name__ == "__main__":
    main()
