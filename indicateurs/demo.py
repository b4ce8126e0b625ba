"""Demo data of the indicators, consistent with each grappe's stage (demo/stages.py):

- the main grappe chose its DUI but has not deployed it: no usage data; its convention's
  tranche 1 paid a month after the signature, tranche 2 planned;
- the grappes past their mise en service (demo.stages.LATER): usage data from the month of
  their mise en service up to the elapsed month, with a profile per stage — rising towards the
  targets (montée en charge), crossing every target in the last month (cibles atteintes: tranche
  2 due), crossing them after a year of service (tranche payée: tranche 2 paid three months after), stagnating
  far below them with gaps (en difficulté); one ESMS lagging behind in each, one file import
  recorded (the Amiénois's last month). Their tranche 1 paid a month after their signature.

The product's monthly computation (`services.compute_month`) runs once per month for all
grappes, in order, which makes the tranches due by the product's rules.

Idempotent: rows are keyed by (ESMS, month) and only created when missing; the computation only
runs when data was created, so a second run changes nothing.
"""

import datetime
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.months import add_months, elapsed_month
from grappe.models import HistoryEntry
from indicateurs import paiements, services, simulation
from indicateurs.enums import SourceUsage, StatutImport, StatutTranche
from indicateurs.models import ImportUsage, Tranche, UsageMensuel
from indicateurs.usage_import import HEADER

IMPORT_NAME = "usages-amienois-{mois:%Y-%m}.csv"
LAGGING = 7  # this ESMS's rates stay below the others'
FIRST_MEASURE = 2  # the third month measured: the first measure (3 months)
# Targets of the five indicators (seed 000 §2.3), in the order of `_rates`.
TARGETS = [0.70, 0.70, 0.90, 0.90, 0.90]


def _rates(stage, k, n):
    """(mssante, dmp, actifs, pp, evenement) rates of month k (0-based) of n for a stage."""
    if stage == "cibles_atteintes":
        # From 55 points below each target to 4 above in the last month only: the month before
        # stays ~2.5 points below, whatever the rounding of the counts.
        return [t - 0.55 + 0.59 * k / max(n - 1, 1) for t in TARGETS]
    if stage == "tranche_payee":
        # Targets crossed after a year of service, then held with small variations.
        if k <= 12:
            return [t - 0.45 + 0.50 * k / 12 for t in TARGETS]
        return [t + 0.05 + 0.01 * ((k % 3) - 1) for t in TARGETS]
    if stage == "en_difficulte":
        return [t - 0.35 + 0.15 * min(k / 5, 1) + 0.02 * ((k % 4) - 1.5) for t in TARGETS]
    # montée en charge: rising by 6 points a month, far from the targets yet.
    return [t - 0.45 + 0.06 * k for t in TARGETS]


# (stage, ESMS index, month index): counts left missing (not zero); None: the whole month.
MISSING = {
    ("en_difficulte", 3, 4): None,
    ("en_difficulte", 10, 8): ["dmp_alimentes"],
    ("en_difficulte", 12, 9): ["dossiers_actifs_avec_evenement"],
    ("montee_en_charge", 4, 1): ["dmp_alimentes"],
}


def usage_rows(stage, esms_list, months):
    """{(esms_id, month): counts} for a grappe's ESMS at a stage (deterministic)."""
    rows = {}
    n = len(months)
    for index, esms in enumerate(esms_list):
        personnes = esms.capacite or 40 + 7 * index
        factor = 0.88 if index == LAGGING else 1.0
        for k, mois in enumerate(months):
            missing = MISSING.get((stage, index, k), [])
            if missing is None:
                continue  # this month never came in for this ESMS
            m, d, a, p, e = (max(0.02, min(rate * factor, 0.99)) for rate in _rates(stage, k, n))
            actifs = round(personnes * a)
            counts = {
                "personnes_accompagnees": personnes,
                "messages_mssante": round(personnes * m),
                "dmp_alimentes": round(personnes * d),
                "dossiers_actifs": actifs,
                "dossiers_actifs_avec_pp": round(actifs * p),
                "dossiers_actifs_avec_evenement": round(actifs * e),
                # The DMP fed over the first measure's three months, in distinct persons.
                "dmp_alimentes_periode": min(round(personnes * d * 1.6), personnes)
                if k == FIRST_MEASURE
                else None,
            }
            for name in missing:
                counts[name] = None
            rows[(esms.pk, mois)] = counts
    return rows


