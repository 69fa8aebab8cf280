"""Where the shipped schemas and tables live, installed or in a source checkout."""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    """``ephyto_dip/_data`` in an installed wheel; the repository root in a checkout."""
    installed = _PACKAGE / "_data"
    if (installed / "mappings").is_dir():
        return installed
    checkout = _PACKAGE.parent.parent
    if (checkout / "mappings").is_dir():
        return checkout
    from .findings import EphytoDipError, Finding  # (a broken installation: only the library's own errors escape)

    raise EphytoDipError(Finding("IO-READ", "ephyto-dip data files (schemas/, mappings/) are missing from the "
                                 "installation: reinstall the package", file=str(installed)))


@lru_cache(maxsize=256)  # asked for on every conversion; building a Path costs more than the work
def resource_path(*parts: str) -> Path:
    return data_root().joinpath(*parts)
