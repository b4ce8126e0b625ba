"""The éditeur (DUI) consultation's proposed criteria follow seed 003 step 11 (« Procéder au choix
de la solution »: couverture des besoins fonctionnels, proposition d'architecture technique,
réponse aux prestations demandées et qualité des prestations, description de la mise en œuvre,
coût total) — amoa.models.DEFAULT_CRITERES_EDITEUR.

The consultations created before keep their criteria, except the drafts nobody has started: still
« en préparation », without an offer, a note or a choice, and with the former proposal untouched
(same codes, same weights). Those get the new proposal; a consultation whose criteria the comité
de sélection has changed, or that has offers or notes, is left as it is. The reverse leaves the
criteria as they are (the new proposal is as valid a starting point)."""

from django.db import migrations

# The former proposal: {code: weight}.
ANCIENS = {
    "couverture_indispensables": 0,
    "segur": 0,
    "dmp": 0,
    "hds": 0,
    "cout_total": 30,
    "couverture": 30,
    "ergonomie": 20,
    "accompagnement": 10,
    "references": 10,
}
RETIRES = ["ergonomie", "accompagnement", "references"]
# The new proposal, in its order: (code, label, kind, weight, scale). The labels of the rows kept
# (the indispensables, « Coût total sur N ans ») stay as they are.
NOUVEAUX = [
    ("couverture_indispensables", None, "indispensable", 0, 10),
    ("segur", None, "indispensable", 0, 10),
    ("dmp", None, "indispensable", 0, 10),
    ("hds", None, "indispensable", 0, 10),
    ("couverture", "Couverture des besoins fonctionnels", "calcule", 30, 10),
    ("architecture", "Proposition d'architecture technique", "qualitatif", 15, 10),
    (
        "prestations",
        "Réponse aux prestations demandées, qualité des prestations",
        "qualitatif",
        15,
        10,
    ),
    ("mise_en_oeuvre", "Description de la mise en œuvre", "qualitatif", 10, 10),
    ("cout_total", None, "prix_total", 30, 10),
]
ANCIEN_LIBELLE_COUVERTURE = "Couverture fonctionnelle"


def proposition_etape_11(apps, schema_editor):
    Consultation = apps.get_model("amoa", "Consultation")
    Critere = apps.get_model("amoa", "Critere")
    Note = apps.get_model("amoa", "Note")
    Offre = apps.get_model("amoa", "Offre")
    Choix = apps.get_model("amoa", "Choix")
    drafts = Consultation.objects.filter(objet="editeur", statut="brouillon")
    for consultation in drafts.iterator():
        if (
            Offre.objects.filter(consultation=consultation).exists()
            or Choix.objects.filter(consultation=consultation).exists()
            or Note.objects.filter(critere__consultation=consultation).exists()
        ):
            continue
        criteres = {c.code: c for c in Critere.objects.filter(consultation=consultation)}
        if {code: c.poids for code, c in criteres.items()} != ANCIENS:
            continue  # the comité de sélection has set its own criteria
        Critere.objects.filter(consultation=consultation, code__in=RETIRES).delete()
        for ordre, (code, label, kind, weight, scale) in enumerate(NOUVEAUX, 1):
            critere = criteres.get(code)
            if critere is None:
                Critere.objects.create(
                    consultation=consultation,
                    code=code,
                    libelle=label,
                    kind=kind,
                    poids=weight,
                    echelle=scale,
                    ordre=ordre,
                )
                continue
            critere.ordre = ordre
            critere.poids = weight
            if code == "couverture" and critere.libelle == ANCIEN_LIBELLE_COUVERTURE:
                critere.libelle = label
            critere.save(update_fields=["ordre", "poids", "libelle"])


class Migration(migrations.Migration):
    dependencies = [
        ("amoa", "0004_choix_classement_fige"),
    ]

    operations = [
        migrations.RunPython(proposition_etape_11, migrations.RunPython.noop),
    ]
