"""Writing files safely: a temp file beside the target, renamed into place on success."""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from collections.abc import Iterable

from .findings import Finding, OutputError

_counter = itertools.count()


def write_atomic(path: os.PathLike[str] | str, data: bytes,
                 inputs: Iterable[os.PathLike[str] | str | None] = ()) -> None:
    """Write ``data`` to ``path`` so that a failure never leaves a partial file behind.

    ``path`` must not be one of ``inputs`` (by any spelling): see :func:`refuse_overwriting_input`.

    The bytes go to a hidden temporary file beside the target, renamed over it once complete.
    The temporary name is unique per process, thread and call, created exclusively, with
    mode 0666 so the umask gives the output the usual permissions.
    """
    target = os.fspath(path)
    refuse_overwriting_input(target, inputs)
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
    with contextlib.suppress(OSError):
        os.unlink(tmp)


# ------------------------------------------------------------------ never write over an input


def same_file(a: os.PathLike[str] | str, b: os.PathLike[str] | str) -> bool:
    """Whether two spellings name one file: ``samefile`` where both exist (symlinks, hard
    links, ``./x`` and ``x``, case-insensitive file systems), else the resolved paths."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return _resolved(a) == _resolved(b)


def refuse_overwriting_input(output: os.PathLike[str] | str, inputs: Iterable[os.PathLike[str] | str | None]) -> None:
    """Raise :class:`OutputError` (``IO-OVERWRITE-INPUT``) if ``output`` is one of ``inputs``.

    Called before anything is converted or written: the certificate must never be replaced
    by its own output, whatever the spelling of the two paths.
    """
    for src in inputs:
        if src is not None and same_file(output, src):
            raise OutputError(
                Finding("IO-OVERWRITE-INPUT", f"the output is the input {os.fspath(src)}; refusing to overwrite it "
                        "(write the output elsewhere)", file=os.fspath(output))
            )


def refuse_output_dir_in_input_dir(out_dir: os.PathLike[str] | str, in_dir: os.PathLike[str] | str) -> None:
    """Raise :class:`OutputError` (``IO-OVERWRITE-INPUT``) if the batch output directory is the
    input directory or lies inside it (outputs would replace, or later mix with, the inputs).

    The output directory need not exist yet: each of its existing ancestors is compared with
    the input directory, so a symlink or a second mount of the input is caught too.
    """
    here = _resolved(out_dir)
    while True:
        if same_file(here, in_dir):
            raise OutputError(
                Finding("IO-OVERWRITE-INPUT", f"the output directory is, or lies inside, the input directory "
                        f"{os.fspath(in_dir)}; refusing to write there (choose a directory outside it)",
                        file=os.fspath(out_dir))
            )
        parent = os.path.dirname(here)
        if parent == here:
            return
        here = parent


def refuse_output_over_input(source: os.PathLike[str] | str, output: os.PathLike[str] | str | None,
                             also: Iterable[os.PathLike[str] | str | None] = ()) -> None:
    """The guard of ``convert``: a file output must not be its input (nor ``also``, e.g. the
    mapping table); a directory's output directory must not be, or lie inside, the input
    directory. ``None`` or ``-`` is stdout."""
    if output is None or os.fspath(output) == "-":
        return
    if os.path.isdir(source):
        refuse_output_dir_in_input_dir(output, source)
    refuse_overwriting_input(output, [source, *(a for a in also if a)])


def _resolved(path: os.PathLike[str] | str) -> str:
    return os.path.normcase(os.path.realpath(os.fspath(path)))
