"""Writing files safely: a temp file beside the target, renamed into place on success."""

from __future__ import annotations

import itertools
import os
import threading

from .findings import Finding, OutputError


_counter = itertools.count()


def write_atomic(path: os.PathLike | str, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a failure never leaves a partial file behind.

    The bytes go to a hidden temporary file beside the target, renamed over it once complete.
    The temporary name is unique per process, thread and call, created exclusively, with
    mode 0666 so the umask gives the output the usual permissions.
    """
    target = os.fspath(path)
    parent, base = os.path.split(target)
    tmp = os.path.join(parent, f".{base}.{os.getpid()}.{threading.get_ident()}.{next(_counter)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise OutputError(Finding("IO-WRITE", f"cannot write here: {exc.strerror or exc}", file=target)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except OSError as exc:
        _discard(tmp)
        raise OutputError(Finding("IO-WRITE", f"cannot write: {exc.strerror or exc}", file=target)) from None
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass
