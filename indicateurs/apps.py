from django.apps import AppConfig


class IndicateursConfig(AppConfig):
    name = "indicateurs"
    verbose_name = "Indicateurs d'usage"

    def ready(self):
        # The projets progress report shows the latest indicators without importing this app.
        from indicateurs.tableaux import report_rows
        from indicateurs.usage_import import recompute_since
        from projets.extensions import register_mise_en_service_listener, register_usage_provider

        register_usage_provider(report_rows)
        # The usage targets are measured from the DUI's mise en service, recorded in projets.
        register_mise_en_service_listener(recompute_since)
