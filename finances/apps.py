from django.apps import AppConfig


class FinancesConfig(AppConfig):
    name = "finances"
    verbose_name = "Finances du projet"

    def ready(self):
        # finances sits on top of the other apps: the ARS region dashboard (indicateurs) and the
        # progress report (projets) show its figures through their extension points, without
        # importing it.
        from finances.rapports import section_finances
        from finances.tableaux import consommation_subvention
        from indicateurs.extensions import register_region_column
        from projets.extensions import register_report_section

        register_region_column(consommation_subvention)
        register_report_section(section_finances)
