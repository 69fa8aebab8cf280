"""Writing files safely: a temp file beside the target, renamed into place on success."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .findings import Finding, OutputError


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
