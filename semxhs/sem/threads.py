"""One BLAS thread for the estimator's small matrices.

The matrices of an SEM (a few hundred rows at most) are too small for OpenBLAS's threads to
pay for their start-up and synchronisation; on a loaded machine the waiting makes a batched
Cholesky of 100 matrices 186 x 186 forty times slower than on one thread. More cores are
used by processes instead (the bootstrap's ``--jobs``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_controller: Any = None


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit BLAS to one thread inside the block (the libraries are found once per process).

    Examples
    --------
    >>> import numpy as np
    >>> with one_blas_thread():
    ...     float(np.linalg.inv(np.eye(2) * 2.0)[0, 0])
    0.5
    """
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

        _controller = ThreadpoolController()
    with _controller.limit(limits=1, user_api="blas"):
        yield