def _moment(day, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _pay(tranche, day, reference, ars):
    """The whole tranche paid by the ARS on `day` (indicateurs.paiements), once, traced then."""
    if tranche.paiements.exists():
        return
    try:
        paiements.enregistrer(
            tranche, ars, paye_le=day, montant=tranche.montant, reference=reference
        )
    except paiements.PaiementRefuse:  # not due (yet): nothing to pay
        return
    HistoryEntry.objects.filter(
        grappe_id=tranche.grappe_id, action=f"Paiement de la tranche {tranche.numero} enregistré"
    ).update(created_at=_moment(day, hour=11))


# The main grappe's one usage file: the chosen éditeur's sample export, checked by simulation
# while preparing the recette, refused (a count the export fills with « n.c. »), never applied.
SAMPLE_NAME = "essai-export-medi-logis.csv"


def sample_import(grappe, user):
    """The éditeur's sample export, checked by the product's dry run (simulation.submit)."""
    if ImportUsage.objects.filter(grappe=grappe, nom_original=SAMPLE_NAME).exists():
        return
    finess = list(
        grappe.memberships.filter(left_on__isnull=True)
        .order_by("esms__finess_et")
        .values_list("esms__finess_et", flat=True)[:3]
    )
    mois = elapsed_month()
    lines = [";".join(HEADER)] + [
        ";".join([code, f"{mois:%Y-%m}", "60", "n.c.", "12", "48", "40", "44", ""])
        for code in finess
    ]
    upload = SimpleUploadedFile(
        SAMPLE_NAME, ("\n".join(lines) + "\n").encode(), content_type="text/csv"
    )
    simulation.submit(grappe, upload, user)


def seed(grappe, people):
    """The main grappe: its tranches, the first paid a month after the signature. No usage:
    its DUI is chosen, not deployed (demo/stages.py); only the éditeur's sample export,
    refused by the dry run."""
    sample_import(grappe, people.get("porteur"))
    services.ensure_tranches(type(grappe).objects.filter(pk=grappe.pk))
    signature = grappe.convention_signed_on
    tranche = Tranche.objects.filter(grappe=grappe, numero=1).first()
    if signature and tranche:
        _pay(tranche, signature + timedelta(days=30), "ARS-HDF-2026-0142", people.get("ars"))
    return grappe


def _import_record(grappe, rows, mois, user):
    """The last month of the Amiénois came as a file (ImportUsage, applied)."""
    name = IMPORT_NAME.format(mois=mois)
    record = ImportUsage.objects.filter(grappe=grappe, nom_original=name).first()
    if record is not None:
        return record
    finess = dict(grappe.memberships.values_list("esms_id", "esms__finess_et"))
    lines = [";".join(HEADER)] + [
        ";".join(
            [finess[esms_id], f"{m:%Y-%m}"]
            + ["" if counts[field] is None else str(counts[field]) for field in HEADER[2:]]
        )
        for (esms_id, m), counts in rows.items()
        if m == mois
    ]
    count = len(lines) - 1
    record = ImportUsage(
        grappe=grappe,
        nom_original=name,
        statut=StatutImport.APPLIQUE,
        lignes=count,
        mois=[f"{mois:%Y-%m}"],
        envoye_par=user,
        applique_le=timezone.now(),
        rapport={
            "compte": {
                "lignes": count,
                "lignes_en_erreur": 0,
                "lignes_avec_avertissement": 0,
                "erreurs": 0,
                "avertissements": 0,
            },
            "lignes": [],
            "tronque": False,
            "mois": [f"{mois:%Y-%m}"],
        },
    )
    record.fichier.save(name, ContentFile(("\n".join(lines) + "\n").encode()), save=False)
    record.save()
    return record


def seed_stages(stages, people):
    """Usage data and tranches of the later-stage grappes: `stages` = {stage: (grappe, months
    since the mise en service or None)}."""
    elapsed = elapsed_month()
    current = add_months(elapsed, 1)
    to_create = []
    first_month = None
    for stage, (grappe, in_service) in stages.items():
        if in_service is None:
            continue
        esms_list = [
            m.esms
            for m in grappe.memberships.filter(left_on__isnull=True)
            .select_related("esms")
            .order_by("esms__finess_et")
        ]
        months = [add_months(current, -i) for i in range(in_service, 0, -1)]
        first_month = min(first_month or months[0], months[0])
        rows = usage_rows(stage, esms_list, months)
        record = None
        if stage == "cibles_atteintes":
            record = _import_record(grappe, rows, elapsed, people.get("porteur"))
        existing = set(
            UsageMensuel.objects.filter(esms__in=esms_list).values_list("esms_id", "mois")
        )
        to_create += [
            UsageMensuel(
                esms_id=esms_id,
                mois=mois,
                source=SourceUsage.FICHIER if record and mois == elapsed else SourceUsage.SAISIE,
                import_usage=record if mois == elapsed else None,
                **counts,
            )
            for (esms_id, mois), counts in rows.items()
            if (esms_id, mois) not in existing
        ]
    grappes = [grappe for grappe, _ in stages.values()]
    services.ensure_tranches(type(grappes[0]).objects.filter(pk__in=[g.pk for g in grappes]))
    if to_create:
        UsageMensuel.objects.bulk_create(to_create, batch_size=1000)
        # Once per month, for every grappe: the tranches fall due in the month they were met.
        mois = first_month
        while mois <= elapsed:
            services.compute_month(mois)
            mois = add_months(mois, 1)

    ars = people.get("ars")
    now = timezone.now()
    for stage, (grappe, _in_service) in stages.items():
        tranches = {t.numero: t for t in Tranche.objects.filter(grappe=grappe)}
        signature = grappe.convention_signed_on
        # The services trace the tranches falling due at the seeding's moment: the grappe's
        # history reads as it happened (signature; the month after the targets were met).
        HistoryEntry.objects.filter(
            grappe=grappe, action__startswith="Tranche 1 due", created_at__gt=_moment(signature)
        ).update(created_at=_moment(signature))
        if 1 in tranches:
            reference = f"ARS-HDF-{signature:%Y}-{grappe.pk:04d}"
            _pay(tranches[1], signature + timedelta(days=30), reference, ars)
        second = tranches.get(2)
        if second is None or second.statut != StatutTranche.DUE or not second.mois_declenchement:
            continue
        # Computed in the first days after the month's end: due then, not at the seeding.
        due = timezone.make_aware(
            datetime.datetime.combine(
                add_months(second.mois_declenchement, 1) + timedelta(days=1),
                datetime.time(6),
            )
        )
        Tranche.objects.filter(pk=second.pk).update(due_le=min(due, now))
        HistoryEntry.objects.filter(
            grappe=grappe, action__startswith="Tranche 2 due", created_at__gt=min(due, now)
        ).update(created_at=min(due, now))
        if stage == "tranche_payee":
            paid = add_months(second.mois_declenchement, 3) + timedelta(days=9)
            if paid <= timezone.localdate():
                _pay(second, paid, f"ARS-HDF-{paid:%Y}-{grappe.pk:04d}-T2", ars)
