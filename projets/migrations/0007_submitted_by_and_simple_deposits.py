"""Issue 21.

- Who submitted a deliverable's version or meeting minutes to the COPIL (`submitted_by`): with
  the person who deposited or wrote it, the document's authors, who do not decide on their own
  document (projets.validation.Regle.for_document). Unknown for what was submitted before.
- A deliverable the COPIL does not validate is complete once deposited: its versions that were
  nevertheless submitted, validated or rejected (the demo made such rows) go back to
  « déposée », where nobody's decision is awaited; the answers given stay in their history.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DEPOSEE = "deposee"  # StatutVersion.DEPOSEE at the time of this migration


def simple_deposits_are_deposited(apps, schema_editor):
    LivrableVersion = apps.get_model("projets", "LivrableVersion")
    LivrableVersion.objects.filter(livrable__validation_copil=False).exclude(
        status=DEPOSEE
    ).update(status=DEPOSEE, submitted_at=None, decided_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("projets", "0006_history_reunion_selection_confidentiel"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="compterendu",
            name="submitted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="soumis par",
            ),
        ),
        migrations.AddField(
            model_name="livrableversion",
            name="submitted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="soumise par",
            ),
        ),
        migrations.RunPython(simple_deposits_are_deposited, migrations.RunPython.noop),
    ]
