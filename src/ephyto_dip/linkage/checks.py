"""What a single window checks before a certificate may cover goods, certificate against declaration.

The numbers in brackets are the checks of the linkage specification (docs/attach.md lists them
with their scope, UK, EU or generic, and how sure each is). Line-level coverage and quantities
are in ``coverage.py``; the running balance across declarations in ``ledger.py``.
"""

from __future__ import annotations

import re
from datetime import date

from ..findings import INFO, WARNING, Finding
from ..reading import model as m
from . import certificate as c
from .declaration import Declaration
from .matching import Plan
from .rules import Rules
from .values import fold, text


def certificate_problems(cert: m.Certificate, rules: Rules, name: str,
                         replaced_by: str | None = None) -> list[Finding]:
    """Why the certificate cannot be referenced at all: no number, a type without document code,
    no lines, or a status that does not cover goods [2, 3, 5]."""
    out = []
    if not cert.number or not cert.number.strip():
        out.append(Finding("ATTACH-CERTIFICATE", "the certificate has no number to reference", file=name))
    type_code = c.type_code(cert)
    if type_code not in rules.documents:
        out.append(Finding("ATTACH-CERTIFICATE",
                           f"certificate type {type_code} has no document code in the rules table "
                           f"(#document.{type_code})", file=name, value=type_code))
    if not cert.items:
        out.append(Finding("ATTACH-CERTIFICATE", "the certificate lists no commodity lines", file=name))
    status = c.status(cert)
    if rules.covering_statuses and status not in rules.covering_statuses:
        covering = ", ".join(rules.status_name(s) for s in sorted(rules.covering_statuses))
        then = f"; it is replaced by certificate {replaced_by}, which is the one to reference" if replaced_by else ""
        out.append(Finding("ATTACH-STATUS",
                           f"certificate status {rules.status_name(status or '(none)')} cannot cover goods: only "
                           f"{covering} can{then} [CERTEX 04]", file=name, value=status or None))
    elif replaced_by:
        out.append(Finding("ATTACH-REPLACED",
                           f"certificate {cert.number} has been replaced by certificate {replaced_by}, which the "
                           "single window holds; only the replacement covers goods [CERTEX 04]", file=name,
                           value=replaced_by))
    return out


def declaration_checks(cert: m.Certificate, decl: Declaration, plan: Plan, rules: Rules,
                       cert_name: str, today: date | None = None) -> list[Finding]:
    """Dates, parties and countries of the certificate against the declaration [6–13, 27, 28]."""
    return (_dates(cert, decl, rules, cert_name, today or date.today())
            + _consignee(cert, decl, rules) + _consignor(cert, decl, rules)
            + _destination(cert, decl, rules) + _origin_and_dispatch(cert, plan, rules, decl.name)
            + _place(cert, decl, rules) + _transport(cert, decl, rules))


def _dates(cert: m.Certificate, decl: Declaration, rules: Rules, cert_name: str, today: date) -> list[Finding]:
    out = []
    issued = c.issue_date(cert)
    if issued is None:
        return [Finding("ATTACH-DATE", "the certificate's issue date cannot be read, so it is not compared with the "
                        "declaration", severity=WARNING, file=cert_name)]
    when = decl.date
    against, what = (when, "the declaration's acceptance date") if when else (today, "today")
    if issued > against or issued > today:
        later, said = (against, what) if issued > against else (today, "today")
        out.append(Finding("ATTACH-DATE", f"the certificate was issued on {issued.isoformat()}, after "
                           f"{said} ({later.isoformat()}): it cannot attest to goods "
                           "already declared [6]", file=decl.name, value=issued.isoformat()))
    age = (against - issued).days
    if rules.max_age_days is not None:
        if age > rules.max_age_days:
            out.append(Finding("ATTACH-AGE", f"the certificate was issued {age} days before {what}, more than the "
                               f"{rules.max_age_days} days the rules table allows [7]",
                               severity=rules.severity("ATTACH-AGE", WARNING), file=decl.name, value=str(age)))
    elif age > 0:
        out.append(Finding("ATTACH-AGE", f"the certificate was issued {age} days before {what}; the rules table sets "
                           "no maximum age (#max_certificate_age_days), so age is not checked [7]", severity=INFO,
                           file=decl.name, value=str(age)))
    for raw in c.note_texts(cert.replacement.replaced_issue_date):
        old = c.iso_date(raw)
        if old is not None and old > issued:
            out.append(Finding("ATTACH-DATE", f"the replaced certificate's issue date {old.isoformat()} (ADRD) "
                               f"is after the replacement's own issue date {issued.isoformat()} [8]", severity=WARNING,
                               file=cert_name, value=raw))
    return out


