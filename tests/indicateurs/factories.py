from datetime import date

from indicateurs.models import MONTHLY_FIELDS, USAGE_FIELDS, UsageMensuel


def usage(
    esms,
    mois,
    personnes=100,
    mssante=None,
    dmp=None,
    actifs=None,
    pp=None,
    evt=None,
    dmp_periode=None,
):
    """One UsageMensuel; mois 'YYYY-MM' or a date. Counts left None are missing, not zero."""
    if isinstance(mois, str):
        year, month = (int(part) for part in mois.split("-"))
        mois = date(year, month, 1)
    values = dict(
        zip(USAGE_FIELDS, [personnes, mssante, dmp, actifs, pp, evt, dmp_periode], strict=True)
    )
    row, _ = UsageMensuel.objects.update_or_create(
        esms=esms, mois=mois, defaults={**values, "source": "saisie"}
    )
    return row


def meeting(esms, mois, personnes=100):
    """Counts that meet every target: MSSanté 80 %, DMP 80 %, DUI 95 % / 100 % / 100 %."""
    return usage(
        esms,
        mois,
        personnes,
        personnes * 80 // 100,
        personnes * 80 // 100,
        personnes * 95 // 100,
        personnes * 95 // 100,
        personnes * 95 // 100,
        # The period's distinct count (read at a first measure): the same persons every month.
        dmp_periode=personnes * 80 // 100,
    )


def csv_bytes(rows, sep=";", encoding="utf-8", bom=False, fields=MONTHLY_FIELDS):
    header = ["finess_et", "mois", *fields]
    lines = [sep.join(header)] + [sep.join(str(cell) for cell in row) for row in rows]
    text = "\n".join(lines) + "\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def in_service(grappe, mois):
    """Record the DUI's mise en service on the 1st of `mois` ('YYYY-MM' or a date) for every
    active ESMS of the grappe: the measurement starts then (indicateurs.services._phases)."""
    if isinstance(mois, str):
        year, month = (int(part) for part in mois.split("-"))
        mois = date(year, month, 1)
    grappe.memberships.filter(left_on__isnull=True).update(dui_in_service_on=mois)
