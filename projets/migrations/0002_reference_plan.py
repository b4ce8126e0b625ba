from django.db import migrations

from projets.reference_plan import ETAPES, LIVRABLES_AMOA, PHASES


def load(apps, schema_editor):
    PhaseReference = apps.get_model("projets", "PhaseReference")
    EtapeReference = apps.get_model("projets", "EtapeReference")
    LivrableReference = apps.get_model("projets", "LivrableReference")
    JalonReference = apps.get_model("projets", "JalonReference")
    phases = {}
    for phase in PHASES:
        phases[phase["numero"]], _ = PhaseReference.objects.update_or_create(
            numero=phase["numero"],
            defaults={"titre": phase["titre"], "description": phase["description"]},
        )
    for data in ETAPES:
        etape, _ = EtapeReference.objects.update_or_create(
            numero=data["numero"],
            defaults={
                "phase": phases[data["phase"]],
                "titre": data["titre"],
                "objectifs": data["objectifs"],
                "contenu": data["contenu"],
                "acteurs": data["acteurs"],
                "outils_methodes": data["outils_methodes"],
                "documents_produits": data["documents_produits"],
                "facteurs_cles_succes": data["facteurs_cles_succes"],
                "duree_semaines": data["duree_semaines"],
            },
        )
        for ordre, livrable in enumerate(data["livrables"]):
            LivrableReference.objects.update_or_create(
                code=livrable["code"],
                defaults={
                    "titre": livrable["titre"],
                    "etape": etape,
                    "validation_copil": livrable["validation_copil"],
                    "ordre": ordre,
                },
            )
        if data["jalon"]:
            JalonReference.objects.update_or_create(
                etape=etape,
                defaults={"titre": data["jalon"]["titre"], "go_no_go": data["jalon"]["go_no_go"]},
            )
    for ordre, livrable in enumerate(LIVRABLES_AMOA):
        LivrableReference.objects.update_or_create(
            code=livrable["code"],
            defaults={
                "titre": livrable["titre"],
                "etape": None,
                "amoa": True,
                "validation_copil": livrable["validation_copil"],
                "recurrent": livrable["recurrent"],
                "ordre": ordre,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("projets", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
