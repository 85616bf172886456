"""``python -m semxhs``: the command-line interface."""

import os
import signal


def _interrupted(signum: int, frame: object) -> None:
    # Ctrl-C while the interface is still being imported: nothing has been written.
    os.write(2, b"semxhs: interrupted: nothing was written\n")
    os._exit(130)


if __name__ == "__main__":
    if signal.getsignal(signal.SIGINT) != signal.SIG_IGN:  # an ignored Ctrl-C stays ignored
        signal.signal(signal.SIGINT, _interrupted)
    from semxhs.cli import main

    main()
