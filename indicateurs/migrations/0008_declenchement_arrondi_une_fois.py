"""The figures frozen on the tranches already due held each rate rounded to two decimals (str of
the stored valeur), which the pages then rounded again: 94.9487 % read « 94.95 » in the e-mail and
would now read « 94,95 % ». Rewrite them as the computation now freezes them: rounded once from
the numerator and denominator they carry (indicateurs.taux.Taux, imported: only databases that
exist today hold such figures, so the rule of today is the one to apply)."""

from django.db import migrations


def round_once(apps, schema_editor):
    from indicateurs.taux import Taux

    Indicateur = apps.get_model("indicateurs", "Indicateur")
    Tranche = apps.get_model("indicateurs", "Tranche")
    facteurs = dict(Indicateur.objects.values_list("code", "facteur"))
    for tranche in Tranche.objects.exclude(declenchement={}):
        items = tranche.declenchement.get("indicateurs") or []
        for item in items:
            taux = Taux(
                item.get("numerateur"),
                item.get("denominateur"),
                facteurs.get(item.get("code"), 100),
                item.get("cible"),
            )
            valeur = taux.arrondi()
            item["valeur"] = None if valeur is None else str(valeur)
        if items:
            tranche.save(update_fields=["declenchement"])


class Migration(migrations.Migration):
    dependencies = [("indicateurs", "0007_importusage_verification_en_tache")]

    operations = [migrations.RunPython(round_once, migrations.RunPython.noop)]
