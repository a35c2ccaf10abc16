"""Worker processes that end with the process that started them, however it ends."""

import multiprocessing
import os
import threading
from multiprocessing.process import BaseProcess

EXIT_ORPHANED = 70


def exit_with_parent() -> None:
    """Start watching the parent; call first thing in every worker process.

    A parent killed with SIGKILL runs no clean-up, and a pool's workers would wait for tasks
    forever (with the resource tracker they keep alive). Each worker holds the read end of a
    pipe whose write end only the parent holds: when the parent dies, however it dies, the
    pipe closes and the worker leaves.
    """
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_when_gone, args=(parent,), daemon=True).start()


def _exit_when_gone(parent: BaseProcess) -> None:
    parent.join()  # returns when the parent's end of the pipe closes
    os._exit(EXIT_ORPHANED)
