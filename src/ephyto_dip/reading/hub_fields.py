"""The IPPC ePhyto Hub envelope header as ``mappings/hub-envelope.tsv`` lists it: which element
of a Hub message fills which ``hub_envelope`` field, and which certificate field it must
agree with. The envelope reader and the namespace inference ask here; no tag is spelt in code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..findings import Finding, TableError
from ..tsv import load_cached, split_metadata, tsv_dict_reader
from . import shapes


@dataclass(frozen=True)
class HubField:
    steps: tuple[str, ...]  # the element's path below the EnvelopeHeader (local names)
    field: str  # a HubEnvelope field, or a HubForwarding field (``forwardings[].code``)
    agrees_with: str  # the certificate field the value must equal ("": none)

    @property
    def in_forwarding(self) -> bool:
        return len(self.steps) > 1


@dataclass(frozen=True)
class HubFields:
    header: dict[str, HubField]  # header element -> field
    forwarding_container: str  # the header element holding the forwardings (Forwardings)
    forwarding: dict[str, HubField]  # element of one forwarding -> field

    @property
    def tags(self) -> frozenset[str]:
        """Every element name of the header (for namespace inference)."""
        return frozenset(s for f in (*self.header.values(), *self.forwarding.values()) for s in f.steps)


def default_path() -> Path:
    from ..resources import resource_path

    return resource_path("mappings", "hub-envelope.tsv")


def parse_hub_fields(text: str, name: str) -> HubFields:
    _, body, start = split_metadata(text)
    header: dict[str, HubField] = {}
    forwarding: dict[str, HubField] = {}
    containers: set[str] = set()
    errors: list[Finding] = []
    for n, r in enumerate(tsv_dict_reader(body), start=start + 2):
        path, fld = (r.get("hub_element") or "").strip(), (r.get("field") or "").strip()
        if not path:
            continue
        steps = tuple(path.split("/"))
        entry = HubField(steps, fld, (r.get("agrees_with") or "").strip())
        if len(steps) == 1 and fld in shapes.HubEnvelope.FIELDS and fld != "forwardings":
            header[steps[0]] = entry
        elif (len(steps) == 3 and fld.startswith("forwardings[].")
              and fld.removeprefix("forwardings[].") in shapes.HubForwarding.FIELDS):
            forwarding[steps[2]] = entry
            containers.add(steps[0])
        else:
            errors.append(Finding("TABLE-SYNTAX", f"Hub envelope element {path}: {fld!r} is not a field of the model's "
                                  "hub_envelope (an element of the header, or Forwardings/<forwarding>/<element> "
                                  "for forwardings[].<field>)", file=name, line=n))
    if len(containers) > 1:
        errors.append(Finding("TABLE-SYNTAX", f"the forwardings are in one header element, not {sorted(containers)}",
                              file=name))
    if errors:
        raise TableError(errors)
    return HubFields(header, next(iter(containers), ""), forwarding)


def hub_fields(path: str | Path | None = None) -> HubFields:
    return load_cached(path or default_path(), parse_hub_fields, "Hub envelope list")
