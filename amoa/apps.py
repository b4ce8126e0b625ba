from django.apps import AppConfig


class AmoaConfig(AppConfig):
    name = "amoa"
    verbose_name = "Consultation AMOA"
