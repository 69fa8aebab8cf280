"""The SPS document types (UNTDID 1001 codes) as ``mappings/sps-document-types.tsv`` lists them:
which are ePhyto certificates, which ISPM 12 model certificate each is, the default one, and
the other SPS documents refused by name. Every ``851``/``657`` decision in the code asks here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..findings import Finding, TableError
from ..tsv import load_cached, split_metadata, tsv_dict_reader

MODEL_CERTIFICATES = ("export", "re-export")


@dataclass(frozen=True)
class DocumentType:
    code: str
    name: str
    ephyto: bool  # read and converted; otherwise refused by name
    model_certificate: str  # "export", "re-export", or "" for a document that is not a certificate
    default: bool
    reason: str = ""


def default_path() -> Path:
    from ..resources import resource_path

    return resource_path("mappings", "sps-document-types.tsv")


def parse_document_types(text: str, name: str) -> dict[str, DocumentType]:
    _, body, start = split_metadata(text)
    out: dict[str, DocumentType] = {}
    errors: list[Finding] = []
    for n, r in enumerate(tsv_dict_reader(body), start=start + 2):
        code = (r.get("code") or "").strip()
        if not code:
            continue
        ephyto, model = (r.get("ephyto") or "").strip(), (r.get("model_certificate") or "").strip()
        if ephyto not in ("yes", "no") or (ephyto == "yes") != (model in MODEL_CERTIFICATES):
            errors.append(Finding("TABLE-SYNTAX", f"document type {code}: ephyto must be yes with a model_certificate "
                                  f"({', '.join(MODEL_CERTIFICATES)}) or no without one", file=name, line=n))
            continue
        out[code] = DocumentType(code, (r.get("name") or "").strip(), ephyto == "yes", model,
                                 (r.get("default") or "").strip() == "yes", (r.get("reason") or "").strip())
    if sum(t.default for t in out.values()) != 1 or not any(t.default and t.ephyto for t in out.values()):
        errors.append(Finding("TABLE-SYNTAX", "exactly one ePhyto document type must be the default", file=name))
    if errors:
        raise TableError(errors)
    return out


def document_types(path: str | Path | None = None) -> dict[str, DocumentType]:
    return load_cached(path or default_path(), parse_document_types, "SPS document type list")


def ephyto_types() -> dict[str, DocumentType]:
    return {c: t for c, t in document_types().items() if t.ephyto}


def default_type() -> str:
    """The type a certificate that states none is taken for (851)."""
    return next(c for c, t in document_types().items() if t.default)


def type_of(model: str) -> str:
    """The ePhyto type code of a model certificate (``export`` 851, ``re-export`` 657)."""
    return next(c for c, t in ephyto_types().items() if t.model_certificate == model)


def is_reexport(code: str | None) -> bool:
    t = document_types().get((code or "").strip())
    return t is not None and t.model_certificate == "re-export"


def model_certificate(code: str | None) -> str:
    """``re-export`` for a re-export certificate; ``export`` for any other (or an unknown) type."""
    return "re-export" if is_reexport(code) else "export"


def ephyto_types_text() -> str:
    """``851 (phytosanitary certificate) or 657 (phytosanitary re-export certificate)``, for messages."""
    return " or ".join(f"{c} ({t.name})" for c, t in ephyto_types().items())
