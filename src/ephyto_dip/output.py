"""Writing files safely: a temp file beside the target, renamed into place on success."""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path

from .findings import Finding, OutputError


@lru_cache(maxsize=1)
def _umask() -> int:
    """The process umask, read once without changing it (os.umask would race with threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def write_atomic(path: os.PathLike | str, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a failure never leaves a partial file behind."""
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise OutputError(Finding("IO-WRITE", f"cannot write here: {exc.strerror or exc}", file=str(target))) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual mode
        os.replace(tmp, target)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(Finding("IO-WRITE", f"cannot write: {exc.strerror or exc}", file=str(target))) from None
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
