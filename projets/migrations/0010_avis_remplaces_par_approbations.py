"""The former answer models, copied into approbations.Avis by 0009, are removed. Reversible:
the tables come back empty, then 0009 backwards fills them again."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('projets', '0009_avis_vers_approbations'),
    ]

    operations = [
        migrations.DeleteModel(
            name='Avis',
        ),
        migrations.DeleteModel(
            name='AvisCR',
        ),
    ]
