"""`python manage.py send_reminders [--date AAAA-MM-JJ]`

Sends the plan's and the minutes' reminders of the day (what the daily Celery beat task does). Idempotent: a reminder
already sent is never sent again, so the command may be run by hand at any time.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from core.text import agree, plural
from projets import extensions
from projets import reminders_comptes_rendus as minutes
from projets.reminders import DEBUT, FIN, RETARD, VALIDATION, send_daily_reminders

LABELS = {
    DEBUT: "Étapes qui commencent bientôt",
    FIN: "Étapes qui se terminent bientôt",
    RETARD: "Étapes en retard",
    VALIDATION: "Livrables en attente d'avis (COPIL)",
    minutes.ECHEANCE: "Comptes rendus à transmettre bientôt",
    minutes.RETARD: "Comptes rendus en retard",
    minutes.VALIDATION: "Comptes rendus en attente d'avis (COPIL)",
}


def parse_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Date invalide « {value} » : attendu AAAA-MM-JJ.") from error


class Command(BaseCommand):
    help = (
        "Envoie les rappels du jour : étapes du plan proches ou en retard, comptes rendus à "
        "transmettre, livrables et comptes rendus en attente d'avis du COPIL."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            dest="date",
            help="Date de référence AAAA-MM-JJ (par défaut : aujourd'hui).",
        )

    def handle(self, *args, date=None, **options):
        today = parse_date(date) if date else None
        counts = send_daily_reminders(today=today)
        for kind, label in {**LABELS, **extensions.daily_reminder_labels}.items():
            self.stdout.write(f"{label} : {plural(counts[kind], 'e-mail')}")
        total = counts["total"]
        self.stdout.write(f"Total : {plural(total, 'e-mail')} {agree(total, 'envoyé')}")
        if counts.get("echecs"):
            self.stderr.write(
                f"Échecs d'envoi : {counts['echecs']} (nouvel essai au prochain passage)"
            )
