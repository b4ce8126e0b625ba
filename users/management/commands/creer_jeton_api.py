"""`manage.py creer_jeton_api <e-mail> --nom <nom>`: an API token for a person, from the server
(what `drf_create_token` did with DRF's authtoken). The key is printed once, stored hashed."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from users.models import ApiToken, User


class Command(BaseCommand):
    help = "Crée un jeton d'API pour une personne et l'affiche (une seule fois)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="adresse e-mail de la personne")
        parser.add_argument("--nom", default="Script", help="nom du jeton (défaut : Script)")

    def handle(self, *args, email, nom, **options):
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"Aucun compte actif pour « {email} ».")
        if user.api_tokens.filter(name__iexact=nom).exists():
            raise CommandError(f"{user.email} a déjà un jeton nommé « {nom} ».")
        with transaction.atomic():
            _, key = ApiToken.objects.issue(user, nom)
        self.stdout.write(key)
