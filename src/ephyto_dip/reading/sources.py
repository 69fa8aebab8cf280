"""What ``read``, ``convert`` and ``validate`` accept as a source, turned into bytes and a name.

bytes and any other bytes-like object (``bytearray``, ``memoryview``, ``array``), a binary file
object (``BytesIO``, an open file, a request body stream), or a path (``str`` or
``os.PathLike``). A ``str`` is a path, never a document: a service that passes decoded XML by
mistake gets a short :class:`UsageError` saying to pass bytes, not an OS error that quotes the
whole document as a file name.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import IO, Protocol, Union

from ..findings import Finding, InputError, UsageError
from .xmlsafe import Limits, read_file, short_name


class BinaryReader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


Source = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes], BinaryReader]

def _looks_like_a_document(text: str) -> bool:
    head = text.lstrip()[:1]
    return head in ("<", "{", "[") or "\n" in text  # no path name begins so, nor holds a line break


def load_source(source: object, name: str | None, limits: Limits) -> tuple[bytes, str]:
    """``(bytes, name for messages)`` of a source; UsageError for a type or a str that is no path."""
    if isinstance(source, bytes):
        return source, name or "<bytes>"
    if isinstance(source, (bytearray, memoryview)):
        return bytes(source), name or "<bytes>"
    if isinstance(source, str):
        if _looks_like_a_document(source):
            raise UsageError(Finding(
                "USAGE", "a str is taken as a path, and this one holds a document: pass the document as bytes "
                "(text.encode('utf-8')) or a path", file=name or "<str>"))
        return read_file(source, limits), name or source  # readable: a real path, kept whole
    if isinstance(source, os.PathLike):
        path = os.fspath(source)
        if not isinstance(path, str):  # a bytes path: decoded as the OS would
            path = os.fsdecode(path)
        return read_file(path, limits), name or path
    reader = getattr(source, "read", None)
    if callable(reader):
        return _read_stream(source, reader, name, limits)
    try:  # any other object with the buffer protocol (array.array, numpy bytes, mmap)
        return bytes(memoryview(source)), name or "<bytes>"  # type: ignore[arg-type]  # TypeError if no buffer
    except TypeError:
        pass
    raise UsageError(Finding(
        "USAGE", f"cannot read a {type(source).__name__}: pass bytes, a binary file object or a path",
        file=name))


def _read_stream(source: object, reader: Callable[[int], object], name: str | None, limits: Limits
                 ) -> tuple[bytes, str]:
    label = name or getattr(source, "name", None)
    label = short_name(label) if isinstance(label, str) else "<stream>"
    try:
        data = reader(limits.max_bytes + 1)
    except OSError as exc:
        raise InputError(Finding("IO-READ", f"cannot read: {exc.strerror or exc}", file=label)) from None
    if isinstance(data, str):
        raise UsageError(Finding(
            "USAGE", "the file object is open in text mode: open it in binary mode ('rb') or pass bytes", file=label))
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise UsageError(Finding(
            "USAGE", f"the file object's read() gave a {type(data).__name__}, not bytes", file=label))
    data = bytes(data)
    if len(data) > limits.max_bytes:
        raise InputError(Finding(
            "XML-TOO-LARGE", f"input is over {limits.max_bytes} bytes, the cap (set EPHYTO_DIP_MAX_BYTES or "
            "Limits.max_bytes)", file=label))
    return data, label
