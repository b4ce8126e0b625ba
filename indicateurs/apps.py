from django.apps import AppConfig


class IndicateursConfig(AppConfig):
    name = "indicateurs"
    verbose_name = "Indicateurs d'usage"
