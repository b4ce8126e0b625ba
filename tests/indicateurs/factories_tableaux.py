"""Test data of the dashboards: indicators, computed values and tranches created directly (the
dashboards read what the monthly computation writes; they never compute)."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from indicateurs.enums import Niveau, StatutTranche
from indicateurs.models import Indicateur, Tranche, ValeurIndicateur
from indicateurs.services import write_syntheses

# The five indicators of seed 000 §2.3 (DOMAIN.md §5).
INDICATEURS = [
    ("mssante", "Taux d'utilisation de la MSSanté", "messages_mssante", 70),
    ("dmp", "Taux d'utilisation du DMP", "dmp_alimentes", 70),
    ("dui_actifs", "Taux de dossiers actifs", "dossiers_actifs", 90),
    (
        "dui_pp",
        "Taux de dossiers actifs avec un projet personnalisé",
        "dossiers_actifs_avec_pp",
        90,
    ),
    (
        "dui_evenement",
        "Taux de dossiers actifs ayant au moins un événement",
        "dossiers_actifs_avec_evenement",
        90,
    ),
]


def indicateurs():
    """The five indicators (get_or_create: a data migration may already have made them)."""
    result = []
    for ordre, (code, libelle, numerateur, cible) in enumerate(INDICATEURS, start=1):
        denominateur = (
            "dossiers_actifs" if code in ("dui_pp", "dui_evenement") else "personnes_accompagnees"
        )
        indicateur, _ = Indicateur.objects.get_or_create(
            code=code,
            defaults={
                "libelle": libelle,
                "numerateur": numerateur,
                "denominateur": denominateur,
                "cible": Decimal(cible),
                "ordre": ordre,
            },
        )
        result.append(indicateur)
    return result


def month(year, number):
    return datetime.date(year, number, 1)


def valeur(indicateur, mois, niveau, value, *, denominateur=10_000, **where):
    """One computed value: `value` a percentage (None = non calculable), as the computation
    writes it: numerator and denominator (what the pages show is rounded from them), valeur
    to two decimals."""
    value = None if value is None else Decimal(str(value))
    numerateur = None if value is None else value * denominateur / 100
    if numerateur is not None and numerateur != int(numerateur):
        raise ValueError(f"{value} % is not a whole numerator over {denominateur}")
    numerateur = None if numerateur is None else int(numerateur)
    return ValeurIndicateur(
        indicateur=indicateur,
        mois=mois,
        niveau=niveau,
        numerateur=numerateur,
        denominateur=denominateur if value is not None else 0,
        valeur=value,
        cible=indicateur.cible,
        atteinte=None if value is None else value >= indicateur.cible,
        **where,
    )


def grappe_values(grappe, months, values, indicateurs_list=None):
    """Grappe-level values: `values` = {code: [percentage per month]} or one number for all."""
    rows = []
    for indicateur in indicateurs_list or indicateurs():
        series = values.get(indicateur.code) if isinstance(values, dict) else values
        for index, mois in enumerate(months):
            value = series[index] if isinstance(series, list) else series
            rows.append(valeur(indicateur, mois, Niveau.GRAPPE, value, grappe=grappe))
    created = ValeurIndicateur.objects.bulk_create(rows)
    # The computation writes each month's summaries with its grappe values: so does this.
    for mois in set(months):
        write_syntheses(mois, [grappe.pk])
    return created


def esms_values(esms, months, values, indicateurs_list=None):
    rows = []
    for indicateur in indicateurs_list or indicateurs():
        series = values.get(indicateur.code) if isinstance(values, dict) else values
        for index, mois in enumerate(months):
            value = series[index] if isinstance(series, list) else series
            if value == "absent":
                continue
            rows.append(valeur(indicateur, mois, Niveau.ESMS, value, esms=esms, og=esms.og))
    return ValeurIndicateur.objects.bulk_create(rows)


def region_values(region, months, values, indicateurs_list=None):
    rows = []
    for indicateur in indicateurs_list or indicateurs():
        for mois in months:
            rows.append(valeur(indicateur, mois, Niveau.REGION, values, region=region))
    return ValeurIndicateur.objects.bulk_create(rows)


class TrancheFactory(DjangoModelFactory):
    class Meta:
        model = Tranche

    numero = factory.Sequence(lambda n: n + 1)
    pourcentage = Decimal(50)
    montant = Decimal("150000.00")
    statut = StatutTranche.PREVUE


def tranches(grappe, premiere=StatutTranche.PAYEE, seconde=StatutTranche.PREVUE):
    return [
        TrancheFactory(grappe=grappe, numero=1, statut=premiere),
        TrancheFactory(grappe=grappe, numero=2, statut=seconde),
    ]
