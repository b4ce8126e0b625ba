"""Demo data of the indicators: ten months of usage data (2026-01 → 2026-10) for the demo grappe's
16 ESMS, with rates rising month after month, one ESMS lagging behind and a few missing values;
the computed values; the tranches (the first paid at signature, the second due since the month
the targets were met); one file import recorded.

Idempotent: rows are keyed by (ESMS, month) and only created when missing; the computation only
runs when data was created (or no value exists yet), so a second run changes nothing.
"""

from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from indicateurs import services
from indicateurs.enums import Niveau, SourceUsage, StatutImport, StatutTranche
from indicateurs.models import ImportUsage, Tranche, UsageMensuel, ValeurIndicateur
from indicateurs.usage_import import HEADER

MONTHS = [date(2026, month, 1) for month in range(1, 11)]
IMPORT_NAME = "usages-flandres-2026-10.csv"
# (ESMS index in FINESS order, month index): counts left missing (not zero) in the demo.
MISSING = {(4, 1): ["dmp_alimentes"], (9, 3): None, (12, 6): ["dossiers_actifs_avec_evenement"]}
LAGGING = 7  # this ESMS's rates stay far below the others'
FIRST_MEASURE = 2  # the third month measured: the first measure (3 months)


def _rates(month_index, lagging):
    """(mssante, dmp, actifs, pp, evenement) rates for month 1..10: rising, capped below 100 %."""
    k = month_index + 1
    rates = [
        0.30 + 0.065 * k,
        0.25 + 0.06 * k,
        0.60 + 0.04 * k,
        0.55 + 0.045 * k,
        0.60 + 0.04 * k,
    ]
    factor = 0.55 if lagging else 1.0
    return [min(rate * factor, 0.99) for rate in rates]


def usage_rows(esms_list):
    """{(esms_id, month): counts} for the demo (deterministic)."""
    rows = {}
    for index, esms in enumerate(esms_list):
        personnes = esms.capacite or 40 + 7 * index
        for month_index, month in enumerate(MONTHS):
            if MISSING.get((index, month_index), ["x"]) is None:
                continue  # this month never came in for this ESMS
            m, d, a, p, e = _rates(month_index, index == LAGGING)
            actifs = round(personnes * a)
            counts = {
                "personnes_accompagnees": personnes,
                "messages_mssante": round(personnes * m),
                "dmp_alimentes": round(personnes * d),
                "dossiers_actifs": actifs,
                "dossiers_actifs_avec_pp": round(actifs * p),
                "dossiers_actifs_avec_evenement": round(actifs * e),
            }
            # The DMP fed over the first measure's three months, in distinct persons, sent with
            # its third month — by every ESMS but the lagging one, whose first measure is then
            # an upper bound (the sum of its months).
            counts["dmp_alimentes_periode"] = (
                min(round(personnes * min(d * 1.15, 0.99)), personnes)
                if month_index == FIRST_MEASURE and index != LAGGING
                else None
            )
            for name in MISSING.get((index, month_index), []):
                counts[name] = None
            rows[(esms.pk, month)] = counts
    return rows


def seed(grappe, people):
    esms_list = [
        membership.esms
        for membership in grappe.memberships.filter(left_on__isnull=True)
        .select_related("esms")
        .order_by("esms__finess_et")
    ]
    porteur = people.get("porteur")
    # The measurement starts at the DUI's mise en service (the step 15 milestone): recorded
    # with the first month of the demo's usage data.
    grappe.memberships.filter(left_on__isnull=True, dui_in_service_on__isnull=True).update(
        dui_in_service_on=MONTHS[0]
    )
    rows = usage_rows(esms_list)
    last_month = MONTHS[-1]

    record = ImportUsage.objects.filter(grappe=grappe, nom_original=IMPORT_NAME).first()
    if record is None:
        finess = {esms.pk: esms.finess_et for esms in esms_list}
        lines = [";".join(HEADER)] + [
            ";".join(
                [finess[esms_id], f"{month:%Y-%m}"]
                + ["" if counts[name] is None else str(counts[name]) for name in HEADER[2:]]
            )
            for (esms_id, month), counts in rows.items()
            if month == last_month
        ]
        record = ImportUsage(
            grappe=grappe,
            nom_original=IMPORT_NAME,
            statut=StatutImport.APPLIQUE,
            lignes=len(lines) - 1,
            mois=[f"{last_month:%Y-%m}"],
            envoye_par=porteur,
            applique_le=timezone.now(),
            rapport={
                "compte": {
                    "lignes": len(lines) - 1,
                    "lignes_en_erreur": 0,
                    "lignes_avec_avertissement": 0,
                    "erreurs": 0,
                    "avertissements": 0,
                },
                "lignes": [],
                "tronque": False,
                "mois": [f"{last_month:%Y-%m}"],
            },
        )
        record.fichier.save(
            IMPORT_NAME, ContentFile(("\n".join(lines) + "\n").encode()), save=False
        )
        record.save()

    existing = set(
        UsageMensuel.objects.filter(esms__in=esms_list, mois__in=MONTHS).values_list(
            "esms_id", "mois"
        )
    )
    created = UsageMensuel.objects.bulk_create(
        [
            UsageMensuel(
                esms_id=esms_id,
                mois=month,
                source=SourceUsage.FICHIER if month == last_month else SourceUsage.SAISIE,
                import_usage=record if month == last_month else None,
                updated_by=porteur,
                **counts,
            )
            for (esms_id, month), counts in rows.items()
            if (esms_id, month) not in existing
        ]
    )

    services.ensure_tranches(type(grappe).objects.filter(pk=grappe.pk))
    # The first tranche was paid a month after the convention was signed.
    signature = grappe.convention_signed_on or date(2026, 3, 16)
    Tranche.objects.filter(grappe=grappe, numero=1, statut=StatutTranche.DUE).update(
        statut=StatutTranche.PAYEE,
        paye_le=signature + timedelta(days=30),
        montant_paye=Tranche.objects.get(grappe=grappe, numero=1).montant,
        reference_paiement="ARS-HDF-2026-0142",
        paiement_par=people.get("ars"),
    )
    computed = ValeurIndicateur.objects.filter(
        grappe=grappe, niveau=Niveau.GRAPPE, mois=last_month
    ).exists()
    if created or not computed:
        for month in MONTHS:
            services.compute_month(month, grappe)
    return grappe