def _party_name(value: str, rules: Rules) -> str:
    words = re.findall(r"[^\W_]+", fold(value).replace(".", ""))  # S.A. is sa
    return " ".join(w for w in words if w not in rules.legal_forms)


def _consignee(cert: m.Certificate, decl: Declaration, rules: Rules) -> list[Finding]:
    """[9] by identifier in a comparable scheme, else by name (a warning), else said to be not compared."""
    importer_id = decl.value("GoodsShipment", "Importer", "ID") or decl.value("Importer", "ID")
    importer_name = decl.value("GoodsShipment", "Importer", "Name") or decl.value("Importer", "Name")
    party = cert.consignee
    pid = party.id if party is not None else None
    scheme = ((pid.scheme_id or pid.scheme_name or "") if pid is not None else "").casefold()
    if pid is not None and c.code(pid) and scheme in {s.casefold() for s in rules.importer_id_schemes} and importer_id:
        if re.sub(r"\s", "", c.code(pid)).upper() != re.sub(r"\s", "", importer_id).upper():
            return [Finding("ATTACH-CONSIGNEE", f"the consignee's {pid.scheme_id or pid.scheme_name} {c.code(pid)} is "
                            f"not the importer {importer_id} of the declaration [9; CERTEX 09]", file=decl.name,
                            value=c.code(pid))]
        return []
    name = c.code(party.name) if party is not None else ""
    if name and importer_name:
        if _party_name(name, rules) != _party_name(importer_name, rules):
            return [Finding("ATTACH-CONSIGNEE", f"the consignee {name!r} does not read as the importer "
                            f"{importer_name!r} (names compared, legal forms folded) [9]",
                            severity=rules.severity("ATTACH-CONSIGNEE-NAME", WARNING), file=decl.name, value=name)]
        return []
    have = [w for w, v in (("consignee name", name), ("importer name", importer_name)) if v]
    return [Finding("ATTACH-CONSIGNEE", "consignee and importer not compared: no identifier in a scheme of "
                    f"#importer_id_schemes ({', '.join(sorted(rules.importer_id_schemes)) or 'none'}) on the "
                    f"certificate, and {'only the ' + have[0] if have else 'no name on either side'} [9]",
                    severity=INFO, file=decl.name)]


def _consignor(cert: m.Certificate, decl: Declaration, rules: Rules) -> list[Finding]:
    """[10] the consignor's name against the declaration's exporter, a warning."""
    name = c.code(cert.consignor.name) if cert.consignor is not None else ""
    exporter = decl.value("Exporter", "Name") or decl.value("GoodsShipment", "Exporter", "Name")
    if name and exporter and _party_name(name, rules) != _party_name(exporter, rules):
        return [Finding("ATTACH-CONSIGNOR", f"the consignor {name!r} does not read as the exporter {exporter!r} [10]",
                        severity=WARNING, file=decl.name, value=name)]
    return []


def declaring_countries(decl: Declaration, rules: Rules) -> frozenset[str]:
    if rules.declaring_countries:
        return rules.declaring_countries
    return frozenset(x for x in (decl.responsible_country, decl.value("GoodsShipment", "Destination", "CountryCode"))
                     if x)


def _destination(cert: m.Certificate, decl: Declaration, rules: Rules) -> list[Finding]:
    """[13] the certificate is addressed to the declaring country."""
    to = c.country(cert.import_country)
    allowed = declaring_countries(decl, rules)
    if not allowed:
        return []
    if not to:
        return [Finding("ATTACH-DESTINATION", "the certificate names no importing country, so it cannot be shown to "
                        f"be addressed to {', '.join(sorted(allowed))} [13]", severity=WARNING, file=decl.name)]
    if to not in allowed:
        return [Finding("ATTACH-DESTINATION", f"the certificate is addressed to {to}, not to the declaring country "
                        f"({', '.join(sorted(allowed))}) [13; CERTEX 08]", file=decl.name, value=to)]
    return []


