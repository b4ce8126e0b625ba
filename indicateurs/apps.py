from django.apps import AppConfig


class IndicateursConfig(AppConfig):
    name = "indicateurs"
    verbose_name = "Indicateurs d'usage"

    def ready(self):
        # The projets progress report shows the latest indicators without importing this app.
        from indicateurs.tableaux import report_rows
        from projets.extensions import register_usage_provider

        register_usage_provider(report_rows)
