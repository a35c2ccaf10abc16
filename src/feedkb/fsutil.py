"""Crash-safe file writing: a reader sees the old file or the new one, never half of one."""

import os
import tempfile
from pathlib import Path


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a synced temporary file renamed over it."""
    atomic_write_files({path: data})


def atomic_write_files(files: dict[Path, bytes]) -> None:
    """Write each file as ``atomic_write_bytes`` does; each folder is synced once at the end,
    not once per file (hundreds of source states in one run)."""
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
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
    for directory in {path.parent for path in files}:
        _sync_directory(directory)


def _sync_directory(directory: Path) -> None:
    # The rename itself lives in the directory entry; without this a power cut can undo it.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
