"""Crash-safe file writing: a reader sees the old file or the new one, never half of one."""

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SYNC_THREADS = 8


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a synced temporary file renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace_synced(path, data)
    _sync_directory(path.parent)


def atomic_write_files(files: dict[Path, bytes]) -> None:
    """Write each file as ``atomic_write_bytes`` does. Hundreds of source states in one run:
    their syncs wait on the disk side by side in threads, and each folder is synced once."""
    for directory in {path.parent for path in files}:
        directory.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(SYNC_THREADS) as pool:
        list(pool.map(_replace_synced, files.keys(), files.values()))
    for directory in {path.parent for path in files}:
        _sync_directory(directory)


def remove_files(paths: list[Path]) -> None:
    """Delete ``paths`` and sync their folders, so that a power cut cannot bring them back."""
    for path in paths:
        path.unlink()
    for directory in {path.parent for path in paths}:
        _sync_directory(directory)


def _replace_synced(path: Path, data: bytes) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        Path(tmp_name).replace(path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _sync_directory(directory: Path) -> None:
    # The rename itself lives in the directory entry; without this a power cut can undo it.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
