"""Work on every core: how many processes, and the pool they run in.

One rule for the whole tool (loading, documents, office files, site): as many workers as
the cores this process may use, at most 8; ``ATELIERS_WORKERS=N`` sets the number
(``ATELIERS_WORKERS=1`` runs everything in this process, as on a one-core machine).
Workers are forked, so they start with the consultation already in memory; where ``fork``
does not exist (Windows), everything runs in this process.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
import os
import signal

#: Never more processes than this, whatever the machine.
MAX_WORKERS = 8


def workers() -> int:
    """How many processes to work with (1 = no pool)."""
    wanted = os.environ.get("ATELIERS_WORKERS", "").strip()
    if wanted.isdigit() and int(wanted) >= 1:
        n = int(wanted)
    else:
        try:
            n = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            n = os.cpu_count() or 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(n, MAX_WORKERS))


def fork_pool(n: int) -> multiprocessing.pool.Pool:
    """A pool of ``n`` forked workers (use it as a context manager).

    Ctrl-C is the main process's alone: the workers ignore it, so that they neither print their
    traceback nor die under the pool, which would then wait for them for ever. The main process
    stops, leaving the pool terminates them, and the command says « Interrompu. » once."""
    return multiprocessing.get_context("fork").Pool(n, initializer=_ignore_ctrl_c)


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