def _origin_and_dispatch(cert: m.Certificate, plan: Plan, rules: Rules, name: str) -> list[Finding]:
    """[11] origin per covered line and goods item; [12] dispatch: the certificate's exporting (or
    re-exporting) country against the goods item's country of export."""
    out = []
    sent_from = c.country(cert.export_country)
    items = {(it.sequence, it.xpath): it for it in plan.items}
    dispatch_seen = set()
    for mt in plan.matches:
        item, line = items[(mt.goods_item, mt.goods_item_xpath)], plan.line(mt.line)
        if line.origins and item.origins and not (line.origins & item.origins):
            out.append(Finding("ATTACH-ORIGIN", f"{item.label} is of origin {', '.join(sorted(item.origins))}; "
                               f"{line.title} certifies origin {', '.join(sorted(line.origins))} [11]",
                               file=name, line=item.line, xpath=item.xpath, value=", ".join(sorted(item.origins))))
        if (sent_from and item.export_country and item.export_country != sent_from
                and item.sequence not in dispatch_seen):
            dispatch_seen.add(item.sequence)
            out.append(Finding("ATTACH-DISPATCH", f"{item.label} is dispatched from {item.export_country}; the "
                               f"certificate was issued by {sent_from} for goods it exports [12]", file=name,
                               line=item.line, xpath=item.xpath, value=item.export_country))
    return out


def _place(cert: m.Certificate, decl: Declaration, rules: Rules) -> list[Finding]:
    """[27] the declared point of entry against the goods location when that is a UN/LOCODE: a warning."""
    entry = c.code(cert.point_of_entry.id) if cert.point_of_entry is not None else ""
    ns = f"{{{rules.declaration_ns}}}"
    loc = decl.declaration.find(f"{ns}GoodsShipment/{ns}Consignment/{ns}GoodsLocation")
    if not entry or loc is None or text(loc, f"{ns}Address/{ns}TypeCode") != "U":
        return []
    where = text(loc, ns + "ID") or text(loc, ns + "Name")
    country = text(loc, f"{ns}Address/{ns}CountryCode")
    locode = where if re.fullmatch(r"[A-Z]{2}[A-Z2-9]{3}", where or "") else (country + where if re.fullmatch(
        r"[A-Z2-9]{3}", where or "") else "")
    if locode and locode != entry.replace(" ", ""):
        return [Finding("ATTACH-PLACE", f"the certificate's point of entry {entry} is not the goods location "
                        f"{locode}; inland clearance can explain it [27]", severity=WARNING, file=decl.name,
                        value=entry)]
    return []


def _transport(cert: m.Certificate, decl: Declaration, rules: Rules) -> list[Finding]:
    """[28] mode of transport, means and containers: each difference a warning with both values."""
    out = []
    modes = {c.code(t.mode_code) for t in cert.transport_movements if c.code(t.mode_code)}
    border = decl.value("BorderTransportMeans", "ModeCode")
    if modes and border and border not in modes:
        out.append(Finding("ATTACH-TRANSPORT", f"the certificate's mode of transport {', '.join(sorted(modes))} is not "
                           f"the border mode {border} of the declaration (UN/ECE Rec 19) [28]", severity=WARNING,
                           file=decl.name, value=border))
    ns = f"{{{rules.declaration_ns}}}"
    declared = [text(e, ns + "ID") for e in
                decl.declaration.iterfind(f"{ns}GoodsShipment/{ns}Consignment/{ns}TransportEquipment")]
    certified = {_container(c.code(e.id)) for e in cert.transport_equipment if c.code(e.id)} | {
        _container(c.code(e.id)) for it in cert.items for e in it.transport_equipment if c.code(e.id)}
    for container in declared:
        if container and certified and _container(container) not in certified:
            out.append(Finding("ATTACH-TRANSPORT", f"container {container} of the declaration is not on the "
                               f"certificate ({', '.join(sorted(certified))}) [28]", severity=WARNING, file=decl.name,
                               value=container))
    return out


def _container(value: str) -> str:
    return re.sub(r"[\s-]", "", value).upper()


def ched_problems(ched: str | None, rules: Rules, name: str) -> list[Finding]:
    """[25] the pre-notification the national system matches beside the certificate (UK, EU: CHED-PP)."""
    if rules.ched_document is None:
        return []
    code = "".join(rules.ched_document)
    if ched is None:
        return [Finding("ATTACH-DOCUMENT-ID", f"no {code} reference written: the national system expects the "
                        f"CHED-PP reference as document {code} beside the certificate (give it with --ched / ched=) "
                        "[25]", severity=rules.severity("ATTACH-DOCUMENT-ID", WARNING), file=name)]
    if rules.ched_pattern is not None and not rules.ched_pattern.fullmatch(ched):
        return [Finding("ATTACH-DOCUMENT-ID", f"CHED reference {ched!r} is not of the form #ched_pattern "
                        f"{rules.ched_pattern.pattern} [25]", file=name, value=ched)]
    return []
